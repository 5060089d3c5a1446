"""Deterministic CSV and XLSX bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pandas as pd

from jiesu.world.files import FIXED_ZIP_TIME, csv_bytes, write_world_files, xlsx_bytes

FRAME = pd.DataFrame(
    {
        "编号": ["A1", "A2", "A3"],
        "时间": [datetime(2020, 1, 2, 3, 4, 5), datetime(2020, 2, 3, 4, 5, 6), None],
        "人数": pd.array([1, None, 3], dtype="Int64"),
        "内容": ["暖气不热", "", "楼道灯坏了"],
    }
)


def test_xlsx_bytes_are_the_same_every_time_and_read_back():
    first, second = xlsx_bytes({"工单": FRAME}), xlsx_bytes({"工单": FRAME})
    assert first == second
    back = pd.read_excel(io.BytesIO(first), dtype={"编号": str})
    assert back["编号"].tolist() == ["A1", "A2", "A3"]
    assert back["时间"].iloc[0] == pd.Timestamp("2020-01-02 03:04:05") and pd.isna(back["时间"].iloc[2])
    assert pd.isna(back["人数"].iloc[1]) and back["人数"].iloc[2] == 3


def test_xlsx_zip_entries_carry_the_fixed_date():
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes({"a": FRAME}))) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {FIXED_ZIP_TIME}
        assert b"2020-09-30T00:00:00Z" in z.read("docProps/core.xml")


def test_csv_encodings():
    assert csv_bytes(FRAME, "utf-8-sig").startswith(b"\xef\xbb\xbf")
    legacy = csv_bytes(FRAME, "gb18030")
    assert legacy.decode("gb18030").splitlines()[0] == "编号,时间,人数,内容"
    assert b"\r\n" not in csv_bytes(FRAME)


def test_truth_is_written_last(tmp_path):
    order = []

    def maker(name):
        def make():
            order.append(name)
            assert not (tmp_path / "planted_truth.json").exists()
            return name.encode()

        return make

    write_world_files(tmp_path, {"a.csv": maker("a.csv"), "b.csv": maker("b.csv")}, {"meta": {}})
    assert order == ["a.csv", "b.csv"] and (tmp_path / "planted_truth.json").exists()


MIXED = pd.DataFrame(
    {
        "文本": [" 前后有空格 ", "a & b < c > d", "", "普通", "换行\n也行"],
        "整数": [1, 2, 3, 40000000000, -5],
        "小数": [0.1, 2.5, 1e-7, 123456.789, 1 / 3],
        "可空": pd.array([1, None, 3, None, 5], dtype="Int64"),
        "时间": pd.to_datetime(
            ["2020-01-02 03:04:05", None, "2019-12-31 23:59:59", "2018-03-01 00:00:00", None]
        ),
        "混合": ["2019年3月5日", 43000, "2019/3/5", None, "2019-03-05"],
    }
)


def _openpyxl_only(sheets):
    from jiesu.world import files

    rows = {
        n: [[files._cell(v) for v in r] for r in f.itertuples(index=False, name=None)]
        for n, f in sheets.items()
    }
    return files._openpyxl_xlsx({n: (list(f.columns), rows[n]) for n, f in sheets.items()})


def test_fast_rows_give_openpyxls_bytes_exactly():
    from jiesu.world import files

    sheets = {"混合": MIXED, "工单": FRAME}
    rows = {
        n: [[files._cell(v) for v in r] for r in f.itertuples(index=False, name=None)]
        for n, f in sheets.items()
    }
    assert files._fast_xlsx(sheets, rows) == _openpyxl_only(sheets)  # the fast path, no fallback
    assert xlsx_bytes(sheets) == _openpyxl_only(sheets)


def test_a_value_the_fast_path_cannot_write_falls_back_to_openpyxl():
    formula = pd.DataFrame({"a": ["=1+1", "x"], "b": [True, False]})
    assert xlsx_bytes({"s": formula}) == _openpyxl_only({"s": formula})
