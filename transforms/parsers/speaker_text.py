"""Speaker-labelled text: `Name: 00:01:02: text`, `Name (00:01:02): text`, `**[mm:ss] SPEAKER_00:** text`,
`[00:01:02] Name: text`, or a name on its own line (optionally with a time) above a paragraph."""

from __future__ import annotations

import re

from transforms.parsers.base import (
    ParsedTranscript, TranscriptMeta, clock_to_seconds, decode, fill_end_times, lines_of,
    require_segments, segments_frame,
)

FORMAT = "speaker_text"
_NAME = r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}|SPEAKER_\d+|Speaker \d+"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_PATTERNS = [
    re.compile(rf"^\*\*\[(?P<t>{_TIME})\]\s*(?P<n>{_NAME}):\*\*\s*(?P<x>.*)$"),
    re.compile(rf"^\[(?P<t>{_TIME})\]\s*(?P<n>{_NAME}):\s*(?P<x>.*)$"),
    re.compile(rf"^(?P<n>{_NAME})\s*\((?P<t>{_TIME})\):\s*(?P<x>.*)$"),
    re.compile(rf"^(?P<n>{_NAME}):\s*(?P<t>{_TIME}):?\s+(?P<x>.*)$"),
    re.compile(rf"^\*\*(?P<n>{_NAME}):\*\*\s*(?P<x>.+)$"),
    re.compile(rf"^(?P<n>{_NAME}):\s+(?P<x>.+)$"),
]
_NAME_LINE = re.compile(rf"^\**(?P<n>{_NAME})\**\s*(?:\(?(?P<t>{_TIME})\)?)?\s*:?\s*$")


def looks_like(head: str) -> float:
    """Several lines that open with a speaker label."""
    lines = [ln for ln in head.split("\n") if ln.strip()][:200]
    labelled = sum(1 for ln in lines if any(p.match(ln) for p in _PATTERNS) or _NAME_LINE.match(ln.strip()))
    return 0.5 if labelled >= 3 and labelled >= 0.4 * len(lines) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    rows: list[dict] = []
    pending: tuple[str, float | None] | None = None
    for no, line in enumerate(lines_of(text), start=1):
        s = line.strip()
        if not s:
            continue
        m = next((p.match(s) for p in _PATTERNS if p.match(s)), None)
        if m:
            t = m.groupdict().get("t")
            rows.append(_row(m["n"], clock_to_seconds(t) if t else None, m["x"], no))
        elif (n := _NAME_LINE.match(s)) and len(s) < 60:
            pending = (n["n"], clock_to_seconds(n["t"]) if n["t"] else None)
        elif pending:
            rows.append(_row(pending[0], pending[1], s, no))
            pending = None
        elif rows:
            rows[-1]["text"] += "\n" + s
            rows[-1]["line_end"] = no
        else:
            rows.append(_row(None, None, s, no))
    require_segments(rows, source)
    fill_end_times(rows)
    kind = "human" if any(r["speaker"] and not r["speaker"].upper().startswith("SPEAKER") for r in rows) else "unknown"
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind=kind), warnings)


def _row(name: str | None, start: float | None, text: str, no: int) -> dict:
    return {"start_s": start, "end_s": None, "speaker": name, "text": text.strip(), "line_start": no, "line_end": no}
