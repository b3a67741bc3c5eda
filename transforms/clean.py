"""Cleaning: small, named, pure rules over one file's parsed segments.

The verbatim text is never touched. Each rule rewrites the display text and, where it changed a
segment, adds its name to that segment's `rules`; a segment removed entirely becomes a rejects row
naming the rule and the reason. `text_match` (for dedup and alignment) is derived last.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from transforms import text_rules as tr
from transforms.schemas import CLEAN_SEGMENTS

REJECT_SCHEMA = {"seq": pl.Int32, "rule": pl.String, "reason": pl.String, "content": pl.String}


@dataclass(frozen=True)
class CleanOptions:
    drop_fillers: bool = True  # um/uh dropped from display text (kept in verbatim)
    repair_breaks: bool = True  # artificial sentence breaks repaired in display text
    repair_names: bool = True  # glossary aliases -> canonical names in display text
    rolling_captions: bool = False  # collapse repeated caption lines (set for caption formats)


def match_text_expr(col: str | pl.Expr) -> pl.Expr:
    """Display text -> matching text: NFKC, lower case, letters and digits only, single spaces.

    Apostrophes and hyphens are removed, not split on ("don't" -> "dont", "white-collar" ->
    "whitecollar"), so one display token is always one matching token.
    """
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.normalize("NFKC").str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}\s]+", "")
        .str.replace_all(r"\s+", " ").str.strip_chars()
    )


def match_token(token: str) -> str:
    """The same normalisation for one whitespace token, in plain Python."""
    text = unicodedata.normalize("NFKC", token).lower()
    return "".join(ch for ch in text if ch.isalnum() or ch.isspace()).strip()


def _apply(df: pl.DataFrame, name: str, new: pl.Expr) -> pl.DataFrame:
    """Set display text to `new`, recording `name` on the segments it changed."""
    df = df.with_columns(new.alias("_new"))
    changed = (pl.col("_new") != pl.col("text_display")).fill_null(False)
    return df.with_columns(
        pl.when(changed).then(pl.col("rules").list.concat(pl.lit([name]))).otherwise(pl.col("rules")).alias("rules"),
        pl.col("_new").alias("text_display"),
    ).drop("_new")


def fix_encoding(df: pl.DataFrame) -> pl.DataFrame:
    """ftfy repairs mojibake, only on rows a cheap native test flags; then Unicode NFC."""
    # Python per row: ftfy has no native polars equivalent; only rows a native test flags go through it
    df = tr.map_rows(df, pl.col("text_display").str.contains(tr.MOJIBAKE_HINT), lambda r: tr.fix_text(r[1]),
                     "encoding")
    return _apply(df, "encoding", pl.col("text_display").str.normalize("NFC"))


def strip_markup(df: pl.DataFrame) -> pl.DataFrame:
    """Markdown emphasis and links, inline timestamps, HTML/VTT/ASS tags, `>>` and bullets."""
    e = pl.col("text_display")
    for pattern, repl in tr.MARKUP:
        e = e.str.replace_all(pattern, repl)
    return _apply(df, "markup", e)


def flag_events(df: pl.DataFrame) -> pl.DataFrame:
    """A segment that is only [Music]/(laughs)-style events becomes an event; inline events go."""
    without = pl.col("text_display").str.replace_all(tr.EVENT, " ").str.replace_all(r"\s+", " ").str.strip_chars()
    has_event = pl.col("text_display").str.contains(tr.EVENT)
    only_events = has_event & without.str.contains(r"[\p{L}\p{N}]").not_()
    df = df.with_columns((pl.col("is_event") | only_events).alias("is_event"))
    return _apply(df, "events", pl.when(has_event & ~pl.col("is_event")).then(without)
                  .otherwise(pl.col("text_display")))


def drop_fillers(df: pl.DataFrame) -> pl.DataFrame:
    """um/uh/erm/hmm out of the display text (the verbatim text keeps them)."""
    e = pl.col("text_display").str.replace_all(tr.FILLER, " ")
    e = e.str.replace_all(r"^\s*[,.]+\s*", "").str.replace_all(r"\s+([,.!?])", "$1")
    has = pl.col("text_display").str.contains(tr.FILLER) & ~pl.col("is_event")
    return _apply(df, "fillers", pl.when(has).then(e).otherwise(pl.col("text_display")))


def repair_breaks(df: pl.DataFrame) -> pl.DataFrame:
    """"a number of. Talks" -> "a number of talks": a period after a word that cannot end a sentence."""
    # Python per row: lower-casing only the captured word has no native replace; matching rows only
    df = tr.map_rows(df, pl.col("text_display").str.contains(tr.BREAK_HINT), lambda r: tr.repair_breaks_in(r[1]),
                     "sentence_break")
    return _repair_breaks_across(df)


def _repair_breaks_across(df: pl.DataFrame) -> pl.DataFrame:
    """A segment ending "...kind of." followed by one starting "Released" loses the period and the capital."""
    nxt = pl.col("text_display").shift(-1)
    starts_cap = nxt.str.contains(r"^[A-Z][a-z]+\b") & ~nxt.str.contains(tr.KEEP_CAPITAL_START)
    df = df.with_columns((pl.col("text_display").str.contains(tr.BREAK_END) & starts_cap).fill_null(False)
                         .alias("_cut"))
    df = _apply(df, "sentence_break", pl.when(pl.col("_cut")).then(pl.col("text_display").str.replace(r"\.$", ""))
                .otherwise(pl.col("text_display")))
    first = pl.col("text_display").str.extract(r"^(\S+)", 1)
    lowered = pl.concat_str([first.str.to_lowercase(), pl.col("text_display").str.replace(r"^\S+", "")])
    df = _apply(df, "sentence_break", pl.when(pl.col("_cut").shift(1).fill_null(False)).then(lowered)
                .otherwise(pl.col("text_display")))
    return df.drop("_cut")


def repair_names(df: pl.DataFrame, glossary: pl.DataFrame) -> pl.DataFrame:
    """Glossary aliases (the ones marked safe) -> canonical names, whole words only."""
    e = pl.col("text_display")
    for alias, canonical in tr.safe_aliases(glossary):
        e = e.str.replace_all(tr.word_pattern(alias), canonical.replace("$", "$$"))
    return _apply(df, "name_repair", e)


def collapse_whitespace(df: pl.DataFrame) -> pl.DataFrame:
    e = pl.col("text_display").str.replace_all(r"\s+", " ").str.replace_all(r" ([,.!?;:])", "$1").str.strip_chars()
    return _apply(df, "whitespace", e)


def clean_segments(segments: pl.DataFrame, *, options: CleanOptions = CleanOptions(),
                   glossary: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """PARSED_SEGMENTS of one file -> (CLEAN_SEGMENTS, rejects: seq, rule, reason, content)."""
    df = segments.with_columns(
        pl.col("text").alias("text_display"), pl.lit(False).alias("is_event"),
        pl.lit([], dtype=pl.List(pl.String)).alias("rules"),
    )
    df = df.pipe(fix_encoding).pipe(strip_markup).pipe(flag_events)
    if options.drop_fillers:
        df = df.pipe(drop_fillers)
    df = df.pipe(collapse_whitespace)
    df, rejects = _remove(df, options.rolling_captions)
    if options.repair_breaks:
        df = df.pipe(repair_breaks)
    if options.repair_names and glossary is not None:
        df = df.pipe(repair_names, glossary)
    df = df.pipe(collapse_whitespace).with_columns(
        pl.when(pl.col("is_event")).then(pl.lit("")).otherwise(match_text_expr("text_display")).alias("text_match"))
    return CLEAN_SEGMENTS.conform(df), rejects


def _remove(df: pl.DataFrame, rolling: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Segments that go entirely: empty, rolling-caption repeats, trailing site chrome."""
    df = tr.collapse_rolling(df) if rolling else df.with_columns(pl.lit(False).alias("_rolling_repeat"))
    reasons = (
        pl.when(pl.col("_rolling_repeat")).then(pl.lit("rolling_caption_repeat"))
        .when(~pl.col("is_event") & ~pl.col("text_display").str.contains(r"[\p{L}\p{N}]")).then(pl.lit("empty"))
        .when(tr.trailing_chrome(df)).then(pl.lit("site_chrome"))
    )
    df = df.with_columns(reasons.alias("_reject"))
    rejects = df.filter(pl.col("_reject").is_not_null()).select(
        "seq", pl.col("_reject").alias("rule"),
        pl.col("_reject").replace_strict(tr.REJECT_REASONS, return_dtype=pl.String).alias("reason"),
        pl.col("text").alias("content"),
    ).cast(REJECT_SCHEMA)
    kept = df.filter(pl.col("_reject").is_null()).drop("_reject", "_rolling_repeat")
    return kept, rejects
