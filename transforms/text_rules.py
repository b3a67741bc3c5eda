"""The patterns and word lists behind the cleaning rules (transforms/clean.py), kept in one place."""

from __future__ import annotations

import re

import ftfy
import polars as pl

# Characters that appear when UTF-8 was decoded as cp1252/MacRoman: only such rows go through ftfy.
MOJIBAKE_HINT = r"[ÃÂâ€œ™ð‚Äùû¿ï»]|\x{FFFD}"

MARKUP: list[tuple[str, str]] = [
    (r"\[\[\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\]\([^)\s]*\)\]", " "),  # [[00:01:02](url)] time links
    (r"\[([^\]\n]*)\]\((?:https?://|www\.)[^)\s]*\)", "$1"),  # [text](url) -> text
    (r"\*\*([^*\n]+)\*\*", "$1"),  # **bold**
    (r"__([^_\n]+)__", "$1"),  # __bold__
    (r"(^|\s)\*([^*\s][^*\n]*?)\*([\s.,!?;:]|$)", "$1$2$3"),  # *italic*
    (r"\*\*", ""),  # stray bold marks
    (r"\[\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]", " "),  # [00:01]
    (r"\(\d{1,2}:\d{2}(?::\d{2})?\)", " "),  # (01:02:03)
    (r"<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>", " "),  # <00:01:02.003> word timings
    (r"(?i)</?(?:c|v|i|b|u|s|font|span|ruby|rt|lang|br|p|em|strong)(?:[.\s][^>]*)?/?>", " "),  # tags
    (r"\{\\[^}]*\}", ""),  # {\an8} ASS overrides
    (r"&nbsp;", " "),
    (r"(^|\s)>>+", "$1"),  # >> speaker-change marks
    (r"^\s*[-–•]\s+", ""),  # leading bullet
]

EVENT = (
    r"(?i)\[\s*(?:music|applause|laughter|laughs|laughing|inaudible|crosstalk|silence|noise|cheering|"
    r"cheers|foreign|sound|background noise|static|sighs|coughs|no audio|blank_audio|music playing)\s*\]"
    r"|(?i)\(\s*(?:laughs|laughing|laughter|applause|music|inaudible|crosstalk|sighs|coughs|chuckles)\s*\)"
    r"|♪[^♪]*♪|♪+"
)
FILLER = r"(?i)\b(?:um+|uh+|umm+|uhh+|erm+|hmm+|mm+)\b[,]?"

# Words that (almost) never end an English sentence: a period after one is a chunking artefact.
NO_END_WORDS = "a an the of and or but nor than very my your our their its whose".split()
_NO_END = "|".join(NO_END_WORDS)
BREAK_HINT = rf"(?i)\b(?:{_NO_END})\. [A-Z][a-z]"
BREAK_END = rf"(?i)\b(?:{_NO_END})\.$"
_BREAK = re.compile(rf"\b({_NO_END})\. ([A-Z][a-z]+)\b", re.IGNORECASE)
# Capitalised words that keep their capital (pronoun I and common proper-noun starts).
KEEP_CAPITAL = {"I", "I'm", "I've", "I'll", "I'd"}
KEEP_CAPITAL_START = r"^(?:I|I'm|I've|I'll|I'd)\b"

REJECT_REASONS = {
    "empty": "no words left after cleaning",
    "rolling_caption_repeat": "repeats the previous caption line (rolling captions)",
    "site_chrome": "trailing page furniture in another script, not part of the conversation",
}


def map_rows(df: pl.DataFrame, mask: pl.Expr, fn, name: str) -> pl.DataFrame:
    """Apply a Python function to `text_display` of the masked rows only, recording `name`.

    A `when/then` around map_elements still calls it on every row; filtering first keeps the
    Python work to the few rows that need it.
    """
    df = df.with_row_index("_i")
    sub = df.filter(mask)
    if sub.is_empty():
        return df.drop("_i")
    first = "_prev" if "_prev" in sub.columns else "text_display"
    pairs = sub.select(pl.col(first).alias("_a"), pl.col("text_display").alias("_b")).iter_rows()
    new = pl.Series([fn(r) for r in pairs], dtype=pl.String)
    sub = sub.select("_i", "rules", "text_display").with_columns(new.alias("_new"))
    sub = sub.with_columns(
        pl.when(pl.col("_new") != pl.col("text_display")).then(pl.col("rules").list.concat(pl.lit([name])))
        .otherwise(pl.col("rules")).alias("rules"),
        pl.col("_new").alias("text_display"),
    ).drop("_new")
    return df.update(sub, on="_i").drop("_i")


