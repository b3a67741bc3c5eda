"""Shared reading of cue blocks (WebVTT and SRT): blank-line separated blocks with a time line."""

from __future__ import annotations

import re

from transforms.parsers.base import ParseWarning, clock_to_seconds

CUE_TIME = re.compile(
    r"^\s*(-?[\d:.,]+)\s*-->\s*(-?[\d:.,]+)(.*)$"
)


def blocks(lines: list[str], start: int = 0) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks from line index `start`: (1-based first line, lines)."""
    out, cur, first = [], [], 0
    for i in range(start, len(lines)):
        if not lines[i].strip() and lines[i] and cur and "-->" in cur[-1]:
            cur.append(lines[i])  # a space-only first payload line (YouTube) belongs to the cue
        elif lines[i].strip():
            if not cur:
                first = i + 1
            cur.append(lines[i])
        elif cur:
            out.append((first, cur))
            cur = []
    if cur:
        out.append((first, cur))
    return out


def cue_times(a: str, b: str, line: int, warnings: list[ParseWarning]) -> tuple[float | None, float | None]:
    """Both ends of a cue in seconds; absurd or reversed times become warnings."""
    start, end = clock_to_seconds(a.replace(",", ".")), clock_to_seconds(b.replace(",", "."))
    if start is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable cue start {a!r}", line))
        return None, None
    if end is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable cue end {b!r}; end left empty", line))
    elif end < start:
        warnings.append(ParseWarning("end_before_start", f"cue ends ({b}) before it starts ({a}); end dropped", line))
        end = None
    return start, end


def order_warnings(rows: list[dict], warnings: list[ParseWarning]) -> None:
    """Cues out of order or overlapping are kept in file order, and said."""
    last_start, last_end = None, None
    for r in rows:
        s = r["start_s"]
        if s is None:
            continue
        if last_start is not None and s < last_start:
            warnings.append(ParseWarning("out_of_order", f"cue starts at {s}s, before the previous one", r["line_start"]))
        elif last_end is not None and s < last_end - 0.01:
            warnings.append(ParseWarning("overlap", f"cue at {s}s overlaps the previous one", r["line_start"]))
        last_start, last_end = s, r["end_s"] if r["end_s"] is not None else s
