"""From parsed, cleaned versions to the warehouse tables: group -> merge -> episode tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from transforms import dedup
from transforms.entities import find_mentions
from transforms.merge import Merged, Version, merge_episode, words_of_versions
from transforms.parsers.base import TranscriptMeta
from transforms.text_rules import fix_text
from transforms.schemas import (
    CHAPTERS, EPISODE_VERSIONS, EPISODES, MENTIONS, SEGMENTS, SPEAKERS, VERSION_LINKS,
)
from transforms.words import words_of_files


@dataclass(frozen=True)
class Grouping:
    links: pl.DataFrame  # VERSION_LINKS
    episode_of: dict[str, str]  # file_id -> episode_id


def version_words(versions: list[Version]) -> pl.DataFrame:
    """All versions' words with their file_id (the input of signatures)."""
    return words_of_files({v.file_id: v.segments for v in versions}).select("file_id", "pos", "tok")


def file_signatures(segments: dict[str, pl.DataFrame]) -> dict[str, pl.Series]:
    """file_id -> its sampled shingle hashes, from its cleaned segments (computed once, at staging)."""
    if not segments:
        return {}
    sigs = dedup.signatures(words_of_files(segments).select("file_id", "pos", "tok"))
    per_file = sigs.group_by("file_id").agg(pl.col("h").sort())
    return {fid: hs for fid, hs in zip(per_file["file_id"], per_file["h"])}


FILE_SIGNALS = {"file_id": pl.String, "video_id": pl.String, "show": pl.String, "episode_number": pl.Int32}


def file_table(metas: Mapping[str, TranscriptMeta | str | None]) -> pl.DataFrame:
    """file_id -> TranscriptMeta, or its JSON text (as the staged-file index keeps it: read here in
    one vectorised pass instead of parsing each), as the frame of metadata signals grouping uses."""
    parsed = pl.DataFrame(
        [{"file_id": fid, "video_id": m.video_id, "show": m.show, "episode_number": m.episode_number}
         for fid, m in metas.items() if m is not None and not isinstance(m, str)], schema=FILE_SIGNALS)
    texts = {fid: m for fid, m in metas.items() if m is None or isinstance(m, str)}
    if not texts:
        return parsed
    meta = pl.col("meta")
    return pl.concat([parsed, pl.DataFrame({"file_id": list(texts), "meta": list(texts.values())},
                                           schema={"file_id": pl.String, "meta": pl.String}).select(
        "file_id", *(meta.str.json_path_match(f"$.{name}").cast(dtype).alias(name)
                     for name, dtype in FILE_SIGNALS.items() if name != "file_id"))])


def group_versions(versions: list[Version], prior: dict[str, str] | None = None,
                   thresholds: dedup.Thresholds = dedup.Thresholds()) -> Grouping:
    """Decide which files are one episode; reuse prior episode ids so they stay stable."""
    files = file_table({v.file_id: v.meta for v in versions})
    roots, links = group_files(dedup.per_file(dedup.signatures(version_words(versions))), files, thresholds)
    return Grouping(links, assign_episode_ids(roots, prior or {}))


def group_signed(pairs: pl.DataFrame, metas: dict[str, object], sigs: Mapping[str, pl.Series],
                 prior: dict[str, str] | None = None, thresholds: dedup.Thresholds = dedup.Thresholds()) -> Grouping:
    """The same decision from candidate pairs of signatures computed at staging (`dedup.candidate_pairs`
    or the warehouse's hash index), file metadata, and file_id -> hashes (read only for weak links)."""
    roots, links = decide_and_group(pairs, file_table(metas), sigs, thresholds)
    return Grouping(links, assign_episode_ids(roots, prior or {}))


def group_files(sigs: dict[str, pl.Series], files: pl.DataFrame,
                thresholds: dedup.Thresholds = dedup.Thresholds()) -> tuple[dict[str, str], pl.DataFrame]:
    """Signatures (file_id -> hashes) + file metadata -> (file_id -> group root, VERSION_LINKS)."""
    return decide_and_group(dedup.candidate_pairs_of(sigs), files, sigs, thresholds)


def decide_and_group(pairs: pl.DataFrame, files: pl.DataFrame, sigs: Mapping[str, pl.Series],
                     thresholds: dedup.Thresholds = dedup.Thresholds()) -> tuple[dict[str, str], pl.DataFrame]:
    links = dedup.decide(pairs, dedup.metadata_pairs(files), files, thresholds) \
        if files.height else VERSION_LINKS.empty()
    return dedup.group(sorted(files["file_id"]), links, sigs, thresholds)


