"""Validate staged tables with Great Expectations before publishing; map failures to files.

GX has no polars support, so frames are converted to pandas at this boundary. It is imported
lazily: importing it costs seconds.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import polars as pl

from expectations.suites import columns_named, suite_spec

RESULT_SCHEMA = {"table_name": pl.String, "expectation": pl.String, "column_name": pl.String,
                 "success": pl.Boolean, "unexpected_count": pl.Int64, "sample": pl.String}


@dataclass
class Validation:
    results: pl.DataFrame  # RESULT_SCHEMA
    bad_episodes: dict[str, str]  # episode_id -> failing expectations
    bad_files: dict[str, str]  # file_id -> failing expectations (tables keyed by file)
    row_hashes: pl.DataFrame | None = None  # PASSED_ROWS of every row of the in-memory tables

    @property
    def success(self) -> bool:
        return bool(self.results["success"].all()) if self.results.height else True


# Row-level expectations look at one row at a time (helper columns included), so a row that passed
# once passes again: an in-memory table's rows are remembered by hash (PASSED_ROWS, saved beside the
# published snapshot: the rows of the tables published, which passed every rule) and only rows not
# seen before are checked. Table-level expectations depend on more than one row. A key (KEY_RULES) can
# only be repeated by a row that is new, by a row whose key a new row has, or by a row present twice:
# the published table's keys were unique. Those rows are checked with the new ones (the others have
# no partner to repeat), which gives GX's verdict, count and rows for the whole table in the same
# suite as the row-level rules. Any other table-level rule (a row count) runs on the whole table.
KEY_RULES = frozenset({"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"})
WHOLE_TABLE = frozenset({"ExpectTableRowCountToBeBetween"})
PASSED_ROWS = {"table_name": pl.String, "h": pl.UInt64}
HASH_SEED = 11


def row_hashes(name: str, df: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.Series:
    """A row's identity for "it passed before": its values and its helper columns (so a row whose
    episode has gone is checked again). Polars' hash: a new polars version re-checks everything."""
    return with_helpers(name, df, tables).hash_rows(seed=HASH_SEED)


