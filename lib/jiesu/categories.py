"""The governance vocabulary shared by every analysis: 12345 issue categories, their seasons,
their owner teams, and the six backbone teams and group kinds of the seed community.

The category list follows the seed article (供暖、防汛/雨篦子、大风/高空坠物、楼道照明、车棚、
噪音扰民、无照商贩、治安) plus the two campaigns of 2020 (垃圾分类 from May 2020, 疫情防控).
``lexicon`` is a short list of words a Beijing social worker would recognise as belonging to the
category; it is used to *label* topics by vocabulary overlap, never to generate text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd


@dataclass(frozen=True)
class Category:
    code: str
    label: str  # 二级分类 as used in reports
    level1: str  # 一级分类 (12345 taxonomy)
    level3: tuple[str, ...]  # examples of 三级分类
    season: str  # human-readable season
    months: tuple[int, ...]  # months in season (1-12); all 12 for year-round
    owner_team: str  # code of the backbone team that should act first
    lexicon: tuple[str, ...] = field(default_factory=tuple)
    since: str | None = None  # a campaign's first month (YYYY-MM): unknown to any report before it


TEAMS: dict[str, str] = {
    "staff": "社区工作者",
    "red_alliance": "红色联盟",
    "whistle": "吹哨报到部门",
    "dual_party": "双报到党员",
    "self_party": "自管党员",
    "volunteers": "热心群众",
}
"""The six backbone teams behind 园园 (seed: 6支骨干队伍), code → Chinese name."""

GROUP_KINDS: dict[str, str] = {
    "repair": "报修",
    "heating_property": "供暖物业",
    "safety": "平安",
    "building": "楼门",
    "interest": "兴趣",
    "age": "年龄",
    "council": "议事",
}
"""Kinds of 园园's categorized WeChat groups, code → Chinese name."""

YEAR_ROUND = tuple(range(1, 13))

CATEGORIES: tuple[Category, ...] = (
    Category(
        "heating",
        "供暖",
        "城乡建设",
        ("暖气不热", "暖气漏水", "供暖时间"),
        "11月15日–3月15日",
        (11, 12, 1, 2, 3),
        "whistle",
        ("暖气", "供暖", "不热", "漏水", "暖气片", "供热", "温度", "阀门"),
    ),
    Category(
        "flood",
        "防汛",
        "城乡建设",
        ("雨篦子堵塞", "道路积水", "顶层漏雨"),
        "6月–8月",
        (6, 7, 8),
        "red_alliance",
        ("雨篦子", "积水", "漏雨", "防雨层", "下水道", "排水", "暴雨"),
    ),
    Category(
        "wind",
        "大风高空坠物",
        "公共安全",
        ("高空坠物", "广告牌松动", "窗户玻璃"),
        "3月–5月",
        (3, 4, 5),
        "staff",
        ("大风", "高空坠物", "花盆", "阳台", "窗户", "掉落", "广告牌"),
    ),
    Category(
        "garbage",
        "垃圾分类",
        "城市管理",
        ("垃圾桶满溢", "分类投放", "桶站异味"),
        "2020年5月起",
        YEAR_ROUND,
        "red_alliance",
        ("垃圾", "垃圾桶", "分类", "厨余", "桶站", "清运"),
        since="2020-05",
    ),
    Category(
        "epidemic",
        "疫情防控",
        "卫生健康",
        ("出入登记", "居家隔离", "防疫物资"),
        "2020年1月–6月",
        (1, 2, 3, 4, 5, 6),
        "staff",
        ("疫情", "登记", "测温", "口罩", "隔离", "出入证", "返京"),
        since="2020-01",
    ),
    Category(
        "lighting",
        "楼道照明",
        "城乡建设",
        ("楼道灯不亮", "声控灯损坏"),
        "全年",
        YEAR_ROUND,
        "red_alliance",
        ("楼道", "灯", "照明", "不亮", "声控灯", "灯泡"),
    ),
    Category(
        "parking",
        "停车车棚",
        "交通管理",
        ("乱停车", "车棚", "停车证"),
        "全年",
        YEAR_ROUND,
        "staff",
        ("停车", "车位", "车棚", "停车证", "占道", "电动车", "充电"),
    ),
    Category(
        "noise",
        "噪音扰民",
        "环境保护",
        ("装修噪音", "广场舞", "夜间施工"),
        "全年",
        YEAR_ROUND,
        "whistle",
        ("噪音", "扰民", "装修", "广场舞", "吵", "施工"),
    ),
    Category(
        "vendors",
        "无照商贩",
        "市场管理",
        ("流动商贩", "占道经营"),
        "全年",
        YEAR_ROUND,
        "whistle",
        ("商贩", "摆摊", "无照", "占道经营", "城管", "小贩"),
    ),
    Category(
        "security",
        "治安",
        "公共安全",
        ("盗窃", "可疑人员", "门禁"),
        "全年",
        YEAR_ROUND,
        "whistle",
        ("小偷", "被盗", "陌生人", "治安", "门禁", "监控"),
    ),
)
"""The planted and reported issue categories, in report order."""

