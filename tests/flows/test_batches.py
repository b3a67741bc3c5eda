"""Staging batches: bounded, in order, even, and a whole number of rounds for the workers."""

from __future__ import annotations

import pytest

from flows.ingest import MIN_BATCH, SPREAD, split_batches


@pytest.mark.parametrize(("n", "size", "workers"), [(223, 64, 2), (2150, 64, 2), (65, 64, 2), (130, 64, 3),
                                                    (5, 64, 2), (7, 3, 2), (3, 1, 2), (1, 1, 4),
                                                    (2131, 256, 2), (204, 256, 2), (21336, 256, 2), (700, 256, 1)])
def test_batches_are_bounded_even_and_fill_every_worker(n: int, size: int, workers: int) -> None:
    items = list(range(n))
    batches = split_batches(items, size, workers)
    assert [i for b in batches for i in b] == items
    sizes = [len(b) for b in batches]
    assert max(sizes) <= size and max(sizes) - min(sizes) <= 1
    if len(batches) > 1 and n >= workers * 2:
        assert len(batches) % workers == 0
    wanted = max(-(-n // size), min(SPREAD * workers, n // MIN_BATCH) if workers > 1 else 0)
    assert len(batches) < wanted + workers  # at most one round more than `size` and the spread ask for
    if workers > 1 and n >= SPREAD * workers * MIN_BATCH:
        assert len(batches) >= SPREAD * workers  # every worker gets several: the last round is short


def test_no_items_no_batches() -> None:
    assert split_batches([], 64, 2) == []
