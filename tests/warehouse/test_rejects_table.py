"""The rejects table: segment-level removals are read back from the per-file cache, not kept in memory."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import SAMPLE
from transforms.clean import CleanOptions
from warehouse.layout import Layout
from warehouse import stage
from warehouse.stage import stage_files
from warehouse.tables import rejects


def test_segment_rejects_come_back_from_the_file_cache(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    files = [(p, p.name) for p in sorted(SAMPLE.iterdir())]
    fresh = stage_files(files, layout, CleanOptions(), None)
    cached = stage_files(files, layout, CleanOptions(), None)  # every file a cache hit now
    first_path = {s.file_id: s.path for s in fresh}
    table = rejects(fresh, first_path, {})
    segments = table.filter(pl.col("scope") == "segment")
    assert segments.height == sum(s.n_rejects for s in fresh) > 0
    assert_frame_equal(rejects(cached, first_path, {}), table)
    # every row carries its own file's identity, and each file's rows are its cached rows in order
    for s in fresh:
        mine = segments.filter(pl.col("file_id") == s.file_id)
        assert mine.height == s.n_rejects
        assert set(mine["path"]) <= {s.path} and set(mine["archive_path"]) <= {s.archive_path}
        if s.n_rejects:
            assert mine["seq"].to_list() == s.cached("rejects")["seq"].to_list()
            assert mine["rule"].null_count() == 0 and mine["content"].null_count() < mine.height


def test_segment_rejects_are_collected_once_and_read_from_the_collection(tmp_path: Path, monkeypatch) -> None:
    """The rows are collected beside the cache entries on first use: a later run reads one file, not
    one entry per file; a lost or damaged collection is rebuilt from the entries, with the same rows."""
    layout = Layout(tmp_path / "wh").ensure()
    captions = tmp_path / "captions.srt"  # a second file with removed segments (markup only, dashes only)
    captions.write_text("".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i + 1},000\n{text}\n\n" for i, text in enumerate(
        ["Hello there, how are you doing today", "<i></i>", "I am fine and you are welcome here", "- - -"])))
    files = [(p, p.name) for p in sorted(SAMPLE.iterdir())] + [(captions, captions.name)]
    staged = stage_files(files, layout, CleanOptions(), None)
    first_path = {s.file_id: s.path for s in staged}
    with_rows = [s for s in staged if s.n_rejects]
    assert len(with_rows) >= 2
    folder = Path(with_rows[0].cache_path).parents[1]
    half = rejects(with_rows[:1], first_path, {})  # one file collected
    assert set(pl.read_parquet(folder / stage.REJECTS_RECENT)["file_id"]) == {with_rows[0].file_id}
    monkeypatch.setattr(stage, "REJECTS_RECENT_ROWS", half.height)  # the next addition merges into the base
    table = rejects(staged, first_path, {})
    assert not (folder / stage.REJECTS_RECENT).exists()
    assert set(pl.read_parquet(folder / stage.REJECTS_BASE)["file_id"]) == {s.file_id for s in with_rows}

    def no_entry(self, name):
        raise AssertionError(f"{self.path}: read from its entry, not the collection")
    with monkeypatch.context() as m:
        m.setattr(stage.Staged, "cached", no_entry)
        assert_frame_equal(rejects(staged, first_path, {}), table)
    (folder / stage.REJECTS_BASE).write_bytes(b"damaged")
    assert_frame_equal(rejects(staged, first_path, {}), table)
    assert_frame_equal(rejects(list(reversed(staged)), first_path, {}).sort("file_id", "seq"),
                       table.sort("file_id", "seq"))
