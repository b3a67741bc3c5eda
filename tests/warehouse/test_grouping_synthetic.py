"""Grouping precision and recall on a synthetic corpus with noise, partials, teasers, copies and
hard negatives; determinism under shuffled input; idempotent merging."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import polars as pl
import pytest

from bench.synth import generate
from transforms.clean import CleanOptions
from transforms.merge import merge_episode
from warehouse.archive import discover
from warehouse.layout import Layout
from warehouse.publish import checksums
from warehouse.stage import stage_file
from warehouse.tables import assemble

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("synth")
    generated = generate(root / "in", 150, seed=7, minutes=(8.0, 20.0))
    truth = {name: generated.episode_of(name) for name in generated.files}
    layout = Layout(root / "wh").ensure()
    staged = [stage_file(p, p.name, layout, CleanOptions(), None) for p in discover(root / "in")]
    tables, _ = assemble(staged, {}, {}, None)
    return truth, staged, tables, generated


def _pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    by: dict[str, list[str]] = {}
    for f, g in groups.items():
        by.setdefault(g, []).append(f)
    return {tuple(sorted(p)) for fs in by.values() for p in itertools.combinations(fs, 2)}


def test_grouping_precision_and_recall_are_one(corpus) -> None:
    truth, _, tables, generated = corpus
    files = tables["source_files"]
    assert files.filter(pl.col("status") == "quarantined").is_empty(), files.filter(pl.col("status") == "quarantined")
    ep_of_file = dict(tables["episode_versions"].select("file_id", "episode_id").iter_rows())
    predicted = {}
    for path, fid, copy_of in files.select("path", "file_id", "copy_of").iter_rows():
        predicted[path] = ep_of_file[fid]
    true_pairs, got_pairs = _pairs(truth), _pairs(predicted)
    tp = len(true_pairs & got_pairs)
    precision = tp / len(got_pairs) if got_pairs else 1.0
    recall = tp / len(true_pairs) if true_pairs else 1.0
    kinds = sorted({h["type"] for h in generated.hard_negatives})
    print(f"\nsynthetic grouping: {len(truth)} files, {len(set(truth.values()))} episodes, "
          f"{len(true_pairs)} true pairs, hard negatives {kinds}; precision={precision:.4f} recall={recall:.4f}")
    assert (precision, recall) == (1.0, 1.0)
    assert tables["episodes"].height == len(set(truth.values()))


def test_shuffled_input_gives_identical_tables(corpus) -> None:
    _, staged, tables, _ = corpus
    shuffled = list(staged)
    random.Random(3).shuffle(shuffled)
    again, _ = assemble(shuffled, {}, {}, None)
    ignore = {"source_files"}  # ingested_at is "now" for files never seen before
    assert {k: v for k, v in checksums(again).items() if k not in ignore} == \
        {k: v for k, v in checksums(tables).items() if k not in ignore}
    assert again["source_files"].drop("ingested_at").equals(tables["source_files"].drop("ingested_at"))


def test_merging_a_merged_episode_changes_nothing(corpus) -> None:
    _, staged, tables, _ = corpus
    multi = tables["episodes"].filter(pl.col("n_versions") > 1)["episode_id"].head(5).to_list()
    by_file = {s.file_id: s.version for s in staged if s.version is not None}
    for eid in multi:
        fids = tables["episode_versions"].filter(pl.col("episode_id") == eid)["file_id"].to_list()
        versions = [by_file[f] for f in fids]
        once = merge_episode(versions)
        twice = merge_episode(versions + [once.canonical])  # the canonical again changes nothing
        assert once.segments["text"] == twice.segments["text"]
        assert once.segments["speaker"] == twice.segments["speaker"]


def test_teasers_flagged_in_synthetic_cold_opens(corpus) -> None:
    _, _, tables, _ = corpus
    teased = tables["segments"].filter(pl.col("is_teaser"))["episode_id"].n_unique()
    assert teased >= 10
