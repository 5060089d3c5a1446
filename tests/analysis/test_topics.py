"""Topic models: the vocabulary rules and the display rule with exact values, labels, the consensus
model's determinism and persistence, the CLI and its error messages on hand-made text; planted-category
recovery on the synthetic worlds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from jiesu.analysis.text import filler_words
from jiesu.analysis.topics import (
    ConsensusParams,
    DfRule,
    LabelRule,
    Lexicon,
    TopicParams,
    display_words,
    fit_consensus,
    fit_topic_model,
    is_display_token,
    label_topic,
    learn_corpus_stopwords,
    resolve_k,
    seed_lists,
    topic_name,
    topic_stoplist,
    topic_tokenizer,
    topic_tokens,
)
from jiesu.analysis.topics.prevalence import problem_topics
from jiesu.categories import CATEGORIES
from jiesu.evaluation.planted import category_topic_match
from jiesu.snapshot.chats import load_model, save_model, tokenized_corpus

PLACES = ("3号楼", "5号楼2单元", "小区门口", "6号楼前", "北门")
TAILS = ("又坏了", "好几天了", "麻烦看看", "谁管管", "能不能尽快处理")
CHATTER = ("收到", "谢谢", "好的哈哈", "早上好", "今天天气不错", "晚上吃什么")
QUICK = ConsensusParams(runs=3, iterations=100)


def hand_made_messages(
    n: int = 1200, seed: int = 0, codes=("heating", "flood", "lighting", "parking")
) -> pd.DataFrame:
    """Issue messages composed from the category lexicons, plus chatter; ``cat`` is the truth."""
    rng = np.random.default_rng(seed)
    cats = [c for c in CATEGORIES if c.code in codes]
    rows = []
    for i in range(n):
        if i % 4 == 3:
            rows.append((f"m{i}", " ".join(rng.choice(CHATTER, size=2)), ""))
            continue
        cat = cats[int(rng.integers(len(cats)))]
        a, b, c = rng.choice(cat.lexicon, size=3)
        rows.append(
            (f"m{i}", f"{rng.choice(PLACES)}{a}{rng.choice(TAILS)}，{b}{c}{rng.choice(TAILS)}", cat.code)
        )
    return pd.DataFrame(rows, columns=["msg_id", "text", "cat"])


@pytest.fixture(scope="module")
def issues() -> pd.DataFrame:
    frame = hand_made_messages()
    return frame.loc[frame["cat"] != ""].reset_index(drop=True)


@pytest.fixture(scope="module")
def issue_tokens(issues) -> list[list[str]]:
    return topic_tokenizer().tokens_many(issues["text"].tolist())


@pytest.fixture(scope="module")
def model(issue_tokens):
    params = TopicParams(k=4, consensus=QUICK)
    stoplist = topic_stoplist(topic_tokenizer().stopwords)
    return fit_topic_model(issue_tokens, params, stoplist=stoplist, lexicon=Lexicon.categories())


# ---------------------------------------------------------------------------------------------
# words: what a model learns from and what a person reads
# ---------------------------------------------------------------------------------------------


def test_display_tokens_are_han_words_or_short_latin_words():
    kept = [
        t
        for t in ["暖气", "热", "a2", "wifi", "暖气_不热", "x", "123", "，", "verylongword123"]
        if is_display_token(t)
    ]
    assert kept == ["暖气", "wifi"]


def test_display_words_never_show_single_characters_fillers_codes_or_underscores():
    words = ["领导", "装修_太吵", "热", "a2", "装修太吵", "噪音", "麻烦_看看", "您好", "sim", "12345", "噪音"]
    assert display_words(words) == ["装修太吵", "噪音", "sim"]
    assert display_words(words, drop={"噪音"}, limit=1) == ["装修太吵"]
    shown = display_words(sorted(filler_words()) + ["暖气"])
    assert shown == ["暖气"]  # every boilerplate word is held back, whatever list it came from
    assert display_words(["车棚", "一把", "两个", "几件", "一把手", "坡道"]) == ["车棚", "一把手", "坡道"]


def test_topic_name_joins_the_first_three_displayable_phrases():
    assert topic_name(["领导", "暖气", "暖气_不热", "热", "漏水", "阀门"]) == "暖气、暖气不热、漏水"


def test_topic_tokens_drop_stoplist_single_characters_and_codes():
    assert topic_tokens(
        [["暖气", "热", "领导", "a2", "wifi", "收到"]], frozenset({"收到"}) | filler_words()
    ) == [["暖气", "wifi"]]


def test_df_rule_drops_words_in_over_half_the_documents():
    docs = [["物业", "暖气", "不热"], ["物业", "停车", "车位"], ["物业", "噪音", "装修"], ["路灯", "不亮"]]
    assert learn_corpus_stopwords(docs) == {"物业"}
    assert learn_corpus_stopwords(docs, DfRule(max_df=0.8)) == set()


def test_df_rule_drops_frequent_words_that_live_at_message_edges():
    body = "暖气 不热 漏水 阀门 停车 车位 噪音 装修 路灯 不亮 积水 下水道 垃圾 清运 电梯 故障 门禁 监控 摊贩 占道".split()
    docs = []
    for i in range(40):
        rotated = body[i % 20 :] + body[: i % 20]
        docs.append(["尊敬", "主任", *rotated[:16], "盼复", "此致"] if i % 2 == 0 else rotated)
    assert learn_corpus_stopwords(docs, DfRule(max_df=0.95)) == {"尊敬", "主任", "盼复", "此致"}
    assert learn_corpus_stopwords(docs, DfRule(max_df=0.95, edge_min_df=0.6)) == set()  # in half of them only
    # short documents (pooled chat lines) are mostly edges: the lift keeps the rule off them
    short = [["车棚", "钥匙", "一把", "谁的", "捡到", "车棚"]] * 10 + [
        ["暖气", "不热", "漏水", "阀门", "维修", "师傅"]
    ] * 10
    assert learn_corpus_stopwords(short, DfRule(max_df=0.9)) == set()


# ---------------------------------------------------------------------------------------------
# labels and seeds
# ---------------------------------------------------------------------------------------------


def test_label_is_given_only_when_one_category_clearly_matches():
    lexicon = Lexicon.categories()
    assert label_topic([("暖气片", 0.2), ("不热", 0.1), ("楼下", 0.1), ("雨篦子", 0.05)], lexicon) == (
        "heating",
        0.6667,
    )
    assert label_topic([("哈哈", 0.5), ("周末", 0.3)], lexicon) == ("other", 0.0)
    # two categories alike: no clear match (the runner-up has more than half the winner's share)
    assert label_topic([("暖气", 0.3), ("积水", 0.2), ("周末", 0.5)], lexicon) == ("other", 0.3)
    # below the minimum share
    assert label_topic([("暖气", 0.1), ("周末", 0.9)], lexicon, LabelRule(min_share=0.2)) == ("other", 0.1)
    # single-character lexicon entries count only as whole words
    assert Lexicon.categories().category_of("灯") == "lighting"
    assert Lexicon.categories().category_of("灯笼") == "other"


def test_user_lexicon_labels_with_its_own_names():
    lexicon = Lexicon.from_mapping({"宽带": ["宽带", "网速"], "话费": ["扣费", "话费"]})
    assert label_topic([("宽带", 0.4), ("网速慢", 0.3), ("用户", 0.3)], lexicon) == ("宽带", 0.7)
    assert lexicon.label_of("宽带") == "宽带" and lexicon.label_of("other") == ""


def test_seed_lists_hold_corpus_words_of_frequent_categories_most_frequent_first():
    docs = [["暖气片", "不热"]] * 30 + [["积水", "雨篦子"]] * 25 + [["路灯"]] * 3
    assert seed_lists(docs, Lexicon.categories(), 5, min_docs=20) == [("不热", "暖气片"), ("积水", "雨篦子")]
    assert seed_lists(docs, Lexicon.categories(), 1, min_docs=20) == [("不热", "暖气片")]


# ---------------------------------------------------------------------------------------------
# the consensus model
# ---------------------------------------------------------------------------------------------


def test_auto_k_is_fourteen_capped_by_corpus_size():
    assert resolve_k("auto", 10_000) == 14 and resolve_k("auto", 100) == 5 and resolve_k("auto", 10) == 2
    assert resolve_k(9, 10) == 9


def test_consensus_recovers_hand_made_categories_and_labels_them(model, issues, issue_tokens):
    from sklearn.metrics import normalized_mutual_info_score

    labels, _ = model.training_topics
    assert normalized_mutual_info_score(issues["cat"], labels) > 0.9
    assert sorted(model.topics["category"]) == ["flood", "heating", "lighting", "parking"]
    assert model.topics["label"].is_unique and model.topics["name"].is_unique
    theta = model.infer(issue_tokens)
    assert normalized_mutual_info_score(issues["cat"], theta.argmax(axis=1)) > 0.9


def test_topic_table_shows_no_filler_single_character_or_underscore(model):
    for column in ("name", "top_words"):
        words = [w for cell in model.topics[column] for w in cell.replace("、", " ").split()]
        assert words and all(is_display_token(w) and w not in model.stoplist for w in words), column


def test_same_seed_gives_identical_consensus(issue_tokens):
    tokens = topic_tokens(issue_tokens, topic_stoplist(topic_tokenizer().stopwords))
    one, labels_one, weights_one = fit_consensus(tokens, 4, seed=3, params=QUICK)
    two, labels_two, weights_two = fit_consensus(tokens, 4, seed=3, params=QUICK)
    np.testing.assert_array_equal(labels_one, labels_two)
    np.testing.assert_array_equal(weights_one, weights_two)
    np.testing.assert_array_equal(one.centroids, two.centroids)
    assert one.vocabulary == two.vocabulary


def test_runs_may_fit_more_topics_than_the_consensus_groups(issues, issue_tokens):
    from sklearn.metrics import normalized_mutual_info_score

    tokens = topic_tokens(issue_tokens, topic_stoplist(topic_tokenizer().stopwords))
    params = replace(QUICK, run_topics_factor=2)
    model, labels, weights = fit_consensus(tokens, 4, seed=0, params=params)
    assert model.topic_map.shape == (3, 8) and set(model.topic_map.ravel()) <= set(range(4))
    assert model.centroids.shape == (4, 24)
    np.testing.assert_allclose(weights[labels >= 0].sum(axis=1), 1.0)
    assert normalized_mutual_info_score(issues["cat"], labels) >= 0.8  # four planted categories


def test_inference_is_deterministic_per_document(model, issue_tokens):
    docs = issue_tokens[:200]
    forward = model.infer(docs)
    backward = model.infer(docs[::-1])[::-1]
    np.testing.assert_array_equal(forward, backward)
    np.testing.assert_array_equal(forward[:50], model.infer(docs[:50], batch_size=7))
    np.testing.assert_allclose(forward.sum(axis=1), 1.0, rtol=1e-5)
    assert (model.infer([["收到"], []]) == 0).all()  # no modelled word: all-zero weights


def test_exact_inference_agrees_with_the_assigner(model, issue_tokens):
    labels, weights = model.engine.infer_exact(issue_tokens[:100])
    assert (labels == model.infer(issue_tokens[:100]).argmax(axis=1)).mean() > 0.9
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)


def test_saved_model_infers_the_same_without_pickle(model, issue_tokens, tmp_path):
    folder = save_model(model, tmp_path / "m")
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))
    assert len(list((folder / "runs").glob("run*.tomotopy"))) == QUICK.runs
    loaded = load_model(folder)
    np.testing.assert_array_equal(model.infer(issue_tokens), loaded.infer(issue_tokens))
    pd.testing.assert_frame_equal(model.topics, loaded.topics, check_dtype=False)
    assert loaded.params == model.params and loaded.stoplist == model.stoplist
    with_runs = load_model(folder, with_runs=True)
    np.testing.assert_array_equal(
        model.engine.infer_exact(issue_tokens[:20])[1], with_runs.engine.infer_exact(issue_tokens[:20])[1]
    )
    assert json.loads((folder / "meta.json").read_text(encoding="utf-8"))["method"] == "consensus"


def test_burst_labelling_reads_the_consensus_model_like_a_gensim_one(model):
    from jiesu.analysis.early_warning.bursts import topic_term_categories

    phi = model.lda.get_topics()
    assert phi.shape == (model.k, len(model.dictionary))
    np.testing.assert_allclose(phi.sum(axis=1), 1.0)
    terms = topic_term_categories(model, min_docs=5)
    assert terms.get("暖气片") == "heating" and terms.get("雨篦子") == "flood"


def test_gensim_method_stays_available(issue_tokens, tmp_path):
    params = TopicParams(method="gensim", k=4, passes=10, no_below=2, phrase_min_count=5, coherence_docs=500)
    gensim = fit_topic_model(issue_tokens, params, stoplist=filler_words(), lexicon=Lexicon.categories())
    assert gensim.method == "gensim" and gensim.k == 4
    assert not gensim.topics["top_words"].str.contains("_").any()
    loaded = load_model(save_model(gensim, tmp_path / "g"))
    np.testing.assert_allclose(gensim.infer(issue_tokens[:30]), loaded.infer(issue_tokens[:30]), rtol=1e-6)


def test_problem_topics_merge_one_category_and_leave_chatter_out():
    topics = pd.DataFrame(
        {
            "topic": [0, 1, 2, 3],
            "name": ["暖气、不热", "漏水、暖气片", "哈哈、周末", "积水、雨篦子"],
            "label": ["供暖", "供暖", "", "防汛"],
            "category": ["heating", "heating", "other", "flood"],
            "top_words": ["暖气 不热 领导", "漏水 暖气片 热", "哈哈 周末", "积水 雨篦子"],
        }
    )
    shares = pd.Series({0: 0.1, 1: 0.05, 2: 0.6, 3: 0.2})
    table = problem_topics(topics, shares)
    assert table.to_dict("list") == {
        "name": ["积水、雨篦子", "暖气、不热、漏水"],
        "label": ["防汛", "供暖"],
        "share": [0.2, pytest.approx(0.15)],
        "top_words": ["积水 雨篦子", "暖气 不热 漏水 暖气片"],
    }


def test_a_message_counts_toward_its_topic_only_with_one_of_the_topic_s_words():
    from jiesu.analysis.topics import anchor_topics

    doc_topics = pd.DataFrame(
        {"msg_id": ["a", "b", "c", "d"], "topic": [0, 0, 1, -1], "weight": [0.9, 0.8, 0.7, 0.0]}
    )
    tokens = pd.Series(["车棚 电动车", "孙子 感冒", "积水 楼门口", ""], index=["a", "b", "c", "d"])
    topics = pd.DataFrame({"topic": [0, 1], "top_words": ["车棚 停车 坡道", "积水 雨篦子"]})
    out = anchor_topics(doc_topics, tokens, topics)
    assert out["topic"].tolist() == [0, -1, 1, -1]  # 孙子 感冒 shares no word with the parking topic
    assert out["weight"].tolist() == pytest.approx([0.9, 0.0, 0.7, 0.0])
    assert doc_topics["topic"].tolist() == [0, 0, 1, -1]  # the input is not changed


def test_hungarian_match_gives_each_category_a_distinct_labelled_topic():
    cats = pd.Series(["a"] * 5 + ["b"] * 5 + ["c"] * 4)
    topics_of_docs = pd.Series([1, 1, 1, 0, -1, 0, 0, 0, 0, 1, 2, 2, 2, 1])
    topics = pd.DataFrame({"topic": [0, 1, 2], "category": ["b", "a", "other"]})
    match = category_topic_match(cats, topics_of_docs, topics).set_index("category")
    assert match.loc["b", "topic"] == 0 and match.loc["a", "topic"] == 1
    assert match.loc["c", "topic"] == -1  # topic 2 holds c, but a chatter topic matches no category
    assert match["matched"].tolist() == [True, True, False]
    few = category_topic_match(pd.Series(["a"] * 10), pd.Series([1] * 2 + [2] * 8), topics)
    assert few["topic"].tolist() == [1] and few["matched"].tolist() == [False]


def test_tokenized_corpus_is_cached_by_content(tmp_path):
    frame = hand_made_messages(40)
    first = tokenized_corpus(frame, id_col="msg_id", text_col="text", cache_dir=tmp_path)
    stamp = first.stat().st_mtime_ns
    again = tokenized_corpus(frame, id_col="msg_id", text_col="text", cache_dir=tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    changed = frame.assign(text=frame["text"].str.replace("暖气", "暖气片", regex=False))
    assert tokenized_corpus(changed, id_col="msg_id", text_col="text", cache_dir=tmp_path) != first


def test_streamed_corpus_equals_whole_reading_in_any_chunk_size(tmp_path):
    from jiesu.analysis.topics import TokenizedCorpus

    path = tokenized_corpus(hand_made_messages(), id_col="msg_id", text_col="text", cache_dir=tmp_path)
    whole = list(TokenizedCorpus(path, min_tokens=3))
    assert whole == list(TokenizedCorpus(path, min_tokens=3, batch_size=7))
    assert all(len(t) >= 3 for t in whole) and len(whole) == len(TokenizedCorpus(path, min_tokens=3))
    assert "收到" not in {w for doc in TokenizedCorpus(path) for w in doc}


# ---------------------------------------------------------------------------------------------
# jiesu topics
# ---------------------------------------------------------------------------------------------


def _board(tmp_path, n: int = 600):
    frame = hand_made_messages(n, seed=1)
    frame = frame.loc[frame["cat"] != ""]
    board = pd.DataFrame(
        {
            "留言时间": [f"2020年{1 + i % 9}月{1 + i % 27}日 10:00" for i in range(len(frame))],
            "留言内容": [f"尊敬的领导您好：{t}。此致敬礼，电话13812345678" for t in frame["text"]],
        }
    )
    source = tmp_path / "board.csv"
    board.to_csv(source, index=False, encoding="gb18030")
    return source, board


def test_cli_on_gb18030_message_board_names_topics_by_phrases(tmp_path, capsys):
    from jiesu.cli import main

    source, board = _board(tmp_path)
    out = tmp_path / "out"
    argv = [
        "topics",
        str(source),
        "--text-col",
        "留言内容",
        "--time-col",
        "留言时间",
        "--k",
        "4",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    topics = pd.read_csv(out / "topics.csv", keep_default_na=False)
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert list(topics.columns) == ["topic", "name", "label", "share", "top_words"]
    assert len(topics) == 4 and (topics["label"] == "").all()  # --lexicon none: named, not labelled
    words = " ".join(topics["top_words"]) + " " + " ".join(topics["name"])
    assert not any(w in words for w in ("领导", "此致", "敬礼", "您好", "尊敬", "_")) and "138" not in words
    assert topics["share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert doc_topics["row"].tolist() == list(range(2, len(board) + 2))  # rows as the file shows them
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert summary.startswith("<!doctype") and "话题占比 Topic shares" in summary and "%</span>" in summary
    assert (out / "bursts.csv").exists()
    assert "topics: 450 documents → 4 topics" in capsys.readouterr().out


def test_cli_lexicon_labels_topics_and_extra_stopwords_are_removed(tmp_path):
    from jiesu.cli import main

    source, _ = _board(tmp_path)
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text(
        "# 我们的分类\n供暖问题: 暖气 暖气片 供暖 供热 阀门\n雨水：积水、雨篦子、漏雨、下水道\n",
        encoding="utf-8",
    )
    stop = tmp_path / "stop.txt"
    stop.write_text("不热\n漏水\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["topics", str(source), "--text-col", "留言内容", "--k", "4", "--lexicon", str(lexicon)]
    assert main([*argv, "--stopwords", str(stop), "--stopwords", str(stop), "--out", str(out)]) == 0
    topics = pd.read_csv(out / "topics.csv", keep_default_na=False)
    assert {"供暖问题", "雨水"} <= set(topics["label"])
    assert not topics["top_words"].str.contains("不热|漏水").any()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lexicon", "nope.txt"], "错误 error: 文件 file nope.txt: --lexicon: 文件不存在 file not found"),
        (
            ["--stopwords", "missing.txt"],
            "错误 error: 文件 file missing.txt: --stopwords: 文件不存在 file not found",
        ),
        (
            ["--k", "1"],
            "错误 error: --k 必须是 ≥2 的整数或 auto / --k must be an integer ≥ 2 or 'auto', got '1'",
        ),
    ],
)
def test_cli_bad_option_is_one_exact_line(tmp_path, capsys, monkeypatch, extra, message):
    from jiesu.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("内容\n暖气不热\n", encoding="utf-8")
    assert main(["topics", "x.csv", "--text-col", "内容", "--out", "o", *extra]) == 1
    assert capsys.readouterr().err.strip() == message


def test_cli_bad_lexicon_line_names_the_line(tmp_path, capsys, monkeypatch):
    from jiesu.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("内容\n暖气不热\n", encoding="utf-8")
    (tmp_path / "lex.txt").write_text("供暖: 暖气\n这一行没有冒号\n", encoding="utf-8")
    assert main(["topics", "x.csv", "--text-col", "内容", "--lexicon", "lex.txt", "--out", "o"]) == 1
    assert capsys.readouterr().err.strip() == (
        "错误 error: 文件 file lex.txt; 行 rows 2: --lexicon: 每行应为“类别: 词1 词2 …” each line must be "
        "'category: word word …'"
    )


def test_cli_unknown_method_is_a_usage_error(tmp_path, capsys):
    from jiesu.cli import main

    assert main(["topics", "x.csv", "--text-col", "内容", "--method", "bert", "--out", str(tmp_path)]) == 2
    assert "'bert' is not one of 'consensus', 'gensim'" in capsys.readouterr().err


def test_cli_names_a_missing_column(tmp_path, capsys):
    from jiesu.cli import main

    source = tmp_path / "x.csv"
    pd.DataFrame({"内容": ["暖气不热"] * 3}).to_csv(source, index=False)
    assert main(["topics", str(source), "--text-col", "留言", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "留言" in err and "x.csv" in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# planted truth
# ---------------------------------------------------------------------------------------------


def test_planted_categories_are_recovered_on_the_small_world(small_world):
    from jiesu.evaluation.planted import score_topics

    score = score_topics(small_world.planted_truth(), small_world)
    assert score["nmi"] >= 0.6  # measured 0.81 (K = 14, seeded, seed 0)


@pytest.mark.full
def test_planted_categories_get_distinct_topics(full_world):
    from jiesu.evaluation.planted import score_topics

    score = score_topics(full_world.planted_truth(), full_world)
    assert score["categories_matched_share"] >= 0.8  # measured 1.0 (seeds 0–2)
    assert score["nmi"] >= 0.8  # measured 0.899 ± 0.002 (seeds 0–2)


@pytest.mark.full
def test_heating_topic_follows_the_heating_season(full_world):
    from jiesu.snapshot.chats import report_topics

    def heating_share(month: str) -> float:
        talk = report_topics(full_world.cut(month), month, top=20)
        problems = talk["problems"]
        assert list(problems.columns) == ["name", "label", "share", "top_words"]
        assert "" not in set(problems["label"]) and problems["label"].is_unique and problems["name"].is_unique
        return float(problems.loc[problems["label"] == "供暖", "share"].sum())

    assert heating_share("2019-12") > 3 * heating_share("2019-07")


def test_summary_html_speaks_chinese_with_english_and_shows_shares_as_percent():
    from jiesu.byod.topics import summary_html

    topics = pd.DataFrame(
        {
            "topic": [0, 1],
            "name": ["暖气、不热、阀门", "积水、雨篦子"],
            "label": ["", "防汛"],
            "share": [0.625, 0.375],
            "top_words": ["暖气 不热 阀门", "积水 雨篦子"],
        }
    )
    result = {"topics": topics, "documents": 8, "k": 2, "method": "consensus", "bursts": None}
    page = summary_html(result, title="board.csv · 留言内容")
    assert "<html lang='zh-CN'>" in page
    for bilingual in (
        "话题占比 Topic shares",
        "话题 Topics",
        "8 条有效文本 documents with words",
        "2 个话题 topics",
    ):
        assert bilingual in page
    assert "多次吉布斯 LDA 共识 consensus of Gibbs LDA runs" in page
    assert "62.5%" in page and "37.5%" in page and "0.625" not in page  # shares as %, never fractions
    assert page.index("暖气、不热、阀门") < page.index("积水、雨篦子")  # largest share first
    assert "<script" not in page


def test_problem_bars_tick_in_tenths_of_a_percent_below_ten_percent():
    from jiesu.snapshot.chats import problems_figure

    def ticks(top: float) -> str:
        frame = pd.DataFrame(
            {"name": ["积水、雨篦子"], "label": ["防汛"], "share": [top], "top_words": ["积水"]}
        )
        return problems_figure(frame, title="t").layout.xaxis.tickformat

    assert ticks(0.047) == ".1%" and ticks(0.25) == ".0%"  # a 5% axis ticks every 0.5%: no "1% 1% 2%"
