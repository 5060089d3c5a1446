"""Publishing a rendered report folder atomically, and cleaning what killed runs left behind."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

from jiesu.storage import write_bytes

_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unsupported."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


PUBLISHED_FILE_MODE = 0o644
PUBLISHED_DIR_MODE = 0o755
"""Published reports are world-readable (a web server running as another user serves them) and
writable by their owner only; temporary files are created 0600/0700, so this is set explicitly."""


def _readable(folder: Path) -> None:
    """Give the rendered folder the published permissions (files 0644, folders 0755)."""
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, PUBLISHED_DIR_MODE)
        for name in files:
            os.chmod(os.path.join(root, name), PUBLISHED_FILE_MODE)


def publish(staging: Path, target: Path) -> None:
    """Put the fully rendered folder ``staging`` at ``target`` (same filesystem).

    New target: one ``os.replace``.  Existing target: one atomic exchange (Linux ``renameat2``), after
    which the old version (now at ``staging``) is deleted; where exchange is unsupported, the old
    folder is renamed aside, the new one renamed in, and the old one deleted (restored on error).
    """
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, aside)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def mirror_figures(source: Path, destination: Path) -> list[Path]:
    """Copy the published static figures of a report to ``destination`` (atomically, file by file),
    removing figures there that the report no longer has.  Returns the written paths."""

    files = sorted(source.glob("*")) if source.is_dir() else []
    names = {f.name for f in files}
    if destination.is_dir():
        for old in destination.iterdir():
            if old.is_file() and old.name not in names:
                old.unlink()
    return [write_bytes(destination / f.name, f.read_bytes()) for f in files]


ABANDONED_AFTER_SECONDS = 6 * 3600
"""A staging folder of another host is removed only once this old (its owner cannot be checked)."""


def staging_dir(parent: Path, month: str) -> Path:
    """A new private staging folder beside the published one: ``.<month>.rendering-<host>-<pid>-XXXX``
    (the owner is in the name, so the next run can tell a killed run's leftovers from a live one)."""
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{month}.rendering-{socket.gethostname()}-{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _owner_gone(folder: Path) -> bool:
    """Whether the process that made staging ``folder`` is gone (this host only; else: too old)."""
    parts = folder.name.split(".rendering-", 1)[-1].rsplit("-", 2)
    if len(parts) == 3 and parts[0] == socket.gethostname() and parts[1].isdigit():
        pid = int(parts[1])
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        try:  # killed but not yet reaped (a zombie) is gone too
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except (OSError, IndexError):
            return False
    return time.time() - folder.stat().st_mtime > ABANDONED_AFTER_SECONDS


def _remove_abandoned_staging(folder: Path, month: str) -> None:
    """Delete staging folders of ``month`` left by a killed run: its owner process is gone (a folder of
    another host: older than six hours), so a concurrent run's folder is never touched."""
    for leftover in folder.glob(f".{month}.rendering-*"):
        if leftover.is_dir() and _owner_gone(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
