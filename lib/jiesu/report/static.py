"""Static figures: :func:`save_static` writes PNG and SVG through kaleido when a Chromium and a CJK
font are installed (``make sysdeps``), and otherwise says once, clearly, that it skipped.

(Interactive figures in reports are plain plotly divs with plotly.js embedded once in the page, see
:mod:`jiesu.report.render`; notebooks keep plotly's default output.)
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import plotly.graph_objects as go

from jiesu.analysis import style  # noqa: F401  (registers the jiesu plotly template)
from jiesu.settings import paths
from jiesu.storage import atomic_path


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
