"""YouTube timedtext XML: `<transcript><text start="1.2" dur="2.5">…</text>` (seconds) or srv3
`<timedtext><body><p t="1200" d="2500">…<s>…</s></p>` (milliseconds). Entities are unescaped,
twice where the export double-escaped them."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode, require_segments,
    segments_frame,
)

FORMAT = "youtube_xml"


def looks_like(head: str) -> float:
    s = head.lstrip("\ufeff \n")
    return 0.9 if s.startswith("<") and re.search(r"<(transcript|timedtext)\b", s[:2000]) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as err:
        raise TranscriptParseError(source, err.position[0], f"invalid XML: {err}") from None
    ms = root.tag == "timedtext"
    nodes = root.iter("p") if ms else root.iter("text")
    rows = [r for n in nodes if (r := _row(n, ms, warnings)) is not None]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="auto_caption"), warnings)


def _row(node: ET.Element, ms: bool, warnings: list[ParseWarning]) -> dict | None:
    body = html.unescape(html.unescape("".join(node.itertext()))).strip()
    if not body:
        return None
    try:
        start = float(node.get("t" if ms else "start", ""))
        dur = float(node.get("d" if ms else "dur", "0") or 0)
    except ValueError:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable time on {body[:30]!r}"))
        start, dur = None, 0.0
    scale = 1000.0 if ms else 1.0
    start_s = start / scale if start is not None else None
    return {"start_s": start_s, "end_s": start_s + dur / scale if start_s is not None else None, "speaker": None,
            "text": body, "line_start": 1, "line_end": 1}
