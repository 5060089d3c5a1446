"""一张图: the resident registry map, 园园's coverage of households and residents, and the outreach list.

The seed community first drew "一张图" of its 2,602 households (户型, 居住性质, 居住人数, 高龄/低保/残疾),
then reached nearly every household through the virtual social worker 园园's WeChat friends. This
module measures that reach from the processed tables (:mod:`jiesu.contract` ``PROCESSED``):

* a household is **covered** when at least one of its residents is a friend of 园园, i.e. its
  ``household_id`` appears on a row of ``friends`` (ingest links each friend to a resident and household);
* a resident is **covered** when the resident is a friend of 园园 (``friends.resident_id``);
* the **outreach list** is the vulnerable (高龄/低保/残疾) households that are not covered, with their
  address key and flags only: never names, phones or WeChat ids.

All functions are pure: DataFrames in, DataFrames/figures out, inputs never mutated. The I/O wrapper
:func:`report_coverage` loads the tables; :func:`score_coverage` scores against the planted truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jiesu.analysis.style import FOCUS_COLOR, MUTED_COLOR, PALETTE

FLAG_COLUMNS: dict[str, str] = {"elderly": "高龄", "dibao": "低保", "disabled": "残疾"}
"""Vulnerability flags of a household, column → Chinese label."""

COLOR_OPTIONS: dict[str, str] = {
    "tenure": "居住性质",
    "housing_type": "户型",
    "persons": "居住人数",
    "flags": "高龄/低保/残疾",
    "elderly": "高龄",
    "dibao": "低保",
    "disabled": "残疾",
    "vulnerable": "困难（高龄/低保/残疾）",
    "coverage": "园园覆盖",
    "complaints": "期内12345诉求",
}
"""Attributes the registry map can be coloured by, key → legend title."""

"""Resident-level counts below this are suppressed in report tables (privacy rule)."""


# ---------------------------------------------------------------------------------------------
# coverage
# ---------------------------------------------------------------------------------------------


def covered_households(friends: pd.DataFrame) -> set[str]:
    """Household ids with at least one resident among 园园's friends (``friends.household_id``, non-null)."""
    return set(friends["household_id"].dropna().astype(str))


def covered_residents(friends: pd.DataFrame) -> set[str]:
    """Resident ids that are friends of 园园 (``friends.resident_id``, non-null)."""
    return set(friends["resident_id"].dropna().astype(str))


def _coverage_table(group: np.ndarray, covered: np.ndarray, *, unit: str, by: str | None) -> pd.DataFrame:
    """Count ``unit`` (households or residents) and the covered ones per group; rows with a null group
    are dropped.  One row without a group column when ``by`` is None."""
    frame = pd.DataFrame({"group": group, "covered": covered})
    table = frame.groupby("group", sort=True, dropna=True).agg(
        **{unit: ("covered", "size")}, covered=("covered", "sum")
    )
    table["covered"] = table["covered"].astype(int)
    table["coverage"] = table["covered"] / table[unit]
    table = table.reset_index()
    return table.rename(columns={"group": by}) if by else table.drop(columns="group")


def household_coverage(
    households: pd.DataFrame, friends: pd.DataFrame, *, by: str | None = None
) -> pd.DataFrame:
    """Share of households with at least one resident among 园园's friends.

    Parameters
    ----------
    households : one row per household; needs ``household_id`` (and ``by`` if given).
    friends : one row per friend; needs ``household_id`` (null when the friend is not linked).
    by : optional column to group by, e.g. ``"building"``.

    Returns
    -------
    DataFrame with ``households``, ``covered`` (counts) and ``coverage`` (share, 0–1); one row, or one
    row per value of ``by`` (sorted), with ``by`` as a column.
    """
    group = households[by].to_numpy() if by else np.zeros(len(households), dtype=int)
    covered = households["household_id"].astype(str).isin(covered_households(friends)).to_numpy()
    return _coverage_table(group, covered, unit="households", by=by)


