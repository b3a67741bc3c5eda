"""Publishing: Parquet -> DuckDB round trip, no-op reruns, atomic swap, one writer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.schemas import WAREHOUSE_TABLES
from warehouse import publish as pub
from warehouse.layout import Layout
from warehouse.lock import WarehouseBusy, writer_lock


def _tables(n_segments: int = 3) -> dict[str, pl.DataFrame]:
    """Every declared table, empty except a small episode with segments."""
    tables = {t.name: t.empty() for t in WAREHOUSE_TABLES}
    tables["episodes"] = pl.DataFrame([{"episode_id": "ep_1", "title": "T", "hosts": ["H"], "guests": [],
                                        "n_versions": 1, "n_segments": n_segments, "n_words": 3 * n_segments,
                                        "canonical_file_id": "f1", "published_date": datetime(2025, 1, 2).date()}],
                                      schema_overrides=tables["episodes"].schema).pipe(
        lambda df: pl.concat([tables["episodes"], df], how="diagonal_relaxed"))
    seg = pl.DataFrame({
        "episode_id": ["ep_1"] * n_segments, "seq": list(range(n_segments)),
        "start_s": [float(i) for i in range(n_segments)], "end_s": [i + 1.0 for i in range(n_segments)],
        "speaker": ["H"] * n_segments, "text": [f"hello number {i}" for i in range(n_segments)],
        "text_verbatim": [f"hello number {i}" for i in range(n_segments)], "n_words": [3] * n_segments,
        "is_teaser": [False] * n_segments, "is_event": [False] * n_segments, "text_file_id": ["f1"] * n_segments,
        "speaker_file_id": ["f1"] * n_segments, "time_file_id": ["f1"] * n_segments,
        "time_source": ["source"] * n_segments, "agreement": [None] * n_segments, "rules": [[]] * n_segments,
    })
    tables["segments"] = pl.concat([tables["segments"], seg], how="diagonal_relaxed").select(
        tables["segments"].columns).cast(tables["segments"].schema)
    return tables


def _run() -> dict:
    return {"run_id": "r", "started_at": datetime.now(UTC)}


def _read(layout: Layout, name: str) -> pl.DataFrame:
    con = duckdb.connect(str(layout.db), read_only=True)
    try:
        return con.sql(f"select * from {name}").pl()
    finally:
        con.close()


def test_round_trip_preserves_rows_and_types(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    tables = _tables()
    assert pub.publish(layout, tables, _run())
    for name, df in tables.items():
        # DuckDB names the UTC zone "Etc/UTC": the same instant type, normalised before comparing
        back = _read(layout, name).with_columns(pl.col(pl.Datetime("us", "Etc/UTC")).dt.convert_time_zone("UTC"))
        assert_frame_equal(back, df, check_dtypes=True)


def test_rerun_with_same_tables_is_a_no_op(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    assert pub.publish(layout, _tables(), _run())
    before = {n: pub.table_checksum(_read(layout, n)) for n in ("episodes", "segments")}
    assert not pub.publish(layout, _tables(), _run())
    assert before == {n: pub.table_checksum(_read(layout, n)) for n in ("episodes", "segments")}
    assert _read(layout, "runs").height == 2  # the run log records both runs


def test_crash_during_publish_leaves_previous_tables(tmp_path: Path, monkeypatch) -> None:
    layout = Layout(tmp_path).ensure()
    pub.publish(layout, _tables(3), _run())
    real = pub._load_tables

    def crash_halfway(con, snapshot, tables, *rest):
        real(con, snapshot, {k: v for k, v in tables.items() if k == "segments"}, *rest)
        raise KeyboardInterrupt("killed mid-publish")

    monkeypatch.setattr(pub, "_load_tables", crash_halfway)
    with pytest.raises(KeyboardInterrupt):
        pub.publish(layout, _tables(5), _run())
    assert _read(layout, "segments").height == 3
    assert pub.current_checksums(layout)["segments"] == pub.table_checksum(_tables(3)["segments"])


_prepare_pointer = pub._prepare_pointer


class _KilledBeforeRename:
    """Stands for CURRENT.json.tmp (written, as in a publish) when the process dies between DuckDB's
    commit and the rename."""

    def __init__(self, layout: Layout, sums: dict[str, str]) -> None:
        self.path = _prepare_pointer(layout, sums)

    def replace(self, target):
        raise KeyboardInterrupt("killed after the commit, before CURRENT.json was renamed")


def test_crash_between_commit_and_pointer_is_repaired(tmp_path: Path, monkeypatch) -> None:
    layout = Layout(tmp_path).ensure()
    pub.publish(layout, _tables(3), _run())
    old = pub.current_checksums(layout)
    with monkeypatch.context() as m:
        m.setattr(pub, "_prepare_pointer", _KilledBeforeRename)
        with pytest.raises(KeyboardInterrupt):
            pub.publish(layout, _tables(5), _run())
    assert _read(layout, "segments").height == 5  # committed in DuckDB ...
    assert pub.current_checksums(layout) == old  # ... while the pointer lags one publish behind
    # publishing the pointer's tables again is not "unchanged": DuckDB holds the other state
    assert pub.publish(layout, _tables(3), _run())
    assert _read(layout, "segments").height == 3
    assert pub.current_checksums(layout) == old


def test_recover_points_current_at_what_duckdb_holds(tmp_path: Path, monkeypatch) -> None:
    layout = Layout(tmp_path).ensure()
    assert not pub.recover(layout)  # no warehouse yet
    pub.publish(layout, _tables(3), _run())
    assert not pub.recover(layout)  # in step
    with monkeypatch.context() as m:
        m.setattr(pub, "_prepare_pointer", _KilledBeforeRename)
        with pytest.raises(KeyboardInterrupt):
            pub.publish(layout, _tables(5), _run())
    assert pub.recover(layout)
    assert pub.current_checksums(layout)["segments"] == pub.table_checksum(_read(layout, "segments"))
    assert pub.current_checksums(layout) == pub.checksums(_tables(5))
    assert not pub.publish(layout, _tables(5), _run())  # now truly unchanged
    assert not (layout.parquet / pub.POINTER_NEXT).exists()


def test_recover_opens_duckdb_only_after_a_publish_that_stopped(tmp_path: Path, monkeypatch) -> None:
    """Without CURRENT.json.tmp no publish stopped between its commit and the rename: `recover`
    answers without opening DuckDB. A publish that stopped before its commit leaves the file (and
    DuckDB rolled back): `recover` finds the two in step and removes it."""
    layout = Layout(tmp_path).ensure()
    pub.publish(layout, _tables(3), _run())
    with monkeypatch.context() as m:
        m.setattr(pub, "_connect_for_writing", lambda *a, **k: pytest.fail("DuckDB opened"))
        assert not pub.recover(layout)
    def killed(con, run):
        raise KeyboardInterrupt("killed before the commit")

    with monkeypatch.context() as m:
        m.setattr(pub, "_log_run", killed)
        with pytest.raises(KeyboardInterrupt):
            pub.publish(layout, _tables(5), _run())  # (the pointer's next content is written after _log_run)
    (layout.parquet / pub.POINTER_NEXT).write_text("{}")  # as if killed after writing it, before the commit
    assert _read(layout, "segments").height == 3  # rolled back
    assert not pub.recover(layout)
    assert not (layout.parquet / pub.POINTER_NEXT).exists()
    assert pub.current_checksums(layout) == pub.checksums(_tables(3))


def test_second_writer_fails_clearly(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    with writer_lock(layout):
        with pytest.raises(WarehouseBusy, match="being written by pid"):
            with writer_lock(layout, wait_s=0.3):
                pass
    with writer_lock(layout):  # released afterwards
        pass


def test_views_apply_on_published_tables(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    pub.publish(layout, _tables(), _run())
    summary = _read(layout, "episode_summary")
    assert summary["words"].to_list() == [9]


def _episodes(texts: dict[str, list[str]]) -> dict[str, pl.DataFrame]:
    """_tables() with these episodes' segments (episode id -> segment texts)."""
    base = _tables(1)
    seg, ep = base["segments"].head(1), base["episodes"].head(1)
    segments = [seg.with_columns(pl.lit(e).alias("episode_id"), pl.lit(i).cast(seg.schema["seq"]).alias("seq"),
                                 pl.lit(t).alias("text"))
                for e, ts in texts.items() for i, t in enumerate(ts)]
    base["segments"] = pl.concat(segments)
    base["episodes"] = pl.concat([ep.with_columns(pl.lit(e).alias("episode_id")) for e in texts])
    return base


