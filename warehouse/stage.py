"""Stage one input file: read, archive, sniff, parse, clean; cached by content hash and code version."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms.build import file_signatures
from transforms.clean import CleanOptions, clean_many
from transforms.merge import Version
from transforms.parsers import PARSER_VERSION, TranscriptParseError, parse
from transforms.parsers.base import Chapter, TranscriptMeta
from transforms.schemas import CLEAN_SEGMENTS, REJECTS, Table
from warehouse.archive import archive, sha256
from warehouse.layout import Layout, pack, read_packed, relative_path, write_bytes_atomic, write_parquet_atomic

CACHE_VERSION = f"p{PARSER_VERSION}-c6"
ROLLING_FORMATS = {"webvtt", "srt", "youtube_xml", "youtube_json3", "youtube_markdown", "raw_captions"}
MAX_FILE_BYTES = 100 * 1024 * 1024  # a 5-hour transcript is ~1 MB; far larger files are not transcripts
REJECT_ROWS = Table("reject_rows", tuple(REJECTS.column(c) for c in ("file_id", "seq", "rule", "reason", "content")),
                    key=(), doc="A file's removed segments as its cache entry keeps them (see cached_rejects).")


@dataclass
class Staged:
    """What staging learned about one input file: small, because a run holds one per file.

    The cleaned segments stay in the per-file cache (`cache_path`: one packed file holding the
    segments, the signatures, the segments cleaning removed and what staging found); `version` reads
    the segments when a merge needs them, and `sigs` (the file's sampled shingle hashes, all that
    grouping needs) lives here only until the hash index (warehouse.hash_index) has stored it.
    """

    path: str
    file_id: str
    size_bytes: int
    archive_path: str
    format: str = "unknown"
    kind: str = "unknown"
    status: str = "loaded"
    reason: str | None = None
    meta: TranscriptMeta | None = None
    n_segments: int = 0
    sigs: pl.Series | None = None  # UInt64 shingle hashes (transforms.dedup.signatures)
    cache_path: str | None = None  # the file's entry in the per-file cache (`cached` reads its frames)
    warnings: list[dict] = field(default_factory=list)
    n_rejects: int = 0  # segments cleaning removed; their rows (seq, rule, reason, content): `cached("rejects")`
    meta_json: str | None = None  # `meta` as the staged-file index keeps it, parsed only when asked (`metadata`)

    @property
    def metadata(self) -> TranscriptMeta | None:
        """The file's metadata, parsed from the index's JSON on first use: a run at 10^4 files needs
        only the grouping signals of most files (`grouping_meta`), and parsing all cost ~0.2 s."""
        if self.meta is None and self.meta_json is not None:
            self.meta = _meta_of(json.loads(self.meta_json))
        return self.meta

    @property
    def grouping_meta(self) -> TranscriptMeta | str | None:
        """The metadata, or its JSON text while it is not parsed (transforms.build.file_table reads either)."""
        return self.meta if self.meta is not None or self.meta_json is None else self.meta_json

    def cached(self, name: str) -> pl.DataFrame:
        """One frame of the file's cache entry: "segments" (cleaned), "sigs" (column h) or "rejects"
        (only if `n_rejects`)."""
        if self.cache_path is None:
            raise ValueError(f"{self.path} has no cache entry (status {self.status})")
        return read_cached(self.cache_path, name)

    @property
    def version(self) -> Version | None:
        """The parsed, cleaned file, its segments read from the cache (not kept in memory)."""
        if self.status != "loaded" or self.cache_path is None:
            return None
        segments = CLEAN_SEGMENTS.conform(self.cached("segments"))
        return Version(self.file_id, self.format, self.kind, self.metadata, segments)

    def light(self) -> "Staged":
        """A copy without signatures or warnings: what a merge worker needs."""
        return dataclasses.replace(self, sigs=None, warnings=[])


def settings_key(options: CleanOptions, glossary: pl.DataFrame | None) -> str:
    """Code version + cleaning options + glossary content: what a cached result depends on (and the
    polars version, whose binary serialisation the cache entries use)."""
    gloss = str(glossary.hash_rows(seed=3).sum()) if glossary is not None else "none"
    return sha256(f"{CACHE_VERSION}|{pl.__version__}|{sorted(dataclasses.asdict(options).items())}|{gloss}"
                  .encode())[:16]


def stage_file(path: Path, rel: str, layout: Layout, options: CleanOptions,
               glossary: pl.DataFrame | None) -> Staged:
    """Never raises for bad input: unreadable or unparseable files come back quarantined."""
    return stage_files([(path, rel)], layout, options, glossary)[0]


def stage_files(files: list[tuple[Path, str]], layout: Layout, options: CleanOptions,
                glossary: pl.DataFrame | None) -> list[Staged]:
    """Stage a batch: each file read and archived first, then parsed; all new ones cleaned in one pass.

    Never raises for bad input: unreadable or unparseable files come back quarantined.
    """
    key = settings_key(options, glossary)
    out: list[Staged] = []
    todo: dict[bool, list[tuple[Staged, object]]] = {False: [], True: []}  # rolling captions or not
    results: dict[str, dict] = {}  # file_id -> parse/clean result (exact copies in a batch share one)
    pending: set[str] = set()  # parsed, waiting for the batch's cleaning pass
    for path, rel in files:
        try:
            raw = _read(path)
        except OSError as err:
            out.append(Staged(rel, "unreadable-" + sha256(rel.encode())[:48], 0, "", status="quarantined",
                              reason=f"cannot read: {err.strerror or err}"))
            continue
        file_id, apath = archive(layout, raw)
        staged = Staged(rel, file_id, len(raw), apath)
        out.append(staged)
        if file_id in results or file_id in pending:
            continue
        cached = _load_cache(layout, key, file_id)
        if cached is not None:
            results[file_id] = cached
            continue
        try:
            parsed = parse(raw, source=rel)
        except TranscriptParseError as err:
            results[file_id] = {"status": "quarantined", "reason": str(err), "format": _safe_format(raw),
                                "line": err.line}
            _save_cache(layout, key, file_id, results[file_id])
            continue
        todo[parsed.format in ROLLING_FORMATS].append((staged, parsed))
        pending.add(file_id)
    for rolling, items in todo.items():
        opts = dataclasses.replace(options, rolling_captions=rolling)
        cleaned = clean_many([p.segments for _, p in items], options=opts, glossary=glossary)
        sigs = file_signatures({staged.file_id: segments for (staged, _), (segments, _) in zip(items, cleaned)})
        for (staged, parsed), (segments, rejects) in zip(items, cleaned):
            results[staged.file_id] = _result(parsed, staged.path, segments, rejects, sigs.get(staged.file_id))
            _save_cache(layout, key, staged.file_id, results[staged.file_id])
    return [_apply(s, results[s.file_id], _cache_path(layout, key, s.file_id)) if s.file_id in results else s
            for s in out]


def _read(path: Path) -> bytes:
    """Read the bytes; a file that changes while it is read is read again (twice at most)."""
    for _ in range(3):
        before = os.stat(path)
        if before.st_size > MAX_FILE_BYTES:
            raise OSError(f"file is {before.st_size} bytes, over the {MAX_FILE_BYTES} byte limit")
        raw = path.read_bytes()
        after = os.stat(path)
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == (len(raw), after.st_mtime_ns):
            return raw
    raise OSError("file kept changing while it was read")


def _result(parsed, rel: str, segments: pl.DataFrame, rejects: pl.DataFrame, sigs: pl.Series | None) -> dict:
    if segments.filter(~pl.col("is_event") & (pl.col("text_match") != "")).is_empty():
        return {"status": "quarantined", "format": parsed.format, "line": None,
                "reason": f"{rel}: no speech left after cleaning (only non-speech events or empty text)"}
    return {
        "status": "loaded", "format": parsed.format, "kind": parsed.meta.kind,
        "meta": dataclasses.asdict(parsed.meta),
        "warnings": [dataclasses.asdict(w) for w in parsed.warnings],
        "rejects": rejects.select("seq", "rule", "reason", "content"), "n_rejects": rejects.height,
        "n_segments": segments.height, "segments": segments,
        "sigs": sigs if sigs is not None else pl.Series("h", [], pl.UInt64),
    }


def _safe_format(raw: bytes) -> str:
    from transforms.parsers import sniff
    try:
        return sniff(raw[:65536], "")
    except Exception:  # noqa: BLE001 - only used to label a file that is already quarantined
        return "unknown"


def _cache_path(layout: Layout, key: str, file_id: str) -> Path:
    return layout.cache / "files" / key / file_id[:2] / f"{file_id}.bin"


def read_cached(path: str | Path, name: str) -> pl.DataFrame:
    """One frame of a per-file cache entry (see `_save_cache`)."""
    return read_packed(path, {name})[1][name]


def _save_cache(layout: Layout, key: str, file_id: str, result: dict) -> None:
    """The result as one packed file (its frames and the JSON rest), written whole or not at all."""
    path = _cache_path(layout, key, file_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {k: v for k, v in result.items() if k not in ("segments", "sigs", "rejects")}
    frames = {}
    if "segments" in result:
        frames = {"segments": result["segments"], "sigs": result["sigs"].to_frame("h")}
        if result["n_rejects"]:
            frames["rejects"] = result["rejects"]
    write_bytes_atomic(pack(frames, info), path)


REJECTS_BASE, REJECTS_RECENT = "rejects.parquet", "rejects-recent.parquet"  # beside a settings key's entries
REJECTS_RECENT_ROWS = 50_000  # more rows than this in the recent file: it is merged into the base


def cached_rejects(staged: list[Staged]) -> pl.DataFrame:
    """(file_id, seq, rule, reason, content): the segments cleaning removed from these files (those with
    `n_rejects` and a cache entry), each file's rows together and in order (the files in no set order).

    Read from two files beside the cache entries that collect every entry's rows, not from each entry:
    at 10^4 episodes ~1,200 files have some, and reading their entries cost 0.1-0.2 s a run. Files
    not collected yet are read from their entries and appended to the small recent file, which is
    merged into the base once it is large. The collected rows are the entries' (an entry never
    changes: content hash + settings), so the collection is only a shortcut: losing it costs time."""
    out = []
    by_folder: dict[Path, list[Staged]] = {}
    for s in staged:
        if s.n_rejects and s.cache_path is not None:
            by_folder.setdefault(Path(s.cache_path).parents[1], []).append(s)
    for folder, files in by_folder.items():
        base, recent = _read_rejects(folder / REJECTS_BASE), _read_rejects(folder / REJECTS_RECENT)
        known = pl.concat([base, recent.join(base, on="file_id", how="anti")])  # (a merge cut short: in both)
        have = set(known["file_id"].unique().to_list())
        missing = [s for s in files if s.file_id not in have]
        if missing:
            rows = [REJECT_ROWS.conform(s.cached("rejects").select(pl.lit(s.file_id).alias("file_id"), pl.all()))
                    for s in missing]
            recent, known = pl.concat([recent, *rows]), pl.concat([known, *rows])
            if recent.height > REJECTS_RECENT_ROWS:
                write_parquet_atomic(known, folder / REJECTS_BASE)
                (folder / REJECTS_RECENT).unlink(missing_ok=True)
            else:
                write_parquet_atomic(recent, folder / REJECTS_RECENT)
        out.append(known.filter(pl.col("file_id").is_in(pl.Series([s.file_id for s in files]).implode())))
    return pl.concat(out) if out else REJECT_ROWS.empty()


def _read_rejects(path: Path) -> pl.DataFrame:
    try:
        return REJECT_ROWS.conform(pl.read_parquet(path))
    except (FileNotFoundError, pl.exceptions.PolarsError, ValueError):  # none yet, or damaged: collected again
        return REJECT_ROWS.empty()


def _load_cache(layout: Layout, key: str, file_id: str) -> dict | None:
    """The cached result (its signatures read, not its segments), None if the file was not staged under
    this key."""
    try:
        info, frames = read_packed(_cache_path(layout, key, file_id), {"sigs"})
    except Exception:  # noqa: BLE001 - none (FileNotFoundError), or damaged: the file is staged again
        return None
    if info["status"] == "loaded":
        info["sigs"] = frames["sigs"]["h"]
    return info


def _apply(staged: Staged, result: dict, path: Path) -> Staged:
    staged.status, staged.format = result["status"], result.get("format", "unknown")
    if staged.status != "loaded":
        staged.reason = result["reason"]
        return staged
    staged.kind = result["kind"]
    staged.warnings = result["warnings"]
    staged.n_rejects = result["n_rejects"]
    staged.meta, staged.n_segments, staged.sigs = _meta_of(result["meta"]), result["n_segments"], result["sigs"]
    staged.cache_path = str(path)
    return staged


def _meta_of(fields: dict) -> TranscriptMeta:
    return TranscriptMeta(**(fields | {"chapters": [Chapter(**c) for c in fields["chapters"]]}))


# -- the staged-file index: files whose path, size and mtime are unchanged are not read again ------------

INDEX_FILE = "staged.parquet"
_INDEX_SCHEMA = {
    "abs_path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "settings": pl.String, "path": pl.String,
    "file_id": pl.String, "size_bytes": pl.Int64, "archive_path": pl.String, "format": pl.String,
    "kind": pl.String, "status": pl.String, "reason": pl.String, "meta": pl.String, "n_segments": pl.Int64,
    "cache_path": pl.String, "warnings": pl.String, "n_rejects": pl.Int64,
}


def has_index(layout: Layout) -> bool:
    """Whether a staged-file index exists (no: every file is read)."""
    return (layout.root / INDEX_FILE).exists()


def load_index(layout: Layout, settings: str) -> dict[tuple[str, int, int], Staged]:
    """(absolute path, size, mtime_ns) -> what staging found for it, under these settings.

    Signatures are not kept here: the hash index (warehouse.hash_index) holds them."""
    path = layout.root / INDEX_FILE
    if not path.exists():
        return {}
    rows = pl.read_parquet(path)
    if rows.schema != pl.Schema(_INDEX_SCHEMA):  # written by an older version: stage again
        return {}
    rows = rows.filter(pl.col("settings") == settings)
    root = str(layout.root)
    out = {}
    names = ("abs_path", "size", "mtime_ns", "path", "file_id", "size_bytes", "archive_path", "format", "kind",
             "status", "reason", "meta", "n_segments", "cache_path", "warnings", "n_rejects")
    for (abs_path, size, mtime_ns, path, file_id, size_bytes, archive_path, fmt, kind, status, reason, meta,
         n_segments, cache_path, warnings, n_rejects) in zip(*(rows[c].to_list() for c in names)):
        out[(abs_path, size, mtime_ns)] = Staged(
            path, file_id, size_bytes, archive_path, fmt, kind, status, reason, None, n_segments, None,
            os.path.join(root, cache_path) if cache_path else None,
            [] if warnings == "[]" else json.loads(warnings), n_rejects, meta_json=meta or None)
    return out


def _in_warehouse(layout: Layout, path: str | None) -> str | None:
    """A cache path as the index keeps it: relative to the warehouse folder, so that the folder can be
    moved or named from another working directory (an older index's absolute paths still load)."""
    if path is None:
        return None
    try:
        return relative_path(path, layout.root)
    except ValueError:
        return path


def save_index(layout: Layout, settings: str, entries: list[tuple[tuple[str, int, int], Staged]],
               unchanged: set[tuple[str, int, int]] | frozenset = frozenset()) -> None:
    """Replace the index by these entries (atomically). Unreadable files are left out: retried next time.

    Entries whose key is in `unchanged` came from the index itself: their rows are copied from the old
    index file (only their relative path may differ) instead of being serialised again.
    """
    path = layout.root / INDEX_FILE
    old = pl.read_parquet(path) if unchanged and path.exists() else None
    copied = pl.DataFrame(schema=_INDEX_SCHEMA)
    if old is not None and old.schema == pl.Schema(_INDEX_SCHEMA):
        keep = [(k, s) for k, s in entries if k in unchanged]
        wanted = pl.DataFrame({"abs_path": [k[0] for k, _ in keep], "size": [k[1] for k, _ in keep],
                               "mtime_ns": [k[2] for k, _ in keep], "path": [s.path for _, s in keep],
                               "cache_path": [_in_warehouse(layout, s.cache_path) for _, s in keep]},
                              schema={"abs_path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "path": pl.String,
                                      "cache_path": pl.String})  # (an older index's absolute paths made relative)
        copied = old.filter(pl.col("settings") == settings).drop("path", "cache_path") \
            .join(wanted, on=["abs_path", "size", "mtime_ns"]).select(list(_INDEX_SCHEMA))
    done = set(zip(copied["abs_path"].to_list(), copied["size"].to_list(), copied["mtime_ns"].to_list()))
    rows = [{"abs_path": k[0], "size": k[1], "mtime_ns": k[2], "settings": settings, "path": s.path,
             "file_id": s.file_id, "size_bytes": s.size_bytes, "archive_path": s.archive_path, "format": s.format,
             "kind": s.kind, "status": s.status, "reason": s.reason,
             "meta": s.meta_json if s.meta_json is not None
             else json.dumps(dataclasses.asdict(s.meta), ensure_ascii=False) if s.meta else None,
             "n_segments": s.n_segments, "cache_path": _in_warehouse(layout, s.cache_path),
             "warnings": json.dumps(s.warnings, ensure_ascii=False),
             "n_rejects": s.n_rejects}
            for k, s in entries if s.archive_path and k not in done]
    # lz4: written every run that reads a file; at 10^4 files 0.06-0.09 s with zstd, 0.04 s this way (8 MB, not 5)
    write_parquet_atomic(pl.concat([copied, pl.DataFrame(rows, schema=_INDEX_SCHEMA)]), path, compression="lz4")
