"""SubRip (SRT): numbered cues `1` / `00:00:01,000 --> 00:00:02,500` / text lines, blank-line separated.

Repairs, each reported as a warning: missing cue numbers; `.` instead of `,` before the milliseconds;
a missing blank line between cues (the block is cut at each time line); a blank line inside a cue's
text (the orphan text joins the cue before it). A cue whose start cannot be read is skipped; an end
that cannot be read, or lies before the start, is left empty (never swapped). Cues out of order or
overlapping stay in file order. Text is verbatim: HTML (<i>, <font>) and ASS ({\\an8}) tags and
entities stay for the cleaning stage. The cue-reading helpers here are shared with the WebVTT parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from transforms.parsers._cues import blocks, order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, clock_parts_to_seconds, clock_to_seconds, decode,
    lines_of, require_segments, segments_frame,
)

FORMAT = "srt"
MAX_SCORE = 0.9
_CLOCK = r"-?\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
_TIME_LINE = re.compile(rf"(?m)^[ \t]*({_CLOCK})[ \t]*-->[ \t]*({_CLOCK})")
_NUMBERED = re.compile(rf"(?m)^[ \t]*\d+[ \t]*\n[ \t]*{_CLOCK}[ \t]*-->")
_INDEX = re.compile(r"^\s*\d+\s*$")


def looks_like(head: str) -> float:
    """`hh:mm:ss,mmm --> hh:mm:ss,mmm` lines; dot milliseconds only count when cues are numbered."""
    if head.lstrip("\ufeff \n").startswith("WEBVTT"):
        return 0.0
    if "-->" not in head:  # both patterns need it (a literal test is ~100x cheaper than the patterns)
        return 0.0
    times = _TIME_LINE.findall(head)
    numbered = len(_NUMBERED.findall(head))
    if any("," in a + b for a, b in times) and (len(times) >= 2 or numbered):
        return 0.9
    if times and numbered >= max(1, len(times) // 2):
        return 0.65  # outranks header-less WebVTT (0.6) unless that shows WebVTT-only syntax (0.7)
    return 0.5 if len(times) >= 2 else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Every cue with a readable start time becomes a segment, in file order."""
    text, warnings = decode(raw, source=source)
    rows = read_cues(lines_of(text), 0, warnings)
    unnumbered = [r["line_start"] for r in rows if not r["_id"]]
    if unnumbered:
        warnings.append(ParseWarning("missing_index", f"{len(unnumbered)} cue(s) without a number", unnumbered[0]))
    for r in rows:
        r["text"] = r.pop("_raw").strip()
        del r["_body"], r["_id"]
    rows = [r for r in rows if r["text"]]
    require_segments(rows, source)
    order_warnings(rows, warnings)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="unknown"), warnings)


# ---------------------------------------------------------------- cue reading (shared with WebVTT)


def is_time_line(line: str) -> bool:
    """`<one token> --> ...`: a cue time line, readable or not (prose with an arrow is not one)."""
    before, arrow, _ = line.partition("-->")
    token = before.strip()
    return bool(arrow) and 0 < len(token) <= 20 and " " not in token


def read_cues(lines: list[str], start: int, warnings: list[ParseWarning],
              skip_block: Callable[[str], bool] | None = None) -> list[dict]:
    """Cue rows from line index `start`: text kept raw in `_raw` (first payload line `_body`, id in `_id`);
    a block whose first line `skip_block` is true of is left out."""
    simple = simple_cues(lines, start, skip_block)
    return simple if simple is not None else general_cues(lines, start, warnings, skip_block)


def general_cues(lines: list[str], start: int, warnings: list[ParseWarning],
                 skip_block: Callable[[str], bool] | None = None) -> list[dict]:
    """`read_cues` line by line, with every repair and warning (see the module's docstring)."""
    rows: list[dict] = []
    last: dict | None = None  # the cue orphan text would continue; None before any cue or after a skipped one
    seen_cue = False
    for first, block in blocks(lines, start):
        if skip_block and skip_block(block[0]):
            continue
        for pfirst, piece in split_cues(first, block, warnings):
            if is_time_line(piece[0]) or (len(piece) > 1 and is_time_line(piece[1])):
                last, seen_cue = _cue(pfirst, piece, warnings), True
                rows += [last] if last else []
            else:
                _orphan(pfirst, piece, last, seen_cue, warnings)
    return rows


def split_cues(first: int, block: list[str], warnings: list[ParseWarning]) -> list[tuple[int, list[str]]]:
    """Cut a block before every time line after its first (a missing blank line); a number goes with its cue."""
    cuts = [i for i, ln in enumerate(block) if is_time_line(ln)]
    cue_starts: list[int] = []
    for k, i in enumerate(cuts):
        prev = cuts[k - 1] if k else -1
        owns_id = i - 1 > prev and ((k == 0 and i == 1) or bool(_INDEX.match(block[i - 1])))
        cue_starts.append(i - 1 if owns_id else i)
    for s in cue_starts[1:]:
        warnings.append(ParseWarning("missing_blank_line", "no blank line before this cue; block split", first + s))
    starts = cue_starts if cue_starts and cue_starts[0] == 0 else [0, *cue_starts]
    return [(first + s, block[s:e]) for s, e in zip(starts, [*starts[1:], len(block)])]


