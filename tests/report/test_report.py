"""The offline report of a real warehouse: one page per episode, the merge shown, nothing fetched, charts drawn."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.report.html_tree import Node, parse
from warehouse.layout import Layout
from warehouse.report import build_report, site_dir
from warehouse.report.data import Episode
from warehouse.report.pages import page_name, render_episode

pytestmark = pytest.mark.slow
YOUTUBE = re.compile(r"^https://www\.youtube\.com/watch\?v=[\w-]{11}&t=\d+s$")


def _pages(built) -> dict[Path, Node]:
    site = built.index.parent
    return {p: parse(p.read_text(encoding="utf-8")) for p in [site / "index.html", *sorted(site.glob("episodes/*.html"))]}


@pytest.fixture(scope="module")
def pages(built) -> dict[Path, Node]:
    return _pages(built)


def _merged_page(built, pages: dict[Path, Node]) -> Node:
    return pages[built.index.parent / "episodes" / page_name(built.merged_episode)]


def test_tw_report_prints_the_index_inside_the_warehouse(built) -> None:
    assert built.index == site_dir(Layout(built.root)) / "index.html"
    assert built.index.is_file()
    assert not list(built.root.glob(".site-*")), "no temporary folder is left behind"


def test_one_page_per_episode_linked_from_the_corpus_table(built, pages) -> None:
    ids = [r[0] for r in built.query("select episode_id from episodes")]
    assert len(ids) == 4
    files = {p.name for p in built.index.parent.glob("episodes/*.html")}
    assert files == {page_name(i) for i in ids}
    index = pages[built.index]
    links = {a.attrs["href"] for a in index.find("a") if a.attrs.get("href", "").startswith("episodes/")}
    assert links == {f"episodes/{f}" for f in files}
    rows = index.find("table")[0].find("tbody")[0].find("tr")
    assert len(rows) == 4
    words = built.query("select n_words from episodes where episode_id = ?", [built.merged_episode])[0][0]
    merged = next(r for r in rows if "Matthew Berman" in r.text)
    assert "Dylan Patel" in merged.text and "2025-06-30" in merged.text and f"{words:,}" in merged.text


def test_merged_episode_page_lists_both_versions(built, pages) -> None:
    page = _merged_page(built, pages)
    versions = next(s for s in page.find("section") if "Versions merged" in s.text)
    rows = versions.find("table")[0].find("tbody")[0].find("tr")
    assert len(rows) == 2
    by_file = {r.find("th")[0].text[:4]: r.text for r in rows}
    assert set(by_file) == {"000_", "001_"}
    assert "canonical" in by_file["001_"] and "merged" in by_file["000_"]
    assert "content containment" in by_file["000_"]
    assert "Chapters" in page.text and len(next(s for s in page.find("section") if "Chapters" in s.text).find("tr")) > 1


def test_transcript_segments_name_speakers_link_to_the_moment_and_say_where_they_came_from(built, pages) -> None:
    segments = _merged_page(built, pages).find("ol", cls="transcript")[0].find("li")
    n_rows = built.query("select count(*) from segments where episode_id = ?", [built.merged_episode])[0][0]
    assert len(segments) == n_rows > 200
    speakers = {li.find("span", cls="who")[0].text for li in segments}
    assert speakers == {"Matthew Berman", "Dylan Patel"}
    hrefs = [li.find("a", cls="t")[0].attrs["href"] for li in segments]
    assert all(YOUTUBE.match(h) and "v=cHgCbDWejIs" in h for h in hrefs)
    assert hrefs[-1] != hrefs[0]
    titles = [li.attrs["title"] for li in segments]
    assert all(t.startswith("text: 001_") and "speaker: " in t and "time: " in t for t in titles)
    assert any("time: 000_" in t and "borrowed" in t for t in titles), "times borrowed from 000 are named"
    n_teasers = built.query("select count(*) from segments where episode_id = ? and is_teaser",
                            [built.merged_episode])[0][0]
    assert sum("teaser" in li.attrs["class"].split() for li in segments) == n_teasers > 0


def test_untimed_episode_links_segments_to_themselves(pages) -> None:
    for page in pages.values():
        ids = {n.attrs["id"] for n in page.iter() if "id" in n.attrs}
        anchors = [a.attrs["href"] for a in page.find("a") if a.attrs.get("href", "").startswith("#")]
        assert all(h[1:] in ids for h in anchors)
    untimed = [p for p in pages.values() if any(li.find("a")[0].attrs["href"].startswith("#s-")
                                                 for li in p.find("li") if li.attrs.get("id", "").startswith("s-"))]
    assert untimed, "the sample's 004 file has no times, so its segments link to themselves"


def test_nothing_is_fetched_only_youtube_links_leave_the_page(pages) -> None:
    for path, page in pages.items():
        assert not page.find("script") and not page.find("link") and not page.find("img") and not page.find("iframe")
        for node in page.iter():
            for attr in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
                value = node.attrs.get(attr)
                if value is not None and re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", value, re.I):
                    assert value.startswith("https://www.youtube.com/watch?v="), f"{path.name}: {attr}={value}"
        css = "".join(n.text for n in page.find("style"))
        assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_every_chart_draws_something_and_has_a_text_alternative(pages) -> None:
    n_charts = 0
    for path, page in pages.items():
        for figure in page.find("figure"):
            svg = figure.find("svg")[0]
            n_charts += 1
            assert svg.attrs["role"] == "img" and len(svg.attrs["aria-label"]) > 40, path.name
            assert svg.find("title")[0].text == svg.attrs["aria-label"]
            assert len(figure.find("figcaption")[0].text) > 20
            drawn = [p for p in svg.find("path") + svg.find("rect") if p.attrs.get("d") or p.attrs.get("width")]
            assert len(drawn) >= 3, f"{path.name}: {svg.attrs['id']} draws nothing"
            assert "width" not in svg.attrs and "viewbox" in svg.attrs  # sized by the page, not in points
    merged_ids = {s.attrs["id"] for p in pages.values() if "Matthew Berman" in p.text for s in p.find("svg")}
    assert {"timeline", "talk"} <= merged_ids
    assert n_charts >= 5  # corpus: durations + mentions; merged episode: timeline + talk; 002: timeline


def test_pages_are_accessible_documents(pages) -> None:
    for path, page in pages.items():
        assert page.find("html")[0].attrs["lang"] == "en"
        assert len(page.find("h1")) == 1 and len(page.find("h2")) >= 3, path.name
        assert page.find("title")[0].text.strip()
        for th in page.find("th"):
            assert th.attrs.get("scope") in {"col", "row"}, f"{path.name}: <th> without scope: {th.text!r}"
        svg_ids = [s.attrs["id"] for s in page.find("svg")]
        all_ids = [n.attrs["id"] for n in page.iter() if "id" in n.attrs]
        assert len(all_ids) == len(set(all_ids)), f"{path.name}: duplicate ids"
        assert len(svg_ids) == len(page.find("figure"))


def test_text_from_the_data_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes" costs $5 or $6'
    header = dict(episode_id="ep_x", title=evil, show_name=evil, episode_number=1, video_id=None,
                  published_date=date(2025, 1, 2), hosts=[evil], guests=[], duration_s=120.0, description=evil,
                  n_versions=1, n_segments=1, n_words=3, n_teaser_segments=0)
    segment = dict(seq=0, start_s=1.0, speaker=evil, text=evil, is_teaser=False, is_event=False,
                   time_source="source", agreement=None, rules=[evil], text_path=evil, speaker_path=evil,
                   time_path=evil)
    run = dict(speaker=evil, is_teaser=False, start_s=1.0, end_s=9.0, word_start=0, word_end=3)
    speaker = dict(name=evil, role="host", n_turns=1, words=3, seconds=8.0)
    html = render_episode(Episode(header, [speaker], [run], [], [], [], [], [segment]), footer=evil)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    page = parse(html)
    assert page.find("li", id="s-0")[0].attrs["title"].startswith("text: <script>")
    assert page.find("a", cls="t")[0].attrs["href"] == "#s-0"


def test_page_cap_writes_fewer_episode_pages(built, tmp_path: Path) -> None:
    shutil.copy(built.db, tmp_path / "warehouse.duckdb")
    index = build_report(Layout(tmp_path), max_episode_pages=1)
    pages = list((tmp_path / "site" / "episodes").glob("*.html"))
    assert len(pages) == 1
    links = [a for a in parse(index.read_text()).find("a") if a.attrs.get("href", "").startswith("episodes/")]
    assert [a.attrs["href"] for a in links] == [f"episodes/{pages[0].name}"]
    assert "beyond the page limit" in index.read_text()
