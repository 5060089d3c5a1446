"""Reports on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1.

The schedule goes through ``--scheduler``; every report and the area overview must be published, the
work must be spread over both workers and each worker must reuse its warm kernel.  Then one worker is
killed mid-run: its task is retried on the other, nothing half-written is published, the retry clears
the killed render's staging folder (its owner is gone), and a next run finds every report current.
The test stops every process it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from report_templates import light_template

from jiesu.cli import main
from jiesu.report import schedule
from jiesu.report.overview import overview_dir
from jiesu.settings import AREA, FOCUS_COMMUNITY

MONTHS = ("2020-03", "2020-04", "2020-05", "2020-06")
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_workers(address: str, n: int, timeout: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(n, timeout=timeout)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / "scheduler.log").open("w"),
        )
    ]
    for i in range(2):
        procs.append(
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", "--name", f"w{i}"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"worker{i}.log").open("w"),
            )
        )
    try:
        _wait_for_workers(address, 2)
        yield {"address": address, "workers": procs[1:]}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def area(small_world, tmp_path):
    import shutil

    from jiesu.settings import paths

    data = paths(tmp_path / "data")
    shutil.copytree(small_world.paths.processed, data.processed)
    return {
        "data": data,
        "template": light_template(tmp_path / "template.ipynb"),
        "out": tmp_path / "reports",
    }


@pytest.mark.slow
def test_the_schedule_renders_every_report_on_an_external_cluster(cluster, area):
    command = [
        "schedule",
        "--since",
        MONTHS[0],
        "--until",
        MONTHS[-1],
        "--data-dir",
        str(area["data"].data),
        "--out-dir",
        str(area["out"]),
        "--notebook",
        str(area["template"]),
        "--scheduler",
        cluster["address"],
    ]
    assert main(command) == 0
    for month in MONTHS:
        assert (area["out"] / FOCUS_COMMUNITY / month / "report.html").is_file()
        assert (overview_dir(area["out"], AREA, month) / "index.html").is_file()
    log = (area["out"] / schedule.LOG_FILE).read_text(encoding="utf-8")
    assert f"dask: {cluster['address']}" in log
    workers = {line.split("(worker ")[1].split(",")[0] for line in log.splitlines() if "(worker " in line}
    assert len(workers) == 2  # both workers took reports
    assert "kernel run 2)" in log  # a worker's second report reused its warm kernel


@pytest.mark.slow
def test_a_killed_worker_s_report_is_retried_and_nothing_half_written_is_published(
    cluster, area, monkeypatch
):
    monkeypatch.setenv("JIESU_TEST_SLOW_SECONDS", "6")  # reaches the workers' kernels: time to kill one
    outcome = {}

    def run() -> None:
        outcome["result"] = schedule.run_schedule(
            MONTHS[0],
            MONTHS[-1],
            data_dir=area["data"].data,
            out_dir=area["out"],
            notebook=area["template"],
            scheduler=cluster["address"],
            progress=False,
        )

    thread = threading.Thread(target=run)
    thread.start()
    victim = cluster["workers"][0]
    deadline = time.monotonic() + 120
    staging = []
    while time.monotonic() < deadline and not staging:  # kill the first worker once it is rendering
        staging = [p for p in area["out"].rglob(f".*rendering-*-{victim.pid}-*")]
        time.sleep(0.2)
    assert staging, "the first worker never started a report"
    os.kill(victim.pid, signal.SIGKILL)
    thread.join(timeout=300)
    result = outcome["result"]
    assert result.ok and sorted(m for _, m in result.rendered) == list(MONTHS)
    for month in MONTHS:  # every published report is whole
        folder = area["out"] / FOCUS_COMMUNITY / month
        assert (folder / "report.html").is_file() and json.loads((folder / "stamp.json").read_text())[
            "month"
        ] == month
    assert {t["worker_pid"] for t in result.timings} == {cluster["workers"][1].pid}
    # the retry of the killed month found the killed render's staging folder ownerless and cleared it
    assert not [p for p in area["out"].rglob(".*rendering-*")]
    monkeypatch.delenv("JIESU_TEST_SLOW_SECONDS")
    again = schedule.run_schedule(
        MONTHS[0],
        MONTHS[-1],
        data_dir=area["data"].data,
        out_dir=area["out"],
        notebook=area["template"],
        scheduler=cluster["address"],
        progress=False,
    )
    assert again.ok and again.rendered == [] and len(again.current) == len(MONTHS)
