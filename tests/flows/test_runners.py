"""The `processes` runner's worker pool: work goes to other processes, a dead worker does not
leave a broken pool behind, and a task that runs where the pool is unknown does its work itself."""

from __future__ import annotations

import gc
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from flows.runners import GC_THRESHOLD, fewer_collections, offload, start_pool, stop_pool


def test_offload_runs_in_the_pool_of_its_key_else_here() -> None:
    key = start_pool(2)
    try:
        assert offload(key, os.getpid) != os.getpid()
        assert offload(None, os.getpid) == os.getpid()  # (a thread runner's task)
        assert offload("another process's pool", os.getpid) == os.getpid()  # (a Dask worker's task)
    finally:
        stop_pool(key)
    assert offload(key, os.getpid) == os.getpid()  # stopped: forgotten


def test_a_dead_worker_fails_its_task_once_and_the_retry_gets_live_workers() -> None:
    key = start_pool(1)
    try:
        first = offload(key, os.getpid)
        with pytest.raises(BrokenProcessPool):
            offload(key, os._exit, 3)  # the worker dies (as one killed for memory would)
        second = offload(key, os.getpid)  # the retry
        assert second not in (first, os.getpid())
    finally:
        stop_pool(key)


def test_fewer_collections_tunes_the_collector_for_the_run_and_restores_it() -> None:
    """While a flow works, what was loaded is frozen out of the collector's scans and it runs less
    often; afterwards the process is as it was (a process running many flows keeps nothing frozen),
    also when the run fails."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert before != GC_THRESHOLD
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > frozen
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
