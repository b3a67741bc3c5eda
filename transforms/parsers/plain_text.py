"""Plain text with no recognisable structure: one segment per paragraph, no times, no speakers."""

from __future__ import annotations

import re

from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode, lines_of,
    require_segments, segments_frame,
)

FORMAT = "plain_text"


def looks_like(head: str) -> float:
    """Readable prose: mostly letters, several words. Any specific format outranks it."""
    letters = len(re.findall(r"[^\W\d_]", head))
    words = len(re.findall(r"[^\W\d_]{2,}", head))
    return 0.05 if words >= 3 and letters >= 0.4 * len(head.strip()) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    if looks_like(text[:65536]) == 0.0:
        raise TranscriptParseError(source, None, "not readable prose (too few words or letters)")
    rows, cur, first = [], [], 0
    for no, line in enumerate([*lines_of(text), ""], start=1):
        if line.strip():
            first = first or no
            cur.append(line.strip())
        elif cur:
            rows.append({"start_s": None, "end_s": None, "speaker": None, "text": " ".join(cur),
                         "line_start": first, "line_end": no - 1})
            cur, first = [], 0
    require_segments(rows, source)
    warnings.append(ParseWarning("no_structure", "no timestamps or speakers found; one segment per paragraph"))
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="unknown"), warnings)
