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
        few = ingest._validator(params, ingest.StagePlan("k", {}, {}, [tmp_path / "a", tmp_path / "b"]), stack)
        assert isinstance(few, ValidatorProcess) and few.proc.poll() is None and not started
        many = ingest._validator(params, ingest.StagePlan("k", {}, {}, [tmp_path / n for n in "abc"]), stack)
        assert many is None and started == ["thread"]
        no_gx = params.model_copy(update={"validate_data": False})
        off = ingest._validator(no_gx, ingest.StagePlan("k", {}, {}, []), stack)
        assert off is None and started == ["thread"]
    assert few.proc.poll() is not None  # stopped with the run
