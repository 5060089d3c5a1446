"""How much of the talk is about each topic, by month, group or building, and the topic figures."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jiesu.analysis.topics.vocabulary import NAME_SEPARATOR, display_words
from jiesu.categories import OTHER

PROBLEM_COLUMNS = ["name", "label", "share", "top_words"]


def topic_prevalence(
    doc_topics: pd.DataFrame,
    messages: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    *,
    by: str = "month",
    min_weight: float = 0.5,
) -> pd.DataFrame:
    """Share of text messages clearly about each topic, by ``month``, ``group_id`` or ``building``.

    A message is about topic t when t is its dominant topic with weight θ ≥ ``min_weight`` (a mean of
    θ would credit every topic with a slice of each vague chatter message).  Returns a long DataFrame:
    ``by``, ``topic``, ``share`` (0–1, sums to ≤ 1 per ``by``: vague messages and messages without a
    known word count in the denominator only), ``messages`` (text messages in the slice).
    """
    theta_cols = [c for c in doc_topics.columns if c.startswith("t") and c[1:].isdigit()]
    clear = doc_topics[["msg_id"]].copy()
    dominant = doc_topics["topic"].where(doc_topics["weight"] >= min_weight, -1).to_numpy()
    for col in theta_cols:
        clear[col] = (dominant == int(col[1:])).astype(np.float32)
    frame = clear.merge(messages[["msg_id", "group_id", "sent_at"]], on="msg_id")
    if by == "month":
        frame["month"] = frame["sent_at"].dt.strftime("%Y-%m")
    elif by == "building":
        if groups is None:
            raise ValueError("by='building' needs the groups table")
        frame = frame.merge(groups[["group_id", "building"]], on="group_id")
        frame = frame.loc[frame["building"].notna()]
    elif by != "group_id":
        raise ValueError("by must be 'month', 'group_id' or 'building'")
    grouped = frame.groupby(by)
    shares = grouped[theta_cols].mean()
    shares.columns = [int(c[1:]) for c in theta_cols]
    long = shares.stack().rename("share").reset_index().rename(columns={"level_1": "topic"})
    long.columns = [by, "topic", "share"]
    return long.merge(grouped.size().rename("messages").reset_index(), on=by)


def anchor_topics(doc_topics: pd.DataFrame, tokens: pd.Series, topics: pd.DataFrame) -> pd.DataFrame:
    """Keep a message's dominant topic only when the message holds one of that topic's top words.

    A short chat message with one rare modelled word (我孙子感冒了) can get a confident naive Bayes
    posterior for a topic it shares nothing characteristic with; such messages are chatter, not the
    problem.  On the small synthetic world (June 2020) this moved planted chatter out of the parking
    topic (590 → 67 of its clear messages) while 11 of its 15 planted reports stayed.

    Parameters
    ----------
    doc_topics : one row per message: ``msg_id``, ``topic`` (dominant, ``-1`` none), ``weight``.
    tokens : space-joined tokens of each message, indexed by ``msg_id``.
    topics : the topic table: ``topic`` and ``top_words`` (space-joined).

    Returns
    -------
    A copy of ``doc_topics`` where unanchored messages have ``topic = -1`` and ``weight = 0``.
    """
    words = {int(t): set(str(w).split()) for t, w in zip(topics["topic"], topics["top_words"], strict=True)}
    held = tokens.reindex(doc_topics["msg_id"]).fillna("").to_numpy()
    anchored = np.array(
        [
            t >= 0 and not words.get(int(t), set()).isdisjoint(str(h).split())
            for t, h in zip(doc_topics["topic"], held, strict=True)
        ],
        dtype=bool,
    )
    out = doc_topics.copy()
    out.loc[~anchored, "topic"] = -1
    out.loc[~anchored, "weight"] = 0.0
    return out


def problem_topics(
    topics: pd.DataFrame, shares: pd.Series, *, drop: Iterable[str] = (), phrases: int = 3, words: int = 8
) -> pd.DataFrame:
    """The problem topics of a topic table for a person to read: topics with a category label only
    (unlabelled topics are chatter), the topics of one category merged into one row.

    ``shares``: share of messages clearly about each topic (index = topic id, 0–1).  Each row is named
    by its first ``phrases`` phrases and shows up to ``words`` more, all through
    :func:`jiesu.analysis.topics.vocabulary.display_words` (``drop``: the model's stoplist), so no
    single character, ``_`` or filler word appears; names are unique.  Returns a DataFrame with
    :data:`PROBLEM_COLUMNS` (``share`` summed over the merged topics), largest share first.
    """
    table = topics.assign(share=shares.reindex(topics["topic"]).fillna(0.0).to_numpy())
    table = table.loc[table["category"] != OTHER].sort_values(["share", "topic"], ascending=[False, True])
    rows, names = [], set()
    for label, part in table.groupby("label", sort=False):
        shown = display_words(" ".join(part["top_words"]).split(), drop)
        name = NAME_SEPARATOR.join(shown[:phrases]) or label
        if name in names:
            name = f"{name}（{label}）"
        names.add(name)
        rows.append(
            {
                "name": name,
                "label": label,
                "share": float(part["share"].sum()),
                "top_words": " ".join(shown[:words]),
            }
        )
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    return frame.sort_values(["share", "label"], ascending=[False, True]).reset_index(drop=True)


def topics_figure(topics: pd.DataFrame, shares: pd.Series | None = None, *, title: str = "话题 Topics"):
    """Horizontal bar chart: one bar per topic, named by its phrases (share of messages if given),
    hover = category label and top words."""
    table = topics.copy()
    table["share"] = (
        shares.reindex(table["topic"]).fillna(0.0).to_numpy() if shares is not None else 1.0 / len(table)
    )
    table = table.sort_values("share")
    hover = [f"{lab or '—'}：{words}" for lab, words in zip(table["label"], table["top_words"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=table["share"],
            y=table["name"],
            orientation="h",
            customdata=hover,
            hovertemplate="%{y}<br>占比 share %{x:.1%}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="消息占比 share of messages",
        xaxis_tickformat=".0%" if table["share"].max() >= 0.1 else ".1%",  # no repeated tick labels
        height=max(300, 28 * len(table) + 100),
    )
    return fig


def prevalence_figure(
    prevalence: pd.DataFrame, topics: pd.DataFrame, *, title: str = "话题月度占比 Topic prevalence"
):
    """Stacked area of monthly topic shares (from :func:`topic_prevalence` with ``by="month"``), one
    trace per topic named by its phrases."""
    names = dict(zip(topics["topic"], topics["name"], strict=True))
    fig = go.Figure()
    for topic, part in prevalence.sort_values("month").groupby("topic"):
        fig.add_trace(
            go.Scatter(x=part["month"], y=part["share"], stackgroup="one", name=names.get(topic, ""))
        )
    fig.update_layout(title=title, yaxis_tickformat=".0%", xaxis_title="月份 month", yaxis_title="占比 share")
    return fig
