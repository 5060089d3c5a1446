"""The one error type the CLI turns into a single clear line on stderr.

Library code raises :class:`JiesuError` (or a subclass) for problems the *user* can fix: bad input
files, missing data, wrong parameters, an output folder that cannot be written, a folder another run
holds.  Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence


class JiesuError(Exception):
    """A user-facing error. ``str(err)`` must be one line that says what is wrong and where."""


def _columns_text(column: str | Sequence[str] | None) -> str | None:
    if column is None:
        return None
    if isinstance(column, str):
        return f"列 column '{column}'"
    names = list(column)
    if len(names) == 1:
        return f"列 column '{names[0]}'"
    return "列 columns " + ", ".join(f"'{name}'" for name in names)


class DataError(JiesuError):
    """An input file breaks the data contract.

    Parameters
    ----------
    file : the offending file (path or name as the user knows it).
    message : what is wrong, in one sentence.
    column : the offending column, or several columns for a rule that reads more than one.
    rows : 1-based row numbers as seen in the file (CSV: physical lines, header = 1; XLSX: sheet
        rows), first five only.
    """

    def __init__(self, file, message: str, *, column: str | Sequence[str] | None = None, rows=None):
        self.file = str(file)
        self.column = column
        self.rows = list(rows)[:5] if rows is not None else []
        self.message = message
        where = [f"文件 file {self.file}"]
        columns = _columns_text(column)
        if columns is not None:
            where.append(columns)
        if self.rows:
            where.append("行 rows " + ", ".join(str(r) for r in self.rows))
        super().__init__(f"{'; '.join(where)}: {message}")

    def __reduce__(self):  # picklable across worker processes (the default would lose the keywords)
        return _data_error, (self.file, self.message, self.column, self.rows)


def _data_error(file, message, column, rows) -> DataError:
    return DataError(file, message, column=column, rows=rows)


class MissingDataError(JiesuError):
    """Expected data (raw or processed) is not there yet; the message says which command makes it."""


class StoreError(JiesuError):
    """The processed store is inconsistent (a table does not match its manifest, a half-written or
    foreign layout); the message names the folder and the command that rebuilds it."""


class OutputError(JiesuError):
    """An output folder cannot be written (read-only, no permission, disk full); nothing was published."""


class LockedError(JiesuError):
    """Another process holds the lock on a folder; the message names it (pid, host, since when)."""


# errno values that mean "the user must fix the folder", with the words the message uses for each
_OUTPUT_ERRNOS = {
    errno.EACCES: "权限不足 permission denied",
    errno.EPERM: "权限不足 operation not permitted",
    errno.EROFS: "只读文件系统 read-only file system",
    errno.ENOSPC: "磁盘已满 no space left on device",
    errno.EDQUOT: "超出磁盘配额 disk quota exceeded",
}


def output_error(err: OSError, folder: str | os.PathLike, fix: str) -> OutputError | None:
    """The :class:`OutputError` for an ``OSError`` raised while writing below ``folder``, or ``None``
    when the error is not one the user can fix by freeing space or changing permissions.

    ``fix`` is the command to run afterwards (e.g. ``jiesu ingest --data-dir /x``).
    """
    reason = _OUTPUT_ERRNOS.get(err.errno)
    if reason is None:
        return None
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = f"free some space, then run `{fix}` again"
    else:
        advice = f"make it writable (or choose another output folder), then run `{fix}` again"
    return OutputError(f"无法写入输出目录 cannot write the output folder {folder} ({reason}): {advice}")
