"""One Great Expectations suite per warehouse table, derived from the declared schema plus the
rules a careful analyst adds. Suites name only columns the schema has (a drift test checks)."""

from __future__ import annotations

import hashlib
import json

from transforms.schemas import TABLES, Table

# Python's `\s`, spelled out: pandas matches a pattern with `\s` in it with Python's re, row by row,
# and one without in one pyarrow (RE2) call, ~10x faster over the segments' text (RE2's own `\s`
# misses some of these). The characters above U+00FF are in the pattern itself, not escaped: a `\u`
# escape also sends pandas to Python's re.
SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0" + "\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000" + "]"
MARKUP_RESIDUE = r"\*\*|\[\[|\]\(http|<c[.>]|</c>|^>>|" + SPACE + ">>"
MAX_SEGMENT_S = 900.0  # no single turn or cue runs longer than 15 minutes
HELPERS_VERSION = 1  # bump when expectations.validate.with_helpers (the computed `_` columns) changes


def _derived(table: Table) -> list[tuple[str, dict]]:
    """Not-null, allowed values, ranges and the key, straight from the schema."""
    out: list[tuple[str, dict]] = []
    for col in table.columns:
        if not col.nullable:
            out.append(("ExpectColumnValuesToNotBeNull", {"column": col.name}))
        if col.allowed:
            out.append(("ExpectColumnValuesToBeInSet", {"column": col.name, "value_set": list(col.allowed)}))
        if col.min is not None or col.max is not None:
            out.append(("ExpectColumnValuesToBeBetween",
                        {"column": col.name, "min_value": col.min, "max_value": col.max}))
    if len(table.key) == 1:
        out.append(("ExpectColumnValuesToBeUnique", {"column": table.key[0]}))
    elif table.key:
        out.append(("ExpectCompoundColumnsToBeUnique", {"column_list": list(table.key)}))
    return out


# Rules beyond the schema; helper columns (prefixed _) are computed by `expectations.validate`.
EXTRA: dict[str, list[tuple[str, dict]]] = {
    "segments": [
        ("ExpectColumnPairValuesAToBeGreaterThanB",
         {"column_A": "end_s", "column_B": "start_s", "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
        ("ExpectColumnValuesToNotMatchRegex", {"column": "text", "regex": MARKUP_RESIDUE}),
        ("ExpectColumnValueLengthsToBeBetween", {"column": "text", "min_value": 1}),
        ("ExpectColumnValuesToBeInSet", {"column": "_start_order_ok", "value_set": [True]}),
        ("ExpectColumnValuesToBeBetween", {"column": "_duration_s", "min_value": 0, "max_value": MAX_SEGMENT_S}),
        ("ExpectColumnValuesToBeInSet", {"column": "_episode_exists", "value_set": [True]}),
        ("ExpectColumnValuesToBeInSet", {"column": "_speaker_known", "value_set": [True]}),
    ],
    "episodes": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 0}),
    ],
    "episode_versions": [
        ("ExpectColumnValuesToBeInSet", {"column": "_episode_exists", "value_set": [True]}),
    ],
    "speakers": [("ExpectColumnValuesToBeInSet", {"column": "_episode_exists", "value_set": [True]})],
    "chapters": [("ExpectColumnValuesToBeInSet", {"column": "_episode_exists", "value_set": [True]})],
    "mentions": [("ExpectColumnValuesToBeInSet", {"column": "_episode_exists", "value_set": [True]})],
}


def suite_spec(table: str) -> list[tuple[str, dict]]:
    """(expectation class name, kwargs) for the table's suite."""
    return _derived(TABLES[table]) + EXTRA.get(table, [])


def columns_named(spec: list[tuple[str, dict]]) -> set[str]:
    """Every column a suite refers to (helper columns included)."""
    names: set[str] = set()
    for _, kwargs in spec:
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                names.add(kwargs[key])
        names.update(kwargs.get("column_list", []))
    return names


def checks_key() -> str:
    """What "these rows passed (or failed) validation" depends on besides the rows: every table's
    suite and the helper columns' code. Remembered verdicts count only under the same key."""
    specs = {name: suite_spec(name) for name in sorted(TABLES)}
    return hashlib.sha256(json.dumps([HELPERS_VERSION, specs], sort_keys=True, default=str).encode()).hexdigest()[:16]
