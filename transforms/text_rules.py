"""The patterns, word lists and per-string helpers behind the cleaning rules in transforms/clean.py."""

from __future__ import annotations

import re

import ftfy
import polars as pl

# ---------------------------------------------------------------- encoding


def _mojibake_hint() -> str:
    """A UTF-8 lead byte followed by a continuation byte, as they look when read as cp1252 or MacRoman."""
    lead, cont = bytes(range(0xC2, 0xF5)), bytes(range(0x80, 0xC0))
    leads = set(lead.decode("cp1252", "replace") + lead.decode("mac_roman"))
    conts = set(cont.decode("cp1252", "replace") + cont.decode("mac_roman")) | {chr(c) for c in range(0x80, 0xA0)}
    cls = lambda chars: "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars - {"\ufffd"}))  # noqa: E731
    return f"[{cls(leads)}][{cls(conts)}]"


# Only rows matching this go through ftfy: plain accented text ("café", "pâte") does not match.
MOJIBAKE_HINT = _mojibake_hint()


def _macroman_utf8() -> re.Pattern:
    """UTF-8 byte sequences as MacRoman shows them: 3- and 4-byte ones, and 2-byte ones led by C2/C3.

    Other 2-byte sequences are left to ftfy: as MacRoman they are too easily real text.
    """
    mr = lambda lo, hi: "[" + re.escape(bytes(range(lo, hi + 1)).decode("mac_roman")) + "]"  # noqa: E731
    cont = mr(0x80, 0xBF)
    return re.compile(f"{mr(0xC2, 0xC3)}{cont}|{mr(0xE0, 0xEF)}{cont}{{2}}|{mr(0xF0, 0xF4)}{cont}{{3}}")


_MACROMAN_UTF8 = _macroman_utf8()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fix_text(text: str) -> str:
    """ftfy on each run of non-ASCII characters, then MacRoman-read UTF-8 ("‚ù§" -> "❤") that ftfy misses.

    Mojibake is always non-ASCII, and a run alone gets the same verdict wherever it stands, whereas
    ftfy on a whole line changes its mind with the words around it. Repeated until nothing changes.
    """
    for _ in range(4):
        fixed = _NON_ASCII.sub(lambda m: ftfy.fix_text(m.group(0), uncurl_quotes=False), text)
        fixed = _MACROMAN_UTF8.sub(_undo_macroman, fixed)
        if fixed == text:
            break
        text = fixed
    return text


def _undo_macroman(m: re.Match) -> str:
    try:
        fixed = m.group(0).encode("mac_roman").decode("utf-8")
    except UnicodeDecodeError:
        return m.group(0)
    return fixed if fixed.isprintable() else m.group(0)


# ---------------------------------------------------------------- whitespace

_S = r"\s\x{1c}-\x{1f}"  # Unicode White_Space plus what Python's str.split() also splits on
WS = f"[{_S}]"
# a run of white space that is not one plain space already: replacing these by " " collapses runs as
# replacing every run (WS+) does, without rewriting each single space between words (~3x cheaper)
WS_RUN = rf"{WS}{{2,}}|[[{_S}]--[ ]]"
INVISIBLE = r"[\x{00}-\x{08}\x{0e}-\x{1b}\x{7f}\x{ad}\x{200b}-\x{200d}\x{2060}\x{feff}]"
SPACED_PUNCT = r"([\p{L}\p{N}]) +([.,!?;:]+)( |$)"
# every text that normalise_whitespace changes has one of: an invisible character, a white space
# other than a plain space, two spaces, a space at either end, a space before punctuation
WS_HINT = rf"{INVISIBLE}|[[{_S}]--[ ]]|  |^ | $| [.,!?;:]"

