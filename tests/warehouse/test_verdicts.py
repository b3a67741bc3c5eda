"""Validation verdicts on cached episodes: one file, the latest verdict per episode, under the suites' key."""

from __future__ import annotations

from pathlib import Path

from warehouse.layout import Layout
from warehouse.tables import VERDICTS_FILE, _episode_dir, mark_episodes, verdicts


def _cached(layout: Layout, *keys: str) -> None:
    for key in keys:
        folder = _episode_dir(layout, key)
        folder.mkdir(parents=True)
        (folder / "DONE").touch()


def test_latest_verdict_per_episode_under_its_checks(tmp_path: Path) -> None:
    layout = Layout(tmp_path).ensure()
    assert verdicts(layout, "suites-1") == {}
    _cached(layout, "k1", "k2")
    mark_episodes(layout, ["k1", "k2", "not-cached"], "VALID", checks="suites-1")
    mark_episodes(layout, ["k2"], "FAILED", "segments: bad starts", checks="suites-1")
    assert verdicts(layout, "suites-1") == {"k1": ("VALID", ""), "k2": ("FAILED", "segments: bad starts")}
    assert verdicts(layout, "suites-2") == {}  # made under other suites: not counted
    mark_episodes(layout, ["k1"], "VALID", checks="suites-2")  # re-validated under new suites
    assert verdicts(layout, "suites-2") == {"k1": ("VALID", "")}
    assert verdicts(layout, "suites-1") == {"k2": ("FAILED", "segments: bad starts")}
    assert (layout.cache / VERDICTS_FILE).exists() and not list(layout.cache.glob(".*tmp*"))  # written whole