def assign_episode_ids(roots: dict[str, str], prior: dict[str, str]) -> dict[str, str]:
    """Group root -> episode id: the smallest prior id of any member, else 'ep_' + root prefix."""
    members: dict[str, list[str]] = {}
    for f, r in roots.items():
        members.setdefault(r, []).append(f)
    out = {}
    for root, files in members.items():
        earlier = sorted(prior[f] for f in files if f in prior)
        eid = earlier[0] if earlier else f"ep_{root[:16]}"
        out.update({f: eid for f in files})
    return out


EPISODE_TABLES = (EPISODES, EPISODE_VERSIONS, SEGMENTS, SPEAKERS, CHAPTERS, MENTIONS)


def episodes_of(versions: list[Version], grouping: Grouping) -> dict[str, list[Version]]:
    """Episode id -> its versions (sorted by file id, so input order never matters)."""
    out: dict[str, list[Version]] = {}
    for v in sorted(versions, key=lambda v: v.file_id):
        out.setdefault(grouping.episode_of[v.file_id], []).append(v)
    return dict(sorted(out.items()))


def build_episode_tables(versions: list[Version], grouping: Grouping,
                         glossary: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Merge each episode's versions and assemble every episode-level table."""
    per_episode = [episode_tables(eid, vs, grouping.links, glossary)
                   for eid, vs in episodes_of(versions, grouping).items()]
    tables = concat_episode_tables(per_episode)
    tables["version_links"] = grouping.links
    return tables


def concat_episode_tables(per_episode: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Stack per-episode frames table by table (every table present, even when empty)."""
    return {t.name: pl.concat([p[t.name] for p in per_episode]) if per_episode else t.empty()
            for t in EPISODE_TABLES}


def episode_tables(eid: str, versions: list[Version], links: pl.DataFrame,
                   glossary: pl.DataFrame | None = None, with_mentions: bool = True,
                   words: dict | None = None) -> dict[str, pl.DataFrame]:
    """One episode: merge, then its rows in every episode-level table (mentions left out if asked,
    and `words` given: `many_episode_tables` finds both for many episodes in one pass)."""
    merged = merge_episode(versions, words=words)
    segs = SEGMENTS.conform(pl.DataFrame(merged.segments, schema=SEGMENT_SCHEMA)
                            .with_columns(pl.lit(eid).alias("episode_id")))
    return {
        "segments": segs,
        "episodes": EPISODES.conform(pl.DataFrame([episode_row(eid, merged, segs)], infer_schema_length=None)),
        "episode_versions": version_rows(eid, merged, links),
        "speakers": speaker_rows(eid, merged, segs),
        "chapters": chapter_rows(eid, merged),
        "mentions": mentions(segs, glossary) if with_mentions else MENTIONS.empty(),
    }


SEGMENT_SCHEMA = {name: dtype for name, dtype in SEGMENTS.schema.items() if name != "episode_id"}  # Merged.segments
WORDS_EPISODES = 8  # episodes whose versions' words are found in one query


def many_episode_tables(jobs: list[tuple[str, list[Version]]], links: pl.DataFrame,
                        glossary: pl.DataFrame | None = None) -> list[dict[str, pl.DataFrame]]:
    """`episode_tables` for several episodes, with one word-splitting pass per few episodes' versions
    and one entity-matching pass over all their segments."""
    out = []
    for i in range(0, len(jobs), WORDS_EPISODES):  # (a few at a time: a version's words take MBs as lists)
        part = jobs[i:i + WORDS_EPISODES]
        words = words_of_versions([v for _, vs in part for v in vs])  # (a file is in one episode)
        out += [episode_tables(eid, versions, links, glossary, with_mentions=False, words=words)
                for eid, versions in part]
    if glossary is None or not out:
        return out
    found = mentions(pl.concat([o["segments"] for o in out]), glossary)
    by_episode = found.partition_by("episode_id", as_dict=True, maintain_order=True)
    for (eid, _), tables in zip(jobs, out):
        tables["mentions"] = by_episode.get((eid,), MENTIONS.empty())
    return out


def _first(values: list) -> object:
    return next((v for v in values if v not in (None, [], "")), None)


def episode_row(eid: str, merged: Merged, segs: pl.DataFrame) -> dict:
    """Episode metadata: each field from the best-ranked version that has it."""
    metas = [v.meta for v in merged.ranked]
    vid = _first([m.video_id for m in metas])
    last_end = segs["end_s"].max()
    return {
        "episode_id": eid, "title": _first([m.title for m in metas]), "show_name": _first([m.show for m in metas]),
        "episode_number": _first([m.episode_number for m in metas]), "video_id": vid,
        "video_url": f"https://www.youtube.com/watch?v={vid}" if vid else None,
        "published_date": _iso_date(_first([m.published_date for m in metas])),
        "hosts": _first([m.hosts for m in metas]) or [], "guests": _first([m.guests for m in metas]) or [],
        "duration_s": _first([m.duration_s for m in metas]) or last_end,
        "description": _description(metas),
        "n_versions": len(merged.ranked), "n_segments": segs.height, "n_words": int(segs["n_words"].sum()),
        "canonical_file_id": merged.canonical.file_id,
    }


def _description(metas: list) -> str | None:
    text = _first([m.extra.get(k) for m in metas for k in ("description", "executive_summary", "summary")])
    return fix_text(str(text)) if text else None


def _iso_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def version_rows(eid: str, merged: Merged, links: pl.DataFrame) -> pl.DataFrame:
    """Per version: role, rank, metrics, and the link that joined it to the canonical."""
    info = {v.file_id: v for v in merged.ranked}
    canon = merged.canonical.file_id
    rows = []
    for m in merged.versions:
        link = _link(links, canon, m["file_id"])
        v = info[m["file_id"]]
        rows.append({**m, "episode_id": eid, "format": v.format, "kind": v.kind,
                     "similarity": 1.0 if m["file_id"] == canon else (link or {}).get("containment"),
                     "join_signal": "canonical" if m["file_id"] == canon else (link or {}).get("signal", "transitive"),
                     "join_score": 1.0 if m["file_id"] == canon else (link or {}).get("score")})
    return EPISODE_VERSIONS.conform(pl.DataFrame(rows, infer_schema_length=None))


def _link(links: pl.DataFrame, a: str, b: str) -> dict | None:
    lo, hi = min(a, b), max(a, b)
    hit = links.filter((pl.col("file_a") == lo) & (pl.col("file_b") == hi))
    return hit.to_dicts()[0] if hit.height else None


def speaker_rows(eid: str, merged: Merged, segs: pl.DataFrame) -> pl.DataFrame:
    """Words, talk time and turns per named speaker; teasers and events excluded."""
    hosts = set(_first([v.meta.hosts for v in merged.ranked]) or [])
    guests = set(_first([v.meta.guests for v in merged.ranked]) or [])
    speech = segs.filter(~pl.col("is_event"))
    turns = speech.with_columns(
        (pl.col("speaker") != pl.col("speaker").shift(1)).fill_null(True).alias("new_turn"))
    out = (
        turns.filter(pl.col("speaker").is_not_null())
        .group_by("speaker")
        .agg(pl.col("new_turn").sum().cast(pl.Int32).alias("n_turns"),
             pl.col("n_words").filter(~pl.col("is_teaser")).sum().cast(pl.Int64).alias("words"),
             (pl.col("end_s") - pl.col("start_s")).filter(~pl.col("is_teaser")).sum().alias("seconds"))
        .rename({"speaker": "name"})
        .with_columns(
            pl.lit(eid).alias("episode_id"),
            pl.when(pl.col("name").is_in(list(hosts))).then(pl.lit("host"))
            .when(pl.col("name").is_in(list(guests))).then(pl.lit("guest")).otherwise(pl.lit("unknown"))
            .alias("role"))
        .sort("name")
    )
    return SPEAKERS.conform(out)


def chapter_rows(eid: str, merged: Merged) -> pl.DataFrame:
    """Chapters from the best-ranked version that has them, moved onto the canonical clock."""
    offsets = {m["file_id"]: m["offset_s"] or 0.0 for m in merged.versions}
    source = next((v for v in merged.ranked if v.meta.chapters), None)
    if source is None:
        return CHAPTERS.empty()
    rows = [{"episode_id": eid, "seq": i, "title": c.title, "summary": c.summary,
             "start_s": None if c.start_s is None else max(0.0, c.start_s - offsets.get(source.file_id, 0.0)),
             "source_file_id": source.file_id} for i, c in enumerate(source.meta.chapters)]
    return CHAPTERS.conform(pl.DataFrame(rows, infer_schema_length=None))


def mentions(segments: pl.DataFrame, glossary: pl.DataFrame | None) -> pl.DataFrame:
    """Glossary entities per segment (none without a glossary)."""
    if glossary is None or segments.is_empty():
        return MENTIONS.empty()
    speech = segments.filter(~pl.col("is_event")).select("episode_id", "seq", "speaker", "text")
    return MENTIONS.conform(find_mentions(speech, glossary))
