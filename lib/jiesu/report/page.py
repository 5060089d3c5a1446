"""The report page, kernel side: what ``notebooks/00_monthly_report.ipynb`` calls to show sections,
cards, tables and figures, and (in report runs) to write each table and figure beside the report.

A page sees its world only as it stood at the end of the report month (:meth:`World.cut`), so nothing
on it can come from a later month.  Sections appear because the community has the data for them
(:meth:`ReportPage.section`), never because of its name.  All HTML comes from the Jinja2 templates
in ``report/templates``.
"""

from __future__ import annotations

import atexit
import difflib
import fnmatch
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.io as pio
from IPython.display import HTML, display

from jiesu.contract import RAW
from jiesu.months import check_month, month_label
from jiesu.privacy import suppress_small
from jiesu.report import templates
from jiesu.report.folders import KEY_FIGURES_FILE, ReportError, _slug
from jiesu.report.static import save_static, static_export_available
from jiesu.snapshot.world import SYNTHETIC_BANNER, World, open_world
from jiesu.storage import write_csv, write_json, write_xlsx

LANGUAGES = ("zh",)
NUMERALS = "一二三四五六七八九十"
DATA_NAMES: dict[str, str] = {
    "panel": "地区月度诉求面板",
    "cases": "12345 工单",
    "households": "住户登记（一张图）",
    "residents": "居民登记",
    "friends": "园园的微信好友",
    "groups": "分类微信群",
    "memberships": "群成员",
    "messages": "群聊天记录",
    "teams": "骨干队伍名单",
}
"""Processed table → the name officials know it by."""

SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "households": ("buildings", "parking_permits", "epidemic_registration", "visits"),
    "residents": ("buildings", "parking_permits", "epidemic_registration", "visits"),
    "messages": ("messages", "wechatmsg"),
}
"""Processed table → the raw tables (:data:`jiesu.contract.RAW` keys) ingest builds it from, where they
differ from the table's own name: the registry is linked from four sources, chats from two exports."""

FIGURE_CONFIG = {"displayModeBar": False, "responsive": True}
"""plotly config of report figures: no toolbar (it is noise on paper), resize with the page."""


def available_months(world: World, community: str | None = None) -> list[str]:
    """Months (``YYYY-MM``, ascending) with 12345 figures for ``community`` in the area panel.

    Raises :class:`MissingDataError` when the panel is missing and :class:`ReportError` naming the
    closest known names when the community is not in it.
    """
    community = community or world.community
    panel = world.table("panel")
    months = panel.loc[panel["community"] == community, "month"].astype(str)
    if months.empty:
        known = sorted(panel["community"].astype(str).unique())
        close = difflib.get_close_matches(community, known, n=3, cutoff=0.4)
        hint = f"did you mean {'、'.join(close)}?" if close else f"known: {'、'.join(known[:5])} …"
        raise ReportError(f"社区 community {community!r} 不在地区面板中 is not in the area panel; {hint}")
    return sorted(months.unique())


def latest_month(world: World, community: str | None = None) -> str:
    """The latest month with data for ``community`` (see :func:`available_months`)."""
    return available_months(world, community)[-1]


def format_percent(value, digits: int = 1) -> str:
    """``0.123 → "12.3%"``; missing → ``"—"``."""
    return "—" if value is None or pd.isna(value) else f"{100 * float(value):.{digits}f}%"


def format_change(value, digits: int = 1) -> str:
    """A relative change ``0.12 → "+12.0%"``, ``-0.05 → "−5.0%"``; missing → ``"—"``."""
    if value is None or pd.isna(value):
        return "—"
    return f"{'+' if value >= 0 else '−'}{abs(100 * float(value)):.{digits}f}%"


def format_rate_change(change: dict) -> str:
    """A rate change with its exact test (:func:`jiesu.analysis.ranking.rate_change`):
    ``"+180.0%（显著）"``, ``"+12.0%（变化不显著）"`` or ``"—"``."""
    if change.get("change") is None:
        return "—"
    mark = "显著" if change.get("significant") else "变化不显著"
    return f"{format_change(change['change'])}（{mark}）"


