"""YouTube timedtext XML: `<transcript><text start="1.2" dur="2.5">` (seconds), srv3
`<timedtext format="3"><body><p t="1200" d="2500">` with `<s>` word children, and srv2
`<timedtext><text t="1200" d="2500">` (milliseconds: an element's `t` or `start` attribute decides).

Entities are unescaped by the XML reader and once more for exports that double-escape (`&amp;#39;`).
HTML entities XML does not know (`&nbsp;`) and bare `&` are escaped before reading, with a warning;
other broken XML is refused with its line. Whitespace-only paragraphs (srv3 append lines) are skipped;
text with an unreadable start is kept untimed, with a warning.
"""

from __future__ import annotations

import html
import math
import re
from xml.parsers import expat

from transforms.parsers.base import (
    MAX_SECONDS, ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode,
    require_segments, segments_frame,
)

FORMAT = "youtube_xml"
MAX_SCORE = 0.9
_ROOTS = ("transcript", "timedtext")
_CUE_TAGS = ("text", "p")
_BAD_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#[xX][0-9A-Fa-f]+);)")


def looks_like(head: str) -> float:
    """XML whose root is `<transcript>` or `<timedtext>`."""
    s = head.lstrip("\ufeff \n\t\r")
    return 0.9 if s.startswith("<") and re.search(r"<(transcript|timedtext)\b", s[:2000]) else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Every cue element with text to a segment, in file order; meta.kind is auto_caption."""
    text, warnings = decode(raw, source=source)
    text, n = _BAD_AMP.subn("&amp;", text)
    if n:
        warnings.append(ParseWarning("xml_entities", f"{n} '&' that start no XML entity (HTML entity or bare &) "
                                     "escaped"))
    rows = [r for el in _elements(text, source) if (r := _row(*el, warnings)) is not None]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), TranscriptMeta(kind="auto_caption"), warnings)


def _elements(text: str, source: str) -> list[tuple[dict[str, str], str, int, int]]:
    """(attributes, text, first line, last line) of every top-level `<text>`/`<p>` element."""
    p = expat.ParserCreate(encoding="utf-8")
    out: list[tuple[dict[str, str], str, int, int]] = []
    state: dict = {"root": None, "cur": None, "depth": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        state["root"] = state["root"] or name
        if state["cur"] is None and name in _CUE_TAGS:
            state["cur"], state["depth"] = (attrs, [], p.CurrentLineNumber), 0
        elif state["cur"] is not None:
            state["depth"] += 1
            if name == "br":
                state["cur"][1].append("\n")

    def end(name: str) -> None:
        if state["cur"] is not None and state["depth"]:
            state["depth"] -= 1
        elif state["cur"] is not None:
            attrs, parts, first = state["cur"]
            out.append((attrs, "".join(parts), first, p.CurrentLineNumber))
            state["cur"] = None

    def chars(data: str) -> None:
        if state["cur"] is not None:
            state["cur"][1].append(data)

    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    try:
        p.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as err:
        raise TranscriptParseError(source, err.lineno, f"invalid XML: {expat.errors.messages[err.code]}") from None
    if state["root"] not in _ROOTS:
        raise TranscriptParseError(source, 1, f"XML root <{state['root']}> is not YouTube timedtext")
    return out


def _row(attrs: dict[str, str], body: str, first: int, last: int, warnings: list[ParseWarning]) -> dict | None:
    """One cue element to a row; None when it has no text."""
    text = html.unescape(body).strip()
    if not text:
        return None
    key, dkey, scale = ("t", "d", 1000.0) if "t" in attrs else ("start", "dur", 1.0)
    start, dur = _seconds(attrs.get(key), scale), _seconds(attrs.get(dkey), scale)
    if start is None:
        warnings.append(ParseWarning("bad_timestamp", f"start {attrs.get(key)!r} is not a time; text kept untimed",
                                     first))
    elif attrs.get(dkey) is not None and dur is None:
        warnings.append(ParseWarning("bad_timestamp", f"duration {attrs.get(dkey)!r} is not a time; end left empty",
                                     first))
    end = round(start + dur, 6) if start is not None and dur is not None and start + dur <= MAX_SECONDS else None
    return {"start_s": start, "end_s": end, "speaker": None, "text": text, "line_start": first, "line_end": last}


def _seconds(value: str | None, scale: float) -> float | None:
    """An attribute in seconds (or ms with scale 1000); None if absent, not finite, negative or absurd."""
    try:
        v = float(value) / scale  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and 0 <= v <= MAX_SECONDS else None
