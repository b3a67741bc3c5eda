"""The five sample files: each sniffed by content (name removed) and read with its quirks."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.parsers import parse as _parse, sniff

EXPECTED_FORMAT: dict[str, str] = {
    "000": "cleaned_markdown", "001": "chaptered_speakers", "002": "youtube_markdown",
    "003": "whisper_markdown", "004": "raw_captions",
}


def parse(raw: bytes, source: str):
    """Parse a seed with its known format (sniffing is tested separately)."""
    return _parse(raw, source=source, fmt=EXPECTED_FORMAT[source])


@pytest.mark.parametrize("key", sorted(EXPECTED_FORMAT))
def test_sniffed_by_content(seed_bytes: dict[str, bytes], key: str) -> None:
    assert sniff(seed_bytes[key], "") == EXPECTED_FORMAT[key]


def test_cleaned_markdown_000(seed_bytes: dict[str, bytes]) -> None:
    p = parse(seed_bytes["000"], source="000")
    seg = p.segments
    assert p.meta.video_id == "cHgCbDWejIs" and p.meta.guests == ["Dylan Patel"] and p.meta.hosts == []
    assert "placeholder" in {w.code for w in p.warnings}  # [Host Name]
    assert "executive_summary" in p.meta.extra  # summary section is metadata, not transcript
    assert not seg["text"].str.contains("Executive Summary|This interview features").any()
    assert seg["start_s"].is_not_null().any() and seg["start_s"].is_null().any()  # untimed paragraphs
    assert 3602.0 in seg["start_s"].to_list()  # [60:02] is past the hour
    assert seg.filter(pl.col("start_s").is_not_null())["start_s"].is_sorted()


def test_chaptered_001(seed_bytes: dict[str, bytes]) -> None:
    p = parse(seed_bytes["001"], source="001")
    seg = p.segments
    speech = seg.filter(~pl.col("text").str.contains("热门主题"))
    assert speech["speaker"].null_count() == 0  # every turn named, continuations inherit
    assert set(speech["speaker"]) == {"Matthew Berman", "Dylan Patel"}
    assert p.meta.published_date == "2025-06-30" and p.meta.guests == ["Dylan Patel"]
    assert p.meta.hosts == ["Matthew Berman"]
    assert len(p.meta.chapters) == 8 and p.meta.chapters[1].start_s == 383.0
    assert p.meta.chapters[5].title.endswith("Between NVIDIA and AMD")  # wrapped title joined
    assert p.meta.chapters[0].summary.startswith("The episode introduces Dylan Patel")
    assert not seg["text"].str.contains("The episode introduces").any()  # summaries are not speech
    assert 3610.0 in seg["start_s"].to_list()  # (1:00:10) past the hour
    assert "repeated_header" in {w.code for w in p.warnings}


def test_youtube_markdown_002(seed_bytes: dict[str, bytes]) -> None:
    p = parse(seed_bytes["002"], source="002")
    assert p.meta.video_id == "7EH0VjM3dTk" and p.meta.kind == "auto_caption"
    assert p.meta.show is None and p.meta.guests == []  # "Unknown" means unknown
    assert p.segments["start_s"].max() == 84 * 60 + 37  # [84:37]
    assert p.segments["start_s"].null_count() == 0


def test_whisper_markdown_003(seed_bytes: dict[str, bytes]) -> None:
    p = parse(seed_bytes["003"], source="003")
    seg = p.segments
    assert (p.meta.show, p.meta.episode_number, p.meta.video_id) == ("Lex Fridman Podcast", 459, "_1f-o0nqpEI")
    assert p.meta.guests == ["Dylan Patel", "Nathan Lambert"] and p.meta.hosts == ["Lex Fridman"]
    assert len(p.meta.chapters) >= 20 and p.meta.duration_s == 18378.0
    # times equal the URL seconds, not the rounded label
    raw = seed_bytes["003"].decode()
    urls = [float(t) for t in __import__("re").findall(r"&t=([\d.]+)s\)\]\s*$", raw, flags=8)]
    assert seg["start_s"].to_list() == [round(t, 3) for t in urls]
    assert seg.height == len(urls) == 7933


def test_raw_captions_004(seed_bytes: dict[str, bytes]) -> None:
    p = parse(seed_bytes["004"], source="004")
    seg = p.segments
    assert p.meta.video_id == "EV7WhVT270Q" and p.meta.episode_number == 490
    assert seg.height == seed_bytes["004"].decode().count(">>") + 1  # one turn per >> plus the intro
    assert not seg["text"].str.contains(">>").any()
    assert seg["start_s"].null_count() == seg.height
    assert seg["text"].tail(1).item().endswith("you next time.")  # no newline at the end of the file
