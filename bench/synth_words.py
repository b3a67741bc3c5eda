"""Words for the synthetic corpus: vocabulary, sampling, sentences, names and titles (deterministic)."""

from __future__ import annotations

import string
import sys
from array import array
from functools import cache
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
_CODA = ["", "", "", "", "", "", "", "n", "r", "s", "l", "m", "x", "nd", "st", "rk"]
N_PSEUDO = 4000
TABLE_SIZE = 1 << 16  # indexed by 16-bit random numbers
ID_CHARS = string.ascii_letters + string.digits + "-_"


class Vocab:
    """Word lists plus a sampling table (common 65%, pseudo 30%, domain 5%; Zipf within each)."""

    def __init__(self) -> None:
        self.common = COMMON
        self.pseudo = _pseudo_words(N_PSEUDO, set(COMMON))
        self.domain = DOMAIN
        self.words = self.common + self.pseudo + self.domain
        weights = (_zipf(len(self.common), 0.65, 0.9) + _zipf(len(self.pseudo), 0.30, 0.6)
                   + _zipf(len(self.domain), 0.05, 0.5))
        self.table = _table(self.words, weights, TABLE_SIZE)

    def draw(self, rng: Random, k: int) -> list[str]:
        """k (>= 2) words by weight: random 16-bit slots of the table, looked up in C."""
        idx = array("H", rng.randbytes(2 * k))
        if sys.byteorder == "big":
            idx.byteswap()
        return list(itemgetter(*idx)(self.table))


def _table(words: list[str], weights: list[float], size: int) -> list[str]:
    """size slots shared out in proportion to weights (largest remainder; every word keeps a slot)."""
    total = sum(weights)
    quotas = [w / total * size for w in weights]
    counts = [max(1, int(q)) for q in quotas]
    for i in sorted(range(len(words)), key=lambda i: int(quotas[i]) - quotas[i])[:size - sum(counts)]:
        counts[i] += 1
    table = [w for w, c in zip(words, counts) for _ in range(c)]
    if len(table) != size:
        raise ValueError(f"{len(words)} words do not fit {size} slots")
    return table


def _pseudo_words(n: int, taken: set[str]) -> list[str]:
    """n distinct pronounceable non-words (2-3 syllables), the same on every run."""
    rng, out, seen = Random("synth-vocab"), [], set(taken)
    while len(out) < n:
        w = "".join(rng.choice(_ONSET) + rng.choice(_NUCLEUS) + rng.choice(_CODA)
                    for _ in range(2 if rng.random() < 0.7 else 3))
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


def video_id(rng: Random) -> str:
    """A YouTube-like 11-character id."""
    return "".join(rng.choices(ID_CHARS, k=11))


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


_TITLE_NOUNS = """Future Race Chips Compute Scaling Power Markets Policy Models Data Agents Energy Limits Economics
Supply Chains Talent Money Bubble Moats Strategy Frontier Open Source Hardware Software Inference""".split()


def title(rng: Random) -> str:
    """An episode title made of domain words, invented names and stock title nouns."""
    v = vocab()

    def word() -> str:
        r = rng.random()
        w = rng.choice(v.domain) if r < 0.4 else rng.choice(_TITLE_NOUNS) if r < 0.7 else rng.choice(v.pseudo[:1500])
        return w[:1].upper() + w[1:]
    a, b, c, d = (word() for _ in range(4))
    return rng.choice([f"{a}, {b}, and {c}", f"{a} {b}: {c} and {d}", f"Why {a} Needs {b}", f"The {a} {b} Problem",
                       f"{a}, {b}, and the Future of {c}", f"{a} vs {b}", f"Inside {a}: {b}, {c}, {d}"])
