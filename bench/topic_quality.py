"""Topic quality on the labelled real sets, the filler-word measurement, the synthetic planted check and
speed at 10k/100k/1M documents, all through the library's own code (``jiesu topics``, its tokens, its
consensus model, the plain baseline of :mod:`jiesu.evaluation.topic_quality`).

Run (from the worktree root, single-threaded)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=$PWD/lib \\
        python bench/topic_quality.py [--part quality,synthetic,speed,fillers] [--data …] [--methods …]

Each part writes ``bench/results/topic_quality_<part>[_<filters>].json`` (git-ignored) after every row,
and the script then rewrites the generated block of ``bench/README.md`` (between
``<!-- topics:begin -->`` and ``<!-- topics:end -->``) from every JSON present.  ``--quick``: 2 seeds,
the 500 sample and telecom only, speed at 10k only.  ``--with-btm`` adds the biterm topic model
(bitermplus, not a project dependency; 4–7× slower than LDA).

The real sets are read in place through :mod:`jiesu.evaluation.real_sets` (never copied).  The
research behind the method (every variant tried, with its logs) is ``bench/topic_quality.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from jiesu.analysis.text import standard_stopwords
from jiesu.analysis.topics import (
    ConsensusParams,
    learn_corpus_stopwords,
    topic_stoplist,
    topic_tokenizer,
    topic_tokens,
)
from jiesu.analysis.topics.vocabulary import remove_words
from jiesu.evaluation import real_sets
from jiesu.evaluation import topic_quality as tq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import topic_methods as tm  # noqa: E402  (beside this script)

RESULTS = HERE / "results"
README = HERE / "README.md"
BEGIN, END = "<!-- topics:begin -->", "<!-- topics:end -->"
SEEDS = (0, 1, 2, 3, 4)
SETS = ("留言板 9,449 (k=13)", "留言板 500 sample (k=13)", "telecom 2,400 (k=8)")  # the three
DEFAULT = "**`jiesu topics --k <classes>`: consensus LDA, stopwords-iso + our boilerplate (shipped default)**"


class Filters:
    data: list[str] = []
    methods: list[str] = []


def _goto456(*names: str) -> list[frozenset[str]]:
    lists = real_sets.stopword_lists()
    return [lists[n] for n in names]


def prepare(quick: bool) -> dict:
    """Texts, labels and K of each set, the plain baseline's tokens and the library's topic tokens
    (shipped stoplist, DF rule) that the comparison methods share."""
    names = list(SETS)
    if quick:
        names = [n for n in names if "9,449" not in n]
    names = [n for n in names if not Filters.data or any(f in n for f in Filters.data)]
    tokenizer = topic_tokenizer(stopwords=standard_stopwords())
    stoplist = topic_stoplist(tokenizer.stopwords)
    out = {}
    for name in names:
        texts, labels, k = tq.real_set(name)
        tokens = topic_tokens(tokenizer.tokens_many(texts), stoplist)
        learned = learn_corpus_stopwords(tokens)
        out[name] = dict(
            texts=texts,
            labels=labels,
            k=k,
            plain=tq.plain_tokens(texts),
            ours=remove_words(tokens, learned),
            learned=sorted(learned),
        )
        print(f"{name}: learned stopwords {sorted(learned)}", flush=True)
    return out


def methods(with_btm: bool) -> list[tuple[str, object]]:
    """(row name, fit(d, seed) -> topics, top words or None)."""

    def library(extra, consensus=ConsensusParams()):
        return lambda d, s: (
            tq.library_topics(d["texts"], d["k"], s, stopwords=extra(), consensus=consensus),
            None,
        )

    def bench(fit):
        def run(d, s):
            result = fit(d["ours"], d["k"], s)
            return result.labels, result.top_words

        return run

    rows = [
        (tq.PLAIN, lambda d, s: (tq.plain_baseline(d["plain"], d["k"], s), None)),
        ("gensim LdaModel 10 passes (our tokens)", bench(tm.fit_gensim_lda)),
        ("TF-IDF (sublinear) + NMF nndsvda (our tokens)", bench(tm.fit_nmf)),
        ("LSA 100 + k-means (our tokens)", bench(tm.fit_lsa_kmeans)),
        ("one tomotopy Gibbs LDA chain, 500 it (our tokens)", bench(tm.fit_tomotopy_lda)),
    ]
    if with_btm:
        rows.append(("BTM bitermplus 100 it, window 15 (our tokens)", bench(tm.fit_btm)))
    rows += [
        (DEFAULT, library(lambda: [])),
        (
            "same, each run fits 2K topics (`ConsensusParams(run_topics_factor=2)`)",
            library(lambda: [], ConsensusParams(run_topics_factor=2)),
        ),
        ("same, `--stopwords` HIT list (goto456, unlicensed: not shipped)", library(lambda: _goto456("hit"))),
        (
            "same, `--stopwords` all four goto456 lists (unlicensed: not shipped)",
            library(lambda: _goto456("cn", "hit", "baidu", "scu")),
        ),
    ]
    return [r for r in rows if not Filters.methods or any(f in r[0] for f in Filters.methods)]


def part_quality(quick: bool, save, *, with_btm: bool = False) -> dict:
    data = prepare(quick)
    seeds = SEEDS[:2] if quick else SEEDS
    table = []
    for row, fit in methods(with_btm):
        for name, d in data.items():
            scores, top = [], None
            for seed in seeds:
                cpu = time.process_time()
                topics, top = fit(d, seed)
                score = tq.agreement(d["labels"], topics)
                scores.append((score["nmi"], score["ari"], time.process_time() - cpu))
            s = np.array(scores)
            table.append(
                dict(
                    method=row,
                    data=name,
                    seeds=list(seeds),
                    nmi=s[:, 0].tolist(),
                    ari=s[:, 1].tolist(),
                    cpu=s[:, 2].tolist(),
                    top_words=top,
                )
            )
            save(dict(table=table, learned={n: d["learned"] for n, d in data.items()}))
            print(
                f"{row[:70]:70s} {name:26s} NMI {_ms(s[:, 0])} ARI {_ms(s[:, 1])} cpu {s[:, 2].mean():.1f}s",
                flush=True,
            )
    return dict(table=table, learned={n: d["learned"] for n, d in data.items()})


def part_fillers(quick: bool, save) -> dict:
    """The measurement behind the last groups of ``resources/gov_boilerplate.txt``: words in ≥ 1 % of
    the 留言板 or the telecom documents whose p(topic | word) over 14 unsupervised consensus topics is
    almost even (normalized entropy ≥ ``threshold`` in every set where the word is in ≥ 0.2 % of the
    documents).  No label is used.  The list printed here was then read word by word."""
    from jiesu.analysis.topics import fit_consensus
    from jiesu.analysis.topics.vocabulary import document_frequency

    tokenizer = topic_tokenizer(stopwords=standard_stopwords())
    spread = {}
    for name in ("留言板 9,449 (k=13)", "telecom 2,400 (k=8)"):
        texts, _, _ = tq.real_set(name)
        tokens = topic_tokens(tokenizer.tokens_many(texts), topic_stoplist(tokenizer.stopwords))
        tokens = remove_words(tokens, learn_corpus_stopwords(tokens))
        df = document_frequency(tokens)
        model, _, _ = fit_consensus(tokens, 14, seed=0)
        rate = model.word_counts / model.word_counts.sum(axis=1, keepdims=True)
        q = rate / np.maximum(rate.sum(axis=0, keepdims=True), 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.nansum(np.where(q > 0, q * np.log(q), 0.0), axis=0) / np.log(model.k)
        spread[name] = {w: (df[w] / len(tokens), float(entropy[i])) for i, w in enumerate(model.vocabulary)}
    rows = []
    for word in sorted(set().union(*map(set, spread.values()))):
        seen = [spread[n][word] for n in spread if word in spread[n]]
        if max(df for df, _ in seen) >= 0.01:
            present = [e for df, e in seen if df >= 0.002]
            rows.append(dict(word=word, max_df=max(df for df, _ in seen), spread=min(present)))
    rows.sort(key=lambda r: -r["spread"])
    for threshold in (0.8, 0.75):
        words = [r["word"] for r in rows if r["spread"] >= threshold]
        print(f"spread ≥ {threshold}: {len(words)} candidates: {' '.join(words)}", flush=True)
    return dict(candidates=rows)


SPEED_CHILD = r"""
import json, resource, sys, time, numpy as np
from jiesu.analysis.text import standard_stopwords
from jiesu.analysis.topics import TopicParams, fit_topic_model, topic_stoplist, topic_tokenizer
from jiesu.evaluation import real_sets, topic_quality as tq
n = {n}
full = real_sets.liuyan()
pick = np.random.default_rng(0).choice(len(full), size=n, replace=n > len(full))
texts = full["text"].to_numpy()[pick].tolist()
labels = full["label"].to_numpy()[pick]
del full
t0, c0 = time.perf_counter(), time.process_time()
tokenizer = topic_tokenizer(stopwords=standard_stopwords())
tokens = tokenizer.tokens_many(texts)
t1, c1 = time.perf_counter(), time.process_time()
del texts
model = fit_topic_model(tokens, TopicParams(k=13), stoplist=topic_stoplist(tokenizer.stopwords))
t2, c2 = time.perf_counter(), time.process_time()
model.infer(tokens[:10000])
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps(dict(n=n, tokenize=t1 - t0, fit=t2 - t1, infer_10k=t3 - t2, tokenize_cpu=c1 - c0,
    fit_cpu=c2 - c1, infer_10k_cpu=c3 - c2, nmi=tq.agreement(labels, model.training_topics[0])["nmi"],
    peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


class Sizes:
    speed: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    synthetic_k: tuple[int, ...] = (12, 14, 16)


def part_speed(quick: bool, save) -> dict:
    """The default pipeline (tokenize, fit with K = 13, infer 10k documents) at 10k / 100k / 1M
    documents (``--sizes``) resampled with replacement from the 9,449 留言板 messages, each size in a
    fresh child process (peak RSS = the child's ``ru_maxrss``)."""
    rows = []
    for n in (10_000,) if quick else Sizes.speed:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", SPEED_CHILD.format(n=n)],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        rows.append(
            json.loads(done.stdout.strip().splitlines()[-1]) | {"child_wall": time.perf_counter() - start}
        )
        save(dict(speed=rows))
        print(f"speed n={n}: {rows[-1]}", flush=True)
    return dict(speed=rows)


def part_synthetic(quick: bool, save) -> dict:
    """The chat snapshot's pipeline on the full synthetic world: planted-category NMI and the share of
    planted categories matched to a labelled topic (:func:`jiesu.evaluation.planted.category_topic_match`),
    consensus with and without lexicon seeds at K = 12, 14, 16, and the earlier gensim default."""
    import pandas as pd

    from jiesu.analysis.topics import TopicParams, fit_topic_model
    from jiesu.evaluation.planted import category_topic_match
    from jiesu.settings import paths
    from jiesu.snapshot import chats
    from jiesu.snapshot.world import open_world

    world = open_world(paths(HERE.parent / "data" / "worlds" / "full-seed0"))
    tokens_path = chats.snapshot_tokens(world)
    planted = world.planted_table("messages")
    reports = planted.loc[(planted["role"] == "report") & (planted["category"] != ""), ["msg_id", "category"]]
    joined = pd.read_parquet(tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
    report_tokens = [s.split(" ") if s else [] for s in joined.reindex(reports["msg_id"]).fillna("")]
    training = chats._training_documents(world, tokens_path, chats.CHAT_TOPIC_PARAMS)
    runs = [(seeded, k) for seeded in (False, True) for k in ((14,) if quick else Sizes.synthetic_k)]
    out = dict(training_docs=len(training), reports=len(reports), rows=[])
    configs = [
        (f"consensus, {'seeded' if s else 'no seeds'}, K = {k}", TopicParams(k=k, seeded=s)) for s, k in runs
    ]
    configs.append(
        ("gensim LdaModel, seeded, K by c_v (the earlier default)", TopicParams(method="gensim", seeded=True))
    )
    for row, base in configs:
        for seed in SEEDS[: 1 if quick or base.method == "gensim" else 3]:
            params = replace(base, seed=seed)
            cpu = time.process_time()
            model = fit_topic_model(
                training, params, stoplist=chats.chat_stoplist(), lexicon=chats.CHAT_LEXICON
            )
            theta = model.infer(report_tokens)
            topics = np.where(theta.sum(axis=1) > 0, theta.argmax(axis=1), -1)
            match = category_topic_match(reports["category"], pd.Series(topics), model.topics)
            score = tq.agreement(reports["category"], topics)["nmi"]
            matched = float(match["matched"].sum() / reports["category"].nunique())
            out["rows"].append(
                dict(row=row, seed=seed, nmi=score, matched=matched, cpu=time.process_time() - cpu)
            )
            save(out)
            print(f"synthetic {row} seed {seed}: NMI {score:.3f} matched {matched:.2f}", flush=True)
    return out


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------


def _ms(values, digits: int = 3) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.{digits}f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:.{digits}f}"


def _load(part: str) -> list[dict]:
    return [
        json.loads(f.read_text(encoding="utf-8")) for f in sorted(RESULTS.glob(f"topic_quality_{part}*.json"))
    ]


def _quality_markdown(loaded: list[dict]) -> list[str]:
    table = [e for r in loaded for e in r["table"]]
    names = [n for n in tq.REAL_SETS if any(e["data"] == n for e in table)]  # in REAL_SETS order
    runs = "; ".join(f"{r['meta']['when']}: `{r['meta']['command']}`" for r in loaded)
    parts = [
        f"### Quality ({loaded[0]['meta']['machine']}; runs {runs})\n",
        "NMI (arithmetic) and ARI of each document's topic against the human labels, mean ± sd over seeds "
        f"{table[0]['seeds']}; K = the number of classes; cpu = mean process CPU seconds per fit.\n",
        "| method | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for method in dict.fromkeys(e["method"] for e in table):
        cells = []
        for name in names:
            e = next((x for x in table if x["method"] == method and x["data"] == name), None)
            cells.append(
                "–"
                if e is None
                else f"NMI {_ms(e['nmi'])}<br>ARI {_ms(e['ari'])}<br>cpu {np.mean(e['cpu']):.1f} s"
            )
        parts.append(f"| {method} | " + " | ".join(cells) + " |")
    learned = {k: v for r in loaded for k, v in r["learned"].items()}
    parts.append(
        "\nCorpus-learned stopwords (DF rule): "
        + "; ".join(f"{k}: {' '.join(v) or '(none)'}" for k, v in learned.items())
        + "\n"
    )
    return parts


def _speed_markdown(loaded: list[dict]) -> list[str]:
    """One row per size over every speed run (the latest run of a size wins)."""
    by_size = {r["n"]: r for res in sorted(loaded, key=lambda x: x["meta"]["when"]) for r in res["speed"]}
    runs = "; ".join(f"{res['meta']['when']}: `{res['meta']['command']}`" for res in loaded)
    parts = [
        f"### Speed (runs {runs})\n",
        "`jiesu topics`' pipeline on 留言板 messages resampled with replacement, K = 13, one core, each size "
        "a fresh process; the fit trains 10 Gibbs runs on at most 20,000 documents and assigns the rest "
        "by naive Bayes. Wall seconds, process CPU seconds in brackets (the 2 cores were shared with other "
        "jobs, so wall exceeds CPU). A resample holds only the 9,449 distinct texts and the tokenizer "
        "tokenizes a repeated text once, so the tokenize column understates fresh text (the `tokenizer` "
        "case above measures throughput).\n",
        "| documents | tokenize s (cpu) | fit s (cpu) | infer 10k s (cpu) | peak RSS MiB | NMI vs labels |",
        "|---|---|---|---|---|---|",
    ]
    for r in (by_size[n] for n in sorted(by_size)):
        parts.append(
            f"| {r['n']:,} | {r['tokenize']:.1f} ({r['tokenize_cpu']:.1f}) | {r['fit']:.1f} ({r['fit_cpu']:.1f}) | "
            f"{r['infer_10k']:.2f} ({r['infer_10k_cpu']:.2f}) | {r['peak_rss_mib']:.0f} | {r['nmi']:.3f} |"
        )
    if big := by_size.get(1_000_000):
        gib = big["peak_rss_mib"] / 1024
        parts.append(
            f"\nAt 1,000,000 documents the peak RSS is {gib:.1f} GiB, {'under' if gib < 4 else 'over'} the "
            "4 GiB bound of the `topics_1m` case: `jiesu topics` holds every document's tokens in memory "
            "(`analyse_texts`), while the chat snapshot streams them from Parquet."
        )
    return [*parts, ""]


def _synthetic_markdown(res: dict) -> list[str]:
    parts = [
        f"### Synthetic community chats (run {res['meta']['when']}, `{res['meta']['command']}`)\n",
        f"Full world, the snapshot's training documents ({res['training_docs']:,} pooled issue conversations of "
        f"the last 12 months); scored on its {res['reports']:,} planted report messages.\n",
        "| pipeline | seeds | planted-category NMI | categories with their own labelled topic |",
        "|---|---|---|---|",
    ]
    for row in dict.fromkeys(r["row"] for r in res["rows"]):
        got = [r for r in res["rows"] if r["row"] == row]
        parts.append(
            f"| {row} | {len(got)} | {_ms([r['nmi'] for r in got])} | {_ms([r['matched'] for r in got], 2)} |"
        )
    return [*parts, ""]


GOALS = (
    ("留言板 9,449 (k=13)", 0.33),
    ("留言板 500 sample (k=13)", 0.30),
    ("telecom 2,400 (k=8)", 0.55),
)
"""Issue 13's goals: NMI of ``jiesu topics --k <classes>`` (mean over 5 seeds) on each real set."""
SYNTHETIC_GOAL = 0.6


FOUR_LISTS = "same, `--stopwords` all four goto456 lists (unlicensed: not shipped)"


def _verdict(values, goal: float) -> str:
    mean = float(np.mean(values))
    return "yes" if mean >= goal else f"**no**: short by {goal - mean:.3f}"


def _goals_markdown(quality: list[dict], synthetic: list[dict]) -> list[str]:
    """Goal, the shipped default's measured NMI beside the plain baseline's, whether it is met, and
    the same with the user-supplied goto456 lists (``--stopwords``)."""
    table = [e for r in quality for e in r["table"]]

    def row(method, name):
        return next((e for e in table if e["method"] == method and e["data"] == name), None)

    parts = [
        "### Goals of issue 13 (computed from the runs below)\n",
        "| goal | plain baseline | `jiesu topics` default | met | with `--stopwords` × the four goto456 lists | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, goal in GOALS:
        ours, plain, four = row(DEFAULT, name), row(tq.PLAIN, name), row(FOUR_LISTS, name)
        if ours is None:
            continue
        parts.append(
            f"| {name}: NMI ≥ {goal:.2f} | {_ms(plain['nmi']) if plain else '–'} | {_ms(ours['nmi'])} "
            f"({len(ours['nmi'])} seeds) | {_verdict(ours['nmi'], goal)} | "
            + (f"{_ms(four['nmi'])} | {_verdict(four['nmi'], goal)} |" if four else "– | – |")
        )
    if synthetic:
        rows = synthetic[-1]["rows"]
        chats = [r["nmi"] for r in rows if r["row"].startswith("consensus, seeded, K = 14")]
        if chats:
            parts.append(
                f"| synthetic chats (full world), planted-category NMI ≥ {SYNTHETIC_GOAL} | – | {_ms(chats)} "
                f"(the chat snapshot's settings, {len(chats)} seeds) | {_verdict(chats, SYNTHETIC_GOAL)} | – | – |"
            )
    return [*parts, ""]


def tables_markdown() -> str:
    parts = []
    quality, synthetic = _load("quality"), _load("synthetic")
    if quality:
        parts += _goals_markdown(quality, synthetic)
    if quality:
        parts += _quality_markdown(quality)
    if speed := _load("speed"):
        parts += _speed_markdown(speed)
    if synthetic:
        parts += _synthetic_markdown(synthetic[-1])
    return "\n".join(parts)


def write_report() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + BEGIN + "\n" + tables_markdown() + "\n" + END + tail, encoding="utf-8")
    print(f"wrote {README}")


def meta(name: str) -> dict:
    return dict(
        when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        command="python bench/topic_quality.py " + " ".join(sys.argv[1:]),
        machine=f"Python {platform.python_version()}, {os.cpu_count()} cores",
        part=name,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", default="quality,synthetic,speed")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--with-btm", action="store_true")
    parser.add_argument("--methods", default="", help="comma-separated substrings of method names (quality)")
    parser.add_argument("--data", default="", help="comma-separated substrings of data-set names (quality)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="documents per speed run")
    parser.add_argument("--synthetic-k", default="12,14,16", help="K values of the synthetic part")
    args = parser.parse_args(argv)
    Sizes.speed = tuple(int(n) for n in args.sizes.split(",") if n)
    Sizes.synthetic_k = tuple(int(k) for k in args.synthetic_k.split(",") if k)
    Filters.data = [d for d in args.data.split(",") if d]
    Filters.methods = [m for m in args.methods.split(",") if m]
    tag = "".join("_" + f.replace(" ", "").replace(",", "") for f in Filters.data + Filters.methods)
    sizes = "_sizes" + "-".join(map(str, Sizes.speed))  # each set of sizes keeps its own file
    RESULTS.mkdir(exist_ok=True)
    parts = {
        "quality": part_quality,
        "synthetic": part_synthetic,
        "speed": part_speed,
        "fillers": part_fillers,
    }
    for name in [] if args.report_only else args.part.split(","):
        target = RESULTS / f"topic_quality_{name}{tag}{sizes if name == 'speed' else ''}.json"

        def save(result, name=name, target=target):
            result["meta"] = meta(name)
            target.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")

        kwargs = {"with_btm": args.with_btm} if name == "quality" else {}
        save(parts[name](args.quick, save, **kwargs))
    write_report()


if __name__ == "__main__":
    main()
