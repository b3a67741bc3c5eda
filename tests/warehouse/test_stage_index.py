"""The staged-file index gives back exactly what staging found, so an unchanged file need not be read."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import polars as pl

from flows.settings import load_glossary
from tests.conftest import SAMPLE
from transforms.build import file_table
from transforms.clean import CleanOptions
from warehouse.hash_index import _cached_sigs
from warehouse.layout import Layout
from warehouse.stage import load_index, save_index, settings_key, stage_files


def _key(path: Path) -> tuple[str, int, int]:
    """A file's key in the index, as a run makes it (`warehouse.archive.discover_stats`)."""
    st = os.stat(path)
    return str(path), st.st_size, st.st_mtime_ns


def test_index_round_trip_keeps_every_field(tmp_path: Path) -> None:
    layout, options, glossary = Layout(tmp_path / "wh").ensure(), CleanOptions(), load_glossary()
    paths = sorted(SAMPLE.iterdir())
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01" * 100)
    paths.append(tmp_path / "bad.bin")
    staged = stage_files([(p, p.name) for p in paths], layout, options, glossary)
    key = settings_key(options, glossary)
    save_index(layout, key, [(_key(p), s) for p, s in zip(paths, staged)])
    index = load_index(layout, key)
    assert load_index(layout, "other settings") == {}
    for p, s in zip(paths, staged):
        back = index[_key(p)]
        # the metadata comes back as its JSON text, parsed when first asked for, into what was saved
        assert back.meta is None and (back.meta_json is not None) == (s.meta is not None)
        assert file_table({"f": back.grouping_meta}).equals(file_table({"f": s.meta})) or s.meta is None
        for field in ("path", "file_id", "size_bytes", "archive_path", "format", "kind", "status", "reason",
                      "metadata", "n_segments", "cache_path", "warnings", "n_rejects"):
            assert getattr(back, field) == getattr(s, field), (p.name, field)
        assert back.sigs is None  # signatures live in the hash index, not here
        if s.status == "loaded":  # ...and in the file cache, where the index can read them back
            assert _cached_sigs(back).to_list() == s.sigs.to_list() and s.sigs.len()
    assert index[_key(paths[-1])].status == "quarantined"
    assert staged[0].version.segments.equals(index[_key(paths[0])].version.segments)


def test_a_moved_warehouse_finds_its_cache(tmp_path: Path) -> None:
    """The index keeps cache paths relative to the warehouse folder: moved, it still reads them."""
    layout, options, glossary = Layout(tmp_path / "wh").ensure(), CleanOptions(), load_glossary()
    paths = sorted(SAMPLE.iterdir())
    staged = stage_files([(p, p.name) for p in paths], layout, options, glossary)
    key = settings_key(options, glossary)
    save_index(layout, key, [(_key(p), s) for p, s in zip(paths, staged)])
    old_style = pl.read_parquet(layout.root / "staged.parquet")  # as an older version wrote it: absolute paths
    old_style = old_style.with_columns((pl.lit(str(layout.root) + "/") + pl.col("cache_path")).alias("cache_path"))
    old_style.write_parquet(layout.root / "staged.parquet")
    index = load_index(layout, key)
    save_index(layout, key, list(index.items()), unchanged=set(index))  # copied rows: made relative
    assert len(index) == len(paths) and old_style["cache_path"].str.starts_with("/").any()
    rewritten = pl.read_parquet(layout.root / "staged.parquet")
    assert rewritten.height == len(paths) and not rewritten["cache_path"].str.starts_with("/").any()
    (tmp_path / "wh").rename(tmp_path / "moved")
    index = load_index(Layout(tmp_path / "moved"), key)
    for p, s in zip(paths, staged):
        back = index[_key(p)]
        assert back.cache_path.startswith(str(tmp_path / "moved")) and Path(back.cache_path).exists()
        assert back.version.segments.height == s.n_segments  # (the staged paths point to the old folder)
        assert _cached_sigs(back).len() > 0


def test_unchanged_rows_are_copied_and_equal_a_full_rewrite(tmp_path: Path) -> None:
    layout, options, glossary = Layout(tmp_path / "wh").ensure(), CleanOptions(), load_glossary()
    paths = sorted(SAMPLE.iterdir())
    staged = stage_files([(p, p.name) for p in paths], layout, options, glossary)
    key = settings_key(options, glossary)
    entries = [(_key(p), s) for p, s in zip(paths, staged)]
    save_index(layout, key, entries[:3])
    index = load_index(layout, key)
    moved = [(k, dataclasses.replace(index[k], path="sub/" + index[k].path)) for k, _ in entries[:3]]
    save_index(layout, key, moved + entries[3:], unchanged={k for k, _ in entries[:3]})
    copied = pl.read_parquet(layout.root / "staged.parquet").sort("abs_path")
    save_index(layout, key, moved + entries[3:])  # every row serialised again
    assert copied.equals(pl.read_parquet(layout.root / "staged.parquet").sort("abs_path"))
    assert copied.height == len(paths) and copied.filter(pl.col("path").str.starts_with("sub/")).height == 3


def test_two_workers_caching_the_same_bytes_at_once(tmp_path: Path, monkeypatch) -> None:
    """Exact copies in two batches are staged by two workers at once: the one that renames its cache
    entry second replaces the other's (the same content), rather than failing its batch, and leaves no
    temporary file behind."""
    layout = Layout(tmp_path / "wh").ensure()
    real = Path.replace

    def other_worker_first(src: Path, dst: Path) -> Path:  # the other worker's entry lands just before ours
        if not Path(dst).exists():
            Path(dst).write_bytes(src.read_bytes())
        return real(src, dst)

    monkeypatch.setattr(Path, "replace", other_worker_first)
    (staged,) = stage_files([(SAMPLE / "002_d30b93859025e2dd.txt", "002.txt")], layout,
                            CleanOptions(), None)
    assert staged.status == "loaded" and staged.version.segments.height == staged.n_segments > 0
    entry = Path(staged.cache_path)
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # our temporary file is gone

