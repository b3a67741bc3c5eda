"""Cold-open teasers: passages at the very start of an episode that are repeated later in it."""

from __future__ import annotations

import numpy as np
import polars as pl

WINDOW = 10  # words per head window
HITS = 4  # 3-grams of a window that must recur near one later place
MIN_GAP = 300  # the repeat must come at least this many words later
MAX_GAP = 3  # uncovered words between two clip runs that still belong to the clip
MAX_REPEATS = 20  # a 3-gram found more often than this is a stock phrase, not a clip
MIN_RUN = 8  # a covered run shorter than this is a stock phrase, not a clip
HEAD_START = 50  # the first clip must start within this many words
END_OF_HEAD = 150  # this many uncovered words in a row end the cold open


def teaser_mask(words: list[str] | np.ndarray) -> np.ndarray:
    """Per word: True where it belongs to a clip of the cold open that recurs later.

    `words`: the tokens, or their numbers (equal words, equal numbers; what merging has at hand)."""
    codes = _numbered(words)
    covered = _covered(codes)
    runs = [r for r in _runs(covered) if r[1] - r[0] >= MIN_RUN]
    mask = np.zeros(len(codes), dtype=bool)
    if not runs or runs[0][0] > HEAD_START:
        return mask
    last_end = 0
    for start, end in runs:
        if start - last_end >= END_OF_HEAD:
            break
        fill_from = last_end if 0 < start - last_end <= MAX_GAP else start  # bridge ASR slips
        mask[fill_from:end] = True
        last_end = end
    return mask


def _numbered(words: list[str] | np.ndarray) -> np.ndarray:
    """Words as small non-negative integers (a word's number), so that 3-grams pack into one int64."""
    if isinstance(words, np.ndarray) and words.dtype.kind in "iu" and (not len(words) or words.max() < 2**20):
        return words.astype(np.int64, copy=False)
    return pl.Series(list(words)).rank("dense").to_numpy().astype(np.int64)


def _covered(codes: np.ndarray) -> np.ndarray:
    """Head words inside a window whose 3-grams recur together at least MIN_GAP words later.

    Fuzzy on purpose: the clip and its later occurrence are often transcribed a little differently,
    so a WINDOW-word window counts as repeated when HITS of its 3-grams land near one later place.

    Each window i (starting in the head) takes votes from its 3-grams k = 0..WINDOW-3: a later
    occurrence p of the 3-gram at i + k, at least MIN_GAP words after it, votes for the place
    (p - k) // 4. The place with the most distinct k wins (ties: the one voted for first, by k then
    p); with HITS or more, those 3-grams are covered. Vectorised (0.65 ms for 5,000 words where the
    loop over windows took 2.1 ms); `tests/transforms/test_teasers.py` checks it equals the loop.
    """
    n = len(codes)
    covered = np.zeros(n, dtype=bool)
    head = min(n, max(600, n // 5))
    starts = max(0, head - WINDOW + 1)  # windows start at 0 .. starts - 1
    j, p = _later_pairs(codes, head)
    ks = np.arange(WINDOW - 2, dtype=np.int64)
    i = (j[:, None] - ks).ravel()  # the windows that hold the 3-gram at j, as their k-th
    k = np.broadcast_to(ks, (len(j), len(ks))).ravel()
    ok = (i >= 0) & (i < starts)
    i, k, place = i[ok], k[ok], (np.repeat(p, len(ks))[ok] - k[ok]) // 4
    if not len(i):
        return covered
    # distinct (window, place, k), sorted by window, place, k
    span = int(place.max()) + 1
    votes = np.unique((i * span + place) * WINDOW + k)
    group, k = votes // WINDOW, votes % WINDOW
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])  # each (window, place): its first vote
    count = np.diff(np.r_[first, len(votes)])
    g_window, g_place, g_kmin = group[first] // span, group[first] % span, k[first]
    # per window, its best place: most votes, then the one voted for first (lowest k, then lowest place)
    order = np.lexsort((g_place, g_kmin, -count, g_window))
    best = order[np.r_[True, g_window[order][1:] != g_window[order][:-1]]]
    best = best[count[best] >= HITS]
    # the k of each winning (window, place) group: its votes first[g] .. first[g] + count[g] - 1
    at = np.repeat(first[best], count[best]) + _ranges(count[best])
    start = group[at] // span + k[at]  # window + k: where the covered 3-gram starts
    for d in range(3):
        covered[start + d] = True
    return covered


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """0..n-1 for each n in `lengths`, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lengths, lengths)


def _later_pairs(a: np.ndarray, head: int) -> tuple[np.ndarray, np.ndarray]:
    """(j, p): for each 3-gram starting at j in the head, each position p >= j + MIN_GAP of the same
    3-gram, unless it is a stock phrase (more than MAX_REPEATS of them). Sorted integer keys: linear."""
    if len(a) < 3:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    v = int(a.max()) + 1  # v**3 < 2**63 for numbers under 2**20 (`_numbered`)
    key = (a[:-2] * v + a[1:-1]) * v + a[2:]
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    wanted = key[:min(head, len(key))]
    lo, hi = np.searchsorted(ordered, wanted, "left"), np.searchsorted(ordered, wanted, "right")
    n = np.where(hi - lo <= MAX_REPEATS, hi - lo, 0)
    j = np.repeat(np.arange(len(wanted), dtype=np.int64), n)
    p = order[np.repeat(lo, n) + _ranges(n)]
    keep = p >= j + MIN_GAP
    return j[keep], p[keep]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    edges = np.flatnonzero(np.diff(np.r_[False, mask, False].astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))
