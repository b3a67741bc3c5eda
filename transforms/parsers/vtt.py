"""WebVTT: a `WEBVTT` header, optional STYLE/NOTE/REGION blocks, then cues (optional id, time line with
settings such as `align:start position:0%`, payload lines).

Text is verbatim except for cue syntax, which is removed: voice tags `<v Name>` / `<v.loud Name>` become
the speaker (a cue with several voices gives one segment per voice, all with the cue's times); class
spans `<c>`, `<c.colorE5E5E5>`, `</c>` and inline word timestamps `<00:01:02.003>` go; character
references (`&amp;`, `&lt;`, `&nbsp;` ...) are unescaped. Other tags (<i>, <b>, <u>, <lang>, <ruby>) stay
for the cleaning stage. YouTube's rolling captions are kept cue by cue, repeats included (the cleaning
stage collapses them); inline word timestamps mark the file as an auto caption. Header fields (Kind,
Language, X-TIMESTAMP-MAP) go to meta.extra; times are not shifted by X-TIMESTAMP-MAP. A missing or
misspelled header is forgiven with a warning when cues are present. Cue times follow srt.py: an
unreadable start skips the cue; an end before the start is left empty (not swapped), with a warning.
"""

from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

from transforms.parsers._cues import order_warnings
from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, decode, lines_of, require_segments, segments_frame,
)
from transforms.parsers.srt import is_time_line, read_cues

FORMAT = "webvtt"
MAX_SCORE = 0.95
_CLOCK = r"(?:\d+:)?\d{2}:\d{2}\.\d{3}"
_TIME_LINE = re.compile(rf"(?m)^[ \t]*{_CLOCK}[ \t]*-->[ \t]*{_CLOCK}(.*)$")
_VTT_ONLY = re.compile(r"<v[ .]|</?c[.>]|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>|^(?:NOTE|STYLE|REGION)\b"
                       r"|^[ \t]*\d{2}:\d{2}\.\d{3}[ \t]*-->", re.M)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>\n]*))?>")
_SYNTAX = re.compile(r"</?c(?:\.[^\s>]*)?>|</v>|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>")
_WORD_TIME = re.compile(r"<(?:\d+:)?\d{2}:\d{2}\.\d{3}>")
_FIELD = re.compile(r"^([A-Za-z][\w-]*)\s*[:=]\s*(.*)$")


def looks_like(head: str) -> float:
    """The WEBVTT signature (0.95); a misspelled one above cues (0.9); bare dot-millisecond cues (0.6-0.7)."""
    first = head.lstrip("\ufeff \t\n").split("\n", 1)[0]
    if first.startswith("WEBVTT"):
        return 0.95
    if "-->" not in head:  # every cue's time line has it (a literal test is ~100x cheaper than the pattern)
        return 0.0
    times = _TIME_LINE.findall(head)
    if not times:
        return 0.0
    if _misspelled(first):
        return 0.9
    if _VTT_ONLY.search(head) or any(re.search(r"\w:\S", rest) for rest in times):  # cue settings
        return 0.7
    return 0.6 if len(times) >= 2 else 0.0


def parse(raw: bytes, *, source: str) -> ParsedTranscript:
    """Header to meta, then one segment per cue (or per voice within a cue)."""
    text, warnings = decode(raw, source=source)
    lines = lines_of(text)
    meta = TranscriptMeta(kind="auto_caption" if _WORD_TIME.search(text) else "unknown")
    cues = read_cues(lines, _header(lines, meta, warnings), warnings, skip_block=_is_meta_block)
    order_warnings(cues, warnings)  # per cue: the voices of one cue share its times
    rows = [seg for cue in cues for seg in _voices(cue)]
    require_segments(rows, source)
    return ParsedTranscript(FORMAT, segments_frame(rows), meta, warnings)


def _misspelled(line: str) -> bool:
    """`WEBVTX`, `WEB VTT`, `webvtt`: close enough to the signature to be meant as it."""
    key = re.sub(r"[\s_-]", "", line[:8]).upper()[:6]
    return SequenceMatcher(None, key, "WEBVTT").ratio() >= 0.66


def _header(lines: list[str], meta: TranscriptMeta, warnings: list[ParseWarning]) -> int:
    """Read the signature line and header fields into meta; the index of the first line after them."""
    i = next((k for k, ln in enumerate(lines) if ln.strip()), 0)
    first = lines[i].strip().lstrip("\ufeff")
    if not first.startswith("WEBVTT"):
        if is_time_line(first) or not _misspelled(first):
            warnings.append(ParseWarning("vtt_header", "no WEBVTT header line; read as WebVTT anyway", 1))
            return 0
        warnings.append(ParseWarning("vtt_header", f"header {first[:20]!r} is not WEBVTT; read as WebVTT", i + 1))
    if first.startswith("WEBVTT") and first[6:].strip(" -\t"):
        meta.extra["header"] = first[6:].strip(" -\t")
    end = i + 1
    while end < len(lines) and lines[end].strip() and not is_time_line(lines[end]):
        if end + 1 < len(lines) and is_time_line(lines[end + 1]):
            break  # a cue id straight after the header
        _field(lines[end].strip(), meta)
        end += 1
    return end


def _field(line: str, meta: TranscriptMeta) -> None:
    """`Kind: captions`, `Language: en`, `X-TIMESTAMP-MAP=...` into meta (language also to meta.language)."""
    m = _FIELD.match(line)
    key, value = (m[1].lower(), m[2].strip()) if m else ("header", line)
    meta.extra[key] = f"{meta.extra[key]}\n{value}" if key in meta.extra else value
    if key == "language":
        meta.language = value or None


def _is_meta_block(first_line: str) -> bool:
    """NOTE, STYLE and REGION blocks carry no transcript text."""
    words = first_line.split(maxsplit=1)
    return bool(words) and words[0] in ("NOTE", "STYLE", "REGION")


def _voices(row: dict) -> list[dict]:
    """A cue's payload without cue syntax: one row per voice span, speaker from `<v Name>`."""
    raw, body = row.pop("_raw"), row.pop("_body")
    del row["_id"]
    if "<" not in raw and "&" not in raw:  # no cue syntax, no references: the one span is the text
        text = raw.strip()
        return [{**row, "text": text, "line_end": body + raw.count("\n", 0, len(raw.rstrip()))}] if text else []
    marks = list(_VOICE.finditer(raw)) if "<v" in raw else []
    ends = [m.start() for m in marks[1:]] + [len(raw)]
    spans = [(None, 0, marks[0].start() if marks else len(raw))]
    spans += [(m[1], m.end(), end) for m, end in zip(marks, ends)]
    out: list[dict] = []
    for name, a, b in spans:
        chunk = raw[a:b]
        text = html.unescape(_SYNTAX.sub("", chunk)).strip()
        if not text:
            continue
        first = body + raw.count("\n", 0, a + len(chunk) - len(chunk.lstrip()))
        last = body + raw.count("\n", 0, a + len(chunk.rstrip()))
        out.append({**row, "speaker": (name or "").strip() or None, "text": text,
                    "line_start": first if out else row["line_start"], "line_end": last})
    return out
