"""Screenshots of the report for the README: docs/report-corpus.png and docs/report-episode-000-001.png.

    uv run python scripts/screenshots.py [--warehouse data/warehouse] [--chromium /usr/bin/chromium]

Builds the report of an existing warehouse (`make run` first), opens it in headless Chromium and
saves the corpus page and the episode merged from the sample files 000_ and 001_.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse.layout import Layout  # noqa: E402
from warehouse.query import sql  # noqa: E402
from warehouse.report import build_report  # noqa: E402
from warehouse.report.pages import page_name  # noqa: E402

WIDTH, EPISODE_HEIGHT = 1280, 2700
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MERGED = """
select v.episode_id
from episode_versions v join source_files f using (file_id)
group by v.episode_id
having bool_or(f.path like '000\\_%' escape '\\') and bool_or(f.path like '001\\_%' escape '\\')
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    layout = Layout(args.warehouse)
    index = build_report(layout)
    merged = sql(layout, MERGED)["episode_id"].to_list()
    if not merged:
        sys.exit("no episode merges the sample files 000_ and 001_: build the warehouse from data/raw")
    episode = index.parent / "episodes" / page_name(merged[0])
    args.out.mkdir(parents=True, exist_ok=True)
    shoot([(index, args.out / "report-corpus.png", None),
           (episode, args.out / "report-episode-000-001.png", EPISODE_HEIGHT)], args.chromium)


def shoot(pages: list[tuple[Path, Path, int | None]], chromium: str) -> None:
    """Full-page screenshots at 1280 px wide; a height cuts the page there (transcripts are long)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        for source, target, height in pages:
            page.goto(source.as_uri())
            clip = {"x": 0, "y": 0, "width": WIDTH, "height": height} if height else None
            page.screenshot(path=str(target), full_page=True, clip=clip)
            print(f"{target} ({target.stat().st_size / 1024:.0f} KiB)")
        browser.close()


if __name__ == "__main__":
    main()
