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
from ingest_fixtures import (
    CASES,
    EPIDEMIC,
    FRIENDS,
    MEMBERS,
    MESSAGES,
    NOBODY,
    PANEL,
    PEER,
    TEAMS,
    VISITS,
    run_jiesu,
    shared_copy,
    tree_digest,
    write_mini_area,
    write_mini_world,
)

from jiesu.cli import main
from jiesu.errors import DataError, MissingDataError
from jiesu.ingest.pipeline import ingest
from jiesu.ingest.readers import read_raw
from jiesu.ingest.validation import MAX_CELL_CHARS
from jiesu.processed import read_table
from jiesu.storage import write_xlsx


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
        shutil.copytree(good_world / part, tmp_path / part, symlinks=True)  # copy2 keeps mtimes
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    return raw, processed, tree_digest(processed)


def _rejected(world, expected: str, error=DataError) -> None:
    """Ingest refuses with exactly ``expected`` and leaves the processed folder byte-for-byte as it was."""
    raw, processed, before = world
    with pytest.raises(error) as caught:
        ingest(raw, processed)
    assert str(caught.value) == expected
    assert tree_digest(processed) == before, "a rejected input must not touch data/processed"


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
    _rejected(
        world,
        "文件 file yuanyuan_friends.csv; 列 column '添加日期': 缺少必需列 missing required column '添加日期'",
    )


def test_renamed_column_gets_did_you_mean(world):
    raw, _, _ = world
    _edit_csv(raw / "teams.csv", "队伍,微信号,姓名,角色,单位,住址", "队伍,微信号,姓名,角色,单位,地址")
    _rejected(
        world,
        "文件 file teams.csv; 列 column '地址': 未知列 '地址' unknown column: 你是不是指 did you mean '住址'? "
        "（缺少必需列 missing required column '住址'）",
    )


def test_bad_date_names_row_and_value(world):
    raw, _, _ = world
    _edit_csv(raw / "yuanyuan_friends.csv", "2019-06-01", "2019-13-45")
    _rejected(
        world,
        "文件 file yuanyuan_friends.csv; 列 column '添加日期'; 行 rows 3: 无法解析的日期 unparseable date: "
        "'2019-13-45'",
    )


def test_future_date_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "wechat_groups.csv", "2018-02-01", "2099-02-01")
    _rejected(
        world,
        "文件 file wechat_groups.csv; 列 column '建群日期'; 行 rows 3: 日期在未来 date in the future: "
        "'2099-02-01 00:00:00'",
    )


def test_negative_persons_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("一居室,出租,1", "一居室,出租,-2")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world,
        "文件 file epidemic_registration_2020.csv; 列 column '居住人数'; 行 rows 4: 小于最小值 below minimum 0: -2",
    )


def test_wrong_type_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace(",1950,", ",一九五〇年,")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world,
        "文件 file epidemic_registration_2020.csv; 列 column '出生年份'; 行 rows 5: 不是整数 not an integer: "
        "'一九五〇年'",
    )


def test_duplicate_id_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("E2,2020/2/3", "E1,2020/2/3")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world,
        "文件 file epidemic_registration_2020.csv; 列 column '登记编号'; 行 rows 3: 重复的编号 duplicate id "
        "(must be unique): 'E1'",
    )


def test_duplicate_building_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "buildings.csv", "甘露园南里二社区,7,", "甘露园南里二社区,6,")
    _rejected(
        world,
        "文件 file buildings.csv; 列 column '楼号'; 行 rows 3: 重复的编号 duplicate id (must be unique): '6'",
    )


def test_unknown_building_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("7号楼2单元201", "23号楼2单元201")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world,
        "文件 file epidemic_registration_2020.csv; 列 column '住址'; 行 rows 5: 未知楼号 unknown building 23: "
        "buildings.csv 只有 lists 6–7",
    )


def test_unrecognized_address_rejected(world):
    raw, _, _ = world
    text = EPIDEMIC.replace("7号楼2单元201", "小区东门")
    (raw / "epidemic_registration_2020.csv").write_bytes(text.encode("gb18030"))
    _rejected(
        world,
        "文件 file epidemic_registration_2020.csv; 列 column '住址'; 行 rows 5: 无法识别的住址 unrecognized "
        "address '小区东门' (expected e.g. 6号楼3单元502 or 6#3-502)",
    )


