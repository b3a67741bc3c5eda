"""Imports point one way: flows -> warehouse -> transforms. transforms does no I/O and no services."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "transforms": {"prefect", "duckdb", "great_expectations", "warehouse", "flows", "expectations", "yaml"},
    "warehouse": {"prefect", "flows", "great_expectations", "expectations"},
    "expectations": {"prefect", "flows", "warehouse", "duckdb"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    bad = {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[package])
           for p in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_transforms_read_no_files_or_environment() -> None:
    offenders = []
    for p in (ROOT / "transforms").rglob("*.py"):
        text = p.read_text()
        if re.search(r"os\.environ|(?<![.\w])open\(|\.read_(text|bytes)\(|\bPath\(", text):
            offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []
