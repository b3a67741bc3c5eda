"""What the report shows, read from the published DuckDB file (read-only) with the SQL in `sql/`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

SQL = Path(__file__).parent / "sql"
Row = dict[str, Any]


@cache
def _query(name: str) -> str:
    return (SQL / f"{name}.sql").read_text()


def rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[Row]:
    """Run `sql/<name>.sql` with named parameters; rows as dicts."""
    cur = con.execute(_query(name), params or None)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


@dataclass(frozen=True)
class Corpus:
    """Everything the corpus page shows (all of it aggregated in SQL)."""

    totals: Row
    last_run: Row | None
    episodes: list[Row]
    files_by_status: dict[str, int]
    file_issues: list[Row]
    files_by_format: list[Row]
    validation: list[Row]
    validation_failures: list[Row]
    warnings: list[Row]
    rejects: list[Row]
    top_entities: list[Row]
    mentions_by_month: list[Row]
    dated: Row


@dataclass(frozen=True)
class Episode:
    """Everything one episode page shows."""

    header: Row
    speakers: list[Row]
    runs: list[Row]
    chapters: list[Row]
    versions: list[Row]
    rejects: list[Row]
    entities: list[Row]
    segments: list[Row]


def read_corpus(con: duckdb.DuckDBPyConnection, *, list_limit: int = 200, top_entities: int = 8) -> Corpus:
    """The corpus page's data; `list_limit` caps the per-file and per-failure lists."""
    status = {r["status"]: r["files"] for r in rows(con, "file_status")}
    last = rows(con, "last_run")
    return Corpus(
        totals=rows(con, "corpus_totals")[0],
        last_run=last[0] if last else None,
        episodes=rows(con, "corpus_episodes"),
        files_by_status=status,
        file_issues=rows(con, "file_issues", limit=list_limit),
        files_by_format=rows(con, "files_by_format"),
        validation=rows(con, "validation_summary"),
        validation_failures=rows(con, "validation_failures", limit=list_limit),
        warnings=rows(con, "warnings_by_code"),
        rejects=rows(con, "rejects_by_rule"),
        top_entities=rows(con, "top_entities", limit=12),
        mentions_by_month=rows(con, "mentions_by_month", top=top_entities),
        dated=rows(con, "dated_episodes")[0],
    )


def read_episode(con: duckdb.DuckDBPyConnection, episode_id: str) -> Episode | None:
    """One episode page's data: header, speakers, runs for the timeline, chapters, versions, transcript.

    None if the episode is not (or no longer) in the warehouse.
    """
    def q(name: str) -> list[Row]:
        return rows(con, name, episode_id=episode_id)

    header = q("episode")
    if not header:
        return None
    return Episode(
        header=header[0],
        speakers=q("episode_speakers"),
        runs=q("episode_runs"),
        chapters=q("episode_chapters"),
        versions=q("episode_versions"),
        rejects=q("episode_rejects"),
        entities=q("episode_entities"),
        segments=q("episode_segments"),
    )
