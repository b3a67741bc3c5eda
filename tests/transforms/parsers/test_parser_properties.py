"""For any bytes, the sniffer and every parser return the schema or raise the named error: never
another exception, never a hang (hypothesis, bounded budget: FUZZ_EXAMPLES examples per target)."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.parsers import MODULES, SNIFF_BYTES, TranscriptParseError, binary_reason, parse, parser_for, sniff
from transforms.parsers.base import MAX_SECONDS, decode
from transforms.schemas import PARSED_SEGMENTS

ROOT = Path(__file__).parents[3]
FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures").glob("*/*")
                  if p.is_file() and not p.name.endswith(".expected.json"))
SEEDS = [p.read_bytes()[:3000] for p in sorted((ROOT / "data" / "raw").iterdir())]
CORPUS = [p.read_bytes() for p in FIXTURES] + SEEDS

TEXTISH = st.text(alphabet=st.sampled_from(list("abc XYZ:.,->[]()*#\n\t0123456789<>/\"{}'!?=&\u00e9\u4e2d\ufeff")),
                  max_size=400).map(lambda s: s.encode("utf-8"))
# Lines in the shapes parsers look for, shuffled into random documents.
SHAPED_LINES = st.sampled_from([
    "WEBVTT", "1", "00:00:01.000 --> 00:00:02.000", "00:00:01,000 --> 00:00:00,500", "<v Bob>hi</v>",
    "Jane Roe: 00:00:01: hello", "Jane Roe (00:01): hi", "**[00:01] SPEAKER_00:** yes", "[00:00:02] Bob: ok",
    "(00:00) Jane Roe:", "- [00:01] words", "* text [[00:00:01](https://youtu.be/x?t=1.0)]", "Kind: captions",
    "**[00:02]** text", "---", "title: \"x\"", '{"segments": [{"start": 0, "end": 1, "text": "a"}]}',
    '<transcript><text start="0" dur="1">a</text></transcript>', '{"events": [{"tStartMs": 0, "segs": []}]}',
    "", "", "plain words here", ">> Speaker change", "# Heading", "NOTE x", "99:99:99.999 --> -1:00",
])
SHAPED = st.lists(SHAPED_LINES, max_size=40).map(lambda ls: "\n".join(ls).encode("utf-8"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real file with a slice cut, a slice duplicated, the file truncated or random bytes spliced in."""
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


ANY_INPUT = st.one_of(st.binary(max_size=600), TEXTISH, SHAPED, mutated())
BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), deadline=timedelta(seconds=3),
                  database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _module(fmt: str) -> ModuleType:
    """The parser module, or a skip naming it when its author has not written it yet."""
    try:
        return parser_for(fmt)
    except ModuleNotFoundError as err:
        if err.name != f"transforms.parsers.{MODULES[fmt]}":
            raise
        pytest.skip(f"parser module for {fmt!r} does not exist yet")


def _check_frame(seg: pl.DataFrame) -> None:
    """Exactly the schema, and the value rules the schema declares."""
    assert seg.schema == PARSED_SEGMENTS.schema
    assert seg["text"].null_count() == 0 and seg["line_start"].null_count() == 0
    assert seg["seq"].to_list() == list(range(seg.height))
    assert (seg["line_start"] >= 1).all() and (seg["line_end"] >= seg["line_start"]).all()
    for col in ("start_s", "end_s"):
        times = seg[col].drop_nulls()
        assert times.is_nan().sum() == 0 and ((times >= 0) & (times <= MAX_SECONDS)).all(), col


def _check(module: ModuleType, raw: bytes) -> None:
    try:
        parsed = module.parse(raw, source="fuzz")
    except TranscriptParseError:
        return
    _check_frame(parsed.segments)


@BUDGET
@given(ANY_INPUT)
def test_sniffer_never_fails(raw: bytes) -> None:
    assert sniff(raw, "fuzz") in (*MODULES, "unknown")


def _sniff_asking_every_format(raw: bytes) -> str:
    """The sniffer's rule without its shortcuts: the highest score wins, ties to the earlier format."""
    if binary_reason(raw):
        return "unknown"
    text, _ = decode(raw[:SNIFF_BYTES], source="")
    if not text.strip():
        return "unknown"
    scores = [(parser_for(fmt).looks_like(text), -i, fmt) for i, fmt in enumerate(MODULES)]
    best = max(scores)
    return best[2] if best[0] > 0 else "unknown"


