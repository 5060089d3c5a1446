"""The monthly report: execute ``notebooks/00_monthly_report.ipynb`` with papermill, render it to a
code-free, offline, print-friendly Chinese HTML page, and publish it atomically.

Two halves live here:

* **Inside the report notebook** (kernel side): :func:`open_report` returns a :class:`ReportPage`
  that knows the community, month and data, shows the 模拟数据 banner, displays tables (and, in report
  runs, writes each one as CSV and XLSX beside the report and links them), saves static PNG/SVG figures
  and records the key figures for ``reports/index.html``.  In interactive and nbval runs (``out_dir``
  empty) nothing is written and plotly keeps its default lightweight output.
* **Around it** (host side): :func:`render_report` runs papermill (Python API, kernel ``python3``,
  i.e. the project's interpreter), converts with nbconvert's ``HTMLExporter`` (``exclude_input``:
  no code at all; cells tagged ``remove-input``/``remove-cell`` honoured as well), inlines
  ``resources/report.css`` and publishes ``reports/<community>/<YYYY-MM>/`` only on success:
  everything is rendered into a temporary sibling directory which is then swapped in with one
  atomic ``renameat2(RENAME_EXCHANGE)`` (Linux), or with two renames where that call is unavailable.
  On failure the last good report stays byte-identical, the executed notebook is left beside it as
  ``<YYYY-MM>.failed.ipynb`` and :class:`ReportError` names the failing cell (index and first line).

Published folder layout::

    reports/<community>/<YYYY-MM>/
        report.html          the report (plotly.js embedded once; nothing loaded from the network)
        tables/<name>.csv    every table of the report (UTF-8 with BOM, opens in Excel)
        tables/<name>.xlsx
        figures/<name>.png   static figures (skipped with a message without Chromium + CJK font)
        figures/<name>.svg
        key_figures.json     headline numbers, read by reports/index.html
        stamp.json           what the report was made from (see :func:`report_stamp`)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import html
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jiesu.errors import JiesuError, MissingDataError
from jiesu.settings import FOCUS_COMMUNITY, Paths, paths

REPORT_NOTEBOOK = "00_monthly_report.ipynb"
REPORT_HTML = "report.html"
STAMP_FILE = "stamp.json"
KEY_FIGURES_FILE = "key_figures.json"
CSS_FILE = Path(__file__).resolve().parent / "resources" / "report.css"
SMALL_COUNT = 5
LANGUAGES = ("zh",)
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SYNTHETIC_BANNER = "模拟数据：本报告由合成数据生成，仅用于演示方法，不反映任何真实社区、居民或工单。"


class ReportError(JiesuError):
    """A report could not be rendered; the last good report (if any) is untouched."""


# ---------------------------------------------------------------------------------------------
# months
# ---------------------------------------------------------------------------------------------


def check_month(month: str) -> str:
    """``month`` if it is a ``YYYY-MM`` string, else :class:`ReportError`."""
    if not isinstance(month, str) or not MONTH_PATTERN.match(month):
        raise ReportError(f"月份 month {month!r} 不是 YYYY-MM 格式 is not of the form YYYY-MM")
    return month


def shift_month(month: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` (negative = earlier), e.g. ``shift_month("2020-01", -1) == "2019-12"``."""
    year, mon = map(int, check_month(month).split("-"))
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(since: str, until: str) -> list[str]:
    """Every ``YYYY-MM`` from ``since`` to ``until``, both included (empty if ``since`` is later)."""
    months, current = [], check_month(since)
    while current <= check_month(until):
        months.append(current)
        current = shift_month(current, 1)
    return months


def available_months(
    data: Paths | str | os.PathLike | None = None, community: str = FOCUS_COMMUNITY
) -> list[str]:
    """Months (``YYYY-MM``, ascending) with 12345 figures for ``community`` in the processed area panel.

    Raises :class:`MissingDataError` when the panel is missing and :class:`ReportError` when the
    community does not appear in it.
    """
    from jiesu import datasets

    panel = datasets.load("panel", data)
    months = panel.loc[panel["community"] == community, "month"].astype(str)
    if months.empty:
        known = "、".join(sorted(panel["community"].astype(str).unique())[:5])
        raise ReportError(
            f"社区 community {community!r} 不在地区面板中 is not in the area panel (e.g. {known})"
        )
    return sorted(months.unique())


def latest_month(data: Paths | str | os.PathLike | None = None, community: str = FOCUS_COMMUNITY) -> str:
    """The latest month with data for ``community`` (see :func:`available_months`)."""
    return available_months(data, community)[-1]