@dataclass
class ReportPage:
    """Presentation helpers for one report run. Build with :func:`open_report`.

    ``world`` is cut at the end of ``month``; ``out_dir`` is ``None`` outside report runs (interactive
    and nbval runs write nothing and show figures as plotly does).
    """

    world: World
    month: str
    out_dir: Path | None
    lang: str = "zh"
    tables: list[str] = field(default_factory=list)
    key_figures: dict = field(default_factory=dict)
    static_message: str = ""
    sections: int = 0

    @property
    def community(self) -> str:
        return self.world.community

    @property
    def synthetic(self) -> bool:
        return self.world.synthetic

    # -- what the data hold ---------------------------------------------------------------------
    def missing(self, needs) -> list[str]:
        """The tables of ``needs`` this community has no rows of (by the report month)."""
        return [name for name in needs if not self.world.has(name)]

    def section(self, title: str, *, needs=(), question: str = "") -> bool:
        """Show the next section heading (numbered 一、二、…) when the community has every table of
        ``needs``; otherwise show one line naming the missing data, and no heading.  Returns whether
        the section is shown."""
        absent = self.missing(needs)
        missing = ""
        if absent:
            missing = f"“{title}”从略：本社区截至{month_label(self.month)}没有{'、'.join(DATA_NAMES.get(n, n) for n in absent)}数据。"
        else:
            self.sections += 1
        numeral = NUMERALS[self.sections - 1] if 0 < self.sections <= len(NUMERALS) else str(self.sections)
        display(
            HTML(
                templates.render(
                    "section",
                    missing=missing,
                    number=self.sections,
                    numeral=numeral,
                    title=title,
                    question=question,
                )
            )
        )
        return not absent

    # -- display --------------------------------------------------------------------------------
    def header(self):
        """The title block: 模拟数据 banner (synthetic data only), community, month."""
        return HTML(
            templates.render(
                "header",
                synthetic=self.synthetic,
                banner=SYNTHETIC_BANNER.removeprefix("模拟数据："),
                community=self.community,
                month_label=month_label(self.month),
            )
        )

    def cards(self, items: list[tuple[str, str, str]]):
        """Key-figure cards: ``(label, value, note)`` triples, shown in a grid."""
        cards = [{"label": label, "value": value, "note": note} for label, value, note in items]
        return HTML(templates.render("cards", cards=cards))

    def note(self, text: str):
        """One sentence reading the result (computed from the numbers it states), as a paragraph."""
        return HTML(f'<p class="reading">{templates.Markup.escape(text)}</p>')

    def table(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        title: str = "",
        columns: dict[str, str] | None = None,
        suppress: list[str] = (),
        percent: list[str] = (),
        decimals: int = 1,
        max_rows: int = 30,
        full: pd.DataFrame | None = None,
    ):
        """Show ``frame`` as an HTML table; in report runs also write ``tables/<name>.csv`` and ``.xlsx``
        and link them.

        ``columns`` renames (and selects, in order) columns for display; ``suppress`` names
        resident-level count columns (values under 5 shown as ``<5``), ``percent`` shares 0–1 (shown
        ×100); every float column is rounded to ``decimals``.  The download files hold exactly what the
        page shows, or ``full`` (the whole table, same columns) when the page shows a condensed view.
        """
        shown = self._display_frame(frame, columns, suppress, percent, decimals)
        slug = _slug(name)
        if self.out_dir is not None:
            download = (
                shown if full is None else self._display_frame(full, columns, suppress, percent, decimals)
            )
            write_csv(self.out_dir / "tables" / f"{slug}.csv", download)
            write_xlsx(self.out_dir / "tables" / f"{slug}.xlsx", {slug[:31]: download})
            self.tables.append(slug)
        total = len(shown) if full is None else len(full)
        body = shown.head(max_rows).to_html(
            index=False,
            na_rep="—",
            border=0,
            classes="report-table",
            escape=True,
            float_format=lambda v: f"{v:,.{decimals}f}",
        )
        return HTML(
            templates.render(
                "table",
                title=title,
                body=templates.Markup(body),
                more=total > min(len(shown), max_rows),
                shown=min(len(shown), max_rows),
                total=total,
                downloads=self.out_dir is not None,
                slug=slug,
            )
        )

    @staticmethod
    def _display_frame(frame, columns, suppress, percent, decimals) -> pd.DataFrame:
        shown = frame if columns is None else frame[list(columns)].rename(columns=columns)
        shown = shown.copy()
        for col in percent:
            shown[col] = pd.to_numeric(shown[col], errors="coerce") * 100
        floats = [c for c in shown.columns if pd.api.types.is_float_dtype(shown[c])]
        shown[floats] = shown[floats].round(decimals)
        return suppress_small(shown, list(suppress)) if suppress else shown

    def figure(self, fig, name: str, *, width: int | None = None, height: int | None = None):
        """Show ``fig``.  In report runs the figure becomes a plain div (plotly.js is embedded once in
        the page), is saved as ``figures/<name>.png``/``.svg`` (size: the arguments, else the figure's
        own layout size, else 1000 × 560 px) and linked under the chart; outside report runs the
        figure itself is returned for display."""
        if self.out_dir is None:
            return fig
        width = width or fig.layout.width or 1000
        height = height or fig.layout.height or 560
        written = []
        if not self.static_message:
            ok, why = static_export_available()
            if ok:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    written = save_static(
                        fig, _slug(name), out_dir=self.out_dir / "figures", width=width, height=height
                    )
            else:
                self.static_message = f"静态图未导出 static figures skipped: {why}"
        div = pio.to_html(
            fig,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            config=FIGURE_CONFIG,
            default_width="100%",
            default_height=f"{height}px",
            div_id=f"figure-{_slug(name)}",
        )
        return HTML(templates.render("figure", div=templates.Markup(div), files=written))

    def record(self, **figures) -> None:
        """Record headline numbers (plain JSON values) for ``reports/index.html`` and the area overview."""
        self.key_figures.update(figures)
        if self.out_dir is not None:
            write_json(
                self.out_dir / KEY_FIGURES_FILE,
                {
                    "community": self.community,
                    "month": self.month,
                    "synthetic": self.synthetic,
                    **self.key_figures,
                },
            )

    def sources(self) -> pd.DataFrame:
        """The data behind this report: each of the community's tables with the raw files it was
        ingested from and its rows up to the report month (``数据``, ``来源文件``, ``行数（截至本月）``).
        Computed from the community's own manifest and its data as cut, so it never names another
        community's files or counts a later row."""
        files = sorted(self.world.manifest.get("inputs", {}))
        rows = [
            {
                "数据": label,
                "来源文件": "、".join(_source_files(name, files)) or "—",
                "行数（截至本月）": len(self.world.table(name)),
            }
            for name, label in DATA_NAMES.items()
            if self.world.has(name)
        ]
        return pd.DataFrame(rows, columns=["数据", "来源文件", "行数（截至本月）"])

    def footer(self):
        """Closing line: static-figure status (report runs) and the 模拟数据 reminder."""
        lines = [self.static_message] if self.static_message else []
        if self.synthetic:
            lines.append("本报告所有数字均来自模拟数据。")
        return HTML(templates.render("footer", lines=lines))


