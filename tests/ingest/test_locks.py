"""Folder locks (:mod:`jiesu.locks`): one holder at a time, the holder is named, a killed holder never
leaves a stale lock, and the lock is not inherited by child processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from ingest_fixtures import child_env

from jiesu import locks
from jiesu.errors import LockedError


def _hold_in_child(folder, ready):
    """A child process that takes the lock, says so by creating ``ready``, then sleeps."""
    code = textwrap.dedent(
        f"""
        import pathlib, time
        from jiesu import locks
        with locks.hold({str(folder)!r}, purpose="test holder"):
            pathlib.Path({str(ready)!r}).touch()
            time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], env=child_env())
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert child.poll() is None, "the lock-holding child died"
        assert time.monotonic() < deadline, "the child never took the lock"
        time.sleep(0.02)
    return child


def test_second_holder_is_refused_with_the_holder_named(tmp_path):
    child = _hold_in_child(tmp_path / "out", tmp_path / "ready")
    try:
        with pytest.raises(LockedError) as caught:
            with locks.hold(tmp_path / "out", purpose="second"):
                pass
        host = socket.gethostname()
        assert str(caught.value).startswith(
            f"{tmp_path / 'out'} 正被占用 is locked by pid {child.pid} on host {host} (test holder, since "
        )
        assert str(caught.value).endswith("): wait for it to finish, or stop that process if it is stuck")
        assert locks.holder(tmp_path / "out").pid == child.pid
    finally:
        child.kill()
        child.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    child = _hold_in_child(tmp_path / "out", tmp_path / "ready")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert locks.holder(tmp_path / "out") is None
    assert locks.read_holder(tmp_path / "out").pid == child.pid  # the identity stays, the lock does not
    with locks.hold(tmp_path / "out", purpose="next") as me:
        assert me.pid == os.getpid() and locks.read_holder(tmp_path / "out").purpose == "next"


def test_waiting_gets_the_lock_when_the_holder_exits(tmp_path):
    child = _hold_in_child(tmp_path / "out", tmp_path / "ready")
    seen = []

    def on_wait(holder):
        seen.append(holder.pid)
        os.kill(child.pid, signal.SIGTERM)

    started = time.monotonic()
    with locks.hold(tmp_path / "out", purpose="waiter", timeout=20, poll=0.05, on_wait=on_wait):
        assert seen == [child.pid]
    assert time.monotonic() - started < 10
    child.wait()


def test_waiting_runs_out(tmp_path):
    child = _hold_in_child(tmp_path / "out", tmp_path / "ready")
    try:
        started = time.monotonic()
        with pytest.raises(LockedError):
            with locks.hold(tmp_path / "out", purpose="waiter", timeout=0.3, poll=0.05):
                pass
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        child.kill()
        child.wait()


def test_child_processes_do_not_inherit_the_lock(tmp_path):
    with locks.hold(tmp_path / "out", purpose="parent"):
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert locks.holder(tmp_path / "out") is None  # released although the child still runs
    finally:
        sleeper.kill()
        sleeper.wait()


def test_process_alive():
    assert locks.process_alive(os.getpid(), socket.gethostname()) is True
    assert locks.process_alive(os.getpid(), "another-host") is None
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert locks.process_alive(dead.pid, socket.gethostname()) is False


def test_a_killed_but_not_yet_reaped_process_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(child.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while locks.process_alive(child.pid, socket.gethostname()):
        assert time.monotonic() < deadline, "a zombie still counts as alive"
        time.sleep(0.02)
    assert child.poll() is not None  # reaped only now: it was a zombie above
