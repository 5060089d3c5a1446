"""Normalization and tokenization: exact values on hand-made text, and token identity of the fast
(rjieba) and reference (jieba) backends on the whole synthetic corpus, user dictionary included."""

from __future__ import annotations

import pytest

from jiesu.analysis.text import (
    Tokenizer,
    default_stopwords,
    filler_words,
    normalize,
    standard_stopwords,
    user_dictionary,
)


@pytest.fixture(scope="module")
def fast() -> Tokenizer:
    return Tokenizer("rjieba")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Tokenizer:
    return Tokenizer("jieba", cache_dir=tmp_path_factory.mktemp("jieba"))


def test_traditional_becomes_simplified():
    assert normalize("甘露園南裡二社區暖氣不熱") == "甘露园南里二社区暖气不热"


def test_fullwidth_becomes_halfwidth():
    assert normalize("６号楼　３单元５０２，ＡＢＣ") == "6号楼 3单元502,ABC"


def test_urls_mentions_phones_artefacts_and_emoji_are_stripped():
    text = "@王秀英\u2005 雨篦子堵了😂[图片]，电话13812345678 或 138****1234 见 https://x.cn/a?b=1 [捂脸]"
    assert normalize(text) == "雨篦子堵了 ,电话 或 见"


def test_boilerplate_is_stripped_only_when_asked():
    text = "尊敬的领导您好：我家暖气不热。此致敬礼"
    assert normalize(text, strip_boilerplate=True) == ":我家暖气不热。"
    assert normalize(text) == "尊敬的领导您好:我家暖气不热。此致敬礼"


def test_empty_and_missing_text_normalize_to_empty():
    assert normalize(None) == ""
    assert normalize(float("nan")) == ""
    assert normalize("[图片]") == ""


def test_user_dictionary_keeps_governance_words_whole(fast, reference):
    text = "雨篦子堵了，顶层防雨层坏了，小心高空坠物，楼门长和网格员说接诉即办，车棚的声控灯不亮"
    for tok in (fast, reference):
        words = tok.cut(text)
        for word in ("雨篦子", "防雨层", "高空坠物", "楼门长", "网格员", "接诉即办", "车棚", "声控灯"):
            assert word in words, (tok.backend, word, words)


def test_tokens_drop_chat_noise_and_stopwords(fast):
    assert fast.tokens("收到，好的，谢谢！哈哈😂[图片]") == []
    assert fast.tokens("收到！5号楼的暖气片不热") == ["暖气片", "不热"]  # 号楼: every report has one


def test_stopwords_never_contain_lexicon_or_dictionary_words():
    from jiesu.categories import CATEGORIES

    protected = {w for w, _, _ in user_dictionary()} | {w for c in CATEGORIES for w in c.lexicon}
    assert not protected & default_stopwords()
    assert {"收到", "好的", "哈哈", "谢谢", "图片", "的"} <= default_stopwords()


def test_jieba_log_is_silent(tmp_path, capfd):
    Tokenizer("jieba", cache_dir=tmp_path).cut("暖气不热")
    Tokenizer("jieba", cache_dir=tmp_path).cut("暖气不热")  # second time from the private cache
    assert capfd.readouterr().err == ""
    assert (tmp_path / "jieba.cache").exists()


def test_backends_agree_on_hand_made_edge_cases(fast, reference):
    texts = [
        "6號樓前進車棚的台階太高，本來墊了塊磚，不知道被誰給收走了，請幫忙解決一下，要不釘個坡道吧！",
        "ABC-123 test_x 3.5度 50%湿度 #话题# C++ a&b",
        "暖气片漏水了！！！@物业小王 快来看看吧~~~",
        "我们楼的楼门长说下周清理雨篦子，防雨层也要修",
        "   ",
        "",
        "12345",
        "𠀀𪚥 罕见字 〇",
    ]
    for text in texts:
        assert fast.cut(text) == reference.cut(text), text


def _corpus_texts(world) -> list[str]:
    messages = world.table("messages")
    cases = world.table("cases")
    return [*messages["text"].dropna().tolist(), *cases["content"].dropna().tolist()]


