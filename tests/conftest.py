"""Shared fixtures: the sample corpus and a quiet, local Prefect."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw"
SEEDS = {p.name[:3]: p for p in sorted(SAMPLE.iterdir())}

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# a loaded 2-core machine can take over the default 20 s to start a temporary Prefect server
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def seed_bytes() -> dict[str, bytes]:
    """The five sample files by their number ('000' ... '004')."""
    return {k: p.read_bytes() for k, p in SEEDS.items()}


@pytest.fixture(scope="module", autouse=True)
def _prefect_quiet_after_module() -> Iterator[None]:
    """After a module that ran flows, Prefect's log and event workers are drained and stopped. Left
    running, they send in background threads while later tests run, and a retry's jitter draws on the
    global `random`: Hypothesis saw its state change mid-generation and warned (test_merge_words.py)."""
    yield
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10, at_exit=False)
    EventsWorker.drain_all(timeout=10, at_exit=False)