@BUDGET
@given(ANY_INPUT)
def test_sniffer_skips_only_formats_that_cannot_win(raw: bytes) -> None:
    """Each format's MAX_SCORE bounds its looks_like, so skipping by it never changes the verdict."""
    text, _ = decode(raw[:SNIFF_BYTES], source="")
    for fmt in MODULES:
        module = parser_for(fmt)
        assert module.looks_like(text) <= module.MAX_SCORE, fmt
    assert sniff(raw, "fuzz") == _sniff_asking_every_format(raw)


@pytest.mark.parametrize("raw", [p.read_bytes() for p in FIXTURES[:40]] + SEEDS, ids=lambda r: str(len(r)))
def test_sniffer_equals_asking_every_format_on_real_files(raw: bytes) -> None:
    assert sniff(raw, "x") == _sniff_asking_every_format(raw)


@BUDGET
@given(st.text(alphabet=st.sampled_from(["a", "\n", "\t", "\r", "\x00", "\x1b", "\x0c", "\ud800", "\u00e9", "\ufffd"]),
               max_size=300))
def test_control_characters_counted_as_the_pattern_counts_them(text: str) -> None:
    """binary_reason counts control characters by their UTF-8 bytes: the same count as the character class."""
    controls = len(re.findall(r"[\x00-\x08\x0d-\x1f]", text))
    raw = text.encode("utf-8", "surrogatepass")
    reason = binary_reason(raw)
    decoded, _ = decode(raw, source="")
    if decoded == text and not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and text and "\ufffd" not in text:
        expected = f"binary content ({controls} control characters in the first {len(text)})"
        assert (reason == expected) == (controls / len(text) > 0.02)


@BUDGET
@given(ANY_INPUT)
def test_registry_parse_returns_schema_or_named_error(raw: bytes) -> None:
    try:
        parsed = parse(raw, source="fuzz")
    except TranscriptParseError:
        return
    _check_frame(parsed.segments)


@pytest.mark.parametrize("fmt", sorted(MODULES))
def test_parser_returns_schema_or_named_error(fmt: str) -> None:
    module = _module(fmt)

    @BUDGET
    @given(ANY_INPUT)
    def run(raw: bytes) -> None:
        _check(module, raw)

    run()


@pytest.mark.parametrize("fmt", sorted(MODULES))
def test_parser_reads_every_other_fixture_safely(fmt: str) -> None:
    """Forced onto another format's file (or a seed), a parser still answers with the schema or the error."""
    module = _module(fmt)
    for raw in CORPUS + [p.read_bytes() for p in sorted((ROOT / "data" / "raw").iterdir())]:
        _check(module, raw)


PATHOLOGICAL = {
    "one long word": b"A" * 300_000,
    "long labelled line": b"Jane Roe: " * 30_000,
    "arrows": b"00:00:01.000 --> " * 20_000,
    "bold brackets": b"**[" * 100_000,
    "deep JSON": b"[" * 100_000,
    "deep object": b'{"segments":' * 50_000,
    "deep XML": b"<transcript>" + b"<a>" * 50_000,
    "many name lines": b"Jane Roe\n" * 50_000,
    "many stamps": b"- [00:01] " * 50_000,
    "blank lines": b"\n" * 300_000,
    "many cues": b"1\n00:00:01,000 --> 00:00:02,000\nhi\n" * 20_000,
    "colons": b"a:" * 150_000,
}


@pytest.mark.parametrize("fmt", sorted(MODULES))
def test_parser_never_hangs_on_pathological_input(fmt: str) -> None:
    """Inputs built to trigger regex backtracking, deep recursion or quadratic loops stay fast."""
    module = _module(fmt)
    for name, raw in PATHOLOGICAL.items():
        began = time.perf_counter()
        _check(module, raw)
        assert time.perf_counter() - began < 10, f"{fmt} took too long on {name}"


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_sniffer_never_hangs_on_pathological_input(name: str) -> None:
    began = time.perf_counter()
    assert sniff(PATHOLOGICAL[name], "") in (*MODULES, "unknown")
    assert time.perf_counter() - began < 10
