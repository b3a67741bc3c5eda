"""Print the bad-input catalogue's outcomes as a markdown table (for the README).

Runs every case of tests/reliability/catalogue.py through the same staging code the tests use.
Usage: uv run python scripts/catalogue_table.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.catalogue import CASES, NAMES, SRT  # noqa: E402
from tests.reliability.checks import matches, outcome_of, stage_bytes  # noqa: E402


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(CASES):
            staged = stage_bytes(Path(tmp) / str(i), case.name, case.make())
            rows.append((case.kind, outcome_of(staged), "yes" if matches(case.outcome, staged) else "NO"))
        for j, (label, name) in enumerate(sorted(NAMES.items())):
            staged = stage_bytes(Path(tmp) / f"n{j}", name, SRT.encode())
            rows.append((label, outcome_of(staged), "yes" if staged.status == "loaded" else "NO"))
    print("| bad input | outcome | as expected |")
    print("|---|---|---|")
    for kind, outcome, ok in rows:
        print(f"| {kind} | {outcome.replace('|', '/')[:110]} | {ok} |")
    print(f"\n{len(rows)} kinds here + symlink loop, unreadable file, file changing while read, 200 MB file "
          f"(file-system cases, in tests/reliability/test_bad_inputs.py)")


if __name__ == "__main__":
    main()