def with_helpers(name: str, df: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Add the computed columns that row-level rules need (prefixed with _)."""
    episodes = tables["episodes"]["episode_id"] if "episodes" in tables else pl.Series([], dtype=pl.String)
    if "episode_id" in df.columns and name != "episodes":
        df = df.with_columns(pl.col("episode_id").is_in(episodes.implode()).alias("_episode_exists"))
    if name == "segments":
        df = df.with_columns(
            (pl.col("end_s") - pl.col("start_s")).alias("_duration_s"),
            _start_order_ok().alias("_start_order_ok"),
            _speaker_known(tables).alias("_speaker_known"),
        )
    return df


def _start_order_ok() -> pl.Expr:
    """Starts never go backwards within an episode (a teaser may start a new clock)."""
    prev = pl.col("start_s").shift(1).over("episode_id", order_by="seq")
    return ((pl.col("start_s") >= prev) | pl.col("is_teaser") | prev.is_null()).fill_null(True)


def _speaker_known(tables: dict[str, pl.DataFrame]) -> pl.Expr:
    """A named speaker appears in the episode's speaker list."""
    spk = tables.get("speakers")
    if spk is None or spk.is_empty():
        return pl.col("speaker").is_null()
    keys = (spk["episode_id"] + "\x1f" + spk["name"]).implode()
    return pl.col("speaker").is_null() | (pl.col("episode_id") + "\x1f" + pl.col("speaker")).is_in(keys)


# Importing Great Expectations imports scipy.stats (~1.1 s of CPU, a quarter of the import) for the
# distribution expectations (KL divergence, KS tests), which no suite here uses. It is deferred: GX's
# modules get a module that loads itself on first use (importlib's LazyLoader), so a suite that did
# use them would pay the import then, and the checks here never do.
DEFERRED_IMPORTS = ("scipy.stats",)


def import_gx() -> ModuleType:
    """`import great_expectations`, with DEFERRED_IMPORTS loaded only when first used."""
    for name in DEFERRED_IMPORTS:
        _defer(name)
    import great_expectations

    return great_expectations


def _defer(name: str) -> None:
    """Bind `name` (a submodule not imported yet) to a module that executes on its first attribute
    access, as `sys.modules` entry and as its package's attribute (`from scipy import stats` takes
    the attribute as it is; the import system would touch the module, and so load it)."""
    if name in sys.modules or (spec := importlib.util.find_spec(name)) is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    package, _, attr = name.rpartition(".")
    setattr(importlib.import_module(package), attr, module)


def preload() -> None:
    """Start importing Great Expectations in a background thread (seconds), while staging runs."""
    import threading

    threading.Thread(target=import_gx, name="gx-import", daemon=True).start()


EPISODES_PER_BATCH = 500  # a lazy (big) table is validated this many episodes at a time


def validate(tables: dict[str, pl.DataFrame | pl.LazyFrame], docs_dir: Path | None = None,
             only_episodes: set[str] | None = None, passed: pl.DataFrame | None = None) -> Validation:
    """Run every table's suite; collect per-expectation results and the episodes/files that failed.

    A lazy table (the big episode tables, scanned from the cache) is validated in batches of
    EPISODES_PER_BATCH episodes, and only for `only_episodes` when given: the episodes whose rows
    have not passed before. An in-memory table is validated whole, unless `passed` (PASSED_ROWS: the
    hashes of the rows of the tables published, which passed under these suites) is given: then its
    row-level expectations and its key see only the rows not in it and those a key rule needs with
    them (`_rows_to_check`), and its other table-level ones (a row count) the whole table, the columns
    they name. Results are per expectation, summed over batches; `row_hashes` of the result holds the
    hash of every in-memory row, the next run's `passed`.
    """
    checks, context, hashes = plan_checks(tables, only_episodes, passed)
    return dataclasses.replace(run_checks(checks, context, docs_dir), row_hashes=hashes)


@dataclass
class Check:
    """One suite over one source: what `plan_checks` (polars) hands to `run_checks` (GX)."""

    table: str
    suite: str
    expectations: list[tuple[str, dict]]
    source: pl.DataFrame | pl.LazyFrame  # a lazy one is read in batches of whole episodes
    only: set[str] | None = None  # of a lazy source, these episodes only
    helpers: bool = True  # add the helper columns (row-level rules need them)


def plan_checks(tables: dict[str, pl.DataFrame | pl.LazyFrame], only_episodes: set[str] | None = None,
                passed: pl.DataFrame | None = None) -> tuple[list[Check], dict[str, pl.DataFrame], pl.DataFrame]:
    """The checks `validate` runs, the tables the helper columns read (`context`), and the row hashes
    of the in-memory tables. Only what the checks need is in them: rows not seen before and those
    that may repeat their keys, not the whole small tables, when `passed` is known (they may travel
    to another process)."""
    checks, hashes = [], []
    for name in sorted(t for t in tables if t != "validation_results"):
        table, spec = tables[name], suite_spec(name)
        if not isinstance(table, pl.DataFrame):
            checks.append(Check(name, name, spec, table, only_episodes))
            continue
        h = row_hashes(name, table, tables)
        hashes.append(pl.DataFrame({"table_name": pl.Series([name] * len(h), dtype=pl.String), "h": h}))
        if passed is None:
            checks.append(Check(name, name, spec, table))
            continue
        seen = passed.filter(pl.col("table_name") == name)["h"].implode()
        whole = [e for e in spec if e[0] in WHOLE_TABLE]
        checks += [Check(name, name, [e for e in spec if e[0] not in WHOLE_TABLE],
                         _rows_to_check(table, h, seen, [e for e in spec if e[0] in KEY_RULES])),
                   Check(name, f"{name}.table", whole, table.select(_columns_for(whole, table)), helpers=False)]
    context = {k: tables[k] for k in ("episodes", "speakers") if isinstance(tables.get(k), pl.DataFrame)}
    return [c for c in checks if c.expectations], context, \
        pl.concat(hashes) if hashes else pl.DataFrame(schema=PASSED_ROWS)


def _rows_to_check(table: pl.DataFrame, h: pl.Series, seen: pl.Series, keys: list[tuple[str, dict]]) -> pl.DataFrame:
    """The rows of an in-memory table its row-level rules and its key must see, given `seen` (the
    hashes of the published table's rows, whose keys were unique): the new rows and, if it has a key,
    the rows that may repeat one: rows present twice (same hash), and those that share the first key
    column's value with a new row (a superset of the rows sharing its key: a row checked that need
    not be changes no count, since it passed before and its key has no partner outside the new rows)."""
    new = ~h.is_in(seen)
    if not keys:
        return table.filter(new)
    rule = keys[0][1]
    column = rule.get("column") or rule["column_list"][0]
    shares = table[column].is_in(table.filter(new)[column].unique().implode(), nulls_equal=True)
    return table.filter(new | h.is_duplicated() | shares)


def run_checks(checks: list[Check], context: dict[str, pl.DataFrame], docs_dir: Path | None = None) -> Validation:
    """Great Expectations over the planned checks (`context`: the tables helper columns read), then
    their Data Docs into `docs_dir`."""
    validation, ctx = check_suites(checks, context)
    if docs_dir is not None:
        build_docs(ctx, docs_dir)
    return validation


def check_suites(checks: list[Check], context: dict[str, pl.DataFrame]) -> tuple[Validation, object]:
    """`run_checks` without the Data Docs: the verdict, and the GX context that holds the results
    (`build_docs` renders them; the validation process does that after it has answered)."""
    gx = import_gx()  # here, not at the top: seconds to import

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = {"globally": False}
    # one asset and batch definition for every suite (the frame is a run parameter): GX saves its whole
    # configuration, as YAML, each time one is added
    batch = ctx.data_sources.add_pandas("staged").add_dataframe_asset(name="tables") \
        .add_batch_definition_whole_dataframe("batch")
    rows, bad_eps, bad_files = [], {}, {}
    reruns = 0
    for check in checks:
        if _nothing_to_check(check):  # GX's answer is known: every rule holds for no rows (~25 ms a suite saved)
            rows += [_row_of_no_rows(check.table, getattr(gx.expectations, cls).expectation_type, kw)
                     for cls, kw in check.expectations]
            continue
        # the suite is stored once, whole (adding expectations one by one saves it each time)
        suite = ctx.suites.add(gx.ExpectationSuite(
            name=check.suite, expectations=[getattr(gx.expectations, cls)(**kw) for cls, kw in check.expectations]))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=check.suite, data=batch, suite=suite))
        per_batch = []
        for frame in _batches(check.source, check.only):
            df = with_helpers(check.table, frame, context) if check.helpers else frame
            df = df.select(_columns_for(check.expectations, df))  # GX reads (and fingerprints) all it is given
            frame_pd = _to_pandas(df)
            # counts only (the index lists of unexpected rows cost ~20% of GX's time, and only a failing
            # rule needs them, for the blame)
            res = vd.run(batch_parameters={"dataframe": frame_pd}, result_format="BASIC")
            per_batch += [_row(check.table, r) for r in res.results]
            if failed := [r.expectation_config for r in res.results if not r.success]:
                reruns += 1  # the failing rules again, on the same rows, for which rows failed
                again = ctx.suites.add(gx.ExpectationSuite(name=f"{check.suite}.failing-{reruns}",
                                                           expectations=[_unstored(c) for c in failed]))
                rerun = ctx.validation_definitions.add(gx.ValidationDefinition(name=again.name, data=batch,
                                                                               suite=again))
                for r in rerun.run(batch_parameters={"dataframe": frame_pd}, result_format="COMPLETE").results:
                    if not r.success:
                        _blame(df, r, f"{check.table}: {_label(r)}", bad_eps, bad_files)
        rows += _combine(per_batch)
    return Validation(pl.DataFrame(rows, schema=RESULT_SCHEMA), bad_eps, bad_files), ctx


