"""Assemble every warehouse table from the staged files: copies marked, episodes built."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from transforms.build import build_episode_tables, group_versions
from transforms.parsers import PARSER_VERSION
from transforms.schemas import PARSE_WARNINGS, REJECTS, SOURCE_FILES
from warehouse.stage import Staged


def assemble(staged: list[Staged], prior_ids: dict[str, str], seen: dict[str, datetime],
             glossary: pl.DataFrame | None, quarantine: dict[str, str] | None = None) -> dict[str, pl.DataFrame]:
    """All tables for this set of files; `quarantine` (file_id -> reason) holds files back."""
    quarantine = quarantine or {}
    rows = sorted(staged, key=lambda s: s.path)
    first_path: dict[str, str] = {}
    for s in rows:
        first_path.setdefault(s.file_id, s.path)
    loaded = [s for s in rows if s.status == "loaded" and first_path[s.file_id] == s.path
              and s.file_id not in quarantine]
    versions = [s.version for s in loaded]
    grouping = group_versions(versions, prior_ids)
    tables = build_episode_tables(versions, grouping, glossary)
    tables["source_files"] = source_files(rows, first_path, seen, quarantine)
    tables["rejects"] = rejects(rows, first_path, quarantine)
    tables["parse_warnings"] = parse_warnings(rows, first_path)
    return tables


def source_files(rows: list[Staged], first_path: dict[str, str], seen: dict[str, datetime],
                 quarantine: dict[str, str]) -> pl.DataFrame:
    now = datetime.now(UTC).replace(microsecond=0)
    out = []
    for s in rows:
        copy_of = first_path[s.file_id] if first_path[s.file_id] != s.path else None
        status, reason = s.status, s.reason
        if copy_of:
            status, reason = "duplicate_copy", f"same bytes as {copy_of}"
        elif s.file_id in quarantine:
            status, reason = "quarantined", quarantine[s.file_id]
        out.append({
            "file_id": s.file_id, "path": s.path, "size_bytes": s.size_bytes, "format": s.format,
            "kind": s.kind, "status": status, "reason": reason, "archive_path": s.archive_path,
            "copy_of": copy_of, "n_segments": s.version.segments.height if s.version else 0,
            "n_warnings": len(s.warnings), "ingested_at": seen.get(s.file_id, now),
            "parser_version": PARSER_VERSION,
        })
    return SOURCE_FILES.conform(pl.DataFrame(out, infer_schema_length=None)) if out else SOURCE_FILES.empty()


def rejects(rows: list[Staged], first_path: dict[str, str], quarantine: dict[str, str]) -> pl.DataFrame:
    """File-level quarantines and segment-level removals, each with its rule and reason."""
    out = []
    for s in rows:
        if first_path[s.file_id] != s.path:
            continue
        if s.status == "quarantined" or s.file_id in quarantine:
            rule = "validation" if s.file_id in quarantine else "parse"
            out.append({"file_id": s.file_id, "path": s.path, "scope": "file", "seq": None, "rule": rule,
                        "reason": quarantine.get(s.file_id) or s.reason, "content": None,
                        "archive_path": s.archive_path})
        for r in s.rejects:
            out.append({"file_id": s.file_id, "path": s.path, "scope": "segment", "seq": r["seq"],
                        "rule": r["rule"], "reason": r["reason"], "content": r["content"],
                        "archive_path": s.archive_path})
    return REJECTS.conform(pl.DataFrame(out, infer_schema_length=None)) if out else REJECTS.empty()


def parse_warnings(rows: list[Staged], first_path: dict[str, str]) -> pl.DataFrame:
    out = [{"file_id": s.file_id, "line": w.get("line"), "code": w["code"], "message": w["message"]}
           for s in rows if first_path[s.file_id] == s.path for w in s.warnings]
    return PARSE_WARNINGS.conform(pl.DataFrame(out, infer_schema_length=None)) if out else PARSE_WARNINGS.empty()