def test_unknown_category_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "wechat_groups.csv", ",楼门,", ",邻里,")
    _rejected(
        world,
        "文件 file wechat_groups.csv; 列 column '群类别'; 行 rows 3: 不在允许值内 not an allowed value '邻里' "
        "(允许 allowed: 报修、供暖物业、平安、楼门、兴趣、年龄、议事)",
    )


def test_empty_file_rejected(world):
    raw, _, _ = world
    (raw / "teams.csv").write_bytes(b"")
    _rejected(world, "文件 file teams.csv: 空文件 empty file: no header and no rows")


def test_header_only_file_rejected(world):
    raw, _, _ = world
    (raw / "chat_messages.csv").write_text(MESSAGES.splitlines()[0] + "\n", encoding="utf-8")
    _rejected(
        world, "文件 file chat_messages.csv: 只有表头、没有数据行 header only: the file has no data rows"
    )


def test_one_megabyte_cell_rejected(world):
    raw, _, _ = world
    _edit_csv(raw / "chat_messages.csv", "谢谢", "谢" * (1 << 20))
    _rejected(
        world,
        f"文件 file chat_messages.csv; 列 column '内容'; 行 rows 4: 单元格过长 cell longer than {MAX_CELL_CHARS} "
        "characters (Excel's limit)",
    )


def test_unknown_group_in_chat_export_rejected(world):
    raw, _, _ = world
    path = raw / "wechatmsg_甘二供暖和物业报修群.csv"
    _edit_csv(path, "1,g1@chatroom,1,", "1,g9@chatroom,1,", encoding="utf-8-sig")
    _rejected(
        world,
        "文件 file wechatmsg_甘二供暖和物业报修群.csv; 列 column 'TalkerId'; 行 rows 2: 未知群编号 unknown group "
        "'g9@chatroom' (not in wechat_groups)",
    )


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


# ---------------------------------------------------------------- headers, delimiters, row numbers, sheets, times


def _write_teams(raw, header: str, rows: list[str]) -> None:
    (raw / "teams.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


TEAM_ROWS = TEAMS.splitlines()[1:]


def test_duplicate_header_in_a_csv_gets_its_own_message(world):
    raw, _, _ = world
    _write_teams(raw, TEAMS.splitlines()[0] + ",姓名", [row + ",x" for row in TEAM_ROWS])
    _rejected(
        world,
        "文件 file teams.csv; 列 column '姓名'; 行 rows 1: 表头重复 duplicate header '姓名' (columns 3 and 7): "
        "keep one of them",
    )


def test_duplicate_header_in_an_xlsx_gets_its_own_message(world):
    raw, _, _ = world
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*VISITS.columns, "备注"])
    for row in VISITS.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row] + ["x"])
    book.save(raw / "social_worker_visits.xlsx")
    _rejected(
        world,
        "文件 file social_worker_visits.xlsx; 列 column '备注'; 行 rows 1: 表头重复 duplicate header '备注' "
        "(columns M and N): keep one of them",
    )


def test_one_column_written_in_two_spellings_is_a_duplicate_header(world):
    raw, _, _ = world
    _write_teams(raw, TEAMS.splitlines()[0] + ",住 址", [row + "," for row in TEAM_ROWS])
    _rejected(
        world,
        "文件 file teams.csv; 列 column '住址'; 行 rows 1: 表头重复 duplicate header: '住址' and '住 址' are "
        "both the column '住址': keep one of them",
    )


def test_a_row_with_more_cells_than_the_header(world):
    raw, _, _ = world
    _write_teams(raw, TEAMS.splitlines()[0], [TEAM_ROWS[0], TEAM_ROWS[1] + ",多余", TEAM_ROWS[2]])
    _rejected(
        world,
        "文件 file teams.csv; 行 rows 3: 这一行有 7 个字段，表头只有 6 个 row has 7 cells but the header has 6 "
        "(is the comma ',' also used inside an unquoted cell?)",
    )


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_delimited_files_read(world, delimiter):
    raw, processed, _ = world
    before = read_table(processed, "teams")
    (raw / "teams.csv").write_text(TEAMS.replace(",", delimiter), encoding="utf-8")
    assert not ingest(raw, processed).skipped
    pd.testing.assert_frame_equal(read_table(processed, "teams"), before)


