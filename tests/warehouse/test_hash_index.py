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


def _mixed_corpus(seed: int = 8) -> tuple[dict[str, list[int]], dict[str, str]]:
    """`_corpus` plus compilations (passages of two episodes: weak links between groups, which grouping
    refuses), and each file's metadata as the staged-file index keeps it: a video id on some versions,
    a show with episode numbers on others (a different number vetoes a join)."""
    rng = random.Random(seed)
    hashes = _corpus(seed)
    episodes: dict[str, list[str]] = {}
    for f in sorted(hashes):
        episodes.setdefault(f[:2], []).append(f)
    names = sorted(episodes)
    for i in range(8):
        a, b = rng.sample(names, 2)
        parts = [h for f in (episodes[a][0], episodes[b][0]) for h in rng.sample(hashes[f], len(hashes[f]) // 3)]
        hashes[f"zz-best-of-{i}"] = sorted(set(parts + [rng.randrange(1, 10**8) for _ in range(30)]))
    metas = {}
    for f in sorted(hashes):
        roll = rng.random()
        metas[f] = ('{"video_id": "v%s"}' % f[:2] if roll < 0.3 and not f.startswith("zz")
                    else '{"show": "Show", "episode_number": %d}' % int(f[:2]) if roll < 0.45 and not f.startswith("zz")
                    else "{}")
    return hashes, metas


def test_regrouping_from_the_last_grouping_equals_a_full_grouping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """25 runs of random additions and removals: each run's grouping, decided again only for the
    components its changes reach (`transforms.build.regroup` with the hash index's `changed`), equals
    a grouping of everything: links, refusals, episodes, and the state kept for the next run."""
    from transforms.build import regroup
    hashes, metas = _mixed_corpus()
    every = sorted(hashes)
    sizes: list[int] = []
    real = dedup.group_refusals
    monkeypatch.setattr(dedup, "group_refusals", lambda ids, *a, **k: sizes.append(len(ids)) or real(ids, *a, **k))
    rng = random.Random(12)
    current = rng.sample(every, 45)
    prior: dict[str, str] = {}
    partial, refusals = 0, set()
    for step in range(25):
        index = HashIndex(Layout(tmp_path), "settings")
        pairs = index.candidate_pairs(_staged(hashes, current))
        sigs = {f: pl.Series("h", hashes[f], pl.UInt64) for f in current}
        now = {f: metas[f] for f in current}
        last = index.last_grouping()
        sizes.clear()
        got, kept = regroup(pairs, now, sigs, prior, last, index.changed)
        index.save_grouping(kept)
        partial += last is not None and sizes[0] < len(current)
        want, want_kept = regroup(pairs, now, sigs, prior)
        assert got.links.equals(want.links), f"step {step}"
        assert got.episode_of == want.episode_of, f"step {step}"
        for name in ("files", "decided", "links"):
            key = ["file_id"] if name == "files" else ["file_a", "file_b"]
            assert getattr(kept, name).sort(key).equals(getattr(want_kept, name).sort(key)), f"step {step}: {name}"
        refusals |= set(want.links.filter(pl.col("signal").str.starts_with("veto:weak")
                                          | pl.col("signal").str.starts_with("veto:not_contained"))["signal"])
        prior = got.episode_of
        out = set(rng.sample(current, rng.randint(0, 3)))
        add = rng.sample([f for f in every if f not in current], rng.randint(0 if out else 1, 3))
        current = [f for f in current if f not in out] + add
    assert partial >= 20, "the runs regrouped everything: the last grouping was not used"
    assert refusals, "no weak link was refused: the test lost its hard case"


def test_a_grouping_saved_apart_from_its_pairs_is_not_used(tmp_path: Path) -> None:
    """The grouping is tied to the pairs state it was decided on: if a run saved new pairs but not its
    grouping (a crash between the two), the next run groups in full."""
    from transforms.build import regroup
    hashes, metas = _mixed_corpus(9)
    ids = sorted(hashes)
    index = HashIndex(Layout(tmp_path), "s")
    pairs = index.candidate_pairs(_staged(hashes, ids[:30]))
    sigs = {f: pl.Series("h", hashes[f], pl.UInt64) for f in ids}
    index.save_grouping(regroup(pairs, {f: metas[f] for f in ids[:30]}, sigs)[1])
    HashIndex(Layout(tmp_path), "s").candidate_pairs(_staged(hashes, ids[:31]))  # its grouping never saved
    again = HashIndex(Layout(tmp_path), "s")
    pairs = again.candidate_pairs(_staged(hashes, ids[:32]))
    again.save_grouping(regroup(pairs, {f: metas[f] for f in ids[:32]}, sigs)[1])  # saved with its pairs
    fresh = HashIndex(Layout(tmp_path), "s")
    fresh.candidate_pairs(_staged(hashes, ids[:33]))
    assert fresh.last_grouping() is not None
