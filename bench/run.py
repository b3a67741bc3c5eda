"""The benchmark: a synthetic corpus through the real pipeline, with the floor and a peer beside it.

    python -m bench.run --episodes 10000 [--repeats 3] [--workers 2] [--scaling 1000] [--out FILE]

Writes one JSON report (default bench/results/bench-<N>.json). For each corpus size:
  floor           read every input byte and write it as one Parquet column (nothing can be faster)
  full            the pipeline from an empty warehouse (`tw run` in its own process, against a Prefect
                  server started once by the benchmark): wall time, in-flow time per step, peak RSS of
                  the whole process tree, MB/s, files/s, grouping precision/recall against the truth
  rerun           the same folder again (nothing changed)
  one_new_file    one more file in the folder (a version of a new episode)
  disk            the warehouse's size on disk after a full run, by folder, and over the input's
  peer            our content dedup and datatrove's MinHash on the same normalised texts
Medians over the repeats are what the README quotes; every measurement is kept too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--episodes", type=int, default=10_000)
    ap.add_argument("--scaling", type=str, default="", help="Smaller sizes to run too, e.g. 1000,3000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--minutes", type=float, nargs=2, default=(8.0, 60.0))
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-peer", action="store_true", help="Skip the datatrove comparison")
    args = ap.parse_args(argv)
    sizes = sorted({*(int(s) for s in args.scaling.split(",") if s), args.episodes})
    out = args.out or ROOT / "bench" / "results" / f"bench-{args.episodes}.json"
    args.work.mkdir(parents=True, exist_ok=True)
    report = {"machine": _machine(), "settings": {k: str(v) if isinstance(v, Path) else v
                                                   for k, v in vars(args).items()}, "sizes": {}}
    with PrefectServer(args.work / "prefect") as server:
        report["prefect_start_s"] = server.start_s
        for n in sizes:
            report["sizes"][str(n)] = run_size(n, args, server.env)
            _write(out, report)
    report["scaling"] = _scaling(report["sizes"])
    _write(out, report)
    print(json.dumps(_headline(report), indent=1))
    return report


def run_size(n: int, args: argparse.Namespace, env: dict) -> dict:
    corpus, truth = _corpus(n, args)
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    total = sum(p.stat().st_size for p in files)
    res: dict = {"episodes": n, "files": len(files), "bytes": total}
    floor = [_floor(files, args.work / "floor.parquet") for _ in range(args.repeats)]
    res["floor_s"] = _stats(floor)
    full, rerun, new = [], [], []
    wh = args.work / f"wh-{n}"
    for r in range(args.repeats):
        shutil.rmtree(wh, ignore_errors=True)
        full.append(_run(corpus, wh, args.workers, env))
        if r == args.repeats - 1:  # quality figures from the last full run's warehouse
            res["grouping"] = _grouping(_file_episodes(wh), truth)
            res["disk_mb"] = _disk_mb(wh)
            res["disk_over_input"] = round(res["disk_mb"]["total"] * 2**20 / total, 2)
            if not args.no_peer:
                res["peer"] = _peer(wh, truth, args.work / "peer", args.workers)
        rerun.append(_run(corpus, wh, args.workers, env))
        extra = _new_file(args, n, r)
        target = corpus / f"zz-new-{r}{extra.suffix}"
        shutil.copy(extra, target)
        try:
            new.append(_run(corpus, wh, args.workers, env))
        finally:
            target.unlink()
    res["full"] = _summarise(full)
    res["rerun"] = _summarise(rerun)
    res["one_new_file"] = _summarise(new)
    med = res["full"]["wall_s"]["median"]
    res["pipeline_over_floor"] = round(med / res["floor_s"]["median"], 2)
    res["mb_per_s"] = round(total / 1e6 / med, 3)
    res["files_per_s"] = round(len(files) / med, 2)
    shutil.rmtree(wh, ignore_errors=True)
    return res


# ---------------------------------------------------------------- pieces


def _corpus(n: int, args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    """Generate (once, cached in the work folder) and return the corpus folder and file -> episode truth."""
    base = args.work / f"corpus-{n}-s{args.seed}-m{args.minutes[0]:g}-{args.minutes[1]:g}"
    truth_path = base / "truth.json"
    if not truth_path.exists():
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run([PY, "-m", "bench.synth", str(base / "files"), "--episodes", str(n), "--seed", str(args.seed),
                        "--jobs", str(args.workers), "--minutes", *map(str, args.minutes),
                        "--truth", str(truth_path)], check=True, cwd=ROOT)
    truth = json.loads(truth_path.read_text())
    return base / "files", {name: f["episode"] for name, f in truth["files"].items()}


def _new_file(args: argparse.Namespace, n: int, r: int) -> Path:
    """One file of an episode the corpus does not have (a different seed)."""
    folder = args.work / f"extra-s{args.seed}-{r}"
    if not folder.exists():
        subprocess.run([PY, "-m", "bench.synth", str(folder / "files"), "--episodes", "1", "--seed",
                        str(10_000 + args.seed * 100 + r), "--truth", str(folder / "truth.json")],
                       check=True, cwd=ROOT)
    return sorted((folder / "files").iterdir())[0]


def _floor(files: list[Path], target: Path) -> float:
    """Read every byte and write it as one binary Parquet column, in batches (bounded memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = time.perf_counter()
    schema = pa.schema([("content", pa.large_binary())])
    with pq.ParquetWriter(target, schema) as w:
        for i in range(0, len(files), 256):
            w.write_table(pa.table({"content": pa.array([p.read_bytes() for p in files[i:i + 256]],
                                                        pa.large_binary())}, schema=schema))
    seconds = time.perf_counter() - t
    target.unlink()
    return seconds


def _run(corpus: Path, wh: Path, workers: int, env: dict) -> dict:
    """`tw run` in its own process; wall time, peak RSS of its process tree, and the run's own summary."""
    cmd = [PY, "-m", "flows.cli", "run", str(corpus), "-w", str(wh), "--workers", str(workers), "--no-report"]
    t = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc))
        time.sleep(0.1)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"tw run failed ({proc.returncode}):\n{err[-4000:]}")
    summary = _last_summary(wh)
    flow_s = _flow_run_seconds(env)
    steps = dict(summary.get("timings_s", {}))
    # the rest of the flow run's time: discovery, and the publish (with DuckDB's commit)
    steps["discover_publish"] = max(0.0, flow_s - sum(steps.values()))
    summary["timings_s"] = steps
    return {"wall_s": wall, "peak_rss_mb": peak / 2**20, "flow_s": flow_s, "logged_s": summary["logged_s"],
            "steps_s": summary.get("timings_s", {}), "published": summary.get("published"),
            "episodes_rebuilt": summary.get("episodes_rebuilt"), "validation": summary.get("validation"),
            "files_read": summary.get("files_read")}


