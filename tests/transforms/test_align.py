"""Word alignment: noise, missing words, truncation, unrelated inserts."""

from __future__ import annotations

import random

from transforms.align import align


def test_identical_sequences_align_fully() -> None:
    words = "the quick brown fox jumps over the lazy dog".split()
    al = align(words, list(words))
    assert al.a_to_b == list(range(len(words))) and all(al.equal) and al.wer() == 0.0


def test_noise_is_substitution_not_loss() -> None:
    a = "we trained the model on many gpus in the cluster".split()
    b = "we trains the model on many gp us in a cluster".split()
    al = align(a, b)
    assert al.matched >= 8
    assert al.a_to_b[0] == 0 and al.a_to_b[-1] == len(b) - 1
    assert 0 < al.wer() < 0.6


def test_truncated_version_aligns_to_its_part() -> None:
    rng = random.Random(1)
    a = [f"w{rng.randint(0, 500)}" for _ in range(2000)]
    b = a[700:1300]
    al = align(a, b)
    assert al.span == (700, 1299)
    assert al.matched == 600 and al.a_to_b[700] == 0


def test_long_unrelated_insert_is_not_aligned() -> None:
    a = "one two three four five six seven eight nine ten".split()
    b = "one two three ad ad ad ad ad ad four five six seven eight nine ten".split()
    al = align(a, b)
    assert al.a_to_b[3] == 9 and al.insertions == 6 and al.substitutions == 0


def test_anchored_path_for_very_long_pairs(monkeypatch) -> None:
    import transforms.align as mod
    monkeypatch.setattr(mod, "DIRECT_LIMIT", 10_000)
    rng = random.Random(2)
    a = [f"w{rng.randint(0, 5000)}" for _ in range(3000)]
    b = a[:1000] + ["x"] * 5 + a[1000:]
    al = align(a, b)
    assert al.matched == 3000 and al.a_to_b[1000] == 1005
