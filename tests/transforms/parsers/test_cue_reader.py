"""The cue reader's one-pattern path (`simple_cues`) gives exactly the rows of the line-by-line
reader (`general_cues`) whenever it answers, and declines every file the general reader would
repair or warn about."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.parsers.base import lines_of
from transforms.parsers.srt import general_cues, read_cues, simple_cues
from transforms.parsers.vtt import _is_meta_block


def both(text: str, start: int = 0, skip=None) -> tuple[list[dict] | None, list[dict], list]:
    lines = lines_of(text)
    warnings: list = []
    return simple_cues(lines, start, skip), general_cues(lines, start, warnings, skip), warnings


SRT = ("1\n00:00:01,000 --> 00:00:02,500\nHello there.\nSecond line.\n\n"
       "2\n00:00:02,500 --> 00:00:04,000\n<i>Tagged</i> text\n\n\n"
       "3\n01:02:03,004 --> 01:02:04,000\nlast\n")
VTT_BODY = ("00:00.000 --> 00:02.557 align:start position:0%\n \nanyone<00:00:00.365><c> out</c>\n\n"
            "00:00:02.557 --> 00:00:02.567 align:start position:0%\nanyone out\n \n\n"
            "intro\n00:00:03.000 --> 00:00:04.000\n<v Bob>hi</v>\n\n  \n")


@pytest.mark.parametrize("text,start", [(SRT, 0), ("WEBVTT\nKind: captions\n\n" + VTT_BODY, 2), (VTT_BODY, 0)])
def test_common_files_take_the_pattern_and_get_the_same_rows(text, start):
    fast, general, warnings = both(text, start, _is_meta_block)
    assert fast is not None
    assert fast == general and warnings == []


@pytest.mark.parametrize("header", ["", "WEBVTT\nKind: captions\n"])
def test_rows_keep_ids_spaces_only_lines_and_line_numbers(header):
    fast, _, _ = both(header + VTT_BODY, header.count("\n"))
    n = header.count("\n")
    assert [(r["start_s"], r["end_s"], r["_id"], r["line_start"] - n, r["_body"] - n, r["line_end"] - n)
            for r in fast] == [(0.0, 2.557, False, 1, 2, 3), (2.557, 2.567, False, 5, 6, 6),
                               (3.0, 4.0, True, 9, 11, 11)]
    # a spaces-only line straight after the time line is the cue's; after its text, it ends the cue
    assert [r["_raw"] for r in fast] == [" \nanyone<00:00:00.365><c> out</c>", "anyone out", "<v Bob>hi</v>"]


@pytest.mark.parametrize("text", [
    "1\n00:00:01,000 --> 00:00:02,000\na\n2\n00:00:02,000 --> 00:00:03,000\nb\n",  # no blank line between cues
    "00:00:01.000 --> 00:00:02.000\na\n\nstray text\n\n00:00:02.000 --> 00:00:03.000\nb\n",  # orphan text
    "00:00:01.000 --> 00:00:02.000\na\n\n00:00:02.000 --> 00:00:01.000\nb\n",  # end before start
    "00:00:01.000 --> 00:00:02.000\na\n\n00:00:61.000 --> 00:01:02.000\nb\n",  # seconds out of range
    "00:00:01.000 --> 00:00:02.000\na --> b\n",  # an arrow in the text
    "0:00:01.000 --> 0:00:02.000\na\n",  # a clock that is not fixed-width
    "NOTE x\n00:00:01.000 --> 00:00:02.000\na\n",  # a block the caller skips
    "x --> y\n00:00:01.000 --> 00:00:02.000\na\n",  # an arrow in the line before the time line
    "00:00:01.000 --> 00:00:02.000\na\n\ntrailing words\n",  # text after the last cue
    "no cues at all\n",
    "x" * 300_000 + " " * 300_000,  # a long line that is not a cue (a pattern that backtracks would hang)
])
def test_anything_irregular_goes_to_the_general_reader(text):
    fast, _, _ = both(text, 0, _is_meta_block)
    assert fast is None
    lines, w1, w2 = lines_of(text), [], []
    assert read_cues(lines, 0, w1, _is_meta_block) == general_cues(lines, 0, w2, _is_meta_block) and w1 == w2


# Documents built from cue blocks, regular ones (which mostly take the pattern) and ones with odd
# lines mixed in: every answer the pattern gives must be the general reader's, with no warning.
def _document(odd: bool) -> st.SearchStrategy[str]:
    def pick(regular: list, unusual: list) -> st.SearchStrategy:
        return st.sampled_from(regular + unusual if odd else regular)

    clock = st.builds(
        lambda h, m, s, ms, sep, hours: (f"{h:02d}:" if hours else "") + f"{m:02d}:{s:02d}{sep}{ms:03d}",
        st.integers(0, 25), pick([0, 1, 59], [60, 99]), pick([0, 7, 59], [60]),
        st.integers(0, 999), st.sampled_from([",", "."]), st.booleans())
    time = st.builds(lambda a, b, gap, rest: f"{gap}{a}{gap}-->{gap or ' '}{b}{rest}", clock, clock,
                     pick([" ", ""], ["\t"]), pick(["", " align:start position:0%"], ["x", " ", "\t-->"]))
    ident = pick([None, "1", "42"], ["cue id", "NOTE about", "STYLE", "00:00:01.000 --> 00:00:02.000", " ", "x --> y"])
    payload = pick(["Hello.", "<v Bob>hi</v> &amp; more", "  text  ", "12"], [" ", "", "\t", "a --> b", "NOTE x"])
    sep = pick(["\n\n", "\n\n\n", "\n \n"], ["\n", "\n\t\n", "\n\u00a0\n", "\n\u2028\n"])
    block = st.builds(lambda i, t, p: "\n".join(([i] if i is not None else []) + [t] + p),
                      ident, time, st.lists(payload, max_size=3))
    return st.builds(lambda head, blocks, seps, tail: head + "".join(b + s for b, s in zip(blocks, seps)) + tail,
                     pick(["", "\n"], ["stray\n\n", " \n"]), st.lists(block, min_size=1, max_size=4),
                     st.lists(sep, min_size=4, max_size=4), pick(["", "\n"], ["  \n\n", "x"]))


_DOC = st.one_of(_document(odd=False), _document(odd=True))


@settings(max_examples=400, deadline=None)
@given(_DOC, st.booleans(), st.sampled_from([0, 1]))
def test_the_pattern_never_disagrees_with_the_general_reader(text, skip_meta, start):
    fast, general, warnings = both(text, start, _is_meta_block if skip_meta else None)
    if fast is not None:
        assert fast == general
        assert warnings == []
