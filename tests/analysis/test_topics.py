"""Topic model: labels, cache, reproducibility and the CLI on hand-made text; planted-category recovery
on the full synthetic world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiesu.analysis.topics.corpus import TokenizedCorpus
from jiesu.analysis.topics.model import TopicParams, label_topic, train_topic_model
from jiesu.categories import CATEGORIES
from jiesu.evaluation.planted import category_topic_match
from jiesu.snapshot.chats import load_model, save_model, tokenized_corpus

PLACES = ("3号楼", "5号楼2单元", "小区门口", "6号楼前", "北门")
TAILS = ("又坏了", "好几天了", "麻烦看看", "谁管管", "能不能尽快处理")
CHATTER = ("收到", "谢谢", "好的哈哈", "早上好", "今天天气不错", "晚上吃什么")


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
def corpus_path(tmp_path_factory):
    return tokenized_corpus(
        hand_made_messages(), id_col="msg_id", text_col="text", cache_dir=tmp_path_factory.mktemp("tokens")
    )


SMALL = TopicParams(k=4, passes=10, no_below=2, phrase_min_count=5, coherence_docs=500)


def test_label_is_the_category_with_most_lexicon_mass():
    words = [("暖气片", 0.2), ("不热", 0.1), ("楼下", 0.1), ("雨篦子", 0.05)]
    assert label_topic(words) == ("heating", pytest.approx(0.3))
    assert label_topic([("哈哈", 0.5), ("周末", 0.3)], min_mass=0.03)[0] == "other"
    # bigrams count through their parts; single-character lexicon entries only as whole parts
    assert label_topic([("声控灯_不亮", 0.2), ("灯光秀", 0.3)])[0] == "lighting"


def test_tokenized_corpus_is_cached_by_content(tmp_path):
    frame = hand_made_messages(40)
    first = tokenized_corpus(frame, id_col="msg_id", text_col="text", cache_dir=tmp_path)
    stamp = first.stat().st_mtime_ns
    again = tokenized_corpus(frame, id_col="msg_id", text_col="text", cache_dir=tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    changed = frame.assign(text=frame["text"].str.replace("号楼", "栋", regex=False))
    assert tokenized_corpus(changed, id_col="msg_id", text_col="text", cache_dir=tmp_path) != first


def test_streamed_corpus_equals_whole_reading_in_any_chunk_size(corpus_path):
    whole = list(TokenizedCorpus(corpus_path, min_tokens=3))
    chunked = list(TokenizedCorpus(corpus_path, min_tokens=3, batch_size=7))
    assert whole == chunked
    assert all(len(t) >= 3 for t in whole) and len(whole) == len(TokenizedCorpus(corpus_path, min_tokens=3))
    assert "收到" not in {w for doc in TokenizedCorpus(corpus_path) for w in doc}


def test_same_seed_gives_identical_topics(corpus_path):
    one = train_topic_model(TokenizedCorpus(corpus_path, min_tokens=3), SMALL)
    two = train_topic_model(TokenizedCorpus(corpus_path, min_tokens=3), SMALL)
    pd.testing.assert_frame_equal(one.topics, two.topics)
    np.testing.assert_array_equal(one.lda.get_topics(), two.lda.get_topics())


def test_topics_recover_hand_made_categories(corpus_path):
    from sklearn.metrics import normalized_mutual_info_score

    model = train_topic_model(TokenizedCorpus(corpus_path, min_tokens=3), SMALL)
    assert sorted(model.topics["category"]) == ["flood", "heating", "lighting", "parking"]
    frame = hand_made_messages()
    issues = frame.loc[frame["cat"] != ""]
    from jiesu.analysis.topics.corpus import topic_tokenizer

    tok = topic_tokenizer()
    theta = model.infer([tok.tokens(t) for t in issues["text"]])
    assert normalized_mutual_info_score(issues["cat"], theta.argmax(axis=1)) > 0.9


def test_saved_model_infers_the_same(corpus_path, tmp_path):
    model = train_topic_model(TokenizedCorpus(corpus_path, min_tokens=3), SMALL)
    loaded = load_model(save_model(model, tmp_path / "m"))
    docs = list(TokenizedCorpus(corpus_path))[:50]
    np.testing.assert_allclose(model.infer(docs), loaded.infer(docs), rtol=1e-6)
    pd.testing.assert_frame_equal(model.topics, loaded.topics, check_dtype=False)


def test_auto_k_picks_the_grid_value_with_best_coherence(corpus_path):
    params = TopicParams(k="auto", k_grid=(3, 4, 6), passes=3, no_below=2, phrase_min_count=5)
    model = train_topic_model(TokenizedCorpus(corpus_path, min_tokens=3), params)
    assert set(model.coherence_by_k) == {3, 4, 6}
    assert model.k == max(model.coherence_by_k, key=model.coherence_by_k.get)


def test_hungarian_match_gives_each_category_a_distinct_labelled_topic():
    cats = pd.Series(["a"] * 5 + ["b"] * 5 + ["c"] * 4)
    topics_of_docs = pd.Series([1, 1, 1, 0, -1, 0, 0, 0, 0, 1, 2, 2, 2, 1])
    topics = pd.DataFrame({"topic": [0, 1, 2], "category": ["b", "a", "other"]})
    match = category_topic_match(cats, topics_of_docs, topics).set_index("category")
    assert match.loc["b", "topic"] == 0 and match.loc["a", "topic"] == 1
    assert match.loc["c", "topic"] == -1  # topic 2 holds c, but a chatter topic matches no category
    assert match["matched"].tolist() == [True, True, False]
    # a labelled topic holding too few of its category's documents is no match
    few = category_topic_match(pd.Series(["a"] * 10), pd.Series([1] * 2 + [2] * 8), topics)
    assert few["topic"].tolist() == [1] and few["matched"].tolist() == [False]


def test_cli_on_gb18030_message_board_strips_boilerplate(tmp_path):
    from jiesu.cli import main

    frame = hand_made_messages(600, seed=1)
    frame = frame.loc[frame["cat"] != ""]
    board = pd.DataFrame(
        {
            "留言时间": [f"2020年{1 + i % 9}月{1 + i % 27}日 10:00" for i in range(len(frame))],
            "留言内容": [f"尊敬的领导您好：{t}。此致敬礼" for t in frame["text"]],
        }
    )
    source = tmp_path / "board.csv"
    board.to_csv(source, index=False, encoding="gb18030")
    out = tmp_path / "out"
    assert (
        main(
            [
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
        )
        == 0
    )
    topics = pd.read_csv(out / "topics.csv")
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert len(topics) == 4 and set(topics.columns) >= {"topic", "label", "top_words", "coherence"}
    assert not topics["top_words"].str.contains("领导|此致|敬礼").any()
    assert doc_topics["row"].tolist() == list(range(2, len(board) + 2))  # rows as the file shows them
    assert (out / "bursts.csv").exists() and (out / "summary.html").read_text(encoding="utf-8").startswith(
        "<!doctype"
    )


def test_cli_names_a_missing_column(tmp_path, capsys):
    from jiesu.cli import main

    source = tmp_path / "x.csv"
    pd.DataFrame({"内容": ["暖气不热"] * 3}).to_csv(source, index=False)
    assert main(["topics", str(source), "--text-col", "留言", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "留言" in err and "x.csv" in err and len(err.strip().splitlines()) == 1


@pytest.mark.full
def test_planted_categories_get_distinct_topics(full_world):
    from jiesu.evaluation.planted import score_topics

    score = score_topics(full_world.planted_truth(), full_world)
    assert score["categories_matched_share"] >= 0.8
    assert score["nmi"] >= 0.6


@pytest.mark.full
def test_heating_topic_follows_the_heating_season(full_world):
    from jiesu.snapshot.chats import report_topics

    def heating_share(month: str) -> float:
        talk = report_topics(full_world.cut(month), month, top=20)
        assert list(talk["problems"].columns) == ["label", "share", "top_words"]
        assert "其他" not in set(talk["problems"]["label"]) and talk["problems"]["label"].is_unique
        return float(talk["problems"].loc[talk["problems"]["label"] == "供暖", "share"].sum())

    assert heating_share("2019-12") > 3 * heating_share("2019-07")
