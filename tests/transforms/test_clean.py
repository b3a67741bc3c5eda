"""Every cleaning rule on tiny frames: what changed, which rule says so, and why things were removed."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from transforms import entities
from transforms import text_rules as tr
from transforms.clean import CleanOptions, clean_segments, match_text_expr, match_token, normalise_verbatim
from transforms.parsers.base import segments_frame
from transforms.schemas import CLEAN_SEGMENTS

GLOSSARY = pl.DataFrame({
    "entity": ["OpenAI", "Satya Nadella", "Nathan Lambert", "DeepSeek", "Nvidia", "Claude 4"],
    "type": ["lab", "person", "person", "lab", "company", "model"],
    "aliases": ["Open AI|Open AAI", "Sacha Della|Satya", "Nathan Lampert|Lampert|Lambert", "DeepSeq|Deep Seek",
                "NVIDIA|Invidia", "Cloud 4"],
    "safe_aliases": ["Open AAI|Open AI", "Sacha Della", "Nathan Lampert|Lampert=Lambert", "DeepSeq|Deep Seek|Deepseek",
                     "Invidia", "Cloud 4"],
    "case_sensitive": ["false", "true", "true", "false", "false", "false"],
})


def _clean(*texts: str, speakers: list[str | None] | None = None, glossary: pl.DataFrame | None = GLOSSARY,
           **opts: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [{"start_s": float(i), "end_s": None, "speaker": speakers[i] if speakers else None, "text": t,
             "line_start": i + 1, "line_end": i + 1} for i, t in enumerate(texts)]
    return clean_segments(segments_frame(rows), options=CleanOptions(**opts), glossary=glossary)


def _one(text: str, **opts: bool) -> dict:
    seg, rej = _clean(text, **opts)
    assert rej.is_empty(), rej.to_dicts()
    return seg.row(0, named=True)


def _check_reject(texts: list[str], seq: int, rule: str, reason_part: str, **opts: bool) -> pl.DataFrame:
    """Like datatrove's check_filter: the segment is gone, and the rejects row says which rule and why."""
    seg, rej = _clean(*texts, **opts)
    assert seq not in seg["seq"].to_list()
    row = rej.filter(pl.col("seq") == seq).row(0, named=True)
    assert (row["rule"], row["content"]) == (rule, texts[seq]) and reason_part in row["reason"]
    return seg


# ---------------------------------------------------------------- shape


def test_output_schema_verbatim_kept_and_nothing_dropped_silently() -> None:
    texts = ["**Hello** um world", "", "[Music]", "热门主题"]
    seg, rej = _clean(*texts)
    assert seg.schema == CLEAN_SEGMENTS.schema and rej.schema == pl.Schema(
        {"seq": pl.Int32, "rule": pl.String, "reason": pl.String, "content": pl.String})
    assert seg["text"].to_list() == [texts[i] for i in seg["seq"]]
    assert sorted(seg["seq"].to_list() + rej["seq"].to_list()) == [0, 1, 2, 3]


def test_empty_frame() -> None:
    seg, rej = clean_segments(segments_frame([]))
    assert seg.is_empty() and rej.is_empty() and seg.schema == CLEAN_SEGMENTS.schema


# ---------------------------------------------------------------- encoding


@pytest.mark.parametrize("raw, display", [
    ("Thank you for listening ‚ù§ Check", "Thank you for listening ❤ Check"),  # MacRoman-read UTF-8
    ("a cafÃ© in SÃ£o Paulo", "a café in São Paulo"),  # cp1252-read UTF-8
    ("they donâ€™t", "they don’t"),
    ("cafe\u0301", "café"),  # NFC
])
def test_encoding_repaired(raw: str, display: str) -> None:
    row = _one(raw)
    assert row["text_display"] == display and "encoding" in row["rules"]


