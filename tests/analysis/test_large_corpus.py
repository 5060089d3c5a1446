"""City-scale topics on Dask (issue 16): tokenize and infer as tasks, fit on a hash sample.

The corpus here is small (the synthetic world's chat reports, 3,000 of them) so the test stays light;
what it checks is what must hold at any size: the fit sample and every assignment are independent of
how the corpus is partitioned and how many workers run it, the output is complete Parquet, and a failed
run leaves the last good output in place.
"""

from __future__ import annotations

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from jiesu.analysis.topics import TopicParams
from jiesu.byod import large_corpus
from jiesu.byod.large_corpus import (
    in_fit_sample,
    infer_partition,
    shippable,
    tokenize_partition,
    topics_on_dask,
)
from jiesu.errors import JiesuError

DOCS = 3000


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def corpus(small_world, tmp_path_factory):
    messages = small_world.table("messages")
    texts = messages.loc[messages["text"].str.len() > 8, ["msg_id", "text"]].head(DOCS)
    assert len(texts) == DOCS
    folder = tmp_path_factory.mktemp("corpus")
    coarse, fine = folder / "coarse", folder / "fine"
    coarse.mkdir()
    fine.mkdir()
    for i in range(2):
        texts.iloc[i * 1500 : (i + 1) * 1500].to_parquet(coarse / f"part-{i}.parquet", index=False)
    for i in range(6):
        texts.iloc[i * 500 : (i + 1) * 500].to_parquet(fine / f"part-{i}.parquet", index=False)
    return {"coarse": coarse, "fine": fine, "texts": texts}


def _run(client, source, out, fit_docs=1000):
    return topics_on_dask(
        source,
        text_col="text",
        id_col="msg_id",
        out_dir=out,
        client=client,
        params=TopicParams(k=8, seed=0),
        fit_docs=fit_docs,
    )


def test_the_fit_sample_is_chosen_by_id_whatever_the_order():
    ids = pd.Series([f"m{i}" for i in range(20_000)])
    chosen = in_fit_sample(ids, 0.1)
    assert 0.09 < chosen.mean() < 0.11  # the fraction asked for, within sampling error
    shuffled = ids.sample(frac=1.0, random_state=1)
    assert set(shuffled[in_fit_sample(shuffled, 0.1)]) == set(ids[chosen])


def test_partitioning_does_not_change_topics_or_assignments(client, corpus, tmp_path):
    coarse = _run(client, corpus["coarse"], tmp_path / "a")
    fine = _run(client, corpus["fine"], tmp_path / "b")
    assert coarse.documents == fine.documents == DOCS
    assert coarse.fit_documents == fine.fit_documents
    assert 800 < coarse.fit_documents < 1200  # about fit_docs
    pd.testing.assert_frame_equal(coarse.topics, fine.topics)
    a = pd.read_parquet(coarse.doc_topics_dir).sort_values("doc_id").reset_index(drop=True)
    b = pd.read_parquet(fine.doc_topics_dir).sort_values("doc_id").reset_index(drop=True)
    assert len(a) == DOCS and set(a["doc_id"]) == set(corpus["texts"]["msg_id"])
    pd.testing.assert_frame_equal(a, b)
    assigned = a["topic"] >= 0
    assert assigned.mean() > 0.9  # nearly every report has a modelled word
    assert coarse.topics["share"].sum() == pytest.approx(assigned.mean(), abs=1e-9)


def test_workers_infer_what_the_client_would(client, corpus, tmp_path):
    result = _run(client, corpus["coarse"], tmp_path / "c")
    model = shippable(result.model)
    assert model.engine.runs == []  # the tomotopy runs stay with the client
    local = infer_partition(tokenize_partition(corpus["texts"], "msg_id", "text"), model)
    on_dask = pd.read_parquet(result.doc_topics_dir).set_index("doc_id").loc[local["doc_id"]]
    assert (on_dask["topic"].to_numpy() == local["topic"].to_numpy()).all()


def test_a_missing_column_is_one_clear_error(client, corpus, tmp_path):
    with pytest.raises(
        JiesuError, match="找不到列 column not found: no_such_column; columns are: msg_id, text"
    ):
        topics_on_dask(
            corpus["coarse"], text_col="text", id_col="no_such_column", out_dir=tmp_path, client=client
        )


def test_a_run_failing_mid_inference_keeps_the_last_good_output(client, corpus, tmp_path, monkeypatch):
    good = _run(client, corpus["fine"], tmp_path / "d")
    before = pd.read_parquet(good.doc_topics_dir)

    later = set(corpus["texts"]["msg_id"].iloc[1000:].astype(str))

    def fails_on_a_later_part(tokens, model):
        if len(tokens) and tokens["doc_id"].iloc[0] in later:
            raise RuntimeError("worker lost")
        return infer_partition(tokens, model)

    monkeypatch.setattr(large_corpus, "infer_partition", fails_on_a_later_part)
    with pytest.raises(RuntimeError, match="worker lost"):
        _run(client, corpus["fine"], tmp_path / "d")
    pd.testing.assert_frame_equal(pd.read_parquet(good.doc_topics_dir), before)
    assert not list((tmp_path / "d").glob(".doc_topics*"))  # no staging left behind
