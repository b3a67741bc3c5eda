"""Assemble every warehouse table from the staged files: copies marked, episodes built."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from collections.abc import Callable
from pathlib import Path

import polars as pl

from transforms import dedup
from transforms.build import EPISODE_TABLES, group_signed, many_episode_tables, regroup
from transforms.parsers import PARSER_VERSION
from transforms.schemas import PARSE_WARNINGS, REJECTS, SOURCE_FILES
from warehouse.hash_index import HashIndex
from warehouse.layout import Layout, pack, read_packed, write_parquet_atomic
from warehouse.publish import EPISODE_KEYS, Parts, bucket_of, current_pointer, part_sums, table_files
from warehouse.stage import Staged, cached_rejects

MERGE_VERSION = "m2"  # bump when merge logic changes: cached episodes are then rebuilt


BIG_TABLES = ("segments", "mentions")  # kept as Parquet in the episode cache and scanned lazily
# (episode id, its files, cache key or None); segments are read from the file cache where merged
MergeJobs = list[tuple[str, list[Staged], str | None]]


def merge_serial(jobs: MergeJobs, links: pl.DataFrame, glossary: pl.DataFrame | None,
                 layout: Layout | None = None) -> list[dict[str, pl.DataFrame]]:
    """Merge episodes one after another (the flow runs chunks of jobs in parallel with this).

    Returns the jobs' tables stacked (one frame per table for the whole chunk: thousands of tiny
    per-episode frames would cost more memory than their rows). With a layout, each episode is
    written to the episode cache here, where it was merged, and only the small tables come back:
    the big ones never travel between processes.
    """
    out = many_episode_tables([(eid, [s.version for s in members]) for eid, members, _ in jobs], links, glossary)
    if layout is not None:
        for (_, _, key), frames in zip(jobs, out):
            _save_episode(layout, key, frames)
    names = [t.name for t in EPISODE_TABLES if layout is None or t.name not in BIG_TABLES]
    return [{name: pl.concat([frames[name] for frames in out]) for name in names}] if out else []


class Tables(dict):
    """Table name -> frame, plus what the run needs to know about the episodes behind them.

    With a layout, the big tables (BIG_TABLES) are lazy scans over the episode cache, so memory
    holds only the small tables however large the corpus.
    """

    episode_keys: dict[str, str]  # episode id -> cache key (its files + code version + settings)
    unvalidated: set[str]  # episodes whose rows have not passed validation before
    held: dict[str, str]  # file id -> why: its episode, these very files, failed validation before
    parts: dict[str, Parts]  # big table -> its parts for the snapshot (see warehouse.publish)

    def narrowed(self, episodes: set[str]) -> dict[str, pl.DataFrame | pl.LazyFrame]:
        """The tables, each big one (lazy, in parts) narrowed to the parts that can hold `episodes`:
        what validation of those episodes reads (a filter over all 64 parts read every part's
        metadata: ~0.15 s per table at 10^4 episodes, for one new episode's rows)."""
        out = dict(self)
        for name, parts in getattr(self, "parts", {}).items():
            buckets = sorted({bucket_of(e) for e in episodes} & parts.keys())
            frames = [src if isinstance(src, pl.LazyFrame) else pl.scan_parquet(src) for src in
                      (parts[b] for b in buckets)]
            out[name] = pl.concat(frames) if frames else pl.LazyFrame(schema=parts.schema)
        return out


def assemble(staged: list[Staged], prior_ids: dict[str, str], seen: dict[str, datetime],
             glossary: pl.DataFrame | None, quarantine: dict[str, str] | None = None,
             layout: Layout | None = None, settings: str = "",
             merge: Callable[[MergeJobs, pl.DataFrame, pl.DataFrame | None, Layout | None], list] = merge_serial,
             hold_failed: bool = False, checks: str = "", previous: Tables | None = None) -> tuple[Tables, int]:
    """All tables for this set of files, and how many episodes had to be merged anew.

    `quarantine` (file_id -> reason) holds files back. With a layout, each episode's tables are
    cached under a key of its files + code version, so an unchanged episode is never re-merged.
    `merge` turns (episode id, versions) jobs into episode tables: serial here, parallel in the flow.
    With `hold_failed`, an episode whose very files failed validation before (a FAILED verdict) is
    left out and its files quarantined (`Tables.held`), without building it or asking GX again.
    Validation verdicts (VALID, FAILED: `verdicts`) count only if made under `checks` (the suites' key).
    `previous`: the tables of an earlier pass of this run (with a layout): an episode it holds under
    the same key takes its small-table rows from it rather than from the cache, file by file.
    """
    quarantine = quarantine or {}
    rows = sorted(staged, key=lambda s: s.path)
    first_path: dict[str, str] = {}
    for s in rows:
        first_path.setdefault(s.file_id, s.path)
    loaded = [s for s in rows if s.status == "loaded" and first_path[s.file_id] == s.path
              and s.file_id not in quarantine]
    metas = {s.file_id: s.grouping_meta for s in loaded}
    if layout is not None:  # the persisted hash index: only new or removed files' hashes are joined,
        index = HashIndex(layout, settings)  # and only what they reach is grouped again
        pairs, sigs = index.candidate_pairs(loaded), index.sigs_of(loaded)
        grouping, last = regroup(pairs, metas, sigs, prior_ids, index.last_grouping(), index.changed)
        index.save_grouping(last)
    else:
        sigs = {s.file_id: s.sigs for s in loaded}
        grouping = group_signed(dedup.candidate_pairs_of(sigs), metas, sigs, prior_ids)
    episodes: dict[str, list[Staged]] = {}
    for s in sorted(loaded, key=lambda s: s.file_id):  # members sorted by file id: input order never matters
        episodes.setdefault(grouping.episode_of[s.file_id], []).append(s)
    per_episode: dict[str, dict[str, pl.DataFrame]] = {}
    todo: MergeJobs = []
    tables = Tables()
    tables.episode_keys, tables.unvalidated, tables.held, tables.parts = {}, set(), {}, {}
    links = grouping.links
    known = verdicts(layout, checks) if layout is not None else {}
    if hold_failed and layout is not None:
        for eid, members in list(episodes.items()):
            verdict, reason = known.get(_episode_key(eid, [v.file_id for v in members], settings), ("", ""))
            if verdict == "FAILED":
                why = f"failed validation: {reason} (known from an earlier run)"
                tables.held.update((s.file_id, why) for s in members)
                del episodes[eid]
        if tables.held:  # a held episode is a whole group: no link leads out of it
            gone = pl.Series(list(tables.held), dtype=pl.String).implode()
            links = links.filter(~pl.col("file_a").is_in(gone) & ~pl.col("file_b").is_in(gone))
        quarantine = quarantine | tables.held
    published = _published(layout) if layout else None
    reused: list[str] = []  # episodes whose rows come from the published snapshot (same key: same rows)
    carried: list[str] = []  # episodes whose small-table rows come from `previous` (the cache has the big ones)
    before = previous.episode_keys if previous is not None and layout is not None else {}
    published_keys = published.keys if published else frozenset()
    for eid, members in sorted(episodes.items()):
        key = tables.episode_keys[eid] = _episode_key(eid, [v.file_id for v in members], settings)
        if key in published_keys:
            reused.append(eid)
        elif before.get(eid) == key:
            carried.append(eid)
        elif (frames := _load_episode(layout, key) if layout else None) is not None:
            per_episode[eid] = frames
        else:
            todo.append((eid, [s.light() for s in members], key))  # light: jobs may travel to workers
            continue
        if known.get(key, ("", ""))[0] != "VALID":
            tables.unvalidated.add(eid)
    merged = merge(todo, links, glossary, layout) if todo else []  # stacked frames, per chunk
    tables.unvalidated.update(eid for eid, _, _ in todo)
    rebuilt = len(todo)
    cached = sorted(per_episode)  # in the episode cache but not in the published snapshot
    fresh = sorted(cached + carried + [eid for eid, _, _ in todo])
    for t in EPISODE_TABLES:
        if layout is None:
            tables[t.name] = pl.concat([m[t.name] for m in merged]) if merged else t.empty()
            continue
        if t.name in BIG_TABLES:  # lazy, in parts: the snapshot's unchanged parts and the new episodes' cache files
            tables.parts[t.name] = _parts(t, layout, published, tables.episode_keys, reused, fresh)
            frames = [src if isinstance(src, pl.LazyFrame) else pl.scan_parquet(src)
                      for _, src in sorted(tables.parts[t.name].items())]
            tables[t.name] = pl.concat(frames) if frames else t.empty().lazy()
            continue
        parts = [published.table(t.name).filter(pl.col("episode_id").is_in(reused)).collect()] if reused else []
        if carried:
            parts.append(previous[t.name].filter(pl.col("episode_id").is_in(pl.Series(carried).implode())))
        parts += [per_episode[e][t.name] for e in cached] + [m[t.name] for m in merged]
        tables[t.name] = pl.concat(parts).sort("episode_id", maintain_order=True) if parts else t.empty()
    tables["version_links"] = links
    tables["source_files"] = source_files(rows, first_path, seen, quarantine)
    tables["rejects"] = rejects(rows, first_path, quarantine)
    tables["parse_warnings"] = parse_warnings(rows, first_path)
    return tables, rebuilt


@dataclass(frozen=True)
class _Published:
    """The current snapshot, as far as reusing its episodes goes."""

    folder: Path
    episode_keys: dict[str, str]  # episode id -> cache key, of the episodes in it

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.episode_keys.values())

    def table(self, name: str) -> pl.LazyFrame:
        return pl.scan_parquet(table_files(self.folder, name))


