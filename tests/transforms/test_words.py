"""Words: one query for many files gives each file's words; word times spread a segment's span."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.merge import Version, words_of_versions
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


def _lists(w) -> tuple[list, ...]:
    """A version's words as plain lists: speaker names (None: none), times (None: none)."""
    names = [*w.names, None]
    return (w.seq.tolist(), w.di.tolist(), w.tok.to_list(), [names[c] for c in w.speaker.tolist()],
            [None if t != t else t for t in w.time.tolist()])


def test_word_times_spread_each_segment_over_its_words() -> None:
    seq, di, tok, speaker, time = _lists(words_of_versions([Version("a", "x", "human", None, A)])["a"])
    w = SimpleNamespace(seq=seq, di=di, tok=tok, speaker=speaker, time=time)
    assert w.tok == ["hello", "there", "old", "friend", "clocks", "went", "back", "here", "no", "times", "at", "all"]
    assert w.seq == [0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 3, 3]
    assert w.di == [0, 1, 2, 3, 0, 2, 3, 4, 0, 1, 2, 3]  # "--" is a display token without a word
    assert w.speaker == ["Lex"] * 4 + ["Dylan"] * 8
    # 4 words over 0-4 s; the reversed span keeps only its start; no start, no time
    assert w.time[:4] == pytest.approx([0.0, 1.0, 2.0, 3.0]) and w.time[4:] == [5.0, None, None, None] + [None] * 4


def test_many_versions_in_one_query_equal_each_version_alone() -> None:
    """Merging finds the words of a few episodes' versions at once: the same words, times and speakers."""
    shifted = A.with_columns(pl.col("start_s") + 100, pl.col("end_s") + 100, pl.col("speaker").str.to_uppercase())
    versions = [Version("a", "x", "human", None, A), Version("empty", "x", "human", None, A.head(0)),
                Version("b", "x", "human", None, B), Version("c", "x", "human", None, shifted)]
    together = words_of_versions(versions)
    assert list(together) == ["a", "empty", "b", "c"]
    for v in versions:
        assert _lists(together[v.file_id]) == _lists(words_of_versions([v])[v.file_id])
    assert together["empty"].tok.to_list() == [] and together["c"].time[:4].tolist() == pytest.approx([100.0, 101.0, 102.0, 103.0])
    assert _lists(together["c"])[3][:4] == ["LEX"] * 4 and words_of_versions([]) == {}
    # numbered together: the same token (speaker) has the same number in every version, another one another
    toks = [t for v in versions for t in together[v.file_id].tok.to_list()]
    codes = np.concatenate([together[v.file_id].code for v in versions]).tolist()
    assert len(set(toks)) == len(set(codes)) == len(set(zip(toks, codes))) > 5
    speakers = [s for v in versions for s in _lists(together[v.file_id])[3]]
    numbers = np.concatenate([together[v.file_id].speaker for v in versions]).tolist()
    assert len(set(speakers)) == len(set(numbers)) == len(set(zip(speakers, numbers))) == 5  # Lex Dylan LEX DYLAN None


def _reference_words(seg: pl.DataFrame) -> tuple[list, ...]:
    """words_of_versions' definition, one segment at a time in Python."""
    from transforms.clean import match_token
    out: tuple[list, ...] = ([], [], [], [], [])
    for seq, start, end, speaker, text, event in seg.iter_rows():
        if event:
            continue
        kept = [(di, t) for di, t in enumerate((match_token(x) for x in text.split(" "))) if t]
        for k, (di, tok) in enumerate(kept):
            spread = end is not None and start is not None and end >= start
            time = start if k == 0 else start + (end - start) * k / len(kept) if spread else None
            for col, value in zip(out, (seq, di, tok, speaker, time)):
                col.append(value)
    return out


_TEXT = st.lists(st.sampled_from(["a", "b", "--", "", "Straße", "x.", "[Music]"]), max_size=6).map(" ".join)
_ROW = st.tuples(st.none() | st.floats(0, 50), st.none() | st.floats(0, 50), st.none() | st.sampled_from(["A", "B"]),
                 _TEXT, st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_ROW, max_size=8), min_size=1, max_size=4))
def test_words_of_versions_equal_the_segment_by_segment_definition(files: list) -> None:
    """Many versions in one query (segment runs found along the rows) give each version's words as the
    definition gives them: k-th of n words of a segment at start + span * k / n."""
    segs = {f"f{i}": _segments([(seq, *row) for seq, row in enumerate(rows)]) for i, rows in enumerate(files)}
    got = words_of_versions([Version(fid, "x", "human", None, seg) for fid, seg in segs.items()])
    for fid, seg in segs.items():
        w = got[fid]
        assert _lists(w) == _reference_words(seg)
