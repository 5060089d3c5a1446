"""The generating model's parameters: every number that shapes the synthetic world, named.

Each part of the world has one frozen dataclass of parameters, documented with its unit and the
reason for its value (the seed article, Beijing statistics, or "keeps the analyses honest"):

=========================  ===========================================================
:class:`Preset`            chat window and message budget of a run (``full`` / ``small``)
:class:`CommunitySpec`     one community: name, buildings, sizes, its WeChat account
:class:`Intervention`      a 园园-like intervention: start, ramp, effect on the request rate
:class:`Burst`             a planted keyword burst in the focus community's chats
:class:`HouseholdModel`    tenure, flat type, household size, ages, flags
:class:`FriendModel`       who of a household befriends 园园, and when
:class:`RegistryModel`     停车证, 疫情登记 and 社工走访 records and their errors
:class:`AccountModel`      WeChat accounts of residents and staff, chat activity
:class:`GroupModel`        the categorized WeChat groups and who is in them
:class:`ChatModel`         rhythm, issue threads, notices and chatter of the chats
:class:`PanelModel`        the area panel: Poisson rates, seasons, shocks
:class:`ThreeRatesModel`   响应率 / 解决率 / 满意率 of every community and month (cited sources)
:class:`CaseModel`         12345 work orders instantiated from the panel
:class:`ExportModel`       how the friends list is written by hand
:class:`AdoptionModel`     which peers adopt a 园园-like way of working, when and how strongly
:class:`PeerModel`         how a peer community is sized from its panel rows
=========================  ===========================================================

Probabilities are shares in 0–1; ``(lo, hi)`` integer ranges are numpy's half-open
``integers(lo, hi)`` unless a comment says "inclusive".  The default instances
(:data:`HOUSEHOLDS`, :data:`CHATS`, ...) are *the* model; code never repeats their numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from jiesu.categories import OTHER
from jiesu.months import months_between
from jiesu.settings import FOCUS_COMMUNITY

GENERATOR_VERSION = "1.0"
REFERENCE_YEAR = 2020
"""Ages are ``REFERENCE_YEAR − birth year`` ("age on 2020-09-30" rounded to the year)."""
PANEL_START, PANEL_END = "2017-01", "2020-09"
"""First and last month of the area panel and of the 12345 work orders."""
SURGE_MONTH = "2019-01"
"""Launch of 接诉即办 (2019-01): far more calls area-wide, and better 三率."""


def _table(values: Mapping) -> Mapping:
    """A read-only mapping default for a frozen dataclass field."""
    return field(default_factory=lambda: MappingProxyType(dict(values)))


# ==================================================================================================
# runs, communities, interventions, bursts
# ==================================================================================================


@dataclass(frozen=True)
class Preset:
    """Size of a run: the chat window (``YYYY-MM-DD``, end inclusive) and the message budget."""

    chat_start: str
    chat_end: str
    messages: int  # target number of chat messages of the focus community (both chat files together)


PRESETS: dict[str, Preset] = {
    "full": Preset("2018-01-01", "2020-09-30", 300_000),
    "small": Preset("2020-04-01", "2020-06-30", 18_000),
}

BUILDING_LAYOUT: tuple[tuple[int, int, int, int], ...] = (
    # (units, floors, doors per floor, year built) of the 18 walk-ups of the 1990s (seed: 18 栋, 建于上世纪90年代)
    (4, 6, 4, 1991),
    (7, 6, 4, 1991),
    (6, 6, 4, 1992),
    (5, 6, 4, 1992),
    (7, 6, 4, 1992),
    (6, 6, 4, 1993),
    (4, 6, 4, 1993),
    (7, 6, 4, 1993),
    (6, 6, 4, 1994),
    (7, 6, 4, 1994),
    (6, 6, 4, 1994),
    (7, 6, 4, 1995),
    (5, 6, 4, 1995),
    (8, 6, 4, 1996),
    (8, 6, 4, 1996),
    (7, 6, 4, 1997),
    (5, 5, 4, 1997),
    (6, 6, 3, 1998),
)

N_HOUSEHOLDS, N_RESIDENTS, N_FRIENDS = 2602, 5730, 2759
"""Seed article: 2,602 households, "5,700 余人" residents, 2,759 resident friends of 园园."""
N_UNCOVERED_VULNERABLE, N_UNCOVERED_OTHER = 22, 38
"""Occupied households without a friend of 园园 ("基本达到了每户都有人"): 22 vulnerable + 38 others."""


@dataclass(frozen=True)
class CommunitySpec:
    """What makes one community's world: the focus community by default, peers for a district run."""

    name: str = FOCUS_COMMUNITY
    short: str = "甘二"  # prefix of group names
    estate: str = "甘露园南里二区"  # how 12345 call-takers write the estate in 诉求地址
    layout: tuple[tuple[int, int, int, int], ...] = BUILDING_LAYOUT
    households: int = N_HOUSEHOLDS
    residents: int = N_RESIDENTS
    friends: int = N_FRIENDS
    uncovered_vulnerable: int = N_UNCOVERED_VULNERABLE
    uncovered_other: int = N_UNCOVERED_OTHER
    index: int = 0  # 0 = the focus community; i = 对照社区i (own random streams, own panel rows)
    message_share: float = 1.0  # chat volume relative to the preset's target
    account: str = "yuanyuan_gan2"  # the community's own WeChat account (园园 for the focus)
    account_name: str = "园园"

    @property
    def is_focus(self) -> bool:
        return self.index == 0

    @property
    def repair_group(self) -> str:
        return f"{self.short}供暖和物业报修群"


