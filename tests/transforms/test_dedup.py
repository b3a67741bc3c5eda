"""Dedup stages over tiny frames: signatures -> candidate pairs -> decide -> group."""

from __future__ import annotations

import random

import polars as pl

from transforms import dedup


def _words(files: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame([{"file_id": f, "pos": i, "tok": t} for f, toks in files.items() for i, t in enumerate(toks)],
                        schema={"file_id": pl.String, "pos": pl.Int32, "tok": pl.String})


def _files(meta: dict[str, dict]) -> pl.DataFrame:
    return pl.DataFrame([{"file_id": f, "video_id": m.get("video_id"), "show": m.get("show"),
                          "episode_number": m.get("episode_number")} for f, m in meta.items()],
                        schema={"file_id": pl.String, "video_id": pl.String, "show": pl.String,
                                "episode_number": pl.Int32})


def _text(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randint(0, 20000)}" for _ in range(n)]


def _noisy(words: list[str], rate: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [w if rng.random() > rate else f"n{rng.randint(0, 99)}" for w in words]


def _links(files: dict[str, list[str]], meta: dict[str, dict] | None = None) -> pl.DataFrame:
    meta = meta or {f: {} for f in files}
    sigs = dedup.signatures(_words(files))
    fm = _files(meta)
    return dedup.decide(dedup.candidate_pairs(sigs), dedup.metadata_pairs(fm), fm)


def test_partial_noisy_version_joins_by_containment() -> None:
    full = _text(6000, 1)
    files = {"a": full, "b": _noisy(full[1000:2500], 0.08, 2)}
    links = _links(files)
    row = links.row(0, named=True)
    assert row["joined"] and row["signal"] == "content_containment" and row["containment"] > 0.3


def test_best_of_quoting_a_few_minutes_stays_apart() -> None:
    ep = _text(6000, 3)
    best_of = _text(4000, 4)[:2000] + ep[100:400] + _text(4000, 5)[:2000]
    links = _links({"ep": ep, "best": best_of})
    assert not links["joined"].any()


def test_same_sponsor_read_stays_apart() -> None:
    ad = _text(60, 6)
    links = _links({"e1": _text(3000, 7) + ad, "e2": ad + _text(3000, 8)})
    assert not links["joined"].any()


def test_video_id_joins_and_differing_ids_veto() -> None:
    body = _text(3000, 9)
    meta = {"a": {"video_id": "AAAAAAAAAAA"}, "b": {"video_id": "AAAAAAAAAAA"}, "c": {"video_id": "CCCCCCCCCCC"}}
    links = _links({"a": body, "b": _noisy(body, 0.3, 1), "c": body}, meta)
    by_pair = {(r["file_a"], r["file_b"]): r for r in links.to_dicts()}
    assert by_pair[("a", "b")]["joined"] and by_pair[("a", "b")]["signal"] == "video_id"
    assert not by_pair[("a", "c")]["joined"] and by_pair[("a", "c")]["signal"] == "veto:video_id_differs"


def test_consecutive_episode_numbers_veto() -> None:
    body = _text(3000, 10)
    meta = {"p1": {"show": "S", "episode_number": 1}, "p2": {"show": "S", "episode_number": 2}}
    links = _links({"p1": body[:2000], "p2": body[1000:]}, meta)
    assert links.row(0, named=True)["signal"] == "veto:episode_number_differs"


def _link_rows(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"file_a": pl.String, "file_b": pl.String, "joined": pl.Boolean,
                                      "signal": pl.String, "score": pl.Float64}, orient="row")


def test_group_is_connected_components() -> None:
    links = _link_rows([("a", "b", True, "video_id", 0.1), ("b", "c", True, "content_containment", 0.9),
                        ("d", "e", False, "below_threshold", 0.1)])
    groups, _ = dedup.group(["a", "b", "c", "d", "e"], links)
    assert groups == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e"}


def test_weak_link_never_bridges_two_groups() -> None:
    links = _link_rows([("a", "b", True, "video_id", 0.9), ("c", "d", True, "content_containment", 0.8),
                        ("b", "c", True, "content_containment", 0.38), ("d", "e", True, "content_containment", 0.4)])
    groups, decided = dedup.group(["a", "b", "c", "d", "e"], links)
    assert groups == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "c"}  # the lone file e still joins
    refused = decided.filter(pl.col("file_a") == "b").row(0, named=True)
    assert not refused["joined"] and refused["signal"] == "veto:weak_link_between_groups"


