"""One real warehouse of the sample corpus per test session, and its report written by `tw report`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLE

TW = Path(sys.executable).parent / "tw"


@dataclass(frozen=True)
class Built:
    """The warehouse folder, the index.html `tw report` printed, and the merged 000/001 episode."""

    root: Path
    index: Path
    merged_episode: str

    @property
    def db(self) -> Path:
        return self.root / "warehouse.duckdb"

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


def _tw(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([str(TW), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"tw {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`tw run data/raw` into a fresh folder (a real Prefect flow run, about a minute), then `tw report`."""
    root = tmp_path_factory.mktemp("report-wh")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # always a private temporary server
    env.update(PREFECT_HOME=str(tmp_path_factory.mktemp("prefect-home")), PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # busy CI machines start slowly
    _tw("run", str(SAMPLE), "--warehouse", str(root), env=env)
    printed = _tw("report", "--warehouse", str(root), env=env).stdout.strip().splitlines()[-1]
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        merged = con.execute(
            "select v.episode_id from episode_versions v join source_files f using (file_id) "
            "group by v.episode_id having bool_or(starts_with(f.path, '000_')) and bool_or(starts_with(f.path, '001_'))"
        ).fetchall()
    finally:
        con.close()
    assert len(merged) == 1, "the sample files 000_ and 001_ should merge into one episode"
    return Built(root, Path(printed), merged[0][0])
