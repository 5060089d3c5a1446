"""Bad and awkward inputs: each kind gets its own specific error (or, for inputs that are merely
awkward, the correct reading), and a rejected input leaves the processed folder byte-for-byte as it
was.  Every case starts from the tiny hand-made raw folder of :mod:`ingest_fixtures` and corrupts
one file."""

from __future__ import annotations

import codecs
import shutil

import opencc
import openpyxl
import pandas as pd
import pytest
from ingest_fixtures import EPIDEMIC, MESSAGES, VISITS, tree_digest, write_mini_world

from jiesu.cli import main
from jiesu.errors import DataError
from jiesu.ingest.pipeline import ingest
from jiesu.ingest.readers import read_raw
from jiesu.ingest.validation import MAX_CELL_CHARS
from jiesu.processed import read_table


@pytest.fixture(scope="module")
def good_world(tmp_path_factory):
    """The good raw folder and its processed output, built once per module."""
    root = tmp_path_factory.mktemp("good")
    raw = write_mini_world(root / "raw")
    ingest(raw, root / "processed")
    return root


@pytest.fixture
def world(good_world, tmp_path):
    """A private copy of the good, already ingested world; returns (raw, processed, digest of processed)."""
    for part in ("raw", "processed"):
        shutil.copytree(good_world / part, tmp_path / part)  # copy2 keeps mtimes
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    return raw, processed, tree_digest(processed)


def _rejected(world, expected: str) -> DataError:
    raw, processed, before = world
    with pytest.raises(DataError) as caught:
        ingest(raw, processed)
    assert expected in str(caught.value)
    assert tree_digest(processed) == before, "a rejected input must not touch data/processed"
    return caught.value


def _edit_csv(path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode(encoding))


# ---------------------------------------------------------------- inputs that must be read correctly


def test_gb18030_file_reads(world):
    raw, processed, _ = world
    table = read_raw(raw / "epidemic_registration_2020.csv")
    assert table.encoding == "gb18030"
    assert table.frame.loc[2, "姓名"] == "張三"
    links = read_table(processed, "record_links")
    by_id = links.set_index("record_id")
    assert by_id.loc["E3", "household_id"] == "07-1-101"
    assert by_id.loc["E3", "resident_id"] == by_id.loc["V2", "resident_id"]  # 張三 = 张三


def test_bom_header_reads(world):
    raw, processed, _ = world
    path = raw / "buildings.csv"
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    table = read_raw(path)
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns)[0] == "社区"
    assert not ingest(raw, processed).skipped


def test_gbk_epidemic_file_with_bom_free_utf8_sibling_reads(world):
    raw, _, _ = world
    path = raw / "epidemic_registration_2020.csv"
    path.write_bytes(EPIDEMIC.encode("gbk"))
    assert read_raw(path).frame["姓名"].tolist() == ["王秀英", "李德明", "張三", "王秀兰"]


def test_big5_traditional_file_reads(world):
    raw, processed, _ = world
    traditional = opencc.OpenCC("s2t").convert(EPIDEMIC)  # headers, names, addresses and 兩居室
    assert "登記編號" in traditional and "六號樓三單元502室" in traditional
    (raw / "epidemic_registration_2020.csv").write_bytes(traditional.encode("big5"))
    assert read_raw(raw / "epidemic_registration_2020.csv").encoding == "big5"
    ingest(raw, processed)
    links = read_table(processed, "record_links").set_index("record_id")
    assert links.loc["E2", "household_id"] == "06-3-502"
    assert links.loc["E1", "resident_id"] == links.loc["P1", "resident_id"]
    households = read_table(processed, "households").set_index("household_id")
    assert households.loc["07-2-201", "housing_type"] == "三居室"


def test_excel_merged_two_row_header_reads(world):
    raw, processed, _ = world
    path = raw / "social_worker_visits.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(VISITS.columns)
    # row 1: 走访编号/走访日期/社工 merged down over two rows, then group titles merged across
    for j, header in enumerate(headers[:3], start=1):
        sheet.cell(1, j, header)
        sheet.merge_cells(start_row=1, start_column=j, end_row=2, end_column=j)
    sheet.cell(1, 4, "居民信息")
    sheet.merge_cells(start_row=1, start_column=4, end_row=1, end_column=6)
    sheet.cell(1, 7, "户情况")
    sheet.merge_cells(start_row=1, start_column=7, end_row=1, end_column=len(headers))
    for j, header in enumerate(headers[3:], start=4):
        sheet.cell(2, j, header)
    for i, row in enumerate(VISITS.itertuples(index=False), start=3):
        for j, value in enumerate(row, start=1):
            sheet.cell(i, j, None if pd.isna(value) else value)
    book.save(path)
    table = read_raw(path, __import__("jiesu.contract").contract.RAW["visits"])
    assert table.header_rows == 2
    assert list(table.frame.columns) == headers
    ingest(raw, processed)
    households = read_table(processed, "households").set_index("household_id")
    assert households.loc["06-3-502", "elderly"]
    assert households.loc["06-3-502", "persons"] == 3


def test_traditional_only_text_is_simplified_and_kept(world):
    raw, processed, _ = world
    _edit_csv(raw / "chat_messages.csv", "楼道灯不亮了 电话13900111111", "樓道燈不亮了，請幫忙")
    ingest(raw, processed)
    messages = read_table(processed, "messages").set_index("msg_id")
    assert messages.loc["m1", "text"] == "樓道燈不亮了，請幫忙"
    assert messages.loc["m1", "text_simplified"] == "楼道灯不亮了,请帮忙"


