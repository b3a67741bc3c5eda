"""Golden files: every tests/fixtures/<format>/<case>.* input is sniffed and parsed, and the result
compared with <case>.expected.json beside it. A new fixture is a new case.

Regenerate after a deliberate change with UPDATE_GOLDEN=1 (then read the diff before committing).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from transforms.parsers import TranscriptParseError, parse, sniff

FIXTURES = Path(__file__).parents[2] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("*/*") if p.is_file() and not p.name.endswith(".expected.json"))


def _result(raw: bytes, source: str) -> dict:
    fmt = sniff(raw, "")
    try:
        parsed = parse(raw, source=source, fmt=None)
    except TranscriptParseError as err:
        return {"format": fmt, "error": err.reason, "line": err.line}
    return {
        "format": parsed.format,
        "meta": dataclasses.asdict(parsed.meta),
        "warnings": sorted({w.code for w in parsed.warnings}),
        "segments": parsed.segments.to_dicts(),
    }


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_golden(case: Path) -> None:
    expected_path = case.with_name(case.name.split(".")[0] + ".expected.json")
    got = _result(case.read_bytes(), case.name)
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    # The folder names the format the content must be sniffed as (an error case says so too).
    assert got["format"] == case.parent.name
    assert got == expected
