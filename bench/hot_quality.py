"""Rerunnable benchmark of the hot-issue and prospective burst prototype (``bench/hot_methods.py``).

What it measures (one run, several seeds and sets; results in ``bench/hot_quality.md``):

* **Semi-synthetic real-text sets** (:mod:`jiesu.evaluation.surges`): recall of injected surges (a
  burst matches a surge when at least half of its messages are the surge's and its onset is within 7
  days of the surge's first message), onset error, detection delay (days from the surge's first message
  to the end of the week whose decision reported it), false alarms per 26 weeks (bursts matching no
  surge, over the weeks after the 12-week burn-in).
* **Synthetic worlds** (``data/worlds/<preset>-seed<S>``, built by ``jiesu simulate`` + ``jiesu ingest``):
  planted-burst recall/precision/onset error scored exactly as
  :func:`jiesu.early_warning.score_detected_bursts` does (onset within 7 days and same category or a
  shared term).  The input is the chat's text messages that are part of a staff exchange
  (:func:`jiesu.topics.staff_exchange`: what residents raise with staff); everything after that is the
  same code path as on real text.
* **Watch lists** built from hot issues at given week ends, checked by
  ``hot_methods.check_watch_list`` (no filler, matching categories, distinct examples) — and, for
  comparison, today's ``jiesu.early_warning.weekly_watch_list`` checked the same way.
* **Today's burst test** (``jiesu.early_warning.detect_bursts`` with the settings ``jiesu topics
  --time-col`` uses) on the same real-text sets, for comparison (it is retrospective: it looks ahead).
* Runtime of each step.

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=lib python bench/hot_quality.py            # the full run
    PYTHONPATH=lib python bench/hot_quality.py --seeds 0 --sets steps-new --no-worlds --param phrase_alpha=1e-5

Prepared documents are cached under ``$TMPDIR/jiesu-hot-cache`` (never in the repository: the real
text must not be copied into it).  JSON results go to ``bench/results/hot_quality.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hot_methods as H  # noqa: E402

from jiesu.evaluation import surges as S  # noqa: E402

CACHE = Path(os.environ.get("JIESU_HOT_CACHE", Path(tempfile.gettempdir()) / "jiesu-hot-cache"))
BURN_IN_WEEKS = 12
DEV_SEEDS = (0, 1, 2)
TEST_SEEDS = (3, 4, 5)
WORLDS = ("full-seed0", "full-seed7", "small-seed0", "small-seed7")


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


def method_input(messages: pd.DataFrame) -> pd.DataFrame:
    """Only what a real export has: the method never sees the truth columns."""
    return messages[["msg_id", "sent_at", "text", "sender_id"]]


def prepared(key: str, build, params: H.HotParams) -> pd.DataFrame:
    """``H.prepare`` output cached by key (preparation does not depend on the test parameters)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    os.chmod(CACHE, 0o700)
    path = CACHE / f"{key}.pkl"
    if path.exists():
        return pd.read_pickle(path)
    docs = build()
    docs.to_pickle(path)
    return docs


def world_inputs(world: Path) -> tuple[pd.DataFrame, H.Places, list[dict]]:
    """A synthetic world's chat as method input: text messages that are part of a staff exchange,
    with the building of 楼门 groups as the known place; the registry's buildings as the place
    dictionary (``6号楼``, aliases ``6#`` and ``6栋``); and the planted bursts."""
    from jiesu.topics import staff_exchange, text_messages

    messages = pd.read_parquet(world / "processed" / "messages.parquet")
    groups = pd.read_parquet(world / "processed" / "groups.parquet")
    messages = text_messages(messages)
    messages = messages.loc[staff_exchange(messages)]
    building = messages["group_id"].map(groups.set_index("group_id")["building"])
    out = messages[["msg_id", "sent_at", "text", "sender_id", "is_staff", "msg_type"]].copy()
    out["place"] = [f"{int(b)}号楼" if pd.notna(b) else "" for b in building]
    n = int(pd.to_numeric(groups["building"], errors="coerce").max())
    names = tuple(f"{i}号楼" for i in range(1, n + 1))
    aliases = tuple((f"{i}#", f"{i}号楼") for i in range(1, n + 1)) + tuple(
        (f"{i}栋", f"{i}号楼") for i in range(1, n + 1)
    )
    truth = json.loads((world / "raw" / "planted_truth.json").read_text(encoding="utf-8"))["bursts"]
    return out, H.Places(names=names, aliases=aliases), truth


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


SURGE_COLUMNS = [
    "surge_id",
    "subject",
    "shape",
    "rate",
    "weekly",
    "expected_category",
    "found",
    "detected_any",
    "closest_onset_error",
    "burst",
    "onset_error_days",
    "delay_days",
    "title",
    "place_found",
    "place_truth",
    "category",
]


def score_surges(
    surge_set: S.SurgeSet, bursts: pd.DataFrame, *, max_onset_error: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per injected surge: matched burst, onset error (days), detection delay (days); and the bursts
    that match no surge (at least half of their messages from no single surge): the false alarms."""
    src = surge_set.messages.set_index("msg_id")["surge_id"]
    share = {}
    for b in bursts.itertuples():
        ids = b.msg_ids.split()
        share[b.burst] = src.reindex(ids).value_counts(normalize=True).to_dict()
    rows, matched = [], set()
    for t in surge_set.truth.itertuples():
        best, late = None, None
        for b in bursts.itertuples():
            if share[b.burst].get(t.surge_id, 0.0) < 0.5:
                continue
            matched.add(b.burst)
            err = (b.onset - t.onset).days
            if late is None or abs(err) < abs(late):
                late = err
            if abs(err) <= max_onset_error and (best is None or abs(err) < abs(best[1])):
                best = (b.burst, err, (b.decided - t.onset).days, b.title, b.place, b.category)
        rows.append(
            {
                "surge_id": t.surge_id,
                "subject": t.subject,
                "shape": t.shape,
                "rate": t.rate,
                "weekly": t.weekly,
                "expected_category": t.category,
                "found": best is not None,
                "detected_any": late is not None,  # a burst of mostly its messages, onset error aside
                "closest_onset_error": late if late is not None else np.nan,
                "burst": best[0] if best else None,
                "onset_error_days": best[1] if best else np.nan,
                "delay_days": best[2] if best else np.nan,
                "title": best[3] if best else "",
                "place_found": best[4] if best else "",
                "place_truth": t.place,
                "category": best[5] if best else "",
            }
        )
    false = bursts.loc[~bursts["burst"].isin(matched)] if len(bursts) else bursts
    return pd.DataFrame(rows, columns=SURGE_COLUMNS), false


def run_real_sets(
    configs: list[S.SetConfig], seeds, params: H.HotParams, *, watch: bool = True, baseline: bool = False
) -> dict:
    rows, fa_rows, watch_rows, base_rows = [], [], [], []
    for config in configs:
        for seed in seeds:
            t0 = time.time()
            surge_set = config.build(seed)
            t_build = time.time() - t0
            places = H.Places(names=tuple(S.gazetteer(seed))) if config.place_fill else None
            t0 = time.time()
            docs = prepared(
                f"real-{config.name}-{seed}",
                lambda s=surge_set, pl=places: H.prepare(method_input(s.messages), places=pl, params=params),
                params,
            )
            t_prep = time.time() - t0
            t0 = time.time()
            det = H.Detector(docs, params)
            bursts = H.weekly_bursts(det, start=surge_set.start + pd.Timedelta(weeks=BURN_IN_WEEKS))
            t_burst = time.time() - t0
            scored, fas = score_surges(surge_set, bursts)
            false_alarms = len(fas)
            weeks = surge_set.params["weeks"] - BURN_IN_WEEKS
            scored["set"], scored["seed"] = config.name, seed
            rows.append(scored)
            fa_rows.append(
                {
                    "set": config.name,
                    "seed": seed,
                    "weeks": weeks,
                    "false_alarms": false_alarms,
                    "examples": "; ".join(
                        f"{r.decided.date()} {r.title or r.place}" for r in fas.itertuples()
                    ),
                    "build_s": round(t_build, 1),
                    "prepare_s": round(t_prep, 1),
                    "bursts_s": round(t_burst, 1),
                }
            )
            if watch:
                watch_rows += watch_checks(det, docs, bursts, surge_set, label=f"{config.name}/{seed}")
            if baseline:
                base_rows.append(today_bursts(surge_set, label=(config.name, seed)))
            print(
                f"  {config.name} seed {seed}: found {int(scored['found'].sum())}/{len(scored)}, "
                f"false alarms {false_alarms} in {weeks} weeks ({t_prep:.0f}+{t_burst:.0f} s)",
                flush=True,
            )
    return {
        "surges": pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(),
        "false_alarms": pd.DataFrame(fa_rows),
        "watch": pd.DataFrame(watch_rows),
        "baseline": pd.DataFrame(base_rows),
    }


def watch_checks(
    det: H.Detector,
    docs: pd.DataFrame,
    bursts: pd.DataFrame,
    surge_set: S.SurgeSet | None,
    *,
    label: str,
    week_ends=None,
) -> list[dict]:
    """Watch lists at week ends (default: the end of the second week of each injected surge — of its last
    week for surges shorter than a week — and three other week ends), with the check's violations and, for surge week ends, whether the surge's row is
    there and under the right category."""
    out = []
    if week_ends is None:
        ends = []
        if surge_set is not None and len(surge_set.truth):
            for t in surge_set.truth.itertuples():
                # the end of the surge's second week; a surge shorter than a week: the end of its last week
                last = t.end if (t.end - t.onset).days < 7 else t.onset + pd.Timedelta(days=7)
                end = last + pd.Timedelta(days=6 - last.day_of_week)
                ends.append((end, t.surge_id))
        start = det.vec.origin
        for w in (30, 47, 75):
            if w < det.n_weeks:
                ends.append((H.week_end(start, w), ""))
    else:
        ends = [(pd.Timestamp(e), "") for e in week_ends]
    src = surge_set.messages.set_index("msg_id")["surge_id"] if surge_set is not None else None
    for end, sid in ends:
        hot = H.hot_issues(det, end, bursts=bursts.loc[bursts["decided"] <= end] if len(bursts) else bursts)
        wl = H.watch_list(hot)
        problems = H.check_watch_list(wl, docs)
        row = {
            "label": label,
            "week_end": str(pd.Timestamp(end).date()),
            "rows": len(wl),
            "violations": len(problems),
            "problems": "; ".join(problems[:3]),
            "titles": " | ".join(
                f"{t}@{p}" if p else t for t, p in zip(wl["title"], wl["place"], strict=True)
            ),
        }
        if sid and src is not None:
            truth = surge_set.truth.set_index("surge_id").loc[sid]
            hit = [src.reindex(m.split()).eq(sid).mean() >= 0.5 for m in wl["msg_ids"]]
            row["surge"] = sid
            row["surge_row"] = bool(any(hit))
            cats = wl.loc[hit, "category"].tolist()
            expected = H.label_of(truth["category"]) if truth["category"] != H.OTHER else H.OTHER_LABEL
            row["surge_category_ok"] = bool(cats and cats[0] == expected)
            row["surge_category"] = cats[0] if cats else ""
            row["expected_category"] = expected
        out.append(row)
    return out


def today_bursts(surge_set: S.SurgeSet, *, label) -> dict:
    """Today's burst test as ``jiesu topics --time-col`` runs it, on the same set, scored the same way."""
    from jiesu.early_warning import BurstParams, detect_bursts
    from jiesu.topics import topic_tokenizer

    t0 = time.time()
    msgs = surge_set.messages
    tokenizer = topic_tokenizer(strip_boilerplate=True)
    docs = pd.DataFrame(
        {
            "doc_id": msgs["msg_id"],
            "day": msgs["sent_at"].dt.normalize(),
            "tokens": tokenizer.token_strings(msgs["text"].tolist()),
        }
    )
    docs = docs.loc[docs["tokens"] != ""]
    total = len(docs)
    found = detect_bursts(docs, BurstParams(min_total=int(min(20, max(5, total // 500))), min_count=3))
    bursts = found["bursts"]
    occ = found["occurrences"]
    start = surge_set.start + pd.Timedelta(weeks=BURN_IN_WEEKS)
    bursts = bursts.loc[bursts["onset"] >= start]
    src = msgs.set_index("msg_id")["surge_id"]
    fa = 0
    matched = set()
    for b in bursts.itertuples():
        terms = b.terms.split(" ")
        within = occ.loc[occ["term"].isin(terms) & (occ["day"] >= b.onset) & (occ["day"] <= b.end), "doc_id"]
        shares = src.reindex(within.unique()).value_counts(normalize=True)
        top = shares.drop("", errors="ignore")
        for sid, share in top.items():
            t = surge_set.truth.set_index("surge_id").loc[sid]
            if share >= 0.5 and abs((b.onset - t["onset"]).days) <= 7:
                matched.add((sid, b.burst))
    found_surges = {sid for sid, _ in matched}
    fa = len(set(bursts["burst"]) - {bid for _, bid in matched})
    weeks = surge_set.params["weeks"] - BURN_IN_WEEKS
    return {
        "set": label[0],
        "seed": label[1],
        "surges": len(surge_set.truth),
        "found": len(found_surges),
        "false_alarms": fa,
        "weeks": weeks,
        "bursts": len(bursts),
        "top_terms": " ".join(bursts.sort_values("score", ascending=False)["term"].head(8)),
        "seconds": round(time.time() - t0, 1),
    }


def run_worlds(worlds, params: H.HotParams, *, watch: bool = True) -> dict:
    from jiesu.early_warning import match_bursts, score_detected_bursts, weekly_watch_list

    rows, match_rows, watch_rows = [], [], []
    for name in worlds:
        path = HERE.parent / "data" / "worlds" / name
        if not (path / "processed" / "messages.parquet").exists():
            print(f"  world {name}: missing (build it with jiesu simulate + ingest)", flush=True)
            continue
        t0 = time.time()
        messages, places, truth = world_inputs(path)
        docs = prepared(
            f"world-{name}", lambda m=messages, pl=places: H.prepare(m, places=pl, params=params), params
        )
        t_prep = time.time() - t0
        t0 = time.time()
        det = H.Detector(docs, params)
        bursts = H.weekly_bursts(det)
        t_burst = time.time() - t0
        score = score_detected_bursts(bursts, truth)
        m = match_bursts(bursts, truth)
        m["world"] = name
        match_rows.append(m)
        rows.append(
            {
                "world": name,
                "planted": len(truth),
                "detected": len(bursts),
                **score,
                "prepare_s": round(t_prep, 1),
                "bursts_s": round(t_burst, 1),
                "unmatched": "; ".join(_unmatched(bursts, truth)),
            }
        )
        print(
            f"  world {name}: recall {score['recall']} precision {score['precision']} "
            f"({len(bursts)} bursts, {t_prep:.0f}+{t_burst:.0f} s)",
            flush=True,
        )
        if watch:
            ends = [H.week_end(det.vec.origin, w) for w in range(4, det.n_weeks, max(1, det.n_weeks // 6))]
            for t in truth:  # the end of each planted burst's first week
                on = pd.Timestamp(t["onset"])
                ends.append(on + pd.Timedelta(days=6 - on.day_of_week))
            for r in watch_checks(det, docs, bursts, None, label=name, week_ends=ends):
                watch_rows.append(r)
            # today's watch list on the same input, checked the same way
            from jiesu.text import Tokenizer

            tok = Tokenizer("rjieba", strip_boilerplate=True, min_length=2)
            old_docs = pd.DataFrame(
                {
                    "doc_id": docs["msg_id"],
                    "day": docs["day"],
                    "text": docs["text"],
                    "tokens": tok.token_strings(docs["text"].tolist()),
                }
            )
            for end in ends:
                old = weekly_watch_list(old_docs, end, min_count=2)
                old = old.rename(columns={"term": "title"}).assign(
                    place="",
                    msg_ids=[
                        " ".join(
                            old_docs.loc[
                                (old_docs["day"] > end - pd.Timedelta(days=7))
                                & (old_docs["day"] <= end)
                                & old_docs["tokens"].str.split(" ").map(lambda ts, t=t: t in ts),
                                "doc_id",
                            ]
                        )
                        for t in old["term"]
                    ]
                    if len(old)
                    else [],
                )
                old["examples"] = old["examples"].astype(str)
                problems = H.check_watch_list(old, docs)
                watch_rows.append(
                    {
                        "label": f"{name} (today's weekly_watch_list)",
                        "week_end": str(end.date()),
                        "rows": len(old),
                        "violations": len(problems),
                        "problems": "; ".join(problems[:3]),
                        "titles": " | ".join(old["title"]),
                    }
                )
    return {
        "worlds": pd.DataFrame(rows),
        "matches": pd.concat(match_rows) if match_rows else pd.DataFrame(),
        "watch": pd.DataFrame(watch_rows),
    }


def _unmatched(bursts: pd.DataFrame, truth: list[dict]) -> list[str]:
    from jiesu.early_warning import match_bursts

    out = []
    for b in bursts.itertuples(index=False):
        one = match_bursts(pd.DataFrame([b._asdict()]), truth)
        if not (one["detected"] >= 0).any():
            out.append(f"{b.decided.date()} {b.title or b.place} [{b.category}]")
    return out


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def summarize(real: dict, worlds: dict) -> str:
    lines = []
    s = real["surges"]
    if len(real["false_alarms"]):
        fa = real["false_alarms"]
        lines.append("### Semi-synthetic real-text sets\n")
        lines.append(
            "| set | surges | found | recall | detected, any onset | median abs onset error (d) | median delay (d) | false alarms | weeks | FA per 26 weeks |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for name, g in s.groupby("set", sort=False):
            f = fa.loc[fa["set"] == name]
            hit = g.loc[g["found"]]
            lines.append(
                f"| {name} | {len(g)} | {int(g['found'].sum())} | {g['found'].mean():.2f} | {int(g['detected_any'].sum())} | "
                f"{hit['onset_error_days'].abs().median() if len(hit) else float('nan'):.1f} | "
                f"{hit['delay_days'].median() if len(hit) else float('nan'):.1f} | {int(f['false_alarms'].sum())} | "
                f"{int(f['weeks'].sum())} | {26 * f['false_alarms'].sum() / max(f['weeks'].sum(), 1):.2f} |"
            )
        hit = s.loc[s["found"]]
        lines.append(
            f"| **all** | {len(s)} | {int(s['found'].sum())} | {s['found'].mean():.2f} | {int(s['detected_any'].sum())} | "
            f"{hit['onset_error_days'].abs().median():.1f} | {hit['delay_days'].median():.1f} | "
            f"{int(fa['false_alarms'].sum())} | {int(fa['weeks'].sum())} | "
            f"{26 * fa['false_alarms'].sum() / max(fa['weeks'].sum(), 1):.2f} |\n"
        )
        lines.append("Recall by rate band and shape (surge sets only):\n")
        band = pd.cut(s["rate"], [0, 4.5, 8.5, 100], labels=["2–4 /week", "5–8 /week", "10–15 /week"])
        tab = s.assign(band=band).groupby(["band", "shape"], observed=True)["found"].agg(["sum", "count"])
        lines.append("| rate | shape | found / surges |")
        lines.append("|---|---|---|")
        for (b, sh), r in tab.iterrows():
            lines.append(f"| {b} | {sh} | {int(r['sum'])}/{int(r['count'])} |")
        lines.append("")
    w = worlds.get("worlds")
    if w is not None and len(w):
        lines.append("### Synthetic worlds (planted bursts, scored as `score_detected_bursts`)\n")
        lines.append(
            "| world | planted | detected | recall | precision | median onset error (d) | seconds | detections matching nothing |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in w.itertuples():
            lines.append(
                f"| {r.world} | {r.planted} | {r.detected} | {r.recall} | {r.precision} | "
                f"{r.median_onset_error_days} | {r.prepare_s + r.bursts_s:.1f} | {r.unmatched} |"
            )
        lines.append("")
    wl = pd.concat(
        [real.get("watch", pd.DataFrame()), worlds.get("watch", pd.DataFrame())], ignore_index=True
    )
    if len(wl):
        lines.append("### Watch-list checks\n")
        new = wl.loc[~wl["label"].str.contains("today")]
        old = wl.loc[wl["label"].str.contains("today")]
        lines.append(
            f"- prototype: {len(new)} watch lists, {int((new['violations'] == 0).sum())} pass the check, "
            f"{int(new['violations'].sum())} violations in total, {int(new['rows'].sum())} rows"
        )
        if "surge_row" in new:
            sub = new.loc[new["surge_row"].notna()]
            lines.append(
                f"- at the end of each surge's second week: surge row present in "
                f"{int(sub['surge_row'].astype(bool).sum())}/{len(sub)} lists; right category in "
                f"{int(sub['surge_category_ok'].astype(bool).sum())}/{int(sub['surge_row'].astype(bool).sum())} of those"
            )
        if len(old):
            lines.append(
                f"- today's `weekly_watch_list` on the world inputs: {len(old)} lists, "
                f"{int((old['violations'] == 0).sum())} pass, {int(old['violations'].sum())} violations"
            )
        lines.append("")
    b = real.get("baseline")
    if b is not None and len(b):
        lines.append("### Today's burst test (`detect_bursts`, retrospective) on the same sets\n")
        lines.append("| set | surges | found | false alarms | weeks | FA per 26 weeks | top terms |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, g in b.groupby("set", sort=False):
            lines.append(
                f"| {name} | {int(g['surges'].sum())} | {int(g['found'].sum())} | {int(g['false_alarms'].sum())} | "
                f"{int(g['weeks'].sum())} | {26 * g['false_alarms'].sum() / max(g['weeks'].sum(), 1):.2f} | "
                f"{g['top_terms'].iloc[0]} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default=",".join(map(str, TEST_SEEDS)), help="seeds of the real-text sets")
    ap.add_argument("--sets", default="all", help="comma-separated set names (see surges.standard_configs)")
    ap.add_argument("--worlds", default=",".join(WORLDS))
    ap.add_argument("--no-worlds", action="store_true")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--no-watch", action="store_true")
    ap.add_argument("--baseline", action="store_true", help="also run today's detect_bursts on the real sets")
    ap.add_argument("--param", action="append", default=[], help="HotParams override, e.g. phrase_alpha=1e-5")
    ap.add_argument("--json", default=str(HERE / "results" / "hot_quality.json"))
    args = ap.parse_args(argv)
    overrides = {}
    for item in args.param:
        key, value = item.split("=", 1)
        overrides[key] = eval(value, {}, {})  # numbers, tuples, booleans
    params = replace(H.HotParams(), **overrides)
    seeds = [int(s) for s in args.seeds.split(",") if s != ""]
    configs = S.standard_configs()
    if args.sets != "all":
        wanted = args.sets.split(",")
        configs = [c for c in configs if c.name in wanted]
    t0 = time.time()
    print(f"hot_quality: params {overrides or 'defaults'}; seeds {seeds}", flush=True)
    real = (
        run_real_sets(configs, seeds, params, watch=not args.no_watch, baseline=args.baseline)
        if not args.no_real
        else {
            "surges": pd.DataFrame(),
            "false_alarms": pd.DataFrame(),
            "watch": pd.DataFrame(),
            "baseline": pd.DataFrame(),
        }
    )
    worlds = run_worlds(args.worlds.split(","), params, watch=not args.no_watch) if not args.no_worlds else {}
    report = summarize(real, worlds)
    print(report)
    print(f"total {time.time() - t0:.0f} s")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "params": asdict(params),
        "seeds": seeds,
        "seconds": round(time.time() - t0, 1),
        "report": report,
    }
    for key, frame in {
        **{f"real_{k}": v for k, v in real.items()},
        **{f"world_{k}": v for k, v in worlds.items()},
    }.items():
        if isinstance(frame, pd.DataFrame):
            payload[key] = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
