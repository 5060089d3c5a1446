"""Unattended monthly reports: render every month that lacks a *current* report, then rewrite the index.

A published report ``reports/<community>/<YYYY-MM>/`` is current when its ``stamp.json`` equals
:func:`jiesu.report.render.report_stamp` — the fingerprint of the processed data (ingest manifest), of the
report template (notebook + stylesheet) and the jiesu version.  So a second run renders nothing, and
new data or a changed template re-renders exactly what they affect.  Each month is published
atomically (see :mod:`jiesu.report.render`): a month that fails keeps its last good report byte-identical,
leaves ``<YYYY-MM>.failed.ipynb`` beside it and is listed in the log; the other months still render,
``reports/index.html`` is rewritten from what is actually published, and the run ends non-zero.

Every run appends to ``reports/schedule.log``.

Running it on a schedule
------------------------
cron (at 06:30 on the 2nd of each month, after the month's exports have been ingested)::

    30 6 2 * *  cd /srv/jiesu && make data >>reports/cron.log 2>&1 && .venv/bin/jiesu schedule --since 2019-01 >>reports/cron.log 2>&1

systemd timer (``/etc/systemd/system/jiesu-report.service`` and ``jiesu-report.timer``)::

    [Unit]
    Description=jiesu monthly reports

    [Service]
    Type=oneshot
    User=jiesu
    WorkingDirectory=/srv/jiesu
    ExecStartPre=/usr/bin/make data
    ExecStart=/srv/jiesu/.venv/bin/jiesu schedule --since 2019-01

    # jiesu-report.timer
    [Unit]
    Description=Render jiesu monthly reports

    [Timer]
    OnCalendar=*-*-02 06:30:00
    Persistent=true

    [Install]
    WantedBy=timers.target

then ``systemctl enable --now jiesu-report.timer``; ``systemctl status jiesu-report.service`` shows the
exit status of the last run (non-zero when a month failed) and ``reports/schedule.log`` says which.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from jiesu.errors import JiesuError
from jiesu.months import check_month, month_range
from jiesu.report.folders import is_current, report_dir
from jiesu.report.index import write_index
from jiesu.report.page import available_months
from jiesu.report.render import REPORT_NOTEBOOK, render_report, report_stamp
from jiesu.settings import FOCUS_COMMUNITY, Paths, paths
from jiesu.snapshot.world import open_world

LOG_FILE = "schedule.log"


@dataclass
class ScheduleResult:
    """What one run did: months ``rendered``, ``current`` (skipped) and ``failed`` (month → message),
    the ``index`` path, the ``log`` path and the wall time in seconds."""

    rendered: list[tuple[str, str]] = field(default_factory=list)
    current: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    index: Path | None = None
    log: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def _open_log(log_path: Path) -> tuple[logging.Logger, logging.Handler]:
    """A logger appending to ``log_path`` for one run (the handler is closed by the caller)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("jiesu.report.schedule")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    logger.addHandler(handler)
    return logger, handler


def plan(
    data: Paths,
    communities: list[str],
    since: str,
    until: str | None,
    out_dir: Path,
    notebook: Path,
    *,
    force: bool = False,
) -> tuple[list[tuple[str, str, dict]], list[tuple[str, str]]]:
    """Split the months to consider into ``(to_render, current)``.

    A month is considered when it lies in ``since``..``until`` (``until`` default: the community's
    latest month) and the community has panel data for it.  ``to_render`` holds
    ``(community, month, stamp)``; ``current`` holds ``(community, month)`` whose published stamp
    matches (never with ``force``).
    """
    to_render, current = [], []
    for community in communities:
        world = open_world(data, community)
        months = available_months(world)
        last = until or months[-1]
        for month in [m for m in month_range(since, last) if m in set(months)]:
            stamp = report_stamp(world, month, notebook)
            if not force and is_current(report_dir(out_dir, community, month), stamp):
                current.append((community, month))
            else:
                to_render.append((community, month, stamp))
    return to_render, current


def run_schedule(
    since: str,
    until: str | None = None,
    *,
    communities: list[str] | None = None,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    notebook: str | os.PathLike | None = None,
    lang: str = "zh",
    force: bool = False,
    progress: bool = True,
) -> ScheduleResult:
    """Render every month ``since``..``until`` (``YYYY-MM``) lacking a current report, for each of
    ``communities`` (default: the focus community), then rewrite ``<out_dir>/index.html``.

    Returns a :class:`ScheduleResult`; failures do not raise (they are in ``result.failed`` and the log).
    """
    from tqdm import tqdm

    started = time.monotonic()
    check_month(since)
    if until:
        check_month(until)
    data = open_world(data_dir).paths
    root = Path(out_dir) if out_dir else open_world(data_dir).paths.reports
    template = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    communities = list(communities or [FOCUS_COMMUNITY])
    result = ScheduleResult(log=root / LOG_FILE)
    log, handler = _open_log(result.log)
    try:
        log.info(
            "start since=%s until=%s communities=%s data=%s template=%s force=%s",
            since,
            until or "latest",
            ",".join(communities),
            data.data,
            template,
            force,
        )
        to_render, result.current = plan(data, communities, since, until, root, template, force=force)
        log.info("%d months current, %d to render", len(result.current), len(to_render))
        with tqdm(
            to_render,
            desc="jiesu schedule",
            unit="report",
            file=sys.stderr,
            disable=not progress,
            leave=False,
        ) as bar:
            for community, month, stamp in bar:
                bar.set_postfix_str(f"{community} {month}")
                began = time.monotonic()
                try:
                    rendered = render_report(
                        community,
                        month,
                        data_dir=data.data,
                        out_dir=root,
                        notebook=template,
                        lang=lang,
                        stamp=stamp,
                    )
                except Exception as err:  # noqa: BLE001 - unattended: log it, keep the other months going
                    result.failed[(community, month)] = (
                        str(err).splitlines()[0] if str(err) else type(err).__name__
                    )
                    log.error(
                        "failed %s %s: %s", community, month, err, exc_info=not isinstance(err, JiesuError)
                    )
                    continue
                result.rendered.append((community, month))
                log.info(
                    "rendered %s %s in %.1f s → %s", community, month, time.monotonic() - began, rendered.html
                )
        result.index = write_index(root)
        result.seconds = time.monotonic() - started
        log.info(
            "done: %d rendered, %d current, %d failed in %.1f s; index %s",
            len(result.rendered),
            len(result.current),
            len(result.failed),
            result.seconds,
            result.index,
        )
    except Exception as err:
        log.error("run aborted: %s", err, exc_info=not isinstance(err, JiesuError))
        raise
    finally:
        log.removeHandler(handler)
        handler.close()
    return result
