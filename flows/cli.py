"""`tw`: the one command-line entry point (typer + rich)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.settings import IngestParams, from_env, validates_apart
from warehouse.layout import Layout

app = typer.Typer(help="Transcript warehouse: ingest raw transcripts, query the clean tables.",
                  no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)
DEFAULTS = from_env()
WAREHOUSE_OPT = typer.Option(DEFAULTS.warehouse_dir, "--warehouse", "-w", help="Warehouse folder")


@app.command()
def run(
    input_dir: Path = typer.Argument(DEFAULTS.input_dir, help="Folder of raw transcript files"),
    warehouse: Path = WAREHOUSE_OPT,
    keep_fillers: bool = typer.Option(False, help="Keep um/uh in the display text"),
    wait: float = typer.Option(0.0, help="Seconds to wait if another run is writing"),
    no_validate: bool = typer.Option(False, help="Skip the Great Expectations gate (not recommended)"),
    task_runner: str = typer.Option(DEFAULTS.task_runner, help="processes | threads | dask"),
    workers: int = typer.Option(DEFAULTS.workers, help="Parallel workers (0: one per core)"),
    dask_address: str = typer.Option(DEFAULTS.dask_address or "", help="Dask scheduler address (dask runner)"),
    parquet_url: str = typer.Option(DEFAULTS.parquet_url or "", help="Also write tables to this fsspec URL"),
    no_report: bool = typer.Option(False, help="Do not write the HTML report"),
    rescan: bool = typer.Option(False, help="Re-read every file even if none changed size or mtime"),
) -> None:
    """Ingest a folder into the warehouse (a Prefect flow run; local temporary server if none is set)."""
    from expectations.process import drop_spare, prestart
    from flows import progress
    from warehouse.archive import count_files
    from warehouse.stage import has_index

    params = IngestParams(input_dir=input_dir, warehouse_dir=warehouse, drop_fillers=not keep_fillers,
                          lock_wait_s=wait, validate_data=not no_validate, task_runner=task_runner, workers=workers,
                          dask_address=dask_address or None, parquet_url=parquet_url or None, report=not no_report,
                          rescan=rescan)
    from warehouse.lock import WarehouseBusy, writer_lock

    try:
        with writer_lock(Layout(warehouse), wait):  # fail fast, before a flow run starts, if busy
            pass
        if validates_apart(params, has_index(Layout(warehouse)), count_files(input_dir, params.gx_process_files + 1)):
            prestart()  # its validation process imports GX while Prefect starts
        from flows.ingest import ingest  # (Prefect: seconds)

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as bar:
            task = bar.add_task("staging files", total=None)
            progress.set_hook(lambda step, done, total: bar.update(task, completed=done, total=total))
            summary = ingest(params)
    except (WarehouseBusy, FileNotFoundError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        drop_spare()  # not taken: the run had nothing to do, or validated in its own process
    _print_summary(summary)


def _print_summary(summary: dict) -> None:
    t = Table(title="Run summary", show_header=False)
    for key in ("files_seen", "loaded", "duplicate_copies", "quarantined", "episodes", "episodes_merged",
                "validation", "published", "report"):
        t.add_row(key, str(summary.get(key)))
    console.print(t)
    if summary.get("skipped"):
        err.print(f"[green]nothing to do:[/] {summary['skipped']}")
    for q in summary.get("quarantine", []):
        err.print(f"[yellow]quarantined[/] {q['path']}: {q['reason']}")


@app.command()
def query(
    sql: str = typer.Argument(..., help="SQL to run; '-' reads it from standard input"),
    warehouse: Path = WAREHOUSE_OPT,
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or markdown"),
    write: bool = typer.Option(False, "--write", help="Open the database for writing (off by default)"),
) -> None:
    """Run SQL against the warehouse (read-only unless --write)."""
    from warehouse.query import sql as run_sql

    text = sys.stdin.read() if sql == "-" else sql
    try:
        df = run_sql(Layout(warehouse), text, write=write)
    except Exception as exc:  # noqa: BLE001 - shown to the user as a clean error
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    _emit(df, fmt)


def _emit(df, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(df.write_csv())
    elif fmt == "markdown":
        cells = [[("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ") for v in r] for r in df.iter_rows()]
        lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
        sys.stdout.write("\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells]) + "\n")
    elif fmt == "json":
        sys.stdout.write(json.dumps(df.to_dicts(), default=str, ensure_ascii=False, indent=1) + "\n")
    else:
        t = Table(*df.columns)
        for row in df.iter_rows():
            t.add_row(*["" if v is None else str(v) for v in row])
        console.print(t)


@app.command()
def search(
    terms: str = typer.Argument(..., help="Words to look for"),
    warehouse: Path = WAREHOUSE_OPT,
    limit: int = typer.Option(10, help="How many moments"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or markdown"),
) -> None:
    """The best moments for some words: episode, time, speaker, text and a link to the moment."""
    from warehouse.query import search as run_search

    df = run_search(Layout(warehouse), terms, limit)
    if df.is_empty():
        err.print("no matches")
        raise typer.Exit(1)
    _emit(df.select("score", "title", "start_s", "speaker", "text", "link").with_columns(
        df["score"].round(2), df["text"].str.slice(0, 160)), fmt)


@app.command()
def status(warehouse: Path = WAREHOUSE_OPT) -> None:
    """What is loaded and how the last run went."""
    from warehouse.query import WarehouseMissing, sql as run_sql

    layout = Layout(warehouse)
    try:
        files = run_sql(layout, "select status, count(*) as files from source_files group by all order by all")
        counts = run_sql(layout, "select (select count(*) from episodes) as episodes, "
                                 "(select count(*) from segments) as segments")
        last = run_sql(layout, "select run_id, finished_at, published, summary from runs "
                               "order by finished_at desc limit 1")
    except WarehouseMissing as exc:
        err.print(f"[yellow]{exc}[/]")
        raise typer.Exit(1) from None
    _emit(files, "table")
    _emit(counts, "table")
    if last.height:
        row = last.to_dicts()[0]
        console.print(f"last run {row['run_id']} finished {row['finished_at']} published={row['published']}")


@app.command()
def report(
    warehouse: Path = WAREHOUSE_OPT,
    max_episode_pages: int | None = typer.Option(None, "--max-episode-pages", min=0,
                                                 help="Write at most this many episode pages (newest first)"),
) -> None:
    """Write the offline HTML report (<warehouse>/site/) and print the path of its index.html."""
    from warehouse.query import WarehouseBusy, WarehouseMissing
    from warehouse.report import build_report

    try:
        index = build_report(Layout(warehouse), max_episode_pages=max_episode_pages)
    except (WarehouseMissing, WarehouseBusy) as exc:
        err.print(f"[yellow]{exc}[/]")
        raise typer.Exit(1) from None
    typer.echo(str(index))


if __name__ == "__main__":
    app()
