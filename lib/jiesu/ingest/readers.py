"""Reading raw exports as they come: CSV in UTF-8 / UTF-8-BOM / GB18030, XLSX (also with a merged
two-row header), and the WeChatMsg/留痕 chat layout.

Readers only *read*: every cell comes back as a Python object (``str`` for CSV; ``str``, number or
``datetime`` for XLSX) with empty cells as ``None``; typing and checking happen in
:mod:`jiesu.ingest.validation`.  Each reader returns a :class:`RawTable` that remembers how many header
rows the file had, so errors can name rows as the user sees them in Excel.
"""

from __future__ import annotations

import codecs
import io
import os
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import openpyxl
import pandas as pd

from jiesu.contract import Table
from jiesu.errors import DataError

UTF8_BOM = codecs.BOM_UTF8
# charset-normalizer names the Chinese family in several ways; GB18030 is the superset of all of them.
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp936", "euc_cn"}


@dataclass(frozen=True)
class RawTable:
    """Cells of one raw file under their header as written (``frame``), with reading facts.

    ``header_rows`` is 1 for a normal header and 2 for a merged two-row Excel header; the first data
    row is file row ``header_rows + 1`` (1-based, as Excel shows it).
    """

    path: Path
    frame: pd.DataFrame
    encoding: str
    header_rows: int = 1

    def file_row(self, index) -> int:
        """1-based row number in the file of the data row at positional ``index``."""
        return int(index) + self.header_rows + 1


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


def read_csv(path: str | os.PathLike) -> RawTable:
    """Read a CSV export of any supported encoding; all cells as ``str`` (empty → ``None``)."""
    path = Path(path)
    data = path.read_bytes()
    if not data.strip(b" \t\r\n" + UTF8_BOM):
        raise DataError(path.name, "空文件 empty file: no header and no rows")
    try:
        encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (ValueError, UnicodeDecodeError) as err:
        raise DataError(
            path.name, f"无法识别编码 cannot detect the text encoding ({err}); save as UTF-8 or GB18030"
        ) from err
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except pd.errors.ParserError as err:
        raise DataError(path.name, f"CSV 格式错误 malformed CSV: {str(err).splitlines()[0]}") from err
    frame.columns = [_clean_header(c) for c in frame.columns]
    frame = frame.astype(object).where(frame.ne(""), None)
    _require_rows(path, frame)
    return RawTable(path, frame.reset_index(drop=True), encoding, 1)


def read_xlsx(path: str | os.PathLike, table: Table | None = None) -> RawTable:
    """Read the first sheet of an XLSX workbook.

    A merged two-row header (a group title merged across columns above the real headers, or a
    header merged down over both rows) is recognized by comparing both readings with the contract
    headers of ``table`` and keeping the one that matches more.
    """
    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a broken workbook
        raise DataError(path.name, f"无法打开 Excel cannot open the workbook: {type(err).__name__}") from err
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    rows = [row for row in rows if any(_present(v) for v in row)]
    if not rows:
        raise DataError(path.name, "空文件 empty file: no header and no rows")
    width = max(len(row) for row in rows)
    rows = [row + [None] * (width - len(row)) for row in rows]
    header_rows, headers = _choose_header(rows, table)
    body = rows[header_rows:]
    keep = [j for j, h in enumerate(headers) if h or any(_present(r[j]) for r in body)]
    frame = pd.DataFrame(
        [[_cell(r[j]) for j in keep] for r in body],
        columns=[headers[j] or f"列{j + 1}" for j in keep],
        dtype=object,
    )
    _require_rows(path, frame)
    return RawTable(path, frame, "xlsx", header_rows)


def read_raw(path: str | os.PathLike, table: Table | None = None) -> RawTable:
    """Read a raw file by extension (``.csv`` or ``.xlsx``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, table)
    raise DataError(path.name, f"不支持的文件类型 unsupported file type '{suffix}': use .csv or .xlsx")


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


def _choose_header(rows: list[list], table: Table | None) -> tuple[int, list[str]]:
    first = [_clean_header(v) for v in rows[0]]
    if table is None or len(rows) < 2:
        return 1, first
    expected = set(table.headers)
    second = [_clean_header(v) for v in rows[1]]
    # merged cells are read as empty except their top-left cell: the lower row wins where present
    combined = [low or high for high, low in zip(first, second, strict=True)]
    if len(expected & set(combined)) > len(expected & set(first)):
        return 2, combined
    return 1, first


def _require_rows(path: Path, frame: pd.DataFrame) -> None:
    if len(frame.columns) == 0:
        raise DataError(path.name, "空文件 empty file: no header and no rows")
    if len(frame) == 0:
        raise DataError(path.name, "只有表头、没有数据行 header only: the file has no data rows")