def _published(layout: Layout) -> _Published | None:
    if (pointer := current_pointer(layout)) is None:
        return None
    folder = layout.parquet / pointer["snapshot"]
    keys = folder / EPISODE_KEYS
    if not keys.exists():
        return None
    return _Published(folder, dict(pl.read_parquet(keys).select("episode_id", "key").iter_rows()))


def _parts(t, layout: Layout, published: _Published | None, keys: dict[str, str], reused: list[str],
           fresh: list[str]) -> Parts:
    """A big table by bucket of episode ids: a bucket holding exactly the episodes (same cache keys) it
    held in the published snapshot is that snapshot's part file; any other is the snapshot's rows of
    its reused episodes plus the cache files of its new ones."""
    by_bucket: dict[int, list[str]] = {}
    for eid in keys:
        by_bucket.setdefault(bucket_of(eid), []).append(eid)
    before: dict[int, set[tuple[str, str]]] = {}
    for eid, key in (published.episode_keys.items() if published else ()):
        before.setdefault(bucket_of(eid), set()).add((eid, key))
    old_sums = part_sums(published.folder, t.name) if published else {}
    reused_set, fresh_set = set(reused), set(fresh)
    parts: dict[int, pl.LazyFrame | Path] = {}
    sums: dict[int, str] = {}
    for b, eids in sorted(by_bucket.items()):
        old_file = published.folder / t.name / f"b{b:02d}.parquet" if published else None
        if b in old_sums and before.get(b) == {(e, keys[e]) for e in eids} and old_file.exists():
            parts[b], sums[b] = old_file, old_sums[b]
            continue
        frames = []
        if old := [e for e in eids if e in reused_set]:
            frames.append(published.table(t.name).filter(pl.col("episode_id").is_in(old)) if b not in old_sums
                          else pl.scan_parquet(old_file).filter(pl.col("episode_id").is_in(old)))
        if new := sorted(e for e in eids if e in fresh_set):
            frames.append(pl.scan_parquet([str(_episode_dir(layout, keys[e]) / f"{t.name}.parquet") for e in new],
                                          schema=t.schema))
        parts[b] = pl.concat(frames) if len(frames) > 1 else frames[0]
    return Parts(parts, sums, t.schema)