BATCH_EDGE_CASES = [
    "暖气片漏水了！！！@物业小王\u2005快来看看吧~~~",
    "第一行暖气不热\n第二行：电梯坏了\r\n第三行",
    "末尾是回车\r",
    "\n\n开头和结尾都是换行\n",
    "\r\n",
    "",
    "   ",
    None,
    float("nan"),
    12345,
    "电话13812345678\n138****1234，网址www.example.com/a-b_c.html [图片]",
    "ABC-123 test_x 3.5度 8.8.5版 5.b",
    "暖气片漏水了！！！@物业小王\u2005快来看看吧~~~",  # a repeat: tokenized once, returned twice
    "𠀀𪚥 罕见字 〇 😂👍🏻",
    "尊敬的領導您好：樓道燈不亮。此致敬禮",
]


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_batched_tokens_equal_the_per_text_definition(backend, request):
    tokenizer = request.getfixturevalue(backend)
    expected = [tokenizer.tokens_unbatched(t) for t in BATCH_EDGE_CASES]
    assert tokenizer.tokens_many(BATCH_EDGE_CASES) == expected
    assert list(tokenizer.iter_tokens(iter(BATCH_EDGE_CASES))) == expected
    assert [tokenizer.tokens(t) for t in BATCH_EDGE_CASES] == expected
    assert tokenizer.token_strings(BATCH_EDGE_CASES) == [" ".join(t) for t in expected]
    assert expected[1] == [
        "第一行",
        "暖气",
        "不热",
        "第二行",
        "电梯",
        "坏",
        "第三行",
    ]  # line breaks inside a text
    assert expected[-1] == ["尊敬", "领导", "楼道灯", "不亮", "此致敬礼"]  # Traditional → Simplified
    assert expected[5:10] == [[], [], [], [], []]


def test_batched_tokens_are_fresh_lists_for_repeated_texts(fast):
    first, second = fast.tokens_many(["暖气不热", "暖气不热"])
    first.append("changed")
    assert second == fast.tokens("暖气不热")


def test_batched_tokens_cross_batch_boundaries(fast, monkeypatch):
    import jiesu.analysis.text

    texts = [f"{i}号楼暖气不热\n电梯坏了{i}" for i in range(25)] + [None, "收到"] * 5
    expected = [fast.tokens_unbatched(t) for t in texts]
    monkeypatch.setattr(jiesu.analysis.text, "BATCH_SIZE", 7)
    assert fast.tokens_many(texts) == expected
    assert list(fast.iter_tokens(texts)) == expected


def test_boilerplate_is_stripped_in_batches_too():
    tokenizer = Tokenizer("rjieba", strip_boilerplate=True)
    texts = ["尊敬的领导您好：我家暖气不热。此致敬礼", "您好\n领导好\n楼道灯不亮"]
    assert tokenizer.tokens_many(texts) == [tokenizer.tokens_unbatched(t) for t in texts]
    assert "领导" not in tokenizer.tokens(texts[1])


@pytest.mark.full
def test_fast_tokens_equal_jieba_on_whole_synthetic_corpus(full_world, fast, reference):
    texts = sorted(set(_corpus_texts(full_world)))  # identical texts segment identically; test each once
    normalized = [fast.normalize(t) for t in texts]
    mismatches = [t for t in normalized if fast.segment(t) != reference.segment(t)]
    assert len(texts) > 50_000
    assert mismatches == []


@pytest.mark.full
def test_batched_tokens_equal_per_text_tokens_on_whole_synthetic_corpus(full_world, fast):
    texts = _corpus_texts(full_world)  # with its repeats, in corpus order
    batched = fast.tokens_many(texts)
    mismatches = [t for t, b in zip(texts, batched, strict=True) if b != fast.tokens_unbatched(t)]
    assert len(batched) == len(texts) > 250_000
    assert mismatches == []


# ---------------------------------------------------------------------------------------------
# clean=True: what real exports carry and no topic may show
# ---------------------------------------------------------------------------------------------

