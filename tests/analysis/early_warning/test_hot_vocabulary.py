"""What may name or file a hot issue: filler, placeholders, numbers and the title rules."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu.analysis.early_warning.naming import title_ok
from jiesu.analysis.early_warning.params import Places
from jiesu.analysis.early_warning.vocabulary import category_of, is_content_token, suggested_team

FILLER_FROM_ISSUE = ["协商", "有限公司", "强烈建议", "市长", "进去", "特别", "坏", "里", "占", "七点", "不要"]


@pytest.mark.parametrize(
    "word", FILLER_FROM_ISSUE + ["A市", "X号", "***", "2022年", "3号", "暖气_不热", "某小区", "哪办", "不行"]
)
def test_filler_and_placeholders_are_not_content(word):
    assert not is_content_token(word)


@pytest.mark.parametrize("word", ["搅拌站", "噪音", "积分落户", "充电桩", "暖气片", "雨篦子"])
def test_issue_words_are_content(word):
    assert is_content_token(word)


def test_title_rules_reject_common_words_adverbs_and_places():
    assert title_ok("搅拌站", df_share=0.001)
    assert not title_ok("搅拌站", df_share=0.3)  # too common to name an issue
    assert title_ok("暖气", df_share=0.1, lift=5.0)  # common, but concentrated beside a rarer phrase
    assert not title_ok("特别", df_share=0.001)
    assert not title_ok("@6号楼", df_share=0.0)


def test_category_needs_half_of_the_messages_and_a_clear_lead():
    docs = pd.DataFrame(
        {"norm": ["暖气不热", "暖气片漏水", "家里很冷", "楼道灯坏了"], "singles": [frozenset()] * 4}
    )
    assert category_of(docs.iloc[:3])[0] == "heating"
    assert category_of(docs.iloc[1:])[0] == "other"  # heating in only a third


def test_other_goes_to_the_community_workers():
    assert suggested_team("other") == "社区工作者"
    assert suggested_team("flood") == "红色联盟"


def test_place_aliases_do_not_match_inside_longer_numbers():
    places = Places(names=("6号楼",), aliases=(("6#", "6号楼"),))
    pattern = places.pattern()
    assert pattern.search("16号楼漏水") is None
    assert places.canonical()[pattern.search("6#楼下").group(0)] == "6号楼"
