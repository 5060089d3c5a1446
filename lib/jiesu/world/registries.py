"""The three registry sources the community built its 一张图 from, with their linkage truth.

停车证 (2018, car owners, "利用为居民办理停车证的机会"), 疫情登记 (2020-02, "几乎涵盖社区所有住户") and
社工走访 (ongoing: every vulnerable and every otherwise-unknown household), each with address variants,
homophone typos, changed phones and duplicates (:class:`~jiesu.world.spec.RegistryModel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from jiesu.contract import RAW
from jiesu.world import names, streams
from jiesu.world.community import records
from jiesu.world.spec import FOCUS, REGISTRIES, CommunitySpec, RegistryModel

PLATE_LETTERS = "ABCDEFGHJKLMNPQ"  # 京A.. letters in use (no I or O)
PLATE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
NOTES_VULNERABLE = (
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
NOTES_OTHER = (
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
EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's serial dates


def _day(text: str) -> datetime:
    """Midnight of a ``YYYY-MM-DD`` day (plain datetimes: registries are built record by record)."""
    return datetime.strptime(text, "%Y-%m-%d")


@dataclass(frozen=True)
class Registry:
    """The raw 停车证, 疫情登记 and 社工走访 tables (contract headers) and their linkage truth
    (``source``, ``record_id``, ``household_id``, ``resident_key``)."""

    parking: pd.DataFrame
    epidemic: pd.DataFrame
    visits: pd.DataFrame
    linkage: pd.DataFrame


def address(b, u, r, rng: np.random.Generator, fullwidth_p: float = REGISTRIES.address_fullwidth_p) -> str:
    """A dwelling's address in a random hand-written variant, full-width with probability ``fullwidth_p``."""
    return names.address_text(
        int(b),
        int(u),
        int(r),
        int(rng.integers(len(names.ADDRESS_VARIANTS))),
        fullwidth=rng.random() < fullwidth_p,
    )


def maybe_typo(name: str, rng: np.random.Generator, p: float) -> str:
    """``name`` with a homophone typo with probability ``p``."""
    return names.homophone_typo(name, rng) if rng.random() < p else name


def registry_sources(
    hh: pd.DataFrame,
    res: pd.DataFrame,
    friends: pd.DataFrame,
    seed: int,
    spec: CommunitySpec = FOCUS,
    model: RegistryModel = REGISTRIES,
) -> Registry:
    """停车证 (2018), 疫情登记 (2020-02) and 社工走访 tables with their linkage truth."""
    rng = streams.stream(seed, streams.REGISTRIES, spec.index)
    link: list[tuple[str, str, str, str]] = []
    by_hh: dict[str, list[dict]] = {}
    for person in records(res):  # plain dicts: per-record pandas access is slow
        by_hh.setdefault(person["household_id"], []).append(person)
    occ = hh[hh["tenure"] != "空置"]
    parking = _parking_permits(occ, by_hh, link, rng, model)
    reg_hh, epidemic = _epidemic_registration(hh, occ, by_hh, link, rng, model)
    known = set(friends["household_id"]) | {h for s, _, h, _ in link if s == "parking_permits"} | set(reg_hh)
    visits = _visits(hh, by_hh, known, link, rng, model)
    linkage = pd.DataFrame(link, columns=["source", "record_id", "household_id", "resident_key"])
    return Registry(parking, epidemic, visits, linkage)


