"""Benchmark cases. ``python bench/cases.py NAME`` runs one case once and prints one JSON line.

Each case measures its own figures in-process with ``time.perf_counter`` (so ratios come from one
run); ``bench/run.py`` runs it in a fresh process under ``/usr/bin/time -v`` for wall time and peak
memory.  Worlds are built once under ``data/worlds/`` (shared with the test suite) or in a temporary
directory when the case is about building them.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.settings import paths

HOME = paths().home
WORLDS = HOME / "data" / "worlds"


def world(preset: str = "full"):
    """The shared synthetic world (simulated + ingested once, reused by tests and benchmarks)."""
    from jiesu.ingest.pipeline import ingest
    from jiesu.world.simulate import simulate

    where = paths(WORLDS / f"{preset}-seed0")
    if not (where.raw / "planted_truth.json").exists():
        simulate(where.raw, seed=0, preset=preset)
    ingest(where.raw, where.processed)
    return where


def clock(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


# --------------------------------------------------------------------------------------------------
def bench_simulate_full() -> dict:
    from jiesu.world.simulate import simulate

    with tempfile.TemporaryDirectory() as tmp:
        seconds, summary = clock(simulate, Path(tmp) / "raw", seed=0, preset="full")
        size = sum(f.stat().st_size for f in (Path(tmp) / "raw").iterdir()) / 2**20
    return {"seconds": seconds, "raw_mib": size, "messages": int(summary.get("messages", 0))}


def bench_ingest_full() -> dict:
    from jiesu.ingest.pipeline import ingest

    source = world("full")
    with tempfile.TemporaryDirectory() as tmp:
        cold, _ = clock(ingest, source.raw, Path(tmp) / "processed")
        warm, _ = clock(ingest, source.raw, Path(tmp) / "processed")
    return {"cold_s": cold, "rerun_s": warm, "rerun_ratio": warm / cold}


def bench_tokenizer() -> dict:
    """Raw ``jieba.lcut`` vs the workspace tokenizer (normalize + segment + stopwords) on one corpus.

    Throughput is the median of three timings each, in this process.  The batched tokenizer tokenizes
    repeated texts once, so it is also timed on the distinct texts alone (its speed without that help).
    Token identity: the batched fast tokenizer against the per-text reference (jieba backend)."""
    import jieba

    from jiesu.analysis.text import Tokenizer
    from jiesu.snapshot.world import open_world

    texts = open_world(world("full")).table("messages")["text"].dropna().astype(str).tolist()
    distinct = list(dict.fromkeys(texts))
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    distinct_mb = sum(len(t.encode("utf-8")) for t in distinct) / 1e6
    jieba.setLogLevel(60)
    jieba.initialize()
    fast, reference = Tokenizer("rjieba"), Tokenizer("jieba")
    fast.tokens("预热"), reference.tokens("预热")  # load dictionaries outside the timed region

    def median_seconds(fn: Callable) -> float:
        return float(np.median([clock(fn)[0] for _ in range(3)]))

    raw_s = median_seconds(lambda: [jieba.lcut(t) for t in texts])
    fast_s = median_seconds(lambda: fast.tokens_many(texts))
    distinct_s = median_seconds(lambda: Tokenizer("rjieba").tokens_many(distinct))
    unbatched_s, _ = clock(lambda: [fast.tokens_unbatched(t) for t in texts])
    reference_s, expected = clock(lambda: [reference.tokens_unbatched(t) for t in texts])
    return {
        "messages": len(texts),
        "mb": megabytes,
        "distinct_share": len(distinct) / len(texts),
        "raw_jieba_mb_s": megabytes / raw_s,
        "fast_mb_s": megabytes / fast_s,
        "fast_distinct_mb_s": distinct_mb / distinct_s,
        "fast_unbatched_mb_s": megabytes / unbatched_s,
        "reference_mb_s": megabytes / reference_s,
        "speedup_vs_raw_jieba": raw_s / fast_s,
        "speedup_distinct_only": (distinct_mb / distinct_s) / (megabytes / raw_s),
        "identical_tokens": fast.tokens_many(texts) == expected,
    }


def _topic_pipeline(n: int) -> dict:
    """Tokenize (cached, streamed back) and fit the default topic model (consensus LDA, K = 10; at most
    20,000 documents train the runs, the rest are assigned by naive Bayes) on ``n`` messages sampled
    from the world, then infer every message."""
    from jiesu.analysis.topics import TokenizedCorpus, TopicParams, fit_topic_model
    from jiesu.snapshot.chats import chat_stoplist, tokenized_corpus
    from jiesu.snapshot.world import open_world

    messages = open_world(world("full")).table("messages")
    texts = messages.loc[messages["text"].notna(), "text"].astype(str).to_numpy()
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(texts), n) if n > len(texts) else rng.permutation(len(texts))[:n]
    frame = pd.DataFrame({"doc_id": np.arange(n).astype(str), "text": texts[pick]})
    with tempfile.TemporaryDirectory() as tmp:
        tok_s, path = clock(tokenized_corpus, frame, id_col="doc_id", text_col="text", cache_dir=Path(tmp))
        del frame
        docs = list(TokenizedCorpus(path, min_tokens=2))
        params = TopicParams(k=10)
        train_s, model = clock(fit_topic_model, docs, params, stoplist=chat_stoplist())
        infer_s, _ = clock(model.infer, TokenizedCorpus(path))
    return {
        "messages": n,
        "tokenize_s": tok_s,
        "train_s": train_s,
        "infer_s": infer_s,
        "us_per_message": (tok_s + train_s + infer_s) / n * 1e6,
    }


def bench_topics_10k() -> dict:
    return _topic_pipeline(10_000)


def bench_topics_100k() -> dict:
    return _topic_pipeline(100_000)


def bench_topics_1m() -> dict:
    return _topic_pipeline(1_000_000)


def bench_rank_city() -> dict:
    """Ranks, exact Poisson CIs and a focus unit's rank interval for 3,422 communities × 120 months."""
    from jiesu.analysis.ranking import rank_intervals, rank_table

    rng = np.random.default_rng(0)
    units, months = 3422, pd.period_range("2014-01", periods=120, freq="M").astype(str)
    residents = rng.integers(2000, 15000, units)
    base = rng.lognormal(np.log(30), 0.4, units) / 1e4
    counts = pd.DataFrame(
        {
            "community": np.repeat([f"社区{i:04d}" for i in range(units)], len(months)),
            "month": np.tile(months, units),
            "residents": np.repeat(residents, len(months)),
        }
    )
    counts["requests"] = rng.poisson(np.repeat(base * residents, len(months)))
    rank_s, table = clock(rank_table, counts)
    interval_s, _ = clock(rank_intervals, table, n_sim=200, only=["社区0000"])
    return {"rows": len(counts), "rank_and_ci_s": rank_s, "focus_interval_s": interval_s}


