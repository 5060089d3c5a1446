"""Buildings, households and residents of one community (the 一张图 the registries describe).

Fixed building layouts (units × floors × doors, a few ground-floor rooms turned into shops); tenure,
flat type and household size drawn per household, ages by household composition; 高龄 = a resident
with ``2020 − birth year ≥ 80``; 低保 and 残疾 at Beijing-like rates (:class:`~jiesu.world.spec.HouseholdModel`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.contract import household_key
from jiesu.world import names, streams
from jiesu.world.spec import FOCUS, HOUSEHOLDS, REFERENCE_YEAR, CommunitySpec, HouseholdModel


@dataclass(frozen=True)
class Community:
    """The registry truth of one community.

    ``buildings`` is the raw ``buildings.csv`` table; ``households`` has ``household_id``
    (``BB-U-RRR``), building, unit, floor, room, tenure, housing_type, persons and the flags elderly,
    dibao, disabled, vulnerable; ``residents`` has ``resident_key``, household_id, name, sex,
    birth_year, age, phone (current) and ``phone_2018`` (differs for residents who changed number),
    building, unit, floor, room.
    """

    buildings: pd.DataFrame
    households: pd.DataFrame
    residents: pd.DataFrame


def records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")`` for frames of plain columns (str, int, float, bool), faster: one
    dict of Python values per row."""
    columns = list(frame.columns)
    return [
        dict(zip(columns, row, strict=True))
        for row in zip(*(frame[c].tolist() for c in columns), strict=True)
    ]


def build_community(seed: int, spec: CommunitySpec = FOCUS, model: HouseholdModel = HOUSEHOLDS) -> Community:
    """Buildings, households (exactly ``spec.households``: 2,602) and residents (exactly ``spec.residents``)."""
    rng = streams.stream(seed, streams.COMMUNITY, spec.index)
    hh = _dwellings(spec, rng)
    occupied = _household_facts(hh, spec, rng, model)
    res = _residents(hh, rng, model)
    _flag_households(hh, res, occupied, rng, model)
    layout = spec.layout
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
    return Community(buildings, hh, res)


def _dwellings(spec: CommunitySpec, rng: np.random.Generator) -> pd.DataFrame:
    """Every dwelling of the layout minus the excess over ``spec.households`` (ground-floor rooms that
    became shops or storerooms), with its ``household_id``."""
    rows = []
    for b, (units, floors, doors, _year) in enumerate(spec.layout, start=1):
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for d in range(1, doors + 1):
                    rows.append((b, u, f, f * 100 + d))
    dwellings = pd.DataFrame(rows, columns=["building", "unit", "floor", "room"])
    excess = len(dwellings) - spec.households
    ground = np.flatnonzero(dwellings["floor"].to_numpy() == 1)
    if excess > len(ground):  # a layout far too large: take dwellings from any floor
        ground = np.arange(len(dwellings))
    hh = dwellings.drop(index=rng.choice(ground, excess, replace=False)).reset_index(drop=True)
    hh["household_id"] = [
        household_key(b, u, r) for b, u, r in zip(hh.building, hh.unit, hh.room, strict=True)
    ]
    return hh


def _household_facts(
    hh: pd.DataFrame, spec: CommunitySpec, rng: np.random.Generator, model: HouseholdModel
) -> np.ndarray:
    """Tenure, flat type and persons (summing to exactly ``spec.residents``), in place; returns the
    occupied mask."""
    n = len(hh)
    hh["tenure"] = rng.choice(["自住", "出租", "空置"], n, p=list(model.tenure_p))
    doors = np.array([spec.layout[b - 1][2] for b in hh.building])
    door = hh["room"].to_numpy() % 100
    large = (door == 1) | (door == doors)  # end flats are the larger ones
    hh["housing_type"] = np.where(
        large,
        rng.choice(["两居室", "三居室"], n, p=list(model.large_flat_p)),
        rng.choice(["一居室", "两居室"], n, p=list(model.small_flat_p)),
    )
    occupied = hh["tenure"].to_numpy() != "空置"
    sizes = list(range(1, len(model.size_p) + 1))
    persons = np.where(occupied, rng.choice(sizes, n, p=list(model.size_p)), 0)
    occ_idx = np.flatnonzero(occupied)
    while persons.sum() != spec.residents:
        i = occ_idx[rng.integers(len(occ_idx))]
        if persons.sum() < spec.residents and persons[i] < model.max_persons:
            persons[i] += 1
        elif persons.sum() > spec.residents and persons[i] > 1:
            persons[i] -= 1
    hh["persons"] = persons
    return occupied


