"""``jiesu topics … --time-col``: hot_issues.csv and bursts.csv from any export with a time column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.byod.hot_issues import BURST_FILE_COLUMNS, HOT_FILE_COLUMNS
from jiesu.cli import main

WORDS = [
    "停车",
    "物业",
    "电梯",
    "路灯",
    "绿化",
    "快递",
    "公交",
    "学校",
    "医院",
    "超市",
    "供水",
    "燃气",
    "网络",
    "道路",
]


def _board(path, weeks: int = 20, surge_week: int = 16) -> pd.DataFrame:
    """A message board: 15 random messages a day, and from ``surge_week`` a 搅拌站 surge naming its
    compound (3 a day; phones in the text)."""
    rng = np.random.default_rng(1)
    start = pd.Timestamp("2023-01-02")
    rows = []
    for d in range(7 * weeks):
        day = start + pd.Timedelta(days=d, hours=10)
        for _ in range(15):
            w = rng.choice(WORDS, size=3, replace=False)
            rows.append((f"{day:%Y年%m月%d日 %H:%M}", f"{w[0]}问题，{w[1]}和{w[2]}需要改进"))
        if d >= 7 * surge_week:
            for k in range(3):
                rows.append(
                    (f"{day:%Y/%m/%d %H:%M}", f"金榆东里旁边的搅拌站夜里施工{k}次，噪音扰民，电话13900111111")
                )
    board = pd.DataFrame(rows, columns=["留言时间", "留言内容"])
    board.to_csv(path, index=False)
    return board


def test_topics_with_a_time_column_writes_hot_issues_and_bursts(tmp_path):
    _board(tmp_path / "board.csv")
    out = tmp_path / "out"
    args = ["topics", str(tmp_path / "board.csv"), "--text-col", "留言内容", "--time-col", "留言时间"]
    assert main([*args, "--k", "3", "--out", str(out)]) == 0
    bursts = pd.read_csv(out / "bursts.csv")
    hot = pd.read_csv(out / "hot_issues.csv")
    assert list(bursts.columns) == BURST_FILE_COLUMNS and list(hot.columns) == HOT_FILE_COLUMNS
    assert len(bursts) == 1 and "搅拌站" in bursts["terms"].iloc[0]
    assert pd.Timestamp(bursts["onset"].iloc[0]) == pd.Timestamp("2023-04-24")
    assert hot["bursting"].iloc[0] and hot["title"].iloc[0] == bursts["title"].iloc[0]
    assert "13900111111" not in hot["examples"].iloc[0] and "[电话]" in hot["examples"].iloc[0]
    first_surge_row = 2 + 15 * 7 * 16  # header + background rows before the surge
    assert min(int(r) for r in bursts["rows"].iloc[0].split()) >= first_surge_row
