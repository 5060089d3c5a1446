"""Ranking: exact ranks (ties included) on a hand-made 5 × 6 panel, Garwood intervals, rolling views,
rank intervals, milestones, messy panels through `jiesu rank`, and the planted rank trajectory."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jiesu.analysis.ranking import competition_ranks, milestones, performance, rank_intervals, rank_table
from jiesu.byod.rank import clean_counts, parse_months
from jiesu.cli import main
from jiesu.errors import DataError
from jiesu.evaluation.planted import score_rank
from jiesu.snapshot.sections import report_rank

MONTHS = ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]
UNITS = ["A", "B", "C", "D", "E"]
# (count, population) per unit and month; rates per 10k are given in the comments
PANEL = {
    "2020-01": [(10, 10000), (20, 10000), (20, 10000), (5, 10000), (0, 10000)],  # 10 20 20 5 0
    "2020-02": [(10, 5000), (20, 10000), (20, 20000), (1, 2000), (30, 10000)],  # 20 20 10 5 30
    "2020-03": [(3, 1000), (3, 1000), (3, 1000), (3, 1000), (3, 1000)],  # all tied at 30
    "2020-04": [(0, 8000), (1, 8000), (2, 8000), (3, 8000), (4, 8000)],  # 0 1.25 2.5 3.75 5
    "2020-05": [(7, 7000), (6, 3000), (6, 3000), (1, 1000), (2, 4000)],  # 10 20 20 10 5
    "2020-06": [(9, 3000), (8, 4000), (1, 1000), (4, 2000), (9, 3000)],  # 30 20 10 20 30
}
EXPECTED_RANK = {  # 1 = highest rate; ties share the best rank ('min'), the next rank is skipped
    "2020-01": [3, 1, 1, 4, 5],
    "2020-02": [2, 2, 4, 5, 1],
    "2020-03": [1, 1, 1, 1, 1],
    "2020-04": [5, 4, 3, 2, 1],
    "2020-05": [3, 1, 1, 3, 5],
    "2020-06": [1, 3, 5, 3, 1],
}
EXPECTED_FROM_BOTTOM = {
    "2020-01": [3, 4, 4, 2, 1],
    "2020-02": [3, 3, 2, 1, 5],
    "2020-03": [1, 1, 1, 1, 1],
    "2020-04": [1, 2, 3, 4, 5],
    "2020-05": [2, 4, 4, 2, 1],
    "2020-06": [4, 2, 1, 2, 4],
}


def hand_made_panel() -> pd.DataFrame:
    rows = [(u, m, c, p) for m in MONTHS for u, (c, p) in zip(UNITS, PANEL[m], strict=True)]
    return pd.DataFrame(rows, columns=["community", "month", "requests", "residents"])


def by_unit(table: pd.DataFrame, month: str, column: str) -> list:
    return table.loc[table["month"] == month].set_index("community").loc[UNITS, column].tolist()


def test_hand_made_panel_gives_exactly_the_known_ranks_with_min_ties():
    table = rank_table(hand_made_panel(), top=2)
    for month in MONTHS:
        assert by_unit(table, month, "rank") == EXPECTED_RANK[month], month
        assert by_unit(table, month, "rank_from_bottom") == EXPECTED_FROM_BOTTOM[month], month
    assert (table["n_units"] == 5).all()
    # top/bottom groups include ties at the boundary
    assert by_unit(table, "2020-05", "in_top5") == [False, True, True, False, False]
    assert by_unit(table, "2020-05", "in_bottom5") == [True, False, False, True, True]
    assert by_unit(table, "2020-03", "in_top5") == [True] * 5
    # percentile: share of units with a rate at most this one's
    assert by_unit(table, "2020-04", "percentile") == [20.0, 40.0, 60.0, 80.0, 100.0]
    assert by_unit(table, "2020-02", "rate") == pytest.approx([20, 20, 10, 5, 30])


def test_households_basis_changes_the_scale_not_the_order():
    panel = hand_made_panel().assign(households=lambda f: f["residents"] // 2)
    per_person = rank_table(panel, exposure="residents", per=1e4)
    per_household = rank_table(panel, exposure="households", per=1e3)
    assert per_household["rate"].to_numpy() == pytest.approx(per_person["rate"].to_numpy() * 2 / 10)
    assert (per_household["rank"].to_numpy() == per_person["rank"].to_numpy()).all()


def test_garwood_interval_matches_the_chi_square_formula():
    # lo = χ²(α/2; 2y)/2 (0 at y = 0), hi = χ²(1−α/2; 2y+2)/2: the exact interval rank_table uses
    y = np.array([0, 1, 5, 100])
    lo = np.where(y > 0, stats.chi2.ppf(0.025, 2 * np.maximum(y, 1)) / 2, 0.0)
    hi = stats.chi2.ppf(0.975, 2 * y + 2) / 2
    assert lo == pytest.approx([0.0, 0.025318, 1.623486, 81.363991], abs=1e-5)
    assert hi == pytest.approx([3.688879, 5.571643, 11.668332, 121.626794], abs=1e-5)
    panel = pd.DataFrame(
        {"community": list("ABCD"), "month": "2020-01", "requests": y, "residents": 10_000, "households": 1}
    )
    table = rank_table(panel).set_index("community")
    assert table.loc[list("ABCD"), "rate_lo"].to_numpy() == pytest.approx(lo, abs=1e-9)  # per 10,000 = count
    assert table.loc[list("ABCD"), "rate_hi"].to_numpy() == pytest.approx(hi, abs=1e-9)
    table = rank_table(hand_made_panel())
    row = table.loc[(table["community"] == "E") & (table["month"] == "2020-01")].iloc[0]
    assert (row["rate_lo"], row["rate_hi"]) == pytest.approx((0.0, 3.688879), abs=1e-5)


def test_rolling_view_pools_three_months_and_never_bridges_a_gap():
    panel = hand_made_panel()
    panel = panel.loc[~((panel["community"] == "D") & (panel["month"] == "2020-02"))]
    table = rank_table(panel, window=3)
    assert sorted(table["month"].unique()) == MONTHS[2:]
    a = table.loc[(table["community"] == "A") & (table["month"] == "2020-03")].iloc[0]
    assert a["count"] == 23 and a["exposure"] == 16000
    assert a["rate"] == pytest.approx(23 / 16000 * 1e4)
    # D is missing in 2020-02: no 3-month window containing it is ranked
    d_months = set(table.loc[table["community"] == "D", "month"])
    assert d_months == {"2020-05", "2020-06"}
    assert table.loc[table["month"] == "2020-03", "n_units"].iloc[0] == 4


def test_rank_intervals_are_reproducible_and_contain_the_clear_cases():
    rng = np.random.default_rng(1)
    units = [f"u{i}" for i in range(12)]
    panel = pd.DataFrame(
        {
            "community": units,
            "month": "2020-01",
            "residents": 10000,
            "requests": [1000, 600] + list(rng.integers(100, 120, 10)),
        }
    )
    table = rank_table(panel)
    a = rank_intervals(table, n_sim=400, seed=3)
    b = rank_intervals(table, n_sim=400, seed=3)
    pd.testing.assert_frame_equal(a, b)
    clear = a.set_index("community")
    assert (clear.loc["u0", "rank_lo"], clear.loc["u0", "rank_hi"]) == (1, 1)
    assert (clear.loc["u1", "rank_lo"], clear.loc["u1", "rank_hi"]) == (2, 2)
    assert ((a["rank_lo"] <= a["rank"]) & (a["rank"] <= a["rank_hi"])).all()
    assert a["p_top5"].sum() == pytest.approx(5.0)
    only = rank_intervals(table, n_sim=400, seed=3, only=["u0"]).set_index("community")
    assert (only.loc["u0", "rank_lo"], only.loc["u0", "rank_hi"]) == (1, 1)
    assert only["rank_lo"].isna().sum() == 11


def test_milestones_tolerate_one_noisy_month_but_not_two():
    flags = [False, False, True, True, False, True, True, False, False, True, True]
    months = [f"2020-{i:02d}" for i in range(1, 12)]
    table = pd.DataFrame(
        {"community": "X", "month": months, "in_bottom5": flags, "in_top5": [True, True] + [False] * 9}
    )
    one = milestones(table, "X", max_gap=1)
    assert one["first_month_bottom5"] == "2020-03"
    assert one["first_month_stays_bottom5"] == "2020-10"
    assert one["last_month_top5"] == "2020-02"
    two = milestones(table, "X", max_gap=2)
    assert two["first_month_stays_bottom5"] == "2020-03"
    assert milestones(table, "X", max_gap=0)["first_month_stays_bottom5"] == "2020-10"


def test_with_rank_intervals_only_a_clear_exit_ends_a_stay():
    months = [f"2020-{i:02d}" for i in range(1, 9)]
    ranks = [1, 2, 21, 18, 22, 17, 23, 24]  # of 24: bottom 5 = ranks 20..24
    rank_hi = [3, 6, 24, 24, 24, 19, 24, 24]  # 2020-06 is clearly out: its interval ends above rank 20
    table = pd.DataFrame(
        {
            "community": "X",
            "month": months,
            "n_units": 24,
            "rank_hi": rank_hi,
            "in_bottom5": [r >= 20 for r in ranks],
            "in_top5": [r <= 5 for r in ranks],
        }
    )
    got = milestones(table, "X")
    assert got["first_month_bottom5"] == "2020-03"
    assert got["first_month_stays_bottom5"] == "2020-07"
    table.loc[5, "rank_hi"] = 24  # 2020-06 within noise: the 2020-04 and 2020-06 exits do not end the stay
    assert milestones(table, "X")["first_month_stays_bottom5"] == "2020-03"


def test_composite_uses_the_stated_weights():
    counts = pd.DataFrame(
        {"requests": [10, 0], "responded": [9, 0], "resolved": [6, 0], "rated": [5, 0], "satisfied": [4, 0]}
    )
    out = performance(counts, weights={"response": 1, "resolution": 1, "satisfaction": 2})
    assert out.loc[0, ["response_rate", "resolution_rate", "satisfaction_rate"]].tolist() == [0.9, 0.6, 0.8]
    assert out.loc[0, "composite"] == pytest.approx(100 * (0.9 + 0.6 + 2 * 0.8) / 4)
    assert np.isnan(out.loc[1, "composite"])
    with pytest.raises(ValueError):
        performance(counts, weights={"speed": 1})


def test_messy_months_parse_to_year_month():
    cells = pd.Series(
        [
            "2020-09",
            "2020/9",
            "2020年9月",
            "２０２０年０９月",
            "202009",
            "2020-09-15",
            "2020年9月1日",
            dt.datetime(2020, 9, 3),
            44075,
            "44075",
            "九月",
            "2020-13",
            None,
        ],
        dtype=object,
    )
    parsed = parse_months(cells)
    assert parsed.iloc[:10].tolist() == ["2020-09"] * 10
    assert parsed.iloc[10:].isna().all()


def test_bad_population_is_a_one_line_error_naming_file_column_and_rows():
    frame = pd.DataFrame(
        {
            "社区": ["A", "B", "C"],
            "月份": ["2020-01"] * 3,
            "诉求量": ["3", "4", "5"],
            "人口": ["5,000", "0", ""],
        }
    )
    with pytest.raises(DataError) as err:
        clean_counts(frame, unit="社区", month="月份", count="诉求量", population="人口", source="x.csv")
    assert str(err.value).startswith("文件 file x.csv; 列 column '人口'; 行 rows 3, 4")
    frame["人口"] = ["5,000", "4000", "4000"]
    frame.loc[1, "月份"] = "sometime"
    with pytest.raises(DataError, match="行 rows 3"):
        clean_counts(frame, unit="社区", month="月份", count="诉求量", population="人口", source="x.csv")


@pytest.fixture
def messy_xlsx(tmp_path):
    """5 × 6 hand-made panel as a Chinese-headed workbook: mixed month formats, one row per category,
    one missing month."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["街乡", "社区名称", "统计月份", "问题分类", "诉求件数", "常住人口"])
    styles = [
        lambda m: m,
        lambda m: f"{m[:4]}年{int(m[5:])}月",
        lambda m: dt.datetime(int(m[:4]), int(m[5:]), 1),
    ]
    for i, (month, values) in enumerate(PANEL.items()):
        for unit, (count, pop) in zip(UNITS, values, strict=True):
            if unit == "D" and month == "2020-04":
                continue
            cell = styles[i % 3](month)
            first = count // 2
            sheet.append(["高碑店地区", unit, cell, "供暖", first, pop])
            sheet.append(["高碑店地区", unit, cell, "其他", count - first, pop])
    path = tmp_path / "panel.xlsx"
    book.save(path)
    return path


