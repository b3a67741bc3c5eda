"""Cold-open teasers: passages at the very start of an episode that are repeated later in it."""

from __future__ import annotations

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
    later: dict[tuple[str, ...], list[int]] = {}
    for p in range(len(tokens) - 2):
        later.setdefault(tuple(tokens[p:p + 3]), []).append(p)
    later = {k: v for k, v in later.items() if len(v) <= MAX_REPEATS}  # stock phrases vote for nothing
    covered = [False] * len(tokens)
    head = min(len(tokens), max(600, len(tokens) // 5))
    for i in range(max(0, head - WINDOW + 1)):
        votes: dict[int, set[int]] = {}
        for k in range(WINDOW - 2):
            for p in later.get(tuple(tokens[i + k:i + k + 3]), ()):
                if p - k >= i + MIN_GAP:
                    votes.setdefault((p - k) // 4, set()).add(k)
        best = max(votes.values(), key=len, default=set())
        if len(best) >= HITS:
            for k in best:
                covered[i + k:i + k + 3] = [True] * 3
    return covered


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
