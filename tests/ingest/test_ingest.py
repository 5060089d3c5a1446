"""Ingest: normalization, linkage rules, pseudonyms, the cached rerun, and planted-truth linkage scores."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from ingest_fixtures import tree_digest, write_mini_world

from jiesu.chinese import to_halfwidth_series, to_simplified_series
from jiesu.evaluation.planted import score_linkage
from jiesu.ingest.linkage import link_records, pairwise_scores
from jiesu.ingest.normalize import (
    mask_mentions,
    mask_phones,
    mask_system_names,
    mention_names,
    parse_addresses,
    parse_dates,
    split_remark,
)
from jiesu.ingest.pipeline import ingest
from jiesu.ingest.pseudonyms import load_salt, pseudonym
from jiesu.processed import read_table

# ---------------------------------------------------------------- normalization


def test_address_variants_are_the_same_room():
    variants = pd.Series(
        [
            "6号楼3单元502",
            "6#3-502",
            "六号楼三单元502室",
            "6-3-502",
            "6栋3门502",
            "６＃３－５０２",
            "甘露园南里二社区6号楼3单元502",
        ]
    )
    parsed = parse_addresses(variants)
    assert parsed["household_id"].tolist() == ["06-3-502"] * len(variants)
    assert parsed[["building", "unit", "floor", "room"]].drop_duplicates().values.tolist() == [[6, 3, 5, 502]]


def test_two_digit_building_and_tenth_floor():
    parsed = parse_addresses(pd.Series(["十二号楼二单元1001室", "小区东门", None]))
    assert parsed["household_id"].tolist()[0] == "12-2-1001"
    assert parsed.loc[0, "floor"] == 10
    assert parsed["household_id"].isna().tolist() == [False, True, True]


def test_friend_remark_splits_into_address_and_name():
    parts = split_remark(pd.Series(["6#3-502 王秀英", "王秀英 6-3-502", "六号楼三单元502室张三"]))
    assert parts["household_id"].tolist() == ["06-3-502"] * 3
    assert parts["name"].tolist() == ["王秀英", "王秀英", "张三"]


def test_chinese_dates_and_excel_serials():
    values = pd.Series(
        ["2020年9月27日", "2020/9/27 13:14", "44101", 44101, "２０２０／９／２７", "2020-02-30", "bad"],
        dtype=object,
    )
    parsed = parse_dates(values)
    assert parsed.iloc[:5].tolist() == [
        pd.Timestamp("2020-09-27"),
        pd.Timestamp("2020-09-27 13:14"),
        pd.Timestamp("2020-09-27"),
        pd.Timestamp("2020-09-27"),
        pd.Timestamp("2020-09-27"),
    ]
    assert parsed.iloc[5:].isna().all()


def test_fullwidth_and_traditional_text():
    assert to_halfwidth_series(pd.Series(["１２３，ＡＢＣ　！"])).iloc[0] == "123,ABC !"
    assert to_simplified_series(pd.Series(["樓道燈不亮"])).iloc[0] == "楼道灯不亮"


def test_phones_and_mentions_are_masked():
    text = pd.Series(
        ["@王秀英\u2005暖气不热 电话13900111111", "打１３９００１１１１１１", "139-0011-1111 找我"]
    )
    masked = mask_phones(mask_mentions(text)).tolist()
    assert masked == ["@某人\u2005暖气不热 电话[电话]", "打[电话]", "[电话] 找我"]


def test_wechat_mentions_with_spaces_and_system_lines_are_masked():
    text = pd.Series(["@6-3-502 王\u2005收到", "@物业褚师傅\u2005看看 @张三 好"])
    assert [mention_names(t) for t in text] == [["6-3-502 王"], ["物业褚师傅", "张三"]]
    assert mask_mentions(text).tolist() == ["@某人\u2005收到", "@某人\u2005看看 @某人 好"]
    system = pd.Series(['"园园"邀请"王秀英"加入了群聊'])
    assert mask_system_names(system, keep=("园园",)).tolist() == ['"园园"邀请"某人"加入了群聊']


def test_name_placeholders_of_12345_exports_are_not_masked_as_names():
    from jiesu.ingest.build import person_names

    frames = {
        **{
            source: pd.DataFrame({"name": ["王秀英"]})
            for source in ("parking_permits", "epidemic_registration", "visits")
        },
        "friends": pd.DataFrame({"remark": ["6#3-502 王绣英"]}),
        "teams": pd.DataFrame({"name": ["褚广哲", "園園"]}),
        "cases": pd.DataFrame({"complainant": ["匿 名", "市民", "李先生", "張三"]}),
    }
    assert person_names(frames) == {
        "王秀英",
        "王绣英",
        "王繡英",
        "褚广哲",
        "褚廣哲",
        "李先生",
        "張三",
        "张三",
    }


def test_plain_text_names_are_masked_longest_first():
    from jiesu.ingest.normalize import mask_names, names_pattern

    pattern = names_pattern(["王秀英", "王秀", "李德明", "a.b"])
    text = pd.Series(["王秀英家楼上漏水，王秀说的", "李德明、王秀英和王秀", "王秋英 a.b axb", None])
    masked = mask_names(text, pattern)
    assert masked.iloc[:3].tolist() == ["某人家楼上漏水，某人说的", "某人、某人和某人", "王秋英 某人 axb"]
    assert masked.isna().iloc[3]
    assert names_pattern([]) is None and mask_names(text, None).iloc[0] == text.iloc[0]


# ---------------------------------------------------------------- pseudonyms


def test_pseudonym_is_stable_and_keyed():
    first = pseudonym("13900111111", kind="phone", salt=b"a", prefix="P")
    assert first == pseudonym("13900111111", kind="phone", salt=b"a", prefix="P")
    assert first != pseudonym("13900111111", kind="phone", salt=b"b", prefix="P")
    assert first != pseudonym("13900111111", kind="wxid", salt=b"a", prefix="P")
    assert len(first) == 13 and first.startswith("P")


def test_salt_file_created_private_once(tmp_path, monkeypatch):
    monkeypatch.delenv("JIESU_SALT", raising=False)
    path = tmp_path / "data" / ".salt"
    salt = load_salt(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_salt(path) == salt and len(salt) == 64


# ---------------------------------------------------------------- linkage rules


def _records(rows):
    frame = pd.DataFrame(rows, columns=["source", "record_id", "household_id", "name", "phone", "birth_year"])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    frame["date"] = pd.NaT
    return frame


def test_homophone_typo_joins_the_well_attested_spelling():
    records = _records(
        [
            ("epidemic_registration", "E1", "06-3-502", "王秀英", "13900111111", 1938),
            ("visits", "V1", "06-3-502", "王秀英", None, None),
            ("friends", "F1", "06-3-502", "王绣英", None, None),
        ]
    )
    links = link_records(records)
    assert links["resident_key"].nunique() == 1
    assert links["resident_key"].iloc[0] == "06-3-502|王秀英"
    assert links["rule"].tolist() == ["exact_name", "exact_name", "name_typo"]


def test_siblings_with_near_identical_names_stay_apart():
    records = _records(
        [
            ("epidemic_registration", "E1", "06-3-502", "王秀英", "13900111111", 1950),
            ("visits", "V1", "06-3-502", "王秀英", "13900111111", None),
            ("epidemic_registration", "E2", "06-3-502", "王秀兰", "13900222222", 1953),
        ]
    )
    assert link_records(records)["resident_key"].nunique() == 2


def test_homonyms_of_different_generations_are_split():
    records = _records(
        [
            ("epidemic_registration", "E1", "10-2-204", "陈庆云", "13900111111", 1952),
            ("epidemic_registration", "E2", "10-2-204", "陈庆云", "13900222222", 1921),
            ("visits", "V1", "10-2-204", "陈庆云", "13900111111", None),
        ]
    )
    keys = link_records(records)["resident_key"].tolist()
    assert keys == ["10-2-204|陈庆云|1952", "10-2-204|陈庆云|1921", "10-2-204|陈庆云|1952"]


def test_same_name_other_household_is_another_person():
    records = _records(
        [
            ("epidemic_registration", "E1", "06-3-502", "王秀英", "13900111111", 1938),
            ("epidemic_registration", "E2", "07-1-101", "王秀英", "13900222222", 1970),
        ]
    )
    assert link_records(records)["resident_key"].nunique() == 2


def test_phone_links_a_case_without_address():
    records = _records(
        [
            ("epidemic_registration", "E1", "06-3-502", "王秀英", "13900111111", 1938),
            ("cases", "C1", None, "王女士", "13900111111", None),
        ]
    )
    links = link_records(records)
    assert links["rule"].tolist() == ["exact_name", "phone_only"]
    assert links["household_id"].tolist() == ["06-3-502", "06-3-502"]
    assert links["resident_key"].nunique() == 1


def test_pairwise_scores_exact():
    predicted = pd.Series(["a", "a", "a", "b", None])
    truth = pd.Series(["x", "x", "y", "y", "y"])
    scores = pairwise_scores(predicted, truth)
    # predicted pairs: 3 (within a); true pairs: 1 (x) + 3 (y) = 4; both: 1 (records 0,1)
    assert scores == {"precision": pytest.approx(1 / 3), "recall": pytest.approx(1 / 4)}


# ---------------------------------------------------------------- the mini world end to end


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini")
    raw = write_mini_world(root / "raw")
    result = ingest(raw, root / "processed")
    return raw, root / "processed", result


def test_mini_world_registry(mini):
    _, processed, result = mini
    assert not result.skipped
    households = read_table(processed, "households").set_index("household_id")
    assert sorted(households.index) == ["06-3-502", "07-1-101", "07-2-201"]
    home = households.loc["06-3-502"]
    # the 2020-09-01 visit beats the 2020-02 registration and the 2019 visit
    assert (home["housing_type"], home["tenure"], home["persons"]) == ("两居室", "自住", 3)
    assert home["persons_source"] == "visits:V1"
    assert (home["elderly"], home["dibao"], home["disabled"]) == (True, False, False)
    assert home["flags_source"] == "visits:V1;birth_year"
    # 07-2-201 was never visited: its flags come from the birth-year rule only (born 1950 → not 80+)
    assert households.loc["07-2-201", "flags_source"] == "none"
    assert not households.loc["07-2-201", "vulnerable"]
    residents = read_table(processed, "residents")
    assert len(residents) == 4
    links = read_table(processed, "record_links").set_index(["source", "record_id"])
    wang = links.loc[("epidemic_registration", "E1"), "resident_id"]
    assert links.loc[("parking_permits", "P1"), "resident_id"] == wang
    assert links.loc[("cases", "C1"), "resident_id"] == wang


def test_mini_world_friends_messages_cases(mini):
    _, processed, _ = mini
    friends = read_table(processed, "friends")
    assert friends["household_id"].tolist() == ["06-3-502", "07-1-101"]
    assert friends["resident_id"].notna().all()
    messages = read_table(processed, "messages").set_index("msg_id")
    assert len(messages) == 6
    repair = messages.loc["g1@chatroom#1"]
    teams = read_table(processed, "teams").set_index("team")
    assert repair["mentions"] == teams.loc["红色联盟", "member_id"]
    assert repair["text"] == "@某人\u2005暖气漏水"
    assert messages.loc["g1@chatroom#2", "is_staff"]  # IsSender = 1: 园园
    assert messages.loc["m3", "is_staff"] == False  # noqa: E712 - a resident who is in no team
    assert messages.loc["m1", "is_staff"] == False  # noqa: E712 - a resident 热心群众 volunteer writes as a resident
    assert messages.loc["m2", "is_staff"]  # 园园 in chat_messages.csv
    assert messages.loc["m1", "text"] == "楼道灯不亮了 电话[电话]"
    assert messages.loc["m2", "text"] == "收到，某人家和某人家也说过"  # plain-text names, both scripts
    cases = read_table(processed, "cases").set_index("case_id")
    assert cases.loc["C1", "household_id"] == "06-3-502"
    # C2 has no usable address; its phone is 李德明's, so the phone rule links it
    assert cases.loc["C2", "household_id"] == "06-3-502"
    assert cases.loc["C2", "content"] == "楼道灯不亮，邻居某人也反映过"
    assert cases.loc["C2", "complainant_id"] != cases.loc["C1", "complainant_id"]


def test_rerun_with_unchanged_inputs_is_a_noop(mini):
    raw, processed, _ = mini
    before = tree_digest(processed)
    again = ingest(raw, processed)
    assert again.skipped
    assert tree_digest(processed) == before
    assert "inputs unchanged" in again.summary()


def test_changed_input_rebuilds(tmp_path):
    raw = write_mini_world(tmp_path / "raw")
    ingest(raw, tmp_path / "processed")
    with open(raw / "chat_messages.csv", "a", encoding="utf-8") as handle:
        handle.write("m4,g2@chatroom,wxid_r3,张三,2020-09-02 08:00:00,文本,好的\n")
    result = ingest(raw, tmp_path / "processed")
    assert not result.skipped and result.counts["messages"] == 7


def test_manifest_records_inputs_and_schema(mini):
    from jiesu.processed import community_manifest

    _, processed, _ = mini
    manifest = community_manifest(processed, "甘露园南里二社区")
    assert manifest["schema_version"] == "2"
    assert manifest["synthetic"] is False
    assert manifest["inputs"]["epidemic_registration_2020.csv"]["rows"] == 4
    assert len(manifest["inputs"]["epidemic_registration_2020.csv"]["sha256"]) == 64
    assert manifest["outputs"]["households"]["rows"] == 3
    assert manifest["inputs"]["chat_messages.csv"]["rows"] == 3
    assert manifest["inputs"]["wechatmsg_甘二供暖和物业报修群.csv"]["rows"] == 3


def test_extra_columns_are_read_past_and_reported(tmp_path):
    from jiesu.processed import community_manifest

    raw = write_mini_world(tmp_path / "raw")
    frame = pd.read_csv(raw / "teams.csv", dtype=str).assign(备用=["x", "y", "z"])
    frame.to_csv(raw / "teams.csv", index=False)
    ingest(raw, tmp_path / "processed")
    manifest = community_manifest(tmp_path / "processed")
    assert manifest["inputs"]["teams.csv"]["ignored_columns"] == ["备用"]


# ---------------------------------------------------------------- planted truth


def test_staff_messages_match_planted_roles(small_world):
    """No planted resident report comes from a staff sender; every planted staff reply does."""

    roles = small_world.planted_table("messages")[["msg_id", "role"]]
    messages = small_world.table("messages")[["msg_id", "is_staff"]]
    joined = roles.merge(messages, on="msg_id")
    assert not joined.loc[joined["role"].eq("report"), "is_staff"].any()
    assert joined.loc[joined["role"].isin(["reply", "close"]), "is_staff"].all()


@pytest.mark.full
def test_full_world_linkage_meets_targets(full_world):

    scores = score_linkage(full_world.planted_truth(), full_world)
    assert scores["precision"] >= 0.98
    assert scores["recall"] >= 0.95
    manifest = full_world.manifest
    assert manifest["linkage"] == pytest.approx(scores)
