"""No look-ahead: a report for month M is the same whether it is rendered on the full data or on the
data cut at the end of M (``jiesu cut``).  Checked on the real report notebook for a month before
2020-01 (no chats yet, 园园 still adding friends) and one inside the chat period."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from jiesu.cli import main
from jiesu.report.render import render_report
from jiesu.snapshot.world import open_world

MONTHS = ("2019-06", "2020-05")


def _rendered(folder) -> dict[str, bytes]:
    """What must not differ: the key figures and every table (the stamp names the data and differs)."""
    files = {"key_figures.json": (folder / "key_figures.json").read_bytes()}
    files |= {f"tables/{p.name}": p.read_bytes() for p in sorted((folder / "tables").glob("*.csv"))}
    return files


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
def test_a_report_is_identical_on_the_full_data_and_on_the_data_cut_at_its_month(
    small_world, tmp_path, month
):
    cut_dir = tmp_path / "cut"
    assert main(["cut", "--data-dir", str(small_world.paths.data), "--at", month, "--out", str(cut_dir)]) == 0
    full = render_report(month=month, data_dir=small_world.paths.data, out_dir=tmp_path / "full-reports")
    cut = render_report(month=month, data_dir=cut_dir, out_dir=tmp_path / "cut-reports")
    assert _rendered(full.folder) == _rendered(cut.folder)
    figures = json.loads((full.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert figures["month"] == month and len(_rendered(full.folder)) >= 5


def test_the_cut_holds_no_row_dated_after_its_month(small_world, tmp_path):
    assert (
        main(["cut", "--data-dir", str(small_world.paths.data), "--at", "2020-04", "--out", str(tmp_path)])
        == 0
    )
    cut = open_world(tmp_path)
    assert cut.table("messages")["sent_at"].max() < pd.Timestamp("2020-05-01")
    assert cut.table("panel")["month"].max() == "2020-04"
    cases = cut.table("cases")
    assert (cases["closed_at"].dropna() < pd.Timestamp("2020-05-01")).all()
    assert cut.manifest["cut_at"] == "2020-04" and cut.community == small_world.community
