"""Process locks on an output folder: one writer at a time, and everyone can see who it is.

A lock is an exclusive ``fcntl.flock`` on ``<folder>/.lock``.  The kernel releases it when the holder
exits, however it exits (``kill -9`` included), so a lock is never left stale.  While it holds the
lock, the holder keeps its identity in the file (JSON: ``pid``, ``host``, ``started_at`` in UTC,
``purpose``, ``command``), so a second process can say *who* is in the way.

``jiesu ingest`` holds the lock of ``data/processed`` for a whole run; the report scheduler can hold
the lock of its reports folder the same way::

    from jiesu import locks

    with locks.hold(out_dir, purpose="jiesu schedule", timeout=60, on_wait=print_waiting):
        ...  # only one scheduler writes out_dir

``timeout=0`` refuses at once when the folder is locked; a positive timeout waits (polling every
``poll`` seconds, calling ``on_wait(holder)`` once) and then refuses.  Refusing raises
:class:`jiesu.errors.LockedError` naming the holder.  A folder that cannot be written raises
:class:`jiesu.errors.OutputError`.  ``flock`` works on local file systems and on NFS v4; the folder
must not be shared between machines over anything weaker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jiesu.errors import LockedError, OutputError, output_error

LOCK_FILE = ".lock"


@dataclass(frozen=True)
class Holder:
    """Who holds (or, for :func:`read_holder`, last held) a folder's lock."""

    pid: int
    host: str
    started_at: str
    purpose: str
    command: str = ""

    def describe(self) -> str:
        """``pid 123 on host web1 (jiesu ingest, since 2020-10-01T08:00:00+00:00)``."""
        return f"pid {self.pid} on host {self.host} ({self.purpose}, since {self.started_at})"

    def alive(self) -> bool | None:
        """Whether the process still runs: ``None`` when it ran on another host (cannot tell)."""
        return process_alive(self.pid, self.host)


def process_alive(pid: int, host: str) -> bool | None:
    """Whether process ``pid`` on ``host`` still runs (a zombie, killed but not yet reaped, does not);
    ``None`` for another host."""
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): it exists
    return state not in ("Z", "X")


def _me(purpose: str) -> Holder:
    return Holder(
        pid=os.getpid(),
        host=socket.gethostname(),
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        purpose=purpose,
        command=" ".join(sys.argv)[:500],
    )


def read_holder(folder: str | os.PathLike) -> Holder | None:
    """The identity written in ``folder``'s lock file (whether or not the lock is held now), or ``None``."""
    try:
        data = json.loads((Path(folder) / LOCK_FILE).read_text(encoding="utf-8"))
        return Holder(**{key: data[key] for key in ("pid", "host", "started_at", "purpose")})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def holder(folder: str | os.PathLike) -> Holder | None:
    """Who holds ``folder``'s lock right now, or ``None`` if nobody does (never blocks)."""
    path = Path(folder) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_holder(folder) or Holder(0, "?", "?", "an unknown process")
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class FolderLock:
    """An exclusive lock on ``folder`` (see the module docstring); use :func:`hold` for the common case.

    Parameters
    ----------
    folder : the folder to lock (created if missing).
    purpose : what the holder does, shown to whoever waits (e.g. ``"jiesu ingest"``).
    timeout : seconds to wait for a busy lock; 0 refuses at once.
    poll : seconds between attempts while waiting.
    on_wait : called once with the current :class:`Holder` when the lock is busy and we wait.
    fix : the command to run again after fixing an unwritable folder (for the error message).
    hint : what the refusal message tells the user to do about the holder.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        *,
        purpose: str,
        timeout: float = 0.0,
        poll: float = 0.1,
        on_wait: Callable[[Holder], None] | None = None,
        fix: str | None = None,
        hint: str = "wait for it to finish, or stop that process if it is stuck",
    ):
        self.folder = Path(folder)
        self.purpose = purpose
        self.timeout = max(0.0, float(timeout))
        self.poll = poll
        self.on_wait = on_wait
        self.fix = fix or f"{purpose}"
        self.hint = hint
        self._fd: int | None = None

    def _open(self) -> int:
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputError(
                f"{self.folder} 不是目录 is not a folder: choose an output folder, then run `{self.fix}` again"
            )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            mapped = output_error(err, self.folder, self.fix)
            if mapped is None:
                raise
            raise mapped from err

    def acquire(self) -> Holder:
        """Take the lock (waiting up to ``timeout``); returns the identity written into the lock file."""
        fd = self._open()
        deadline = time.monotonic() + self.timeout
        waited = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    current = read_holder(self.folder) or Holder(0, "?", "?", "an unknown process")
                    if time.monotonic() >= deadline:
                        raise LockedError(
                            f"{self.folder} 正被占用 is locked by {current.describe()}: {self.hint}"
                        ) from None
                    if not waited and self.on_wait is not None:
                        self.on_wait(current)
                    waited = True
                    time.sleep(min(self.poll, max(0.0, deadline - time.monotonic())))
            me = _me(self.purpose)
            self._write_identity(fd, me)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return me

    def _write_identity(self, fd: int, me: Holder) -> None:
        data = json.dumps(me.__dict__, ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise OutputError(
                f"无法写入输出目录 cannot write the output folder {self.folder} (磁盘已满 no space left on "
                f"device): free some space, then run `{self.fix}` again"
            ) from err

    def release(self) -> None:
        """Release the lock (the identity stays in the file; :func:`holder` tells it is no longer held)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Holder:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextlib.contextmanager
def hold(folder: str | os.PathLike, *, purpose: str, timeout: float = 0.0, **options) -> Iterator[Holder]:
    """``with hold(folder, purpose=..., timeout=...) as me:`` — :class:`FolderLock` as a context manager."""
    lock = FolderLock(folder, purpose=purpose, timeout=timeout, **options)
    me = lock.acquire()
    try:
        yield me
    finally:
        lock.release()
