"""City-scale topics on Dask: 1M and 5M documents, time and peak memory per worker.

Builds a Parquet corpus of N documents (100,000 per part), each two messages drawn with a seeded RNG
and with replacement from the real 留言板 messages in ``../shared/data/real`` (long citizen letters,
like 12345 work orders; the synthetic world's chat messages when that folder is absent, which the
table then says) and joined, so that nearly every document is distinct, then runs :func:`jiesu.byod.large_corpus.topics_on_dask` on an embedded ``LocalCluster``
of single-threaded workers: tokenize and infer as tasks over the parts, fit on a 20,000-document
hash sample.  Peak memory per worker is each worker process's maximum resident set size
(``getrusage``), read from the workers at the end; the client's peak is given beside it.

Usage::

    python bench/city_topics.py                      # 1M and 5M documents, 2 workers
    python bench/city_topics.py --docs 100000 --workers 1 2

Rewrites the block between ``<!-- city-topics:begin -->`` and ``<!-- city-topics:end -->`` in
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
README = BENCH / "README.md"
RESULTS = BENCH / "results"
BEGIN, END = "<!-- city-topics:begin -->", "<!-- city-topics:end -->"
PART_ROWS = 100_000


def source_texts() -> tuple[list[str], str]:
    """The texts documents are drawn from, and what they are."""
    from jiesu.evaluation import real_sets

    if real_sets.missing_reason() is None:
        texts = real_sets.liuyan()["text"].astype(str).tolist()
        return (
            texts,
            f"{len(texts):,} real 留言板 messages (median {int(np.median([len(t) for t in texts]))} characters)",
        )
    from jiesu.snapshot.world import open_world

    home = Path(__file__).resolve().parents[1]
    world = open_world(home / "data" / "worlds" / "full-seed0")
    texts = world.table("messages")["text"].dropna().astype(str).tolist()
    return texts, f"{len(texts):,} synthetic chat messages (../shared absent)"


def build_corpus(folder: Path, n_docs: int, texts: list[str], seed: int = 0) -> Path:
    """``n_docs`` documents drawn from ``texts`` (seeded), written as Parquet parts of PART_ROWS."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pool = np.array(texts, dtype=object)
    for part, start in enumerate(range(0, n_docs, PART_ROWS)):
        size = min(PART_ROWS, n_docs - start)
        # two messages joined per document: nearly every document is distinct (the tokenizer tokenizes
        # a repeated text once, so resampled single messages would flatter it)
        first, second = pool[rng.integers(0, len(pool), size)], pool[rng.integers(0, len(pool), size)]
        frame = pd.DataFrame(
            {"doc_id": [f"d{start + i:08d}" for i in range(size)], "text": first + "。" + second}
        )
        frame.to_parquet(folder / f"part-{part:04d}.parquet", index=False)
    return folder


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(corpus: Path, workers: int, k: int) -> dict:
    """One :func:`topics_on_dask` run on a fresh LocalCluster; wall time by phase, peak memory."""
    from distributed import Client, LocalCluster

    from jiesu.analysis.topics import TopicParams
    from jiesu.byod.large_corpus import topics_on_dask

    steps: list[tuple[float, str]] = []
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory() as out,
    ):
        began = time.perf_counter()
        result = topics_on_dask(
            corpus,
            text_col="text",
            id_col="doc_id",
            out_dir=out,
            client=client,
            params=TopicParams(k=k),
            progress=lambda step: steps.append((time.perf_counter() - began, step)),
        )
        wall = time.perf_counter() - began
        peaks = client.run(_peak_rss_mib)
    marks = [t for t, _ in steps]
    return {
        "workers": workers,
        "documents": result.documents,
        "fit_documents": result.fit_documents,
        "wall_s": wall,
        "tokenize_s": marks[0],
        "fit_s": marks[2] - marks[1],
        "infer_s": wall - marks[2],
        "peak_worker_mib": max(peaks.values()),
        "client_peak_mib": _peak_rss_mib(),
        "topics": result.topics[["name", "share"]].head(5).to_dict("records"),
    }


def render(report: dict) -> str:
    lines = [
        f"Run {report['when']} on {report['machine']}; each document joins two messages drawn from {report['source']}; "
        f"K = {report['k']}; `python bench/city_topics.py {' '.join(report['argv'])}`.",
        "",
        "| documents | workers | wall | tokenize | fit (sample) | infer + write | peak memory per worker | client peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        lines.append(
            f"| {r['documents']:,} | {r['workers']} | {r['wall_s']:.0f} s | {r['tokenize_s']:.0f} s | "
            f"{r['fit_s']:.0f} s ({r['fit_documents']:,} docs) | {r['infer_s']:.0f} s | "
            f"{r['peak_worker_mib']:.0f} MiB | {r['client_peak_mib']:.0f} MiB |"
        )
    lines += [
        "",
        "Peak memory per worker grows with the corpus: the tokens are persisted on the workers between "
        "tokenizing and inference, spread over them (more workers hold less each). The client holds only "
        "the fit sample and the model.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(BENCH))
    from run import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--k", type=int, default=14)
    args = parser.parse_args(argv)
    texts, source = source_texts()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_docs in args.docs:
            corpus = build_corpus(Path(tmp) / f"corpus-{n_docs}", n_docs, texts)
            for workers in args.workers:
                print(f"city topics: {n_docs:,} documents, {workers} worker(s) ...", flush=True)
                runs.append(run_once(corpus, workers, args.k))
                print(f"city topics: {json.dumps(runs[-1], ensure_ascii=False)}", flush=True)
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "source": source,
        "k": args.k,
        "argv": sys.argv[1:] if argv is None else argv,
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"city-topics-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{render(report)}\n{END}{tail}", encoding="utf-8")
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
