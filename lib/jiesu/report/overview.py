"""The area overview: ``reports/<area>/<YYYY-MM>/index.html`` for the 地区 or 街道 official.

Every community's rate with its interval, rank with its interval and change, 三率, who moved into or
out of the top and bottom 5 and which changes are significant, small multiples of the 24-month
trajectories, a link to each community's own report, and the table as CSV and Excel.  It is built
from the same library functions as the community reports (:func:`jiesu.snapshot.sections.area_overview`),
reads only data up to its month, and is published atomically like them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from jiesu import __version__
from jiesu.months import month_label
from jiesu.report import templates
from jiesu.report.folders import REPORT_HTML, STAMP_FILE, _slug, is_current, report_dir
from jiesu.report.page import FIGURE_CONFIG, format_change
from jiesu.report.publish import _readable, publish, staging_dir
from jiesu.report.render import data_fingerprint, template_files
from jiesu.snapshot.sections import area_overview
from jiesu.snapshot.world import SYNTHETIC_BANNER, World
from jiesu.storage import content_key, file_sha256, write_csv, write_json, write_xlsx

OVERVIEW_HTML = "index.html"
DISPLAY = {
    "rank": "排名",
    "community": "社区",
    "requests": "诉求量",
    "rate": "每万人诉求率",
    "rate_lo": "95%下限",
    "rate_hi": "95%上限",
    "rank_lo": "名次区间下限",
    "rank_hi": "名次区间上限",
    "previous_rank": "上月排名",
    "change": "环比",
    "response_rate": "响应率（%）",
    "resolution_rate": "解决率（%）",
    "satisfaction_rate": "满意率（%）",
    "composite": "综合得分",
}


def overview_dir(out_dir: str | Path, area: str, month: str) -> Path:
    """``<out_dir>/<area>/<YYYY-MM>``."""
    return Path(out_dir) / _slug(area) / month


def _display_table(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[list(DISPLAY)].copy()
    shown["change"] = [
        "—" if pd.isna(c) else f"{format_change(c)}{'（显著）' if s else ''}"
        for c, s in zip(table["change"], table["change_significant"], strict=True)
    ]
    for col in ("response_rate", "resolution_rate", "satisfaction_rate"):
        shown[col] = (shown[col] * 100).round(1)
    for col in ("rate", "rate_lo", "rate_hi", "composite"):
        shown[col] = shown[col].round(1)
    return shown.rename(columns=DISPLAY)


def overview_stamp(world: World, month: str, area: str, out_dir: str | Path) -> dict:
    """What an overview is made from: the data, the templates, the version, and which community
    reports it links to (a newly published report adds a link)."""
    linked = sorted(p.parent.parent.name for p in Path(out_dir).glob(f"*/{month}/{REPORT_HTML}"))
    return {
        "area": area,
        "month": month,
        "data": data_fingerprint(world),
        "templates": content_key(*(file_sha256(path) for path in template_files())),
        "links": linked,
        "jiesu": __version__,
    }


def write_overview(world: World, month: str, out_dir: str | Path, *, area: str, force: bool = False) -> Path:
    """Render and publish the overview of ``area`` for ``month`` under ``out_dir`` unless the one there
    is current (:func:`overview_stamp`); returns its path.  Community names link to their reports where
    those are published under ``out_dir``."""
    target = overview_dir(out_dir, area, month)
    stamp = overview_stamp(world, month, area, out_dir)
    if not force and is_current(target, stamp, page=OVERVIEW_HTML):
        return target / OVERVIEW_HTML
    overview = area_overview(world, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(target.parent, month)
    try:
        shown = _display_table(overview["table"])
        write_csv(staging / "tables" / "overview.csv", shown)
        write_xlsx(staging / "tables" / "overview.xlsx", {"overview": shown})
        linked = shown.assign(社区=[_link(name, out_dir, month) for name in overview["table"]["community"]])
        table_html = linked.to_html(index=False, escape=False, border=0, classes="report-table", na_rep="—")
        figure = pio.to_html(
            overview["figure"],
            include_plotlyjs=False,
            full_html=False,
            config=FIGURE_CONFIG,
            default_width="100%",
            div_id="figure-trajectories",
        )
        significant = overview["table"].loc[overview["table"]["change_significant"], "community"].tolist()
        body = templates.render(
            "overview",
            synthetic=world.synthetic,
            banner=SYNTHETIC_BANNER.removeprefix("模拟数据："),
            area=area,
            month_label=month_label(month),
            n=overview["n_communities"],
            movers=overview["movers"],
            significant=significant,
            table=templates.Markup(table_html),
            figure=templates.Markup(figure),
        )
        page = templates.render(
            "page",
            title=f"{area} 接诉即办地区概览 {month_label(month)}{world.tag}",
            css=templates.css(),
            plotly_js=templates.Markup(get_plotlyjs()),
            body=templates.Markup(body),
        )
        (staging / OVERVIEW_HTML).write_text(page, encoding="utf-8")
        write_json(staging / STAMP_FILE, stamp)
        _readable(staging)
        publish(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / OVERVIEW_HTML


def _link(community: str, out_dir, month: str) -> str:
    """The community's name, linked to its report of ``month`` when one is published (relative link)."""
    name = templates.Markup.escape(community)
    report = report_dir(out_dir, community, month) / REPORT_HTML
    if not report.is_file():
        return str(name)
    href = Path("..", "..", _slug(community), month, REPORT_HTML).as_posix()
    return f'<a href="{templates.Markup.escape(href)}">{name}</a>'
