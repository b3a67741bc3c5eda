"""HTML pages from the report data: view models, charts and jinja2 templates (autoescaped)."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from warehouse.report import charts
from warehouse.report.data import Corpus, Episode, Row

TEMPLATES = Path(__file__).parent / "templates"
YOUTUBE = "https://www.youtube.com/watch?v={video_id}&t={t}s"


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clock=charts.clock, thousands=_thousands, pct=_pct, num=_num, minutes=_minutes)
    env.globals.update(palette=charts.PALETTE, unnamed=charts.UNNAMED)
    return env



def _thousands(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _minutes(seconds: float | None) -> str:
    """A duration for people: '62 min' or '5 h 06 min'."""
    if seconds is None:
        return "—"
    h, m = divmod(round(seconds / 60), 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


ENV = _env()


def page_name(episode_id: str) -> str:
    """The file name of an episode's page (ids are already safe; anything else is replaced)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", episode_id) + ".html"


def people(hosts: list[str] | None, guests: list[str] | None, speakers: list[str] | None = None) -> str:
    """Hosts (marked) then guests; the named speakers where the episode lists neither."""
    named = [f"{h} (host)" for h in hosts or []] + list(guests or [])
    return ", ".join(named or speakers or [])


def render_corpus(corpus: Corpus, paged: set[str], footer: str) -> str:
    """The corpus page: episodes, data quality, entity mentions over time, durations."""
    episodes = [{**e, "href": f"episodes/{page_name(e['episode_id'])}" if e["episode_id"] in paged else None,
                 "people": people(e["hosts"], e["guests"], e["speakers"])} for e in corpus.episodes]
    timed = [e for e in corpus.episodes if e["duration_s"]]
    figures = {
        "durations": charts.durations([e["title"] for e in timed], [e["duration_s"] / 60 for e in timed]),
        "mentions": charts.mentions_over_time(corpus.mentions_by_month),
    }
    status = corpus.files_by_status
    files = {"loaded": status.get("loaded", 0), "copies": status.get("duplicate_copy", 0),
             "quarantined": status.get("quarantined", 0), "total": sum(status.values())}
    return ENV.get_template("index.html").render(
        c=corpus, episodes=episodes, figures=figures, files=files, footer=footer, root="",
        untimed=len(corpus.episodes) - len(timed), capped=len(corpus.episodes) - len(paged),
        histogram=len(timed) > charts.BARS_MAX)


def speaker_order(ep: Episode) -> dict[str | None, int | None]:
    """Each named speaker's colour index: hosts first, then by words; speakers seen only in segments last."""
    names = [s["name"] for s in ep.speakers]
    names += sorted({s["speaker"] for s in ep.segments if s["speaker"]} - set(names))
    return {**{n: i for i, n in enumerate(names)}, None: None}


def render_episode(ep: Episode, footer: str) -> str:
    """One episode page: timeline, talk time, chapters, versions, entities and the transcript."""
    h = ep.header
    order = speaker_order(ep)
    timed = any(r["start_s"] is not None for r in ep.runs)
    worth_a_timeline = any(r["speaker"] or r["is_teaser"] for r in ep.runs)
    figures = {
        "timeline": charts.speaker_timeline(ep.runs, order, timed=timed) if worth_a_timeline else None,
        "talk": charts.talk_time(ep.speakers, order),
    }
    segments = transcript(ep.segments, h["video_id"], order)
    return ENV.get_template("episode.html").render(
        h=h, people=people(h["hosts"], h["guests"]), figures=figures, speakers=ep.speakers, order=order,
        chapters=chapter_rows(ep.chapters, segments), versions=ep.versions, rejects=ep.rejects,
        entities=ep.entities, segments=segments, timed=timed, named=len(order) > 1, footer=footer, root="../",
        video=YOUTUBE.format(video_id=h["video_id"], t=0) if h["video_id"] else None)


def transcript(segments: list[Row], video_id: str | None, order: dict[str | None, int | None]) -> list[Row]:
    """Segments as the page shows them: a link to the moment, the speaker's colour, where each part came from."""
    out, previous = [], object()
    for s in segments:
        start = s["start_s"]
        href = (YOUTUBE.format(video_id=video_id, t=int(start)) if video_id and start is not None
                else f"#s-{s['seq']}")
        colour = order.get(s["speaker"])
        out.append({**s, "href": href, "external": href.startswith("https:"), "provenance": provenance(s),
                    "colour": "cn" if colour is None else f"c{colour % len(charts.PALETTE)}",
                    "repeat": s["speaker"] == previous})
        previous = s["speaker"]
    return out


def provenance(s: Row) -> str:
    """Where a segment's text, speaker and time came from, as one readable line."""
    parts = [f"text: {s['text_path'] or 'unknown file'}"]
    if s["speaker"]:
        parts.append(f"speaker: {s['speaker_path'] or 'unknown file'}")
    if s["time_source"] == "interpolated":
        parts.append("time: interpolated by word position")
    elif s["time_source"]:
        how = "its own time" if s["time_source"] == "source" else "borrowed, corrected by its offset"
        parts.append(f"time: {s['time_path'] or 'unknown file'} ({how})")
    else:
        parts.append("time: none in any version")
    if s["agreement"] is not None:
        parts.append(f"versions agree on {s['agreement']:.0%} of words")
    if s["rules"]:
        parts.append("cleaned: " + ", ".join(s["rules"]))
    if s["is_teaser"]:
        parts.append("cold-open teaser (repeated later)")
    return " · ".join(parts)


def chapter_rows(chapters: list[Row], segments: list[Row]) -> list[Row]:
    """Chapters with a link: the video at that moment, else the first segment from that time."""
    timed = sorted((s["start_s"], s["seq"]) for s in segments if s["start_s"] is not None and not s["is_teaser"])
    starts = [t for t, _ in timed]
    out = []
    for c in chapters:
        href = c["link"]
        if not href and timed and c["start_s"] is not None:
            i = min(bisect.bisect_left(starts, c["start_s"]), len(timed) - 1)
            href = f"#s-{timed[i][1]}"
        out.append({**c, "href": href})
    return out
