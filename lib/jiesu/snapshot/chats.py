"""The chat snapshot of one world: tokenized corpus and trained topic model cached under ``interim``,
document-topic weights, bursts, interception and the seasonal checklist that reports read (the
watch list is :mod:`jiesu.snapshot.watch`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jiesu.analysis.chats import (
    chat_issues,
    conversation_sessions,
    issue_like,
    text_messages,
)
from jiesu.analysis.early_warning.bursts import (
    BurstParams,
    _term_category_lookup,
    detect_bursts,
    topic_term_categories,
)
from jiesu.analysis.early_warning.interception import interception, monthly_interception
from jiesu.analysis.early_warning.watch import issue_history, seasonal_checklist
from jiesu.analysis.text import Tokenizer
from jiesu.analysis.topics.consensus import ConsensusParams, ConsensusTopics
from jiesu.analysis.topics.corpus import (
    PooledCorpus,
    TokenizedCorpus,
    frame_hash,
    tokenize_frame,
    topic_tokenizer,
)
from jiesu.analysis.topics.gensim_lda import GensimLda
from jiesu.analysis.topics.labels import Lexicon
from jiesu.analysis.topics.model import TopicModel, TopicParams, fit_topic_model
from jiesu.analysis.topics.prevalence import anchor_topics, problem_topics, topic_prevalence
from jiesu.analysis.topics.vocabulary import topic_stoplist
from jiesu.categories import text_categories
from jiesu.months import month_end, month_label, month_of, shift_month
from jiesu.snapshot.world import World
from jiesu.storage import write_parquet

TOKENS_VERSION = "tokens-v3"


TRAINING_SELECTION = "issue-like-pooled-12-months-v4"

CHAT_LEXICON = Lexicon.categories()
"""The categories chat topics are labelled and seeded with."""

CHAT_TOPIC_PARAMS = TopicParams(seeded=True)
"""The chat snapshot's topic settings: the consensus method, K = 14, seeded with :data:`CHAT_LEXICON`.
Seeding is opt-in elsewhere; on the synthetic chats it raised planted-category NMI from 0.83–0.86 to
0.89–0.90 and the share of categories with their own labelled topic from 0.57–0.83 to 1.00 (3 seeds,
K = 12–16; ``bench/topic_quality.md``), so the community's chats keep it."""


def tokenized_corpus(
    frame: pd.DataFrame, *, id_col: str, text_col: str, cache_dir: Path, tokenizer: Tokenizer | None = None
) -> Path:
    """Tokenize ``frame[text_col]`` once and cache it as ``<cache_dir>/<hash>.parquet``.

    The key is the content hash of ids and texts plus the tokenizer signature, so a new data snapshot
    or a new dictionary gives a new file and an unchanged one is reused.  Returns the file path.
    """
    tokenizer = tokenizer or topic_tokenizer()
    key = hashlib.sha256(
        repr((TOKENS_VERSION, frame_hash(frame, [id_col, text_col]), tokenizer.signature())).encode()
    ).hexdigest()[:16]
    target = Path(cache_dir) / f"{key}.parquet"
    if not target.exists():
        write_parquet(target, tokenize_frame(frame, id_col=id_col, text_col=text_col, tokenizer=tokenizer))
    return target


CONSENSUS_ARRAYS = ("centroids", "topic_map", "word_counts", "topic_docs", "doc_freq")


