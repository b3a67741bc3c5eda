"""Run parameters (one pydantic model, so Prefect validates them and draws the run form) and the
settings read once from the environment. Nothing below `flows/` reads the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, Field

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "config" / "glossary.csv"


class IngestParams(BaseModel):
    """What one ingest run reads and where it publishes."""

    input_dir: Path = Field(default=ROOT / "data" / "raw", description="Folder of raw transcript files")
    warehouse_dir: Path = Field(default=ROOT / "data" / "warehouse", description="Warehouse folder (created)")
    drop_fillers: bool = Field(default=True, description="Drop um/uh from display text (verbatim keeps them)")
    repair_names: bool = Field(default=True, description="Repair entity names from the glossary")
    batch_size: int = Field(default=256, ge=1, description="Files per staging task, at most (see split_batches)")
    gx_process_files: int = Field(
        default=1000, ge=0, description="Runs reading at most this many files validate in a process of their own")
    lock_wait_s: float = Field(default=0.0, ge=0, description="How long to wait for another writer")
    validate_data: bool = Field(default=True, description="Run the Great Expectations gate")
    task_runner: Literal["processes", "threads", "dask"] = Field(
        default="processes", description="Where staging and merging run: local processes, threads, or Dask")
    workers: int = Field(default=0, ge=0, description="Parallel workers (0: one per CPU core)")
    dask_address: str | None = Field(
        default=None, description="Dask scheduler to use (tcp://host:8786); none: a LocalCluster of `workers`")
    parquet_url: str | None = Field(
        default=None, description="Also write the published tables here (any fsspec URL: s3://..., file://...)")
    rescan: bool = Field(
        default=False, description="Re-read every file even if no file's size or modification time changed")
    report: bool = Field(default=True, description="Write the HTML report after publishing")
    report_pages: int | None = Field(
        default=50, ge=0, description="Episode pages in the run's report (newest first; none: all)")


def validates_apart(params: IngestParams, has_index: bool, n_files: int) -> bool:
    """Whether a run validates in a process of its own (started early, so Great Expectations imports
    while the run starts): unless it is sure to read more than `gx_process_files` files, as a first
    run (no staged-file index) or a rescan of that many files is. Larger runs validate in the flow's
    process (the big tables are not held twice). The command line asks before it imports Prefect."""
    first_read = params.rescan or not has_index
    return params.validate_data and not (first_read and n_files > params.gx_process_files)


def from_env() -> IngestParams:
    """Defaults overridden by TW_* environment variables (the CLI and deployments use this)."""
    names = (("input_dir", "TW_INPUT_DIR"), ("warehouse_dir", "TW_WAREHOUSE_DIR"), ("task_runner", "TW_TASK_RUNNER"),
             ("workers", "TW_WORKERS"), ("dask_address", "TW_DASK_ADDRESS"), ("parquet_url", "TW_PARQUET_URL"))
    overrides = {k: os.environ[v] for k, v in names if os.environ.get(v)}
    return IngestParams(**overrides)


def load_glossary(path: Path = GLOSSARY) -> pl.DataFrame | None:
    """The entity glossary as a frame (entity, type, aliases, safe_aliases), or None if absent."""
    return pl.read_csv(path, infer_schema=False) if path.exists() else None