def _parking_permits(
    occ: pd.DataFrame, by_hh: dict, link: list, rng: np.random.Generator, m: RegistryModel
) -> pd.DataFrame:
    """One application per car-owning household (some twice), by an adult driver, in spring 2018."""
    car = occ[rng.random(len(occ)) < np.where(occ["tenure"] == "自住", m.car_p[0], m.car_p[1])]
    prow = []
    lo, hi = m.driver_age
    for hid in car["household_id"]:
        adults = [p for p in by_hh[hid] if lo <= p["age"] <= hi]
        if not adults:
            continue
        person = adults[int(rng.integers(len(adults)))]
        copies = 2 if rng.random() < m.permit_copies_p else 1
        for _ in range(copies):
            prow.append((person, hid))
    order = rng.permutation(len(prow))
    parking = []
    for i, j in enumerate(order):
        person, hid = prow[j]
        rid = f"TC2018{i + 1:04d}"
        day = _day(m.permit_first_day) + timedelta(days=int(rng.integers(0, m.permit_days)))
        plate = (
            "京"
            + PLATE_LETTERS[int(rng.integers(len(PLATE_LETTERS)))]
            + "".join(rng.choice(list(PLATE_CHARACTERS), 5))
        )
        parking.append(
            {
                "申请编号": rid,
                "申请日期": day,
                "姓名": maybe_typo(person["name"], rng, m.permit_name_typo_p),
                "联系电话": person["phone_2018"],
                "住址": address(person["building"], person["unit"], person["room"], rng),
                "车牌号": plate if rng.random() < m.plate_p else "",
            }
        )
        link.append(("parking_permits", rid, hid, person["resident_key"]))
    return pd.DataFrame(parking)


def _epidemic_registration(
    hh: pd.DataFrame, occ: pd.DataFrame, by_hh: dict, link: list, rng: np.random.Generator, m: RegistryModel
) -> tuple[pd.Series, pd.DataFrame]:
    """Most households in February 2020, usually every member; returns (registered household ids, table)."""
    erows = []
    reg_hh = occ[rng.random(len(occ)) < m.registered_p]["household_id"]
    for hid in reg_hh:
        members = by_hh[hid]
        who = members if rng.random() < m.all_members_p else members[:1]
        for person in who:
            copies = 2 if rng.random() < m.registration_copies_p else 1
            for _ in range(copies):
                erows.append((person, hid))
    hh_idx = {h["household_id"]: h for h in records(hh)}
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
        persons = int(h["persons"]) + (
            int(rng.choice([-1, 1])) if rng.random() < m.persons_misstated_p else 0
        )
        epidemic.append(
            {
                "登记编号": rid,
                "登记日期": (
                    _day(m.registration_first_day) + timedelta(days=int(rng.integers(0, m.registration_days)))
                ).strftime("%Y-%m-%d"),
                "姓名": maybe_typo(person["name"], rng, m.registration_name_typo_p),
                "联系电话": phone,
                "住址": address(person["building"], person["unit"], person["room"], rng),
                "出生年份": int(person["birth_year"]) if rng.random() > m.birth_year_missing_p else None,
                "户型": h["housing_type"] if rng.random() > m.field_missing_p else "",
                "居住性质": h["tenure"] if rng.random() > m.field_missing_p else "",
                "居住人数": max(persons, 1) if rng.random() > m.field_missing_p else None,
            }
        )
        link.append(("epidemic_registration", rid, hid, person["resident_key"]))
    epidemic = pd.DataFrame(epidemic)
    epidemic["出生年份"] = epidemic["出生年份"].astype("Int64")
    epidemic["居住人数"] = epidemic["居住人数"].astype("Int64")
    return reg_hh, epidemic


def _visits(
    hh: pd.DataFrame, by_hh: dict, known: set, link: list, rng: np.random.Generator, m: RegistryModel
) -> pd.DataFrame:
    """社工走访: every vulnerable and every otherwise-unknown household, and a sample of the others;
    the latest visit of a vulnerable household states its flags."""
    must = set(hh.loc[hh["vulnerable"], "household_id"]) | (set(hh["household_id"]) - known)
    sample_others = [h for h in hh["household_id"] if h not in must and rng.random() < m.visit_sample_p]
    hh_idx = {h["household_id"]: h for h in records(hh)}
    first_day, last_day = _day(m.visit_first_day), _day(m.visit_last_day)
    span = (last_day - first_day).days
    vrows = []
    for hid in sorted(must) + sample_others:
        h = hh_idx[hid]
        vulnerable = bool(h["vulnerable"])
        n_visits = (
            int(rng.integers(*m.visits_vulnerable)) if vulnerable else int(rng.integers(*m.visits_other))
        )
        days = np.sort(rng.choice(span, n_visits, replace=False))
        for v, d in enumerate(days):
            vrows.append(
                _visit(
                    h,
                    by_hh.get(hid),
                    vulnerable,
                    v == n_visits - 1,
                    first_day + timedelta(days=int(d)),
                    rng,
                    m,
                )
            )
    visits = pd.DataFrame(vrows).sort_values(["_day", "_hid"], kind="stable").reset_index(drop=True)
    visits.insert(0, "走访编号", [f"ZF{i + 1:05d}" for i in range(len(visits))])
    visits.insert(1, "走访日期", _visit_dates(visits["_day"], rng.random(len(visits)), m))
    visits["居住人数"] = visits["居住人数"].astype("Int64")
    link += [
        ("visits", r, h, k)
        for r, h, k in zip(visits["走访编号"], visits["_hid"], visits["_key"], strict=True)
    ]
    return visits.drop(columns=["_day", "_hid", "_key"])[list(RAW["visits"].headers)]


