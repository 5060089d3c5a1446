"""Every analysis scored against the planted truth of a synthetic world."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.bursts import DAY, BurstParams, false_alarm_rate
from jiesu.analysis.impact.compare import expected_ranks, naive_before_after
from jiesu.analysis.impact.design import Intervention, with_controls
from jiesu.analysis.impact.did import did
from jiesu.analysis.impact.its import its
from jiesu.analysis.ranking import milestones, rank_claims
from jiesu.analysis.registry import household_coverage, outreach_list
from jiesu.analysis.text import Tokenizer
from jiesu.analysis.topics.model import TopicParams
from jiesu.ingest.linkage import linkage_scores, personal_record_ids
from jiesu.ingest.pseudonyms import load_salt
from jiesu.snapshot.chats import snapshot_bursts, snapshot_model
from jiesu.snapshot.world import World


def category_topic_match(
    categories: pd.Series, topics_of_docs: pd.Series, topics: pd.DataFrame, *, min_share: float = 0.25
) -> pd.DataFrame:
    """Match each true category to a distinct topic (Hungarian assignment on the contingency table of
    documents, over the topics that carry a category label: a chatter topic labelled 其他 matches no
    category).

    Returns one row per category: ``category``, ``topic`` (assigned, -1 if none), ``docs``,
    ``docs_in_topic``, ``topic_label`` (the topic's automatic category code) and ``matched``: the
    assigned topic's automatic label is that category *and* it holds at least ``min_share`` of the
    category's documents.
    """
    from scipy.optimize import linear_sum_assignment  # heavy (~1 s); this scorer only

    code_of_topic = dict(zip(topics["topic"], topics["category"], strict=True))
    table = pd.crosstab(categories.to_numpy(), topics_of_docs.to_numpy())
    totals = table.sum(axis=1)
    table = table.loc[:, [c for c in table.columns if c >= 0 and code_of_topic.get(c, "other") != "other"]]
    assigned = {}
    if table.shape[1]:
        rows, cols = linear_sum_assignment(-table.to_numpy())
        assigned = {table.index[r]: table.columns[c] for r, c in zip(rows, cols, strict=True)}
    out = []
    for cat in totals.index:
        topic = assigned.get(cat, -1)
        out.append(
            {
                "category": cat,
                "topic": int(topic),
                "docs": int(totals.loc[cat]),
                "docs_in_topic": int(table.loc[cat, topic]) if topic >= 0 else 0,
                "topic_label": code_of_topic.get(topic, "other"),
            }
        )
    frame = pd.DataFrame(out)
    frame["matched"] = (frame["category"] == frame["topic_label"]) & (
        frame["docs_in_topic"] >= min_share * frame["docs"]
    )
    return frame


def score_topics(truth: dict, world: World, *, params: TopicParams | None = None) -> dict:
    """Planted-truth score: ``categories_matched_share`` (share of planted categories whose reports
    are assigned, one-to-one over the category-labelled topics, to a topic that carries their
    automatic label; see :func:`category_topic_match`) and ``nmi`` (normalized mutual
    information, arithmetic mean, between dominant topic and planted category over the planted issue
    reports, role ``report``).  ``params``: the topic settings to score (default: the snapshot's,
    :data:`jiesu.snapshot.chats.CHAT_TOPIC_PARAMS`)."""
    from sklearn.metrics import normalized_mutual_info_score  # heavy (~2.6 s); this scorer only

    snap = snapshot_model(world) if params is None else snapshot_model(world, params)
    planted = world.planted_table("messages")
    reports = planted.loc[(planted["role"] == "report") & (planted["category"] != ""), ["msg_id", "category"]]
    joined = reports.merge(snap.doc_topics[["msg_id", "topic"]], on="msg_id", how="left")
    joined["topic"] = joined["topic"].fillna(-1).astype(int)
    matches = category_topic_match(joined["category"], joined["topic"], snap.model.topics)
    n_categories = joined["category"].nunique()  # categories that were actually planted in reports
    return {
        "categories_matched_share": round(float(matches["matched"].sum() / n_categories), 4),
        "nmi": round(float(normalized_mutual_info_score(joined["category"], joined["topic"])), 4),
    }


def match_bursts(detected: pd.DataFrame, planted: list[dict], *, max_onset_error: int = 7) -> pd.DataFrame:
    """Match detected bursts to planted ones: a detection matches a planted burst when its onset is
    within ``max_onset_error`` days and it has the planted category or shares a word with the planted
    terms.  Each planted burst takes its closest-onset match.

    Returns one row per planted burst: ``id``, ``category``, ``onset``, ``detected`` (burst number or
    -1), ``onset_error_days`` (detected − planted, NaN if missed)."""

    tokenizer = Tokenizer("rjieba", min_length=2)
    rows = []
    for burst in planted:
        onset = pd.Timestamp(burst["onset"])
        words = {t for term in burst["terms"] for t in tokenizer.tokens(term)}
        best, error = -1, np.nan
        for det in detected.itertuples():
            delta = (det.onset - onset).days
            if abs(delta) > max_onset_error:
                continue
            if det.category == burst["category"] or words & set(str(det.terms).split(" ")):
                if best < 0 or abs(delta) < abs(error):
                    best, error = int(det.burst), delta
        rows.append(
            {
                "id": burst["id"],
                "category": burst["category"],
                "onset": onset,
                "detected": best,
                "onset_error_days": error,
            }
        )
    return pd.DataFrame(rows)


def score_bursts(truth: dict, world: World) -> dict:
    """Planted-truth score of burst detection: ``recall`` (planted bursts detected with onset within 7
    days), ``precision`` (detected bursts that match a planted one) and ``median_onset_error_days``
    (absolute, over detected planted bursts)."""
    return score_detected_bursts(snapshot_bursts(world)["bursts"], truth.get("bursts") or [])


def score_detected_bursts(found: pd.DataFrame, planted: list[dict]) -> dict:
    """:func:`score_bursts` for an already detected burst table."""
    matches = match_bursts(found, planted)
    hit = matches.loc[matches["detected"] >= 0]
    matched_detections = set()
    for det in found.itertuples(index=False):
        one = match_bursts(pd.DataFrame([det._asdict()]), planted)
        if (one["detected"] >= 0).any():
            matched_detections.add(int(det.burst))
    return {
        "recall": round(len(hit) / len(planted), 4) if planted else None,
        "precision": round(len(matched_detections) / len(found), 4) if len(found) else None,
        "median_onset_error_days": float(hit["onset_error_days"].abs().median()) if len(hit) else None,
    }


def planted_false_alarm_rate(
    found: dict, truth: dict, params: BurstParams = BurstParams(), *, guard_days: int = 7
) -> float:
    """The measured false-alarm rate of the burst test on a synthetic world: the share of tested
    term-days that alarm on days at least ``guard_days`` away from every planted burst (``found``:
    the result of :func:`detect_bursts`/:func:`snapshot_bursts`).  Compare with the nominal ``alpha``."""
    days = found["counts"].index
    quiet = pd.Series(True, index=days)
    for burst in truth.get("bursts") or []:
        onset = pd.Timestamp(burst["onset"])
        end = onset + pd.Timedelta(days=int(burst["duration_days"]) - 1)
        quiet.loc[(days >= onset - guard_days * DAY) & (days <= end + guard_days * DAY)] = False
    return false_alarm_rate(
        found["pvalues"], found["counts"], quiet, alpha=params.alpha, min_count=params.min_count
    )


def score_coverage(truth: dict, world: World) -> dict:
    """Score the coverage analysis against the planted truth (``truth["coverage"]``).

    Returns
    -------
    ``household_coverage_abs_error``: |measured − planted| household coverage (share of all households);
    ``uncovered_vulnerable_exact``: the outreach list's households equal the planted
    ``uncovered_vulnerable`` set exactly.
    """
    households = world.table("households")
    friends = world.table("friends")
    planted = truth["coverage"]
    measured = float(household_coverage(households, friends)["coverage"].iloc[0])
    found = set(outreach_list(households, friends)["household_id"].astype(str))
    return {
        "household_coverage_abs_error": abs(measured - float(planted["household_coverage"])),
        "uncovered_vulnerable_exact": found == set(planted["uncovered_vulnerable"]),
    }


def _month_distance(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return abs((pd.Period(a, freq="M") - pd.Period(b, freq="M")).n)


def score_rank(truth: dict, world: World) -> dict:
    """Recovery of the planted rank trajectory (``truth["rank"]``, ranks of *expected* rates).

    ``top5_before``/``bottom5_after``: True when the claims estimated from the observed panel
    (:func:`rank_claims`: rates pooled over the months before the planted intervention start, and over
    the last calendar year of the data, as in the planted truth) agree with the planted ones.
    ``milestone_error_months``: the larger of the absolute errors, in months, of the first month in the
    bottom 5 and the first month it stays there, estimated — like the planted ones — from expected
    rates: the ranks of the DiD model's fitted rates (:func:`jiesu.analysis.impact.expected_ranks`).  Raw
    single-month ranks are far noisier (a Monte Carlo over 30 seeds of the panel model: within ±1 month
    in 60% of worlds, against 100% for the model-based milestones).  None if either is missing.
    """

    planted = truth["rank"]
    design = truth["intervention"]
    focus = design["community"]
    panel = world.table("panel")
    last = str(panel["month"].max())
    claims = rank_claims(panel, focus, before_end=design["start_month"], after_start=f"{last[:4]}-01")
    model = milestones(expected_ranks(panel, focus, planted_design(truth)), focus)
    errors = [
        _month_distance(model["first_month_bottom5"], planted["first_month_bottom5"]),
        _month_distance(model["first_month_stays_bottom5"], planted["first_month_stays_bottom5"]),
    ]
    return {
        "top5_before": claims["top5_before"] == bool(planted["top5_before"]),
        "bottom5_after": claims["bottom5_after"] == bool(planted["bottom5_after"]),
        "milestone_error_months": None if None in errors else max(errors),
    }


def score_effect(truth: dict, world: World) -> dict:
    """Recovery of the planted effect ``truth["intervention"]["effect_log_rr_total"]``.

    ``its_covers_truth``/``did_covers_truth``: the controlled ITS and the DiD 95% intervals contain it;
    ``did_abs_error``/``naive_abs_error``: |estimate − truth| on the log rate-ratio scale.  The controls
    are the communities the world never treated (``truth["area"]["never_treated"]``; every peer in a
    world from before the area had adopters).
    """
    planted = truth["intervention"]
    target = float(planted["effect_log_rr_total"])
    focus, design = planted["community"], planted_design(truth)
    panel = with_controls(world.table("panel"), focus, truth.get("area", {}).get("never_treated"))
    its_e = its(panel, focus, design)["estimate"]
    did_e = did(panel, focus, design)["estimate"]
    naive_e = naive_before_after(panel, focus, design)["estimate"]
    return {
        "its_covers_truth": its_e.covers(target),
        "did_covers_truth": did_e.covers(target),
        "did_abs_error": abs(did_e.estimate - target),
        "naive_abs_error": abs(naive_e.estimate - target),
    }


def score_linkage(truth: dict, world: World) -> dict[str, float | None]:
    """``jiesu evaluate`` section *linkage*: pairwise precision/recall of the ingested registry.

    Reads ``planted_linkage.csv`` (or ``truth["linkage"]``) and ``record_links.parquet``.
    """
    planted = world.planted_table("linkage")
    if planted is None and truth.get("linkage"):
        planted = pd.DataFrame(truth["linkage"])
    if planted is None:
        return {"precision": None, "recall": None}
    links = world.table("record_links")
    salt = load_salt(world.paths.salt_file())
    return linkage_scores(links, planted, record_ids=personal_record_ids(salt))


def planted_design(truth: dict) -> Intervention:
    """The planted intervention of a synthetic world as an :class:`Intervention` (start, phase-in)."""
    planted = truth["intervention"]
    return Intervention(planted["start_month"], int(planted["ramp_months"]))
