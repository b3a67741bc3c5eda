"""SIGKILL the pipeline at many points (staging, merging, Parquet write, DuckDB publish), check the
warehouse is consistent after every kill, re-run, and converge to an uninterrupted run's checksums."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import ROOT, SAMPLE
from transforms.schemas import WAREHOUSE_TABLES
from warehouse.layout import Layout
from warehouse.publish import checksums, recover, table_files

pytestmark = pytest.mark.slow
KILLS = 24
DRIVER = [sys.executable, "-m", "tests.reliability.pipeline_driver"]


def _run(wh: Path, kill_after: float | None = None, inbox: Path = SAMPLE) -> list[str]:
    """Run the driver; with kill_after, SIGKILL it then. Returns the markers it printed."""
    started = time.monotonic()
    proc = subprocess.Popen([*DRIVER, str(inbox), str(wh)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if kill_after is None:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        return [f"{float(m.split()[0]) - started:.3f} {m.split(' ', 1)[1]}" for m in out.splitlines()]
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    return out.splitlines()


def _tables(wh: Path) -> dict[str, pl.DataFrame] | None:
    db = wh / "warehouse.duckdb"
    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
        if not names - {"runs"}:
            return None  # killed before the first publish committed anything but the run log
        return {t.name: con.sql(f"select * from {t.name}").pl() for t in WAREHOUSE_TABLES
                if t.name != "validation_results"}
    finally:
        con.close()


def _comparable(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    tables = dict(tables)
    tables["source_files"] = tables["source_files"].drop("ingested_at")  # first-seen time differs by design
    return checksums(tables)


def _assert_consistent(wh: Path) -> bool:
    """Each store is whole after a kill: DuckDB's tables equal the snapshot it records in `_snapshot`,
    CURRENT.json names a complete snapshot, and after `recover` (every writer's first step) the two
    agree. Returns whether `recover` had to repair the pointer."""
    tables = _tables(wh)
    if tables is None:
        return False
    eps = set(tables["episodes"]["episode_id"])
    for name in ("segments", "episode_versions", "speakers", "chapters", "mentions"):
        assert set(tables[name]["episode_id"]) <= eps, f"orphan rows in {name}"
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    held = con.execute("select name from _snapshot").fetchone()[0]
    con.close()
    in_duckdb = json.loads((wh / "parquet" / held / "checksums.json").read_text())
    assert checksums(tables) == {k: v for k, v in in_duckdb.items() if k in tables}
    pointer = json.loads((wh / "parquet" / "CURRENT.json").read_text())
    named = wh / "parquet" / pointer["snapshot"]
    assert json.loads((named / "checksums.json").read_text()) == pointer["checksums"]
    for name in pointer["checksums"]:
        files = table_files(named, name)
        assert files and all(f.exists() for f in files), f"{named.name} lacks {name}"
    repaired = recover(Layout(wh))
    current = json.loads((wh / "parquet" / "CURRENT.json").read_text())["checksums"]
    assert checksums(tables) == {k: v for k, v in current.items() if k in tables}
    return repaired


def test_sigkill_at_many_points_then_converge(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    marks = _run(reference)  # seconds since process start, per step
    phases = [(float(m.split()[0]), m.split(" ", 1)[1]) for m in marks]
    merge_at = next(t for t, name in phases if name == "merge")
    publish_at, end = next(t for t, name in phases if name == "publish"), phases[-1][0]
    # a third of the kills over start-up and staging, a third over merging, a third over publishing
    windows = [(0.2, merge_at), (merge_at, publish_at), (publish_at, end + 0.2)]
    delays = [a + (b - a) * (k + 0.5) / (KILLS // 3) for a, b in windows for k in range(KILLS // 3)]
    expected = _comparable(_tables(reference))
    hit: dict[str, int] = {}
    repaired = 0
    wh, fewer = tmp_path / "crashy", tmp_path / "fewer"
    fewer.mkdir()
    for p in sorted(SAMPLE.iterdir())[:4]:
        (fewer / p.name).write_bytes(p.read_bytes())
    for i in range(KILLS):
        # Caches are dropped so every run does the real work, and the input alternates between four
        # and five files so every publish really replaces tables; kills are spread over the run.
        shutil.rmtree(wh / "cache", ignore_errors=True)
        printed = _run(wh, kill_after=delays[i], inbox=fewer if i % 2 else SAMPLE)
        phase = printed[-1].split(" ", 1)[1].split(" ")[0] if printed else "start-up"
        hit[phase] = hit.get(phase, 0) + 1
        repaired += _assert_consistent(wh)
        if i % 4 == 3:
            _run(wh)  # a full re-run converges
            _assert_consistent(wh)
            assert _comparable(_tables(wh)) == expected
    _run(wh)
    assert _comparable(_tables(wh)) == expected
    print(f"\n{KILLS} SIGKILLs by phase reached: {hit}; every state consistent; CURRENT.json repaired "
          f"after {repaired}; converged to the reference")
    assert sum(hit.values()) == KILLS and len(hit) >= 3