def test_an_unsupported_delimiter_is_named(world):
    raw, _, _ = world
    (raw / "teams.csv").write_text(TEAMS.replace(",", "|"), encoding="utf-8")
    _rejected(
        world,
        "文件 file teams.csv; 行 rows 1: 不支持的分隔符 unsupported delimiter '|' (the header reads "
        "'队伍|微信号|姓名|角色|单位|住址'): save the file separated by commas, tabs or semicolons",
    )


def test_csv_rows_are_physical_lines(world):
    """Blank lines and a quoted cell spanning two lines count: the bad date is on line 7, not data row 2."""
    raw, _, _ = world
    header, first, second = FRIENDS.splitlines()
    first = first.replace("夕阳红", '"夕阳\n红"')
    (raw / "yuanyuan_friends.csv").write_text(
        "\n".join([header, "", "", "", first, second.replace("2019-06-01", "2019-13-45")]) + "\n",
        encoding="utf-8",
    )
    _rejected(
        world,
        "文件 file yuanyuan_friends.csv; 列 column '添加日期'; 行 rows 7: 无法解析的日期 unparseable date: "
        "'2019-13-45'",
    )


def _visits_book(path, *, notes_sheet=False, title=False, blank_after=None, bad_date_row=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if notes_sheet:
        sheet.title = "说明"
        sheet.append(["本表由社工填写，每次走访一行。"])
        sheet.append(["高龄、低保、残疾填 是 或 否。"])
        sheet = book.create_sheet("走访记录")
    if title:
        sheet.append(["甘露园南里二社区 社工走访记录"])
    sheet.append(list(VISITS.columns))
    for k, row in enumerate(VISITS.itertuples(index=False)):
        values = [None if pd.isna(v) else v for v in row]
        if k == bad_date_row:
            values[1] = "2020年13月1日"
        sheet.append(values)
        if k == blank_after:
            sheet.append([])
    book.save(path)


def test_xlsx_rows_are_sheet_rows(world):
    raw, _, _ = world
    _visits_book(raw / "social_worker_visits.xlsx", blank_after=1, bad_date_row=2)
    _rejected(
        world,
        "文件 file social_worker_visits.xlsx; 列 column '走访日期'; 行 rows 5: 无法解析的日期 unparseable date: "
        "'2020年13月1日'",
    )


def test_xlsx_data_sheet_is_found_by_its_headers_behind_a_notes_sheet(world):
    raw, processed, _ = world
    _visits_book(raw / "social_worker_visits.xlsx", notes_sheet=True, title=True)
    assert not ingest(raw, processed).skipped
    households = read_table(processed, "households").set_index("household_id")
    assert households.loc["06-3-502", "persons"] == 3  # the 2020-09-01 visit was read


def test_xlsx_errors_name_the_sheet_and_its_rows(world):
    raw, _, _ = world
    _visits_book(raw / "social_worker_visits.xlsx", notes_sheet=True, title=True, bad_date_row=0)
    _rejected(
        world,
        "文件 file social_worker_visits.xlsx (工作表 sheet 走访记录); 列 column '走访日期'; 行 rows 3: "
        "无法解析的日期 unparseable date: '2020年13月1日'",
    )


def test_times_with_a_utc_offset_are_converted_to_beijing_time(world):
    raw, processed, _ = world
    chat = raw / "chat_messages.csv"
    _edit_csv(chat, "2020-09-01 08:00:00", "2020-09-01T00:00:00Z")
    _edit_csv(chat, "2020-09-01 08:05:00", "2020-09-01T08:05:00+08:00")
    _edit_csv(chat, "2020-09-01 08:06:00", "2020-09-01T01:06:00+0100")
    ingest(raw, processed)
    messages = read_table(processed, "messages").set_index("msg_id")
    assert messages.loc[["m1", "m2", "m3"], "sent_at"].tolist() == [
        pd.Timestamp("2020-09-01 08:00"),
        pd.Timestamp("2020-09-01 08:05"),
        pd.Timestamp("2020-09-01 08:06"),
    ]


# ---------------------------------------------------------------- paths that are not readable files


def test_a_raw_path_that_is_a_folder(world):
    raw, _, _ = world
    (raw / "teams.csv").unlink()
    (raw / "teams.csv").mkdir()
    _rejected(
        world, "文件 file teams.csv: 是目录而不是文件 is a folder, not a file: put the export itself here"
    )


def test_a_symbolic_link_loop(world):
    raw, _, _ = world
    (raw / "teams.csv").unlink()
    (raw / "teams.csv").symlink_to("teams.csv")
    _rejected(
        world, "文件 file teams.csv: 符号链接循环 is a symbolic link loop: replace it by the file itself"
    )


def test_a_symbolic_link_to_nothing(world, tmp_path):
    raw, _, _ = world
    (raw / "teams.csv").unlink()
    (raw / "teams.csv").symlink_to(tmp_path / "gone.csv")
    _rejected(
        world,
        f"文件 file teams.csv: 符号链接指向不存在的文件 is a symbolic link to a missing file ({tmp_path / 'gone.csv'})",
    )


def test_a_raw_folder_that_is_a_file(world, tmp_path):
    _, processed, before = world
    (tmp_path / "raw.csv").write_text("x", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        ingest(tmp_path / "raw.csv", processed)
    assert str(caught.value) == (
        f"文件 file {tmp_path / 'raw.csv'}: 不是目录 is not a folder: the raw folder holds the exports "
        "(see data/raw/README.md)"
    )
    assert tree_digest(processed) == before


def test_an_unreadable_file(world):
    """As root, permission bits do not stop reading: the run drops to user nobody in a child process."""
    raw, processed, _ = world
    import os

    as_root = os.geteuid() == 0
    shared = shared_copy(raw.parent) if as_root else raw.parent
    try:
        if as_root:
            shutil.chown(shared / "processed", user=NOBODY, group=NOBODY)
            for path in (shared / "processed").rglob("*"):
                os.lchown(path, NOBODY, NOBODY)
        before = tree_digest(shared / "processed")
        (shared / "raw" / "teams.csv").chmod(0o000)
        status, _, err = run_jiesu(["ingest", "--data-dir", str(shared)], as_nobody=as_root)
        assert status == 1
        assert err.strip().splitlines() == [
            "错误 error: 文件 file teams.csv: 无法读取 cannot read the file (permission denied): give the user "
            f"running jiesu read access, e.g. `chmod a+r {shared / 'raw' / 'teams.csv'}`"
        ]
        assert tree_digest(shared / "processed") == before
    finally:
        (shared / "raw" / "teams.csv").chmod(0o644)
        if as_root:
            shutil.rmtree(shared)


# ---------------------------------------------------------------- the contract's grains and cross-field rules

PANEL_HEADER = PANEL.splitlines()[0]
OTHER = "对照社区09,2020-09,3000,1000,供暖,{},{},{},{},{}"  # a community without cases: rules only


def _panel(raw, *rows: str, base: str = PANEL) -> None:
    (raw / "area_panel.csv").write_text(base + "".join(row + "\n" for row in rows), encoding="utf-8")


def test_duplicate_membership_rows_break_the_grain(world):
    raw, _, _ = world
    (raw / "group_members.csv").write_text(
        MEMBERS + "g1@chatroom,wxid_r1,王秀英,2018-04-01\n", encoding="utf-8"
    )
    _rejected(
        world,
        "文件 file group_members.csv; 列 columns '群编号', '微信号'; 行 rows 7: 重复的行 duplicate row: "
        "群编号 × 微信号 = 'g1@chatroom', 'wxid_r1' (first on row 2)",
    )


def test_duplicate_team_member_rows_break_the_grain(world):
    raw, _, _ = world
    _write_teams(raw, TEAMS.splitlines()[0], [*TEAM_ROWS, TEAM_ROWS[0]])
    _rejected(
        world,
        "文件 file teams.csv; 列 columns '队伍', '微信号'; 行 rows 5: 重复的行 duplicate row: 队伍 × 微信号 = "
        "'红色联盟', 'wxid_staff1' (first on row 2)",
    )


def test_a_duplicated_panel_row_is_not_double_counted(world):
    raw, _, _ = world
    _panel(raw, PANEL.splitlines()[1])
    _rejected(
        world,
        "文件 file area_panel.csv; 列 columns '社区', '月份', '问题分类'; 行 rows 4: 重复的行 duplicate row: "
        "社区 × 月份 × 问题分类 = '甘露园南里二社区', '2020-09', '供暖' (first on row 2)",
    )


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (
            (1, 2, 1, 1, 1),
            "列 columns '响应量', '诉求量'; 行 rows 4: 响应量不能大于诉求量 responded must not exceed requests: 响应量 2 > 诉求量 1",
        ),
        (
            (1, 1, 2, 1, 1),
            "列 columns '解决量', '诉求量'; 行 rows 4: 解决量不能大于诉求量 resolved must not exceed requests: 解决量 2 > 诉求量 1",
        ),
        (
            (1, 1, 1, 2, 1),
            "列 columns '参评量', '诉求量'; 行 rows 4: 参评量不能大于诉求量 rated must not exceed requests: 参评量 2 > 诉求量 1",
        ),
        (
            (2, 2, 2, 1, 2),
            "列 columns '满意量', '参评量'; 行 rows 4: 满意量不能大于参评量 satisfied must not exceed rated: 满意量 2 > 参评量 1",
        ),
        (
            (400, 1, 1, 1, 1),
            "列 columns '诉求量', '常住人口'; 行 rows 4: 诉求量不能超过常住人口的 0.1 倍 requests must not exceed "
            "0.1 × residents (1,000 per 10,000 residents in one month and category): 诉求量 400 > 0.1 × 常住人口 "
            "3000 = 300",
        ),
    ],
)
def test_panel_counts_obey_the_declared_rules(world, counts, message):
    raw, _, _ = world
    _panel(raw, OTHER.format(*counts))
    _rejected(world, f"文件 file area_panel.csv; {message}")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "办结时间",
            "2020-09-03 09:00",
            "列 columns '办结时间', '受理时间'; 行 rows 3: 办结时间不能早于受理时间 closed must not be before "
            "received: 办结时间 2020-09-03 09:00:00 < 受理时间 2020-09-03 09:30:00",
        ),
        (
            "派单时间",
            "2020-09-03 08:00",
            "列 columns '派单时间', '受理时间'; 行 rows 3: 派单时间不能早于受理时间 dispatched must not be before "
            "received: 派单时间 2020-09-03 08:00:00 < 受理时间 2020-09-03 09:30:00",
        ),
    ],
)
def test_work_orders_are_not_closed_or_dispatched_before_they_are_received(world, column, value, message):
    raw, _, _ = world
    cases = CASES.copy()
    cases.loc[1, column] = value
    write_xlsx(raw / "hotline_cases.xlsx", {"Sheet1": cases})
    _rejected(world, f"文件 file hotline_cases.xlsx; {message}")


