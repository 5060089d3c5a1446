"""``jiesu topics … --time-col T`` on any CSV/XLSX: hot issues and prospective weekly bursts of one
text column (:mod:`jiesu.analysis.early_warning`), written as ``hot_issues.csv`` and ``bursts.csv``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jiesu import pii
from jiesu.analysis.early_warning import HotParams, hot_issues, prepare, weekly_bursts
from jiesu.analysis.early_warning.anchors import Detector
from jiesu.analysis.early_warning.predictive import week_origin
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_dates
from jiesu.ingest.readers import read_raw
from jiesu.storage import write_csv

BURN_IN_WEEKS = 12
"""Weeks of history before the first decision written to ``bursts.csv`` (the trailing baseline)."""
BURST_FILE_COLUMNS = [
    "burst",
    "decided",
    "onset",
    "title",
    "place",
    "label",
    "terms",
    "count",
    "expected",
    "p_value",
    "weeks_alarmed",
    "examples",
    "owner_team",
    "rows",
]
HOT_FILE_COLUMNS = [
    "issue",
    "title",
    "place",
    "label",
    "onset",
    "this_week",
    "window_count",
    "weekly",
    "trend",
    "heat",
    "bursting",
    "examples",
    "owner_team",
    "rows",
]
EXAMPLE_ROWS = 5


def parsed_times(raw, time_col: str) -> pd.Series:
    """The time column parsed (:func:`jiesu.ingest.normalize.parse_dates`); empty cells are NaT.

    Raises
    ------
    DataError
        naming the column, the first rows and an example value, when the column is empty or any
        non-empty value does not parse as a date and time.
    """
    cells = raw.frame[time_col]
    present = cells.map(lambda v: v is not None and str(v).strip() != "").to_numpy()
    if not present.any():
        raise DataError(
            raw.name,
            "时间列全为空 the time column is empty in every row: fill it in, or leave out --time-col",
            column=time_col,
            rows=[raw.header_line],
        )
    times = parse_dates(cells)
    bad = [i for i in range(len(cells)) if present[i] and pd.isna(times.iloc[i])]
    if bad:
        example = str(cells.iloc[bad[0]])[:40]
        raise DataError(
            raw.name,
            f"{len(bad)} 个时间无法解析 {len(bad)} time values do not parse (e.g. '{example}'; expected "
            "2020-09-27 13:14, 2020/9/27 or 2020年9月27日)",
            column=time_col,
            rows=[raw.file_row(i) for i in bad[:EXAMPLE_ROWS]],
        )
    return times


def messages_of(texts: pd.Series, times: pd.Series, rows: list[int]) -> pd.DataFrame:
    """Method input of an export: one message per row with text and time, ``msg_id`` = its file row;
    without a sender column every row is its own sender."""
    frame = pd.DataFrame(
        {"msg_id": [str(r) for r in rows], "sent_at": times.to_numpy(), "text": texts.to_numpy()}
    )
    frame["sender_id"] = frame["msg_id"]
    keep = frame["sent_at"].notna() & (frame["text"].astype(str).str.strip() != "")
    return frame.loc[keep].reset_index(drop=True)


def _for_file(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.assign(
        rows=frame["msg_ids"],
        examples=[pii.mask(e) for e in frame["examples"].astype(str)],
    )
    return out[columns]


def hot_issue_tables(messages: pd.DataFrame, params: HotParams = HotParams()) -> dict:
    """``bursts`` (every weekly decision after :data:`BURN_IN_WEEKS` weeks) and ``hot_issues`` (as of
    the end of the last full week) of an export's messages (:func:`messages_of`)."""
    det = Detector(prepare(messages, params=params), params)
    if not len(det.docs):
        empty = pd.DataFrame(columns=["msg_ids", "examples"])
        return {"bursts": empty, "hot_issues": empty, "as_of": None}
    origin = week_origin(det.docs["day"])
    last = det.docs["day"].max()
    as_of = last - pd.Timedelta(days=(last.day_of_week + 1) % 7)  # the last Sunday on or before it
    bursts = weekly_bursts(det, start=origin + pd.Timedelta(weeks=BURN_IN_WEEKS), end=as_of)
    return {"bursts": bursts, "hot_issues": hot_issues(det, as_of, bursts=bursts), "as_of": as_of}


def run_hot_issues(path: Path, *, text_col: str, time_col: str, out_dir: Path) -> dict:
    """Read a CSV/XLSX export, check its time column, write ``hot_issues.csv`` and ``bursts.csv`` to
    ``out_dir``; returns ``{"bursts": n, "hot_issues": n, "as_of": Timestamp or None}``."""
    raw = read_raw(path, headers=[text_col, time_col])
    for col in (text_col, time_col):
        if col not in raw.frame.columns:
            raise DataError(
                raw.name,
                f"没有这一列 no such column; columns are: {', '.join(map(str, raw.frame.columns))}",
                column=col,
            )
    times = parsed_times(raw, time_col)
    texts = raw.frame[text_col].map(lambda v: "" if v is None else str(v))
    rows = [raw.file_row(i) for i in range(len(raw.frame))]
    tables = hot_issue_tables(messages_of(texts, times, rows))
    bursts = tables["bursts"]
    hot = tables["hot_issues"]
    write_csv(
        out_dir / "bursts.csv",
        _for_file(bursts, BURST_FILE_COLUMNS) if len(bursts) else pd.DataFrame(columns=BURST_FILE_COLUMNS),
    )
    write_csv(
        out_dir / "hot_issues.csv",
        _for_file(hot, HOT_FILE_COLUMNS) if len(hot) else pd.DataFrame(columns=HOT_FILE_COLUMNS),
    )
    return {"bursts": len(bursts), "hot_issues": len(hot), "as_of": tables["as_of"]}