# ---------------------------------------------------------------------------------------------
# kernel side: what the report notebook calls
# ---------------------------------------------------------------------------------------------


def suppress_small_counts(
    frame: pd.DataFrame, columns: list[str], *, threshold: int = SMALL_COUNT
) -> pd.DataFrame:
    """Copy of ``frame`` for display: counts 1 … ``threshold``-1 (and already-suppressed ``<NA>``) in
    ``columns`` become the text ``"<5"``; 0 and larger counts stay as integers written as text.

    Report tables never show resident-level counts under 5 (privacy rule of the workspace).
    """
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(out[col], errors="coerce").astype("Float64")
        small = values.isna() | ((values > 0) & (values < threshold))
        text = values.round().astype("Int64").astype("string")
        out[col] = text.mask(small, f"<{threshold}").astype(object)
    return out


def format_percent(value, digits: int = 1) -> str:
    """``0.123 → "12.3%"``; missing → ``"—"``."""
    return "—" if value is None or pd.isna(value) else f"{100 * float(value):.{digits}f}%"


def format_change(value, digits: int = 1) -> str:
    """A relative change ``0.12 → "+12.0%"``, ``-0.05 → "−5.0%"``; missing → ``"—"``."""
    if value is None or pd.isna(value):
        return "—"
    return f"{'+' if value >= 0 else '−'}{abs(100 * float(value)):.{digits}f}%"