def save_model(model: TopicModel, directory: str | os.PathLike) -> Path:
    """Write a model atomically as a directory, without pickle: ``topics.csv``, ``meta.json`` (params,
    stoplist, learned stopwords) and, for a consensus model, one ``.npy`` per array, ``vocabulary.json``
    and each run's tomotopy file (``runs/run00.tomotopy`` …, topic parameters only); for a gensim
    model, gensim's own files."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.topics.to_csv(tmp / "topics.csv", index=False)
        meta = {
            "method": model.method,
            "params": asdict(model.params),
            "stoplist": sorted(model.stoplist),
            "learned": list(model.learned),
            "coherence_by_k": model.coherence_by_k,
        }
        if model.method == "consensus":
            meta["consensus"] = _save_consensus(model.engine, tmp)
        else:
            model.engine.lda.save(str(tmp / "lda.gensim"))
            model.engine.dictionary.save(str(tmp / "dictionary.gensim"))
            model.engine.phraser.save(str(tmp / "phraser.gensim"))
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _save_consensus(engine: ConsensusTopics, folder: Path) -> dict:
    for name in CONSENSUS_ARRAYS:
        np.save(folder / f"{name}.npy", getattr(engine, name), allow_pickle=False)
    (folder / "vocabulary.json").write_text(
        json.dumps(list(engine.vocabulary), ensure_ascii=False), encoding="utf-8"
    )
    (folder / "runs").mkdir()
    for r, run in enumerate(engine.runs):
        run.save(str(folder / "runs" / f"run{r:02d}.tomotopy"), full=False)
    return {
        "k": engine.k,
        "seed": engine.seed,
        "stability": engine.stability,
        "params": asdict(engine.params),
    }


def _load_consensus(folder: Path, meta: dict, *, with_runs: bool) -> ConsensusTopics:
    arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in CONSENSUS_ARRAYS}
    runs = []
    if with_runs:
        import tomotopy as tp  # native extension; only exact inference needs the runs

        runs = [tp.LDAModel.load(str(path)) for path in sorted((folder / "runs").glob("run*.tomotopy"))]
    return ConsensusTopics(
        k=int(meta["k"]),
        seed=int(meta["seed"]),
        params=ConsensusParams(**meta["params"]),
        vocabulary=tuple(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))),
        stability=float(meta["stability"]),
        runs=runs,
        **arrays,
    )


def _load_gensim(folder: Path) -> GensimLda:
    # heavy (gensim ~1.9 s to import); only a gensim-method model needs it
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.models.phrases import FrozenPhrases

    return GensimLda(
        LdaModel.load(str(folder / "lda.gensim")),
        Dictionary.load(str(folder / "dictionary.gensim")),
        FrozenPhrases.load(str(folder / "phraser.gensim")),
    )


def load_model(directory: str | os.PathLike, *, with_runs: bool = False) -> TopicModel:
    """Read a model written by :func:`save_model`.  A consensus model's tomotopy runs are read only with
    ``with_runs`` (needed by exact inference alone; reports infer with the naive Bayes assigner)."""
    source = Path(directory)
    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    topics = pd.read_csv(
        source / "topics.csv",
        dtype={"name": str, "label": str, "category": str, "top_words": str},
        keep_default_na=False,
    )
    if meta["method"] == "consensus":
        engine = _load_consensus(source, meta["consensus"], with_runs=with_runs)
    else:
        engine = _load_gensim(source)
    return TopicModel(
        params=TopicParams.from_dict(meta["params"]),
        engine=engine,
        topics=topics,
        stoplist=frozenset(meta["stoplist"]),
        learned=tuple(meta["learned"]),
        coherence_by_k={int(k): v for k, v in meta["coherence_by_k"].items()},
    )


@dataclass
class Snapshot:
    """A trained model for one data snapshot and the weights of every text message.

    ``doc_topics``: one row per text message with at least one token with ``msg_id``, ``topic`` (dominant, -1 when
    no known word), ``weight`` (its θ), ``n_tokens``, and ``theta`` columns ``t0…t{K-1}``.
    """

    model: TopicModel
    doc_topics: pd.DataFrame
    tokens_path: Path
    key: str


def _doc_topics(model: TopicModel, corpus: TokenizedCorpus) -> pd.DataFrame:
    ids = list(corpus.ids())
    theta = model.infer(iter(corpus))
    counts = pd.read_parquet(corpus.path, columns=["doc_id", "n_tokens"]).set_index("doc_id")["n_tokens"]
    has_word = theta.sum(axis=1) > 0
    frame = pd.DataFrame(
        {
            "msg_id": ids,
            "topic": np.where(has_word, theta.argmax(axis=1), -1).astype(np.int32),
            "weight": np.where(has_word, theta.max(axis=1), 0.0).astype(np.float32),
            "n_tokens": counts.reindex(ids).to_numpy(dtype=np.int32),
        }
    )
    return pd.concat([frame, pd.DataFrame(theta, columns=[f"t{i}" for i in range(model.k)])], axis=1)


def snapshot_tokens(world: World) -> Path:
    """The cached tokenized corpus (:func:`tokenized_corpus`) of the snapshot's text messages.

    Finding the cache file means hashing every message; within one process that is done once per
    version of the messages table, community and cut, as long as the file exists.
    """
    version = (world.version("messages"), world.community, world.as_of, str(world.interim))
    known = _SNAPSHOT_TOKENS.get(version)
    if known is None or not known.exists():
        messages = text_messages(world.table("messages"))
        known = tokenized_corpus(
            messages, id_col="msg_id", text_col="text", cache_dir=world.interim / "tokens"
        )
        _SNAPSHOT_TOKENS[version] = known
    return known


_SNAPSHOT_TOKENS: dict[tuple, Path] = {}


_LOADED_SNAPSHOTS: dict[Path, Snapshot] = {}


TRAINING_MONTHS = 12
"""The topic model of a world is trained on its last ``TRAINING_MONTHS`` months of messages (the
window ends at the world's cut, so a report for month M trains only on data up to M) and then applied
to every message; a bounded window keeps a monthly report's training cost flat as chats accumulate."""


def training_messages(messages: pd.DataFrame) -> pd.DataFrame:
    """The messages of the last :data:`TRAINING_MONTHS` months (by ``sent_at``) of ``messages``."""
    if messages.empty:
        return messages
    last = month_of(messages["sent_at"]).max()
    return messages.loc[month_of(messages["sent_at"]) > shift_month(last, -TRAINING_MONTHS)]


def _training_documents(world: World, tokens_path: Path, params: TopicParams) -> list[list[str]]:
    """The snapshot's training documents: issue-like messages of the last :data:`TRAINING_MONTHS`
    months, pooled with the staff messages of their conversations (``params.pool_hours``)."""
    messages = training_messages(text_messages(world.table("messages")))
    tokens = pd.read_parquet(tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
    selected = issue_like(
        messages,
        tokens.reindex(messages["msg_id"]).fillna("").reset_index(drop=True).set_axis(messages.index),
    )
    issues = messages.loc[selected]
    if params.pool_hours <= 0:
        return list(TokenizedCorpus(tokens_path, min_tokens=params.min_tokens, doc_ids=set(issues["msg_id"])))
    # staff replies and closing notes belong to the conversation: they say what was repaired
    candidates = messages.loc[selected | messages["is_staff"].fillna(False).astype(bool)]
    sessions = conversation_sessions(candidates, hours=params.pool_hours)
    sessions = sessions.loc[sessions.isin(set(sessions.reindex(issues["msg_id"])))]
    return list(
        PooledCorpus(
            TokenizedCorpus(tokens_path, doc_ids=set(sessions.index)), sessions, min_tokens=params.min_tokens
        )
    )


def chat_stoplist() -> frozenset[str]:
    """The words no chat topic is made of: the chat tokenizer's stopwords and the governance boilerplate."""
    return topic_stoplist(topic_tokenizer().stopwords)


def snapshot_model(world: World, params: TopicParams = CHAT_TOPIC_PARAMS, *, progress=None) -> Snapshot:
    """Fit (once) and cache the topic model of the chat snapshot in ``data``; later calls only read.

    The model is fitted on :func:`_training_documents` with the chat stoplist and labelled with
    :data:`CHAT_LEXICON`, then every text message is inferred once (``doc_topics``).  Cache:
    ``<interim>/tokens/<hash>.parquet`` (tokens) and ``<interim>/topics/<key>/`` (model,
    ``doc_topics.parquet``), with ``key`` = hash of the tokens file name, ``params``, the lexicon and
    the stoplist.
    """
    tokens_path = snapshot_tokens(world)
    stoplist = chat_stoplist()
    key = hashlib.sha256(
        repr((TRAINING_SELECTION, tokens_path.stem, params.key(), CHAT_LEXICON, sorted(stoplist))).encode()
    ).hexdigest()[:16]
    directory = world.interim / "topics" / key
    if (directory / "doc_topics.parquet").exists():
        if directory not in _LOADED_SNAPSHOTS:
            _LOADED_SNAPSHOTS[directory] = Snapshot(
                load_model(directory), pd.read_parquet(directory / "doc_topics.parquet"), tokens_path, key
            )
        return _LOADED_SNAPSHOTS[directory]
    training = _training_documents(world, tokens_path, params)
    model = fit_topic_model(training, params, stoplist=stoplist, lexicon=CHAT_LEXICON, progress=progress)
    if progress:
        progress("inference")
    doc_topics = _doc_topics(model, TokenizedCorpus(tokens_path, min_tokens=1))
    save_model(model, directory)
    write_parquet(directory / "doc_topics.parquet", doc_topics)
    _LOADED_SNAPSHOTS[directory] = Snapshot(model, doc_topics, tokens_path, key)
    return _LOADED_SNAPSHOTS[directory]


def report_topics(
    world: World,
    month: str | None = None,
    *,
    params: TopicParams = CHAT_TOPIC_PARAMS,
    top: int = 5,
) -> dict:
    """The problem topics residents talked about in ``month`` (YYYY-MM; default the latest month with
    messages), for officials (report section 五).

    A message counts toward its dominant topic only when it holds one of the topic's top words
    (:func:`jiesu.analysis.topics.prevalence.anchor_topics`); only topics labelled with a 12345
    category are problems; topics of one category are one row,
    named by their first phrases (:func:`jiesu.analysis.topics.prevalence.problem_topics`, the display
    rule applied); everything else is everyday chatter, one number.

    Returns ``{"month", "messages" (text messages that month), "problems": DataFrame(name, label, share,
    top_words) sorted by share (at most ``top`` rows, share > 0), "chatter_share" (0–1: the month's text
    messages clearly about no problem topic), "figure" (bars of the problem topics)}``; ``share`` is the
    share of the month's text messages clearly about the topic (:func:`topic_prevalence`).
    """
    snap = snapshot_model(world, params)
    messages = world.table("messages")
    tokens = pd.read_parquet(snap.tokens_path, columns=["doc_id", "tokens"]).set_index("doc_id")["tokens"]
    anchored = anchor_topics(snap.doc_topics, tokens, snap.model.topics)
    prevalence = topic_prevalence(anchored, messages, by="month")
    month = month or str(prevalence["month"].max())
    current = prevalence.loc[prevalence["month"] == month]
    shares = current.set_index("topic")["share"] if len(current) else pd.Series(dtype=float)
    every = problem_topics(snap.model.topics, shares, drop=snap.model.stoplist)
    problems = every.loc[every["share"] > 0].head(top).reset_index(drop=True)
    return {
        "month": month,
        "messages": int(current["messages"].iloc[0]) if len(current) else 0,
        "problems": problems,
        "chatter_share": float(max(0.0, 1.0 - every["share"].sum())) if len(current) else 0.0,
        "figure": problems_figure(problems, title=f"{month_label(month)} 群聊中的问题话题{world.tag}"),
    }


def problems_figure(problems: pd.DataFrame, *, title: str):
    """Horizontal bars: the share of the month's messages about each problem topic, hover = phrases."""
    ordered = problems.sort_values("share")
    fig = go.Figure(
        go.Bar(
            x=ordered["share"],
            y=ordered["name"],
            orientation="h",
            customdata=ordered["top_words"],
            hovertemplate="%{y}：%{x:.1%}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="占本月文字消息的比例",
        # whole percents only when the ticks are whole percents (a 5% axis ticks every 0.5%)
        xaxis_tickformat=".0%" if len(ordered) and ordered["share"].max() >= 0.1 else ".1%",
        height=max(280, 40 * len(ordered) + 120),
    )
    return fig


def snapshot_documents(world: World) -> pd.DataFrame:
    """Text messages of the snapshot with their cached tokens: ``doc_id`` (= msg_id), ``msg_id``,
    ``group_id``, ``sender_id``, ``is_staff``, ``mentions``, ``sent_at``, ``day``, ``text``, ``tokens``."""
    messages = text_messages(world.table("messages"))
    tokens = pd.read_parquet(snapshot_tokens(world), columns=["doc_id", "tokens"])
    frame = messages[["msg_id", "group_id", "sender_id", "is_staff", "mentions", "sent_at", "text"]].merge(
        tokens, left_on="msg_id", right_on="doc_id"
    )
    frame["day"] = frame["sent_at"].dt.normalize()
    return frame.loc[frame["tokens"] != ""].reset_index(drop=True)


def snapshot_bursts(world: World, params: BurstParams = BurstParams()) -> dict:
    """:func:`detect_bursts` on the snapshot's text messages; term categories from the lexicons and the
    cached topic model of :func:`jiesu.analysis.topics.snapshot_model` (trained if missing)."""

    docs = snapshot_documents(world)
    lookup = _term_category_lookup(topic_term_categories(snapshot_model(world).model))
    terms = set(t for doc in docs["tokens"] for t in doc.split(" ") if t)
    return detect_bursts(docs, params, term_category={t: lookup(t) for t in terms})


def snapshot_issues(world: World) -> pd.DataFrame:
    """The chat issues of ``world``'s groups (:func:`jiesu.analysis.chats.chat_issues`, lexicon
    categories): one definition for interception, team responsiveness and channel substitution.

    The lexicon category of each message is computed once per process for the whole table
    (:meth:`World.row_values`), so the months of a schedule do not repeat it, and the issues of one
    world (one cut) once per process: a report's watch list and checklist share them."""
    return _issues_cached(world, world.version("messages")).copy(deep=False)


@lru_cache(maxsize=4)
def _issues_cached(world: World, version: str) -> pd.DataFrame:
    messages = world.table("messages")
    categories = world.row_values("messages", _message_categories)
    return chat_issues(messages, categories=categories.set_axis(messages["msg_id"]))


def _message_categories(messages: pd.DataFrame) -> pd.Series:
    return text_categories(messages["text_simplified"])


def snapshot_interception(world: World) -> pd.DataFrame:
    """:func:`interception` of ``world``'s chat issues (:func:`snapshot_issues`).  Sender households
    come from 园园's friends and the team roster, group buildings from the groups table."""
    households = pd.concat(
        [
            world.table("friends")[["member_id", "household_id"]],
            world.table("teams")[["member_id", "household_id"]],
        ]
    ).dropna()
    groups = world.table("groups")
    return interception(
        snapshot_issues(world),
        world.table("cases"),
        sender_households=households.drop_duplicates("member_id").set_index("member_id")["household_id"],
        group_buildings=groups.set_index("group_id")["building"].dropna(),
    )


def interception_by_month(world: World) -> pd.DataFrame:
    """Monthly interception of the snapshot: ``month``, ``issues``, ``closed_in_group``,
    ``reached_12345``, ``interception_share`` (see :func:`monthly_interception`)."""
    table = monthly_interception(snapshot_interception(world))
    return table[["month", "issues", "closed_in_group", "reached_12345", "interception_share"]]


def report_checklist(world: World, month: str) -> pd.DataFrame:
    """What to prepare for the month after ``month``, as known at the end of ``month``: the seasonal
    checklist (:func:`seasonal_checklist`, campaigns only once begun) with the mean number of chat
    issues of the same calendar month in earlier years (from ``world``, which is cut at ``month`` in
    reports; NaN without chat data)."""
    next_month = shift_month(month, 1)
    history = None
    if world.has("messages"):
        messages = world.table("messages")
        history = issue_history(snapshot_issues(world), messages.loc[messages["sent_at"] <= month_end(month)])
    return seasonal_checklist(next_month, history, known_by=month).assign(month=next_month)
