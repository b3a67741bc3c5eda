"""Charts as inline SVG (matplotlib, Agg): each with a text alternative, ids unique per chart."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402
from markupsafe import Markup  # noqa: E402

# One colour per speaker (by order on the page), colour-blind friendly; the CSS uses the same list.
PALETTE = ("#2f6fde", "#e8762d", "#199e70", "#8e5bd6", "#d6457c", "#1796b0", "#b58a10", "#5b6b7f")
UNNAMED = "#7d8da1"
TEASER = "#fde7a8"
INK, MUTED, GRID = "#1f2937", "#5b6472", "#e5e7eb"
WIDTH_IN = 10.0
BARS_MAX = 30  # more episodes than this: a histogram of durations instead of one bar each
STYLE = {
    "svg.fonttype": "none", "svg.hashsalt": "transcript-report", "font.size": 10,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif"],
    "axes.edgecolor": GRID, "axes.labelcolor": MUTED, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.titlecolor": INK, "axes.titlelocation": "left", "xtick.color": MUTED, "ytick.color": INK,
    "axes.spines.top": False, "axes.spines.right": False, "hatch.linewidth": 0.8,
    "legend.frameon": False, "legend.fontsize": 9,
}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and the sentence that describes it."""

    svg: Markup
    alt: str


def speaker_colour(index: int | None) -> str:
    """The colour of the index-th speaker of an episode (None: an unnamed speaker)."""
    return UNNAMED if index is None else PALETTE[index % len(PALETTE)]


def clock(seconds: float | None) -> str:
    """Seconds as h:mm:ss (or m:ss under an hour)."""
    if seconds is None:
        return "—"
    s = int(seconds)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


def _svg(fig: plt.Figure, alt: str, chart_id: str) -> Chart:
    """Render to SVG text: no prolog or metadata, ids prefixed, sized by CSS, labelled for screen readers."""
    buf = io.StringIO()
    with plt.rc_context(STYLE):
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.08,
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    used = set(re.findall(r'href="#([^"]+)"', text)) | set(re.findall(r"url\(#([^)]+)\)", text))
    text = re.sub(r' id="([^"]+)"', lambda m: f' id="{chart_id}-{m[1]}"' if m[1] in used else "", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", text)
    label = html.escape(alt, quote=True)
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", text, count=1)
    text = text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" id="{chart_id}" ', 1)
    text = re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", text, count=1)
    return Chart(Markup(text.strip()), alt)


def _figure(height_in: float, ncols: int = 1, **kw) -> tuple[plt.Figure, object]:
    """A figure of the page's chart width (call inside `plt.rc_context(STYLE)`)."""
    return plt.subplots(1, ncols, figsize=(WIDTH_IN, height_in), **kw)


def _label(text: str | None) -> str:
    """Data as a chart label: dollar signs escaped so matplotlib never reads them as mathtext."""
    return (text or "").replace("$", r"\$")


def _short(text: str, n: int = 46) -> str:
    return _label(text if len(text) <= n else text[: n - 1].rstrip() + "…")


def durations(titles: Sequence[str], minutes: Sequence[float], chart_id: str = "durations") -> Chart | None:
    """Episode lengths: one bar per episode (a histogram once there are too many to name)."""
    if not titles:
        return None
    with plt.rc_context(STYLE):
        if len(titles) <= BARS_MAX:
            pairs = sorted(zip(minutes, titles))
            fig, ax = _figure(0.6 + 0.34 * len(pairs))
            bars = ax.barh(range(len(pairs)), [m for m, _ in pairs], color=PALETTE[0], height=0.62)
            ax.set_yticks(range(len(pairs)), [_short(t) for _, t in pairs])
            ax.bar_label(bars, [f"{m:.0f} min" for m, _ in pairs], padding=4, color=MUTED, fontsize=9)
            ax.set_xlim(0, max(minutes) * 1.15)
        else:
            fig, ax = _figure(2.6)
            ax.hist(minutes, bins=30, color=PALETTE[0])
            ax.set_ylabel("episodes")
        ax.set_xlabel("minutes")
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
    longest = max(zip(minutes, titles))
    kind = "Bar chart" if len(titles) <= BARS_MAX else "Histogram"
    alt = (f"{kind} of episode durations in minutes for {len(titles)} timed episodes; the longest is "
           f"{longest[1]} at {longest[0]:.0f} minutes, the shortest {min(minutes):.0f} minutes.")
    return _svg(fig, alt, chart_id)


def mentions_over_time(rows: Sequence[dict], chart_id: str = "mentions") -> Chart | None:
    """Monthly mentions of the top entities (rows: month, entity, total, n; ordered by total)."""
    if not rows:
        return None
    entities = list(dict.fromkeys(r["entity"] for r in rows))
    months = sorted({_month(r["month"]) for r in rows})
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.4, 4.6))
        for i, entity in enumerate(entities):
            counts = {_month(r["month"]): r["n"] for r in rows if r["entity"] == entity}
            ax.plot(months, [counts.get(m, 0) for m in months], marker="o", markersize=5, linewidth=2,
                    color=PALETTE[i % len(PALETTE)], label=_label(entity))
        locator = mdates.AutoDateLocator(minticks=2, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if len(months) == 1:
            ax.set_xlim(months[0].toordinal() - 20, months[0].toordinal() + 20)
        ax.set_ylabel("mentions per month")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="entity", title_fontsize=9)
    first = entities[0]
    top = max((r for r in rows if r["entity"] == first), key=lambda r: r["n"])
    alt = (f"Line chart of monthly mentions of the {len(entities)} most mentioned entities over "
           f"{len(months)} month(s) with dated episodes: {', '.join(entities)}. {first} peaks at "
           f"{top['n']} mentions in {_month(top['month']):%B %Y}.")
    return _svg(fig, alt, chart_id)


