"""Raw caption text: a small header, then wrapped lines with `>>` at each change of speaker.

    Transcript
    VIDEOID • Title | Show #490
    /some/local/path/of/the/export.txt
    Kind: captions
    Language: en
    wrapped caption lines ... >> next speaker ...

No timestamps and no names: each turn (text between `>>` marks) is one segment with an unknown
speaker. A file need not end with a newline.
"""

from __future__ import annotations

import re

from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, decode, lines_of, require_segments, segments_frame,
    split_show_title,
)

FORMAT = "raw_captions"
MAX_SCORE = 0.85
_FIELD = re.compile(r"^(Kind|Language):\s*(.*)$")
_ID_TITLE = re.compile(r"^([A-Za-z0-9_-]{11})\s+[•·|-]\s+(.+)$")


def looks_like(head: str) -> float:
    """A `Kind: captions` header line near the top."""
    top = head.split("\n")[:12]
    return 0.85 if any(re.match(r"^Kind:\s*(captions|asr|subtitles)\s*$", ln) for ln in top) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Header lines to metadata, then split the rest at every `>>`."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    meta, body = _header(lines, warnings)
    rows: list[dict] = []
    for no in range(body + 1, len(lines) + 1):
        _add_line(rows, lines[no - 1], no)
    rows = [r for r in rows if r["text"]]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _add_line(rows: list[dict], line: str, no: int) -> None:
    """Append a caption line to the current turn; each `>>` in it opens a new turn."""
    parts = line.split(">>")
    for i, part in enumerate(parts):
        if i > 0 or not rows:
            rows.append({"start_s": None, "end_s": None, "speaker": None, "text": "",
                         "line_start": no, "line_end": no})
        words = part.strip()
        if words:
            row = rows[-1]
            row["text"] = f"{row['text']} {words}" if row["text"] else words
            row["line_end"] = no


def _header(lines: list[str], warnings: list[ParseWarning]) -> tuple[TranscriptMeta, int]:
    """Lines up to and including the `Kind:`/`Language:` fields; returns the first body line index."""
    meta, body = TranscriptMeta(kind="auto_caption"), 0
    for i, line in enumerate(lines[:12]):
        if m := _FIELD.match(line):
            body = i + 1
            if m[1] == "Language":
                meta.language = m[2].strip() or None
            else:
                meta.extra["caption_kind"] = m[2].strip()
        elif m := _ID_TITLE.match(line.strip()):
            meta.video_id = m[1]
            meta.title, meta.show, meta.episode_number = split_show_title(m[2])
            body = i + 1
        elif line.startswith("/") or re.match(r"^[A-Za-z]:\\", line):
            meta.extra["local_path"] = line.strip()
            warnings.append(ParseWarning("header_path", "local file path in the header kept as metadata", i + 1))
            body = i + 1
        elif line.strip().lower() == "transcript":
            body = i + 1
    return meta, body
