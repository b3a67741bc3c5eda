"""Scale-out is a setting: the same tables from one process, a process pool and a Dask LocalCluster of 2."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from bench.synth import generate
from flows.ingest import ingest
from flows.settings import IngestParams
from warehouse.publish import bucket_of, table_checksum, table_files

pytestmark = pytest.mark.slow


def _tables(wh: Path) -> dict[str, str]:
    """Checksums of every published table, ignoring the wall-clock columns (ingested_at and the like)."""
    snap = wh / "parquet" / json.loads((wh / "parquet" / "CURRENT.json").read_text())["snapshot"]
    out = {}
    for name in sorted(json.loads((snap / "checksums.json").read_text())):
        if name == "validation_results":
            continue
        df = pl.read_parquet(table_files(snap, name))
        out[name] = table_checksum(df.select([c for c, t in df.schema.items() if not t.is_temporal()]))
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    generate(root / "in", 14, seed=11, minutes=(4.0, 8.0), n_jobs=1)
    return root / "in"


@pytest.fixture(scope="module")
def serial(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    wh = tmp_path_factory.mktemp("serial") / "wh"
    summary = ingest(IngestParams(input_dir=corpus, warehouse_dir=wh, batch_size=10_000, report=False))
    return summary, wh


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_parallel_runs_give_the_serial_tables(runner: str, corpus: Path, serial: tuple[dict, Path],
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.runners

    pools = []  # the processes runner's worker pools (Dask has its own workers)
    real = flows.runners.start_pool
    monkeypatch.setattr(flows.runners, "start_pool", lambda n: pools.append(n) or real(n))
    base, base_wh = serial
    wh, export = tmp_path / "wh", tmp_path / "export"
    summary = ingest(IngestParams(input_dir=corpus, warehouse_dir=wh, batch_size=3, task_runner=runner, workers=2,
                                  parquet_url=f"file://{export}", report=False))
    assert pools == ([2] if runner == "processes" else [])  # one pool for staging and merging
    assert summary["files_seen"] > 14 and summary["episodes"] == base["episodes"] == 14
    assert summary["episodes_rebuilt"] >= 8  # enough episodes that merging went to the pool too
    assert _tables(wh) == _tables(base_wh)
    # the fsspec export: a complete snapshot named by CURRENT.json, equal to what DuckDB got
    current = json.loads((export / "CURRENT.json").read_text())
    exported = pl.read_parquet(table_files(export / current["snapshot"], "segments"))
    assert exported.height and table_checksum(exported) == current["checksums"]["segments"]
    buckets = {bucket_of(e) for e in exported["episode_id"].unique()}
    assert len(table_files(export / current["snapshot"], "segments")) == len(buckets)  # one part per bucket


def test_a_few_episodes_do_not_start_workers(corpus: Path, serial: tuple[dict, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """One staging batch and 14 episodes to merge: starting a pool would cost more than it saves."""
    import flows.runners

    started = []
    real = flows.runners.make_runner
    monkeypatch.setattr(flows.runners, "make_runner", lambda params: started.append(params) or real(params))
    summary = ingest(IngestParams(input_dir=corpus, warehouse_dir=tmp_path / "wh", batch_size=10_000, workers=2,
                                  report=False))
    assert summary["episodes_rebuilt"] == 14 and started == []
    assert _tables(tmp_path / "wh") == _tables(serial[1])
