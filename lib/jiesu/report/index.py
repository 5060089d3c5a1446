"""``reports/index.html``: every published report with its key figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from jiesu.months import is_month
from jiesu.report import templates
from jiesu.report.folders import KEY_FIGURES_FILE, REPORT_HTML, _slug, read_stamp
from jiesu.report.page import format_change, format_percent
from jiesu.settings import paths
from jiesu.snapshot.world import SYNTHETIC_BANNER
from jiesu.storage import write_text

INDEX_COLUMNS = (
    ("requests", "诉求量（件）", "{:,.0f}"),
    ("rate_per_10k", "每万人诉求率", "{:.1f}"),
    ("mom_change", "环比", "change"),
    ("yoy_change", "同比", "change"),
    ("rank", "地区排名", "rank"),
    ("response_rate", "响应率", "percent"),
    ("resolution_rate", "解决率", "percent"),
    ("satisfaction_rate", "满意率", "percent"),
    ("household_coverage", "园园户覆盖率", "percent"),
    ("uncovered_vulnerable", "未覆盖困难户", "{:,.0f}"),
    ("interception_share", "未诉先办拦截占比", "percent"),
)


def _format_key(kind: str, value, figures: dict) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind == "change":
        return format_change(value)
    if kind == "rank":
        total = figures.get("n_communities")
        return f"{value}/{total}" if total else str(value)
    return kind.format(value)


def collect_reports(out_dir: str | os.PathLike) -> pd.DataFrame:
    """Every published report under ``out_dir``: ``community``, ``month``, ``href`` (relative to
    ``out_dir``), ``key_figures`` (dict), ``failed`` (a ``.failed.ipynb`` sits beside it), sorted."""
    root = Path(out_dir)
    rows = []
    for html_file in sorted(root.glob(f"*/*/{REPORT_HTML}")):
        folder = html_file.parent
        if not is_month(folder.name):
            continue
        try:
            figures = json.loads((folder / KEY_FIGURES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            figures = {}
        stamp = read_stamp(folder) or {}
        rows.append(
            {
                "community": stamp.get("community") or figures.get("community") or folder.parent.name,
                "month": folder.name,
                "href": html_file.relative_to(root).as_posix(),
                "key_figures": figures,
                "synthetic": bool(figures.get("synthetic")),
            }
        )
    failures = [
        (p.parent.name, p.name.removesuffix(".failed.ipynb"), p.relative_to(root).as_posix())
        for p in sorted(root.glob("*/*.failed.ipynb"))
    ]
    failed = {(community, month): href for community, month, href in failures}
    for row in rows:
        row["failed"] = failed.pop((_slug(row["community"]), row["month"]), "")
    for (community, month), href in failed.items():
        rows.append(
            {
                "community": community,
                "month": month,
                "href": "",
                "key_figures": {},
                "synthetic": False,
                "failed": href,
            }
        )
    frame = pd.DataFrame(rows, columns=["community", "month", "href", "key_figures", "synthetic", "failed"])
    return frame.sort_values(["community", "month"], ascending=[True, False]).reset_index(drop=True)


def collect_overviews(out_dir: str | os.PathLike) -> list[dict]:
    """Every published area overview under ``out_dir``: ``area``, ``month``, ``href``, newest first."""
    root = Path(out_dir)
    found = []
    for page in root.glob("*/*/index.html"):
        stamp = read_stamp(page.parent) or {}
        if is_month(page.parent.name) and stamp.get("area"):
            found.append(
                {"area": stamp["area"], "month": page.parent.name, "href": page.relative_to(root).as_posix()}
            )
    return sorted(found, key=lambda o: (o["area"], o["month"]), reverse=True)


def index_html(reports: pd.DataFrame, overviews: list[dict] = ()) -> str:
    """The page ``reports/index.html``: the area overviews, then one table per community, newest month
    first, with key figures."""
    communities = [
        {
            "name": str(community),
            "rows": [
                {
                    "month": row.month,
                    "href": row.href,
                    "synthetic": row.synthetic,
                    "failed": row.failed,
                    "cells": [
                        _format_key(kind, (row.key_figures or {}).get(key), row.key_figures or {})
                        for key, _, kind in INDEX_COLUMNS
                    ],
                }
                for row in part.itertuples(index=False)
            ],
        }
        for community, part in reports.groupby("community", sort=True)
    ]
    body = templates.render(
        "index",
        synthetic=bool(reports["synthetic"].any()) if len(reports) else False,
        banner=SYNTHETIC_BANNER.removeprefix("模拟数据："),
        count=int((reports["href"] != "").sum()) if len(reports) else 0,
        communities=communities,
        overviews=list(overviews),
        labels=[label for _, label, _ in INDEX_COLUMNS],
    )
    return templates.render(
        "page", title="接诉即办月报 目录", css=templates.css(), plotly_js="", body=templates.Markup(body)
    )


def write_index(out_dir: str | os.PathLike | None = None) -> Path:
    """(Re)write ``<out_dir>/index.html`` from what is published there; returns its path."""

    root = Path(out_dir) if out_dir else paths().reports
    return write_text(root / "index.html", index_html(collect_reports(root), collect_overviews(root)))
