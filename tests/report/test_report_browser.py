"""The report in a real browser (headless Chromium via playwright): no errors, no network, charts visible."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = {"file", "data", "about"}
SCREENSHOT_MAX_PX = 12_000  # the longest transcripts run to hundreds of thousands of pixels

CHARTS_JS = """() => Array.from(document.querySelectorAll('svg')).map(svg => {
    const box = svg.getBoundingClientRect();
    const drawn = Array.from(svg.querySelectorAll('path, rect, line, polyline, polygon, circle, use'))
        .filter(el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
    const figure = svg.closest('figure');
    return {id: svg.id, width: box.width, height: box.height, drawn: drawn.length,
            label: svg.getAttribute('aria-label') || '', role: svg.getAttribute('role'),
            caption: figure && figure.querySelector('figcaption') ? figure.querySelector('figcaption').textContent : ''};
})"""
BROKEN_ANCHORS_JS = """() => Array.from(document.querySelectorAll('a[href^="#"]'))
    .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""


def _candidates() -> list[str]:
    return [c for c in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                        shutil.which("chromium-browser")) if c and Path(c).is_file()]


def _apt_install_chromium() -> str:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if cmd[1] == "install" and done.returncode == 0:
            return ""
    return (done.stderr or done.stdout)[-500:]


@pytest.fixture(scope="session")
def chromium() -> str:
    """A Chromium binary: found on the machine, or installed with apt when running as root; else skip loudly."""
    pytest.importorskip("playwright.sync_api", reason="SKIPPED BROWSER TESTS: the playwright package is not installed")
    found = _candidates()
    if not found and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        problem = _apt_install_chromium()
        found = _candidates()
        if not found:
            pytest.skip(f"SKIPPED BROWSER TESTS: `apt-get install -y chromium` failed: {problem}")
    if not found:
        pytest.skip("SKIPPED BROWSER TESTS: no Chromium at /usr/bin/chromium or on PATH (set CHROMIUM=/path, or "
                    "run as root so the test can `apt-get install -y chromium`); the report was NOT checked in a browser")
    return found[0]


@dataclass
class Visit:
    """What one page did in the browser."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    broken_anchors: list[str] = field(default_factory=list)
    screenshot: Path | None = None


@pytest.fixture(scope="module")
def visits(built, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Visit]:
    """Open the corpus page and every episode page once, recording errors, requests, charts and a screenshot."""
    from playwright.sync_api import sync_playwright

    shots = tmp_path_factory.mktemp("screenshots")
    site = built.index.parent
    out: dict[str, Visit] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for path in [site / "index.html", *sorted(site.glob("episodes/*.html"))]:
                out[path.name] = _visit(browser, path, shots / f"{path.stem}.png")
        finally:
            browser.close()
    return out


def _visit(browser, path: Path, shot: Path) -> Visit:
    visit = Visit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on("request", lambda r: urlparse(r.url).scheme not in LOCAL_SCHEMES and visit.remote_requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    visit.charts = page.evaluate(CHARTS_JS)
    visit.broken_anchors = page.evaluate(BROKEN_ANCHORS_JS)
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_MAX_PX)
    page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})
    visit.screenshot = shot
    page.close()
    return visit


def test_every_page_was_opened(built, visits) -> None:
    assert len(visits) == 1 + len(list(built.index.parent.glob("episodes/*.html"))) == 5


def test_no_console_or_page_errors(visits) -> None:
    assert {k: v.console_errors + v.page_errors for k, v in visits.items() if v.console_errors or v.page_errors} == {}


def test_no_network_requests(visits) -> None:
    assert {k: v.remote_requests for k, v in visits.items() if v.remote_requests} == {}


def test_every_chart_is_visible_and_labelled(visits) -> None:
    assert len(visits["index.html"].charts) == 2
    for name, visit in visits.items():
        for chart in visit.charts:
            assert chart["width"] > 300 and chart["height"] > 80, (name, chart)
            assert chart["drawn"] >= 3, f"{name}: chart {chart['id']} has no drawn element with a non-zero box"
            assert chart["role"] == "img" and chart["label"] and chart["caption"], (name, chart["id"])
    assert any({c["id"] for c in v.charts} == {"timeline", "talk"} for v in visits.values())


def test_in_page_links_have_targets(visits) -> None:
    assert {k: v.broken_anchors[:5] for k, v in visits.items() if v.broken_anchors} == {}


def test_full_page_screenshots_are_written(visits) -> None:
    for name, visit in visits.items():
        data = visit.screenshot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        assert len(data) > 20_000, f"{name}: screenshot suspiciously small ({len(data)} bytes)"
