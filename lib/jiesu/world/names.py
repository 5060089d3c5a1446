"""Synthetic identities for the simulated world: names, homophone typos, phone numbers, WeChat ids,
nicknames and the address variants the community writes by hand.

Everything here is invented: names are drawn from common surname/given-name characters, phone numbers
carry the tell-tale ``00`` after the prefix (``139 00 …``) so no real subscriber is hit, and WeChat ids
are random strings.  All functions take a numpy ``Generator`` so the world stays reproducible.
"""

from __future__ import annotations

import numpy as np

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔常"
)
# Rough surname frequencies: the first few surnames are far more common (Zipf-like).
_SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 3.0)
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()

# Given names by generation (born before 1955, 1955–1979, 1980 and later) and sex.
GIVEN = {
    ("old", "F"): (
        "秀英",
        "桂兰",
        "淑珍",
        "玉兰",
        "凤英",
        "秀兰",
        "桂英",
        "玉珍",
        "淑兰",
        "桂芝",
        "素芬",
        "秀珍",
        "玉英",
        "凤兰",
        "淑英",
        "桂珍",
        "秀云",
        "玉梅",
        "金凤",
        "翠兰",
    ),
    ("old", "M"): (
        "德明",
        "建国",
        "国华",
        "志刚",
        "宝山",
        "玉山",
        "振华",
        "文忠",
        "永禄",
        "长顺",
        "德福",
        "宝林",
        "国栋",
        "福生",
        "守义",
        "庆云",
        "树林",
        "汉章",
        "连生",
        "广田",
    ),
    ("mid", "F"): (
        "丽华",
        "红梅",
        "淑芬",
        "秀芳",
        "建华",
        "丽娟",
        "桂芳",
        "晓红",
        "艳玲",
        "春燕",
        "美玲",
        "丽萍",
        "慧敏",
        "亚琴",
        "雪梅",
        "彩霞",
        "海燕",
        "秀梅",
        "晓燕",
        "玉红",
    ),
    ("mid", "M"): (
        "建军",
        "卫东",
        "志强",
        "国庆",
        "建平",
        "立新",
        "海涛",
        "永刚",
        "红军",
        "建明",
        "向东",
        "志勇",
        "文斌",
        "晓军",
        "庆华",
        "利民",
        "宏伟",
        "春生",
        "学军",
        "铁军",
    ),
    ("young", "F"): (
        "欣怡",
        "子涵",
        "雨萱",
        "婧",
        "思雨",
        "静怡",
        "佳琪",
        "梓萱",
        "晓雯",
        "诗涵",
        "梦瑶",
        "雅婷",
        "一诺",
        "可馨",
        "若曦",
        "悦",
        "晨曦",
        "语桐",
        "文静",
        "佳怡",
    ),
    ("young", "M"): (
        "浩然",
        "子轩",
        "宇航",
        "俊杰",
        "浩",
        "博文",
        "皓轩",
        "天宇",
        "一鸣",
        "明哲",
        "思远",
        "宇",
        "梓豪",
        "嘉豪",
        "文博",
        "泽宇",
        "晨阳",
        "昊天",
        "子墨",
        "睿",
    ),
}

# 同音字: characters a clerk types by mistake (same pinyin, other character).
HOMOPHONES = {
    "秀": "绣",
    "英": "瑛",
    "兰": "岚",
    "华": "桦",
    "明": "铭",
    "军": "君",
    "红": "虹",
    "丽": "莉",
    "芳": "方",
    "静": "婧",
    "伟": "玮",
    "刚": "钢",
    "建": "健",
    "国": "帼",
    "志": "智",
    "文": "雯",
    "平": "萍",
    "玉": "钰",
    "凤": "峰",
    "珍": "真",
    "淑": "书",
    "桂": "贵",
    "德": "得",
    "林": "琳",
    "梅": "玫",
    "燕": "艳",
    "霞": "侠",
    "涛": "韬",
    "强": "墙",
    "勇": "涌",
    "东": "冬",
    "生": "升",
    "云": "芸",
    "琴": "勤",
    "宇": "雨",
    "杰": "洁",
    "浩": "皓",
    "博": "波",
    "天": "添",
    "晓": "小",
    "敏": "闽",
    "庆": "青",
    "民": "敏",
    "山": "善",
    "王": "汪",
    "张": "章",
    "李": "理",
    "刘": "留",
    "陈": "程",
    "杨": "阳",
    "黄": "皇",
    "周": "州",
    "徐": "许",
    "孙": "荪",
    "马": "玛",
    "胡": "湖",
    "郭": "国",
    "何": "和",
    "高": "郜",
    "罗": "萝",
    "郑": "正",
}

CN_DIGITS = "零一二三四五六七八九"
FULLWIDTH = str.maketrans("0123456789-#", "０１２３４５６７８９－＃")


