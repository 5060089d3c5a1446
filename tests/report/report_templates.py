"""A lightweight report template for the scheduler and cluster tests: the real parameters and page
machinery, no figures (fast).  Two environment variables, which reach Dask workers and their kernels,
let a test break chosen months (``JIESU_TEST_BROKEN_MONTHS``) or slow every report down
(``JIESU_TEST_SLOW_SECONDS``) so a worker can be killed mid-run."""

from __future__ import annotations

from pathlib import Path

import nbformat

REPORT_SECTIONS = (
    "一、本月关键数字",
    "二、诉求率与地区排名",
    "三、三率",
    "四、园园的覆盖",
    "五、居民群里这个月在谈什么",
    "六、未诉先办",
    "七、下月季节性准备清单",
    "八、方法说明与数据来源",
)
"""The monthly report's section headings (their openings), in order, when the community has every kind of data."""


def light_template(path: Path) -> Path:
    """A report template with the real parameters and page machinery but no figures (fast)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    def cell(source, tags):
        made = nbformat.v4.new_code_cell(source)
        made.metadata["tags"] = tags
        return made

    nb.cells = [
        nbformat.v4.new_markdown_cell("# 测试模板 test template"),
        cell('community = ""\nmonth = ""\ndata_dir = ""\nout_dir = ""\nlang = "zh"', ["parameters"]),
        cell(
            "from jiesu.report.page import open_report\nimport os\n"
            "# a test marks months whose data are broken (the variable reaches Dask workers and their kernels)\n"
            "if month in os.environ.get('JIESU_TEST_BROKEN_MONTHS', '').split(','):\n"
            "    data_dir = data_dir + '/no-such-data'\n"
            "page = open_report(community, month, data_dir, out_dir, lang)\n"
            "import time\ntime.sleep(float(os.environ.get('JIESU_TEST_SLOW_SECONDS', '0')))\npage.header()",
            ["remove-input"],
        ),
        cell(
            'panel = page.world.table("panel")\n'
            'mine = panel.loc[(panel["community"] == page.community) & (panel["month"] == page.month)]\n'
            'page.record(requests=int(mine["requests"].sum()))\n'
            'page.table(mine.groupby("category", as_index=False)["requests"].sum(), "by_category")',
            ["remove-input"],
        ),
    ]
    nbformat.write(nb, path)
    return path