def repair_breaks_in(text: str) -> str:
    """Join "of. Talks" -> "of talks" inside one segment (proper names are left capitalised)."""
    def fix(m: re.Match) -> str:
        word = m.group(2)
        return f"{m.group(1)} {word if word in KEEP_CAPITAL else word.lower()}"
    return _BREAK.sub(fix, text)


def word_pattern(alias: str) -> str:
    """Case-insensitive whole-word regex for an alias (Rust regex syntax)."""
    return rf"(?i)\b{re.escape(alias)}\b"


def safe_aliases(glossary: pl.DataFrame) -> list[tuple[str, str]]:
    """(alias, replacement) pairs allowed to rewrite display text, longest alias first.

    A safe alias is replaced by the entity name, or by the text after `=` ("Rashka=Raschka"), so a
    surname alone never grows into a full name.
    """
    pairs = []
    for entity, safe in glossary.select("entity", "safe_aliases").iter_rows():
        for item in (safe or "").split("|"):
            alias, _, target = item.partition("=")
            if alias.strip() and alias.strip() != (target.strip() or entity):
                pairs.append((alias.strip(), target.strip() or entity))
    return sorted(set(pairs), key=lambda p: (-len(p[0]), p[0]))


def collapse_rolling(df: pl.DataFrame) -> pl.DataFrame:
    """Rolling captions: drop a line that repeats the previous one, trim a repeated head."""
    prev = pl.col("text_display").shift(1)
    exact = (pl.col("text_display") == prev) & (pl.col("text_display") != "") & ~pl.col("is_event")
    head = pl.col("text_display").str.extract(r"^(\S+ \S+ \S+)", 1)
    candidate = head.is_not_null() & prev.str.contains(head, literal=True).fill_null(False) & ~exact
    df = df.with_columns(exact.fill_null(False).alias("_rolling_repeat"), candidate.fill_null(False).alias("_cand"),
                         prev.alias("_prev"))
    df = map_rows(df, pl.col("_cand"), lambda r: _trim_overlap(r[0], r[1]), "rolling_caption")
    emptied = pl.col("_cand") & (pl.col("text_display") == "")
    return df.with_columns((pl.col("_rolling_repeat") | emptied).alias("_rolling_repeat")).drop("_cand", "_prev")


def _trim_overlap(prev: str, cur: str) -> str:
    """Remove from `cur` the longest head (>= 3 words) that is also the tail of `prev`."""
    p, c = prev.split(), cur.split()
    for n in range(min(len(p), len(c)), 2, -1):
        if p[-n:] == c[:n]:
            return " ".join(c[n:])
    return cur


def trailing_chrome(df: pl.DataFrame) -> pl.Expr:
    """The last few rows after the final Latin-script row, in a mostly Latin-script transcript."""
    latin = pl.col("text_display").str.contains(r"[A-Za-z]")
    letters = pl.col("text_display").str.contains(r"\p{L}")
    after_last_latin = latin.reverse().cum_sum().reverse() == 0
    mostly_latin = latin.sum() > 0.5 * letters.sum()
    few = after_last_latin.sum() <= 3
    return after_last_latin & mostly_latin & few & letters & ~pl.col("is_event")


_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def fix_text(text: str) -> str:
    """ftfy (quotes left curly), then MacRoman-decoded UTF-8 runs such as "‚ù§" -> "❤" that ftfy misses."""
    text = ftfy.fix_text(text, uncurl_quotes=False)
    return _RUN.sub(_undo_macroman, text)


def _undo_macroman(m: re.Match) -> str:
    try:
        fixed = m.group(0).encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return m.group(0)
    return fixed if len(fixed) < len(m.group(0)) else m.group(0)
