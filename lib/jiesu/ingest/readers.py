"""Reading raw exports as they come: CSV in UTF-8 / UTF-8-BOM / GB18030 / Big5 with a comma, tab or
semicolon, XLSX (the data sheet found by its headers, a title row or a merged two-row header above the
data), and the WeChatMsg/留痕 chat layout.

Readers only *read*: every cell comes back as a Python object (``str`` for CSV; ``str``, number or
``datetime`` for XLSX) with empty cells as ``None``; typing and checking happen in
:mod:`jiesu.ingest.validation`.  Each reader returns a :class:`RawTable` that remembers where each data
row is in the file, so errors name rows as the user sees them: the *physical line* of a CSV (header =
line 1, blank lines counted, a quoted cell spanning lines counts from its first line) and the *sheet
row* of an XLSX.

What cannot be read gets its own message: a path that is a folder, a symbolic-link loop or a link to
nothing, a file the user may not read, an empty file, a header written twice, an unsupported delimiter,
a row with more cells than the header, a broken workbook.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd

from jiesu.chinese import to_halfwidth, to_simplified
from jiesu.contract import Table
from jiesu.errors import DataError

UTF8_BOM = codecs.BOM_UTF8
# charset-normalizer names the Chinese family in several ways; GB18030 is the superset of all of them.
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp936", "euc_cn"}
DELIMITERS = (",", "\t", ";")
"""Delimiters a CSV export may use (detected from the header line)."""
_FOREIGN_DELIMITERS = ("|", "，", "^", "~", "、")
_DELIMITER_NAMES = {",": "comma ','", "\t": "tab", ";": "semicolon ';'"}
HEADER_SEARCH_ROWS = 10  # an XLSX header may sit below a title: look this many rows down
_CSV_FIELD_LIMIT = 1 << 28  # the csv module's default (128 KB per cell) would reject long cells unread


@dataclass(frozen=True)
class RawTable:
    """Cells of one raw file under their header as written (``frame``), with reading facts.

    ``rows`` holds the file row (1-based, as the user sees it) of each data row; ``header_rows`` is
    1 for a normal header and 2 for a merged two-row Excel header.  ``label`` is how messages name
    the file (its name, or its path below the raw folder for another community; the sheet is added
    when a workbook has several).
    """

    path: Path
    frame: pd.DataFrame
    encoding: str
    header_rows: int = 1
    rows: np.ndarray | None = None
    label: str = ""
    sheet: str | None = None
    header_line: int = 1  # file row of the (first) header row

    @property
    def name(self) -> str:
        return self.label or self.path.name

    def file_row(self, index) -> int:
        """1-based row number in the file of the data row at positional ``index``."""
        if self.rows is not None:
            return int(self.rows[int(index)])
        return int(index) + self.header_rows + 1


# ---------------------------------------------------------------- the path itself


def check_readable(path: str | os.PathLike, label: str | None = None) -> Path:
    """``path`` if it is a readable regular file; else :class:`DataError` saying exactly what it is."""
    path = Path(path)
    name = label or path.name
    try:
        info = path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise DataError(
                name, "符号链接循环 is a symbolic link loop: replace it by the file itself"
            ) from err
        if path.is_symlink():
            target = os.readlink(path)
            raise DataError(
                name, f"符号链接指向不存在的文件 is a symbolic link to a missing file ({target})"
            ) from err
        if err.errno == errno.EACCES:
            raise DataError(
                name, f"无法访问 cannot reach the file (permission denied on {path.parent})"
            ) from err
        raise DataError(name, "文件不存在 file not found") from err
    import stat

    if stat.S_ISDIR(info.st_mode):
        raise DataError(name, "是目录而不是文件 is a folder, not a file: put the export itself here")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(name, "不是普通文件 is not a regular file (a device, pipe or socket)")
    if not os.access(path, os.R_OK):
        raise DataError(name, _permission_message(path))
    return path


def _permission_message(path: Path) -> str:
    return (
        f"无法读取 cannot read the file (permission denied): give the user running jiesu read access, "
        f"e.g. `chmod a+r {path}`"
    )


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError as err:
        raise DataError(name, _permission_message(path)) from err
    except IsADirectoryError as err:
        raise DataError(name, "是目录而不是文件 is a folder, not a file: put the export itself here") from err


# ---------------------------------------------------------------- CSV


def detect_encoding(data: bytes) -> str:
    """The text encoding of a CSV export: ``utf-8-sig`` (BOM), ``utf-8``, ``gb18030``, or whatever
    charset-normalizer finds.

    Strict UTF-8 decoding is tried first (it almost never succeeds by accident on GBK bytes).
    Otherwise charset-normalizer decides on the first 256 KB; any simplified-Chinese legacy code page
    (GB2312, GBK, CP936) is read as GB18030, its superset.  When the detector proposes a non-Chinese
    code page but the bytes are valid GB18030, GB18030 wins: Chinese community exports are far more
    likely than, say, Windows-1252.  Raises ``ValueError`` if nothing decodes.
    """
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[: 1 << 18]).best()
    name = best.encoding.lower().replace("-", "_") if best is not None else ""
    if name in _CHINESE_ENCODINGS and name not in ("big5", "big5hkscs"):
        return "gb18030"
    if name in ("big5", "big5hkscs"):
        return name
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    if best is None:
        raise ValueError("no plausible text encoding")
    return best.encoding


def sniff_delimiter(text: str, name: str) -> str:
    """The delimiter of a CSV text: the one of :data:`DELIMITERS` that splits the header line into the
    most cells and the next lines into as many.  A header that none of them splits but that is full of
    another separator (``|``, a full-width comma, …) is an error naming it; a single column is
    comma-separated."""
    sample = text[: 1 << 16]
    lines = [line for line in sample.splitlines() if line.strip()][:20]
    if not lines:
        return ","
    best, best_score = ",", (0, 0.0)
    for delimiter in DELIMITERS:
        parsed = list(csv.reader(lines, delimiter=delimiter))
        width = len(parsed[0])
        if width < 2:
            continue
        consistent = sum(len(row) == width for row in parsed[1:]) / max(1, len(parsed) - 1)
        score = (round(consistent, 2) > 0.5, width)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score[1] >= 2:
        return best
    header = lines[0]
    for foreign in _FOREIGN_DELIMITERS:
        if header.count(foreign) >= 1 and all(line.count(foreign) >= 1 for line in lines[1:3]):
            raise DataError(
                name,
                f"不支持的分隔符 unsupported delimiter '{foreign}' (the header reads '{header[:60]}'): "
                "save the file separated by commas, tabs or semicolons",
                rows=[1],
            )
    return ","


def read_csv(path: str | os.PathLike, *, label: str | None = None) -> RawTable:
    """Read a CSV export of any supported encoding and delimiter; all cells as ``str`` (empty → ``None``)."""
    path = Path(path)
    name = label or path.name
    data = _read_bytes(check_readable(path, name), name)
    if not data.strip(b" \t\r\n" + UTF8_BOM):
        raise DataError(name, "空文件 empty file: no header and no rows")
    try:
        encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (ValueError, UnicodeDecodeError) as err:
        raise DataError(
            name, f"无法识别编码 cannot detect the text encoding ({err}); save as UTF-8 or GB18030"
        ) from err
    delimiter = sniff_delimiter(text, name)
    records, lines = _csv_records(text, delimiter, name)
    header, header_line = [_clean_header(v) for v in records[0]], lines[0]
    _check_duplicate_headers(header, name, header_line, letters=False)
    width = len(header)
    body = records[1:]
    if any(len(record) != width for record in body):  # rare: fix ragged rows one by one
        body = [
            _fit(record, width, line, name, delimiter) for record, line in zip(body, lines[1:], strict=True)
        ]
    columns = [h or f"列{j + 1}" for j, h in enumerate(header)]
    frame = pd.DataFrame(body, columns=columns, dtype=object) if body else pd.DataFrame(columns=columns)
    frame = frame.where(frame.ne(""), None)
    table = RawTable(path, frame, encoding, 1, np.asarray(lines[1:], dtype=np.int64), name, None, header_line)
    _require_rows(table)
    return table


def _fit(record: list[str], width: int, line: int, name: str, delimiter: str) -> list:
    """A row with fewer cells is padded (exporters drop trailing empty cells); one with more is an
    error unless the extra cells are empty (a trailing delimiter)."""
    if len(record) > width:
        if any(cell.strip() for cell in record[width:]):
            raise DataError(
                name,
                f"这一行有 {len(record)} 个字段，表头只有 {width} 个 row has {len(record)} cells but the "
                f"header has {width} (is the {_DELIMITER_NAMES[delimiter]} also used inside an unquoted cell?)",
                rows=[line],
            )
        return record[:width]
    return record + [""] * (width - len(record))


def _csv_records(text: str, delimiter: str, name: str) -> tuple[list[list[str]], list[int]]:
    """Non-empty records of a CSV text and the physical line each starts on (1-based)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, _CSV_FIELD_LIMIT))
    records, lines = [], []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                raise DataError(name, f"CSV 格式错误 malformed CSV: {err}", rows=[start]) from err
            if record:  # an empty line is not a row (but it still counts as a line)
                # a line that starts with newlines inside quotes still starts where its first character is
                records.append(record)
                lines.append(start)
    finally:
        csv.field_size_limit(previous)
    return records, lines


