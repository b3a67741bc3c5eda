"""Segments to words: the unit that dedup signatures, alignment and merging work on."""

from __future__ import annotations

import polars as pl

from transforms.clean import match_text_expr


def explode_words(segments: pl.DataFrame) -> pl.DataFrame:
    """(seq, text_display, is_event, ...) -> one row per matchable word, in order.

    Columns: seq, di (index of the display token within its segment), tok (matching form),
    pos (0-based word position within the file). Events and punctuation-only tokens have no words.
    """
    return (
        segments.lazy()
        .filter(~pl.col("is_event"))
        .select("seq", pl.col("text_display").str.split(" ").alias("disp"))
        .explode("disp")
        .with_columns(pl.int_range(pl.len()).over("seq").cast(pl.Int32).alias("di"))
        .with_columns(match_text_expr(pl.col("disp")).alias("tok"))
        .filter(pl.col("tok") != "")
        .select("seq", "di", "tok")
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int32))
        .collect()
    )