@pytest.mark.parametrize("text", ["naïve café", "pâte à choux", "Dylan’s “quotes”", "热门主题 and more"])
def test_encoding_leaves_correct_text_alone(text: str) -> None:
    assert not pl.select(pl.lit(text).str.contains(tr.MOJIBAKE_HINT)).item()
    assert "encoding" not in _one(text)["rules"]


# ---------------------------------------------------------------- markup


@pytest.mark.parametrize("raw, display", [
    ("**[00:10]** He's a **quick** thinker", "He's a quick thinker"),
    ("an *italic* and __bold__ word", "an italic and bold word"),
    ("See [the site](https://example.com) now", "See the site now"),
    ("[[00:01:02](https://youtu.be/x?t=62)] so it goes", "so it goes"),
    ("word [00:01] (01:02:03) more", "word more"),
    ("<c.colorE5E5E5>so</c><00:00:01.500><c> we</c> went", "so we went"),
    ('<font color="#ffffff">hi</font> there <i>you</i>', "hi there you"),
    ("<v Roger>Hello there", "Hello there"),
    ("{\\an8}Top line", "Top line"),
    (">> Thanks for listening", "Thanks for listening"),
    ("- [00:00] a bullet", "a bullet"),
])
def test_markup_removed(raw: str, display: str) -> None:
    row = _one(raw)
    assert row["text_display"] == display and "markup" in row["rules"]


def test_markup_only_segment_rejected_by_markup() -> None:
    _check_reject(["hello", "**[00:10]**"], 1, "markup", "no words left after the markup rule")


# ---------------------------------------------------------------- events


@pytest.mark.parametrize("text", ["[Music]", "[Applause]", "[Laughter]", "(laughs)", "♪ la la la ♪", "[inaudible]",
                                  "[MUSIC PLAYING]", "[Music] [Applause]"])
def test_event_only_segment_is_an_event_with_its_label(text: str) -> None:
    row = _one(text)
    assert row["is_event"] and row["text_display"] == text and row["text_match"] == "" and "events" in row["rules"]


@pytest.mark.parametrize("raw, display", [
    ("so [Applause] we begin (laughs).", "so we begin."),
    ("[inaudible 00:12:03] and then", "and then"),
    ("we sang ♪ happy birthday ♪ loudly", "we sang loudly"),
])
def test_event_inside_speech_removed(raw: str, display: str) -> None:
    row = _one(raw)
    assert (row["text_display"], row["is_event"]) == (display, False) and "events" in row["rules"]


def test_parentheses_that_are_speech_stay() -> None:
    assert _one("(which is true) he laughs")["text_display"] == "(which is true) he laughs"


# ---------------------------------------------------------------- rolling captions


def test_rolling_caption_head_trimmed_and_repeat_rejected() -> None:
    texts = ["we went to the store", "to the store and bought milk", "to the store and bought milk", "and then left"]
    seg = _check_reject(texts, 2, "rolling_caption_repeat", "repeats the previous caption line",
                        rolling_captions=True)
    assert seg["text_display"].to_list() == ["we went to the store", "and bought milk", "and then left"]
    assert "rolling_caption" in seg["rules"][1]


def test_rolling_caption_suffix_line_rejected() -> None:
    _check_reject(["so we went to the store", "the store"], 1, "rolling_caption_repeat", "rolling captions",
                  rolling_captions=True)


@pytest.mark.parametrize("texts, speakers, opts", [
    (["Okay.", "Okay."], None, {}),  # not a caption format
    (["I went there", "went there and back"], None, {"rolling_captions": True}),  # two words: not clear
    (["we went to the store", "to the store"], ["A", "B"], {"rolling_captions": True}),  # another speaker
])
def test_rolling_captions_left_alone(texts: list[str], speakers: list[str] | None, opts: dict) -> None:
    seg, rej = _clean(*texts, speakers=speakers, **opts)
    assert seg["text_display"].to_list() == texts and rej.is_empty()


