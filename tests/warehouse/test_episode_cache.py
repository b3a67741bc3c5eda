"""The episode cache: an entry reads back as written, and an entry it cannot read is merged again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from transforms.build import EPISODE_TABLES
from warehouse.layout import Layout
from warehouse.tables import BIG_TABLES, SMALL_FILE, _episode_dir, _load_episode, _save_episode


def _frames() -> dict[str, pl.DataFrame]:
    """One row per episode table (nulls, lists and dates included), in each table's schema."""
    out = {}
    for t in EPISODE_TABLES:
        row = {}
        for name, dtype in t.schema.items():
            row[name] = {pl.String: "x", pl.Int32: 3, pl.Int64: 4, pl.Float64: 1.5, pl.Boolean: True,
                         pl.Date: date(2025, 1, 2)}.get(dtype, None)
            if dtype == pl.List(pl.String):
                row[name] = ["a", "b"]
        out[t.name] = pl.DataFrame([row], schema=t.schema)
    return out


def test_an_entry_reads_back_as_written(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    frames = _frames()
    _save_episode(layout, "k1", frames)
    folder = _episode_dir(layout, "k1")
    assert {p.name for p in folder.iterdir()} == {"DONE", SMALL_FILE, *(f"{n}.parquet" for n in BIG_TABLES)}
    small = _load_episode(layout, "k1")
    assert small is not None and set(small) == {t.name for t in EPISODE_TABLES} - set(BIG_TABLES)
    for name, df in small.items():
        assert df.equals(frames[name]) and df.schema == frames[name].schema


def test_an_unreadable_or_unfinished_entry_is_not_used(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    _save_episode(layout, "k1", _frames())
    (_episode_dir(layout, "k1") / SMALL_FILE).write_bytes(b"\x05\x00\x00\x00{\"episodes\": 9}junk")
    assert _load_episode(layout, "k1") is None  # (e.g. written by another polars version): merged again
    _save_episode(layout, "k2", _frames())
    (_episode_dir(layout, "k2") / "DONE").unlink()
    assert _load_episode(layout, "k2") is None


def test_an_entry_of_the_earlier_layout_still_reads(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    frames = _frames()
    folder = _episode_dir(layout, "old")
    folder.mkdir(parents=True)
    for name, df in frames.items():  # one Parquet file per table, as caches before small.bin were
        df.write_parquet(folder / f"{name}.parquet")
    (folder / "DONE").touch()
    small = _load_episode(layout, "old")
    assert small is not None and all(df.equals(frames[name]) for name, df in small.items())