PHONES = [
    "13812345678",
    "138-1234-5678",
    "138 1234 5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "(+86)13812345678",
    "+86-138-1234-5678",
    "138****5678",
    "1XX-XXXX-XXXX",
    "138XXXX5678",
    "010-65123456",
    "010 6512 3456",
    "(010)65123456",
    "(010) 6512-3456",
    "+86-10-6512-3456",
    "400-810-8888",
    "4008108888",
    "800 810 8888",
    "１３８１２３４５６７８",
]


@pytest.mark.parametrize("phone", PHONES)
def test_clean_removes_phones_in_any_form(phone):
    assert normalize(f"电话{phone}请回电", clean=True) == "电话 请回电"


@pytest.mark.parametrize("number", ["11010519491231002X", "110105194912310021", "11010519491231002x"])
def test_clean_removes_18_digit_id_numbers(number):
    assert normalize(f"身份证{number}号", clean=True) == "身份证 号"


@pytest.mark.parametrize(
    "place", ["A市", "A2区", "K县", "X号", "B座", "3号楼", "2单元", "502室", "10号线", "A2区B座2单元502室"]
)
def test_clean_removes_placeholder_places_with_their_suffix(place):
    assert normalize(f"住在{place}附近", clean=True) == "住在 附近"


@pytest.mark.parametrize(
    ("masked", "expected"),
    [
        ("***号院", "住在 附近"),
        ("××", "住在 附近"),
        ("■■", "住在 附近"),
        ("某某小区", "住在 小区附近"),
        ("XX路", "住在 路附近"),
    ],
)
def test_clean_removes_mask_runs(masked, expected):
    assert normalize(f"住在{masked}附近", clean=True) == expected


def test_clean_removes_codes_urls_and_emails_whole():
    text = "订单号 CMNET-NQ-20180627-304501，4G信号差，邮箱 zhang.san@example.com，见 https://x.cn/a?tid=152"
    assert normalize(text, clean=True) == "订单号 , 信号差,邮箱 ,见"
    assert normalize("wifi6 和 iPhone12 ABC-123 2022年3月5日花了128.5元", clean=True) == "和 年 月 日花了 元"


def test_clean_tokens_of_traditional_fullwidth_and_emoji_text():
    tokenizer = Tokenizer("rjieba", clean=True, stopwords=standard_stopwords())
    assert tokenizer.tokens("臺北市民來電：暖氣不熱！！ＡＢＣ１２３ 請處理😂👍🏻") == [
        "台北",
        "市民",
        "来电",
        "暖气",
        "不热",
        "处理",
    ]
    assert tokenizer.tokens("樓道燈不亮🙏，已經三天了[捂脸]") == ["楼道灯", "不亮", "已经", "三天"]


def test_clean_batched_tokens_equal_the_per_text_definition():
    tokenizer = Tokenizer("rjieba", clean=True)
    texts = [*BATCH_EDGE_CASES, "A市K县某某小区3号楼\n电话 (010) 6512-3456", "身份证11010519491231002X"]
    assert tokenizer.tokens_many(texts) == [tokenizer.tokens_unbatched(t) for t in texts]


def test_clean_is_part_of_the_cache_signature():
    assert Tokenizer(clean=True).signature() != Tokenizer().signature()
    assert Tokenizer().signature()[-1] is False  # unchanged for tokenizers without it (their caches stay)


def test_filler_list_holds_letter_boilerplate_but_no_lexicon_or_dictionary_word():
    from jiesu.categories import CATEGORIES

    protected = {w for w, _, _ in user_dictionary()} | {w for c in CATEGORIES for w in c.lexicon}
    assert {
        "您好",
        "领导",
        "尊敬",
        "谢谢",
        "希望",
        "请问",
        "相关部门",
        "回复",
        "没有",
        "已经",
    } <= filler_words()
    assert not protected & filler_words()
    assert all(len(w) >= 2 and " " not in w for w in filler_words())


def test_standard_stopwords_are_the_chat_stopwords_without_chat_noise():
    assert standard_stopwords() < default_stopwords()
    assert {"小区", "物业", "收到"} <= default_stopwords() - standard_stopwords()
