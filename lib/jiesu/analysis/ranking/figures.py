"""Rank and rate figures: the bump chart with the focus's rank band, the rate with its interval, small multiples."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from jiesu.analysis.ranking.tables import RATE_BASES, TOP
from jiesu.analysis.style import FOCUS_COLOR, MUTED_COLOR, synthetic_title
from jiesu.months import is_month, month_label


def bump_figure(
    table: pd.DataFrame,
    focus: str | None = None,
    *,
    unit: str = "community",
    period: str = "month",
    top: int = TOP,
    max_lines: int = 40,
    title: str | None = None,
    synthetic: bool = False,
):
    """Bump chart: the rank (1 at the top = the highest 诉求率) of every unit over time.

    The focus is drawn in colour with its simulated 95% rank interval as a band (when ``table`` has
    ``rank_lo``/``rank_hi`` for it, from :func:`rank_intervals`); peers are faint thin lines; the top-5
    and bottom-5 zones are shaded; months are labelled in Chinese (2020年9月).  With more than
    ``max_lines`` units only the focus and the units in the top or bottom group in the last period are
    drawn (a bump chart of thousands of lines is unreadable).  Returns a plotly Figure.
    """
    periods = sorted(table[period].astype(str).unique())
    units = list(dict.fromkeys(table[unit].astype(str)))
    n_max = int(table["n_units"].max()) if len(table) else 0
    if len(units) > max_lines:
        last = table.loc[table[period].astype(str) == periods[-1]]
        keep = set(last.loc[last["in_top5"] | last["in_bottom5"], unit].astype(str))
        units = [u for u in units if u in keep or u == focus]
    fig = go.Figure()
    fig.add_hrect(y0=0.5, y1=top + 0.5, fillcolor="#fdecea", line_width=0, layer="below")
    fig.add_hrect(y0=n_max - top + 0.5, y1=n_max + 0.5, fillcolor="#e8f4ea", line_width=0, layer="below")
    wide = table.pivot(index=period, columns=unit, values="rank").reindex(periods)
    rates = table.pivot(index=period, columns=unit, values="rate").reindex(periods)
    labels = [_month_text(p) for p in periods]
    for name in units:
        if name != focus:
            fig.add_trace(_rank_line(labels, wide[name], rates[name], name, focus=False))
    if focus is not None and focus in wide.columns:
        own = table.loc[table[unit] == focus].set_index(period).reindex(periods)
        if {"rank_lo", "rank_hi"} <= set(own.columns) and own["rank_lo"].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=labels + labels[::-1],
                    y=list(own["rank_hi"]) + list(own["rank_lo"])[::-1],
                    fill="toself",
                    fillcolor="rgba(192,57,43,0.18)",
                    line=dict(width=0),
                    name="本社区名次的 95% 区间",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(_rank_line(labels, wide[focus], rates[focus], focus, focus=True))
    heading = title or "诉求率排名（第 1 名 = 诉求率最高；上方红带为前 5 名，下方绿带为后 5 名）"
    fig.update_layout(
        title=synthetic_title(heading, synthetic),
        xaxis_title="月份",
        yaxis_title="名次",
        height=520,
        legend=dict(orientation="h", y=-0.18),
    )
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(autorange="reversed", range=[n_max + 0.5, 0.5])
    return fig


def _rank_line(labels: list[str], ranks: pd.Series, rates: pd.Series, name: str, *, focus: bool):
    """One unit's rank line: the focus in colour with markers, a peer faint and thin."""
    style = (
        dict(mode="lines+markers", line=dict(color=FOCUS_COLOR, width=3))
        if focus
        else dict(mode="lines", line=dict(color=MUTED_COLOR, width=1), opacity=0.45, showlegend=False)
    )
    return go.Scatter(
        x=labels,
        y=ranks,
        name=name,
        customdata=rates.round(1),
        hovertemplate=f"{name}<br>%{{x}}：第 %{{y}} 名，诉求率 %{{customdata}}<extra></extra>",
        **style,
    )


def _month_text(period: str) -> str:
    """A month label for charts read by officials: ``2020-09`` → ``2020年9月`` (other periods unchanged)."""
    return month_label(period) if is_month(period) else period


def rate_figure(
    table: pd.DataFrame,
    focus: str,
    *,
    unit: str = "community",
    period: str = "month",
    synthetic: bool = False,
    basis_label: str = RATE_BASES["residents"][2],
):
    """The focus unit's rate with its exact 95% CI, against the area's median and interquartile band."""
    quant = table.groupby(period)["rate"].quantile([0.25, 0.5, 0.75]).unstack()
    own = table.loc[table[unit] == focus].set_index(period).reindex(quant.index)
    x = list(quant.index.astype(str))
    fig = go.Figure(
        [
            go.Scatter(
                x=x + x[::-1],
                y=list(quant[0.75]) + list(quant[0.25])[::-1],
                fill="toself",
                fillcolor="rgba(176,183,195,0.3)",
                line=dict(width=0),
                name="地区四分位 area IQR",
            ),
            go.Scatter(
                x=x, y=quant[0.5], line=dict(color=MUTED_COLOR, width=2), name="地区中位数 area median"
            ),
            go.Scatter(
                x=x + x[::-1],
                y=list(own["rate_hi"]) + list(own["rate_lo"])[::-1],
                fill="toself",
                fillcolor="rgba(192,57,43,0.15)",
                line=dict(width=0),
                name="95% CI (Garwood)",
            ),
            go.Scatter(
                x=x, y=own["rate"], line=dict(color=FOCUS_COLOR, width=3), mode="lines+markers", name=focus
            ),
        ]
    )
    fig.update_layout(
        title=synthetic_title(f"诉求率 Request rate, {basis_label}", synthetic),
        xaxis_title="月份 month",
        yaxis_title=basis_label,
        height=420,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def trajectories_figure(
    table: pd.DataFrame,
    *,
    unit: str = "community",
    period: str = "month",
    columns: int = 4,
    synthetic: bool = False,
):
    """Small multiples: one panel per unit with its monthly rate and exact 95% interval (from
    :func:`rank_table`), all panels on one y-scale so heights compare; months labelled in Chinese."""
    units = sorted(table[unit].astype(str).unique())
    rows = max(1, math.ceil(len(units) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=units,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.35 / rows,
        horizontal_spacing=0.03,
    )
    top = float(table["rate_hi"].max()) if len(table) else 1.0
    for i, name in enumerate(units):
        own = table.loc[table[unit].astype(str) == name].sort_values(period)
        x = [_month_text(str(p)) for p in own[period]]
        r, c = i // columns + 1, i % columns + 1
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=list(own["rate_hi"]) + list(own["rate_lo"])[::-1],
                fill="toself",
                fillcolor="rgba(31,111,178,0.15)",
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=own["rate"],
                mode="lines",
                line=dict(color="#1f6fb2", width=1.5),
                name=name,
                showlegend=False,
                hovertemplate=f"{name}<br>%{{x}}：诉求率 %{{y:.1f}}<extra></extra>",
            ),
            row=r,
            col=c,
        )
    fig.update_yaxes(range=[0, top * 1.05])
    fig.update_xaxes(type="category", showticklabels=False)
    fig.update_annotations(font_size=11)
    title = "各社区近 24 个月每万人诉求率（阴影为 95% 区间）"
    fig.update_layout(
        title=synthetic_title(title, synthetic), height=190 * rows + 120, margin=dict(l=40, r=10, t=80, b=20)
    )
    return fig
