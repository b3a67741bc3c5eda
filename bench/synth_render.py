"""Renderers: the text of one version of an episode in each format, imitating the real seed files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from random import Random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.synth import Spec
    from bench.synth_episode import Episode, Turn

# format -> relative frequency among versions (names as in transforms.schemas.FORMATS)
FORMATS: dict[str, float] = {
    "cleaned_markdown": 1.0, "chaptered_speakers": 1.0, "youtube_markdown": 1.0, "whisper_markdown": 1.0,
    "raw_captions": 1.0, "webvtt": 1.5, "srt": 1.2, "whisper_json": 1.0, "youtube_xml": 1.0,
    "youtube_json3": 0.8, "speaker_text": 1.2, "plain_text": 0.7,
}
EXTENSIONS = {"webvtt": ".vtt", "srt": ".srt", "whisper_json": ".json", "youtube_json3": ".json",
              "youtube_xml": ".xml", "cleaned_markdown": ".md", "youtube_markdown": ".md",
              "whisper_markdown": ".md", "chaptered_speakers": ".txt", "raw_captions": ".txt",
              "speaker_text": ".txt", "plain_text": ".txt"}
# format -> [(variant, kind, speakers, timestamps)]
_VARIANTS: dict[str, list[tuple[str, str, str, bool]]] = {
    "cleaned_markdown": [("", "whisper", "none", True)],
    "chaptered_speakers": [("", "human", "names", True)],
    "youtube_markdown": [("", "auto_caption", "none", True)],
    "whisper_markdown": [("", "whisper", "none", True)],
    "raw_captions": [("manual", "human", "anonymous", False), ("auto", "auto_caption", "anonymous", False)],
    "webvtt": [("plain", "whisper", "none", True), ("voice", "human", "names", True),
               ("voice", "whisper", "names", True), ("rolling", "auto_caption", "none", True)],
    "srt": [("", "whisper", "none", True), ("", "human", "none", True)],
    "whisper_json": [("", "whisper", "none", True)],
    "youtube_xml": [("transcript", "auto_caption", "none", True), ("timedtext", "auto_caption", "none", True)],
    "youtube_json3": [("", "auto_caption", "none", True)],
    "speaker_text": [("name_time", "human", "names", True), ("md_bold", "whisper", "names", True),
                     ("paren", "human", "names", True), ("bracket", "whisper", "names", True),
                     ("bold_name", "human", "names", False)],
    "plain_text": [("paragraphs", "human", "none", False), ("lines", "whisper", "none", False)],
}
_YT = "https://www.youtube.com/watch?v="


def variant(rng: Random, fmt: str) -> tuple[str, str, str, bool]:
    """(variant, kind, speakers, timestamps) of a new version in fmt."""
    return rng.choice(_VARIANTS[fmt])


def render(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """The file text of one version."""
    return _RENDERERS[spec.format](ep, segs, spec, rng)


# ---- times and pieces -----------------------------------------------------------------------------------------


def _mmss(t: float) -> str:
    s = int(t)
    return f"{s // 60:02d}:{s % 60:02d}"


def _hms(t: float) -> str:
    s = int(t)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _short(t: float) -> str:
    """mm:ss below an hour, h:mm:ss past it."""
    s = int(t)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else _mmss(t)


def _clock(t: float, sep: str = ".") -> str:
    ms = int(t * 1000 + 0.5)
    return "%02d:%02d:%02d%s%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, sep, ms % 1000)


def _whisper_clock(t: float) -> str:
    """openai-whisper's VTT time: mm:ss.mmm, with hours only past the hour."""
    ms = int(t * 1000 + 0.5)
    return _clock(t) if ms >= 3600000 else "%02d:%02d.%03d" % (ms // 60000, ms // 1000 % 60, ms % 1000)


def _pieces(segs: list[Turn], rng: Random, lo: int, hi: int) -> Iterator[tuple[Turn, float, float, list[str]]]:
    """Caption-like runs of lo..hi words within each turn, times interpolated."""
    rnd, span = rng.random, hi - lo + 1
    for seg in segs:
        w, n, i = seg.words, len(seg.words), 0
        step = (seg.end - seg.start) / n
        while i < n:
            k = min(n, i + lo + int(rnd() * span))
            yield seg, seg.start + i * step, seg.start + k * step, w[i:k]
            i = k


def _phrases(segs: list[Turn], lo: int, hi: int) -> Iterator[tuple[Turn, float, float, list[str]]]:
    """Whisper-like segments: cut after a sentence end once lo words are in, or at hi words."""
    for seg in segs:
        w, n, i = seg.words, len(seg.words), 0
        step = (seg.end - seg.start) / n
        for j in [j for j, x in enumerate(w, 1) if x[-1:] in ".?!"] + [n]:
            while j - i > hi:
                yield seg, seg.start + i * step, seg.start + (i + hi) * step, w[i:i + hi]
                i += hi
            if j - i >= lo or (j == n and j > i):
                yield seg, seg.start + i * step, seg.start + j * step, w[i:j]
                i = j


def _two_lines(words: list[str], width: int = 42) -> str:
    """A caption's text, broken into two lines when longer than width."""
    text = " ".join(words)
    if len(text) <= width or len(words) < 2:
        return text
    half = len(words) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


def _wrap(words: list[str], width: int, out: list[str]) -> None:
    """Greedy word wrap of words into out."""
    cur, n = [], 0
    for w in words:
        if cur and n + 1 + len(w) > width:
            out.append(" ".join(cur))
            cur, n = [], -1
        cur.append(w)
        n += 1 + len(w)
    if cur:
        out.append(" ".join(cur))


def _sentence(words: list[str]) -> str:
    """Words as a capitalised, full-stopped sentence (the cleaned-markdown artefact)."""
    text = " ".join(words)
    return text[:1].upper() + text[1:] + ("" if text[-1:] in ".?!," else ".")


# ---- the seed-like formats --------------------------------------------------------------------------------------


def cleaned_markdown(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """000: header fields, executive summary, then timed `**[mm:ss]**` paragraphs mixed with untimed ones."""
    p, vid = ep.plan, spec.video_id
    role = rng.choice(["AI and Chip Industry Expert", "Founder", "Researcher", "Investor", "Engineer"])
    out = [f"# {p.title} - {p.guests[0]} Interview", "", "**Guest:** " + ", ".join(f"{g} ({role})" for g in p.guests),
           f"**Host:** {p.show.host if rng.random() < 0.5 else '[Host Name]'}",
           f"**Video URL:** {_YT}{vid}&t={rng.randint(0, 3000)}s", f"**Video ID:** {vid}",
           f"**Transcript extracted and cleaned on:** {_later(p.date, rng)}", "", "---", "", "## Executive Summary",
           "", ep.summary, "", "---", "", "## Main Conversation", ""]
    timed, left, para = True, rng.randint(3, 12), []
    for _, s, _, w in _pieces(segs, rng, 8, 18):
        if timed:
            out += ["", "", f"**[{_mmss(s)}]** {_sentence(w)}"]
        else:
            para.append(_sentence(w))
            if len(para) == 4:
                out += ["", " ".join(para) + " "]
                para = []
        left -= 1
        if not left:
            timed, left = not timed, rng.randint(3, 12) if not timed else rng.randint(8, 40)
    if para:
        out += ["", " ".join(para) + " "]
    return "\n".join(out) + "\n"


def chaptered(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """001: date+title header, chapter title / (hh:mm:ss) / summary, `(mm:ss) Name:` then ' ' then text."""
    p = ep.plan
    head = f"{p.date} {p.guests[0]}.{p.title}"
    out, chapters, ci = [head, "", head, "", "", "Transcript"], ep.chapters, 0
    for seg in segs:
        while ci < len(chapters) and chapters[ci].start + spec.offset_s <= seg.start + 0.5:
            if ci + 1 == len(chapters) or chapters[ci + 1].start + spec.offset_s > seg.start + 0.5:
                c = chapters[ci]
                out += ([" "] if len(out) > 6 else []) + [c.title, f"({_hms(max(0.0, c.start + spec.offset_s))})",
                                                          c.summary]
            ci += 1
        out += [f"({_short(seg.start)}) {seg.speaker}:", " "]
        n, i = len(seg.words), 0
        step = (seg.end - seg.start) / n
        while i < n:
            k = min(n, i + rng.randint(60, 110))
            if i:
                out.append(f"({_short(seg.start + i * step)})")
            out.append(" ".join(seg.words[i:k]))
            i = k
    return "\n".join(out) + "\n"


def youtube_markdown(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """002: YAML front matter, then `- [mm:ss] caption line` (minutes run past 59)."""
    p, vid = ep.plan, spec.video_id
    lines = [f"- [{_mmss(s)}] {' '.join(w)}" for _, s, _, w in _pieces(segs, rng, 5, 8)]
    first = " ".join(w for seg in segs[:3] for w in seg.words)[:200]
    if rng.random() < 0.3:
        lines.append(f"- [{_mmss(segs[-1].end)}] [Music]")
    fm = ["---", f'title: "{p.title if rng.random() < 0.5 else "YouTube Video: " + vid}"', f'video_id: "{vid}"',
          f'video_url: "{_YT}{vid}"', f'speaker: "{p.guests[0] if rng.random() < 0.5 else "Unknown"}"',
          f'channel: "{p.show.name}"', f'date: "{p.date if rng.random() < 0.5 else ""}"', 'duration: ""', "tags:",
          '  - "YouTube"', '  - "Transcript"', "topics:", '  - "Technical"', "summary: |", f"  {first}...",
          "key_points:", f'  - "{" ".join(segs[0].words[:8])}"', 'category: "Tutorial"',
          'confidence_level: "medium"', 'transcript_type: "YouTube Auto-generated"', 'language: "en"',
          'source: "Founder_Agent_Videos"', "---", "", "", f"# Transcript: {vid}", "", f"- URL: {_YT}{vid}",
          f"- Retrieved at: {_later(p.date, rng)}T09:42:09+09:00", "", "## Text", ""]
    return "\n".join(fm + lines) + "\n"


def whisper_markdown(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """003: header block (description, sponsors, outline), `# Title | Show #N`, `*  text [[hh:mm:ss](url&t=s)]`."""
    p, vid = ep.plan, spec.video_id
    aired = date.fromisoformat(p.date)
    keywords = [p.show.name.lower(), *(g.lower() for g in p.guests), f"{p.show.slug} podcast", "ai", "interview"]
    out = ["---", f"Date Generated: {date.fromisoformat(_later(p.date, rng)):%B %d, %Y}",
           f"Transcription Model: whisper {rng.choice(['medium', 'large-v2', 'large-v3'])} 20231117",
           f"Length: {int(ep.turns[-1].end)}s", f"Video Keywords: {keywords!r}",
           f"Video Views: {rng.randint(1000, 2_000_000)}", "Video Rating: None", f"Video Description: {ep.summary}",
           f"Thank you for listening \u2764 Check out our sponsors: https://{p.show.slug}.com/sponsors/ep{p.number}-sb",
           "See below for timestamps, and to give feedback, submit questions, contact us, etc.", "",
           "*SPONSORS:*", "To support this podcast, check out our sponsors & get discounts:",
           f"Go to https://{p.show.slug}.com/s/sponsor-ep{p.number}-sb", "", "*OUTLINE:*"]
    out += [f"{_outline(c.start + max(0.0, spec.offset_s))} - {c.title}" for c in ep.chapters]
    out += ["", "*PODCAST LINKS:*", f"- Podcast Website: https://{p.show.slug}.com/podcast", "---", "",
            f"# {p.title} | {p.show.name} #{p.number}", f"**{p.show.host}:** [{aired:%B %d, %Y}]({_YT}{vid})"]
    for _, s, _, w in _phrases(segs, 5, 14):
        t = round(s % 30, 2) + (s // 30) * 30  # float artefacts like 47.760000000000005, as in the seed
        out.append(f"*  {' '.join(w)} [[{_hms(s)}]({_YT}{vid}&t={t!r}s)]")
    return "\n".join(out) + "\n"


def raw_captions(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """004: Transcript / id • title / path / Kind / Language, then ~40-char lines, `>> ` at speaker changes."""
    p, vid = ep.plan, spec.video_id
    out = ["Transcript", f"{vid} \u2022 {p.title} | {p.show.name} #{p.number}",
           f"/home/{rng.choice(['itcorp', 'dev', 'data'])}/yt_channel/out/{p.show.slug}/.shards/"
           f"text-{rng.randint(1, 9):04d}.zst#text/{rng.randint(1, 999):04d}_{vid}.txt", "Kind: captions",
           "Language: en"]
    width, prev, cur = rng.randint(36, 42), None, []
    for seg in segs:
        if prev is not None and seg.speaker != prev:
            _wrap(cur, width, out)
            cur = [">>"]
        cur += seg.words
        prev = seg.speaker
    _wrap(cur, width, out)
    return "\n".join(out) + "\n"


# ---- the standard formats ------------------------------------------------------------------------------------


def webvtt(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """WebVTT with cue settings; voice tags, or YouTube rolling captions with inline word timings."""
    if spec.variant == "rolling":
        return _vtt_rolling(segs, rng)
    out = ["WEBVTT"] + (["Kind: captions", "Language: en"] if rng.random() < 0.5 else []) + [""]
    settings = rng.choice(["", " align:start position:0%", " line:90% align:middle", " position:50% size:80%"])
    numbered, close = rng.random() < 0.5, rng.random() < 0.3
    clock = _whisper_clock if spec.variant == "plain" and rng.random() < 0.5 else _clock
    for n, (seg, s, e, w) in enumerate(_phrases(segs, 6, 16), 1):
        text = _two_lines(w)
        if spec.variant == "voice":
            text = f"<v {seg.speaker}>{text}" + ("</v>" if close else "")
        out += ([str(n)] if numbered else []) + [f"{clock(s)} --> {clock(e)}{settings}", text, ""]
    return "\n".join(out)


def _vtt_rolling(segs: list[Turn], rng: Random) -> str:
    """YouTube auto-caption VTT: each line first appears word by word, then scrolls up."""
    out, prev, last = ["WEBVTT", "Kind: captions", "Language: en", ""], " ", 0.0
    hm = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(int(segs[-1].end // 60) + 2)]
    for _, s, e, w in _pieces(segs, rng, 5, 8):
        a = max(s, last)
        e = max(e, a + 0.05)
        a_ms, step = int(a * 1000 + 0.5), int((e - a) * 1000 / len(w))
        timed = w[0] + "".join(["<%s%02d.%03d><c> %s</c>" % (hm[ms // 60000], ms // 1000 % 60, ms % 1000, x)
                                for ms, x in zip(range(a_ms + step, a_ms + step * len(w), step), w[1:])])
        plain = " ".join(w)
        out += [f"{_clock(a)} --> {_clock(e)} align:start position:0%", prev, timed, "",
                f"{_clock(e)} --> {_clock(e + 0.01)} align:start position:0%", plain, " ", ""]
        prev, last = plain, e + 0.01
    return "\n".join(out)


def srt(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """SubRip: numbered cues, comma milliseconds, up to two lines."""
    out = []
    for n, (_, s, e, w) in enumerate(_phrases(segs, 5, 14), 1):
        out += [str(n), f"{_clock(s, ',')} --> {_clock(e, ',')}", _two_lines(w), ""]
    return "\n".join(out)


def whisper_json(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """openai-whisper JSON: text, segments (id/seek/start/end/text...), language; compact or one segment a line."""
    rnd, items = rng.random, []
    for i, (_, s, e, w) in enumerate(_phrases(segs, 5, 14)):
        items.append({"id": i, "seek": int(s * 100) // 3000 * 3000, "start": round(s, 2), "end": round(e, 2),
                      "text": " " + " ".join(w), "temperature": 0.0, "avg_logprob": round(-0.1 - rnd() * 0.3, 4),
                      "no_speech_prob": round(rnd() * 0.05, 4)})
    doc = json.dumps({"text": "".join(x["text"] for x in items), "segments": items, "language": "en"},
                     ensure_ascii=False)
    if rnd() < 0.5:
        return doc + "\n"
    head, rest = doc.split(', "segments": [', 1)
    body, tail = rest.rsplit('], "language"', 1)
    body = body.replace("}, {", "},\n    {")
    return f'{{\n  {head[1:]},\n  "segments": [\n    {body}\n  ],\n  "language"{tail[:-1]}\n}}\n'


def youtube_xml(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """YouTube timedtext: `<transcript><text start dur>` (double-escaped) or format 3 `<p t d>` in ms."""
    pieces = list(_pieces(segs, rng, 5, 9))
    head = '<?xml version="1.0" encoding="utf-8" ?>'
    if spec.variant == "timedtext":
        body = [f'<p t="{round(s * 1000)}" d="{round((e - s) * 1000)}">{_xml(" ".join(w))}</p>'
                for _, s, e, w in pieces]
        return f'{head}\n<timedtext format="3">\n<body>\n' + "\n".join(body) + "\n</body>\n</timedtext>\n"
    body = [f'<text start="{round(s, 2)}" dur="{round(e - s, 2)}">{_xml(_xml(" ".join(w)))}</text>'
            for _, s, e, w in pieces]
    return head + "<transcript>" + ("" if rng.random() < 0.5 else "\n").join(body) + "</transcript>\n"


def _xml(text: str) -> str:
    """XML-escape (applied twice, this gives YouTube's `&amp;#39;`)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&quot;"))


def youtube_json3(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """YouTube json3: events with tStartMs/dDurationMs and per-word segs with tOffsetMs (one event a line)."""
    events = [f'{{"tStartMs": 0, "dDurationMs": {round(segs[-1].end * 1000)}, "id": 1, "wpWinPosId": 1, '
              '"wsWinStyleId": 1}']
    for _, s, e, w in _pieces(segs, rng, 5, 8):
        t0, t1, step = round(s * 1000), round(e * 1000), (e - s) * 1000 / len(w)
        words = ", ".join([f'{{"utf8": {_js(w[0])}, "acAsrConf": 0}}'] + [
            f'{{"utf8": {_js(" " + x)}, "tOffsetMs": {int(i * step + 0.5)}, "acAsrConf": 0}}'
            for i, x in enumerate(w[1:], 1)])
        events.append(f'{{"tStartMs": {t0}, "dDurationMs": {t1 - t0}, "wWinId": 1, "segs": [{words}]}}')
        events.append(f'{{"tStartMs": {t1}, "dDurationMs": 10, "wWinId": 1, "aAppend": 1, {_NEWLINE}}}')
    head = ('{"wireMagic": "pb3", "pens": [{}], "wsWinStyles": [{}, {"mhModeHint": 2, "juJustifCode": 0, '
            '"sdScrollDir": 3}], "wpWinPositions": [{}, {"apPoint": 6, "ahHorPos": 20, "avVerPos": 100, '
            '"rcRows": 2, "ccCols": 40}], "events": [')
    sep = ",\n" if rng.random() < 0.5 else ", "
    return head + sep.join(events) + "]}\n"


_NEWLINE = '"segs": [{"utf8": "\\n"}]'


def _js(text: str) -> str:
    """A JSON string literal (fast path for the plain words this generator makes)."""
    return f'"{text}"' if '"' not in text and "\\" not in text else json.dumps(text, ensure_ascii=False)


_LABELS = {
    "name_time": lambda n, t, x: f"{n}: {_hms(t)}: {x}",
    "md_bold": lambda n, t, x: f"**[{_mmss(t)}] {n}:** {x}",
    "paren": lambda n, t, x: f"{n} ({_hms(t)}): {x}",
    "bracket": lambda n, t, x: f"[{_hms(t)}] {n}: {x}",
    "bold_name": lambda n, t, x: f"**{n}:** {x}",
}


def speaker_text(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """One line per turn: `Name: 00:01:02: text`, `**[mm:ss] Name:** text`, ... or `**Name:** text`."""
    label = _LABELS[spec.variant]
    out = [f"# {ep.plan.title}", ""] if rng.random() < 0.4 else []
    for seg in segs:
        out += [label(seg.speaker, seg.start, " ".join(seg.words)), ""]
    return "\n".join(out)


def plain_text(ep: Episode, segs: list[Turn], spec: Spec, rng: Random) -> str:
    """No times, no speakers: paragraphs (human) or one whisper segment per line."""
    out = [ep.plan.title, ""] if rng.random() < 0.5 else []
    if spec.variant == "lines":
        out += [" ".join(w).strip() for _, _, _, w in _phrases(segs, 5, 14)]
        return "\n".join(out) + "\n"
    words, i, wrap = [w for seg in segs for w in seg.words], 0, rng.random() < 0.3
    while i < len(words):
        k = i + rng.randint(40, 120)
        if wrap:
            _wrap(words[i:k], 72, out)
        else:
            out.append(" ".join(words[i:k]))
        out.append("")
        i = k
    return "\n".join(out)


def _later(day: str, rng: Random) -> str:
    """An ISO date some days after day (when a transcript was made)."""
    return (date.fromisoformat(day) + timedelta(days=rng.randint(1, 400))).isoformat()


def _outline(t: float) -> str:
    """Description-outline time: m:ss or h:mm:ss."""
    s = int(t)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


_RENDERERS = {"cleaned_markdown": cleaned_markdown, "chaptered_speakers": chaptered,
              "youtube_markdown": youtube_markdown, "whisper_markdown": whisper_markdown,
              "raw_captions": raw_captions, "webvtt": webvtt, "srt": srt, "whisper_json": whisper_json,
              "youtube_xml": youtube_xml, "youtube_json3": youtube_json3, "speaker_text": speaker_text,
              "plain_text": plain_text}