def _keys(keys: dict[str, str]) -> dict[str, pl.DataFrame]:
    return {pub.EPISODE_KEYS: pl.DataFrame({"episode_id": list(keys), "key": list(keys.values())})}


def test_search_index_in_chunks_of_episodes_equals_one_pass(tmp_path: Path, monkeypatch) -> None:
    episodes = {f"e{i:02d}": [f"word{i} shared words here", "more Words, here"] for i in range(7)}
    one = Layout(tmp_path / "one").ensure()
    pub.publish(one, _episodes(episodes), _run())
    monkeypatch.setattr(pub, "SEARCH_CHUNK", 3)  # 7 episodes: chunks of 3, 3 and 1
    chunked = Layout(tmp_path / "chunked").ensure()
    pub.publish(chunked, _episodes(episodes), _run())
    for name in ("segment_terms", "segment_lengths"):
        assert_frame_equal(_read(chunked, name).sort(pl.all()), _read(one, name).sort(pl.all()))
    terms = _read(chunked, "segment_terms")
    assert set(terms["episode_id"]) == set(episodes) and terms["tf"].sum() == 7 * (4 + 3)


def test_search_index_counts_each_term_of_each_segment(tmp_path: Path) -> None:
    """Term frequencies and lengths as Python counts them with the same pattern; event rows and
    segments without a term have no rows."""
    import re
    from collections import Counter

    texts = {"e1": ["The GPU, the gpu and THE Gpu.", "Don't e-mail the U.S. team: 3.5 GPUs!", "... ?"],
             "e2": ["[applause]", "tokens tokens tokens"]}
    tables = _episodes(texts)
    tables["segments"] = tables["segments"].with_columns(
        (pl.col("text") == "[applause]").alias("is_event"))  # an event: not indexed
    layout = Layout(tmp_path).ensure()
    pub.publish(layout, tables, _run())
    want = [(e, i, term, n) for e, ts in texts.items() for i, t in enumerate(ts) if t != "[applause]"
            for term, n in Counter(re.findall(r"[a-z0-9]+(?:['.-][a-z0-9]+)*", t.lower())).items()]
    got = _read(layout, "segment_terms")
    assert sorted(got.iter_rows()) == sorted(want)
    assert ("e1", 0, "the", 3) in want and ("e1", 1, "u.s", 1) in want  # (the pattern's own words)
    lengths = {(e, i): n for e, i, n in _read(layout, "segment_lengths").iter_rows()}
    assert lengths == {("e1", 0): 7, ("e1", 1): 7, ("e2", 1): 3}


