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
from transforms.words import matching_words, words_of_files


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
    sigs = dedup.signatures(matching_words(segments), ordered=True)
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
    return regroup(pairs, metas, sigs, prior, thresholds=thresholds)[0]


@dataclass(frozen=True)
class LastGrouping:
    """A grouping as `regroup` keeps it for the next one: each file's metadata signals (FILE_SIGNALS),
    `component` of joined links and group `root`, and the links as decided before and after `dedup.group`
    refused some (both VERSION_LINKS)."""

    files: pl.DataFrame
    decided: pl.DataFrame
    links: pl.DataFrame


def regroup(pairs: pl.DataFrame, metas: Mapping[str, object], sigs: Mapping[str, pl.Series],
            prior: dict[str, str] | None = None, last: LastGrouping | None = None,
            changed: set[str] | None = None, thresholds: dedup.Thresholds = dedup.Thresholds(),
            ) -> tuple[Grouping, LastGrouping]:
    """`group_signed`, deciding again only what changed since the `last` grouping.

    `changed`: the files whose candidate pairs differ from those `last` was decided on (added,
    removed, or a pair's shared count changed: the hash index knows); None if unknown (then, or
    without `last`, everything is decided). A pair of two unchanged files has the same counts and
    metadata, so the same decision. `dedup.group` never weighs a link against another component of
    joined links, so a component that no changed file is in or was linked to keeps its groups and
    refusals; only the components the changes reach are grouped again. The result equals a full
    grouping (tests/warehouse/test_hash_index.py); at 10^4 files one new file regroups a few dozen."""
    if last is None or changed is None:
        files = file_table(metas)
        decided = _decide(pairs, files, thresholds)
        ids = sorted(files["file_id"])
        roots, refused = dedup.group_refusals(ids, decided, sigs, thresholds)
        links, comps = dedup.refuse(decided, refused), dedup.components(ids, decided)
    else:
        now = pl.Series(sorted(metas), dtype=pl.String)
        known = last.files.filter(pl.col("file_id").is_in(now.implode()))
        added = sorted(set(metas) - set(known["file_id"].to_list()))
        gone = set(last.files["file_id"].to_list()) - set(metas)
        touched_ids = pl.Series(sorted(set(changed) | set(added) | gone), dtype=pl.String)
        touched = touched_ids.implode()
        touching = pl.col("file_a").is_in(touched) | pl.col("file_b").is_in(touched)
        files = pl.concat([known.select(list(FILE_SIGNALS)), file_table({f: metas[f] for f in added})])
        fresh = _decide(pairs.filter(touching), files, thresholds, only=touched)
        # the files whose groups may change: the changed ones, their partners before and now, and
        # every file of those files' components before
        seen = pl.concat([last.decided.filter(touching), fresh])
        reach = pl.concat([touched_ids, seen["file_a"], seen["file_b"]]).implode()
        was = last.files.filter(pl.col("file_id").is_in(reach))["component"].implode()
        again = pl.concat([reach.explode(), last.files.filter(pl.col("component").is_in(was))["file_id"]])
        redo = sorted(set(again.filter(again.is_in(now.implode())).to_list()))
        inside_r = pl.Series(redo, dtype=pl.String).implode()
        decided = pl.concat([last.decided.filter(~touching), fresh])
        near = pl.col("file_a").is_in(inside_r) | pl.col("file_b").is_in(inside_r)
        within = decided.filter(pl.col("file_a").is_in(inside_r) & pl.col("file_b").is_in(inside_r))
        roots, refused = dedup.group_refusals(redo, within, sigs, thresholds)
        links = pl.concat([last.links.filter(~touching & ~near), dedup.refuse(decided.filter(near), refused)])
        same = known.filter(~pl.col("file_id").is_in(inside_r))
        roots |= dict(zip(same["file_id"].to_list(), same["root"].to_list()))
        comps = dict(zip(same["file_id"].to_list(), same["component"].to_list())) | dedup.components(redo, within)
    decided, links = decided.sort("file_a", "file_b"), links.sort("file_a", "file_b")
    ids = files["file_id"]
    kept = LastGrouping(files.select(list(FILE_SIGNALS)).with_columns(
        ids.replace_strict(comps, return_dtype=pl.String).alias("component"),
        ids.replace_strict(roots, return_dtype=pl.String).alias("root")), decided, links)
    return Grouping(links, assign_episode_ids(roots, prior or {})), kept