FOCUS = CommunitySpec()


@dataclass(frozen=True)
class Intervention:
    """A 园园-like way of working: from ``start_month`` its intensity ramps linearly to 1 over
    ``ramp_months`` months (seed: the "12345全攻略" began "两年多前" = mid-2018)."""

    start_month: str = "2018-07"
    ramp_months: int = 6

    def ramp(self, month: str) -> float:
        """Intensity 0–1 in ``month``: 0 before ``start_month``, linear over the ramp, then 1."""
        return min(max(months_between(self.start_month, month) / self.ramp_months, 0.0), 1.0)


FOCUS_INTERVENTION = Intervention()
INTERVENTION_START, RAMP_MONTHS = FOCUS_INTERVENTION.start_month, FOCUS_INTERVENTION.ramp_months


def ramp(month: str) -> float:
    """The focus community's intervention intensity 0–1: 0 before 2018-07, linear over 6 months, 1
    from 2019-01."""
    return FOCUS_INTERVENTION.ramp(month)


@dataclass(frozen=True)
class Burst:
    """A planted keyword burst: residents of one group report one problem in their own words for a few
    days (``building`` 0 = not tied to a building; ``group_kind`` the kind of group it starts in)."""

    id: str
    category: str
    onset: str  # YYYY-MM-DD
    duration_days: int
    building: int
    group_kind: str
    terms: tuple[str, ...]  # the phrases of the burst; the first is repeated in spilled 12345 cases


BURSTS: tuple[Burst, ...] = (
    Burst(
        "B01",
        "heating",
        "2018-01-08",
        7,
        6,
        "building",
        ("回水管是凉的", "热力站", "室温只有十四度", "暖气不热"),
    ),
    Burst("B02", "wind", "2018-04-12", 4, 11, "building", ("楼顶的彩钢板快掉了", "彩钢板", "差点砸到人")),
    Burst("B03", "flood", "2018-07-16", 5, 3, "building", ("雨篦子堵了", "积水都没过脚面了", "楼门口积水了")),
    Burst(
        "B04", "parking", "2018-10-09", 6, 6, "heating_property", ("车棚的台阶太高", "坡道", "电动车推不上去")
    ),
    Burst("B05", "noise", "2019-06-10", 5, 0, "safety", ("半夜施工", "电钻声受不了", "渣土车")),
    Burst("B06", "heating", "2019-11-18", 6, 14, "building", ("暖气片往下滴水", "跑风门坏了", "暖气漏水了")),
    Burst("B07", "epidemic", "2020-02-03", 10, 0, "council", ("返京要不要隔离", "出入证", "居家观察")),
    Burst("B08", "wind", "2020-04-14", 4, 15, "building", ("外墙保温层要掉", "空调外机晃得厉害", "保温层")),
    Burst("B09", "garbage", "2020-05-06", 7, 9, "building", ("厨余垃圾桶味道太大", "桶站", "苍蝇蚊子太多")),
    Burst("B10", "vendors", "2020-06-08", 5, 0, "safety", ("卖菜的把垃圾扔一地", "流动商贩堵门口", "三轮车")),
    Burst("B11", "flood", "2020-06-22", 5, 17, "building", ("顶楼卫生间漏雨", "防雨层", "天花板往下滴水")),
    Burst("B12", "security", "2020-08-24", 5, 0, "safety", ("有人冒充燃气公司的上门", "燃气公司", "敲门")),
)