def test_emoji_only_messages_are_kept(world):
    raw, processed, _ = world
    _edit_csv(raw / "chat_messages.csv", "谢谢", "😀👍🌹")
    ingest(raw, processed)
    messages = read_table(processed, "messages").set_index("msg_id")
    assert len(messages) == 6
    assert messages.loc["m3", "text"] == "😀👍🌹"
    assert messages.loc["m3", "text_simplified"] == "😀👍🌹"


# ---------------------------------------------------------------- inputs that must be rejected


def test_missing_column_is_named(world):
    raw, _, _ = world
    frame = pd.read_csv(raw / "yuanyuan_friends.csv", dtype=str).drop(columns=["添加日期"])
    frame.to_csv(raw / "yuanyuan_friends.csv", index=False)
    error = _rejected(world, "缺少必需列 missing required column '添加日期'")
    assert "yuanyuan_friends.csv" in str(error)


def test_renamed_column_gets_did_you_mean(world):
    raw, _, _ = world
    _edit_csv(raw / "teams.csv", "队伍,微信号,姓名,角色,单位,住址", "队伍,微信号,姓名,角色,单位,地址")
    _rejected(world, "未知列 '地址' unknown column: 你是不是指 did you mean '住址'?")


def test_bad_date_names_row_and_value(world):
    raw, _, _ = world
    _edit_csv(raw / "yuanyuan_friends.csv", "2019-06-01", "2019-13-45")
    _rejected(world, "列 column '添加日期'; 行 rows 3: 无法解析的日期 unparseable date: '2019-13-45'")


def test_future_date_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "wechat_groups.csv", "2018-02-01", "2099-02-01")
    _rejected(world, "列 column '建群日期'; 行 rows 3: 日期在未来 date in the future")


def test_negative_persons_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("一居室,出租,1", "一居室,出租,-2")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(world, "列 column '居住人数'; 行 rows 4: 小于最小值 below minimum 0: -2")


def test_wrong_type_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace(",1950,", ",一九五〇年,")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(world, "列 column '出生年份'; 行 rows 5: 不是整数 not an integer: '一九五〇年'")


def test_duplicate_id_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("E2,2020/2/3", "E1,2020/2/3")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(world, "列 column '登记编号'; 行 rows 3: 重复的编号 duplicate id (must be unique): 'E1'")


def test_duplicate_building_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "buildings.csv", "甘露园南里二社区,7,", "甘露园南里二社区,6,")
    _rejected(world, "列 column '楼号'; 行 rows 3: 重复的编号 duplicate id")


def test_unknown_building_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("7号楼2单元201", "23号楼2单元201")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world, "列 column '住址'; 行 rows 5: 未知楼号 unknown building 23: buildings.csv 只有 lists 6–7"
    )


def test_unrecognized_address_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("7号楼2单元201", "小区东门")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(world, "无法识别的住址 unrecognized address '小区东门'")


def test_unknown_category_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "wechat_groups.csv", ",楼门,", ",邻里,")
    _rejected(world, "不在允许值内 not an allowed value '邻里'")


def test_empty_file_rejected(world):
    raw, _, _ = world
    (raw / "teams.csv").write_bytes(b"")
    _rejected(world, "文件 file teams.csv: 空文件 empty file")


def test_header_only_file_rejected(world):
    raw, _, _ = world
    (raw / "chat_messages.csv").write_text(MESSAGES.splitlines()[0] + "\n", encoding="utf-8")
    _rejected(world, "文件 file chat_messages.csv: 只有表头、没有数据行 header only")


def test_one_megabyte_cell_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "chat_messages.csv", "谢谢", "谢" * (1 << 20))
    _rejected(world, f"列 column '内容'; 行 rows 4: 单元格过长 cell longer than {MAX_CELL_CHARS} characters")


def test_unknown_group_in_chat_export_rejected(world):
    raw, _, _ = world
    path = raw / "wechatmsg_甘二供暖和物业报修群.csv"
    _edit_csv(path, "1,g1@chatroom,1,", "1,g9@chatroom,1,", encoding="utf-8-sig")
    _rejected(world, "未知群编号 unknown group 'g9@chatroom'")


# ---------------------------------------------------------------- lenient mode and the CLI


def test_lenient_mode_quarantines_bad_rows_with_reasons(world, tmp_path):
    raw, processed, _ = world
    text = EPIDEMIC.replace("一居室,出租,1", "一居室,出租,-2")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    result = ingest(raw, processed, lenient=True)
    assert result.quarantined == {"epidemic_registration": 1}
    quarantine = pd.read_csv(
        result.quarantine_dir / "community=甘露园南里二社区" / "epidemic_registration.csv", dtype=str
    )
    assert quarantine["row"].tolist() == ["4"]
    assert quarantine["reasons"].tolist() == ["居住人数: 小于最小值 below minimum 0: -2"]
    assert result.quarantine_dir == tmp_path / "interim" / "quarantine"  # outside data/processed
    links = read_table(processed, "record_links")
    assert "E3" not in set(links["record_id"])


def test_cli_reports_one_line_and_exit_status_1(world, capsys):
    raw, processed, before = world
    (raw / "teams.csv").write_bytes(b"")
    status = main(["ingest", "--raw", str(raw), "--out", str(processed)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    assert status == 1
    assert errors == ["错误 error: 文件 file teams.csv: 空文件 empty file: no header and no rows"]
    assert tree_digest(processed) == before


def test_cli_lenient_prints_quarantine_counts(world, capsys):
    raw, processed, _ = world
    text = EPIDEMIC.replace("一居室,出租,1", "一居室,出租,-2")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    status = main(["ingest", "--raw", str(raw), "--out", str(processed), "--lenient"])
    captured = capsys.readouterr()
    assert status == 0
    assert "隔离 quarantined epidemic_registration: 1 行 rows" in captured.err
    assert "1 行隔离 rows quarantined" in captured.out.strip().splitlines()[-1]
