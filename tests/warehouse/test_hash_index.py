"""The persisted hash index groups incrementally and gets exactly what a full self-join gets."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest

from transforms import dedup
from warehouse import hash_index
from warehouse.hash_index import HashIndex
from warehouse.layout import Layout, pack
from warehouse.stage import Staged


def _corpus(seed: int = 5) -> dict[str, list[int]]:
    """Versions of episodes (shared hashes), plus 'stock phrase' hashes held by about MAX_DF files,
    so adding or removing a few files moves them across the boilerplate line both ways."""
    rng = random.Random(seed)
    stock = [10**9 + i for i in range(12)]
    out: dict[str, list[int]] = {}
    for ep in range(26):
        base = [rng.randrange(1, 10**8) for _ in range(300)]
        for v in range(rng.randint(1, 4)):
            own = rng.sample(base, rng.randint(40, 300)) + [rng.randrange(1, 10**8) for _ in range(40)]
            phrases = [h for h in stock if rng.random() < 0.65]
            out[f"{ep:02d}-{v}-{rng.random():.6f}"] = sorted(set(own + phrases))
    return out


def _staged(hashes: dict[str, list[int]], ids: list[str]) -> list[Staged]:
    return [Staged(f"{f}.txt", f, 1, "", status="loaded", sigs=pl.Series("h", hashes[f], pl.UInt64)) for f in ids]


def _reference(hashes: dict[str, list[int]], ids: list[str]) -> pl.DataFrame:
    pairs = dedup.candidate_pairs_of({f: pl.Series("h", hashes[f], pl.UInt64) for f in ids})
    return pairs.select("file_a", "file_b", "shared", "containment").sort("file_a", "file_b")


def test_incremental_grouping_equals_a_full_join(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = _corpus()
    every = sorted(hashes)
    full_counts = []
    monkeypatch.setattr(dedup, "counts_for", _spy(dedup.counts_for, full_counts))
    rng = random.Random(11)
    current = rng.sample(every, 30)
    modes = []
    for step in range(25):
        index = HashIndex(Layout(tmp_path), "settings")  # a fresh object each run, as in the flow
        got = index.candidate_pairs(_staged(hashes, current))
        modes.append(index.last_mode)
        want = _reference(hashes, current)
        assert got.select(want.columns).sort("file_a", "file_b").equals(want), f"step {step} ({index.last_mode})"
        out = set(rng.sample(current, rng.randint(0, 3)))
        add = rng.sample([f for f in every if f not in current], rng.randint(0 if out else 1, 3))
        current = [f for f in current if f not in out] + add
    assert modes[0] == "full" and modes.count("incremental") == len(modes) - 1
    assert full_counts, "no removal made a boilerplate hash informative again: the test lost its hard case"


def test_many_changes_group_in_full_and_stale_rules_are_ignored(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = _corpus(6)
    ids = sorted(hashes)
    index = HashIndex(Layout(tmp_path), "s")
    index.candidate_pairs(_staged(hashes, ids[:10]))
    index.candidate_pairs(_staged(hashes, ids[:40]))
    assert index.last_mode == "full"  # 30 new files on 10: cheaper to join in full
    monkeypatch.setattr(dedup, "MAX_DF", dedup.MAX_DF + 1)
    got = HashIndex(Layout(tmp_path), "s")
    pairs = got.candidate_pairs(_staged(hashes, ids[:41]))
    assert got.last_mode == "full"  # the saved pairs were counted under other rules
    assert pairs.select("file_a", "file_b", "shared", "containment").equals(_reference(hashes, ids[:41]))


def test_compaction_and_crash_leftovers_keep_the_index_exact(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = _corpus(7)
    ids = sorted(hashes)
    monkeypatch.setattr(hash_index, "COMPACT_PARTS", 3)
    index = HashIndex(Layout(tmp_path), "s")
    for i in range(0, 30, 5):
        index.add(_staged(hashes, ids[i:i + 5]))
    parts = index.parts
    (parts / "g0000-000000999.parquet").write_bytes(b"half a part")  # postings whose list never came
    index.compact()
    assert len(list(parts.glob("*.files.parquet"))) == 1
    stale = parts / "g0000-000000005.files.parquet"  # as if compaction died before deleting the old lists
    pl.DataFrame({"file_id": [ids[5]], "fid": [5], "n": [1]},
                 schema={"file_id": pl.String, "fid": pl.UInt32, "n": pl.UInt32}).write_parquet(stale)
    again = HashIndex(Layout(tmp_path), "s")
    assert again.files.height == 30 and again.files["file_id"].n_unique() == 30
    assert not stale.exists() and not (parts / "g0000-000000999.parquet").exists()
    pairs = again.candidate_pairs(_staged(hashes, ids[:30]))
    assert pairs.select("file_a", "file_b", "shared", "containment").equals(_reference(hashes, ids[:30]))


def _spy(fn, calls: list):
    def wrapped(*args, **kwargs):
        calls.append(args[0].height)
        return fn(*args, **kwargs)
    return wrapped


def _cached(tmp_path: Path, fid: str, hashes: list[int]) -> Staged:
    """A staged file whose signatures are only in its cache entry (as warehouse.stage writes it)."""
    entry = tmp_path / f"{fid}.bin"
    sigs = pl.Series("h", hashes, pl.UInt64).to_frame()
    entry.write_bytes(pack({"segments": pl.DataFrame({"seq": [0]}), "sigs": sigs}, {"status": "loaded"}))
    return Staged(fid, fid, 1, "", cache_path=str(entry))


def test_cached_signatures_read_like_those_in_memory(tmp_path: Path) -> None:
    """A file's hashes read from its cache entry equal the ones it had in memory; a file with no hashes
    reads as empty; the shingle sets a weak link asks for are built from them."""
    hashes = {"a": [5, 1, 9], "b": [], "c": [7, 7, 3, 2**63 + 1], "d": [4]}
    staged = [_cached(tmp_path, fid, hs) for fid, hs in hashes.items()]
    staged[-1].sigs = pl.Series("h", hashes["d"], pl.UInt64)  # d is still in memory
    sigs = HashIndex(Layout(tmp_path / "wh").ensure(), "k").sigs_of(staged)
    assert {f: sigs[f].to_list() for f in hashes} == hashes
    shingles = dedup._ShingleSets(sigs)
    assert shingles.hashes("c").tolist() == [3, 7, 2**63 + 1] and shingles.hashes("b").tolist() == []


def test_asking_for_signatures_reads_each_cached_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking whether a file has signatures does not read them; a file's cache entry is read once,
    when a containment check first needs its hashes."""
    staged = [_cached(tmp_path, fid, [1, 2, ord(fid)]) for fid in ("a", "b", "c")]
    sigs = HashIndex(Layout(tmp_path / "wh").ensure(), "k").sigs_of(staged)
    reads: list[str] = []
    real = hash_index._cached_sigs
    monkeypatch.setattr(hash_index, "_cached_sigs", lambda s: reads.append(s.file_id) or real(s))
    assert "a" in sigs and "z" not in sigs and reads == []
    shingles = dedup._ShingleSets(sigs)
    for _ in range(2):
        assert dedup._group_containment(shingles, ["a"], ["c"]) == 2 / 3
    assert sorted(reads) == ["a", "c"] and shingles.hashes("z").tolist() == []
