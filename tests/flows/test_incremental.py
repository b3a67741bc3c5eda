"""Incremental runs: a new version joins its episode (same id), other episodes are not re-merged."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import ingest
from flows.settings import IngestParams
from tests.conftest import SAMPLE
from warehouse.publish import table_checksum

pytestmark = pytest.mark.slow


def _read(db: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def test_an_input_folder_named_relatively_then_absolutely_is_not_read_again(tmp_path: Path, monkeypatch) -> None:
    """The staged-file index knows files by absolute path: a run given the folder as a relative path
    and the next given it as an absolute one read only the file that is new."""
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    inbox.mkdir()
    for p in SAMPLE.iterdir():
        if not p.name.startswith("001"):
            shutil.copy(p, inbox / p.name)
    monkeypatch.chdir(tmp_path)
    first = ingest(IngestParams(input_dir=Path("in"), warehouse_dir=wh, report=False))
    shutil.copy(SAMPLE / "001_6f24f257fc802c56.txt", inbox)
    second = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert first["files_read"] == 4 and second["files_read"] == 1 and second["episodes_rebuilt"] == 1


def test_new_version_joins_existing_episode_and_touches_only_it(tmp_path: Path) -> None:
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    inbox.mkdir()
    for p in SAMPLE.iterdir():
        if not p.name.startswith("001"):
            shutil.copy(p, inbox / p.name)
    first = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh))
    assert first["episodes"] == 4 and first["episodes_rebuilt"] == 4
    db = wh / "warehouse.duckdb"
    before = _read(db, "select * from segments")
    ep_000 = _read(db, "select episode_id from episode_versions v join source_files f using (file_id) "
                       "where f.path like '000%'").item()

    shutil.copy(SAMPLE / "001_6f24f257fc802c56.txt", inbox)
    second = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh))
    assert second["episodes"] == 4 and second["episodes_rebuilt"] == 1
    assert second["files_read"] == 1  # the four unchanged files came from the staged-file index
    versions = _read(db, "select f.path, v.episode_id, v.role from episode_versions v join source_files f "
                         "using (file_id) order by f.path")
    assert versions.filter(pl.col("path").str.starts_with("001"))["episode_id"].item() == ep_000
    after = _read(db, "select * from segments")
    for eid in set(before["episode_id"]) - {ep_000}:
        assert table_checksum(before.filter(pl.col("episode_id") == eid)) == \
            table_checksum(after.filter(pl.col("episode_id") == eid))
    merged = after.filter(pl.col("episode_id") == ep_000)
    assert merged["speaker"].null_count() < merged.height  # the new version lent its speakers

    # the snapshot linked the three unchanged episodes' parts and DuckDB took only the changed one...
    snap = wh / "parquet" / json.loads((wh / "parquet" / "CURRENT.json").read_text())["snapshot"]
    parts = sorted((snap / "segments").glob("b*.parquet"))
    assert len(parts) == 4 and sorted(os.stat(p).st_nlink > 1 for p in parts) == [False, True, True, True]
    # ...and still holds exactly what a warehouse built from scratch on the same files holds
    fresh = tmp_path / "fresh"
    ingest(IngestParams(input_dir=inbox, warehouse_dir=fresh, report=False))
    for table in ("segments", "mentions", "segment_terms", "segment_lengths"):
        got, want = _read(db, f"select * from {table}"), _read(fresh / "warehouse.duckdb", f"select * from {table}")
        assert got.height and table_checksum(got) == table_checksum(want), table


def test_removed_file_leaves_the_warehouse(tmp_path: Path) -> None:
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)
    ingest(IngestParams(input_dir=inbox, warehouse_dir=wh))
    (inbox / "004_2e3fad989d5a5666.txt").unlink()
    summary = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh))
    assert summary["episodes"] == 3
    paths = _read(wh / "warehouse.duckdb", "select path from source_files")["path"].to_list()
    assert not any(p.startswith("004") for p in paths)
    for table in ("segments", "mentions", "segment_terms"):  # its rows were deleted from the kept tables
        assert _read(wh / "warehouse.duckdb", f"select count(distinct episode_id) as n from {table}").item() == 3
    assert any((wh / "raw").rglob("*"))  # its raw bytes stay archived


def test_changed_file_is_read_again_and_rescan_reads_all(tmp_path: Path) -> None:
    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)
    ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    target = inbox / "002_d30b93859025e2dd.txt"
    target.write_text(target.read_text().replace("Dylan", "Dylan Patel", 1))
    changed = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert changed["files_read"] == 1 and changed["episodes_rebuilt"] == 1 and changed["published"]
    again = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False, rescan=True))
    assert again["files_read"] == 5 and again["published"] is False  # same bytes, same tables


@pytest.mark.parametrize("fails_in", ["build_tables", "commit"])
def test_files_staged_by_a_run_that_fails_later_are_not_read_again(tmp_path: Path, monkeypatch,
                                                                    fails_in: str) -> None:
    """The staged-file index is written once a run has staged, failed or not: a run whose build
    fails (before validation) or whose publish fails (after it) leaves its files staged, and the
    next run reads none of them again."""
    import flows.ingest as flow_module

    inbox, wh = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SAMPLE, inbox)

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    owner = flow_module.Publication if fails_in == "commit" else flow_module
    monkeypatch.setattr(owner, fails_in, broken)
    with pytest.raises(Exception, match="disk full"):
        ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    monkeypatch.undo()
    again = ingest(IngestParams(input_dir=inbox, warehouse_dir=wh, report=False))
    assert again["files_read"] == 0 and again["published"] is True


def test_the_staged_file_index_is_saved_once_while_the_validation_process_checks(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """Where a run validates in a process of its own, the flow saves the staged-file index while
    that process checks (before its answer is read), once, and not again as the run ends."""
    import flows.ingest as flow_module
    from expectations.process import ValidatorProcess

    events: list[str] = []
    save, receive = flow_module._save_staged_index, ValidatorProcess._receive
    monkeypatch.setattr(flow_module, "_save_staged_index", lambda *a: (events.append("save"), save(*a))[1])
    monkeypatch.setattr(ValidatorProcess, "_receive", lambda self: (events.append("answer"), receive(self))[1])
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox)
    summary = ingest(IngestParams(input_dir=inbox, warehouse_dir=tmp_path / "wh", report=False))
    assert summary["published"] and events == ["save", "answer"]