@pytest.mark.parametrize("chunk", [1000, 2])
def test_search_index_is_kept_up_to_date_for_changed_episodes_only(tmp_path: Path, monkeypatch,
                                                                   chunk: int) -> None:
    monkeypatch.setattr(pub, "SEARCH_CHUNK", chunk)
    layout = Layout(tmp_path / "a").ensure()
    same = {f"s{i:02d}": [f"unchanged episode {i}"] for i in range(12)}  # most episodes do not change
    first = {"e1": ["Export controls on GPUs", "the GPU market"], "e2": ["nothing to see"], "e3": ["old text"]} | same
    pub.publish(layout, _episodes(first), _run(), extras=_keys({e: f"k-{e}" for e in first}))
    refreshed: list[list[str]] = []
    real = pub.refresh_search
    monkeypatch.setattr(pub, "refresh_search", lambda con, keys: refreshed.append(real(con, keys)))
    # e1 kept, e2 rebuilt from other files (new key), e3 removed, e4 added
    second = {"e1": first["e1"], "e2": ["export of chips", "Controls"], "e4": ["brand new episode"]} | same
    pub.publish(layout, _episodes(second), _run(),
                extras=_keys({e: f"k-{e}" for e in second} | {"e2": "k-e2-rebuilt"}))
    assert refreshed == [["e2", "e3", "e4"]]  # the others are not recomputed
    fresh = Layout(tmp_path / "b").ensure()  # the same tables indexed from scratch, without keys
    pub.publish(fresh, _episodes(second), _run())
    for name in ("segment_terms", "segment_lengths"):
        got = _read(layout, name).sort(pl.all())
        want = _read(fresh, name).sort(pl.all())
        assert_frame_equal(got, want)
    assert set(_read(layout, "segment_terms")["episode_id"]) == {"e1", "e2", "e4"} | set(same)
    pub.publish(layout, _episodes(first), _run(), extras=_keys({e: f"new-{e}" for e in first}))
    assert refreshed[-1] == sorted(first)  # every key changed: rebuilt whole