def _disk_mb(folder: Path) -> dict[str, float]:
    """The warehouse's size on disk by top-level entry (raw archive, caches, Parquet snapshots, the
    DuckDB file), each file counted once: snapshots share unchanged files as hard links."""
    seen: set[tuple[int, int]] = set()
    sizes: dict[str, float] = {}
    for top in sorted(folder.iterdir()):
        total = 0
        for path in [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file()):
            st = path.lstat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
        sizes[top.name] = round(total / 2**20, 1)
    return sizes | {"total": round(sum(sizes.values()), 1)}


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _last_summary(wh: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        started, finished, published, summary = con.sql(
            "select started_at, finished_at, published, summary from runs order by finished_at desc limit 1"
        ).fetchall()[0]
    finally:
        con.close()
    out = json.loads(summary)
    out["logged_s"] = (finished - started).total_seconds()  # to the run log's row: before DuckDB's commit
    out["published"] = published
    return out


def _flow_run_seconds(env: dict) -> float:
    """The latest flow run's time in the Running state, as the Prefect server records it (and its UI
    shows): from the start of the flow function to its end, the publish's DuckDB commit included.
    (Reports before 2026-12-02 03:00 took the time to the run log's row instead, which is written
    inside the publish transaction: DuckDB's commit and what follows it were left out.)"""
    request = urllib.request.Request(f"{env['PREFECT_API_URL']}/flow_runs/filter", method="POST",
                                     data=json.dumps({"sort": "START_TIME_DESC", "limit": 1}).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        (run,) = json.load(response)
    if run["state_type"] != "COMPLETED":
        raise RuntimeError(f"the latest flow run {run['name']} is {run['state_type']}, not completed")
    return float(run["total_run_time"])


def _file_episodes(wh: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.sql("select f.path, v.episode_id from episode_versions v join source_files f using (file_id)"
                       ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _grouping(found: dict[str, str], truth: dict[str, str]) -> dict:
    from bench.peer import pair_scores

    return pair_scores(found, truth)


PEER_TIMEOUT_S = 3600


def _peer(wh: Path, truth: dict[str, str], work: Path, workers: int) -> dict:
    """The dedup comparison (bench.peer) in a fresh process: datatrove forks its workers from the
    process it runs in, and a long benchmark process holding polars' thread pool is no place for that.
    A comparison that does not finish within PEER_TIMEOUT_S is recorded as such; the benchmark goes on."""
    work.mkdir(parents=True, exist_ok=True)
    truth_file = work.parent / "peer-truth.json"
    truth_file.write_text(json.dumps(truth))
    cmd = [PY, "-m", "bench.peer", str(wh), str(truth_file), str(work), str(workers)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=PEER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"the comparison did not finish within {PEER_TIMEOUT_S} s; stopped"}
    if done.returncode != 0:
        return {"error": f"bench.peer failed ({done.returncode}): {done.stderr[-2000:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summarise(runs: list[dict]) -> dict:
    steps = sorted({k for r in runs for k in r["steps_s"]})
    return {
        "wall_s": _stats([r["wall_s"] for r in runs]),
        "flow_s": _stats([r["flow_s"] for r in runs if r["flow_s"] is not None]),
        "logged_s": _stats([r["logged_s"] for r in runs]),  # the former "flow_s": to the run log's row
        "peak_rss_mb": _stats([r["peak_rss_mb"] for r in runs]),
        "steps_s": {k: _stats([r["steps_s"][k] for r in runs if k in r["steps_s"]]) for k in steps},
        "published": [r["published"] for r in runs],
        "episodes_rebuilt": [r["episodes_rebuilt"] for r in runs],
        "files_read": [r.get("files_read") for r in runs],
        "validation": [r["validation"] for r in runs],
    }


def _stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "runs": [round(v, 3) for v in values]} if values else {}


def _scaling(sizes: dict) -> list[dict]:
    """How time grows with the corpus: per size, and per episode relative to the smallest size and to
    the next smaller one (1.0: linear; the smallest size carries the run's fixed costs)."""
    rows = [{"episodes": int(n), "bytes": s["bytes"], "floor_s": s["floor_s"]["median"],
             "full_s": s["full"]["wall_s"]["median"], "flow_s": s["full"]["flow_s"].get("median"),
             "peak_rss_mb": s["full"]["peak_rss_mb"]["median"], "pipeline_over_floor": s["pipeline_over_floor"]}
            for n, s in sorted(sizes.items(), key=lambda kv: int(kv[0]))]
    def growth(r: dict, base: dict) -> float:
        return round((r["full_s"] / base["full_s"]) / (r["episodes"] / base["episodes"]), 2)
    for i, r in enumerate(rows):
        r["s_per_1k_episodes"] = round(r["full_s"] / r["episodes"] * 1000, 2)
        r["growth_vs_linear"] = growth(r, rows[0])
        r["growth_vs_previous"] = growth(r, rows[i - 1]) if i else None
    return rows


def _headline(report: dict) -> dict:
    out = {}
    for n, s in report["sizes"].items():
        out[n] = {"full_s": s["full"]["wall_s"]["median"], "floor_s": s["floor_s"]["median"],
                  "x_floor": s["pipeline_over_floor"], "rerun_s": s["rerun"]["wall_s"]["median"],
                  "one_new_file_s": s["one_new_file"]["wall_s"]["median"],
                  "peak_rss_mb": s["full"]["peak_rss_mb"]["median"], "disk_mb": s["disk_mb"]["total"],
                  "grouping": s["grouping"]}
    return out


def _machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d")}


def _write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=1, default=str))
    tmp.replace(path)


class PrefectServer:
    """A real Prefect server for the benchmark's runs (its start is measured once, then excluded)."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __enter__(self) -> "PrefectServer":
        self.home.mkdir(parents=True, exist_ok=True)
        # an empty database each time: one grown over many benchmarks (266 MB here) made the same code's
        # 1,000-episode runs take 77-84 s against it and 67-72 s against a small one, interleaved
        for old in self.home.glob("prefect.db*"):
            old.unlink()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                    "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
                    "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
        t = time.perf_counter()
        self.log = open(self.home / "server.log", "w")
        self.proc = subprocess.Popen([PY, "-m", "prefect", "server", "start"], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"

        for _ in range(240):
            try:
                urllib.request.urlopen(f"{self.env['PREFECT_API_URL']}/health", timeout=1)
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"Prefect server exited; see {self.home / 'server.log'}") from None
                time.sleep(0.5)
        else:
            self.__exit__()
            raise RuntimeError("Prefect server did not become healthy in 120 s")
        self.start_s = round(time.perf_counter() - t, 3)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # stop by PID: the server and its children
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


if __name__ == "__main__":
    main()
