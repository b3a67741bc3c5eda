"""Finding input files: `count_files` counts what `discover` finds, and stops at its limit; `discover_stats`
lists the same files with their stats."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.archive import count_files, discover, discover_stats


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


def test_discover_stats_lists_the_files_discover_finds_with_their_stats(tmp_path: Path) -> None:
    """The flow's listing: `discover`'s files in its order, as strings, each with (size, mtime_ns) as
    os.stat gives them (through a symlink to a file); None for a broken symlink, which is still listed
    (a run reports it as unreadable); a symlink to a folder is not walked into."""
    for rel, text in (("b.txt", "bb"), ("a/z.txt", "z"), ("a-b.txt", "abc"), (".hidden", "h"), ("a/.e", "e")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "link.txt").symlink_to(tmp_path / "a-b.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "folder-link").symlink_to(tmp_path / "a", target_is_directory=True)
    stats = discover_stats(tmp_path)
    assert list(stats) == [str(p) for p in discover(tmp_path)]
    assert [Path(p).relative_to(tmp_path).as_posix() for p in stats] == ["a/z.txt", "a-b.txt", "b.txt", "gone.txt",
                                                                        "link.txt"]
    for path, st in stats.items():
        if path.endswith("gone.txt"):
            assert st is None
        else:
            assert st == (os.stat(path).st_size, os.stat(path).st_mtime_ns)
    assert stats[str(tmp_path / "link.txt")][0] == 3  # the target's size
    assert discover_stats(tmp_path / "missing") == {}
