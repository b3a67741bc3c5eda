"""The per-file cache: one packed entry per staged file, read a frame at a time; a damaged entry is
staged again rather than failing the run."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests.conftest import SAMPLE
from transforms.clean import CleanOptions
from warehouse.layout import Layout, pack, read_packed
from warehouse.stage import stage_files

SOURCE = SAMPLE / "002_d30b93859025e2dd.txt"


def test_pack_reads_back_only_the_frames_asked_for(tmp_path: Path) -> None:
    frames = {"a": pl.DataFrame({"x": [1, 2], "l": [["p"], []]}),
              "b": pl.DataFrame({"h": [7]}, schema={"h": pl.UInt64})}
    path = tmp_path / "e.bin"
    path.write_bytes(pack(frames, {"status": "loaded", "n": 2}))
    info, some = read_packed(path, {"b"})
    assert info == {"status": "loaded", "n": 2} and list(some) == ["b"] and some["b"].equals(frames["b"])
    _, every = read_packed(path)
    assert all(every[k].equals(v) and every[k].schema == v.schema for k, v in frames.items())


def test_a_staged_file_is_one_entry_holding_its_segments_and_signatures(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "wh").ensure()
    (staged,) = stage_files([(SOURCE, "002.txt")], layout, CleanOptions(), None)
    entry = Path(staged.cache_path)
    assert entry.is_file() and entry.name == f"{staged.file_id}.bin"
    assert staged.cached("segments").height == staged.n_segments > 0
    assert staged.cached("sigs")["h"].to_list() == staged.sigs.to_list()


def test_a_damaged_entry_is_staged_again(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "wh").ensure()
    (first,) = stage_files([(SOURCE, "002.txt")], layout, CleanOptions(), None)
    entry = Path(first.cache_path)
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])  # cut short (a full disk, say)
    (again,) = stage_files([(SOURCE, "002.txt")], layout, CleanOptions(), None)
    assert again.status == "loaded" and entry.read_bytes() == whole
    assert again.version.segments.equals(first.version.segments)


def test_a_slice_is_packed_with_its_own_list_items_only(tmp_path: Path) -> None:
    """A sliced List(String) column is serialised with the string buffers of the whole frame it was
    cut from (pola-rs/polars#15246): pack writes only the slice's own items, and reads back equal."""
    whole = pl.DataFrame({"rules": [[f"rule_number_{i % 7}", "a_longer_rule_name"] if i % 5 else None
                                    for i in range(50_000)] + [[None, "x"], []],
                          "text": [f"segment text number {i}" for i in range(50_002)]})
    part = whole.slice(49_990)
    (tmp_path / "e.bin").write_bytes(pack({"part": part}))
    _, back = read_packed(tmp_path / "e.bin")
    assert back["part"].equals(part) and back["part"].schema == part.schema
    assert len(pack({"part": part})) < len(pack({"whole": whole})) / 100


def test_a_file_staged_in_a_batch_takes_no_more_cache_than_staged_alone(tmp_path: Path) -> None:
    """Cleaning works on a batch's files as one frame; each file's entry holds only its own rows
    (before, each of 30 files' entries held the rules text of all 30: polars keeps strings of
    over 12 bytes, such as "sentence_break", in buffers that slices share)."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = (SAMPLE / "000_9aa677d05b5fb973.txt").read_bytes()  # rules with names over 12 bytes
    for i in range(30):  # 30 different files: each its own cache entry
        (folder / f"v{i:02}.txt").write_bytes(text + f"\nversion {i}\n".encode())
    files = [(p, p.name) for p in sorted(folder.iterdir())]
    batch = stage_files(files, Layout(tmp_path / "batch").ensure(), CleanOptions(), None)
    (alone,) = stage_files(files[:1], Layout(tmp_path / "alone").ensure(), CleanOptions(), None)
    assert batch[0].version.segments.equals(alone.version.segments)
    assert Path(batch[0].cache_path).stat().st_size < 1.1 * Path(alone.cache_path).stat().st_size

