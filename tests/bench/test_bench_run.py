"""The benchmark itself runs end to end at a small size (figures are checked for shape, never for speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_bench_runs_and_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "bench.run", "--episodes", "12", "--scaling", "6", "--repeats", "1",
                           "--minutes", "3", "6", "--work", str(tmp_path / "work"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["prefect_start_s"] > 0 and set(report["sizes"]) == {"6", "12"}
    s = report["sizes"]["12"]
    assert s["files"] >= 12 and s["bytes"] > 0 and s["floor_s"]["median"] > 0
    assert s["pipeline_over_floor"] > 1  # the pipeline cannot beat reading the bytes
    for step in ("stage", "build", "validate", "discover_publish"):
        assert s["full"]["steps_s"][step]["median"] >= 0
    assert s["full"]["published"] == [True] and s["full"]["validation"][0].startswith("passed")
    assert s["rerun"]["published"] == [False] and s["rerun"]["episodes_rebuilt"] == [0]
    assert s["one_new_file"]["published"] == [True] and s["one_new_file"]["episodes_rebuilt"] == [1]
    assert s["full"]["peak_rss_mb"]["median"] > 50
    disk = s["disk_mb"]
    assert {"raw", "cache", "parquet", "warehouse.duckdb"} <= disk.keys() and disk["raw"] > 0
    assert disk["total"] == round(sum(v for k, v in disk.items() if k != "total"), 1)
    assert s["disk_over_input"] > 1  # the raw archive (distinct bytes) plus cleaned copies and tables
    for run in ("full", "rerun", "one_new_file"):  # the flow run (Prefect's record) ends after its run log row
        m = s[run]
        assert m["wall_s"]["median"] > m["flow_s"]["median"] >= m["logged_s"]["median"] > 0
    g = s["grouping"]
    assert g["docs"] >= 12 and 0 <= g["precision"] <= 1 and 0 <= g["recall"] <= 1
    peer = s["peer"]
    assert peer["documents"] == g["docs"] and 0 <= peer["ours"]["precision"] <= 1
    assert peer["datatrove"]["docs"] == peer["documents"]  # datatrove ran (the bench extra is installed)
    assert 0 <= peer["datatrove"]["recall"] <= 1 and peer["datatrove"]["seconds"] > 0
    assert [r["episodes"] for r in report["scaling"]] == [6, 12]
    assert report["scaling"][0]["growth_vs_previous"] is None and report["scaling"][1]["growth_vs_previous"] > 0
