"""Parser registry and content sniffer: one module per format, all behind `base.Parser`."""

from __future__ import annotations

import importlib
from types import ModuleType

from transforms.parsers.base import (
    ParsedTranscript, ParseWarning, TranscriptMeta, TranscriptParseError, decode,
)

PARSER_VERSION = "2"

# Sniffing order: the most specific shapes first; plain_text accepts anything with words.
MODULES: dict[str, str] = {
    "webvtt": "vtt",
    "srt": "srt",
    "whisper_json": "whisper_json",
    "youtube_json3": "youtube_json3",
    "youtube_xml": "youtube_xml",
    "whisper_markdown": "whisper_markdown",
    "chaptered_speakers": "chaptered",
    "youtube_markdown": "youtube_markdown",
    "cleaned_markdown": "cleaned_markdown",
    "raw_captions": "raw_captions",
    "speaker_text": "speaker_text",
    "plain_text": "plain_text",
}
SNIFF_BYTES = 64 * 1024


def parser_for(fmt: str) -> ModuleType:
    """The parser module of a format name."""
    return importlib.import_module(f"transforms.parsers.{MODULES[fmt]}")


_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"PK\x03\x04": "a zip archive (unpack it first)", b"\x1f\x8b": "gzip-compressed (decompress it first)",
    b"%PDF": "a PDF document", b"BZh": "bzip2-compressed (decompress it first)",
    b"\x28\xb5\x2f\xfd": "zstd-compressed (decompress it first)", b"7z\xbc\xaf": "a 7-zip archive",
    b"\x7fELF": "an executable", b"RIFF": "audio/video (RIFF)", b"ID3": "an MP3 file", b"OggS": "an Ogg file",
    b"fLaC": "a FLAC file",
}
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0D, 0x20)])  # control characters but \t \n \v \f
_NOT_CONTROL = bytes(sorted(set(range(256)) - set(_CONTROL)))
MAX_LINE_CHARS = 1_000_000  # a "line" longer than this is not transcript text


def binary_reason(head: bytes) -> str | None:
    """Why these bytes are not text (a known binary signature or control characters), else None."""
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return f"binary file: {what}"
    text, _ = decode(head[:SNIFF_BYTES], source="")
    sample = text[:SNIFF_BYTES]
    # in UTF-8 these characters are these very bytes and no other character has a byte below 0x80:
    # counting bytes is ~20x cheaper than a pattern over the characters
    controls = len(sample.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL))
    if sample and controls / len(sample) > 0.02:
        return f"binary content ({controls} control characters in the first {len(sample)})"
    if sample and sample.count("\ufffd") / len(sample) > 0.1:
        return "binary content (mostly undecodable bytes)"
    return None


def sniff(head: bytes, name: str = "", *, text_checked: bool = False) -> str:
    """Decide a file's format from its first bytes (the name is never consulted for the format;
    `text_checked`: the caller has already found them to be text, by `binary_reason`)."""
    if not text_checked and binary_reason(head):
        return "unknown"
    text, _ = decode(head[:SNIFF_BYTES], source=name)
    if not text.strip():
        return "unknown"
    best, best_score = "unknown", 0.0
    for fmt in MODULES:
        module = parser_for(fmt)
        if module.MAX_SCORE <= best_score:
            continue  # it cannot win (ties go to the earlier format), so it is not asked
        score = module.looks_like(text)
        if score > best_score:
            best, best_score = fmt, score
    return best


def parse(raw: bytes, *, source: str, fmt: str | None = None) -> ParsedTranscript:
    """Sniff (unless told) and parse; raises TranscriptParseError for anything unreadable."""
    if reason := binary_reason(raw[:SNIFF_BYTES]):
        raise TranscriptParseError(source, None, reason)
    _check_line_lengths(raw, source)
    fmt = fmt or sniff(raw[:SNIFF_BYTES], source, text_checked=True)
    if fmt == "unknown":
        raise TranscriptParseError(source, None, "unknown format: no transcript shape recognised")
    return parser_for(fmt).parse(raw, source=source)


def _check_line_lengths(raw: bytes, source: str) -> None:
    """Refuse a file with a line of megabytes (it would be one absurd segment)."""
    if len(raw) <= MAX_LINE_CHARS:
        return  # no line can be longer than the file
    start, line = 0, 1
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            raise TranscriptParseError(source, line, f"line is {end - start:,} bytes long; not transcript text")
        start, line = end + 1, line + 1


__all__ = [
    "MODULES", "PARSER_VERSION", "binary_reason", "ParseWarning", "ParsedTranscript", "TranscriptMeta",
    "TranscriptParseError", "parse", "parser_for", "sniff",
]
