"""One writer at a time per warehouse folder (DuckDB allows one writing process per file)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from warehouse.layout import Layout


class WarehouseBusy(RuntimeError):
    """Another run holds the writer lock for longer than we were willing to wait."""


@contextmanager
def writer_lock(layout: Layout, wait_s: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on the warehouse; wait up to `wait_s`, then fail with a clear message."""
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
                    raise WarehouseBusy(f"warehouse {layout.root} is being written by {holder}; "
                                        f"try again when that run ends") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(fd)