# ---------------------------------------------------------------- XLSX


def _canon(header: str) -> str:
    return to_simplified(to_halfwidth(header)).strip()


def expected_headers(table: Table | None, headers: Iterable[str] | None = None) -> set[str]:
    """Header spellings that identify a data sheet: the contract's headers and names, or ``headers``."""
    found = set()
    if table is not None:
        found |= {_canon(h) for h in table.headers} | {c.name for c in table.columns}
    if headers is not None:
        found |= {_canon(str(h)) for h in headers if h}
    return found


def read_xlsx(
    path: str | os.PathLike,
    table: Table | None = None,
    *,
    label: str | None = None,
    headers: Iterable[str] | None = None,
) -> RawTable:
    """Read the data sheet of an XLSX workbook.

    The data sheet and its header row are the ones whose cells hold the most of the expected headers
    (:func:`expected_headers` of ``table`` or ``headers``), looking :data:`HEADER_SEARCH_ROWS` rows
    down every sheet; a header merged over two rows (a group title merged across columns above the real
    headers, or a header merged down over both rows) is read as one.  Without expected headers, the
    first sheet with data.  Fully empty rows are skipped; row numbers stay those of the sheet.
    """
    import openpyxl

    path = Path(path)
    name = label or path.name
    check_readable(path, name)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError as err:
        raise DataError(name, _permission_message(path)) from err
    except Exception as err:  # openpyxl raises many types for a broken workbook
        raise DataError(name, f"无法打开 Excel cannot open the workbook: {type(err).__name__}") from err
    try:
        expected = expected_headers(table, headers)
        sheet, start, header_rows = _find_data_sheet(workbook, expected)
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        several = len(workbook.worksheets) > 1
        title = sheet.title
    finally:
        workbook.close()
    if several:
        name = f"{name} (工作表 sheet {title})"
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(_present(v) for v in row)]
    if not numbered:
        raise DataError(name, "空文件 empty file: no header and no rows")
    width = max(len(row) for _, row in numbered)
    numbered = [(n, row + [None] * (width - len(row))) for n, row in numbered]
    head = [row for n, row in numbered if start <= n < start + header_rows]
    header = _merge_header(head)
    header_line = start
    body = [(n, row) for n, row in numbered if n >= start + header_rows]
    keep = [j for j, h in enumerate(header) if h or any(_present(r[j]) for _, r in body)]
    _check_duplicate_headers([header[j] for j in keep], name, header_line, letters=True, positions=keep)
    frame = pd.DataFrame(
        [[_cell(r[j]) for j in keep] for _, r in body],
        columns=[header[j] or f"列{j + 1}" for j in keep],
        dtype=object,
    )
    raw = RawTable(
        path, frame, "xlsx", header_rows, np.asarray([n for n, _ in body], dtype=np.int64), name, title
    )
    _require_rows(raw)
    return raw


