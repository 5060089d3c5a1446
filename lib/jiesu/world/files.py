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
    from openpyxl import Workbook  # heavy, and only the Excel files of a world need it

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
    from openpyxl.utils import get_column_letter  # heavy, Excel files only

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
        _check_strings([rows[name][prototypes[name]]])
        if _row_xml(rows[name][prototypes[name]], 2, letters, date_style) != proto_xml:
            raise _Unsupported("prototype row differs")
        _check_strings(rows[name])
        body = "".join(_row_xml(row, r, letters, date_style) for r, row in enumerate(rows[name], start=2))
        parts[entry] = (xml[:head_end] + body + xml[tail_start:]).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for filename, body in parts.items():
            dst.writestr(
                zipfile.ZipInfo(filename, date_time=FIXED_ZIP_TIME), body, compress_type=zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_MAX_CELL = 32767


def _check_strings(rows: list[list]) -> None:
    """Refuse (to the openpyxl path) strings openpyxl writes differently or not at all: formulas (``=…``),
    error codes, over-long cells and characters XML cannot hold."""
    texts = [v for row in rows for v in row if v.__class__ is str and v]
    if any(len(v) > _MAX_CELL or (v[0] == "=" and len(v) > 1) or v in _ERROR_CODES for v in texts):
        raise _Unsupported("a formula, an error code or an over-long cell")
    if _ILLEGAL.search("\n".join(texts)):
        raise _Unsupported("a character XML cannot hold")


def _row_xml(row: list, r: int, letters: list[str], date_style: str | None) -> str:
    """One ``<row>`` as openpyxl's write-only ElementTree writer serializes it (strings inline, with
    ``xml:space`` when they start or end with white space; numbers as openpyxl formats them; datetimes
    as Excel serials with the date style; None cells left out).  Strings must have passed
    :func:`_check_strings`."""
    parts = [f'<row r="{r}">']
    for letter, v in zip(letters, row, strict=True):
        if v is None:
            continue
        cls = v.__class__
        if cls is str:
            if not v:
                parts.append(f'<c r="{letter}{r}" t="inlineStr" />')
                continue
            space = ' xml:space="preserve"' if (v[0].isspace() or v[-1].isspace()) and v.strip() else ""
            if "&" in v or "<" in v or ">" in v:
                v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            parts.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{v}</t></is></c>')
        elif isinstance(v, datetime):
            if date_style is None:
                raise _Unsupported("datetime without a registered style")
            serial = _to_excel(v)
            if serial is None:
                parts.append(f'<c r="{letter}{r}" s="{date_style}" t="n" />')
            else:
                parts.append(f'<c r="{letter}{r}" s="{date_style}" t="n"><v>{_safe_string(serial)}</v></c>')
        elif (cls is int or cls is float) and math.isfinite(v):
            parts.append(f'<c r="{letter}{r}" t="n"><v>{_safe_string(v)}</v></c>')
        else:
            raise _Unsupported(cls.__name__)
    if len(parts) == 1:
        raise _Unsupported("empty row")
    parts.append("</row>")
    return "".join(parts)


def _to_excel(v):
    from openpyxl.utils.datetime import to_excel  # heavy, Excel files only

    return to_excel(v)


def _safe_string(v) -> str:
    from openpyxl.compat import safe_string  # heavy, Excel files only

    return safe_string(v)


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
