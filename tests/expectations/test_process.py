"""Validation in a process of its own gives what validation in the flow's process gives."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import polars as pl
import pytest

from expectations.process import ValidatorProcess
from expectations.validate import Check, validate
from flows import ingest
from flows.settings import IngestParams
from tests.warehouse.test_publish import _tables


def test_same_results_as_in_process_and_errors_come_back_named(tmp_path: Path) -> None:
    tables = _tables(3)
    tables["segments"] = tables["segments"].with_columns(pl.lit(-1.0).alias("start_s"))  # before zero
    segments_file = tmp_path / "segments.parquet"
    tables["segments"].write_parquet(segments_file)
    tables["segments"] = pl.scan_parquet(segments_file)  # the big tables arrive as lazy scans
    here = validate(tables)
    with ValidatorProcess() as gx:
        there = gx.validate(tables, only_episodes={"ep_1"})
        assert not there.success and there.bad_episodes == here.bad_episodes == {"ep_1": there.bad_episodes["ep_1"]}
        assert there.results.equals(here.results) and there.row_hashes.equals(here.row_hashes)
        with pytest.raises(RuntimeError, match="(?s)validation failed in its process.*NoSuchExpectation"):
            gx.run([Check("episodes", "broken", [("NoSuchExpectation", {})], pl.DataFrame({"a": [1]}))], {})
        assert gx.validate(tables).results.equals(here.results)  # it carries on after an error
        proc = gx.proc
    assert proc.poll() is not None  # ended with the block


def test_a_few_new_files_validate_in_a_process_many_in_a_thread(tmp_path: Path, monkeypatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(ingest, "preload_gx", lambda: started.append("thread"))
    params = IngestParams(input_dir=tmp_path, warehouse_dir=tmp_path / "wh", batch_size=2)
    with ExitStack() as stack:
        process = stack.enter_context(ValidatorProcess())  # started before the plan is known
        few = ingest._validator(params, ingest.StagePlan("k", {}, {}, [tmp_path / "a", tmp_path / "b"]), process)
        assert few is process and few.proc.poll() is None and not started
        other = stack.enter_context(ValidatorProcess())
        many = ingest._validator(params, ingest.StagePlan("k", {}, {}, [tmp_path / n for n in "abc"]), other)
        assert many is None and started == ["thread"]
        assert other.proc.poll() is not None  # stopped at once: this run imports GX in a thread
        assert ingest._validator(params, ingest.StagePlan("k", {}, {}, []), None) is None  # validation off
        assert started == ["thread"]
    assert few.proc.poll() is not None  # stopped with the run


def test_work_meanwhile_runs_while_the_process_validates(tmp_path: Path) -> None:
    tables = _tables(2)
    done: list[str] = []
    with ValidatorProcess() as gx:
        there = gx.validate(tables, meanwhile=lambda: done.append("sums"))
        assert done == ["sums"] and there.results.equals(validate(tables).results)
        with pytest.raises(ZeroDivisionError):  # its error is raised, and the answer is not left in the pipe
            gx.validate(tables, meanwhile=lambda: 1 / 0)
        assert gx.validate(tables).results.equals(there.results)
        gx.finish()  # no more requests: it exits by itself
        assert gx.proc.wait(timeout=30) == 0
