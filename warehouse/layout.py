"""Where everything lives inside a warehouse folder. Only `warehouse/` touches these paths."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class Layout:
    """A warehouse folder: raw archive, per-file cache, Parquet snapshots, the DuckDB file, docs."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def db(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def lock(self) -> Path:
        return self.root / ".writer.lock"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def ensure(self) -> "Layout":
        for p in (self.root, self.raw, self.cache, self.parquet, self.docs):
            p.mkdir(parents=True, exist_ok=True)
        return self


def write_parquet_atomic(df: "pl.DataFrame", path: Path, compression: str = "zstd") -> None:
    """Write a frame where readers find it whole or not at all (see `_write_atomic`)."""
    _write_atomic(path, lambda tmp: df.write_parquet(tmp, compression=compression))


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write bytes where readers find them whole or not at all (see `_write_atomic`)."""
    _write_atomic(path, lambda tmp: tmp.write_bytes(data))


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """`write` a hidden temporary file beside `path` (named by process, so two writers never share
    one), then rename it into place: two processes writing the same entry leave one whole copy."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    write(tmp)
    tmp.replace(path)


def pack(frames: dict[str, "pl.DataFrame"], info: object = None) -> bytes:
    """Frames and a JSON-able `info` as one blob: a length-prefixed JSON header (the info, and each
    frame's size) then polars' binary serialisation of each frame.

    Cache entries are written this way: on these disks a Parquet file costs 1.5-3 ms to write and a
    folder or a JSON side file ~2 ms more, so a staged file's four files cost ~8 ms, this ~1 ms.
    Polars' serialisation is not stable across its versions: the cache keys include its version."""
    blobs = {name: _compact(df).serialize() for name, df in frames.items()}
    head = json.dumps({"frames": {name: len(b) for name, b in blobs.items()}, "info": info},
                      ensure_ascii=False).encode()
    return len(head).to_bytes(4, "little") + head + b"".join(blobs.values())


def _compact(df: "pl.DataFrame") -> "pl.DataFrame":
    """The frame with its list-of-string columns' text in buffers of their own.

    A file's cleaned segments are a slice of its batch's frame, and polars serialises a sliced
    List(String) column with every string buffer the whole batch shares (pola-rs/polars#15246 is
    the same for top-level strings; those are compacted, list items are not): a file's `rules`
    column took ~370 KB of its ~380 KB cache entry, 256 files' rules each time. New strings
    (`+ ""`) are written into new buffers holding only this frame's values (~0.1 ms a file)."""
    lists = [name for name, dtype in df.schema.items() if dtype == pl.List(pl.String)]
    return df.with_columns(pl.col(lists).list.eval(pl.element() + pl.lit(""))) if lists else df


def read_packed(path: Path | str, names: Collection[str] | None = None) -> tuple[object, dict[str, "pl.DataFrame"]]:
    """(info, frames) of a file `pack` wrote; only the frames in `names` are read (all without)."""
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(4), "little")
        head, at = json.loads(fh.read(n)), 4 + n
        sizes = head["frames"] if "frames" in head else head  # (an episode entry written before `info`)
        out = {}
        for name, size in sizes.items():
            if names is None or name in names:
                fh.seek(at)
                out[name] = pl.DataFrame.deserialize(io.BytesIO(fh.read(size)))
            at += size
    return head.get("info"), out


def relative_path(path: Path | str, root: Path) -> str:
    """`path` (below `root`) relative to it, as a string. pathlib's relative_to parses both paths (a few
    microseconds each): a run asks this of every input file, and of every cached file at 10^4 files a
    few times over, so a path that starts with the root's own text is cut as text."""
    text, prefix = str(path), str(root)
    if text.startswith(prefix) and text[len(prefix):len(prefix) + 1] == os.sep:
        return text[len(prefix) + 1:]
    return str(Path(path).relative_to(root))
