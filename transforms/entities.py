"""Entity mentions: glossary names and aliases found in segment text, one vectorised regex pass.

The glossary (config/glossary.csv, read by the caller) has columns entity, type, aliases,
safe_aliases (both '|'-separated) and case_sensitive. Names that are also common words (Meta,
Apple, Scout) are matched with their case only.
"""

from __future__ import annotations

import re

import polars as pl

from transforms.schemas import MENTIONS


def alias_table(glossary: pl.DataFrame) -> pl.DataFrame:
    """One row per surface form: (key, entity, entity_type, case_sensitive); key is the lookup form."""
    rows = []
    for entity, etype, aliases, safe, case in glossary.select(
            "entity", "type", "aliases", "safe_aliases", "case_sensitive").iter_rows():
        sensitive = str(case).strip().lower() == "true"
        listed = f"{aliases or ''}|{safe or ''}".split("|")
        forms = {entity, *(a.partition("=")[0].strip() for a in listed if a.strip())}
        for form in forms:
            rows.append({"form": form, "entity": entity, "entity_type": etype, "case_sensitive": sensitive})
    table = pl.DataFrame(rows, schema={"form": pl.String, "entity": pl.String, "entity_type": pl.String,
                                       "case_sensitive": pl.Boolean})
    return table.with_columns(
        pl.when(pl.col("case_sensitive")).then(pl.col("form")).otherwise(pl.col("form").str.to_lowercase())
        .alias("key")).unique("key", keep="first", maintain_order=True)


def mention_pattern(aliases: pl.DataFrame) -> str:
    """One alternation, longest form first, whole words; case-insensitive groups where allowed."""
    parts = []
    for form, sensitive in aliases.sort(pl.col("form").str.len_chars(), descending=True).select(
            "form", "case_sensitive").iter_rows():
        escaped = re.escape(form)
        parts.append(escaped if sensitive else f"(?i:{escaped})")
    return r"\b(?:" + "|".join(parts) + r")\b"


def find_mentions(segments: pl.DataFrame, glossary: pl.DataFrame) -> pl.DataFrame:
    """(episode_id, seq, speaker, text) -> MENTIONS rows, one per match, surface as written."""
    aliases = alias_table(glossary)
    if segments.is_empty() or aliases.is_empty():
        return MENTIONS.empty()
    found = (
        segments.lazy()
        .select("episode_id", "seq", "speaker", pl.col("text").str.extract_all(mention_pattern(aliases)).alias("surface"))
        .explode("surface")
        .filter(pl.col("surface").is_not_null())
        .collect()
    )
    exact = found.join(aliases.filter("case_sensitive").select("key", "entity", "entity_type"),
                       left_on="surface", right_on="key", how="left")
    loose = aliases.filter(~pl.col("case_sensitive")).select(
        "key", pl.col("entity").alias("entity_i"), pl.col("entity_type").alias("entity_type_i"))
    both = exact.with_columns(pl.col("surface").str.to_lowercase().alias("_low")).join(
        loose, left_on="_low", right_on="key", how="left")
    out = both.with_columns(
        pl.coalesce("entity", "entity_i").alias("entity"),
        pl.coalesce("entity_type", "entity_type_i").alias("entity_type"),
    ).filter(pl.col("entity").is_not_null())
    counted = out.group_by("episode_id", "seq", "speaker", "entity", "entity_type", "surface").agg(
        pl.len().alias("n"))
    return MENTIONS.conform(counted).sort("episode_id", "seq", "entity", "surface")
