"""Segments to words: the unit that dedup signatures, alignment and merging work on."""

from __future__ import annotations

import polars as pl

from transforms.clean import match_text_expr


def explode_words(segments: pl.DataFrame) -> pl.DataFrame:
    """(seq, text_display, is_event, ...) -> one row per matchable word, in order.

    Columns: seq, di (index of the display token within its segment), tok (matching form),
    pos (0-based word position within the file). Events and punctuation-only tokens have no words.
    """
    return _word_rows(segments.lazy(), []).select("seq", "di", "tok", "pos").collect()


def words_of_files(segments: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """`explode_words` of many files in one query: (file_id, seq, di, tok, pos), pos counted per file."""
    if not segments:
        return pl.DataFrame(schema={"file_id": pl.String, "seq": pl.Int32, "di": pl.Int32, "tok": pl.String,
                                    "pos": pl.Int32})
    frames = [seg.lazy().select("seq", "text_display", "is_event").with_columns(pl.lit(fid).alias("file_id"))
              for fid, seg in segments.items()]
    return _word_rows(pl.concat(frames), ["file_id"]).select("file_id", "seq", "di", "tok", "pos").collect()


def _word_rows(segments: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    tokens = (
        segments
        .filter(~pl.col("is_event"))
        .select(*by, "seq", pl.col("text_display").str.split(" ").alias("disp"))
        .explode("disp")
        .with_columns(pl.int_range(pl.len()).over(*by, "seq").cast(pl.Int32).alias("di"))
    )
    # each distinct token normalised once (a batch's vocabulary is a few % of its tokens)
    vocab = tokens.select(pl.col("disp").unique()).with_columns(match_text_expr(pl.col("disp")).alias("tok"))
    return (
        tokens.join(vocab, on="disp", how="left", maintain_order="left")
        .filter(pl.col("tok") != "")
        .with_columns((pl.int_range(pl.len()).over(by) if by else pl.int_range(pl.len())).cast(pl.Int32).alias("pos"))
    )
