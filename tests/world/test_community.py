"""Buildings, households and residents of one community."""

from __future__ import annotations

import numpy as np
import pytest

from jiesu.world.community import build_community
from jiesu.world.spec import HOUSEHOLDS, REFERENCE_YEAR, CommunitySpec

SMALL = CommunitySpec(
    name="测试社区", layout=((4, 6, 4, 1995), (3, 5, 4, 1996)), households=150, residents=330, index=5
)


@pytest.fixture(scope="module")
def community():
    return build_community(0, SMALL)


def test_exact_households_and_residents(community):
    assert len(community.households) == 150 and community.households["household_id"].is_unique
    assert len(community.residents) == 330 and community.residents["resident_key"].is_unique
    assert community.households["persons"].sum() == 330
    assert community.buildings["户数"].sum() == 150


def test_removed_dwellings_are_on_the_ground_floor(community):
    per_floor = community.households.groupby(["building", "floor"]).size()
    full = {1: 4 * 4, 2: 3 * 4}  # units × doors of each building
    assert all(per_floor[(b, f)] == full[b] for b, f in per_floor.index if f > 1)
    assert per_floor.xs(1, level="floor").sum() == 150 - (4 * 5 * 4 + 3 * 4 * 4)


def test_vacant_flats_have_nobody_and_occupied_ones_somebody(community):
    hh = community.households
    vacant = hh["tenure"] == "空置"
    assert (hh.loc[vacant, "persons"] == 0).all() and (hh.loc[~vacant, "persons"] >= 1).all()
    assert hh["persons"].max() <= HOUSEHOLDS.max_persons


def test_elderly_flag_means_a_resident_aged_80_or_more(community):
    oldest = community.residents.groupby("household_id")["age"].max()
    hh = community.households.set_index("household_id")
    assert (hh["elderly"] == oldest.reindex(hh.index).fillna(0).ge(80)).all()
    assert (hh["vulnerable"] == (hh["elderly"] | hh["dibao"] | hh["disabled"])).all()
    assert not hh.loc[hh["tenure"] == "空置", ["dibao", "disabled"]].any().any()


def test_children_have_no_phone_and_phones_are_unique(community):
    res = community.residents
    assert (res.loc[res["age"] < 12, "phone"] == "").all()
    phones = res.loc[res["phone"] != "", "phone"]
    assert phones.is_unique and phones.str.fullmatch(r"1\d{2}00\d{6}").all()
    assert (res["age"] == REFERENCE_YEAR - res["birth_year"]).all()


def test_same_seed_same_community_other_index_other_community():
    a, b = build_community(0, SMALL), build_community(0, SMALL)
    assert a.residents.equals(b.residents) and a.households.equals(b.households)
    other = build_community(0, CommunitySpec(**{**SMALL.__dict__, "index": 6}))
    assert not np.array_equal(other.residents["birth_year"], a.residents["birth_year"])