# ==================================================================================================
# community, friends, registries
# ==================================================================================================


@dataclass(frozen=True)
class HouseholdModel:
    """Households and residents of an old walk-up estate in Chaoyang (census-like shares)."""

    tenure_p: tuple[float, float, float] = (0.72, 0.25, 0.03)  # 自住 / 出租 / 空置 share of dwellings
    large_flat_p: tuple[float, float] = (0.6, 0.4)  # end flats (door 1 and the last door): 两居室 / 三居室
    small_flat_p: tuple[float, float] = (0.45, 0.55)  # inner flats: 一居室 / 两居室
    size_p: tuple[float, ...] = (0.22, 0.38, 0.24, 0.11, 0.05)  # persons 1..5 of an occupied flat
    max_persons: int = 6  # cap while the total is adjusted to exactly ``residents``
    renter_head_age: tuple[int, int] = (22, 46)  # years; renters are young workers
    retired_head_p: float = 0.52  # share of owner households headed by a retiree (old estate)
    retired_head_age: tuple[int, float, float] = (60, 2.2, 6.5)  # 60 + Gamma(shape 2.2, scale 6.5 years)
    max_age: int = 99
    working_head_age: tuple[int, int] = (28, 60)
    partner_offset: tuple[int, int] = (-5, 4)  # partner's age − head's, years
    adult_age: int = 18
    grandparent_head_age: int = 62  # heads from this age live with an adult child (p below)
    adult_child_p: float = 0.7
    adult_child_gap: tuple[int, int] = (25, 36)  # head's age − child's age, years
    adult_child_max_age: int = 75
    minor_age: tuple[int, int] = (1, 18)  # a grandchild
    young_head_age: int = 45  # heads below this age may have a parent move in (p below)
    parent_moved_in_p: float = 0.25
    parent_gap: tuple[int, int] = (24, 34)
    parent_age: tuple[int, int] = (50, 95)  # clip
    child_gap: tuple[int, int] = (22, 36)
    child_max_age: int = 40
    male_p: float = 0.5
    phone_min_age: int = 12  # children below this age have no phone
    phone_changed_p: float = 0.1  # changed number since 2018 (the 停车证 has the old one)
    elderly_age: int = 80  # 高龄 (Beijing: 80+)
    dibao_p: tuple[float, float] = (0.06, 0.02)  # 低保: old person living alone / other occupied
    disabled_p: tuple[float, float] = (0.09, 0.04)  # 残疾: household with an 80+ resident / other


@dataclass(frozen=True)
class FriendModel:
    """Who of each household is 园园's friend and when they were added."""

    core_age: tuple[int, int] = (25, 75)  # inclusive; adults who run the family's WeChat (+1 in the score)
    core_bonus: float = 1.0
    wide_age: tuple[int, int] = (14, 85)  # inclusive (+0.5 in the score)
    wide_bonus: float = 0.5
    extra_age: tuple[int, int] = (14, 88)  # inclusive; a second friend in the household
    extra_core_age: tuple[int, int] = (25, 70)  # inclusive; weight below for extra friends of these ages
    extra_core_weight: float = 3.0
    since: str = "2017-10-01"  # 园园's account opened
    # added = since + days: mixture components (cumulative share, [first, last) day): the intervention's
    # first year, the 2020-02/03 epidemic registration, and a steady trickle
    added_mix: tuple[float, float, float] = (0.2, 0.75, 0.9)
    added_days: tuple[tuple[int, int], ...] = ((0, 270), (270, 640), (850, 910), (640, 1095))


