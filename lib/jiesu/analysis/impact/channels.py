"""Did problems fall, or move channels?  Hotline versus chat issues, the category mix, time to close."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from jiesu.analysis.impact.design import Intervention, area_series


def channel_substitution(
    panel: pd.DataFrame,
    focus: str,
    chat_counts: pd.DataFrame | None = None,
    interception: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hotline versus all issues, month by month, for the focus community.

    Parameters
    ----------
    panel : the ``panel`` table (the focus's hotline requests per month).
    chat_counts : the focus community's chat issues per month,
        :func:`jiesu.analysis.chats.monthly_chat_issues` (``month``, ``chat_issues``); None or empty
        when it has no chat data.
    interception : optional :func:`jiesu.analysis.early_warning.monthly_interception` table.

    Returns
    -------
    One row per panel month: ``month``, ``hotline`` (12345 requests), ``chat_issues`` (NaN for months
    without chat data), ``total`` (hotline + chat issues), ``hotline_share`` (0–1), and, with
    ``interception``, ``intercepted_share``.
    """
    series = area_series(panel, focus)[["month", "requests"]].rename(columns={"requests": "hotline"})
    if chat_counts is not None and len(chat_counts):
        chats = chat_counts
        series = series.merge(chats[["month", "chat_issues"]], on="month", how="left")
        first, last = chats["month"].min(), chats["month"].max()
        covered = (series["month"] >= first) & (series["month"] <= last)
        series["chat_issues"] = (
            series["chat_issues"]
            .astype(float)
            .where(covered)
            .fillna(pd.Series(0.0, index=series.index).where(covered))
        )
    else:
        series["chat_issues"] = np.nan
    series["total"] = series["hotline"] + series["chat_issues"]
    series["hotline_share"] = series["hotline"] / series["total"]
    if interception is not None and len(interception):
        series = series.merge(
            interception[["month", "interception_share"]].rename(
                columns={"interception_share": "intercepted_share"}
            ),
            on="month",
            how="left",
        )
    return series


def channel_summary(channels: pd.DataFrame, design: Intervention) -> pd.DataFrame:
    """Mean monthly hotline, chat issues and total before the intervention and from its ``full_from``
    on, over the
    months with chat data only (so both channels are compared on the same months), with the log ratio
    after/before of each.  Rows: hotline, chat_issues, total; columns: before, after, log_ratio,
    rate_ratio, months_before, months_after.  Empty when there are no chat data before and after."""
    has_chat = channels["chat_issues"].notna().to_numpy()
    window = design.window(channels["month"])
    pre = channels.loc[has_chat & (window == "before")]
    post = channels.loc[has_chat & (window == "after")]
    if pre.empty or post.empty:
        return pd.DataFrame(
            columns=["before", "after", "log_ratio", "rate_ratio", "months_before", "months_after"]
        )
    rows = {}
    for col in ("hotline", "chat_issues", "total"):
        b, a = float(pre[col].mean()), float(post[col].mean())
        ratio = np.log(a / b) if a > 0 and b > 0 else np.nan
        rows[col] = {
            "before": b,
            "after": a,
            "log_ratio": ratio,
            "rate_ratio": float(np.exp(ratio)),
            "months_before": len(pre),
            "months_after": len(post),
        }
    return pd.DataFrame(rows).T


def category_mix(panel: pd.DataFrame, focus: str, design: Intervention) -> pd.DataFrame:
    """The focus community's request mix by category before the intervention and from its ``full_from``
    on, beside
    the peers' mix over the same months (so a campaign that changed every community's mix, such as
    垃圾分类 or the epidemic, is not mistaken for the intervention).

    Returns one row per category: ``before``, ``after`` (focus counts), ``before_share``,
    ``after_share`` (0–1), ``change`` (after − before share), ``peer_before_share``,
    ``peer_after_share``, ``excess_change`` (focus change − peers' change).  ``attrs["chi2_p"]``: p of the
    χ² test that the focus's mix did not change.
    """
    frame = design.clip(panel)
    window = design.window(frame["month"])
    frame = frame.assign(window=window).loc[window != "ramp"]
    is_focus = frame["community"] == focus
    own = (
        frame.loc[is_focus]
        .pivot_table(index="category", columns="window", values="requests", aggfunc="sum", observed=True)
        .reindex(columns=["before", "after"])
        .fillna(0)
    )
    peers = (
        frame.loc[~is_focus]
        .pivot_table(index="category", columns="window", values="requests", aggfunc="sum", observed=True)
        .reindex(columns=["before", "after"])
        .fillna(0)
    )
    own, peers = own.astype(float), peers.astype(float)
    out = own.astype("int64")
    out["before_share"] = own["before"] / own["before"].sum()
    out["after_share"] = own["after"] / own["after"].sum()
    out["change"] = out["after_share"] - out["before_share"]
    out["peer_before_share"] = peers["before"] / peers["before"].sum()
    out["peer_after_share"] = peers["after"] / peers["after"].sum()
    out["excess_change"] = out["change"] - (out["peer_after_share"] - out["peer_before_share"])
    table = own.loc[own.sum(axis=1) > 0, ["before", "after"]].to_numpy(float)
    out.attrs["chi2_p"] = float(stats.chi2_contingency(table)[1]) if len(table) > 1 else float("nan")
    out.columns.name = None
    return out.sort_values("before_share", ascending=False)


def time_to_close(cases: pd.DataFrame, design: Intervention | None = None) -> pd.DataFrame:
    """Days from 受理 (received) to 办结 (closed) per category, from the focus community's ``cases``.

    With a ``design``, the distribution is split into ``before`` (received before its start) and
    ``after`` (from its ``full_from``) and cases in the ramp are left out; without it, one ``all``
    window.  Cases not
    closed are counted in ``open`` and excluded from the quantiles.

    Returns one row per category and window: ``category``, ``window``, ``cases``, ``open``,
    ``median_days``, ``p25_days``, ``p75_days``, ``p90_days``, ``within_7d`` (share closed within 7
    days, 0–1).  Groups with fewer than 5 closed cases get NaN quantiles (too few to describe).
    """
    days = (cases["closed_at"] - cases["received_at"]).dt.total_seconds() / 86400
    month = cases["received_at"].dt.strftime("%Y-%m")
    if design is None:
        window = pd.Series("all", index=cases.index)
    else:
        window = pd.Series(design.window(month), index=cases.index)
    frame = pd.DataFrame({"category": cases["category"].astype(str), "window": window, "days": days})
    frame = frame.loc[frame["window"] != "ramp"]
    grouped = frame.groupby(["category", "window"], sort=True)["days"]
    out = pd.DataFrame(
        {
            "cases": grouped.size(),
            "open": grouped.apply(lambda s: int(s.isna().sum())),
            "median_days": grouped.median(),
            "p25_days": grouped.quantile(0.25),
            "p75_days": grouped.quantile(0.75),
            "p90_days": grouped.quantile(0.9),
            "within_7d": grouped.apply(
                lambda s: float((s.dropna() <= 7).mean()) if s.notna().any() else np.nan
            ),
        }
    ).reset_index()
    few = (out["cases"] - out["open"]) < 5
    out.loc[few, ["median_days", "p25_days", "p75_days", "p90_days", "within_7d"]] = np.nan
    return out
