"""Chaptered transcript with speakers: chapter headings with summaries, then `(mm:ss) Name:` turns.

Shape (seen in exports of YouTube summarisers):
    Title line (often repeated), `Transcript`,
    Chapter title / `(hh:mm:ss)` (zero-padded, three parts) / summary paragraph,
    `(mm:ss) Name:` / a line holding one space / the text,
    `(mm:ss)` alone (or `(mm:ss)  text`): a continuation of the same speaker's turn,
    `(h:mm:ss)` past the hour. Anything after the last turn, after a blank line, is its own segment
    (site chrome such as `热门主题`), for the cleaning stage to judge.
"""

from __future__ import annotations

import re

from transforms.parsers.base import (
    Chapter, ParsedTranscript, ParseWarning, TranscriptMeta, at_least, clock_to_seconds, decode,
    fill_end_times, lines_of, require_segments, segments_frame,
)

FORMAT = "chaptered_speakers"
MAX_SCORE = 0.9
_TURN_LINE = re.compile(r"(?m)^\(\d{1,2}:\d{2}(?::\d{2})?\) [^:()\n]{1,60}:\s*$")  # what looks_like counts
_TURN = re.compile(r"^\((\d{1,2}:\d{2}(?::\d{2})?)\)\s+([^:()]{1,60}):\s*$")
_STAMP = re.compile(r"^\((\d{1,2}:\d{2}(?::\d{2})?)\)(?:\s+(.*))?$")
_CHAPTER = re.compile(r"^\((\d{2}:\d{2}:\d{2})\)\s*$")
_DATED_TITLE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")


def looks_like(head: str) -> float:
    """Several `(mm:ss) Name:` turn lines."""
    if not (head.startswith("(") or "\n(" in head):  # a literal test first: ~100x cheaper than the pattern
        return 0.0
    return 0.9 if at_least(2, _TURN_LINE, head) else 0.0


class _State:
    """Segments and chapters being built while walking the lines."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.chapters: list[Chapter] = []
        self.speaker: str | None = None
        self.in_summary = False
        self.after_blank = False
        self.tail: list[str] = []  # text lines since the last whitespace-only line

    def start_segment(self, start_s: float | None, line: int, speaker: str | None, text: str = "") -> None:
        self.rows.append({"start_s": start_s, "end_s": None, "speaker": speaker, "text": text,
                          "line_start": line, "line_end": line})
        self.tail = []

    def append(self, text: str, line: int) -> None:
        row = self.rows[-1]
        row["text"] = f"{row['text']}\n{text}" if row["text"] else text
        row["line_end"] = line
        self.tail.append(text)

    def pop_title(self) -> str:
        """The chapter title (it may wrap) was read as the last lines of the previous turn: take it back."""
        row, take = self.rows[-1], self.tail if 0 < len(self.tail) <= 3 else self.tail[-1:]
        lines = row["text"].split("\n")
        row["text"] = "\n".join(lines[: len(lines) - len(take)])
        row["line_end"] -= len(take)
        self.tail = []
        return " ".join(t.strip() for t in take)


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Walk the lines: chapters, turns, continuations; everything before the first is header."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    state, header = _State(), []
    for no, line in enumerate(lines, start=1):
        if not state.rows and not state.chapters and not _STAMP.match(line):
            header.append((no, line))
            continue
        _step(state, no, line, header, warnings)
    rows = [r for r in state.rows if r["text"].strip()]
    require_segments(rows, source)
    fill_end_times(rows)
    meta = _meta(header, rows, warnings)
    meta.chapters = state.chapters
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _step(state: _State, no: int, line: str, header: list, warnings: list[ParseWarning]) -> None:
    """Handle one line after the header."""
    if m := _CHAPTER.match(line):
        title = state.pop_title() if state.rows else _pop_header_title(header)
        state.chapters.append(Chapter(clock_to_seconds(m[1]), title or f"Chapter {len(state.chapters) + 1}"))
        state.in_summary = True
    elif m := _TURN.match(line):
        state.speaker, state.in_summary = m[2].strip(), False
        state.start_segment(_time(m[1], no, warnings), no, state.speaker)
    elif m := _STAMP.match(line):
        state.in_summary = False
        state.start_segment(_time(m[1], no, warnings), no, state.speaker, (m[2] or "").strip())
    elif not line.strip():
        state.after_blank, state.tail = line == "", []
    elif state.in_summary:
        last = state.chapters[-1]
        summary = f"{last.summary}\n{line.strip()}" if last.summary else line.strip()
        state.chapters[-1] = Chapter(last.start_s, last.title, summary)
    elif state.after_blank or not state.rows:
        state.start_segment(None, no, None, line.strip())
        state.after_blank = False
    else:
        state.append(line.strip(), no)


def _time(stamp: str, line: int, warnings: list[ParseWarning]) -> float | None:
    seconds = clock_to_seconds(stamp)
    if seconds is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable stamp ({stamp})", line))
    return seconds


def _pop_header_title(header: list[tuple[int, str]]) -> str:
    """The first chapter's title is the last non-empty header line."""
    while header and not header[-1][1].strip():
        header.pop()
    return header.pop()[1].strip() if header else ""


def _meta(header: list[tuple[int, str]], rows: list[dict], warnings: list[ParseWarning]) -> TranscriptMeta:
    """Title (with its date and guest prefix), hosts and guests from who speaks."""
    meta = TranscriptMeta(kind="human")
    seen: list[str] = []
    for no, line in header:
        value = line.strip()
        if not value or value.lower() == "transcript":
            continue
        if value in seen:
            warnings.append(ParseWarning("repeated_header", f"repeated header line dropped: {value[:60]!r}", no))
            continue
        seen.append(value)
    if seen:
        _title(meta, seen[0])
    speakers = list(dict.fromkeys(r["speaker"] for r in rows if r["speaker"]))
    if speakers:
        meta.guests = meta.guests or [s for s in speakers[1:2]]
        meta.hosts = [s for s in speakers if s not in meta.guests][:1]
    return meta


def _title(meta: TranscriptMeta, line: str) -> None:
    """'2025-06-30 Dylan Patel.GPT4.5's Flop, ...' -> date, guest, title."""
    if m := _DATED_TITLE.match(line):
        meta.published_date, line = m[1], m[2]
        guest, dot, rest = line.partition(".")
        if dot and re.fullmatch(r"[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3}", guest.strip()):
            meta.guests, line = [guest.strip()], rest
    meta.title = line.strip()
