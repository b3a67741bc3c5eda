"""YouTube captions exported as markdown: YAML front matter, then `- [mm:ss] text` lines.

Minutes pass 59 (`[84:37]`); lines without text (`-`) are skipped; the front matter's "Unknown"
means unknown. No punctuation and `[Music]` events are left for the cleaning stage.
"""

from __future__ import annotations

import re

from transforms.parsers import frontmatter
from transforms.parsers._cues import order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, at_least, clock_to_seconds, decode, fill_end_times,
    lines_of, require_segments, segments_frame, split_show_title, youtube_id,
)

FORMAT = "youtube_markdown"
MAX_SCORE = 0.9
_STAMP_LINE = re.compile(r"(?m)^\s*[-*]\s*\[\d{1,3}:\d{2}(?::\d{2})?\]")  # what looks_like counts
_LINE = re.compile(r"^\s*[-*]\s*\[(\d{1,3}:\d{2}(?::\d{2})?)\]\s*(.*)$")
_KINDS = {"auto": "auto_caption", "whisper": "whisper", "manual": "human", "human": "human"}


def looks_like(head: str) -> float:
    """Many `- [mm:ss] text` lines."""
    return 0.9 if at_least(3, _STAMP_LINE, head) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Front matter to metadata; each stamped line to a segment."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    fm_lines, body, fm_warnings = frontmatter.split(lines, source, _LINE)
    warnings += fm_warnings
    meta = _meta(frontmatter.read(fm_lines), warnings)
    rows, empty = [], 0
    for no in range(body + 1, len(lines) + 1):
        line = lines[no - 1]
        if m := _LINE.match(line):
            if not m[2].strip():
                empty += 1
                continue
            start = clock_to_seconds(m[1])
            if start is None:
                warnings.append(ParseWarning("bad_timestamp", f"unreadable stamp [{m[1]}]", no))
            rows.append({"start_s": start, "end_s": None, "speaker": None, "text": m[2].strip(),
                         "line_start": no, "line_end": no})
        elif line.strip() in ("-", "*"):
            empty += 1
        elif line.startswith("# ") and meta.title is None:
            meta.title = line[2:].strip()
        elif (vid := youtube_id(line)) and meta.video_id is None:
            meta.video_id = vid
    if empty:
        warnings.append(ParseWarning("empty_lines", f"{empty} caption lines without text skipped"))
    require_segments(rows, source)
    order_warnings(rows, warnings)
    fill_end_times(rows)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _meta(fields: dict[str, object], warnings: list[ParseWarning]) -> TranscriptMeta:
    kind = (frontmatter.text(fields, "transcript_type", "kind") or "").lower()
    meta = TranscriptMeta(kind=next((v for k, v in _KINDS.items() if k in kind), "auto_caption"))
    title = frontmatter.text(fields, "title")
    meta.video_id = frontmatter.text(fields, "video_id") or youtube_id(frontmatter.text(fields, "video_url") or "")
    if title and meta.video_id and re.fullmatch(rf"(?:YouTube Video:\s*)?{re.escape(meta.video_id)}", title):
        warnings.append(ParseWarning("placeholder_title", f"title {title!r} only names the video id"))
    if title:
        meta.title, meta.show, meta.episode_number = split_show_title(title)
    meta.show = meta.show or frontmatter.text(fields, "channel", "show")
    meta.published_date = _iso_date(frontmatter.text(fields, "date", "published", "upload_date"))
    speaker = frontmatter.text(fields, "speaker", "guest")
    meta.guests = [speaker] if speaker else []
    meta.language = frontmatter.text(fields, "language")
    for key in ("summary", "source", "category", "retrieved_at"):
        if value := frontmatter.text(fields, key):
            meta.extra[key] = value
    return meta


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", value)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None
