"""Side-by-side dedup on the same normalised texts: ours (transforms.dedup) and datatrove's MinHash.

Both get one document per loaded file: its cleaned matching text (`text_match` of every segment,
in order), read from the warehouse's per-file cache. Neither sees metadata (video ids, titles), so
this compares content dedup alone. Each returns a cluster label per document; `pair_scores` turns
labels into pairwise precision and recall against the generator's truth.
"""

from __future__ import annotations

import json
import shutil
import time
from itertools import combinations
from pathlib import Path

import polars as pl

from transforms import dedup
from transforms.build import group_files
from warehouse.stage import read_cached


def load_texts(warehouse: Path) -> pl.DataFrame:
    """(doc, path, text) for every loaded file of a published warehouse, from its per-file cache."""
    import duckdb

    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        files = con.sql("select file_id, path from source_files where status = 'loaded' order by path").pl()
    finally:
        con.close()
    cache = {p.stem: p for p in (warehouse / "cache" / "files").glob("*/*/*.bin")}
    rows = []
    for fid, path in files.iter_rows():
        seg = read_cached(cache[fid], "segments")
        rows.append({"doc": fid, "path": path, "text": " ".join(t for t in seg["text_match"] if t)})
    return pl.DataFrame(rows)


SIGN_BATCH = 256  # documents signed per polars query (staging signs a batch of files at a time too)


def ours(texts: pl.DataFrame) -> tuple[dict[str, str], float]:
    """Our content dedup (signatures -> candidate pairs -> decide -> group): doc -> group root, seconds.

    Signatures are computed a batch of documents at a time, as staging does: one query over every
    document's words would hold the whole corpus's words at once (hundreds of millions of rows)."""
    t = time.perf_counter()
    sigs = pl.concat([dedup.signatures(_words(texts.slice(i, SIGN_BATCH)))
                      for i in range(0, texts.height, SIGN_BATCH)])
    files = texts.select(pl.col("doc").alias("file_id"), pl.lit(None, pl.String).alias("video_id"),
                         pl.lit(None, pl.String).alias("show"), pl.lit(None, pl.Int32).alias("episode_number"))
    roots, _ = group_files(dedup.per_file(sigs), files)  # the pipeline's own grouping, with no metadata to help it
    return roots, time.perf_counter() - t


def _words(texts: pl.DataFrame) -> pl.DataFrame:
    return (texts.select(pl.col("doc").alias("file_id"), pl.col("text").str.split(" ").alias("tok"))
            .explode("tok").filter(pl.col("tok") != "")
            .with_columns(pl.int_range(pl.len()).over("file_id").cast(pl.Int32).alias("pos")))