def _source_files(table: str, files: list[str]) -> list[str]:
    """The raw files (names as ingested) that feed processed ``table``, per :data:`SOURCE_TABLES`."""
    patterns = [RAW[key].file for key in SOURCE_TABLES.get(table, (table,)) if key in RAW]
    return [name for name in files if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)]


def _start_static_export() -> None:
    """Keep one Chromium running for the kernel's static exports (about 0.15 s per figure instead of
    about 2 s each); it is stopped when the kernel exits."""
    if not static_export_available()[0]:
        return
    try:
        import kaleido  # optional: static export only

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    except Exception:  # an older kaleido without the server: save_static still works, just slower
        return


def resolve_request(data_dir, community: str, month: str, lang: str) -> tuple[World, str]:
    """Check a report request: ``(world, month)`` with ``month="latest"`` resolved.

    Raises :class:`ReportError` for an unsupported language, an unknown community (with the closest
    names) or a month without data."""
    if lang not in LANGUAGES:
        raise ReportError(f"语言 lang {lang!r} 不支持 is not supported (only {', '.join(LANGUAGES)})")
    world = open_world(data_dir or None, community or None)
    months = available_months(world)
    month = months[-1] if month in ("", "latest") else check_month(month)
    if month not in months:
        raise ReportError(
            f"{world.community} 在 {month} 没有数据 has no data for {month} (available {months[0]} … {months[-1]})"
        )
    return world, month


def open_report(
    community: str = "", month: str = "", data_dir: str = "", out_dir: str = "", lang: str = "zh"
) -> ReportPage:
    """Start a report page from the notebook's parameters.

    ``community`` empty → the data directory's own community; ``month`` empty or ``"latest"`` → the
    latest month with data; ``data_dir`` empty → settings default (``JIESU_DATA_DIR``); ``out_dir``
    non-empty marks a report run: tables and figures are written there.  ``lang`` must be ``"zh"``.
    The page's world is cut at the end of ``month``.
    """
    world, month = resolve_request(data_dir, community, month, lang)
    target = None
    if out_dir:
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        _start_static_export()
    return ReportPage(world=world.cut(month), month=month, out_dir=target, lang=lang)
