"""Merge the versions of one episode into one canonical transcript that keeps the best of each.

Text comes from the best version by the declared survivor priority (`rank_versions`); speakers and
times are borrowed word by word, through the alignment, from the other versions in priority order;
canonical segments are split where the speaker (or teaser status) changes; missing times are
interpolated by word position between known ones. Every segment records where its text, speaker
and time came from, and how much of it the other versions agree with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from transforms.align import Alignment, align
from transforms.parsers.base import TranscriptMeta
from transforms.teasers import teaser_mask
from transforms.words import words_of_files

KIND_RANK = {"human": 0, "whisper": 1, "auto_caption": 2, "unknown": 3}
WORDS_PER_SECOND = 2.5  # speaking pace used only to extrapolate past the last known time
PARTIAL_COVERAGE = 0.6


@dataclass
class Version:
    """One parsed and cleaned file."""

    file_id: str
    format: str
    kind: str
    meta: TranscriptMeta
    segments: pl.DataFrame  # CLEAN_SEGMENTS


@dataclass
class _Words:
    """A version's words with what each carries: segment, speaker, time estimate (arrays: merging
    works on them word by word, in numpy rather than in Python loops)."""

    seq: np.ndarray  # its segment's seq
    di: np.ndarray  # its display token's index in the segment
    code: np.ndarray  # its matching form's number: what alignment and teasers compare
    speaker: np.ndarray  # index into `names`; -1: none
    time: np.ndarray  # seconds; NaN: none
    tok: pl.Series  # its matching form (a slice of the query's column: merging reads only `code`)
    names: list[str]  # the speakers' names of the versions found together (shared by them)


@dataclass
class _Aligned:
    """Another version aligned onto the canonical one: `j[i]` its word aligned to canonical word i
    (-1: none), `eq[i]` whether the two are the same word."""

    version: Version
    words: _Words
    alignment: Alignment
    j: np.ndarray = field(init=False)
    eq: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.j = np.asarray(self.alignment.a_to_b, dtype=np.int64)
        self.eq = np.asarray(self.alignment.equal, dtype=bool)


@dataclass
class Merged:
    segments: dict[str, list]  # column -> values, SEGMENTS' columns but episode_id
    versions: list[dict]
    canonical: Version
    ranked: list[Version] = field(default_factory=list)


def rank_versions(versions: list[Version], kind_rank: dict[str, int] | None = None) -> list[Version]:
    """Survivor priority: kind rank, has speakers, share of timed segments, words, then file id."""
    ranks = kind_rank or KIND_RANK

    def key(v: Version) -> tuple:
        seg = v.segments
        n = max(seg.height, 1)
        return (ranks.get(v.kind, 9), -int(seg["speaker"].null_count() < seg.height),
                -round(seg["start_s"].is_not_null().sum() / n, 2), -seg.height, v.file_id)
    return sorted(versions, key=key)


def words_of_versions(versions: list[Version]) -> dict[str, _Words]:
    """Each version's words, each with its segment's speaker and a time: the segment's start plus the
    word's share (k-th of n) of the segment's span; past the first word, no time if the segment has
    no end or ends before it starts.

    Many versions (a chunk of episodes) in one polars query: its fixed cost (~5 ms, as much as the
    work for a whole file) is paid once, not per version. Tokens and speakers are numbered across
    all of them, so versions found together compare by number."""
    segs = {v.file_id: v.segments for v in versions}
    if not segs:
        return {}
    # a segment's words are consecutive rows: k (the word's place in it) and n (its words) from where
    # each run of rows starts and ends, filled along the rows (a window per segment cost ~3x more)
    row, fid, seq = pl.int_range(pl.len()), pl.col("file_id"), pl.col("seq")
    first = pl.when(((fid != fid.shift(1)) | (seq != seq.shift(1))).fill_null(True)).then(row).forward_fill()
    last = pl.when(((fid != fid.shift(-1)) | (seq != seq.shift(-1))).fill_null(True)).then(row).backward_fill()
    k, n = (row - first).cast(pl.Float64), last - first + 1
    start, end = pl.col("start_s"), pl.col("end_s")
    names = sorted({name for seg in segs.values() for name in seg["speaker"].unique().to_list() if name is not None})
    w = words_of_files(segs, carry=("start_s", "end_s", "speaker"), numbered=True).with_columns(
        pl.when(k == 0).then(start).when(end.is_not_null() & (end >= start)).then(start + (end - start) * k / n)
        .alias("time"),
        pl.col("speaker").replace_strict(names, range(len(names)), default=-1, return_dtype=pl.Int64).alias("spk"))
    seqs, dis, codes, spks, times = (w[c].to_numpy() for c in ("seq", "di", "code", "spk", "time"))
    counts = dict(w.group_by("file_id").len().iter_rows())
    out, a = {}, 0
    for fid in segs:  # the rows come file by file, in this order (words_of_files keeps it)
        b = a + counts.get(fid, 0)
        out[fid] = _Words(seqs[a:b], dis[a:b], codes[a:b], spks[a:b], times[a:b], w["tok"].slice(a, b - a), names)
        a = b
    return out


def merge_episode(versions: list[Version], kind_rank: dict[str, int] | None = None,
                  words: dict[str, _Words] | None = None) -> Merged:
    """All versions of one episode -> canonical segments (dicts) and per-version metrics (`words`:
    the versions' `words_of_versions`, when they were found for many episodes at once)."""
    ranked = rank_versions(versions, kind_rank)
    canon, others = ranked[0], ranked[1:]
    words = words if words is not None else words_of_versions(ranked)
    cw = words[canon.file_id]
    canon_words = cw.code.tolist()  # (rapidfuzz compares lists of ints a little faster than of strings)
    aligned = [_Aligned(v, words[v.file_id], align(canon_words, words[v.file_id].code.tolist())) for v in others]
    offsets = _offsets(cw, aligned)
    spk, spk_src = _speakers(cw, aligned)
    teaser = teaser_mask(cw.code)
    times, time_src = _borrowed_times(cw, aligned, offsets)
    agree = _agreement(cw, aligned)
    # per word, the version a speaker or time came from: 0 the canonical one, k the k-th other, -1 none
    file_ids = np.array([canon.file_id, *(a.version.file_id for a in aligned), None], dtype=object)
    names = np.array([*cw.names, None], dtype=object)  # (index -1: none)
    segments = _segments(canon, cw, names, spk, file_ids, spk_src, teaser, times, time_src, agree, bool(others))
    _fill_times(segments)
    metrics = _version_metrics(canon, cw, aligned, offsets)
    return Merged(segments, metrics, canon, ranked)


def _offsets(cw: _Words, aligned: list[_Aligned]) -> dict[str, float | None]:
    """Median (version time - canonical time) over aligned words where both have a time."""
    out: dict[str, float | None] = {}
    for a in aligned:
        i = np.flatnonzero((a.j >= 0) & a.eq)
        diffs = a.words.time[a.j[i]] - cw.time[i]
        diffs = diffs[~np.isnan(diffs)]
        out[a.version.file_id] = float(np.median(diffs)) if len(diffs) >= 5 else None
    return out


def _speakers(cw: _Words, aligned: list[_Aligned]) -> tuple[np.ndarray, np.ndarray]:
    """Per canonical word: its own speaker, else the first version (by rank) that names one; and
    where it came from (0: the canonical version, k: the k-th other, -1: nowhere)."""
    spk = cw.speaker.copy()
    src = np.where(_named(cw), 0, -1)
    for k, a in enumerate(aligned, start=1):
        i = np.flatnonzero((spk < 0) & (a.j >= 0))
        i = i[_named(a.words)[a.j[i]]]
        spk[i], src[i] = a.words.speaker[a.j[i]], k
    return _smooth(spk, src)


def _named(w: _Words) -> np.ndarray:
    """Per word: whether its speaker is a name (not none, not empty)."""
    return np.array([bool(name) for name in w.names] + [False])[w.speaker]


def _smooth(spk: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unaligned words take their neighbours' speaker (the one before, else the first after); a
    borrowed flip of < 3 words between two runs of one speaker is noise and takes their speaker.

    Flips are undone left to right: a run that follows an undone flip has its own speaker on both
    sides then, so of consecutive flips every other one is undone, starting with the first.
    `tests/transforms/test_merge_words.py` checks this against the word-by-word loop."""
    n = len(spk)
    known = spk >= 0
    if not known.any():
        return spk, src
    fill = np.maximum.accumulate(np.where(known, np.arange(n), -1))
    fill[fill < 0] = np.argmax(known)  # before the first named word: the first one
    spk, src = spk[fill], src[fill]
    starts = np.flatnonzero(np.r_[True, spk[1:] != spk[:-1]])  # runs of one speaker
    ends = np.r_[starts[1:], n]
    inner = (starts > 0) & (ends < n) & (ends - starts < 3)
    inner[inner] = spk[starts[inner] - 1] == spk[ends[inner]]
    flip = inner & (src[starts] != 0)
    runs = np.arange(len(starts))
    chain = np.maximum.accumulate(np.where(flip & ~np.r_[False, flip[:-1]], runs, 0))  # first of consecutive flips
    flip &= (runs - chain) % 2 == 0
    if flip.any():
        word_run = np.repeat(runs, ends - starts)
        at = np.flatnonzero(flip[word_run])
        before = starts[word_run[at]] - 1
        spk, src = spk.copy(), src.copy()
        spk[at], src[at] = spk[before], src[before]
    return spk, src


def _borrowed_times(cw: _Words, aligned: list[_Aligned], offsets: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per canonical word: a time from the first timed version aligned to it, on the canonical clock
    (NaN: none), and which version it came from (k: the k-th other, -1: none)."""
    canon_timed = np.count_nonzero(~np.isnan(cw.time)) >= 5
    times, src = np.full(len(cw.code), np.nan), np.full(len(cw.code), -1)
    for k, a in enumerate(aligned, start=1):
        shift = offsets.get(a.version.file_id) if canon_timed else 0.0
        if shift is None:
            continue
        i = np.flatnonzero((src < 0) & (a.j >= 0) & a.eq)
        t = a.words.time[a.j[i]]
        i, t = i[~np.isnan(t)], t[~np.isnan(t)] - shift
        times[i], src[i] = np.where(t > 0.0, t, 0.0), k  # (as max(0.0, t))
    return times, src


def _agreement(cw: _Words, aligned: list[_Aligned]) -> np.ndarray:
    """Per canonical word: share of other versions whose aligned word is the same word."""
    if not aligned:
        return np.ones(len(cw.code))
    return np.sum([a.eq.astype(np.int64) for a in aligned], axis=0) / len(aligned)


def _segments(canon: Version, cw: _Words, names: np.ndarray, spk: np.ndarray, file_ids: np.ndarray,
              spk_src: np.ndarray, teaser: np.ndarray, times: np.ndarray, time_src: np.ndarray,
              agree: np.ndarray, multi: bool) -> dict[str, list]:
    """Canonical segments (as columns), split where the speaker or teaser status changes between words.

    Each segment's words become pieces (runs of one speaker and teaser status); a segment without
    words (an event) is one empty piece. Only a segment of several pieces has its text cut, at the
    display token of each later piece's first word (its verbatim text at the same relative places).
    Per word: `spk` indexes `names` and `spk_src`/`time_src` index `file_ids` (-1: none).
    """
    seg = canon.segments
    seqs, seg_start, seg_end = seg["seq"].to_list(), seg["start_s"].to_list(), seg["end_s"].to_list()
    seg_spk, verbatim, display = seg["speaker"].to_list(), seg["text"].to_list(), seg["text_display"].to_list()
    events = seg["is_event"].to_list()
    order, first, length = _pieces(cw.seq, spk, teaser)
    heads = order[first]  # each piece's first word, and what it carries
    piece_seq, piece_di, piece_teaser = cw.seq[heads].tolist(), cw.di[heads].tolist(), teaser[heads].tolist()
    piece_spk, piece_spk_src = names[spk[heads]].tolist(), file_ids[spk_src[heads]].tolist()
    piece_time, piece_time_src = times[heads].tolist(), file_ids[time_src[heads]].tolist()
    agree_sum = np.add.reduceat(agree[order], first).tolist() if len(first) else []
    length = length.tolist()
    by_seq: dict[int, list[int]] = {}  # segment seq -> its pieces
    for p, sq in enumerate(piece_seq):
        by_seq.setdefault(sq, []).append(p)
    fid = canon.file_id
    rows: list[tuple] = []  # one per output segment, SEGMENT_COLUMNS' values
    for s, sq in enumerate(seqs):
        pieces = by_seq.get(sq)
        if not pieces:  # no words: the segment as it is
            own = seg_start[s]
            rows.append((own, seg_end[s] if own is not None else None, seg_spk[s], display[s], verbatim[s], 0, False,
                         events[s], fid if seg_spk[s] else None, fid if own is not None else None,
                         "source" if own is not None else None, None, s, fid))
            continue
        if len(pieces) == 1:
            texts, verbatims = [display[s]], [verbatim[s]]
        else:
            disp = display[s].split(" ")
            cuts = [piece_di[p] for p in pieces[1:]]
            texts, verbatims = _cut(disp, cuts), _cut_verbatim(verbatim[s], len(disp), cuts)
        for k, p in enumerate(pieces):
            own = seg_start[s] if k == 0 else None
            borrowed = own is None and piece_time_src[p] is not None
            n = length[p]
            rows.append((own if own is not None else (round(piece_time[p], 3) if borrowed else None),
                         seg_end[s] if k == 0 and own is not None else None, piece_spk[p],
                         display[s] if events[s] else texts[k], verbatims[k], n, piece_teaser[p], events[s],
                         piece_spk_src[p], fid if own is not None else (piece_time_src[p] if borrowed else None),
                         "source" if own is not None else ("borrowed" if borrowed else None),
                         agree_sum[p] / n if multi else None, s, fid))
    cols = {name: list(values) for name, values in zip(SEGMENT_COLUMNS, zip(*rows))} if rows \
        else {name: [] for name in SEGMENT_COLUMNS}
    cols["seq"] = list(range(len(rows)))
    cols["rules"] = seg["rules"].gather(cols.pop("_row"))  # (a Series: lists of lists are slow to build)
    return cols


# the columns of `_segments`' rows, in order; `_row` (the source segment's row) becomes `rules`
SEGMENT_COLUMNS = ("start_s", "end_s", "speaker", "text", "text_verbatim", "n_words", "is_teaser", "is_event",
                   "speaker_file_id", "time_file_id", "time_source", "agreement", "_row", "text_file_id")


def _pieces(seq: np.ndarray, spk: np.ndarray, teaser: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Words grouped by segment (in word order within one), then cut where the (speaker, teaser) of
    a word differs from the previous word's: (word order, each piece's first place in it, its length)."""
    n = len(seq)
    if not n:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.argsort(seq, kind="stable") if np.any(seq[1:] < seq[:-1]) else np.arange(n)
    who, tease, s = spk[order], teaser[order], seq[order]
    start = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (who[1:] != who[:-1]) | (tease[1:] != tease[:-1])])
    return order, start, np.diff(np.r_[start, n])


def _cut(tokens: list[str], cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, len(tokens)]
    return [" ".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:])]


def _cut_verbatim(verbatim: str, n_display: int, cuts: list[int]) -> list[str]:
    """Split the verbatim text at the same relative positions as the display text."""
    if not cuts:
        return [verbatim]
    tokens = verbatim.split()
    return _cut(tokens, [round(c / max(n_display, 1) * len(tokens)) for c in cuts])


def _fill_times(cols: dict[str, list]) -> None:
    """Drop borrowed times that break the order; interpolate the rest by word position (columns)."""
    start, end, source, time_fid = cols["start_s"], cols["end_s"], cols["time_source"], cols["time_file_id"]
    teaser, n_words = cols["is_teaser"], cols["n_words"]
    rows = range(len(start))
    if all(t is None for t in start):
        return
    last = -1.0
    for i in rows:
        if start[i] is not None and source[i] == "borrowed" and start[i] < last:
            start[i], source[i], time_fid[i] = None, None, None
        if start[i] is not None and not teaser[i]:
            last = start[i]
    following = float("inf")  # and borrowed times later than the next segment's own time
    for i in reversed(rows):
        if start[i] is not None and source[i] == "borrowed" and start[i] > following:
            start[i], source[i], time_fid[i] = None, None, None
        if start[i] is not None and source[i] == "source" and not teaser[i]:
            following = start[i]
    cum = [0]
    for n in n_words:
        cum.append(cum[-1] + max(n, 1))
    anchors = [(i, start[i]) for i in rows if start[i] is not None]
    for a, b in zip([(None, None), *anchors], [*anchors, (None, None)]):
        _interpolate(start, source, cum, a, b)
    for i in rows[:-1]:
        if end[i] is None or end[i] < start[i]:
            nxt = start[i + 1]
            end[i] = max(start[i], nxt) if nxt >= start[i] else start[i]
    if end[-1] is None:
        end[-1] = start[-1] + n_words[-1] / WORDS_PER_SECOND


def _interpolate(start: list, source: list, cum: list[int], a: tuple, b: tuple) -> None:
    """Fill start times of rows strictly between anchors a and b (either may be open)."""
    (ia, ta), (ib, tb) = a, b
    lo, hi = (ia + 1 if ia is not None else 0), (ib if ib is not None else len(start))
    for i in range(lo, hi):
        if ia is not None and ib is not None:
            frac = (cum[i] - cum[ia]) / max(cum[ib] - cum[ia], 1)
            t = ta + frac * (tb - ta)
        elif ia is not None:
            t = ta + (cum[i] - cum[ia]) / WORDS_PER_SECOND
        else:
            t = max(0.0, tb - (cum[ib] - cum[i]) / WORDS_PER_SECOND)
        start[i], source[i] = round(t, 3), "interpolated"


def _version_metrics(canon: Version, cw: _Words, aligned: list[_Aligned], offsets: dict) -> list[dict]:
    n = len(cw.code)
    out = [{"file_id": canon.file_id, "role": "canonical", "quality_rank": 1, "n_words": n,
            "coverage": 1.0, "wer": 0.0, "offset_s": 0.0, "words_only_here": 0}]
    for rank, a in enumerate(aligned, start=2):
        v, vw, al = a.version, a.words, a.alignment
        coverage = al.matched / n if n else 0.0
        role = "partial" if coverage < PARTIAL_COVERAGE and len(vw.code) < 0.8 * n else "merged"
        out.append({"file_id": v.file_id, "role": role, "quality_rank": rank, "n_words": len(vw.code),
                    "coverage": round(coverage, 4), "wer": _round(al.wer()),
                    "offset_s": _round(offsets.get(v.file_id)), "words_only_here": len(vw.code) - al.matched})
    return out


def _round(x: float | None) -> float | None:
    return round(x, 4) if x is not None else None


__all__ = ["Alignment", "KIND_RANK", "Merged", "Version", "merge_episode", "rank_versions"]