def test_duckdb_gets_only_the_rows_of_episodes_whose_key_changed(tmp_path: Path, monkeypatch, caplog) -> None:
    layout = Layout(tmp_path / "a").ensure()
    same = {f"s{i:02d}": [f"unchanged episode {i}", "and its second segment"] for i in range(12)}
    first = {"e1": ["one", "two"], "e2": ["old text"]} | same
    pub.publish(layout, _episodes(first), _run(), extras=_keys({e: f"k-{e}" for e in first}))
    loaded: list[tuple[str, list[str]]] = []
    real = pub._load_rows

    def spy(con, snapshot, previous, name, column, values, rows):
        loaded.append((name, values))
        return real(con, snapshot, previous, name, column, values, rows)

    monkeypatch.setattr(pub, "_load_rows", spy)
    # e1 changed (a new key, a third segment), e2 removed, e3 added; the twelve others as they were
    second = {"e1": ["one", "two", "three"], "e3": ["brand new"]} | same
    assert pub.publish(layout, _episodes(second), _run(),
                       extras=_keys({e: f"k-{e}" for e in second} | {"e1": "k-e1-changed"}))
    assert ("segments", ["e1", "e2", "e3"]) in loaded and ("episodes", ["e1", "e2", "e3"]) in loaded
    assert "loaded whole" not in caplog.text  # by difference alone
    fresh = Layout(tmp_path / "b").ensure()  # the same tables loaded whole
    pub.publish(fresh, _episodes(second), _run())
    for name, key in (("segments", ["episode_id", "seq"]), ("episodes", ["episode_id"])):
        assert_frame_equal(_read(layout, name).sort(key), _read(fresh, name).sort(key))
    assert _read(layout, "segments").height == 3 + 1 + 12 * 2

    # keys that claim nothing changed while rows did: the row count disagrees, the table is reloaded whole
    third = second | {"s00": same["s00"] + ["a third segment under the same key"]}
    assert pub.publish(layout, _episodes(third), _run(),
                       extras=_keys({e: f"k-{e}" for e in second} | {"e1": "k-e1-changed"}))
    assert ("segments", []) in loaded and "segments: 28 rows after replacing the rows of 0 changed episode_id values, 29 expected" in caplog.text
    assert _read(layout, "segments").filter(pl.col("episode_id") == "s00").height == 3

    loaded.clear()  # every key changed: more than DIFF_SHARE, the changed tables are loaded whole
    assert pub.publish(layout, _episodes(first), _run(), extras=_keys({e: f"new-{e}" for e in first}))
    assert loaded == []
    assert_frame_equal(_read(layout, "segments").sort("episode_id", "seq"),
                       _episodes(first)["segments"].sort("episode_id", "seq"))


def _rejects(files: dict[str, list[str]]) -> pl.DataFrame:
    """Segment-level rejects: file id -> the contents removed from it."""
    return pl.DataFrame([{"file_id": f, "path": f"{f}.txt", "scope": "segment", "seq": i, "rule": "boilerplate",
                          "reason": "sponsor read", "content": text, "archive_path": f"raw/{f}"}
                         for f, texts in files.items() for i, text in enumerate(texts)],
                        schema=pub.TABLES["rejects"].schema)


def test_duckdb_gets_only_the_rows_of_files_whose_rows_changed(tmp_path: Path, monkeypatch, caplog) -> None:
    """A table of file rows (rejects: ~540k rows at 10^4 episodes) is not reloaded whole for one new file."""
    layout = Layout(tmp_path / "a").ensure()
    same = {f"s{i:02d}": [f"removed {i}", "and more"] for i in range(12)}
    first = _tables() | {"rejects": _rejects({"f1": ["a"], "f2": ["b", "c"]} | same)}
    pub.publish(layout, first, _run())
    loaded: list[tuple[str, str, list[str]]] = []
    real = pub._load_rows

    def spy(con, snapshot, previous, name, column, values, rows):
        loaded.append((name, column, values))
        return real(con, snapshot, previous, name, column, values, rows)

    monkeypatch.setattr(pub, "_load_rows", spy)
    # f1's rows changed (its path: a renamed file), f2 removed, f3 added; the twelve others as they were
    second = _tables() | {"rejects": _rejects({"f3": ["new"]} | same).vstack(
        _rejects({"f1": ["a"]}).with_columns(path=pl.lit("renamed.txt")))}
    assert pub.publish(layout, second, _run())
    assert loaded == [("rejects", "file_id", ["f1", "f2", "f3"])]
    assert "loaded whole" not in caplog.text
    key = ["file_id", "seq"]
    assert_frame_equal(_read(layout, "rejects").sort(key), second["rejects"].sort(key))

    loaded.clear()  # most files changed: more than DIFF_SHARE, the table is loaded whole
    third = _tables() | {"rejects": _rejects({f: ["other"] for f in same})}
    assert pub.publish(layout, third, _run())
    assert loaded == []
    assert_frame_equal(_read(layout, "rejects").sort(key), third["rejects"].sort(key))