def _unstored(config):
    """A rule of a stored suite as a new expectation, free to join another suite (it may not keep the id)."""
    expectation = config.to_domain_obj()
    expectation.id = None
    return expectation


def _to_pandas(df: pl.DataFrame):
    """The frame as GX is given it: narrow numbers widened to 64 bits (same values), because GX's
    range rule is vectorised only for int64/float64 columns and calls Python once a row otherwise."""
    narrow = [pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16, pl.UInt32]
    return df.with_columns(pl.col(narrow).cast(pl.Int64), pl.col(pl.Float32).cast(pl.Float64)).to_pandas()


def _nothing_to_check(check: Check) -> bool:
    """An in-memory source without rows (no row of a small table is new or can repeat a key, or it is
    empty) under row-level rules and keys only: each holds for every row, so for none. A row count is
    still asked of GX. (Such a check is left out of the Data Docs.)"""
    return isinstance(check.source, pl.DataFrame) and check.source.is_empty() \
        and not any(cls in WHOLE_TABLE for cls, _ in check.expectations)


def _row_of_no_rows(table: str, expectation: str, kwargs: dict) -> dict:
    """What GX reports for a row-level rule or a key over no rows: success, nothing unexpected."""
    return {"table_name": table, "expectation": expectation, "column_name": _column_of(kwargs),
            "success": True, "unexpected_count": 0, "sample": None}


