"""The pipeline without Prefect or the validation gate, printing a marker before each step, so a
test can SIGKILL it at known points. Usage: python -m tests.reliability.pipeline_driver IN WH"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flows.settings import load_glossary
from transforms.clean import CleanOptions
from warehouse import state
from warehouse.archive import discover
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.publish import publish, recover
from warehouse.stage import settings_key, stage_file
from warehouse.tables import assemble


def mark(step: str) -> None:
    print(f"{time.monotonic():.3f} {step}", flush=True)


def main(input_dir: Path, root: Path) -> None:
    layout, options, glossary = Layout(root).ensure(), CleanOptions(), load_glossary()
    with writer_lock(layout, wait_s=30):
        mark("recover")
        recover(layout)
        staged = []
        for p in discover(input_dir):
            mark(f"stage {p.name}")
            staged.append(stage_file(p, p.name, layout, options, glossary))
        mark("merge")
        tables, _ = assemble(staged, state.prior_episode_ids(layout), state.first_seen(layout), glossary, None,
                             layout, settings_key(options, glossary))
        mark("publish")
        publish(layout, tables, {"run_id": uuid.uuid4().hex[:12], "started_at": datetime.now(UTC)})
    mark("done")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