def datatrove_minhash(texts: pl.DataFrame, work: Path, workers: int = 2) -> tuple[dict[str, str], float, dict]:
    """datatrove's 4-stage MinHash pipeline (signatures, buckets, clusters, filter) on the same texts."""
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.word_tokenizers import WordTokenizer

    class SpaceTokenizer(WordTokenizer):
        """The texts are already normalised (lower case, no punctuation): words are split on spaces."""

        def word_tokenize(self, text: str) -> list[str]:
            return text.split()

        def sent_tokenize(self, text: str) -> list[str]:
            return [text]

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            return [(0, len(text))]

    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    shards = max(1, workers)  # one input file per worker, so stages 1 and 4 run in parallel too
    outs = [open(work / "in" / f"docs-{i:02d}.jsonl", "w") for i in range(shards)]
    for k, (doc, text) in enumerate(texts.select("doc", "text").iter_rows()):
        outs[k % shards].write(json.dumps({"id": doc, "text": text}) + "\n")
    for f in outs:
        f.close()
    config = MinhashConfig()  # datatrove's defaults: 5-grams, 14 buckets x 8 hashes
    tok = SpaceTokenizer()
    sigs, buckets, clusters, out = (str(work / d) for d in ("sigs", "buckets", "clusters", "out"))
    logs = str(work / "logs")
    t = time.perf_counter()
    stage1 = LocalPipelineExecutor(pipeline=[JsonlReader(str(work / "in")),
                                             MinhashDedupSignature(output_folder=sigs, config=config, language=tok)],
                                   tasks=shards, workers=workers, logging_dir=f"{logs}/1")
    stage2 = LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=sigs, output_folder=buckets,
                                                                 config=config)],
                                   tasks=config.num_buckets, workers=workers, logging_dir=f"{logs}/2", depends=stage1)
    stage3 = LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=buckets, output_folder=clusters,
                                                                 config=config, save_cluster_id=True)],
                                   tasks=1, logging_dir=f"{logs}/3", depends=stage2)
    stage4 = LocalPipelineExecutor(pipeline=[JsonlReader(str(work / "in")),
                                             MinhashDedupFilter(input_folder=clusters, load_cluster_ids=True,
                                                                exclusion_writer=JsonlWriter(f"{out}/removed")),
                                             JsonlWriter(f"{out}/kept")],
                                   tasks=shards, workers=workers, logging_dir=f"{logs}/4", depends=stage3)
    stage4.run()
    seconds = time.perf_counter() - t
    labels: dict[str, str] = {}
    for part in ("kept", "removed"):
        for fp in sorted((work / "out" / part).glob("*.jsonl*")):
            for doc in pl.read_ndjson(fp).iter_rows(named=True):
                cluster = (doc.get("metadata") or {}).get("minhash_cluster_id", -1)
                labels[doc["id"]] = f"c{cluster}" if cluster not in (-1, None) else f"s{doc['id']}"
    return labels, seconds, {"n_grams": config.n_grams, "num_buckets": config.num_buckets,
                             "hashes_per_bucket": config.hashes_per_bucket}


def compare(warehouse: Path, truth: dict[str, str], work: Path, workers: int) -> dict:
    """Both dedups on the warehouse's loaded files; `truth` maps a file's path to its episode."""
    texts = load_texts(warehouse)
    by_doc = dict(zip(texts["doc"], texts["path"]))
    doc_truth = {d: truth[p] for d, p in by_doc.items() if p in truth}
    found, ours_s = ours(texts)
    out = {"documents": texts.height, "text_mb": round(texts["text"].str.len_bytes().sum() / 1e6, 1),
           "ours": {"seconds": round(ours_s, 3), **pair_scores(found, doc_truth)}}
    try:
        labels, dt_s, config = datatrove_minhash(texts, work, workers)
    except ImportError as exc:
        out["datatrove"] = {"skipped": f"datatrove is not installed (uv sync --extra bench): {exc}"}
        return out
    out["datatrove"] = {"seconds": round(dt_s, 3), "config": config, **pair_scores(labels, doc_truth)}
    out["ours_speedup"] = round(dt_s / ours_s, 2) if ours_s else None
    return out


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.peer WAREHOUSE TRUTH_JSON WORK WORKERS`: the comparison as JSON on stdout.
    The benchmark runs it in a fresh process per corpus size (see bench.run._peer)."""
    import sys

    wh, truth, work, workers = (argv or sys.argv[1:])[:4]
    print(json.dumps(compare(Path(wh), json.loads(Path(truth).read_text()), Path(work), int(workers))))


def pair_scores(labels: dict[str, str], truth: dict[str, str]) -> dict:
    """Pairwise precision and recall of a clustering (doc -> label) against the truth (doc -> episode)."""
    def pairs(assign: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for doc, g in assign.items():
            groups.setdefault(g, []).append(doc)
        return {p for members in groups.values() for p in combinations(sorted(members), 2)}
    docs = labels.keys() & truth.keys()
    found = pairs({d: labels[d] for d in docs})
    true = pairs({d: truth[d] for d in docs})
    tp = len(found & true)
    return {"docs": len(docs), "true_pairs": len(true), "found_pairs": len(found), "true_positives": tp,
            "precision": tp / len(found) if found else 1.0, "recall": tp / len(true) if true else 1.0}


if __name__ == "__main__":
    main()
