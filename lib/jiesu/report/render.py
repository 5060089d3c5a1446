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

import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from plotly.offline import get_plotlyjs

from jiesu import __version__, processed
from jiesu.errors import MissingDataError
from jiesu.months import month_label
from jiesu.report import templates
from jiesu.report.folders import (
    KEY_FIGURES_FILE,
    REPORT_HTML,
    STAMP_FILE,
    ReportError,
    _slug,
    failed_notebook_path,
    report_dir,
)
from jiesu.report.kernels import WarmKernel
from jiesu.report.page import resolve_request
from jiesu.report.publish import _readable, _remove_abandoned_staging, mirror_figures, publish, staging_dir
from jiesu.settings import paths
from jiesu.snapshot.world import World
from jiesu.storage import content_key, file_sha256, write_bytes, write_json

REPORT_NOTEBOOK = "00_monthly_report.ipynb"


# ---------------------------------------------------------------------------------------------
# kernel side: what the report notebook calls
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# host side: stamp, execute, convert, publish
# ---------------------------------------------------------------------------------------------


def data_fingerprint(world: World) -> str:
    """Hash of what ingest produced: the output hashes, schema version and salt fingerprint from
    ``processed/manifest.json`` (its ``created_at`` is left out, so a cached re-ingest changes nothing)."""
    manifest = world.manifest
    if not manifest:
        raise MissingDataError(
            f"{world.paths.processed / 'manifest.json'} 不存在 does not exist: "
            f"run `{processed.ingest_command(world.paths.processed)}` first"
        )
    outputs = {key: value.get("sha256") for key, value in sorted(manifest.get("outputs", {}).items())}
    return content_key(
        outputs, manifest.get("schema_version"), manifest.get("salt_fingerprint"), manifest.get("synthetic")
    )


def template_files() -> list[Path]:
    """Every file of ``report/templates`` (stylesheet and Jinja2 templates), sorted."""
    return sorted(p for p in (Path(__file__).parent / "templates").iterdir() if p.is_file())


def template_fingerprint(notebook: str | os.PathLike) -> str:
    """Hash of the report template: the notebook file, the stylesheet and the HTML templates."""

    return content_key(file_sha256(notebook), *(file_sha256(path) for path in template_files()))


def report_stamp(world: World, month: str, notebook: str | os.PathLike | None = None) -> dict:
    """What a report is made from: community, month, data fingerprint, template fingerprint and the
    jiesu version.  A published report is *current* when its ``stamp.json`` equals this."""

    notebook = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    return {
        "community": world.community,
        "month": month,
        "data": data_fingerprint(world),
        "template": template_fingerprint(notebook),
        "jiesu": __version__,
    }


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

    nbconvert's ``HTMLExporter`` (``basic`` template: body only, nothing loaded from a CDN) with
    ``exclude_input``, prompts off and ``remove-input``/``remove-cell`` tags honoured; the body goes
    into ``templates/page.html.j2`` with ``report.css`` inline and plotly.js embedded once when the
    page holds a figure (report figures are plain divs, :meth:`jiesu.report.page.ReportPage.figure`).
    """
    # heavy (nbconvert ~0.9 s to import); only the HTML step needs it
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
    has_figure = "Plotly.newPlot" in body
    return templates.render(
        "page",
        title=title,
        css=templates.css() if css is None else css,
        plotly_js=templates.Markup(get_plotlyjs()) if has_figure else "",
        body=templates.Markup(body),
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


@dataclass(frozen=True)
class RenderResult:
    """Outcome of :func:`render_report`: ``html`` path, ``folder``, ``month``, ``stamp``, ``key_figures``."""

    html: Path
    folder: Path
    month: str
    stamp: dict
    key_figures: dict
    synthetic: bool


def notebook_parameters(world: World, month: str, out_dir: Path, lang: str) -> dict:
    """The papermill parameters of one report run (absolute paths, so the kernel's cwd is irrelevant)."""
    return {
        "community": world.community,
        "month": month,
        "data_dir": str(world.paths.data),
        "out_dir": str(out_dir),
        "lang": lang,
    }


def _figures_root(world: World, out_dir, figures_dir) -> Path:
    """Where a report's static figures are mirrored: everything of a run with ``--out-dir`` stays there."""
    if figures_dir:
        return Path(figures_dir)
    return Path(out_dir) / "figures" if out_dir else world.paths.figures


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
    kernel: WarmKernel | None = None,
) -> RenderResult:
    """Execute the report notebook for ``community`` × ``month`` and publish it.

    Parameters
    ----------
    community : empty → the focus community.
    month : ``YYYY-MM``, or ``"latest"`` (the latest month with data for the community).
    data_dir : data directory (``raw/``, ``processed/``); ``None`` → settings default.
    out_dir : reports root; ``None`` → the world's reports folder (``reports/`` for the default data
        directory, ``DIR/reports`` for another one).  The report goes to ``<out_dir>/<community>/<month>/``.
    notebook : template; ``None`` → ``notebooks/00_monthly_report.ipynb``.
    stamp : precomputed :func:`report_stamp` (the scheduler passes it); computed when ``None``.
    timeout : seconds allowed per cell.
    progress : show papermill's per-cell progress bar (tqdm, stderr).
    kernel : a :class:`~jiesu.report.kernels.WarmKernel` to run in (cleared first); ``None`` → a new
        kernel for this run only.
    figures_dir : where the static figures are mirrored as ``<community>/<month>/<name>.png|svg``
        for use in other documents; ``None`` → ``<out_dir>/figures`` with ``out_dir``, else the
        world's figures folder (``figures/`` or ``DIR/figures``).

    Returns a :class:`RenderResult`.  Raises :class:`ReportError` naming the failing cell; the previous
    report is then untouched and the executed notebook is kept at :func:`failed_notebook_path`.
    """
    world, month = resolve_request(data_dir, community, month, lang)
    community = world.community
    notebook = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    if not notebook.is_file():
        raise ReportError(f"报告模板 report notebook {notebook} 不存在 does not exist")
    root = Path(out_dir) if out_dir else world.paths.reports
    target = report_dir(root, community, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = stamp or report_stamp(world, month, notebook)
    _remove_abandoned_staging(target.parent, month)
    staging = staging_dir(target.parent, month)
    try:
        executed = _execute(
            notebook, staging, notebook_parameters(world, month, staging, lang), kernel, timeout, progress
        )
        if executed is None:
            raise ReportError(_failure_message(staging, root, community, month))
        key_figures = _read_json(staging / KEY_FIGURES_FILE)
        page = notebook_to_html(executed, title=f"{community} 接诉即办月报 {month_label(month)}{world.tag}")
        (staging / REPORT_HTML).write_text(page, encoding="utf-8")
        (staging / EXECUTED).unlink()
        write_json(staging / STAMP_FILE, stamp)
        _readable(staging)
        publish(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    mirror_figures(target / "figures", _figures_root(world, out_dir, figures_dir) / _slug(community) / month)
    failed_notebook_path(root, community, month).unlink(missing_ok=True)
    return RenderResult(
        html=target / REPORT_HTML,
        folder=target,
        month=month,
        stamp=stamp,
        key_figures=key_figures,
        synthetic=world.synthetic,
    )


EXECUTED = "report.ipynb"
"""The executed notebook in a staging folder (deleted on success, kept beside the report on failure)."""


def _execute(
    notebook: Path, staging: Path, parameters: dict, kernel: WarmKernel | None, timeout: int, progress: bool
):
    """Run ``notebook`` with papermill into ``staging``; the executed notebook, or ``None`` when it
    failed (the error is recorded in what was executed, read by :func:`_failure_message`)."""
    import nbformat  # heavy: only a render needs nbformat and papermill
    import papermill

    warm = {}
    if kernel is not None:
        kernel.reset()
        warm = {"km": kernel.km}
        kernel.runs += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            papermill.execute_notebook(
                str(notebook),
                str(staging / EXECUTED),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=progress,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                cwd=str(notebook.parent),
                **warm,
            )
    except Exception as err:  # papermill's execution error, a dead kernel, a timeout
        (staging / "error.txt").write_text(f"{type(err).__name__}: {str(err).strip()}", encoding="utf-8")
        return None
    return nbformat.read(staging / EXECUTED, as_version=4)


def _failure_message(staging: Path, root: Path, community: str, month: str) -> str:
    """One line saying which template cell failed and where the executed notebook was kept (beside the
    last good report, which stays as it was)."""
    import nbformat  # heavy: only a render needs it

    failed = failed_notebook_path(root, community, month)
    where, kept = "", "—"
    executed = staging / EXECUTED
    if executed.exists():
        write_bytes(failed, executed.read_bytes())
        kept = str(failed)
        found = failing_cell(nbformat.read(executed, as_version=4))
        if found:
            index, first, error = found
            where = f"模板第 {index} 个单元格 template cell {index} `{first}`: {error}"
    if not where:
        lines = (staging / "error.txt").read_text(encoding="utf-8").splitlines()
        where = lines[0] if lines else "unknown error"
    return f"{community} {month} 报告生成失败 report failed: {where}; 上一版保留 last good report kept; executed notebook → {kept}"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


# ---------------------------------------------------------------------------------------------
# reports/index.html
# ---------------------------------------------------------------------------------------------
