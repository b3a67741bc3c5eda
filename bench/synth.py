"""Deterministic synthetic transcript corpus: episodes, their versions in many formats, and the ground truth.

    python -m bench.synth OUT_DIR --episodes N --seed S [--jobs J] [--minutes 8 60] [--truth PATH]
    (the truth goes to OUT_DIR/../truth.json unless --truth says otherwise)

Everything derives from `Random` instances seeded with strings (`f"{seed}-{i}"` per episode), so one seed gives
byte-identical files whatever the number of worker processes. Episodes are generated, written and forgotten one
at a time; only the (small) truth is kept in memory.

Truth JSON (`Truth.save`):
    seed, config                      the generator settings
    files[name]    episode (key), format (as transforms.schemas.FORMATS), variant, kind (human | whisper |
                   auto_caption), speakers (names | diarized | anonymous | none), timestamps (bool), video_id (may
                   differ from the episode's: a re-upload), offset_s (file time = episode time + offset_s),
                   truncated (None | "head" | "tail": the end that was cut off), kept_range_s ([a, b] episode
                   seconds kept, or None), teaser (the file contains the cold open), crlf, bom, copy_of (the file
                   this one is a byte-identical copy of, or None), bytes
    episodes[key]  show, number, title, date, host, guests, video_id, duration_s, n_words, teaser ({end_s,
                   passages: [{words, source_s}]} or None), sponsor_read, part (0 | 1 | 2), quote ({source,
                   source_start_s, source_end_s, words, at_s} or None), hard_negatives (group ids), files
    hard_negatives [{id, type (sponsor_read | part_series | best_of | same_guest), episodes: [key, key], ...}]
                   pairs of episodes that look alike but must never be grouped
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random

from bench import synth_render as render
from bench.synth_episode import Episode, EpisodePlan, Turn, build_episode, plan_corpus
from bench.synth_words import COMMON, FILLERS, video_id

CHUNK = 20  # episodes per worker task
_UNPUNCT = str.maketrans("", "", ".,?!")
EXTS = (".txt", ".txt", ".vtt", ".srt", ".json", ".md", ".xml")


@dataclass(frozen=True)
class Config:
    """Every knob of the generator (picklable, so workers get the same settings)."""

    seed: int = 0
    versions: tuple[int, int] = (1, 3)
    extra_version_p: float = 0.08
    copy_p: float = 0.031
    teaser_p: float = 0.3
    partial_p: float = 0.15
    offset_p: float = 0.25
    reupload_p: float = 0.0
    minutes: tuple[float, float] = (8.0, 60.0)
    hard_negative_p: float = 0.06
    formats: tuple[str, ...] = ()


@dataclass
class Spec:
    """How one file renders an episode; most fields go to the truth as they are."""

    name: str
    format: str
    variant: str
    kind: str
    speakers: str
    timestamps: bool
    video_id: str
    offset_s: float = 0.0
    truncated: str | None = None
    kept_range_s: tuple[float, float] | None = None
    teaser: bool = False
    crlf: bool = False
    bom: bool = False
    copy_of: str | None = None
    labels: bool = False


@dataclass
class Truth:
    """Ground truth: file name -> episode and how it was made; episodes; hard-negative groups."""

    seed: int
    config: dict
    episodes: dict[str, dict] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)
    hard_negatives: list[dict] = field(default_factory=list)

    def save(self, path: Path) -> None:
        """Write the truth as JSON."""
        Path(path).write_text(json.dumps(asdict(self), indent=1, sort_keys=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read a truth written by `save`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))

    def episode_of(self, name: str) -> str:
        """The episode key of a file name."""
        return self.files[name]["episode"]

    def groups(self) -> dict[str, list[str]]:
        """Episode key -> its file names (exact copies included)."""
        out: dict[str, list[str]] = {}
        for name, f in self.files.items():
            out.setdefault(f["episode"], []).append(name)
        return out

    def copies(self) -> dict[str, str]:
        """Copy file name -> the file it is a byte-identical copy of."""
        return {n: f["copy_of"] for n, f in self.files.items() if f["copy_of"]}


# ---- versions -------------------------------------------------------------------------------------------------


def _specs(rng: Random, ep: Episode, cfg: Config) -> list[Spec]:
    """The versions of one episode: distinct formats, some shifted, some partial."""
    n = rng.randint(*cfg.versions) + int(rng.random() < cfg.extra_version_p)
    pool = [f for f in render.FORMATS if not cfg.formats or f in cfg.formats]
    specs = []
    for j in range(min(n, len(pool))):
        fmt = pool.pop(_weighted(rng, [render.FORMATS[f] for f in pool]))
        specs.append(_spec(rng, ep, cfg, fmt, j))
    return specs


def _weighted(rng: Random, weights: list[float]) -> int:
    """Index drawn in proportion to weights."""
    x, acc = rng.random() * sum(weights), 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1


def _spec(rng: Random, ep: Episode, cfg: Config, fmt: str, j: int) -> Spec:
    """One version's rendering choices."""
    variant, kind, speakers, timed = render.variant(rng, fmt)
    vid = ep.video_id if rng.random() >= cfg.reupload_p else video_id(rng)
    spec = Spec(file_name(cfg.seed, ep.plan.index, j, rng, fmt), fmt, variant, kind, speakers, timed, vid,
                teaser=ep.teaser is not None, crlf=rng.random() < (0.4 if fmt == "srt" else 0.03),
                bom=rng.random() < 0.04, labels=speakers == "names" and kind == "whisper" and rng.random() < 0.5)
    if timed and rng.random() < cfg.offset_p:
        spec.offset_s = round(rng.uniform(5, 40), 2)
    if j > 0 and rng.random() < cfg.partial_p:
        _truncate(rng, ep, spec)
    return spec


