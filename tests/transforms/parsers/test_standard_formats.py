"""Quirks of the standard formats beyond the golden files: sniffing boundaries, repairs and refusals."""

from __future__ import annotations

import json

import pytest

from transforms.parsers import TranscriptParseError, parse, parser_for, sniff
from transforms.parsers import plain_text, speaker_text, srt, vtt, whisper_json, youtube_json3, youtube_xml

MINE = (vtt, srt, whisper_json, youtube_xml, youtube_json3, speaker_text, plain_text)
SEED_FORMAT = {"000": "cleaned_markdown", "001": "chaptered_speakers", "002": "youtube_markdown",
               "003": "whisper_markdown", "004": "raw_captions"}


def _codes(raw: bytes | str, fmt: str | None = None) -> set[str]:
    raw = raw.encode() if isinstance(raw, str) else raw
    return {w.code for w in parse(raw, source="t", fmt=fmt).warnings}


def _rows(raw: bytes | str, fmt: str | None = None) -> list[dict]:
    raw = raw.encode() if isinstance(raw, str) else raw
    return parse(raw, source="t", fmt=fmt).segments.to_dicts()


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize("key", sorted(SEED_FORMAT))
def test_standard_formats_do_not_claim_the_seeds(seed_bytes: dict[str, bytes], key: str) -> None:
    head = seed_bytes[key][:65536].decode("utf-8", errors="replace")
    winner = parser_for(SEED_FORMAT[key]).looks_like(head)
    for module in MINE:
        assert module.looks_like(head) < winner, module.FORMAT
    assert speaker_text.looks_like(head) == 0.0  # "(00:00) Name:" lines of 001 are the chaptered format's


def test_speaker_text_and_plain_text_stay_below_specific_formats() -> None:
    turns = "".join(f"Jane Roe: 00:00:0{i}: words number {i}\n" for i in range(6))
    assert speaker_text.looks_like(turns) == 0.5
    assert plain_text.looks_like("Just some readable prose, nothing else here.") == 0.05
    assert plain_text.looks_like("1,2,3\n4,5,6\n") == 0.0


@pytest.mark.parametrize(("text", "fmt"), [
    ("00:00:01.000 --> 00:00:02.000\nhi there\n\n00:00:02.000 --> 00:00:03.000\nyes\n", "webvtt"),
    ("1\n00:00:01.000 --> 00:00:02.000\nhi there\n\n2\n00:00:02.000 --> 00:00:03.000\nyes\n", "srt"),
    ("1\n00:00:01.000 --> 00:00:02.000 align:start\nhi\n\n2\n00:00:02.000 --> 00:00:03.000\nyes\n", "webvtt"),
    ("1\n00:01.000 --> 00:02.000\n<v Bob>hi\n", "webvtt"),
    ("WEBVTX\n\n00:00:01.000 --> 00:00:02.000\nhi there\n", "webvtt"),
    ("1\n00:00:01,000 --> 00:00:02,000\nOne cue only.\n", "srt"),
    ("1\nHello there, friends.\n\n2\nWe talk about GPUs today.\n", "plain_text"),
    ('{"foo": 1}', "whisper_json"),
    ('{"events": [{"tStartMs": 0, "segs": [{"utf8": "hi"}]}]}', "youtube_json3"),
    ("<html><body><p>Welcome back to the show, today we talk chips.</p></body></html>", "plain_text"),
    ("Alice: hello there\nBob: hi Alice\nAlice: how are you\nBob: fine thanks\n", "speaker_text"),
    ("Note: this is prose.\nIt has one colon label and nothing more.\nReally.\n", "plain_text"),
])
def test_sniff_boundaries(text: str, fmt: str) -> None:
    assert sniff(text.encode(), "") == fmt


# ---------------------------------------------------------------- WebVTT and SRT


def test_vtt_voices_split_a_cue_and_cue_syntax_leaves_the_text() -> None:
    rows = _rows("WEBVTT\n\n00:01.000 --> 00:04.000\n<v Ann>Hi <c.y>there</c><00:02.000> <i>you</i>\n"
                 "<v.loud Bo>Hello &amp; bye</v>\n")
    assert [(r["speaker"], r["text"], r["start_s"], r["end_s"], r["line_start"]) for r in rows] == [
        ("Ann", "Hi there <i>you</i>", 1.0, 4.0, 3), ("Bo", "Hello & bye", 1.0, 4.0, 5)]
    assert "overlap" not in _codes("WEBVTT\n\n00:01.000 --> 00:04.000\n<v A>x\n<v B>y\n")


def test_vtt_timestamp_map_is_kept_not_applied() -> None:
    p = parse(b"WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n\n00:00:01.000 --> 00:00:02.000\nhi\n",
              source="t")
    assert p.meta.extra["x-timestamp-map"].endswith("MPEGTS:900000") and p.segments["start_s"][0] == 1.0


def test_cue_end_before_start_is_left_empty_not_swapped() -> None:
    for raw, fmt in (("WEBVTT\n\n00:05.000 --> 00:04.000\nback\n", "webvtt"),
                     ("1\n00:00:05,000 --> 00:00:04,000\nback\n", "srt")):
        assert [(r["start_s"], r["end_s"]) for r in _rows(raw, fmt)] == [(5.0, None)]
        assert "end_before_start" in _codes(raw, fmt)


def test_srt_keeps_markup_verbatim_and_counts_missing_numbers_once() -> None:
    raw = "00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Top</i> &amp; more\n\n00:00:02,000 --> 00:00:03,000\nx\n"
    p = parse(raw.encode(), source="t", fmt="srt")
    assert p.segments["text"][0] == "{\\an8}<i>Top</i> &amp; more"
    assert [w.code for w in p.warnings].count("missing_index") == 1


def test_srt_without_time_lines_is_refused_when_forced() -> None:
    with pytest.raises(TranscriptParseError, match="no transcript text"):
        parse(b"1\nHello there.\n\n2\nMore words.\n", source="t", fmt="srt")


def test_prose_with_an_arrow_is_not_a_time_line() -> None:
    rows = _rows("1\n00:00:01,000 --> 00:00:02,000\nHe said --> go\n", "srt")
    assert rows[0]["text"] == "He said --> go"


# ---------------------------------------------------------------- JSON and XML


@pytest.mark.parametrize(("raw", "reason"), [
    (b'{"foo": 1}', "no 'segments'"), (b"[1, 2, 3]", "non-object (int)"), (b"[]", "empty"),
    (b'{"segments": {"start": 0}}', "not a list (dict)"), (b"[" * 50_000, "nested too deeply"),
])
def test_whisper_json_of_the_wrong_shape_names_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(TranscriptParseError, match="segment objects|invalid JSON") as err:
        whisper_json.parse(raw, source="t")
    assert reason in err.value.reason


def test_truncated_json_names_the_line() -> None:
    doc = json.dumps({"segments": [{"start": i, "end": i + 1, "text": "words"} for i in range(5)]}, indent=2)
    for module in (whisper_json, youtube_json3):
        with pytest.raises(TranscriptParseError, match="invalid JSON") as err:
            module.parse(doc[:-40].encode(), source="t")
        assert err.value.line and err.value.line > 10


def test_whisper_json_text_only_is_one_untimed_segment() -> None:
    p = whisper_json.parse(b'{"text": " Only text.", "language": "de"}\n', source="t")
    assert p.segments["text"].to_list() == ["Only text."] and p.meta.language == "de"
    assert {w.code for w in p.warnings} == {"no_segments"}


def test_json3_skips_newline_events_and_unescapes_twice() -> None:
    doc = {"events": [{"tStartMs": 10, "dDurationMs": 20, "segs": [{"utf8": "it&amp;#39;s"}]},
                      {"tStartMs": 30, "aAppend": 1, "segs": [{"utf8": "\n"}]}]}
    p = youtube_json3.parse(json.dumps(doc).encode(), source="t")
    assert p.segments.select("start_s", "end_s", "text").rows() == [(0.01, 0.03, "it's")]
    assert p.meta.kind == "auto_caption"


def test_youtube_xml_refusals_name_the_line() -> None:
    with pytest.raises(TranscriptParseError, match="invalid XML") as err:
        youtube_xml.parse(b'<transcript>\n<text start="1" dur="1">a</text>\n<text start="2"', source="t")
    assert err.value.line == 3
    with pytest.raises(TranscriptParseError, match="not YouTube timedtext"):
        youtube_xml.parse(b"<html><p>hello</p></html>", source="t")


# ---------------------------------------------------------------- speaker and plain text


def test_speaker_text_trusts_untimed_labels_only_when_they_recur() -> None:
    rows = _rows("Ann: hello there\nBo: hi Ann\nNote: a one-off label\nAnn: how are you\nBo: fine\n",
                 "speaker_text")
    assert [r["speaker"] for r in rows] == ["Ann", "Bo", "Ann", "Bo"]
    assert rows[1]["text"] == "hi Ann\nNote: a one-off label"


@pytest.mark.parametrize(("labels", "kind"), [(("SPEAKER_00", "SPEAKER_01"), "whisper"),
                                              (("Speaker 1", "Speaker 2"), "unknown"),
                                              (("Jane Roe", "SPEAKER_01"), "human")])
def test_speaker_text_kind_follows_the_labels(labels: tuple[str, str], kind: str) -> None:
    raw = "".join(f"[00:00:0{i}] {labels[i % 2]}: words {i}\n" for i in range(4))
    assert parse(raw.encode(), source="t", fmt="speaker_text").meta.kind == kind


def test_plain_text_refuses_what_is_not_prose() -> None:
    with pytest.raises(TranscriptParseError, match="not readable prose"):
        plain_text.parse(b"1,2,3\n4,5,6\n", source="t")


def test_line_numbers_survive_bom_and_crlf() -> None:
    raw = "\ufeffWEBVTT\r\n\r\nNOTE x\r\n\r\n00:01.000 --> 00:02.000\r\nhi\r\n".encode()
    assert [(r["line_start"], r["line_end"]) for r in _rows(raw)] == [(5, 6)]
