"""The catalogue of bad inputs: each kind, the bytes (or file-system state) that make it, and the
outcome a user should get: parsed with a named warning, or quarantined with a clear reason."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw"
YT = (SAMPLE / "002_d30b93859025e2dd.txt").read_bytes()
SRT = "1\n00:00:01,000 --> 00:00:03,000\nHello there, friends.\n\n2\n00:00:03,500 --> 00:00:06,000\nWe talk about GPUs today.\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello there, friends.\n\n00:00:03.500 --> 00:00:06.000\nWe talk about GPUs today.\n"
PROSE = "Welcome back to the show. Today we talk about chips.\n\nOur guest builds data centers for a living.\n"


@dataclass(frozen=True)
class Case:
    kind: str
    make: Callable[[], bytes]
    outcome: str  # "warn:<code>" | "quarantine:<words in reason>" | "loaded"
    name: str = "input.txt"


def _yt_lines(lines: list[str]) -> bytes:
    return ("---\ntitle: \"t\"\n---\n\n## Text\n\n" + "\n".join(lines) + "\n").encode()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("t.srt", SRT)
    return buf.getvalue()


CASES: list[Case] = [
    Case("empty file", lambda: b"", "quarantine:unknown format"),
    Case("whitespace only", lambda: b"  \n\t\n   \n", "quarantine:unknown format"),
    Case("PNG image", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "quarantine:PNG image"),
    Case("zip archive", _zip, "quarantine:zip archive"),
    Case("gzip of a valid transcript", lambda: gzip.compress(YT), "quarantine:gzip"),
    Case("PDF document", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "quarantine:PDF"),
    Case("random binary", lambda: bytes((i * 7919) % 256 for i in range(20000)), "quarantine:binary"),
    Case("UTF-16 LE with BOM", lambda: b"\xff\xfe" + SRT.encode("utf-16-le"), "warn:bom"),
    Case("UTF-16 BE with BOM", lambda: b"\xfe\xff" + SRT.encode("utf-16-be"), "warn:bom"),
    Case("UTF-16 LE without BOM", lambda: SRT.encode("utf-16-le"), "warn:encoding"),
    Case("UTF-8 with BOM", lambda: b"\xef\xbb\xbf" + VTT.encode(), "warn:bom"),
    Case("cp1252 text", lambda: ("Caf\u00e9 talk \u2013 the \u201cbest\u201d GPUs.\n\n" + PROSE).encode("cp1252"),
         "warn:encoding"),
    Case("latin-1 text", lambda: ("Se\u00f1or Mu\u00f1oz habla de chips.\n\n" + PROSE).encode("latin-1"),
         "warn:encoding"),
    Case("invalid UTF-8 mid-file", lambda: ("Caf\u00e9 na\u00efve r\u00e9sum\u00e9 talk.\n\n" * 3).encode() + b"\xff\xfe\xc3 "
         + PROSE.encode(), "warn:invalid_utf8"),
    Case("NUL bytes", lambda: SRT.encode().replace(b"Hello", b"Hel\x00lo"), "warn:nul_bytes"),
    Case("CRLF line endings", lambda: SRT.replace("\n", "\r\n").encode(), "warn:line_endings"),
    Case("truncated mid-line", lambda: YT[:4321], "warn:no_final_newline"),
    Case("truncated mid-cue", lambda: VTT.encode()[:-30], "warn:no_final_newline"),
    Case("truncated mid-JSON", lambda: json.dumps({"segments": [{"start": 0, "end": 1, "text": "hi"}] * 5}).encode()[:-20],
         "quarantine:invalid JSON"),
    Case("one 50 MB line", lambda: b"word " * (10 * 1024 * 1024), "quarantine:not transcript text"),
    Case("unknown format (numbers only)", lambda: b"1,2,3\n4,5,6\n7,8,9\n", "quarantine:unknown format"),
    Case("timestamps backwards", lambda: _yt_lines(["- [00:10] later words here", "- [00:05] earlier words here",
                                                      "- [00:20] and more words"]), "warn:out_of_order"),
    Case("overlapping cues", lambda: (SRT.replace("00:00:03,500", "00:00:02,000")).encode(), "warn:overlap"),
    Case("absurd time 99:99", lambda: _yt_lines(["- [99:99] what time is it", "- [00:01] hello there",
                                                   "- [00:02] and more words"]), "warn:bad_timestamp"),
    Case("negative time", lambda: SRT.replace("00:00:01,000", "-00:00:01,000").encode(), "warn:bad_timestamp"),
    Case("time beyond 24 h", lambda: SRT.replace("00:00:01,000", "25:00:01,000").encode(), "warn:bad_timestamp"),
    Case("cue ends before it starts", lambda: SRT.replace("00:00:03,000", "00:00:00,500").encode(),
         "warn:end_before_start"),
    Case("malformed VTT header", lambda: VTT.replace("WEBVTT", "WEBVTX").encode(), "warn:vtt_header"),
    Case("SRT with text only", lambda: b"1\nHello there, friends.\n\n2\nWe talk about GPUs today.\n",
         "warn:no_structure"),
    Case("SRT without indices", lambda: SRT.replace("1\n", "", 1).replace("\n2\n", "\n").encode(),
         "warn:missing_index"),
    Case("JSON of the wrong shape", lambda: b'{"foo": [1, 2, 3], "segments": 7}', "quarantine:segment objects"),
    Case("JSON list of numbers", lambda: b"[1, 2, 3]", "quarantine:segment objects"),
    Case("YAML front matter unclosed", lambda: b"---\ntitle: \"x\"\n- [00:01] hello there\n- [00:02] more words here\n"
         b"- [00:03] and the end\n", "warn:unclosed_front_matter"),
    Case("all [Music]", lambda: _yt_lines(["- [00:01] [Music]", "- [00:05] [Music]", "- [00:09] [Applause]"]),
         "quarantine:no speech"),
    Case("punctuation only", lambda: b"... --- !!!\n\n??? ,,, ...\n", "quarantine:unknown format"),
    Case("HTML page", lambda: b"<html><body><p>Welcome back to the show, today we talk chips.</p></body></html>\n",
         "warn:no_structure"),
    Case("whisper JSON with NaN time", lambda: b'{"segments": [{"start": NaN, "end": 1, "text": "hello there"}]}',
         "warn:bad_timestamp"),
    Case("XML that is not timedtext", lambda: b"<?xml version='1.0'?><transcript><text start='x'>hi there</text>",
         "quarantine:invalid XML"),
    Case("speaker labels, no times", lambda: b"Alice: hello there\nBob: hi Alice\nAlice: how are you\nBob: fine thanks\n",
         "format:speaker_text"),
    Case("very long single cue text", lambda: ("WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n" + "word " * 20000 + "\n").encode(),
         "loaded"),
]

NAMES = {
    "name with spaces": "my transcript file.srt", "unicode name": "entrevista_caf\u00e9_\u4e2d\u6587.srt",
    "quotes in name": "it's \"quoted\".srt", "semicolon in name": "a;rm -rf x.srt", "leading dash": "-rf.srt",
    "very long name": ("x" * 240) + ".srt",
}
