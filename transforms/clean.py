"""Cleaning: small, named, pure rules over one file's parsed segments.

The verbatim `text` is never touched. Each rule rewrites `text_display` and, where it changed a
segment, adds its name to that segment's `rules`; a segment removed entirely becomes a rejects row
naming the rule and the reason. `text_match` (for dedup and alignment) is derived last.

Order: invisible characters -> markup -> encoding -> whitespace -> events -> fillers -> whitespace
-> name_repair -> removals (empty, rolling captions, site chrome) -> sentence_break -> whitespace.
Names go before removals so that rolling-caption comparison sees repaired names, and before sentence
breaks so those see canonical proper nouns. Where one rule can uncover work for an earlier one, the
changed rows go round again, so cleaning display text a second time changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from transforms import entities
from transforms import text_rules as tr
from transforms.schemas import CLEAN_SEGMENTS

REJECT_SCHEMA = {"seq": pl.Int32, "rule": pl.String, "reason": pl.String, "content": pl.String}
FILE = "_f"  # which file of a batch a row belongs to: rules that look at neighbours stay inside one file
_REJECT_ROWS = {FILE: pl.Int32, **REJECT_SCHEMA}
TEXT = pl.col("text_display")
NON_ASCII = r"[^\x00-\x7f]"  # rows without such a character are unchanged by Unicode normalisation
TEXT_INIT = (pl.col("text").alias("text_display"), pl.lit(False).alias("is_event"),
             pl.lit([], dtype=pl.List(pl.String)).alias("rules"))


@dataclass(frozen=True)
class CleanOptions:
    drop_fillers: bool = True  # um/uh dropped from display text (kept in verbatim)
    repair_breaks: bool = True  # artificial sentence breaks repaired in display text
    repair_names: bool = True  # glossary aliases -> canonical names in display text
    rolling_captions: bool = False  # trim caption lines that repeat the previous one (caption formats)


# ---------------------------------------------------------------- matching text


def match_text_expr(col: str | pl.Expr, *, ascii_only: bool = False) -> pl.Expr:
    """Display text -> matching text: NFKC, case-folded, letters/marks/digits only, single spaces.

    Punctuation inside a token is removed, not split on: "don't" -> "dont", "GPT-4.5" -> "gpt45",
    "white-collar" -> "whitecollar", so one display token is at most one matching token.
    Case folding is lower-casing plus ß -> ss and ς -> σ (Python's casefold on Latin/Greek text).
    `ascii_only`: the same result for text that is all ASCII, without the Unicode steps that cannot
    change it (NFKC, most of the cost, and the two folds).
    """
    e = pl.col(col) if isinstance(col, str) else col
    if not ascii_only:
        e = e.str.normalize("NFKC")
    e = e.str.to_lowercase()
    if not ascii_only:
        e = e.str.replace_all("ß", "ss", literal=True).str.replace_all("ς", "σ", literal=True)
    return (e.str.replace_all(r"[^\p{L}\p{M}\p{N}\s\x{1c}-\x{1f}]+", "")
            .str.replace_all(tr.WS_RUN, " ").str.strip_chars())


def with_text_match(df: pl.DataFrame) -> pl.DataFrame:
    """`text_match` of every row ("" for events): match_text_expr of the display text, with its Unicode
    steps only on the rows that have a character outside ASCII."""
    df = df.with_row_index("_i").with_columns(
        pl.when("is_event").then(pl.lit("")).otherwise(match_text_expr(TEXT, ascii_only=True)).alias("text_match"))
    wide = df.filter(~pl.col("is_event") & TEXT.str.contains(NON_ASCII)).select("_i", match_text_expr(TEXT).alias("text_match"))
    return (df.update(wide, on="_i") if wide.height else df).drop("_i")


def match_token(token: str) -> str:
    """The same normalisation for one whitespace token (may return "")."""
    if token.isascii():  # identical to match_text_expr on ASCII, without a polars call
        return " ".join(w for w in ("".join(c for c in part if c.isalnum()) for part in token.lower().split()) if w)
    return _match_unicode(unicodedata.normalize("NFC", token))


@lru_cache(maxsize=65_536)
def _match_unicode(token: str) -> str:
    # polars itself, so Unicode tables and case mapping are exactly those of match_text_expr
    return pl.select(match_text_expr(pl.lit(token, dtype=pl.String))).item()


# ---------------------------------------------------------------- applying rules


def _apply(df: pl.DataFrame, name: str, new: pl.Expr) -> pl.DataFrame:
    """Set display text to `new`, recording `name` (once) on the segments it changed."""
    df = df.with_columns(new.alias("_new"))
    changed = (pl.col("_new") != TEXT).fill_null(False) & ~pl.col("rules").list.contains(name)
    return df.with_columns(
        pl.when(changed).then(pl.col("rules").list.concat(pl.lit([name]))).otherwise("rules").alias("rules"),
        pl.col("_new").alias("text_display"),
    ).drop("_new")


def _apply_where(df: pl.DataFrame, name: str, mask: pl.Expr,
                 new: pl.Expr | Callable[[pl.DataFrame], pl.Series]) -> pl.DataFrame:
    """`_apply` on the rows `mask` selects only: for costly rewrites that few rows need. `new` is an
    expression, or a function of those rows giving their new text (a rewrite that needs a frame of its own)."""
    df = df.with_row_index("_i")
    sub = df.filter(mask)
    if sub.is_empty():
        return df.drop("_i")
    sub = _apply(sub, name, new if isinstance(new, pl.Expr) else new(sub)).select("_i", "text_display", "rules")
    return df.update(sub, on="_i").drop("_i")


def _reject(df: pl.DataFrame, rule: pl.Expr, reason: pl.Expr) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off the rows where `rule` is not null: (kept, rejects rows with rule, reason, content)."""
    df = df.with_columns(rule.alias("_rule"), reason.alias("_reason"))
    gone = df.filter(pl.col("_rule").is_not_null()).select(
        FILE, "seq", pl.col("_rule").alias("rule"), pl.col("_reason").alias("reason"), pl.col("text").alias("content"))
    return df.filter(pl.col("_rule").is_null()).drop("_rule", "_reason"), gone.cast(_REJECT_ROWS)


# ---------------------------------------------------------------- display-text rules


def fix_encoding(df: pl.DataFrame) -> pl.DataFrame:
    """ftfy repairs mojibake ("Ã©" -> "é", "‚ù§" -> "❤") on rows a native test flags; Unicode NFC everywhere.

    What ftfy writes can be markup again (a repaired "â€¢" is a bullet), so repaired rows go back
    through markup, and the loop runs until nothing more is repaired: cleaning stays idempotent.
    """
    df = _apply_where(df, "encoding", TEXT.str.contains(NON_ASCII), TEXT.str.normalize("NFC"))  # ASCII is NFC
    # map_elements: ftfy is Python-only; the mask keeps it to the few rows that look like mojibake
    fixed = TEXT.map_elements(tr.fix_text, return_dtype=pl.String)
    for _ in range(4):
        df = df.with_columns(TEXT.alias("_before"))
        df = _apply_where(df, "encoding", TEXT.str.contains(tr.MOJIBAKE_HINT), fixed)
        changed = pl.col("_before") != TEXT
        if not df.select(changed.any()).item():
            break
        df = _apply_where(df, "whitespace", changed, TEXT.str.replace_all(tr.INVISIBLE, ""))
        df = strip_markup(df, changed)
        df = _apply_where(df, "encoding", changed, TEXT.str.normalize("NFC"))
    return df.drop("_before")


def strip_markup(df: pl.DataFrame, mask: pl.Expr | None = None) -> pl.DataFrame:
    """Markdown emphasis and links, inline timestamps, HTML/VTT/ASS tags, `>>` marks and bullets.

    Removing one mark can complete another ("<<i>i>"), so rows that still hold markup go round again.
    """
    e = TEXT
    for pattern, repl in tr.MARKUP:
        e = e.str.replace_all(pattern, repl)
    # rows with no markup at all are left alone: no rule of MARKUP could change them
    df = _apply_where(df, "markup", TEXT.str.contains(tr.ANY_MARKUP) if mask is None else mask, e)
    for _ in range(4):
        again = TEXT.str.contains(tr.ANY_MARKUP)
        if not df.select(again.any()).item():
            break
        df = _apply_where(df, "markup", again, e)
    return df


def remove_invisibles(df: pl.DataFrame) -> pl.DataFrame:
    """Control characters, zero-width spaces and soft hyphens out (before anything reads the text)."""
    return _apply_where(df, "whitespace", TEXT.str.contains(tr.INVISIBLE), TEXT.str.replace_all(tr.INVISIBLE, ""))


def flag_events(df: pl.DataFrame) -> pl.DataFrame:
    """A segment of only [Music]/(laughs)/♪-style events becomes an event, its label kept; inline events go."""
    has_event = TEXT.str.contains(tr.EVENT)
    only_events = has_event & ~TEXT.str.replace_all(tr.EVENT, " ").str.contains(r"[\p{L}\p{N}]")
    df = df.with_columns((pl.col("is_event") | only_events).alias("is_event"), only_events.alias("_new_event"))
    df = df.with_columns(pl.when("_new_event").then(pl.col("rules").list.concat(pl.lit(["events"])))
                         .otherwise("rules").alias("rules")).drop("_new_event")
    return _apply_where(df, "events", has_event & ~pl.col("is_event"), TEXT.str.replace_all(tr.EVENT, " "))


def drop_fillers(df: pl.DataFrame) -> pl.DataFrame:
    """um/uh/erm/hmm tokens out of the display text, keeping their sentence-final punctuation."""
    tokens = TEXT.str.split(" ").list.eval(pl.element().str.replace(tr.FILLER_TOKEN, "$1"))
    e = tokens.list.eval(pl.element().filter(pl.element() != "")).list.join(" ")
    e = e.str.replace(r"^[.!?…]+(?: |$)", "").str.replace_all(r"([,;:]) ([.!?…]+)( |$)", "$2$3")
    mask = TEXT.str.contains(tr.FILLER_HINT) & ~pl.col("is_event")
    return _apply_where(df, "fillers", mask, e)


def normalise_whitespace(df: pl.DataFrame) -> pl.DataFrame:
    """Odd spaces and invisible characters out, runs collapsed, no space before closing punctuation.

    Only rows the rewrite can change are rewritten (`tr.WS_HINT`: most rows are already clean).
    """
    e = (TEXT.str.replace_all(tr.INVISIBLE, "").str.replace_all(tr.WS_RUN, " ")
         .str.replace_all(tr.SPACED_PUNCT, "$1$2$3").str.strip_chars(" "))
    return _apply_where(df, "whitespace", TEXT.str.contains(tr.WS_HINT), e)


def repair_names(df: pl.DataFrame, glossary: pl.DataFrame) -> pl.DataFrame:
    """Safe glossary aliases -> canonical names, whole words only ("Sacha Della" -> "Satya Nadella")."""
    repairs = entities.name_repairs(glossary)
    if not repairs:
        return df
    mask = TEXT.str.contains(entities.any_alias_pattern(repairs)) & ~pl.col("is_event")
    return _apply_where(df, "name_repair", mask, entities.repair_names_expr(TEXT, repairs))


def repair_breaks(df: pl.DataFrame, glossary: pl.DataFrame | None = None) -> pl.DataFrame:
    """"a number of. Talks" -> "a number of talks", inside a segment and across a same-speaker boundary."""
    protected = entities.proper_words(glossary)
    df = df.with_columns(_breaks_across(df, protected).alias("_cut")).with_columns(
        pl.col("_cut").shift(1).over(FILE).fill_null(False).alias("_lower"))
    df = _apply_where(df, "sentence_break", TEXT.str.contains(tr.BREAK_HINT) & ~pl.col("is_event"),
                      lambda rows: _breaks_inside(rows, protected))
    df = _apply_where(df, "sentence_break", pl.col("_cut"), TEXT.str.strip_suffix("."))
    df = _apply_where(df, "sentence_break", pl.col("_lower"), tr.lower_first(TEXT))
    return df.drop("_cut", "_lower")


def _breaks_inside(rows: pl.DataFrame, protected: list[str]) -> pl.Series:
    """The rows' display text with the breaks inside them repaired. Their tokens are one flat column
    (neighbours by shift within the row), and a token is asked `tr.break_pair` only where it (as the
    word before a break) or its previous token ends in a period: the pair needs that, and most
    tokens do not. (A list expression evaluated row by row cost ~4x more.)"""
    t, prev, nxt = pl.col("_t"), pl.col("_prev"), pl.col("_next")
    toks = (rows.select(TEXT.str.split(" ").alias("_t")).with_row_index("_r").explode("_t").with_row_index("_k")
            .with_columns(t.shift(1).over("_r").alias("_prev"), t.shift(-1).over("_r").alias("_next")))
    cut = toks.filter(t.str.ends_with(".")).select("_k", tr.break_pair(t, nxt, protected).alias("_cut"))
    low = toks.filter(prev.str.ends_with(".")).select("_k", tr.break_pair(prev, t, protected).alias("_low"))
    kept = pl.when(pl.col("_cut").fill_null(False)).then(t.str.strip_suffix(".")).otherwise(t)
    return (toks.join(cut, on="_k", how="left", maintain_order="left").join(low, on="_k", how="left", maintain_order="left")
            .select("_r", pl.when(pl.col("_low").fill_null(False)).then(tr.lower_first(kept)).otherwise(kept).alias("_t"))
            .group_by("_r", maintain_order=True).agg(t.str.join(" "))["_t"])  # (every row has a token: in order)


def _breaks_across(df: pl.DataFrame, protected: list[str]) -> pl.Series:
    """Per segment: does its final period break a sentence that the next segment (same speaker) goes on with?"""
    nxt = TEXT.shift(-1).over(FILE)
    candidate = (TEXT.str.contains(tr.BREAK_END) & nxt.str.contains(r"^[A-Z][a-z]") & ~pl.col("is_event")
                 & ~pl.col("is_event").shift(-1).over(FILE)
                 & pl.col("speaker").eq_missing(pl.col("speaker").shift(-1).over(FILE)))
    df = df.with_row_index("_i").with_columns(nxt.alias("_next"))
    pair = tr.break_pair(TEXT.str.extract(r"(\S+)$"), pl.col("_next").str.extract(r"^(\S+)"), protected)
    cut = df.filter(candidate.fill_null(False)).select("_i", pair.alias("_cut"))
    return df.select("_i").join(cut, on="_i", how="left", maintain_order="left")["_cut"].fill_null(False)


# ---------------------------------------------------------------- removals


def reject_empty(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A speech segment with no letters or digits left goes, named after the rule that emptied it."""
    empty = ~pl.col("is_event") & ~TEXT.str.contains(r"[\p{L}\p{N}]")
    by = pl.col("rules").list.eval(pl.element().filter(pl.element() != "whitespace")).list.last()
    blank = ~pl.col("text").str.contains(r"[\p{L}\p{N}]") | by.is_null()
    rule = pl.when(empty & blank).then(pl.lit("empty")).when(empty).then(by)
    reason = pl.when(empty & blank).then(pl.lit(tr.REJECT_REASONS["empty"])).when(empty).then(
        pl.concat_str(pl.lit("no words left after the "), by, pl.lit(" rule")))
    return _reject(df, rule, reason)


def collapse_rolling(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rolling captions: trim the head a line repeats from the previous one; a line that is all repeat goes."""
    rejects = [pl.DataFrame(schema=_REJECT_ROWS)]
    max_n = min(24, int(df.select(TEXT.str.count_matches(" ").max()).item() or 0) + 1)
    same = (pl.col("speaker").eq_missing(pl.col("speaker").shift(1).over(FILE)) & ~pl.col("is_event")
            & ~pl.col("is_event").shift(1).over(FILE))
    for _ in range(8):  # trimming can expose a further repeat; a fixed point keeps cleaning idempotent
        df = df.with_columns(tr.rolling_words(TEXT).alias("_w")).with_columns(pl.col("_w").shift(1).over(FILE).alias("_pw"))
        candidate = (same & pl.col("_pw").list.contains(pl.col("_w").list.first())).fill_null(False)
        df = df.with_row_index("_i")
        found = df.filter(candidate).select("_i", "_w", "_pw")
        found = found.select("_i", tr.rolling_overlap(found, "_w", "_pw", max_n).alias("_n"))
        df = df.join(found.filter(pl.col("_n") > 0), on="_i", how="left", maintain_order="left").drop("_i", "_w", "_pw")
        if df["_n"].is_null().all():
            break
        trimmed = TEXT.str.split(" ").list.slice(pl.col("_n")).list.join(" ")
        df = _apply_where(df, "rolling_caption", pl.col("_n").is_not_null(), trimmed)
        df = strip_markup(df, pl.col("_n").is_not_null()).drop("_n")  # a trimmed line can start "- "
        gone = ~TEXT.str.contains(r"[\p{L}\p{N}]") & ~pl.col("is_event")
        df, gone = _reject(df, pl.when(gone).then(pl.lit("rolling_caption_repeat")),
                           pl.lit(tr.REJECT_REASONS["rolling_caption_repeat"]))
        rejects.append(gone)
    return df.drop("_n", strict=False), pl.concat(rejects)


def reject_site_chrome(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Short trailing lines with no Latin letters ("热门主题") at the end of a Latin-script transcript."""
    return _reject(df, pl.when(tr.trailing_chrome(TEXT, pl.col("is_event"), FILE)).then(pl.lit("site_chrome")),
                   pl.lit(tr.REJECT_REASONS["site_chrome"]))


# ---------------------------------------------------------------- the whole cleaning


def normalise_verbatim(segments: pl.DataFrame) -> pl.DataFrame:
    """The rules that only undo damage and remove non-words: invisible characters, markup, encoding, events.

    Display text never has a word that this text lacks, except canonical names (the property tests).
    """
    df = segments.with_columns(TEXT_INIT).pipe(remove_invisibles).pipe(strip_markup).pipe(fix_encoding)
    # ftfy can refuse text it repairs once odd spaces are normalised ("cafÃ©Σ" + NBSP): encoding once more
    return df.pipe(normalise_whitespace).pipe(fix_encoding).pipe(normalise_whitespace).pipe(flag_events)


def clean_segments(segments: pl.DataFrame, *, options: CleanOptions = CleanOptions(),
                   glossary: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """PARSED_SEGMENTS frame of one file -> (CLEAN_SEGMENTS frame, rejects: seq, rule, reason, content)."""
    return clean_many([segments], options=options, glossary=glossary)[0]


def clean_many(files: list[pl.DataFrame], *, options: CleanOptions = CleanOptions(),
               glossary: pl.DataFrame | None = None) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """`clean_segments` for many files in one pass: the same result per file, ~20x cheaper per file.

    Every rule is a polars expression, and most of their cost is fixed per call (regex compilation,
    the glossary pattern), so a batch of files is cleaned as one frame; neighbour rules run `.over(FILE)`.
    """
    if not files:
        return []
    frame = pl.concat([f.with_columns(pl.lit(i, pl.Int32).alias(FILE)) for i, f in enumerate(files)])
    seg, rej = _clean_frame(frame, options, glossary)
    segs = seg.partition_by(FILE, as_dict=True, include_key=False)
    rejs = rej.partition_by(FILE, as_dict=True, include_key=False)
    empty_seg, empty_rej = CLEAN_SEGMENTS.empty(), pl.DataFrame(schema=REJECT_SCHEMA)
    return [(CLEAN_SEGMENTS.conform(segs[(i,)]) if (i,) in segs else empty_seg,
             rejs[(i,)].sort("seq") if (i,) in rejs else empty_rej) for i in range(len(files))]


def _clean_frame(segments: pl.DataFrame, options: CleanOptions,
                 glossary: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = segments.pipe(normalise_verbatim)
    if options.drop_fillers:
        df = df.pipe(drop_fillers)
    # events and fillers can uncover a leading bullet ("um - so"): markup once more where they changed
    df = df.pipe(strip_markup, pl.col("rules").list.set_intersection(["events", "fillers"]).list.len() > 0)
    df = df.pipe(normalise_whitespace)
    if options.repair_names and glossary is not None:
        df = df.pipe(repair_names, glossary)
    df, rejects = reject_empty(df)
    if options.rolling_captions:
        df, rolled = collapse_rolling(df)
        rejects = pl.concat([rejects, rolled])
    df, chrome = reject_site_chrome(df)
    if options.repair_breaks:
        df = df.pipe(repair_breaks, glossary)
    return df.pipe(normalise_whitespace).pipe(with_text_match), pl.concat([rejects, chrome])

