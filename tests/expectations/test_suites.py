"""Suites derive from the schemas (no drift) and catch broken batches, naming the expectation."""

from __future__ import annotations

import polars as pl
import pytest

from expectations.suites import EXTRA, columns_named, suite_spec
from expectations.validate import validate, with_helpers
from transforms.schemas import TABLES, WAREHOUSE_TABLES
from tests.warehouse.test_publish import _tables


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_a_suite_names_exists(name: str) -> None:
    frame = with_helpers(name, TABLES[name].empty(), {t.name: t.empty() for t in WAREHOUSE_TABLES})
    assert columns_named(suite_spec(name)) <= set(frame.columns)
    assert {c for c in columns_named(suite_spec(name)) if not c.startswith("_")} <= set(TABLES[name].names)


def test_every_table_has_a_suite_and_extras_name_real_tables() -> None:
    assert all(suite_spec(t.name) for t in WAREHOUSE_TABLES)
    assert set(EXTRA) <= set(TABLES)


def test_broken_batch_is_caught_and_blamed_on_its_episode() -> None:
    tables = _tables(4)
    seg = tables["segments"]
    broken = pl.concat([seg, seg.with_columns(pl.lit("ep_2").alias("episode_id"))])
    broken = broken.with_columns(
        pl.when((pl.col("episode_id") == "ep_2") & (pl.col("seq") == 2)).then(0.5).otherwise(pl.col("start_s"))
        .alias("start_s"),  # backwards in time
        pl.when((pl.col("episode_id") == "ep_2") & (pl.col("seq") == 3)).then(pl.lit("**bold** residue"))
        .otherwise(pl.col("text")).alias("text"),
    )
    tables["segments"] = broken
    tables["episodes"] = pl.concat([tables["episodes"], tables["episodes"].with_columns(
        pl.lit("ep_2").alias("episode_id"))])
    tables["speakers"] = pl.DataFrame({"episode_id": ["ep_1", "ep_2"], "name": ["H", "H"], "role": ["host"] * 2,
                                       "n_turns": [1, 1], "words": [12, 12], "seconds": [4.0, 4.0]},
                                      schema=TABLES["speakers"].schema)
    result = validate(tables)
    failed = set(result.results.filter(~pl.col("success"))["expectation"])
    assert {"expect_column_values_to_be_in_set", "expect_column_values_to_not_match_regex"} <= failed
    assert set(result.bad_episodes) == {"ep_2"}
    assert "_start_order_ok" in result.bad_episodes["ep_2"] and "text" in result.bad_episodes["ep_2"]


def test_a_batch_is_asked_for_its_failing_rows_only_when_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """GX is asked first for counts (BASIC); the rules that failed on a batch again, for which rows
    failed (COMPLETE). The results and the blame are the ones a run asking for everything every time gives."""
    from great_expectations.core.validation_definition import ValidationDefinition

    tables = _tables(3)
    tables["segments"] = tables["segments"].with_columns(  # one episode's second row goes backwards
        pl.when((pl.col("episode_id") == "ep_1") & (pl.col("seq") == 2)).then(-1.0).otherwise(pl.col("start_s"))
        .alias("start_s"))
    tables["episodes"] = pl.concat([tables["episodes"], tables["episodes"].head(1)])  # a duplicate key
    asked: list[tuple[str, int]] = []
    real = ValidationDefinition.run

    def recorded(self, *args, **kwargs):
        asked.append((kwargs["result_format"], len(self.suite.expectations)))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ValidationDefinition, "run", recorded)
    quick = validate(tables)
    formats = list(asked)
    monkeypatch.setattr(ValidationDefinition, "run",
                        lambda self, *a, **kw: real(self, *a, **(kw | {"result_format": "COMPLETE"})))
    full = validate(tables)
    key = ["table_name", "expectation", "column_name"]
    assert quick.results.sort(key).equals(full.results.sort(key))
    assert (quick.bad_episodes, quick.bad_files) == (full.bad_episodes, full.bad_files)
    assert "ep_1" in quick.bad_episodes and not quick.success
    again = [n for fmt, n in formats if fmt == "COMPLETE"]
    failing = quick.results.filter(~pl.col("success")).group_by("table_name").len()
    assert set(failing["table_name"]) == {"segments", "episodes"}
    assert sorted(again) == sorted(failing["len"].to_list())  # each failing batch: its failing rules only
    assert {fmt for fmt, _ in formats} == {"BASIC", "COMPLETE"}  # every other ask was for counts


