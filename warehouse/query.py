"""Read-only access for analysts: SQL and search against the published warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from warehouse.layout import Layout

QUERIES = Path(__file__).parent / "queries"


class WarehouseMissing(RuntimeError):
    """No warehouse has been published at that folder yet."""


def connect(layout: Layout, *, write: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the published database; read-only unless asked otherwise."""
    if not layout.db.exists():
        raise WarehouseMissing(f"no warehouse at {layout.db}: run `tw run` first")
    return duckdb.connect(str(layout.db), read_only=not write)


def sql(layout: Layout, query: str, params: list | dict | None = None, *, write: bool = False) -> pl.DataFrame:
    """Run one statement and return its rows as a polars frame."""
    con = connect(layout, write=write)
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
