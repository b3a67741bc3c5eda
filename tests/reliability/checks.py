"""Run one catalogue case through staging and report what happened (used by the tests and by
scripts/catalogue_table.py, which writes the README table)."""

from __future__ import annotations

from pathlib import Path

from transforms.clean import CleanOptions
from warehouse.layout import Layout
from warehouse.stage import Staged, stage_file


def stage_bytes(tmp: Path, name: str, raw: bytes) -> Staged:
    inbox = tmp / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    path.write_bytes(raw)
    return stage_file(path, name, Layout(tmp / "wh").ensure(), CleanOptions(), None)


def outcome_of(staged: Staged) -> str:
    """'quarantined: <reason>' or 'loaded (<warning codes>)'."""
    if staged.status != "loaded":
        return f"quarantined: {staged.reason}"
    codes = sorted({w["code"] for w in staged.warnings})
    return f"loaded ({', '.join(codes)})" if codes else "loaded"


def matches(expected: str, staged: Staged) -> bool:
    """Does the staged result meet the catalogue's expectation?"""
    kind, _, detail = expected.partition(":")
    if kind == "quarantine":
        return staged.status == "quarantined" and detail.lower() in (staged.reason or "").lower()
    if kind == "format":
        return staged.status == "loaded" and staged.format == detail
    if kind == "warn":
        return staged.status == "loaded" and detail in {w["code"] for w in staged.warnings}
    return staged.status == "loaded"
