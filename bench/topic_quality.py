"""Topic-model quality on the labelled real sets, speed at 10k/100k/1M documents, an automatic-K rule,
and the synthetic planted-category check.  Results and recommendation: ``bench/topic_quality.md``.

Run (from the worktree root, single-threaded)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=lib \\
        python bench/topic_quality.py [--quick] [--part quality,autok,speed,synthetic]

Each part writes ``bench/results/topic_quality_<part>.json`` (git-ignored) and the script then rewrites
the generated tables of ``bench/topic_quality.md`` (between ``<!-- tables:begin -->`` and
``<!-- tables:end -->``) from every JSON present; the written recommendation around them is kept.
``--quick``: 2 seeds, no BTM, 500-sample and telecom only, speed at 10k only.

The real sets are read in place through :mod:`jiesu.evaluation.real_sets` (never copied).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import topic_methods as tm  # noqa: E402

RESULTS = HERE / "results"
REPORT = HERE / "topic_quality.md"
BOILERPLATE = HERE / "gov_boilerplate.txt"
SEEDS = (0, 1, 2, 3, 4)

# the recommended default, exactly as measured
DEFAULT = dict(runs=10, iterations=200, alpha=0.1, eta=0.01, geometry="hellinger", max_fit_docs=20_000)
DF_RULE = dict(max_df=0.5, min_df_edge=0.02, edge_share=0.5)


def read_word_list(path: Path) -> list[str]:
    """One entry per line, ``#`` comments and blank lines skipped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


DATA_FILTER: list[str] = []  # --data: substrings of data-set names to run (default all)
METHOD_FILTER: list[str] = []  # --methods: substrings of method row names to run (default all)


def default_stopwords() -> frozenset[str]:
    """The default standard stopwords: stopwords-iso (zh) ∪ the HIT (哈工大) list of goto456."""
    from jiesu.evaluation import real_sets

    return tm.standard_stopwords([real_sets.stopword_lists()["hit"]])


def prepare(quick: bool) -> dict:
    """Tokens of each data set: ``ours`` (the default rules: stopwords-iso ∪ HIT list ∪ boilerplate,
    then the corpus DF rule), ``all`` (all four goto456 lists instead of HIT), ``iso`` (stopwords-iso +
    boilerplate only: what the library can ship without an unlicensed list), ``plain`` (the issue's
    baseline), labels and k."""
    from jiesu.evaluation import real_sets

    boiler = read_word_list(BOILERPLATE)
    stoplists = {
        "ours": default_stopwords(),
        "all": tm.standard_stopwords(real_sets.stopword_lists().values()),
        "iso": tm.standard_stopwords(),
    }
    full = real_sets.liuyan()
    sample = real_sets.liuyan_sample(500, seed=0)
    telecom = real_sets.telecom()
    sets = {
        "留言板 9,449 (k=13)": (full["text"].tolist(), full["label"].to_numpy(), 13),
        "留言板 500 sample (k=13)": (sample["text"].tolist(), sample["label"].to_numpy(), 13),
        "telecom 2,400 (k=8)": (telecom["text"].tolist(), telecom["label"].to_numpy(), 8),
    }
    if quick:
        sets.pop("留言板 9,449 (k=13)")
    if DATA_FILTER:
        sets = {name: v for name, v in sets.items() if any(f in name for f in DATA_FILTER)}
    out = {}
    for name, (texts, labels, k) in sets.items():
        d = dict(texts=texts, labels=labels, k=k, plain=tm.plain_tokens(texts))
        for key, stop in stoplists.items():
            start = time.perf_counter()
            tokens = tm.RealTokenizer(stop, boiler).tokens_many(texts)
            learned = tm.learn_corpus_stopwords(tokens, **DF_RULE)
            d[key] = tm.apply_stopwords(tokens, learned)
            if key == "ours":
                d["learned"], d["tokenize_seconds"] = sorted(learned), time.perf_counter() - start
        out[name] = d
        print(f"{name}: learned stopwords {d['learned']}; tokenized in {d['tokenize_seconds']:.1f} s", flush=True)
    return out