# ---------------------------------------------------------------- markup

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
MARKUP: list[tuple[str, str]] = [
    (r"\*+", ""),  # markdown emphasis marks (and bullets) carry no words
    (r"\{\\[^{}]*\}", ""),  # {\an8} ASS overrides
    (rf"(?i:</?(?:c|i|b|u|s|em|strong|font|span|lang|ruby|rt)(?:[.{_S}][^<>]*)?>)", ""),  # inline tags
    (rf"(?i:</?(?:v|p|br|div)(?:[.{_S}][^<>]*)?/?>)", " "),  # structural tags
    (rf"\[\[{_TS}\]\([^){_S}]*\)\]", " "),  # [[00:01:02](url)] time links
    (rf"\[{_TS}\]\([^){_S}]*\)", " "),  # [00:01:02](url)
    (rf"\[([^\[\]]*)\]\((?:https?://|www\.)[^){_S}]*\)", "$1"),  # [text](url) -> text
    (rf"\[{_TS}\]|\({_TS}\)|<{_TS}>", " "),  # [00:01] (01:02:03) <00:01:02.003>
    (r"__([^_]+)__", "$1"),  # __bold__
    (rf"(^|{WS})>{{2,}}", "$1"),  # >> speaker-change marks
    (rf"^(?:{WS}*[-–—•]{WS}+)+", ""),  # leading bullets
]
ANY_MARKUP = "|".join(f"(?:{p})" for p, _ in MARKUP)  # every replacement shortens the text: repeating ends

# ---------------------------------------------------------------- events and fillers

_EVENT_WORDS = (
    "music|applause|laughter|laughs|laughing|inaudible|crosstalk|silence|noise|cheering|cheers|foreign|"
    "sound|sounds|background|static|sighs|sighing|coughs|coughing|chuckles|chuckling|clapping|no audio|"
    "blank_audio|blank audio|indistinct|unintelligible|clears throat|beep|bleep"
)
EVENT = (
    rf"(?i)\[\s*(?:{_EVENT_WORDS})(?:[\s_-]+[\p{{L}}\p{{N}}:.]+){{0,4}}\s*\]"
    r"|(?i)\(\s*(?:laughs|laughing|laughter|applause|music|inaudible|crosstalk|sighs|coughs|chuckles|"
    r"chuckling|clears throat|unintelligible)\s*\)"
    r"|[♪♫][^♪♫]*[♪♫]|[♪♫]+"
)
_FILLER_WORD = r"(?:u+h+m*|u+m+|e+r+m+|h+m+)"
FILLER_HINT = rf"(?i)(?:^|[^\p{{L}}\p{{N}}'’-]){_FILLER_WORD}(?:[^\p{{L}}\p{{N}}'’-]|$)"
# A whole token that is a filler; the replacement keeps its sentence-final punctuation.
FILLER_TOKEN = rf"(?i)^[(\"'“‘]*{_FILLER_WORD}[,;:]*([.!?…]*)[)\"'”’]*$"

# ---------------------------------------------------------------- sentence breaks

# Words that never end an English sentence: a period after one is a chunking artefact.
NEVER_END = (
    "a an the my your our their its whose and or nor but than very "
    "it's that's there's he's she's what's they're you're we're i'm"
).split()
# Words that rarely end one: the period goes only if the next word does not often start a sentence.
RARELY_END = (
    "i of to for on in at with from into onto upon by about because "
    "is are was were am be been have has had do does did will would can could should shall might must may"
).split()
STARTERS = frozenset((
    "i i'm i've i'll i'd it it's that that's this these those there there's they they're we we're you "
    "you're he he's she she's so and but or because yeah yes yep no nope okay ok oh well right like now "
    "then what what's why how when where who who's which if um uh anyway anyways actually also just let's "
    "let maybe sure exactly thanks thank a an the my our your his her their its in on for at as is are "
    "do does did can could would should will not even otherwise basically obviously again absolutely "
    "totally definitely great cool all some many most every everyone everything one here after before "
    "since while though although however plus hey hi hello wow whatever honestly look see say first "
    "second finally interesting correct true sorry please good to of with from by about"
).split())
TITLE_WORD = r"^[A-Z][a-z]+(?:['’-][A-Za-z]+)*[.,;:!?]*$"
_BREAK_WORDS = "|".join(re.escape(w).replace("'", "['’]")
                        for w in sorted({*NEVER_END, *RARELY_END}, key=len, reverse=True))
BREAK_HINT = rf"(?:^| )(?i:{_BREAK_WORDS})\. [A-Z][a-z]"  # rows where an in-segment break is possible
BREAK_END = rf"(?:^| )(?i:{_BREAK_WORDS})\.$"  # rows whose last word may run on into the next segment

