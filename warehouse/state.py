"""What the published warehouse already knows: episode ids and first-seen times, for stable reruns."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from warehouse.layout import Layout


def _read(layout: Layout, table: str) -> pl.DataFrame | None:
    import json
    pointer = layout.parquet / "CURRENT.json"
    if not pointer.exists():
        return None
    snapshot = layout.parquet / json.loads(pointer.read_text())["snapshot"] / f"{table}.parquet"
    return pl.read_parquet(snapshot) if snapshot.exists() else None


def prior_episode_ids(layout: Layout) -> dict[str, str]:
    """file_id -> episode_id from the last published snapshot."""
    df = _read(layout, "episode_versions")
    return dict(df.select("file_id", "episode_id").iter_rows()) if df is not None else {}


def first_seen(layout: Layout) -> dict[str, datetime]:
    """file_id -> when those bytes were first ingested."""
    df = _read(layout, "source_files")
    if df is None:
        return {}
    return dict(df.group_by("file_id").agg(pl.col("ingested_at").min()).iter_rows())
