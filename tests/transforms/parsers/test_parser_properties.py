"""For any bytes, the sniffer and every parser return the schema or raise the named error: never
another exception, never a hang (hypothesis, bounded budget)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.parsers import MODULES, TranscriptParseError, parser_for, sniff
from transforms.schemas import PARSED_SEGMENTS

FIXTURES = sorted(p for p in (Path(__file__).parents[2] / "fixtures").glob("*/*") if not p.name.endswith(".json")
                  or not p.name.endswith(".expected.json"))
SEEDS = [p.read_bytes()[:3000] for p in sorted((Path(__file__).parents[3] / "data" / "raw").iterdir())]
CORPUS = [p.read_bytes() for p in FIXTURES if not p.name.endswith(".expected.json")] + SEEDS

TEXTISH = st.text(alphabet=st.sampled_from(list("abc XYZ:.,->[]()*#\n\t0123456789<>/\"{}'!?=&\u00e9\u4e2d\ufeff")),
                  max_size=400).map(lambda s: s.encode("utf-8"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real file with a slice cut, a slice duplicated or random bytes spliced in."""
    base = draw(st.sampled_from(CORPUS))
    i = draw(st.integers(0, len(base)))
    j = draw(st.integers(i, min(len(base), i + 200)))
    how = draw(st.sampled_from(["cut", "dup", "splice", "truncate"]))
    if how == "cut":
        return base[:i] + base[j:]
    if how == "dup":
        return base[:j] + base[i:j] + base[j:]
    if how == "truncate":
        return base[:i]
    return base[:i] + draw(st.binary(max_size=40)) + base[j:]


ANY_INPUT = st.one_of(st.binary(max_size=600), TEXTISH, mutated())
BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _check(fmt: str, raw: bytes) -> None:
    try:
        parsed = parser_for(fmt).parse(raw, source="fuzz")
    except TranscriptParseError:
        return
    assert parsed.segments.schema == PARSED_SEGMENTS.schema
    assert parsed.segments["text"].null_count() == 0


@BUDGET
@given(ANY_INPUT)
def test_sniffer_never_fails(raw: bytes) -> None:
    assert sniff(raw, "fuzz") in (*MODULES, "unknown")


@pytest.mark.parametrize("fmt", sorted(MODULES))
def test_parser_returns_schema_or_named_error(fmt: str) -> None:
    @BUDGET
    @given(ANY_INPUT)
    def run(raw: bytes) -> None:
        _check(fmt, raw)

    run()
