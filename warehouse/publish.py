"""Publish tables: a Parquet snapshot per table, then one DuckDB transaction that swaps them in.

A reader sees the old state or the new one, never half: the snapshot folder is renamed into place
only when complete, and DuckDB's transaction commits all tables and views together. A crash at any
point leaves the previous state, except that a crash right after DuckDB's commit leaves CURRENT.json
one publish behind: `recover` (every writer's first step) repairs it. An identical set of tables is
not published again.

The big episode tables are written as parts, one per bucket of episode ids (`<table>/bNN.parquet`,
`bucket_of`): a bucket whose episodes did not change is a hard link to the previous snapshot's file.
Adding one episode rewrites one bucket's file, not the table. In DuckDB, a table of episode rows
gets only the changed episodes' rows (deleted, then inserted from the new files): an episode whose
cache key is the same has the same rows (`_episode_keys.parquet` beside each snapshot).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.schemas import TABLES
from warehouse.layout import Layout, write_parquet_atomic

SQL_DIR = Path(__file__).parent / "sql"
KEEP_SNAPSHOTS = 2
EPISODE_KEYS = "_episode_keys.parquet"  # beside a snapshot's tables: (episode_id, cache key) of its episodes
DUCKDB_MEMORY = "512MB"  # the publish's memory cap (DuckDB's default is 80% of the machine)
BUCKETS = 64  # parts per big table: one new episode rewrites about 1/BUCKETS of it
PART_SUMS = "_sums.json"  # in a parted table's folder: bucket -> checksum of that part
log = logging.getLogger(__name__)
DIFF_SHARE = 0.25  # more episodes (or files) changed than this share: DuckDB reloads the changed tables whole
POINTER_NEXT = "CURRENT.json.tmp"  # from before DuckDB's commit until it is renamed to CURRENT.json


def bucket_of(episode_id: str) -> int:
    """The part an episode's rows live in (stable across runs, Python versions and machines)."""
    return zlib.crc32(episode_id.encode()) % BUCKETS


class Parts(dict):
    """A big table's plan for the next snapshot: bucket -> its rows (a lazy frame to write) or the
    previous snapshot's part file (unchanged: hard-linked). `sums` holds known part checksums."""

    def __init__(self, parts: dict[int, "pl.LazyFrame | Path"], sums: dict[int, str], schema: pl.Schema) -> None:
        super().__init__(parts)
        self.sums, self.schema = dict(sums), schema

    def checksums(self) -> dict[int, str]:
        for b, src in self.items():
            if b not in self.sums:
                self.sums[b] = table_checksum(src if isinstance(src, pl.LazyFrame) else pl.scan_parquet(src))
        return {b: self.sums[b] for b in sorted(self)}


def combine_checksums(sums: list[str]) -> str:
    """The checksum of the rows of several parts: counts add, row-hash sums add modulo 2**64."""
    n = sum(int(x.split(":")[0]) for x in sums)
    h = sum(int(x.split(":")[1], 16) for x in sums if x != "0:0") & (2**64 - 1)
    return f"{n}:{h:016x}" if n else "0:0"


Frame = pl.DataFrame | pl.LazyFrame  # the big episode tables arrive as lazy scans of the episode cache


