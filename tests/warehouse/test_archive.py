"""Finding input files: `count_files` counts what `discover` finds, and stops at its limit."""

from __future__ import annotations

from pathlib import Path

from warehouse.archive import count_files, discover


def test_count_files_agrees_with_discover_and_stops_at_its_limit(tmp_path: Path) -> None:
    for rel in ("a.txt", "b.srt", "sub/c.vtt", "sub/deeper/d.md", ".hidden", ".git/config", "sub/.e"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.srt", "sub/c.vtt", "sub/deeper/d.md"]
    assert count_files(tmp_path, 100) == len(found) == 4
    assert count_files(tmp_path, 2) == 2  # (tw run asks whether a folder has more than gx_process_files)
    assert count_files(tmp_path / "missing", 10) == 0


def test_discover_orders_by_path_parts_not_by_string(tmp_path: Path) -> None:
    # as strings "a-b.txt" < "a/z.txt" ('-' sorts before '/'); as paths the folder "a" comes first
    for rel in ("a-b.txt", "a/z.txt", "a/b/c.txt", "a.txt", "B.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = discover(tmp_path)
    assert found == sorted(found)  # the order Path's own comparison gives
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["B.txt", "a/b/c.txt", "a/z.txt", "a-b.txt", "a.txt"]
