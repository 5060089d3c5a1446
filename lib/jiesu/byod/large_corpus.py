"""Topics of a corpus too large for one machine: tokenize and infer as Dask tasks, fit on a sample.

A city's work orders (millions a year) do not fit one machine's memory as token lists, and need not:

1. **Tokenize** every partition of the corpus as a Dask task (:func:`tokenize_partition`, the same
   :func:`jiesu.analysis.topics.topic_tokenizer` as everywhere else); the tokens stay on the workers.
2. **Sample** the training documents by a hash of their id (:func:`in_fit_sample`), so the same
   documents are chosen whatever the partitioning and the number of workers; at most
   ``fit_docs`` of them (default 20,000, the consensus model's own fit size,
   :class:`jiesu.analysis.topics.ConsensusParams`) are brought to the client.
3. **Fit** the topic model once on that sample (:func:`jiesu.analysis.topics.fit_topic_model`): the
   documented sample is the model's training window.
4. **Infer** every document as Dask tasks with the fitted model broadcast to the workers (naive Bayes
   assignment, deterministic per document: a document's topic does not depend on its partition).
5. **Write** ``doc_topics`` as partitioned Parquet from the workers and reduce the topic counts.

The tokens are persisted on the workers between steps 1 and 4, spread over them, so memory per worker
grows with the corpus and shrinks with the number of workers; the client holds only the fit sample and
the model.  ``bench/city_topics.py`` measures 1M and 5M documents (``bench/README.md``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from jiesu.analysis.text import standard_stopwords
from jiesu.analysis.topics import TopicModel, TopicParams, fit_topic_model, topic_stoplist, topic_tokenizer
from jiesu.errors import JiesuError

FIT_DOCS = 20_000
"""Documents the model is fitted on (the consensus model fits its runs on at most this many)."""

_HASH_SPACE = 2**32
# typed (not ``object``) so that Parquet gets a real schema for the workers' parts
_DOC_TOPICS_META = pd.DataFrame(
    {
        "doc_id": pd.Series(dtype="string"),
        "topic": pd.Series(dtype="int32"),
        "weight": pd.Series(dtype="float32"),
    }
)


@dataclass(frozen=True)
class LargeCorpusResult:
    """What :func:`topics_on_dask` produced: the model, the topic table with shares, and counts."""

    model: TopicModel
    topics: pd.DataFrame  # topic, name, label, top_words, documents, share (0–1)
    documents: int
    fit_documents: int
    doc_topics_dir: Path


def _doc_hash(ids: pd.Series) -> np.ndarray:
    """A stable 32-bit hash of each id (blake2b, not Python's salted ``hash``)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(str(i).encode(), digest_size=4).digest(), "big") for i in ids),
        dtype=np.uint64,
        count=len(ids),
    )


def in_fit_sample(ids: pd.Series, fraction: float) -> np.ndarray:
    """Whether each document id is in the fit sample: its hash falls in the first ``fraction`` of the
    hash space.  Independent of partitioning, order and worker count.

    >>> in_fit_sample(pd.Series(["a", "b", "c"]), 1.0).tolist()
    [True, True, True]
    >>> in_fit_sample(pd.Series(["a", "b", "c"]), 0.0).tolist()
    [False, False, False]
    """
    return _doc_hash(ids) < np.uint64(int(fraction * _HASH_SPACE))


def shippable(model: TopicModel) -> TopicModel:
    """The model as workers need it for inference: without the tomotopy runs (they cannot be pickled
    and only exact inference reads them) and without the training assignments."""
    engine = model.engine
    if hasattr(engine, "runs"):
        engine = replace(engine, runs=[])
    return replace(model, engine=engine, training_topics=None)


def tokenize_partition(frame: pd.DataFrame, id_col: str, text_col: str) -> pd.DataFrame:
    """``doc_id`` and space-joined ``tokens`` of one partition (the topic tokenizer, export stopwords)."""
    tokenizer = topic_tokenizer(stopwords=standard_stopwords())
    texts = frame[text_col].fillna("").astype(str).tolist()
    return pd.DataFrame(
        {"doc_id": frame[id_col].astype(str).to_numpy(), "tokens": tokenizer.token_strings(texts)},
        index=frame.index,
    )