def table_checksum(df: Frame) -> str:
    """Order-independent content checksum of a table (row hashes summed) plus its row count.

    Works on a lazy scan too (streamed, so a table larger than memory can be summed).
    """
    if not df.collect_schema().names():
        return "0:0"
    row = pl.struct(pl.all()).hash(seed=1)
    n, lo, hi = df.lazy().select(
        pl.len().alias("n"), (row % 2**32).sum().alias("lo"), (row // 2**32).sum().alias("hi")).collect(engine="streaming").row(0)
    if not n:
        return "0:0"
    return f"{n}:{(int(hi) * 2**32 + int(lo)) & (2**64 - 1):016x}"


def checksums(tables: dict[str, Frame], exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """Every table's checksum but `exclude`'s; a parted table's from its parts' (reused parts are not
    read again: pass the tables themselves, not a copy of the dict, or the parts are lost)."""
    parts = getattr(tables, "parts", {})
    return {name: combine_checksums(list(parts[name].checksums().values())) if name in parts
            else table_checksum(df) for name, df in sorted(tables.items()) if name not in exclude}


def write_table(df: Frame, path: Path) -> None:
    """One table as one Parquet file; a lazy scan is streamed, never held whole in memory."""
    if isinstance(df, pl.LazyFrame):
        df.sink_parquet(path, statistics=True)
    else:
        df.write_parquet(path, statistics=True)


def write_parts(parts: Parts, folder: Path) -> None:
    """One file per bucket: unchanged ones hard-linked from the previous snapshot, the rest written."""
    folder.mkdir()
    for b, src in sorted(parts.items()):
        target = folder / f"b{b:02d}.parquet"
        if isinstance(src, pl.LazyFrame):
            src.sink_parquet(target, statistics=True)
        else:
            _link(src, target)
    if not parts:  # an empty table still has a file, so readers find its columns
        pl.DataFrame(schema=parts.schema).write_parquet(folder / "b00.parquet")
    (folder / PART_SUMS).write_text(json.dumps({str(b): v for b, v in parts.checksums().items()}))


def _link(src: Path, target: Path) -> None:
    """An unchanged file, shared with the previous snapshot (a hard link: the same inode)."""
    try:
        os.link(src, target)
    except OSError:  # another file system: a copy is as good
        shutil.copyfile(src, target)


def _same_file(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and os.stat(a).st_ino == os.stat(b).st_ino


def table_files(snapshot: Path, name: str) -> list[Path]:
    """The Parquet file(s) of a table in a snapshot: one file, or a parted table's part files."""
    folder = snapshot / name
    return sorted(folder.glob("b*.parquet")) if folder.is_dir() else [snapshot / f"{name}.parquet"]


def part_sums(snapshot: Path, name: str) -> dict[int, str]:
    """A parted table's per-bucket checksums in a snapshot ({} if it is not parted)."""
    path = snapshot / name / PART_SUMS
    return {int(b): v for b, v in json.loads(path.read_text()).items()} if path.exists() else {}


def snapshot_name(sums: dict[str, str]) -> str:
    """A snapshot folder is named after its content: the hash of its table checksums."""
    return hashlib.sha256(json.dumps(sums).encode()).hexdigest()[:16]


def current_pointer(layout: Layout) -> dict | None:
    """CURRENT.json: {"snapshot": folder name, "checksums": {...}} of the published state, or None."""
    pointer = layout.parquet / "CURRENT.json"
    return json.loads(pointer.read_text()) if pointer.exists() else None


def current_checksums(layout: Layout) -> dict[str, str] | None:
    pointer = current_pointer(layout)
    return pointer["checksums"] if pointer else None


def _fresh_folder(layout: Layout) -> Path:
    """The one folder a snapshot is written in before it is named (a crashed writer's is removed:
    there is one writer at a time)."""
    tmp = layout.parquet / ".snapshot.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def _write_tables(folder: Path, tables: dict[str, Frame], sums: dict[str, str], previous: dict | None,
                  names: list[str] | None = None) -> None:
    """The tables (of them, `names`) as Parquet into `folder`; a big table in parts if it has them
    (`Tables.parts`). A table whose checksum equals its checksum in the `previous` snapshot (its
    CURRENT.json pointer) is a hard link to that snapshot's file, not written again (DuckDB then does
    not reload it)."""
    parts = getattr(tables, "parts", {})
    before = folder.parent / previous["snapshot"] if previous else None
    for table, df in tables.items():
        if names is not None and table not in names:
            continue
        if table in parts:
            write_parts(parts[table], folder / table)
        elif before is not None and previous["checksums"].get(table) == sums[table] \
                and (old := before / f"{table}.parquet").exists() \
                and pl.read_parquet_schema(old) == dict(df.collect_schema()):  # same rows, same columns
            _link(old, folder / f"{table}.parquet")
        else:
            write_table(df, folder / f"{table}.parquet")


def _seal(tmp: Path, final: Path, sums: dict[str, str], extras: dict[str, pl.DataFrame] | None) -> Path:
    """Name a written folder after its content. `extras` (file name -> frame) are side files for the
    pipeline itself, not tables (not in DuckDB)."""
    if final.exists():  # the same content was published before: that folder is the snapshot
        shutil.rmtree(tmp)
        _write_extras(final, extras)
        return final
    (tmp / "checksums.json").write_text(json.dumps(sums, indent=1))
    _write_extras(tmp, extras)
    tmp.rename(final)
    return final


def _write_extras(folder: Path, extras: dict[str, pl.DataFrame] | None) -> None:
    for file_name, df in (extras or {}).items():
        write_parquet_atomic(df, folder / file_name)


def publish(layout: Layout, tables: dict[str, Frame], run: dict, sums: dict[str, str] | None = None,
            extras: dict[str, pl.DataFrame] | None = None) -> bool:
    """Swap the new tables in atomically; False (nothing written but the run log) if unchanged.

    `sums` are the tables' checksums if the caller has them already (they cost a pass over the data).
    """
    return Publication(layout).commit(tables, run, sums or checksums(tables), extras)


class Publication:
    """A publish in two steps, so that most of its work can be done while the run waits for
    something else (the flow prepares it while Great Expectations checks the tables in a process
    of its own; the validation results, the last table, are known only then):

    - `prepare(tables, sums)`: write these tables' Parquet into the snapshot folder being made and
      load them into DuckDB in a transaction that is not committed (readers still see the previous
      state; a crash rolls it back);
    - `commit(tables, run, sums, extras)`: the same for the tables not prepared, then name the folder
      after its content, log the run, commit, and point CURRENT.json at it; False (only the run
      logged) if the tables equal the published ones;
    - `abort()`: roll back and remove the folder (validation failed: the run rebuilds).

    `publish` is `commit` alone. One writer at a time (the writer lock) and one publication at a time.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.con: duckdb.DuckDBPyConnection | None = None
        self.folder: Path | None = None
        self.prepared: dict[str, str] = {}  # table -> checksum, of the tables written and loaded
        self.previous: dict | None = None  # the published pointer when the transaction began
        self.in_sync: Path | None = None  # its folder, if DuckDB holds exactly its tables (see _in_sync)

    @property
    def open(self) -> bool:
        return self.con is not None

    def _begin(self) -> None:
        self.con = _connect_for_writing(self.layout)
        try:
            self.previous = _repair_pointer(self.con, self.layout)
            self.in_sync = _in_sync(self.con, self.layout, self.previous)
            self.con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")  # it streams the Parquet; spills beyond this
            self.con.execute("begin transaction")
        except BaseException:
            self._close()
            raise

    def prepare(self, tables: dict[str, Frame], sums: dict[str, str], names: list[str] | None = None,
                keys: pl.DataFrame | None = None) -> "Publication":
        """Write and load `tables` (of them, `names`), not yet committed; `sums`: their checksums;
        `keys`: (episode_id, key) of the tables' episodes, if known (DuckDB then gets only the rows
        of the episodes whose key changed)."""
        names = list(tables) if names is None else names
        if self.con is None:
            self._begin()
        try:
            if self.folder is None:
                self.folder = _fresh_folder(self.layout)
            _write_tables(self.folder, tables, sums, self.previous, names)
            _load_tables(self.con, self.folder, {name: tables[name] for name in names}, self.in_sync,
                         _changed_episodes(self.in_sync, keys), sums)
            self.prepared.update({name: sums[name] for name in names})
        except BaseException:
            self.abort()
            raise
        return self

    def commit(self, tables: dict[str, Frame], run: dict, sums: dict[str, str],
               extras: dict[str, pl.DataFrame] | None = None) -> bool:
        """Publish `tables` (`sums`: every table's checksum): those not prepared are written and
        loaded now (a prepared one whose checksum differs, too)."""
        if self.con is None:
            self._begin()
        committed = False
        try:
            previous = self.previous
            unchanged = previous is not None and previous["checksums"] == sums \
                and _db_snapshot(self.con) == previous["snapshot"]
            if unchanged:  # (what was prepared is dropped)
                self.con.execute("rollback")
                self.con.execute("begin transaction")
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)
                    self.folder = None
            else:
                self.prepare(tables, sums, [name for name in tables if self.prepared.get(name) != sums[name]],
                             (extras or {}).get(EPISODE_KEYS))
                snapshot = _seal(self.folder, self.layout.parquet / snapshot_name(sums), sums, extras)
                self.folder = None
                self.con.execute("create or replace table _snapshot as select ? as name", [snapshot.name])
                apply_views(self.con, (extras or {}).get(EPISODE_KEYS))
            _log_run(self.con, run | {"published": not unchanged})
            pointer = None if unchanged else _prepare_pointer(self.layout, sums)
            self.con.execute("commit")
            committed = True
            if pointer is not None:  # at once; a crash before this line is repaired by `recover`
                pointer.replace(self.layout.parquet / "CURRENT.json")
        finally:
            if not committed:
                self.abort()
            self._close()
        if not unchanged:
            _drop_old_snapshots(self.layout, snapshot_name(sums))
        return not unchanged

    def abort(self) -> None:
        """Roll back what was prepared and remove its folder (a no-op once committed or aborted)."""
        if self.con is not None:
            try:
                self.con.execute("rollback")
            except duckdb.Error:  # no transaction open (it failed to begin): nothing to undo
                pass
            self._close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def recover(layout: Layout) -> bool:
    """Make CURRENT.json name the snapshot DuckDB holds; True if it had to be repaired.

    DuckDB's commit is the commit point of a publish; CURRENT.json is renamed into place right after
    it. Two files cannot be replaced in one atomic step, so a crash between the two leaves the pointer
    one publish behind (each store still whole). Every writer calls this first, under the writer lock.

    The pointer's next content (CURRENT.json.tmp, `_prepare_pointer`) is written before DuckDB's
    commit and renamed after it, so without that file no publish stopped in between, and DuckDB is
    not opened (~0.15 s for a warehouse of 10^4 episodes). With it, the two are compared; a file left
    by a publish that stopped before its commit is removed.
    """
    pending = layout.parquet / POINTER_NEXT
    if not layout.db.exists() or not pending.exists():
        return False
    con = _connect_for_writing(layout)
    try:
        before = current_pointer(layout)
        repaired = _repair_pointer(con, layout) != before
    finally:
        con.close()
    pending.unlink(missing_ok=True)  # (renamed into place if it was repaired)
    return repaired


def _db_snapshot(con: duckdb.DuckDBPyConnection) -> str | None:
    """The snapshot DuckDB's tables were loaded from (its `_snapshot` table), None before the first."""
    if not con.execute("select 1 from information_schema.tables where table_name = '_snapshot'").fetchall():
        return None
    row = con.execute("select name from _snapshot").fetchone()
    return row[0] if row else None


def _repair_pointer(con: duckdb.DuckDBPyConnection, layout: Layout) -> dict | None:
    """The published pointer, rewritten from DuckDB's `_snapshot` if a crash left it behind."""
    pointer = current_pointer(layout)
    name = _db_snapshot(con)
    if name is None or (pointer is not None and pointer["snapshot"] == name):
        return pointer
    sums_file = layout.parquet / name / "checksums.json"
    if not sums_file.exists():  # the folder is gone: the next publish loads every table whole
        return pointer
    tmp = _prepare_pointer(layout, json.loads(sums_file.read_text()))
    tmp.replace(layout.parquet / "CURRENT.json")
    return current_pointer(layout)


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


def _in_sync(con: duckdb.DuckDBPyConnection, layout: Layout, previous: dict | None) -> Path | None:
    """The previous snapshot's folder if DuckDB holds exactly its tables (so changed parts can be
    applied as a difference), else None (everything is loaded)."""
    if previous is None or not (folder := layout.parquet / previous["snapshot"]).is_dir():
        return None
    return folder if _db_snapshot(con) == previous["snapshot"] else None


def _load_tables(con: duckdb.DuckDBPyConnection, snapshot: Path, tables: dict[str, Frame],
                 previous: Path | None = None, episodes: list[str] | None = None,
                 sums: dict[str, str] | None = None) -> None:
    """DuckDB reads each table straight from the snapshot's Parquet (streamed, not via Python). With
    the `previous` snapshot in DuckDB, a table whose file is that snapshot's (hard link: same inode) is
    left as it is, and a table whose rows belong to episodes or files (`ROW_OWNERS`) gets only the
    rows of those that changed (deleted, then inserted from the changed files): for episodes, those
    whose key changed (`episodes`, from `_changed_episodes`); for files, those whose rows differ
    (`_changed_owners`). Without them, a parted table gets its changed parts (the old parts' episodes
    are deleted, the new parts inserted).

    Loading only the changed rows keeps DuckDB's write-ahead log and the checkpoint at its commit
    small: at 10^4 episodes, one new file's publish wrote a 44 MB log and checkpointed it in ~1 s
    when it replaced a part of the segments, and ~0.4 s went to reloading the 539k rows of rejects
    whole for the new file's few; see the README."""
    for name in tables:
        if name not in TABLES:
            raise ValueError(f"not a declared table: {name}")
        files = table_files(snapshot, name)
        if previous is not None and _same_file(snapshot / f"{name}.parquet", previous / f"{name}.parquet"):
            continue
        if previous is not None and sums is not None and (owner := _owner(name)) is not None:
            changed = episodes if owner == "episode_id" else _changed_owners(previous, name, tables[name], owner)
            if changed is not None and _load_rows(con, snapshot, previous, name, owner, changed,
                                                  int(sums[name].split(":")[0])):
                continue
        changed = _changed_parts(previous, snapshot, name, tables[name]) if previous else None
        if changed is None:
            con.execute(f"create or replace table {name} as select * from read_parquet(?)",  # name checked
                        [[str(f) for f in files]])
            continue
        old, new = changed
        if old:
            con.execute(f"delete from {name} where episode_id in "
                        "(select distinct episode_id from read_parquet(?))", [[str(f) for f in old]])
        if new:
            con.execute(f"insert into {name} select * from read_parquet(?)", [[str(f) for f in new]])


ROW_OWNERS = ("episode_id", "file_id")  # the column a table's rows belong to (the first it has): see _load_rows


def _owner(name: str) -> str | None:
    return next((c for c in ROW_OWNERS if c in TABLES[name].names), None)


def _changed_episodes(previous: Path | None, keys: pl.DataFrame | None) -> list[str] | None:
    """The episodes added, removed or changed (their cache key differs) since the `previous` snapshot,
    by its `_episode_keys.parquet` and the new `keys`; None if either is unknown, or if so many
    changed that loading whole tables is cheaper (DIFF_SHARE)."""
    if previous is None or keys is None or not (previous / EPISODE_KEYS).exists():
        return None
    before = pl.read_parquet(previous / EPISODE_KEYS, columns=["episode_id", "key"])
    after = keys.select(pl.col("episode_id").cast(pl.String), pl.col("key").cast(pl.String))
    return _few(pl.concat([before.join(after, on=["episode_id", "key"], how="anti"),
                           after.join(before, on=["episode_id", "key"], how="anti")])["episode_id"], after.height)


def _changed_owners(previous: Path, name: str, df: Frame, column: str) -> list[str] | None:
    """The values of `column` (a file id) whose rows differ between the `previous` snapshot's table
    and `df`, found by comparing each value's row count and row-hash sums (as `table_checksum`
    sums a table); None if the columns differ or too many changed (DIFF_SHARE)."""
    old = table_files(previous, name)
    if pl.read_parquet_schema(old[0]) != dict(df.collect_schema()):
        return None
    row = pl.struct(pl.all()).hash(seed=1)

    def sums(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.group_by(column).agg(pl.len().alias("n"), (row % 2**32).sum().alias("lo"),
                                          (row // 2**32).sum().alias("hi"))
    before, after = sums(pl.scan_parquet(old)), sums(df.lazy())
    every = ["n", "lo", "hi", column]
    both = pl.concat([before.join(after, on=every, how="anti"), after.join(before, on=every, how="anti")])
    changed, owners = pl.collect_all([both.select(column), after.select(pl.len())])
    return _few(changed[column], owners.item())


def _few(changed: pl.Series, total: int) -> list[str] | None:
    """The changed values, sorted; None if they are more than DIFF_SHARE of `total` (a whole load is cheaper)."""
    changed = changed.unique()
    return None if changed.len() > DIFF_SHARE * max(total, 1) else changed.sort().to_list()


def _load_rows(con: duckdb.DuckDBPyConnection, snapshot: Path, previous: Path, name: str, column: str,
               values: list[str], rows: int) -> bool:
    """Bring a table that DuckDB holds as of `previous` to `snapshot` by replacing only the rows whose
    `column` (ROW_OWNERS) is in `values`; False (nothing done) if the table's columns changed. `rows`,
    the new table's row count, guards the premise (rows outside `values` are unchanged, e.g. same
    episode key, same rows): if the count differs afterwards, the table is loaded whole."""
    if column not in ROW_OWNERS:
        raise ValueError(f"not a row owner column: {column}")
    files = table_files(snapshot, name)
    if pl.read_parquet_schema(files[0]) != pl.read_parquet_schema(table_files(previous, name)[0]):
        return False
    shared = _shared(previous, snapshot, name)  # a parted table: only its changed parts hold changed rows
    new = [str(f) for f in files if f.name not in shared]
    changed = f"{column} in (select unnest(?::varchar[]))"
    con.execute(f"delete from {name} where {changed}", [values])  # name and column checked
    if new:
        con.execute(f"insert into {name} select * from read_parquet(?) where {changed}", [new, values])
    if (n := con.execute(f"select count(*) from {name}").fetchone()[0]) != rows:
        log.warning("%s: %d rows after replacing the rows of %d changed %s values, %d expected (rows changed "
                    "that were said not to); the table is loaded whole", name, n, len(values), column, rows)
        con.execute(f"create or replace table {name} as select * from read_parquet(?)", [[str(f) for f in files]])
    return True


def _changed_parts(previous: Path, snapshot: Path, name: str, df: Frame) -> tuple[list[Path], list[Path]] | None:
    """(previous part files to delete, new part files to insert), or None to load the table whole."""
    if not (snapshot / name).is_dir() or not (previous / name).is_dir():
        return None
    before, after, same = table_files(previous, name), table_files(snapshot, name), _shared(previous, snapshot, name)
    if len(same) < len(after) / 2:  # most parts changed: one load is cheaper (and the schema may differ)
        return None
    return [f for f in before if f.name not in same], [f for f in after if f.name not in same]


def _shared(previous: Path, snapshot: Path, name: str) -> set[str]:
    """The names of a table's files that the snapshot shares with the previous one (hard links)."""
    return {f.name for f in table_files(snapshot, name) if _same_file(f, previous / f.relative_to(snapshot))}


def apply_views(con: duckdb.DuckDBPyConnection, keys: pl.DataFrame | None = None) -> None:
    """Run the analytics SQL files in their declared (file name) order, then bring the search index
    up to date (`keys`: episode_id -> cache key of the published episodes; see `refresh_search`)."""
    for sql in sorted(SQL_DIR.glob("*.sql")):
        con.execute(sql.read_text())
    refresh_search(con, keys)


SEARCH_UPDATE_SHARE = 0.25  # more episodes changed than this share: the search index is rebuilt whole
SEARCH_CHUNK = 1000  # episodes per search-index insert (at 10,000 episodes: ~4.6 million term rows each)


def refresh_search(con: duckdb.DuckDBPyConnection, keys: pl.DataFrame | None) -> list[str]:
    """Recompute the search index only for episodes whose cache key differs from the one it was built
    for (an episode's key names its files and the code and settings: same key, same segments).
    Without keys, on a first publish, or when many episodes changed, it is emptied and rebuilt whole.
    Either way the rows are computed SEARCH_CHUNK episodes at a time, so the aggregation's memory
    follows the chunk, not the corpus. Returns the episodes recomputed."""
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    complete = {"segment_terms", "segment_lengths", "_search_keys"} <= tables
    if not complete:
        con.execute("create or replace table _search_keys (episode_id varchar, key varchar)")
    if keys is not None:
        con.register("_keys_in", keys.select("episode_id", "key").to_arrow())
        con.execute("create or replace temp table _new_keys as select episode_id, key::varchar as key from _keys_in")
        con.unregister("_keys_in")
    else:
        con.execute("create or replace temp table _new_keys as select episode_id, null::varchar as key from episodes")
    changed = ("(select * from _new_keys except select * from _search_keys) union all "
               "(select * from _search_keys except select * from _new_keys)") if keys is not None and complete \
        else "select * from _new_keys union all select * from _search_keys"
    con.execute(f"create or replace temp table _search_todo as select distinct episode_id from ({changed})")
    todo = [r[0] for r in con.execute("select episode_id from _search_todo order by 1").fetchall()]
    n_episodes = con.execute("select count(*) from _new_keys").fetchone()[0]
    whole = not complete or keys is None or len(todo) > SEARCH_UPDATE_SHARE * n_episodes
    if whole:
        con.execute((SQL_DIR / "search" / "create.sql").read_text())
        todo = [r[0] for r in con.execute("select episode_id from _new_keys order by 1").fetchall()]
    else:
        con.execute((SQL_DIR / "search" / "delete.sql").read_text())
    insert = (SQL_DIR / "search" / "insert.sql").read_text()
    for i in range(0, len(todo), SEARCH_CHUNK):
        con.execute("create or replace temp table _search_todo as select unnest(?::varchar[]) as episode_id",
                    [todo[i:i + SEARCH_CHUNK]])
        con.execute(insert)
    con.execute("delete from _search_keys; insert into _search_keys select episode_id, key from _new_keys")
    con.execute("drop table _search_todo; drop table _new_keys")
    return todo


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


def _prepare_pointer(layout: Layout, sums: dict[str, str]) -> Path:
    """CURRENT.json's next content, written beside it; renamed into place right after the commit."""
    tmp = layout.parquet / POINTER_NEXT
    tmp.write_text(json.dumps({"snapshot": snapshot_name(sums), "checksums": sums}, indent=1))
    return tmp


def _drop_old_snapshots(layout: Layout, name: str) -> None:
    """Drop snapshots beyond the newest KEEP_SNAPSHOTS (never the current one)."""
    snaps = sorted((p for p in layout.parquet.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in snaps[:-KEEP_SNAPSHOTS]:
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def export_parquet(layout: Layout, url: str) -> str:
    """Copy the current snapshot to any fsspec URL (s3://, gs://, abfs://, file://, memory://) as
    `<url>/<snapshot>/`, file by file (streamed: no table is loaded).

    Object stores cannot rename a folder, so the snapshot is written under its content name first and
    `<url>/CURRENT.json` is replaced last: a reader that follows CURRENT.json never sees half a snapshot.
    """
    import fsspec  # comes with dask; only needed when an export URL is set

    fs, root = fsspec.core.url_to_fs(url)
    pointer = current_pointer(layout)
    name, sums = pointer["snapshot"], pointer["checksums"]
    folder = f"{root.rstrip('/')}/{name}"
    fs.makedirs(folder, exist_ok=True)
    for table in sorted(sums):
        for f in table_files(layout.parquet / name, table):
            rel = f.relative_to(layout.parquet / name).as_posix()
            if "/" in rel:
                fs.makedirs(f"{folder}/{table}", exist_ok=True)
            fs.put_file(str(f), f"{folder}/{rel}")
    with fs.open(f"{root.rstrip('/')}/CURRENT.json", "w") as f:
        f.write(json.dumps({"snapshot": name, "checksums": sums}, indent=1))
    return f"{url.rstrip('/')}/{name}"


def unchanged_validation(layout: Layout, tables: dict[str, Frame],
                         sums: dict[str, str] | None = None) -> pl.DataFrame | None:
    """The published validation results, if `tables` equal what was published (and so validated) last.

    A no-change re-run then skips Great Expectations: the very same rows already passed it.
    """
    current = current_checksums(layout)
    if current is None or not layout.db.exists():
        return None
    sums = sums or checksums(tables, exclude=("validation_results",))
    if any(current.get(k) != v for k, v in sums.items()):
        return None
    path = layout.parquet / current_pointer(layout)["snapshot"] / "validation_results.parquet"
    return pl.read_parquet(path) if path.exists() else None
