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


def _reference(a: list[str], b: list[str]) -> tuple[list[int], list[bool], int, int, int, tuple[int, int]]:
    """The alignment word by word, as `align` defined it before it filled runs by slices."""
    from rapidfuzz.distance import Levenshtein

    a_to_b, equal = [-1] * len(a), [False] * len(a)
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal" or (op.tag == "replace" and op.src_end - op.src_start <= 3):
            for k in range(min(op.src_end - op.src_start, op.dest_end - op.dest_start)):
                a_to_b[op.src_start + k], equal[op.src_start + k] = op.dest_start + k, op.tag == "equal"
    aligned = [i for i, j in enumerate(a_to_b) if j >= 0]
    if not aligned:
        return a_to_b, equal, 0, 0, 0, (-1, -1)
    first, last = aligned[0], aligned[-1]
    ins = a_to_b[last] - a_to_b[first] + 1 - len(aligned)
    return (a_to_b, equal, sum(1 for i in aligned if not equal[i]), last - first + 1 - len(aligned), max(0, ins),
            (first, last))


def test_runs_filled_at_once_equal_the_word_by_word_alignment() -> None:
    rng = random.Random(11)
    for _ in range(400):
        vocab = [f"w{k}" for k in range(rng.randint(2, 12))]
        a = [rng.choice(vocab) for _ in range(rng.randint(0, 60))]
        b = list(a) if rng.random() < 0.3 else [rng.choice(vocab) for _ in range(rng.randint(0, 60))]
        for _ in range(rng.randint(0, 6)):  # edits: near copies as well as unrelated pairs
            if b:
                b[rng.randrange(len(b))] = rng.choice(vocab + ["x"])
        al = align(a, b)
        assert (al.a_to_b, al.equal, al.substitutions, al.deletions, al.insertions, al.span) == _reference(a, b)
        assert al.matched == sum(1 for j in al.a_to_b if j >= 0)