def infer_partition(tokens: pd.DataFrame, model: TopicModel) -> pd.DataFrame:
    """``doc_id``, ``topic`` (-1: no modelled word) and ``weight`` of one partition's documents."""
    weights = model.infer(t.split() if t else [] for t in tokens["tokens"])
    has_word = weights.sum(axis=1) > 0 if len(weights) else np.zeros(0, dtype=bool)
    return pd.DataFrame(
        {
            "doc_id": tokens["doc_id"].astype("string").to_numpy(),
            "topic": np.where(has_word, weights.argmax(axis=1), -1).astype(np.int32),
            "weight": np.where(has_word, weights.max(axis=1), 0.0).astype(np.float32),
        },
        index=tokens.index,
    )


def topics_on_dask(
    source: str | Path,
    *,
    text_col: str,
    id_col: str,
    out_dir: str | Path,
    client,
    params: TopicParams = TopicParams(k=14),
    fit_docs: int = FIT_DOCS,
    progress=None,
) -> LargeCorpusResult:
    """Topics of every document of a Parquet dataset (a file or a folder of parts), on a Dask cluster.

    Parameters
    ----------
    source : Parquet file or folder; one row per document with ``id_col`` and ``text_col``.
    text_col, id_col : column names; ids must be unique (they decide the fit sample).
    out_dir : ``doc_topics/`` (Parquet, one part per input partition) is written here by the workers.
    client : a connected :class:`distributed.Client` (embedded ``LocalCluster`` or an external cluster
        whose workers can read ``source`` and write ``out_dir`` at the same paths).
    params : the topic model (:class:`jiesu.analysis.topics.TopicParams`; K, seed, method).
    fit_docs : the fit sample's target size (documents); the sample fraction is ``fit_docs / n``.
    progress : optional ``progress(step: str)``.

    Returns
    -------
    :class:`LargeCorpusResult`.  The same data, parameters and ``fit_docs`` give the same topics and the
    same document assignments on any number of workers (the sample is chosen by id hash, inference is
    per document).
    """
    import dask.dataframe as dd  # heavy: only city-scale runs use Dask's dataframes

    note = progress or (lambda step: None)
    frame = dd.read_parquet(str(source))
    missing = [c for c in (id_col, text_col) if c not in frame.columns]
    if missing:
        raise JiesuError(
            f"{source}: 找不到列 column not found: {', '.join(missing)}; columns are: {', '.join(frame.columns)}"
        )
    frame = frame[[id_col, text_col]]
    tokens = frame.map_partitions(
        tokenize_partition, id_col, text_col, meta={"doc_id": "object", "tokens": "object"}
    ).persist()
    documents = int(tokens.shape[0].compute())
    note(f"tokenized {documents:,} documents in {tokens.npartitions} partitions")
    fraction = min(1.0, fit_docs / max(documents, 1))
    sample = tokens.map_partitions(lambda part: part.loc[in_fit_sample(part["doc_id"], fraction)]).compute()
    sample = sample.sort_values("doc_id", kind="stable")
    note(f"fitting on a sample of {len(sample):,} documents ({fraction:.2%})")
    model = fit_topic_model(
        [t.split() if t else [] for t in sample["tokens"]],
        params,
        stoplist=topic_stoplist(standard_stopwords()),
    )
    note(f"fitted {model.k} topics")
    shared = client.scatter(shippable(model), broadcast=True)
    assigned = tokens.map_partitions(infer_partition, shared, meta=_DOC_TOPICS_META)
    target = Path(out_dir) / "doc_topics"
    staging = target.with_name(f".doc_topics.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        assigned.to_parquet(str(staging), write_index=False)
        counts = dd.read_parquet(str(staging), columns=["topic"])["topic"].value_counts().compute()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the last good doc_topics stays in place
        raise
    _swap_in(staging, target)
    del tokens  # release the workers' tokens
    table = model.topics.copy()
    table["documents"] = table["topic"].map(counts).fillna(0).astype(int).to_numpy()
    table["share"] = table["documents"] / max(documents, 1)
    note(f"assigned {documents:,} documents to {len(table)} topics")
    return LargeCorpusResult(model, table, documents, len(sample), target)


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by the complete ``staging`` folder (rename, then drop the old one)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
