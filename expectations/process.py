"""Validation in a process of its own, started at the beginning of a small run.

`import great_expectations` costs 2-4.5 s of CPU. A large run stages in worker processes, so the
flow process is idle and imports it in a thread meanwhile (`validate.preload`). In a small run (a
few new files on top of a big warehouse) the flow process is busy from start to end: an import there,
even in a thread, adds its seconds to the run. This process imports it on the other core while the
flow stages and builds, then validates what it is sent: `validate` is `plan_checks` (polars, in the
flow process: the rows not seen before, key columns) then `run_checks` (Great Expectations, here).
Requests and answers are pickles over its stdin and stdout.

    with ValidatorProcess() as gx:
        ...                                   # stage, build
        validation = gx.validate(tables, docs_dir, only_episodes, passed)
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import BinaryIO

import polars as pl

from expectations.validate import Check, Validation, plan_checks


class ValidatorProcess:
    def __init__(self) -> None:
        # stderr is inherited: the child's warnings and logs land where the flow's do
        self.proc = subprocess.Popen([sys.executable, "-m", "expectations.process"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def validate(self, tables: dict[str, pl.DataFrame | pl.LazyFrame], docs_dir: Path | None = None,
                 only_episodes: set[str] | None = None, passed: pl.DataFrame | None = None) -> Validation:
        """`expectations.validate.validate`, its Great Expectations part in this process."""
        checks, context, hashes = plan_checks(tables, only_episodes, passed)  # polars, here: only what GX needs travels
        return dataclasses.replace(self.run(checks, context, docs_dir), row_hashes=hashes)

    def run(self, checks: list[Check], context: dict[str, pl.DataFrame], docs_dir: Path | None = None) -> Validation:
        """`expectations.validate.run_checks` in the process."""
        try:
            pickle.dump((checks, context, docs_dir), self.proc.stdin, protocol=5)
            self.proc.stdin.flush()
            status, value = pickle.load(self.proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as err:
            raise RuntimeError(f"the validation process ended unexpectedly (exit code {self.proc.poll()}): "
                               f"{err!r}; its error output is in the run's log") from err
        if status != "ok":
            raise RuntimeError(f"validation failed in its process:\n{value}")
        return value

    def close(self) -> None:
        """End the process: EOF on its stdin ends its loop; stopped by PID if it does not."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self) -> "ValidatorProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Import Great Expectations, then answer validation requests until EOF."""
    import great_expectations  # noqa: F401 - the point of this process: imported before it is asked

    from expectations.validate import run_checks

    while True:
        try:
            args = pickle.load(requests)
        except EOFError:
            return
        try:
            answer = ("ok", run_checks(*args))
        except Exception:  # noqa: BLE001 - sent back whole, raised in the flow process
            answer = ("error", traceback.format_exc())
        pickle.dump(answer, answers, protocol=5)
        answers.flush()


if __name__ == "__main__":
    # the protocol owns the real stdout; anything a library prints goes to stderr instead
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, protocol_out)