def episode_key_table(tables: "Tables") -> pl.DataFrame:
    """(episode_id, key) of every episode in the tables: saved beside a snapshot for the next run."""
    return pl.DataFrame({"episode_id": list(tables.episode_keys), "key": list(tables.episode_keys.values())},
                        schema={"episode_id": pl.String, "key": pl.String})


VERDICTS_FILE = "verdicts.parquet"  # in the cache folder: the latest verdict on each cached episode
_VERDICTS = {"key": pl.String, "verdict": pl.String, "checks": pl.String, "reason": pl.String}


def mark_episodes(layout: Layout, keys: list[str], verdict: str, text: str = "", checks: str = "") -> None:
    """VALID: the episode's rows passed validation (checked only once). FAILED: they did not (why).
    Verdicts are kept under `checks` (the suites' key): one made under other suites does not count.
    All in one small file, so a run reads every verdict at once (not a file per episode)."""
    keys = [k for k in keys if _episode_dir(layout, k).joinpath("DONE").exists()]
    if not keys:
        return
    path = layout.cache / VERDICTS_FILE
    new = pl.DataFrame({"key": keys, "verdict": verdict, "checks": checks, "reason": text}, schema=_VERDICTS)
    old = pl.read_parquet(path).filter(~pl.col("key").is_in(pl.Series(keys).implode())) if path.exists() else None
    write_parquet_atomic(pl.concat([old, new]) if old is not None else new, path)


def verdicts(layout: Layout, checks: str) -> dict[str, tuple[str, str]]:
    """Episode cache key -> (VALID or FAILED, reason), of the verdicts made under `checks`."""
    path = layout.cache / VERDICTS_FILE
    if not path.exists():
        return {}
    made = pl.read_parquet(path).filter(pl.col("checks") == checks)
    return {key: (verdict, reason) for key, verdict, reason in made.select("key", "verdict", "reason").iter_rows()}


