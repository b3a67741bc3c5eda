"""SubRip (SRT): numbered cues `1` / `00:00:01,000 --> 00:00:02,500` / text lines.

Indices may be missing or wrong; time lines may use `.`; HTML (<i>, <font>) and ASS ({\\an8}) tags
stay in the verbatim text for the cleaning stage. A cue with an unreadable time line is skipped
with a warning; cues out of order or overlapping are kept in file order with a warning.
"""

from __future__ import annotations

import re

from transforms.parsers._cues import CUE_TIME, blocks, cue_times, order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, decode, lines_of, require_segments, segments_frame,
)

FORMAT = "srt"
_SRT_TIME = r"(?m)^\s*-?\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*-?\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"


def looks_like(head: str) -> float:
    """Several `hh:mm:ss,mmm --> hh:mm:ss,mmm` lines and no WEBVTT header."""
    if head.lstrip("\ufeff").startswith("WEBVTT"):
        return 0.0
    hits = len(re.findall(_SRT_TIME, head))
    return 0.9 if hits >= 2 and "," in "".join(re.findall(_SRT_TIME, head)) else (0.55 if hits >= 2 else 0.0)


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    rows: list[dict] = []
    for first, block in blocks(lines_of(text)):
        idx = next((i for i, ln in enumerate(block[:3]) if "-->" in ln), None)
        if idx is None:
            warnings.append(ParseWarning("stray_text", "block without a time line skipped", first))
            continue
        if idx == 0:
            warnings.append(ParseWarning("missing_index", "cue without a number", first))
        m = CUE_TIME.match(block[idx])
        if not m:
            warnings.append(ParseWarning("bad_timestamp", f"unreadable time line {block[idx]!r}; cue skipped",
                                         first + idx))
            continue
        start, end = cue_times(m[1], m[2], first + idx, warnings)
        if start is None:
            continue
        rows.append({"start_s": start, "end_s": end, "speaker": None, "text": "\n".join(block[idx + 1:]).strip(),
                     "line_start": first, "line_end": first + len(block) - 1})
    rows = [r for r in rows if r["text"]]
    require_segments(rows, source)
    order_warnings(rows, warnings)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="unknown"), warnings)
