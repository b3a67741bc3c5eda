"""Whisper JSON in the shapes the common tools write: openai-whisper / WhisperX
`{"text", "segments": [{"start", "end", "text", "words"?, "speaker"?}], "language"}`, a bare list of
such segments, Hugging Face `{"chunks": [{"timestamp": [start, end], "text"}]}` and whisper.cpp
`{"transcription": [{"offsets": {"from", "to"} (ms), "text"}]}`.

A segment without text takes it from its words (warned); a document with only a top-level "text"
becomes one untimed segment (warned). Any other shape is refused with the reason, broken JSON with
its line. Line numbers are those of each segment object in the file (all 1 when minified).
"""

from __future__ import annotations

import json
import math
import re

from transforms.parsers.base import (
    MAX_SECONDS, ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode, load_json,
    require_segments, segments_frame,
)

FORMAT = "whisper_json"
MAX_SCORE = 0.9
_LISTS = ("segments", "chunks", "transcription")
_WS = re.compile(r"[ \t\n\r]*")


def looks_like(head: str) -> float:
    """JSON with a segment list (or start/end/text keys); other JSON gets 0.3 so it is refused here."""
    s = head.lstrip("\ufeff \n\t\r")
    if not s.startswith(("{", "[")):
        return 0.0
    shaped = ('"segments"' in s or ('"chunks"' in s and '"timestamp"' in s)
              or ('"transcription"' in s and '"offsets"' in s))
    return 0.9 if shaped or ('"start"' in s and '"end"' in s and '"text"' in s) else 0.3


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """One segment per segment object, in file order; meta.kind is whisper."""
    text, warnings = decode(raw, source=source)
    doc = read_json(text, source)
    meta = TranscriptMeta(kind="whisper", language=_language(doc))
    if _text_only(doc):
        warnings.append(ParseWarning("no_segments", "no segment list; the whole text is one untimed segment"))
        row = {"start_s": None, "end_s": None, "speaker": None, "text": doc["text"].strip(),
               "line_start": 1, "line_end": text.count("\n", 0, len(text.rstrip())) + 1}
        return ParsedTranscript(FORMAT, segments_frame([row]), meta, warnings)
    key, segs = _segment_list(doc, source)
    lines = item_lines(text, key)
    lines = lines if len(lines) == len(segs) else [(1, 1)] * len(segs)
    rows = [r for i, s in enumerate(segs) if (r := _row(s, i, lines[i], warnings)) is not None]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def read_json(text: str, source: str) -> object:
    """JSON or the named error (also for nesting too deep for the decoder)."""
    try:
        return load_json(text, source)
    except RecursionError:
        raise TranscriptParseError(source, None, "invalid JSON: nested too deeply") from None


def _text_only(doc: object) -> bool:
    """A document with a transcript text and no segment list at all."""
    return (isinstance(doc, dict) and not any(k in doc for k in _LISTS)
            and isinstance(doc.get("text"), str) and bool(doc["text"].strip()))


def _segment_list(doc: object, source: str) -> tuple[str | None, list[dict]]:
    """The key of the segment list (None for a bare list) and the list, or the named error."""
    key = next((k for k in _LISTS if k in doc), "segments") if isinstance(doc, dict) else None
    segs = doc.get(key) if isinstance(doc, dict) else doc
    why = None
    if isinstance(doc, dict) and key not in doc:
        why = f"no {' / '.join(repr(k) for k in _LISTS)} key"
    elif not isinstance(segs, list):
        why = f"{key!r} is not a list ({type(segs).__name__})" if key else f"top level is {type(segs).__name__}"
    elif not segs:
        why = "the list is empty"
    elif bad := next((s for s in segs if not isinstance(s, dict)), None):
        why = f"the list holds a non-object ({type(bad).__name__})"
    if why:
        raise TranscriptParseError(source, None, f"JSON has no list of segment objects: {why}")
    return key, segs


def _language(doc: object) -> str | None:
    """`language` at the top, or whisper.cpp's `result.language`."""
    if not isinstance(doc, dict):
        return None
    lang = doc.get("language")
    if not isinstance(lang, str) and isinstance(doc.get("result"), dict):
        lang = doc["result"].get("language")
    return lang.strip() or None if isinstance(lang, str) else None


