"""Words: one query for many files gives each file's words; word times spread a segment's span."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.merge import Version, _words
from transforms.words import explode_words, words_of_files


def _segments(rows: list[tuple]) -> pl.DataFrame:
    """(seq, start_s, end_s, speaker, text_display, is_event) rows."""
    return pl.DataFrame(rows, schema={"seq": pl.Int32, "start_s": pl.Float64, "end_s": pl.Float64,
                                      "speaker": pl.String, "text_display": pl.String, "is_event": pl.Boolean},
                        orient="row")


A = _segments([(0, 0.0, 4.0, "Lex", "Hello there, old friend.", False),
               (1, 4.0, None, None, "[Music]", True),
               (2, 5.0, 2.0, "Dylan", "Clocks -- went back here", False),  # end before start: no span
               (3, None, None, "Dylan", "no times at all", False)])
B = _segments([(0, 1.0, 3.0, None, "Straße, ÉCOLE! ...", False),
               (1, 3.0, 6.0, None, "one two three", False)])


def test_many_files_in_one_query_equal_each_file_alone() -> None:
    both = words_of_files({"a": A, "b": B, "empty": A.head(0)})
    for fid, seg in (("a", A), ("b", B)):
        alone = explode_words(seg).select("seq", "di", "tok", "pos")
        assert both.filter(pl.col("file_id") == fid).drop("file_id").equals(alone)
    assert both.filter(pl.col("file_id") == "b")["tok"].to_list() == ["strasse", "école", "one", "two", "three"]
    assert both.filter(pl.col("file_id") == "empty").is_empty()
    assert words_of_files({}).columns == ["file_id", "seq", "di", "tok", "pos"]


def test_word_times_spread_each_segment_over_its_words() -> None:
    w = _words(Version("a", "x", "human", None, A))
    assert w.tok == ["hello", "there", "old", "friend", "clocks", "went", "back", "here", "no", "times", "at", "all"]
    assert w.seq == [0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 3, 3]
    assert w.di == [0, 1, 2, 3, 0, 2, 3, 4, 0, 1, 2, 3]  # "--" is a display token without a word
    assert w.speaker == ["Lex"] * 4 + ["Dylan"] * 8
    # 4 words over 0-4 s; the reversed span keeps only its start; no start, no time
    assert w.time[:4] == pytest.approx([0.0, 1.0, 2.0, 3.0]) and w.time[4:] == [5.0, None, None, None] + [None] * 4
