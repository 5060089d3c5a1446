"""The report page, kernel side: what ``notebooks/00_monthly_report.ipynb`` calls to show cards, tables
and figures, and (in report runs) to write each table and figure beside the report.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jiesu.months import check_month, shift_month
from jiesu.privacy import suppress_small
from jiesu.report.folders import KEY_FIGURES_FILE, ReportError, _slug
from jiesu.report.static import save_static, static_export_available, use_report_renderer
from jiesu.settings import FOCUS_COMMUNITY
from jiesu.snapshot.world import SYNTHETIC_BANNER, World, open_world
from jiesu.storage import write_csv, write_json, write_xlsx

LANGUAGES = ("zh",)


def available_months(world: World, community: str | None = None) -> list[str]:
    """Months (``YYYY-MM``, ascending) with 12345 figures for ``community`` in the processed area panel.

    Raises :class:`MissingDataError` when the panel is missing and :class:`ReportError` when the
    community does not appear in it.
    """

    community = community or world.community
    panel = world.table("panel")
    months = panel.loc[panel["community"] == community, "month"].astype(str)
    if months.empty:
        known = "、".join(sorted(panel["community"].astype(str).unique())[:5])
        raise ReportError(
            f"社区 community {community!r} 不在地区面板中 is not in the area panel (e.g. {known})"
        )
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


@dataclass
class ReportPage:
    """Presentation helpers for one report run. Build with :func:`open_report`.

    Attributes: ``community``, ``month`` (``YYYY-MM``), ``previous_month``, ``next_month``,
    ``world`` (:class:`~jiesu.snapshot.world.World`), ``out_dir`` (``None`` outside report runs), ``lang``,
    ``tables`` (names written so far), ``key_figures`` (recorded so far).
    """

    world: World
    month: str
    out_dir: Path | None
    lang: str = "zh"
    tables: list[str] = field(default_factory=list)
    key_figures: dict = field(default_factory=dict)
    static_message: str = ""

    @property
    def community(self) -> str:
        return self.world.community

    @property
    def synthetic(self) -> bool:
        return self.world.synthetic

    @property
    def next_month(self) -> str:
        return shift_month(self.month, 1)

    @property
    def is_focus(self) -> bool:
        """Whether registry and chat data (which cover only the focus community) apply."""
        return self.community == FOCUS_COMMUNITY

    # -- display -------------------------------------------------------------------------------
    def header(self):
        """The title block: 模拟数据 banner (synthetic data only), community, month."""
        from IPython.display import HTML

        banner = (
            (
                f'<div class="synthetic-banner" role="alert"><strong>模拟数据</strong> '
                f"{html.escape(SYNTHETIC_BANNER.removeprefix('模拟数据：'))}</div>"
            )
            if self.synthetic
            else ""
        )
        year, mon = self.month.split("-")
        guide = (
            "阅读说明：先看“本月关键数字”，需要细节再往下读；每张表都可下载为 CSV 和 Excel；"
            "数据来源与计算方法见文末。"
        )
        return HTML(
            f'{banner}<header class="report-header"><h1>{html.escape(self.community)} '
            f'接诉即办月报</h1><p class="report-month">{int(year)}年{int(mon)}月</p>'
            f'<p class="guide">{html.escape(guide)}</p></header>'
        )

    def cards(self, items: list[tuple[str, str, str]]):
        """Key-figure cards: ``(label, value, note)`` triples, shown in a grid."""
        from IPython.display import HTML

        cells = "".join(
            f'<div class="card"><div class="card-label">{html.escape(label)}</div>'
            f'<div class="card-value">{html.escape(value)}</div>'
            f'<div class="card-note">{html.escape(note)}</div></div>'
            for label, value, note in items
        )
        return HTML(f'<div class="cards">{cells}</div>')

    def note(self, text: str):
        """One sentence reading the result, shown as a paragraph."""
        from IPython.display import HTML

        return HTML(f'<p class="reading">{html.escape(text)}</p>')

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
    ):
        """Show ``frame`` as an HTML table; in report runs also write ``tables/<name>.csv`` and ``.xlsx``
        and link them.  The files hold exactly what the page shows.

        ``columns`` renames (and selects, in order) columns for display; the other arguments name
        display columns: ``suppress`` resident-level counts (values under 5 shown as ``<5``),
        ``percent`` shares 0–1 (shown ×100); every float column is rounded to ``decimals``.
        """
        from IPython.display import HTML

        shown = frame if columns is None else frame[list(columns)].rename(columns=columns)
        shown = shown.copy()
        for col in percent:
            shown[col] = pd.to_numeric(shown[col], errors="coerce") * 100
        floats = [c for c in shown.columns if pd.api.types.is_float_dtype(shown[c])]
        shown[floats] = shown[floats].round(decimals)
        shown = suppress_small(shown, list(suppress)) if suppress else shown
        slug = _slug(name)
        links = ""
        if self.out_dir is not None:
            write_csv(self.out_dir / "tables" / f"{slug}.csv", shown)
            write_xlsx(self.out_dir / "tables" / f"{slug}.xlsx", {slug[:31]: shown})
            self.tables.append(slug)
            links = (
                f'<p class="downloads">下载表格：<a href="tables/{slug}.csv">CSV</a> · '
                f'<a href="tables/{slug}.xlsx">Excel</a></p>'
            )
        more = (
            f'<p class="table-more">仅显示前 {max_rows} 行，共 {len(shown)} 行；完整表格见下载文件。</p>'
            if len(shown) > max_rows
            else ""
        )
        body = shown.head(max_rows).to_html(
            index=False,
            na_rep="—",
            border=0,
            classes="report-table",
            escape=True,
            float_format=lambda v: f"{v:,.{decimals}f}",
        )
        caption = f'<h4 class="table-title">{html.escape(title)}</h4>' if title else ""
        return HTML(f'<div class="table-block">{caption}{body}{more}{links}</div>')

    def figure(self, fig, name: str, *, width: int | None = None, height: int | None = None):
        """Show ``fig``.  In report runs also save ``figures/<name>.png``/``.svg`` (size: the arguments,
        else the figure's own layout size, else 1000 × 560 px) and link them under the chart; outside
        report runs the figure itself is returned for display."""
        if self.out_dir is None:
            return fig
        from IPython.display import HTML, display

        display(fig)
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
        links = " · ".join(f'<a href="figures/{p.name}">{p.suffix[1:].upper()}</a>' for p in written)
        return HTML(f'<p class="downloads">下载图片：{links}</p>' if links else "")

    def record(self, **figures) -> None:
        """Record headline numbers (plain JSON values) for ``reports/index.html``."""
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
        """The input files behind the processed data (from the ingest manifest): ``文件``, ``行数``.
        Planted-truth side files of synthetic worlds are not data sources and are left out."""

        inputs = self.world.manifest.get("inputs", {})
        rows = [
            {"文件": name, "行数": info.get("rows")}
            for name, info in sorted(inputs.items())
            if not name.startswith("planted_")
        ]
        return pd.DataFrame(rows, columns=["文件", "行数"])

    def footer(self):
        """Closing line: static-figure status (report runs) and the 模拟数据 reminder."""
        from IPython.display import HTML

        parts = []
        if self.static_message:
            parts.append(html.escape(self.static_message))
        if self.synthetic:
            parts.append("本报告所有数字均来自模拟数据。")
        return HTML(f'<footer class="report-footer">{"<br>".join(parts)}</footer>')


def _start_static_export() -> None:
    """Keep one Chromium running for the kernel's static exports (about 0.5 s per figure instead of
    several seconds each); it is stopped when the kernel exits."""
    import atexit

    if not static_export_available()[0]:
        return
    try:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    except Exception:  # an older kaleido without the server: save_static still works, just slower
        return


def resolve_request(data_dir, community: str, month: str, lang: str) -> tuple[World, str]:
    """Check a report request: ``(world, month)`` with ``month="latest"`` resolved.

    Raises :class:`ReportError` for an unsupported language or a month without data."""

    if lang not in LANGUAGES:
        raise ReportError(f"语言 lang {lang!r} 不支持 is not supported (only {', '.join(LANGUAGES)})")
    world = open_world(data_dir or None, community or None)
    months = available_months(world)
    month = months[-1] if month in ("", "latest") else check_month(month)
    if month not in months:
        raise ReportError(
            f"{world.community} 在 {month} 没有数据 has no data for {month} "
            f"(available {months[0]} … {months[-1]})"
        )
    return world, month


def open_report(
    community: str = "", month: str = "", data_dir: str = "", out_dir: str = "", lang: str = "zh"
) -> ReportPage:
    """Start a report page from the notebook's parameters.

    ``community`` empty → the focus community; ``month`` empty or ``"latest"`` → the latest month with
    data; ``data_dir`` empty → settings default (``JIESU_DATA_DIR``); ``out_dir`` non-empty marks a
    report run: figures then embed plotly.js once (offline renderer) and tables/figures are written
    there.  ``lang`` must be ``"zh"`` (the only edition written so far).
    """

    world, month = resolve_request(data_dir, community, month, lang)
    target = None
    if out_dir:
        use_report_renderer()
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        _start_static_export()
    return ReportPage(world=world, month=month, out_dir=target, lang=lang)
