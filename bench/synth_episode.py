"""Episodes of the synthetic corpus: shows, the corpus plan (with hard negatives) and each episode's timed turns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from bench.synth_words import person, sentences, video_id, vocab
from bench.synth_words import title as make_title

# ---- shows and the corpus plan ---------------------------------------------------------------------------------

N_SHOWS = 30
HARD_NEGATIVES = ("sponsor_read", "part_series", "best_of", "same_guest")
_EPOCH = date(2019, 1, 7)


@dataclass(frozen=True)
class Show:
    """A podcast: its name, host, sponsor read and numbering."""

    name: str
    slug: str
    host: str
    sponsor_read: tuple[str, ...]
    start: date
    first_number: int


@dataclass
class EpisodePlan:
    """What is fixed about an episode before its text is generated (decided for the whole corpus at once)."""

    index: int
    key: str
    show: Show
    number: int
    title: str
    date: str
    guests: tuple[str, ...]
    minutes: float
    sponsor: bool = False
    part: int = 0
    quote_from: EpisodePlan | None = None
    hard_negatives: tuple[int, ...] = ()


def _show(rng: Random, names: set[str], used: set[str]) -> Show:
    """A show with a unique name, a host and a ~60-word sponsor read."""
    v, host = vocab(), person(rng, names)
    while True:
        a, b = rng.choice(v.pseudo).capitalize(), rng.choice(v.common + v.domain)
        name = rng.choice([f"The {a} Podcast", f"{a} {b[:1].upper() + b[1:]}", f"{host.split()[0]} {a} Show",
                           f"Inside {a}", f"{a} Talks"])
        if name not in used:
            used.add(name)
            break
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    brand = rng.choice(v.pseudo).capitalize()
    pitch, flavour = [], [brand, *rng.sample(v.pseudo, 9)]
    while not 36 <= len(pitch) <= 48:  # ~60 words with the fixed opening and closing
        pitch = sentences(rng, 4, flavour)
    read = (f"This episode is brought to you by {brand}.".split() + pitch
            + f"Go to {brand.lower()}.com/{slug} and use code {slug[:6].upper()} to get started today.".split())
    return Show(name, slug, host, tuple(read), _EPOCH + timedelta(days=rng.randrange(1500)), rng.randint(1, 300))


def plan_corpus(n: int, seed: int, minutes: tuple[float, float], hn_p: float) -> tuple[list[EpisodePlan], list[dict]]:
    """Plans of all episodes plus the hard-negative groups (the first n-1 plans are the same for any larger n)."""
    rng, names, used = Random(f"{seed}-plan"), set(), set()
    shows = [_show(rng, names, used) for _ in range(N_SHOWS)]
    numbers = {s.slug: s.first_number for s in shows}
    plans: list[EpisodePlan] = []
    groups: list[dict] = []
    while len(plans) < n:
        i = len(plans)
        kind = _group_kind(rng, i, n, len(groups), hn_p)
        if kind is None:
            plans.append(_plan(rng, i, rng.choice(shows), numbers, names, minutes))
            continue
        pair, detail = _GROUPS[kind](rng, i, shows, numbers, names, minutes)
        for p in pair:
            p.hard_negatives = (len(groups),)
        groups.append({"id": len(groups), "type": kind, "episodes": [p.key for p in pair], **detail})
        plans += pair
    return plans, groups


def _group_kind(rng: Random, i: int, n: int, n_groups: int, hn_p: float) -> str | None:
    """The hard-negative type starting at episode i, if any (one of each type comes first)."""
    if hn_p <= 0 or i + 1 >= n:
        return None
    if n_groups < len(HARD_NEGATIVES) and i == 2 * n_groups:
        return HARD_NEGATIVES[n_groups]
    return rng.choice(HARD_NEGATIVES) if rng.random() < hn_p else None


def _plan(rng: Random, i: int, show: Show, numbers: dict[str, int], names: set[str], minutes: tuple[float, float],
          *, guests: tuple[str, ...] = (), title: str = "", at_least: float = 0.0) -> EpisodePlan:
    """One episode's plan: the show's next number, a date, guests, a title and a length."""
    number = numbers[show.slug]
    numbers[show.slug] += 1
    guests = guests or tuple(person(rng, names) for _ in range(1 if rng.random() < 0.75 else 2))
    lo, hi = max(minutes[0], at_least), max(minutes[1], at_least)
    day = show.start + timedelta(days=3 * (number - show.first_number) + rng.randint(0, 1))
    return EpisodePlan(i, f"ep{i:06d}", show, number, title or make_title(rng), day.isoformat(), guests,
                       round(rng.uniform(lo, hi), 2))


def _sponsor_pair(rng: Random, i: int, shows: list[Show], numbers: dict[str, int], names: set[str],
                  minutes: tuple[float, float]) -> tuple[list[EpisodePlan], dict]:
    """Two episodes of one show with the same sponsor read."""
    show = rng.choice(shows)
    pair = [_plan(rng, i + k, show, numbers, names, minutes) for k in range(2)]
    for p in pair:
        p.sponsor = True
    return pair, {"show": show.name, "shared": "sponsor read (~60 words)"}


def _part_pair(rng: Random, i: int, shows: list[Show], numbers: dict[str, int], names: set[str],
               minutes: tuple[float, float]) -> tuple[list[EpisodePlan], dict]:
    """Part 1 and Part 2: consecutive numbers, near-identical titles, the same guest."""
    show, guest, base = rng.choice(shows), (person(rng, names),), make_title(rng)
    a = _plan(rng, i, show, numbers, names, minutes, guests=guest, title=f"{base} Part 1")
    b = _plan(rng, i + 1, show, numbers, names, minutes, guests=guest, title=f"{base} Part 2")
    a.part, b.part = 1, 2
    return [a, b], {"show": show.name, "shared": "title stem, guest, consecutive numbers"}


def _best_of_pair(rng: Random, i: int, shows: list[Show], numbers: dict[str, int], names: set[str],
                  minutes: tuple[float, float]) -> tuple[list[EpisodePlan], dict]:
    """A source episode and a 30+ minute 'best of' quoting 2-3 minutes of it verbatim."""
    src = _plan(rng, i, rng.choice(shows), numbers, names, minutes, at_least=25.0)
    best = _plan(rng, i + 1, src.show, numbers, names, minutes, at_least=30.0,
                 title=f"The Best of {src.show.name} {src.date[:4]}")
    best.quote_from = src
    return [src, best], {"show": src.show.name, "shared": "2-3 minutes quoted verbatim", "quoting": best.key}


def _guest_pair(rng: Random, i: int, shows: list[Show], numbers: dict[str, int], names: set[str],
                minutes: tuple[float, float]) -> tuple[list[EpisodePlan], dict]:
    """The same guest on two different shows."""
    a, b = rng.sample(shows, 2)
    guest = (person(rng, names),)
    pair = [_plan(rng, i, a, numbers, names, minutes, guests=guest),
            _plan(rng, i + 1, b, numbers, names, minutes, guests=guest)]
    return pair, {"guest": guest[0], "shared": "guest"}


_GROUPS = {"sponsor_read": _sponsor_pair, "part_series": _part_pair, "best_of": _best_of_pair,
           "same_guest": _guest_pair}


# ---- one episode -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Turn:
    """A speaker turn: clean words (punctuation attached) and its time span in seconds."""

    speaker: str | None
    start: float
    end: float
    words: list[str]


@dataclass
class Chapter:
    """A chapter start, title and summary paragraph."""

    start: float
    title: str
    summary: str


@dataclass
class Episode:
    """An episode's clean text and metadata; versions are rendered from it."""

    plan: EpisodePlan
    video_id: str
    turns: list[Turn]
    chapters: list[Chapter]
    summary: str
    teaser: dict | None
    quote: dict | None

    def truth(self, files: list[str]) -> dict:
        """The episode's truth entry."""
        p = self.plan
        return {"key": p.key, "show": p.show.name, "number": p.number, "title": p.title, "date": p.date,
                "host": p.show.host, "guests": list(p.guests), "video_id": self.video_id,
                "duration_s": self.turns[-1].end, "n_words": sum(len(t.words) for t in self.turns),
                "teaser": self.teaser, "sponsor_read": p.sponsor, "part": p.part, "quote": self.quote,
                "hard_negatives": list(p.hard_negatives), "files": files}


