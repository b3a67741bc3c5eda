"""Where a run's parallel steps go: a setting (`IngestParams.task_runner`), not a code fork.

processes  the tasks run in threads of the flow process, and each hands its work (a pure function of
           warehouse/ and transforms/) to a local pool of `workers` processes (the default: parsing
           and merging are CPU-bound)
threads    a thread pool, the work done in the thread (cheap start; polars releases the GIL, Python
           rules do not)
dask       prefect-dask: a LocalCluster of `workers` processes, or an existing scheduler at `dask_address`;
           the tasks themselves run on the Dask workers

Why `processes` is not Prefect's ProcessPoolTaskRunner: its workers each import Prefect, re-create the
run's context for every task (which loads every installed Prefect collection: prefect-dask imports
dask.distributed) and talk to the API, ~3 s of CPU a worker before its first file and ~0.15 s a task;
a plain worker imports polars and the transforms (~0.4 s). The task runs, their states and logs are
still Prefect's, from the flow process, so the UI shows them as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.settings import IngestParams

T = TypeVar("T")

GC_THRESHOLD = (20_000, 20, 20)  # Python's default is (700, 10, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, tuned while a run's flow works in this process: what is
    loaded by then (Prefect, pydantic, polars: ~10^6 objects) is frozen out of its scans, and it
    runs after GC_THRESHOLD new objects. A run over 10^4 files makes ~10^5 small objects (a Staged
    per file, index rows, links), and each full collection re-scanned everything loaded: a
    one-new-file run at 10^4 episodes spent ~0.3 s of staging and building in it (see the README).
    Restored afterwards: a process that runs many flows does not keep their objects frozen."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()

# this process's worker pools, by key: a task gets the key (a string, which travels anywhere), and a
# task that runs where the key is unknown (a Dask worker, a thread runner) does its work itself
_pools: dict[str, tuple[ProcessPoolExecutor, int]] = {}  # key -> (pool, its number of workers)
_lock = threading.Lock()


def worker_count(params: IngestParams) -> int:
    return params.workers or os.cpu_count() or 1


def make_runner(params: IngestParams) -> TaskRunner:
    n = worker_count(params)
    if params.task_runner == "dask":
        from prefect_dask import DaskTaskRunner  # imported only when asked for: dask is slow to import

        if params.dask_address:
            return DaskTaskRunner(address=params.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=n)  # (processes: the threads wait on the worker pool)


def start_pool(workers: int) -> str:
    """A pool of `workers` processes (spawned: the flow process has threads, which fork would copy
    half-way); returns its key for `offload`."""
    key = uuid.uuid4().hex
    with _lock:
        _pools[key] = _new_pool(workers), workers
    return key


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def stop_pool(key: str) -> None:
    with _lock:
        pool, _ = _pools.pop(key, (None, 0))
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def offload(key: str | None, fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in the worker pool `key` if this process has it, else here.

    A pool whose worker died (killed for memory, say) is replaced before the error goes up, so the
    task's retry runs on live workers.
    """
    pool, workers = _pools.get(key, (None, 0)) if key is not None else (None, 0)
    if pool is None:
        return fn(*args)
    try:
        return pool.submit(fn, *args).result()
    except BrokenProcessPool:
        with _lock:
            if _pools.get(key, (None,))[0] is pool:
                _pools[key] = _new_pool(workers), workers
        pool.shutdown(wait=False, cancel_futures=True)
        raise


class OnDemand:
    """The run's task runner (and, for `processes`, its worker pool), started the first time a step
    has enough work to share out, and released when the parallel steps are done (the workers' memory
    is then given back).

    A run with nothing much new (one new file, a touched file) then never pays for starting workers.
    """

    def __init__(self, params: IngestParams, stack: ExitStack) -> None:
        self.params, self.runner = params, None
        self.workers = worker_count(params)
        self.pool: str | None = None  # the worker pool's key (`processes` only): tasks pass it to `offload`
        self._own: ExitStack | None = None
        stack.callback(self.release)

    def get(self) -> TaskRunner:
        if self.runner is None:
            self._own = ExitStack()
            self.runner = self._own.enter_context(make_runner(self.params))
            if self.params.task_runner == "processes":
                self.pool = start_pool(self.workers)
                self._own.callback(stop_pool, self.pool)
        return self.runner

    @property
    def running(self) -> bool:
        return self.runner is not None

    def release(self) -> None:
        """Stop the workers (a later `get` starts new ones)."""
        own, self._own, self.runner, self.pool = self._own, None, None, None
        if own is not None:
            own.close()