def _column_of(kwargs: dict) -> str | None:
    return kwargs.get("column") or kwargs.get("column_A") or ",".join(kwargs.get("column_list", [])) or None


def _columns_for(expectations: list[tuple[str, dict]], table: pl.DataFrame) -> list[str]:
    """The columns table-level expectations name, plus the one a failure is blamed on."""
    named = columns_named(expectations)
    blame = [c for c in ("episode_id", "file_id") if c in table.columns][:1]
    return [c for c in table.columns if c in named or c in blame] or table.columns[:1]


def _batches(table: pl.DataFrame | pl.LazyFrame, only: set[str] | None):
    """A frame as it is; a lazy scan streamed once, as frames of whole episodes, EPISODES_PER_BATCH
    at a time (the rows of an episode are contiguous in it). One empty frame if there are no rows.
    Episodes are counted where each streamed chunk's episode id changes, so a batch costs its rows."""
    if isinstance(table, pl.DataFrame):
        yield table
        return
    # (the ids as one Series: a Python list in `is_in` is converted again for every chunk scanned, and a
    # first run's scan has a chunk per episode file: 1.5 s per 2,000 episodes against 0.04 s)
    lf = table if only is None else \
        table.filter(pl.col("episode_id").is_in(pl.Series(list(only), dtype=pl.String).implode()))
    pending: list[pl.DataFrame] = []
    n, last, sent = 0, None, False
    for chunk in lf.collect_batches(maintain_order=True):
        if not chunk.height:
            continue
        ids = chunk["episode_id"]
        if ids[0] == ids[-1]:  # one episode (a cache file): no need to look for where episodes start
            starts = [] if ids[0] == last else [0]
        else:
            starts = (ids != ids.shift(1)).fill_null(True).arg_true().to_list()  # first rows of episodes
            if starts[0] == 0 and ids[0] == last:
                starts = starts[1:]  # the previous chunk's last episode goes on
        offset = 0
        for pos in starts:
            if n == EPISODES_PER_BATCH:  # cut before the first row of the next batch's first episode
                yield pl.concat([*pending, chunk.slice(offset, pos - offset)])
                sent, pending, n, offset = True, [], 0, pos
            n += 1
        pending.append(chunk.slice(offset))
        last = ids[-1]
    rest = pl.concat(pending) if pending else lf.head(0).collect()
    if rest.height or not sent:
        yield rest