def _decide(pairs: pl.DataFrame, files: pl.DataFrame, thresholds: dedup.Thresholds,
            only: pl.Series | None = None) -> pl.DataFrame:
    """`dedup.decide` over content pairs and the metadata pairs of `files` (of them, only those with a
    file in `only`, an imploded Series of file ids)."""
    if not files.height:
        return VERSION_LINKS.empty()
    if only is None:
        return dedup.decide(pairs, dedup.metadata_pairs(files), files, thresholds)
    videos = files.filter(pl.col("file_id").is_in(only))["video_id"].drop_nulls().implode()
    meta = dedup.metadata_pairs(files.filter(pl.col("video_id").is_in(videos))).filter(
        pl.col("file_a").is_in(only) | pl.col("file_b").is_in(only))
    return dedup.decide(pairs, meta, files, thresholds)


def group_files(sigs: dict[str, pl.Series], files: pl.DataFrame,
                thresholds: dedup.Thresholds = dedup.Thresholds()) -> tuple[dict[str, str], pl.DataFrame]:
    """Signatures (file_id -> hashes) + file metadata -> (file_id -> group root, VERSION_LINKS)."""
    decided = _decide(dedup.candidate_pairs_of(sigs), files, thresholds)
    return dedup.group(sorted(files["file_id"]), decided, sigs, thresholds)


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
    tables = tables_of_merged(merge_all(list(episodes_of(versions, grouping).items())), grouping.links, glossary)
    tables["version_links"] = grouping.links
    return tables


SEGMENT_SCHEMA = {name: dtype for name, dtype in SEGMENTS.schema.items() if name != "episode_id"}  # Merged.segments
WORDS_EPISODES = 8  # episodes whose versions' words are found in one query


def merge_all(jobs: list[tuple[str, list[Version]]]) -> list[tuple[str, Merged]]:
    """Merge each (episode id, versions) job, the versions' words found for a few episodes per query."""
    out = []
    for i in range(0, len(jobs), WORDS_EPISODES):  # (a few at a time: a version's words take MBs as lists)
        part = jobs[i:i + WORDS_EPISODES]
        words = words_of_versions([v for _, vs in part for v in vs])  # (a file is in one episode)
        out += [(eid, merge_episode(versions, words=words)) for eid, versions in part]
    return out


def many_episode_tables(jobs: list[tuple[str, list[Version]]], links: pl.DataFrame,
                        glossary: pl.DataFrame | None = None) -> list[dict[str, pl.DataFrame]]:
    """`episode_tables` of many episodes, each table built once for all of them and then split by
    episode (per-episode polars calls cost more than the rows in them)."""
    tables = tables_of_merged(merge_all(jobs), links, glossary)
    parts = {t.name: tables[t.name].partition_by("episode_id", as_dict=True, maintain_order=True)
             for t in EPISODE_TABLES}
    empty = {t.name: t.empty() for t in EPISODE_TABLES}  # (made once: a frame costs ~70 us to make)
    return [{name: part.get((eid,), empty[name]) for name, part in parts.items()} for eid, _ in jobs]


