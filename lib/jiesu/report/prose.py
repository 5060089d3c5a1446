"""Sentences that state a finding, computed from the numbers they describe.

Reports and notebooks never carry fixed text that claims a result ("园园的好友几乎覆盖了每一户"): each
such sentence is built here from the result it reads, so it changes when the numbers do.  Every
function takes the dict a :mod:`jiesu.snapshot` section returns and gives one Chinese sentence.

>>> coverage_sentence({"friends": 0, "household_coverage": 0.0, "resident_coverage": 0.0,
...                    "uncovered_vulnerable": 30}, "2017-06")
'截至2017年6月底，园园还没有微信好友，住户覆盖率为 0。'
"""

from __future__ import annotations

from jiesu.months import month_label
from jiesu.report.page import format_percent, format_rate_change

SMALL_RATED = 20
"""Fewer rated cases than this in a month make its 满意率 too unsteady to read alone."""


def rank_sentence(rank: dict, month: str) -> str:
    """Rate, rank, rank interval and the community's place in the area (top 5, bottom 5, middle)."""
    position = (
        "位于诉求率最高的五个社区之列"
        if rank["in_top5"]
        else "位于诉求率最低的五个社区之列"
        if rank["in_bottom5"]
        else "处于地区中间段"
    )
    lo, hi = rank["rank_interval"]
    certain = "名次较确定" if hi - lo <= 4 else "考虑随机波动，名次并不确定"
    return (
        f"{month_label(month)}，本社区每万人诉求 {rank['rate_per_10k']:.1f} 件，在 {rank['n_communities']} 个社区中"
        f"排第 {rank['rank']} 名（名次 95% 区间 {lo}–{hi}，{certain}），{position}。"
    )


def change_sentence(rank: dict) -> str:
    """Month-on-month and year-on-year changes with their exact tests."""
    return (
        f"与上月相比诉求率 {format_rate_change(rank['mom'])}，与去年同月相比 {format_rate_change(rank['yoy'])}；"
        "“显著”指按泊松计数的精确检验，这一变化不太可能只是随机波动（p < 0.05）。"
    )


def performance_sentence(rank: dict) -> str:
    """三率 and the composite, with a caution when few cases were rated."""
    composite = "—" if rank["composite"] is None else f"{rank['composite']:.1f}"
    caution = (
        f"本月只有 {rank['rated']} 件参与评价，满意率随机波动大，宜结合前后几个月看。"
        if rank["rated"] < SMALL_RATED
        else ""
    )
    return (
        f"本月响应率 {format_percent(rank['response_rate'])}，解决率 {format_percent(rank['resolution_rate'])}，"
        f"满意率 {format_percent(rank['satisfaction_rate'])}（参评 {rank['rated']} 件）；三率加权综合得分 {composite}"
        f"（满分 100）。{caution}"
    )


def coverage_sentence(coverage: dict, month: str) -> str:
    """园园's reach at the end of ``month`` and the vulnerable households still outside it."""
    when = f"截至{month_label(month)}底"
    if coverage["friends"] == 0:
        return f"{when}，园园还没有微信好友，住户覆盖率为 0。"
    gap = (
        f"仍有 {coverage['uncovered_vulnerable']} 户困难户未被覆盖，建议列入入户走访（名单由社区工作者在内网查看，不在本报告中公开）"
        if coverage["uncovered_vulnerable"]
        else "困难户已全部覆盖"
    )
    return (
        f"{when}，园园的 {coverage['friends']} 位微信好友覆盖了 {format_percent(coverage['household_coverage'])} 的住户、"
        f"{format_percent(coverage['resident_coverage'])} 的居民；{gap}。"
    )


def topics_sentence(talk: dict) -> str:
    """The month's leading problem topic, or that the talk was everyday chatter."""
    chatter = f"日常闲聊约占 {format_percent(talk['chatter_share'], 0)}"
    problems = talk["problems"]
    if not len(problems) or problems.iloc[0]["share"] <= 0:
        return f"本月共 {talk['messages']} 条文字消息，{chatter}，没有突出的问题话题。"
    first = problems.iloc[0]
    return (
        f"本月共 {talk['messages']} 条文字消息，{chatter}；问题话题中占比最高的是“{first['label']}”"
        f"（{format_percent(first['share'])}，代表词：{first['top_words']}）。"
    )


def watch_sentence(watch: dict) -> str:
    """How many items the watch list holds and the month's interception share."""
    share = watch["interception_share"]
    intercepted = (
        "本月没有可计算拦截占比的群内问题"
        if share is None
        else f"群内问题在转成工单前办结的“拦截占比”为 {format_percent(share)}"
    )
    return f"本月关注清单共 {len(watch['watch_list'])} 项；{intercepted}。"


def checklist_sentence(checklist, next_month: str) -> str:
    """How many categories enter their season next month, and which starts first."""
    if not len(checklist):
        return f"{month_label(next_month)}没有进入多发期的问题类别。"
    starting = checklist.loc[checklist["starts"], "label"].tolist()
    first = f"其中{'、'.join(starting)}的多发期从下月开始，" if starting else ""
    return f"{month_label(next_month)}共有 {len(checklist)} 类问题处于多发期，{first}请各牵头队伍提前准备。"
