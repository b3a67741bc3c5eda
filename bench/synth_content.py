"""Content of the synthetic corpus: vocabulary, names, shows, the corpus plan and each episode's turns."""

from __future__ import annotations

import string
import sys
from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from operator import itemgetter
from random import Random

COMMON = """the be to of and a in that have I it for not on with he as you do at this but his by from they
we say her she or an will my one all would there their what so up out if about who get which go me when make
can like time no just him know take people into year your good some could them see other than then now look
only come its over think also back after use two how our work first well way even new want because any these
give day most us is was are been has had were said did very really thing things going kind lot actually right
yeah sure mean maybe pretty much many more where why here still need same different big small long great
little own old few last next early late important large public able bad best better sort stuff point question
answer idea problem reason world company market money model data power team years always never every
something nothing everything someone anyone basically literally probably obviously definitely exactly totally
huge cheap fast slow hard easy open closed build built building run running ship shipping sell buying bought
cost costs price prices supply demand growth revenue margin margins customer customers product products
research researchers engineer engineers software hardware system systems scale scaling capacity cycle cycles
story stories history future past today tomorrow yesterday week month quarter decade country countries
government policy policies rule rules law laws war trade deal deals bet bets risk risks chance chances fact
facts number numbers percent billion million thousand hundred dollars half double triple whole part parts
side sides end start started starting stop hit hits move moves moving play plays player players game games
win winning lose losing leader leaders race racing lead behind ahead against between through during before
under above around across without within should might must shall let tell told ask asked call called feel
felt try tried trying keep kept put show showed turn turned bring brought happen happened happening believe
understand understood remember talk talking talked hear heard seem seems seemed leave left find found
don't it's I'm that's we're can't they're you're there's isn't doesn't didn't won't""".split()

DOMAIN = """GPU GPUs Nvidia TSMC DeepSeek OpenAI Anthropic China Taiwan ASML HBM CUDA inference training
datacenter hyperscalers Google Meta Microsoft AMD Intel Huawei Blackwell Hopper transformer tokens reasoning
RL pretraining post-training compute cluster megawatts lithography EUV fab wafer yield Stargate Gemini Claude
GPT Llama Mistral xAI Grok benchmark semiconductors memory bandwidth latency TPU Broadcom Samsung agents AGI
startup capex""".split() + ["export controls", "scaling laws", "open source", "open weights", "SK Hynix"]

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald Ashley
Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah
Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob Kathleen Gary Angela
Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin Nicole Scott Samantha Brandon
Katherine Benjamin Christine Samuel Helen Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond
Maria Jack Catherine Dennis Heather Jerry Diane Tyler Olivia Aaron Julie Jose Joyce Adam Victoria Nathan Ruth
Henry Virginia Zachary Lauren Douglas Kelly Peter Christina Kyle Joan Noah Evelyn Ethan Judith Jeremy Megan
Walter Andrea Christian Cheryl Keith Hannah Roger Jacqueline Terry Martha Austin Gloria Sean Teresa Gerald Ann
Carl Sara Harold Madison Dylan Frances Arthur Kathryn Lawrence Janice Jordan Jean Jesse Abigail Bryan Alice
Billy Judy Bruce Sophia Gabriel Grace Joe Denise Logan Amber Alan Doris Juan Marilyn Albert Danielle Willie
Beverly Elijah Isabella Wayne Theresa Randy Diana Vincent Natalie Mason Brittany Roy Charlotte Ralph Marie
Bobby Kayla Russell Alexis Bradley Lori Philip Priya Wei Hiroshi Ana Omar Fatima Ivan Lars Sven Ingrid""".split()

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis
Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart
Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox
Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes
Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace
Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens
Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson
Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Hansen""".split()

FILLERS = ["uh", "um", "uh", "um", "like", "you know", "I mean", "so", "right"]

_ONSET = "b br c ch d dr f fl g gr h j k l m n p pl qu r s sh st t tr v w z".split()
_NUCLEUS = "a e i o u a e o ai ea ou io".split()
_CODA = ["", "", "", "", "n", "r", "s", "l", "m", "x", "nd", "st", "rk"]
N_PSEUDO = 4000
TABLE_SIZE = 1 << 16  # indexed by 16-bit random numbers


class Vocab:
    """Word lists plus a sampling table (common 60%, pseudo 35%, domain 5%; Zipf within each)."""

    def __init__(self) -> None:
        self.common = COMMON
        self.pseudo = _pseudo_words(N_PSEUDO, set(COMMON))
        self.domain = DOMAIN
        self.words = self.common + self.pseudo + self.domain
        weights = (_zipf(len(self.common), 0.60, 0.9) + _zipf(len(self.pseudo), 0.35, 1.0)
                   + _zipf(len(self.domain), 0.05, 0.5))
        self.cum = list(accumulate(weights))
        self.table = _table(self.words, weights, TABLE_SIZE)

    def draw(self, rng: Random, k: int) -> list[str]:
        """k (>= 2) words by weight: random 16-bit slots of the table, looked up in C."""
        idx = array("H", rng.randbytes(2 * k))
        if sys.byteorder == "big":
            idx.byteswap()
        return list(itemgetter(*idx)(self.table))


