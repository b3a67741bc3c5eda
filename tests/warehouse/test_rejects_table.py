"""The rejects table: segment-level removals are read back from the per-file cache, not kept in memory."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import SAMPLE
from transforms.clean import CleanOptions
from warehouse.layout import Layout
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
