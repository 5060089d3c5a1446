"""The synthetic 高碑店 world: a deterministic stand-in for confidential registries, chats and 12345 工单.

``simulate(out_dir, seed=0, preset="full")`` writes every raw file of :data:`jiesu.contract.RAW` plus
the planted truth (``planted_truth.json`` last, and ``planted_linkage/messages/cases.csv``).

The world follows the seed article (人民网 2020-09-27): 甘露园南里二社区, 18 walk-up buildings of the
1990s with exactly 2,602 households and about 5,700 residents, the virtual social worker 园园 with
exactly 2,759 resident friends, six backbone teams, categorized WeChat groups, and a fall of the
community's 12345 complaint rate from the area's top 5 to its bottom 5 after the 2018 intervention.

Data-generating processes (all randomness from ``numpy.random.default_rng([seed, part])``):

* **Households/residents** – fixed building layouts (units × floors × doors, a few ground-floor rooms
  turned into shops); tenure, flat type and household size drawn per household, ages by household
  composition; 高龄 = a resident with ``2020 − birth_year ≥ 80``; 低保 and 残疾 at Beijing-like rates.
* **Registries** – 停车证 (2018, car owners), 疫情登记 (2020-02, most households), 社工走访 (ongoing,
  every vulnerable and every otherwise-unknown household), each with address variants, homophone
  typos, changed phones and duplicates.
* **Chats** – per group a Poisson stream of everyday messages (daily/weekly rhythm, heavy-tailed
  lognormal sender activity) plus issue threads (report → staff reply → close with ``[图片]`` → thanks)
  whose rates follow each category's season, plus planted keyword bursts.
* **12345 panel and cases** – one log-linear Poisson model for ~24 communities × months × categories:
  ``log μ = log(residents) + α_c + γ_{t,k} + δ_k · ramp(t) · [focus]`` (area-wide seasons, the 2019-01
  接诉即办 surge, the 2020 epidemic); the focus community's cases are instantiated from its counts and
  burst threads spill into cases with a lag (high probability before the intervention, low after).

A district run (``communities=N``) also writes complete worlds for the peers 对照社区01…N, each built from
a :class:`CommunitySpec` sized by its panel rows, sharing the one area panel.  Message texts are composed
in :mod:`jiesu.world.chatgen`; names, phones, WeChat ids and address variants come from :mod:`jiesu.world.names`.
"""

from __future__ import annotations

import io
import math
import re
import time
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE, CATEGORIES, OTHER, TEAMS
from jiesu.contract import RAW, household_key
from jiesu.settings import AREA, FOCUS_COMMUNITY
from jiesu.storage import write_bytes, write_json
from jiesu.world import chatgen, names

GENERATOR_VERSION = "1.0"
REFERENCE_YEAR = 2020  # ages are 2020 − birth year ("age on 2020-09-30" rounded to the year)
PANEL_START, PANEL_END = "2017-01", "2020-09"
INTERVENTION_START, RAMP_MONTHS = "2018-07", 6
SURGE_MONTH = "2019-01"
N_HOUSEHOLDS, N_RESIDENTS, N_FRIENDS = 2602, 5730, 2759
N_UNCOVERED_VULNERABLE, N_UNCOVERED_OTHER = 22, 38
FIXED_ZIP_TIME = (2020, 9, 30, 0, 0, 0)
FIXED_XLSX_TIME = datetime(2020, 9, 30, 0, 0, 0)


@dataclass(frozen=True)
class Preset:
    chat_start: str
    chat_end: str  # inclusive
    messages: int  # target number of chat messages (both layouts together)


PRESETS: dict[str, Preset] = {
    "full": Preset("2018-01-01", "2020-09-30", 300_000),
    "small": Preset("2020-04-01", "2020-06-30", 18_000),
}

# (units, floors, doors per floor, year built) of the 18 buildings: 1990s walk-ups.
BUILDING_LAYOUT: tuple[tuple[int, int, int, int], ...] = (
    (4, 6, 4, 1991),
    (7, 6, 4, 1991),
    (6, 6, 4, 1992),
    (5, 6, 4, 1992),
    (7, 6, 4, 1992),
    (6, 6, 4, 1993),
    (4, 6, 4, 1993),
    (7, 6, 4, 1993),
    (6, 6, 4, 1994),
    (7, 6, 4, 1994),
    (6, 6, 4, 1994),
    (7, 6, 4, 1995),
    (5, 6, 4, 1995),
    (8, 6, 4, 1996),
    (8, 6, 4, 1996),
    (7, 6, 4, 1997),
    (5, 5, 4, 1997),
    (6, 6, 3, 1998),
)

# Planted keyword bursts: (id, category, onset, duration days, building (0 = none), group kind, terms).
BURSTS: tuple[tuple[str, str, str, int, int, str, tuple[str, ...]], ...] = (
    (
        "B01",
        "heating",
        "2018-01-08",
        7,
        6,
        "building",
        ("回水管是凉的", "热力站", "室温只有十四度", "暖气不热"),
    ),
    ("B02", "wind", "2018-04-12", 4, 11, "building", ("楼顶的彩钢板快掉了", "彩钢板", "差点砸到人")),
    ("B03", "flood", "2018-07-16", 5, 3, "building", ("雨篦子堵了", "积水都没过脚面了", "楼门口积水了")),
    ("B04", "parking", "2018-10-09", 6, 6, "heating_property", ("车棚的台阶太高", "坡道", "电动车推不上去")),
    ("B05", "noise", "2019-06-10", 5, 0, "safety", ("半夜施工", "电钻声受不了", "渣土车")),
    ("B06", "heating", "2019-11-18", 6, 14, "building", ("暖气片往下滴水", "跑风门坏了", "暖气漏水了")),
    ("B07", "epidemic", "2020-02-03", 10, 0, "council", ("返京要不要隔离", "出入证", "居家观察")),
    ("B08", "wind", "2020-04-14", 4, 15, "building", ("外墙保温层要掉", "空调外机晃得厉害", "保温层")),
    ("B09", "garbage", "2020-05-06", 7, 9, "building", ("厨余垃圾桶味道太大", "桶站", "苍蝇蚊子太多")),
    ("B10", "vendors", "2020-06-08", 5, 0, "safety", ("卖菜的把垃圾扔一地", "流动商贩堵门口", "三轮车")),
    ("B11", "flood", "2020-06-22", 5, 17, "building", ("顶楼卫生间漏雨", "防雨层", "天花板往下滴水")),
    ("B12", "security", "2020-08-24", 5, 0, "safety", ("有人冒充燃气公司的上门", "燃气公司", "敲门")),
)


@dataclass(frozen=True)
class CommunitySpec:
    """What makes one community's world: the focus community by default, peers for a district run."""

    name: str = FOCUS_COMMUNITY
    short: str = "甘二"  # prefix of group names
    estate: str = "甘露园南里二区"  # how 12345 call-takers write the estate in 诉求地址
    layout: tuple[tuple[int, int, int, int], ...] = BUILDING_LAYOUT
    households: int = N_HOUSEHOLDS
    residents: int = N_RESIDENTS
    friends: int = N_FRIENDS
    uncovered_vulnerable: int = N_UNCOVERED_VULNERABLE
    uncovered_other: int = N_UNCOVERED_OTHER
    index: int = 0  # 0 = the focus community; i = 对照社区i (own random streams, own panel rows)
    message_share: float = 1.0  # chat volume relative to the preset's target
    account: str = "yuanyuan_gan2"  # the community's own WeChat account (园园 for the focus)
    account_name: str = "园园"

    @property
    def is_focus(self) -> bool:
        return self.index == 0

    @property
    def repair_group(self) -> str:
        return f"{self.short}供暖和物业报修群"


FOCUS = CommunitySpec()

# Chat issue threads per day in season (full activity), and the groups they are reported in.
THREAD_RATE = {
    "heating": 1.6,
    "flood": 1.1,
    "wind": 0.8,
    "garbage": 1.2,
    "epidemic": 2.0,
    "lighting": 0.5,
    "parking": 0.7,
    "noise": 0.6,
    "vendors": 0.4,
    "security": 0.5,
}
THREAD_GROUPS = {
    "heating": {"heating_property": 0.6, "building": 0.4},
    "flood": {"repair": 0.4, "building": 0.5, "heating_property": 0.1},
    "wind": {"building": 0.5, "safety": 0.3, "repair": 0.2},
    "garbage": {"building": 0.5, "repair": 0.3, "council": 0.2},
    "epidemic": {"building": 0.6, "council": 0.2, "heating_property": 0.2},
    "lighting": {"repair": 0.6, "building": 0.4},
    "parking": {"building": 0.4, "heating_property": 0.3, "council": 0.3},
    "noise": {"safety": 0.6, "building": 0.4},
    "vendors": {"safety": 0.8, "building": 0.2},
    "security": {"safety": 0.7, "building": 0.3},
}
# Which role answers a category in the chats (the seed: @物业, @供热维修, @社区民警, @城管).
RESPONDER_ROLE = {
    "heating": "供热维修",
    "flood": "物业维修",
    "wind": "物业维修",
    "garbage": "物业保洁",
    "epidemic": "社工",
    "lighting": "物业维修",
    "parking": "物业经理",
    "noise": "社区民警",
    "vendors": "城管队员",
    "security": "社区民警",
}

# Panel: area-wide category shares of requests and the planted intervention effects (log rate ratio).
CATEGORY_SHARE = {
    "heating": 0.10,
    "flood": 0.05,
    "wind": 0.03,
    "garbage": 0.08,
    "epidemic": 0.15,
    "lighting": 0.06,
    "parking": 0.12,
    "noise": 0.12,
    "vendors": 0.07,
    "security": 0.08,
    OTHER: 0.30,
}
EFFECT_LOG_RR = {
    "heating": -1.25,
    "flood": -1.15,
    "wind": -1.0,
    "garbage": -1.1,
    "epidemic": -0.9,
    "lighting": -1.35,
    "parking": -1.2,
    "noise": -1.05,
    "vendors": -1.1,
    "security": -0.95,
    OTHER: -1.0,
}
BASE_RATE_PER_10K = 25.0  # area median requests per 10k residents per month before the 2019 surge
FOCUS_LOG_EXCESS = 0.45  # focus community's baseline log rate above the area median
N_PEERS = 23
PEER_LOG_SD = 0.25  # spread of the peers' baseline log rates
HANDLERS = {
    "heating": "供热公司",
    "flood": "地区城建科",
    "wind": "地区安全科",
    "garbage": "地区环境办",
    "epidemic": "地区防控办",
    "lighting": "物业公司",
    "parking": "地区城管科",
    "noise": "属地派出所",
    "vendors": "城管执法队",
    "security": "属地派出所",
    OTHER: "社区居委会",
}
REQUEST_TYPE_P = {  # 咨询 求助 投诉 举报 建议
    "heating": (0.1, 0.5, 0.35, 0.0, 0.05),
    "flood": (0.05, 0.5, 0.4, 0.0, 0.05),
    "wind": (0.05, 0.45, 0.3, 0.15, 0.05),
    "garbage": (0.2, 0.1, 0.5, 0.1, 0.1),
    "epidemic": (0.6, 0.2, 0.1, 0.05, 0.05),
    "lighting": (0.05, 0.55, 0.35, 0.0, 0.05),
    "parking": (0.15, 0.15, 0.5, 0.1, 0.1),
    "noise": (0.0, 0.05, 0.7, 0.25, 0.0),
    "vendors": (0.0, 0.0, 0.45, 0.55, 0.0),
    "security": (0.05, 0.3, 0.2, 0.45, 0.0),
    OTHER: (0.35, 0.2, 0.3, 0.05, 0.1),
}


def _rng(seed: int, part: int, index: int = 0) -> np.random.Generator:
    """The random stream of one part of one community's world (index 0 = the focus community)."""
    return np.random.default_rng([seed, part] if index == 0 else [seed, part, index])


def _month_range(start: str, end: str) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]


def _months_between(a: str, b: str) -> int:
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return (yb - ya) * 12 + (mb - ma)


def ramp(month: str) -> float:
    """Intervention intensity 0–1: 0 before 2018-07, linear over 6 months, 1 from 2019-01."""
    return float(np.clip(_months_between(INTERVENTION_START, month) / RAMP_MONTHS, 0.0, 1.0))