def _slug(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_") or "table"


@dataclass
class ReportPage:
    """Presentation helpers for one report run. Build with :func:`open_report`.

    Attributes: ``community``, ``month`` (``YYYY-MM``), ``previous_month``, ``next_month``,
    ``data`` (:class:`Paths`), ``out_dir`` (``None`` outside report runs), ``synthetic``, ``lang``,
    ``tables`` (names written so far), ``key_figures`` (recorded so far).
    """

    community: str
    month: str
    data: Paths
    out_dir: Path | None
    synthetic: bool
    lang: str = "zh"
    tables: list[str] = field(default_factory=list)
    key_figures: dict = field(default_factory=dict)
    static_message: str = ""

    @property
    def previous_month(self) -> str:
        return shift_month(self.month, -1)

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
        shown = suppress_small_counts(shown, list(suppress)) if suppress else shown
        slug = _slug(name)
        links = ""
        if self.out_dir is not None:
            from jiesu.storage import write_csv, write_xlsx

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
            from jiesu.figures import save_static, static_export_available

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
            from jiesu.storage import write_json

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
        from jiesu import datasets

        inputs = datasets.manifest(self.data).get("inputs", {})
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

    from jiesu.figures import static_export_available

    if not static_export_available()[0]:
        return
    try:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    except Exception:  # an older kaleido without the server: save_static still works, just slower
        return


def resolve_request(data_dir, community: str, month: str, lang: str) -> tuple[Paths, str, str]:
    """Check a report request: ``(data paths, community, month)`` with ``month="latest"`` resolved.

    Raises :class:`ReportError` for an unsupported language or a month without data."""
    from jiesu import datasets

    if lang not in LANGUAGES:
        raise ReportError(f"语言 lang {lang!r} 不支持 is not supported (only {', '.join(LANGUAGES)})")
    data = datasets.resolve(data_dir or None)
    community = community or FOCUS_COMMUNITY
    months = available_months(data, community)
    month = months[-1] if month in ("", "latest") else check_month(month)
    if month not in months:
        raise ReportError(
            f"{community} 在 {month} 没有数据 has no data for {month} (available {months[0]} … {months[-1]})"
        )
    return data, community, month


def open_report(
    community: str = "", month: str = "", data_dir: str = "", out_dir: str = "", lang: str = "zh"
) -> ReportPage:
    """Start a report page from the notebook's parameters.

    ``community`` empty → the focus community; ``month`` empty or ``"latest"`` → the latest month with
    data; ``data_dir`` empty → settings default (``JIESU_DATA_DIR``); ``out_dir`` non-empty marks a
    report run: figures then embed plotly.js once (offline renderer) and tables/figures are written
    there.  ``lang`` must be ``"zh"`` (the only edition written so far).
    """
    from jiesu import datasets

    data, community, month = resolve_request(data_dir, community, month, lang)
    target = None
    if out_dir:
        from jiesu.figures import use_report_renderer

        use_report_renderer()
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        _start_static_export()
    return ReportPage(
        community=community,
        month=month,
        data=data,
        out_dir=target,
        synthetic=datasets.is_synthetic(data),
        lang=lang,
    )


# ---------------------------------------------------------------------------------------------
# host side: stamp, execute, convert, publish
# ---------------------------------------------------------------------------------------------


def data_fingerprint(data: Paths | str | os.PathLike | None = None) -> str:
    """Hash of what ingest produced: the output hashes, schema version and salt fingerprint from
    ``processed/manifest.json`` (its ``created_at`` is left out, so a cached re-ingest changes nothing)."""
    from jiesu import datasets
    from jiesu.storage import content_key

    manifest = datasets.manifest(data)
    if not manifest:
        raise MissingDataError(
            f"{datasets.resolve(data).processed / 'manifest.json'} 不存在 does not exist: "
            "run `make data` (or `jiesu ingest`) first"
        )
    outputs = {key: value.get("sha256") for key, value in sorted(manifest.get("outputs", {}).items())}
    return content_key(
        outputs, manifest.get("schema_version"), manifest.get("salt_fingerprint"), manifest.get("synthetic")
    )


def template_fingerprint(notebook: str | os.PathLike) -> str:
    """Hash of the report template: the notebook file and the stylesheet."""
    from jiesu.storage import content_key, file_sha256

    return content_key(file_sha256(notebook), file_sha256(CSS_FILE))


def report_stamp(
    community: str,
    month: str,
    data: Paths | str | os.PathLike | None = None,
    notebook: str | os.PathLike | None = None,
) -> dict:
    """What a report is made from: community, month, data fingerprint, template fingerprint and the
    jiesu version.  A published report is *current* when its ``stamp.json`` equals this."""
    from jiesu import __version__

    notebook = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    return {
        "community": community,
        "month": month,
        "data": data_fingerprint(data),
        "template": template_fingerprint(notebook),
        "jiesu": __version__,
    }


def report_dir(out_dir: str | os.PathLike, community: str, month: str) -> Path:
    """``<out_dir>/<community>/<YYYY-MM>``."""
    return Path(out_dir) / _slug(community) / month


def failed_notebook_path(out_dir: str | os.PathLike, community: str, month: str) -> Path:
    """Where the executed notebook of a failed run is kept: ``<out_dir>/<community>/<YYYY-MM>.failed.ipynb``."""
    return Path(out_dir) / _slug(community) / f"{month}.failed.ipynb"


def read_stamp(folder: str | os.PathLike) -> dict | None:
    where = Path(folder) / STAMP_FILE
    try:
        return json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(folder: str | os.PathLike, stamp: dict) -> bool:
    """Whether the report in ``folder`` is complete (HTML present) and was made from ``stamp``."""
    return (Path(folder) / REPORT_HTML).is_file() and read_stamp(folder) == stamp


class _HideForReaders:
    """nbconvert preprocessor: drop cells tagged ``remove-cell``/``parameters``/``injected-parameters``,
    inputs of everything else (the exporter's ``exclude_input``), and stderr streams (warnings and logs
    are for the log file, not for officials)."""

    hidden_tags = {"remove-cell", "parameters", "injected-parameters"}

    def __call__(self, nb, resources):
        kept = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & self.hidden_tags:
                continue
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.outputs
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def notebook_to_html(nb, *, title: str, css: str | None = None) -> str:
    """A complete offline HTML page from an executed notebook, with no code in it.

    Uses nbconvert's ``HTMLExporter`` (``basic`` template: body only, so no require.js/MathJax from a
    CDN) with ``exclude_input``, input/output prompts off and ``remove-input`` tags honoured, then wraps
    the body in a page carrying ``report.css`` inline.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    exporter.register_preprocessor(_HideForReaders(), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    css = CSS_FILE.read_text(encoding="utf-8") if css is None else css
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


PAPERMILL_ADDED_TAGS = {"papermill-error-cell-tag", "injected-parameters"}


def failing_cell(nb) -> tuple[int, str, str] | None:
    """``(index, first line, error)`` of the first cell with an error output in an executed notebook.

    ``index`` counts cells of the *template* (0-based): the cells papermill adds (injected parameters,
    error banners) are not counted, so it points at the cell to fix in the notebook one edits.
    """
    index = -1
    for cell in nb.cells:
        if set(cell.get("metadata", {}).get("tags", [])) & PAPERMILL_ADDED_TAGS:
            continue
        index += 1
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return index, _first_line(cell.source), f"{output.get('ename')}: {output.get('evalue')}"
    return None


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unsupported."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _readable(folder: Path) -> None:
    """Give the rendered folder ordinary permissions (temporary files are created 0600/0700), so a
    web server or a colleague can read the published report; the process umask still applies."""
    umask = os.umask(0)
    os.umask(umask)
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, 0o777 & ~umask)
        for name in files:
            os.chmod(os.path.join(root, name), 0o666 & ~umask)


def publish(staging: Path, target: Path) -> None:
    """Put the fully rendered folder ``staging`` at ``target`` (same filesystem).

    New target: one ``os.replace``.  Existing target: one atomic exchange (Linux ``renameat2``), after
    which the old version (now at ``staging``) is deleted; where exchange is unsupported, the old
    folder is renamed aside, the new one renamed in, and the old one deleted (restored on error).
    """
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, aside)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def mirror_figures(source: Path, destination: Path) -> list[Path]:
    """Copy the published static figures of a report to ``destination`` (atomically, file by file),
    removing figures there that the report no longer has.  Returns the written paths."""
    from jiesu.storage import write_bytes

    files = sorted(source.glob("*")) if source.is_dir() else []
    names = {f.name for f in files}
    if destination.is_dir():
        for old in destination.iterdir():
            if old.is_file() and old.name not in names:
                old.unlink()
    return [write_bytes(destination / f.name, f.read_bytes()) for f in files]


ABANDONED_AFTER_SECONDS = 6 * 3600


def _remove_abandoned_staging(folder: Path, month: str) -> None:
    """Delete staging folders of ``month`` left by a killed run (older than six hours, so that a
    concurrent run's folder is never touched)."""
    now = time.time()
    for leftover in folder.glob(f".{month}.*"):
        if leftover.is_dir() and now - leftover.stat().st_mtime > ABANDONED_AFTER_SECONDS:
            shutil.rmtree(leftover, ignore_errors=True)


@dataclass(frozen=True)
class RenderResult:
    """Outcome of :func:`render_report`: ``html`` path, ``folder``, ``month``, ``stamp``, ``key_figures``."""

    html: Path
    folder: Path
    month: str
    stamp: dict
    key_figures: dict


def notebook_parameters(community: str, month: str, data: Paths, out_dir: Path, lang: str) -> dict:
    """The papermill parameters of one report run (absolute paths, so the kernel's cwd is irrelevant)."""
    return {
        "community": community,
        "month": month,
        "data_dir": str(data.data),
        "out_dir": str(out_dir),
        "lang": lang,
    }


def render_report(
    community: str = "",
    month: str = "latest",
    *,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    lang: str = "zh",
    notebook: str | os.PathLike | None = None,
    stamp: dict | None = None,
    timeout: int = 900,
    progress: bool = False,
    figures_dir: str | os.PathLike | None = None,
) -> RenderResult:
    """Execute the report notebook for ``community`` × ``month`` and publish it.

    Parameters
    ----------
    community : empty → the focus community.
    month : ``YYYY-MM``, or ``"latest"`` (the latest month with data for the community).
    data_dir : data directory (``raw/``, ``processed/``); ``None`` → settings default.
    out_dir : reports root; ``None`` → ``reports/``.  The report goes to ``<out_dir>/<community>/<month>/``.
    notebook : template; ``None`` → ``notebooks/00_monthly_report.ipynb``.
    stamp : precomputed :func:`report_stamp` (the scheduler passes it); computed when ``None``.
    timeout : seconds allowed per cell.
    progress : show papermill's per-cell progress bar (tqdm, stderr).
    figures_dir : where the static figures are mirrored as ``<community>/<month>/<name>.png|svg``
        for use in other documents; ``None`` → ``figures/`` (``JIESU_FIGURES_DIR``).

    Returns a :class:`RenderResult`.  Raises :class:`ReportError` naming the failing cell; the previous
    report is then untouched and the executed notebook is kept at :func:`failed_notebook_path`.
    """
    import nbformat
    import papermill

    from jiesu import datasets

    data, community, month = resolve_request(data_dir, community, month, lang)
    notebook = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    if not notebook.is_file():
        raise ReportError(f"报告模板 report notebook {notebook} 不存在 does not exist")
    root = Path(out_dir) if out_dir else paths().reports
    target = report_dir(root, community, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = stamp or report_stamp(community, month, data, notebook)
    _remove_abandoned_staging(target.parent, month)
    staging = Path(tempfile.mkdtemp(prefix=f".{month}.rendering-", dir=target.parent))
    executed = staging / "report.ipynb"
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                papermill.execute_notebook(
                    str(notebook),
                    str(executed),
                    parameters=notebook_parameters(community, month, data, staging, lang),
                    kernel_name="python3",
                    progress_bar=progress,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=timeout,
                    cwd=str(notebook.parent),
                )
        except Exception as err:  # papermill's execution error, a dead kernel, a timeout
            failed = failed_notebook_path(root, community, month)
            where, kept = "", "—"
            if executed.exists():
                from jiesu.storage import write_bytes

                write_bytes(failed, executed.read_bytes())
                kept = str(failed)
                found = failing_cell(nbformat.read(executed, as_version=4))
                if found:
                    index, first, error = found
                    where = f"模板第 {index} 个单元格 template cell {index} `{first}`: {error}"
            if not where:
                lines = str(err).strip().splitlines()
                where = f"{type(err).__name__}: {lines[0] if lines else ''}"
            raise ReportError(
                f"{community} {month} 报告生成失败 report failed: {where}; "
                f"上一版保留 last good report kept; executed notebook → {kept}"
            ) from err
        nb = nbformat.read(executed, as_version=4)
        key_figures = (
            json.loads((staging / KEY_FIGURES_FILE).read_text(encoding="utf-8"))
            if (staging / KEY_FIGURES_FILE).exists()
            else {}
        )
        year, mon = month.split("-")
        page = notebook_to_html(
            nb,
            title=f"{community} 接诉即办月报 {int(year)}年{int(mon)}月"
            + ("（模拟数据）" if datasets.is_synthetic(data) else ""),
        )
        (staging / REPORT_HTML).write_text(page, encoding="utf-8")
        executed.unlink()
        (staging / STAMP_FILE).write_text(
            json.dumps(stamp, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        _readable(staging)
        publish(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    mirror_figures(
        target / "figures", (Path(figures_dir) if figures_dir else paths().figures) / _slug(community) / month
    )
    stale_failure = failed_notebook_path(root, community, month)
    if stale_failure.exists():
        stale_failure.unlink()
    return RenderResult(
        html=target / REPORT_HTML, folder=target, month=month, stamp=stamp, key_figures=key_figures
    )


# ---------------------------------------------------------------------------------------------
# reports/index.html
# ---------------------------------------------------------------------------------------------

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
        if not MONTH_PATTERN.match(folder.name):
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


def index_html(reports: pd.DataFrame) -> str:
    """The page ``reports/index.html``: one table per community, newest month first, key figures."""
    css = CSS_FILE.read_text(encoding="utf-8")
    sections = []
    for community, part in reports.groupby("community", sort=True):
        head = "".join(f"<th>{label}</th>" for _, label, _ in INDEX_COLUMNS)
        body = []
        for row in part.itertuples(index=False):
            figures = row.key_figures or {}
            link = (
                f'<a href="{html.escape(row.href)}">{html.escape(row.month)}</a>'
                if row.href
                else html.escape(row.month)
            )
            status = ""
            if row.failed:
                status = (
                    f'<span class="failed">最近一次生成失败'
                    f'{"，仍显示上一版" if row.href else ""}（<a href="{html.escape(row.failed)}">执行记录</a>）'
                    "</span>"
                )
            cells = "".join(
                f"<td>{html.escape(_format_key(kind, figures.get(key), figures))}</td>"
                for key, _, kind in INDEX_COLUMNS
            )
            tag = '<span class="tag-synthetic">模拟数据</span>' if row.synthetic else ""
            body.append(f"<tr><td>{link} {tag}{status}</td>{cells}</tr>")
        sections.append(
            f'<h2>{html.escape(str(community))}</h2>\n<table class="report-table index-table">'
            f"<thead><tr><th>月份</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    synthetic = bool(reports["synthetic"].any()) if len(reports) else False
    banner = (
        (
            '<div class="synthetic-banner" role="alert"><strong>模拟数据</strong> '
            f"{html.escape(SYNTHETIC_BANNER.removeprefix('模拟数据：'))}</div>"
        )
        if synthetic
        else ""
    )
    empty = "" if len(reports) else "<p>尚无报告。运行 <code>jiesu schedule --since 2019-01</code> 生成。</p>"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>接诉即办月报 目录</title>\n<style>\n"
        + css
        + '\n</style>\n</head>\n<body>\n<main class="report">\n'
        f'{banner}<header class="report-header"><h1>接诉即办月报 目录</h1>'
        f'<p class="report-month">共 {int((reports["href"] != "").sum()) if len(reports) else 0} 份报告</p>'
        f"</header>\n{empty}{''.join(sections)}\n</main>\n</body>\n</html>\n"
    )


def write_index(out_dir: str | os.PathLike | None = None) -> Path:
    """(Re)write ``<out_dir>/index.html`` from what is published there; returns its path."""
    from jiesu.storage import write_text

    root = Path(out_dir) if out_dir else paths().reports
    return write_text(root / "index.html", index_html(collect_reports(root)))
