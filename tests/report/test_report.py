"""Monthly report and scheduler: code-free offline HTML, privacy, atomic publishing, idempotent schedule.

One real render of ``notebooks/00_monthly_report.ipynb`` on the small world (module fixture, through
``jiesu report``) is checked for content, privacy and offline-ness.  The scheduler tests use a
lightweight template notebook built here (same parameters, same ReportPage machinery, no figures) so
that twelve kernel runs stay cheap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from report_templates import REPORT_SECTIONS, light_template

from jiesu import processed
from jiesu.cli import main
from jiesu.months import MonthError, check_month, month_range, shift_month
from jiesu.privacy import suppress_small
from jiesu.report import schedule
from jiesu.report.folders import (
    KEY_FIGURES_FILE,
    REPORT_HTML,
    ReportError,
    _slug,
    failed_notebook_path,
    is_current,
    report_dir,
)
from jiesu.report.page import available_months, format_change, format_percent, latest_month
from jiesu.report.publish import ABANDONED_AFTER_SECONDS, _remove_abandoned_staging, publish, staging_dir
from jiesu.report.render import (
    data_fingerprint,
    failing_cell,
    render_report,
    report_stamp,
)
from jiesu.settings import FOCUS_COMMUNITY, paths
from jiesu.snapshot.sections import report_rank
from jiesu.snapshot.world import open_world

MONTHS = month_range("2019-09", "2020-08")  # twelve months of the small world's panel
NEW_MONTH = "2020-09"  # the panel's last month, published only in the failure test
PUBLIC_NAMES = {"园园"}  # the virtual social worker's public name (a team member in teams.csv), not a person


# ---------------------------------------------------------------------------------------------
# small pure pieces
# ---------------------------------------------------------------------------------------------


def test_month_arithmetic_crosses_year_ends():
    assert shift_month("2020-01", -1) == "2019-12"
    assert shift_month("2019-12", 1) == "2020-01"
    assert shift_month("2020-03", -12) == "2019-03"
    assert month_range("2019-11", "2020-02") == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert month_range("2020-02", "2020-01") == []
    with pytest.raises(MonthError):
        check_month("2020-13")


def test_small_resident_counts_are_suppressed():
    frame = pd.DataFrame({"building": [1, 2, 3, 4], "residents": [0, 1, 4, 5], "share": [0.1, 0.2, 0.3, 0.4]})
    shown = suppress_small(frame, ["residents"])
    assert shown["residents"].tolist() == ["0", "<5", "<5", "5"]
    assert shown["building"].tolist() == [1, 2, 3, 4]
    assert frame["residents"].tolist() == [0, 1, 4, 5]  # input untouched
    already = pd.DataFrame({"residents": pd.array([pd.NA, 12], dtype="Int64")})
    assert suppress_small(already, ["residents"])["residents"].tolist() == ["<5", "12"]


def test_change_and_percent_formatting():
    assert format_change(0.12) == "+12.0%"
    assert format_change(-0.05) == "−5.0%"
    assert format_change(None) == "—"
    assert format_percent(0.9545) == "95.5%"
    assert format_percent(float("nan")) == "—"


def test_publish_swaps_a_whole_folder(tmp_path):
    target = tmp_path / "2020-01"
    target.mkdir()
    (target / "report.html").write_text("old")
    (target / "stale.csv").write_text("old table")
    staging = tmp_path / ".staging"
    staging.mkdir()
    (staging / "report.html").write_text("new")
    publish(staging, target)
    assert sorted(p.name for p in target.iterdir()) == ["report.html"]
    assert (target / "report.html").read_text() == "new"
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2020-01"]


def test_failing_cell_is_named_by_index_and_first_line():
    nb = nbformat.v4.new_notebook()
    good = nbformat.v4.new_code_cell("x = 1")
    bad = nbformat.v4.new_code_cell("\n# compute the rank\nrank = boom()\nmore()")
    bad.outputs = [
        nbformat.v4.new_output("error", ename="NameError", evalue="name 'boom' is not defined", traceback=[])
    ]
    injected = nbformat.v4.new_code_cell("month = '2020-01'")
    injected.metadata["tags"] = ["injected-parameters"]
    banner = nbformat.v4.new_markdown_cell("An Exception was encountered")
    banner.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), injected, good, banner, bad]
    assert failing_cell(nb) == (2, "# compute the rank", "NameError: name 'boom' is not defined")


def test_data_fingerprint_follows_outputs_not_ingest_time(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    manifest = {
        "created_at": "2020-01-01T00:00:00",
        "schema_version": "1",
        "synthetic": True,
        "outputs": {"cases": {"file": "cases.parquet", "rows": 3, "sha256": "aa"}},
    }
    (processed / "manifest.json").write_text(json.dumps(manifest))
    first = data_fingerprint(open_world(tmp_path))
    manifest["created_at"] = "2021-06-01T00:00:00"
    (processed / "manifest.json").write_text(json.dumps(manifest))
    assert data_fingerprint(open_world(tmp_path)) == first
    manifest["outputs"]["cases"]["sha256"] = "bb"
    (processed / "manifest.json").write_text(json.dumps(manifest))
    assert data_fingerprint(open_world(tmp_path)) != first


# ---------------------------------------------------------------------------------------------
# the real report, rendered once through `jiesu report`
# ---------------------------------------------------------------------------------------------

CHAT_MONTH = "2020-06"  # the small world's chats cover 2020-04..06; its panel runs to 2020-09


@pytest.fixture(scope="module")
def rendered(small_world, tmp_path_factory):
    """`jiesu report` (what `make report` runs) for the small world's last month with chat data, so that
    every section has something to show (the full world's latest month has chats; the small one's not)."""

    out = tmp_path_factory.mktemp("reports")
    status = main(
        ["report", "--data-dir", str(small_world.paths.data), "--out-dir", str(out), "--month", CHAT_MONTH]
    )
    assert status == 0
    folder = report_dir(out, FOCUS_COMMUNITY, CHAT_MONTH)
    return {
        "out": out,
        "folder": folder,
        "html": (folder / REPORT_HTML).read_text(encoding="utf-8"),
        "month": CHAT_MONTH,
        "world": small_world,
    }


def test_latest_month_is_the_last_panel_month_of_the_community(small_world):
    assert latest_month(small_world, FOCUS_COMMUNITY) == "2020-09"
    assert available_months(small_world, FOCUS_COMMUNITY)[0] == "2017-01"
    with pytest.raises(ReportError):
        latest_month(small_world, "不存在的社区")


def _without_plotlyjs(page: str) -> str:
    """The page minus the embedded plotly.js bundle (which mentions map-tile URLs it never loads)."""
    from plotly.offline import get_plotlyjs

    return page.replace(get_plotlyjs(), "")


def test_make_report_renders_the_latest_month_with_every_section(rendered):
    page = rendered["html"]
    for heading in REPORT_SECTIONS:
        assert heading in page, heading
    for card in (
        "本月诉求量",
        "每万人诉求率",
        "地区排名",
        "名次区间",
        "响应率",
        "解决率",
        "满意率",
        "园园覆盖住户",
        "未覆盖困难户",
        "未诉先办拦截占比",
        "环比",
        "同比",
        "建议牵头队伍",
    ):
        assert card in page, card
    assert '<div class="synthetic-banner"' in page and "模拟数据" in page
    figures = json.loads((rendered["folder"] / KEY_FIGURES_FILE).read_text(encoding="utf-8"))
    expected = report_rank(rendered["world"], FOCUS_COMMUNITY, rendered["month"])
    assert figures["requests"] == expected["requests"] and figures["rank"] == expected["rank"]
    assert f"{expected['requests']} 件" in page


def test_officials_see_a_condensed_league_table_with_the_full_one_downloadable(rendered):
    table = rendered["html"].split("tables/area_rank.csv")[0].rsplit("<table", 1)[1]
    full = pd.read_csv(rendered["folder"] / "tables" / "area_rank.csv", encoding="utf-8-sig")
    assert len(full) == 24 and list(full["排名"]) == sorted(full["排名"])
    # top 5, bottom 5, and the community with one neighbour on each side, in rank order
    at = int(full.index[full["社区"] == FOCUS_COMMUNITY][0])
    shown = sorted(set(range(5)) | set(range(19, 24)) | {at - 1, at, at + 1} & set(range(24)))
    assert table.count("<tr>") == len(shown) and f"仅显示 {len(shown)} 行，共 24 行" in table
    assert [int(r) for r in re.findall(r"<tr>\s*<td>(\d+)</td>", table)] == full["排名"].iloc[shown].tolist()


def test_changes_carry_their_significance_and_charts_their_chinese_months(rendered):
    page = _without_plotlyjs(rendered["html"])
    assert re.search(r"环比 [+−][0-9.]+%（(显著|变化不显著)）", page)
    assert (
        "2020年6月" in page
        and "2020-06" not in page.split("一、本月关键数字")[1].split("诉求率排名")[1][:2000]
    )
    assert page.count('"displayModeBar": false') >= 2  # no plotly toolbar on screen or on paper
    assert "投诉率" not in page.replace("报道中称“投诉率”", "")


def test_published_files_are_world_readable(rendered):
    for path in [rendered["folder"], *rendered["folder"].rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path


def test_report_contains_no_code(rendered):
    page = _without_plotlyjs(rendered["html"])
    assert 'class="input' not in page and "input_area" not in page and "highlight" not in page
    for snippet in (
        "open_report(",
        "page.table(",
        "import ",
        "report_rank(",
        "NBVAL_CHECK_OUTPUT",
        "data_dir =",
    ):
        assert snippet not in page, snippet
    assert "Traceback" not in page and "Warning" not in page


def test_chat_topics_section_shows_named_problem_topics_and_one_chatter_line(rendered):
    """Section 五: problem topics only, named by their phrases; no filler word, single character, ``_``,
    numeric topic id or 其他 bar; no label twice; everyday chatter is one computed line."""
    from jiesu.analysis.text import default_stopwords, filler_words
    from jiesu.analysis.topics import is_display_token

    page = _without_plotlyjs(rendered["html"])
    section = page.split("五、居民群里这个月在谈什么")[1].split("六、未诉先办")[0]
    table = pd.read_csv(rendered["folder"] / "tables" / "chat_topics.csv", encoding="utf-8-sig", dtype=str)
    assert list(table.columns) == ["话题", "问题类别", "占比（%）", "代表词"]
    assert len(table) >= 1 and table["话题"].is_unique and table["问题类别"].is_unique
    assert "其他" not in set(table["问题类别"]) and "其他" not in section
    words = [w for name in table["话题"] for w in name.split("、")] + " ".join(table["代表词"]).split()
    fillers = filler_words() | default_stopwords()
    assert [w for w in words if not is_display_token(w) or w in fillers] == []
    bars = json.loads(re.search(r'"y":\s*(\[[^\]]*\])', section).group(1))
    assert sorted(bars) == sorted(table["话题"])  # the figure's bars are the table's topics, by name
    for shown in [*bars, *table["话题"], *table["代表词"]]:
        assert "_" not in shown and not re.search(r"\d", shown), shown  # no numeric topic id
    chatter = re.search(r"日常闲聊约占 (\d+)%", section)
    assert chatter and 0 < int(chatter.group(1)) < 100
    shares = table["占比（%）"].astype(float)
    assert shares.sum() <= 100 - int(chatter.group(1)) + 1  # problems and chatter share one denominator


def test_report_is_offline_with_plotlyjs_embedded_once(rendered):
    from plotly.offline import get_plotlyjs

    page = rendered["html"]
    assert page.count(get_plotlyjs()) == 1
    rest = _without_plotlyjs(page)
    assert not re.search(r"<script[^>]+src\s*=", rest, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?https?:", rest, re.I)
    assert not re.search(r"https?://", rest), re.findall(r"https?://\S{0,40}", rest)[:3]
    assert rest.count("Plotly.newPlot(") == 3  # rank bump chart, 一张图, chat topics
    assert rest.count('class="plotly-graph-div"') == 3


def _raw_personal_values(world) -> tuple[set[str], set[str]]:
    """Every name, WeChat id and phone number written in the raw files of ``world``."""
    from jiesu.ingest.readers import read_raw

    names, phones = set(), set()
    for file, columns in (
        ("social_worker_visits.xlsx", ("姓名", "联系电话")),
        ("epidemic_registration_2020.csv", ("姓名", "联系电话")),
        ("parking_permits_2018.xlsx", ("姓名", "联系电话")),
        ("hotline_cases.xlsx", ("诉求人", "联系电话")),
        ("teams.csv", ("姓名", None)),
    ):
        frame = read_raw(world.paths.raw / file).frame
        names |= {str(v).strip() for v in frame[columns[0]].dropna() if len(str(v).strip()) >= 2}
        if columns[1]:
            phones |= {re.sub(r"\D", "", str(v)) for v in frame[columns[1]].dropna()}
    friends = read_raw(world.paths.raw / "yuanyuan_friends.csv").frame
    names |= {str(v).strip() for v in friends["微信号"].dropna() if len(str(v).strip()) >= 6}  # WeChat ids
    return names, {p for p in phones if len(p) == 11}


def test_report_and_its_tables_hold_no_names_wechat_ids_or_phone_numbers(rendered):
    names, phones = _raw_personal_values(rendered["world"])
    assert len(names) > 1000 and len(phones) > 1000
    texts = [_without_plotlyjs(rendered["html"])]
    texts += [p.read_text(encoding="utf-8-sig") for p in (rendered["folder"] / "tables").glob("*.csv")]
    for text in texts:
        visible = re.sub(r"\s+", "", text)
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
        assert not [p for p in phones if p in visible]
        leaked = [n for n in names - PUBLIC_NAMES if n in visible]
        assert not leaked, leaked[:5]


def test_every_table_is_linked_as_csv_and_xlsx(rendered):
    folder, page = rendered["folder"], rendered["html"]
    links = set(re.findall(r'href="(tables/[^"]+)"', page))  # figures/ links are checked with the figures
    files = {p.relative_to(folder).as_posix() for p in (folder / "tables").iterdir()}
    assert links == files
    stems = {Path(f).stem for f in files}
    assert {
        "area_rank",
        "coverage_by_building",
        "chat_topics",
        "watch_list",
        "checklist_next_month",
        "data_sources",
    } == stems
    assert all(f"tables/{s}.csv" in files and f"tables/{s}.xlsx" in files for s in stems)
    building = pd.read_csv(folder / "tables" / "coverage_by_building.csv", dtype=str)
    small = pd.to_numeric(building["居民数"], errors="coerce")
    assert not ((small > 0) & (small < 5)).any()


def test_static_figures_are_written_or_skipped_with_a_message(rendered):
    from jiesu.report.static import static_export_available

    ok, why = static_export_available()
    written = (
        sorted(p.name for p in (rendered["folder"] / "figures").glob("*"))
        if (rendered["folder"] / "figures").exists()
        else []
    )
    if ok:
        assert {"rank_bump.png", "rank_bump.svg", "coverage_map.png", "chat_topics.svg"} <= set(written)
        assert all(f'href="figures/{name}"' in rendered["html"] for name in written)
        mirrored = (
            rendered["out"] / "figures" / _slug(FOCUS_COMMUNITY) / rendered["month"]
        )  # --out-dir holds all
        assert sorted(p.name for p in mirrored.iterdir()) == written
    else:
        assert not written and "静态图未导出" in rendered["html"]


def test_screenshot_script_renders_the_report_offline(rendered, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("chromium"):
        pytest.skip("no Chromium: the screenshot check needs it")
    script = paths().home / "scripts" / "screenshot_report.sh"
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [str(script), str(rendered["folder"] / REPORT_HTML), str(shot), "1200", "2000"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_a_month_without_data_is_refused_before_rendering(small_world, tmp_path):
    with pytest.raises(ReportError, match="没有数据"):
        render_report(month="2031-01", data_dir=small_world.paths.data, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_report_updates_the_index(rendered):
    index = (rendered["out"] / "index.html").read_text(encoding="utf-8")
    assert f'{rendered["month"]}/report.html">{rendered["month"]}</a>' in index
    assert "模拟数据" in index and "<script" not in index


# ---------------------------------------------------------------------------------------------
# the scheduler, on a lightweight template
# ---------------------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("index.html", schedule.LOG_FILE)
    }


@pytest.fixture(scope="module")
def scheduled(small_world, tmp_path_factory):
    """Twelve months scheduled once on the template, then a second run."""
    import shutil

    from jiesu.settings import paths

    base = tmp_path_factory.mktemp("schedule")
    # a private copy of the processed data: a re-ingest of the shared world mid-test changes nothing here
    world = paths(base / "data")
    shutil.copytree(small_world.paths.processed, world.processed)
    template = light_template(base / "template.ipynb")
    out = base / "reports"
    first = schedule.run_schedule(
        MONTHS[0],
        MONTHS[-1],
        data_dir=world.data,
        out_dir=out,
        notebook=template,
        progress=False,
    )
    second = schedule.run_schedule(
        MONTHS[0],
        MONTHS[-1],
        data_dir=world.data,
        out_dir=out,
        notebook=template,
        progress=False,
    )
    return {"out": out, "template": template, "first": first, "second": second, "world": world}


def test_schedule_renders_every_month_once(scheduled):
    first, second = scheduled["first"], scheduled["second"]
    assert first.ok and [m for _, m in first.rendered] == MONTHS
    assert second.ok and second.rendered == [] and [m for _, m in second.current] == MONTHS
    log = (scheduled["out"] / schedule.LOG_FILE).read_text(encoding="utf-8")
    assert log.count("rendered ") == 12 and "0 to render" in log


def test_schedule_index_lists_every_report_with_key_figures(scheduled):
    index = (scheduled["out"] / "index.html").read_text(encoding="utf-8")
    panel = processed.read_table(scheduled["world"].processed, "panel")
    for month in MONTHS:
        assert f'{month}/report.html">{month}</a>' in index
        requests = int(
            panel.loc[(panel["community"] == FOCUS_COMMUNITY) & (panel["month"] == month), "requests"].sum()
        )
        row = index.split(f">{month}</a>")[1].split("</tr>")[0]
        assert f"<td>{requests:,}</td>" in row
    assert "失败" not in index


def test_schedule_rerenders_when_the_template_changes(scheduled, tmp_path):
    changed = light_template(tmp_path / "changed.ipynb")
    nb = nbformat.read(changed, as_version=4)
    nb.cells[0].source += "\n(修订版 revised)"
    nbformat.write(nb, changed)
    stamp = report_stamp(open_world(scheduled["world"]), MONTHS[0], changed)
    assert not is_current(report_dir(scheduled["out"], FOCUS_COMMUNITY, MONTHS[0]), stamp)
    to_render, current = schedule.plan(
        scheduled["world"], [FOCUS_COMMUNITY], MONTHS[0], MONTHS[-1], scheduled["out"], changed
    )
    assert len(to_render) == 12 and current == []


def test_a_failed_month_keeps_every_report_byte_identical(scheduled, monkeypatch, capsys):
    """Month 7's data 'changes' (its stamp no longer matches) and a new month arrives, and both notebooks
    raise: every published report stays byte-identical, nothing is published for the new month, the
    failed notebooks lie beside the reports, the errors name the cell, the index still lists the twelve
    good reports, and the command exits non-zero.  Once the fault is gone, exactly those two render."""
    out, stale_month = scheduled["out"], MONTHS[6]
    before = _snapshot(out)
    real_stamp = report_stamp

    def stamp_with_new_data(world, month, notebook=None):
        stamp = real_stamp(world, month, notebook)
        return {**stamp, "data": "new-data"} if month == stale_month else stamp

    monkeypatch.setattr(schedule, "report_stamp", stamp_with_new_data)
    monkeypatch.setenv("JIESU_TEST_BROKEN_MONTHS", f"{stale_month},{NEW_MONTH}")
    command = [
        "schedule",
        "--since",
        MONTHS[0],
        "--until",
        NEW_MONTH,
        "--data-dir",
        str(scheduled["world"].data),
        "--out-dir",
        str(out),
        "--notebook",
        str(scheduled["template"]),
    ]
    assert main(command) == 1
    printed = capsys.readouterr()
    assert "0 rendered, 11 current, 2 failed" in printed.out
    assert (
        "template cell 2 `from jiesu.report.page import open_report`" in printed.err
        and "MissingDataError" in printed.err
    )
    failed = {
        failed_notebook_path(out, FOCUS_COMMUNITY, m).relative_to(out).as_posix()
        for m in (stale_month, NEW_MONTH)
    }
    after = _snapshot(out)
    assert set(after) - set(before) == failed
    assert {k: v for k, v in after.items() if k not in failed} == before
    assert not report_dir(out, FOCUS_COMMUNITY, NEW_MONTH).exists()
    assert not [p for p in out.rglob(".*")]  # no staging folders left behind
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'{m}/report.html">{m}</a>' in index for m in MONTHS)
    assert f"{NEW_MONTH}/report.html" not in index and index.count("最近一次生成失败") == 2
    assert "最近一次生成失败，仍显示上一版" in index
    assert (out / schedule.LOG_FILE).read_text(encoding="utf-8").count(" ERROR failed ") == 2

    monkeypatch.delenv("JIESU_TEST_BROKEN_MONTHS")
    fixed = schedule.run_schedule(
        MONTHS[0],
        NEW_MONTH,
        data_dir=scheduled["world"].data,
        out_dir=out,
        notebook=scheduled["template"],
        progress=False,
    )
    assert fixed.ok and sorted(m for _, m in fixed.rendered) == [stale_month, NEW_MONTH]
    assert not any((out / f).exists() for f in failed)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "失败" not in index and f'{NEW_MONTH}/report.html">{NEW_MONTH}</a>' in index


def test_staging_of_a_dead_run_is_cleared_at_once_and_a_live_runs_kept(tmp_path):
    """A killed render's staging folder goes as soon as its owner is gone; a running one stays, and a
    folder of another host stays until it is six hours old (its owner cannot be checked)."""
    import os
    import socket
    import subprocess
    import time

    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    leftovers = {
        "dead": tmp_path / f".2020-01.rendering-{host}-{dead.pid}-abcd",
        "live": staging_dir(tmp_path, "2020-01"),  # this process
        "other_host_old": tmp_path / ".2020-01.rendering-elsewhere-1-abcd",
        "other_host_new": tmp_path / ".2020-01.rendering-elsewhere-2-abcd",
        "published": tmp_path / "2020-01",
    }
    for folder in leftovers.values():
        folder.mkdir(exist_ok=True)
    long_ago = time.time() - ABANDONED_AFTER_SECONDS - 60
    for name in ("other_host_old", "published"):
        os.utime(leftovers[name], (long_ago, long_ago))
    _remove_abandoned_staging(tmp_path, "2020-01")
    kept = {name for name, folder in leftovers.items() if folder.exists()}
    assert kept == {"live", "other_host_new", "published"}


def test_another_worlds_report_goes_beside_it_and_leaves_the_official_reports_untouched(
    small_world, tmp_path
):
    """``jiesu report --data-dir OTHER`` writes OTHER/reports and OTHER/figures, never reports/."""
    import shutil

    from jiesu.settings import paths

    other = tmp_path / "other"
    shutil.copytree(small_world.paths.processed, other / "processed")
    official = paths().reports
    before = _snapshot(official) if official.exists() else {}
    assert main(["report", "--data-dir", str(other), "--month", "2020-06"]) == 0
    assert (other / "reports" / FOCUS_COMMUNITY / "2020-06" / "report.html").is_file()
    assert (other / "reports" / "index.html").is_file()
    assert (_snapshot(official) if official.exists() else {}) == before