def bench_network() -> dict:
    """The community graph: build, exact betweenness (igraph) vs seeded source sampling, Louvain.

    The person projection of the full world is dense (shared groups connect most members of a group),
    so exact betweenness is the expensive step; the notebook and report use 300 sampled sources."""
    from jiesu.analysis import network
    from jiesu.snapshot.sections import load_tables
    from jiesu.snapshot.world import open_world

    tables = load_tables(open_world(world("full")))
    build_s, graph = clock(network.build_graph, **tables)
    projection_s, projection = clock(network.person_projection, graph)
    exact_s, exact = clock(network.betweenness, projection, engine="igraph")
    sampled_s, sampled = clock(network.betweenness, projection, engine="igraph", k=300, seed=0)
    agreement = network.betweenness_agreement(exact, sampled, top=20)
    louvain_s, _ = clock(network.louvain, projection, seed=0)
    eigen_s, _ = clock(network.eigenvector, projection)
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "projection_nodes": projection.number_of_nodes(),
        "projection_edges": projection.number_of_edges(),
        "build_s": build_s + projection_s,
        "exact_s": exact_s,
        "sampled300_s": sampled_s,
        "louvain_s": louvain_s,
        "eigenvector_s": eigen_s,
        "exact_over_sampled": exact_s / sampled_s,
        **{f"agreement_{k}": v for k, v in agreement.items()},
    }