def file_name(seed: int, index: int, tag: object, rng: Random, fmt: str) -> str:
    """A name that reveals neither episode nor format; the extension is often .txt, sometimes wrong or absent."""
    h = hashlib.blake2b(f"{seed}/{index}/{tag}".encode(), digest_size=6).hexdigest()
    r = rng.random()
    ext = ".txt" if r < 0.45 else render.EXTENSIONS[fmt] if r < 0.75 else rng.choice(EXTS) if r < 0.9 else ""
    return f"f{h}{ext}"


def _truncate(rng: Random, ep: Episode, spec: Spec) -> None:
    """Keep 30-60% of the episode: cut the head or the tail (a cut head sometimes restarts the clock)."""
    total, kept = ep.turns[-1].end, rng.uniform(0.3, 0.6)
    spec.truncated = rng.choice(("head", "tail"))
    a, b = ((1 - kept) * total, total) if spec.truncated == "head" else (0.0, kept * total)
    spec.kept_range_s = (round(a, 2), round(b, 2))
    if spec.truncated == "head":
        spec.teaser = spec.teaser and a < ep.teaser["end_s"]
        if spec.timestamps and rng.random() < 0.5:
            spec.offset_s = round(spec.offset_s - a, 2)


def segments(ep: Episode, spec: Spec, rng: Random) -> list[Turn]:
    """The version's turns: cut to its range, ASR noise of its kind, relabelled, shifted by its offset."""
    turns = _cut(ep.turns, *spec.kept_range_s) if spec.kept_range_s else ep.turns
    rate = {"human": 0.0, "whisper": rng.uniform(0.02, 0.04), "auto_caption": rng.uniform(0.05, 0.10)}[spec.kind]
    auto, off, names = spec.kind == "auto_caption", spec.offset_s, {}
    out = []
    for t in turns:
        words = _noisy(t.words, rng, rate, auto)
        if not words:
            continue
        spk = t.speaker
        if spec.labels:
            spk = names.setdefault(spk, f"SPEAKER_{len(names):02d}")
        out.append(Turn(spk, max(0.0, t.start + off), max(0.0, t.end + off), words))
    return out


def _cut(turns: list[Turn], a: float, b: float) -> list[Turn]:
    """Turns within [a, b], splitting the boundary turns at the word nearest the cut."""
    out = []
    for t in turns:
        if t.end <= a or t.start >= b:
            continue
        n, span = len(t.words), max(t.end - t.start, 1e-6)
        i = max(0, round((a - t.start) / span * n))
        k = min(n, round((b - t.start) / span * n))
        if k > i:
            out.append(Turn(t.speaker, t.start + i * span / n, t.start + k * span / n, t.words[i:k]))
    return out


def _noisy(words: list[str], rng: Random, rate: float, auto: bool) -> list[str]:
    """Words with ~rate substitutions/deletions/insertions; auto captions are lowercased, unpunctuated."""
    if auto:
        words = " ".join(words).lower().translate(_UNPUNCT).split()
    rnd, n = rng.random, len(words)
    k = min(n, int(n * rate + rnd()))
    if not k:
        return words
    out = list(words)
    for pos in sorted({int(rnd() * n) for _ in range(k)}, reverse=True):
        r = rnd()
        if r < 0.55:
            out[pos] = _confuse(out[pos], rnd)
        elif r < 0.8:
            del out[pos]
        else:
            w = FILLERS[int(rnd() * len(FILLERS))] if r < 0.92 else COMMON[int(rnd() * len(COMMON))]
            out.insert(pos, w.lower() if auto else w)
    return out


def _confuse(word: str, rnd: Callable[[], float]) -> str:
    """A mis-heard word: another word, a changed vowel, or split in two; punctuation and case kept."""
    core = word.rstrip(".,?!")
    tail, r, n = word[len(core):], rnd(), len(core)
    if r < 0.35 or n < 4:
        new = COMMON[int(rnd() * len(COMMON))]
    elif r < 0.7:
        i = int(rnd() * n)
        new = core[:i] + "aeiouy"[int(rnd() * 6)] + core[i + 1:]
    else:
        i = 2 + int(rnd() * (n - 3))
        new = core[:i] + " " + core[i:]
    if core[:1].isupper():
        new = new[:1].upper() + new[1:]
    elif core[:1].islower():
        new = new.lower()
    return new + tail


