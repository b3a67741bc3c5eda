"""Cold-open teasers: passages at the very start of an episode that are repeated later in it."""

from __future__ import annotations

import numpy as np

WINDOW = 10  # words per head window
HITS = 4  # 3-grams of a window that must recur near one later place
MIN_GAP = 300  # the repeat must come at least this many words later
MAX_GAP = 3  # uncovered words between two clip runs that still belong to the clip
MAX_REPEATS = 20  # a 3-gram found more often than this is a stock phrase, not a clip
MIN_RUN = 8  # a covered run shorter than this is a stock phrase, not a clip
HEAD_START = 50  # the first clip must start within this many words
END_OF_HEAD = 150  # this many uncovered words in a row end the cold open


def teaser_mask(tokens: list[str]) -> list[bool]:
    """Per word: True where it belongs to a clip of the cold open that recurs later."""
    covered = _covered(tokens)
    runs = [r for r in _runs(covered) if r[1] - r[0] >= MIN_RUN]
    mask = [False] * len(tokens)
    if not runs or runs[0][0] > HEAD_START:
        return mask
    last_end = 0
    for start, end in runs:
        if start - last_end >= END_OF_HEAD:
            break
        fill_from = last_end if 0 < start - last_end <= MAX_GAP else start  # bridge ASR slips
        mask[fill_from:end] = [True] * (end - fill_from)
        last_end = end
    return mask


def _covered(tokens: list[str]) -> list[bool]:
    """Head words inside a window whose 3-grams recur together at least MIN_GAP words later.

    Fuzzy on purpose: the clip and its later occurrence are often transcribed a little differently,
    so a WINDOW-word window counts as repeated when HITS of its 3-grams land near one later place.
    """
    covered = [False] * len(tokens)
    head = min(len(tokens), max(600, len(tokens) // 5))
    later = _later_positions(tokens, head)
    for i in range(max(0, head - WINDOW + 1)):
        votes: dict[int, set[int]] = {}
        for k in range(WINDOW - 2):
            for p in later[i + k] if i + k < len(later) else ():
                if p - k >= i + MIN_GAP:
                    votes.setdefault((p - k) // 4, set()).add(k)
        best = max(votes.values(), key=len, default=set())
        if len(best) >= HITS:
            for k in best:
                covered[i + k:i + k + 3] = [True] * 3
    return covered


def _later_positions(tokens: list[str], head: int) -> list[list[int]]:
    """For each 3-gram starting in the head: every position of that 3-gram, or none if it is a stock
    phrase (more than MAX_REPEATS of them). Sorted integer keys instead of a dict of tuples: linear."""
    if len(tokens) < 3:
        return []
    ids: dict[str, int] = {}
    a = np.fromiter((ids.setdefault(t, len(ids)) for t in tokens), dtype=np.int64, count=len(tokens))
    v = len(ids) + 1  # v**3 < 2**63 for any vocabulary under two million words
    key = (a[:-2] * v + a[1:-1]) * v + a[2:]
    order = np.argsort(key, kind="stable")  # positions of equal 3-grams stay ascending
    ordered = key[order]
    wanted = key[:min(head, len(key))]
    lo, hi = np.searchsorted(ordered, wanted, "left"), np.searchsorted(ordered, wanted, "right")
    return [order[s:e].tolist() if e - s <= MAX_REPEATS else [] for s, e in zip(lo.tolist(), hi.tolist())]


def _runs(mask: list[bool]) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    runs, start = [], None
    for i, v in enumerate([*mask, False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    return runs
