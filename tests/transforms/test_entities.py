"""Glossary mentions and name repair: table tests on tiny frames, and checks of config/glossary.csv itself."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from transforms import entities
from transforms.clean import CleanOptions, clean_segments, match_token
from transforms.parsers.base import segments_frame
from transforms.schemas import MENTIONS

GLOSSARY_CSV = Path(__file__).resolve().parents[2] / "config" / "glossary.csv"
REAL = pl.read_csv(GLOSSARY_CSV, infer_schema=False)
TYPES = {"company", "lab", "model", "chip", "person", "product", "policy", "place", "project", "concept",
         "technique"}

TINY = pl.DataFrame({
    "entity": ["DeepSeek", "DeepSeek R1", "Meta", "Scout", "export controls", "U.S."],
    "type": ["lab", "model", "company", "model", "policy", "place"],
    "aliases": ["Deep Seek|DeepSeq", "R1", "Facebook", "Llama Scout", "export control", "US"],
    "safe_aliases": ["Deep Seek|DeepSeq", "", "", "", "", ""],
    "case_sensitive": ["false", "true", "true", "true", "false", "true"],
})


def _mentions(*texts: str, glossary: pl.DataFrame = TINY) -> list[tuple]:
    segs = pl.DataFrame({"episode_id": "e1", "seq": list(range(len(texts))), "speaker": "A", "text": list(texts)},
                        schema_overrides={"seq": pl.Int32})
    out = entities.find_mentions(segs, glossary)
    assert out.schema == MENTIONS.schema
    return [(r["seq"], r["entity"], r["entity_type"], r["surface"], r["n"]) for r in out.iter_rows(named=True)]


# ---------------------------------------------------------------- mentions


@pytest.mark.parametrize("text, found", [
    ("DeepSeek and deepseek and Deep Seek", [("DeepSeek", "Deep Seek", 1), ("DeepSeek", "DeepSeek", 1),
                                             ("DeepSeek", "deepseek", 1)]),
    ("DeepSeek R1 beat R1", [("DeepSeek R1", "DeepSeek R1", 1), ("DeepSeek R1", "R1", 1)]),  # longest first
    ("Meta and Meta's team", [("Meta", "Meta", 1), ("Meta", "Meta's", 1)]),  # possessive as written
    ("meta-learning and Metadata", []),  # case-sensitive entity, whole words only
    ("scout it out, Scout", [("Scout", "Scout", 1)]),  # a capital at a sentence start still counts
    ("new Export Controls, more export control", [("export controls", "Export Controls", 1),
                                                   ("export controls", "export control", 1)]),
    ("the U.S. and US", [("U.S.", "U.S.", 1), ("U.S.", "US", 1)]),  # forms ending in punctuation
    ("Facebook, Facebook, Facebook", [("Meta", "Facebook", 3)]),
])
def test_mentions_found(text: str, found: list[tuple]) -> None:
    assert [(e, s, n) for _, e, _, s, n in _mentions(text)] == found


def test_mentions_carry_episode_seq_speaker_and_type() -> None:
    segs = pl.DataFrame({"episode_id": ["e1", "e2"], "seq": [3, 0], "speaker": ["Dylan Patel", None],
                         "text": ["DeepSeq is good", "nothing here"]}, schema_overrides={"seq": pl.Int32})
    out = entities.find_mentions(segs, TINY)
    assert out.to_dicts() == [{"episode_id": "e1", "seq": 3, "speaker": "Dylan Patel", "entity": "DeepSeek",
                               "entity_type": "lab", "surface": "DeepSeq", "n": 1}]


def test_no_segments_or_no_glossary_rows() -> None:
    assert _mentions() == []
    assert _mentions("DeepSeek", glossary=TINY.clear()) == []


def test_real_glossary_finds_seed_spellings() -> None:
    found = {(e, s) for _, e, _, s, _ in _mentions(
        "Sacha Della met Nathan Lampert, Rashka and Lex Freedman about Cloud 4 and Quen on H100s", glossary=REAL)}
    assert {("Satya Nadella", "Sacha Della"), ("Nathan Lambert", "Nathan Lampert"), ("Sebastian Raschka", "Rashka"),
            ("Lex Fridman", "Lex Freedman"), ("Claude 4", "Cloud 4"), ("Qwen", "Quen"), ("H100", "H100s")} <= found


# ---------------------------------------------------------------- name repair with the real glossary


@pytest.mark.parametrize("raw, display", [
    ("Who are you picking? Open AAI.", "Who are you picking? OpenAI."),
    ("what went wrong with GPT 4.5 and GPT4.5", "what went wrong with GPT-4.5 and GPT-4.5"),
    ("here you go Sacha Della", "here you go Satya Nadella"),
    ("over at semi analysis today", "over at SemiAnalysis today"),
    ("Dylan Patel and Nathan Lampert", "Dylan Patel and Nathan Lambert"),
    ("Sebastian Rashka and then Rashka said", "Sebastian Raschka and then Raschka said"),
    ("This is the Lex Freedman podcast, Lex Friedman", "This is the Lex Fridman podcast, Lex Fridman"),
    ("the Deep Seek moment, Deepseek R1 and DeepSeq V3", "the DeepSeek moment, DeepSeek R1 and DeepSeek V3"),
    ("launching Cloud 4 and Cloud 3.5", "launching Claude 4 and Claude 3.5"),
    ("LLM4 and Llama four and Lama 3", "Llama 4 and Llama 4 and Llama 3"),
    ("Enthropic and Anthropik", "Anthropic and Anthropic"),
    ("when Grock 3 came out I used Gro 4", "when Grok 3 came out I used Grok 4"),
    ("Quen models and Neatron", "Qwen models and Nemotron"),
    ("they have GPT-40 and chat GBT", "they have GPT-4o and ChatGPT"),
    ("obviously, Ilya Sestover", "obviously, Ilya Sutskever"),
    ("Javan's paradox is true", "Jevons paradox is true"),
])
def test_seed_misspellings_repaired(raw: str, display: str) -> None:
    seg, _ = clean_segments(segments_frame([{"start_s": None, "end_s": None, "speaker": None, "text": raw,
                                             "line_start": 1, "line_end": 1}]),
                            options=CleanOptions(drop_fillers=False, repair_breaks=False), glossary=REAL)
    assert seg["text_display"].item() == display


@pytest.mark.parametrize("text", ["it is in the cloud", "the deep sea", "a grok of it", "a Lama in Tibet",
                                  "Dylan said so", "open source AI", "the scout troop"])
def test_real_words_never_repaired(text: str) -> None:
    repairs = entities.name_repairs(REAL)
    assert pl.select(entities.repair_names_expr(pl.lit(text), repairs)).item() == text


# ---------------------------------------------------------------- the glossary file


def test_glossary_shape() -> None:
    assert REAL.columns[:4] == ["entity", "type", "aliases", "safe_aliases"]
    assert REAL.height >= 120 and REAL["entity"].is_unique().all()
    assert set(REAL["type"]) <= TYPES
    assert set(REAL["case_sensitive"]) <= {"true", "false"}


def test_every_safe_alias_is_an_alias() -> None:
    for row in REAL.iter_rows(named=True):
        aliases = set((row["aliases"] or "").split("|"))
        safe = {s.partition("=")[0] for s in (row["safe_aliases"] or "").split("|") if s}
        assert safe <= aliases, row["entity"]


def test_repair_never_chains_and_is_idempotent() -> None:
    """A canonical name is never rewritten, and a repaired alias is not rewritten again."""
    repairs = entities.name_repairs(REAL)
    names = REAL["entity"].to_list()
    once = pl.select(entities.repair_names_expr(pl.lit(pl.Series(names)), repairs)).to_series().to_list()
    assert once == names
    aliases = [a.partition("=")[0] for cell in REAL["safe_aliases"].drop_nulls() for a in cell.split("|")]
    fixed = pl.select(entities.repair_names_expr(pl.lit(pl.Series(aliases)), repairs)).to_series()
    assert pl.select(entities.repair_names_expr(pl.lit(fixed), repairs)).to_series().to_list() == fixed.to_list()
    assert all(match_token(a) != "" for a in aliases)


def test_proper_words_protect_capitalised_names_only() -> None:
    words = set(entities.proper_words(REAL))
    assert {"Nvidia", "Behemoth", "Maverick", "Lambert", "DeepSeek"} <= words
    assert not {"export", "controls", "the", ""} & words
