"""The ingest flow: thin wiring of the steps; the work lives in warehouse/ and transforms/.

discover -> archive + sniff + parse + clean (batches) -> group + merge -> validate (quarantine what
fails, rebuild) -> write Parquet + publish DuckDB -> summary artifact.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from expectations.process import ValidatorProcess, drop_spare
from expectations.suites import checks_key
from expectations.validate import Validation, validate
from expectations.validate import preload as preload_gx
from flows import progress
from flows.runners import OnDemand, fewer_collections, offload
from flows.settings import IngestParams, load_glossary, validates_apart
from transforms.clean import CleanOptions
from transforms.schemas import VALIDATION_RESULTS
from warehouse import state
from warehouse.archive import discover_stats
from warehouse.hash_index import HashIndex
from warehouse.layout import Layout, relative_path
from warehouse.lock import writer_lock
from warehouse.publish import (Publication, checksums, export_parquet, log_run, recover, table_checksum,
                               unchanged_validation)
from warehouse.stage import Staged, has_index, load_index, save_index, settings_key, stage_files
from warehouse.tables import (
    EPISODE_KEYS, MERGE_VERSION, MergeJobs, Tables, assemble, episode_key_table, mark_episodes, merge_serial,
)


@dataclasses.dataclass(frozen=True)
class Listing:
    """The input files, path string -> (size, mtime_ns), None if it cannot be stat-ed: what tells a
    changed file (make's rule). One object, because Prefect walks a task's result one level deep (to
    link each item to the task run): 0.25-0.35 s for a dict of 2 x 10^4 files, nothing for this."""

    stats: dict[str, tuple[int, int] | None]


@task(name="discover-files", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_files(input_dir: Path) -> Listing:
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist")
    return Listing(discover_stats(input_dir))


# The two tasks that go to workers wrap module-level functions under their own names, so that Dask
# (which pickles the function by reference) finds the very same object on the other side.
def _stage_batch(paths: list[str], input_dir: Path, layout: Layout, options: CleanOptions,
                glossary: pl.DataFrame | None, index: int, pool: str | None = None) -> list[Staged]:
    """Archive raw bytes first, then sniff, parse and clean each file (cached by content); in the
    run's worker pool if it has one here (`flows.runners.offload`)."""
    logger = get_run_logger()
    out = offload(pool, stage_files, [(Path(p), relative_path(p, input_dir)) for p in paths], layout, options, glossary)
    for s in out:
        if s.status != "loaded":
            logger.warning("quarantined %s: %s", s.path, s.reason)
    return out


def _merge_chunk(jobs: MergeJobs, links: pl.DataFrame, glossary: pl.DataFrame | None, layout: Layout,
                 index: int, pool: str | None = None) -> list[dict[str, pl.DataFrame]]:
    """Align and merge the versions of a chunk of episodes (each independent of the others); the
    episodes go to the episode cache from where this runs and only their small tables come back."""
    return offload(pool, merge_serial, jobs, links, glossary, layout)


stage_batch = task(name="stage-batch", retries=1, task_run_name="stage-batch-{index}",
                   cache_policy=NO_CACHE)(_stage_batch)
merge_chunk = task(name="merge-episodes", retries=1, task_run_name="merge-episodes-{index}",
                   cache_policy=NO_CACHE)(_merge_chunk)


# Starting the workers costs ~0.5 s (each imports polars and the transforms) and a few hundred MB;
# merging an episode costs 20-50 ms. A rebuild pass of a few episodes (files quarantined by
# validation) is merged here rather than starting a pool again for it.
START_POOL_JOBS = 32


# not a task itself: its merge chunks are the tasks, submitted from the flow run (Dask needs that)
def build_tables(staged: list[Staged], layout: Layout, glossary: pl.DataFrame | None,
                 quarantine: dict[str, str], settings: str, pool: OnDemand | None,
                 hold_failed: bool = True, checks: str = "", previous: Tables | None = None) -> tuple[Tables, int]:
    """Group versions into episodes and merge them (episodes whose files are unchanged come from cache)."""
    def merge(jobs: MergeJobs, links: pl.DataFrame, gloss: pl.DataFrame | None, lay: Layout | None) -> list:
        if pool is None or len(jobs) < (8 if pool.running else START_POOL_JOBS):
            return merge_serial(jobs, links, gloss, lay)
        runner = pool.get()
        # two chunks per worker (one finishing early takes another), at most 64 episodes each (memory)
        size = max(1, min(64, len(jobs) // (2 * pool.workers)))
        futures = [runner.submit(merge_chunk, parameters={"jobs": jobs[i:i + size],
                                                          "links": _links_of(links, jobs[i:i + size]),
                                                          "glossary": gloss, "layout": lay, "index": i // size,
                                                          "pool": pool.pool})
                   for i in range(0, len(jobs), size)]
        out = [frames for f in futures for frames in f.result()]  # one stacked dict per chunk
        pool.release()  # the rest of the run is in this process: the workers' memory is given back
        return out
    return assemble(staged, state.prior_episode_ids(layout), state.first_seen(layout), glossary, quarantine,
                    layout, settings, merge, hold_failed, checks, previous)


def _links_of(links: pl.DataFrame, jobs: MergeJobs) -> pl.DataFrame:
    """The links a chunk of merge jobs can ask about (its own files'): every submitted task is pickled
    with its parameters, and the whole corpus's links in each would add up to gigabytes."""
    files = pl.Series([s.file_id for _, members, _ in jobs for s in members], dtype=pl.String).implode()
    return links.filter(pl.col("file_a").is_in(files) & pl.col("file_b").is_in(files))


@task(name="validate-tables", cache_policy=NO_CACHE)
def validate_tables(tables: dict[str, pl.DataFrame], layout: Layout, episodes: set[str],
                    passed: pl.DataFrame | None, gx: ValidatorProcess | None = None,
                    meanwhile: Callable[[], object] | None = None) -> Validation:
    """Every table; of the big episode tables, only the rows of `episodes` (not validated before); of
    the others, the rows not `passed` before (by hash) and those that may repeat their keys, and for
    row counts the whole table.
    In `gx`'s process if there is one (a small run), else here; then `meanwhile` is done here while
    that process works."""
    if isinstance(tables, Tables):  # the big tables: only the parts that hold `episodes`
        tables = tables.narrowed(episodes)
    if gx is None:
        return validate(tables, layout.docs / "validation", only_episodes=episodes, passed=passed)
    return gx.validate(tables, layout.docs / "validation", only_episodes=episodes, passed=passed,
                       meanwhile=meanwhile)


def _early_validator(params: IngestParams, layout: Layout, n_files: int, stack: ExitStack) -> ValidatorProcess | None:
    """The validation process, started before the plan (whose index takes a while to read at 10^4
    files), if the run validates apart (`flows.settings.validates_apart`)."""
    if not validates_apart(params, has_index(layout), n_files):
        drop_spare()  # (one the command line started ahead, before it knew)
        return None
    return stack.enter_context(ValidatorProcess.take())


def _validator(params: IngestParams, plan: StagePlan, gx: ValidatorProcess | None,
               stack: ExitStack) -> ValidatorProcess | None:
    """Where the tables will be validated, once the plan is known: a run that reads more than
    `gx_process_files` files (a large first run) imports Great Expectations in a thread of this
    process while its workers stage, and validates here (`gx`, a process started early, is stopped:
    the large tables are not held twice); a smaller one validates in a process of its own (`gx`, or
    one started now), which imported GX on the other core from the start of the run (`tw run` starts
    it before it imports Prefect), so the import overlaps the run's start and its CPU-bound steps less."""
    if not params.validate_data:
        return None
    if len(plan.todo) > params.gx_process_files:
        if gx is not None:
            gx.close()
        preload_gx()
        return None
    return gx or stack.enter_context(ValidatorProcess.take())


@task(name="export-parquet", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def export_tables(layout: Layout, url: str) -> str:
    """The published tables, also as Parquet at an fsspec URL (object storage for other engines)."""
    return export_parquet(layout, url)


@task(name="write-report", cache_policy=NO_CACHE)
def write_report(layout: Layout, pages: int | None) -> Path:
    """The offline HTML report (corpus page + episode pages) from the published warehouse."""
    from warehouse.report import build_report  # matplotlib + jinja: not needed by a run that skips
    return build_report(layout, max_episode_pages=pages)


@task(name="publish-warehouse", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_tables(tables: Tables, layout: Layout, run: dict, sums: dict[str, str],
                   passed: pl.DataFrame | None, prepared: Publication | None = None) -> bool:
    """The snapshot (with which cached episodes it holds and which rows passed validation, for the
    next run) and the DuckDB swap; the rest of a publication `prepared` while validation ran, if it
    is still open (a retry starts afresh)."""
    extras = {EPISODE_KEYS: episode_key_table(tables)} | ({state.PASSED_FILE: passed} if passed is not None else {})
    publication = prepared if prepared is not None and prepared.open else Publication(layout)
    return publication.commit(tables, run, sums, extras)


def _while_validating(tables: Tables, layout: Layout, sums: dict[str, str], pending: list[Publication]) -> None:
    """What the flow does while Great Expectations checks the tables in its own process: the
    checksums publishing needs, then the publication of every table but the validation results
    (written and loaded into DuckDB, not committed: `publish_tables` commits it, a failed
    validation aborts it)."""
    sums.update(checksums(tables, exclude=("validation_results",)))
    pending.append(Publication(layout).prepare(tables, sums, keys=episode_key_table(tables)))


def _quarantine_for(bad_episodes: dict[str, str], bad_files: dict[str, str],
                    tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    """Files to hold back: every version of a failing episode, and failing files themselves."""
    versions = tables["episode_versions"]
    out = dict(bad_files)
    for eid, reason in bad_episodes.items():
        for fid in versions.filter(pl.col("episode_id") == eid)["file_id"].to_list():
            out[fid] = f"failed validation: {reason}"
    return out


@flow(name="ingest-transcripts", log_prints=True)
def ingest(params: IngestParams = IngestParams()) -> dict:
    """Ingest a folder of raw transcripts into the warehouse; returns the run summary."""
    logger = get_run_logger()
    # the staged-file index knows files by absolute path: "in/" and "/data/in/" are the same files
    params = params.model_copy(update={"input_dir": Path(os.path.abspath(params.input_dir))})
    layout = Layout(params.warehouse_dir).ensure()
    run = {"run_id": uuid.uuid4().hex[:12], "started_at": datetime.now(UTC)}
    timings: dict[str, float] = {}
    with writer_lock(layout, params.lock_wait_s), ExitStack() as stack:
        stack.enter_context(fewer_collections())
        t = time.perf_counter()
        if recover(layout):
            logger.warning("CURRENT.json lagged behind DuckDB (a crash right after a publish); repaired")
        stats = discover_files(params.input_dir).stats
        paths = list(stats)
        glossary = load_glossary() if params.repair_names else None
        options = _options(params)
        checks = checks_key() if params.validate_data else ""  # remembered verdicts hold under these suites
        inputs = state.inputs_fingerprint(stats, params.input_dir, _run_key(params, options, glossary, checks))
        if not params.rescan and (previous := state.unchanged_inputs(layout, inputs)) is not None:
            return _nothing_changed(previous, params, layout, run, len(paths), time.perf_counter() - t)
        # Great Expectations' import (seconds) starts now, in a process of its own, and overlaps the rest
        gx = _early_validator(params, layout, len(paths), stack)
        plan = _plan_staging(stats, params, layout, settings_key(options, glossary))  # what must be read
        gx = _validator(params, plan, gx, stack)
        # the pool starts only when there is more than one batch of work (never for the sample corpus)
        runner = OnDemand(params, stack)
        staged, files_read = _stage_all(paths, plan, params, layout, runner, options, glossary)
        # the staged-file index is rewritten (~0.3 s at 10^4 files) while the validation process checks,
        # where the flow would wait for its answer; else as the run ends (on failure too: the files are staged)
        save_index = functools.cache(functools.partial(_save_staged_index, layout, plan, paths, staged))  # once
        stack.callback(save_index)
        timings["stage"] = time.perf_counter() - t
        quarantine: dict[str, str] = {}
        results: list[pl.DataFrame] = []
        rebuilt, reused = 0, False
        sums: dict[str, str] = {}
        validation, passed, results = None, set(), []  # passed: cache keys of episodes that passed (any pass)
        pending: list[Publication] = []  # prepared while GX checked (at most one); aborted unless committed
        stack.callback(lambda: [p.abort() for p in pending])
        rows_passed = state.passed_rows(layout, checks)  # small tables' rows that passed before (by hash)
        tables = None
        for passes in range(1, 6):
            t = time.perf_counter()
            # a rebuild pass takes the unchanged episodes' small-table rows from the previous pass
            # (its big tables are lazy scans: it holds no more than those)
            previous, tables = tables, None
            tables, merged = build_tables(staged, layout, glossary, quarantine, settings_key(options, glossary),
                                          runner, hold_failed=params.validate_data, checks=checks, previous=previous)
            del previous
            rebuilt = rebuilt + merged  # episodes merged anew, over all passes
            sums = {}  # checksums cost a pass over the data: taken only when needed
            timings["build"] = timings.get("build", 0) + time.perf_counter() - t
            runner.release()  # (if merging did not need it) validation and publishing run here
            if not params.validate_data:
                break
            if tables.held and not tables.held.keys() <= quarantine.keys():  # left out: GX not asked again
                logger.warning("%d file(s) failed validation in an earlier run; quarantined", len(tables.held))
                quarantine |= tables.held
            # the published results stand for these tables only if every episode passed under these suites
            if passes == 1 and not tables.unvalidated \
                    and (previous := unchanged_validation(layout, tables, sums := checksums(tables))) is not None:
                results, reused = [previous], True  # these rows passed when published
                timings["validate"] = 0.0
                break
            t = time.perf_counter()
            todo = {e for e in tables.unvalidated if tables.episode_keys[e] not in passed}

            def meanwhile() -> None:  # here, while GX checks in its process
                _while_validating(tables, layout, sums, pending)
                save_index()

            validation = validate_tables(tables, layout, todo, rows_passed, gx, meanwhile=meanwhile)
            results.append(validation.results.with_columns(pl.lit(passes, pl.Int32).alias("pass_no")))
            timings["validate"] = timings.get("validate", 0) + time.perf_counter() - t
            failed = [tables.episode_keys[e] for e in validation.bad_episodes if e in tables.episode_keys]
            mark_episodes(layout, failed, "FAILED", "; ".join(sorted(set(validation.bad_episodes.values()))),
                          checks=checks)
            passed |= {tables.episode_keys[e] for e in todo - validation.bad_episodes.keys()}
            extra = _quarantine_for(validation.bad_episodes, validation.bad_files, tables)
            if validation.success or not extra or extra.keys() <= quarantine.keys():
                break
            for publication in pending:  # prepared for tables that are now rebuilt
                publication.abort()
            pending.clear()
            logger.warning("validation failed for %d file(s); quarantining and rebuilding", len(extra))
            quarantine |= extra
        if gx is not None:
            gx.finish()  # no more to validate: its process exits while this one publishes
        if validation is not None and not validation.success:
            raise RuntimeError("validation still fails after quarantine; nothing published:\n"
                               + _failures(validation))
        tables["validation_results"] = VALIDATION_RESULTS.conform(pl.concat(results)) if results \
            else VALIDATION_RESULTS.empty()
        sums = (sums or checksums(tables, exclude=("validation_results",))) \
            | {"validation_results": table_checksum(tables["validation_results"])}
        summary = _summary(tables, validation, timings, reused, sums) | {"files_read": files_read,
                                                                  "episodes_rebuilt": rebuilt,
                                                            "validation_passes": passes}
        t = time.perf_counter()
        rows_ok = state.passed_rows_file(validation.row_hashes, checks) if validation is not None else None
        published = publish_tables(tables, layout, run | {"summary": summary}, sums, rows_ok,
                                   pending[-1] if pending else None)
        if params.validate_data:  # their rows are in the validated, published tables: not checked again
            mark_episodes(layout, sorted(passed & set(tables.episode_keys.values())), "VALID", checks=checks)
        summary["timings_s"]["publish"] = round(time.perf_counter() - t, 3)
        if params.parquet_url:
            summary["exported_to"] = export_tables(layout, params.parquet_url)
        summary["published"] = published
        summary["data_docs"] = str((layout.docs / "validation" / "index.html").resolve())
        state.record_inputs(layout, inputs, summary)
    if params.report:
        t = time.perf_counter()
        summary["report"] = str(write_report(layout, params.report_pages).resolve())
        summary["timings_s"]["report"] = round(time.perf_counter() - t, 3)
    _artifacts(summary, tables)
    if summary["validation"] is None or "quarantin" in summary["validation"]:
        logger.warning("validation: %s", summary["validation"])
    return summary


def _run_key(params: IngestParams, options: CleanOptions, glossary: pl.DataFrame | None, checks: str) -> str:
    """What the published tables depend on besides the input files (`checks`: the suites' key)."""
    return "|".join([settings_key(options, glossary), MERGE_VERSION, str(params.validate_data), checks,
                     str(params.parquet_url)])


def _nothing_changed(previous: dict, params: IngestParams, layout: Layout, run: dict, n_files: int,
                     seconds: float) -> dict:
    """No input file changed since the current snapshot was made from them: log the run, stop."""
    summary = previous | {"published": False, "episodes_rebuilt": 0, "files_seen": n_files, "files_read": 0,
                          "skipped": "no input file added, removed or changed since the current snapshot",
                          "timings_s": {"discover": round(seconds, 3)}}
    log_run(layout, run | {"published": False, "summary": summary})
    if params.report:  # the report of the current snapshot, written now if an earlier run skipped it
        site = layout.root / "site" / "index.html"
        summary["report"] = str((site if site.exists() else write_report(layout, params.report_pages)).resolve())
    get_run_logger().info("nothing to do: %s", summary["skipped"])
    create_markdown_artifact(f"# Ingest run\n\nNothing to do: {summary['skipped']} ({n_files} files checked).",
                             key="ingest-summary", description="What this run did")
    return summary


def _options(params: IngestParams) -> CleanOptions:
    return CleanOptions(drop_fillers=params.drop_fillers, repair_names=params.repair_names)


@dataclasses.dataclass
class StagePlan:
    """Which input files staging must read: those whose path, size and mtime the staged-file index
    does not know (all of them with `rescan`)."""

    key: str  # the settings key (code version, cleaning options, glossary) the index is read under
    stats: dict[str, tuple[int, int] | None]  # by path string (`warehouse.archive.discover_stats`)
    known: dict[str, Staged]
    todo: list[str]


def _plan_staging(stats: dict[str, tuple[int, int] | None], params: IngestParams, layout: Layout,
                  key: str) -> StagePlan:
    index = {} if params.rescan else load_index(layout, key)
    known = {}
    for p, st in stats.items():
        if st and (s := index.get((p, *st))) is not None:
            rel = relative_path(p, params.input_dir)  # the same file under another input folder: its path
            known[p] = s if s.path == rel else dataclasses.replace(s, path=rel)
    return StagePlan(key, stats, known, [p for p in stats if p not in known])


def _stage_all(paths: list[str], plan: StagePlan, params: IngestParams, layout: Layout, runner: OnDemand | None,
               options: CleanOptions, glossary: pl.DataFrame | None) -> tuple[list[Staged], int]:
    """Stage every file the plan has to read; the others come from the staged-file index (which
    `_save_staged_index` then replaces by this run's files)."""
    key, stats, known, todo = plan.key, plan.stats, plan.known, plan.todo
    hashes = HashIndex(layout, key)  # each batch's signatures go to disk as it arrives, not into memory
    fresh = dict(zip(todo, _stage_paths(todo, params, layout, runner, options, glossary, len(known), len(paths),
                                        hashes.add)))
    staged = [known.get(p) or fresh[p] for p in paths]
    hashes.add(staged)  # files staged before but missing from the hash index (read from their cache)
    hashes.compact()
    return staged, len(todo)


def _save_staged_index(layout: Layout, plan: StagePlan, paths: list[str], staged: list[Staged]) -> None:
    """The staged-file index of this run's files (those it knew are copied, not serialised again)."""
    stats = plan.stats
    save_index(layout, plan.key, [((p, *stats[p]), s) for p, s in zip(paths, staged) if stats[p]],
               unchanged={(p, *stats[p]) for p in plan.known})


def _stage_paths(paths: list[str], params: IngestParams, layout: Layout, pool: OnDemand | None,
                 options: CleanOptions, glossary: pl.DataFrame | None, done: int, total: int,
                 on_batch: Callable[[list[Staged]], None]) -> list[Staged]:
    batches = split_batches(paths, params.batch_size, pool.workers if pool is not None else 1)
    staged: list[Staged] = []
    if pool is None or len(batches) < 2:
        for i, batch in enumerate(batches):
            staged += (out := stage_batch(batch, params.input_dir, layout, options, glossary, i))
            on_batch(out)
            progress.advance("stage", done + len(staged), total)
        return staged
    runner = pool.get()
    futures = [runner.submit(stage_batch, parameters={"paths": batch, "input_dir": params.input_dir, "layout": layout,
                                                      "options": options, "glossary": glossary, "index": i,
                                                      "pool": pool.pool})
               for i, batch in enumerate(batches)]
    for f in futures:  # in submission order, so the result does not depend on scheduling
        staged += (out := f.result())
        on_batch(out)
        progress.advance("stage", done + len(staged), total)
    return staged


MIN_BATCH = 64  # files: below this a batch's fixed cost (~0.2 s of polars calls per cleaning pass) dominates
SPREAD = 4  # batches per worker at least, when they can hold MIN_BATCH files: the last round is short


def split_batches(items: list, size: int, workers: int) -> list[list]:
    """At most `size` items per batch, in order, as even as possible; with several workers, at least
    SPREAD batches each where that leaves MIN_BATCH items a batch; and (when there is more than one
    batch, and items enough) a multiple of `workers` batches: no worker idles through a last round alone."""
    n = -(-len(items) // size)
    if workers > 1:
        n = max(n, min(SPREAD * workers, len(items) // MIN_BATCH))
    if n > 1:
        n = min(len(items), -(-n // workers) * workers)
    n = max(n, 1)
    return [items[i * len(items) // n:(i + 1) * len(items) // n] for i in range(n)] if items else []


def _failures(validation: Validation) -> str:
    bad = validation.results.filter(~pl.col("success"))
    return "\n".join(f"- {r['table_name']}: {r['expectation']}({r['column_name']}) x{r['unexpected_count']}"
                     for r in bad.to_dicts())


def _summary(tables: dict[str, pl.DataFrame], validation: Validation | None, timings: dict,
             reused: bool, sums: dict[str, str]) -> dict:
    files = tables["source_files"]
    counts = dict(files.group_by("status").len().iter_rows())
    return {
        "files_seen": files.height,
        "loaded": counts.get("loaded", 0),
        "duplicate_copies": counts.get("duplicate_copy", 0),
        "quarantined": counts.get("quarantined", 0),
        "episodes": tables["episodes"].height,
        "episodes_merged": tables["episodes"].filter(pl.col("n_versions") > 1).height,
        "rows": {name: int(sums[name].split(":")[0]) for name in sorted(tables)},
        "validation": "passed (tables unchanged since the validated publish)" if reused
        else _validation_label(tables, validation),
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
        *([f"Report: file://{summary['report']}"] if summary.get("report") else []),
    ]
    create_markdown_artifact("\n".join(lines), key="ingest-summary", description="What this run did")
    failed = tables.get("validation_results", VALIDATION_RESULTS.empty()).filter(~pl.col("success"))
    if failed.height:
        create_table_artifact(failed.select("pass_no", "table_name", "expectation", "column_name",
                                            "unexpected_count", "sample").to_dicts(),
                              key="validation-failures", description="Expectations that failed (before quarantine)")
    if summary["quarantine"]:
        create_table_artifact(summary["quarantine"], key="quarantined-files", description="Quarantined files")