def _visit(
    h: dict,
    members: list[dict] | None,
    vulnerable: bool,
    latest: bool,
    day: datetime,
    rng: np.random.Generator,
    m: RegistryModel,
) -> dict:
    """One visit record (with the private ``_day``, ``_hid``, ``_key`` columns for the truth)."""
    if members is not None and rng.random() < m.visited_resident_p:
        person = members[int(rng.integers(len(members)))]
        pname, pkey, phone = (
            maybe_typo(person["name"], rng, m.visit_name_typo_p),
            person["resident_key"],
            person["phone"],
        )
    else:  # the owner of an empty flat, a relative or a carer: not a registry resident
        by = int(rng.integers(*m.outsider_birth_year))
        pname = names.person_names(
            rng, np.array([by]), np.array(["F" if rng.random() < m.outsider_female_p else "M"])
        )[0]
        pkey, phone = "", names.phone_numbers(rng, 1)[0] if rng.random() < m.outsider_phone_p else ""
    if latest or rng.random() < m.flags_stated_p:
        flags = ["是" if h[f] else "否" for f in ("elderly", "dibao", "disabled")]
        if not latest and vulnerable and rng.random() < m.stale_flags_p:  # before the status applied
            flags = ["否", "否", "否"]
    else:
        flags = ["", "", ""]
    if not vulnerable and latest and rng.random() < m.latest_blank_p:
        flags = ["", "", ""]
    return {
        "_day": day,
        "_hid": h["household_id"],
        "_key": pkey,
        "社工": f"SG{int(rng.integers(1, m.social_workers + 1)):02d}",
        "住址": names.address_text(
            int(h["building"]),
            int(h["unit"]),
            int(h["room"]),
            int(rng.integers(len(names.ADDRESS_VARIANTS))),
            fullwidth=rng.random() < m.visit_fullwidth_p,
        ),
        "姓名": pname,
        "联系电话": phone,
        "户型": h["housing_type"] if rng.random() < m.visit_field_p else "",
        "居住性质": h["tenure"] if rng.random() < m.visit_field_p else "",
        "居住人数": int(h["persons"]) if rng.random() < m.visit_field_p else None,
        "高龄": flags[0],
        "低保": flags[1],
        "残疾": flags[2],
        "备注": (NOTES_VULNERABLE if vulnerable else NOTES_OTHER)[
            int(rng.integers(len(NOTES_VULNERABLE if vulnerable else NOTES_OTHER)))
        ],
    }


def _visit_dates(days: pd.Series, roll: np.ndarray, m: RegistryModel) -> list:
    """走访日期 as social workers type it: 2019年3月5日, 2019/3/5, 2019-03-05 or an Excel serial number."""
    a, b, c = m.date_formats
    return [
        f"{d.year}年{d.month}月{d.day}日"
        if f < a
        else f"{d.year}/{d.month}/{d.day}"
        if f < b
        else d.strftime("%Y-%m-%d")
        if f < c
        else int((d - EXCEL_EPOCH).days)
        for d, f in zip(days, roll, strict=True)
    ]
