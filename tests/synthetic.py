"""A deterministic generator of synthetic interviews rendered as several noisy versions in different
formats, with teasers, offsets, truncation, exact copies and the hard negatives dedup must keep
apart. Returns the truth (file name -> episode key) so grouping can be scored."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

SYLLABLES = "ka lo mi ne ta ru vo si de pa gu le fi no ba te ro sa zu ma ki do ne pi ha".split()
COMMON = ("the a of and to in that it is was for on with as we you they so like but this what about "
          "think really know just going right yeah people there have be can more when how").split()
FIRST = "Ana Ben Cora Dan Eva Finn Gia Hugo Iris Jon Kai Lena Milo Nia Omar Pia Raul Sara Theo Uma".split()
LAST = "Ames Brook Cruz Dunn Ellis Ford Gray Hale Ives Jett Kemp Lowe Marsh Noble Orr Price".split()
SHOWS = ["Chip Talk", "Model Minds", "Compute Hour", "Data Center Diaries", "Silicon Weekly"]


@dataclass
class Episode:
    key: str
    show: str
    number: int
    title: str
    video_id: str
    host: str
    guest: str
    turns: list[tuple[str, list[str]]]  # (speaker, words)
    teaser: list[list[str]] = field(default_factory=list)


def _vocab(rng: random.Random, n: int = 4000) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n * 2)}
    return sorted(words)[:n]


def _words(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    return [rng.choice(COMMON) if rng.random() < 0.35 else rng.choice(vocab) for _ in range(n)]


def _episode(rng: random.Random, vocab: list[str], key: str, show: str, number: int, guest: str,
             n_words: int) -> Episode:
    code = sum(map(ord, show))
    host = f"{FIRST[code % len(FIRST)]} {LAST[code % len(LAST)]}"
    turns, total, who = [], 0, 0
    while total < n_words:
        k = rng.randint(15, 120) if who else rng.randint(8, 40)
        turns.append(([host, guest][who], _words(rng, vocab, k)))
        total, who = total + k, 1 - who
    vid = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789_-") for _ in range(11))
    ep = Episode(key, show, number, " ".join(rng.choice(vocab).title() for _ in range(5)), vid, host, guest, turns)
    if rng.random() < 0.4:  # cold open: clips from later turns
        later = [w for _, ws in turns[len(turns) // 2:] for w in ws]
        starts = sorted(rng.sample(range(0, max(1, len(later) - 30)), 3))
        ep.teaser = [later[s:s + rng.randint(10, 20)] for s in starts]
    return ep


def _timed(ep: Episode, offset: float, wps: float = 2.5) -> list[tuple[float, str, list[str]]]:
    """(start seconds, speaker, words) per turn, teaser clips first (speaker None)."""
    out, t = [], offset
    for clip in ep.teaser:
        out.append((t, None, clip))
        t += len(clip) / wps
    for speaker, words in ep.turns:
        out.append((t, speaker, words))
        t += len(words) / wps
    return out


def _noisy(rng: random.Random, words: list[str], rate: float, vocab: list[str]) -> list[str]:
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            continue
        out.append(rng.choice(vocab) if r < rate else w)
    return out


def _clock(t: float, hours: bool = False) -> str:
    h, m, s = int(t // 3600), int(t % 3600 // 60), int(t % 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if hours or h else f"{m:02d}:{s:02d}"


def render(ep: Episode, fmt: str, rng: random.Random, vocab: list[str]) -> str:
    """One version of an episode in one format, with format-typical noise and offsets."""
    offset = rng.choice([0.0, 0.0, 12.0, 31.5]) if fmt in ("vtt", "srt", "youtube_md") else 0.0
    turns = _timed(ep, offset)
    if fmt in ("youtube_md", "vtt", "raw"):
        turns = [(t, s, _noisy(rng, w, 0.08, vocab)) for t, s, w in turns]
    if rng.random() < 0.15:  # a partial version: only a middle stretch
        a = len(turns) // 4
        turns = turns[a:a + max(3, len(turns) // 2)]
    return RENDERERS[fmt](ep, turns)


def _cleaned_md(ep: Episode, turns) -> str:
    paras = [(f"**[{_clock(t)}]** " if i % 3 == 0 else "") + " ".join(w).capitalize() + "."
             for i, (t, _, w) in enumerate(turns)]
    return (f"# {ep.title} - {ep.guest} Interview\n\n**Guest:** {ep.guest}\n**Host:** [Host Name]\n"
            f"**Video ID:** {ep.video_id}\n\n---\n\n## Main Conversation\n\n" + "\n\n".join(paras) + "\n")


def _chaptered(ep: Episode, turns) -> str:
    out = [f"{ep.title}", "", "Transcript", "Opening", "(00:00:00)", "We meet the guest.", ]
    for t, s, w in turns:
        out += [f"({_clock(t)}) {s or ep.host}:", " ", " ".join(w).capitalize() + "."]
    return "\n".join(out) + "\n"


def _youtube_md(ep: Episode, turns) -> str:
    lines = [f'---\ntitle: "YouTube Video: {ep.video_id}"\nvideo_id: "{ep.video_id}"\n'
             f'transcript_type: "YouTube Auto-generated"\n---\n\n## Text\n']
    for t, _, w in turns:
        for i in range(0, len(w), 7):
            lines.append(f"- [{int((t + i / 2.5) // 60):02d}:{int((t + i / 2.5) % 60):02d}] {' '.join(w[i:i + 7])}")
    return "\n".join(lines) + "\n"


def _whisper_md(ep: Episode, turns) -> str:
    head = (f"---\nTranscription Model: whisper\nLength: {int(turns[-1][0]) + 60}s\n---\n\n"
            f"# {ep.title} | {ep.show} #{ep.number}\n**{ep.host}:** [January 02, 2025]"
            f"(https://www.youtube.com/watch?v={ep.video_id})\n")
    lines = []
    for t, _, w in turns:
        for i in range(0, len(w), 9):
            s = t + i / 2.5
            lines.append(f"*  {' '.join(w[i:i + 9]).capitalize()}. [[{_clock(s, True)}]"
                         f"(https://www.youtube.com/watch?v={ep.video_id}&t={s:.2f}s)]")
    return head + "\n".join(lines) + "\n"


def _vtt(ep: Episode, turns) -> str:
    cues = ["WEBVTT", ""]
    for t, s, w in turns:
        end = t + len(w) / 2.5
        voice = f"<v {s}>" if s else ""
        cues += [f"{_clock(t, True)}.000 --> {_clock(end, True)}.000", voice + " ".join(w), ""]
    return "\n".join(cues)


def _srt(ep: Episode, turns) -> str:
    cues = []
    for i, (t, _, w) in enumerate(turns, start=1):
        cues += [str(i), f"{_clock(t, True)},000 --> {_clock(t + len(w) / 2.5, True)},000", " ".join(w), ""]
    return "\r\n".join(cues)


def _whisper_json(ep: Episode, turns) -> str:
    segs = [{"id": i, "start": round(t, 2), "end": round(t + len(w) / 2.5, 2), "text": " " + " ".join(w)}
            for i, (t, _, w) in enumerate(turns)]
    return json.dumps({"text": "", "segments": segs, "language": "en"})


def _raw(ep: Episode, turns) -> str:
    body, prev = [], None
    for _, s, w in turns:
        text = " ".join(w)
        body.append((">> " if prev is not None and s != prev else "") + text)
        prev = s
    words = " ".join(body).split(" ")
    lines = [" ".join(words[i:i + 7]) for i in range(0, len(words), 7)]
    return (f"Transcript\n{ep.video_id} • {ep.title} | {ep.show} #{ep.number}\n/tmp/x.txt\nKind: captions\n"
            f"Language: en\n" + "\n".join(lines))


RENDERERS = {"cleaned_md": _cleaned_md, "chaptered": _chaptered, "youtube_md": _youtube_md,
             "whisper_md": _whisper_md, "vtt": _vtt, "srt": _srt, "whisper_json": _whisper_json, "raw": _raw}


def generate(out: Path, n_episodes: int, seed: int = 0) -> dict[str, str]:
    """Write the corpus into `out`; return file name -> episode key (the truth)."""
    rng = random.Random(seed)
    vocab = _vocab(rng)
    episodes = []
    for i in range(n_episodes):
        show = SHOWS[i % len(SHOWS)]
        guest = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        episodes.append(_episode(rng, vocab, f"e{i:04d}", show, 100 + i, guest, rng.randint(900, 1800)))
    _hard_negatives(rng, vocab, episodes)
    truth: dict[str, str] = {}
    formats = list(RENDERERS)
    for ep in episodes:
        for fmt in rng.sample(formats, rng.randint(1, 3)):
            name = f"f{len(truth):05d}.{rng.choice(['txt', 'md', 'dat', ''])}".rstrip(".")
            (out / name).write_text(render(ep, fmt, rng, vocab), encoding="utf-8")
            truth[name] = ep.key
            if rng.random() < 0.05:  # an exact copy under another name
                copy = f"f{len(truth):05d}.txt"
                (out / copy).write_bytes((out / name).read_bytes())
                truth[copy] = ep.key
    return truth


def _hard_negatives(rng: random.Random, vocab: list[str], episodes: list[Episode]) -> None:
    """Same sponsor read, Part 1 / Part 2 with the same guest, a best-of quoting another, same guest."""
    sponsor = ("this episode is brought to you by " + " ".join(_words(rng, vocab, 55))).split()
    for ep in episodes[:6]:
        ep.turns.insert(1, (ep.host, sponsor))
    a, b = episodes[6], episodes[7]
    b.show, b.number, b.guest, b.title = a.show, a.number + 1, a.guest, a.title + " Part 2"
    a.title += " Part 1"
    source, best = episodes[8], episodes[9]
    quoted = [w for _, ws in source.turns[4:12] for w in ws][:300]
    best.turns.insert(len(best.turns) // 2, (best.guest, quoted))
    episodes[11].guest = episodes[10].guest
