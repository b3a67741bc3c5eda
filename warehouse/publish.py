"""Publish tables: a Parquet snapshot per table, then one DuckDB transaction that swaps them in.

A reader sees the old state or the new one, never half: the snapshot folder is renamed into place
only when complete, and DuckDB's transaction commits all tables and views together. A crash at any
point leaves the previous state; an identical set of tables is not published again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.schemas import TABLES
from warehouse.layout import Layout

SQL_DIR = Path(__file__).parent / "sql"
KEEP_SNAPSHOTS = 2


def table_checksum(df: pl.DataFrame) -> str:
    """Order-independent content checksum of a table (row hashes summed) plus its row count."""
    if df.is_empty():
        return "0:0"
    return f"{df.height}:{int(df.hash_rows(seed=1).cast(pl.UInt64).sum()) & (2**64 - 1):016x}"


def checksums(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    return {name: table_checksum(df) for name, df in sorted(tables.items())}


def snapshot_name(sums: dict[str, str]) -> str:
    """A snapshot folder is named after its content: the hash of its table checksums."""
    return hashlib.sha256(json.dumps(sums).encode()).hexdigest()[:16]


def current_checksums(layout: Layout) -> dict[str, str] | None:
    pointer = layout.parquet / "CURRENT.json"
    return json.loads(pointer.read_text())["checksums"] if pointer.exists() else None


def write_snapshot(layout: Layout, tables: dict[str, pl.DataFrame]) -> Path:
    """Write every table as Parquet into a temp folder, then rename it to its content name."""
    sums = checksums(tables)
    name = snapshot_name(sums)
    final = layout.parquet / name
    if final.exists():
        return final
    tmp = layout.parquet / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for table, df in tables.items():
        df.write_parquet(tmp / f"{table}.parquet", statistics=True)
    (tmp / "checksums.json").write_text(json.dumps(sums, indent=1))
    tmp.rename(final)
    return final


def publish(layout: Layout, tables: dict[str, pl.DataFrame], run: dict) -> bool:
    """Swap the new tables in atomically; False (nothing written but the run log) if unchanged."""
    unchanged = current_checksums(layout) == checksums(tables) and layout.db.exists()
    con = _connect_for_writing(layout)
    try:
        con.execute("begin transaction")
        if not unchanged:
            _load_tables(con, write_snapshot(layout, tables), tables)
            apply_views(con)
        _log_run(con, run | {"published": not unchanged})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    if not unchanged:
        _point_current(layout, tables)
    return not unchanged


def _connect_for_writing(layout: Layout, wait_s: float = 60.0) -> duckdb.DuckDBPyConnection:
    """DuckDB refuses a writer while readers in other processes hold the file: retry a while."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(layout.db))
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _load_tables(con: duckdb.DuckDBPyConnection, snapshot: Path, tables: dict[str, pl.DataFrame]) -> None:
    for name in tables:
        if name not in TABLES:
            raise ValueError(f"not a declared table: {name}")
        arrow = pl.read_parquet(snapshot / f"{name}.parquet").to_arrow()
        con.register("incoming", arrow)
        con.execute(f"create or replace table {name} as select * from incoming")  # name checked above
        con.unregister("incoming")


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """Run the analytics SQL files in their declared (file name) order."""
    for sql in sorted(SQL_DIR.glob("*.sql")):
        con.execute(sql.read_text())


def log_run(layout: Layout, run: dict) -> None:
    """Only a row in `runs` (a run that found nothing to do still leaves its trace)."""
    con = _connect_for_writing(layout)
    try:
        _log_run(con, run)
    finally:
        con.close()


def _log_run(con: duckdb.DuckDBPyConnection, run: dict) -> None:
    con.execute("create table if not exists runs (run_id varchar, started_at timestamptz, "
                "finished_at timestamptz, published boolean, summary json)")
    con.execute("insert into runs values (?, ?, ?, ?, ?)", [
        run["run_id"], run["started_at"], datetime.now(UTC), run["published"],
        json.dumps(run.get("summary", {}), default=str),
    ])


def _point_current(layout: Layout, tables: dict[str, pl.DataFrame]) -> None:
    """Record the published snapshot, then drop older snapshots beyond KEEP_SNAPSHOTS."""
    sums = checksums(tables)
    name = snapshot_name(sums)
    tmp = layout.parquet / "CURRENT.json.tmp"
    tmp.write_text(json.dumps({"snapshot": name, "checksums": sums}, indent=1))
    tmp.replace(layout.parquet / "CURRENT.json")
    snaps = sorted((p for p in layout.parquet.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in snaps[:-KEEP_SNAPSHOTS]:
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def export_parquet(tables: dict[str, pl.DataFrame], url: str) -> str:
    """Copy the tables to any fsspec URL (s3://, gs://, abfs://, file://, memory://) as `<url>/<snapshot>/`.

    Object stores cannot rename a folder, so the snapshot is written under its content name first and
    `<url>/CURRENT.json` is replaced last: a reader that follows CURRENT.json never sees half a snapshot.
    """
    import fsspec  # comes with dask; only needed when an export URL is set

    fs, root = fsspec.core.url_to_fs(url)
    sums = checksums(tables)
    name = snapshot_name(sums)
    folder = f"{root.rstrip('/')}/{name}"
    fs.makedirs(folder, exist_ok=True)
    for table, df in sorted(tables.items()):
        with fs.open(f"{folder}/{table}.parquet", "wb") as f:
            df.write_parquet(f, statistics=True)
    with fs.open(f"{root.rstrip('/')}/CURRENT.json", "w") as f:
        f.write(json.dumps({"snapshot": name, "checksums": sums}, indent=1))
    return f"{url.rstrip('/')}/{name}"


def unchanged_validation(layout: Layout, tables: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """The published validation results, if `tables` equal what was published (and so validated) last.

    A no-change re-run then skips Great Expectations: the very same rows already passed it.
    """
    current = current_checksums(layout)
    if current is None or not layout.db.exists():
        return None
    sums = checksums({k: v for k, v in tables.items() if k != "validation_results"})
    if any(current.get(k) != v for k, v in sums.items()):
        return None
    pointer = json.loads((layout.parquet / "CURRENT.json").read_text())
    path = layout.parquet / pointer["snapshot"] / "validation_results.parquet"
    return pl.read_parquet(path) if path.exists() else None
