"""Rendering reports as tasks on a Dask cluster (``dask.distributed``).

By default an embedded ``LocalCluster`` of single-threaded process workers, sized to the machine and
to the work, starts and stops with the run; ``scheduler="tcp://HOST:PORT"`` (or the environment
variable ``JIESU_DASK_SCHEDULER``) uses an existing cluster instead, whose workers must run this
workspace (same package, same data paths).

Each worker keeps one warm Jupyter kernel (:func:`jiesu.report.kernels.process_kernel`) for every
report it renders, so only its first task pays kernel start-up and imports; the processed tables,
tokenized corpora and topic models its kernel loaded stay cached too.  A task that fails is retried
once (``retries=1``); a task whose worker dies is rescheduled once (``allowed-failures: 1`` on the
embedded cluster; set ``distributed.scheduler.allowed-failures`` on your own).  Publishing stays
atomic per report, so a killed task never leaves a half-written report where readers look.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dask
import psutil
from distributed import Client, LocalCluster, as_completed
from tqdm import tqdm

from jiesu.report.kernels import process_kernel
from jiesu.report.render import render_report

DASK_SCHEDULER_ENV = "JIESU_DASK_SCHEDULER"
TASK_RETRIES = 1
ALLOWED_WORKER_DEATHS = 1


@dataclass(frozen=True)
class ReportTask:
    """One community-month to render (all paths absolute strings: workers may be other processes)."""

    community: str
    month: str
    data_dir: str
    out_dir: str
    notebook: str
    lang: str
    stamp: dict

    @property
    def key(self) -> str:
        return f"report-{self.community}-{self.month}"


def _cpu_and_memory() -> tuple[float, float, float]:
    """(CPU seconds used so far, resident MiB) of this worker process and of its children (the warm
    kernel): the worker time a report costs is the sum over both processes."""
    me = psutil.Process()
    family = [me, *me.children(recursive=True)]
    cpu = 0.0
    for process in family:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            cpu += times.user + times.system
    rss = [0.0, 0.0]
    for i, process in enumerate(family):
        with contextlib.suppress(psutil.Error):
            rss[min(i, 1)] += process.memory_info().rss / 2**20
    return cpu, rss[0], rss[1]


def render_task(task: ReportTask) -> dict:
    """Render one report on this worker, in its warm kernel; returns what was done, how long it took
    (``seconds`` of wall time, ``cpu_seconds`` of worker plus kernel) and the resident memory of the
    worker and its kernel afterwards (``worker_mib``, ``kernel_mib``)."""
    kernel = process_kernel()
    began = time.monotonic()
    cpu_before, _, _ = _cpu_and_memory()
    result = render_report(
        task.community,
        task.month,
        data_dir=task.data_dir,
        out_dir=task.out_dir,
        notebook=task.notebook,
        lang=task.lang,
        stamp=task.stamp,
        kernel=kernel,
    )
    seconds = time.monotonic() - began
    cpu_after, worker_mib, kernel_mib = _cpu_and_memory()
    return {
        "community": task.community,
        "month": task.month,
        "html": str(result.html),
        "seconds": seconds,
        "cpu_seconds": cpu_after - cpu_before,
        "worker_mib": worker_mib,
        "kernel_mib": kernel_mib,
        "worker_pid": os.getpid(),
        "kernel_run": kernel.runs,
    }


def cluster_address(scheduler: str | None = None) -> str | None:
    """The scheduler to use: ``scheduler``, else ``$JIESU_DASK_SCHEDULER``, else ``None`` (embedded)."""
    return scheduler or os.environ.get(DASK_SCHEDULER_ENV) or None


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None, tasks: int = 1) -> Iterator:
    """A ``distributed.Client``: to an existing cluster (:func:`cluster_address`), or to an embedded
    ``LocalCluster`` of ``workers`` single-threaded process workers (default: one per core, never more
    than ``tasks``) that is shut down on exit."""
    address = cluster_address(scheduler)
    if address:
        with Client(address, timeout="30s") as client:
            yield client
        return
    size = max(1, min(workers or os.cpu_count() or 1, tasks))
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_WORKER_DEATHS}):
        with (
            LocalCluster(
                n_workers=size,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client


def run_tasks(
    client, tasks: list[ReportTask], *, progress: bool = True, on_done=None
) -> tuple[list[dict], dict]:
    """Submit ``tasks`` and wait for all: ``(done, failed)`` where ``failed`` maps ``(community, month)``
    to the reason (the error's first line, or the worker that died).  ``on_done(info)`` is called as each
    report is published."""
    futures = {
        client.submit(render_task, task, key=task.key, pure=False, retries=TASK_RETRIES): task
        for task in tasks
    }
    done, failed = [], {}
    with tqdm(
        total=len(futures),
        desc="jiesu schedule",
        unit="report",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    ) as bar:
        for future in as_completed(futures):
            task = futures[future]
            try:
                info = future.result()
            except Exception as err:  # noqa: BLE001 - a report that fails (twice) is reported, the rest go on
                text = str(err).strip().splitlines()
                failed[(task.community, task.month)] = text[0] if text else type(err).__name__
            else:
                done.append(info)
                if on_done is not None:
                    on_done(info)
            bar.update()
    return done, failed