def methods(quick: bool) -> list[tuple[str, str, object, dict]]:
    """(row name, token set, function, keyword arguments)."""
    rows = [
        ("plain baseline: jieba, no digits/Latin, gensim LdaModel 10 passes", "plain", tm.fit_gensim_lda,
         dict(filter_extremes=False)),
        ("gensim LdaModel 10 passes (our tokens)", "ours", tm.fit_gensim_lda, {}),
        ("TF-IDF (sublinear) + NMF nndsvda", "ours", tm.fit_nmf, {}),
        ("LSA 100 + k-means", "ours", tm.fit_lsa_kmeans, {}),
        ("tomotopy LDA Gibbs 500 it", "ours", tm.fit_tomotopy_lda, {}),
        ("BTM bitermplus 100 it, window 15", "ours", tm.fit_btm, {}),
        ("**consensus LDA 10×200 it, Hellinger k-means (default)**", "ours", tm.fit_consensus, dict(DEFAULT)),
        ("consensus LDA, all four goto456 lists instead of HIT", "all", tm.fit_consensus, dict(DEFAULT)),
        ("consensus LDA, stopwords-iso + boilerplate only", "iso", tm.fit_consensus, dict(DEFAULT)),
    ]
    if quick:
        rows = [r for r in rows if "BTM" not in r[0]]
    if METHOD_FILTER:
        rows = [r for r in rows if any(f in r[0] for f in METHOD_FILTER)]
    return rows


def part_quality(quick: bool, save=None) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    data = prepare(quick)
    seeds = SEEDS[:2] if quick else SEEDS
    table = []
    for row, token_set, function, kwargs in methods(quick):
        for name, d in data.items():
            scores = []
            for seed in seeds:
                cpu = time.process_time()
                fit = function(d[token_set], d["k"], seed, **kwargs)
                cpu = time.process_time() - cpu
                scores.append(
                    (
                        normalized_mutual_info_score(d["labels"], fit.labels),
                        adjusted_rand_score(d["labels"], fit.labels),
                        fit.seconds,
                        cpu,
                    )
                )
            s = np.array(scores)
            entry = dict(
                method=row, data=name, seeds=list(seeds), nmi=s[:, 0].tolist(), ari=s[:, 1].tolist(),
                wall=s[:, 2].tolist(), cpu=s[:, 3].tolist(), top_words=fit.top_words,
            )
            table.append(entry)
            if save is not None:  # after every row, so an interrupted run keeps what it measured
                save(dict(table=table, learned={n: d["learned"] for n, d in data.items()}))
            print(
                f"{row[:60]:60s} {name:26s} NMI {s[:, 0].mean():.3f}±{s[:, 0].std(ddof=1):.3f} "
                f"ARI {s[:, 1].mean():.3f}±{s[:, 1].std(ddof=1):.3f} wall {s[:, 2].mean():.1f}s cpu {s[:, 3].mean():.1f}s",
                flush=True,
            )
    learned = {name: d["learned"] for name, d in data.items()}
    return dict(table=table, learned=learned, tokenize_seconds={n: d["tokenize_seconds"] for n, d in data.items()})


def part_autok(quick: bool) -> dict:
    """Stability rule: for each K, ``runs`` Gibbs LDA runs (the consensus' own runs); stability = mean
    pairwise NMI between the runs' dominant-topic labels; K = the largest-stability K of the grid.
    Also recorded: the tomotopy log-likelihood per word of the runs (which keeps rising with K)."""
    import itertools

    from sklearn.metrics import normalized_mutual_info_score

    data = prepare(quick)
    grid = (4, 6, 8, 10, 13, 16, 20, 25)
    runs = 5
    out = []
    for name, d in data.items():
        per_k = {}
        for k in grid:
            labels, llw = [], []
            for r in range(runs):
                fit = tm.fit_tomotopy_lda(d["ours"], k, 1000 + r, iterations=200)
                labels.append(fit.labels)
            pairs = [normalized_mutual_info_score(a, b) for a, b in itertools.combinations(labels, 2)]
            truth = [normalized_mutual_info_score(d["labels"], lab) for lab in labels]
            per_k[k] = dict(stability=float(np.mean(pairs)), stability_sd=float(np.std(pairs)), nmi_truth=float(np.mean(truth)))
            print(f"autoK {name} K={k}: stability {np.mean(pairs):.3f} NMI vs truth {np.mean(truth):.3f}", flush=True)
        chosen = max(per_k, key=lambda k: per_k[k]["stability"])
        out.append(dict(data=name, true_k=d["k"], chosen=chosen, per_k=per_k))
    return dict(autok=out, grid=list(grid), runs=runs)