@dataclass(frozen=True)
class RegistryModel:
    """停车证 (2018), 疫情登记 (2020-02) and 社工走访 records, each with realistic errors."""

    address_fullwidth_p: float = 0.08  # hand-typed addresses in full-width digits
    # 停车证 2018
    car_p: tuple[float, float] = (0.38, 0.25)  # households with a car: owners / renters
    driver_age: tuple[int, int] = (22, 78)  # inclusive
    permit_copies_p: float = 0.06  # applied twice
    permit_first_day: str = "2018-03-01"
    permit_days: int = 122  # applications over 4 months
    permit_name_typo_p: float = 0.05
    plate_p: float = 0.95  # plate number filled in
    # 疫情登记 2020-02 ("几乎涵盖社区所有住户")
    registered_p: float = 0.86
    all_members_p: float = 0.8  # the whole household registered (else only the one at the door)
    registration_copies_p: float = 0.03
    registration_first_day: str = "2020-02-01"
    registration_days: int = 29
    registration_name_typo_p: float = 0.04
    persons_misstated_p: float = 0.05  # 居住人数 off by one
    birth_year_missing_p: float = 0.03
    field_missing_p: float = 0.05  # 户型 / 居住性质 / 居住人数 left empty
    # 社工走访 (every vulnerable and every otherwise-unknown household, and a sample of the others)
    visit_sample_p: float = 0.22
    visits_vulnerable: tuple[int, int] = (1, 5)
    visits_other: tuple[int, int] = (1, 3)
    visit_first_day: str = "2018-01-02"
    visit_last_day: str = "2020-09-28"
    visited_resident_p: float = 0.9  # else an owner, relative or carer outside the registry
    visit_name_typo_p: float = 0.05
    outsider_birth_year: tuple[int, int] = (1940, 1990)
    outsider_female_p: float = 0.5
    outsider_phone_p: float = 0.6
    flags_stated_p: float = 0.4  # an earlier visit records the three flags
    stale_flags_p: float = 0.5  # an earlier visit of a vulnerable household says 否 (before the status)
    latest_blank_p: float = 0.5  # the latest visit of a non-vulnerable household leaves the flags empty
    social_workers: int = 6  # SG01..SG06
    visit_fullwidth_p: float = 0.05
    visit_field_p: float = 0.7  # 户型 / 居住性质 / 居住人数 filled in
    date_formats: tuple[float, float, float] = (
        0.4,
        0.7,
        0.9,
    )  # cumulative: 年月日 / a/b/c / ISO / Excel serial


@dataclass(frozen=True)
class AccountModel:
    """WeChat accounts: resident friends and non-resident team members, and how much each chats."""

    staff_birth_year: tuple[int, int] = (1965, 1996)
    backbone_birth_year: tuple[int, int] = (1940, 1990)  # inclusive; resident backbone members
    activity_sigma: float = 1.4  # lognormal(0, σ) chat activity: a few residents write most messages
    backbone_activity: float = 3.0  # volunteers and 自管党员 chat three times as much
    staff_activity: float = 0.3  # non-resident accounts answer threads rather than chat
    address_display_p: float = 0.35  # group nickname "6-3-502 王" instead of the WeChat nickname
    since: str = "2017-10-01"


@dataclass(frozen=True)
class GroupModel:
    """The categorized groups ("分类别的微信群") and their members."""

    chatroom_id: tuple[int, int] = (10**10, 10**11)  # numeric part of ``…@chatroom``
    building_group_weight: float = 6.5  # chatter weight of each 楼门群 (the others in groups.py)
    member_cap: Mapping[str, int] = _table({"heating_property": 470, "repair": 400, "safety": 330})
    member_cap_share: float = 0.6  # at most this share of resident friends in one area-wide group
    council_extra: int = 40  # ordinary residents in the 议事群 beside the backbone teams
    senior_age: int = 60  # 银龄互助群 members are at least this old ...
    senior_cap: int = 420
    youth_age: int = 40  # ... 青年志愿者群 members younger than this
    youth_cap: int = 160
    interest_min_age: int = 45
    interest_size: tuple[int, int] = (60, 140)
    interest_staff: int = 3  # 园园 and social workers in an interest group
    join_lag_days: tuple[int, int] = (0, 20)  # joined a group this long after befriending 园园
    blank_nickname_p: float = 0.15  # no group nickname set


# ==================================================================================================
# chats
# ==================================================================================================

HOUR_WEIGHTS = (
    # relative message volume by hour of day (Beijing time), 00..23: quiet nights, morning and evening peaks
    0.2, 0.1, 0.05, 0.05, 0.1, 0.4, 1.6, 3.2, 3.6, 3.0, 2.6, 2.6,
    2.2, 1.6, 1.6, 1.8, 2.0, 2.2, 2.4, 3.0, 3.4, 2.8, 1.6, 0.7,
)  # fmt: skip


