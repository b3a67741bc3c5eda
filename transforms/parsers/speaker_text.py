"""Speaker-labelled text and markdown: `Name: 00:01:02: text`, `Name (00:01:02): text`,
`**[mm:ss] SPEAKER_00:** text`, `[00:01:02] Name: text`, `**Name:** text`, `Name: text`, or a name on its
own line (optionally with a time) above a paragraph.

A label without a time is only trusted when the same name labels at least two lines, so a one-off
`Note: ...` or a short line like `Okay` stays text. Unlabelled lines continue the turn above; text
before the first label is a turn without speaker. The first `# heading` before any turn is the
title; later headings are skipped with a warning. Labels are kept as written (`SPEAKER_00` too).
meta.kind is human for real names, whisper for diarisation labels (`SPEAKER_00`), else unknown.
"""

from __future__ import annotations

import re
from collections import Counter

from transforms.parsers._cues import order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, clock_to_seconds, decode, fill_end_times, lines_of,
    require_segments, segments_frame,
)

FORMAT = "speaker_text"
_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*\.?"
_PARTICLE = r"(?:van|von|de|der|den|da|del|di|du|la|le|bin|al|el)"
_NAME = rf"(?:SPEAKER_\d+|Speaker [A-Z0-9]\w*|{_WORD}(?: (?:{_PARTICLE} )?{_WORD}){{0,3}})"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_PATTERNS = [
    re.compile(rf"^\*\*\[(?P<t>{_TIME})\]\s*(?P<n>{_NAME}):\*\*\s*(?P<x>.*)$"),
    re.compile(rf"^\[(?P<t>{_TIME})\]\s*\**(?P<n>{_NAME}):\**\s*(?P<x>.*)$"),
    re.compile(rf"^\**(?P<n>{_NAME})\**\s*\((?P<t>{_TIME})\)\s*:\**\s*(?P<x>.*)$"),
    re.compile(rf"^(?P<n>{_NAME}):\s*(?P<t>{_TIME}):?\s+(?P<x>.*)$"),
    re.compile(rf"^\*\*(?P<n>{_NAME}):\*\*\s*(?P<x>.+)$"),
    re.compile(rf"^(?P<n>{_NAME}):\s+(?P<x>.+)$"),
]
_NAME_LINE = re.compile(rf"^\**(?P<n>{_NAME})(?<!\.)\**\s*(?:[(\[]?(?P<t>{_TIME})[)\]]?)?\s*:?\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(\S.*?)\s*#*$")
_DIARISED = re.compile(r"^SPEAKER_\d+$")
_ANONYMOUS = re.compile(r"(?i)^speaker[ _]?\w+$")

Label = tuple[str, "str | None", "str | None"]  # name, time, text (None or "": the text follows below)


MAX_SCORE = 0.5


def looks_like(head: str) -> float:
    """Several lines open with a trusted speaker label; at most 0.5 so every specific format wins."""
    lines = [ln.strip() for ln in head.split("\n")[:400] if ln.strip()]
    labels = [lab for ln in lines if (lab := _label(ln))]
    trusted = _trusted(labels)
    n = sum(1 for lab in labels if lab[0] in trusted)
    paragraphs = len(re.findall(r"\n\s*\n\s*\S", head[:20000])) + 1
    return 0.5 if n >= 3 and (n >= 0.4 * len(lines) or n >= 0.6 * paragraphs) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """One segment per turn, speaker as labelled; a missing end is the next turn's start."""
    text, warnings = decode(raw, source=source)
    lines = [(no, ln.strip()) for no, ln in enumerate(lines_of(text), start=1) if ln.strip()]
    labels = {no: lab for no, s in lines if (lab := _label(s))}
    trusted = _trusted(list(labels.values()))
    meta, rows = TranscriptMeta(), []
    pending: tuple[str, float | None, int] | None = None
    for no, s in lines:
        lab = labels.get(no)
        if heading := _HEADING.match(s):
            _heading(heading[1], no, rows, meta, warnings)
        elif lab and lab[0] in trusted:
            pending = _labelled(lab, no, pending, rows, warnings)
        elif pending:
            rows.append(_row(pending[0], pending[1], s, pending[2], no))
            pending = None
        elif rows:
            rows[-1]["text"] += "\n" * (no - rows[-1]["line_end"]) + s
            rows[-1]["line_end"] = no
        else:
            rows.append(_row(None, None, s, no, no))
    if pending:
        warnings.append(ParseWarning("empty_turn", f"{pending[0]!r} has no text", pending[2]))
    rows = [{**r, "text": r["text"].strip()} for r in rows if r["text"].strip()]
    require_segments(rows, source)
    order_warnings(rows, warnings)
    fill_end_times(rows)
    meta.kind = _kind({r["speaker"] for r in rows if r["speaker"]})
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _label(line: str) -> Label | None:
    """(name, time, text) of a labelled line, text None for a name alone on its line."""
    for p in _PATTERNS:
        if m := p.match(line):
            return m["n"], m.groupdict().get("t"), m["x"]
    m = _NAME_LINE.match(line) if len(line) < 60 else None
    return (m["n"], m["t"], None) if m else None


def _trusted(labels: list[Label]) -> set[str]:
    """Names that label a timed line, or at least two lines."""
    counts = Counter(lab[0] for lab in labels)
    return {name for name, t, _ in labels if t or counts[name] >= 2}


def _labelled(lab: Label, no: int, pending: tuple[str, float | None, int] | None, rows: list[dict],
              warnings: list[ParseWarning]) -> tuple[str, float | None, int] | None:
    """A turn from a labelled line, or the name-line to pend until its paragraph arrives."""
    name, t, text = lab
    if pending:
        warnings.append(ParseWarning("empty_turn", f"{pending[0]!r} has no text before the next label", pending[2]))
    start = clock_to_seconds(t) if t else None
    if t and start is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable time {t!r}; turn kept untimed", no))
    if not text:
        return name, start, no
    rows.append(_row(name, start, text, no, no))
    return None


def _heading(title: str, no: int, rows: list[dict], meta: TranscriptMeta, warnings: list[ParseWarning]) -> None:
    """The first heading above all turns is the title; any other heading is skipped, and said."""
    if not rows and meta.title is None:
        meta.title = title
    else:
        warnings.append(ParseWarning("heading", f"heading {title[:40]!r} skipped", no))


def _kind(names: set[str]) -> str:
    """human for real names, whisper for diarisation labels only, else unknown."""
    if any(not _ANONYMOUS.match(n) for n in names):
        return "human"
    return "whisper" if names and all(_DIARISED.match(n) for n in names) else "unknown"


def _row(name: str | None, start: float | None, text: str, first: int, no: int) -> dict:
    """A turn row; its end is filled later from the next turn's start."""
    return {"start_s": start, "end_s": None, "speaker": name, "text": text.strip(), "line_start": first,
            "line_end": no}
