"""Build the site: read the published warehouse read-only, render every page, swap the folder in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse.layout import Layout
from warehouse.query import connect
from warehouse.report.data import Row, read_corpus, read_episode
from warehouse.report.pages import page_name, render_corpus, render_episode


def site_dir(layout: Layout) -> Path:
    """Where the report is written: `<warehouse>/site/`."""
    return layout.root / "site"


def build_report(layout: Layout, *, max_episode_pages: int | None = None) -> Path:
    """Write `<warehouse>/site/` (index.html + episodes/<id>.html) and return the path of index.html.

    Episode pages follow the corpus table's order (newest first); `max_episode_pages` caps how many
    are written for very large warehouses (None: all). The old site stays in place until the new one
    is complete.
    """
    site = site_dir(layout)
    tmp = site.with_name(f".site-{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "episodes").mkdir(parents=True)
    try:
        con = connect(layout)
        try:
            corpus = read_corpus(con)
        finally:
            con.close()
        footer = _footer(corpus.last_run)
        ids = [e["episode_id"] for e in corpus.episodes][:max_episode_pages]
        (tmp / "index.html").write_text(render_corpus(corpus, set(ids), footer), encoding="utf-8")
        for episode_id in ids:
            _write_episode(layout, episode_id, tmp / "episodes" / page_name(episode_id), footer)
        _swap(tmp, site)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return site / "index.html"


def _write_episode(layout: Layout, episode_id: str, path: Path, footer: str) -> None:
    # A connection per page, so a long build never keeps a publishing run waiting for long; an
    # episode a run removed in between gets no page.
    con = connect(layout)
    try:
        episode = read_episode(con, episode_id)
    finally:
        con.close()
    if episode is not None:
        path.write_text(render_episode(episode, footer), encoding="utf-8")


def _footer(run: Row | None) -> str:
    if run is None:
        return "Built from the published warehouse."
    return f"Built from the warehouse published by run {run['run_id']} at {run['finished_at']:%Y-%m-%d %H:%M} UTC."


def _swap(new: Path, site: Path) -> None:
    """Replace the site folder by the freshly built one (two renames; readers see old or new)."""
    old = site.with_name(f".site-{os.getpid()}.old")
    if site.exists():
        site.rename(old)
    new.rename(site)
    shutil.rmtree(old, ignore_errors=True)
