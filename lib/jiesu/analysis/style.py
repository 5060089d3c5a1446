"""One plot style for every figure: CJK fonts, the focus colour, the palette, and a plotly template.

Importing this module registers the ``jiesu`` template and makes ``plotly_white+jiesu`` the default,
so every figure an analysis returns looks the same in a notebook, a report and a static export.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

CJK_FONTS = (
    "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
)
FOCUS_COLOR = "#c0392b"
MUTED_COLOR = "#b0b7c3"
PALETTE = (
    "#1f6fb2",
    "#e67e22",
    "#27ae60",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#d35400",
    "#2c3e50",
    "#7f8c8d",
    "#f1c40f",
    "#2980b9",
)

pio.templates["jiesu"] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=CJK_FONTS, size=13),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(gridcolor="#eceff3", zeroline=False),
        yaxis=dict(gridcolor="#eceff3", zeroline=False),
        margin=dict(l=60, r=20, t=50, b=50),
        hoverlabel=dict(font_family=CJK_FONTS),
    )
)
pio.templates.default = "plotly_white+jiesu"


SYNTHETIC_TAG = "（模拟数据）"
"""The tag every title, page and table of synthetic data carries (:attr:`jiesu.snapshot.world.World.tag`)."""


def synthetic_title(text: str, synthetic: bool) -> str:
    """A figure title with the 模拟数据 tag when the data are synthetic."""
    return f"{text}{SYNTHETIC_TAG}" if synthetic else text
