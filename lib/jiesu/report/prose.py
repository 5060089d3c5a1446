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
    """The month's leading problem topic (named by its phrases, with its category), or that the talk
    was everyday chatter; the chatter share is the one line for everything outside problem topics."""
    chatter = f"日常闲聊约占 {format_percent(talk['chatter_share'], 0)}"
    problems = talk["problems"]
    if not len(problems) or problems.iloc[0]["share"] <= 0:
        return f"本月共 {talk['messages']} 条文字消息，{chatter}，没有突出的问题话题。"
    first = problems.iloc[0]
    return (
        f"本月共 {talk['messages']} 条文字消息，{chatter}；问题话题中占比最高的是“{first['name']}”"
        f"（{first['label']}，{format_percent(first['share'])}，代表词：{first['top_words']}）。"
    )


def watch_sentence(watch: dict) -> str:
    """How many items the watch list holds and the month's interception share."""
    share = watch["interception_share"]
    intercepted = (
        "本月没有可计算拦截占比的群内问题"
        if share is None
        else f"群内问题在转成工单前办结的“拦截占比”为 {format_percent(share)}"
    )
    rows = len(watch["watch_list"])
    listed = f"本月最后一个整周关注清单共 {rows} 项" if rows else "本月最后一个整周没有升温的苗头"
    return f"{listed}；{intercepted}。"


def checklist_sentence(checklist, next_month: str) -> str:
    """How many categories enter their season next month, and which starts first."""
    if not len(checklist):
        return f"{month_label(next_month)}没有进入多发期的问题类别。"
    starting = checklist.loc[checklist["starts"], "label"].tolist()
    first = f"其中{'、'.join(starting)}的多发期从下月开始，" if starting else ""
    return f"{month_label(next_month)}共有 {len(checklist)} 类问题处于多发期，{first}请各牵头队伍提前准备。"


def brokers_sentence(brokers) -> str:
    """Who the top brokers are: how many of them are staff or team members (``broker_table``)."""
    if not len(brokers):
        return "网络中没有可计算中介中心性的人。"
    staff = int((brokers["role"] != "居民").sum())
    return f"中介中心性最高的 {len(brokers)} 人中，{staff} 人是工作人员或骨干队伍成员，{len(brokers) - staff} 人是普通居民。"


def reach_sentence(reach) -> str:
    """Which group reaches the most households, and how far the 楼门 groups reach (``group_reach``)."""
    if not len(reach):
        return "没有微信群数据。"
    widest = reach.sort_values(["household_share", "group_name"], ascending=[False, True]).iloc[0]
    building = reach.loc[reach["kind"] == "楼门"]
    tail = (
        f"；{len(building)} 个楼门群平均覆盖 {format_percent(building['household_share'].mean())} 的住户"
        if len(building)
        else ""
    )
    return f"覆盖住户最多的是“{widest['group_name']}”（{format_percent(widest['household_share'])} 的住户）{tail}。"


def responsiveness_sentence(by_category) -> str:
    """How fast staff answer chat issues (``team_responsiveness(...)["by_category"]``)."""
    if not len(by_category):
        return "没有群内问题，无法计算回应速度。"
    reports = by_category["reports"]
    within = float((by_category["within_2h"] * reports).sum() / reports.sum())
    answered = float((by_category["answered_share"] * reports).sum() / reports.sum())
    return (
        f"共 {int(reports.sum())} 个群内问题，{format_percent(answered)} 有工作人员回应，"
        f"{format_percent(within)} 在 2 小时内得到回应。"
    )


def owners_sentence(by_category, owner_of) -> str:
    """How many categories are mostly answered by the team responsible for them (``owner_of``: code →
    team name, e.g. :func:`jiesu.analysis.early_warning.owner_team`)."""
    known = by_category.loc[by_category["category"].map(owner_of).astype(bool)]
    if not len(known):
        return "没有可对照责任队伍的问题类别。"
    matched = int((known["top_team"] == known["category"].map(owner_of)).sum())
    return f"{len(known)} 类问题中，{matched} 类主要由其责任队伍回应。"


def bottom5_stay_sentence(own, full_from: str) -> str:
    """How often the community's single-month rank left the bottom 5 after ``full_from`` (``own``: its
    rows of :func:`jiesu.analysis.ranking.rank_intervals`, indexed by month)."""
    after = own.loc[own.index >= full_from]
    if not len(after):
        return f"{full_from} 之后没有数据。"
    out = int((~after["in_bottom5"].astype(bool)).sum())
    return (
        f"{full_from} 起的 {len(after)} 个月里，单月名次有 {out} 个月不在倒数五名之内；单月的“倒数第几”"
        "不足以作结论，下面用三个月滚动和整段时期的合并比率来看。"
    )


def its_sentence(its_result: dict, full_from: str) -> str:
    """How well the controlled ITS fits before the intervention and how far the observed series lies
    from its counterfactual after it (:func:`jiesu.analysis.impact.its`)."""
    series = its_result["series"]
    before = series.loc[series["month"] < full_from]
    after = series.loc[series["month"] >= full_from]
    fit = float((before["observed"] - before["fitted"]).abs().sum() / max(before["observed"].sum(), 1))
    if not len(after):
        return f"干预前拟合的平均绝对误差为月诉求量的 {format_percent(fit)}；{full_from} 之后没有数据。"
    ratio = float(after["observed"].sum() / max(after["counterfactual"].sum(), 1e-9))
    return (
        f"反事实线（虚线）是“如果本社区跟着全地区走”的诉求量：干预前拟合的平均绝对误差为月诉求量的 "
        f"{format_percent(fit)}；{full_from} 起实际诉求量是反事实的 {format_percent(ratio)}。"
    )


def cluster_se_sentence(standard_errors) -> str:
    """How much narrower the community-clustered standard error is than HC1 (``did(...)["standard_errors"]``)."""
    table = standard_errors.set_index("kind")["se"]
    return (
        f"按社区聚类的标准误（{table['cluster']:.3f}）只有异方差稳健标准误（{table['HC1']:.3f}）的 "
        f"{format_percent(table['cluster'] / table['HC1'], 0)}：只有一个社区接受了干预，聚类方差看不到它自己的随机波动"
        "（Conley & Taber 2011），所以区间用 HC1，并用“空间安慰剂”检验：把每个对照社区轮流当作“干预社区”，"
        "看本社区的估计在其中有多极端。"
    )
