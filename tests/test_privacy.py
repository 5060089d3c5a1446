"""No name, phone number, identity number, bank card or WeChat id from data/raw appears anywhere in
data/processed: neither in the bytes of any file (Parquet included) nor in any decoded cell of any
Parquet table — in any written form (full-width, spaced, bracketed, +86/0086) nor as bare digits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import (
    NAMES,
    PEER,
    PHONES,
    PII_FORMS,
    WXIDS,
    write_mini_area,
    write_mini_world,
    write_pii_world,
)

from jiesu.contract import RAW
from jiesu.ingest.discover import discover
from jiesu.ingest.normalize import split_remark
from jiesu.ingest.pipeline import ingest
from jiesu.ingest.readers import YUANYUAN, read_raw, wechatmsg_to_messages
from jiesu.processed import communities as processed_communities
from jiesu.processed import read_table

NAME_HEADERS = ("姓名", "诉求人")
PHONE_HEADERS = ("联系电话",)
WXID_HEADERS = ("微信号", "发送者微信号", "Sender")


def raw_identifiers(raw: Path) -> set[str]:
    """Every person name, phone number and WeChat id in the raw folder (2+ characters)."""
    found: set[str] = set()
    layout = discover(raw)
    files = [
        (key, path)
        for inputs in layout.communities.values()
        for key, paths in inputs.files.items()
        for path in paths
    ]
    for key, path in [*files, ("panel", layout.panel)]:
        frame = read_raw(path, RAW[key]).frame
        for header in (*NAME_HEADERS, *PHONE_HEADERS, *WXID_HEADERS):
            if header in frame:
                found |= {str(v).strip() for v in frame[header].dropna()}
        if key == "friends":
            found |= set(split_remark(frame["备注"].astype("string"))["name"].dropna())
        if key == "wechatmsg":
            frame = wechatmsg_to_messages(
                frame.astype(
                    {"IsSender": "Int64", "Type": "Int64", "localId": "Int64", "CreateTime": "Int64"}
                )
            )
            found |= set(frame["sender_wxid"].dropna())
    # 园园 is the community's public virtual social worker, not a resident
    return {value for value in found if len(value) >= 2} - {YUANYUAN}


def _hits(haystack, needles: set) -> set:
    """Needles occurring in ``haystack`` (str or bytes), by sliding windows of each needle length."""
    hits = set()
    for length in {len(n) for n in needles}:
        windows = {haystack[i : i + length] for i in range(len(haystack) - length + 1)}
        hits |= needles & windows
    return hits


def leaked_identifiers(processed: Path, identifiers: set[str]) -> dict[str, set[str]]:
    """``{file: identifiers found}`` over every file below ``processed``: the raw bytes of each file
    (names of three or more characters, phones, WeChat ids: a two-character byte string can turn up
    inside compressed data by chance) and, for Parquet, every decoded cell and column name (every
    identifier, free text included: ingest masks person names wherever they are written, even where a
    two-character name is also part of ordinary prose, 于宇 in 关于宇宙)."""
    strong = {value for value in identifiers if len(value) >= 3}
    as_bytes = {value.encode("utf-8"): value for value in strong}
    leaks: dict[str, set[str]] = {}
    for path in sorted(p for p in processed.rglob("*") if p.is_file()):
        found = {as_bytes[b] for b in _hits(path.read_bytes(), set(as_bytes))}
        if path.suffix == ".parquet":
            table = pq.read_table(path).to_pandas()
            for column in table.columns:
                cells = table[column].astype(str).str.cat(sep="\x00") + "\x00" + str(column)
                found |= _hits(cells, identifiers)
        elif path.suffix in (".json", ".csv", ".md"):
            found |= _hits(path.read_text(encoding="utf-8"), identifiers)
        if found:
            leaks[path.name] = found
    return leaks


def test_identifier_scan_finds_a_planted_leak(tmp_path):
    pd.DataFrame({"text": ["call 13900111111, 关于宇宙"], "who": ["王秀英"], "by": ["于宇"]}).to_parquet(
        tmp_path / "leak.parquet"
    )
    leaks = leaked_identifiers(tmp_path, {"13900111111", "王秀英", "李德明", "于宇", "高浩"})
    assert leaks == {"leak.parquet": {"13900111111", "王秀英", "于宇"}}


def test_mini_world_processed_holds_no_identifiers(tmp_path):
    raw = write_mini_world(tmp_path / "raw")
    ingest(raw, tmp_path / "processed")
    identifiers = raw_identifiers(raw)
    assert set(NAMES) - {YUANYUAN} <= identifiers
    assert set(PHONES) <= identifiers and set(WXIDS) <= identifiers
    assert leaked_identifiers(tmp_path / "processed", identifiers) == {}


@pytest.fixture(scope="module")
def small(small_world):
    return small_world


def test_small_world_processed_holds_no_identifiers(small):
    identifiers = raw_identifiers(small.paths.raw)
    assert len(identifiers) > 1000
    assert leaked_identifiers(small.paths.processed, identifiers) == {}


def test_every_written_form_of_a_personal_number_is_masked_in_every_column(tmp_path):
    raw = write_pii_world(tmp_path / "raw")
    ingest(raw, tmp_path / "processed")
    identifiers = raw_identifiers(raw) | set(PII_FORMS) | set(PII_FORMS.values())
    assert leaked_identifiers(tmp_path / "processed", identifiers) == {}
    messages = read_table(tmp_path / "processed", "messages").set_index("msg_id")
    assert messages.loc["m10", "text"] == "有事打[电话]找我"  # 199－1234－0010
    assert messages.loc["m14", "text_simplified"] == "有事打[电话]找我"  # full-width digits
    assert messages.loc["m17", "text"] == "有事打[身份证号]找我"
    assert messages.loc["m19", "text"] == "有事打[银行卡号]找我"
    assert messages.loc["m30", "text"] == "加我微信[微信号] 或 [微信号]"
    assert messages.loc["m31", "text"] == "身份证号码证[身份证号]丢了"
    teams = read_table(tmp_path / "processed", "teams").set_index("team")
    assert teams.loc["红色联盟", "role"] == "物业维修 [电话]"
    assert teams.loc["红色联盟", "organization"] == "物业公司 [电话]"
    cases = read_table(tmp_path / "processed", "cases").set_index("case_id")
    assert cases.loc["C1", "content"] == "暖气不热，身份证[身份证号]，卡号[银行卡号]，座机[电话]"
    groups = read_table(tmp_path / "processed", "groups").set_index("group_id")
    assert groups.loc["g2@chatroom", "group_name"] == "6号楼楼门群(楼长[电话])"


def test_every_community_of_an_area_holds_no_identifiers(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    ingest(raw, tmp_path / "processed")
    assert sorted(processed_communities(tmp_path / "processed")) == sorted(["甘露园南里二社区", PEER])
    assert leaked_identifiers(tmp_path / "processed", raw_identifiers(raw)) == {}


def test_a_phone_in_a_chat_export_file_name_does_not_reach_the_source_column(tmp_path):
    raw = write_mini_world(tmp_path / "raw")
    (raw / "wechatmsg_甘二供暖和物业报修群.csv").rename(raw / "wechatmsg_报修群(楼长13900888888).csv")
    ingest(raw, tmp_path / "processed")
    sources = set(read_table(tmp_path / "processed", "messages")["source"])
    assert sources == {"chat_messages.csv", "wechatmsg_报修群(楼长[电话]).csv"}
