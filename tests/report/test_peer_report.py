"""A peer community with its own registry, friends and chats gets the full report, from its own data.

Sections follow the data, not the community's name (issue 15): a world made with
``jiesu simulate --communities 1`` holds a complete second community (对照社区01) beside the focus
one.  Its report for a month with chats must carry every section, and its sources must be its own
files and row counts, never 甘露园南里二社区's.
"""

from __future__ import annotations

import json
import re

import pytest
from report_templates import REPORT_SECTIONS

from jiesu.cli import main
from jiesu.report.folders import KEY_FIGURES_FILE, REPORT_HTML, report_dir
from jiesu.settings import FOCUS_COMMUNITY
from jiesu.snapshot.sections import report_coverage
from jiesu.snapshot.world import open_world

PEER = "对照社区01"
CHAT_MONTH = "2020-06"  # the small preset's chats cover 2020-04..06


@pytest.fixture(scope="module")
def peer_report(tmp_path_factory):
    data = tmp_path_factory.mktemp("peer-world")
    assert main(["simulate", "--preset", "small", "--communities", "1", "--out", str(data), "--quiet"]) == 0
    assert main(["ingest", "--data-dir", str(data)]) == 0
    out = data / "reports"
    assert main(["report", "--data-dir", str(data), "--community", PEER, "--month", CHAT_MONTH]) == 0
    folder = report_dir(out, PEER, CHAT_MONTH)
    return {
        "data": data,
        "folder": folder,
        "html": (folder / REPORT_HTML).read_text(encoding="utf-8"),
        "world": open_world(data, PEER).cut(CHAT_MONTH),
    }


def _text(page: str) -> str:
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_peer_with_chats_gets_every_section_and_no_omission_line(peer_report):
    text = _text(peer_report["html"])
    for heading in REPORT_SECTIONS:
        assert heading in text, heading
    assert "从略" not in text  # no section was dropped for missing data
    assert PEER in text


def test_the_peer_report_counts_the_peers_own_coverage_and_chats(peer_report):
    figures = json.loads((peer_report["folder"] / KEY_FIGURES_FILE).read_text(encoding="utf-8"))
    assert figures["community"] == PEER and figures["month"] == CHAT_MONTH
    coverage = report_coverage(peer_report["world"])
    focus = report_coverage(open_world(peer_report["data"], FOCUS_COMMUNITY).cut(CHAT_MONTH))
    assert coverage["friends"] != focus["friends"]  # the peer's outreach account, not the focus one's
    assert figures["household_coverage"] == pytest.approx(coverage["household_coverage"])
    assert figures["uncovered_vulnerable"] == coverage["uncovered_vulnerable"] > 0
    assert figures["interception_share"] is not None  # the peer's own chats had issues to count


def test_the_peer_report_lists_its_own_files_and_rows(peer_report):
    sources = peer_report["folder"] / "tables" / "data_sources.csv"
    table = sources.read_text(encoding="utf-8-sig")
    assert "wechatmsg_对照01供暖和物业报修群.csv" in table
    assert "甘二" not in table and FOCUS_COMMUNITY not in table
    world = peer_report["world"]
    assert (
        f"群聊天记录,chat_messages.csv、wechatmsg_对照01供暖和物业报修群.csv,{len(world.table('messages'))}"
        in table
    )