def _episode_key(eid: str, file_ids: list[str], settings: str) -> str:
    text = "|".join([MERGE_VERSION, settings, eid, *sorted(file_ids)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _episode_dir(layout: Layout, key: str) -> Path:
    return layout.cache / "episodes" / key[:2] / key


SMALL_FILE = "small.bin"  # a cached episode's small tables, in one file (see warehouse.layout.pack)


def _load_episode(layout: Layout, key: str) -> dict[str, pl.DataFrame] | None:
    """The small tables of a cached episode (the big ones are scanned later), None if not cached
    (or cached in a form this polars cannot read: the episode is merged again)."""
    folder = _episode_dir(layout, key)
    if not (folder / "DONE").exists():
        return None
    if (folder / SMALL_FILE).exists():
        try:
            return read_packed(folder / SMALL_FILE)[1]
        except Exception:  # noqa: BLE001 - another polars version's serialisation: rebuild the entry
            return None
    return {t.name: pl.read_parquet(folder / f"{t.name}.parquet") for t in EPISODE_TABLES  # (older caches)
            if t.name not in BIG_TABLES}


def _save_episode(layout: Layout, key: str, frames: dict[str, pl.DataFrame]) -> None:
    """Write all frames (the big ones as Parquet, scanned later; the small ones packed in one file),
    then the DONE marker: a half-written entry is never read."""
    folder = _episode_dir(layout, key)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        if name in BIG_TABLES:
            df.write_parquet(folder / f"{name}.parquet")
    (folder / SMALL_FILE).write_bytes(pack({n: df for n, df in frames.items() if n not in BIG_TABLES}))
    (folder / "DONE").touch()


def source_files(rows: list[Staged], first_path: dict[str, str], seen: dict[str, datetime],
                 quarantine: dict[str, str]) -> pl.DataFrame:
    """One row per input file; built column by column (a dict per row costs 10x at 10^4 files)."""
    if not rows:
        return SOURCE_FILES.empty()
    now = datetime.now(UTC).replace(microsecond=0)
    copy_of = [first_path[s.file_id] if first_path[s.file_id] != s.path else None for s in rows]
    status = ["duplicate_copy" if c else "quarantined" if s.file_id in quarantine else s.status
              for s, c in zip(rows, copy_of)]
    reason = [f"same bytes as {c}" if c else quarantine[s.file_id] if s.file_id in quarantine else s.reason
              for s, c in zip(rows, copy_of)]
    columns = {
        "file_id": [s.file_id for s in rows], "path": [s.path for s in rows],
        "size_bytes": [s.size_bytes for s in rows], "format": [s.format for s in rows],
        "kind": [s.kind for s in rows], "status": status, "reason": reason,
        "archive_path": [s.archive_path for s in rows], "copy_of": copy_of,
        "n_segments": [s.n_segments for s in rows], "n_warnings": [len(s.warnings) for s in rows],
        "ingested_at": [seen.get(s.file_id, now) for s in rows], "parser_version": PARSER_VERSION,
    }
    return SOURCE_FILES.conform(pl.DataFrame(columns, schema_overrides={c.name: c.dtype for c in SOURCE_FILES.columns}))


def rejects(rows: list[Staged], first_path: dict[str, str], quarantine: dict[str, str]) -> pl.DataFrame:
    """File-level quarantines and segment-level removals, each with its rule and reason (the segment
    rows are read from the file cache: `warehouse.stage.cached_rejects`)."""
    firsts = [s for s in rows if first_path[s.file_id] == s.path]
    files = [{"file_id": s.file_id, "path": s.path, "scope": "file", "seq": None,
              "rule": "validation" if s.file_id in quarantine else "parse",
              "reason": quarantine.get(s.file_id) or s.reason, "content": None, "archive_path": s.archive_path}
             for s in firsts if s.status == "quarantined" or s.file_id in quarantine]
    parts = [REJECTS.conform(pl.DataFrame(files, infer_schema_length=None))] if files else []
    removed = cached_rejects(firsts)
    if removed.height:
        ids = pl.DataFrame({"file_id": [s.file_id for s in firsts], "path": [s.path for s in firsts],
                            "archive_path": [s.archive_path for s in firsts]})
        parts.append(REJECTS.conform(removed.join(ids, on="file_id", maintain_order="left")
                                     .with_columns(scope=pl.lit("segment"))))
    return pl.concat(parts) if parts else REJECTS.empty()


def parse_warnings(rows: list[Staged], first_path: dict[str, str]) -> pl.DataFrame:
    out = [{"file_id": s.file_id, "line": w.get("line"), "code": w["code"], "message": w["message"]}
           for s in rows if first_path[s.file_id] == s.path for w in s.warnings]
    return PARSE_WARNINGS.conform(pl.DataFrame(out, infer_schema_length=None)) if out else PARSE_WARNINGS.empty()
