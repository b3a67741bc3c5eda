"""Merge the versions of one episode into one canonical transcript that keeps the best of each.

Text comes from the best version by the declared survivor priority (`rank_versions`); speakers and
times are borrowed word by word, through the alignment, from the other versions in priority order;
canonical segments are split where the speaker (or teaser status) changes; missing times are
interpolated by word position between known ones. Every segment records where its text, speaker
and time came from, and how much of it the other versions agree with.
"""

from __future__ import annotations

import statistics
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
    """A version's words with what each carries: segment, speaker, time estimate."""

    seq: list[int]
    di: list[int]
    tok: list[str]
    speaker: list[str | None]
    time: list[float | None]


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
    work for a whole file) is paid once, not per version."""
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
    w = words_of_files(segs, carry=("start_s", "end_s", "speaker")).with_columns(
        pl.when(k == 0).then(start).when(end.is_not_null() & (end >= start)).then(start + (end - start) * k / n)
        .alias("time"))
    names = ("seq", "di", "tok", "speaker", "time")
    cols = [w[c].to_list() for c in names]
    counts = dict(w.group_by("file_id").len().iter_rows())
    out, a = {}, 0
    for fid in segs:  # the rows come file by file, in this order (words_of_files keeps it)
        b = a + counts.get(fid, 0)
        out[fid] = _Words(*(col[a:b] for col in cols))
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
    aligned = [(v, words[v.file_id]) for v in others]
    alignments = [(v, vw, align(cw.tok, vw.tok)) for v, vw in aligned]
    offsets = _offsets(cw, alignments)
    spk, spk_src = _speakers(canon, cw, alignments)
    teaser = teaser_mask(cw.tok)
    times = _borrowed_times(cw, alignments, offsets)
    agree = _agreement(cw, alignments)
    segments = _segments(canon, cw, spk, spk_src, teaser, times, agree, bool(others))
    _fill_times(segments)
    metrics = _version_metrics(canon, cw, alignments, offsets)
    return Merged(segments, metrics, canon, ranked)


def _offsets(cw: _Words, alignments: list) -> dict[str, float | None]:
    """Median (version time - canonical time) over aligned words where both have a time."""
    out: dict[str, float | None] = {}
    for v, vw, al in alignments:
        diffs = [vw.time[j] - cw.time[i] for i, j in enumerate(al.a_to_b)
                 if j >= 0 and al.equal[i] and cw.time[i] is not None and vw.time[j] is not None]
        out[v.file_id] = statistics.median(diffs) if len(diffs) >= 5 else None
    return out


def _speakers(canon: Version, cw: _Words, alignments: list) -> tuple[list, list]:
    """Per canonical word: its own speaker, else the first version (by rank) that names one."""
    spk, src = list(cw.speaker), [canon.file_id if s else None for s in cw.speaker]
    for v, vw, al in alignments:
        for i, j in enumerate(al.a_to_b):
            if spk[i] is None and j >= 0 and vw.speaker[j]:
                spk[i], src[i] = vw.speaker[j], v.file_id
    _smooth(spk, src, canon.file_id)
    return spk, src


def _smooth(spk: list, src: list, canon_id: str) -> None:
    """Unaligned words take their neighbours' speaker; a borrowed flip of < 3 words is noise."""
    for order in (range(len(spk)), range(len(spk) - 1, -1, -1)):
        carry = None
        for i in order:
            if spk[i] is None and carry is not None:
                spk[i], src[i] = carry
            elif spk[i] is not None:
                carry = (spk[i], src[i])
    i = 0
    while i < len(spk):
        j = i
        while j < len(spk) and spk[j] == spk[i]:
            j += 1
        short_flip = 0 < i and j < len(spk) and j - i < 3 and spk[i - 1] == spk[j]
        if short_flip and src[i] != canon_id:
            spk[i:j], src[i:j] = [spk[i - 1]] * (j - i), [src[i - 1]] * (j - i)
        i = j


def _borrowed_times(cw: _Words, alignments: list, offsets: dict) -> list[tuple[float, str] | None]:
    """Per canonical word: a time from the first timed version aligned to it, on the canonical clock."""
    canon_timed = sum(t is not None for t in cw.time) >= 5
    out: list[tuple[float, str] | None] = [None] * len(cw.tok)
    for v, vw, al in alignments:
        shift = offsets.get(v.file_id) if canon_timed else 0.0
        if shift is None:
            continue
        for i, j in enumerate(al.a_to_b):
            if out[i] is None and j >= 0 and al.equal[i] and vw.time[j] is not None:
                out[i] = (max(0.0, vw.time[j] - shift), v.file_id)
    return out


def _agreement(cw: _Words, alignments: list) -> np.ndarray:
    """Per canonical word: share of other versions whose aligned word is the same word."""
    if not alignments:
        return np.ones(len(cw.tok))
    return np.sum([np.asarray(al.equal, dtype=np.int64) for _, _, al in alignments], axis=0) / len(alignments)