def _month(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def speaker_timeline(runs: Sequence[dict], order: dict[str | None, int | None], *, timed: bool,
                     chart_id: str = "timeline") -> Chart | None:
    """Who spoke when: one row per speaker, a bar per run of speech, cold-open teasers hatched."""
    if not runs:
        return None
    lo, hi = ("start_s", "end_s") if timed else ("word_start", "word_end")
    names = sorted({r["speaker"] for r in runs}, key=lambda n: (order.get(n) is None, order.get(n) or 0, n or ""))
    with plt.rc_context(STYLE):
        fig, ax = _figure(0.9 + 0.42 * len(names))
        for y, name in enumerate(names):
            colour = speaker_colour(order.get(name))
            for teaser in (False, True):
                spans = [(r[lo], max(r[hi] - r[lo], 0.0)) for r in runs
                         if r["speaker"] == name and r["is_teaser"] is teaser and r[lo] is not None]
                style = ({"facecolor": "white", "edgecolor": colour, "hatch": "////", "linewidth": 0.6}
                         if teaser else {"facecolor": colour, "edgecolor": "none"})
                ax.broken_barh(spans, (y - 0.32, 0.64), **style)
        _mark_teasers(ax, [(r[lo], r[hi]) for r in runs if r["is_teaser"] and r[lo] is not None])
        ax.set_yticks(range(len(names)), [_label(n) or "unnamed speaker" for n in names])
        ax.set_ylim(len(names) - 0.4, -0.6)
        end = max(r[hi] or 0 for r in runs)
        ax.set_xlim(0, end * 1.005 or 1)
        if timed:
            ax.xaxis.set_major_locator(MultipleLocator(_time_step(end)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: clock(v)))
        ax.set_xlabel("time into the episode (h:mm:ss)" if timed else "words into the episode (no times)")
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        handles = [Patch(facecolor=UNNAMED, label="speech"),
                   Patch(facecolor=TEASER, edgecolor=UNNAMED, hatch="////", label="cold-open teaser")]
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
    n_teasers = sum(1 for r in runs if r["is_teaser"])
    alt = (f"Timeline of who speaks when, {len(names)} row(s): "
           + "; ".join(f"{n or 'unnamed speaker'} in {sum(1 for r in runs if r['speaker'] == n)} runs"
                       for n in names)
           + f". {n_teasers} cold-open teaser passage(s) are hatched. Axis: "
           + (f"time up to {clock(end)}." if timed else f"word position up to {end:,} words."))
    return _svg(fig, alt, chart_id)


def _mark_teasers(ax: plt.Axes, spans: list[tuple[float, float]]) -> None:
    """Shade the cold-open passages across all rows and name them once above the plot."""
    for start, end in spans:
        ax.axvspan(start, end, color=TEASER, zorder=0, linewidth=0)
    if spans:
        end = max(e for _, e in spans)
        ax.annotate("cold open", xy=(end, 1.0), xycoords=("data", "axes fraction"), xytext=(4, 3),
                    textcoords="offset points", color="#8a5a00", fontsize=9, va="bottom")


def _time_step(seconds: float) -> int:
    """A round tick step (1 min ... 1 h) giving at most about ten ticks."""
    steps = (60, 120, 300, 600, 900, 1200, 1800, 3600, 7200)
    return next((s for s in steps if seconds / s <= 10), steps[-1])


def talk_time(speakers: Sequence[dict], order: dict[str | None, int | None],
              chart_id: str = "talk") -> Chart | None:
    """Talk time (minutes) and words per speaker, side by side, in each speaker's colour."""
    if not speakers:
        return None
    names = [s["name"] for s in speakers]
    colours = [speaker_colour(order.get(n)) for n in names]
    minutes = [(s["seconds"] or 0) / 60 for s in speakers]
    words = [s["words"] for s in speakers]
    with plt.rc_context(STYLE):
        fig, (left, right) = _figure(0.9 + 0.42 * len(names), ncols=2, sharey=True)
        for ax, values, title, fmt in ((left, minutes, "Talk time (minutes)", "{:.1f}"),
                                       (right, words, "Words", "{:,.0f}")):
            bars = ax.barh(range(len(names)), values, color=colours, height=0.62)
            ax.bar_label(bars, [fmt.format(v) for v in values], padding=4, color=MUTED, fontsize=9)
            ax.set_xlim(0, max(values + [1]) * 1.22)
            ax.set_title(title, fontsize=10)
            ax.grid(axis="x", color=GRID, linewidth=0.8)
            ax.set_axisbelow(True)
            ax.tick_params(axis="y", length=0)
        left.set_yticks(range(len(names)), [_label(n) for n in names])
        left.set_ylim(len(names) - 0.4, -0.6)
        fig.subplots_adjust(wspace=0.08)
    total = sum(words) or 1
    alt = ("Bar charts of talk time and words per speaker, teasers excluded: "
           + "; ".join(f"{n}: {m:.1f} minutes, {w:,} words ({w / total:.0%})"
                       for n, m, w in zip(names, minutes, words)) + ".")
    return _svg(fig, alt, chart_id)
