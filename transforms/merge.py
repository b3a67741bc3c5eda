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
    segments: list[dict]
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
    seg = pl.concat([s.lazy().select("seq", "start_s", "end_s", "speaker").with_columns(pl.lit(fid).alias("file_id"))
                     for fid, s in segs.items()])
    k = (pl.col("pos") - pl.col("pos").min().over("file_id", "seq")).cast(pl.Float64)
    start, end = pl.col("start_s"), pl.col("end_s")
    w = (words_of_files(segs).lazy().join(seg, on=["file_id", "seq"], how="left", maintain_order="left")
         .with_columns(pl.when(k == 0).then(start)
                       .when(end.is_not_null() & (end >= start))
                       .then(start + (end - start) * k / pl.len().over("file_id", "seq"))
                       .alias("time"))
         .collect())
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


def _agreement(cw: _Words, alignments: list) -> list[float]:
    """Per canonical word: share of other versions whose aligned word is the same word."""
    if not alignments:
        return [1.0] * len(cw.tok)
    n = len(alignments)
    return [sum(al.equal[i] for _, _, al in alignments) / n for i in range(len(cw.tok))]


def _segments(canon: Version, cw: _Words, spk: list, spk_src: list, teaser: list, times: list,
              agree: list, multi: bool) -> list[dict]:
    """Canonical segments, split where the speaker or teaser status changes between words."""
    by_seq: dict[int, list[int]] = {}
    for i, sq in enumerate(cw.seq):
        by_seq.setdefault(sq, []).append(i)
    out: list[dict] = []
    for seg in canon.segments.to_dicts():
        idx = by_seq.get(seg["seq"], [])
        pieces = _pieces(idx, spk, teaser) if idx else [[]]
        disp = seg["text_display"].split(" ")
        cuts = [cw.di[p[0]] for p in pieces[1:]]
        texts = _cut(disp, cuts)
        verbatims = _cut_verbatim(seg["text"], len(disp), cuts)
        for k, (piece, text, verbatim) in enumerate(zip(pieces, texts, verbatims)):
            out.append(_piece_row(canon, seg, piece, k, text, verbatim, spk, spk_src, teaser, times, agree, multi))
    for n, row in enumerate(out):
        row["seq"] = n
    return out


def _pieces(idx: list[int], spk: list, teaser: list) -> list[list[int]]:
    pieces = [[idx[0]]]
    for i in idx[1:]:
        if (spk[i], teaser[i]) != (spk[pieces[-1][-1]], teaser[pieces[-1][-1]]):
            pieces.append([])
        pieces[-1].append(i)
    return pieces


def _cut(tokens: list[str], cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, len(tokens)]
    return [" ".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:])]


def _cut_verbatim(verbatim: str, n_display: int, cuts: list[int]) -> list[str]:
    """Split the verbatim text at the same relative positions as the display text."""
    if not cuts:
        return [verbatim]
    tokens = verbatim.split()
    return _cut(tokens, [round(c / max(n_display, 1) * len(tokens)) for c in cuts])


def _piece_row(canon: Version, seg: dict, piece: list[int], k: int, text: str, verbatim: str, spk: list,
               spk_src: list, teaser: list, times: list, agree: list, multi: bool) -> dict:
    first = piece[0] if piece else None
    own_time = seg["start_s"] if k == 0 else None
    borrowed = times[first] if first is not None and own_time is None else None
    speaker = spk[first] if first is not None else seg["speaker"]
    return {
        "start_s": own_time if own_time is not None else (round(borrowed[0], 3) if borrowed else None),
        "end_s": seg["end_s"] if k == 0 and own_time is not None else None,
        "speaker": speaker,
        "text": text if not seg["is_event"] else seg["text_display"],
        "text_verbatim": verbatim,
        "n_words": len(piece),
        "is_teaser": bool(piece) and sum(teaser[i] for i in piece) * 2 > len(piece),
        "is_event": seg["is_event"],
        "text_file_id": canon.file_id,
        "speaker_file_id": spk_src[first] if first is not None else (canon.file_id if speaker else None),
        "time_file_id": canon.file_id if own_time is not None else (borrowed[1] if borrowed else None),
        "time_source": "source" if own_time is not None else ("borrowed" if borrowed else None),
        "agreement": (sum(agree[i] for i in piece) / len(piece) if piece else None) if multi else None,
        "rules": seg["rules"],
    }


def _fill_times(rows: list[dict]) -> None:
    """Drop borrowed times that break the order; interpolate the rest by word position."""
    known = [(i, r["start_s"]) for i, r in enumerate(rows) if r["start_s"] is not None]
    if not known:
        return
    last = -1.0
    for i, r in enumerate(rows):
        if r["start_s"] is not None and r["time_source"] == "borrowed" and r["start_s"] < last:
            r["start_s"], r["time_source"], r["time_file_id"] = None, None, None
        if r["start_s"] is not None and not r["is_teaser"]:
            last = r["start_s"]
    following = float("inf")  # and borrowed times later than the next segment's own time
    for r in reversed(rows):
        if r["start_s"] is not None and r["time_source"] == "borrowed" and r["start_s"] > following:
            r["start_s"], r["time_source"], r["time_file_id"] = None, None, None
        if r["start_s"] is not None and r["time_source"] == "source" and not r["is_teaser"]:
            following = r["start_s"]
    cum = [0]
    for r in rows:
        cum.append(cum[-1] + max(r["n_words"], 1))
    anchors = [(i, r["start_s"]) for i, r in enumerate(rows) if r["start_s"] is not None]
    for a, b in zip([(None, None), *anchors], [*anchors, (None, None)]):
        _interpolate(rows, cum, a, b)
    for r, nxt in zip(rows, rows[1:]):
        if r["end_s"] is None or r["end_s"] < r["start_s"]:
            r["end_s"] = max(r["start_s"], nxt["start_s"]) if nxt["start_s"] >= r["start_s"] else r["start_s"]
    if rows[-1]["end_s"] is None:
        rows[-1]["end_s"] = rows[-1]["start_s"] + rows[-1]["n_words"] / WORDS_PER_SECOND


def _interpolate(rows: list[dict], cum: list[int], a: tuple, b: tuple) -> None:
    """Fill start times of rows strictly between anchors a and b (either may be open)."""
    (ia, ta), (ib, tb) = a, b
    lo, hi = (ia + 1 if ia is not None else 0), (ib if ib is not None else len(rows))
    for i in range(lo, hi):
        if ia is not None and ib is not None:
            frac = (cum[i] - cum[ia]) / max(cum[ib] - cum[ia], 1)
            t = ta + frac * (tb - ta)
        elif ia is not None:
            t = ta + (cum[i] - cum[ia]) / WORDS_PER_SECOND
        else:
            t = max(0.0, tb - (cum[ib] - cum[i]) / WORDS_PER_SECOND)
        rows[i]["start_s"], rows[i]["time_source"] = round(t, 3), "interpolated"


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
