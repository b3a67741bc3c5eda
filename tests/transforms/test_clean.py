"""Every cleaning rule on tiny frames: what changed, which rule says so, and why things were removed."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import CleanOptions, clean_segments, match_text_expr, match_token
from transforms.parsers.base import segments_frame
from transforms.schemas import CLEAN_SEGMENTS
from transforms.text_rules import fix_text

GLOSSARY = pl.DataFrame({
    "entity": ["OpenAI", "Satya Nadella", "Nathan Lambert", "DeepSeek"], "type": ["lab", "person", "person", "lab"],
    "aliases": ["Open AI|Open AAI", "Sacha Della", "Nathan Lampert|Lampert", "DeepSeq|Deep Seek"],
    "safe_aliases": ["Open AAI|Open AI", "Sacha Della", "Nathan Lampert|Lampert=Lambert", "DeepSeq|Deep Seek"],
    "case_sensitive": ["false", "true", "true", "false"],
})


def _clean(*texts: str, **opts) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [{"start_s": float(i), "end_s": None, "speaker": None, "text": t, "line_start": i + 1,
             "line_end": i + 1} for i, t in enumerate(texts)]
    return clean_segments(segments_frame(rows), options=CleanOptions(**opts), glossary=GLOSSARY)


def _one(text: str, **opts) -> dict:
    seg, _ = _clean(text, **opts)
    return seg.row(0, named=True)


def test_output_schema_and_verbatim_kept() -> None:
    seg, _ = _clean("**Hello** um world")
    assert seg.schema == CLEAN_SEGMENTS.schema
    assert seg["text"].item() == "**Hello** um world"


def test_encoding_repairs_mojibake() -> None:
    seg, _ = _clean("Thank you for listening ‚ù§", "a cafÃ© in SÃ£o Paulo", "plain text")
    assert seg["text_display"].to_list() == ["Thank you for listening ❤", "a café in São Paulo", "plain text"]
    assert ["encoding" in r for r in seg["rules"].to_list()] == [True, True, False]


@pytest.mark.parametrize("raw, display", [
    ("**[00:10]** He's a **quick** thinker", "He's a quick thinker"),
    ("See [the site](https://example.com) now", "See the site now"),
    ("<c.colorE5E5E5>so</c><00:00:01.500><c> we</c> went", "so we went"),
    ("<v Roger>Hello there", "Hello there"),
    ("{\\an8}Top line", "Top line"),
    (">> Thanks for listening", "Thanks for listening"),
    ("word (01:02:03) more", "word more"),
])
def test_markup_removed(raw: str, display: str) -> None:
    row = _one(raw)
    assert row["text_display"] == display and "markup" in row["rules"]


def test_event_only_segment_is_flagged_not_words() -> None:
    seg, rej = _clean("[Music]", "so [Applause] we begin (laughs)")
    assert seg["is_event"].to_list() == [True, False]
    assert seg["text_display"].to_list() == ["[Music]", "so we begin"]
    assert seg["text_match"].to_list() == ["", "so we begin"] and rej.is_empty()


def test_fillers_dropped_from_display_only_when_enabled() -> None:
    assert _one("Um, so uh we went")["text_display"] == "so we went"
    assert _one("Um, so uh we went", drop_fillers=False)["text_display"] == "Um, so uh we went"
    assert "fillers" in _one("uh yes")["rules"]


def test_rolling_caption_repeats_collapsed_with_reason() -> None:
    seg, rej = _clean("we went to the store", "to the store and bought milk", "to the store and bought milk",
                      rolling_captions=True)
    assert seg["text_display"].to_list() == ["we went to the store", "and bought milk"]
    assert "rolling_caption" in seg["rules"][1]
    assert rej.select("seq", "rule").to_dicts() == [{"seq": 2, "rule": "rolling_caption_repeat"}]


def test_repeats_kept_when_not_captions() -> None:
    seg, rej = _clean("Okay.", "Okay.")
    assert seg.height == 2 and rej.is_empty()


def test_trailing_site_chrome_rejected() -> None:
    seg, rej = _clean("Thanks for having me.", "Maybe, maybe.", "热门主题")
    assert seg.height == 2
    assert rej.row(0, named=True) | {} == {"seq": 2, "rule": "site_chrome", "content": "热门主题",
                                          "reason": rej["reason"][0]}
    assert "not part of the conversation" in rej["reason"][0]


def test_empty_segment_rejected_with_reason() -> None:
    seg, rej = _clean("hello", "**  **")
    assert seg.height == 1 and rej["rule"].to_list() == ["empty"]


def test_sentence_breaks_repaired_inside_and_across_segments() -> None:
    seg, _ = _clean("I've seen you do a number of. Talks. It was a very. Interesting thing.",
                    "since that kind of.", "Released, but there was a ton of anticipation.")
    assert seg["text_display"][0] == "I've seen you do a number of talks. It was a very interesting thing."
    assert seg["text_display"][1:].to_list() == ["since that kind of", "released, but there was a ton of anticipation."]
    assert all("sentence_break" in r for r in seg["rules"].to_list())


def test_real_sentence_ends_are_left_alone() -> None:
    seg, _ = _clean("I don't believe that.", "They hate. Nvidia is big.", "What are you working on.")
    assert seg["text_display"].to_list() == ["I don't believe that.", "They hate. Nvidia is big.",
                                             "What are you working on."]


def test_names_repaired_from_glossary_without_adding_words() -> None:
    row = _one("here you go Sacha Della and Open AAI with Lampert on DeepSeq")
    assert row["text_display"] == "here you go Satya Nadella and OpenAI with Lambert on DeepSeek"
    assert "name_repair" in row["rules"]
    assert _one("open the cloud", repair_names=True)["text_display"] == "open the cloud"


def test_match_text_is_normalised() -> None:
    row = _one("Don’t  STOP—the “GPU” café!")
    assert row["text_match"] == "dont stopthe gpu café"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abcXYZ .,!?'’-*[]()<>:0123456789\u00e9\u00c3\u00a9 ")),
                        max_size=60), min_size=1, max_size=6))
def test_properties_never_add_words_idempotent_and_match_invariant(texts: list[str]) -> None:
    seg, _ = _clean(*texts, repair_names=False)
    for row in seg.iter_rows(named=True):
        words = set(row["text_match"].split())
        source = set(pl.select(match_text_expr(pl.lit(fix_text(row["text"])))).item().split())
        # cleaning may join tokens split by markup, but never invents a word absent from the source
        assert all(any(w in s or s in w for s in source) for w in words)
        tokens = [t for t in (match_token(w) for w in row["text_display"].split(" ")) if t]
        assert row["text_match"] == " ".join(tokens) or row["is_event"]
    again, _ = _clean(*seg["text_display"].to_list(), repair_names=False) if seg.height else (seg, None)
    assert again["text_display"].to_list() == seg["text_display"].to_list()
