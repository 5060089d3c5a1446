"""Unattended monthly reports: render every month that lacks a *current* report, then rewrite the index.

A published report ``reports/<community>/<YYYY-MM>/`` is current when its ``stamp.json`` equals
:func:`jiesu.report.render.report_stamp` — the fingerprint of the processed data (ingest manifest), of the
report template (notebook + stylesheet) and the jiesu version.  So a second run renders nothing, and
new data or a changed template re-renders exactly what they affect.  Each month is published
atomically (see :mod:`jiesu.report.render`): a month that fails keeps its last good report byte-identical,
leaves ``<YYYY-MM>.failed.ipynb`` beside it and is listed in the log; the other months still render,
``reports/index.html`` is rewritten from what is actually published, and the run ends non-zero.

Reports render as tasks on Dask (:mod:`jiesu.report.cluster`): an embedded ``LocalCluster`` sized to
the machine by default, or an existing cluster with ``--scheduler tcp://HOST:PORT`` or
``JIESU_DASK_SCHEDULER``.  Each worker keeps one warm kernel; a failed task is retried once; the run ends
with a summary of what failed and why.  After the community reports, the area overview of every
month rendered is rewritten (:mod:`jiesu.report.overview`).  Every run appends to
``reports/schedule.log``.

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
from jiesu.processed import communities as store_communities
from jiesu.report.cluster import ReportTask, cluster_address, dask_client, run_tasks
from jiesu.report.folders import is_current, report_dir
from jiesu.report.index import write_index
from jiesu.report.overview import write_overview
from jiesu.report.page import available_months
from jiesu.report.render import REPORT_NOTEBOOK, report_stamp
from jiesu.settings import AREA, Paths, paths
from jiesu.snapshot.world import open_world

LOG_FILE = "schedule.log"


@dataclass
class ScheduleResult:
    """What one run did: ``rendered`` and ``current`` (skipped) community-months, ``failed``
    ((community, month) → reason), ``overviews`` written, the ``index`` and ``log`` paths, the wall time
    in seconds, and ``timings`` (one dict per rendered report: :func:`jiesu.report.cluster.render_task`'s
    seconds, CPU seconds, memory, worker pid and kernel run)."""

    rendered: list[tuple[str, str]] = field(default_factory=list)
    current: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    overviews: list[Path] = field(default_factory=list)
    index: Path | None = None
    log: Path | None = None
    seconds: float = 0.0
    timings: list[dict] = field(default_factory=list)
    dashboard: str = ""

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


LATEST = "latest"
"""``since`` value meaning: only each community's latest month (or ``until``)."""


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
    latest month; ``since="latest"``: only that latest month) and the community has panel data for it.  ``to_render`` holds
    ``(community, month, stamp)``; ``current`` holds ``(community, month)`` whose published stamp
    matches (never with ``force``).
    """
    to_render, current = [], []
    for community in communities:
        world = open_world(data, community)
        months = available_months(world)
        last = until or months[-1]
        first = last if since == LATEST else since
        for month in [m for m in month_range(first, last) if m in set(months)]:
            stamp = report_stamp(world, month, notebook)
            if not force and is_current(report_dir(out_dir, community, month), stamp):
                current.append((community, month))
            else:
                to_render.append((community, month, stamp))
    return to_render, current


def scheduled_communities(data: Paths, communities: list[str] | None) -> list[str]:
    """The communities to render: those named, else every community the data directory holds its
    own data for (the default community of a single world, every community of an area)."""
    if communities:
        return list(communities)
    return list(store_communities(data.processed)) or [open_world(data).community]


LONG_RUN_TASKS = 4
"""From this many reports on, the Dask dashboard address is printed."""


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
    scheduler: str | None = None,
    workers: int | None = None,
    area: str = AREA,
) -> ScheduleResult:
    """Render every month ``since``..``until`` (``YYYY-MM``) lacking a current report, for each of
    ``communities`` (default: :func:`scheduled_communities`), as Dask tasks; then rewrite the area
    overview of every month considered and ``<out_dir>/index.html``.

    Returns a :class:`ScheduleResult`; failures do not raise (they are in ``result.failed`` and the log).
    """
    started = time.monotonic()
    if since != LATEST:
        check_month(since)
    if until:
        check_month(until)
    world = open_world(data_dir)
    data = world.paths
    root = Path(out_dir) if out_dir else data.reports
    template = Path(notebook) if notebook else paths().notebooks / REPORT_NOTEBOOK
    names = scheduled_communities(data, communities)
    result = ScheduleResult(log=root / LOG_FILE)
    log, handler = _open_log(result.log)
    try:
        log.info(
            "start since=%s until=%s communities=%s data=%s template=%s force=%s",
            since,
            until or "latest",
            ",".join(names),
            data.data,
            template,
            force,
        )
        to_render, result.current = plan(data, names, since, until, root, template, force=force)
        log.info("%d reports current, %d to render", len(result.current), len(to_render))
        if to_render:
            _render_on_dask(
                to_render,
                data,
                root,
                template,
                lang,
                result,
                log,
                scheduler=scheduler,
                workers=workers,
                progress=progress,
            )
        months = sorted({m for _, m in result.rendered} | {m for _, m in result.current})
        for month in months:
            result.overviews.append(write_overview(world, month, root, area=area))
        result.index = write_index(root)
        result.seconds = time.monotonic() - started
        log.info(
            "done: %d rendered, %d current, %d failed, %d overviews in %.1f s; index %s",
            len(result.rendered),
            len(result.current),
            len(result.failed),
            len(result.overviews),
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


def _render_on_dask(
    to_render,
    data: Paths,
    root: Path,
    template: Path,
    lang: str,
    result: ScheduleResult,
    log,
    *,
    scheduler: str | None,
    workers: int | None,
    progress: bool,
) -> None:
    """Render ``to_render`` as Dask tasks, filling ``result`` (rendered, failed, timings) and the log."""
    tasks = [
        ReportTask(c, m, str(data.data), str(root), str(template), lang, stamp) for c, m, stamp in to_render
    ]
    with dask_client(scheduler, workers=workers, tasks=len(tasks)) as client:
        result.dashboard = client.dashboard_link or ""
        where = (
            cluster_address(scheduler)
            or f"embedded LocalCluster, {len(client.scheduler_info()['workers'])} workers"
        )
        log.info("dask: %s; dashboard %s", where, result.dashboard or "none")
        if len(tasks) >= LONG_RUN_TASKS and result.dashboard and progress:
            print(
                f"schedule: {len(tasks)} reports on {where}; Dask dashboard {result.dashboard}",
                file=sys.stderr,
            )

        def published(info: dict) -> None:
            log.info(
                "rendered %s %s in %.1f s, %.1f s CPU (worker %s, kernel run %d) → %s",
                info["community"],
                info["month"],
                info["seconds"],
                info["cpu_seconds"],
                info["worker_pid"],
                info["kernel_run"],
                info["html"],
            )

        done, failed = run_tasks(client, tasks, progress=progress, on_done=published)
    result.rendered = sorted((d["community"], d["month"]) for d in done)
    result.timings = sorted(done, key=lambda d: (d["community"], d["month"]))
    result.failed = failed
    for (community, month), reason in sorted(failed.items()):
        log.error("failed %s %s: %s", community, month, reason)
