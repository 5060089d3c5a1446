"""Where things live. One place for every path the workspace reads or writes.

All paths are relative to the repository root unless overridden by environment variables, so nothing
machine-specific is ever written into code or notebooks:

=====================  ==========================  =========================================
variable               default                     holds
=====================  ==========================  =========================================
``JIESU_HOME``         the repo root (auto)        everything below
``JIESU_DATA_DIR``     ``<home>/data``             ``raw/``, ``processed/``, ``interim/``
``JIESU_RAW_DIR``      ``<data>/raw``              immutable inputs (never written by analyses)
``JIESU_PROCESSED_DIR````<data>/processed``        validated, pseudonymized Parquet
``JIESU_INTERIM_DIR``  ``<data>/interim``          caches: tokenized corpora, trained models
``JIESU_REPORTS_DIR``  ``<home>/reports``          rendered HTML reports and their tables
``JIESU_FIGURES_DIR``  ``<home>/figures``          static PNG/SVG figures
``JIESU_SALT``         (unset)                     pseudonymization key; else ``<data>/.salt``
=====================  ==========================  =========================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FOCUS_COMMUNITY = "甘露园南里二社区"
AREA = "高碑店地区"


def _find_home() -> Path:
    """The repo root: ``JIESU_HOME`` if set, else the nearest parent of this file (editable install)
    or of the working directory that holds ``pyproject.toml`` and ``lib/jiesu``."""
    env = os.environ.get("JIESU_HOME")
    if env:
        return Path(env).expanduser().resolve()
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / "pyproject.toml").is_file() and (candidate / "lib" / "jiesu").is_dir():
                return candidate
    return Path.cwd().resolve()


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Paths:
    """Resolved paths. Build with :func:`paths` so environment overrides apply."""

    home: Path
    data: Path
    raw: Path
    processed: Path
    interim: Path
    reports: Path
    figures: Path
    notebooks: Path

    def salt_file(self) -> Path:
        return self.data / ".salt"


def paths(data_dir: str | os.PathLike | None = None) -> Paths:
    """Resolve all workspace paths now (environment is read on every call, so tests can override).

    Parameters
    ----------
    data_dir : optional explicit data directory (a ``--data-dir`` option, a notebook's ``data_dir``);
        it wins over ``JIESU_DATA_DIR``, and ``raw``/``processed``/``interim`` are taken below it.  The
        outputs of another world than the default one go beside it, ``DIR/reports`` and
        ``DIR/figures`` (unless ``JIESU_REPORTS_DIR``/``JIESU_FIGURES_DIR`` say otherwise), so the
        workspace's own ``reports/`` is never touched by another world.
    """
    home = _find_home()
    default_data = _env_path("JIESU_DATA_DIR", home / "data")
    if data_dir:
        data = Path(data_dir).expanduser()
        data = (data if data.is_absolute() else home / data).resolve()
        raw, processed, interim = data / "raw", data / "processed", data / "interim"
    else:
        data = default_data
        raw = _env_path("JIESU_RAW_DIR", data / "raw")
        processed = _env_path("JIESU_PROCESSED_DIR", data / "processed")
        interim = _env_path("JIESU_INTERIM_DIR", data / "interim")
    beside = data != default_data
    return Paths(
        home=home,
        data=data,
        raw=raw,
        processed=processed,
        interim=interim,
        reports=_env_path("JIESU_REPORTS_DIR", data / "reports" if beside else home / "reports"),
        figures=_env_path("JIESU_FIGURES_DIR", data / "figures" if beside else home / "figures"),
        notebooks=home / "notebooks",
    )