def tables_of_merged(merged: list[tuple[str, Merged]], links: pl.DataFrame,
                     glossary: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Every episode-level table of these merged episodes, each in one frame (episodes in order)."""
    segs = segment_rows(merged)
    return {
        "segments": segs,
        "episodes": EPISODES.conform(pl.DataFrame([episode_row(eid, m) for eid, m in merged],
                                                  infer_schema_length=None)) if merged else EPISODES.empty(),
        "episode_versions": version_rows(merged, links),
        "speakers": speaker_rows(merged, segs),
        "chapters": chapter_rows(merged),
        "mentions": mentions(segs, glossary),
    }


def segment_rows(merged: list[tuple[str, Merged]]) -> pl.DataFrame:
    """The merged episodes' segment columns, stacked, with their episode ids."""
    cols: dict[str, list] = {name: [] for name in SEGMENT_SCHEMA if name != "rules"}
    eids: list[str] = []
    for eid, m in merged:
        for name, values in cols.items():
            values += m.segments[name]
        eids += [eid] * len(m.segments["seq"])
    rules = pl.concat([m.segments["rules"] for _, m in merged]) if merged else pl.Series([], dtype=SEGMENTS.schema["rules"])
    return SEGMENTS.conform(pl.DataFrame({**cols, "rules": rules, "episode_id": eids},
                                         schema={**SEGMENT_SCHEMA, "episode_id": pl.String}))


def _first(values: list) -> object:
    return next((v for v in values if v not in (None, [], "")), None)


def episode_row(eid: str, merged: Merged) -> dict:
    """Episode metadata: each field from the best-ranked version that has it."""
    metas = [v.meta for v in merged.ranked]
    vid = _first([m.video_id for m in metas])
    segs = merged.segments
    last_end = max((e for e in segs["end_s"] if e is not None), default=None)
    return {
        "episode_id": eid, "title": _first([m.title for m in metas]), "show_name": _first([m.show for m in metas]),
        "episode_number": _first([m.episode_number for m in metas]), "video_id": vid,
        "video_url": f"https://www.youtube.com/watch?v={vid}" if vid else None,
        "published_date": _iso_date(_first([m.published_date for m in metas])),
        "hosts": _first([m.hosts for m in metas]) or [], "guests": _first([m.guests for m in metas]) or [],
        "duration_s": _first([m.duration_s for m in metas]) or last_end,
        "description": _description(metas),
        "n_versions": len(merged.ranked), "n_segments": len(segs["seq"]), "n_words": sum(segs["n_words"]),
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


def version_rows(merged: list[tuple[str, Merged]], links: pl.DataFrame) -> pl.DataFrame:
    """Per version: role, rank, metrics, and the link that joined it to the canonical."""
    files = [v.file_id for _, m in merged for v in m.ranked]
    near = links.filter(pl.col("file_a").is_in(files) & pl.col("file_b").is_in(files)) if files else links.clear()
    link_of: dict[tuple[str, str], dict] = {}
    for row in near.to_dicts():
        link_of.setdefault((row["file_a"], row["file_b"]), row)  # (the first, as a filter would find)
    rows = []
    for eid, m in merged:
        info = {v.file_id: v for v in m.ranked}
        canon = m.canonical.file_id
        for metrics in m.versions:
            fid = metrics["file_id"]
            link = link_of.get((min(canon, fid), max(canon, fid))) or {}
            rows.append({**metrics, "episode_id": eid, "format": info[fid].format, "kind": info[fid].kind,
                         "similarity": 1.0 if fid == canon else link.get("containment"),
                         "join_signal": "canonical" if fid == canon else link.get("signal", "transitive"),
                         "join_score": 1.0 if fid == canon else link.get("score")})
    return EPISODE_VERSIONS.conform(pl.DataFrame(rows, infer_schema_length=None)) if rows else EPISODE_VERSIONS.empty()


def speaker_rows(merged: list[tuple[str, Merged]], segs: pl.DataFrame) -> pl.DataFrame:
    """Words, talk time and turns per named speaker and episode; teasers and events excluded."""
    roles = []  # (episode, name, role): a host first, a guest if not a host
    for eid, m in merged:
        hosts = _first([v.meta.hosts for v in m.ranked]) or []
        guests = _first([v.meta.guests for v in m.ranked]) or []
        roles += [(eid, h, "host") for h in hosts] + [(eid, g, "guest") for g in guests if g not in hosts]
    role = pl.DataFrame(roles, schema={"episode_id": pl.String, "name": pl.String, "role": pl.String},
                        orient="row").unique(["episode_id", "name"], keep="first")
    speech = segs.filter(~pl.col("is_event"))
    turns = speech.with_columns(
        (pl.col("speaker") != pl.col("speaker").shift(1).over("episode_id")).fill_null(True).alias("new_turn"))
    out = (
        turns.filter(pl.col("speaker").is_not_null())
        .group_by("episode_id", "speaker")
        .agg(pl.col("new_turn").sum().cast(pl.Int32).alias("n_turns"),
             pl.col("n_words").filter(~pl.col("is_teaser")).sum().cast(pl.Int64).alias("words"),
             (pl.col("end_s") - pl.col("start_s")).filter(~pl.col("is_teaser")).sum().alias("seconds"))
        .rename({"speaker": "name"})
        .join(role, on=["episode_id", "name"], how="left")
        .with_columns(pl.col("role").fill_null("unknown"))
        .sort("episode_id", "name")
    )
    return SPEAKERS.conform(out)


def chapter_rows(merged: list[tuple[str, Merged]]) -> pl.DataFrame:
    """Chapters from the best-ranked version that has them, moved onto the canonical clock."""
    rows = []
    for eid, m in merged:
        offsets = {v["file_id"]: v["offset_s"] or 0.0 for v in m.versions}
        source = next((v for v in m.ranked if v.meta.chapters), None)
        if source is None:
            continue
        rows += [{"episode_id": eid, "seq": i, "title": c.title, "summary": c.summary,
                  "start_s": None if c.start_s is None else max(0.0, c.start_s - offsets.get(source.file_id, 0.0)),
                  "source_file_id": source.file_id} for i, c in enumerate(source.meta.chapters)]
    return CHAPTERS.conform(pl.DataFrame(rows, infer_schema_length=None)) if rows else CHAPTERS.empty()


def mentions(segments: pl.DataFrame, glossary: pl.DataFrame | None) -> pl.DataFrame:
    """Glossary entities per segment (none without a glossary)."""
    if glossary is None or segments.is_empty():
        return MENTIONS.empty()
    speech = segments.filter(~pl.col("is_event")).select("episode_id", "seq", "speaker", "text")
    return MENTIONS.conform(find_mentions(speech, glossary))