def person_names(rng: np.random.Generator, birth_years: np.ndarray, sexes: np.ndarray) -> list[str]:
    """One invented full name per person, the given name typical of the birth cohort."""
    surnames = rng.choice(len(SURNAMES), size=len(birth_years), p=_SURNAME_WEIGHTS)
    picks = rng.integers(0, 20, size=len(birth_years))
    names = []
    for surname, pick, year, sex in zip(surnames, picks, birth_years, sexes, strict=True):
        cohort = "old" if year < 1955 else "mid" if year < 1980 else "young"
        names.append(SURNAMES[surname] + GIVEN[(cohort, sex)][pick])
    return names


def homophone_typo(name: str, rng: np.random.Generator) -> str:
    """The name with one character replaced by a homophone (if any character has one)."""
    positions = [i for i, ch in enumerate(name) if ch in HOMOPHONES]
    if not positions:
        return name
    i = positions[int(rng.integers(len(positions)))]
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def phone_numbers(rng: np.random.Generator, n: int, used: set[str] | None = None) -> list[str]:
    """``n`` distinct invented mobile numbers of the form ``1x9 00 dddddd`` (never real subscribers)."""
    used = set() if used is None else used
    out: list[str] = []
    prefixes = ("139", "138", "136", "135", "158", "159", "186", "185", "133", "189", "177", "150")
    while len(out) < n:
        prefix = prefixes[int(rng.integers(len(prefixes)))]
        number = f"{prefix}00{int(rng.integers(0, 1_000_000)):06d}"
        if number not in used:
            used.add(number)
            out.append(number)
    return out


def wechat_ids(rng: np.random.Generator, n: int, used: set[str] | None = None) -> list[str]:
    """``n`` distinct WeChat ids: mostly ``wxid_`` + 14 random characters, some self-chosen ids."""
    used = set() if used is None else used
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    out: list[str] = []
    while len(out) < n:
        if rng.random() < 0.8:
            wxid = "wxid_" + "".join(rng.choice(alphabet, 14))
        else:
            wxid = "".join(rng.choice(letters, int(rng.integers(5, 9)))) + str(int(rng.integers(10, 9999)))
        if wxid not in used:
            used.add(wxid)
            out.append(wxid)
    return out


_NICK_PARTS = (
    "快乐",
    "阳光",
    "幸福",
    "平安",
    "开心",
    "知足",
    "淡定",
    "岁月",
    "清风",
    "花开",
    "静好",
    "随缘",
    "微笑",
    "向日葵",
    "老顽童",
    "夕阳红",
    "蓝天",
    "白云",
    "海阔天空",
    "心想事成",
    "荷塘月色",
    "一帆风顺",
)
_NICK_SUFFIX = (
    "",
    "",
    "",
    "🌸",
    "🌹",
    "☀️",
    "🍀",
    "~",
    "人生",
    "每一天",
    "的日子",
    "妈妈",
    "爸爸",
    "姥姥",
    "爷爷",
)


def nickname(name: str, birth_year: int, rng: np.random.Generator) -> str:
    """A WeChat nickname: elderly users favour wishes and flowers, younger ones initials or English."""
    roll = rng.random()
    if roll < 0.25:
        return (
            _NICK_PARTS[int(rng.integers(len(_NICK_PARTS)))]
            + _NICK_SUFFIX[int(rng.integers(len(_NICK_SUFFIX)))]
        )
    if roll < 0.45:
        return name
    if roll < 0.6:
        return name[0] + ("老师" if birth_year < 1965 else "姐" if rng.random() < 0.5 else "哥")
    if roll < 0.75 and birth_year >= 1975:
        english = (
            "Lucy",
            "Amy",
            "Tony",
            "Kevin",
            "Grace",
            "Leo",
            "Sunny",
            "Coco",
            "Jack",
            "Echo",
            "Max",
            "Lily",
        )
        return english[int(rng.integers(len(english)))] + (
            str(int(rng.integers(1, 99))) if rng.random() < 0.3 else ""
        )
    return name[-1] + name[-1] if len(name) >= 2 and rng.random() < 0.5 else "A" + name


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 18 → 十八 (the numbers used for buildings and units)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


ADDRESS_VARIANTS = (
    "{b}号楼{u}单元{r}",
    "{b}#{u}-{r}",
    "{bc}号楼{uc}单元{r}室",
    "{b}-{u}-{r}",
    "{b}栋{u}门{r}",
)
"""The ways a household address is written in the community (contract `_ADDRESS_NOTE`)."""


def address_text(building: int, unit: int, room: int, variant: int, *, fullwidth: bool = False) -> str:
    """The address of one dwelling written in ``ADDRESS_VARIANTS[variant]``, optionally full-width."""
    text = ADDRESS_VARIANTS[variant].format(
        b=building, u=unit, r=room, bc=chinese_number(building), uc=chinese_number(unit)
    )
    return text.translate(FULLWIDTH) if fullwidth else text