def _overlap_every_n(words: list[str] | None, prev: list[str] | None, max_n: int) -> int:
    """rolling_overlap's definition, word lists compared at every n (what the rule computed before)."""
    if words is None or prev is None:
        return 0
    best = max((n for n in range(1, max_n + 1) if n <= min(len(words), len(prev)) and prev[-n:] == words[:n]),
               default=0)
    whole = best == len(words)
    return best if best >= 3 or (whole and best >= 2) or (whole and words == prev) else 0


_LINE = st.lists(st.sampled_from(["a", "b", "c", ""]), min_size=0, max_size=9) | st.none()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LINE, _LINE), min_size=1, max_size=30), st.integers(1, 9))
def test_rolling_overlap_equals_the_every_n_comparison(lines: list, max_n: int) -> None:
    rows = pl.DataFrame({"w": [w for w, _ in lines], "pw": [p for _, p in lines]},
                        schema={"w": pl.List(pl.String), "pw": pl.List(pl.String)})
    got = tr.rolling_overlap(rows, "w", "pw", max_n)
    assert got.dtype == pl.Int32 and got.to_list() == [_overlap_every_n(w, p, max_n) for w, p in lines]


# ---------------------------------------------------------------- boilerplate and empties


def test_trailing_site_chrome_rejected() -> None:
    seg = _check_reject(["Thanks for having me.", "Subscribe", "热门主题"], 2, "site_chrome", "page furniture")
    assert seg["text_display"].to_list() == ["Thanks for having me.", "Subscribe"]


def test_non_latin_transcript_is_not_chrome() -> None:
    seg, rej = _clean("你好", "热门主题")
    assert seg.height == 2 and rej.is_empty()


def test_thanks_for_watching_is_speech() -> None:
    seg, rej = _clean("Great talk.", "Thanks for watching!", "Subscribe")
    assert seg.height == 3 and rej.is_empty()


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "...", "[ __ ]"])
def test_blank_segment_rejected_as_empty(text: str) -> None:
    _check_reject(["hello", text], 1, "empty", "no words")


def test_filler_only_segment_rejected_by_fillers() -> None:
    _check_reject(["hello", "Um..."], 1, "fillers", "no words left after the fillers rule")


# ---------------------------------------------------------------- sentence breaks


@pytest.mark.parametrize("raw, display", [
    ("I've seen you do a number of. Talks.", "I've seen you do a number of talks."),
    ("It was a very. Interesting thing.", "It was a very interesting thing."),
    ("world changing at the. Moment. Um", "world changing at the moment. Um"),
    ("So first thing I. Want to talk", "So first thing I want to talk"),
    ("I think it's. Like they get it", "I think it's like they get it"),
    ("they want to. Restructure the deal", "they want to restructure the deal"),
])
def test_sentence_breaks_repaired_inside_a_segment(raw: str, display: str) -> None:
    row = _one(raw, drop_fillers=False)
    assert row["text_display"] == display and "sentence_break" in row["rules"]


@pytest.mark.parametrize("text", [
    "I don't believe that. It works.",
    "They hate. Nvidia is big.",  # not a closed-class word
    "It was a very. Nvidia thing.",  # glossary proper noun
    "kind of the. GPU thing",  # acronym
    "he said the. I think so",  # the pronoun I
    "stuff they can't back out of. But it's fine",  # "of" before a sentence starter
    "what are you working on. The thing is",
    "which they are. I think",
])
def test_real_sentence_ends_and_protected_words_left_alone(text: str) -> None:
    row = _one(text)
    assert row["text_display"] == text and "sentence_break" not in row["rules"]


def test_sentence_break_across_segments_same_speaker_only() -> None:
    seg, _ = _clean("since that kind of.", "Released, but there was hype.", "and a very.", "Good point.",
                    speakers=["A", "A", "A", "B"])
    assert seg["text_display"].to_list() == ["since that kind of", "released, but there was hype.", "and a very.",
                                             "Good point."]
    assert [("sentence_break" in r) for r in seg["rules"]] == [True, True, False, False]


# ---------------------------------------------------------------- fillers


