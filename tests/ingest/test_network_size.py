"""``jiesu network`` on large lists: exact betweenness up to a measured size, sampled above it, and the
command says which on stderr."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu.byod import network
from jiesu.cli import main


def test_the_size_decides_exact_or_sampled():
    assert network.betweenness_sources(2_000, 100_000, "auto") == (None, None)  # 2e8: exact
    k, note = network.betweenness_sources(5_218, 350_640, "auto")  # 1.8e9: minutes exact
    assert k == 500
    assert note == (
        "jiesu network: 大网络 large network (5,218 persons × 350,640 ties = 1.8e+09 > 3e+08): betweenness "
        "estimated from 500 sampled sources; pass --sources 0 for the exact value (about 1 min)"
    )
    assert network.betweenness_sources(5_218, 350_640, 0) == (None, None)  # asked for exact
    assert network.betweenness_sources(5_218, 350_640, 50) == (50, None)
    assert network.betweenness_sources(40, 100, 50) == (None, None)  # more sources than persons: exact


def test_the_command_says_on_stderr_when_it_samples(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(network, "EXACT_BETWEENNESS_MAX_NM", 100)
    monkeypatch.setattr(network, "SAMPLED_SOURCES", 5)
    people = [f"p{i}" for i in range(30)]
    pd.DataFrame(
        {"人": people * 2, "群": [f"g{i % 4}" for i in range(30)] + [f"h{i % 3}" for i in range(30)]}
    ).to_csv(tmp_path / "m.csv", index=False)
    assert (
        main(
            [
                "network",
                str(tmp_path / "m.csv"),
                "--person-col",
                "人",
                "--group-col",
                "群",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "jiesu network: 大网络 large network (30 persons ×" in captured.err
    assert "betweenness estimated from 5 sampled sources" in captured.err
    assert "; betweenness from 5 sampled sources →" in captured.out


@pytest.mark.parametrize("value", ["many", "-3"])
def test_sources_must_be_auto_or_a_count(tmp_path, capsys, value):
    (tmp_path / "m.csv").write_text("人,群\na,g\n", encoding="utf-8")
    status = main(
        [
            "network",
            str(tmp_path / "m.csv"),
            "--person-col",
            "人",
            "--group-col",
            "群",
            "--out",
            str(tmp_path / "o"),
            "--sources",
            value,
        ]
    )
    assert status == 1
    assert capsys.readouterr().err.strip() == (
        f"错误 error: --sources 必须是 auto 或非负整数 / --sources must be auto or an integer ≥ 0, got '{value}'"
    )
