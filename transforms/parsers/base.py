"""The one parser interface: bytes in, segments + metadata + warnings out, or a named error."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

import polars as pl

from transforms.schemas import PARSED_SEGMENTS

MAX_SECONDS = 86_400.0  # a transcript longer than a day is not a transcript


class TranscriptParseError(Exception):
    """The file cannot be read as a transcript: names the file, the line and the reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source, self.line, self.reason = source, line, reason
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class ParseWarning:
    """Something a parser forgave or repaired."""

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Chapter:
    start_s: float | None
    title: str
    summary: str | None = None


@dataclass
class TranscriptMeta:
    """What a file says about its episode; None where it says nothing."""

    title: str | None = None
    show: str | None = None
    episode_number: int | None = None
    video_id: str | None = None
    published_date: str | None = None  # ISO yyyy-mm-dd
    hosts: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    duration_s: float | None = None
    chapters: list[Chapter] = field(default_factory=list)
    kind: str = "unknown"  # human / whisper / auto_caption / unknown
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # header material kept out of the transcript


@dataclass
class ParsedTranscript:
    format: str
    segments: pl.DataFrame  # PARSED_SEGMENTS schema
    meta: TranscriptMeta
    warnings: list[ParseWarning] = field(default_factory=list)


class Parser(Protocol):
    """What every module in transforms/parsers/ provides."""

    FORMAT: str
    MAX_SCORE: float  # the most looks_like returns: the sniffer stops asking once a format scored as much

    def looks_like(self, head: str) -> float: ...

    def parse(self, raw: bytes, *, source: str) -> ParsedTranscript: ...


# ---------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _guess_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM shows as NULs in every other byte of ASCII text."""
    sample = raw[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode(raw: bytes, *, source: str) -> tuple[str, list[ParseWarning]]:
    """Bytes to text: BOMs, UTF-16, invalid UTF-8 and NULs handled, each as a warning."""
    warnings: list[ParseWarning] = []
    encoding, body = None, raw
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            encoding, body = enc, raw[len(bom):]
            warnings.append(ParseWarning("bom", f"byte order mark for {enc} removed"))
            break
    if encoding is None and (encoding := _guess_utf16(raw)):
        warnings.append(ParseWarning("encoding", f"decoded as {encoding} without a byte order mark"))
    if encoding is None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            text = _decode_legacy(body, err, warnings)
    else:
        text = body.decode(encoding, errors="replace")
    if "\x00" in text:
        warnings.append(ParseWarning("nul_bytes", f"{text.count(chr(0))} NUL characters removed"))
        text = text.replace("\x00", "")
    if "\r" in text:
        warnings.append(ParseWarning("line_endings", "CR/CRLF line endings normalised to LF"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        warnings.append(ParseWarning("no_final_newline", "file does not end with a newline (truncated?)"))
    return text, warnings


def _decode_legacy(body: bytes, err: UnicodeDecodeError, warnings: list[ParseWarning]) -> str:
    """UTF-8 with a few bad bytes keeps UTF-8 (bad bytes replaced); text with no valid UTF-8
    multi-byte characters at all is a legacy 8-bit encoding, read as cp1252."""
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - invalid
    if valid > invalid:
        warnings.append(ParseWarning("invalid_utf8", f"{invalid} invalid UTF-8 byte sequences replaced "
                                     f"(first at byte {err.start})"))
        return text
    warnings.append(ParseWarning("encoding", "not UTF-8; decoded as cp1252"))
    return body.decode("cp1252", errors="replace")


# ---------------------------------------------------------------- shared helpers

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def clock_to_seconds(stamp: str) -> float | None:
    """'1:02:03', '62:03', '00:01:02.500', '01:02,5' -> seconds; None if not a clock or absurd."""
    m = _CLOCK.match(stamp.strip())
    if not m:
        return None
    return clock_parts_to_seconds(*m.groups())


def clock_parts_to_seconds(h: str | None, mnt: str, s: str, frac: str | None) -> float | None:
    """A clock's digits (hours optional, fraction optional) in seconds; None if absurd."""
    if int(s) > 59 or (h is not None and int(mnt) > 59):
        return None
    seconds = int(h or 0) * 3600 + int(mnt) * 60 + int(s) + (int(frac) / 10 ** len(frac) if frac else 0.0)
    return seconds if seconds <= MAX_SECONDS else None


def segments_frame(rows: list[dict]) -> pl.DataFrame:
    """Rows with start_s/end_s/speaker/text/line_start/line_end -> PARSED_SEGMENTS frame, seq added."""
    if not rows:
        return PARSED_SEGMENTS.empty()
    df = pl.DataFrame(rows, schema_overrides={
        "start_s": pl.Float64, "end_s": pl.Float64, "speaker": pl.String, "text": pl.String,
        "line_start": pl.Int32, "line_end": pl.Int32,
    })
    return PARSED_SEGMENTS.conform(df.with_row_index("seq").with_columns(pl.col("seq").cast(pl.Int32)))


def require_segments(rows: list[dict], source: str) -> None:
    """A file with no transcript text at all is not a transcript."""
    if not any(r["text"].strip() for r in rows):
        raise TranscriptParseError(source, None, "no transcript text found")


def fill_end_times(rows: list[dict]) -> None:
    """Where a timed segment has no end, end it where the next segment starts, if that one is timed."""
    for row, nxt in zip(rows, rows[1:]):
        if row.get("end_s") is None and row.get("start_s") is not None and nxt.get("start_s") is not None:
            row["end_s"] = max(row["start_s"], nxt["start_s"])


_SHOW_NUMBER = re.compile(r"^(?P<title>.+?)\s*\|\s*(?P<show>[^|]+?)\s*#\s*(?P<num>\d+)\s*$")
_YT_ID = re.compile(r"(?:youtube\.com/watch\?(?:[^\s)\]]*&)?v=|youtu\.be/)([A-Za-z0-9_-]{11})")


def split_show_title(title: str) -> tuple[str, str | None, int | None]:
    """'Title | Lex Fridman Podcast #459' -> ('Title', 'Lex Fridman Podcast', 459)."""
    m = _SHOW_NUMBER.match(title.strip())
    if not m:
        return title.strip(), None, None
    return m["title"].strip(), m["show"].strip(), int(m["num"])


def youtube_id(text: str) -> str | None:
    """The first YouTube video id in a URL inside the text, if any."""
    m = _YT_ID.search(text)
    return m.group(1) if m else None


def load_json(text: str, source: str) -> object:
    """Parse JSON or raise the named error with the line where it broke."""
    import json
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise TranscriptParseError(source, err.lineno, f"invalid JSON: {err.msg}") from None


def at_least(n: int, pattern: re.Pattern, text: str) -> bool:
    """Whether `pattern` matches `text` n times or more (its matches, as findall finds them), stopping at the nth."""
    return sum(1 for _ in islice(pattern.finditer(text), n)) == n


def lines_of(text: str) -> list[str]:
    """Text to lines without trailing newline artefacts (line i is source line i + 1)."""
    return text.split("\n")
