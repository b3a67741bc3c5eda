"""Bad inputs: each is parsed with a named warning or quarantined with a clear reason; the raw
bytes are archived either way; and the rest of a run still lands."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from tests.reliability.catalogue import CASES, NAMES, SRT, Case
from tests.reliability.checks import matches, outcome_of, stage_bytes
from transforms.clean import CleanOptions
from warehouse.archive import archive_path, discover, sha256
from warehouse.layout import Layout
from warehouse.stage import stage_file
from warehouse.tables import assemble

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw"


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) + len(NAMES) + 4 >= 40  # + symlink loop, unreadable, changing file, 200 MB file


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    raw = case.make()
    staged = stage_bytes(tmp_path, case.name, raw)
    assert matches(case.outcome, staged), f"{case.kind}: expected {case.outcome}, got {outcome_of(staged)}"
    assert (tmp_path / "wh" / archive_path(sha256(raw))).read_bytes() == raw  # nothing lost


@pytest.mark.parametrize("label", sorted(NAMES))
def test_hostile_file_names_load_and_keep_their_name(label: str, tmp_path: Path) -> None:
    staged = stage_bytes(tmp_path, NAMES[label], SRT.encode())
    assert staged.status == "loaded" and staged.path == NAMES[label]


def test_symlink_loop_is_quarantined_not_fatal(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    os.symlink(inbox / "b.txt", inbox / "a.txt")
    os.symlink(inbox / "a.txt", inbox / "b.txt")
    (inbox / "ok.srt").write_text(SRT)
    layout = Layout(tmp_path / "wh").ensure()
    results = {p.name: stage_file(p, p.name, layout, CleanOptions(), None) for p in discover(inbox)}
    assert results["ok.srt"].status == "loaded"
    assert results["a.txt"].status == "quarantined" and "cannot read" in results["a.txt"].reason


def test_unreadable_file_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, which ignores file permissions: the PermissionError is injected.
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "locked.srt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    staged = stage_bytes(tmp_path, "locked.srt", SRT.encode())
    assert staged.status == "quarantined" and "Permission denied" in staged.reason


def test_file_changing_while_read_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = Path.read_bytes, []

    def growing(self: Path) -> bytes:
        data = real(self)
        if self.name == "live.srt" and not calls:
            calls.append(1)
            with open(self, "ab") as fh:  # another process appends during our read
                fh.write(b"\n3\n00:00:07,000 --> 00:00:08,000\nLate line.\n")
        return data

    monkeypatch.setattr(Path, "read_bytes", growing)
    staged = stage_bytes(tmp_path, "live.srt", SRT.encode())
    assert staged.status == "loaded" and staged.version.segments.height == 3  # the settled bytes


def test_200_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    big = inbox / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to disk
    staged = stage_file(big, "huge.txt", Layout(tmp_path / "wh").ensure(), CleanOptions(), None)
    assert staged.status == "quarantined" and "over the" in staged.reason


def test_whole_catalogue_in_one_run_the_good_files_still_land(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for p in SAMPLE.iterdir():
        (inbox / p.name).write_bytes(p.read_bytes())
    for i, case in enumerate(CASES):
        if case.kind != "one 50 MB line":
            (inbox / f"bad_{i:02d}.txt").write_bytes(case.make())
    layout = Layout(tmp_path / "wh").ensure()
    staged = [stage_file(p, p.name, layout, CleanOptions(), None) for p in discover(inbox)]
    tables, _ = assemble(staged, {}, {}, None)
    files = tables["source_files"]
    assert files.height == len(CASES) - 1 + 5  # every input accounted for
    samples = files.filter(pl.col("path").str.contains(r"^\d{3}_"))
    assert samples["status"].to_list() == ["loaded"] * 5
    quarantined = files.filter(pl.col("status") == "quarantined")
    assert quarantined["reason"].null_count() == 0
    assert set(tables["rejects"].filter(pl.col("scope") == "file")["path"]) == set(quarantined["path"])
    sample_eps = tables["episode_versions"].join(files.select("file_id", "path"), on="file_id") \
        .filter(pl.col("path").str.contains(r"^\d{3}_"))["episode_id"].n_unique()
    assert sample_eps == 4  # bad neighbours never merge into the real episodes
