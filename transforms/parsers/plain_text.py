"""Plain text with no recognisable structure: one segment per paragraph (blank-line separated), no
times, no speakers, meta.kind unknown. Lines keep their words verbatim (joined with newlines).

A "paragraph" of more than 20 lines is not one (whisper's .txt writes one segment a line, with no
blank lines): it becomes one segment per line, with a warning. Text that is not readable prose (too
few words or letters) is refused.
"""

from __future__ import annotations

import re
from itertools import islice

from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode, lines_of,
    require_segments, segments_frame,
)

FORMAT = "plain_text"
MAX_PARAGRAPH_LINES = 20
MAX_SCORE = 0.05
_NOT_LETTER = re.compile(r"[\W\d_]+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def looks_like(head: str) -> float:
    """Readable prose: several words (three suffice), mostly letters. Any specific format outranks it."""
    if sum(1 for _ in islice(_WORD.finditer(head), 3)) < 3:
        return 0.0
    letters = len(_NOT_LETTER.sub("", head))
    return MAX_SCORE if letters >= 0.4 * len(head.strip()) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Paragraphs (or lines of an overlong paragraph) to untimed segments."""
    text, warnings = decode(raw, source=source)
    if looks_like(text[:65536]) == 0.0:
        raise TranscriptParseError(source, None, "not readable prose (too few words or letters)")
    rows: list[dict] = []
    for first, para in _paragraphs(lines_of(text)):
        if len(para) > MAX_PARAGRAPH_LINES:
            warnings.append(ParseWarning("no_paragraphs", f"{len(para)} lines without a blank line; "
                                         "one segment per line", first))
            rows += [_row([ln], first + i) for i, ln in enumerate(para)]
        else:
            rows.append(_row(para, first))
    require_segments(rows, source)
    warnings.append(ParseWarning("no_structure", "no timestamps or speakers found; one segment per paragraph"))
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="unknown"), warnings)


def _paragraphs(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs: (first 1-based line, stripped lines)."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    for no, line in enumerate([*lines, ""], start=1):
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append((no - len(cur), cur))
            cur = []
    return out


def _row(lines: list[str], first: int) -> dict:
    """An untimed, unlabelled segment of consecutive lines."""
    return {"start_s": None, "end_s": None, "speaker": None, "text": "\n".join(lines),
            "line_start": first, "line_end": first + len(lines) - 1}