def _find_data_sheet(workbook, expected: set[str]):
    """``(sheet, first header row (1-based), header rows)`` of the best-matching sheet."""
    best = None
    fallback = None
    for sheet in workbook.worksheets:
        top = [list(row) for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS + 1, values_only=True)]
        filled = [(i + 1, row) for i, row in enumerate(top) if any(_present(v) for v in row)]
        if fallback is None and len(filled) >= 2:
            fallback = (sheet, filled[0][0], 1)
        singles = [_score([_clean_header(v) for v in row], expected) for _, row in filled]
        for k, (number, row) in enumerate(filled[:HEADER_SEARCH_ROWS]):
            score, rows = singles[k], 1
            if k + 1 < len(filled) and filled[k + 1][0] == number + 1:
                merged = _score(_merge_header([row, filled[k + 1][1]]), expected)
                if merged > max(singles[k], singles[k + 1]):  # a real two-row header, not a title above one
                    score, rows = merged, 2
            if score > 0 and (best is None or score > best[0]):
                best = (score, sheet, number, rows)
    if best is not None:
        return best[1], best[2], best[3]
    if fallback is not None:
        return fallback
    first = workbook.worksheets[0]
    return first, 1, 1


def _score(headers: list[str], expected: set[str]) -> int:
    return len(expected & {_canon(h) for h in headers if h})


