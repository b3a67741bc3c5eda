"""YouTube json3 captions: `{"events": [{"tStartMs", "dDurationMs", "segs": [{"utf8"}]}]}`.
Events that only carry a newline (the rolling window's line breaks) are skipped."""

from __future__ import annotations


from transforms.parsers.base import (
    load_json,
    ParsedTranscript, TranscriptMeta, TranscriptParseError, decode, require_segments, segments_frame,
)

FORMAT = "youtube_json3"


def looks_like(head: str) -> float:
    s = head.lstrip("\ufeff \n")
    return 0.95 if s.startswith("{") and '"events"' in s[:4000] and '"tStartMs"' in s else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    doc = load_json(text, source)
    events = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(events, list):
        raise TranscriptParseError(source, None, "json3 without an 'events' list")
    rows = []
    for ev in events:
        if not isinstance(ev, dict) or not isinstance(ev.get("segs"), list):
            continue
        body = "".join(s.get("utf8", "") for s in ev["segs"] if isinstance(s, dict)).strip()
        start = ev.get("tStartMs")
        if not body or not isinstance(start, (int, float)):
            continue
        dur = ev.get("dDurationMs") if isinstance(ev.get("dDurationMs"), (int, float)) else None
        rows.append({"start_s": start / 1000, "end_s": (start + dur) / 1000 if dur is not None else None,
                     "speaker": None, "text": body, "line_start": 1, "line_end": 1})
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="auto_caption"), warnings)
