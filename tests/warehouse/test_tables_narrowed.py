"""Validation of a few episodes reads only the parts of the big tables that can hold them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from warehouse.publish import Parts, bucket_of
from warehouse.tables import Tables


def test_narrowed_tables_hold_the_episodes_parts_only(tmp_path: Path) -> None:
    eids = [f"ep_{i:03d}" for i in range(40)]
    rows = pl.DataFrame({"episode_id": eids, "seq": list(range(40))})
    by_bucket = rows.with_columns(b=pl.col("episode_id").map_elements(bucket_of, pl.Int64)).partition_by(
        "b", as_dict=True)
    parts = {}
    for (b,), df in by_bucket.items():  # half the parts lazy frames, half files of an earlier snapshot
        if b % 2:
            parts[b] = df.drop("b").lazy()
        else:
            df.drop("b").write_parquet(path := tmp_path / f"b{b:02d}.parquet")
            parts[b] = path
    tables = Tables(segments=pl.concat([p if isinstance(p, pl.LazyFrame) else pl.scan_parquet(p)
                                        for p in parts.values()]), episodes=rows)
    tables.parts = {"segments": Parts(parts, {}, rows.schema)}
    wanted = {"ep_003", "ep_017"}
    narrowed = tables.narrowed(wanted)
    assert narrowed["episodes"] is tables["episodes"]  # in-memory tables as they are
    got = narrowed["segments"].collect()
    buckets = {bucket_of(e) for e in wanted}
    assert_frame_equal(got.sort("seq"), rows.filter(pl.col("episode_id").map_elements(
        bucket_of, pl.Int64).is_in(buckets)).sort("seq"))
    assert wanted <= set(got["episode_id"]) and got.height < rows.height
    assert narrowed.keys() == tables.keys()
    none = tables.narrowed(set())["segments"].collect()
    assert none.height == 0 and none.schema == rows.schema
