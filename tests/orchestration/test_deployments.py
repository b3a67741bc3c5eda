"""A real Prefect server: deploy prefect.yaml, start a worker, run a deployment, read its artifact.

Everything is started by scripts/serve.sh (the command users run) and stopped by PID.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prefect(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_PORT": str(port), "STATE_DIR": str(tmp / "state"), "PREFECT_HOME": str(tmp / "home"),
            "PYTHON": sys.executable, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    started = subprocess.run(["bash", str(ROOT / "scripts" / "serve.sh")], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=240)
    try:
        assert started.returncode == 0, started.stderr + started.stdout
        assert f"http://127.0.0.1:{port}" in started.stdout
        yield env, tmp
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "stop.sh")], env=env, cwd=ROOT, timeout=60)
        for name in ("server", "worker"):
            assert not (tmp / "state" / f"{name}.pid").exists()


def test_every_entrypoint_imports_and_resolves() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    from prefect.flows import load_flow_from_entrypoint

    for dep in spec["deployments"]:
        flow = load_flow_from_entrypoint(str(ROOT / dep["entrypoint"]))
        assert flow.name == "ingest-transcripts"
    assert any(s.get("cron") for d in spec["deployments"] for s in d.get("schedules", []))


def test_deployment_runs_on_a_worker_and_publishes_a_summary(server) -> None:
    env, tmp = server
    params = json.dumps({"input_dir": str(SAMPLE), "warehouse_dir": str(tmp / "wh")})
    run = _prefect(env, "deployment", "run", "ingest-transcripts/on-demand", "--param", f"params={params}",
                   "--watch", "--watch-timeout", "600", timeout=700)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "COMPLETED" in run.stdout.upper()
    art = _prefect(env, "artifact", "inspect", "ingest-summary")
    assert art.returncode == 0, art.stderr
    assert "files seen: 5" in art.stdout and "episodes: 4" in art.stdout
    assert (tmp / "wh" / "warehouse.duckdb").exists()


def test_schedules_are_registered(server) -> None:
    env, _ = server
    out = _prefect(env, "deployment", "inspect", "ingest-transcripts/inbox-hourly")
    assert out.returncode == 0 and "0 * * * *" in out.stdout
