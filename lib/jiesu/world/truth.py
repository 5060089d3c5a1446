"""The planted truth of a world (``planted_truth.json``): what was planted, for scoring the analyses.

One function per section; :func:`planted_truth` assembles them.  The keys are documented in
``jiesu.contract.PLANTED_TRUTH_DOC`` (rendered into ``data/raw/README.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE, CATEGORIES
from jiesu.contract import RAW
from jiesu.settings import AREA
from jiesu.world.cases import spill_lag_days, spill_probability
from jiesu.world.community import Community
from jiesu.world.groups import Groups
from jiesu.world.panel import rank_truth
from jiesu.world.spec import (
    BURSTS,
    GENERATOR_VERSION,
    PANEL,
    PANEL_END,
    PANEL_START,
    REFERENCE_YEAR,
    CommunitySpec,
    Preset,
)
from jiesu.world.vocabulary import PLACES, PROBLEMS, REQUESTS

CHAT_SEASONS = {"garbage": "from 2020-05-01", "epidemic": "2020-01-20..2020-06-30", "heating": "11-15..03-15"}
FLAGS = ("elderly", "dibao", "disabled", "vulnerable")
SPILLS_FROM_P = 0.25
"""A burst "spills" (``bursts[].spills``) when its threads become cases with at least this probability."""


def meta_truth(spec: CommunitySpec, seed: int, preset: str, window: Preset) -> dict:
    return {
        "seed": seed,
        "preset": preset,
        "generator_version": GENERATOR_VERSION,
        "chat_period": [window.chat_start, window.chat_end],
        "panel_period": [PANEL_START, PANEL_END],
        "community": spec.name,
        "area": AREA,
        "synthetic": True,
        "reference_year": REFERENCE_YEAR,
        "age_definition": "age = 2020 − birth year; 高龄 = a resident aged 80+",
        "files": sorted(
            [t.file for t in RAW.values() if "*" not in t.file] + [f"wechatmsg_{spec.repair_group}.csv"]
        ),
    }


def community_truth(community: Community) -> dict:
    hh, res = community.households, community.residents
    bands = pd.cut(res["age"], [-1, 17, 34, 59, 79, 200], labels=["0-17", "18-34", "35-59", "60-79", "80+"])
    return {
        "buildings": len(community.buildings),
        "households": len(hh),
        "residents": len(res),
        "occupied_households": int((hh["tenure"] != "空置").sum()),
        "tenure": hh["tenure"].value_counts().to_dict(),
        "housing_type": hh["housing_type"].value_counts().to_dict(),
        "flag_rates": {f: float(hh[f].mean()) for f in FLAGS},
        "flag_households": {f: int(hh[f].sum()) for f in FLAGS},
        "residents_by_age_band": bands.value_counts().sort_index().astype(int).to_dict(),
        "vulnerable_households": sorted(hh.loc[hh["vulnerable"], "household_id"]),
        "elderly_households": sorted(hh.loc[hh["elderly"], "household_id"]),
        "dibao_households": sorted(hh.loc[hh["dibao"], "household_id"]),
        "disabled_households": sorted(hh.loc[hh["disabled"], "household_id"]),
    }


def coverage_truth(hh: pd.DataFrame, res: pd.DataFrame, friends: pd.DataFrame) -> dict:
    covered = set(friends["household_id"])
    hh_cov = hh.assign(covered=hh["household_id"].isin(covered))
    uncovered_all = sorted(set(hh["household_id"]) - covered)
    vul_unc = sorted(hh.loc[hh["vulnerable"] & ~hh_cov["covered"], "household_id"])
    per_building = hh_cov.groupby("building")["covered"].mean()
    return {
        "friends": len(friends),
        "friend_residents": int(friends["resident_key"].nunique()),
        "household_coverage": float(hh_cov["covered"].mean()),
        "occupied_household_coverage": float(hh_cov.loc[hh["tenure"] != "空置", "covered"].mean()),
        "resident_coverage": float(len(friends) / len(res)),
        "by_building": {int(b): float(v) for b, v in per_building.items()},
        "uncovered_households": uncovered_all,
        "uncovered_vacant": sorted(hh.loc[(hh["tenure"] == "空置"), "household_id"]),
        "uncovered_vulnerable": vul_unc,
        "n_uncovered": len(uncovered_all),
        "n_uncovered_vulnerable": len(vul_unc),
        "definition": "a household is covered when at least one of its residents is a friend of 园园",
    }


def linkage_truth(linkage: pd.DataFrame) -> dict:
    return {
        "table": "planted_linkage.csv",
        "records": int(len(linkage)),
        "by_source": linkage["source"].value_counts().sort_index().astype(int).to_dict(),
        "non_resident_records": int((linkage["resident_key"] == "").sum()),
        "registry_households_covered": int(
            linkage.loc[linkage["source"] != "cases", "household_id"].replace("", np.nan).dropna().nunique()
        ),
    }


def categories_truth(planted_messages: pd.DataFrame) -> dict:
    coded = planted_messages["category"] != ""
    cat_counts = planted_messages[coded]["category"].value_counts()
    return {
        c.code: {
            "label": c.label,
            "level1": c.level1,
            "season": c.season,
            "season_months": list(c.months),
            "chat_season": CHAT_SEASONS.get(c.code, "months"),
            "owner_team": c.owner_team,
            "vocabulary": sorted(set(PROBLEMS[c.code]) | set(PLACES.get(c.code, ())) | set(REQUESTS[c.code])),
            "n_messages": int(cat_counts.get(c.code, 0)),
            "n_threads": int(
                planted_messages.loc[planted_messages["category"] == c.code, "thread_id"].nunique()
            ),
        }
        for c in CATEGORIES
    }


def bursts_truth(
    spec: CommunitySpec,
    groups: Groups,
    burst_threads: list[dict],
    planted_cases: pd.DataFrame,
    window: Preset,
    seed: int,
) -> list[dict]:
    """The planted bursts inside the chat window (none for a peer)."""
    table = groups.table
    chat_start, chat_end = pd.Timestamp(window.chat_start), pd.Timestamp(window.chat_end)
    out = []
    for burst in BURSTS if spec.is_focus else ():
        on = pd.Timestamp(burst.onset)
        if on < chat_start or on + pd.Timedelta(days=burst.duration_days) > chat_end + pd.Timedelta(days=1):
            continue
        gname = (
            f"{spec.short}{burst.building}号楼楼门群"
            if burst.group_kind == "building"
            else table.loc[[k == burst.group_kind for k in groups.kinds], "群名称"].iloc[0]
        )
        p = spill_probability(on.strftime("%Y-%m"))
        out.append(
            {
                "id": burst.id,
                "category": burst.category,
                "label": BY_CODE[burst.category].label,
                "terms": list(burst.terms),
                "onset": burst.onset,
                "duration_days": burst.duration_days,
                "end": (on + pd.Timedelta(days=burst.duration_days - 1)).strftime("%Y-%m-%d"),
                "building": burst.building or None,
                "group_id": table.loc[table["群名称"] == gname, "群编号"].iloc[0],
                "group_name": gname,
                "spill_probability": p,
                "spill_lag_days": spill_lag_days(seed, burst.id),
                "spills": bool(p >= SPILLS_FROM_P),
                "n_threads": int(sum(1 for b in burst_threads if b["burst_id"] == burst.id)),
                "n_spill_cases": int((planted_cases["burst_id"] == burst.id).sum()),
            }
        )
    return out


def peer_intervention_truth(spec: CommunitySpec, panel_truth: dict) -> dict:
    """A peer's ``intervention``: its adoption of the 园园 way (see :mod:`jiesu.world.area`) or none;
    the focus community's intervention is kept under ``focus_intervention``."""
    adopted = panel_truth["peer_interventions"].get(spec.index)
    if adopted is not None:
        return {
            **adopted,
            "note": "a peer that adopted a 园园-like way of working",
            "focus_intervention": panel_truth["intervention"],
        }
    return {
        "community": spec.name,
        "start_month": None,
        "effect_log_rr": {k: 0.0 for k in PANEL.effect_log_rr},
        "effect_log_rr_total": 0.0,
        "note": "a peer community that never adopted: no intervention was planted here",
        "focus_intervention": panel_truth["intervention"],
    }


def messages_truth(chats: pd.DataFrame, n_main: int, n_export: int, repair_group: str) -> dict:
    return {
        "total": int(len(chats)),
        "chat_messages_csv": n_main,
        "wechatmsg": n_export,
        "wechatmsg_group": repair_group,
        "threads": int(chats.loc[chats["thread"] != "", "thread"].nunique()),
        "table": "planted_messages.csv",
    }


def intervention_and_rank(spec: CommunitySpec, panel: pd.DataFrame, panel_truth: dict) -> tuple[dict, dict]:
    """The ``intervention`` and ``rank`` sections: the focus's from the panel model, a peer's own."""
    if spec.is_focus:
        return panel_truth["intervention"], panel_truth["rank"]
    return peer_intervention_truth(spec, panel_truth), rank_truth(panel, spec.name)