def test_the_panel_must_equal_the_communitys_own_cases(world):
    raw, _, _ = world
    _edit_csv(raw / "area_panel.csv", ",供暖,1,1,1,1,1", ",供暖,2,1,1,1,1")
    _rejected(
        world,
        "文件 file area_panel.csv; 列 column '诉求量'; 行 rows 2: 与本社区12345工单不一致 disagrees with the work "
        "orders of 甘露园南里二社区 (hotline_cases.xlsx): 2020-09 供暖 诉求量 2 vs 1 in the work orders",
    )


def test_a_panel_row_missing_for_a_month_with_cases(world):
    raw, _, _ = world
    _edit_csv(raw / "area_panel.csv", "甘露园南里二社区,2020-09,5700,2602,楼道照明,1,1,0,0,0\n", "")
    _rejected(
        world,
        "文件 file area_panel.csv; 列 columns '社区', '月份', '问题分类': 缺少面板行 missing row: 甘露园南里二社区 "
        "2020-09 楼道照明 has 1 work order(s) in hotline_cases.xlsx but no row here (a missing row counts as zero)",
    )


def test_lenient_mode_quarantines_exactly_the_rows_a_rule_rejects(world):
    raw, processed, _ = world
    wrong = PANEL.replace(",供暖,1,1,1,1,1", ",供暖,2,1,1,1,1")
    _panel(raw, OTHER.format(1, 2, 1, 1, 1), OTHER.format(1, 1, 1, 1, 1).replace("供暖", "防汛"), base=wrong)
    result = ingest(raw, processed, lenient=True)
    assert result.quarantined == {"panel": 2}
    quarantine = pd.read_csv(result.quarantine_dir / "panel.csv", dtype=str)
    assert quarantine["row"].tolist() == ["2", "4"]
    assert quarantine["reasons"].tolist() == [
        "诉求量: 与本社区12345工单不一致 disagrees with the work orders of 甘露园南里二社区 (hotline_cases.xlsx): "
        "2020-09 供暖 诉求量 2 vs 1 in the work orders",
        "响应量, 诉求量: 响应量不能大于诉求量 responded must not exceed requests: 响应量 2 > 诉求量 1",
    ]
    panel = read_table(processed, "panel")
    assert panel[["community", "category"]].values.tolist() == [
        ["甘露园南里二社区", "楼道照明"],
        ["对照社区09", "防汛"],
    ]


