"""Validation in a process of its own gives what validation in the flow's process gives."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import polars as pl
import pytest

from expectations import process
from expectations.process import ValidatorProcess
from expectations.validate import Check, validate
from flows import ingest
from flows.settings import IngestParams
from tests.warehouse.test_publish import _tables
from warehouse.layout import Layout
from warehouse.stage import save_index


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


def test_a_few_files_to_read_validate_in_a_process_many_in_a_thread(tmp_path: Path, monkeypatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(ingest, "preload_gx", lambda: started.append("thread"))
    params = IngestParams(input_dir=tmp_path, warehouse_dir=tmp_path / "wh", gx_process_files=2)
    layout = Layout(params.warehouse_dir).ensure()
    few_files = ingest.StagePlan("k", {}, {}, [tmp_path / "a", tmp_path / "b"])
    many_files = ingest.StagePlan("k", {}, {}, [tmp_path / n for n in "abc"])
    with ExitStack() as stack:
        assert ingest._early_validator(params, layout, 3, stack) is None  # a first run of 3 files: all read
        early = ingest._early_validator(params, layout, 2, stack)  # started before the plan is known
        few = ingest._validator(params, few_files, early, stack)
        assert few is early and few.proc.poll() is None and not started
        late = ingest._validator(params, few_files, None, stack)  # not started early: started now
        assert isinstance(late, ValidatorProcess) and late is not few
        save_index(layout, "k", [])  # not a first run: any number of files may be known already
        other = ingest._early_validator(params, layout, 3, stack)
        assert isinstance(other, ValidatorProcess)
        assert ingest._validator(params, many_files, other, stack) is None and started == ["thread"]
        assert other.proc.poll() is not None  # stopped at once: this run imports GX in a thread
        off = params.model_copy(update={"validate_data": False})
        assert ingest._early_validator(off, layout, 1, stack) is None
        assert ingest._validator(off, few_files, None, stack) is None and started == ["thread"]
    assert few.proc.poll() is not None and late.proc.poll() is not None  # stopped with the run


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


def test_a_prestarted_process_is_taken_once_and_dropped_if_not_taken(tmp_path: Path) -> None:
    """`tw run` starts the process before it imports Prefect; the flow takes that one (the same PID),
    the next asks for a new one, and one nobody took is ended (a run with nothing to do)."""
    process.prestart()
    process.prestart()  # at most one waits
    spare = process._spare[0]
    taken = ValidatorProcess.take()
    try:
        assert taken is spare and not process._spare
        fresh = ValidatorProcess.take()
        assert fresh is not taken
        fresh.close()
        assert taken.validate(_tables(2)).results.equals(validate(_tables(2)).results)
    finally:
        taken.close()
    process.prestart()
    left = process._spare[0]
    params = IngestParams(input_dir=tmp_path, warehouse_dir=tmp_path / "wh", gx_process_files=2)
    with ExitStack() as stack:  # a first run of more than gx_process_files validates in the flow's process: dropped
        assert ingest._early_validator(params, Layout(params.warehouse_dir).ensure(), 3, stack) is None
    assert not process._spare and left.proc.poll() is not None
    process.prestart()
    left = process._spare[0]
    process.drop_spare()
    assert not process._spare and left.proc.wait(timeout=30) == 0


def test_data_docs_are_written_after_the_answer_and_before_close(tmp_path: Path, monkeypatch) -> None:
    """The process answers first and renders the Data Docs while the flow publishes; `close` waits
    for them, so the docs are on disk when the run ends. The folder may be relative (`make run`
    names the warehouse `data/warehouse`): GX wants an absolute one."""
    monkeypatch.chdir(tmp_path)
    with ValidatorProcess() as gx:
        assert gx.validate(_tables(2), Path("wh") / "docs").results.height
    assert (tmp_path / "wh" / "docs" / "index.html").exists() and not (tmp_path / "wh" / "docs" / "ERROR.txt").exists()
    assert list((tmp_path / "wh" / "docs" / "validations").rglob("*.html"))  # the results' pages, not just an index
