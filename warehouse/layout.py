"""Where everything lives inside a warehouse folder. Only `warehouse/` touches these paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
