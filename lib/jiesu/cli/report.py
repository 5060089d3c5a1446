"""``jiesu report``: render one monthly report (default: the latest month of the focus community)."""

from __future__ import annotations

import click

from jiesu.cli import app


@app.command(
    "report",
    help="生成月度报告（HTML，无代码，可离线打开）并输出路径 / Render the monthly report "
    "(code-free offline HTML) and print its path.",
)
@click.option(
    "--community", default="", help="社区名称，默认为重点社区 / community (default: the focus community)"
)
@click.option(
    "--month",
    default="latest",
    show_default=True,
    help="月份 YYYY-MM，或 latest（有数据的最近一个月）/ month YYYY-MM, or latest (last month with data)",
)
@click.option(
    "--data-dir", default="", help="数据目录 / data dir with raw/ and processed/ (default: settings)"
)
@click.option(
    "--out-dir",
    default="",
    help="报告根目录 / reports root (default: reports/ for the default data dir, DIR/reports for another)",
)
@click.option(
    "--notebook", default="", help="报告模板 / report notebook (default: notebooks/00_monthly_report.ipynb)"
)
@click.option(
    "--lang", default="zh", show_default=True, type=click.Choice(["zh"]), help="报告语言 / report language"
)
def report_command(community: str, month: str, data_dir: str, out_dir: str, notebook: str, lang: str) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.report.index import write_index
    from jiesu.report.render import render_report

    result = render_report(
        community,
        month,
        data_dir=data_dir or None,
        out_dir=out_dir or None,
        notebook=notebook or None,
        lang=lang,
        progress=True,
    )
    write_index(result.folder.parent.parent)  # the reports root the report went to
    tag = "（模拟数据 synthetic）" if result.synthetic else ""  # the CLI line speaks both languages
    click.echo(f"report: {result.stamp['community']} {result.month}{tag} → {result.html}")