def test_cli_ranks_a_messy_panel_and_writes_an_offline_bump_chart(messy_xlsx, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(
        [
            "rank",
            str(messy_xlsx),
            "--unit-col",
            "社区名称",
            "--month-col",
            "统计月份",
            "--count-col",
            "诉求件数",
            "--pop-col",
            "常住人口",
            "--focus",
            "E",
            "--out",
            str(out),
            "--n-sim",
            "200",
        ]
    )
    assert status == 0
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("rank: 5 units × 6 months")
    ranks = pd.read_csv(out / "ranks.csv", encoding="utf-8-sig", dtype={"unit": str, "month": str})
    assert list(ranks.columns[:10]) == [
        "unit",
        "month",
        "count",
        "population",
        "rate",
        "rate_lo",
        "rate_hi",
        "rank",
        "rank_lo",
        "rank_hi",
    ]
    for month in MONTHS:
        got = ranks.loc[ranks["month"] == month].set_index("unit")["rank"]
        if month == "2020-04":  # D missing: the other four keep their order
            assert got.loc[["A", "B", "C", "E"]].tolist() == [4, 3, 2, 1]
        else:
            assert got.loc[UNITS].tolist() == EXPECTED_RANK[month]
    html = (out / "bump_chart.html").read_text(encoding="utf-8")
    assert "plotly.js" in html.lower() or "Plotly" in html
    assert "<script src=" not in html and len(html) > 1_000_000  # plotly.js inline, nothing fetched


def test_cli_zero_population_fails_with_one_line(tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text("社区,月份,诉求量,人口\nA,2020-01,3,100\nB,2020-01,4,0\n", encoding="gb18030")
    status = main(
        [
            "rank",
            str(path),
            "--unit-col",
            "社区",
            "--month-col",
            "月份",
            "--count-col",
            "诉求量",
            "--pop-col",
            "人口",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert err == [
        "错误 error: 文件 file counts.csv; 列 column '人口'; 行 rows 3: "
        "人口须为正数（0或空值无法计算比率）population must be > 0 (zero or blank gives no rate)"
    ]
    assert not (tmp_path / "o" / "ranks.csv").exists()


def test_report_rank_has_the_report_keys(small_world):
    out = report_rank(small_world, "甘露园南里二社区", "2020-06", n_sim=300)
    assert set(out) == {
        "requests",
        "rate_per_10k",
        "rate_ci",
        "mom_change",
        "yoy_change",
        "rank",
        "rank_interval",
        "n_communities",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "composite",
        "in_top5",
        "in_bottom5",
        "bump_figure",
        "table",
        "league",
        "mom",
        "yoy",
        "rated",
    }
    assert out["rate_ci"][0] <= out["rate_per_10k"] <= out["rate_ci"][1]
    assert out["rank_interval"][0] <= out["rank"] <= out["rank_interval"][1]
    assert out["n_communities"] == len(out["table"]) == 24
    assert out["in_bottom5"] == (out["rank"] >= 20)
    shown = list(dict.fromkeys(str(x) for trace in out["bump_figure"].data for x in trace.x))
    assert (shown[0], shown[-1], len(shown)) == ("2018年7月", "2020年6月", 24)  # never past the report month
    # top 5, bottom 5, and the community with one neighbour on each side
    at = out["rank"] - 1
    assert len(out["league"]) == len(set(range(5)) | set(range(19, 24)) | {at - 1, at, at + 1})
    assert out["league"]["community"].eq("甘露园南里二社区").any()
    assert (
        set(out["mom"]) == {"change", "p_value", "significant"} and out["mom"]["change"] == out["mom_change"]
    )
    first = report_rank(small_world, "甘露园南里二社区", "2017-01", n_sim=100)
    assert first["mom_change"] is None and first["yoy_change"] is None


def test_planted_rank_trajectory_is_recovered(full_world):

    scores = score_rank(full_world.planted_truth(), full_world)
    assert scores["top5_before"] is True
    assert scores["bottom5_after"] is True
    assert scores["milestone_error_months"] is not None and scores["milestone_error_months"] <= 1


def test_competition_ranks_agree_with_pandas_min_and_max_on_ties_and_gaps():
    rate = np.array([[5.0, 3.0, 3.0, 1.0], [np.nan, 2.0, 2.0, 2.0]])
    low, high = competition_ranks(rate)
    assert low.tolist() == [[1, 2, 2, 4], [0, 1, 1, 1]]
    assert high.tolist() == [[1, 3, 3, 4], [0, 3, 3, 3]]
