"""The synthetic corpus generator: determinism, a complete truth, copies, hard negatives, formats and markers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from bench import synth
from bench.synth import Truth, generate
from bench.synth_episode import HARD_NEGATIVES, build_episode, plan_corpus
from bench.synth_render import _VARIANTS, FORMATS

SEED, N, MINUTES = 7, 200, (8.0, 14.0)  # short episodes keep the suite fast
_TS = r"\d{2}:\d{2}:\d{2}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    """A 200-episode corpus and its truth (saved next to the folder and read back)."""
    root = tmp_path_factory.mktemp("synth")
    generate(root / "corpus", N, seed=SEED, minutes=MINUTES, truth_path=root / "truth.json")
    return root / "corpus", Truth.load(root / "truth.json")


def _text(folder: Path, name: str) -> str:
    return (folder / name).read_bytes().decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _contains(words: list[str], run: list[str]) -> bool:
    """run occurs contiguously in words."""
    k = len(run)
    return any(words[i:i + k] == run for i in range(len(words) - k + 1) if words[i] == run[0])


# ---- determinism and the truth --------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_with_any_number_of_workers(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 30, seed=3, minutes=MINUTES)
    b = generate(tmp_path / "b", 30, seed=3, minutes=MINUTES, n_jobs=2)
    c = generate(tmp_path / "c", 30, seed=4, minutes=MINUTES)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert a == b
    assert not set(_snapshot(tmp_path / "a")) & set(_snapshot(tmp_path / "c"))
    assert a.files != c.files


def test_truth_covers_every_file_and_nothing_else(corpus: tuple[Path, Truth]) -> None:
    folder, truth = corpus
    on_disk = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert set(on_disk) == set(truth.files)
    assert not (folder / "truth.json").exists()
    for name, f in truth.files.items():
        assert f["bytes"] == on_disk[name]
        assert name in truth.episodes[f["episode"]]["files"]
    assert len(truth.episodes) == N
    assert sorted(n for e in truth.episodes.values() for n in e["files"]) == sorted(truth.files)
    assert truth.groups() == {k: e["files"] for k, e in truth.episodes.items()}


def test_file_names_reveal_neither_format_nor_episode(corpus: tuple[Path, Truth]) -> None:
    _, truth = corpus
    assert all(re.fullmatch(r"f[0-9a-f]{12}(\.(txt|vtt|srt|json|md|xml))?", n) for n in truth.files)
    exts = Counter(Path(n).suffix for n in truth.files)
    assert exts[".txt"] > len(truth.files) / 3 and exts[""] > 0
    wrong = [n for n, f in truth.files.items() if Path(n).suffix not in ("", ".txt")
             and Path(n).suffix != synth.render.EXTENSIONS[f["format"]]]
    assert wrong, "some files should carry a misleading extension"


def test_exact_copies_are_byte_identical_and_the_only_duplicates(corpus: tuple[Path, Truth]) -> None:
    folder, truth = corpus
    copies = truth.copies()
    assert 0.01 < len(copies) / len(truth.files) < 0.06
    for copy, original in copies.items():
        assert (folder / copy).read_bytes() == (folder / original).read_bytes()
        assert truth.episode_of(copy) == truth.episode_of(original)
    distinct = {(folder / n).read_bytes() for n in truth.files if n not in copies}
    assert len(distinct) == len(truth.files) - len(copies)


# ---- episode structure -----------------------------------------------------------------------------------------


def test_hard_negative_groups_are_present_and_well_formed(corpus: tuple[Path, Truth]) -> None:
    _, truth = corpus
    kinds = Counter(g["type"] for g in truth.hard_negatives)
    assert set(kinds) == set(HARD_NEGATIVES)
    for g in truth.hard_negatives:
        a, b = (truth.episodes[k] for k in g["episodes"])
        assert a["key"] != b["key"] and a["files"] and b["files"]
        assert g["id"] in a["hard_negatives"] and g["id"] in b["hard_negatives"]
        if g["type"] == "sponsor_read":
            assert a["show"] == b["show"] and a["sponsor_read"] and b["sponsor_read"]
        elif g["type"] == "part_series":
            assert a["show"] == b["show"] and a["guests"] == b["guests"] and b["number"] == a["number"] + 1
            assert a["title"].endswith(" Part 1") and b["title"] == a["title"][:-1] + "2"
        elif g["type"] == "best_of":
            assert b["quote"]["source"] == a["key"] and b["duration_s"] >= 1800
            assert 110 <= b["quote"]["source_end_s"] - b["quote"]["source_start_s"] <= 185
        else:
            assert set(a["guests"]) & set(b["guests"]) and a["show"] != b["show"]


def test_shared_passages_are_verbatim_in_the_clean_text() -> None:
    """Sponsor reads, best-of quotes and teasers reuse the exact words of their source."""
    plans, groups = plan_corpus(8, SEED, MINUTES, 0.06)
    eps = [build_episode(p, SEED, 1.0) for p in plans]
    words = [[w for t in ep.turns for w in t.words] for ep in eps]
    read = list(plans[0].show.sponsor_read)
    assert 50 <= len(read) <= 75 and _contains(words[0], read) and _contains(words[1], read)
    quote = eps[5].quote
    src = [w for t in eps[4].turns if quote["source_start_s"] <= t.start < quote["source_end_s"] for w in t.words]
    assert quote["source"] == plans[4].key and _contains(words[5], src[:40])
    assert not _contains(words[4], words[5][200:230])
    for ep, w in zip(eps, words):
        clips = [t for t in ep.turns if t.end <= ep.teaser["end_s"]]
        assert 2 <= len(clips) <= 4 and 12 <= ep.teaser["end_s"] <= 70
        for clip in clips:
            assert 8 <= len(clip.words) <= 25
            assert _contains(w[sum(len(t.words) for t in clips):], clip.words)


def test_teasers_partials_offsets_and_copies_have_plausible_rates(corpus: tuple[Path, Truth]) -> None:
    _, truth = corpus
    teasers = sum(e["teaser"] is not None for e in truth.episodes.values())
    assert 0.15 * N < teasers < 0.45 * N
    files = list(truth.files.values())
    partial = [f for f in files if f["truncated"]]
    assert partial and all(f["truncated"] in ("head", "tail") for f in partial)
    for f in partial:
        a, b = f["kept_range_s"]
        share = (b - a) / truth.episodes[f["episode"]]["duration_s"]
        assert 0.29 <= share <= 0.61
    shifted = [f["offset_s"] for f in files if f["offset_s"] and not f["truncated"]]
    assert shifted and all(5 <= s <= 40 for s in shifted)
    assert all(f["offset_s"] == 0 for f in files if not f["timestamps"])
    per_episode = Counter(f["episode"] for f in files if not f["copy_of"])
    assert set(per_episode.values()) <= {1, 2, 3, 4} and len(per_episode) == N
    assert all(f["video_id"] == truth.episodes[f["episode"]]["video_id"] for f in files)


def test_reuploads_give_some_versions_their_own_video_id(tmp_path: Path) -> None:
    truth = generate(tmp_path / "c", 20, seed=1, minutes=MINUTES, reupload_p=0.5)
    own = [f for f in truth.files.values() if f["video_id"] != truth.episodes[f["episode"]]["video_id"]]
    assert own and all(re.fullmatch(r"[\w-]{11}", f["video_id"]) for f in own)


# ---- formats ----------------------------------------------------------------------------------------------------


def test_every_format_and_variant_appears(corpus: tuple[Path, Truth]) -> None:
    _, truth = corpus
    seen = {(f["format"], f["variant"], f["kind"]) for f in truth.files.values()}
    assert {fmt for fmt, _, _ in seen} == set(FORMATS)
    assert seen == {(fmt, v, k) for fmt, vs in _VARIANTS.items() for v, k, _, _ in vs}
    assert {f["speakers"] for f in truth.files.values()} == {"names", "diarized", "anonymous", "none"}


def _check_cleaned_markdown(text: str, f: dict) -> None:
    assert text.startswith("# ") and f"**Video ID:** {f['video_id']}" in text
    assert "## Executive Summary" in text and "## Main Conversation" in text
    assert len(re.findall(r"(?m)^\*\*\[\d{2,3}:\d{2}\]\*\* [A-Z]", text)) >= 3


def _check_chaptered(text: str, f: dict) -> None:
    assert "\nTranscript\n" in text and re.search(rf"(?m)^\({_TS}\)$", text)
    assert len(re.findall(r"(?m)^\((\d:)?\d{2}:\d{2}\) [^:()\n]+:\n \n\S", text)) >= 3


def _check_youtube_markdown(text: str, f: dict) -> None:
    assert text.startswith("---\n") and f'video_id: "{f["video_id"]}"' in text and "## Text" in text
    lines = [t for t in re.findall(r"(?m)^- \[\d{2,3}:\d{2}\] (.+)$", text) if t != "[Music]"]
    assert len(lines) > 20 and all(t == t.lower() and not re.search(r"[.,?!]", t) for t in lines)


def _check_whisper_markdown(text: str, f: dict) -> None:
    assert text.startswith("---\n") and "*OUTLINE:*" in text and re.search(r"(?m)^# .+ \| .+ #\d+$", text)
    url = rf"https://www\.youtube\.com/watch\?v={re.escape(f['video_id'])}&t=[\d.]+s"
    assert len(re.findall(rf"(?m)^\*  \S.* \[\[{_TS}\]\({url}\)\]$", text)) > 20


def _check_raw_captions(text: str, f: dict) -> None:
    lines = text.split("\n")
    assert lines[0] == "Transcript" and lines[1].startswith(f"{f['video_id']} \u2022 ")
    assert lines[3:5] == ["Kind: captions", "Language: en"] and ">> " in text
    assert max(len(ln) for ln in lines[5:]) <= 60 and not re.search(r"\d:\d\d", "\n".join(lines[5:]))


def _check_webvtt(text: str, f: dict) -> None:
    clock = r"(\d{2}:)?\d{2}:\d{2}\.\d{3}"
    assert text.startswith("WEBVTT") and re.search(rf"(?m)^{clock} --> {clock}", text)
    if f["variant"] == "rolling":
        assert re.search(r"<\d{2}:\d{2}:\d{2}\.\d{3}><c> \S+</c>", text) and "align:start position:0%" in text
    if f["variant"] == "voice":
        assert re.search(r"(?m)^<v [^>]+>\S", text)


def _check_srt(text: str, f: dict) -> None:
    assert re.match(r"1\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\n\S", text)


def _check_whisper_json(text: str, f: dict) -> None:
    doc = json.loads(text)
    assert list(doc) == ["text", "segments", "language"] and doc["language"] == "en"
    assert all({"id", "start", "end", "text"} <= set(s) and s["end"] >= s["start"] for s in doc["segments"])


def _check_youtube_xml(text: str, f: dict) -> None:
    root = ET.fromstring(text)
    nodes = list(root.iter("text" if root.tag == "transcript" else "p"))
    assert root.tag in ("transcript", "timedtext") and len(nodes) > 20
    assert all(n.get("start" if root.tag == "transcript" else "t") is not None for n in nodes)


def _check_youtube_json3(text: str, f: dict) -> None:
    events = json.loads(text)["events"]
    words = [s for e in events for s in e.get("segs", [])]
    assert all("tStartMs" in e for e in events) and any("tOffsetMs" in s for s in words)


def _check_speaker_text(text: str, f: dict) -> None:
    name = r"(?:[A-Z][\w'-]* [A-Z][\w'-]*|SPEAKER_\d\d)"
    shape = {"name_time": rf"{name}: {_TS}: \S", "md_bold": rf"\*\*\[\d{{2,3}}:\d{{2}}\] {name}:\*\* \S",
             "paren": rf"{name} \({_TS}\): \S", "bracket": rf"\[{_TS}\] {name}: \S",
             "bold_name": rf"\*\*{name}:\*\* \S"}
    assert len(re.findall(rf"(?m)^{shape[f['variant']]}", text)) >= 3


def _check_plain_text(text: str, f: dict) -> None:
    assert not re.search(r"(?m)\d:\d\d|-->|\*\*|^>>", text) and len(text.split()) > 300


_CHECKS = {"cleaned_markdown": _check_cleaned_markdown, "chaptered_speakers": _check_chaptered,
           "youtube_markdown": _check_youtube_markdown, "whisper_markdown": _check_whisper_markdown,
           "raw_captions": _check_raw_captions, "webvtt": _check_webvtt, "srt": _check_srt,
           "whisper_json": _check_whisper_json, "youtube_xml": _check_youtube_xml,
           "youtube_json3": _check_youtube_json3, "speaker_text": _check_speaker_text, "plain_text": _check_plain_text}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_files_carry_the_structural_markers_of_their_format(corpus: tuple[Path, Truth], fmt: str) -> None:
    folder, truth = corpus
    sample = [(n, f) for n, f in truth.files.items() if f["format"] == fmt]
    variants = {f["variant"] for _, f in sample}
    sample = sample[:6] + [next((n, f) for n, f in sample if f["variant"] == v) for v in sorted(variants)]
    for name, f in sample:
        _CHECKS[fmt](_text(folder, name), f)


def test_the_project_sniffer_recognises_every_file(corpus: tuple[Path, Truth]) -> None:
    """Contract with transforms.parsers: each file is sniffed as the format the truth names."""
    parsers = pytest.importorskip("transforms.parsers")
    folder, truth = corpus
    wrong = {n: (f["format"], got) for n, f in truth.files.items()
             if (got := parsers.sniff((folder / n).read_bytes()[:parsers.SNIFF_BYTES], n)) != f["format"]}
    assert not wrong


# ---- entry points -----------------------------------------------------------------------------------------------


def test_generate_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(FileExistsError):
        generate(tmp_path, 2)


def test_cli_writes_the_corpus_and_the_truth_beside_it(tmp_path: Path) -> None:
    argv = [str(tmp_path / "out"), "--episodes", "3", "--seed", "5", "--jobs", "1", "--minutes", "8", "9"]
    assert synth.main(argv) == 0
    truth = Truth.load(tmp_path / "truth.json")
    assert {p.name for p in (tmp_path / "out").iterdir()} == set(truth.files)
    assert len(truth.episodes) == 3 and truth.seed == 5
