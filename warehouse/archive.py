"""Content-addressed archive of raw input bytes: written before anything else looks at them."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

from warehouse.layout import Layout


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def archive_path(file_id: str) -> str:
    """Path of a file's bytes relative to the warehouse root."""
    return f"raw/{file_id[:2]}/{file_id}"


def archive(layout: Layout, raw: bytes) -> tuple[str, str]:
    """Store the bytes under their sha256 (atomically, once); return (file_id, relative path)."""
    file_id = sha256(raw)
    rel = archive_path(file_id)
    dest = layout.root / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(raw)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    return file_id, rel


def read_archived(layout: Layout, file_id: str) -> bytes:
    return (layout.root / archive_path(file_id)).read_bytes()


def discover(input_dir: Path) -> list[Path]:
    """Every regular file below the folder (hidden files and folders skipped, symlinks to folders not
    followed), sorted in Path order (as tuples of parts)."""
    return [Path(path) for path, _ in _sorted_files(input_dir, stat=False)]


def discover_stats(input_dir: Path) -> dict[str, tuple[int, int] | None]:
    """`discover`'s files as path strings (`input_dir` joined with the parts below it), in the same
    order, each with its (size, mtime_ns), or None if it cannot be stat-ed (a broken symlink): what
    tells a run which files changed. One pass over the folders: the directory entries give the paths
    and the stats, and no Path is made per file (at 10^4 files `discover`, then a stat per Path, took
    0.4 s; this 0.1 s)."""
    return dict(_sorted_files(input_dir, stat=True))


def count_files(input_dir: Path, limit: int) -> int:
    """How many files `discover` would find, counting no further than `limit`."""
    return sum(1 for _ in itertools.islice(_files(input_dir), limit))


def _sorted_files(input_dir: Path, stat: bool) -> list[tuple[str, tuple[int, int] | None]]:
    found = [(parts, entry.path, _stat(entry) if stat else None) for parts, entry in _files(input_dir)]
    found.sort(key=lambda item: item[0])
    return [(path, st) for _, path, st in found]


def _files(input_dir: Path) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """Each visible file below `input_dir` (in no set order): its path's parts below the folder, and
    its directory entry. As `os.walk` without following links: a folder that cannot be listed is
    skipped, a symlink to a folder is neither a file nor walked into, anything else is a file."""
    folders = [(str(input_dir), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = [e for e in listing if not e.name.startswith(".")]
        except OSError:
            continue
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if not is_folder:
                yield (*parts, entry.name), entry
            elif not entry.is_symlink():
                folders.append((entry.path, (*parts, entry.name)))


def _stat(entry: os.DirEntry) -> tuple[int, int] | None:
    try:
        st = entry.stat()  # (follows symlinks, as os.stat)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
