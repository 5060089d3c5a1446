"""The one error type the CLI turns into a single clear line on stderr.

Library code raises :class:`JiesuError` (or a subclass) for problems the *user* can fix: bad input
files, missing data, wrong parameters.  Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class JiesuError(Exception):
    """A user-facing error. ``str(err)`` must be one line that says what is wrong and where."""


class DataError(JiesuError):
    """An input file breaks the data contract.

    Parameters
    ----------
    file : the offending file (path or name).
    message : what is wrong, in one sentence.
    column : the offending column, if any.
    rows : 1-based row numbers as seen in the file (header = row 1), first few only.
    """

    def __init__(self, file, message: str, *, column: str | None = None, rows=None):
        self.file = str(file)
        self.column = column
        self.rows = list(rows)[:5] if rows is not None else []
        self.message = message
        where = [f"文件 file {self.file}"]
        if column is not None:
            where.append(f"列 column '{column}'")
        if self.rows:
            where.append("行 rows " + ", ".join(str(r) for r in self.rows))
        super().__init__(f"{'; '.join(where)}: {message}")


class MissingDataError(JiesuError):
    """Expected data (raw or processed) is not there yet; the message says which command makes it."""