def _combine(rows: list[dict]) -> list[dict]:
    """One row per expectation: success if every batch passed, unexpected counts summed."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["table_name"], r["expectation"], r["column_name"])
        if key not in out:
            out[key] = dict(r)
            continue
        seen = out[key]
        if r["unexpected_count"] is not None:
            seen["unexpected_count"] = (seen["unexpected_count"] or 0) + r["unexpected_count"]
        if not r["success"] and seen["success"]:
            seen["success"], seen["sample"] = False, r["sample"]
    return list(out.values())


def _label(r) -> str:
    cfg = r.expectation_config
    col = _column_of(cfg.kwargs)
    return f"{cfg.type}({col})" if col else cfg.type


def _row(table: str, r) -> dict:
    cfg, res = r.expectation_config, r.result
    sample = res.get("partial_unexpected_list") or res.get("observed_value")
    return {"table_name": table, "expectation": cfg.type, "column_name": _column_of(cfg.kwargs),
            "success": bool(r.success),
            "unexpected_count": res.get("unexpected_count"), "sample": None if r.success else str(sample)[:300]}


def _blame(df: pl.DataFrame, r, label: str, bad_eps: dict, bad_files: dict) -> None:
    """Failing rows -> the episodes (or files) they belong to; a table-level failure blames nothing."""
    idx = r.result.get("unexpected_index_list") or []
    idx = [i if isinstance(i, int) else i.get("index") for i in idx]
    rows = df[[i for i in idx if isinstance(i, int)]] if idx else df.clear()
    key, target = ("episode_id", bad_eps) if "episode_id" in df.columns else ("file_id", bad_files)
    if key not in rows.columns:
        return
    for value in rows[key].drop_nulls().unique().to_list():
        target[value] = f"{target[value]}; {label}" if value in target else label


# The Data Docs' suite pages: what each shows, by name, in a file beside them (`_stale_suites`).
DRAWN_SUITES = "suites-drawn.json"


def build_docs(ctx, docs_dir: Path) -> None:
    """Data Docs HTML into the warehouse's docs folder (renders unstyled offline: CDN assets): a page
    per validation result, the index, and a page per expectation suite whose page is missing or shows
    other rules than the suite has now (the suites rarely change between runs; drawing their pages
    again was a third of the time, ~0.2 s a run)."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    try:
        ctx.add_data_docs_site(site_name="warehouse", site_config={
            "class_name": "SiteBuilder",
            # (GX takes only an absolute folder: a relative one, as `make run` names the warehouse, failed)
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir.resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        version = import_gx().__version__
        drawn, rules = _drawn_suites(docs_dir), {suite.name: _rules_of(suite, version) for suite in ctx.suites.all()}
        results = ctx.validation_results_store.list_keys()
        stale = _stale_suites(ctx.expectations_store.list_keys(), rules, drawn, docs_dir)
        # (no result and no stale suite: GX takes an empty list for "every page", which only costs time)
        ctx.build_data_docs(site_names=["warehouse"], resource_identifiers=[*results, *stale])
        # (GX's index builder removes the pages of suites not in this context: they are not listed either)
        (docs_dir / DRAWN_SUITES).write_text(json.dumps(rules, sort_keys=True))
    except Exception as err:  # noqa: BLE001 - docs are a convenience; validation results are the record
        (docs_dir / "ERROR.txt").write_text(f"data docs failed: {err}\n")


def _rules_of(suite, version: str) -> str:
    """A suite's rules as its page shows them (not the ids GX gives them), and the GX `version` that
    draws it, as text."""
    rules = [{k: v for k, v in e.configuration.to_json_dict().items() if k != "id"} for e in suite.expectations]
    return json.dumps([version, *rules], sort_keys=True, default=str)


def _drawn_suites(docs_dir: Path) -> dict[str, str]:
    """Suite name -> the rules its page was drawn with (`DRAWN_SUITES`); {} if unknown or unreadable."""
    try:
        drawn = json.loads((docs_dir / DRAWN_SUITES).read_text())
    except (OSError, ValueError):
        return {}
    return drawn if isinstance(drawn, dict) else {}


def _stale_suites(keys: list, rules: dict[str, str], drawn: dict[str, str], docs_dir: Path) -> list:
    """The suite keys whose page must be drawn: missing, or drawn with other rules."""
    return [key for key in keys if drawn.get(key.name) != rules.get(key.name)
            or not (docs_dir / "expectations" / Path(*key.to_tuple())).with_suffix(".html").exists()]
