"""Cleaned markdown: `**Field:** value` header, summary sections, then `**[mm:ss]** text` paragraphs.

Only some paragraphs carry a stamp; the rest are untimed (start_s null). Minutes may pass 59
(`[60:02]` is 1:00:02). Sections before the conversation (e.g. an executive summary) are not
transcript: they go to `meta.extra`.
"""

from __future__ import annotations

import re

from transforms.parsers._cues import blocks
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, at_least, clock_to_seconds, decode,
    fill_end_times, lines_of, require_segments, segments_frame, youtube_id,
)

FORMAT = "cleaned_markdown"
MAX_SCORE = 0.9
_STAMP_LINE = re.compile(r"(?m)^\*\*\[\d{1,3}:\d{2}(?::\d{2})?\]\*\*")  # what looks_like counts
_STAMPED = re.compile(r"^\*\*\[(\d{1,3}:\d{2}(?::\d{2})?)\]\*\*\s*(.*)$")
_FIELD = re.compile(r"^\*\*([^*:]{1,40}):\*\*\s*(.*)$")
_PLACEHOLDER = re.compile(r"^\[[^\]]*(?:name|tbd|unknown)[^\]]*\]$", re.IGNORECASE)
_CONVERSATION = re.compile(r"^#{1,3}\s*(main conversation|transcript|conversation|full transcript)\s*$", re.I)


def looks_like(head: str) -> float:
    """Several `**[mm:ss]**` paragraph stamps at line starts."""
    return 0.9 if "**[" in head and at_least(2, _STAMP_LINE, head) else 0.0  # (the literal test is cheap)


def _people(value: str, warnings: list[ParseWarning], line: int) -> list[str]:
    """'Dylan Patel (AI Expert), Jane Roe' -> names; placeholders like [Host Name] are dropped."""
    names = []
    for part in re.split(r",|;|\band\b|&", re.sub(r"\([^)]*\)", "", value)):
        name = part.strip()
        if _PLACEHOLDER.match(name):
            warnings.append(ParseWarning("placeholder", f"placeholder {name!r} ignored", line))
        elif name:
            names.append(name)
    return names


def _header(lines: list[str], warnings: list[ParseWarning]) -> tuple[TranscriptMeta, int]:
    """Read title, fields and sections up to the conversation; return meta and the first body line."""
    meta = TranscriptMeta(kind="human")
    section, body_start = None, None
    for i, line in enumerate(lines):
        if _CONVERSATION.match(line) or _STAMPED.match(line):
            body_start = i + 1 if _CONVERSATION.match(line) else i
            break
        if line.startswith("# ") and meta.title is None:
            meta.title = line[2:].strip()
        elif line.startswith("#"):
            section = line.lstrip("#").strip()
        elif m := _FIELD.match(line):
            _field(meta, m[1].strip().lower(), m[2].strip(), warnings, i + 1)
        elif section and line.strip() and line.strip() != "---":
            key = section.lower().replace(" ", "_")
            meta.extra[key] = (meta.extra.get(key, "") + "\n" + line.strip()).strip()
    if body_start is None:
        raise TranscriptParseError("", None, "no transcript section found")
    return meta, body_start


def _field(meta: TranscriptMeta, key: str, value: str, warnings: list[ParseWarning], line: int) -> None:
    if key in ("guest", "guests"):
        meta.guests = _people(value, warnings, line)
    elif key in ("host", "hosts"):
        meta.hosts = _people(value, warnings, line)
    elif key in ("video id", "video_id"):
        meta.video_id = value or None
    elif key in ("video url", "url"):
        meta.video_id = meta.video_id or youtube_id(value)
        meta.extra["video_url"] = value
    elif key in ("show", "podcast", "channel"):
        meta.show = value or None
    else:
        meta.extra[key.replace(" ", "_")] = value


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Paragraphs after the header become segments; stamped ones get a start time."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    try:
        meta, start = _header(lines, warnings)
    except TranscriptParseError as err:
        raise TranscriptParseError(source, None, err.reason) from None
    rows: list[dict] = []
    unruled = ["" if ln.strip() == "---" else ln for ln in lines]
    for block_start, block in blocks(unruled, start):
        first = block[0]
        m = _STAMPED.match(first)
        start_s = None
        if m:
            start_s = clock_to_seconds(m[1])
            if start_s is None:
                warnings.append(ParseWarning("bad_timestamp", f"unreadable stamp [{m[1]}]", block_start))
            first = m[2]
        body = "\n".join([first, *block[1:]]).strip()
        if body:
            rows.append({"start_s": start_s, "end_s": None, "speaker": None, "text": body,
                         "line_start": block_start, "line_end": block_start + len(block) - 1})
    require_segments(rows, source)
    fill_end_times(rows)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)
