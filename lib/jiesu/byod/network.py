"""``jiesu network`` on any person × group list: find the columns and tidy the rows."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from jiesu.analysis.network import membership_projection, network_figure, node_metrics
from jiesu.errors import DataError
from jiesu.ingest.readers import read_raw
from jiesu.storage import write_csv, write_text


def _find_column(frame: pd.DataFrame, wanted: str, file: str, role: str) -> str:
    def canon(name: object) -> str:
        return unicodedata.normalize("NFKC", str(name)).strip().lower()

    matches = [c for c in frame.columns if canon(c) == canon(wanted)]
    if len(matches) == 1:
        return matches[0]

    shown = "、".join(str(c) for c in frame.columns)
    if not matches:
        raise DataError(file, f"找不到列 column not found ({role}); the file has: {shown}", column=wanted)
    raise DataError(file, f"列名重复 several columns match ({role})", column=wanted)


def clean_memberships(
    frame: pd.DataFrame, person_col: str, group_col: str, *, file: str = "<memberships>", first_row: int = 2
) -> tuple[pd.DataFrame, dict]:
    """Tidy a user-supplied person × group list into ``person``, ``group`` (one row per membership).

    Cells are NFKC-normalized (full-width → half-width) and stripped. Rows blank in both columns are
    dropped; a row with only one of the two filled is an error (it cannot be placed), as is a file with
    no usable row. Exact duplicate memberships are dropped.

    Parameters
    ----------
    frame : cells as read (any dtype); columns are matched to ``person_col``/``group_col`` ignoring
        case, width and surrounding spaces.
    file : file name used in error messages; ``first_row`` is the 1-based file row of ``frame.iloc[0]``.

    Returns
    -------
    (DataFrame ``person``, ``group``; dict ``rows``, ``blank_rows``, ``duplicates``, ``persons``, ``groups``)

    Raises
    ------
    jiesu.errors.DataError naming the file, column and rows.
    """
    if person_col == group_col:
        raise DataError(file, "人员列与群组列相同 person and group columns must differ", column=person_col)
    p_col = _find_column(frame, person_col, file, "人员 person")
    g_col = _find_column(frame, group_col, file, "群组 group")

    def tidy(values: pd.Series) -> pd.Series:
        text = values.map(
            lambda v: (
                None
                if v is None or (isinstance(v, float) and np.isnan(v))
                else unicodedata.normalize("NFKC", str(v)).strip()
            )
        )
        return text.where(text.fillna("").str.len() > 0).astype("str")

    persons, groups = tidy(frame[p_col]), tidy(frame[g_col])
    blank = persons.isna() & groups.isna()
    for col, values, other in ((p_col, persons, groups), (g_col, groups, persons)):
        half = values.isna() & other.notna()
        if half.any():
            rows = [first_row + int(i) for i in np.flatnonzero(half.to_numpy())]
            raise DataError(
                file, f"{len(rows)} 行缺少取值 row(s) have a blank in this column", column=col, rows=rows
            )
    tidy_frame = pd.DataFrame({"person": persons[~blank], "group": groups[~blank]})
    if tidy_frame.empty:
        raise DataError(file, "没有可用的行 no row has both a person and a group", column=p_col)
    deduped = tidy_frame.drop_duplicates().reset_index(drop=True)
    report = {
        "rows": len(frame),
        "blank_rows": int(blank.sum()),
        "duplicates": len(tidy_frame) - len(deduped),
        "persons": int(deduped["person"].nunique()),
        "groups": int(deduped["group"].nunique()),
    }
    return deduped, report


METRIC_COLUMNS = ("person", "degree", "betweenness", "eigenvector", "community", "strength", "groups")
"""Columns of ``node_metrics.csv``."""


@dataclass(frozen=True)
class NetworkRun:
    """What ``jiesu network`` wrote: ``metrics`` (the table), the two output paths and a one-line summary."""

    metrics: pd.DataFrame
    metrics_path: Path
    html_path: Path
    summary: str


def run_on_table(
    memberships: Path,
    *,
    person_col: str,
    group_col: str,
    out_dir: Path,
    seed: int = 0,
    sources: int = 0,
    max_nodes: int = 300,
) -> NetworkRun:
    """``jiesu network``: read a person × group list, measure brokers and communities on the person
    projection, write ``node_metrics.csv`` and ``network.html`` to ``out_dir``."""
    if not memberships.exists():
        raise DataError(memberships, "文件不存在 file not found")
    with tqdm(total=4, desc="jiesu network", unit="step", file=sys.stderr, leave=False) as bar:
        raw = read_raw(memberships)
        members, counts = clean_memberships(
            raw.frame, person_col, group_col, file=memberships.name, first_row=raw.header_rows + 1
        )
        bar.update()
        graph = membership_projection(members["person"], members["group"])
        bar.update()
        k = sources if 0 < sources < graph.number_of_nodes() else None
        metrics = node_metrics(graph, seed=seed, k=k)
        metrics["groups"] = metrics["node"].map(lambda n: graph.nodes[n]["groups"])
        metrics = metrics.rename(columns={"node": "person"})[list(METRIC_COLUMNS)].round(
            {"betweenness": 6, "eigenvector": 6, "strength": 6}
        )
        bar.update()
        metrics_path = write_csv(out_dir / "node_metrics.csv", metrics)
        figure = network_figure(
            graph,
            metrics.rename(columns={"person": "node"}),
            max_nodes=max_nodes,
            seed=seed,
            title=f"人际网络 person network — {memberships.name}",
            node_label="person",
            label_top=20,
        )
        html_path = write_text(
            out_dir / "network.html",
            figure.to_html(include_plotlyjs=True, full_html=True, div_id="jiesu-network"),
        )
        bar.update()
    dropped = (
        f"; dropped {counts['blank_rows']} blank and {counts['duplicates']} duplicate rows"
        if counts["blank_rows"] or counts["duplicates"]
        else ""
    )
    summary = (
        f"network: {counts['persons']} persons, {counts['groups']} groups, {graph.number_of_edges()} ties, "
        f"{metrics['community'].nunique()} communities{dropped} → {metrics_path}, {html_path}"
    )
    return NetworkRun(metrics, metrics_path, html_path, summary)