REJECT_REASONS = {
    "empty": "blank or punctuation only: no words in the source text",
    "rolling_caption_repeat": "repeats the previous caption line (rolling captions)",
    "site_chrome": "trailing page furniture in another script, not part of the conversation",
}


# ---------------------------------------------------------------- expressions over tokens and rows


def _words(words: list[str] | frozenset[str]) -> pl.Expr:
    return pl.lit(pl.Series(sorted(words), dtype=pl.String)).implode()


_NEVER, _RARELY, _STARTERS = (_words(w) for w in (NEVER_END, RARELY_END, STARTERS))


def break_pair(before: pl.Expr, after: pl.Expr, protected: list[str]) -> pl.Expr:
    """True where token `before` ends in a period that is a chunking artefact, given the next token."""
    word = before.str.strip_suffix(".").str.to_lowercase().str.replace_all("’", "'", literal=True)
    core = after.str.replace(r"[.,;:!?]+$", "")
    starter = core.str.to_lowercase().str.replace_all("’", "'", literal=True).is_in(_STARTERS)
    proper = core.str.replace(r"['’]s$", "").is_in(_words(protected))
    return (before.str.contains(r"^[A-Za-z'’]+\.$") & after.str.contains(TITLE_WORD) & ~proper
            & (word.is_in(_NEVER) | (word.is_in(_RARELY) & ~starter)))


def lower_first(e: pl.Expr) -> pl.Expr:
    """The first character lower-cased."""
    return pl.concat_str(e.str.slice(0, 1).str.to_lowercase(), e.str.slice(1))


def rolling_words(text: pl.Expr) -> pl.Expr:
    """Display tokens compared case- and punctuation-insensitively (one-to-one with the display tokens)."""
    return text.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N} ]", "").str.split(" ")


def rolling_overlap(rows: pl.DataFrame, words: str, prev: str, max_n: int) -> pl.Series:
    """Per row: the words at the head of line `words` that repeat the tail of the previous line `prev`
    (list columns), at most max_n; 0 if not a clear repeat. Int32, one value per row.

    Clear: three or more words, or the whole line (two or more words, or identical to the previous).
    Only the n where word n of the line equals the previous line's last word can overlap, so those
    (few) are found first, from one column of every line's words, and only they are compared whole
    (comparing every n of 1..max_n on every row cost ~4x the rest of the rolling-caption rule).
    """
    w, pw, n = pl.col(words), pl.col(prev), pl.col("_n")
    lines = rows.select(w, pw).with_row_index("_r")
    heads = (lines.select("_r", w.alias("_x"), pl.int_ranges(1, w.list.len() + 1, dtype=pl.Int32).alias("_n"),
                          pw.list.last().alias("_last"), pw.list.len().alias("_len"))
             .explode("_x", "_n")
             .filter((pl.col("_x") == pl.col("_last")) & (n <= pl.col("_len")) & (n <= max_n))
             .select("_r", "_n"))
    best = (heads.join(lines, on="_r").filter(pw.list.tail(n) == w.list.head(n))
            .group_by("_r").agg(n.max().alias("_best")))
    best_n = pl.col("_best").fill_null(0)
    whole = best_n == w.list.len()
    clear = (best_n >= 3) | (whole & (best_n >= 2)) | (whole & (w == pw))
    return (lines.join(best, on="_r", how="left", maintain_order="left")
            .select(pl.when(clear).then(best_n).otherwise(0).fill_null(0).cast(pl.Int32))).to_series()


def trailing_chrome(text: pl.Expr, is_event: pl.Expr, file: str) -> pl.Expr:
    """At most three short lines after the last Latin-script line, in a mostly Latin-script transcript."""
    latin, letters = text.str.contains(r"\p{Latin}"), text.str.contains(r"\p{L}")
    after_last = latin.cast(pl.Int32).reverse().cum_sum().reverse().over(file) == 0
    mostly_latin = latin.sum().over(file) > 0.5 * letters.sum().over(file)
    return (after_last & mostly_latin & (after_last.sum().over(file) <= 3) & letters
            & (text.str.len_chars() <= 40) & ~is_event)
