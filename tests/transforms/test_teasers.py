"""Cold-open teasers: clips at the start repeated later are flagged; ordinary openings are not."""

from __future__ import annotations

import random

import numpy as np

from transforms.teasers import teaser_mask


def _words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randint(0, 4000)}" for _ in range(n)]


def test_clips_repeated_later_are_teasers() -> None:
    body = _words(3000, 1)
    clip1, clip2 = body[1500:1515], body[2500:2512]
    intro = _words(20, 2)
    words = clip1 + clip2 + intro + body
    mask = teaser_mask(words)
    assert all(mask[:27]) and not any(mask[27:47])
    assert not any(mask[47:])


def test_no_teaser_without_repeats() -> None:
    assert not any(teaser_mask(_words(2000, 3)))


def test_a_repeat_far_from_the_start_is_not_a_teaser() -> None:
    body = _words(3000, 4)
    words = body[:400] + body[2000:2020] + body[400:]
    assert not any(teaser_mask(words))


def _covered_loop(tokens: list[str]) -> list[bool]:
    """The window-by-window loop `_covered` was first written as (kept here as its specification)."""
    from transforms.teasers import HITS, MAX_REPEATS, MIN_GAP, WINDOW

    later_of: dict[tuple, list[int]] = {}
    for q in range(len(tokens) - 2):
        later_of.setdefault(tuple(tokens[q:q + 3]), []).append(q)
    covered = [False] * len(tokens)
    head = min(len(tokens), max(600, len(tokens) // 5))
    later = [(ps if len(ps := later_of[tuple(tokens[q:q + 3])]) <= MAX_REPEATS else [])
             for q in range(min(head, max(len(tokens) - 2, 0)))]
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


def test_covered_equals_the_window_loop() -> None:
    """Clips (exact and with slips), stock phrases, short and long texts, small vocabularies (many ties)."""
    from transforms.teasers import _covered, _numbered

    rng = random.Random(5)
    clip = [f"c{n}" for n in range(12)]
    at_min_gap = clip + [f"f{n}" for n in range(288)] + clip + [f"g{n}" for n in range(400)]  # repeat 300 words on
    cases = [[], ["a"], ["a", "b", "c"], _words(650, 9), ["x", "y", "z"] * 400, at_min_gap, at_min_gap[1:]]
    for seed in range(60):
        vocab = rng.choice([5, 40, 400, 4000])
        body = [f"w{rng.randint(0, vocab)}" for _ in range(rng.randint(300, 4000))]
        clips = []
        for _ in range(rng.randint(0, 4)):
            a = rng.randint(0, max(0, len(body) - 30))
            clip = body[a:a + rng.randint(5, 30)]
            clips += [w if rng.random() > 0.15 else "slip" for w in clip]  # a transcription slip now and then
        cases.append(clips + body)
    for tokens in cases:
        assert _covered(_numbered(tokens)).tolist() == _covered_loop(tokens)
    assert sum(_covered(_numbered(t)).any() for t in cases) > 10  # the cases do cover clips (not all-False agreement)
    # merging numbers the words of a few episodes together: any numbering that keeps equal words equal
    # (and different ones different) gives the same mask as the words themselves
    assert sum(teaser_mask(t).any() for t in cases[7:20]) >= 3
    for tokens in cases[7:20]:
        vocab = {w: 7 * n + 3 for n, w in enumerate(sorted(set(tokens), reverse=True))}
        assert (teaser_mask(np.array([vocab[w] for w in tokens], dtype=np.int64)) == teaser_mask(tokens)).all()