def test_one_community_per_buildings_file(world):
    raw, _, _ = world
    _edit_csv(raw / "buildings.csv", "甘露园南里二社区,7,", "别的社区,7,")
    _rejected(
        world,
        "文件 file buildings.csv; 列 column '社区'; 行 rows 3: 另一个社区 another community '别的社区': one "
        "community per file (the first row says '甘露园南里二社区'; put each further community in "
        "communities/<name>/)",
    )


@pytest.fixture(scope="module")
def good_area(tmp_path_factory):
    """The mini area (focus + peer, with a panel copy in the peer's folder), ingested once per module."""
    root = tmp_path_factory.mktemp("area")
    ingest(write_mini_area(root / "raw", panel_copy=True), root / "processed")
    return root


@pytest.fixture
def area_world(good_area, tmp_path):
    """A private copy of the ingested mini area; returns (raw, processed, digest of processed)."""
    for part in ("raw", "processed"):
        shutil.copytree(good_area / part, tmp_path / part, symlinks=True)
    return tmp_path / "raw", tmp_path / "processed", tree_digest(tmp_path / "processed")


def test_a_community_folder_must_hold_that_community(area_world):
    raw, _, _ = area_world
    path = raw / "communities" / PEER / "buildings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(PEER, "对照社区02"), encoding="utf-8")
    _rejected(
        area_world,
        f"文件 file communities/{PEER}/buildings.csv; 列 column '社区'; 行 rows 2, 3: 社区与目录不符 community "
        f"'对照社区02' does not match its folder communities/{PEER}/ (one community per folder)",
    )