def cue_times(line: str, lineno: int, warnings: list[ParseWarning]) -> tuple[float, float | None] | None:
    """Start and end of a time line; None (and a warning) when the start cannot be read."""
    a, _, rest = line.partition("-->")
    b = rest.split()[0] if rest.split() else ""
    start, end = _seconds(a), _seconds(b)
    if start is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable cue start {a.strip()!r}; cue skipped", lineno))
        return None
    if end is None:
        warnings.append(ParseWarning("bad_timestamp", f"unreadable cue end {b!r}; end left empty", lineno))
    elif end < start:
        warnings.append(ParseWarning("end_before_start", f"cue ends ({b}) before it starts ({a.strip()}); "
                                     "end left empty", lineno))
        end = None
    return start, end


def _seconds(token: str) -> float | None:
    """A cue clock (`,` or `.` before the milliseconds) in seconds; None if unreadable or negative."""
    token = token.strip().replace(",", ".")
    return clock_to_seconds(token) if token and not token.startswith("-") else None


def _cue(first: int, piece: list[str], warnings: list[ParseWarning]) -> dict | None:
    """One cue piece (optional id line, time line, payload) to a row; None if its start is unreadable."""
    t = 0 if is_time_line(piece[0]) else 1
    times = cue_times(piece[t], first + t, warnings)
    if times is None:
        return None
    return {"start_s": times[0], "end_s": times[1], "speaker": None, "_raw": "\n".join(piece[t + 1:]),
            "_body": first + t + 1, "_id": bool(t), "line_start": first, "line_end": first + len(piece) - 1}


def _orphan(first: int, piece: list[str], last: dict | None, seen_cue: bool,
            warnings: list[ParseWarning]) -> None:
    """Text after a blank line inside a cue joins that cue; other text outside cues is skipped, and said."""
    if last is not None and not (len(piece) == 1 and _INDEX.match(piece[0])):
        last["_raw"] += "\n" * (first - last["line_end"]) + "\n".join(piece)
        last["line_end"] = first + len(piece) - 1
        warnings.append(ParseWarning("blank_line_in_cue", "text after a blank line joined to the cue above", first))
        return
    what = "a cue number without a time line" if _INDEX.match(piece[0]) else (
        "text of a skipped cue" if seen_cue else "text before the first cue")
    warnings.append(ParseWarning("stray_text", f"{what} skipped ({len(piece)} line(s))", first))


# ---------------------------------------------------------------- the common shape, in one pattern

# Most files are only well-formed cues: blank lines, an optional id line, a time line with two
# fixed-width clocks (and cue settings), payload lines (the first may be spaces only, as YouTube
# writes it). Such a file is read by one pattern (WebVTT and SRT files parse in ~0.7x the time).
# The rows are the ones the general reader above gives; anything it would repair or warn about (a
# clock out of range, an end before the start, a missing blank line, orphan text, a skipped block)
# sends the whole file to it instead. Each part of the pattern can match a line in one way only:
# no backtracking blow-up on a long line that is not a cue.
_FIXED_CLOCK = r"(?:(\d\d):)?(\d\d):(\d\d)[,.](\d\d\d)"
_SIMPLE_CUE = re.compile(
    r"(?:[^\S\n]*\n)*"  # blank lines
    r"(?:([^\S\n]*\S[^\n]*)\n)??"  # 1: the id line, only if the line after it is the time line
    rf"([ \t]*{_FIXED_CLOCK}[ \t]*-->[ \t]*{_FIXED_CLOCK}(?:[ \t][^\n]*)?)(?:\n|\Z)"  # 2: the time line; 3-10
    r"((?:[^\S\n]+(?:\n|\Z))?(?:[^\S\n]*\S[^\n]*(?:\n|\Z))*)"  # 11: payload lines
)


def simple_cues(lines: list[str], start: int,
                skip_block: Callable[[str], bool] | None) -> list[dict] | None:
    """`read_cues`' rows when every block from line index `start` has the common shape, else None."""
    text = "\n".join(lines[start:] if start else lines)
    rows: list[dict] = []
    pos, line = 0, start + 1  # `line`: the (1-based) number of the line that starts at `pos`
    # (matched at `pos` only: a search would try every character of a file that is not cues)
    while (m := _SIMPLE_CUE.match(text, pos)) is not None:
        ident, payload = m[1], m[11]
        if (ident is not None and "-->" in ident) or "-->" in payload:
            return None
        t = 0 if ident is None else 1
        first_at = m.start(1) if t else m.start(2)
        if skip_block is not None and skip_block(ident if t else m[2]):
            return None
        start_s = clock_parts_to_seconds(*m.group(3, 4, 5, 6))
        end_s = clock_parts_to_seconds(*m.group(7, 8, 9, 10))
        if start_s is None or end_s is None or end_s < start_s:
            return None
        first = line + text.count("\n", pos, first_at)
        n_payload = payload.count("\n") + (1 if payload and not payload.endswith("\n") else 0)
        rows.append({"start_s": start_s, "end_s": end_s, "speaker": None,
                     "_raw": payload[:-1] if payload.endswith("\n") else payload,
                     "_body": first + t + 1, "_id": bool(t), "line_start": first, "line_end": first + t + n_payload})
        line, pos = first + text.count("\n", first_at, m.end()), m.end()
    return rows if rows and not text[pos:].strip() else None