# ---- writing --------------------------------------------------------------------------------------------------


def emit_episode(plan: EpisodePlan, cfg: Config, out_dir: Path) -> tuple[dict, dict[str, dict]]:
    """Build one episode, write all its files, and return its truth entries."""
    ep = build_episode(plan, cfg.seed, cfg.teaser_p)
    rng = Random(f"{cfg.seed}-{plan.index}-versions")
    files: dict[str, dict] = {}
    for spec in _specs(rng, ep, cfg):
        data = _encode(render.render(ep, segments(ep, spec, rng), spec, rng), spec)
        _write(out_dir / spec.name, data)
        files[spec.name] = _file_truth(ep, spec, len(data))
        if rng.random() < cfg.copy_p:
            copy = Spec(**{**asdict(spec), "copy_of": spec.name})
            copy.name = file_name(cfg.seed, plan.index, f"{spec.name}-copy", rng, spec.format)
            _write(out_dir / copy.name, data)
            files[copy.name] = _file_truth(ep, copy, len(data))
    return ep.truth(list(files)), files


def _encode(text: str, spec: Spec) -> bytes:
    """UTF-8 bytes, with CRLF line ends and a BOM where the spec says so."""
    if spec.crlf:
        text = text.replace("\n", "\r\n")
    return (("\ufeff" if spec.bom else "") + text).encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write a new file (refuses to overwrite: a name clash is a bug)."""
    with open(path, "xb") as fh:
        fh.write(data)


def _file_truth(ep: Episode, spec: Spec, size: int) -> dict:
    """The truth entry of one file."""
    d = asdict(spec)
    del d["name"], d["labels"]
    return {"episode": ep.plan.key, **d, "speakers": "diarized" if spec.labels else spec.speakers, "bytes": size}


def _work(args: tuple[list[EpisodePlan], Config, Path]) -> list[tuple[dict, dict[str, dict]]]:
    """Worker task: emit a chunk of episodes."""
    plans, cfg, out_dir = args
    return [emit_episode(p, cfg, out_dir) for p in plans]


def generate(out_dir: Path, n_episodes: int, *, seed: int = 0, versions: tuple[int, int] = (1, 3),
             minutes: tuple[float, float] = (8.0, 60.0), teaser_p: float = 0.3, copy_p: float = 0.031,
             partial_p: float = 0.15, offset_p: float = 0.25, hard_negative_p: float = 0.06, reupload_p: float = 0.0,
             formats: tuple[str, ...] = (), n_jobs: int = 1, truth_path: Path | None = None) -> Truth:
    """Write n_episodes' versions into the empty folder out_dir; return (and optionally save) the truth.

    reupload_p > 0 gives that share of versions a video id of their own (same content, another upload).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    unknown = set(formats) - set(render.FORMATS)
    if unknown:
        raise ValueError(f"unknown formats: {sorted(unknown)}")
    cfg = Config(seed=seed, versions=versions, minutes=minutes, teaser_p=teaser_p, copy_p=copy_p,
                 partial_p=partial_p, offset_p=offset_p, hard_negative_p=hard_negative_p, reupload_p=reupload_p,
                 formats=tuple(formats))
    plans, groups = plan_corpus(n_episodes, seed, minutes, hard_negative_p)
    tasks = [(plans[i:i + CHUNK], cfg, out_dir) for i in range(0, len(plans), CHUNK)]
    truth = Truth(seed, {**asdict(cfg), "n_episodes": n_episodes}, hard_negatives=groups)
    for chunk in _run(tasks, n_jobs):
        for ep_truth, files in chunk:
            truth.episodes[ep_truth["key"]] = ep_truth
            truth.files.update(files)
    if truth_path:
        truth.save(truth_path)
    return truth


def _run(tasks: list, n_jobs: int) -> Iterator[list[tuple[dict, dict[str, dict]]]]:
    """Results of the tasks in order, in this process or in a pool."""
    if n_jobs <= 1 or len(tasks) <= 1:
        yield from map(_work, tasks)
        return
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        yield from pool.map(_work, tasks)


def main(argv: list[str] | None = None) -> int:
    """CLI: generate a corpus, save the truth next to the folder, print size and speed."""
    ap = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--episodes", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--minutes", type=float, nargs=2, default=(8.0, 60.0), metavar=("MIN", "MAX"))
    ap.add_argument("--truth", type=Path, help="default: OUT_DIR/../truth.json")
    a = ap.parse_args(argv)
    truth_path = a.truth or a.out_dir.resolve().parent / "truth.json"
    t0 = time.perf_counter()
    truth = generate(a.out_dir, a.episodes, seed=a.seed, minutes=tuple(a.minutes), n_jobs=a.jobs,
                     truth_path=truth_path)
    secs = time.perf_counter() - t0
    mb = sum(f["bytes"] for f in truth.files.values()) / 1e6
    print(f"{a.episodes} episodes, {len(truth.files)} files, {mb:,.0f} MB in {secs:.1f}s "
          f"({a.episodes / secs:,.0f} episodes/s); truth: {truth_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