def resident_coverage(
    residents: pd.DataFrame,
    friends: pd.DataFrame,
    *,
    households: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Share of known residents who are friends of 园园.

    Parameters
    ----------
    residents : one row per resident; needs ``resident_id`` and ``household_id``.
    friends : one row per friend; needs ``resident_id`` (null when not linked to a resident).
    households : needed only when ``by`` is a household column (e.g. ``"building"``).
    by : optional household column to group by.

    Returns
    -------
    DataFrame with ``residents``, ``covered`` and ``coverage`` (0–1), one row or one per ``by`` value.
    """
    covered = residents["resident_id"].astype(str).isin(covered_residents(friends)).to_numpy()
    if by:
        if households is None:
            raise ValueError("resident_coverage(by=...) needs the households table")
        lookup = households.set_index("household_id")[by]
        group = residents["household_id"].map(lookup).to_numpy()
    else:
        group = np.zeros(len(residents), dtype=int)
    return _coverage_table(group, covered, unit="residents", by=by)


def coverage_by_building(
    households: pd.DataFrame, residents: pd.DataFrame, friends: pd.DataFrame
) -> pd.DataFrame:
    """Household and resident coverage per building, with the number of uncovered vulnerable households.

    Returns
    -------
    One row per building: ``building``, ``households``, ``households_covered``, ``household_coverage``,
    ``residents``, ``residents_covered``, ``resident_coverage``, ``uncovered``, ``uncovered_vulnerable``.
    """
    hh = household_coverage(households, friends, by="building").rename(
        columns={"covered": "households_covered", "coverage": "household_coverage"}
    )
    rs = resident_coverage(residents, friends, households=households, by="building").rename(
        columns={"covered": "residents_covered", "coverage": "resident_coverage"}
    )
    table = hh.merge(rs, on="building", how="left")
    for col in ("residents", "residents_covered"):
        table[col] = table[col].fillna(0).astype(int)
    table["uncovered"] = table["households"] - table["households_covered"]
    outreach = outreach_list(households, friends)
    counts = outreach.groupby("building").size()
    table["uncovered_vulnerable"] = table["building"].map(counts).fillna(0).astype(int)
    return table


def uncovered_households(households: pd.DataFrame, friends: pd.DataFrame) -> pd.DataFrame:
    """Households with no resident among 园园's friends, in address order (all household columns)."""
    mask = ~households["household_id"].astype(str).isin(covered_households(friends))
    return households.loc[mask].sort_values(["building", "unit", "room"]).reset_index(drop=True)


def outreach_list(households: pd.DataFrame, friends: pd.DataFrame) -> pd.DataFrame:
    """The vulnerable households 园园 does not reach yet: who to visit first.

    Returns
    -------
    DataFrame in address order with ``household_id``, ``building``, ``unit``, ``floor``, ``room``,
    ``elderly``, ``dibao``, ``disabled`` (bool) and ``flags`` (e.g. ``"高龄、残疾"``). No names, phones or
    WeChat ids: the processed tables hold none, and only these columns are returned.
    """
    uncovered = uncovered_households(households, friends)
    vulnerable = uncovered.loc[_vulnerable(uncovered)]
    columns = ["household_id", "building", "unit", "floor", "room", *FLAG_COLUMNS]
    out = vulnerable[columns].copy()
    for col in FLAG_COLUMNS:
        out[col] = out[col].fillna(False).astype(bool)
    out["flags"] = flag_labels(out)
    return out.reset_index(drop=True)


def _vulnerable(households: pd.DataFrame) -> pd.Series:
    if "vulnerable" in households:
        return households["vulnerable"].fillna(False).astype(bool)
    flags = households[list(FLAG_COLUMNS)].fillna(False).astype(bool)
    return flags.any(axis=1)


def flag_labels(households: pd.DataFrame, *, none: str = "无") -> pd.Series:
    """``"高龄、低保"``-style label of each household's flags (``none`` when it has none)."""
    flags = households[list(FLAG_COLUMNS)].fillna(False).astype(bool)
    labels = [
        "、".join(FLAG_COLUMNS[c] for c in FLAG_COLUMNS if row[c]) or none for row in flags.to_dict("records")
    ]
    return pd.Series(labels, index=households.index, dtype="str")


def received_between(cases: pd.DataFrame, start=None, end=None) -> pd.Series:
    """Boolean mask of 12345 cases with ``start <= received_at < end`` (either bound optional)."""
    received = pd.to_datetime(cases["received_at"])
    mask = pd.Series(True, index=cases.index)
    if start is not None:
        mask &= received >= pd.Timestamp(start)
    if end is not None:
        mask &= received < pd.Timestamp(end)
    return mask


def complaints_per_household(cases: pd.DataFrame, *, start=None, end=None) -> pd.Series:
    """Number of 12345 cases per linked household with ``start <= received_at < end`` (either bound optional).

    Returns a Series indexed by ``household_id`` (households without cases are absent).
    """
    mask = cases["household_id"].notna() & received_between(cases, start, end)
    return cases.loc[mask, "household_id"].astype(str).value_counts().sort_index().rename("complaints")


# ---------------------------------------------------------------------------------------------
# 一张图: the registry map
# ---------------------------------------------------------------------------------------------


def _buildings_per_row(households: pd.DataFrame, aspect: float = 1.5) -> int:
    """The number of buildings per row whose grid is closest to ``aspect`` (width / height)."""
    n = int(households["building"].nunique())
    if n <= 1:
        return 1
    slots = int((households["room"].astype(int) % 100).max()) + 1
    width = int(households["unit"].astype(int).max()) * slots + 2
    height = int(households["floor"].astype(int).max()) + 3
    return min(range(1, n + 1), key=lambda k: abs(np.log(k * width / (np.ceil(n / k) * height) / aspect)))


def map_layout(households: pd.DataFrame, *, buildings_per_row: int | None = None) -> pd.DataFrame:
    """Plot coordinates of every household: building → unit → floor → household.

    Buildings sit on a grid of ``buildings_per_row`` columns (building 1 top-left; default: the number
    that makes the whole map about 1.5 times as wide as high). Inside a building,
    units run left to right; inside a unit, the flats of a floor (``room % 100``: 01, 02, …) run left to
    right and floors run bottom to top, so the picture reads like the façade of the building.

    Returns
    -------
    DataFrame aligned with ``households`` (same index) with ``x``, ``y`` (plot units) and, per building,
    label positions in the columns ``label_x``/``label_y`` (repeated on every row of the building).
    """
    buildings_per_row = buildings_per_row or _buildings_per_row(households)
    flat = (households["room"].astype(int) % 100).clip(lower=1)
    floor = households["floor"].astype(int)
    slots = int(flat.max()) if len(flat) else 1
    building = households["building"].astype(int)
    unit = households["unit"].astype(int)
    units_in = unit.groupby(building).max()
    building_width = int(units_in.max() * (slots + 1)) if len(units_in) else 1
    row_height = int(floor.max()) + 2 if len(floor) else 3
    order = {b: i for i, b in enumerate(sorted(building.unique()))}
    position = building.map(order)
    grid_col = position % buildings_per_row
    grid_row = position // buildings_per_row
    x = grid_col * (building_width + 2) + (unit - 1) * (slots + 1) + (flat - 1)
    y = -grid_row * (row_height + 1) + floor
    label_x = grid_col * (building_width + 2) + (building.map(units_in) * (slots + 1) - 2) / 2
    label_y = -grid_row * (row_height + 1) + row_height
    return pd.DataFrame(
        {
            "x": x.astype(float),
            "y": y.astype(float),
            "label_x": label_x.astype(float),
            "label_y": label_y.astype(float),
        },
        index=households.index,
    )


def map_attributes(
    households: pd.DataFrame, *, friends: pd.DataFrame | None = None, complaints: pd.Series | None = None
) -> pd.DataFrame:
    """The household table with the derived map attributes ``flags``, ``coverage`` and ``complaints``.

    ``coverage`` is ``"已覆盖"``/``"未覆盖"`` (needs ``friends``); ``complaints`` is the count from
    :func:`complaints_per_household` (0 where absent; needs ``complaints``).
    """
    out = households.copy()
    for col in FLAG_COLUMNS:
        out[col] = out[col].fillna(False).astype(bool)
    out["vulnerable"] = _vulnerable(out)
    out["flags"] = flag_labels(out)
    if friends is not None:
        covered = out["household_id"].astype(str).isin(covered_households(friends))
        out["coverage"] = np.where(covered, "已覆盖", "未覆盖")
    if complaints is not None:
        out["complaints"] = out["household_id"].astype(str).map(complaints).fillna(0).astype(int)
    return out


def registry_map(
    households: pd.DataFrame,
    color_by: str = "coverage",
    *,
    friends: pd.DataFrame | None = None,
    complaints: pd.Series | None = None,
    title: str | None = None,
    buildings_per_row: int | None = None,
    width: int = 1100,
) -> go.Figure:
    """一张图: every household as a square, laid out building → unit → floor → flat, coloured by an attribute.

    Parameters
    ----------
    households : processed ``households`` table.
    color_by : one of :data:`COLOR_OPTIONS` (``coverage`` needs ``friends``; ``complaints`` needs
        ``complaints``, a Series from :func:`complaints_per_household`).
    title : figure title (callers add 模拟数据 for synthetic data).
    width : figure width in pixels; the height and the square size follow from the layout.

    Returns
    -------
    A plotly Figure. Categorical attributes get one legend entry per value; ``persons`` and
    ``complaints`` get a colour scale. Hover shows the household id (address key) and attributes only.
    Households without a full address (building, unit, floor, room) cannot be placed and are left out.
    """
    if color_by not in COLOR_OPTIONS:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_OPTIONS)}, got {color_by!r}")
    if color_by == "coverage" and friends is None:
        raise ValueError("color_by='coverage' needs friends")
    if color_by == "complaints" and complaints is None:
        raise ValueError("color_by='complaints' needs complaints (see complaints_per_household)")
    placed = households.dropna(subset=["building", "unit", "floor", "room"])  # no address, no square
    table = map_attributes(placed, friends=friends, complaints=complaints)
    table = table.join(map_layout(table, buildings_per_row=buildings_per_row))
    hover = _hover_text(table)
    fig = go.Figure()
    x_span = float(table["x"].max() - table["x"].min() + 1) if len(table) else 1.0
    y_span = float(table["label_y"].max() - table["y"].min() + 2) if len(table) else 1.0
    cell = (width - 20) / x_span
    marker = dict(symbol="square", size=max(3.0, 0.82 * cell), line=dict(width=0))
    traces = _scale_traces if color_by in ("persons", "complaints") else _category_traces
    for trace in traces(table, color_by, hover, marker):
        fig.add_trace(trace)
    labels_at = table.drop_duplicates("building")
    for row in labels_at.itertuples():
        fig.add_annotation(
            x=row.label_x, y=row.label_y, text=f"{row.building}号楼", showarrow=False, font=dict(size=11)
        )
    x_range = [float(table["x"].min()) - 0.5, float(table["x"].max()) + 0.5] if len(table) else [0, 1]
    y_range = [float(table["y"].min()) - 0.5, float(table["label_y"].max()) + 1.5] if len(table) else [0, 1]
    fig.update_layout(
        title=title or f"一张图：按{COLOR_OPTIONS[color_by]}着色",
        legend=dict(title_text=COLOR_OPTIONS[color_by], orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(visible=False, range=x_range),
        yaxis=dict(visible=False, range=y_range),
        width=width,
        height=int(cell * y_span) + 110,
        margin=dict(l=10, r=10, t=90, b=10),
    )
    return fig


def _scale_traces(table: pd.DataFrame, color_by: str, hover: list[str], marker: dict) -> list[go.Scatter]:
    """One trace coloured on a scale (household size, complaints)."""
    values = table[color_by].fillna(0).astype(float)
    scale = dict(
        color=values,
        colorscale="YlOrRd" if color_by == "complaints" else "Blues",
        cmin=0,
        cmax=max(float(values.max()), 1.0),
        showscale=True,
        colorbar=dict(title=COLOR_OPTIONS[color_by]),
    )
    return [
        go.Scatter(
            x=table["x"],
            y=table["y"],
            mode="markers",
            text=hover,
            hoverinfo="text",
            showlegend=False,
            marker=dict(marker, **scale),
        )
    ]


def _category_traces(table: pd.DataFrame, color_by: str, hover: list[str], marker: dict) -> list[go.Scatter]:
    """One trace per category value (a legend entry each); "nothing to see" values are muted."""
    labels = _category_labels(table, color_by)
    traces = []
    for i, value in enumerate(_category_order(labels)):
        mask = (labels == value).to_numpy()
        if value in ("无", "否", "已覆盖"):
            color = MUTED_COLOR
        else:
            color = FOCUS_COLOR if value == "未覆盖" else PALETTE[i % len(PALETTE)]
        traces.append(
            go.Scatter(
                x=table["x"][mask],
                y=table["y"][mask],
                mode="markers",
                name=str(value),
                text=[hover[j] for j in np.flatnonzero(mask)],
                hoverinfo="text",
                marker=dict(marker, color=color),
            )
        )
    return traces


def _category_labels(table: pd.DataFrame, color_by: str) -> pd.Series:
    values = table[color_by]
    if values.dtype == bool:
        return values.map({True: "是", False: "否"}).astype("str")
    return values.astype("str").fillna("未知")


def _category_order(labels: pd.Series) -> list[str]:
    counts = labels.value_counts()
    return sorted(counts.index, key=lambda v: (-counts[v], v))


def _hover_text(table: pd.DataFrame) -> list[str]:
    parts = [
        table["household_id"].astype(str),
        "户型 " + table["housing_type"].astype("str").fillna("未知"),
        "居住性质 " + table["tenure"].astype("str").fillna("未知"),
        "人数 " + table["persons"].astype("Int64").astype("str").fillna("未知"),
        "标记 " + table["flags"],
    ]
    if "coverage" in table:
        parts.append("园园 " + table["coverage"].astype(str))
    if "complaints" in table:
        parts.append("诉求 " + table["complaints"].astype(str) + " 件")
    return ["<br>".join(items) for items in zip(*parts, strict=True)]


# ---------------------------------------------------------------------------------------------
# report-facing wrapper and planted-truth score
# ---------------------------------------------------------------------------------------------


def coverage_summary(households: pd.DataFrame, residents: pd.DataFrame, friends: pd.DataFrame) -> dict:
    """Headline figures: ``households``, ``households_covered``, ``household_coverage`` (0–1),
    ``residents``, ``residents_covered``, ``resident_coverage`` (0–1), ``uncovered_vulnerable`` (count)."""
    hh = household_coverage(households, friends).iloc[0]
    rs = resident_coverage(residents, friends).iloc[0]
    return {
        "households": int(hh["households"]),
        "households_covered": int(hh["covered"]),
        "household_coverage": float(hh["coverage"]),
        "residents": int(rs["residents"]),
        "residents_covered": int(rs["covered"]),
        "resident_coverage": float(rs["coverage"]),
        "uncovered_vulnerable": len(outreach_list(households, friends)),
    }