@dataclass(frozen=True)
class ChatModel:
    """Rhythm and content of the groups: issue threads by season, planted bursts, notices, chatter."""

    hour_weights: tuple[float, ...] = HOUR_WEIGHTS
    night_hours: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 23)  # issue reports are rarer at night ...
    night_damping: float = 0.2  # ... by this factor
    # issue threads per day in season at full activity (the heating season and the epidemic are busiest)
    thread_rate: Mapping[str, float] = _table(
        {
            "heating": 1.6,
            "flood": 1.1,
            "wind": 0.8,
            "garbage": 1.2,
            "epidemic": 2.0,
            "lighting": 0.5,
            "parking": 0.7,
            "noise": 0.6,
            "vendors": 0.4,
            "security": 0.5,
        }
    )
    # the kinds of group each category is reported in (share of threads; seed: @物业 in 维修群, @民警 in 平安群)
    thread_groups: Mapping[str, Mapping[str, float]] = _table(
        {
            "heating": {"heating_property": 0.6, "building": 0.4},
            "flood": {"repair": 0.4, "building": 0.5, "heating_property": 0.1},
            "wind": {"building": 0.5, "safety": 0.3, "repair": 0.2},
            "garbage": {"building": 0.5, "repair": 0.3, "council": 0.2},
            "epidemic": {"building": 0.6, "council": 0.2, "heating_property": 0.2},
            "lighting": {"repair": 0.6, "building": 0.4},
            "parking": {"building": 0.4, "heating_property": 0.3, "council": 0.3},
            "noise": {"safety": 0.6, "building": 0.4},
            "vendors": {"safety": 0.8, "building": 0.2},
            "security": {"safety": 0.7, "building": 0.3},
        }
    )
    # who answers a category in the chats (seed: @物业, @供热维修工人, @社区民警, @城管队员)
    responder_role: Mapping[str, str] = _table(
        {
            "heating": "供热维修",
            "flood": "物业维修",
            "wind": "物业维修",
            "garbage": "物业保洁",
            "epidemic": "社工",
            "lighting": "物业维修",
            "parking": "物业经理",
            "noise": "社区民警",
            "vendors": "城管队员",
            "security": "社区民警",
        }
    )
    off_season_rate: float = 0.015  # share of the in-season rate outside the season (not for campaigns)
    campaigns: tuple[str, ...] = ("garbage", "epidemic")  # no threads at all outside their period
    flood_spell: tuple[float, float] = (0.5, 2.0)  # rain comes in spells: daily Gamma(shape, scale) factor
    growth_start: float = 0.55  # full preset: activity grows linearly from 55 % ...
    growth_gain: float = 0.45  # ... by 45 points to 100 % (more friends, more groups) ...
    growth_min_days: int = 200  # ... over windows longer than this (the small preset is flat)
    yuanyuan_answers_p: float = 0.15  # 园园 answers instead of the category's responder
    mention_p: float = 0.6  # the report @-mentions the responder
    followups: tuple[float, float] = (1.6, 0.6)  # mean me-too replies: burst thread / ordinary thread
    followup_gap_s: float = 30 * 60  # mean seconds between me-too replies (exponential)
    reply_day_hours: tuple[int, int] = (7, 21)  # staff answer within minutes in these hours ...
    reply_median_s: float = 20 * 60  # ... lognormal with this median ...
    reply_sigma: float = 1.0  # ... and log-sd
    morning_hour: int = 8  # ... else the next morning from 08:00 ...
    morning_wait_s: float = 40 * 60  # ... plus an exponential wait with this mean
    question_thanks_p: float = 0.5  # an answered epidemic question is thanked
    question_thanks_s: tuple[float, float] = (600, 30)  # exponential mean, minimum seconds
    closed_p: float = 0.88  # a reported problem is fixed and closed in the chat with a photo
    close_after_s: float = 1800  # the close comes at least this long after the reply ...
    close_median_s: float = 3 * 3600  # ... plus lognormal(median, ...)
    close_sigma: float = 0.9
    photo_after_s: tuple[int, int] = (5, 90)  # the [图片] follows the close message
    close_thanks_p: float = 0.7
    close_thanks_s: tuple[float, float] = (900, 60)  # exponential mean, minimum seconds
    working_hours: tuple[int, int] = (8, 20)  # repairs are done and photographed in the daytime ...
    next_morning_s: int = 7200  # ... else within 2 hours from 08:00 next day
    burst_peak: float = 9.0  # burst threads per day: peak·sin(π·x) + base over the burst
    burst_base: float = 2.0
    burst_side_group_p: float = 0.25  # a building burst also reaches the area-wide 报修 groups
    notice_p: float = 0.12  # a group gets a notice from 园园 on this share of days
    notice_hour: int = 9
    notice_spread_s: int = 7200
    epidemic_notices: tuple[str, str] = ("2020-01-22", "2020-06-30")
    epidemic_notice_p: float = 0.6
    garbage_notices_from: str = "2020-05-01"
    garbage_notice_p: float = 0.3
    invited_by_yuanyuan_p: float = 0.7  # who adds a new member: 园园, else a resident
    invitation_hour: int = 10
    invitation_spread_s: int = 36000
    weekend_factor: float = 1.15
    lockdown: tuple[str, str] = ("2020-01-25", "2020-04-30")  # more chatter at home during the epidemic
    lockdown_factor: float = 1.4
    staff_chatter: float = 0.15  # staff's share of chatter relative to their activity weight
    join_retries: int = 6  # redraw a sender who had not joined the group yet, at most this often
    chatter_mention_p: float = 0.04  # an everyday message @-mentions someone
    chatter_types: tuple[str, ...] = ("文本", "图片", "表情", "语音")
    chatter_type_p: tuple[float, ...] = (0.89, 0.05, 0.045, 0.015)
    # chat seasons of the campaigns and of heating (the other categories use their calendar months)
    garbage_from: str = "2020-05-01"
    epidemic_period: tuple[str, str] = ("2020-01-20", "2020-06-30")
    heating_period: tuple[tuple[int, int], tuple[int, int]] = (
        (11, 15),
        (3, 15),
    )  # (month, day) both inclusive


