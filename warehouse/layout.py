"""Where everything lives inside a warehouse folder. Only `warehouse/` touches these paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def write_parquet_atomic(df: "pl.DataFrame", path: Path) -> None:
    """Write a frame where readers find it whole or not at all: a hidden temporary file beside it
    (named by process, so two writers never share one), renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    df.write_parquet(tmp)
    tmp.replace(path)


def relative_path(path: Path | str, root: Path) -> str:
    """`path` (below `root`) relative to it, as a string. pathlib's relative_to parses both paths (a few
    microseconds each): a run asks this of every input file, and of every cached file at 10^4 files a
    few times over, so a path that starts with the root's own text is cut as text."""
    text, prefix = str(path), str(root)
    if text.startswith(prefix) and text[len(prefix):len(prefix) + 1] == os.sep:
        return text[len(prefix) + 1:]
    return str(Path(path).relative_to(root))