SPEED_CHILD = r"""
import json, resource, sys, time, numpy as np
sys.path.insert(0, {here!r})
import topic_methods as tm
from topic_quality import read_word_list, DF_RULE, DEFAULT, BOILERPLATE
from jiesu.evaluation import real_sets
from sklearn.metrics import normalized_mutual_info_score
n = {n}
full = real_sets.liuyan()
rng = np.random.default_rng(0)
pick = rng.choice(len(full), size=n, replace=n > len(full))
texts = full["text"].to_numpy()[pick].tolist()
labels = full["label"].to_numpy()[pick]
del full
t0 = time.perf_counter(); c0 = time.process_time()
tok = tm.RealTokenizer(tm.standard_stopwords([real_sets.stopword_lists()["hit"]]), read_word_list(BOILERPLATE))
tokens = tok.tokens_many(texts)
tokens = tm.apply_stopwords(tokens, tm.learn_corpus_stopwords(tokens, **DF_RULE))
t1 = time.perf_counter(); c1 = time.process_time()
del texts
model, fit = tm.fit_consensus_topics(tokens, 13, 0, **DEFAULT)
t2 = time.perf_counter(); c2 = time.process_time()
lab, w = model.infer(tokens[:10000])
t3 = time.perf_counter(); c3 = time.process_time()
print(json.dumps(dict(n=n, tokenize=t1 - t0, fit=fit.seconds, infer_10k=t3 - t2,
    tokenize_cpu=c1 - c0, fit_cpu=c2 - c1, infer_10k_cpu=c3 - c2,
    nmi=float(normalized_mutual_info_score(labels, fit.labels)), fit_docs=fit.info["fit_docs"],
    peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def part_speed(quick: bool) -> dict:
    """The default pipeline at 10k / 100k / 1M documents resampled (with replacement) from the 9,449
    留言板 messages, each size in a fresh child process (peak RSS = the child's ``ru_maxrss``)."""
    sizes = (10_000,) if quick else (10_000, 100_000, 1_000_000)
    rows = []
    for n in sizes:
        code = SPEED_CHILD.format(here=str(HERE), n=n)
        wall = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
        wall = time.perf_counter() - wall
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["child_wall"] = wall
        rows.append(row)
        print(f"speed n={n}: {row}", flush=True)
    return dict(speed=rows)


def part_synthetic(quick: bool) -> dict:
    """The chat snapshot: today's seeded LDA (``topics.score_topics``) vs the default consensus on the
    same issue-like pooled training documents, no lexicon seeding; planted-category NMI over the planted
    report messages (role = report), dominant topic as in ``score_topics``."""
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score

    from jiesu import datasets, topics

    where = datasets.resolve(None)
    start = time.perf_counter()
    current = topics.score_topics({}, where)
    current_seconds = time.perf_counter() - start
    print(f"synthetic: current seeded LDA {current} ({current_seconds:.0f} s incl. cached parts)", flush=True)
    messages = topics.text_messages(datasets.load("messages", where))
    tokens_path = topics.snapshot_tokens(where)
    tokens = pd.read_parquet(tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
    selected = topics.issue_like(
        messages, tokens.reindex(messages["msg_id"]).fillna("").reset_index(drop=True).set_axis(messages.index)
    )
    issues = messages.loc[selected]
    params = topics.TopicParams()
    candidates = messages.loc[selected | messages["is_staff"].fillna(False).astype(bool)]
    sessions = topics.conversation_sessions(candidates, hours=params.pool_hours)
    sessions = sessions.loc[sessions.isin(set(sessions.reindex(issues["msg_id"])))]
    pooled = list(
        topics.PooledCorpus(
            topics.TokenizedCorpus(tokens_path, doc_ids=set(sessions.index)), sessions, min_tokens=params.min_tokens
        )
    )
    # the library's tokens keep single characters for Phrases; a person never reads them: drop them here
    pooled = [[t for t in doc if tm.is_display_token(t)] for doc in pooled]
    planted = datasets.read_planted_table("messages", where)
    reports = planted.loc[(planted["role"] == "report") & (planted["category"] != ""), ["msg_id", "category"]]
    report_tokens = tokens.reindex(reports["msg_id"]).fillna("")
    report_lists = [[t for t in s.split(" ") if tm.is_display_token(t)] for s in report_tokens]
    out = dict(current=current, current_seconds=current_seconds, training_docs=len(pooled), reports=len(reports), candidate=[])
    ks = (10, 12, 14, 16)
    for k in ks if not quick else (12,):
        for seed in SEEDS[: 2 if quick else 3]:
            start = time.perf_counter()
            model, fit = tm.fit_consensus_topics(pooled, k, seed, **DEFAULT)
            labels, _ = model.infer(report_lists)
            score = normalized_mutual_info_score(reports["category"], labels)
            out["candidate"].append(dict(k=k, seed=seed, nmi=float(score), seconds=time.perf_counter() - start,
                                         top_words=model.top_words))
            print(f"synthetic consensus K={k} seed={seed}: NMI {score:.3f}", flush=True)
    return out


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------


def _ms(values, digits=3) -> str:
    v = np.asarray(values, dtype=float)
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{v.mean():.{digits}f} ± {sd:.{digits}f}"


def tables_markdown() -> str:
    parts = []
    quality_files = sorted(RESULTS.glob("topic_quality_quality*.json"))
    if quality_files:
        loaded = [json.loads(f.read_text(encoding="utf-8")) for f in quality_files]
        res = dict(
            table=[e for r in loaded for e in r["table"]],
            learned={k: v for r in loaded for k, v in r["learned"].items()},
            meta=dict(
                when=", ".join(sorted({r["meta"]["when"] for r in loaded})),
                command="; ".join(sorted({r["meta"]["command"] for r in loaded})),
                machine=loaded[0]["meta"]["machine"],
            ),
        )
        meta = res["meta"]
        data_names = list(dict.fromkeys(e["data"] for e in res["table"]))
        parts.append(f"### Quality (run {meta['when']}, `{meta['command']}`, {meta['machine']})\n")
        parts.append(
            "NMI (arithmetic) and ARI of the dominant topic vs the human labels, mean ± sd over seeds "
            f"{res['table'][0]['seeds']}; wall = mean fit seconds (tokenization excluded), cpu = process CPU "
            "seconds (the machine was shared, so wall > cpu when other jobs ran).\n"
        )
        header = "| method | " + " | ".join(data_names) + " |"
        parts.append(header)
        parts.append("|---|" + "---|" * len(data_names))
        for method in dict.fromkeys(e["method"] for e in res["table"]):
            cells = []
            for name in data_names:
                e = next((x for x in res["table"] if x["method"] == method and x["data"] == name), None)
                cells.append(
                    "–" if e is None else
                    f"NMI {_ms(e['nmi'])}<br>ARI {_ms(e['ari'])}<br>{np.mean(e['wall']):.1f} s (cpu {np.mean(e['cpu']):.1f} s)"
                )
            parts.append(f"| {method} | " + " | ".join(cells) + " |")
        parts.append("")
        parts.append("Corpus-learned stopwords (DF rule) per set: " + "; ".join(
            f"{k}: {' '.join(v) or '(none)'}" for k, v in res["learned"].items()) + "\n")
        shown = [w for e in res["table"] if e["method"] != methods(False)[0][0] for words in e["top_words"] for w in words]
        bad = sorted({w for w in shown if not tm.is_display_token(w)})
        parts.append(
            f"Display check: {len(shown):,} top words of every method on our tokens (plain baseline excluded); "
            f"{len(bad)} are not displayable (single character, digit, code, placeholder, `_`){': ' + ' '.join(bad) if bad else ''}.\n"
        )
        default = [e for e in res["table"] if "(default)" in e["method"]]
        for e in default:
            parts.append(f"Default topics, {e['data']} (seed {e['seeds'][-1]}, class TF-IDF top words):\n")
            for i, words in enumerate(e["top_words"]):
                parts.append(f"- {i}: {' '.join(words[:8])}")
            parts.append("")
    autok_files = sorted(RESULTS.glob("topic_quality_autok*.json"))
    if autok_files:
        loaded = [json.loads(f.read_text(encoding="utf-8")) for f in autok_files]
        res = dict(loaded[0], autok=[e for r in loaded for e in r["autok"]])
        parts.append(f"### Automatic K: stability rule (run {res['meta']['when']}, `{res['meta']['command']}`)\n")
        parts.append(f"{res['runs']} Gibbs LDA runs (200 it) per K; stability = mean pairwise NMI of the runs' labels.\n")
        parts.append("| data | true K | chosen K | " + " | ".join(f"K={k}" for k in res["grid"]) + " |")
        parts.append("|---|---|---|" + "---|" * len(res["grid"]))
        for e in res["autok"]:
            cells = [f"{e['per_k'][str(k)]['stability']:.3f} / {e['per_k'][str(k)]['nmi_truth']:.3f}" for k in res["grid"]]
            parts.append(f"| {e['data']} | {e['true_k']} | {e['chosen']} | " + " | ".join(cells) + " |")
        parts.append("\nCells: stability / NMI vs truth of a single run at that K.\n")
    s = RESULTS / "topic_quality_speed.json"
    if s.exists():
        res = json.loads(s.read_text(encoding="utf-8"))
        parts.append(f"### Speed (run {res['meta']['when']}, `{res['meta']['command']}`)\n")
        parts.append("Default pipeline on 留言板 messages resampled with replacement, k = 13, one core, each size a fresh process.\n")
        parts.append("| documents | tokenize s (cpu) | fit s (cpu): 10 runs on ≤ 20k sample + NB assignment of the rest | infer 10k new s (cpu) | peak RSS MiB | NMI vs labels |")
        parts.append("|---|---|---|---|---|---|")
        for r in res["speed"]:
            parts.append(
                f"| {r['n']:,} | {r['tokenize']:.1f} ({r['tokenize_cpu']:.1f}) | {r['fit']:.1f} ({r['fit_cpu']:.1f}) | "
                f"{r['infer_10k']:.2f} ({r['infer_10k_cpu']:.2f}) | {r['peak_rss_mib']:.0f} | {r['nmi']:.3f} |"
            )
        parts.append("")
    y = RESULTS / "topic_quality_synthetic.json"
    if y.exists():
        res = json.loads(y.read_text(encoding="utf-8"))
        parts.append(f"### Synthetic community chats (run {res['meta']['when']}, `{res['meta']['command']}`)\n")
        parts.append(
            f"Planted-category NMI over {res['reports']:,} planted report messages; {res['training_docs']:,} pooled "
            "issue-like training documents.\n"
        )
        parts.append("| pipeline | NMI |")
        parts.append("|---|---|")
        parts.append(f"| current library: lexicon-seeded gensim LDA, K by c_v (`topics.score_topics`) | {res['current']['nmi']:.3f} |")
        by_k = {}
        for c in res["candidate"]:
            by_k.setdefault(c["k"], []).append(c["nmi"])
        for k, v in by_k.items():
            parts.append(f"| consensus LDA default, no seeding, K = {k} ({len(v)} seeds) | {_ms(v)} |")
        parts.append("")
    return "\n".join(parts)


def write_report() -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Topic quality\n\n<!-- tables:begin -->\n<!-- tables:end -->\n"
    begin, end = "<!-- tables:begin -->", "<!-- tables:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    REPORT.write_text(head + begin + "\n" + tables_markdown() + "\n" + end + tail, encoding="utf-8")
    print(f"wrote {REPORT}")


def meta(name: str) -> dict:
    return dict(
        when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        command="python bench/topic_quality.py " + " ".join(sys.argv[1:]),
        machine=f"{platform.python_version()}, {os.cpu_count()} cores",
        part=name,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", default="quality,autok,speed,synthetic")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--methods", default="", help="comma-separated substrings of method names (quality)")
    parser.add_argument("--data", default="", help="comma-separated substrings of data-set names (quality, autok)")
    args = parser.parse_args(argv)
    DATA_FILTER[:] = [d for d in args.data.split(",") if d]
    METHOD_FILTER[:] = [m for m in args.methods.split(",") if m]
    tag = "".join("_" + f.replace(" ", "") for f in DATA_FILTER + METHOD_FILTER)
    RESULTS.mkdir(exist_ok=True)
    parts = {"quality": part_quality, "autok": part_autok, "speed": part_speed, "synthetic": part_synthetic}
    if not args.report_only:
        for name in args.part.split(","):
            target = RESULTS / f"topic_quality_{name}{tag}.json"

            def save(result, name=name, target=target):
                result["meta"] = meta(name)
                target.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")

            result = parts[name](args.quick, save) if name == "quality" else parts[name](args.quick)
            save(result)
    write_report()


if __name__ == "__main__":
    main()