# ==================================================================================================
# panel, cases, exports, peers
# ==================================================================================================


@dataclass(frozen=True)
class PanelModel:
    """The area panel: ``log μ = log(residents/1e4) + log(base) + α_c + γ_{t,k} + δ_k·ramp(t)·[focus]``."""

    # area-wide category weights of requests (其他 is the largest).  They sum to 1.16, not 1: μ is
    # base_rate × weight × ..., so the base rate below is per unit of weight (kept as generated)
    category_share: Mapping[str, float] = _table(
        {
            "heating": 0.10,
            "flood": 0.05,
            "wind": 0.03,
            "garbage": 0.08,
            "epidemic": 0.15,
            "lighting": 0.06,
            "parking": 0.12,
            "noise": 0.12,
            "vendors": 0.07,
            "security": 0.08,
            OTHER: 0.30,
        }
    )
    # planted effect of the focus community's intervention, log rate ratio per category (about −1: the
    # seed's fall from the area's top 5 to its bottom 5)
    effect_log_rr: Mapping[str, float] = _table(
        {
            "heating": -1.25,
            "flood": -1.15,
            "wind": -1.0,
            "garbage": -1.1,
            "epidemic": -0.9,
            "lighting": -1.35,
            "parking": -1.2,
            "noise": -1.05,
            "vendors": -1.1,
            "security": -0.95,
            OTHER: -1.0,
        }
    )
    base_rate_per_10k: float = 25.0  # area median requests per 10k residents per month before the surge
    focus_log_excess: float = 0.45  # focus community's baseline log rate above the area median (top 5)
    n_peers: int = 23  # the other communities of 高碑店地区
    peer_log_sd: float = 0.25  # spread of the peers' baseline log rates
    peer_residents: tuple[int, int] = (3200, 12000)
    peer_drift_sd: float = 0.01  # yearly population growth rate of a peer, normal(0, sd)
    persons_per_household: float = 2.25
    noise_sd: float = 0.08  # month-to-month lognormal overdispersion of μ
    in_season_share: float = 0.92  # share of a seasonal category's requests that fall in its season
    off_season_share: float = 0.08
    garbage_campaign: tuple[float, float] = (1.6, 0.25)  # rate factor from 2020-05 / before
    garbage_from: tuple[int, int] = (2020, 5)
    epidemic_2020: Mapping[int, float] = _table({1: 0.8, 2: 4.0, 3: 3.2, 4: 2.0, 5: 1.4, 6: 1.6})
    epidemic_scale: float = 2  # the monthly factors above are relative to half the share
    epidemic_off: float = 0.03  # epidemic requests outside 2020-01..06
    surge: tuple[float, float] = (1.85, 1.6)  # 接诉即办: calls × 1.85 in 2019-01..06, then × 1.6
    surge_first_half_end: tuple[int, int] = (2019, 6)
    lockdown_months: tuple[int, ...] = (2, 3, 4)  # 2020: everything but epidemic calls fell
    lockdown_factor: float = 0.75