def _household_ages(
    k: int, renter: bool, rng: np.random.Generator, m: HouseholdModel
) -> tuple[list[int], list[str]]:
    """Ages and sexes of the ``k`` members of one household: head, partner, then children, grandchildren
    or a parent who moved in."""
    if renter:
        head = int(rng.integers(*m.renter_head_age))
    elif rng.random() < m.retired_head_p:
        start, shape, scale = m.retired_head_age
        head = int(np.clip(start + rng.gamma(shape, scale), start, m.max_age))
    else:
        head = int(rng.integers(*m.working_head_age))
    sex_head = "M" if rng.random() < m.male_p else "F"
    ages, sexes = [head], [sex_head]
    if k >= 2:
        ages.append(int(np.clip(head + rng.integers(*m.partner_offset), m.adult_age, m.max_age)))
        sexes.append("F" if sex_head == "M" else "M")
    for _ in range(k - 2):
        if head >= m.grandparent_head_age and rng.random() < m.adult_child_p:
            child = head - int(rng.integers(*m.adult_child_gap))
            if all(a != child for a in ages[2:]) and len(ages) == 2:
                ages.append(int(np.clip(child, m.adult_age, m.adult_child_max_age)))
            else:
                ages.append(int(rng.integers(*m.minor_age)))
        elif head < m.young_head_age and rng.random() < m.parent_moved_in_p:
            ages.append(int(np.clip(head + rng.integers(*m.parent_gap), *m.parent_age)))
        else:
            ages.append(int(np.clip(head - rng.integers(*m.child_gap), 0, m.child_max_age)))
        sexes.append("M" if rng.random() < m.male_p else "F")
    return ages, sexes


def _residents(hh: pd.DataFrame, rng: np.random.Generator, model: HouseholdModel) -> pd.DataFrame:
    """One row per resident with key, name, sex, birth year, age, phones and the dwelling."""
    rows = []
    for hid, tenure, k in zip(hh.household_id, hh.tenure, hh.persons, strict=True):
        if k == 0:
            continue
        ages, sexes = _household_ages(int(k), tenure == "出租", rng, model)
        for a, s in zip(ages, sexes, strict=True):
            rows.append((hid, REFERENCE_YEAR - a, s))
    res = pd.DataFrame(rows, columns=["household_id", "birth_year", "sex"])
    res["age"] = REFERENCE_YEAR - res["birth_year"]
    res["resident_key"] = [f"P{i + 1:06d}" for i in range(len(res))]
    res["name"] = names.person_names(rng, res["birth_year"].to_numpy(), res["sex"].to_numpy())
    n_res = len(res)
    used_phones: set[str] = set()
    phones = names.phone_numbers(rng, n_res, used_phones)
    res["phone"] = [p if a >= model.phone_min_age else "" for p, a in zip(phones, res["age"], strict=True)]
    changed = (rng.random(n_res) < model.phone_changed_p) & (res["age"].to_numpy() >= model.phone_min_age)
    olds = names.phone_numbers(rng, int(changed.sum()), used_phones)
    res["phone_2018"] = res["phone"]
    res.loc[changed, "phone_2018"] = olds
    return res.merge(hh[["household_id", "building", "unit", "floor", "room"]], on="household_id", how="left")


def _flag_households(
    hh: pd.DataFrame, res: pd.DataFrame, occupied: np.ndarray, rng: np.random.Generator, m: HouseholdModel
) -> None:
    """高龄 (a resident aged 80+), 低保, 残疾 and their union ``vulnerable``, in place."""
    n = len(hh)
    elderly = res.groupby("household_id")["age"].max().ge(m.elderly_age)
    hh["elderly"] = hh["household_id"].map(elderly).fillna(False).astype(bool)
    old_single = (hh["persons"] == 1) & hh["elderly"]
    p_dibao = np.where(occupied, np.where(old_single, m.dibao_p[0], m.dibao_p[1]), 0.0)
    hh["dibao"] = rng.random(n) < p_dibao
    p_dis = np.where(occupied, np.where(hh["elderly"], m.disabled_p[0], m.disabled_p[1]), 0.0)
    hh["disabled"] = rng.random(n) < p_dis
    hh["vulnerable"] = hh["elderly"] | hh["dibao"] | hh["disabled"]
