"""WebVTT: `WEBVTT` header, optional STYLE/NOTE/REGION blocks, cues with ids, settings and tags.

Voice tags `<v Name>` become the speaker and leave the text; inline word timings `<00:01.500>` and
`<c>` class tags are cue syntax and are removed; other tags (<i>, <b>) stay for the cleaning stage.
A missing or misspelled header is forgiven with a warning when cues are present.
"""

from __future__ import annotations

import re

from transforms.parsers._cues import CUE_TIME, blocks, cue_times, order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, decode, lines_of, require_segments, segments_frame,
)

FORMAT = "webvtt"
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_SYNTAX = re.compile(r"</?c(?:\.[\w.-]+)?>|<\d{1,2}:\d{2}(?::\d{2})?\.\d{3}>|</v>")


def looks_like(head: str) -> float:
    """The WEBVTT signature, or several `-->` lines with dot milliseconds."""
    if head.lstrip("\ufeff").startswith("WEBVTT"):
        return 0.95
    return 0.6 if len(re.findall(r"(?m)^[\d:.]+\s+-->\s+[\d:.]+(?:\s+\w+:\S+)*\s*$", head)) >= 2 else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    if not lines[0].startswith("WEBVTT"):
        warnings.append(ParseWarning("vtt_header", "no WEBVTT header line; read as WebVTT anyway", 1))
    meta = TranscriptMeta(kind="unknown")
    rows = []
    for first, block in blocks(lines, 1 if lines[0].startswith("WEBVTT") else 0):
        _block(block, first, rows, meta, warnings)
    if any(r["text"].count("<c>") for r in rows) or re.search(r"<\d{2}:\d{2}:\d{2}\.\d{3}>", text):
        meta.kind = "auto_caption"
    for r in rows:
        r["text"] = _SYNTAX.sub("", r["text"]).strip()
    rows = [r for r in rows if r["text"]]
    require_segments(rows, source)
    order_warnings(rows, warnings)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _block(block: list[str], first: int, rows: list[dict], meta: TranscriptMeta,
           warnings: list[ParseWarning]) -> None:
    """One block: a header field, a NOTE/STYLE/REGION block, or a cue (with an optional id line)."""
    head = block[0].strip()
    if head.split(" ")[0] in ("NOTE", "STYLE", "REGION") or head.startswith(("Kind:", "Language:", "X-TIMESTAMP")):
        if head.startswith("Language:"):
            meta.language = head.split(":", 1)[1].strip() or None
        return
    idx = next((i for i, ln in enumerate(block[:2]) if "-->" in ln), None)
    if idx is None:
        warnings.append(ParseWarning("stray_text", "text outside any cue skipped", first))
        return
    m = CUE_TIME.match(block[idx])
    if not m:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable cue time line {block[idx]!r}", first + idx))
        return
    start, end = cue_times(m[1], m[2], first + idx, warnings)
    body = "\n".join(block[idx + 1:])
    voice = _VOICE.search(body)
    rows.append({"start_s": start, "end_s": end, "speaker": voice[1].strip() if voice else None,
                 "text": _VOICE.sub("", body), "line_start": first, "line_end": first + len(block) - 1})