THREE_RATES_SOURCES: tuple[str, ...] = (
    "北京日报《接诉即办以来12345受理群众诉求超亿件》(任珊、孙宏阳), 2022-12-19, "
    "https://legal.gmw.cn/2022-12/19/content_36242010.htm: 接诉即办改革以来…解决率、满意率在原有基础上分别"
    "提升了41个百分点和30个百分点，提升至94%、95% (so about 53% and 65% at the start of 2019)",
    "朝阳区城管监督中心《北京市政府热线“12345”促进城市精细化管理》, 2019-06-21, "
    "http://www.bjchy.gov.cn/dynamic/news/8a24fe836b77a9b3016b78036f6b00e8.html: 2019年1至5月，12345受理"
    "群众来电250万件…群众平均满意率达到70%",
    "《2020年北京市“接诉即办”改革工作年度报告》, https://www.beijing.gov.cn/hudong/jpzt/2020jsjbbps: "
    "12345市民服务热线受理疫情相关反映165万件，解决率94.3%，满意率94.1%",
)
"""Where the 三率 calibration comes from (quoted, with the page it was read on)."""


@dataclass(frozen=True)
class ThreeRatesModel:
    """响应率 (responded/requests), 解决率 (resolved/requests) and 满意率 (satisfied/rated) of every
    community and month, calibrated to :data:`THREE_RATES_SOURCES`.

    ``logit p = logit(area(t)) + u_c + ε_{c,t} + gain · intensity_c(t)``: an area-wide trajectory that
    is linear between the anchor months (flat before the first and after the last), a community's own
    level ``u_c ~ N(0, community_sd)`` (fixed at ``focus_level`` for the focus), month-to-month noise ``ε ~ N(0, month_sd)`` and, where a
    community works the 园园 way, a gain at full intensity.  The anchors follow the sources: about 53 %
    resolved and 65 % satisfied when 接诉即办 began in 2019-01, satisfaction near 70 % over 2019-01..05,
    both rising towards the 90s of 2021–2022; the 2020 values (80 % / 88 % by 2020-12) and every
    value before 2019 are this model's assumptions, as is 响应率 (no published area figure was found;
    接诉即办 answers every call, so it is modelled at 95–99 % from 2019).
    """

    response: tuple[tuple[str, float], ...] = (
        ("2018-12", 0.85),
        ("2019-01", 0.95),
        ("2019-06", 0.97),
        ("2020-12", 0.99),
    )
    resolution: tuple[tuple[str, float], ...] = (
        ("2018-12", 0.45),
        ("2019-01", 0.53),
        ("2019-06", 0.63),
        ("2019-12", 0.70),
        ("2020-12", 0.80),
    )
    satisfaction: tuple[tuple[str, float], ...] = (
        ("2018-12", 0.58),
        ("2019-01", 0.65),
        ("2019-06", 0.74),
        ("2019-12", 0.80),
        ("2020-12", 0.88),
    )
    rated: tuple[tuple[str, float], ...] = (
        ("2018-12", 0.6),
        ("2019-01", 0.8),
    )  # share of requests rated (回访)
    community_sd: tuple[float, float, float, float] = (
        0.3,
        0.3,
        0.25,
        0.2,
    )  # logit sd: response, resolution, satisfaction, rated
    month_sd: tuple[float, float, float] = (
        0.2,
        0.15,
        0.15,
    )  # logit sd of month noise: response, resolution, satisfaction
    gain: tuple[float, float, float] = (1.0, 0.7, 0.7)  # logit gain at full intervention intensity
    # the focus community's own level (logit, response/resolution/satisfaction/rated): a little below the
    # area before its intervention ("问题诸多、投诉率高的老旧小区"); the peers' levels are drawn
    focus_level: tuple[float, float, float, float] = (-0.2, -0.3, -0.3, 0.0)
    unresolved_satisfied: float = 0.6  # P(satisfied | not resolved) ÷ the month's satisfaction rate