def test_checksums_with_exclude_use_the_parts_known_sums(tmp_path: Path) -> None:
    """A parted table's checksum comes from its parts' known sums: a reused part is never read again.
    (Excluding a table by copying the dict once dropped the parts, and every run re-hashed the
    whole segments table of the corpus.)"""
    seg = _tables(4)["segments"]
    gone = tmp_path / "b01.parquet"  # a reused part whose sum is known: never opened
    parts = pub.Parts({0: seg.head(2).lazy(), 1: gone}, {1: "2:00000000000000ff"}, seg.schema)

    class Tables(dict):
        pass

    tables = Tables(segments=seg, validation_results=seg.head(0))
    tables.parts = {"segments": parts}
    sums = pub.checksums(tables, exclude=("validation_results",))
    assert set(sums) == {"segments"}
    assert sums["segments"] == pub.combine_checksums([pub.table_checksum(seg.head(2)), "2:00000000000000ff"])
    assert sums["segments"] != pub.table_checksum(seg)  # the frame itself was not hashed


def test_unchanged_table_is_linked_not_rewritten_or_reloaded(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    first = _tables(3)
    pub.publish(layout, first, _run())
    old = layout.parquet / pub.current_pointer(layout)["snapshot"]
    second = dict(first, segments=_tables(5)["segments"])  # only the segments change
    assert pub.publish(layout, second, _run())
    new = layout.parquet / pub.current_pointer(layout)["snapshot"]
    assert new != old
    assert (new / "episodes.parquet").stat().st_ino == (old / "episodes.parquet").stat().st_ino
    assert _read(layout, "segments").height == 5
    assert_frame_equal(_read(layout, "episodes"), first["episodes"])
    third = _tables(5)  # now the episodes row changes too (n_segments 3 -> 5): written and reloaded
    assert pub.publish(layout, third, _run())
    latest = layout.parquet / pub.current_pointer(layout)["snapshot"]
    assert (latest / "episodes.parquet").stat().st_ino != (new / "episodes.parquet").stat().st_ino
    assert _read(layout, "episodes")["n_segments"].to_list() == [5]
    assert pub.table_checksum(_read(layout, "episodes")) == pub.table_checksum(third["episodes"])


def test_prepared_publication_is_invisible_until_committed_and_aborts_clean(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    assert pub.publish(layout, _tables(3), _run())
    before = pub.current_pointer(layout)
    new = _tables(5)
    sums = pub.checksums(new)
    rest = {k: v for k, v in new.items() if k != "validation_results"}

    prepared = pub.Publication(layout).prepare(rest, sums)  # (the flow: while GX checks)
    assert prepared.open and (layout.parquet / ".snapshot.tmp" / "segments.parquet").exists()
    assert pub.current_pointer(layout) == before  # nothing published yet
    prepared.abort()  # validation failed: the run rebuilds
    assert not prepared.open and not (layout.parquet / ".snapshot.tmp").exists()
    assert pub.current_pointer(layout) == before
    assert _read(layout, "segments").height == 3

    prepared = pub.Publication(layout).prepare(rest, sums)
    assert prepared.commit(new, _run(), sums)  # only validation_results is left to load
    assert _read(layout, "segments").height == 5
    assert pub.current_checksums(layout) == sums
    assert not (layout.parquet / ".snapshot.tmp").exists()
    # the same as publishing in one step
    other = Layout(tmp_path / "other").ensure()
    pub.publish(other, _tables(3), _run())
    pub.publish(other, new, _run())
    assert pub.current_pointer(other)["snapshot"] == pub.current_pointer(layout)["snapshot"]
    for name in new:
        assert pub.table_checksum(_read(other, name)) == pub.table_checksum(_read(layout, name))


def test_prepared_then_unchanged_publishes_nothing(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    tables = _tables(3)
    sums = pub.checksums(tables)
    assert pub.publish(layout, tables, _run())
    prepared = pub.Publication(layout).prepare({"segments": tables["segments"]}, sums)
    assert not prepared.commit(tables, _run(), sums)
    assert not (layout.parquet / ".snapshot.tmp").exists()
    assert _read(layout, "runs").height == 2
