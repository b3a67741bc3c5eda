"""Glossary entities: name repair in display text and mentions per segment, each one vectorised pass.

The glossary (config/glossary.csv, read by the caller) has columns entity, type, aliases and
safe_aliases ('|'-separated) and optionally case_sensitive (true/false; absent means true).
`aliases` are surface forms counted as mentions; `safe_aliases` are misspellings that may also be
rewritten in display text, to the entity name or to the text after '=' ("Lampert=Lambert", so a
surname alone never grows into a full name). Possessive 's is matched on every form.
"""

from __future__ import annotations

import re

import polars as pl

from transforms.schemas import MENTIONS

_POSSESSIVE = r"['’]s$"


def _split(cell: str | None) -> list[str]:
    return [a.strip() for a in (cell or "").split("|") if a.strip()]


def _case_sensitive(glossary: pl.DataFrame) -> pl.Expr:
    if "case_sensitive" not in glossary.columns:
        return pl.lit(True)
    return pl.col("case_sensitive").cast(pl.String).str.to_lowercase().str.strip_chars().ne("false")


def alias_table(glossary: pl.DataFrame) -> pl.DataFrame:
    """One row per surface form: form, entity, entity_type, case_sensitive, key (the lookup form)."""
    g = glossary.with_columns(_case_sensitive(glossary).alias("_cs"))
    rows = []
    cols = ("entity", "type", "aliases", "safe_aliases", "_cs")
    for entity, etype, aliases, safe, sensitive in g.select(cols).iter_rows():
        forms = {entity, *_split(aliases), *(a.partition("=")[0].strip() for a in _split(safe))}
        rows += [{"form": f, "entity": entity, "entity_type": etype, "case_sensitive": sensitive} for f in forms]
    table = pl.DataFrame(rows, schema={"form": pl.String, "entity": pl.String, "entity_type": pl.String,
                                       "case_sensitive": pl.Boolean})
    return table.with_columns(_key(pl.col("form"), pl.col("case_sensitive")).alias("key")).unique(
        "key", keep="first", maintain_order=True)


def _key(surface: pl.Expr, sensitive: pl.Expr) -> pl.Expr:
    base = surface.str.replace(_POSSESSIVE, "")
    return pl.when(sensitive).then(base).otherwise(base.str.to_lowercase())


def _bounded(form: str, possessive: bool = True) -> str:
    """Escaped form with word boundaries only where the form starts/ends with a word character."""
    pre = r"\b" if re.match(r"\w", form[0]) else ""
    post = (r"(?:['’]s)?\b" if possessive else r"\b") if re.match(r"\w", form[-1]) else ""
    return f"{pre}{re.escape(form)}{post}"


def mention_pattern(aliases: pl.DataFrame) -> str:
    """One alternation of every form, longest first (leftmost-first wins), case-insensitive where allowed."""
    parts = []
    for form, sensitive in aliases.sort(pl.col("form").str.len_chars(), descending=True).select(
            "form", "case_sensitive").iter_rows():
        parts.append(_bounded(form) if sensitive else f"(?i:{_bounded(form)})")
    return "|".join(parts)


def find_mentions(segments: pl.DataFrame, glossary: pl.DataFrame) -> pl.DataFrame:
    """(episode_id, seq, speaker, text) -> MENTIONS rows: entity, its type, the surface as written, count."""
    aliases = alias_table(glossary)
    if segments.is_empty() or aliases.is_empty():
        return MENTIONS.empty()
    found = (
        segments.lazy()
        .select("episode_id", "seq", "speaker",
                pl.col("text").str.extract_all(mention_pattern(aliases)).alias("surface"))
        .explode("surface")
        .filter(pl.col("surface").is_not_null())
        .with_columns(_key(pl.col("surface"), pl.lit(True)).alias("_exact"),
                      _key(pl.col("surface"), pl.lit(False)).alias("_loose"))
        .collect()
    )
    lookup = aliases.select("key", "entity", "entity_type", "case_sensitive")
    exact = found.join(lookup.filter("case_sensitive").drop("case_sensitive"), left_on="_exact", right_on="key",
                       how="left")
    loose = lookup.filter(~pl.col("case_sensitive")).select(
        "key", pl.col("entity").alias("_entity"), pl.col("entity_type").alias("_type"))
    both = exact.join(loose, left_on="_loose", right_on="key", how="left").with_columns(
        pl.coalesce("entity", "_entity").alias("entity"), pl.coalesce("entity_type", "_type").alias("entity_type"))
    counted = both.filter(pl.col("entity").is_not_null()).group_by(
        "episode_id", "seq", "speaker", "entity", "entity_type", "surface").agg(pl.len().alias("n"))
    return MENTIONS.conform(counted).sort("episode_id", "seq", "entity", "surface")


# ---------------------------------------------------------------- name repair


def name_repairs(glossary: pl.DataFrame) -> list[tuple[str, str]]:
    """(regex, replacement) for every safe alias, longest alias first.

    Multi-word aliases match in any case ("sacha della"); one-word aliases keep their case unless the
    entity is marked case_sensitive=false ("deepseek" in lower-case captions).
    """
    g = glossary.with_columns(_case_sensitive(glossary).alias("_cs"))
    pairs = {}
    for entity, safe, sensitive in g.select("entity", "safe_aliases", "_cs").iter_rows():
        for item in _split(safe):
            alias, _, target = (s.strip() for s in item.partition("="))
            target = target or entity
            if alias and alias != target:
                flags = "" if sensitive and " " not in alias else "(?i)"
                pattern = flags + _bounded(alias, possessive=False)
                pairs[pattern] = (len(alias), target.replace("$", "$$"))
    return [(p, t) for p, (_, t) in sorted(pairs.items(), key=lambda kv: (-kv[1][0], kv[0]))]


def any_alias_pattern(repairs: list[tuple[str, str]]) -> str:
    """One case-insensitive pattern that matches wherever some repair might apply (a cheap row filter)."""
    return "(?i)" + "|".join(p.removeprefix("(?i)") for p, _ in repairs)


def repair_names_expr(col: str | pl.Expr, repairs: list[tuple[str, str]]) -> pl.Expr:
    """Display text with every safe alias replaced by its canonical name, whole words only."""
    e = pl.col(col) if isinstance(col, str) else col
    for pattern, target in repairs:
        e = e.str.replace_all(pattern, target)
    return e


def canonical_words(glossary: pl.DataFrame) -> set[str]:
    """Words name repair may write: entity names and '=' targets (for the never-adds-words check)."""
    words = set()
    for entity, safe in glossary.select("entity", "safe_aliases").iter_rows():
        words.update(entity.split())
        for item in _split(safe):
            words.update(item.partition("=")[2].split())
    return words


def proper_words(glossary: pl.DataFrame | None) -> list[str]:
    """Capitalised words of names and aliases: sentence-break repair never lower-cases them."""
    if glossary is None:
        return []
    words = set()
    for row in glossary.select("entity", "aliases", "safe_aliases").iter_rows():
        for cell in row:
            for form in _split(cell):
                words.update(w.strip(".,;:!?") for w in re.split(r"[\s=]+", form) if w[:1].isupper())
    return sorted(w for w in words if w)
