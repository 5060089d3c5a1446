"""Figures of the impact evaluation: ITS, parallel trends, event study, estimates, channels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jiesu.analysis.style import FOCUS_COLOR, MUTED_COLOR, synthetic_title


def its_figure(result: dict, *, synthetic: bool = False):
    """Observed monthly requests, the ITS fit and its counterfactual (ramp switched off)."""
    s = result["series"]
    fig = go.Figure(
        [
            go.Scatter(
                x=s["month"],
                y=s["observed"],
                mode="markers",
                name="观测 observed",
                marker=dict(color="#2c3e50"),
            ),
            go.Scatter(
                x=s["month"], y=s["fitted"], name="拟合 fitted", line=dict(color=FOCUS_COLOR, width=2)
            ),
            go.Scatter(
                x=s["month"],
                y=s["counterfactual"],
                name="无干预反事实 counterfactual",
                line=dict(color=MUTED_COLOR, width=2, dash="dash"),
            ),
        ]
    )
    fig.add_vrect(
        x0=s.loc[s["ramp"] > 0, "month"].min(),
        x1=result["full_from"],
        fillcolor="#fdf2e9",
        line_width=0,
        layer="below",
    )
    e = result["estimate"]
    fig.update_layout(
        title=synthetic_title(
            f"中断时间序列 ITS: RR {e.rate_ratio:.2f} [{np.exp(e.lo):.2f}, {np.exp(e.hi):.2f}]", synthetic
        ),
        xaxis_title="月份 month",
        yaxis_title="诉求量 requests",
        height=420,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def parallel_trends_figure(
    trends: pd.DataFrame, start: str, *, focus: str = "focus", synthetic: bool = False
):
    """Focus and peers' log-rate deviations from their own pre-period means."""
    fig = go.Figure(
        [
            go.Scatter(
                x=trends["month"],
                y=trends["peers"],
                name="其他社区 peers",
                line=dict(color=MUTED_COLOR, width=3),
            ),
            go.Scatter(
                x=trends["month"], y=trends["focus"], name=focus, line=dict(color=FOCUS_COLOR, width=2)
            ),
        ]
    )
    fig.add_vline(x=start, line_dash="dot")
    fig.update_layout(
        title=synthetic_title("平行趋势 Parallel trends (log rate − pre-period mean)", synthetic),
        xaxis_title="月份 month",
        yaxis_title="log 诉求率 deviation",
        height=400,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def event_study_figure(coefs: pd.DataFrame, *, truth: float | None = None, synthetic: bool = False):
    """Event-study coefficients with 95% intervals; ``truth`` (if given) as a horizontal line."""
    fig = go.Figure(
        go.Scatter(
            x=coefs["first_month"],
            y=coefs["coef"],
            mode="markers",
            marker=dict(color=FOCUS_COLOR, size=8),
            error_y=dict(
                type="data",
                symmetric=False,
                array=coefs["hi"] - coefs["coef"],
                arrayminus=coefs["coef"] - coefs["lo"],
            ),
            name="事件研究 event study",
        )
    )
    fig.add_hline(y=0, line_color="#7f8c8d")
    if truth is not None:
        fig.add_hline(y=truth, line_dash="dash", line_color="#27ae60", annotation_text="planted 真值")
    fig.update_layout(
        title=synthetic_title("事件研究 Event study (log RR vs. the quarter before start)", synthetic),
        xaxis_title="季度起始月 quarter starting",
        yaxis_title="log rate ratio",
        height=400,
    )
    return fig


def estimates_figure(table: pd.DataFrame, *, truth: float | None = None, synthetic: bool = False):
    """Forest plot of :func:`compare_estimates` on the rate-ratio scale."""
    fig = go.Figure(
        go.Scatter(
            x=table["rate_ratio"],
            y=table["method"],
            mode="markers",
            marker=dict(color=FOCUS_COLOR, size=10),
            error_x=dict(
                type="data",
                symmetric=False,
                array=table["rr_hi"] - table["rate_ratio"],
                arrayminus=table["rate_ratio"] - table["rr_lo"],
            ),
        )
    )
    fig.add_vline(x=1, line_color="#7f8c8d")
    if truth is not None:
        fig.add_vline(
            x=float(np.exp(truth)), line_dash="dash", line_color="#27ae60", annotation_text="planted 真值"
        )
    fig.update_layout(
        title=synthetic_title("效果估计 Effect estimates (rate ratio, 95% CI)", synthetic),
        xaxis_title="rate ratio (after / counterfactual)",
        height=360,
        margin=dict(l=260),
    )
    return fig


def channel_figure(channels: pd.DataFrame, start: str, *, synthetic: bool = False):
    """Monthly hotline requests, chat issues and their total."""
    fig = go.Figure(
        [
            go.Bar(
                x=channels["month"],
                y=channels["hotline"],
                name="12345 热线 hotline",
                marker_color=FOCUS_COLOR,
            ),
            go.Bar(
                x=channels["month"],
                y=channels["chat_issues"],
                name="群内诉求 chat issues",
                marker_color=MUTED_COLOR,
            ),
        ]
    )
    fig.add_vline(x=start, line_dash="dot")
    fig.update_layout(
        barmode="stack",
        title=synthetic_title("渠道替代 Channel substitution", synthetic),
        xaxis_title="月份 month",
        yaxis_title="件 issues",
        height=400,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig
