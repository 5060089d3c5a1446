"""One plot style for every figure, and the two ways figures leave a notebook.

* :func:`use_report_renderer` embeds plotly.js once per page (``notebook`` renderer) so rendered HTML
  reports work offline. Interactive/nbval runs keep plotly's default mimetype output, which keeps
  committed notebooks small and deterministic.
* :func:`save_static` writes PNG and SVG to ``figures/`` through kaleido when a Chromium and a CJK font
  are installed (``make sysdeps``), and otherwise says once, clearly, that it skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import NotebookRenderer

from jiesu.analysis import style  # noqa: F401  (registers the jiesu plotly template)
from jiesu.settings import paths
from jiesu.storage import atomic_path


class _OfflineNotebookRenderer(NotebookRenderer):
    """plotly's ``notebook`` renderer minus the MathJax ``<script src=https://cdnjs…>`` it adds to every
    figure: plotly.js is embedded once by :meth:`activate`, each figure is a div plus an inline script."""

    def to_mimebundle(self, fig_dict):
        html = pio.to_html(
            fig_dict,
            config=self.config,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=525,
            validate=False,
        )
        return {"text/html": html}


pio.renderers["jiesu_offline"] = _OfflineNotebookRenderer()


def use_report_renderer() -> None:
    """Embed figures with plotly.js inline, once per page, and nothing from a CDN (offline HTML).
    Call once at the top of report runs (not in committed notebooks: the output is ~5 MB)."""
    pio.renderers.default = "jiesu_offline"


def static_export_available() -> tuple[bool, str]:
    """Whether kaleido can export here, and if not, why (Chromium or CJK font missing)."""
    if not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        return False, "no Chromium found (install `chromium`, or run `make sysdeps` as root)"
    try:
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = ""
    if not fonts.strip():
        return False, "no CJK font found (install `fonts-wqy-microhei`), Chinese would render as boxes"
    return True, ""


def save_static(
    fig: go.Figure,
    name: str,
    *,
    out_dir: str | Path | None = None,
    formats: tuple[str, ...] = ("png", "svg"),
    width: int = 1000,
    height: int = 600,
) -> list[Path]:
    """Write ``fig`` as ``<out_dir>/<name>.<fmt>`` (default ``figures/``), atomically.

    Returns the written paths; returns ``[]`` with one warning when static export is unavailable.
    """
    ok, why = static_export_available()
    if not ok:
        warnings.warn(f"static figure export skipped: {why}", stacklevel=2)
        return []

    target_dir = Path(out_dir) if out_dir else paths().figures
    written = []
    for fmt in formats:
        target = target_dir / f"{name}.{fmt}"
        with atomic_path(target, suffix=f".{fmt}") as tmp:
            fig.write_image(tmp, format=fmt, width=width, height=height)
        written.append(target)
    return written
