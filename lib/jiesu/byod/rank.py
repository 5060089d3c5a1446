"""``jiesu rank`` on any monthly count table: parse months and counts, rank, export."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from jiesu.analysis.ranking import bump_figure, rank_intervals, rank_table
from jiesu.chinese import to_halfwidth_series
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_dates
from jiesu.ingest.readers import read_raw
from jiesu.storage import write_csv, write_text

_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")


_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def parse_months(values: pd.Series) -> pd.Series:
    """Messy month cells → ``YYYY-MM`` strings (unparseable → missing).

    Accepts ``2020-09``, ``2020/9``, ``2020.9``, ``2020年9月``, ``2020年09月份``, ``202009``, full dates
    (``2020-09-01``, ``2020年9月1日``), Excel dates and Excel serial day numbers, with full-width
    digits.  Returns a string Series aligned with ``values``.
    """

    out = pd.Series(pd.NA, index=values.index, dtype="string")
    as_object = values.astype(object)
    is_text = as_object.map(lambda v: isinstance(v, str))
    text = to_halfwidth_series(as_object[is_text].astype("string")).str.strip()
    for pattern in (_MONTH_TEXT, _MONTH_COMPACT):
        parts = text.str.extract(pattern)
        ok = parts[0].notna() & parts[1].notna()
        ok &= pd.to_numeric(parts[1], errors="coerce").between(1, 12).fillna(False).astype(bool)
        hit = ok & out.loc[text.index].isna()
        out.loc[hit[hit].index] = parts.loc[hit, 0] + "-" + parts.loc[hit, 1].str.zfill(2)
    rest = values.index[out.isna() & as_object.notna()]
    if len(rest):
        dates = parse_dates(as_object.loc[rest])
        good = dates.notna()
        out.loc[dates.index[good]] = dates[good].dt.strftime("%Y-%m")
    return out


def _numbers(values: pd.Series) -> pd.Series:
    """Cells → floats, accepting ``5,730``, ``5730人``, full-width digits (unparseable → NaN)."""

    as_object = values.astype(object)
    is_text = as_object.map(lambda v: isinstance(v, str))
    out = pd.to_numeric(as_object.where(~is_text), errors="coerce").astype(float)
    if is_text.any():
        text = to_halfwidth_series(as_object[is_text].astype("string")).str.replace(
            r"[,\s]|[人户件]$", "", regex=True
        )
        out.loc[text.index] = pd.to_numeric(text, errors="coerce").astype(float)
    return out


def clean_counts(
    frame: pd.DataFrame,
    *,
    unit: str,
    month: str,
    count: str,
    population: str,
    source: str = "input",
    first_row: int = 2,
) -> pd.DataFrame:
    """Check and normalise a user's unit × month panel.

    Parameters
    ----------
    frame : the table as read (one row per unit and month, or several rows per unit and month — e.g.
        one per category — which are summed; their populations must agree).
    unit, month, count, population : column names in ``frame`` (surrounding spaces ignored).
    source : file name for error messages; ``first_row``: file row of ``frame``'s first row.

    Returns
    -------
    ``unit`` (str), ``month`` (``YYYY-MM``), ``count`` (int ≥ 0), ``population`` (> 0), one row per unit
    and month.  Raises :class:`jiesu.errors.DataError` naming the file, the column and the first bad
    rows for a missing column, unparseable month, negative/non-integer/missing count, or a missing,
    zero or negative population.
    """

    wanted = {"unit": unit, "month": month, "count": count, "population": population}
    clean = _checked_values(frame, _resolve_columns(frame, wanted, source), wanted, source, first_row)
    spread = clean.groupby(["unit", "month"])["population"].transform(lambda s: s.max() - s.min())
    if (spread > 0).any():
        raise DataError(
            source,
            "同一单位同一月份的人口不一致 rows of the same unit and month disagree on population",
            column=population,
            rows=_first_rows(spread > 0, first_row),
        )
    return clean.groupby(["unit", "month"], as_index=False, sort=True).agg(
        count=("count", "sum"), population=("population", "first")
    )


def _first_rows(mask: pd.Series, first_row: int) -> list[int]:
    """File rows of the first five ``True`` entries of ``mask`` (for error messages)."""
    return [first_row + i for i in np.flatnonzero(mask.to_numpy())[:5]]


def _resolve_columns(frame: pd.DataFrame, wanted: dict[str, str], source: str) -> dict[str, object]:
    """The frame's column behind each wanted name (surrounding spaces ignored), or a DataError."""
    names = {str(c).strip(): c for c in frame.columns}
    for name in wanted.values():
        if name.strip() not in names:
            raise DataError(
                source, f"找不到列 column not found; columns are: {', '.join(map(str, names))}", column=name
            )
    return {key: names[name.strip()] for key, name in wanted.items()}


