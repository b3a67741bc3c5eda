"""The task runner a run's parallel steps use: a setting (`IngestParams.task_runner`), not a code fork.

processes  local process pool, one worker per core (the default: parsing and merging are CPU-bound)
threads    a thread pool (cheap start; polars releases the GIL, Python rules do not)
dask       prefect-dask: a LocalCluster of `workers` processes, or an existing scheduler at `dask_address`
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.settings import IngestParams


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
    if params.task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=n)
    return ProcessPoolTaskRunner(max_workers=n)


class OnDemand:
    """The run's task runner, started the first time a step has enough work to share out, and
    released when the parallel steps are done (its workers' memory is then given back).

    A run with nothing much new (one new file, a touched file) then never pays for starting a pool.
    """

    def __init__(self, params: IngestParams, stack: ExitStack) -> None:
        self.params, self.runner = params, None
        self.workers = worker_count(params)
        self._own: ExitStack | None = None
        stack.callback(self.release)

    def get(self) -> TaskRunner:
        if self.runner is None:
            self._own = ExitStack()
            self.runner = self._own.enter_context(make_runner(self.params))
        return self.runner

    @property
    def running(self) -> bool:
        return self.runner is not None

    def release(self) -> None:
        """Stop the workers (a later `get` starts new ones)."""
        own, self._own, self.runner = self._own, None, None
        if own is not None:
            own.close()