def test_weak_link_joins_a_lone_file_only_if_the_group_as_a_whole_contains_it() -> None:
    """Group containment = shared shingles of the lone file and the union of the group's members,
    over the smaller side; under the join threshold the weak link is vetoed."""
    sigs = {"a": range(0, 100), "b": range(100, 200),  # a group of two (video id), 200 shingles in all
            "c": [*range(50, 150), *range(1000, 1010)],  # 100 of its 110 in the group: joins
            "d": [*range(190, 200), *range(2000, 2090)]}  # 10 of its 100 in the group: vetoed
    sigs = {f: pl.Series("h", list(h), pl.UInt64) for f, h in sigs.items()}
    links = _link_rows([("a", "b", True, "video_id", 0.9), ("a", "c", True, "content_containment", 0.5),
                        ("b", "d", True, "content_containment", 0.45)])
    groups, decided = dedup.group(["a", "b", "c", "d"], links, sigs)
    assert groups == {"a": "a", "b": "a", "c": "a", "d": "d"}
    vetoed = decided.filter(pl.col("file_b") == "d").row(0, named=True)
    assert not vetoed["joined"] and vetoed["signal"] == "veto:not_contained_in_group"
    union = lambda *fs: set().union(*(set(sigs[f].to_list()) for f in fs))  # noqa: E731 - the definition
    shingles = dedup._ShingleSets(sigs)
    for lone, group in (("c", ["a", "b"]), ("d", ["a", "b", "c"])):
        want = len(union(lone) & union(*group)) / min(len(union(lone)), len(union(*group)))
        assert dedup._group_containment(shingles, [lone], group) == want


def test_exact_copies_point_to_first_path() -> None:
    files = pl.DataFrame({"path": ["z.txt", "a.txt", "m.txt"], "file_id": ["h1", "h1", "h2"]})
    out = dict(dedup.mark_exact_copies(files).select("path", "copy_of").iter_rows())
    assert out == {"z.txt": "a.txt", "a.txt": None, "m.txt": None}


def test_self_join_in_blocks_counts_equal_one_join(monkeypatch) -> None:
    rng = random.Random(5)
    spread = lambda x: x * 0x9E3779B97F4A7C15 % 2**64 & ~3  # noqa: E731 - like real sampled hashes
    rows = [(f, spread(rng.randrange(400))) for f in range(60) for _ in range(rng.randrange(20, 80))]
    rows += [(f, spread(1000 + k)) for k in range(8) for f in range(k, 60, 2)]  # boilerplate: in over MAX_DF files
    sigs = pl.DataFrame(rows, schema={"file_id": pl.UInt32, "h": pl.UInt64}, orient="row").unique()
    whole = dedup.candidate_pairs(sigs).sort("file_a", "file_b")
    monkeypatch.setattr(dedup, "ROWS_PER_PASS", 300)  # -> about 10 slices of hashes, blocks of files
    parted = dedup.candidate_pairs(sigs).sort("file_a", "file_b")
    assert whole.height > 50 and parted.equals(whole)
    one_pass = dedup.with_containment(  # one join: no slices of hashes, no blocks of files
        dedup.shared_counts(sigs).rename({"file_id": "file_a", "file_id_b": "file_b"}),
        sigs.group_by("file_id").agg(pl.len().alias("n"))).sort("file_a", "file_b")
    assert parted.equals(one_pass.select(parted.columns))


def test_ordered_signatures_equal_the_sorted_ones() -> None:
    """`ordered=True` reads shingles from the next rows; shuffling the rows and sorting gives the same."""
    files = {f"f{i}": _text(n, i) for i, n in enumerate([0, 1, 2, 3, 50, 400])}
    words = _words(files)
    ordered = dedup.signatures(words, ordered=True).sort("file_id", "h")
    assert ordered.height > 0 and ordered.equals(dedup.signatures(words.sample(fraction=1.0, shuffle=True, seed=3))
                                                 .sort("file_id", "h"))


def test_file_signatures_from_matching_text_equal_those_of_the_display_words() -> None:
    """Staging's signatures (from text_match) equal the signatures of words_of_files (each display token
    normalised), on real cleaned files: every fixture and seed."""
    from pathlib import Path

    from transforms.build import file_signatures
    from transforms.clean import clean_segments
    from transforms.parsers import TranscriptParseError, parse
    from transforms.words import words_of_files

    root = Path(__file__).parents[2]
    segments = {}
    for path in sorted([*(root / "tests" / "fixtures").glob("*/*"), *(root / "data" / "raw").iterdir()]):
        if path.is_file() and not path.name.endswith(".expected.json"):
            try:
                segments[path.name] = clean_segments(parse(path.read_bytes(), source=path.name).segments)[0]
            except TranscriptParseError:
                continue
    got = file_signatures(segments)
    want = dedup.signatures(words_of_files(segments).select("file_id", "pos", "tok"))
    want = {f: hs for f, hs in want.group_by("file_id").agg(pl.col("h").sort()).iter_rows()}
    assert len(got) > 20 and got.keys() == want.keys()
    assert all(got[f].to_list() == want[f] for f in got)