# ==================================================================================================
# 1. Buildings, households, residents
# ==================================================================================================


def build_community(
    seed: int, spec: CommunitySpec = FOCUS
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Buildings, households (exactly ``spec.households``: 2,602) and residents (exactly ``spec.residents``).

    Returns (buildings, households, residents).  Households carry ``household_id`` (``BB-U-RRR``),
    tenure, flat type, persons and the three flags; residents carry ``resident_key``, name, sex,
    birth year, phone (current) and ``phone_2018`` (differs for residents who changed number).
    """
    rng = _rng(seed, 1, spec.index)
    layout = spec.layout
    rows = []
    for b, (units, floors, doors, _year) in enumerate(layout, start=1):
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for d in range(1, doors + 1):
                    rows.append((b, u, f, f * 100 + d))
    dwellings = pd.DataFrame(rows, columns=["building", "unit", "floor", "room"])
    excess = len(dwellings) - spec.households
    ground = np.flatnonzero(dwellings["floor"].to_numpy() == 1)
    if excess > len(ground):  # a layout far too large: take dwellings from any floor
        ground = np.arange(len(dwellings))
    dwellings = dwellings.drop(index=rng.choice(ground, excess, replace=False)).reset_index(drop=True)
    hh = dwellings
    n = len(hh)
    hh["household_id"] = [
        household_key(b, u, r) for b, u, r in zip(hh.building, hh.unit, hh.room, strict=True)
    ]
    hh["tenure"] = rng.choice(["自住", "出租", "空置"], n, p=[0.72, 0.25, 0.03])
    doors = np.array([layout[b - 1][2] for b in hh.building])
    door = hh["room"].to_numpy() % 100
    # end flats (door 1 and the last door) are the larger ones
    large = (door == 1) | (door == doors)
    hh["housing_type"] = np.where(
        large,
        rng.choice(["两居室", "三居室"], n, p=[0.6, 0.4]),
        rng.choice(["一居室", "两居室"], n, p=[0.45, 0.55]),
    )
    occupied = hh["tenure"].to_numpy() != "空置"
    persons = np.where(occupied, rng.choice([1, 2, 3, 4, 5], n, p=[0.22, 0.38, 0.24, 0.11, 0.05]), 0)
    occ_idx = np.flatnonzero(occupied)
    while persons.sum() != spec.residents:
        i = occ_idx[rng.integers(len(occ_idx))]
        if persons.sum() < spec.residents and persons[i] < 6:
            persons[i] += 1
        elif persons.sum() > spec.residents and persons[i] > 1:
            persons[i] -= 1
    hh["persons"] = persons

    # residents by household composition
    res_rows = []
    for hid, tenure, k in zip(hh.household_id, hh.tenure, persons, strict=True):
        if k == 0:
            continue
        renter = tenure == "出租"
        if renter:
            head = int(rng.integers(22, 46))
        elif rng.random() < 0.52:
            head = int(np.clip(60 + rng.gamma(2.2, 6.5), 60, 99))
        else:
            head = int(rng.integers(28, 60))
        sex_head = "M" if rng.random() < 0.5 else "F"
        ages, sexes = [head], [sex_head]
        if k >= 2:
            ages.append(int(np.clip(head + rng.integers(-5, 4), 18, 99)))
            sexes.append("F" if sex_head == "M" else "M")
        for _ in range(k - 2):
            if head >= 62 and rng.random() < 0.7:
                child = head - int(rng.integers(25, 36))
                if all(a != child for a in ages[2:]) and len(ages) == 2:
                    ages.append(int(np.clip(child, 18, 75)))
                else:
                    ages.append(int(rng.integers(1, 18)))
            elif head < 45 and rng.random() < 0.25:
                ages.append(int(np.clip(head + rng.integers(24, 34), 50, 95)))  # a parent moved in
            else:
                ages.append(int(np.clip(head - rng.integers(22, 36), 0, 40)))
            sexes.append("M" if rng.random() < 0.5 else "F")
        for a, s in zip(ages, sexes, strict=True):
            res_rows.append((hid, REFERENCE_YEAR - a, s))
    res = pd.DataFrame(res_rows, columns=["household_id", "birth_year", "sex"])
    res["age"] = REFERENCE_YEAR - res["birth_year"]
    res["resident_key"] = [f"P{i + 1:06d}" for i in range(len(res))]
    res["name"] = names.person_names(rng, res["birth_year"].to_numpy(), res["sex"].to_numpy())
    n_res = len(res)
    used_phones: set[str] = set()
    phones = names.phone_numbers(rng, n_res, used_phones)
    res["phone"] = [p if a >= 12 else "" for p, a in zip(phones, res["age"], strict=True)]
    changed = (rng.random(n_res) < 0.1) & (res["age"].to_numpy() >= 12)
    olds = names.phone_numbers(rng, int(changed.sum()), used_phones)
    res["phone_2018"] = res["phone"]
    res.loc[changed, "phone_2018"] = olds
    res = res.merge(hh[["household_id", "building", "unit", "floor", "room"]], on="household_id", how="left")

    # flags
    elderly = res.groupby("household_id")["age"].max().ge(80)
    hh["elderly"] = hh["household_id"].map(elderly).fillna(False).astype(bool)
    old_single = (hh["persons"] == 1) & hh["elderly"]
    p_dibao = np.where(occupied, np.where(old_single, 0.06, 0.02), 0.0)
    hh["dibao"] = rng.random(n) < p_dibao
    p_dis = np.where(occupied, np.where(hh["elderly"], 0.09, 0.04), 0.0)
    hh["disabled"] = rng.random(n) < p_dis
    hh["vulnerable"] = hh["elderly"] | hh["dibao"] | hh["disabled"]

    buildings = pd.DataFrame(
        {
            "社区": spec.name,
            "楼号": np.arange(1, len(layout) + 1),
            "单元数": [lay[0] for lay in layout],
            "层数": [lay[1] for lay in layout],
            "户数": hh.groupby("building").size().reindex(range(1, len(layout) + 1)).to_numpy(),
            "建成年份": [lay[3] for lay in layout],
        }
    )
    return buildings, hh, res


# ==================================================================================================
# 2. 园园's friends (coverage plan) and the registry sources
# ==================================================================================================


def plan_friends(
    hh: pd.DataFrame, res: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS
) -> tuple[pd.DataFrame, list[str]]:
    """Choose exactly ``spec.friends`` resident friends covering every occupied household except a planted
    uncovered set (``spec.uncovered_vulnerable`` vulnerable + ``spec.uncovered_other`` others).

    Returns (friend residents with ``wxid``/``nickname``/``added``, uncovered household ids).
    """
    rng = _rng(seed, 2, spec.index)
    occupied = hh[hh["tenure"] != "空置"]
    vul = occupied.loc[occupied["vulnerable"], "household_id"].to_numpy()
    other = occupied.loc[~occupied["vulnerable"], "household_id"].to_numpy()
    uncovered = sorted(
        list(rng.choice(vul, spec.uncovered_vulnerable, replace=False))
        + list(rng.choice(other, spec.uncovered_other, replace=False))
    )
    unc = set(uncovered)
    candidates = res[~res["household_id"].isin(unc)]
    # one friend per covered household: prefer adults aged 25-75 (they run the family's WeChat)
    pref = candidates.assign(
        score=rng.random(len(candidates))
        + candidates["age"].between(25, 75) * 1.0
        + candidates["age"].between(14, 85) * 0.5
    )
    first = (
        pref.sort_values(["household_id", "score"], ascending=[True, False]).groupby("household_id").head(1)
    )
    rest = pref[~pref["resident_key"].isin(first["resident_key"]) & pref["age"].between(14, 88)]
    weights = np.where(rest["age"].between(25, 70), 3.0, 1.0)
    extra_n = spec.friends - len(first)
    extra = rest.iloc[np.sort(rng.choice(len(rest), extra_n, replace=False, p=weights / weights.sum()))]
    friends = (
        pd.concat([first, extra]).drop(columns="score").sort_values("resident_key").reset_index(drop=True)
    )
    friends["wxid"] = names.wechat_ids(rng, len(friends))
    friends["nickname"] = [
        names.nickname(nm, by, rng) for nm, by in zip(friends.name, friends.birth_year, strict=True)
    ]
    # 园园 since 2017-10; most friends were added in the intervention's first year and in the epidemic
    start = pd.Timestamp("2017-10-01")
    mix = rng.random(len(friends))
    offsets = np.where(
        mix < 0.2,
        rng.integers(0, 270, len(friends)),  # 2017-10 .. 2018-06
        np.where(
            mix < 0.75,
            rng.integers(270, 640, len(friends)),  # 2018-07 .. 2019-06
            np.where(
                mix < 0.9,
                rng.integers(850, 910, len(friends)),  # 2020-02 .. 03
                rng.integers(640, 1095, len(friends)),
            ),
        ),
    )
    friends["added"] = start + pd.to_timedelta(np.sort(offsets)[rng.permutation(len(friends))], unit="D")
    return friends, uncovered


def _addr(row_b, row_u, row_r, rng: np.random.Generator, fullwidth_p: float = 0.08) -> str:
    return names.address_text(
        int(row_b),
        int(row_u),
        int(row_r),
        int(rng.integers(len(names.ADDRESS_VARIANTS))),
        fullwidth=rng.random() < fullwidth_p,
    )


def _maybe_typo(name: str, rng: np.random.Generator, p: float) -> str:
    return names.homophone_typo(name, rng) if rng.random() < p else name


def registry_sources(
    hh: pd.DataFrame, res: pd.DataFrame, friends: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """停车证 (2018), 疫情登记 (2020-02) and 社工走访 tables with their linkage truth.

    Returns (parking, epidemic, visits, linkage) — the first three with the contract's Chinese
    headers; linkage has source, record_id, household_id, resident_key.
    """
    rng = _rng(seed, 3, spec.index)
    link: list[tuple[str, str, str, str]] = []
    by_hh: dict[str, list[dict]] = {}
    for person in res.to_dict("records"):  # plain dicts: per-record pandas access is slow
        by_hh.setdefault(person["household_id"], []).append(person)

    # --- parking permits 2018 -----------------------------------------------------------------------
    occ = hh[hh["tenure"] != "空置"]
    car = occ[rng.random(len(occ)) < np.where(occ["tenure"] == "自住", 0.38, 0.25)]
    prow = []
    for hid in car["household_id"]:
        adults = [p for p in by_hh[hid] if 22 <= p["age"] <= 78]
        if not adults:
            continue
        person = adults[int(rng.integers(len(adults)))]
        copies = 2 if rng.random() < 0.06 else 1
        for _ in range(copies):
            prow.append((person, hid))
    order = rng.permutation(len(prow))
    parking = []
    letters = "ABCDEFGHJKLMNPQ"
    for i, j in enumerate(order):
        person, hid = prow[j]
        rid = f"TC2018{i + 1:04d}"
        day = pd.Timestamp("2018-03-01") + pd.Timedelta(days=int(rng.integers(0, 122)))
        plate = (
            "京"
            + letters[int(rng.integers(len(letters)))]
            + "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"), 5))
        )
        parking.append(
            {
                "申请编号": rid,
                "申请日期": day.to_pydatetime(),
                "姓名": _maybe_typo(person["name"], rng, 0.05),
                "联系电话": person["phone_2018"],
                "住址": _addr(person["building"], person["unit"], person["room"], rng),
                "车牌号": plate if rng.random() < 0.95 else "",
            }
        )
        link.append(("parking_permits", rid, hid, person["resident_key"]))
    parking = pd.DataFrame(parking)

    # --- epidemic registration 2020-02 ---------------------------------------------------------------
    erows = []
    reg_hh = occ[rng.random(len(occ)) < 0.86]["household_id"]
    for hid in reg_hh:
        members = by_hh[hid]
        who = members if rng.random() < 0.8 else members[:1]
        for person in who:
            copies = 2 if rng.random() < 0.03 else 1
            for _ in range(copies):
                erows.append((person, hid))
    hh_idx = {h["household_id"]: h for h in hh.to_dict("records")}
    order = rng.permutation(len(erows))
    epidemic = []
    for i, j in enumerate(order):
        person, hid = erows[j]
        h = hh_idx[hid]
        rid = f"YQ{i + 1:05d}"
        phone = person["phone"]
        if not phone:  # children give a parent's number
            adults = [p for p in by_hh[hid] if p["phone"] != ""]
            phone = adults[0]["phone"] if adults else ""
        persons = int(h["persons"]) + (int(rng.choice([-1, 1])) if rng.random() < 0.05 else 0)
        epidemic.append(
            {
                "登记编号": rid,
                "登记日期": (
                    pd.Timestamp("2020-02-01") + pd.Timedelta(days=int(rng.integers(0, 29)))
                ).strftime("%Y-%m-%d"),
                "姓名": _maybe_typo(person["name"], rng, 0.04),
                "联系电话": phone,
                "住址": _addr(person["building"], person["unit"], person["room"], rng),
                "出生年份": int(person["birth_year"]) if rng.random() > 0.03 else None,
                "户型": h["housing_type"] if rng.random() > 0.05 else "",
                "居住性质": h["tenure"] if rng.random() > 0.05 else "",
                "居住人数": max(persons, 1) if rng.random() > 0.05 else None,
            }
        )
        link.append(("epidemic_registration", rid, hid, person["resident_key"]))
    epidemic = pd.DataFrame(epidemic)
    epidemic["出生年份"] = epidemic["出生年份"].astype("Int64")
    epidemic["居住人数"] = epidemic["居住人数"].astype("Int64")

    # --- social-worker visits ------------------------------------------------------------------------
    known = set(friends["household_id"]) | set(parking_link_hh(link)) | set(reg_hh)
    must = set(hh.loc[hh["vulnerable"], "household_id"]) | (set(hh["household_id"]) - known)
    sample_others = [h for h in hh["household_id"] if h not in must and rng.random() < 0.22]
    targets = sorted(must) + sample_others
    notes_vul = (
        "独居老人，子女每周来",
        "行动不便，需要助餐",
        "已办理低保",
        "持残疾证",
        "老两口身体还行",
        "需要上门理发",
        "申请了养老助残卡",
        "子女在外地",
        "有保姆照顾",
    )
    notes_other = (
        "",
        "",
        "租户，合同到明年",
        "房主不在，邻居代答",
        "新搬来的",
        "家里有小孩",
        "对物业有意见",
        "反映楼道灯问题",
        "空置房，房主在外区住",
    )
    vrows = []
    first_day, last_day = pd.Timestamp("2018-01-02"), pd.Timestamp("2020-09-28")
    span = (last_day - first_day).days
    for hid in targets:
        h = hh_idx[hid]
        vulnerable = bool(h["vulnerable"])
        n_visits = int(rng.integers(1, 5)) if vulnerable else int(rng.integers(1, 3))
        days = np.sort(rng.choice(span, n_visits, replace=False))
        members = by_hh.get(hid)
        for v, d in enumerate(days):
            latest = v == n_visits - 1
            if members is not None and rng.random() < 0.9:
                person = members[int(rng.integers(len(members)))]
                pname, pkey, phone = (
                    _maybe_typo(person["name"], rng, 0.05),
                    person["resident_key"],
                    person["phone"],
                )
            else:  # the owner of an empty flat, a relative or a carer: not a registry resident
                by = int(rng.integers(1940, 1990))
                pname = names.person_names(
                    rng, np.array([by]), np.array(["F" if rng.random() < 0.5 else "M"])
                )[0]
                pkey, phone = "", names.phone_numbers(rng, 1)[0] if rng.random() < 0.6 else ""
            if latest or rng.random() < 0.4:
                flags = ["是" if h[f] else "否" for f in ("elderly", "dibao", "disabled")]
                if not latest and vulnerable and rng.random() < 0.5:  # stale: before the status applied
                    flags = ["否", "否", "否"]
            else:
                flags = ["", "", ""]
            if not vulnerable and latest and rng.random() < 0.5:
                flags = ["", "", ""]
            visit_day = first_day + pd.Timedelta(days=int(d))
            vrows.append(
                {
                    "_day": visit_day,
                    "_hid": hid,
                    "_key": pkey,
                    "社工": f"SG{int(rng.integers(1, 7)):02d}",
                    "住址": names.address_text(
                        int(h["building"]),
                        int(h["unit"]),
                        int(h["room"]),
                        int(rng.integers(len(names.ADDRESS_VARIANTS))),
                        fullwidth=rng.random() < 0.05,
                    ),
                    "姓名": pname,
                    "联系电话": phone,
                    "户型": h["housing_type"] if rng.random() < 0.7 else "",
                    "居住性质": h["tenure"] if rng.random() < 0.7 else "",
                    "居住人数": int(h["persons"]) if rng.random() < 0.7 else None,
                    "高龄": flags[0],
                    "低保": flags[1],
                    "残疾": flags[2],
                    "备注": (notes_vul if vulnerable else notes_other)[int(rng.integers(9))],
                }
            )
    visits = pd.DataFrame(vrows).sort_values(["_day", "_hid"], kind="stable").reset_index(drop=True)
    visits.insert(0, "走访编号", [f"ZF{i + 1:05d}" for i in range(len(visits))])
    fmt = rng.random(len(visits))
    visits.insert(
        1,
        "走访日期",
        [
            f"{d.year}年{d.month}月{d.day}日"
            if f < 0.4
            else f"{d.year}/{d.month}/{d.day}"
            if f < 0.7
            else d.strftime("%Y-%m-%d")
            if f < 0.9
            else int((d - pd.Timestamp("1899-12-30")).days)
            for d, f in zip(visits["_day"], fmt, strict=True)
        ],
    )
    visits["居住人数"] = visits["居住人数"].astype("Int64")
    link += [
        ("visits", r, h, k)
        for r, h, k in zip(visits["走访编号"], visits["_hid"], visits["_key"], strict=True)
    ]
    visits = visits.drop(columns=["_day", "_hid", "_key"])
    visits = visits[list(RAW["visits"].headers)]
    linkage = pd.DataFrame(link, columns=["source", "record_id", "household_id", "resident_key"])
    return parking, epidemic, visits, linkage


def parking_link_hh(link: list[tuple[str, str, str, str]]) -> list[str]:
    return [h for s, _, h, _ in link if s == "parking_permits"]


# ==================================================================================================
# 3. Teams, groups, memberships
# ==================================================================================================

STAFF_ROLES: tuple[tuple[str, str, str, int], ...] = (
    # team, role, organization, count (non-resident members)
    ("staff", "虚拟社工（园园）", "甘露园南里二社区居委会", 1),
    ("staff", "党委书记", "甘露园南里二社区居委会", 1),
    ("staff", "居委会主任", "甘露园南里二社区居委会", 1),
    ("staff", "社工", "甘露园南里二社区居委会", 5),
    ("red_alliance", "物业经理", "物业公司", 1),
    ("red_alliance", "物业维修", "物业公司", 4),
    ("red_alliance", "物业保洁", "物业公司", 2),
    ("red_alliance", "房屋中介", "房屋中介", 2),
    ("red_alliance", "律师", "律师事务所", 2),
    ("red_alliance", "社区医生", "医疗机构", 2),
    ("whistle", "社区民警", "属地派出所", 2),
    ("whistle", "城管队员", "城管执法队", 2),
    ("whistle", "供热维修", "供热公司", 3),
    ("dual_party", "在职党员", "区属单位", 8),
)
RESIDENT_TEAM_ROLES: tuple[tuple[str, str, int], ...] = (
    ("dual_party", "在职党员", 8),
    ("self_party", "楼门长", 18),
    ("self_party", "党员志愿者", 6),
    ("volunteers", "热心群众", 24),
    ("volunteers", "巡逻队员", 10),
    ("volunteers", "垃圾分类指导员", 8),
)
STAFF_DISPLAY = {
    "物业维修": "物业{s}师傅",
    "物业保洁": "保洁{s}姐",
    "物业经理": "物业{s}经理",
    "社区民警": "民警{s}警官",
    "城管队员": "城管{s}队员",
    "供热维修": "供热{s}师傅",
    "社工": "社工{s}{g}",
    "党委书记": "{s}书记",
    "居委会主任": "{s}主任",
    "虚拟社工（园园）": "园园",
    "房屋中介": "中介小{s}",
    "律师": "{s}律师",
    "社区医生": "{s}大夫",
    "在职党员": "{s}{g}",
}


def build_accounts(
    friends: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """WeChat accounts (resident friends + non-resident team members) and the teams table.

    Returns (accounts, teams) — accounts has wxid, nickname, display, resident_key, household_id,
    building, team, role, weight (chat activity), is_staff.
    """
    rng = _rng(seed, 4, spec.index)
    used = set(friends["wxid"])
    acc = friends[
        [
            "wxid",
            "nickname",
            "resident_key",
            "household_id",
            "building",
            "unit",
            "room",
            "name",
            "birth_year",
            "added",
        ]
    ].copy()
    acc["team"] = ""
    acc["role"] = ""
    acc["organization"] = ""
    staff_rows = []
    for team, role, org, count in STAFF_ROLES:
        ids = [spec.account] if role == "虚拟社工（园园）" else names.wechat_ids(rng, count, used)
        years = rng.integers(1965, 1996, count)
        nms = names.person_names(rng, years, rng.choice(["M", "F"], count))
        for wxid, nm, by in zip(ids, nms, years, strict=True):
            display = STAFF_DISPLAY.get(role, "{s}{g}").format(s=nm[0], g=nm[1:])
            if role.startswith("虚拟"):
                display = spec.account_name
            if org.endswith("社区居委会"):
                org = f"{spec.name}居委会"
            staff_rows.append(
                {
                    "wxid": wxid,
                    "nickname": display,
                    "resident_key": "",
                    "household_id": "",
                    "building": 0,
                    "unit": 0,
                    "room": 0,
                    "name": spec.account_name if role.startswith("虚拟") else nm,
                    "birth_year": int(by),
                    "added": pd.Timestamp("2017-10-01"),
                    "team": team,
                    "role": role,
                    "organization": org,
                }
            )
    acc = pd.concat([pd.DataFrame(staff_rows), acc], ignore_index=True)
    # resident backbone members: chosen among friends aged 30-80
    pool = np.flatnonzero(
        (acc["resident_key"] != "").to_numpy() & acc["birth_year"].between(1940, 1990).to_numpy()
    )
    chosen = rng.choice(pool, sum(c for _, _, c in RESIDENT_TEAM_ROLES), replace=False)
    k = 0
    for team, role, count in RESIDENT_TEAM_ROLES:
        for i in chosen[k : k + count]:
            acc.loc[i, ["team", "role", "organization"]] = [
                team,
                role,
                "区属单位" if team == "dual_party" else "",
            ]
        k += count
    # heavy-tailed chat activity; staff post less chatter (they answer threads instead)
    acc["weight"] = rng.lognormal(0.0, 1.4, len(acc))
    acc.loc[acc["team"].isin(["volunteers", "self_party"]), "weight"] *= 3.0
    acc["is_staff"] = (acc["resident_key"] == "") | acc["team"].isin(["staff"])
    acc.loc[acc["resident_key"] == "", "weight"] = 0.3
    acc["display"] = acc["nickname"]
    res_mask = acc["resident_key"] != ""
    style = rng.random(len(acc))
    acc.loc[res_mask & (style < 0.35), "display"] = [
        f"{b}-{u}-{r} {nm[0]}"
        for b, u, r, nm in zip(
            acc.building[res_mask & (style < 0.35)],
            acc.unit[res_mask & (style < 0.35)],
            acc.room[res_mask & (style < 0.35)],
            acc.name[res_mask & (style < 0.35)],
            strict=True,
        )
    ]
    team_rows = acc[acc["team"] != ""]
    teams = pd.DataFrame(
        {
            "队伍": team_rows["team"].map(TEAMS).to_numpy(),
            "微信号": team_rows["wxid"].to_numpy(),
            "姓名": team_rows["name"].to_numpy(),
            "角色": team_rows["role"].to_numpy(),
            "单位": team_rows["organization"].to_numpy(),
            "住址": [
                names.address_text(int(b), int(u), int(r), int(rng.integers(5))) if key else ""
                for b, u, r, key in zip(
                    team_rows.building, team_rows.unit, team_rows.room, team_rows.resident_key, strict=True
                )
            ],
        }
    )
    return acc, teams


def build_groups(
    acc: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Groups and memberships. Returns (groups raw table, memberships raw table, member index frame
    with group_idx, account_idx, joined)."""
    rng = _rng(seed, 5, spec.index)
    pre = spec.short
    specs = [
        (spec.repair_group, "heating_property", 0, "2017-11-02", 40.0),
        (f"{pre}维修群", "repair", 0, "2017-10-20", 25.0),
        (f"{pre}平安群", "safety", 0, "2017-12-05", 18.0),
    ]
    specs += [
        (f"{pre}{b}号楼楼门群", "building", b, f"2017-{10 + b % 3}-{1 + b % 28:02d}", 6.5)
        for b in range(1, len(spec.layout) + 1)
    ]
    specs += [
        (f"{pre}合唱团", "interest", 0, "2017-10-12", 10.0),
        (f"{pre}太极拳队", "interest", 0, "2018-03-08", 6.0),
        (f"{pre}书画摄影群", "interest", 0, "2018-05-16", 6.0),
        (f"{pre}广场舞队", "interest", 0, "2018-04-21", 9.0),
        (f"{pre}银龄互助群", "age", 0, "2017-12-18", 14.0),
        (f"{pre}青年志愿者群", "age", 0, "2018-06-01", 5.0),
        (f"{pre}居民议事群", "council", 0, "2018-07-03", 4.0),
    ]
    from jiesu.categories import GROUP_KINDS

    gids = set()
    while len(gids) < len(specs):
        gids.add(f"{int(rng.integers(10**10, 10**11))}@chatroom")
    gids = list(rng.permutation(sorted(gids)))
    groups = pd.DataFrame(
        {
            "群编号": gids,
            "群名称": [s[0] for s in specs],
            "群类别": [GROUP_KINDS[s[1]] for s in specs],
            "楼号": pd.array([s[2] if s[2] else None for s in specs], dtype="Int64"),
            "建群日期": [s[3] for s in specs],
        }
    )
    kinds = [s[1] for s in specs]
    is_res = (acc["resident_key"] != "").to_numpy()
    age = (REFERENCE_YEAR - acc["birth_year"]).to_numpy()
    staff_idx = np.flatnonzero(~is_res)
    role = acc["role"].to_numpy()
    team = acc["team"].to_numpy()
    members: list[tuple[int, int]] = []
    for g, (_name, kind, b, _created, _rate) in enumerate(specs):
        if kind == "building":
            res_members = np.flatnonzero(is_res & (acc["building"].to_numpy() == b))
            staff = [
                i for i in staff_idx if team[i] == "staff" or role[i] in ("物业维修", "物业经理", "社区民警")
            ]
        elif kind in ("heating_property", "repair", "safety"):
            cap = min({"heating_property": 470, "repair": 400, "safety": 330}[kind], int(is_res.sum() * 0.6))
            w = acc["weight"].to_numpy() * is_res
            res_members = np.sort(rng.choice(len(acc), cap, replace=False, p=w / w.sum()))
            wanted = {
                "heating_property": ("物业维修", "物业经理", "供热维修", "物业保洁"),
                "repair": ("物业维修", "物业经理", "物业保洁", "社区医生"),
                "safety": ("社区民警", "城管队员", "律师"),
            }[kind]
            staff = [i for i in staff_idx if team[i] == "staff" or role[i] in wanted]
        elif kind == "council":
            res_members = np.flatnonzero(is_res & np.isin(team, ["self_party", "volunteers", "dual_party"]))
            extra = rng.choice(np.flatnonzero(is_res), min(40, int(is_res.sum())), replace=False)
            res_members = np.union1d(res_members, extra)
            staff = [
                i for i in staff_idx if team[i] in ("staff", "whistle") or role[i] in ("物业经理", "律师")
            ]
        elif kind == "age":
            band = (age >= 60) if "银龄" in _name else (age < 40)
            pool = np.flatnonzero(is_res & band)
            res_members = np.sort(
                rng.choice(pool, min(len(pool), 420 if "银龄" in _name else 160), replace=False)
            )
            staff = [i for i in staff_idx if team[i] == "staff" or role[i] == "社区医生"]
        else:
            pool = np.flatnonzero(is_res & (age >= 45))
            res_members = np.sort(rng.choice(pool, min(len(pool), int(rng.integers(60, 140))), replace=False))
            staff = [i for i in staff_idx if role[i] in ("虚拟社工（园园）", "社工")][:3]
        for i in sorted(set(res_members.tolist()) | set(staff)):
            members.append((g, i))
    mem = pd.DataFrame(members, columns=["group_idx", "account_idx"])
    created = pd.to_datetime(groups["建群日期"]).to_numpy()[mem["group_idx"]]
    added = acc["added"].to_numpy()[mem["account_idx"]]
    lag = pd.to_timedelta(rng.integers(0, 20, len(mem)), unit="D").to_numpy()
    mem["joined"] = np.maximum(created, added) + lag
    display = acc["display"].to_numpy()[mem["account_idx"]]
    blank = rng.random(len(mem)) < 0.15
    memberships = pd.DataFrame(
        {
            "群编号": groups["群编号"].to_numpy()[mem["group_idx"]],
            "微信号": acc["wxid"].to_numpy()[mem["account_idx"]],
            "群昵称": np.where(blank, "", display),
            "入群日期": pd.DatetimeIndex(mem["joined"]).strftime("%Y-%m-%d"),
        }
    )
    groups.attrs["kinds"] = kinds
    groups.attrs["rates"] = [s[4] for s in specs]
    return groups, memberships, mem


# ==================================================================================================
# 4. Chat messages
# ==================================================================================================

HOUR_PROFILE = np.array(
    [
        0.2,
        0.1,
        0.05,
        0.05,
        0.1,
        0.4,
        1.6,
        3.2,
        3.6,
        3.0,
        2.6,
        2.6,
        2.2,
        1.6,
        1.6,
        1.8,
        2.0,
        2.2,
        2.4,
        3.0,
        3.4,
        2.8,
        1.6,
        0.7,
    ]
)
HOUR_PROFILE = HOUR_PROFILE / HOUR_PROFILE.sum()
TYPE_CODES = {"文本": 1, "图片": 3, "语音": 34, "表情": 47, "系统": 10000}


def _season_mask(code: str, days: pd.DatetimeIndex) -> np.ndarray:
    m, d = days.month.to_numpy(), days.day.to_numpy()
    if code == "heating":
        return ((m == 11) & (d >= 15)) | (m == 12) | (m <= 2) | ((m == 3) & (d <= 15))
    if code == "garbage":
        return days >= pd.Timestamp("2020-05-01")
    if code == "epidemic":
        return (days >= pd.Timestamp("2020-01-20")) & (days <= pd.Timestamp("2020-06-30"))
    return np.isin(m, BY_CODE[code].months)


class _Chat:
    """Accumulates messages as parallel lists (fast appends), one row per message."""

    def __init__(self):
        self.cols: dict[str, list] = {
            k: [] for k in ("g", "t", "a", "type", "text", "cat", "role", "thread", "burst")
        }

    def add(self, g, t, a, mtype, text, cat="", role="chatter", thread="", burst=""):
        c = self.cols
        c["g"].append(g)
        c["t"].append(t)
        c["a"].append(a)
        c["type"].append(mtype)
        c["text"].append(text)
        c["cat"].append(cat)
        c["role"].append(role)
        c["thread"].append(thread)
        c["burst"].append(burst)


def generate_chats(
    acc: pd.DataFrame,
    groups: pd.DataFrame,
    mem: pd.DataFrame,
    preset: Preset,
    seed: int,
    progress=None,
    spec: CommunitySpec = FOCUS,
) -> tuple[pd.DataFrame, list[dict]]:
    """All chat messages of the preset's window.

    Returns (messages frame with g, t (seconds since the window start, Beijing time), a (account idx),
    type, text, cat, role, thread, burst; burst threads as dicts for spill-over into cases).
    """
    rng = _rng(seed, 6, spec.index)
    import opencc

    comp = chatgen.Composer(_rng(seed, 7, spec.index), to_traditional=opencc.OpenCC("s2t").convert)
    start = pd.Timestamp(preset.chat_start)
    days = pd.date_range(preset.chat_start, preset.chat_end, freq="D")
    n_days = len(days)
    kinds = groups.attrs["kinds"]
    rates = np.array(groups.attrs["rates"])
    weight = acc["weight"].to_numpy()
    is_res = (acc["resident_key"] != "").to_numpy()
    role = acc["role"].to_numpy()
    display = acc["display"].to_numpy()
    joined_day = ((mem["joined"] - start).dt.days).to_numpy()
    members_of = {
        g: (sub["account_idx"].to_numpy(), joined_day[sub.index.to_numpy()])
        for g, sub in mem.groupby("group_idx")
    }
    chat = _Chat()
    yuanyuan = int(np.flatnonzero(role == "虚拟社工（园园）")[0])

    def pick_member(g: int, day: int, *, residents_only: bool, building: int = 0) -> int:
        ids, jd = members_of[g]
        ok = jd <= day
        if residents_only:
            ok &= is_res[ids]
        if building:
            ok &= acc["building"].to_numpy()[ids] == building
        cand = ids[ok]
        if len(cand) == 0:
            cand = ids[is_res[ids]] if residents_only else ids
        w = weight[cand]
        return int(
            cand[np.searchsorted(np.cumsum(w), comp.u() * w.sum(), side="right").clip(0, len(cand) - 1)]
        )

    def responder(g: int, category: str) -> int:
        ids, _ = members_of[g]
        wanted = RESPONDER_ROLE[category]
        cands = ids[role[ids] == wanted]
        if len(cands) == 0:
            cands = ids[role[ids] == "社工"]
        if len(cands) == 0 or comp.u() < 0.15:
            return yuanyuan
        return int(cands[int(comp.u() * len(cands))])

    def group_for(category: str, building: int) -> int:
        opts = THREAD_GROUPS[category]
        kind = list(opts)[
            np.searchsorted(np.cumsum(list(opts.values())), comp.u(), side="right").clip(0, len(opts) - 1)
        ]
        if kind == "building":
            return kinds.index("building") + building - 1
        return kinds.index(kind)

    def reply_delay(hour: float) -> float:
        """Seconds to the first staff reply: minutes in the daytime, next morning at night."""
        if 7 <= hour < 21:
            return float(np.exp(rng.normal(np.log(20 * 60), 1.0)))
        wait = ((24 - hour + 8) % 24) * 3600
        return wait + float(rng.exponential(40 * 60))

    threads = 0
    burst_threads: list[dict] = []

    def thread(category: str, g: int, t0: float, reporter: int, burst_id: str = "", terms: tuple = ()):
        nonlocal threads
        threads += 1
        tid = f"T{threads:06d}"
        b, u, r = (int(acc.at[reporter, c]) for c in ("building", "unit", "room"))
        place = comp.zpick(
            (
                f"{b}号楼{u}单元",
                f"{b}号楼",
                "我家",
                f"{b}#{u}",
                f"{b}号楼{u}单元{r}",
                "我们楼",
                f"{b}号楼{u}门",
            )
        )
        resp = responder(g, category)
        mention = display[resp] if comp.u() < 0.6 else ""
        chat.add(
            g,
            t0,
            reporter,
            "文本",
            comp.report(category, place, mention=mention, terms=terms),
            category,
            "report",
            tid,
            burst_id,
        )
        t = t0
        for _ in range(int(rng.poisson(1.6 if burst_id else 0.6))):
            t += float(rng.exponential(30 * 60))
            neighbour = pick_member(g, int(t // 86400), residents_only=True)
            if neighbour == reporter:
                continue
            chat.add(
                g, t, neighbour, "文本", comp.metoo(category, place), category, "followup", tid, burst_id
            )
        hour = (t0 % 86400) / 3600
        t_reply = t0 + reply_delay(hour)
        reply_role = role[resp] if role[resp] in chatgen.REPLIES else "社工"
        chat.add(
            g,
            t_reply,
            resp,
            "文本",
            comp.reply(reply_role, category, display[reporter]),
            category,
            "reply",
            tid,
            burst_id,
        )
        if category == "epidemic":  # questions: the answer settles it
            if comp.u() < 0.5:
                chat.add(
                    g,
                    t_reply + float(rng.exponential(600)) + 30,
                    reporter,
                    "文本",
                    comp.thanks(plain=True),
                    category,
                    "followup",
                    tid,
                    burst_id,
                )
        elif comp.u() < 0.88:
            t_close = _working_hours(t_reply + 1800 + float(np.exp(rng.normal(np.log(3 * 3600), 0.9))), rng)
            chat.add(g, t_close, resp, "文本", comp.close(category), category, "close", tid, burst_id)
            chat.add(
                g,
                t_close + float(rng.integers(5, 90)),
                resp,
                "图片",
                "[图片]",
                category,
                "close",
                tid,
                burst_id,
            )
            if comp.u() < 0.7:
                chat.add(
                    g,
                    t_close + float(rng.exponential(900)) + 60,
                    reporter,
                    "文本",
                    comp.thanks(),
                    category,
                    "followup",
                    tid,
                    burst_id,
                )
        return tid

    def timestamp(day: int, daytime: bool = True) -> float:
        hour = int(rng.choice(24, p=HOUR_PROFILE)) if not daytime else int(rng.choice(24, p=_DAY_PROFILE))
        return day * 86400 + hour * 3600 + float(rng.integers(0, 3600))

    growth = 0.55 + 0.45 * np.linspace(0, 1, n_days) if n_days > 200 else np.ones(n_days)
    progress_step = progress.update if progress else (lambda _n: None)

    # --- issue threads -----------------------------------------------------------------------------
    for cat in CATEGORIES:
        lam = (
            THREAD_RATE[cat.code]
            * np.where(
                _season_mask(cat.code, days), 1.0, 0.0 if cat.code in ("garbage", "epidemic") else 0.015
            )
            * growth
        )
        if cat.code == "flood":  # rain comes in spells
            lam = lam * rng.gamma(0.5, 2.0, n_days)
        counts = rng.poisson(lam)
        for day in np.repeat(np.arange(n_days), counts):
            b = int(rng.integers(1, len(spec.layout) + 1))
            g = group_for(cat.code, b)
            reporter = pick_member(g, int(day), residents_only=True)
            thread(cat.code, g, timestamp(int(day)), reporter)
    progress_step(1)

    # --- planted bursts ----------------------------------------------------------------------------
    end = pd.Timestamp(preset.chat_end)
    for bid, code, onset, duration, building, kind, terms in BURSTS if spec.is_focus else ():
        on = pd.Timestamp(onset)
        if on < start or on + pd.Timedelta(days=duration) > end + pd.Timedelta(days=1):
            continue
        g_main = kinds.index("building") + building - 1 if kind == "building" else kinds.index(kind)
        first = (on - start).days
        for d in range(first, first + duration):
            # intensity rises and falls over the burst
            x = (d - first + 0.5) / duration
            for _ in range(int(rng.poisson(9.0 * math.sin(math.pi * x) + 2))):
                g = g_main
                if kind == "building" and comp.u() < 0.25:
                    g = kinds.index("heating_property") if code == "heating" else kinds.index("repair")
                reporter = pick_member(
                    g, d, residents_only=True, building=building if g == g_main and building else 0
                )
                t0 = timestamp(d)
                tid = thread(code, g, t0, reporter, bid, terms)
                burst_threads.append(
                    {"burst_id": bid, "thread_id": tid, "t0": t0, "reporter": reporter, "category": code}
                )
    progress_step(1)

    # --- notices by 园园 (activities; campaign notices in season) ----------------------------------
    for g in range(len(kinds)):
        for day in np.flatnonzero(rng.random(n_days) < 0.12):
            cat = None
            dd = days[day]
            if pd.Timestamp("2020-01-22") <= dd <= pd.Timestamp("2020-06-30") and comp.u() < 0.6:
                cat = "epidemic"
            elif dd >= pd.Timestamp("2020-05-01") and comp.u() < 0.3:
                cat = "garbage"
            t = day * 86400 + 9 * 3600 + float(rng.integers(0, 7200))
            chat.add(
                g, t, yuanyuan, "文本", comp.announcement(cat), cat or "", "followup" if cat else "chatter"
            )

    # --- system messages: invitations of members who joined during the window ---------------------------
    for g, (ids, jd) in members_of.items():
        late = np.flatnonzero((jd >= 0) & (jd < n_days))
        for i in late:
            inviter = yuanyuan if comp.u() < 0.7 else pick_member(g, int(jd[i]), residents_only=True)
            text = f'"{display[inviter]}"邀请"{display[ids[i]]}"加入了群聊'
            chat.add(
                g,
                jd[i] * 86400 + 10 * 3600 + float(rng.integers(0, 36000)),
                inviter,
                "系统",
                text,
                "",
                "system",
            )

    # --- everyday chatter: fill up to the preset's target --------------------------------------------
    remaining = max(int(preset.messages * spec.message_share) - len(chat.cols["g"]), 0)
    weekday = np.where(days.day_of_week.to_numpy() >= 5, 1.15, 1.0)
    epidemic_boost = np.where(
        (days >= pd.Timestamp("2020-01-25")) & (days <= pd.Timestamp("2020-04-30")), 1.4, 1.0
    )
    day_w = weekday * epidemic_boost * growth
    share = rates / rates.sum()
    per_group = rng.multinomial(remaining, share)
    gs, ts, senders, targets = [], [], [], []
    for g, n in enumerate(per_group):
        day_idx = rng.choice(n_days, n, p=day_w / day_w.sum())
        hours = rng.choice(24, n, p=HOUR_PROFILE)
        t = day_idx * 86400 + hours * 3600 + rng.integers(0, 3600, n)
        ids, jd = members_of[g]
        w = weight[ids] * np.where(is_res[ids], 1.0, 0.15)
        cum = np.cumsum(w)
        who = np.searchsorted(cum, rng.random(n) * cum[-1], side="right").clip(0, len(ids) - 1)
        for _ in range(6):  # a member speaks only after joining
            bad = jd[who] > day_idx
            if not bad.any():
                break
            who[bad] = np.searchsorted(cum, rng.random(int(bad.sum())) * cum[-1], side="right").clip(
                0, len(ids) - 1
            )
        bad = jd[who] > day_idx
        who[bad] = int(np.argmin(jd))
        gs.append(np.full(n, g))
        ts.append(t)
        senders.append(ids[who])
        # a few messages answer someone in particular (@name)
        targets.append(ids[np.searchsorted(cum, rng.random(n) * cum[-1], side="right").clip(0, len(ids) - 1)])
    gs, ts, senders = np.concatenate(gs), np.concatenate(ts), np.concatenate(senders)
    targets = np.concatenate(targets)
    mention = (rng.random(len(gs)) < 0.04) & (targets != senders)
    mtype = rng.choice(["文本", "图片", "表情", "语音"], len(gs), p=[0.89, 0.05, 0.045, 0.015])
    hours = (ts % 86400) // 3600
    texts = [
        (f"@{display[target]}{chatgen.MENTION_SPACE}" if at else "") + comp.chatter(int(h))
        if m == "文本"
        else ("[图片]" if m == "图片" else "[动画表情]" if m == "表情" else "[语音]")
        for m, h, at, target in zip(mtype, hours, mention, targets, strict=True)
    ]
    progress_step(1)
    frame = pd.DataFrame(chat.cols)
    bulk = pd.DataFrame(
        {
            "g": gs,
            "t": ts.astype(float),
            "a": senders,
            "type": mtype,
            "text": texts,
            "cat": "",
            "role": "chatter",
            "thread": "",
            "burst": "",
        }
    )
    frame = pd.concat([frame, bulk], ignore_index=True)
    frame = frame[(frame["t"] >= 0) & (frame["t"] < n_days * 86400)]
    frame["t"] = frame["t"].astype(np.int64)
    frame = frame.sort_values(["t", "g", "a"], kind="stable").reset_index(drop=True)
    return frame, burst_threads


def _working_hours(t: float, rng: np.random.Generator) -> float:
    """``t`` (seconds) if it falls between 08:00 and 20:00, else the next morning between 08:00 and 10:00:
    repairs are done and photographed in the daytime."""
    day, second = divmod(t, 86400)
    if 8 * 3600 <= second < 20 * 3600:
        return t
    next_day = day + (1 if second >= 20 * 3600 else 0)
    return next_day * 86400 + 8 * 3600 + float(rng.integers(0, 7200))


_DAY_PROFILE = HOUR_PROFILE.copy()
_DAY_PROFILE[[0, 1, 2, 3, 4, 5, 23]] *= 0.2
_DAY_PROFILE = _DAY_PROFILE / _DAY_PROFILE.sum()


# ==================================================================================================
# 5. Area panel and 12345 cases
# ==================================================================================================


def _gamma_tk(month: str, code: str) -> float:
    """Area-wide log rate of category ``code`` in ``month`` relative to the baseline share (seasons,
    the 2019-01 接诉即办 launch surge, the 2020 epidemic and the 垃圾分类 campaign)."""
    y, m = map(int, month.split("-"))
    g = 0.0
    if code in ("heating", "flood", "wind"):
        months = BY_CODE[code].months
        g += math.log(12 / len(months) * 0.92) if m in months else math.log(0.08 * 12 / (12 - len(months)))
    if code == "garbage":
        g += math.log(1.6) if (y, m) >= (2020, 5) else math.log(0.25)
    if code == "epidemic":
        if y == 2020 and m <= 6:
            g += math.log({1: 0.8, 2: 4.0, 3: 3.2, 4: 2.0, 5: 1.4, 6: 1.6}[m] * 2)
        else:
            g += math.log(0.03)
    if (y, m) >= (2019, 1):  # launch of 接诉即办: far more calls, then settling
        g += math.log(1.85) if (y, m) <= (2019, 6) else math.log(1.6)
    if y == 2020 and m in (2, 3, 4) and code not in ("epidemic",):
        g += math.log(0.75)
    return g + math.log(CATEGORY_SHARE[code])


def build_panel(
    n_residents: int,
    n_households: int,
    seed: int,
    *,
    n_peers: int = N_PEERS,
    start: str = PANEL_START,
    end: str = PANEL_END,
) -> tuple[pd.DataFrame, dict]:
    """Expected and observed monthly requests for every community × month × category.

    ``n_peers``, ``start`` and ``end`` scale the panel (e.g. a city: 3,421 peers × 120 months); the
    defaults are the 高碑店 area of the seed article.  Vectorized over communities × months × categories.

    Returns (panel frame with community, month, residents, households, category code, mu0 (no
    intervention), mu (with it), requests, and outcome counts; truth dict).
    """
    rng = _rng(seed, 8)
    months = _month_range(start, end)
    codes = [c.code for c in CATEGORIES] + [OTHER]
    width = max(2, len(str(n_peers)))
    communities = [FOCUS_COMMUNITY] + [f"对照社区{i:0{width}d}" for i in range(1, n_peers + 1)]
    # peers' baseline log rates: evenly spaced normal quantiles, shuffled by the seed
    from scipy.stats import norm

    q = norm.ppf((np.arange(n_peers) + 0.5) / n_peers) * PEER_LOG_SD
    alpha = np.concatenate([[FOCUS_LOG_EXCESS], rng.permutation(q)])
    residents0 = np.concatenate([[n_residents], rng.integers(3200, 12000, n_peers)])
    drift = np.concatenate([[0.0], rng.normal(0, 0.01, n_peers)])
    n_c, n_t, n_k = len(communities), len(months), len(codes)
    gamma = np.array([[_gamma_tk(m, k) for k in codes] for m in months])  # T × K
    ramps = np.array([ramp(m) for m in months])
    delta = np.array([EFFECT_LOG_RR[k] for k in codes])
    growth = (1 + drift[:, None]) ** (np.arange(n_t)[None, :] / 12)
    residents = np.rint(residents0[:, None] * growth).astype(np.int64)  # C × T
    residents[0, :] = n_residents
    households = np.rint(residents / 2.25).astype(np.int64)
    households[0, :] = n_households
    mu0 = (
        residents[:, :, None] / 1e4 * BASE_RATE_PER_10K * np.exp(alpha[:, None, None] + gamma[None, :, :])
    )  # C × T × K
    mu = mu0.copy()
    mu[0] *= np.exp(delta[None, :] * ramps[:, None])
    panel = pd.DataFrame(
        {
            "community": np.repeat(np.array(communities, dtype=object), n_t * n_k),
            "month": np.tile(np.repeat(np.array(months, dtype=object), n_k), n_c),
            "residents": np.repeat(residents.ravel(), n_k),
            "households": np.repeat(households.ravel(), n_k),
            "category": np.tile(np.array(codes, dtype=object), n_c * n_t),
            "mu0": mu0.ravel(),
            "mu": mu.ravel(),
        }
    )
    noise = rng.lognormal(-(0.08**2) / 2, 0.08, len(panel))
    panel["requests"] = rng.poisson(panel["mu"].to_numpy() * noise)
    month_of_row = np.tile(np.repeat(np.arange(n_t), n_k), n_c)
    after_launch = (np.array(months) >= SURGE_MONTH)[month_of_row]
    r = ramps[month_of_row] * (np.repeat(np.arange(n_c), n_t * n_k) == 0)
    p_resp = np.where(after_launch, 0.96, 0.82) + 0.03 * r
    p_res = np.where(after_launch, 0.68, 0.55) + 0.17 * r
    p_rated = np.where(after_launch, 0.8, 0.6)
    p_sat = np.where(after_launch, 0.75, 0.6) + 0.15 * r
    req = panel["requests"].to_numpy()
    panel["responded"] = rng.binomial(req, np.clip(p_resp, 0, 1))
    panel["resolved"] = rng.binomial(panel["responded"].to_numpy(), np.clip(p_res, 0, 1))
    panel["rated"] = rng.binomial(req, p_rated)
    panel["satisfied"] = rng.binomial(panel["rated"].to_numpy(), np.clip(p_sat, 0, 1))

    # truth: the effect estimand, the naive comparison, the expected rank trajectory
    months_arr = np.array(months)
    post, pre = months_arr >= SURGE_MONTH, months_arr < INTERVENTION_START
    effect_total = math.log(mu[0, post].sum() / mu0[0, post].sum())
    naive = math.log(mu[0, post].sum(axis=1).mean() / mu[0, pre].sum(axis=1).mean())
    rate = mu.sum(axis=2) / residents  # C × T, expected requests per resident
    focus_rank = 1 + (rate[1:] > rate[0]).sum(axis=0)  # 1 = highest rate
    traj = pd.Series(focus_rank, index=months)
    n = len(communities)
    bottom = traj >= n - 4
    first_bottom = next((m for m, v in bottom.items() if v), None)
    stays = None
    for m in traj.index:
        if bottom.loc[m:].all():
            stays = m
            break
    truth = {
        "intervention": {
            "community": FOCUS_COMMUNITY,
            "start_month": INTERVENTION_START,
            "ramp_months": RAMP_MONTHS,
            "full_from": SURGE_MONTH,
            "ramp": "clip((months since start_month) / ramp_months, 0, 1)",
            "effect_log_rr": dict(EFFECT_LOG_RR),
            "effect_log_rr_total": effect_total,
            "effect_rr_total": math.exp(effect_total),
            "estimand": "log(Σ_{t≥2019-01,k} μ_{t,k}·e^{δ_k} / Σ_{t≥2019-01,k} μ_{t,k}) for the focus community",
            "naive_log_ratio_expected": naive,
            "naive_definition": "log(mean monthly expected requests 2019-01..2020-09 / mean 2017-01..2018-06)",
            "naive_bias_expected": naive - effect_total,
            "surge_month": SURGE_MONTH,
            "epidemic_months": ["2020-02", "2020-03", "2020-04"],
            "model": "requests ~ Poisson(μ·ε), log μ = log(residents/1e4) + log(base) + α_c + γ_{t,k} "
            "+ δ_k·ramp(t)·[focus], ε lognormal(sd 0.08)",
            "base_rate_per_10k": BASE_RATE_PER_10K,
            "alpha": {name: float(a) for name, a in zip(communities, alpha, strict=True)},
        },
        "rank": {
            "n_communities": n,
            "by": "expected requests per 10k residents, all categories, monthly; 1 = highest",
            "trajectory": {m: int(v) for m, v in traj.items()},
            "top5_before": bool((traj[traj.index < INTERVENTION_START] <= 5).all()),
            "bottom5_after": bool((traj[traj.index >= "2020-01"] >= n - 4).all()),
            "first_month_bottom5": first_bottom,
            "first_month_stays_bottom5": stays,
        },
    }
    return panel, truth


CASE_TEXT = {
    "heating": (
        "{addr}家中暖气不热，室温过低",
        "{addr}暖气漏水，影响楼下",
        "{addr}暖气片不热，多次联系未解决",
    ),
    "flood": ("{addr}附近雨篦子堵塞，路面积水", "{addr}顶层漏雨，屋内渗水", "{addr}楼门口积水严重"),
    "wind": ("{addr}楼顶物品松动，有高空坠物风险", "{addr}附近广告牌被大风吹松", "{addr}外墙保温层脱落"),
    "garbage": ("{addr}附近垃圾桶满溢无人清运", "{addr}桶站异味严重", "{addr}垃圾分类桶站设置不合理"),
    "epidemic": ("咨询小区出入证办理", "反映{addr}有返京人员未登记", "咨询居家观察相关规定"),
    "lighting": ("{addr}楼道灯损坏不亮", "{addr}声控灯失灵", "{addr}楼道照明长期损坏"),
    "parking": ("{addr}附近车辆乱停乱放", "{addr}车棚台阶过高无法推车", "{addr}电动车楼道充电存在隐患"),
    "noise": ("{addr}楼上装修噪音扰民", "{addr}附近夜间施工扰民", "{addr}附近广场舞音响扰民"),
    "vendors": ("{addr}附近有无照商贩占道经营", "{addr}门口流动商贩堵路", "{addr}附近烧烤摊油烟扰民"),
    "security": ("{addr}单元门禁损坏", "{addr}有可疑人员敲门", "{addr}电动车电瓶被盗"),
    OTHER: (
        "{addr}物业服务不到位",
        "咨询{addr}老旧小区改造进度",
        "{addr}供水水压不足",
        "{addr}绿化带无人维护",
    ),
}
LEVEL3_OTHER = ("物业服务", "老旧小区改造", "供水", "绿化")
CASE_OPENINGS = ("市民来电反映：", "来电人反映：", "市民反映：", "来电人称，", "市民来电称：")
CASE_DEMANDS = (
    "希望尽快处理。",
    "要求相关部门解决。",
    "请相关部门核实处理。",
    "已多次向物业反映未果，要求尽快解决。",
    "希望社区协调。",
    "要求给予答复。",
    "诉求人情绪激动，要求尽快处理。",
)
BURST_PHRASE = {bid: terms[0] for bid, _c, _o, _d, _b, _k, terms in BURSTS}


def case_content(code: str, place: str, rng: np.random.Generator, *, term: str = "") -> str:
    """诉求内容 in the 12345 call-taker's register: opening, place + problem, demand.  Problems come from
    the case templates or the residents' own phrases (``chatgen.PROBLEMS``); a case that spilled over from
    a chat burst repeats the burst's leading phrase (``term``)."""
    if term:
        body = f"{place}{term}"
    elif code in chatgen.PROBLEMS and code != "epidemic" and rng.random() < 0.6:
        problems = chatgen.PROBLEMS[code]
        body = f"{place}{problems[int(rng.integers(len(problems)))]}"
    else:
        texts = CASE_TEXT[code]
        body = texts[int(rng.integers(len(texts)))].format(addr=place)
    opening = CASE_OPENINGS[int(rng.integers(len(CASE_OPENINGS)))]
    return f"{opening}{body}，{CASE_DEMANDS[int(rng.integers(len(CASE_DEMANDS)))]}"


def build_cases(
    panel: pd.DataFrame,
    res: pd.DataFrame,
    hh: pd.DataFrame,
    uncovered: list[str],
    friends: pd.DataFrame,
    acc: pd.DataFrame | None,
    burst_threads: list[dict],
    preset: Preset,
    seed: int,
    spec: CommunitySpec = FOCUS,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """12345 work orders of ``spec``'s community, instantiated from its panel counts.

    Spill-over: each burst thread becomes a case with probability ``spill_p(month)`` after the burst's
    lag; such cases replace ordinary ones of the same month × category (the count only grows when
    spills exceed it).  Returns (cases raw table, planted cases, updated panel, complainant truth).
    """
    rng = _rng(seed, 9, spec.index)
    focus = panel["community"] == spec.name
    start = pd.Timestamp(preset.chat_start)
    # spill-over from burst threads
    spills: list[dict] = []
    lag_of = {}
    for bid, *_ in BURSTS:
        lag_of[bid] = int(_rng(seed, 100 + int(bid[1:])).integers(3, 6))
    for bt in burst_threads:
        when = start + pd.Timedelta(seconds=bt["t0"])
        p = spill_probability(when.strftime("%Y-%m"))
        if rng.random() < p:
            received = (
                when
                + pd.Timedelta(days=lag_of[bt["burst_id"]])
                + pd.Timedelta(minutes=int(rng.integers(-600, 600)))
            )
            spills.append(
                {**bt, "received": received, "resident_key": acc.at[bt["reporter"], "resident_key"]}
            )
    spill_count: dict[tuple[str, str], int] = {}
    for s in spills:
        key = (s["received"].strftime("%Y-%m"), s["category"])
        spill_count[key] = spill_count.get(key, 0) + 1
    panel = panel.copy()
    for (month, code), n in spill_count.items():
        idx = panel.index[focus & (panel["month"] == month) & (panel["category"] == code)]
        if len(idx) and panel.loc[idx[0], "requests"] < n:
            panel.loc[idx[0], "requests"] = n

    # complainant propensity: heavy-tailed; uncovered households call more (no 园园 to turn to)
    friend_keys = set(friends["resident_key"])
    adults = res[res["age"] >= 18].reset_index(drop=True)
    prop = rng.pareto(1.6, len(adults)) + 0.05
    prop *= np.where(adults["household_id"].isin(set(uncovered)), 6.0, 1.0)
    cum = np.cumsum(prop)
    hh_idx = {h["household_id"]: h for h in hh.to_dict("records")}
    people = {p["resident_key"]: p for p in res.to_dict("records")}
    adult_keys = adults["resident_key"].tolist()
    rows, planted = [], []
    fp = panel[focus & (panel["requests"] > 0)].sort_values(["month", "category"])
    seq = 0
    spill_by_key: dict[tuple[str, str], list[dict]] = {}
    for s in spills:
        spill_by_key.setdefault((s["received"].strftime("%Y-%m"), s["category"]), []).append(s)
    for _, row in fp.iterrows():
        month, code, n = row["month"], row["category"], int(row["requests"])
        mstart = pd.Timestamp(month + "-01")
        mdays = mstart.days_in_month
        r = ramp(month) if spec.is_focus else 0.0  # only the focus community changed how it works
        sp = spill_by_key.get((month, code), [])
        for i in range(n):
            seq += 1
            if i < len(sp):
                s = sp[i]
                received, key = s["received"], s["resident_key"]
                thread_id, burst_id = s["thread_id"], s["burst_id"]
            else:
                received = mstart + pd.Timedelta(
                    days=int(rng.integers(0, mdays)),
                    hours=int(rng.integers(7, 22)),
                    minutes=int(rng.integers(0, 60)),
                )
                key, thread_id, burst_id = None, "", ""
                if rng.random() < 0.86:
                    key = adult_keys[int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))]
            if key:
                person = people[key]
                hid = person["household_id"]
                cname = _maybe_typo(person["name"], rng, 0.06)
                phone = person["phone"] if rng.random() < 0.92 else person["phone_2018"]
            else:  # caller not in the registry (passer-by, someone who gave no address)
                hid = ""
                cname = (
                    ""
                    if rng.random() < 0.3
                    else names.person_names(
                        rng,
                        np.array([int(rng.integers(1950, 1995))]),
                        np.array(["M" if rng.random() < 0.5 else "F"]),
                    )[0]
                )
                phone = names.phone_numbers(rng, 1)[0]
            if hid:
                h = hh_idx[hid]
                addr_full = names.address_text(
                    int(h["building"]),
                    int(h["unit"]),
                    int(h["room"]),
                    int(rng.integers(len(names.ADDRESS_VARIANTS))),
                )
                issue_addr = f"{spec.estate}{addr_full}" if rng.random() < 0.8 else ""
                place = f"{int(h['building'])}号楼" + (f"{int(h['unit'])}单元" if rng.random() < 0.6 else "")
            else:
                issue_addr = spec.estate + (
                    "南门" if rng.random() < 0.5 else f"{int(rng.integers(1, len(spec.layout) + 1))}号楼附近"
                )
                place = "小区"
            content = case_content(code, place, rng, term=BURST_PHRASE.get(burst_id, ""))
            cat = BY_CODE.get(code)
            level1 = cat.level1 if cat else "其他"
            level3 = (cat.level3 if cat else LEVEL3_OTHER)[
                int(rng.integers(len(cat.level3 if cat else LEVEL3_OTHER)))
            ]
            rtype = ("咨询", "求助", "投诉", "举报", "建议")[int(rng.choice(5, p=REQUEST_TYPE_P[code]))]
            after = month >= SURGE_MONTH
            dispatched = received + pd.Timedelta(minutes=int(rng.integers(10, 240)))
            responded = rng.random() < (0.96 if after else 0.82) + 0.03 * r
            res_p = (0.68 if after else 0.55) + 0.17 * r
            resolved = (
                "解决"
                if responded and rng.random() < res_p
                else ("部分解决" if rng.random() < 0.5 else "未解决")
            )
            rated = rng.random() < (0.8 if after else 0.6)
            sat_p = (0.75 if after else 0.6) + 0.15 * r
            satisfied = (
                "未评价"
                if not rated
                else ("满意" if rng.random() < 0.6 else "基本满意")
                if rng.random() < sat_p
                else "不满意"
            )
            closed = (dispatched + pd.Timedelta(hours=float(rng.gamma(2.0, 30 if after else 60)))).floor("s")
            case_id = f"{received:%Y%m%d}{seq:06d}"
            rows.append(
                {
                    "工单编号": case_id,
                    "受理时间": received.to_pydatetime(),
                    "诉求类型": rtype,
                    "一级分类": level1,
                    "二级分类": cat.label if cat else "其他",
                    "三级分类": level3,
                    "诉求内容": content,
                    "诉求地址": issue_addr,
                    "诉求人": cname,
                    "联系电话": phone,
                    "承办单位": HANDLERS[code],
                    "派单时间": dispatched.to_pydatetime(),
                    "办结时间": closed.to_pydatetime() if rng.random() > 0.02 else None,
                    "是否响应": "是" if responded else "否",
                    "是否解决": resolved,
                    "是否满意": satisfied,
                }
            )
            planted.append(
                {
                    "case_id": case_id,
                    "category": code,
                    "household_id": hid,
                    "resident_key": key or "",
                    "thread_id": thread_id,
                    "burst_id": burst_id,
                }
            )
    cases = pd.DataFrame(rows).sort_values(["受理时间", "工单编号"], kind="stable").reset_index(drop=True)
    planted = pd.DataFrame(planted).set_index("case_id").loc[cases["工单编号"]].reset_index()

    # the focus rows of the panel are the cases aggregated
    agg = cases.assign(
        month=cases["受理时间"].map(lambda d: f"{d:%Y-%m}"), category=planted["category"].to_numpy()
    )
    agg = agg.groupby(["month", "category"]).agg(
        requests=("工单编号", "size"),
        responded=("是否响应", lambda s: int((s == "是").sum())),
        resolved=("是否解决", lambda s: int((s == "解决").sum())),
        rated=("是否满意", lambda s: int((s != "未评价").sum())),
        satisfied=("是否满意", lambda s: int(s.isin(["满意", "基本满意"]).sum())),
    )
    fidx = panel.index[focus]
    keys = list(zip(panel.loc[fidx, "month"], panel.loc[fidx, "category"], strict=True))
    for col in ("requests", "responded", "resolved", "rated", "satisfied"):
        panel.loc[fidx, col] = [int(agg[col].get(k, 0)) for k in keys]

    counts = planted[planted["resident_key"] != ""]["resident_key"].value_counts()
    repeat = counts[counts >= 3]
    covered = set(friends["household_id"])
    outside = planted[(planted["resident_key"] != "") & ~planted["household_id"].isin(covered)]
    outside_hh = sorted(set(outside["household_id"]))
    not_friends = planted[(planted["resident_key"] != "") & ~planted["resident_key"].isin(friend_keys)]
    truth = {
        "n_cases": int(len(cases)),
        "linked_share": float((planted["resident_key"] != "").mean()),
        "repeat_complainants": {k: int(v) for k, v in repeat.items()},
        "repeat_threshold": 3,
        "cases_by_repeat_complainants": int(repeat.sum()),
        "outside_reach_cases": int(len(outside)),
        "outside_reach_households": outside_hh,
        "outside_reach_definition": "complainant is a registry resident whose household has no friend of 园园",
        "complainant_not_friend_cases": int(len(not_friends)),
        "spill_cases": int((planted["burst_id"] != "").sum()),
    }
    return cases, planted, panel, truth


def spill_probability(month: str) -> float:
    """Probability that a burst thread also becomes a 12345 case: 0.5 before the intervention, 0.05
    once it is in full effect, linear over the ramp."""
    r = ramp(month)
    return 0.5 * (1 - r) + 0.05 * r


# ==================================================================================================
# 6. Writing
# ==================================================================================================


def _csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode(encoding)


def _xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX with fixed document times and zip entry dates, so the same data gives the same bytes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    wb.properties.creator = "jiesu simulate"
    for name, frame in sheets.items():
        ws = wb.create_sheet(name[:31])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append(
                [
                    None
                    if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA)
                    else (v.item() if isinstance(v, np.generic) else v)
                    for v in row
                ]
            )
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def _peer_spec(index: int, panel: pd.DataFrame, seed: int) -> CommunitySpec:
    """A peer community (对照社区NN) sized like its rows of the area panel: walk-ups of 144 dwellings,
    fewer WeChat friends (no 园园-style outreach) and half the chat volume per resident."""
    rng = _rng(seed, 11, index)
    width = max(2, len(str(panel["community"].nunique() - 1)))
    name = f"对照社区{index:0{width}d}"
    last = panel[(panel["community"] == name)].iloc[-1]
    residents, households = int(last["residents"]), int(last["households"])
    n_buildings = -(-households // 144)
    layout = tuple((6, 6, 4, int(rng.integers(1980, 2006))) for _ in range(n_buildings))
    return CommunitySpec(
        name=name,
        short=f"对照{index:0{width}d}",
        estate=f"{name}小区",
        layout=layout,
        households=households,
        residents=residents,
        friends=int(round(0.3 * residents)),
        index=index,
        message_share=0.5 * residents / N_RESIDENTS,
        account=f"shequ_helper_{index:0{width}d}",
        account_name="社区小助手",
    )


def _peer_coverage(spec: CommunitySpec, hh: pd.DataFrame) -> CommunitySpec:
    """Uncovered households of a peer: its friends cover about 85 % of their number in households."""
    occupied = hh[hh["tenure"] != "空置"]
    n_vul = int(occupied["vulnerable"].sum())
    covered = min(int(round(0.85 * spec.friends)), len(occupied) - 2)
    uncovered = len(occupied) - covered
    unc_v = min(n_vul, int(round(uncovered * n_vul / len(occupied) * 1.5)))
    return replace(spec, uncovered_vulnerable=unc_v, uncovered_other=uncovered - unc_v)


def _rank_truth(panel: pd.DataFrame, name: str) -> dict:
    """Monthly rank of ``name`` by expected requests per resident (1 = highest)."""
    rate = panel.groupby(["month", "community"])[["mu", "residents"]].agg({"mu": "sum", "residents": "first"})
    rate = (rate["mu"] / rate["residents"]).unstack("community")
    ranks = rate.rank(axis=1, ascending=False, method="first")[name].astype(int)
    n = rate.shape[1]
    return {
        "n_communities": n,
        "by": "expected requests per 10k residents, all categories, monthly; 1 = highest",
        "community": name,
        "trajectory": {m: int(v) for m, v in ranks.items()},
        "top5_months": int((ranks <= 5).sum()),
        "bottom5_months": int((ranks >= n - 4).sum()),
    }


def _prepare(spec: CommunitySpec, seed: int, window: Preset, panel: pd.DataFrame, bar) -> dict:
    """Everything of one community up to its 12345 cases (which update its rows of ``panel``)."""
    buildings, hh, res = build_community(seed, spec)
    if not spec.is_focus:
        spec = _peer_coverage(spec, hh)
    friends, uncovered = plan_friends(hh, res, seed, spec)
    bar.update(1)
    parking, epidemic, visits, linkage = registry_sources(hh, res, friends, seed, spec)
    bar.update(1)
    acc, teams = build_accounts(friends, seed, spec)
    groups, memberships, mem = build_groups(acc, seed, spec)
    bar.update(1)
    chats, burst_threads = (
        generate_chats(acc, groups, mem, window, seed, progress=bar, spec=spec)
        if spec.is_focus
        else (None, [])
    )
    cases, planted_cases, panel, complainant_truth = build_cases(
        panel, res, hh, uncovered, friends, acc, burst_threads, window, seed, spec
    )
    bar.update(1)
    return dict(
        spec=spec,
        buildings=buildings,
        hh=hh,
        res=res,
        friends=friends,
        uncovered=uncovered,
        parking=parking,
        epidemic=epidemic,
        visits=visits,
        linkage=linkage,
        acc=acc,
        teams=teams,
        groups=groups,
        memberships=memberships,
        mem=mem,
        chats=chats,
        burst_threads=burst_threads,
        cases=cases,
        planted_cases=planted_cases,
        panel=panel,
        complainant_truth=complainant_truth,
    )


def _write_world(
    out: Path, part: dict, panel: pd.DataFrame, panel_truth: dict, *, seed: int, preset: str, window: Preset
) -> dict:
    """Compose the raw tables and the planted truth of one prepared community and write them to ``out``."""
    spec, buildings, hh, res = part["spec"], part["buildings"], part["hh"], part["res"]
    friends, acc, teams = part["friends"], part["acc"], part["teams"]
    parking, epidemic, visits, linkage = part["parking"], part["epidemic"], part["visits"], part["linkage"]
    groups, memberships, chats, burst_threads = (
        part["groups"],
        part["memberships"],
        part["chats"],
        part["burst_threads"],
    )
    cases, planted_cases, complainant_truth = part["cases"], part["planted_cases"], part["complainant_truth"]

    # --- friends / teams linkage --------------------------------------------------------------------
    rng = _rng(seed, 10, spec.index)
    friends_raw = pd.DataFrame(
        {
            "微信号": friends["wxid"],
            "昵称": friends["nickname"],
            "备注": [
                f"{_addr(b, u, r, rng, 0.1)}{' ' if rng.random() < 0.8 else ''}{_maybe_typo(nm, rng, 0.05)}"
                for b, u, r, nm in zip(
                    friends.building, friends.unit, friends.room, friends.name, strict=True
                )
            ],
            "联系电话": np.where(rng.random(len(friends)) < 0.6, friends["phone"], ""),
            "添加日期": friends["added"].dt.strftime("%Y-%m-%d"),
        }
    )
    order = rng.permutation(len(friends_raw))
    friends_raw = friends_raw.iloc[order].reset_index(drop=True)
    linkage = pd.concat(
        [
            linkage,
            pd.DataFrame(
                {
                    "source": "friends",
                    "record_id": friends["wxid"],
                    "household_id": friends["household_id"],
                    "resident_key": friends["resident_key"],
                }
            ).iloc[order],
        ],
        ignore_index=True,
    )
    team_acc = acc[acc["team"] != ""]
    linkage = pd.concat(
        [
            linkage,
            pd.DataFrame(
                {
                    "source": "teams",
                    "record_id": team_acc["wxid"],
                    "household_id": team_acc["household_id"],
                    "resident_key": team_acc["resident_key"],
                }
            ),
            planted_cases.assign(source="cases").rename(columns={"case_id": "record_id"})[
                ["source", "record_id", "household_id", "resident_key"]
            ],
        ],
        ignore_index=True,
    )

    # --- messages: split the 报修 group into the WeChatMsg export -----------------------------------------
    start = pd.Timestamp(window.chat_start)
    sent = start + pd.to_timedelta(chats["t"], unit="s")
    sent_text = sent.dt.strftime("%Y-%m-%d %H:%M:%S")
    gid = groups["群编号"].to_numpy()[chats["g"]]
    wechat_group = groups.index[groups["群名称"] == spec.repair_group][0]
    in_export = (chats["g"] == wechat_group).to_numpy()
    wxid = acc["wxid"].to_numpy()[chats["a"]]
    display = acc["display"].to_numpy()[chats["a"]]
    main = ~in_export
    msg_ids = [f"M{i + 1:07d}" for i in range(int(main.sum()))]
    messages_raw = pd.DataFrame(
        {
            "消息编号": msg_ids,
            "群编号": gid[main],
            "发送者微信号": wxid[main],
            "发送者昵称": display[main],
            "发送时间": sent_text[main].to_numpy(),
            "消息类型": chats["type"].to_numpy()[main],
            "内容": chats["text"].to_numpy()[main],
        }
    )
    ex = chats[in_export]
    remark_of = dict(zip(friends_raw["微信号"], friends_raw["备注"], strict=True))
    yuanyuan = spec.account
    talker = groups.at[wechat_group, "群编号"]
    local_ids = np.arange(1, len(ex) + 1)
    ex_wxid = wxid[in_export]
    wechatmsg = pd.DataFrame(
        {
            "localId": local_ids,
            "TalkerId": talker,
            "Type": ex["type"].map(TYPE_CODES).to_numpy(),
            "SubType": 0,
            "IsSender": (ex_wxid == yuanyuan).astype(int),
            "CreateTime": (
                (sent[in_export] - pd.Timestamp("1970-01-01")).dt.total_seconds().astype(np.int64) - 8 * 3600
            ).to_numpy(),
            "Status": 2,
            "StrContent": ex["text"].to_numpy(),
            "StrTime": sent_text[in_export].to_numpy(),
            "Remark": [remark_of.get(w, "") for w in ex_wxid],
            "NickName": acc["nickname"].to_numpy()[ex["a"]],
            "Sender": ex_wxid,
        }
    )
    planted_messages = pd.DataFrame(
        {
            "msg_id": np.concatenate([msg_ids, [f"{talker}#{i}" for i in local_ids]]),
            "group_id": np.concatenate([gid[main], gid[in_export]]),
            "category": np.concatenate([chats["cat"].to_numpy()[main], ex["cat"].to_numpy()]),
            "role": np.concatenate([chats["role"].to_numpy()[main], ex["role"].to_numpy()]),
            "thread_id": np.concatenate([chats["thread"].to_numpy()[main], ex["thread"].to_numpy()]),
            "burst_id": np.concatenate([chats["burst"].to_numpy()[main], ex["burst"].to_numpy()]),
            "sent_at": np.concatenate([sent_text[main].to_numpy(), sent_text[in_export].to_numpy()]),
        }
    )
    # --- truth ----------------------------------------------------------------------------------------
    covered = set(friends["household_id"])
    hh_cov = hh.assign(covered=hh["household_id"].isin(covered))
    uncovered_all = sorted(set(hh["household_id"]) - covered)
    vul_unc = sorted(hh.loc[hh["vulnerable"] & ~hh_cov["covered"], "household_id"])
    chat_start, chat_end = pd.Timestamp(window.chat_start), pd.Timestamp(window.chat_end)
    burst_truth = []
    for bid, code, onset, duration, building, kind, terms in BURSTS if spec.is_focus else ():
        on = pd.Timestamp(onset)
        if on < chat_start or on + pd.Timedelta(days=duration) > chat_end + pd.Timedelta(days=1):
            continue
        gname = (
            f"{spec.short}{building}号楼楼门群"
            if kind == "building"
            else groups.loc[[k == kind for k in groups.attrs["kinds"]], "群名称"].iloc[0]
        )
        month = on.strftime("%Y-%m")
        burst_truth.append(
            {
                "id": bid,
                "category": code,
                "label": BY_CODE[code].label,
                "terms": list(terms),
                "onset": onset,
                "duration_days": duration,
                "end": (on + pd.Timedelta(days=duration - 1)).strftime("%Y-%m-%d"),
                "building": building or None,
                "group_id": groups.loc[groups["群名称"] == gname, "群编号"].iloc[0],
                "group_name": gname,
                "spill_probability": spill_probability(month),
                "spill_lag_days": int(_rng(seed, 100 + int(bid[1:])).integers(3, 6)),
                "spills": bool(spill_probability(month) >= 0.25),
                "n_threads": int(sum(1 for b in burst_threads if b["burst_id"] == bid)),
                "n_spill_cases": int((planted_cases["burst_id"] == bid).sum()),
            }
        )
    cat_counts = planted_messages[planted_messages["category"] != ""]["category"].value_counts()
    from jiesu.world.chatgen import PLACES, PROBLEMS, REQUESTS

    categories_truth = {
        c.code: {
            "label": c.label,
            "level1": c.level1,
            "season": c.season,
            "season_months": list(c.months),
            "chat_season": {
                "garbage": "from 2020-05-01",
                "epidemic": "2020-01-20..2020-06-30",
                "heating": "11-15..03-15",
            }.get(c.code, "months"),
            "owner_team": c.owner_team,
            "vocabulary": sorted(set(PROBLEMS[c.code]) | set(PLACES.get(c.code, ())) | set(REQUESTS[c.code])),
            "n_messages": int(cat_counts.get(c.code, 0)),
            "n_threads": int(
                planted_messages.loc[planted_messages["category"] == c.code, "thread_id"].nunique()
            ),
        }
        for c in CATEGORIES
    }
    per_building = hh_cov.groupby("building")["covered"].mean()
    truth = {
        "meta": {
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
        },
        "community": {
            "buildings": len(buildings),
            "households": len(hh),
            "residents": len(res),
            "occupied_households": int((hh["tenure"] != "空置").sum()),
            "tenure": hh["tenure"].value_counts().to_dict(),
            "housing_type": hh["housing_type"].value_counts().to_dict(),
            "flag_rates": {f: float(hh[f].mean()) for f in ("elderly", "dibao", "disabled", "vulnerable")},
            "flag_households": {f: int(hh[f].sum()) for f in ("elderly", "dibao", "disabled", "vulnerable")},
            "residents_by_age_band": pd.cut(
                res["age"], [-1, 17, 34, 59, 79, 200], labels=["0-17", "18-34", "35-59", "60-79", "80+"]
            )
            .value_counts()
            .sort_index()
            .astype(int)
            .to_dict(),
            "vulnerable_households": sorted(hh.loc[hh["vulnerable"], "household_id"]),
            "elderly_households": sorted(hh.loc[hh["elderly"], "household_id"]),
            "dibao_households": sorted(hh.loc[hh["dibao"], "household_id"]),
            "disabled_households": sorted(hh.loc[hh["disabled"], "household_id"]),
        },
        "coverage": {
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
        },
        "linkage": {
            "table": "planted_linkage.csv",
            "records": int(len(linkage)),
            "by_source": linkage["source"].value_counts().sort_index().astype(int).to_dict(),
            "non_resident_records": int((linkage["resident_key"] == "").sum()),
            "registry_households_covered": int(
                linkage.loc[linkage["source"] != "cases", "household_id"]
                .replace("", np.nan)
                .dropna()
                .nunique()
            ),
        },
        "categories": categories_truth,
        "bursts": burst_truth,
        "intervention": panel_truth["intervention"]
        if spec.is_focus
        else {
            "community": spec.name,
            "start_month": None,
            "effect_log_rr": {k: 0.0 for k in EFFECT_LOG_RR},
            "effect_log_rr_total": 0.0,
            "note": "a peer community: no intervention was planted here",
            "focus_intervention": panel_truth["intervention"],
        },
        "rank": panel_truth["rank"] if spec.is_focus else _rank_truth(panel, spec.name),
        "complainants": complainant_truth,
        "messages": {
            "total": int(len(chats)),
            "chat_messages_csv": int(main.sum()),
            "wechatmsg": int(in_export.sum()),
            "wechatmsg_group": spec.repair_group,
            "threads": int(chats.loc[chats["thread"] != "", "thread"].nunique()),
            "table": "planted_messages.csv",
        },
    }

    # --- write (truth last) ---------------------------------------------------------------------------
    panel_raw = pd.DataFrame(
        {
            "社区": panel["community"],
            "月份": panel["month"],
            "常住人口": panel["residents"],
            "户数": panel["households"],
            "问题分类": [BY_CODE[c].label if c in BY_CODE else "其他" for c in panel["category"]],
            "诉求量": panel["requests"],
            "响应量": panel["responded"],
            "解决量": panel["resolved"],
            "参评量": panel["rated"],
            "满意量": panel["satisfied"],
        }
    )
    files = {
        "buildings.csv": lambda: _csv_bytes(buildings),
        "parking_permits_2018.xlsx": lambda: _xlsx_bytes({"停车证申请": parking}),
        "epidemic_registration_2020.csv": lambda: _csv_bytes(epidemic, "gb18030"),
        "social_worker_visits.xlsx": lambda: _xlsx_bytes({"走访记录": visits}),
        "yuanyuan_friends.csv": lambda: _csv_bytes(friends_raw, "utf-8-sig"),
        "teams.csv": lambda: _csv_bytes(teams),
        "wechat_groups.csv": lambda: _csv_bytes(groups),
        "group_members.csv": lambda: _csv_bytes(memberships),
        "chat_messages.csv": lambda: _csv_bytes(messages_raw),
        f"wechatmsg_{spec.repair_group}.csv": lambda: _csv_bytes(wechatmsg, "utf-8-sig"),
        "hotline_cases.xlsx": lambda: _xlsx_bytes({"工单": cases}),
        "area_panel.csv": lambda: _csv_bytes(panel_raw),
        "planted_linkage.csv": lambda: _csv_bytes(linkage),
        "planted_messages.csv": lambda: _csv_bytes(planted_messages),
        "planted_cases.csv": lambda: _csv_bytes(planted_cases),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, make in files.items():
        write_bytes(out / name, make())
    write_json(out / "planted_truth.json", truth)  # last: its presence means the world is complete
    return {
        "households": len(hh),
        "residents": len(res),
        "friends": len(friends),
        "messages": int(len(chats)),
        "cases": int(len(cases)),
        "bursts": len(burst_truth),
        "panel_rows": int(len(panel_raw)),
    }


def simulate(
    out_dir, *, seed: int = 0, preset: str = "full", progress: bool = False, communities: int = 0
) -> dict:
    """Generate the synthetic world into ``out_dir`` (every raw file of the contract + planted truth).

    Parameters
    ----------
    out_dir : directory to write (created if needed); existing files of the same names are replaced
        atomically, ``planted_truth.json`` last so its presence means the world is complete.
    seed : world seed; same seed and preset give byte-identical files.
    preset : ``"full"`` (chats 2018-01..2020-09, ~300k messages) or ``"small"`` (2020-04..06, ≤ 20k).
    progress : show a tqdm bar on stderr.
    communities : also write the worlds of this many peer communities (对照社区01…) into
        ``out_dir/communities/<name>/`` — a district for scale runs.  Every world's ``area_panel.csv``
        is the same panel, each community's rows equal to its own cases.  More than 23 widens the area.

    Returns
    -------
    A summary dict: preset, seed, counts of the focus world, peer worlds written, seconds.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if communities < 0:
        raise ValueError("communities must be ≥ 0")
    window = PRESETS[preset]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    from tqdm import tqdm

    bar = tqdm(total=9 + 6 * communities, desc=f"simulate {preset}", disable=not progress, unit="step")
    panel, panel_truth = build_panel(
        FOCUS.residents, FOCUS.households, seed, n_peers=max(N_PEERS, communities)
    )
    focus = _prepare(FOCUS, seed, window, panel, bar)
    panel = focus["panel"]
    peers = []
    for index in range(1, communities + 1):
        part = _prepare(_peer_spec(index, panel, seed), seed, window, panel, bar)
        panel = part["panel"]
        peers.append(part)
    for part in peers:
        spec = part["spec"]
        part["chats"], _ = generate_chats(part["acc"], part["groups"], part["mem"], window, seed, spec=spec)
        _write_world(
            out / "communities" / spec.name, part, panel, panel_truth, seed=seed, preset=preset, window=window
        )
        part["chats"] = None
        bar.update(1)
    counts = _write_world(out, focus, panel, panel_truth, seed=seed, preset=preset, window=window)
    bar.update(bar.total - bar.n)
    bar.close()
    return {
        "preset": preset,
        "seed": seed,
        "out_dir": str(out),
        "seconds": round(time.perf_counter() - started, 1),
        **counts,
        "communities": communities,
    }