def _merge_header(rows: list[list]) -> list[str]:
    """One header from one row, or from two (merged cells are empty except their top-left cell: the
    lower row wins where it has a value)."""
    first = [_clean_header(v) for v in rows[0]] if rows else []
    if len(rows) < 2:
        return first
    second = [_clean_header(v) for v in rows[1]]
    return [low or high for high, low in zip(first, second, strict=False)]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _check_duplicate_headers(
    headers: list[str], name: str, line: int, *, letters: bool, positions: list[int] | None = None
) -> None:
    """A header written twice is an error of its own: which copy holds the data cannot be guessed."""
    seen: dict[str, int] = {}
    for k, header in enumerate(headers):
        if not header:
            continue
        j = positions[k] if positions is not None else k
        if header in seen:
            where = (
                f"columns {_column_letter(seen[header])} and {_column_letter(j)}"
                if letters
                else f"columns {seen[header] + 1} and {j + 1}"
            )
            raise DataError(
                name,
                f"表头重复 duplicate header '{header}' ({where}): keep one of them",
                column=header,
                rows=[line],
            )
        seen[header] = j


# ---------------------------------------------------------------- any file


def read_raw(
    path: str | os.PathLike,
    table: Table | None = None,
    *,
    label: str | None = None,
    headers: Iterable[str] | None = None,
) -> RawTable:
    """Read a raw file by extension (``.csv``, ``.tsv``, ``.txt`` or ``.xlsx``/``.xlsm``).

    ``table`` (a contract table) or ``headers`` (columns the caller needs) help find an XLSX data
    sheet; ``label`` is how messages name the file (default: its name).
    """
    path = Path(path)
    name = label or path.name
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return read_csv(path, label=name)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, table, label=name, headers=headers)
    check_readable(path, name)
    raise DataError(name, f"不支持的文件类型 unsupported file type '{suffix}': use .csv or .xlsx")


# WeChatMsg message Type → the contract's 消息类型
WECHATMSG_TYPES = {1: "文本", 3: "图片", 34: "语音", 47: "表情", 10000: "系统", 10002: "系统"}
YUANYUAN = "园园"


def wechatmsg_to_messages(frame: pd.DataFrame, *, own_wxid: str | None = None) -> pd.DataFrame:
    """A typed WeChatMsg/留痕 export → rows of the ``messages`` contract table (canonical names).

    ``msg_id`` is ``f"{TalkerId}#{localId}"``; ``sender_wxid`` is ``Sender`` (for ``IsSender == 1``
    it is 园园's own id, ``own_wxid`` if known, else the name 园园); the time comes from
    ``CreateTime`` (Unix seconds) converted to Beijing time, falling back to ``StrTime``.
    """
    is_self = frame["IsSender"].astype("Int64").eq(1).fillna(False)
    sender = frame["Sender"].astype("string")
    fallback = own_wxid or YUANYUAN
    sender = sender.mask(is_self & (sender.isna() | sender.eq("")), fallback)
    created = pd.to_datetime(frame["CreateTime"].astype("Int64"), unit="s", utc=True, errors="coerce")
    sent_at = created.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).astype("datetime64[us]")
    if "StrTime" in frame:
        sent_at = sent_at.fillna(pd.to_datetime(frame["StrTime"], errors="coerce"))
    kinds = frame["Type"].astype("Int64").map(WECHATMSG_TYPES).astype("string").fillna("系统")
    content = frame["StrContent"].astype("string")
    placeholder = kinds.map({"图片": "[图片]", "语音": "[语音]", "表情": "[表情]"}).astype("string")
    content = content.mask(content.isna() | content.eq(""), placeholder)
    return pd.DataFrame(
        {
            "msg_id": frame["TalkerId"].astype("string")
            + "#"
            + frame["localId"].astype("Int64").astype("string"),
            "group_id": frame["TalkerId"].astype("string"),
            "sender_wxid": sender,
            "sender_name": frame["NickName"].astype("string") if "NickName" in frame else pd.NA,
            "sent_at": sent_at,
            "msg_type": kinds,
            "content": content,
            "is_self": is_self.astype(bool),
        },
        index=frame.index,
    )


# ---------------------------------------------------------------- helpers


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_header(value) -> str:
    return "" if value is None else str(value).replace("\ufeff", "").replace("\n", "").strip()


def _require_rows(table: RawTable) -> None:
    if len(table.frame.columns) == 0:
        raise DataError(table.name, "空文件 empty file: no header and no rows")
    if len(table.frame) == 0:
        raise DataError(table.name, "只有表头、没有数据行 header only: the file has no data rows")
