"""The persisted shingle-hash index: grouping a few new files without re-joining the whole corpus.

Layout under `<warehouse>/hash_index/<settings key>/` (signatures depend on the cleaning settings):

- `parts/gG-S.parquet`: postings (fid UInt32, h UInt64), appended as staging batches finish
  (generation G, first fid S);
- `parts/gG-S.files.parquet`: which files a part holds (file_id, fid, n = its hash count). It is
  written after the postings, so a part without it is a crash leftover and is deleted. Compaction
  merges every part into one of the next generation; parts of older generations are then stale;
- `state/`: the last grouping's files (`members.parquet`) and candidate pairs (`pairs.parquet`), and
  a random `TOKEN` naming that state;
- `grouping/`: what the last grouping decided (`transforms.build.LastGrouping`), with the `TOKEN` of
  the pairs it was decided on and the `RULES` (the grouping code and thresholds) it was decided by.

Files get small integer ids (fid), so the hashes never carry 64-character file ids. A grouping is
computed from the last one when few files were added or removed (`dedup.update_pairs`: only the
postings of their hashes are read), else in full (`dedup.candidate_pairs`, in blocks of files).
Either way the result is the same (tested); the state is only a shortcut, so losing it costs time,
never correctness. Likewise the files whose pairs changed (`changed`) let `transforms.build.regroup`
decide only what they reach, from the last grouping, if that was decided on the pairs diffed against.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import polars as pl

from transforms import build, dedup
from transforms.build import LastGrouping
from warehouse.layout import Layout, write_parquet_atomic
from warehouse.stage import Staged

INCREMENTAL_SHARE = 0.25  # more files added or removed than this share of the corpus: group in full
COMPACT_PARTS = 32  # more parts than this are merged into one


class HashIndex:
    def __init__(self, layout: Layout, settings: str) -> None:
        self.root = layout.root / "hash_index" / settings
        self.parts = self.root / "parts"
        self.state = self.root / "state"
        self.parts.mkdir(parents=True, exist_ok=True)
        self._files: pl.DataFrame | None = None
        self.last_mode = ""  # "full" or "incremental": how the last grouping was computed
        self.changed: set[str] | None = None  # files whose pairs changed since the state (None: unknown)
        self._base_token: str | None = None  # the pairs state `changed` is relative to
        self._token: str | None = None  # the pairs state saved now

    # -- the postings -------------------------------------------------------------------------------

    @property
    def files(self) -> pl.DataFrame:
        """(file_id, fid, n) of every indexed file. Crash leftovers are removed first: postings without
        a file list, and parts of a generation older than the newest (a compaction that did not finish
        deleting what it merged)."""
        if self._files is None:
            newest = self._generation()
            for lst in self._lists():
                if _generation(lst) < newest:
                    lst.unlink()
            for post in self.parts.glob("g*.parquet"):
                if not post.name.endswith(".files.parquet") and not _companion(post).exists():
                    post.unlink()
            lists = self._lists()
            self._files = pl.concat([pl.read_parquet(p) for p in lists]) if lists else pl.DataFrame(
                schema={"file_id": pl.String, "fid": pl.UInt32, "n": pl.UInt32})
        return self._files

    def _lists(self) -> list[Path]:
        return sorted(self.parts.glob("g*.files.parquet"))

    def _generation(self) -> int:
        return max((_generation(p) for p in self._lists()), default=0)

    def add(self, staged: Iterable[Staged]) -> None:
        """Append the signatures of loaded files not indexed yet, and drop them from the Staged objects
        (the index holds them now). A file whose signatures are not in memory is read from its cache."""
        known = set(self.files["file_id"].to_list())
        ids, hashes = [], []
        for s in staged:
            if s.status == "loaded" and s.file_id not in known:
                known.add(s.file_id)
                ids.append(s.file_id)
                hashes.append(s.sigs if s.sigs is not None else _cached_sigs(s))
            s.sigs = None
        if not ids:
            return
        start = int(self.files["fid"].max() + 1) if self.files.height else 0
        fids = pl.Series("fid", range(start, start + len(ids)), pl.UInt32)
        listing = pl.DataFrame({"file_id": ids, "fid": fids,
                                "n": pl.Series([len(h) for h in hashes], dtype=pl.UInt32)})
        postings = pl.DataFrame({"fid": fids.gather([i for i, h in enumerate(hashes) for _ in range(len(h))]),
                                 "h": pl.concat([h.cast(pl.UInt64) for h in hashes]).rename("h")})
        name = f"g{self._generation():04d}-{start:09d}"
        write_parquet_atomic(postings, self.parts / f"{name}.parquet")
        write_parquet_atomic(listing, self.parts / f"{name}.files.parquet")  # last: the part now counts
        self._files = pl.concat([self.files, listing])

    def compact(self) -> None:
        """Merge the parts into one when there are many (a scan of hundreds of small files is slow)."""
        files, lists = self.files, self._lists()
        if len(lists) <= COMPACT_PARTS:
            return
        postings = [_postings(p) for p in lists]
        name = f"g{self._generation() + 1:04d}-{0:09d}"
        pl.scan_parquet(postings).sink_parquet(self.parts / f".{name}.tmp")
        (self.parts / f".{name}.tmp").replace(self.parts / f"{name}.parquet")
        write_parquet_atomic(files, self.parts / f"{name}.files.parquet")  # from here on the older parts are stale
        for lst, post in zip(lists, postings):
            lst.unlink()
            post.unlink()

    def _scan(self) -> pl.LazyFrame:
        self.files  # noqa: B018 - clears crash leftovers first
        paths = [_postings(p) for p in self._lists()]
        if not paths:
            return pl.LazyFrame(schema={"fid": pl.UInt32, "h": pl.UInt64})
        return pl.scan_parquet(paths)

    # -- grouping -----------------------------------------------------------------------------------

    def candidate_pairs(self, staged: list[Staged]) -> pl.DataFrame:
        """`dedup.candidate_pairs` of these files (file ids as strings), from the last grouping's pairs
        when that is cheaper, and saved as the new last grouping."""
        self.add(staged)
        ids = self.files.filter(pl.col("file_id").is_in([s.file_id for s in staged]))
        after = ids["fid"].sort()
        before, old = self._load_state()
        changed = 0 if before is None else (len(set(after) ^ set(before)))
        sizes = ids.select(pl.col("fid").alias("file_id"), "n")
        if before is not None and changed <= INCREMENTAL_SHARE * max(len(after), 1):
            pairs = self._update(old, before, after)
            self.last_mode = "incremental"
        else:
            members = pl.DataFrame({"fid": after})
            lazy = self._scan().join(members.lazy(), on="fid", how="semi").rename({"fid": "file_id"})
            pairs = dedup.candidate_pairs(lazy, sizes).select("file_a", "file_b", "shared")
            self.last_mode = "full"
        pairs = dedup.with_containment(pairs, sizes)
        counts = pairs.select("file_a", "file_b", "shared")
        self.changed = self._changed(old, counts, before, after) if self.last_mode == "incremental" else None
        self._save_state(after, counts)
        names = dict(zip(ids["fid"].to_list(), ids["file_id"].to_list()))
        named = pairs.with_columns(pl.col("file_a", "file_b").replace_strict(names, return_dtype=pl.String))
        swap = pl.col("file_a") > pl.col("file_b")  # fids follow arrival; pairs are ordered by file id
        return named.with_columns(
            *[pl.when(swap).then(pl.col(b)).otherwise(pl.col(a)).alias(a) for a, b in
              (("file_a", "file_b"), ("file_b", "file_a"), ("n_a", "n_b"), ("n_b", "n_a"))]
        ).sort("file_a", "file_b")

    def _update(self, old: pl.DataFrame, before: pl.Series, after: pl.Series) -> pl.DataFrame:
        moved = pl.Series(sorted(set(before.to_list()) ^ set(after.to_list())), dtype=pl.UInt32)
        # (a filter, not a semi-join: the scan skips the row groups whose fid range holds none of them)
        touched_h = self._scan().filter(pl.col("fid").is_in(moved.implode())).select("h").unique()
        touched = self._scan().join(touched_h, on="h", how="semi").rename({"fid": "file_id"}).collect()
        new, unknown = dedup.update_pairs(old, touched, before, after)
        if unknown.height:  # only after removals: count these pairs in full
            files = pl.DataFrame({"fid": pl.concat([unknown["file_a"], unknown["file_b"]]).unique()})
            postings = self._scan().join(files.lazy(), on="fid", how="semi").rename({"fid": "file_id"}).collect()
            df = (self._scan().join(pl.DataFrame({"fid": after}).lazy(), on="fid", how="semi")
                  .join(postings.lazy().select("h").unique(), on="h", how="semi")
                  .group_by("h").agg(pl.len().alias("df")).collect())
            new = pl.concat([new, dedup.counts_for(unknown, postings, df)])
        return new

    def _changed(self, old: pl.DataFrame, new: pl.DataFrame, before: pl.Series, after: pl.Series) -> set[str]:
        """The file ids of added and removed files, and of both files of every pair whose count changed
        (or that became, or stopped being, a candidate)."""
        keys = ["file_a", "file_b", "shared"]
        old = old.select(pl.col(k).cast(new.schema[k]) for k in keys)
        diff = pl.concat([old.join(new, on=keys, how="anti"), new.join(old, on=keys, how="anti")])
        fids = set(diff["file_a"].to_list()) | set(diff["file_b"].to_list()) \
            | (set(before.to_list()) ^ set(after.to_list()))
        named = self.files.filter(pl.col("fid").is_in(pl.Series(sorted(fids), dtype=pl.UInt32).implode()))
        return set(named["file_id"].to_list())

    def _load_state(self) -> tuple[pl.Series | None, pl.DataFrame | None]:
        try:
            if (self.state / "RULES").read_text() != _rules():
                return None, None
            members = pl.read_parquet(self.state / "members.parquet")["fid"]
            pairs = pl.read_parquet(self.state / "pairs.parquet")
        except (FileNotFoundError, pl.exceptions.PolarsError):
            return None, None
        token = self.state / "TOKEN"  # (a state saved before there were tokens has none: no last grouping)
        self._base_token = token.read_text() if token.exists() else None
        if not set(members.to_list()) <= set(self.files["fid"].to_list()):  # index rebuilt since
            return None, None
        return members, pairs

    def _save_state(self, members: pl.Series, pairs: pl.DataFrame) -> None:
        """Folder written beside, then swapped in; a crash in between leaves no state (a full grouping next)."""
        self._token = uuid.uuid4().hex
        _swap_in(self.state, {"members.parquet": members.to_frame("fid"), "pairs.parquet": pairs,
                              "RULES": _rules(), "TOKEN": self._token})

    # -- the last grouping (transforms.build.regroup) -------------------------------------------------

    def last_grouping(self) -> LastGrouping | None:
        """The grouping saved by the last run, if it was decided on the pairs `candidate_pairs` just
        diffed against (`changed`) and by this grouping code; else None (group in full)."""
        folder = self.root / "grouping"
        if self.changed is None or self._base_token is None:
            return None
        try:
            if (folder / "TOKEN").read_text() != self._base_token or (folder / "RULES").read_text() != _grouping_rules():
                return None
            return LastGrouping(*(pl.read_parquet(folder / f"{name}.parquet") for name in ("files", "decided", "links")))
        except (FileNotFoundError, pl.exceptions.PolarsError):
            return None

    def save_grouping(self, last: LastGrouping) -> None:
        """Keep `last` for the next run, tied to the pairs state saved by `candidate_pairs` (a crash
        between the two leaves them apart: the next run groups in full)."""
        # (uncompressed: ~12 MB at 10^4 files, written in a third of the time zstd takes)
        _swap_in(self.root / "grouping", {f"{name}.parquet": getattr(last, name) for name in ("files", "decided", "links")}
                 | {"RULES": _grouping_rules(), "TOKEN": self._token or ""}, compression="uncompressed")

    def sigs_of(self, staged: list[Staged]) -> "CachedSigs":
        """file_id -> its hashes, read from the per-file cache when a weak link asks (rarely)."""
        return CachedSigs({s.file_id: s for s in staged})


class CachedSigs(Mapping[str, pl.Series]):
    def __init__(self, staged: dict[str, Staged]) -> None:
        self._staged = staged

    def __getitem__(self, file_id: str) -> pl.Series:
        s = self._staged[file_id]
        return s.sigs if s.sigs is not None else _cached_sigs(s)

    def __contains__(self, file_id: object) -> bool:
        return file_id in self._staged  # (Mapping's own would read the hashes to find out)

    def __iter__(self) -> Iterator[str]:
        return iter(self._staged)

    def __len__(self) -> int:
        return len(self._staged)


def _swap_in(folder: Path, files: dict[str, pl.DataFrame | str], compression: str = "zstd") -> None:
    """Write `files` (name -> frame, as Parquet, or text) into a folder beside `folder`, then put it in
    its place: a reader finds the old folder, the new one, or none (after a crash), never a mix."""
    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, content in files.items():
        if isinstance(content, str):
            (tmp / name).write_text(content)
        else:
            content.write_parquet(tmp / name, compression=compression)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def _rules() -> str:
    """The counting rules the saved pairs were made under (a change makes them useless)."""
    return f"max_df={dedup.MAX_DF} min_candidate={dedup.MIN_CANDIDATE}"


def _grouping_rules() -> str:
    """The code a saved grouping was decided by: any change to grouping's code or thresholds makes it useless."""
    text = "".join(Path(m.__file__).read_text() for m in (dedup, build))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cached_sigs(s: Staged) -> pl.Series:
    """A staged file's signatures, from its per-file cache entry (written by warehouse.stage)."""
    return s.cached("sigs")["h"]


def _generation(file_list: Path) -> int:
    return int(file_list.name[1:5])


def _postings(file_list: Path) -> Path:
    return file_list.with_name(file_list.name.removesuffix(".files.parquet") + ".parquet")


def _companion(postings: Path) -> Path:
    return postings.with_name(postings.name.removesuffix(".parquet") + ".files.parquet")
