"""一张图 and 园园's coverage: exact values on a hand-made estate, planted truth on the synthetic worlds."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu.analysis import registry
from jiesu.privacy import suppress_small
from jiesu.snapshot.sections import report_coverage

PERSONAL_WORDS = ("name", "phone", "wxid", "姓名", "电话", "微信")


def make_households() -> pd.DataFrame:
    """Two buildings × 2 units × 3 floors × 2 flats = 24 households; flats 1xx are 高龄, 302 低保+残疾."""
    rows = []
    for building in (1, 2):
        for unit in (1, 2):
            for floor in (1, 2, 3):
                for flat in (1, 2):
                    room = floor * 100 + flat
                    rows.append(
                        {
                            "household_id": f"{building:02d}-{unit}-{room}",
                            "building": building,
                            "unit": unit,
                            "floor": floor,
                            "room": room,
                            "housing_type": "两居室",
                            "tenure": "出租" if flat == 2 else "自住",
                            "persons": floor,
                            "elderly": floor == 1,
                            "dibao": room == 302,
                            "disabled": room == 302,
                        }
                    )
    frame = pd.DataFrame(rows)
    frame["vulnerable"] = frame["elderly"] | frame["dibao"] | frame["disabled"]
    return frame


def make_residents(households: pd.DataFrame) -> pd.DataFrame:
    """One resident per person of each household: ``R<household>-<k>``."""
    rows = [
        {"resident_id": f"R{h}-{k}", "household_id": h}
        for h, n in zip(households["household_id"], households["persons"], strict=True)
        for k in range(n)
    ]
    return pd.DataFrame(rows)


def make_friends() -> pd.DataFrame:
    """Friends in building 1 unit 1 (all six flats, first resident each) and one unlinked friend."""
    linked = [f"01-1-{r}" for r in (101, 102, 201, 202, 301, 302)]
    return pd.DataFrame(
        {
            "member_id": [f"m{i}" for i in range(len(linked))] + ["m_unlinked"],
            "resident_id": [f"R{h}-0" for h in linked] + [None],
            "household_id": linked + [None],
            "added": pd.to_datetime(["2020-01-01"] * (len(linked) + 1)),
        }
    )


def test_household_coverage_counts_households_with_a_friend():
    hh, friends = make_households(), make_friends()
    overall = registry.household_coverage(hh, friends)
    assert overall.to_dict("records") == [{"households": 24, "covered": 6, "coverage": 0.25}]
    per_building = registry.household_coverage(hh, friends, by="building")
    assert per_building["covered"].tolist() == [6, 0]
    assert per_building["coverage"].tolist() == [0.5, 0.0]


def test_resident_coverage_counts_friends_among_known_residents():
    hh, friends = make_households(), make_friends()
    residents = make_residents(hh)  # persons = floor → 12 households × (1+2+3)/… = 48 residents
    assert len(residents) == 48
    overall = registry.resident_coverage(residents, friends).iloc[0]
    assert (overall["residents"], overall["covered"]) == (48, 6)
    by_building = registry.resident_coverage(residents, friends, households=hh, by="building")
    assert by_building["covered"].tolist() == [6, 0]


def test_outreach_list_is_uncovered_vulnerable_households_without_personal_columns():
    hh, friends = make_households(), make_friends()
    outreach = registry.outreach_list(hh, friends)
    # vulnerable: floor 1 (4 per unit-building pair) + room 302 → per unit 3; 4 units = 12; minus covered 101/102/302
    expected = sorted(
        f"{b:02d}-{u}-{r}" for b in (1, 2) for u in (1, 2) for r in (101, 102, 302) if not (b == 1 and u == 1)
    )
    assert sorted(outreach["household_id"]) == expected
    assert not any(word in col.lower() for col in outreach.columns for word in PERSONAL_WORDS)
    assert set(outreach.loc[outreach["room"] == 302, "flags"]) == {"低保、残疾"}
    assert set(outreach.loc[outreach["room"] == 101, "flags"]) == {"高龄"}


def test_coverage_by_building_adds_up_to_the_overall_figures():
    hh, friends = make_households(), make_friends()
    residents = make_residents(hh)
    table = registry.coverage_by_building(hh, residents, friends)
    summary = registry.coverage_summary(hh, residents, friends)
    assert table["households"].sum() == summary["households"] == 24
    assert table["households_covered"].sum() == summary["households_covered"] == 6
    assert table["uncovered_vulnerable"].tolist() == [3, 6]
    assert summary["uncovered_vulnerable"] == 9


def test_complaints_are_counted_only_inside_the_period():
    cases = pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3", "c4"],
            "received_at": pd.to_datetime(["2020-01-05", "2020-01-20", "2020-02-01", "2020-01-10"]),
            "household_id": ["01-1-101", "01-1-101", "01-1-101", None],
        }
    )
    counts = registry.complaints_per_household(cases, start="2020-01-01", end="2020-02-01")
    assert counts.to_dict() == {"01-1-101": 2}


def test_small_counts_are_suppressed_but_zero_is_kept():
    table = pd.DataFrame({"building": [1, 2, 3], "residents": [0, 3, 12]})
    out = suppress_small(table, ["residents"])
    assert out["residents"].tolist() == ["0", "<5", "12"]
    assert table["residents"].tolist() == [0, 3, 12]  # input untouched


def test_map_gives_every_household_its_own_square_stacked_by_floor():
    hh = make_households()
    layout = registry.map_layout(hh)
    assert not layout[["x", "y"]].duplicated().any()
    same_column = hh.assign(**layout)[
        lambda f: (f["building"] == 1) & (f["unit"] == 2) & (f["room"] % 100 == 1)
    ]
    assert same_column["x"].nunique() == 1
    assert same_column.sort_values("floor")["y"].is_monotonic_increasing


@pytest.mark.parametrize("color_by", list(registry.COLOR_OPTIONS))
def test_map_hover_shows_household_id_and_attributes_only(color_by):
    hh, friends = make_households(), make_friends()
    complaints = pd.Series({"01-1-101": 2}, name="complaints")
    fig = registry.registry_map(hh, color_by, friends=friends, complaints=complaints)
    points = sum(len(trace.x) for trace in fig.data)
    assert points == len(hh)
    hovers = [text for trace in fig.data for text in trace.text]
    assert {h.split("<br>")[0] for h in hovers} == set(hh["household_id"])
    assert not any(word in h for h in hovers for word in ("m0", "R01", "member"))


def test_map_refuses_an_unknown_attribute():
    with pytest.raises(ValueError, match="color_by"):
        registry.registry_map(make_households(), "income")


# ------------------------------------------------------------------ planted truth


@pytest.mark.full
def test_evaluate_recovers_planted_coverage_exactly_on_the_full_world(full_world):
    from jiesu.evaluation.scorecard import evaluate

    card = evaluate(full_world, sections=("coverage",))
    assert card["coverage"] == {"household_coverage_abs_error": 0.0, "uncovered_vulnerable_exact": True}


def test_per_building_coverage_matches_the_planted_figures(small_world):

    truth = small_world.planted_truth()["coverage"]
    table = registry.household_coverage(
        small_world.table("households"), small_world.table("friends"), by="building"
    )
    measured = dict(zip(table["building"].astype(int), table["coverage"], strict=True))
    planted = {int(b): v for b, v in truth["by_building"].items()}
    assert measured == pytest.approx(planted, abs=1e-12)
    assert int((table["households"] - table["covered"]).sum()) == truth["n_uncovered"]


def test_report_coverage_gives_the_report_its_fields(small_world):

    truth = small_world.planted_truth()
    report = report_coverage(small_world, color_by="complaints", start="2020-01-01")
    assert report["household_coverage"] == pytest.approx(truth["coverage"]["household_coverage"])
    assert (
        report["uncovered_vulnerable"]
        == truth["coverage"]["n_uncovered_vulnerable"]
        == len(report["outreach"])
    )
    assert set(report["outreach"].columns) >= {"building", "unit", "room", "flags"}
    assert report["by_building"]["building"].astype(int).tolist() == list(
        range(1, truth["community"]["buildings"] + 1)
    )
    assert "模拟数据" in report["map_figure"].layout.title.text
    assert sum(len(trace.x) for trace in report["map_figure"].data) == truth["community"]["households"]


def test_coverage_as_of_a_date_counts_only_friends_added_by_then(small_world):

    friends = small_world.table("friends")
    day = pd.to_datetime(friends["added"]).quantile(0.5).normalize()
    early = report_coverage(small_world, as_of=day.strftime("%Y-%m-%d"))
    late = report_coverage(small_world)
    expected = registry.household_coverage(
        small_world.table("households"), friends.loc[pd.to_datetime(friends["added"]) <= day]
    )["coverage"].iloc[0]
    assert early["household_coverage"] == pytest.approx(expected)
    assert early["household_coverage"] < late["household_coverage"]


def test_map_leaves_out_households_without_a_full_address():
    hh = make_households()
    hh["floor"] = hh["floor"].astype("Int64")
    hh.loc[0, "floor"] = pd.NA
    fig = registry.registry_map(hh, "tenure")
    assert sum(len(trace.x) for trace in fig.data) == len(hh) - 1
