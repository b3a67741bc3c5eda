"""Concurrency: a second writer is refused clearly (or waits), readers during publishing see a
consistent state or a clear busy message, never a half-published warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.query import WarehouseBusy, sql

pytestmark = pytest.mark.slow
TW = [sys.executable, "-m", "flows.cli"]
DRIVER = [sys.executable, "-m", "tests.reliability.pipeline_driver"]


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    return env | {"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                  "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


def test_second_run_is_refused_clearly_then_waits(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "wh").ensure()
    with writer_lock(layout):  # another run is writing
        refused = subprocess.run([*TW, "run", str(SAMPLE), "-w", str(layout.root)], cwd=ROOT, env=_env(tmp_path),
                                 capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "error: warehouse" in message and "is being written by pid" in message
    assert "Traceback" not in refused.stderr
    assert not layout.db.exists()  # nothing half-written

    holder = threading.Event()

    def hold() -> None:
        with writer_lock(layout):
            holder.set()
            threading.Event().wait(3)

    t = threading.Thread(target=hold)
    t.start()
    holder.wait()
    waited = subprocess.run([*TW, "run", str(SAMPLE), "-w", str(layout.root), "--wait", "120"], cwd=ROOT,
                            env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    t.join()
    assert waited.returncode == 0, waited.stderr
    assert sql(layout, "select count(*) as n from episodes")["n"].item() == 4


def test_readers_during_publishing_see_whole_states_or_busy(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "wh")
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    for p in sorted(SAMPLE.iterdir())[:3]:
        (fewer / p.name).write_bytes(p.read_bytes())
    subprocess.run([*DRIVER, str(fewer), str(layout.root)], cwd=ROOT, check=True, timeout=300)
    seen, busy, stop = [], [0], threading.Event()

    def read() -> None:
        while not stop.wait(0.02):  # an analyst's query loop, not a spin
            try:
                df = sql(layout, "select (select count(*) from episodes) as e, "
                                 "(select count(distinct episode_id) from segments) as s", wait_s=0.05)
                seen.append(tuple(df.row(0)))
            except WarehouseBusy:
                busy[0] += 1

    readers = [threading.Thread(target=read) for _ in range(4)]
    for r in readers:
        r.start()
    try:
        for inbox in (SAMPLE, fewer, SAMPLE):  # publish different states while readers read
            subprocess.run([*DRIVER, str(inbox), str(layout.root)], cwd=ROOT, check=True, timeout=300)
    finally:
        stop.set()
        for r in readers:
            r.join()
    print(f"\n{len(seen)} reads saw whole states {sorted(set(seen))}; {busy[0]} got a clear busy message")
    assert seen and set(seen) <= {(2, 2), (4, 4)}  # 000+001 are one episode; never a half-published mix