def _row(seg: dict, i: int, lines: tuple[int, int], warnings: list[ParseWarning]) -> dict | None:
    """One segment object to a row; None (warned) when it has no text."""
    text = seg.get("text")
    if not isinstance(text, str) and isinstance(seg.get("words"), list):
        text = _from_words(seg["words"])
        warnings.append(ParseWarning("text_from_words", f"segment {i} has no text; joined from its words", lines[0]))
    if not isinstance(text, str) or not text.strip():
        warnings.append(ParseWarning("empty_segment", f"segment {i} has no text", lines[0]))
        return None
    start, end = _span(seg, f"segment {i}", lines[0], warnings)
    speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) and seg["speaker"].strip() else None
    return {"start_s": start, "end_s": end, "speaker": speaker, "text": text.strip(),
            "line_start": lines[0], "line_end": lines[1]}


def _span(seg: dict, what: str, line: int, warnings: list[ParseWarning]) -> tuple[float | None, float | None]:
    """Start and end in seconds; unreadable ones and an end before the start are left empty, warned."""
    a, b = _times(seg)
    start, end = _seconds(a, f"{what} start", line, warnings), _seconds(b, f"{what} end", line, warnings)
    if start is not None and end is not None and end < start:
        warnings.append(ParseWarning("end_before_start", f"{what} ends before it starts; end left empty", line))
        end = None
    return start, end


def _times(seg: dict) -> tuple[object, object]:
    """Raw start and end in seconds from `start`/`end`, `timestamp: [s, e]` or `offsets` (ms)."""
    if isinstance(seg.get("timestamp"), list):
        ts = [*seg["timestamp"], None, None]
        return ts[0], ts[1]
    if isinstance(seg.get("offsets"), dict):
        off = seg["offsets"]
        return _ms(off.get("from")), _ms(off.get("to"))
    return seg.get("start"), seg.get("end")


def _ms(value: object) -> object:
    """whisper.cpp offsets: milliseconds to seconds (anything else passes through to be judged)."""
    return value / 1000 if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _seconds(value: object, what: str, line: int, warnings: list[ParseWarning]) -> float | None:
    """A finite time within a day, else None (warned unless simply absent)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
            and 0 <= value <= MAX_SECONDS:
        return float(value)
    warnings.append(ParseWarning("bad_timestamp", f"{what} {value!r} is not a time; left empty", line))
    return None


def _from_words(words: list) -> str:
    """Words' `word` (or `text`) joined: as-is when they carry their own spaces (openai), else with spaces."""
    parts = [w.get("word", w.get("text")) for w in words if isinstance(w, dict)]
    parts = [p for p in parts if isinstance(p, str)]
    return "".join(parts) if any(p.startswith(" ") for p in parts) else " ".join(parts)


# ---------------------------------------------------------------- line numbers (shared with json3)


def item_lines(text: str, key: str | None) -> list[tuple[int, int]]:
    """(first, last) source line of each item of the top-level list, or of the list under top-level `key`;
    [] where they cannot be found, or need not be: a document on one line (as yt-dlp and Whisper write
    them) has every item on line 1, which is what callers assume without spans. (Finding the spans
    decodes every item a second time: ~40% of parsing a one-line json3 file.)"""
    if "\n" not in text.rstrip():
        return []
    dec = json.JSONDecoder()
    try:
        pos = _WS.match(text).end()
        if key is not None:
            pos = _value_at(text, pos, key, dec)
        spans = _item_spans(text, pos, dec)
    except (ValueError, IndexError, RecursionError):
        return []
    out, line, at = [], 1, 0
    for a, b in spans:
        line += text.count("\n", at, a)
        first = line
        line += text.count("\n", a, b)
        out.append((first, line))
        at = b
    return out


def _value_at(text: str, pos: int, key: str, dec: json.JSONDecoder) -> int:
    """Where the value of a top-level object's `key` starts."""
    if text[pos] != "{":
        raise ValueError("not an object")
    pos = _WS.match(text, pos + 1).end()
    while text[pos] != "}":
        name, pos = dec.raw_decode(text, pos)
        pos = _WS.match(text, pos).end()
        if text[pos] != ":":
            raise ValueError("no colon")
        pos = _WS.match(text, pos + 1).end()
        if name == key:
            return pos
        _, pos = dec.raw_decode(text, pos)
        pos = _WS.match(text, pos).end()
        pos = _WS.match(text, pos + 1).end() if text[pos] == "," else pos
    raise ValueError("key not found")


def _item_spans(text: str, pos: int, dec: json.JSONDecoder) -> list[tuple[int, int]]:
    """Character spans of the items of the array starting at pos."""
    if text[pos] != "[":
        raise ValueError("not an array")
    spans, pos = [], _WS.match(text, pos + 1).end()
    while text[pos] != "]":
        _, end = dec.raw_decode(text, pos)
        spans.append((pos, end))
        pos = _WS.match(text, end).end()
        pos = _WS.match(text, pos + 1).end() if text[pos] == "," else pos
    return spans