def test_duplicate_key_fails_uniqueness() -> None:
    tables = _tables(2)
    tables["episodes"] = pl.concat([tables["episodes"], tables["episodes"]])
    result = validate(tables)
    bad = result.results.filter(~pl.col("success") & (pl.col("table_name") == "episodes"))
    assert "expect_column_values_to_be_unique" in set(bad["expectation"])


def test_lazy_tables_are_validated_in_batches_of_whole_episodes(tmp_path, monkeypatch) -> None:
    import random

    import expectations.validate as v

    rng = random.Random(1)
    rows = [(f"ep{e:03d}", i) for e in range(57) for i in range(rng.randrange(1, 40))]
    df = pl.DataFrame(rows, schema={"episode_id": pl.String, "seq": pl.Int64}, orient="row")
    df.write_parquet(tmp_path / "t.parquet", row_group_size=7)  # episodes straddle row groups
    monkeypatch.setattr(v, "EPISODES_PER_BATCH", 10)
    batches = list(v._batches(pl.scan_parquet(tmp_path / "t.parquet"), None))
    assert len(batches) == 6 and pl.concat(batches).equals(df)
    assert [b["episode_id"].n_unique() for b in batches] == [10] * 5 + [7]  # full batches, cut at episodes
    seen: set[str] = set()
    for b in batches:  # at most 10 episodes each, and no episode split between two batches
        eps = set(b["episode_id"])
        assert len(eps) <= 10 and not eps & seen
        seen |= eps
    only = list(v._batches(pl.scan_parquet(tmp_path / "t.parquet"), {"ep003", "ep050"}))
    assert [set(b["episode_id"]) for b in only] == [{"ep003", "ep050"}]
    assert [b.height for b in v._batches(pl.scan_parquet(tmp_path / "t.parquet"), set())] == [0]


def test_a_scan_of_one_file_per_episode_is_batched_the_same(tmp_path, monkeypatch) -> None:
    """The episode cache's shape (a chunk per episode file, some files continuing the episode before)."""
    import expectations.validate as v

    rows = [(f"ep{e:03d}", i) for e in range(23) for i in range(1 + e % 4)]
    df = pl.DataFrame(rows, schema={"episode_id": pl.String, "seq": pl.Int64}, orient="row")
    paths = []
    for k, part in enumerate(df.partition_by("episode_id", maintain_order=True)):
        for j, piece in enumerate(part.iter_slices(2)):  # episodes of 3-4 rows span two files
            paths.append(tmp_path / f"{k:03d}-{j}.parquet")
            piece.write_parquet(paths[-1])
    monkeypatch.setattr(v, "EPISODES_PER_BATCH", 5)
    batches = list(v._batches(pl.scan_parquet(paths), None))
    assert pl.concat(batches).equals(df)
    assert [b["episode_id"].unique(maintain_order=True).to_list() for b in batches] == \
        [[f"ep{e:03d}" for e in range(i, min(i + 5, 23))] for i in range(0, 23, 5)]
    only = list(v._batches(pl.scan_parquet(paths), {f"ep{e:03d}" for e in range(3, 23, 2)}))
    assert [b["episode_id"].unique(maintain_order=True).to_list() for b in only] == \
        [[f"ep{e:03d}" for e in range(3, 23, 2)][i:i + 5] for i in (0, 5)]


