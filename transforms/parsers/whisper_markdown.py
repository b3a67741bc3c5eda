"""Whisper transcripts rendered as markdown: a long `---` header, a title, then timed bullet lines.

    ---
    Date Generated: ... / Transcription Model: whisper ... / Length: 18378s / Video Keywords: [...]
    Video Description: ... (links, sponsors, *OUTLINE:* with `h:mm:ss - Chapter` lines) ...
    ---
    # Title | Show #459
    **Host:** [February 02, 2025](https://www.youtube.com/watch?v=ID)
    *  text [[hh:mm:ss](https://www.youtube.com/watch?v=ID&t=4.66s)]

The precise start is the URL's `t=` seconds; the displayed stamp is only a rounded label.
"""

from __future__ import annotations

import re
from datetime import datetime

from transforms.parsers import frontmatter
from transforms.parsers.base import (
    Chapter, ParsedTranscript, ParseWarning, TranscriptMeta, at_least, clock_to_seconds, decode,
    fill_end_times, lines_of, require_segments, segments_frame, split_show_title, youtube_id,
)

FORMAT = "whisper_markdown"
MAX_SCORE = 0.9
_LINK_LINE = re.compile(r"(?m)^\*\s+.*\[\[\d{1,2}:\d{2}(?::\d{2})?\]\([^)]*\)\]\s*$")  # what looks_like counts
_LINE = re.compile(r"^\*\s+(.*?)\s*\[\[(\d{1,2}:\d{2}(?::\d{2})?)\]\(([^)\s]*)\)\]\s*$")
_URL_T = re.compile(r"[?&]t=(\d+(?:\.\d+)?)s?")
_HOST_DATE = re.compile(r"^\*\*([^*]{2,60}):\*\*\s*\[([^\]]+)\]\(([^)]*)\)")
_HEADER_KEYS = frozenset({"Date Generated", "Transcription Model", "Length", "Video Keywords", "Video Views",
                          "Video Rating", "Video Description", "Video Title", "Channel", "Video URL"})
_OUTLINE = re.compile(r"^(\d{1,2}(?::\d{2}){1,2})\s+-\s+(.+)$")


def looks_like(head: str) -> float:
    """Bullet lines ending in a `[[hh:mm:ss](url)]` link."""
    if "[[" not in head:  # a literal test first: ~100x cheaper than the pattern
        return 0.0
    return 0.9 if at_least(2, _LINK_LINE, head) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Header to metadata and chapters; each timed bullet to a segment, timed by its URL."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    fm_lines, body, fm_warnings = frontmatter.split(lines, source, _LINE)
    warnings += fm_warnings
    meta = _header_meta(fm_lines)
    rows = []
    for no in range(body + 1, len(lines) + 1):
        line = lines[no - 1]
        if m := _LINE.match(line):
            rows.append({"start_s": _start(m[2], m[3], no, warnings), "end_s": None, "speaker": None,
                         "text": m[1], "line_start": no, "line_end": no})
        elif line.startswith("# ") and meta.title is None:
            meta.title, meta.show, meta.episode_number = split_show_title(line[2:])
        elif h := _HOST_DATE.match(line):
            _host_line(meta, h)
    require_segments(rows, source)
    fill_end_times(rows)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _start(stamp: str, url: str, line: int, warnings: list[ParseWarning]) -> float | None:
    """The URL's t= seconds; the label if the URL has none; a warning if they disagree."""
    label = clock_to_seconds(stamp)
    m = _URL_T.search(url)
    if not m:
        warnings.append(ParseWarning("label_time", "no t= in the link; used the rounded label", line))
        return label
    precise = round(float(m[1]), 3)
    if label is not None and abs(precise - label) > 2:
        warnings.append(ParseWarning("time_mismatch", f"label {stamp} vs link t={precise}s; link kept", line))
    return precise


def _host_line(meta: TranscriptMeta, m: re.Match) -> None:
    """`**Lex Fridman:** [February 02, 2025](url)` -> host, date, video id."""
    meta.hosts = meta.hosts or [m[1].strip()]
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            meta.published_date = datetime.strptime(m[2].strip(), fmt).date().isoformat()
            break
        except ValueError:
            continue
    meta.video_id = meta.video_id or youtube_id(m[3])


def _header_meta(fm_lines: list[str]) -> TranscriptMeta:
    """Model, length, keywords, description (with outline chapters, links and sponsors)."""
    fields = frontmatter.read(fm_lines, _HEADER_KEYS)
    meta = TranscriptMeta(kind="whisper")
    if model := frontmatter.text(fields, "Transcription Model"):
        meta.extra["transcription_model"] = model
    if (length := frontmatter.text(fields, "Length")) and (m := re.match(r"(\d+(?:\.\d+)?)s?$", length)):
        meta.duration_s = float(m[1])
    meta.guests = _guests(frontmatter.text(fields, "Video Keywords") or "")
    description = frontmatter.text(fields, "Video Description") or ""
    meta.chapters = [Chapter(clock_to_seconds(m[1]), m[2].strip())
                     for line in description.split("\n") if (m := _OUTLINE.match(line.strip()))]
    if description:
        meta.extra["description"] = description
    return meta


def _guests(keywords: str) -> list[str]:
    """Lex-style keyword lists start with the guests: "['Dylan Patel and Nathan Lambert', ...]"."""
    first = re.match(r"\[?\s*['\"]([^'\"]+)['\"]", keywords)
    if not first:
        return []
    names = [n.strip() for n in re.split(r",|\band\b|&", first[1])]
    person = re.compile(r"[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}")
    return names if names and all(person.fullmatch(n) for n in names) else []
