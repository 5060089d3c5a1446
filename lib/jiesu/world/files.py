"""Deterministic bytes of the raw files: the same tables always give the same CSV and XLSX bytes.

CSV: pandas with ``\\n`` line ends in the requested encoding.  XLSX: openpyxl's write-only workbook,
then re-zipped with fixed document times and zip entry dates (openpyxl stamps the current time).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.storage import write_bytes, write_json

FIXED_ZIP_TIME = (2020, 9, 30, 0, 0, 0)
FIXED_XLSX_TIME = datetime(2020, 9, 30, 0, 0, 0)
CREATOR = "jiesu simulate"


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    """``frame`` as CSV without the index (``utf-8-sig`` gives a BOM, ``gb18030`` a legacy export)."""
    return frame.to_csv(index=False, lineterminator="\n").encode(encoding)


def _cell(v):
    """A cell value openpyxl accepts: None for missing values, Python scalars for numpy ones."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v.item() if isinstance(v, np.generic) else v


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX with one sheet per item (header row + rows), with fixed times so the same data gives the
    same bytes.

    The bytes are openpyxl's (write-only workbook, ElementTree serializer).  Rows are serialized here,
    not cell by cell through openpyxl, which is ~20× faster: openpyxl writes the workbook with each
    sheet's header and one *prototype* row (so it registers the same styles), that row is checked to
    serialize identically here, and the sheet's rows are then put in its place.  Any value or
    environment the fast path does not reproduce exactly (see :func:`_row_xml`) falls back to
    openpyxl for everything.
    """
    rows = {
        name: [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        for name, frame in sheets.items()
    }
    try:
        return _fast_xlsx(sheets, rows)
    except _Unsupported:
        return _openpyxl_xlsx({name: (list(frame.columns), rows[name]) for name, frame in sheets.items()})


def _openpyxl_xlsx(sheets: dict[str, tuple[list, list[list]]]) -> bytes:
    """The workbook written cell by cell by openpyxl (header, rows per sheet), zip not yet fixed."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    wb.properties.creator = CREATOR
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name[:31])
        ws.append(header)
        for row in rows:
            ws.append(row)
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue())


class _Unsupported(Exception):
    """A value the fast row serializer does not write exactly as openpyxl would."""


def _fast_xlsx(sheets: dict[str, pd.DataFrame], rows: dict[str, list[list]]) -> bytes:
    from openpyxl.utils import get_column_letter

    prototypes = {}
    for name, sheet_rows in rows.items():
        if not sheet_rows:
            raise _Unsupported("empty sheet")
        dated = (i for i, row in enumerate(sheet_rows) if any(isinstance(v, datetime) for v in row))
        prototypes[name] = next(dated, 0)
    package = _openpyxl_xlsx(
        {name: (list(frame.columns), [rows[name][prototypes[name]]]) for name, frame in sheets.items()}
    )
    parts = {}
    with zipfile.ZipFile(io.BytesIO(package)) as src:
        for info in src.infolist():
            parts[info.filename] = src.read(info.filename)
    for number, (name, frame) in enumerate(sheets.items(), start=1):
        entry = f"xl/worksheets/sheet{number}.xml"
        xml = parts[entry].decode("utf-8")
        head_end = xml.index('<row r="2">')
        tail_start = xml.index("</sheetData>")
        proto_xml = xml[head_end:tail_start]
        style = re.search(r' s="(\d+)"', proto_xml)
        letters = [get_column_letter(i) for i in range(1, len(frame.columns) + 1)]
        date_style = style.group(1) if style else None
        if _row_xml(rows[name][prototypes[name]], 2, letters, date_style) != proto_xml:
            raise _Unsupported("prototype row differs")
        body = "".join(_row_xml(row, r, letters, date_style) for r, row in enumerate(rows[name], start=2))
        parts[entry] = (xml[:head_end] + body + xml[tail_start:]).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for filename, body in parts.items():
            dst.writestr(
                zipfile.ZipInfo(filename, date_time=FIXED_ZIP_TIME), body, compress_type=zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _row_xml(row: list, r: int, letters: list[str], date_style: str | None) -> str:
    """One ``<row>`` as openpyxl's write-only ElementTree writer serializes it: strings inline, numbers
    as openpyxl formats them, datetimes as Excel serials with the date style; None cells are left out."""
    from openpyxl.compat import safe_string
    from openpyxl.utils.datetime import to_excel

    cells = []
    for letter, v in zip(letters, row, strict=True):
        if v is None:
            continue
        ref = f"{letter}{r}"
        if isinstance(v, str):
            if (
                len(v) > 32767
                or _ILLEGAL.search(v)
                or (len(v) > 1 and v.startswith("="))
                or v in _ERROR_CODES
            ):
                raise _Unsupported(v[:20])
            if v == "":
                cells.append(f'<c r="{ref}" t="inlineStr" />')
                continue
            stripped = v.strip()
            space = ' xml:space="preserve"' if stripped and v != stripped else ""
            text = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif isinstance(v, datetime):
            if date_style is None:
                raise _Unsupported("datetime without a registered style")
            serial = to_excel(v)
            if serial is None:
                cells.append(f'<c r="{ref}" s="{date_style}" t="n" />')
            else:
                cells.append(f'<c r="{ref}" s="{date_style}" t="n"><v>{safe_string(serial)}</v></c>')
        elif type(v) in (int, float) and math.isfinite(v):
            cells.append(f'<c r="{ref}" t="n"><v>{safe_string(v)}</v></c>')
        else:
            raise _Unsupported(type(v).__name__)
    if not cells:
        raise _Unsupported("empty row")
    return f'<row r="{r}">' + "".join(cells) + "</row>"


def _fixed_zip(data: bytes) -> bytes:
    """The zip ``data`` re-written in name order with fixed entry dates and document times."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME),
                body,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def write_world_files(out: Path, files: dict[str, Callable[[], bytes]], truth: dict) -> None:
    """Write every file of ``files`` (name → bytes maker) into ``out``, atomically one by one, then
    ``planted_truth.json`` last: its presence means the world is complete."""
    out.mkdir(parents=True, exist_ok=True)
    for name, make in files.items():
        write_bytes(out / name, make())
    write_json(out / "planted_truth.json", truth)
