"""Paths below a folder, as text: the same answers as pathlib's relative_to."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.layout import relative_path


@pytest.mark.parametrize(("path", "root"), [
    ("/data/in/a.srt", "/data/in"),
    ("/data/in/sub/dir/b.vtt", "/data/in"),
    ("in/a.srt", "in"),
    ("a.srt", "."),  # Path(".") / "a.srt" has no "./" in front: pathlib's answer is used
    ("/a.srt", "/"),
    ("/data/in2/a.srt", "/data/in2"),
])
def test_relative_path_is_pathlibs_answer(path: str, root: str) -> None:
    assert relative_path(Path(path), Path(root)) == str(Path(path).relative_to(root))
    assert relative_path(path, Path(root)) == str(Path(path).relative_to(root))


@pytest.mark.parametrize(("path", "root"), [("/data/in2/a.srt", "/data/in"), ("/data/a.srt", "/data/in")])
def test_a_path_outside_the_root_is_an_error_like_pathlibs(path: str, root: str) -> None:
    """A sibling folder whose name starts with the root's ("in2" beside "in") is not below it."""
    with pytest.raises(ValueError):
        relative_path(Path(path), Path(root))
