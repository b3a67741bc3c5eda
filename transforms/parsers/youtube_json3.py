"""YouTube json3 captions: `{"events": [{"tStartMs", "dDurationMs", "segs": [{"utf8", "tOffsetMs"?}]}]}`.

One segment per event with text; the segs are joined verbatim and HTML entities unescaped (twice, for
exports that double-escape: `&amp;#39;` -> `'`). Window events (no segs) and the rolling window's
line-break events (segs of only "\\n") are skipped. An event with text but no readable start keeps its
text untimed, with a warning. Line numbers are those of each event object.
"""

from __future__ import annotations

import html
import math

from transforms.parsers.base import (
    MAX_SECONDS, ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode,
    require_segments, segments_frame,
)
from transforms.parsers.whisper_json import item_lines, read_json

FORMAT = "youtube_json3"
MAX_SCORE = 0.95


def looks_like(head: str) -> float:
    """A JSON object with an `events` list of `tStartMs` events."""
    s = head.lstrip("\ufeff \n\t\r")
    return 0.95 if s.startswith("{") and '"events"' in s[:4000] and '"tStartMs"' in s else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Events with text to segments, in file order; meta.kind is auto_caption."""
    text, warnings = decode(raw, source=source)
    doc = read_json(text, source)
    events = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(events, list):
        raise TranscriptParseError(source, None, "json3 without an 'events' list")
    lines = item_lines(text, "events")
    lines = lines if len(lines) == len(events) else [(1, 1)] * len(events)
    rows = [r for ev, ln in zip(events, lines) if (r := _row(ev, ln, warnings)) is not None]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="auto_caption"), warnings)


def _row(ev: object, lines: tuple[int, int], warnings: list[ParseWarning]) -> dict | None:
    """One event to a row; None for events without text."""
    if not isinstance(ev, dict) or not isinstance(ev.get("segs"), list):
        return None
    pieces = [s.get("utf8") for s in ev["segs"] if isinstance(s, dict)]
    body = html.unescape(html.unescape("".join(p for p in pieces if isinstance(p, str)))).strip()
    if not body:
        return None
    start = _ms(ev.get("tStartMs"))
    if start is None:
        warnings.append(ParseWarning("bad_timestamp", f"event start {ev.get('tStartMs')!r} is not a time; "
                                     "text kept untimed", lines[0]))
    dur = _ms(ev.get("dDurationMs"))  # seconds; sums rounded to the millisecond against float noise
    end = round(start + dur, 3) if start is not None and dur is not None and start + dur <= MAX_SECONDS else None
    return {"start_s": start, "end_s": end, "speaker": None, "text": body,
            "line_start": lines[0], "line_end": lines[1]}


def _ms(value: object) -> float | None:
    """Milliseconds to seconds when finite and within a day, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value / 1000 if 0 <= value <= MAX_SECONDS * 1000 else None
