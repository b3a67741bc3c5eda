"""The validation gate in a real run: a file whose data breaks an expectation is quarantined with
the expectation named, and the good files of the same run are published."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import ingest
from flows.settings import IngestParams
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow

BACKWARDS = """---
title: "Broken Batch Episode"
video_id: "BROKENBATCH"
---

## Text

- [00:10] this caption starts at ten seconds
- [00:20] and this one at twenty seconds
- [00:05] but this one jumps back to five seconds
- [00:30] then the captions carry on as before
- [00:40] until the very end of the episode
"""


def test_broken_file_quarantined_with_expectation_named_good_files_land(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox)
    (inbox / "broken.md").write_text(BACKWARDS)
    summary = ingest(IngestParams(input_dir=inbox, warehouse_dir=tmp_path / "wh"))
    assert summary["published"] and summary["validation"].startswith("passed after quarantining 1 file")
    con = duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True)
    try:
        files = con.sql("select path, status, reason from source_files").pl()
        results = con.sql("select * from validation_results where not success").pl()
        episodes = con.sql("select count(*) from episodes").fetchall()[0][0]
    finally:
        con.close()
    broken = files.filter(pl.col("path") == "broken.md").row(0, named=True)
    assert broken["status"] == "quarantined" and "_start_order_ok" in broken["reason"]
    assert files.filter(pl.col("path") != "broken.md")["status"].to_list() == ["loaded"] * 5
    assert episodes == 4
    assert results.filter(pl.col("column_name") == "_start_order_ok")["unexpected_count"].to_list() == [1]
    assert (tmp_path / "wh" / "docs" / "validation" / "index.html").exists()


def test_failure_is_remembered_and_new_episodes_alone_are_validated(tmp_path: Path) -> None:
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)
    (inbox / "broken.md").write_text(BACKWARDS)
    first = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert first["validation_passes"] == 2  # found by Great Expectations, then rebuilt without it
    # another file arrives: the broken one is held back from what was learnt, with no GX pass for it
    shutil.copy(SAMPLE / "002_d30b93859025e2dd.txt", inbox / "copy.txt")
    second = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert second["files_read"] == 1 and second["quarantined"] == 1
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        reason = con.execute("select reason from source_files where path = 'broken.md'").fetchone()[0]
        passes = con.execute("select distinct pass_no from validation_results").fetchall()
        seg_rows = con.execute("select sum(unexpected_count) from validation_results").fetchone()[0]
    finally:
        con.close()
    assert "_start_order_ok" in reason and "known from an earlier run" in reason
    assert passes == [(1,)] and seg_rows == 0  # one build, one GX pass (not over the broken file), passed
    assert second["validation_passes"] == 1 and second["validation"].startswith("passed after quarantining 1")
    assert second["episodes_rebuilt"] == 0  # an exact copy changes no episode; the held one is not built


def test_remembered_verdicts_lapse_when_the_suites_change(tmp_path: Path, monkeypatch) -> None:
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)
    (inbox / "broken.md").write_text(BACKWARDS)
    ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    monkeypatch.setattr("flows.ingest.checks_key", lambda: "suites edited since")
    again = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    # not the no-change fast path, not held from memory: GX sees every episode again and finds it again
    assert "skipped" not in again and again["timings_s"]["validate"] > 0
    assert again["files_read"] == 0 and again["validation_passes"] == 2
    assert again["validation"].startswith("passed after quarantining 1")
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        reason = con.execute("select reason from source_files where path = 'broken.md'").fetchone()[0]
        checked = con.execute("select count(distinct table_name) from validation_results").fetchone()[0]
    finally:
        con.close()
    assert "_start_order_ok" in reason and "known from an earlier run" not in reason
    assert checked >= 5


def test_rows_that_passed_are_remembered_beside_the_snapshot(tmp_path: Path, monkeypatch) -> None:
    """The published rows' hashes (under the suites' key) go beside the snapshot; the next run hands
    them to validation, so only rows not seen before meet the row-level expectations."""
    import flows.ingest as flow
    from expectations.suites import checks_key
    from warehouse.publish import current_pointer
    from warehouse.layout import Layout

    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)
    handed: list = []
    real = flow.ValidatorProcess.validate  # a run of a few files validates in a process of its own
    monkeypatch.setattr(flow.ValidatorProcess, "validate",
                        lambda self, *a, **kw: handed.append(kw["passed"]) or real(self, *a, **kw))

    def remembered() -> pl.DataFrame:
        layout = Layout(wh)
        return pl.read_parquet(layout.parquet / current_pointer(layout)["snapshot"] / "_passed_rows.parquet")

    ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert handed == [None]
    first = remembered()
    assert first["checks"].unique().to_list() == [checks_key()]
    assert first.filter(pl.col("table_name") == "source_files").height == 5
    shutil.copy(SAMPLE / "002_d30b93859025e2dd.txt", inbox / "copy.txt")
    ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert handed[1] is not None and handed[1].sort(pl.all()).equals(first.drop("checks").sort(pl.all()))
    assert remembered().filter(pl.col("table_name") == "source_files").height == 6