OTHER = "other"
OTHER_LABEL = "其他"

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
BY_LABEL: dict[str, Category] = {c.label: c for c in CATEGORIES}
LABELS: tuple[str, ...] = tuple(c.label for c in CATEGORIES) + (OTHER_LABEL,)


def label_of(code: str) -> str:
    """Chinese label of a category code (``"other"`` → 其他)."""
    return OTHER_LABEL if code == OTHER else BY_CODE[code].label


def label_codes(labels: pd.Series) -> pd.Series:
    """Category code of each 二级分类 label (12345 work orders and panels carry labels); ``"other"`` for
    其他 and for labels outside :data:`CATEGORIES`.

    >>> label_codes(pd.Series(["供暖", "其他", "邻里纠纷"])).tolist()
    ['heating', 'other', 'other']
    """
    return labels.map(lambda lab: BY_LABEL[lab].code if lab in BY_LABEL else OTHER)


# ---------------------------------------------------------------------------------------------
# The one lexicon matcher
# ---------------------------------------------------------------------------------------------


def lexicon_hit(term: str, entry: str) -> bool:
    """Whether ``term`` names lexicon ``entry``: it contains a multi-character entry (暖气 in 暖气片), or
    a single-character entry is the whole term or one of its ``_``-joined phrase parts (灯, not 灯笼)."""
    return entry in term.split("_") if len(entry) == 1 else entry in term


@lru_cache(maxsize=1 << 16)
def term_category(term: str) -> str:
    """Category code of one term (a token or phrase): the category of the longest lexicon entry the
    term names (:func:`lexicon_hit`), else ``"other"``.  Memoized: a corpus has a few tens of thousands
    of distinct terms, asked about again and again.

    >>> term_category("暖气片"), term_category("雨篦子"), term_category("灯笼")
    ('heating', 'flood', 'other')
    """
    best, best_len = OTHER, 0
    for cat in CATEGORIES:
        for entry in cat.lexicon:
            if len(entry) > best_len and lexicon_hit(term, entry):
                best, best_len = cat.code, len(entry)
    return best


def text_categories(texts: pd.Series) -> pd.Series:
    """Category code of each whole text (a message, not a term): the category with the most distinct
    lexicon entries contained in the text, ``<NA>`` when none; ties go to the category listed first in
    :data:`CATEGORIES`.
    """
    values = texts.fillna("").astype(str)
    hits = pd.DataFrame(
        {
            c.code: sum(values.str.contains(word, regex=False).astype(int) for word in c.lexicon)
            for c in CATEGORIES
        },
        index=texts.index,
    )
    best = hits.idxmax(axis=1)
    return best.where(hits.max(axis=1) > 0).astype("str")
