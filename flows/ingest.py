"""The ingest flow: thin wiring of the steps; the work lives in warehouse/ and transforms/.

discover -> archive + sniff + parse + clean (batches) -> group + merge -> validate (quarantine what
fails, rebuild) -> write Parquet + publish DuckDB -> summary artifact.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from expectations.validate import Validation, validate
from flows import progress
from flows.settings import IngestParams, load_glossary
from transforms.clean import CleanOptions
from transforms.schemas import VALIDATION_RESULTS
from warehouse import state
from warehouse.archive import discover
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.publish import publish
from warehouse.stage import Staged, settings_key, stage_file
from warehouse.tables import assemble


@task(name="discover-files", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_files(input_dir: Path) -> list[Path]:
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist")
    return discover(input_dir)


@task(name="stage-batch", retries=1, task_run_name="stage-batch-{index}", cache_policy=NO_CACHE)
def stage_batch(paths: list[Path], input_dir: Path, layout: Layout, options: CleanOptions,
                glossary: pl.DataFrame | None, index: int) -> list[Staged]:
    """Archive raw bytes first, then sniff, parse and clean each file (cached by content)."""
    logger = get_run_logger()
    out = []
    for p in paths:
        s = stage_file(p, str(p.relative_to(input_dir)), layout, options, glossary)
        if s.status != "loaded":
            logger.warning("quarantined %s: %s", s.path, s.reason)
        out.append(s)
    return out


@task(name="group-and-merge", cache_policy=NO_CACHE)
def build_tables(staged: list[Staged], layout: Layout, glossary: pl.DataFrame | None,
                 quarantine: dict[str, str], settings: str) -> tuple[dict[str, pl.DataFrame], int]:
    """Group versions into episodes and merge them (episodes whose files are unchanged come from cache)."""
    return assemble(staged, state.prior_episode_ids(layout), state.first_seen(layout), glossary, quarantine,
                    layout, settings)


@task(name="validate-tables", cache_policy=NO_CACHE)
def validate_tables(tables: dict[str, pl.DataFrame], layout: Layout) -> Validation:
    return validate(tables, layout.docs / "validation")


@task(name="publish-warehouse", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_tables(tables: dict[str, pl.DataFrame], layout: Layout, run: dict) -> bool:
    return publish(layout, tables, run)


def _quarantine_for(validation: Validation, tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    """Files to hold back: every version of a failing episode, and failing files themselves."""
    versions = tables["episode_versions"]
    out = dict(validation.bad_files)
    for eid, reason in validation.bad_episodes.items():
        for fid in versions.filter(pl.col("episode_id") == eid)["file_id"].to_list():
            out[fid] = f"failed validation: {reason}"
    return out


@flow(name="ingest-transcripts", log_prints=True)
def ingest(params: IngestParams = IngestParams()) -> dict:
    """Ingest a folder of raw transcripts into the warehouse; returns the run summary."""
    logger = get_run_logger()
    layout = Layout(params.warehouse_dir).ensure()
    run = {"run_id": uuid.uuid4().hex[:12], "started_at": datetime.now(UTC)}
    timings: dict[str, float] = {}
    with writer_lock(layout, params.lock_wait_s):
        t = time.perf_counter()
        paths = discover_files(params.input_dir)
        staged = _stage_all(paths, params, layout)
        timings["stage"] = time.perf_counter() - t
        glossary = load_glossary() if params.repair_names else None
        options = _options(params)
        quarantine: dict[str, str] = {}
        results: list[pl.DataFrame] = []
        for passes in range(1, 4):
            t = time.perf_counter()
            tables, rebuilt = build_tables(staged, layout, glossary, quarantine, settings_key(options, glossary))
            timings["build"] = timings.get("build", 0) + time.perf_counter() - t
            if not params.validate_data:
                validation = None
                break
            t = time.perf_counter()
            validation = validate_tables(tables, layout)
            results.append(validation.results.with_columns(pl.lit(passes, pl.Int32).alias("pass_no")))
            timings["validate"] = timings.get("validate", 0) + time.perf_counter() - t
            extra = _quarantine_for(validation, tables)
            if validation.success or not extra or extra.keys() <= quarantine.keys():
                break
            logger.warning("validation failed for %d file(s); quarantining and rebuilding", len(extra))
            quarantine |= extra
        if validation is not None and not validation.success:
            raise RuntimeError("validation still fails after quarantine; nothing published:\n"
                               + _failures(validation))
        tables["validation_results"] = VALIDATION_RESULTS.conform(pl.concat(results)) if results \
            else VALIDATION_RESULTS.empty()
        summary = _summary(tables, validation, timings) | {"episodes_rebuilt": rebuilt,
                                                            "validation_passes": passes}
        t = time.perf_counter()
        published = publish_tables(tables, layout, run | {"summary": summary})
        summary["timings_s"]["publish"] = round(time.perf_counter() - t, 3)
    summary["published"] = published
    summary["data_docs"] = str((layout.docs / "validation" / "index.html").resolve())
    _artifacts(summary, tables)
    if summary["validation"] != "passed":
        logger.warning("validation: %s", summary["validation"])
    return summary


def _options(params: IngestParams) -> CleanOptions:
    return CleanOptions(drop_fillers=params.drop_fillers, repair_names=params.repair_names)


def _stage_all(paths: list[Path], params: IngestParams, layout: Layout) -> list[Staged]:
    options = _options(params)
    glossary = load_glossary() if params.repair_names else None
    batches = [paths[i:i + params.batch_size] for i in range(0, len(paths), params.batch_size)]
    staged: list[Staged] = []
    for i, batch in enumerate(batches):
        staged += stage_batch(batch, params.input_dir, layout, options, glossary, i)
        progress.advance("stage", len(staged), len(paths))
    return staged


def _failures(validation: Validation) -> str:
    bad = validation.results.filter(~pl.col("success"))
    return "\n".join(f"- {r['table_name']}: {r['expectation']}({r['column_name']}) x{r['unexpected_count']}"
                     for r in bad.to_dicts())


def _summary(tables: dict[str, pl.DataFrame], validation: Validation | None, timings: dict) -> dict:
    files = tables["source_files"]
    counts = dict(files.group_by("status").len().iter_rows())
    return {
        "files_seen": files.height,
        "loaded": counts.get("loaded", 0),
        "duplicate_copies": counts.get("duplicate_copy", 0),
        "quarantined": counts.get("quarantined", 0),
        "episodes": tables["episodes"].height,
        "episodes_merged": tables["episodes"].filter(pl.col("n_versions") > 1).height,
        "rows": {name: df.height for name, df in sorted(tables.items())},
        "validation": _validation_label(tables, validation),
        "quarantine": files.filter(pl.col("status") == "quarantined").select("path", "reason").to_dicts(),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }


def _validation_label(tables: dict[str, pl.DataFrame], validation: Validation | None) -> str | None:
    if validation is None:
        return None
    held = tables["source_files"].filter(pl.col("reason").str.starts_with("failed validation")).height
    return f"passed after quarantining {held} file(s) that failed it" if held else "passed"


def _artifacts(summary: dict, tables: dict[str, pl.DataFrame]) -> None:
    lines = [
        "# Ingest run", "",
        f"- files seen: {summary['files_seen']} (loaded {summary['loaded']}, copies {summary['duplicate_copies']}, "
        f"quarantined {summary['quarantined']})",
        f"- episodes: {summary['episodes']} ({summary['episodes_merged']} merged from several versions)",
        f"- validation: {summary['validation']}; published: {summary['published']}",
        "", "| table | rows |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in summary["rows"].items()],
        "", "| step | seconds |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in summary["timings_s"].items()],
        "", f"Data Docs: file://{summary['data_docs']}",
    ]
    create_markdown_artifact("\n".join(lines), key="ingest-summary", description="What this run did")
    failed = tables.get("validation_results", VALIDATION_RESULTS.empty()).filter(~pl.col("success"))
    if failed.height:
        create_table_artifact(failed.select("pass_no", "table_name", "expectation", "column_name",
                                            "unexpected_count", "sample").to_dicts(),
                              key="validation-failures", description="Expectations that failed (before quarantine)")
    if summary["quarantine"]:
        create_table_artifact(summary["quarantine"], key="quarantined-files", description="Quarantined files")