@pytest.mark.parametrize("raw, display", [
    ("Um, so uh we went", "so we went"),
    ("it really messed up um. Because", "it really messed up. Because"),
    ("So, uhm, erm, we hmm went", "So, we went"),
    ("I think, uh. Yes", "I think. Yes"),
])
def test_fillers_dropped_from_display(raw: str, display: str) -> None:
    row = _one(raw)
    assert row["text_display"] == display and "fillers" in row["rules"] and row["text"] == raw


@pytest.mark.parametrize("text", ["uh-huh, mm-hmm, mhm", "an umbrella and hummus", "Uhura and Erma", "Oh, ah, okay"])
def test_words_that_are_not_fillers_stay(text: str) -> None:
    assert _one(text)["text_display"] == text


def test_fillers_kept_when_disabled() -> None:
    assert _one("Um, so uh we went", drop_fillers=False)["text_display"] == "Um, so uh we went"


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("raw, display", [
    ("here you go Sacha Della and Open AAI", "here you go Satya Nadella and OpenAI"),
    ("here you go sacha della", "here you go Satya Nadella"),  # multi-word: any case
    ("with Nathan Lampert and Lampert again", "with Nathan Lambert and Lambert again"),  # '=' target
    ("Deepseek's model beat DeepSeq", "DeepSeek's model beat DeepSeek"),
    ("we use cloud 4 at work", "we use Claude 4 at work"),
])
def test_names_repaired_from_glossary(raw: str, display: str) -> None:
    row = _one(raw)
    assert row["text_display"] == display and "name_repair" in row["rules"]


@pytest.mark.parametrize("text", [
    "it is all in the cloud",  # unsafe: "cloud" alone is a word
    "lampert in lower case",  # one-word alias of a case-sensitive entity keeps its case
    "Satya said so",  # listed alias, not a safe one
    "DeepSeqs and OpenAIs",  # whole words only
])
def test_names_left_alone(text: str) -> None:
    assert _one(text)["text_display"] == text


def test_names_not_repaired_without_glossary_or_when_disabled() -> None:
    assert _clean("Open AAI", glossary=None)[0]["text_display"].item() == "Open AAI"
    assert _one("Open AAI", repair_names=False)["text_display"] == "Open AAI"


# ---------------------------------------------------------------- whitespace and matching text


def test_whitespace_collapsed_odd_spaces_and_invisibles() -> None:
    row = _one("  a\u00a0b\u2009c  d\x1ce\u200bf , g .  ")
    assert row["text_display"] == "a b c d ef, g." and "whitespace" in row["rules"]


@pytest.mark.parametrize("display, match", [
    ("Don’t  STOP—the “GPU” café!", "dont stopthe gpu café"),  # apostrophes and dashes removed, not split on
    ("GPT-4.5 and o3-mini", "gpt45 and o3mini"),
    ("Straße ΣΟΦΟΣ", "strasse σοφοσ"),  # case folding, not just lower-casing
    ("ＦＵＬＬ ｗｉｄｔｈ ﬁne", "full width fine"),  # NFKC
    ("[Music] ... --", "music"),
])
def test_match_text_normalised(display: str, match: str) -> None:
    assert pl.select(match_text_expr(pl.lit(display))).item() == match
    assert " ".join(t for t in map(match_token, display.split()) if t) == match


# ---------------------------------------------------------------- properties

WORDS = ["um", "Uh,", "uh-huh", "the.", "The", "Talks", "of.", "I", "I.", "Want", "very.", "and.", "And", "a",
         "[Music]", "(laughs)", "♪", "**", "*", "<i>", "</i>", "[00:01]", ">>", "-", "__", "[", "]", "(", ")",
         "Open", "AI", "AAI", "Deep", "Seek", "Lampert", "Nathan", "cloud", "4", "Sacha", "Della", "Nvidia",
         "cafÃ©", "‚ù§", "热门主题", ".", ",", "?", "x", "y", "z", "don't", "GPT-4.5", "ß", "Σ"]