@dataclass(frozen=True)
class CaseModel:
    """12345 work orders of a community, instantiated from its panel counts."""

    spill_p: tuple[float, float] = (0.5, 0.05)  # a burst thread becomes a case: before / at full intervention
    spill_lag_days: tuple[int, int] = (3, 6)  # per burst, days from the chat report to the call
    spill_jitter_min: tuple[int, int] = (-600, 600)
    call_hours: tuple[int, int] = (7, 22)  # calls are received in these hours
    propensity_shape: float = 1.6  # Pareto shape of the complainant propensity (repeat callers)
    propensity_floor: float = 0.05
    uncovered_propensity: float = 6.0  # uncovered households call more: no 园园 to turn to
    registry_caller_p: float = 0.86  # the caller is a registry resident
    name_typo_p: float = 0.06  # the call-taker mishears the name
    current_phone_p: float = 0.92  # else the caller gives the 2018 number
    anonymous_p: float = 0.3  # an outside caller gives no name
    caller_birth_year: tuple[int, int] = (1950, 1995)
    caller_male_p: float = 0.5
    issue_address_p: float = 0.8  # 诉求地址 names the flat
    unit_named_p: float = 0.6  # the problem's place names the unit
    south_gate_p: float = 0.5  # an outside caller's place: 南门, else "N号楼附近"
    chat_words_p: float = 0.6  # the problem is written in the residents' own words (vocabulary.PROBLEMS)
    dispatch_min: tuple[int, int] = (10, 240)
    handling_shape: float = 2.0  # hours to close after dispatch: Gamma(shape, scale)
    handling_scale_h: tuple[float, float] = (60, 30)  # before / from the surge
    satisfied_full_p: float = 0.6  # 满意 rather than 基本满意
    partly_resolved_p: float = 0.5  # 部分解决 rather than 未解决
    closed_missing_p: float = 0.02  # 办结时间 left empty
    repeat_threshold: int = 3  # cases that make a repeat complainant


@dataclass(frozen=True)
class ExportModel:
    """How 园园's friends list is kept by hand (备注 = address + name)."""

    remark_fullwidth_p: float = 0.1
    remark_space_p: float = 0.8
    remark_typo_p: float = 0.05
    phone_p: float = 0.6  # a phone number was saved


@dataclass(frozen=True)
class AdoptionModel:
    """Peers that copy the focus community's way of working (an outreach account with many resident
    friends, categorized groups, 未诉先办) after it made its name: a few adopt at different months of
    2019–2020, most never (so an evaluation can compare with never-treated communities only)."""

    share: float = 0.17  # of the peers adopt (4 of the 23 peers of 高碑店地区)
    candidates: float = 0.5  # ... chosen among this upper share of peers by baseline rate (pressed to act)
    first_start: str = "2019-03"  # adoption starts between these months, inclusive
    last_start: str = "2020-06"
    ramp_months: tuple[int, int] = (4, 10)
    effect_scale: tuple[float, float] = (0.25, 0.45)  # uniform: share of the focus's δ_k and 三率 gain


@dataclass(frozen=True)
class PeerModel:
    """A peer community (对照社区NN) sized like its rows of the area panel."""

    building: tuple[int, int, int] = (6, 6, 4)  # units, floors, doors: 144 dwellings per walk-up
    dwellings_per_building: int = 144
    built: tuple[int, int] = (1980, 2006)
    friend_share: float = 0.3  # WeChat friends per resident (no 园园-style outreach) ...
    adopter_friend_share: float = 0.45  # ... and with it (a peer that adopted; the focus has 0.48)
    message_share: float = 0.5  # chat volume per resident relative to the focus community
    friend_households: float = 0.85  # friends cover this many households per friend
    vulnerable_excess: float = 1.5  # uncovered households are more often vulnerable


HOUSEHOLDS = HouseholdModel()
FRIENDS = FriendModel()
REGISTRIES = RegistryModel()
ACCOUNTS = AccountModel()
GROUPS = GroupModel()
CHATS = ChatModel()
PANEL = PanelModel()
CASES = CaseModel()
THREE_RATES = ThreeRatesModel()
EXPORTS = ExportModel()
PEERS = PeerModel()
ADOPTION = AdoptionModel()
