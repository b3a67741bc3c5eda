"""Whisper JSON: `{"text", "segments": [{"start", "end", "text", "words"?, "speaker"?}], "language"}`
or a bare list of such segments. Anything else is refused with the reason."""

from __future__ import annotations

import math

from transforms.parsers.base import (
    load_json,
    MAX_SECONDS, ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode,
    require_segments, segments_frame,
)

FORMAT = "whisper_json"


def looks_like(head: str) -> float:
    """JSON that mentions segments with start/end."""
    s = head.lstrip("\ufeff \n\t")
    if not s.startswith(("{", "[")):
        return 0.0
    return 0.9 if '"segments"' in s or ('"start"' in s and '"end"' in s and '"text"' in s) else 0.3


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    text, warnings = decode(raw, source=source)
    doc = load_json(text, source)
    segs = doc.get("segments") if isinstance(doc, dict) else doc
    if not isinstance(segs, list) or not segs or not all(isinstance(s, dict) for s in segs):
        raise TranscriptParseError(source, None, "JSON has no list of segment objects ('segments')")
    rows = [r for i, s in enumerate(segs) if (r := _row(s, i, warnings)) is not None]
    require_segments(rows, source)
    meta = TranscriptMeta(kind="whisper", language=doc.get("language") if isinstance(doc, dict) else None)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) and 0 <= v <= MAX_SECONDS else None


def _row(seg: dict, i: int, warnings: list[ParseWarning]) -> dict | None:
    text = seg.get("text")
    if not isinstance(text, str) or not text.strip():
        warnings.append(ParseWarning("empty_segment", f"segment {i} has no text"))
        return None
    start, end = _seconds(seg.get("start")), _seconds(seg.get("end"))
    if seg.get("start") is not None and start is None:
        warnings.append(ParseWarning("bad_timestamp", f"segment {i} start {seg.get('start')!r} is not a time"))
    if start is not None and end is not None and end < start:
        warnings.append(ParseWarning("end_before_start", f"segment {i} ends before it starts; end dropped"))
        end = None
    speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) else None
    return {"start_s": start, "end_s": end, "speaker": speaker, "text": text.strip(),
            "line_start": 1, "line_end": 1}
