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


def words_of_files(segments: dict[str, pl.DataFrame], carry: tuple[str, ...] = (),
                   numbered: bool = False) -> pl.DataFrame:
    """`explode_words` of many files in one query: (file_id, seq, di, tok, pos), pos counted per file,
    and the `carry` columns of each word's segment. The rows come file by file, in the dict's order.
    `numbered`: instead of `pos` (a window over the files: a third of the cost), `code`, the token's
    number among all of them (0, 1, ...: equal tokens, equal numbers)."""
    cols = ("file_id", "seq", "di", "tok", "code" if numbered else "pos", *carry)
    if not segments:
        return pl.DataFrame(schema={"file_id": pl.String, "seq": pl.Int32, "di": pl.Int32, "tok": pl.String}) \
            .with_columns(pl.lit(None).alias(c) for c in cols[4:])
    frames = [seg.lazy().select("seq", "text_display", "is_event", *carry).with_columns(pl.lit(fid).alias("file_id"))
              for fid, seg in segments.items()]
    return _word_rows(pl.concat(frames), ["file_id"], carry).select(*cols).collect()


def matching_words(segments: dict[str, pl.DataFrame]) -> pl.LazyFrame:
    """(file_id, tok): the `tok` column of `words_of_files`, file by file and in order, read from each
    speech segment's `text_match` (its matching tokens joined by single spaces: transforms.clean)
    instead of normalising every display token again (half the cost; no di or pos)."""
    return (pl.concat([seg.lazy().filter(~pl.col("is_event"))
                       .select(pl.lit(fid, pl.String).alias("file_id"), pl.col("text_match").str.split(" ").alias("tok"))
                       for fid, seg in segments.items()])
            .explode("tok").filter(pl.col("tok") != ""))


def _word_rows(segments: pl.LazyFrame, by: list[str], carry: tuple[str, ...] = ()) -> pl.LazyFrame:
    disp = pl.col("text_display").str.split(" ")
    tokens = (
        segments
        .filter(~pl.col("is_event"))
        # di: each token's index in its segment, exploded with it (a window over the segments cost more)
        .select(*by, "seq", *carry, disp.alias("disp"), pl.int_ranges(0, disp.list.len(), dtype=pl.Int32).alias("di"))
        .explode("disp", "di")
    )
    # each distinct token normalised (and numbered) once: a batch's vocabulary is a few % of its tokens
    vocab = (tokens.select(pl.col("disp").unique()).with_columns(match_text_expr(pl.col("disp")).alias("tok"))
             .with_columns((pl.col("tok").rank("dense").cast(pl.Int64) - 1).alias("code")))
    return (
        tokens.join(vocab, on="disp", how="left", maintain_order="left")
        .filter(pl.col("tok") != "")
        .with_columns((pl.int_range(pl.len()).over(by) if by else pl.int_range(pl.len())).cast(pl.Int32).alias("pos"))
    )
