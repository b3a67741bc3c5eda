"""What the published warehouse already knows: episode ids and first-seen times, for stable reruns."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import polars as pl

from warehouse.layout import Layout, relative_path
from warehouse.publish import current_pointer


INPUTS_FILE = "inputs.json"
PASSED_FILE = "_passed_rows.parquet"  # beside a snapshot: (table_name, h, checks) of its validated rows


def _read(layout: Layout, table: str) -> pl.DataFrame | None:
    if (name := _current_snapshot(layout)) is None:
        return None
    snapshot = layout.parquet / name / f"{table}.parquet"
    return pl.read_parquet(snapshot) if snapshot.exists() else None


def prior_episode_ids(layout: Layout) -> dict[str, str]:
    """file_id -> episode_id from the last published snapshot."""
    df = _read(layout, "episode_versions")
    return dict(df.select("file_id", "episode_id").iter_rows()) if df is not None else {}


def passed_rows(layout: Layout, checks: str) -> pl.DataFrame | None:
    """The row hashes (table_name, h) of the published in-memory tables, as validated under `checks`
    (the suites' key); None if the snapshot has none made under these suites."""
    if (name := _current_snapshot(layout)) is None or not checks:
        return None
    path = layout.parquet / name / PASSED_FILE
    if not path.exists():
        return None
    df = pl.read_parquet(path).filter(pl.col("checks") == checks)
    return df.drop("checks") if df.height else None


def passed_rows_file(hashes: pl.DataFrame, checks: str) -> pl.DataFrame:
    """What `passed_rows` reads back: the row hashes of a validation, tagged with the suites' key."""
    return hashes.with_columns(pl.lit(checks).alias("checks"))


def first_seen(layout: Layout) -> dict[str, datetime]:
    """file_id -> when those bytes were first ingested."""
    df = _read(layout, "source_files")
    if df is None:
        return {}
    return dict(df.group_by("file_id").agg(pl.col("ingested_at").min()).iter_rows())


# -- the no-change fast path: what the inputs looked like when the current snapshot was made ------------

def inputs_fingerprint(stats: dict[str, tuple[int, int] | None], input_dir: Path, settings: str) -> str:
    """Every input file's relative path, size and mtime (`stats`: path -> (size, mtime_ns), None if it
    could not be read), plus the settings key, as one hash.

    Equal fingerprints mean no file was added, removed, replaced or touched since (the make rule);
    `rescan` in the run parameters re-reads everything anyway.
    """
    h = hashlib.sha256(settings.encode())
    for p, st in stats.items():
        h.update(f"{relative_path(p, input_dir)}\0{st[0]}\0{st[1]}\n".encode() if st else f"{p}\0unreadable\n".encode())
    return h.hexdigest()[:32]


def _current_snapshot(layout: Layout) -> str | None:
    pointer = current_pointer(layout)
    return pointer["snapshot"] if pointer else None


def unchanged_inputs(layout: Layout, fingerprint: str) -> dict | None:
    """The summary of the run that published the current snapshot from these very inputs, else None."""
    path = layout.root / INPUTS_FILE
    if not path.exists() or not layout.db.exists():
        return None
    seen = json.loads(path.read_text())
    if seen.get("fingerprint") != fingerprint or seen.get("snapshot") != _current_snapshot(layout):
        return None
    return seen["summary"]


def record_inputs(layout: Layout, fingerprint: str, summary: dict) -> None:
    """After a run that ended in the current snapshot: remember its inputs (atomically replaced)."""
    tmp = layout.root / (INPUTS_FILE + ".tmp")
    tmp.write_text(json.dumps({"fingerprint": fingerprint, "snapshot": _current_snapshot(layout),
                               "summary": summary}, default=str))
    tmp.replace(layout.root / INPUTS_FILE)