def test_a_different_panel_inside_a_community_folder(area_world):
    raw, _, _ = area_world
    with open(raw / "communities" / PEER / "area_panel.csv", "a", encoding="utf-8") as handle:
        handle.write(OTHER.format(1, 1, 1, 1, 1) + "\n")
    _rejected(
        area_world,
        f"文件 file communities/{PEER}/area_panel.csv: 与顶层面板不同 differs from the top-level area_panel.csv: the "
        "area panel is read from the top level only; delete this copy or make it identical",
    )


def test_a_missing_file_in_a_community_folder_names_its_path(area_world):
    raw, _, _ = area_world
    (raw / "communities" / PEER / "teams.csv").unlink()
    _rejected(
        area_world,
        f"{raw / 'communities' / PEER / 'teams.csv'} 缺少文件 missing input file (contract table '骨干队伍成员'): "
        "see data/raw/README.md",
        error=MissingDataError,
    )


def test_errors_in_a_community_folder_name_the_file_below_raw(area_world):
    raw, _, _ = area_world
    path = raw / "communities" / PEER / "yuanyuan_friends.csv"
    path.write_text(FRIENDS.replace("2019-06-01", "2019-13-45"), encoding="utf-8")
    _rejected(
        area_world,
        f"文件 file communities/{PEER}/yuanyuan_friends.csv; 列 column '添加日期'; 行 rows 3: 无法解析的日期 "
        "unparseable date: '2019-13-45'",
    )


def test_the_panels_community_rows_are_checked_against_that_communitys_cases(area_world):
    raw, _, _ = area_world
    text = (raw / "area_panel.csv").read_text(encoding="utf-8")
    (raw / "area_panel.csv").write_text(
        text.replace(f"{PEER},2020-09,5700,2602,供暖,1,", f"{PEER},2020-09,5700,2602,供暖,3,"),
        encoding="utf-8",
    )
    (raw / "communities" / PEER / "area_panel.csv").unlink()
    _rejected(
        area_world,
        f"文件 file area_panel.csv; 列 column '诉求量'; 行 rows 4: 与本社区12345工单不一致 disagrees with the work "
        f"orders of {PEER} (communities/{PEER}/hotline_cases.xlsx): 2020-09 供暖 诉求量 3 vs 1 in the work orders",
    )