def _table(words: list[str], weights: list[float], size: int) -> list[str]:
    """size slots shared out in proportion to weights (every word keeps at least one slot)."""
    total = sum(weights)
    quotas = [w / total * size for w in weights]
    counts = [max(1, int(q)) for q in quotas]
    by_gain = sorted(range(len(words)), key=lambda i: int(quotas[i]) - quotas[i])
    for i in by_gain[:max(0, size - sum(counts))]:
        counts[i] += 1
    by_size = sorted(range(len(words)), key=lambda i: -counts[i])
    for j in range(max(0, sum(counts) - size)):
        counts[by_size[j % 50]] -= 1
    return [w for w, c in zip(words, counts) for _ in range(c)]


def _pseudo_words(n: int, taken: set[str]) -> list[str]:
    """n distinct pronounceable non-words (2-3 syllables), the same on every run."""
    rng, out, seen = Random("synth-vocab"), [], set(taken)
    while len(out) < n:
        w = "".join(rng.choice(_ONSET) + rng.choice(_NUCLEUS) + rng.choice(_CODA)
                    for _ in range(rng.randint(2, 3)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def _zipf(n: int, mass: float, s: float) -> list[float]:
    """Zipf weights over n ranks, scaled to sum to mass."""
    raw = [1.0 / (r + 1) ** s for r in range(n)]
    total = sum(raw)
    return [mass * x / total for x in raw]


@cache
def vocab() -> Vocab:
    """The shared vocabulary (built once per process)."""
    return Vocab()


def person(rng: Random, taken: set[str]) -> str:
    """A new 'First Last' name not in taken (last names are sometimes invented); adds it to taken."""
    v = vocab()
    while True:
        last = rng.choice(LAST) if rng.random() < 0.5 else rng.choice(v.pseudo).capitalize()
        name = f"{rng.choice(FIRST)} {last}"
        if name not in taken:
            taken.add(name)
            return name


def title_case(words: list[str]) -> str:
    """Capitalise each word's first letter, keeping acronyms like GPU."""
    return " ".join(w[:1].upper() + w[1:] for w in words)


# ---- shows and the corpus plan ---------------------------------------------------------------------------------

ID_CHARS = string.ascii_letters + string.digits + "-_"
N_SHOWS = 30
HARD_NEGATIVES = ("sponsor_read", "part_series", "best_of", "same_guest")
_EPOCH = date(2019, 1, 7)


def video_id(rng: Random) -> str:
    """A YouTube-like 11-character id."""
    return "".join(rng.choices(ID_CHARS, k=11))


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
    read = (f"This episode is brought to you by {brand}.".split() + sentences(rng, 3, [brand])
            + f"Go to {brand.lower()}.com/{slug} and use code {slug[:6].upper()} to get started today.".split())
    return Show(name, slug, host, tuple(read), _EPOCH + timedelta(days=rng.randrange(1500)), rng.randint(1, 300))


def plan_corpus(n: int, seed: int, minutes: tuple[float, float], hn_p: float) -> tuple[list[EpisodePlan], list[dict]]:
    """Plans of all episodes plus the hard-negative groups; episode i's plan never depends on n."""
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
    day = show.start + timedelta(days=7 * (number - show.first_number) + rng.randint(0, 2))
    return EpisodePlan(i, f"ep{i:06d}", show, number, title or _title(rng), day.isoformat(), guests,
                       round(rng.uniform(lo, hi), 2))


def _sponsor_pair(rng, i, shows, numbers, names, minutes):
    """Two episodes of one show with the same sponsor read."""
    show = rng.choice(shows)
    pair = [_plan(rng, i + k, show, numbers, names, minutes) for k in range(2)]
    for p in pair:
        p.sponsor = True
    return pair, {"show": show.name, "shared": "sponsor read (~60 words)"}


def _part_pair(rng, i, shows, numbers, names, minutes):
    """Part 1 and Part 2: consecutive numbers, near-identical titles, the same guest."""
    show, guest, base = rng.choice(shows), (person(rng, names),), _title(rng)
    a = _plan(rng, i, show, numbers, names, minutes, guests=guest, title=f"{base} Part 1")
    b = _plan(rng, i + 1, show, numbers, names, minutes, guests=guest, title=f"{base} Part 2")
    a.part, b.part = 1, 2
    return [a, b], {"show": show.name, "shared": "title stem, guest, consecutive numbers"}


def _best_of_pair(rng, i, shows, numbers, names, minutes):
    """A source episode and a 30+ minute 'best of' quoting 2-3 minutes of it verbatim."""
    src = _plan(rng, i, rng.choice(shows), numbers, names, minutes, at_least=25.0)
    best = _plan(rng, i + 1, src.show, numbers, names, minutes, at_least=30.0,
                 title=f"The Best of {src.show.name} {src.date[:4]}")
    best.quote_from = src
    return [src, best], {"show": src.show.name, "shared": "2-3 minutes quoted verbatim", "quoting": best.key}


def _guest_pair(rng, i, shows, numbers, names, minutes):
    """The same guest on two different shows."""
    a, b = rng.sample(shows, 2)
    guest = (person(rng, names),)
    pair = [_plan(rng, i, a, numbers, names, minutes, guests=guest),
            _plan(rng, i + 1, b, numbers, names, minutes, guests=guest)]
    return pair, {"guest": guest[0], "shared": "guest"}


_GROUPS = {"sponsor_read": _sponsor_pair, "part_series": _part_pair, "best_of": _best_of_pair,
           "same_guest": _guest_pair}


def _title(rng: Random) -> str:
    """An episode title from the vocabulary (domain words are likely)."""
    v = vocab()
    a, b, c = (title_case(rng.choices(v.words, cum_weights=v.cum, k=rng.randint(1, 2))) for _ in range(3))
    d, e = rng.choice(v.domain), rng.choice(v.pseudo).capitalize()
    return rng.choice([f"{d}, {a}, and {b}", f"{e} {a}: {b} and {c}", f"Why {d} {a} {e}", f"The {e} {b} Problem",
                       f"{a} {d}, {b}, and the Future of {e}"])


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


def sentences(rng: Random, n: int, topic: list[str], question: bool = False) -> list[str]:
    """n sentences of 4-18 words as one token list (capitalised, punctuated, ~10% topic words)."""
    rnd = rng.random
    lens = [4 + int(rnd() * 15) for _ in range(n)]
    total, nt = sum(lens), len(topic)
    words = vocab().draw(rng, total)
    for _ in range(total // 10):
        words[int(rnd() * total)] = topic[int(rnd() * nt)]
    i = 0
    for j, size in enumerate(lens):
        words[i] = words[i][:1].upper() + words[i][1:]
        if size > 8 and rnd() < 0.4:
            words[i + 3 + int(rnd() * (size - 5))] += ","
        i += size
        words[i - 1] += "?" if (question and j == n - 1) or rnd() < 0.04 else "."
    return words


def build_episode(plan: EpisodePlan, seed: int, teaser_p: float) -> Episode:
    """The episode's turns, timed: optional cold-open teaser, host intro, conversation, outro."""
    rng, v = Random(f"{seed}-{plan.index}"), vocab()
    vid = video_id(rng)
    topic = rng.sample(v.pseudo[100:], 40) + rng.sample(v.domain, 5)
    host = plan.show.host
    rates = {s: rng.uniform(2.2, 2.8) for s in (host, *plan.guests)}
    body = _body(rng, plan, topic)
    quote = _quote(rng, plan, body, seed, teaser_p) if plan.quote_from else None
    if plan.sponsor:
        body.insert(2 * rng.randint(1, max(1, len(body) // 6)), (host, list(plan.show.sponsor_read)))
    want_teaser = rng.random() < teaser_p
    clips = _teaser(rng, body) if want_teaser else []
    raw = [(s, w) for s, w, _ in clips] + [(host, _intro(rng, plan, topic))] + body + _outro(rng, plan)
    turns = _timed(rng, raw, rates)
    teaser = None
    if clips:
        first = len(clips) + 1
        teaser = {"end_s": turns[len(clips)].start, "passages": [
            {"words": len(w), "source_s": _word_time(turns[first + b], o)} for _, w, (b, o) in clips]}
    if quote:
        quote["at_s"] = turns[quote.pop("at") + len(clips) + 1].start
    chapters = _chapters(rng, turns, len(clips), topic)
    return Episode(plan, vid, turns, chapters, " ".join(sentences(rng, rng.randint(3, 5), topic)), teaser, quote)


def _body(rng: Random, plan: EpisodePlan, topic: list[str]) -> list[tuple[str, list[str]]]:
    """Question/answer turns until the planned length (~150 words a minute)."""
    host, guests, out, total = plan.show.host, plan.guests, [], 0
    rnd = rng.random
    while total < plan.minutes * 150:
        guest = guests[int(rnd() * len(guests))]
        q = sentences(rng, 1 + int(rnd() * 3), topic, question=True)
        a = sentences(rng, 2 + int(rnd() * 7) if rnd() < 0.85 else 1, topic)
        out += [(host, q), (guest, a)]
        total += len(q) + len(a)
    return out


def _intro(rng: Random, plan: EpisodePlan, topic: list[str]) -> list[str]:
    """The host's introduction (a 'part two' and a 'best of' introduce themselves as such)."""
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
        size = rng.randint(max(8, 56 // n - 4), 25)
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
            words = rng.sample(topic, 2) + rng.choices(vocab().common, k=rng.randint(0, 3))
            out.append(Chapter(t.start, title_case(words), summary()))
            nxt = t.start + rng.uniform(240, 600)
    return out
