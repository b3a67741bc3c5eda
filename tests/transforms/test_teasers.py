"""Cold-open teasers: clips at the start repeated later are flagged; ordinary openings are not."""

from __future__ import annotations

import random

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