def _report(cold: bool) -> dict:
    from jiesu.report.render import render_report

    where = world("full")
    if cold:
        shutil.rmtree(where.interim, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _ = clock(
            render_report,
            data_dir=where.data,
            out_dir=Path(tmp) / "reports",
            figures_dir=Path(tmp) / "figures",
        )
    return {"seconds": seconds}


def bench_report_cold() -> dict:
    return _report(cold=True)


def bench_report_warm() -> dict:
    _report(cold=False)  # make sure the caches exist, then time a warm run
    return _report(cold=False)


# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    run: Callable[[], dict]
    goal: str
    verdict: Callable[[dict], str]
    describe: Callable[[dict], str]
    max_repeat: int = 3


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


CASES: dict[str, Case] = {
    "simulate_full": Case(
        bench_simulate_full,
        "full world < 120 s",
        lambda r: _ok(r["seconds"] < 120),
        lambda r: (
            f"{int(r['messages']):,} messages, {r['raw_mib']:.0f} MiB raw, {r['seconds']:.1f} s in-process"
        ),
        2,
    ),
    "ingest_full": Case(
        bench_ingest_full,
        "unchanged rerun < 5 s",
        lambda r: _ok(r["rerun_s"] < 5),
        lambda r: f"cold {r['cold_s']:.1f} s, cached rerun {r['rerun_s']:.2f} s",
        2,
    ),
    "tokenizer": Case(
        bench_tokenizer,
        "≥ 10× raw jieba.lcut, identical tokens",
        lambda r: _ok(r["speedup_vs_raw_jieba"] >= 10 and r["identical_tokens"]),
        lambda r: (
            f"{r['mb']:.1f} MB, {r['distinct_share']:.0%} distinct texts: raw jieba "
            f"{r['raw_jieba_mb_s']:.2f} MB/s, fast batched {r['fast_mb_s']:.1f} MB/s "
            f"(**{r['speedup_vs_raw_jieba']:.1f}×**; distinct texts only "
            f"{r['speedup_distinct_only']:.1f}×), fast one text at a time "
            f"{r['fast_unbatched_mb_s']:.2f} MB/s, reference (jieba backend) "
            f"{r['reference_mb_s']:.2f} MB/s; identical: {r['identical_tokens']}"
        ),
        1,
    ),
    "topics_10k": Case(
        bench_topics_10k,
        "linear growth",
        lambda r: "—",
        lambda r: (
            f"tokenize {r['tokenize_s']:.1f} s + fit {r['train_s']:.1f} s + infer {r['infer_s']:.1f} s, "
            f"{r['us_per_message']:.0f} µs/message"
        ),
    ),
    "topics_100k": Case(
        bench_topics_100k,
        "linear growth",
        lambda r: "—",
        lambda r: (
            f"tokenize {r['tokenize_s']:.1f} s + fit {r['train_s']:.1f} s + infer {r['infer_s']:.1f} s, "
            f"{r['us_per_message']:.0f} µs/message"
        ),
        2,
    ),
    "topics_1m": Case(
        bench_topics_1m,
        "peak RSS < 4 GiB, ≤ linear",
        lambda r: _ok(r["max_rss_mib"] < 4096),
        lambda r: (
            f"tokenize {r['tokenize_s']:.1f} s + fit {r['train_s']:.1f} s + infer {r['infer_s']:.1f} s, "
            f"{r['us_per_message']:.0f} µs/message"
        ),
        1,
    ),
    "rank_city": Case(
        bench_rank_city,
        "3,422 × 120 ranks + CIs < 2 s",
        lambda r: _ok(r["rank_and_ci_s"] < 2),
        lambda r: (
            f"{r['rows']:,} rows: ranks + Poisson CIs {r['rank_and_ci_s']:.2f} s; "
            f"focus rank interval (200 sims/month) {r['focus_interval_s']:.2f} s"
        ),
    ),
    "network": Case(
        bench_network,
        "sampled ≈ exact, seconds not minutes",
        lambda r: _ok(r["agreement_top_overlap"] >= 0.8 and r["sampled300_s"] < 30),
        lambda r: (
            f"{r['nodes']:,} nodes/{r['edges']:,} edges; projection {r['projection_nodes']:,} people/"
            f"{r['projection_edges']:,} edges; build {r['build_s']:.1f} s; exact betweenness "
            f"{r['exact_s']:.0f} s vs 300 sampled sources {r['sampled300_s']:.1f} s "
            f"({r['exact_over_sampled']:.0f}×), top-20 overlap {r['agreement_top_overlap']:.2f}, "
            f"Spearman {r['agreement_spearman']:.2f}; Louvain {r['louvain_s']:.1f} s"
        ),
        1,
    ),
    "report_cold": Case(
        bench_report_cold,
        "< 60 s",
        lambda r: _ok(r["seconds"] < 60),
        lambda r: f"{r['seconds']:.1f} s (caches cleared)",
        1,
    ),
    "report_warm": Case(
        bench_report_warm,
        "< 15 s",
        lambda r: _ok(r["seconds"] < 15),
        lambda r: f"{r['seconds']:.1f} s (tokens and model cached)",
        2,
    ),
}


if __name__ == "__main__":
    name = sys.argv[1]
    result = CASES[name].run()
    print(
        json.dumps(
            {k: (bool(v) if isinstance(v, np.bool_) else v) for k, v in result.items()},
            ensure_ascii=False,
            default=float,
        )
    )
