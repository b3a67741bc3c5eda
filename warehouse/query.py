"""Read-only access for analysts: SQL and search against the published warehouse."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import polars as pl

from warehouse.layout import Layout

QUERIES = Path(__file__).parent / "queries"


class WarehouseMissing(RuntimeError):
    """No warehouse has been published at that folder yet."""


class WarehouseBusy(RuntimeError):
    """A run is publishing (DuckDB allows no reader while a writer holds the file)."""


def connect(layout: Layout, *, write: bool = False, wait_s: float = 5.0) -> duckdb.DuckDBPyConnection:
    """A connection to the published database; read-only unless asked otherwise.

    While a run publishes, DuckDB refuses other processes; we retry for `wait_s` (publishing takes
    well under a second) and then say so clearly.
    """
    if not layout.db.exists():
        raise WarehouseMissing(f"no warehouse at {layout.db}: run `tw run` first")
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(layout.db), read_only=not write)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() >= deadline:
                raise WarehouseBusy(f"warehouse {layout.db} is busy (a run is publishing); try again") from err
            time.sleep(0.1)


def sql(layout: Layout, query: str, params: list | dict | None = None, *, write: bool = False,
        wait_s: float = 5.0) -> pl.DataFrame:
    """Run one statement and return its rows as a polars frame."""
    con = connect(layout, write=write, wait_s=wait_s)
    try:
        rel = con.sql(query, params=params)
        return rel.pl() if rel is not None else pl.DataFrame()
    finally:
        con.close()


def search_terms(text: str) -> list[str]:
    """The words of a search, in the same form as the index."""
    import re
    return re.findall(r"[a-z0-9]+(?:['.-][a-z0-9]+)*", text.lower())


def search(layout: Layout, text: str, limit: int = 10) -> pl.DataFrame:
    """The best moments for a search (BM25 over segments; works offline, no extension)."""
    terms = search_terms(text)
    if not terms:
        return pl.DataFrame()
    return sql(layout, (QUERIES / "search.sql").read_text(), {"terms": terms, "limit": limit})
