"""Print the README's benchmark tables from bench/results/*.json reports (medians of the repeats).

    uv run python scripts/bench_table.py bench/results/bench-1000.json [bench/results/bench-10000.json ...]

Several reports (e.g. 1,000 and 10,000 episodes from two invocations) are combined size by size; the
growth columns are then computed across them, and the header names every source and its repeats.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def combine(paths: list[Path]) -> tuple[dict, list[str]]:
    """One report from several: sizes merged (a later file wins a size), scaling recomputed across them."""
    from bench.run import _scaling

    reports = [json.loads(p.read_text()) for p in paths]
    merged = dict(reports[0])
    merged["sizes"] = {n: s for r in reports for n, s in r["sizes"].items()}
    merged["scaling"] = _scaling(merged["sizes"])
    lines = []
    for p, r in zip(paths, reports):
        m = r["machine"]
        lines.append(f"`{p.as_posix()}` ({', '.join(f'{int(n):,}' for n in r['sizes'])} episodes): run on "
                     f"{m['date']}, {m['cpus']} cores, {m['memory_gb']} GB, Python {m['python']}; repeats "
                     f"{r['settings']['repeats']}, workers {r['settings']['workers']}, Prefect server start "
                     f"{r['prefect_start_s']:.1f} s (once, excluded).")
    return merged, lines


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def main(paths: list[Path]) -> str:
    r, sources = combine(paths)
    out = [*(f"* {line}" for line in sources), "", "Medians of the repeats.", ""]
    out += ["| episodes | files | MB | floor s | full run s (wall) | in-flow s | x floor | MB/s | files/s "
            "| peak RSS MB | s per 1k episodes | growth vs linear, from the smallest | from the previous size |",
            "|" + "---|" * 13]
    for row in r["scaling"]:
        s = r["sizes"][str(row["episodes"])]
        out.append(f"| {row['episodes']:,} | {s['files']:,} | {s['bytes'] / 1e6:.0f} | {row['floor_s']:.2f} "
                   f"| {row['full_s']:.1f} | {row['flow_s']:.1f} | {row['pipeline_over_floor']:.0f} | {s['mb_per_s']:.2f} "
                   f"| {s['files_per_s']:.1f} | {row['peak_rss_mb']:.0f} | {row['s_per_1k_episodes']:.0f} "
                   f"| {row['growth_vs_linear']:.2f} | {_num(row.get('growth_vs_previous'))} |")
    out += ["", "| episodes | step | full run s | no-change re-run s | one new file s |", "|---|---|---|---|---|"]
    for n, s in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])):
        steps = sorted(set(s["full"]["steps_s"]) | set(s["rerun"]["steps_s"]))
        for step in steps:
            cell = lambda part: (f"{s[part]['steps_s'][step]['median']:.2f}"  # noqa: E731
                                 if step in s[part]["steps_s"] else "")
            out.append(f"| {int(n):,} | {step} | {cell('full')} | {cell('rerun')} | {cell('one_new_file')} |")
        out.append(f"| {int(n):,} | **whole process (wall)** | {s['full']['wall_s']['median']:.1f} "
                   f"| {s['rerun']['wall_s']['median']:.1f} | {s['one_new_file']['wall_s']['median']:.1f} |")
        out.append(f"| {int(n):,} | **flow run** | {s['full']['flow_s']['median']:.1f} "
                   f"| {s['rerun']['flow_s']['median']:.2f} | {s['one_new_file']['flow_s']['median']:.1f} |")
    disk = [(n, s) for n, s in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])) if "disk_mb" in s]
    if disk:  # (reports before 2026-12-07 11:00 did not measure it)
        parts = ["raw", "cache", "parquet", "warehouse.duckdb", "hash_index"]
        out += ["", f"| episodes | input MiB | {' | '.join(parts)} | the rest | warehouse MiB | x input |",
                "|" + "---|" * (len(parts) + 5)]
        for n, s in disk:
            d = s["disk_mb"]
            rest = d["total"] - sum(d.get(k, 0) for k in parts)
            out.append(f"| {int(n):,} | {s['bytes'] / 2**20:.0f} | {' | '.join(f'{d.get(k, 0):.0f}' for k in parts)} "
                       f"| {rest:.0f} | {d['total']:.0f} | {s['disk_over_input']:.1f} |")
    out += ["", "| episodes | dedup | seconds | precision | recall | pairs found / true |", "|---|---|---|---|---|---|"]
    for n, s in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])):
        g = s["grouping"]
        out.append(f"| {int(n):,} | pipeline (content + metadata), all files | | {g['precision']:.4f} "
                   f"| {g['recall']:.4f} | {g['found_pairs']} / {g['true_pairs']} |")
        p = s.get("peer")
        if not p:
            continue
        if "error" in p:
            out.append(f"| {int(n):,} | ours and datatrove | not measured: {p['error'][:200]} | | | |")
            continue
        for name, label in (("ours", "ours, content only"), ("datatrove", "datatrove MinHash (4 stages)")):
            x = p[name]
            if "skipped" in x:
                out.append(f"| {int(n):,} | {label} | skipped: {x['skipped']} | | | |")
                continue
            out.append(f"| {int(n):,} | {label} | {x['seconds']:.2f} | {x['precision']:.4f} | {x['recall']:.4f} "
                       f"| {x['found_pairs']} / {x['true_pairs']} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(main([Path(a) for a in sys.argv[1:]]))