# ---------------------------------------------------------------- the commands: one line, exit status 1


def _one_error_line(capsys) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "内部错误" not in err
    return [line for line in err.splitlines() if line.startswith("错误")]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda raw: _edit_csv(raw / "buildings.csv", "甘露园南里二社区,7,", "别的社区,7,"),
            "另一个社区 another community",
        ),
        (
            lambda raw: (raw / "group_members.csv").write_text(TEAMS.replace(",", "|"), encoding="utf-8"),
            "不支持的分隔符",
        ),
        (
            lambda raw: _edit_csv(raw / "chat_messages.csv", "2020-09-01 08:00:00", "2020-09-01T08:00+08:00"),
            None,
        ),
    ],
)
def test_cli_errors_are_one_line_and_leave_processed_as_it_was(world, capsys, damage, message):
    raw, processed, before = world
    damage(raw)
    status = main(["ingest", "--raw", str(raw), "--out", str(processed)])
    lines = _one_error_line(capsys)
    if message is None:  # a time with a UTC offset is read, not refused
        assert status == 0 and lines == []
        return
    assert status == 1 and len(lines) == 1 and message in lines[0]
    assert tree_digest(processed) == before


def _board(path, times):
    pd.DataFrame({"留言时间": times, "留言内容": ["暖气不热，屋里太冷", "楼道灯不亮", "垃圾没人清"]}).to_csv(
        path, index=False
    )


def test_topics_with_an_empty_time_column(tmp_path, capsys):
    _board(tmp_path / "board.csv", [None, None, None])
    status = main(
        [
            "topics",
            str(tmp_path / "board.csv"),
            "--text-col",
            "留言内容",
            "--time-col",
            "留言时间",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert status == 1
    assert _one_error_line(capsys) == [
        "错误 error: 文件 file board.csv; 列 column '留言时间'; 行 rows 1: 时间列全为空 the time column is empty in "
        "every row: fill it in, or leave out --time-col"
    ]
    assert not (tmp_path / "o").exists()


def test_topics_with_no_parseable_time(tmp_path, capsys):
    _board(tmp_path / "board.csv", ["昨天", "前天", None])
    status = main(
        [
            "topics",
            str(tmp_path / "board.csv"),
            "--text-col",
            "留言内容",
            "--time-col",
            "留言时间",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert status == 1
    assert _one_error_line(capsys) == [
        "错误 error: 文件 file board.csv; 列 column '留言时间'; 行 rows 2, 3: 无法解析任何时间 no time value could be "
        "parsed (e.g. '昨天'; expected 2020-09-27 13:14, 2020/9/27 or 2020年9月27日)"
    ]
    assert not (tmp_path / "o").exists()


def test_network_on_a_folder(tmp_path, capsys):
    (tmp_path / "名单.csv").mkdir()
    status = main(
        [
            "network",
            str(tmp_path / "名单.csv"),
            "--person-col",
            "人",
            "--group-col",
            "群",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert status == 1
    assert _one_error_line(capsys) == [
        "错误 error: 文件 file 名单.csv: 是目录而不是文件 is a folder, not a file: put the export itself here"
    ]


def test_network_list_behind_a_notes_sheet_names_sheet_rows(tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["每人每个社团一行"])
    sheet = book.create_sheet("名单")
    for row in (["成员", "兴趣小组"], ["老王", "合唱"], [], ["老李", None]):
        sheet.append(row)
    book.save(tmp_path / "名单.xlsx")
    status = main(
        [
            "network",
            str(tmp_path / "名单.xlsx"),
            "--person-col",
            "成员",
            "--group-col",
            "兴趣小组",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert status == 1
    assert _one_error_line(capsys) == [
        "错误 error: 文件 file 名单.xlsx (工作表 sheet 名单); 列 column '兴趣小组'; 行 rows 4: 1 行缺少取值 row(s) "
        "have a blank in this column"
    ]
