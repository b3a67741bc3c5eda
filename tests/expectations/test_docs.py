"""The Data Docs: every run draws its results' pages and the index; a suite's page only when it is
missing or its rules changed."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from expectations.validate import DRAWN_SUITES, Check, run_checks

RULES = [("ExpectColumnValuesToNotBeNull", {"column": "a"}), ("ExpectColumnValuesToBeBetween",
                                                             {"column": "a", "min_value": 0, "max_value": 9})]


def _check(name: str, rules: list, values: list[int]) -> Check:
    return Check(name, name, rules, pl.DataFrame({"a": values}), helpers=False)


def _pages(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def test_suite_pages_are_drawn_when_missing_or_changed_and_results_every_run(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    run_checks([_check("one", RULES, [1, 2]), _check("two.table", RULES[:1], [3])], {}, docs)
    first = _pages(docs)
    assert {"expectations/one.html", "expectations/two/table.html", "index.html"} <= first.keys()
    assert sorted(json.loads((docs / DRAWN_SUITES).read_text())) == ["one", "two.table"]
    assert not (docs / "ERROR.txt").exists()

    # the same suites again: their pages stay as drawn, the new results get pages (in place of the
    # last run's), the index is redrawn
    run_checks([_check("one", RULES, [4]), _check("two.table", RULES[:1], [5])], {}, docs)
    second = _pages(docs)
    assert second["expectations/one.html"] == first["expectations/one.html"]
    assert second["expectations/two/table.html"] == first["expectations/two/table.html"]
    assert second["index.html"] != first["index.html"]
    results = {p for p in second if p.startswith("validations/")}
    assert len(results) == 2 and not results & first.keys()

    # a suite with other rules is drawn again, one whose page is gone too
    (docs / "expectations" / "two" / "table.html").unlink()
    run_checks([_check("one", RULES[1:], [6]), _check("two.table", RULES[:1], [7])], {}, docs)
    third = _pages(docs)
    assert third["expectations/one.html"] != first["expectations/one.html"]
    assert "expectations/two/table.html" in third
    assert "not_be_null" not in json.loads((docs / DRAWN_SUITES).read_text())["one"]
    # a suite not run loses its page (GX's index builder removes it) and is drawn when it is back
    run_checks([_check("one", RULES[1:], [8])], {}, docs)
    assert "expectations/two/table.html" not in _pages(docs)
    assert sorted(json.loads((docs / DRAWN_SUITES).read_text())) == ["one"]
    assert _pages(docs)["expectations/one.html"] == third["expectations/one.html"]
    run_checks([_check("one", RULES[1:], [9]), _check("two.table", RULES[:1], [9])], {}, docs)
    assert "expectations/two/table.html" in _pages(docs)