def build_episode(plan: EpisodePlan, seed: int, teaser_p: float) -> Episode:
    """The episode's turns, timed: optional cold-open teaser, host intro + conversation, outro."""
    rng, v = Random(f"{seed}-{plan.index}"), vocab()
    vid = video_id(rng)
    topic = rng.sample(v.pseudo[100:], 40) + rng.sample(v.domain, 5)
    host = plan.show.host
    rates = {s: rng.uniform(2.2, 2.8) for s in (host, *plan.guests)}
    body = _body(rng, plan, topic, rates)
    quote = _quote(rng, plan, body, seed, teaser_p) if plan.quote_from else None
    if plan.sponsor:
        at = 2 * rng.randint(1, max(1, len(body) // 6))
        body[at] = (host, list(plan.show.sponsor_read) + body[at][1])
    body[0] = (host, _intro(rng, plan, topic) + body[0][1])
    clips = _teaser(rng, body) if rng.random() < teaser_p else []
    turns = _timed(rng, [(s, w) for s, w, _ in clips] + body + _outro(rng, plan), rates)
    first = len(clips)  # body turn b is turns[first + b]
    teaser = None
    if clips:
        teaser = {"end_s": turns[first].start, "passages": [
            {"words": len(w), "source_s": _word_time(turns[first + b], o)} for _, w, (b, o) in clips]}
    if quote:
        quote["at_s"] = turns[first + quote.pop("at")].start
    chapters = _chapters(rng, turns, first, topic)
    return Episode(plan, vid, turns, chapters, " ".join(sentences(rng, rng.randint(3, 5), topic)), teaser, quote)


def _body(rng: Random, plan: EpisodePlan, topic: list[str], rates: dict[str, float]) -> list[tuple[str, list[str]]]:
    """Question/answer turns until the planned length at the speakers' pace."""
    host, guests, out, spoken = plan.show.host, plan.guests, [], 0.0
    rnd = rng.random
    while spoken < plan.minutes * 60:
        guest = guests[int(rnd() * len(guests))]
        q = sentences(rng, 1 + int(rnd() * 3), topic, question=True)
        a = sentences(rng, 2 + int(rnd() * 7) if rnd() < 0.85 else 1, topic)
        out += [(host, q), (guest, a)]
        spoken += len(q) / rates[host] + len(a) / rates[guest] + 1.0
    return out


def _intro(rng: Random, plan: EpisodePlan, topic: list[str]) -> list[str]:
    """The host's introduction, said before the first question ('part two' and 'best of' say so)."""
    show, host, guests = plan.show.name, plan.show.host, " and ".join(plan.guests)
    if plan.part == 2:
        text = f"Welcome back to {show}. This is part two of my conversation with {guests}."
    elif plan.quote_from:
        text = f"Welcome to {show}. I'm {host}, and this is a best of episode with some favorite moments."
    else:
        text = f"Welcome to {show}. I'm {host}, and today my guest is {guests}."
    return text.split() + sentences(rng, rng.randint(1, 3), topic)


def _outro(rng: Random, plan: EpisodePlan) -> list[tuple[str, list[str]]]:
    """Thanks at the end."""
    g = plan.guests[0]
    return [(plan.show.host, f"{g.split()[0]}, thank you so much for coming on.".split()),
            (g, rng.choice(["Thanks for having me.", "Thank you, this was fun.", "My pleasure."]).split())]


def _teaser(rng: Random, body: list[tuple[str, list[str]]]) -> list[tuple[str, list[str], tuple[int, int]]]:
    """2-4 verbatim passages of 8-25 words from past the first quarter of the body: (speaker, words, source)."""
    total, acc, pool = sum(len(w) for _, w in body), 0, []
    for k, (_, w) in enumerate(body):
        if acc >= total // 4 and len(w) >= 26:
            pool.append(k)
        acc += len(w)
    n = min(rng.randint(2, 4), len(pool))
    out = []
    for k in rng.sample(pool, n):
        size = rng.randint(max(8, min(25, 60 // n - 2)), 25)  # 50-100 words: ~20-45 s
        o = rng.randrange(len(body[k][1]) - size + 1)
        out.append((body[k][0], body[k][1][o:o + size], (k, o)))
    return out


def _quote(rng: Random, plan: EpisodePlan, body: list, seed: int, teaser_p: float) -> dict:
    """Insert 2-3 minutes of the source episode verbatim into body; describe where it came from."""
    src = build_episode(plan.quote_from, seed, teaser_p)
    k = rng.randrange(len(src.turns) // 4, len(src.turns) // 2)
    want, clip, a = rng.uniform(120, 180), [], src.turns[k].start
    while src.turns[k].end - a < want:
        clip.append((src.turns[k].speaker, list(src.turns[k].words)))
        k += 1
    last = src.turns[k]
    n = max(1, round((a + want - last.start) / max(last.end - last.start, 1e-6) * len(last.words)))
    clip.append((last.speaker, list(last.words[:n])))
    lead = f"Here is a moment from episode {src.plan.number} with {src.plan.guests[0]}.".split()
    at = 2 * rng.randint(len(body) // 6, len(body) // 3)
    body[at:at] = [(plan.show.host, lead)] + clip
    return {"source": src.plan.key, "source_start_s": a, "source_end_s": round(a + want, 2),
            "words": sum(len(w) for _, w in clip), "at": at + 1}


def _timed(rng: Random, raw: list[tuple[str, list[str]]], rates: dict[str, float]) -> list[Turn]:
    """Turns with times: each speaker's pace (~130-170 words a minute) plus short pauses."""
    t, out = 0.0, []
    for spk, words in raw:
        d = len(words) / rates.get(spk, 2.5)
        out.append(Turn(spk, round(t, 2), round(t + d, 2), words))
        t += d + rng.uniform(0.15, 0.9)
    return out


def _word_time(turn: Turn, i: int) -> float:
    """When word i of a turn is spoken."""
    return round(turn.start + (turn.end - turn.start) * i / len(turn.words), 2)


def _chapters(rng: Random, turns: list[Turn], first: int, topic: list[str]) -> list[Chapter]:
    """A chapter every 4-10 minutes, each starting at a host turn."""
    def summary() -> str:
        return " ".join(sentences(rng, rng.randint(3, 5), topic))
    out, host = [Chapter(0.0, "Introduction", summary())], turns[first].speaker
    nxt = rng.uniform(240, 600)
    for t in turns[first:]:
        if t.start >= nxt and t.speaker == host:
            a, b, c = (w[:1].upper() + w[1:] for w in rng.sample(topic, 3))
            name = rng.choice([f"{a} and {b}", f"The {a} {b}", f"{a}, {b} and {c}", f"Why {a} Matters"])
            out.append(Chapter(t.start, name, summary()))
            nxt = t.start + rng.uniform(240, 600)
    return out