def _checked_values(
    frame: pd.DataFrame, col: dict[str, object], wanted: dict[str, str], source: str, first_row: int
) -> pd.DataFrame:
    """unit, month, count and population of every row, parsed, or a DataError naming the first bad rows."""

    def rows(mask: pd.Series) -> list[int]:
        return _first_rows(mask, first_row)

    units = frame[col["unit"]].astype(object)
    missing_unit = units.isna() | units.map(lambda v: isinstance(v, str) and not v.strip())
    if missing_unit.any():
        raise DataError(
            source, "单位名称为空 empty unit name", column=wanted["unit"], rows=rows(missing_unit)
        )
    months = parse_months(frame[col["month"]])
    if months.isna().any():
        raise DataError(
            source,
            "无法识别的月份 unreadable month (use e.g. 2020-09 or 2020年9月)",
            column=wanted["month"],
            rows=rows(months.isna()),
        )
    counts = _numbers(frame[col["count"]])
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        raise DataError(
            source,
            "诉求量须为非负整数 count must be a whole number ≥ 0",
            column=wanted["count"],
            rows=rows(bad),
        )
    pops = _numbers(frame[col["population"]])
    bad = pops.isna() | (pops <= 0)
    if bad.any():
        raise DataError(
            source,
            "人口须为正数（0或空值无法计算比率）population must be > 0 (zero or blank gives no rate)",
            column=wanted["population"],
            rows=rows(bad),
        )
    return pd.DataFrame(
        {
            "unit": units.map(lambda v: str(v).strip()).astype(str),
            "month": months.astype(str),
            "count": counts.astype("int64"),
            "population": pops,
        }
    )


def ranks_export(table: pd.DataFrame) -> pd.DataFrame:
    """The ``ranks.csv`` layout of ``jiesu rank``: unit, month, count, population, rate, rate_lo,
    rate_hi, rank, rank_lo, rank_hi, n_units, percentile, in_top5, in_bottom5, p_top5, p_bottom5
    (rates rounded to 0.01, percentiles to 0.1, probabilities to 0.001)."""
    out = table.rename(columns={"exposure": "population"})
    out = out[
        [
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
            "n_units",
            "percentile",
            "in_top5",
            "in_bottom5",
            "p_top5",
            "p_bottom5",
        ]
    ].copy()
    out[["rate", "rate_lo", "rate_hi"]] = out[["rate", "rate_lo", "rate_hi"]].round(2)
    out["percentile"] = out["percentile"].round(1)
    if (out["population"] == out["population"].round()).all():
        out["population"] = out["population"].astype("int64")
    out[["p_top5", "p_bottom5"]] = out[["p_top5", "p_bottom5"]].round(3)
    return out.sort_values(["month", "rank", "unit"]).reset_index(drop=True)


def run_on_table(
    counts_file: Path,
    *,
    unit_col: str,
    month_col: str,
    count_col: str,
    pop_col: str,
    focus: str | None = None,
    per: float = 10000.0,
    window: int = 1,
    n_sim: int = 1000,
    seed: int = 0,
    out_dir: Path,
) -> str:
    """``jiesu rank``: read a monthly count table, rank every unit each month with rate CIs and rank
    intervals, write ``ranks.csv`` and ``bump_chart.html`` to ``out_dir``; returns the summary line."""
    path = counts_file
    if not path.is_file():
        raise DataError(path, "文件不存在 file not found")
    raw = read_raw(path)
    counts = clean_counts(
        raw.frame,
        unit=unit_col,
        month=month_col,
        count=count_col,
        population=pop_col,
        source=path.name,
        first_row=raw.file_row(0),
    )
    if focus is not None and focus not in set(counts["unit"]):
        raise DataError(path.name, f"找不到重点单位 focus unit {focus!r} not found", column=unit_col)
    table = rank_table(
        counts, unit="unit", period="month", count="count", exposure="population", per=per, window=window
    )
    if table.empty:
        raise DataError(path.name, f"没有可排名的月份 no month has {window} consecutive months of data")
    months = sorted(table["month"].unique())
    parts = []
    with tqdm(
        total=len(months), desc="jiesu rank: 排名区间 rank intervals", file=sys.stderr, leave=False
    ) as bar:
        for i, month in enumerate(months):
            parts.append(
                rank_intervals(
                    table.loc[table["month"] == month],
                    unit="unit",
                    period="month",
                    n_sim=n_sim,
                    seed=seed + i,
                )
            )
            bar.update()

    table = pd.concat(parts)
    out = Path(out_dir)
    write_csv(out / "ranks.csv", ranks_export(table))
    fig = bump_figure(
        table,
        focus,
        unit="unit",
        period="month",
        title=f"投诉率排名 Rank by rate per {per:g} (1 = 最高 highest)",
    )
    write_text(out / "bump_chart.html", fig.to_html(include_plotlyjs=True, full_html=True))
    summary = (
        f"rank: {table['unit'].nunique()} units × {len(months)} months → {out / 'ranks.csv'}, bump_chart.html"
    )
    if focus is not None:
        last = table.loc[(table["unit"] == focus)].sort_values("month").iloc[-1]
        summary += (
            f"; {focus} {last['month']}: rank {int(last['rank'])}/{int(last['n_units'])} "
            f"[{int(last['rank_lo'])}, {int(last['rank_hi'])}]"
        )
    return summary