SEPS = [" ", " ", " ", "", "\n", "\u00a0", "  ", ". "]
texts = st.one_of(
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPS)), max_size=12).map(
        lambda ws: "".join(w + s for w, s in ws)),
    st.text(max_size=30),
)
frames = st.lists(texts, min_size=1, max_size=6)
OPTIONS = st.builds(CleanOptions, st.booleans(), st.booleans(), st.booleans(), st.booleans())
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _invariant_holds(display: str, match: str) -> bool:
    return match == " ".join(t for t in (match_token(w) for w in display.split()) if t)


@PROPS
@given(st.text())
def test_match_token_agrees_with_match_text_expr(text: str) -> None:
    assert _invariant_holds(text, pl.select(match_text_expr(pl.lit(text, dtype=pl.String))).item())


@PROPS
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | texts.filter(str.isascii))
def test_match_text_without_unicode_steps_is_the_same_on_ascii(text: str) -> None:
    """with_text_match skips NFKC and the folds on ASCII rows: they cannot change such text."""
    both = pl.select(match_text_expr(pl.lit(text, dtype=pl.String)).alias("a"),
                     match_text_expr(pl.lit(text, dtype=pl.String), ascii_only=True).alias("b"))
    assert both["a"].item() == both["b"].item()


@PROPS
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", " ", "\t", "\n", "\u00a0", "\u2009", "\x1c", "\u3000"])))
def test_white_space_runs_collapse_as_every_run_does(text: str) -> None:
    """WS_RUN leaves single plain spaces alone; replacing its matches gives what replacing every run gives."""
    both = pl.select(pl.lit(text).str.replace_all(tr.WS + "+", " ").alias("a"),
                     pl.lit(text).str.replace_all(tr.WS_RUN, " ").alias("b"))
    assert both["a"].item() == both["b"].item()


@PROPS
@given(frames, OPTIONS)
def test_match_invariant_for_every_speech_row(texts: list[str], options: CleanOptions) -> None:
    seg, _ = clean_segments(_frame(texts), options=options, glossary=GLOSSARY)
    for row in seg.filter(~pl.col("is_event")).iter_rows(named=True):
        assert _invariant_holds(row["text_display"], row["text_match"]), row


@PROPS
@given(frames, OPTIONS)
@example(["cafÃ©Σ\xa0"], CleanOptions(False, False, False, False))  # ftfy repaired it only after the NBSP went
def test_cleaning_is_idempotent_on_display_text(texts: list[str], options: CleanOptions) -> None:
    seg, _ = clean_segments(_frame(texts), options=options, glossary=GLOSSARY)
    again, rej = clean_segments(_frame(seg["text_display"].to_list()), options=options, glossary=GLOSSARY)
    assert again["text_display"].to_list() == seg["text_display"].to_list() and rej.is_empty()


@PROPS
@given(frames, OPTIONS)
def test_cleaning_never_adds_words(texts: list[str], options: CleanOptions) -> None:
    seg, rej = clean_segments(_frame(texts), options=options, glossary=GLOSSARY)
    source = normalise_verbatim(_frame(texts))
    renamed = source.select(entities.repair_names_expr("text_display", entities.name_repairs(GLOSSARY)))
    allowed = {w for t in pl.concat([source.select("text_display"), renamed]).select(match_text_expr(
        "text_display")).to_series() for w in t.split()}  # name repair rewrites in place: "Lampert's" -> "Lambert's"
    allowed |= {match_token(w) for w in entities.canonical_words(GLOSSARY)}
    assert {w for t in seg["text_match"] for w in t.split()} <= allowed
    assert seg["text"].to_list() == [texts[i] for i in seg["seq"]]  # verbatim untouched
    assert sorted([*seg["seq"], *rej["seq"]]) == list(range(len(texts)))  # every removal has a reason


def _frame(texts: list[str]) -> pl.DataFrame:
    return segments_frame([{"start_s": None, "end_s": None, "speaker": None, "text": t, "line_start": i + 1,
                            "line_end": i + 1} for i, t in enumerate(texts)])
