"""Validation in a process of its own, started as soon as a run knows it has files to read (or
earlier: `tw run` starts one before it imports Prefect, `prestart`, for the flow to `take`).

`import great_expectations` costs ~3.4 s of CPU here (`validate.import_gx`, scipy.stats deferred). A
large run stages in worker processes, so the flow process is idle and imports it in a thread meanwhile
(`validate.preload`; the flow stops this process once its plan shows the run is large). In a small run
(a few new files on top of a big warehouse) the flow process is busy from start to end: an import there,
even in a thread, adds its seconds to the run. This process imports it on the other core while the flow
plans, stages and builds, then validates what it is sent: `validate` is `plan_checks` (polars, in the
flow process: the rows not seen before and those that may repeat their keys) then `run_checks` (Great
Expectations, here); the flow process does `meanwhile` work (the checksums publishing needs) while it
waits. The Data Docs are written after the answer is sent, while the flow publishes; `close` waits for
them. Requests and answers are pickles over its stdin and stdout.

    with ValidatorProcess() as gx:
        ...                                   # plan, stage, build
        validation = gx.validate(tables, docs_dir, only_episodes, passed, meanwhile=...)
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import polars as pl

from expectations.validate import Check, Validation, plan_checks


class ValidatorProcess:
    def __init__(self) -> None:
        # stderr is inherited: the child's warnings and logs land where the flow's do
        self.proc = subprocess.Popen([sys.executable, "-m", "expectations.process"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    @classmethod
    def take(cls) -> "ValidatorProcess":
        """The process `prestart` started in this process, if any (it has imported for longer), else a new one."""
        return _spare.pop() if _spare else cls()

    def validate(self, tables: dict[str, pl.DataFrame | pl.LazyFrame], docs_dir: Path | None = None,
                 only_episodes: set[str] | None = None, passed: pl.DataFrame | None = None,
                 meanwhile: Callable[[], object] | None = None) -> Validation:
        """`expectations.validate.validate`, its Great Expectations part in this process; `meanwhile`
        is called here while that process checks (work this one would otherwise wait through)."""
        checks, context, hashes = plan_checks(tables, only_episodes, passed)  # polars, here: only what GX needs travels
        self._send((checks, context, docs_dir))
        try:
            if meanwhile is not None:
                meanwhile()
        finally:
            value = self._receive()  # (even if meanwhile failed: the answer must not be left in the pipe)
        return dataclasses.replace(value, row_hashes=hashes)

    def run(self, checks: list[Check], context: dict[str, pl.DataFrame], docs_dir: Path | None = None) -> Validation:
        """`expectations.validate.run_checks` in the process."""
        self._send((checks, context, docs_dir))
        return self._receive()

    def _send(self, request: tuple) -> None:
        try:
            pickle.dump(request, self.proc.stdin, protocol=5)
            self.proc.stdin.flush()
        except OSError as err:
            raise self._ended(err) from err

    def _receive(self) -> Validation:
        try:
            status, value = pickle.load(self.proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as err:
            raise self._ended(err) from err
        if status != "ok":
            raise RuntimeError(f"validation failed in its process:\n{value}")
        return value

    def _ended(self, err: BaseException) -> RuntimeError:
        return RuntimeError(f"the validation process ended unexpectedly (exit code {self.proc.poll()}): "
                            f"{err!r}; its error output is in the run's log")

    def finish(self) -> None:
        """No more requests: EOF on its stdin ends its loop, and it exits while the caller goes on."""
        if not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:  # it is gone already (a broken pipe): close() reaps it
                pass

    def close(self) -> None:
        """End the process (`finish`), wait for it (it may still be writing the Data Docs of its last
        answer); stopped by PID if it does not end."""
        self.finish()
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self) -> "ValidatorProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_spare: list[ValidatorProcess] = []  # at most one, started ahead by `prestart`


def prestart() -> None:
    """Start a validation process now, for this process's coming run to `take`: the command line calls
    this before it imports Prefect and starts the flow run (about two seconds), so the import of Great
    Expectations is done by the time a small run asks. `drop_spare` ends it if the run does not take it."""
    if not _spare:
        _spare.append(ValidatorProcess())


def drop_spare() -> None:
    """End a prestarted process nobody took (a run with nothing to do, or one that validates in-process)."""
    while _spare:
        _spare.pop().close()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Import Great Expectations (in a thread: a request is read meanwhile, so its sender is not kept
    waiting), then answer validation requests until EOF."""
    from expectations.validate import build_docs, check_suites, import_gx

    importer = threading.Thread(target=import_gx, daemon=True)
    importer.start()  # the point of this process: imported before it is asked

    while True:
        try:
            checks, context, docs_dir = pickle.load(requests)
        except EOFError:
            return
        importer.join()
        ctx = None
        try:
            validation, ctx = check_suites(checks, context)
            answer = ("ok", validation)
        except Exception:  # noqa: BLE001 - sent back whole, raised in the flow process
            answer = ("error", traceback.format_exc())
        pickle.dump(answer, answers, protocol=5)
        answers.flush()
        if ctx is not None and docs_dir is not None:  # after the answer: the flow publishes meanwhile
            build_docs(ctx, docs_dir)


if __name__ == "__main__":
    # the protocol owns the real stdout; anything a library prints goes to stderr instead
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, protocol_out)
    # every answer is flushed and the Data Docs are on disk: skip tearing down the interpreter (Great
    # Expectations and pandas loaded, half a second of the flow's time when it waited for this)
    sys.stderr.flush()
    os._exit(0)