def _segments(canon: Version, cw: _Words, spk: list, spk_src: list, teaser: list, times: list,
              agree: np.ndarray, multi: bool) -> dict[str, list]:
    """Canonical segments (as columns), split where the speaker or teaser status changes between words.

    Each segment's words become pieces (runs of one speaker and teaser status); a segment without
    words (an event) is one empty piece. Only a segment of several pieces has its text cut, at the
    display token of each later piece's first word (its verbatim text at the same relative places).
    """
    seg = canon.segments
    seqs, seg_start, seg_end = seg["seq"].to_list(), seg["start_s"].to_list(), seg["end_s"].to_list()
    seg_spk, verbatim, display = seg["speaker"].to_list(), seg["text"].to_list(), seg["text_display"].to_list()
    events = seg["is_event"].to_list()
    order, first, length = _pieces(cw.seq, spk, teaser)
    piece_seq = [cw.seq[order[f]] for f in first]
    agree_sum = np.add.reduceat(agree[order], first).tolist() if first else []
    by_seq: dict[int, list[int]] = {}  # segment seq -> its pieces
    for p, sq in enumerate(piece_seq):
        by_seq.setdefault(sq, []).append(p)
    fid = canon.file_id
    cols: dict[str, list] = {name: [] for name in SEGMENT_COLUMNS}
    for s, sq in enumerate(seqs):
        pieces = by_seq.get(sq)
        if not pieces:  # no words: the segment as it is
            own = seg_start[s]
            _add(cols, own, seg_end[s] if own is not None else None, seg_spk[s], display[s], verbatim[s], 0, False,
                 events[s], fid if seg_spk[s] else None, fid if own is not None else None,
                 "source" if own is not None else None, None, s, fid)
            continue
        heads = [order[first[p]] for p in pieces]  # each piece's first word
        if len(pieces) == 1:
            texts, verbatims = [display[s]], [verbatim[s]]
        else:
            disp = display[s].split(" ")
            cuts = [cw.di[w] for w in heads[1:]]
            texts, verbatims = _cut(disp, cuts), _cut_verbatim(verbatim[s], len(disp), cuts)
        for k, (p, w) in enumerate(zip(pieces, heads)):
            own = seg_start[s] if k == 0 else None
            borrowed = times[w] if own is None else None
            n = length[p]
            _add(cols, own if own is not None else (round(borrowed[0], 3) if borrowed else None),
                 seg_end[s] if k == 0 and own is not None else None, spk[w],
                 display[s] if events[s] else texts[k], verbatims[k], n, teaser[w], events[s], spk_src[w],
                 fid if own is not None else (borrowed[1] if borrowed else None),
                 "source" if own is not None else ("borrowed" if borrowed else None),
                 agree_sum[p] / n if multi else None, s, fid)
    cols["seq"] = list(range(len(cols["text"])))
    cols["rules"] = seg["rules"].gather(cols.pop("_row"))  # (a Series: lists of lists are slow to build)
    return cols


# the columns `_segments` appends to, in `_add`'s order; `_row` (the source segment's row) becomes `rules`
SEGMENT_COLUMNS = ("start_s", "end_s", "speaker", "text", "text_verbatim", "n_words", "is_teaser", "is_event",
                   "speaker_file_id", "time_file_id", "time_source", "agreement", "_row", "text_file_id")


def _add(cols: dict[str, list], *values) -> None:
    for name, value in zip(SEGMENT_COLUMNS, values):
        cols[name].append(value)


def _pieces(seq: list[int], spk: list, teaser: list) -> tuple[list[int], list[int], list[int]]:
    """Words grouped by segment (in word order within one), then cut where the (speaker, teaser) of
    a word differs from the previous word's: (word order, each piece's first place in it, its length)."""
    n = len(seq)
    if not n:
        return [], [], []
    sq = np.asarray(seq, dtype=np.int64)
    order = np.argsort(sq, kind="stable") if np.any(sq[1:] < sq[:-1]) else np.arange(n)
    who, tease, s = np.asarray(spk, dtype=object)[order], np.asarray(teaser, dtype=bool)[order], sq[order]
    start = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (who[1:] != who[:-1]) | (tease[1:] != tease[:-1])])
    return order.tolist(), start.tolist(), np.diff(np.r_[start, n]).tolist()


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


def _version_metrics(canon: Version, cw: _Words, alignments: list, offsets: dict) -> list[dict]:
    n = len(cw.tok)
    out = [{"file_id": canon.file_id, "role": "canonical", "quality_rank": 1, "n_words": n,
            "coverage": 1.0, "wer": 0.0, "offset_s": 0.0, "words_only_here": 0}]
    for rank, (v, vw, al) in enumerate(alignments, start=2):
        coverage = al.matched / n if n else 0.0
        role = "partial" if coverage < PARTIAL_COVERAGE and len(vw.tok) < 0.8 * n else "merged"
        out.append({"file_id": v.file_id, "role": role, "quality_rank": rank, "n_words": len(vw.tok),
                    "coverage": round(coverage, 4), "wer": _round(al.wer()),
                    "offset_s": _round(offsets.get(v.file_id)), "words_only_here": len(vw.tok) - al.matched})
    return out


def _round(x: float | None) -> float | None:
    return round(x, 4) if x is not None else None


__all__ = ["Alignment", "KIND_RANK", "Merged", "Version", "merge_episode", "rank_versions"]
