"""How much of the talk is about each topic, by month, group or building, and the topic figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go


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


def topics_figure(topics: pd.DataFrame, shares: pd.Series | None = None, *, title: str = "话题 Topics"):
    """Horizontal bar chart: one bar per topic (share of messages if given), hover = top words."""
    table = topics.copy()
    table["share"] = shares.reindex(table["topic"]).to_numpy() if shares is not None else 1.0 / len(table)
    table = table.sort_values("share")
    names = [f"{t} {lab}" for t, lab in zip(table["topic"], table["label"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=table["share"],
            y=names,
            orientation="h",
            customdata=table["top_words"],
            hovertemplate="%{y}<br>占比 share %{x:.1%}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="消息占比 share of messages",
        xaxis_tickformat=".0%",
        height=max(300, 28 * len(table) + 100),
    )
    return fig


def prevalence_figure(
    prevalence: pd.DataFrame, topics: pd.DataFrame, *, title: str = "话题月度占比 Topic prevalence"
):
    """Stacked area of monthly topic shares (from :func:`topic_prevalence` with ``by="month"``)."""
    labels = dict(zip(topics["topic"], topics["label"], strict=True))
    fig = go.Figure()
    for topic, part in prevalence.sort_values("month").groupby("topic"):
        fig.add_trace(
            go.Scatter(
                x=part["month"], y=part["share"], stackgroup="one", name=f"{topic} {labels.get(topic, '')}"
            )
        )
    fig.update_layout(title=title, yaxis_tickformat=".0%", xaxis_title="月份 month", yaxis_title="占比 share")
    return fig