def _speakers(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame([{"episode_id": e, "name": n, "role": r, "n_turns": 1, "words": 5, "seconds": 2.0}
                         for e, n, r in rows], schema=TABLES["speakers"].schema)


def _count(result, table: str, expectation: str) -> int:
    hit = result.results.filter((pl.col("table_name") == table) & (pl.col("expectation") == expectation))
    return int(hit["unexpected_count"].sum())


def test_rows_that_passed_before_are_skipped_and_a_repeated_key_fails_on_both_rows() -> None:
    tables = _tables(2)
    tables["speakers"] = _speakers([("ep_1", "H", "host"), ("ep_1", "G", "guest")])
    first = validate(tables)
    assert first.success and first.row_hashes.filter(pl.col("table_name") == "speakers").height == 2
    # a new bad row is checked and blamed; a new row repeating an old row's key fails the whole-table key
    tables["speakers"] = pl.concat([tables["speakers"], _speakers([("ep_1", "X", "narrator"), ("ep_1", "H", "guest")])])
    again = validate(tables, passed=first.row_hashes)
    assert _count(again, "speakers", "expect_column_values_to_be_in_set") == 1  # only the new rows were looked at
    assert _count(again, "speakers", "expect_compound_columns_to_be_unique") == 2  # both rows of the key
    assert set(again.bad_episodes) == {"ep_1"} and "role" in again.bad_episodes["ep_1"]
    # a row remembered as passed is not checked again (here: one that would fail, to show it is skipped)
    skipped = validate(tables, passed=again.row_hashes)
    assert _count(skipped, "speakers", "expect_column_values_to_be_in_set") == 0
    # the helper columns are part of a row's identity: a row whose episode is gone is checked again
    tables["speakers"] = _speakers([("ep_1", "H", "host"), ("ep_9", "G", "guest")])
    gone = validate(tables, passed=validate(dict(tables, episodes=pl.concat([
        tables["episodes"], tables["episodes"].with_columns(pl.lit("ep_9").alias("episode_id"))]))).row_hashes)
    assert not gone.success and set(gone.bad_episodes) == {"ep_9"}
    assert "_episode_exists" in gone.bad_episodes["ep_9"]


def test_a_check_of_no_rows_is_answered_as_gx_answers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row-level rules and keys over no rows (every small table's rows passed before, none twice) are
    not sent to GX; the results are the ones GX gives for them. A row count still runs."""
    from expectations import validate as module

    tables = _tables(2)
    passed = validate(tables).row_hashes
    skipped: list[str] = []
    real = module._nothing_to_check
    monkeypatch.setattr(module, "_nothing_to_check", lambda c: real(c) and (skipped.append(c.suite) or True))
    quick = validate(tables, passed=passed)
    monkeypatch.setattr(module, "_nothing_to_check", lambda c: False)
    full = validate(tables, passed=passed)
    key = ["table_name", "expectation", "column_name"]  # (GX orders a suite's results as it likes)
    assert quick.results.sort(key).equals(full.results.sort(key)) and quick.success == full.success
    assert {"episodes", "speakers", "source_files"} <= set(skipped)  # nothing new in them: GX not asked
    assert not any(s.endswith(".table") for s in skipped)  # row counts: still asked of GX


def test_keys_are_checked_on_the_rows_that_can_repeat_them_with_the_whole_tables_verdict() -> None:
    """With the published rows known, a key is checked on the new rows, the rows sharing a new row's
    key and rows present twice; verdict, count and blame equal those of checking the whole table."""
    tables = _tables(3)
    tables["speakers"] = _speakers([("ep_1", "H", "host"), ("ep_1", "G", "guest"), ("ep_1", "K", "host")])
    passed = validate(tables).row_hashes
    old = tables["speakers"]
    cases = {
        "a new row repeating an old key": pl.concat([old, _speakers([("ep_1", "K", "guest")])]),
        "an old row present twice": pl.concat([old, old.head(1)]),
        "new rows repeating each other": pl.concat([old, _speakers([("ep_1", "Q", "host"), ("ep_1", "Q", "guest")])]),
        "a new row with a new key": pl.concat([old, _speakers([("ep_1", "Q", "host")])]),
        "nothing new": old,
    }
    rule = "expect_compound_columns_to_be_unique"
    for case, speakers in cases.items():
        now = dict(tables, speakers=speakers)
        quick, whole = validate(now, passed=passed), validate(now)
        assert _count(quick, "speakers", rule) == _count(whole, "speakers", rule), case
        assert quick.success == whole.success and quick.bad_episodes == whole.bad_episodes, case
    assert _count(validate(dict(tables, speakers=cases["an old row present twice"]), passed=passed),
                  "speakers", rule) == 2


def test_markup_rule_matches_what_python_does_in_one_pyarrow_call() -> None:
    """`MARKUP_RESIDUE` spells out `\\s`, so that pandas (under GX) runs it in pyarrow, not row by row
    in Python: the same verdict as the Python pattern with `\\s`, for every character around `>>`."""
    import re

    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from expectations.suites import MARKUP_RESIDUE

    python = r"\*\*|\[\[|\]\(http|<c[.>]|</c>|^>>|\s>>"
    texts = [f"a{chr(c)}>>b" for c in range(0x3100)] + [">> at the start", "**bold**", "see [[x]]", "<c.x>a</c>",
                                                         "[a](http://x)", "a >> b", "a>>b", "plain text"]
    want = [re.search(python, t) is not None for t in texts]
    assert pc.match_substring_regex(pa.array(texts), MARKUP_RESIDUE).to_pylist() == want
    assert [re.search(MARKUP_RESIDUE, t) is not None for t in texts] == want
    assert sum(want) > 30  # every white space character before ">>" and the markup samples
    assert not pd.Series(texts, dtype="string[pyarrow]").array._needs_python_regex(MARKUP_RESIDUE)
