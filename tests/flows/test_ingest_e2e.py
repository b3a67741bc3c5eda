"""The real flow on the sample corpus (Prefect's temporary local server, a real DuckDB file)."""

from __future__ import annotations

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
DATA_TABLES = ("source_files", "episodes", "episode_versions", "segments", "speakers", "chapters", "mentions",
               "version_links", "rejects", "parse_warnings")


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.sql(f"select * from {t}").pl() for t in DATA_TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    root = tmp_path_factory.mktemp("wh")
    params = IngestParams(input_dir=SAMPLE, warehouse_dir=root)
    first = ingest(params)
    tables = _tables(root / "warehouse.duckdb")
    second = ingest(params)
    rescan = ingest(params.model_copy(update={"rescan": True}))
    return root, {"first": first, "second": second, "rescan": rescan}, tables


def test_four_episodes_from_five_files(warehouse) -> None:
    _, runs, t = warehouse
    assert runs["first"]["files_seen"] == 5 and runs["first"]["loaded"] == 5
    assert t["episodes"].height == 4
    versions = t["episode_versions"].join(t["source_files"].select("file_id", "path"), on="file_id")
    by_ep = versions.group_by("episode_id").agg(pl.col("path").sort())
    groups = sorted(tuple(p[:3] for p in paths) for paths in by_ep["path"].to_list())
    assert groups == [("000", "001"), ("002",), ("003",), ("004",)]


def test_episode_metadata_from_any_version(warehouse) -> None:
    _, _, t = warehouse
    ep = t["episodes"].sort("title")
    merged = ep.filter(pl.col("n_versions") == 2).row(0, named=True)
    assert merged["video_id"] == "cHgCbDWejIs"  # only 000 carries it
    assert merged["title"].startswith("GPT4.5's Flop")
    assert set(merged["guests"]) == {"Dylan Patel"} and merged["hosts"] == ["Matthew Berman"]
    assert set(ep["video_id"]) == {"cHgCbDWejIs", "7EH0VjM3dTk", "_1f-o0nqpEI", "EV7WhVT270Q"}
    assert ep["title"].null_count() == 0


def test_merged_episode_has_speakers_and_times(warehouse) -> None:
    _, _, t = warehouse
    eid = t["episodes"].filter(pl.col("n_versions") == 2)["episode_id"].item()
    seg = t["segments"].filter((pl.col("episode_id") == eid) & ~pl.col("is_event"))
    named = seg.filter(pl.col("speaker").is_not_null())["n_words"].sum() / seg["n_words"].sum()
    assert named >= 0.95
    assert seg["start_s"].null_count() == 0
    assert seg.head(3)["is_teaser"].any()  # the cold open


def test_segments_keep_order_and_source_times(warehouse) -> None:
    _, _, t = warehouse
    for eid, seg in t["segments"].sort("seq").group_by("episode_id"):
        timed = seg.filter(pl.col("start_s").is_not_null() & ~pl.col("is_teaser"))
        assert timed["start_s"].is_sorted(), eid


def test_rerun_changes_nothing(warehouse) -> None:
    root, runs, before = warehouse
    after = _tables(root / "warehouse.duckdb")
    assert runs["second"]["published"] is False
    assert "no input file" in runs["second"]["skipped"]  # the fast path: nothing was read again
    assert runs["second"]["episodes"] == runs["first"]["episodes"]
    assert runs["rescan"]["published"] is False and "skipped" not in runs["rescan"]  # read, merged: same tables
    assert runs["rescan"]["episodes_rebuilt"] == 0
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*), count(*) filter (published) from runs").fetchone() == (3, 1)
    con.close()
    assert {k: table_checksum(v) for k, v in before.items()} == {k: table_checksum(v) for k, v in after.items()}


def test_no_markup_left_in_display_text(warehouse) -> None:
    _, _, t = warehouse
    text = t["segments"].filter(~pl.col("is_event"))["text"]
    for residue in ("**", "[[", "](http", "<c", ">>"):
        assert not text.str.contains(residue, literal=True).any(), residue
    events = t["segments"].filter(pl.col("text").str.contains("[Music]", literal=True))
    assert events["is_event"].all()


def test_bad_file_is_quarantined_and_the_rest_lands(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox)
    (inbox / "broken.bin").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (inbox / "copy of 002.txt").write_bytes((SAMPLE / "002_d30b93859025e2dd.txt").read_bytes())
    summary = ingest(IngestParams(input_dir=inbox, warehouse_dir=tmp_path / "wh"))
    t = _tables(tmp_path / "wh" / "warehouse.duckdb")
    files = t["source_files"]
    bad = files.filter(pl.col("path") == "broken.bin").row(0, named=True)
    assert bad["status"] == "quarantined" and "binary" in bad["reason"]
    assert (tmp_path / "wh" / bad["archive_path"]).read_bytes().startswith(b"\x89PNG")  # nothing lost
    copy = files.filter(pl.col("path") == "copy of 002.txt").row(0, named=True)
    assert copy["status"] == "duplicate_copy" and copy["copy_of"] == "002_d30b93859025e2dd.txt"
    assert t["episodes"].height == 4 and summary["quarantined"] == 1
    assert t["rejects"].filter(pl.col("scope") == "file")["path"].to_list() == ["broken.bin"]


def test_teasers_flagged_and_singles_stay_single(warehouse) -> None:
    _, _, t = warehouse
    ep = t["episodes"]
    single = ep.filter(pl.col("n_versions") == 1)
    assert sorted(single["video_id"].to_list()) == ["7EH0VjM3dTk", "EV7WhVT270Q", "_1f-o0nqpEI"]
    eid_002 = single.filter(pl.col("video_id") == "7EH0VjM3dTk")["episode_id"].item()
    seg = t["segments"].filter(pl.col("episode_id") == eid_002).sort("seq")
    assert seg.head(5)["is_teaser"].all()  # "well if you want to maintain hemony..." repeats later
    assert not seg.tail(seg.height - 40)["is_teaser"].any()


def test_search_finds_export_controls_in_lex_459(warehouse) -> None:
    from warehouse.layout import Layout
    from warehouse.query import search

    root, _, _ = warehouse
    hits = search(Layout(root), "export controls", limit=5)
    assert hits.height == 5
    assert set(hits["title"]) == {"DeepSeek, China, OpenAI, NVIDIA, xAI, TSMC, Stargate, and AI Megaclusters"}
    assert hits["start_s"].null_count() == 0 and hits["link"].str.contains("_1f-o0nqpEI&t=").all()
    assert hits["text"].str.to_lowercase().str.contains("export controls").all()


def test_mentions_and_names_repaired(warehouse) -> None:
    _, _, t = warehouse
    text = t["segments"]["text"]
    assert not text.str.contains("Sacha Della").any() and text.str.contains("Satya Nadella").any()
    assert not text.str.contains(r"\bEnthropic\b|\bDeepSeq\b|Nathan Lampert").any()
    labs = t["mentions"].filter(pl.col("entity_type") == "lab").group_by("entity").agg(pl.col("n").sum())
    assert labs.sort("n", descending=True)["entity"][0] == "OpenAI"
