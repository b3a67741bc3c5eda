"""Which files are versions of one interview: signatures -> candidate pairs -> decide -> group.

Content similarity uses sampled word 3-shingles and *containment* (shared / smaller set), so a
partial version of a long episode still joins it. Shingles found in many files (sponsor reads,
stock phrases) are dropped before pairing, which also keeps the self-join near-linear.
Metadata signals (video id, show + episode number) join or veto; content alone can join.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms.schemas import VERSION_LINKS

SHINGLE = 3
SAMPLE_MOD = 4  # keep shingles whose hash % SAMPLE_MOD == 0 (unbiased containment estimate)
MAX_DF = 20  # a shingle in more files than this is boilerplate, not evidence
MIN_CANDIDATE = 0.08  # containment below this is not even a candidate
JOIN_CONTAINMENT = 0.30  # content alone joins at this containment
WEAK_CONTAINMENT = 0.04  # with the same video id, this little shared content is enough
STRONG_CONTAINMENT = 0.60  # content this close forms groups; weaker links may only attach lone files
MIN_SHINGLES = 25  # fewer sampled shingles than this: content cannot decide alone


@dataclass(frozen=True)
class Thresholds:
    """The declared decision thresholds (see README: Deduplication)."""

    join: float = JOIN_CONTAINMENT
    weak: float = WEAK_CONTAINMENT
    min_shingles: int = MIN_SHINGLES


def signatures(words: pl.DataFrame | pl.LazyFrame, *, ordered: bool = False) -> pl.DataFrame:
    """(file_id, pos, tok) -> unique sampled shingle hashes (file_id, h).

    `ordered`: the rows are already each file's words in order, every file's rows together (as
    transforms.build.file_signatures makes them), so a shingle is read from the next rows of the
    same file without sorting each file by position (half the cost).
    """
    if ordered:
        same_file = pl.col("file_id").shift(-(SHINGLE - 1)) == pl.col("file_id")
        shingle = pl.when(same_file).then(pl.concat_str([pl.col("tok").shift(-i) for i in range(SHINGLE)], separator=" "))
    else:
        shingle = pl.concat_str([pl.col("tok").shift(-i).over("file_id", order_by="pos") for i in range(SHINGLE)],
                                separator=" ")
    return (
        words.lazy()
        .with_columns(shingle.alias("sh"))
        .filter(pl.col("sh").is_not_null())
        .select("file_id", pl.col("sh").hash(seed=7).alias("h"))
        .filter(pl.col("h") % SAMPLE_MOD == 0)
        .unique()
        .collect()
    )


ROWS_PER_PASS = 1_000_000  # the self-join runs over slices of about this many postings

Sigs = pl.DataFrame | pl.LazyFrame  # (file_id, h): one row per file and sampled shingle hash


def shared_counts(postings: pl.DataFrame) -> pl.DataFrame:
    """(file_id, h) -> (file_id, file_id_b, shared): per pair, the hashes both hold that are in at most
    MAX_DF files of `postings` (a hash in more is boilerplate, not evidence)."""
    informative = _informative(postings.lazy())
    return (
        informative.join(informative, on="h", suffix="_b")
        .filter(pl.col("file_id") < pl.col("file_id_b"))
        .group_by("file_id", "file_id_b")
        .agg(pl.len().cast(pl.UInt32).alias("shared"))
    )


def candidate_pairs(sigs: Sigs, sizes: pl.DataFrame | None = None) -> pl.DataFrame:
    """Pairs of files sharing informative shingles: (file_a, file_b, shared, n_a, n_b, containment).

    The self-join on shingle hashes is the largest intermediate of the pipeline. Hashes held by one
    file only (no pair) or by more than MAX_DF files (boilerplate) are dropped first; the rest is
    joined one block of files at a time against all of it, so each pair (file_a in the block) is
    counted in full within its block and only the candidates are kept. Memory follows the block and
    the candidates, not all pairs: at 10,000 episodes 12.5 million pairs share some hash, mostly by
    chance, and 15 thousand are candidates. The hashes' file counts are taken over slices of the
    hashes for the same reason. `sigs` may be lazy; `sizes` (file_id, n), if known, saves a pass.
    """
    lazy = sigs.lazy()
    sizes = sizes if sizes is not None else lazy.group_by("file_id").agg(pl.len().alias("n")).collect()
    passes = max(1, int(sizes["n"].sum() or 0) // ROWS_PER_PASS)
    informative = pl.concat([_informative(lazy if passes == 1 else  # df per hash needs only its own slice
                                          lazy.filter((pl.col("h") // 2**32) % passes == p)) for p in range(passes)])
    blocks = max(1, informative.height // ROWS_PER_PASS)
    out = []
    for b in range(blocks):
        left = informative.lazy() if blocks == 1 else \
            informative.lazy().filter(pl.col("file_id").hash(seed=11) % blocks == b)
        pairs = (
            left.join(informative.lazy(), on="h", suffix="_b")
            .filter(pl.col("file_id") < pl.col("file_id_b"))
            .group_by("file_id", "file_id_b")
            .agg(pl.len().cast(pl.UInt32).alias("shared"))
            .rename({"file_id": "file_a", "file_id_b": "file_b"})
            .collect(engine="streaming")
        )
        out.append(with_containment(pairs, sizes))
    return pl.concat(out)


def _informative(postings: pl.LazyFrame) -> pl.DataFrame:
    """The postings of hashes held by 2 to MAX_DF files (the high bits of a hash slice them: the low
    ones are all 0, see SAMPLE_MOD)."""
    kept = postings.group_by("h").agg(pl.len().alias("df")).filter(pl.col("df").is_between(2, MAX_DF))
    return postings.join(kept.select("h"), on="h", how="semi").collect()


def with_containment(pairs: pl.DataFrame, sizes: pl.DataFrame) -> pl.DataFrame:
    """(file_a, file_b, shared) + sizes (file_id, n) -> candidates: containment >= MIN_CANDIDATE."""
    return (
        pairs.join(sizes.rename({"file_id": "file_a", "n": "n_a"}), on="file_a")
        .join(sizes.rename({"file_id": "file_b", "n": "n_b"}), on="file_b")
        .with_columns((pl.col("shared") / pl.min_horizontal("n_a", "n_b")).alias("containment"))
        .filter(pl.col("containment") >= MIN_CANDIDATE)
    )


def update_pairs(old: pl.DataFrame, touched: pl.DataFrame, before: pl.Series, after: pl.Series
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Exact pair counts after the file set changes from `before` to `after`, without a full self-join.

    `old`: (file_a, file_b, shared) of every candidate pair of `before` (containment >= MIN_CANDIDATE).
    `touched`: the postings (file_id, h) of every hash held by an added or removed file, over all files.
    Only those hashes change their file count, so a pair's new count is its old count minus what those
    hashes gave it before plus what they give it now. An added file's hashes are all touched, so its
    pairs are counted in full here. A pair of two kept files that was no candidate can only lose count
    when files are added; when files are removed a boilerplate hash may become informative, and such
    pairs (old count unknown) come back as the second frame, to be counted in full by the caller.
    Returns (file_a, file_b, shared) with shared > 0, and the pairs to count in full.
    """
    def counts(members: pl.Series, name: str) -> pl.DataFrame:
        return shared_counts(touched.filter(pl.col("file_id").is_in(members.implode()))) \
            .rename({"file_id": "file_a", "file_id_b": "file_b", "shared": name})
    keys = ["file_a", "file_b"]
    kept = old.filter(pl.col("file_a").is_in(after.implode()) & pl.col("file_b").is_in(after.implode()))
    merged = (
        kept.join(counts(before, "sub"), on=keys, how="full", coalesce=True)
        .join(counts(after, "add"), on=keys, how="full", coalesce=True)
        .filter(pl.col("file_a").is_in(after.implode()) & pl.col("file_b").is_in(after.implode()))
        .with_columns(pl.col("shared", "sub", "add").fill_null(0).cast(pl.Int64))
    )
    known = pl.col("shared") > 0  # a candidate before
    both_old = pl.col("file_a").is_in(before.implode()) & pl.col("file_b").is_in(before.implode())
    unknown = ~known & both_old & (pl.col("add") > pl.col("sub"))
    new = (
        merged.filter(~unknown)
        .select(*keys, (pl.col("shared") - pl.col("sub") + pl.col("add")).alias("shared"))
        .filter(pl.col("shared") > 0)
        .with_columns(pl.col("shared").cast(pl.UInt32))
    )
    return new, merged.filter(unknown).select(keys)


