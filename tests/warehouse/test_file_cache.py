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