def counts_for(pairs: pl.DataFrame, postings: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """Full counts of the given pairs: `postings` (file_id, h) of their files, `df` (h, df) over the
    whole file set for those hashes -> (file_a, file_b, shared)."""
    informative = postings.join(df.filter(pl.col("df") <= MAX_DF).select("h"), on="h")
    return (
        informative.join(informative, on="h", suffix="_b")
        .rename({"file_id": "file_a", "file_id_b": "file_b"})
        .join(pairs, on=["file_a", "file_b"], how="semi")
        .group_by("file_a", "file_b").agg(pl.len().cast(pl.UInt32).alias("shared"))
    )


def metadata_pairs(files: pl.DataFrame) -> pl.DataFrame:
    """Pairs of files that carry the same video id: (file_a, file_b)."""
    with_id = files.filter(pl.col("video_id").is_not_null()).select("file_id", "video_id")
    return (
        with_id.join(with_id, on="video_id", suffix="_b")
        .filter(pl.col("file_id") < pl.col("file_id_b"))
        .select(pl.col("file_id").alias("file_a"), pl.col("file_id_b").alias("file_b"))
    )


def decide(content: pl.DataFrame, meta_pairs: pl.DataFrame, files: pl.DataFrame,
           thresholds: Thresholds = Thresholds()) -> pl.DataFrame:
    """Every candidate pair -> joined or not, the deciding signal, and all evidence (VERSION_LINKS)."""
    pairs = (
        content.select("file_a", "file_b", "containment", "n_a", "n_b")
        .join(meta_pairs, on=["file_a", "file_b"], how="full", coalesce=True)
    )
    info = files.select("file_id", "video_id", "show", "episode_number")
    pairs = pairs.join(info.rename(lambda c: f"{c}_a"), left_on="file_a", right_on="file_id_a") \
                 .join(info.rename(lambda c: f"{c}_b"), left_on="file_b", right_on="file_id_b")
    c = pl.col("containment").fill_null(0.0)
    same_video = pl.col("video_id_a").is_not_null() & (pl.col("video_id_a") == pl.col("video_id_b"))
    diff_video = pl.col("video_id_a").is_not_null() & pl.col("video_id_b").is_not_null() & ~same_video
    diff_number = (pl.col("show_a") == pl.col("show_b")) & (pl.col("episode_number_a") != pl.col("episode_number_b"))
    enough = pl.min_horizontal(pl.col("n_a").fill_null(0), pl.col("n_b").fill_null(0)) >= thresholds.min_shingles
    signal = (
        pl.when(diff_video).then(pl.lit("veto:video_id_differs"))
        .when(diff_number.fill_null(False)).then(pl.lit("veto:episode_number_differs"))
        .when(same_video & enough & (c < thresholds.weak)).then(pl.lit("veto:video_id_but_content_differs"))
        .when(same_video).then(pl.lit("video_id"))
        .when(enough & (c >= thresholds.join)).then(pl.lit("content_containment"))
        .otherwise(pl.lit("below_threshold"))
    )
    shown = [pl.col(c).cast(pl.String).fill_null("-") for c in
             ("containment", "n_a", "n_b", "video_id_a", "video_id_b", "episode_number_a", "episode_number_b")]
    evidence = pl.format(
        "containment={} shingles_a={} shingles_b={} video_a={} video_b={} episode_a={} episode_b={}", *shown)
    out = pairs.with_columns(signal.alias("signal"), evidence.fill_null("").alias("evidence")).with_columns(
        pl.col("signal").is_in(["video_id", "content_containment"]).alias("joined"),
        c.alias("score"),
        pl.col("containment").round(4).clip(0, 1),
    )
    return VERSION_LINKS.conform(out).sort("file_a", "file_b")


def group(file_ids: list[str], links: pl.DataFrame, sigs: Mapping[str, pl.Series] | None = None,
          thresholds: Thresholds = Thresholds()) -> tuple[dict[str, str], pl.DataFrame]:
    """Files -> groups (file_id -> smallest file_id of its group), and the links as finally decided.

    Strong links (same video id, or containment >= STRONG_CONTAINMENT) form the groups first. A weak
    content link may then add a lone file to a group, and only if the file is still contained in the
    group as a whole (all its members' shingles); it never bridges two groups. Otherwise a partial
    version that happens to cover the passage a "best of" episode quotes would chain two episodes.
    Refused links are recorded with the reason.

    Every decision is local to a connected component of the joined links (a link is only ever
    weighed against groups of its own component, and the weak links of one component keep their
    relative order), which is what lets `transforms.build.regroup` decide only changed components.
    """
    roots, refused = group_refusals(file_ids, links, sigs, thresholds)
    return roots, refuse(links, refused)


def group_refusals(file_ids: list[str], links: pl.DataFrame, sigs: Mapping[str, pl.Series] | None = None,
                   thresholds: Thresholds = Thresholds()) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """`group`'s groups, and the joined links it refused as (file_a, file_b, reason)."""
    sets = _Sets(file_ids)
    shingles = _ShingleSets(sigs) if sigs is not None else {}

    strong = pl.col("joined") & ((pl.col("signal") == "video_id") | (pl.col("score") >= STRONG_CONTAINMENT))
    for a, b in links.filter(strong).select("file_a", "file_b").iter_rows():
        sets.union(a, b)
    refused = []
    weak = links.filter(pl.col("joined") & ~strong).sort(["score", "file_a", "file_b"], descending=[True, False, False])
    for a, b in weak.select("file_a", "file_b").iter_rows():
        ra, rb = sets.find(a), sets.find(b)
        if ra == rb:
            continue
        if len(sets.members[ra]) > 1 and len(sets.members[rb]) > 1:
            refused.append((a, b, "veto:weak_link_between_groups"))
        elif shingles and _group_containment(shingles, sets.members[ra], sets.members[rb]) < thresholds.join:
            refused.append((a, b, "veto:not_contained_in_group"))
        else:
            sets.union(a, b)
    return sets.roots(), refused


def components(file_ids: list[str], links: pl.DataFrame) -> dict[str, str]:
    """file_id -> the smallest file_id of its connected component of joined links (before `group`
    refuses any): the unit a grouping decision never crosses."""
    sets = _Sets(file_ids)
    for a, b in links.filter(pl.col("joined")).select("file_a", "file_b").iter_rows():
        sets.union(a, b)
    return sets.roots()


class _Sets:
    """Union-find over file ids: each set is named by its smallest member and knows its members."""

    def __init__(self, file_ids: list[str]) -> None:
        self.parent = {f: f for f in file_ids}
        self.members = {f: [f] for f in file_ids}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo
            self.members[lo] += self.members.pop(hi)

    def roots(self) -> dict[str, str]:
        """file_id -> the name of its set, in the order the ids were given."""
        return {f: self.find(f) for f in self.parent}


class _ShingleSets(dict):
    """file_id -> its shingle hashes (sorted, unique, numpy), built only for the files a weak link asks about."""

    _EMPTY = np.empty(0, np.uint64)

    def __init__(self, sigs: Mapping[str, pl.Series]) -> None:
        super().__init__()
        self.sigs = sigs

    def __bool__(self) -> bool:
        return bool(self.sigs)

    def hashes(self, file_id: str) -> np.ndarray:
        if file_id not in self:
            if file_id not in self.sigs:
                return self._EMPTY
            self[file_id] = _unique(self.sigs[file_id].to_numpy())
        return self[file_id]


def per_file(sigs: pl.DataFrame) -> dict[str, pl.Series]:
    """Signatures as one frame (file_id, h) -> file_id -> its hashes."""
    grouped = sigs.group_by("file_id").agg(pl.col("h"))
    return dict(zip(grouped["file_id"].to_list(), grouped["h"]))


def candidate_pairs_of(sigs: Mapping[str, pl.Series]) -> pl.DataFrame:
    """`candidate_pairs` on per-file signatures, joined on small integer ids instead of file-id strings
    (a corpus has tens of millions of hashes: a 64-character id on each would cost gigabytes)."""
    ids = sorted(sigs)  # integer order = id order, so (file_a < file_b) means the same as with strings
    hashes = [sigs[f].to_numpy() if sigs[f] is not None else np.empty(0, np.uint64) for f in ids]
    frame = pl.DataFrame({
        "file_id": np.repeat(np.arange(len(ids), dtype=np.uint32), [len(h) for h in hashes]),
        "h": np.concatenate(hashes).astype(np.uint64) if hashes else np.empty(0, np.uint64),
    })
    del hashes
    pairs = candidate_pairs(frame)
    names = pl.Series(ids, dtype=pl.String)
    return pairs.with_columns(pl.Series("file_a", names.gather(pairs["file_a"])),
                              pl.Series("file_b", names.gather(pairs["file_b"])))


def _unique(hashes: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(hashes, np.uint64))


def _group_containment(shingles: _ShingleSets, a: list[str], b: list[str]) -> float:
    """Shared shingles of two groups over the smaller group's shingles."""
    sa, sb = _union(shingles, a), _union(shingles, b)
    return np.intersect1d(sa, sb, assume_unique=True).size / max(1, min(sa.size, sb.size))


def _union(shingles: _ShingleSets, files: list[str]) -> np.ndarray:
    if len(files) == 1:
        return shingles.hashes(files[0])
    return np.unique(np.concatenate([shingles.hashes(f) for f in files]))


def refuse(links: pl.DataFrame, refused: list[tuple[str, str, str]]) -> pl.DataFrame:
    """The links with `refused` ones (file_a, file_b, reason) no longer joined, the reason their signal."""
    if not refused:
        return links
    mark = pl.DataFrame(refused, schema={"file_a": pl.String, "file_b": pl.String, "_why": pl.String}, orient="row")
    out = links.join(mark, on=["file_a", "file_b"], how="left")
    hit = pl.col("_why").is_not_null()
    return out.with_columns(
        pl.when(hit).then(False).otherwise(pl.col("joined")).alias("joined"),
        pl.coalesce("_why", "signal").alias("signal"),
    ).drop("_why")


def mark_exact_copies(files: pl.DataFrame) -> pl.DataFrame:
    """(path, file_id) -> adds copy_of: the first path (sorted) with the same bytes, null for it."""
    first = files.sort("path").group_by("file_id", maintain_order=True).agg(pl.col("path").first().alias("first"))
    return files.join(first, on="file_id").with_columns(
        pl.when(pl.col("path") != pl.col("first")).then(pl.col("first")).alias("copy_of")
    ).drop("first")
