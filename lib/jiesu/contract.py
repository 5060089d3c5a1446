"""The data contract: every raw file the workspace reads and every processed table it writes.

This module is the single source of truth.  ``data/raw/README.md`` and ``data/processed/README.md``
are rendered from it (``python -m jiesu.contract``) and a test fails when they drift apart; the
simulator writes exactly these files and the ingest step validates real exports against them.

Raw files carry Chinese headers, as real exports do (``header``); processed tables use the
English ``name``.  A column marked ``personal`` (names, phone numbers, WeChat ids) never leaves
``data/raw``: ingest replaces it with a salted pseudonym.

Besides its columns, every raw table declares its grain (``Table.primary_key``: the columns that
identify a row, checked for duplicates) and its integrity rules (``Table.rules``: comparisons between
columns of one row, and rules that need other tables).  Ingest checks exactly these; the README lists
them.  Processed tables (:data:`PROCESSED`) live in a generation folder of ``data/processed``,
partitioned by community (see :func:`render_processed_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from jiesu.categories import CATEGORIES, GROUP_KINDS, LABELS, TEAMS
from jiesu.settings import paths
from jiesu.storage import write_text

SCHEMA_VERSION = "2"
"""2: processed data in generations, partitioned by community (1: one flat folder of Parquet files)."""

YES_NO = ("是", "否")
HOUSING_TYPES = ("一居室", "两居室", "三居室")
TENURES = ("自住", "出租", "空置")
AGE_BANDS = ("0-17", "18-34", "35-59", "60-79", "80+")
REQUEST_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
RESOLVED_VALUES = ("解决", "部分解决", "未解决")
SATISFIED_VALUES = ("满意", "基本满意", "不满意", "未评价")
MESSAGE_TYPES = ("文本", "图片", "表情", "语音", "系统")


def household_key(building: int, unit: int, room: int) -> str:
    """The household key ``BB-U-RRR`` that every table uses for a dwelling (room = floor·100 + door).

    >>> household_key(6, 3, 502)
    '06-3-502'
    """
    return f"{building:02d}-{unit}-{room:03d}"


@dataclass(frozen=True)
class Column:
    name: str  # canonical English name (processed tables, code)
    header: str  # Chinese header in raw files ("" for processed-only columns)
    dtype: str  # str | int | float | bool | date | datetime | month
    zh: str  # meaning, Chinese
    en: str  # meaning, English
    unit: str = ""
    allowed: tuple | None = None  # allowed values (categorical) ...
    min: float | None = None  # ... or an inclusive numeric range
    max: float | None = None
    nullable: bool = False
    unique: bool = False
    personal: bool = False  # name / phone / WeChat id: pseudonymized on ingest


@dataclass(frozen=True)
class Rule:
    """One declared integrity rule of a raw table.

    ``scope`` says what the rule needs: ``"row"`` rules compare columns of one row
    (``left op factor·right``; a row where either side is empty is not compared), ``"table"`` rules
    need other tables of the same community (e.g. known buildings), ``"area"`` rules need every
    community (the panel against each community's own cases).  ``code`` is the rule's stable name in
    error messages' quarantine reasons and in the pandera checks.
    """

    code: str
    columns: tuple[str, ...]  # canonical names the rule reads, in the order messages name them
    zh: str
    en: str
    scope: str = "row"
    op: str | None = None  # row rules: "<=" or ">="
    factor: float | None = None  # row rules on counts: right side multiplied by this


@dataclass(frozen=True)
class Table:
    key: str
    file: str  # default file name in data/raw (the simulator's format; ingest accepts .csv or .xlsx)
    zh: str
    en: str
    grain: str  # what one row is
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    primary_key: tuple[str, ...] = ()  # canonical names that identify one row (the declared grain)
    rules: tuple[Rule, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name or col.header == name:
                return col
        raise KeyError(name)

    def header_of(self, names) -> tuple[str, ...]:
        """The raw headers of canonical column ``names``."""
        return tuple(self.column(name).header for name in names)


def _address(zh: str = "住址，自由文本", en: str = "address as written; any of the variants below") -> Column:
    return Column("address", "住址", "str", zh, en)


def _name() -> Column:
    return Column("name", "姓名", "str", "姓名", "full name", personal=True)


def _phone(nullable: bool = True) -> Column:
    return Column(
        "phone",
        "联系电话",
        "str",
        "手机号（11位）",
        "mobile number (11 digits)",
        nullable=nullable,
        personal=True,
    )


_ADDRESS_NOTE = (
    "住址 may be written as `6号楼3单元502`, `6#3-502`, `六号楼三单元502室`, `6-3-502`, or `6栋3门502`; "
    "all normalize to building 6, unit 3, room 502 (floor 5). Full-width digits are accepted."
)

RAW: dict[str, Table] = {
    t.key: t
    for t in (
        Table(
            "buildings",
            "buildings.csv",
            "楼栋表",
            "Buildings of the focus community",
            "one building",
            (
                Column("community", "社区", "str", "社区名称", "community name"),
                Column("building", "楼号", "int", "楼号", "building number", min=1, max=99, unique=True),
                Column("units", "单元数", "int", "单元数", "number of stairwells (units)", min=1, max=12),
                Column("floors", "层数", "int", "地上层数", "storeys above ground", min=1, max=40),
                Column(
                    "households",
                    "户数",
                    "int",
                    "户数",
                    "dwellings in the building",
                    unit="户",
                    min=1,
                    max=2000,
                ),
                Column("built_year", "建成年份", "int", "建成年份", "year built", min=1949, max=2030),
            ),
        ),
        Table(
            "parking_permits",
            "parking_permits_2018.xlsx",
            "停车证申请（2018）",
            "Parking-permit applications (2018)",
            "one application by one resident",
            (
                Column("record_id", "申请编号", "str", "申请编号", "application id", unique=True),
                Column("date", "申请日期", "date", "申请日期", "application date"),
                _name(),
                _phone(nullable=False),
                _address(),
                Column(
                    "plate", "车牌号", "str", "车牌号（模拟数据为虚构号牌）", "licence plate", nullable=True
                ),
            ),
            (_ADDRESS_NOTE, "Covers only households with a car; the same person may apply twice."),
        ),
        Table(
            "epidemic_registration",
            "epidemic_registration_2020.csv",
            "疫情登记（2020年2月）",
            "Epidemic registration (Feb 2020)",
            "one registered resident",
            (
                Column("record_id", "登记编号", "str", "登记编号", "registration id", unique=True),
                Column("date", "登记日期", "date", "登记日期", "registration date"),
                _name(),
                _phone(),
                _address(),
                Column(
                    "birth_year",
                    "出生年份",
                    "int",
                    "出生年份",
                    "year of birth",
                    min=1900,
                    max=2020,
                    nullable=True,
                ),
                Column(
                    "housing_type", "户型", "str", "户型", "flat type", allowed=HOUSING_TYPES, nullable=True
                ),
                Column("tenure", "居住性质", "str", "居住性质", "tenure", allowed=TENURES, nullable=True),
                Column(
                    "persons",
                    "居住人数",
                    "int",
                    "该户居住人数",
                    "persons living in the household",
                    unit="人",
                    min=0,
                    max=15,
                    nullable=True,
                ),
            ),
            (_ADDRESS_NOTE, "Exported from a district system as GB18030 CSV (as such exports usually are)."),
        ),
        Table(
            "visits",
            "social_worker_visits.xlsx",
            "社工走访记录",
            "Social-worker visit notes",
            "one visit to one household, naming the person met",
            (
                Column("record_id", "走访编号", "str", "走访编号", "visit id", unique=True),
                Column("date", "走访日期", "date", "走访日期", "visit date"),
                Column("worker", "社工", "str", "走访社工（工号）", "social worker (staff code)"),
                _address(),
                _name(),
                _phone(),
                Column(
                    "housing_type", "户型", "str", "户型", "flat type", allowed=HOUSING_TYPES, nullable=True
                ),
                Column("tenure", "居住性质", "str", "居住性质", "tenure", allowed=TENURES, nullable=True),
                Column(
                    "persons",
                    "居住人数",
                    "int",
                    "该户居住人数",
                    "persons living in the household",
                    unit="人",
                    min=0,
                    max=15,
                    nullable=True,
                ),
                Column(
                    "elderly",
                    "高龄",
                    "str",
                    "户内有80岁及以上老人",
                    "household has a resident aged 80+",
                    allowed=YES_NO,
                    nullable=True,
                ),
                Column(
                    "dibao",
                    "低保",
                    "str",
                    "低保户",
                    "household receives minimum-living allowance",
                    allowed=YES_NO,
                    nullable=True,
                ),
                Column(
                    "disabled",
                    "残疾",
                    "str",
                    "户内有持证残疾人",
                    "household has a registered disabled person",
                    allowed=YES_NO,
                    nullable=True,
                ),
                Column("note", "备注", "str", "备注", "free-text note", nullable=True),
            ),
            (_ADDRESS_NOTE, "Dates may be written 2020年9月27日, 2020/9/27 or as Excel serial numbers."),
        ),
        Table(
            "friends",
            "yuanyuan_friends.csv",
            "园园微信好友",
            "Friends of the virtual social worker 园园",
            "one resident who is a WeChat friend of 园园",
            (
                Column("wxid", "微信号", "str", "微信号", "WeChat id", unique=True, personal=True),
                Column("nickname", "昵称", "str", "微信昵称", "WeChat nickname", personal=True),
                Column(
                    "remark",
                    "备注",
                    "str",
                    "园园给好友的备注：住址+称呼",
                    "园园's remark: address + name",
                    personal=True,
                ),
                _phone(),
                Column("added", "添加日期", "date", "添加好友日期", "date the friendship was added"),
            ),
            (
                "备注 follows the community's habit `6#3-502 王秀英`; the address part follows the variants above.",
            ),
        ),
        Table(
            "teams",
            "teams.csv",
            "骨干队伍成员",
            "Members of the six backbone teams",
            "one member of one team",
            (
                Column("team", "队伍", "str", "所属队伍", "team", allowed=tuple(TEAMS.values())),
                Column("wxid", "微信号", "str", "微信号", "WeChat id", personal=True),
                _name(),
                Column("role", "角色", "str", "角色/职责", "role, e.g. 物业维修、社区民警"),
                Column("organization", "单位", "str", "所在单位", "organization", nullable=True),
                Column(
                    "address",
                    "住址",
                    "str",
                    "住址（居民骨干）",
                    "address, for resident members",
                    nullable=True,
                ),
            ),
        ),
        Table(
            "groups",
            "wechat_groups.csv",
            "园园微信群",
            "园园's categorized WeChat groups",
            "one group",
            (
                Column("group_id", "群编号", "str", "群ID（xxx@chatroom）", "chatroom id", unique=True),
                Column("group_name", "群名称", "str", "群名称", "group name"),
                Column("kind", "群类别", "str", "群类别", "group kind", allowed=tuple(GROUP_KINDS.values())),
                Column(
                    "building",
                    "楼号",
                    "int",
                    "楼门群对应楼号",
                    "building, for 楼门 groups",
                    nullable=True,
                    min=1,
                    max=99,
                ),
                Column("created", "建群日期", "date", "建群日期", "date created"),
            ),
        ),
        Table(
            "memberships",
            "group_members.csv",
            "群成员",
            "Group memberships",
            "one member of one group",
            (
                Column("group_id", "群编号", "str", "群ID", "chatroom id"),
                Column("wxid", "微信号", "str", "成员微信号", "member WeChat id", personal=True),
                Column(
                    "display_name",
                    "群昵称",
                    "str",
                    "群内昵称",
                    "display name in the group",
                    personal=True,
                    nullable=True,
                ),
                Column("joined", "入群日期", "date", "入群日期", "date joined"),
            ),
        ),
        Table(
            "messages",
            "chat_messages.csv",
            "群聊天记录",
            "Group chat messages",
            "one message",
            (
                Column("msg_id", "消息编号", "str", "消息编号", "message id", unique=True),
                Column("group_id", "群编号", "str", "群ID", "chatroom id"),
                Column(
                    "sender_wxid", "发送者微信号", "str", "发送者微信号", "sender WeChat id", personal=True
                ),
                Column(
                    "sender_name",
                    "发送者昵称",
                    "str",
                    "发送者群昵称",
                    "sender display name",
                    personal=True,
                    nullable=True,
                ),
                Column("sent_at", "发送时间", "datetime", "发送时间（北京时间）", "time sent (Beijing time)"),
                Column("msg_type", "消息类型", "str", "消息类型", "message type", allowed=MESSAGE_TYPES),
                Column(
                    "content",
                    "内容",
                    "str",
                    "消息内容",
                    "message text; 图片 etc. appear as [图片]",
                    nullable=True,
                ),
            ),
            (
                "Text may contain Traditional characters, full-width punctuation, emoji, `[图片]`, `@某人` "
                "mentions and phone numbers; ingest masks @names, person names written in plain text and phone numbers.",
                "One group (the 报修 group) arrives instead as a WeChatMsg/留痕 export, see `wechatmsg`.",
            ),
        ),
        Table(
            "wechatmsg",
            "wechatmsg_*.csv",
            "WeChatMsg/留痕 导出",
            "A phone export in the WeChatMsg/留痕 layout",
            "one message (WeChatMsg columns, kept verbatim)",
            (
                Column("localId", "localId", "int", "本地序号", "local sequence number"),
                Column("TalkerId", "TalkerId", "str", "群ID（xxx@chatroom）", "chatroom id"),
                Column(
                    "Type",
                    "Type",
                    "int",
                    "消息类型：1文本 3图片 34语音 47表情 10000系统",
                    "type: 1 text, 3 image, 34 voice, 47 sticker, 10000 system",
                ),
                Column("SubType", "SubType", "int", "子类型", "sub-type"),
                Column(
                    "IsSender",
                    "IsSender",
                    "int",
                    "是否本机发送（1=园园）",
                    "sent by this phone (1 = 园园)",
                    allowed=(0, 1),
                ),
                Column("CreateTime", "CreateTime", "int", "Unix 时间戳（秒）", "Unix time", unit="s"),
                Column("Status", "Status", "int", "状态", "status"),
                Column("StrContent", "StrContent", "str", "内容", "text", nullable=True),
                Column("StrTime", "StrTime", "datetime", "时间文本", "time as text (Beijing time)"),
                Column("Remark", "Remark", "str", "备注", "remark", nullable=True, personal=True),
                Column("NickName", "NickName", "str", "昵称", "nickname", nullable=True, personal=True),
                Column("Sender", "Sender", "str", "发送者微信号", "sender WeChat id", personal=True),
            ),
            ("File name: `wechatmsg_<群名称>.csv`. UTF-8 with BOM, as the tool writes it.",),
        ),
        Table(
            "cases",
            "hotline_cases.xlsx",
            "12345 工单",
            "12345 hotline work orders for the focus community",
            "one work order (工单)",
            (
                Column("case_id", "工单编号", "str", "工单编号", "work-order id", unique=True),
                Column("received_at", "受理时间", "datetime", "受理时间", "time received"),
                Column("request_type", "诉求类型", "str", "诉求类型", "request type", allowed=REQUEST_TYPES),
                Column("level1", "一级分类", "str", "问题分类（一级）", "issue class, level 1"),
                Column(
                    "category",
                    "二级分类",
                    "str",
                    "问题分类（二级）",
                    "issue class, level 2 (the category)",
                    allowed=LABELS,
                ),
                Column(
                    "level3", "三级分类", "str", "问题分类（三级）", "issue class, level 3", nullable=True
                ),
                Column("content", "诉求内容", "str", "诉求内容", "request text"),
                Column("address", "诉求地址", "str", "诉求地址", "address of the issue", nullable=True),
                Column(
                    "complainant",
                    "诉求人",
                    "str",
                    "诉求人姓名",
                    "complainant name",
                    nullable=True,
                    personal=True,
                ),
                _phone(),
                Column("handler", "承办单位", "str", "承办单位", "handling unit"),
                Column("dispatched_at", "派单时间", "datetime", "派单时间", "time dispatched"),
                Column("closed_at", "办结时间", "datetime", "办结时间", "time closed", nullable=True),
                Column("responded", "是否响应", "str", "是否响应", "responded", allowed=YES_NO),
                Column("resolved", "是否解决", "str", "是否解决", "resolved", allowed=RESOLVED_VALUES),
                Column("satisfied", "是否满意", "str", "是否满意", "satisfied", allowed=SATISFIED_VALUES),
            ),
        ),
        Table(
            "panel",
            "area_panel.csv",
            "地区月度诉求面板",
            "Monthly area panel of 12345 requests",
            "one community × month × category",
            (
                Column("community", "社区", "str", "社区名称", "community"),
                Column("month", "月份", "month", "月份（YYYY-MM）", "month (YYYY-MM)"),
                Column("residents", "常住人口", "int", "常住人口", "resident population", unit="人", min=1),
                Column("households", "户数", "int", "户数", "households", unit="户", min=1),
                Column("category", "问题分类", "str", "问题分类（二级）", "category", allowed=LABELS),
                Column("requests", "诉求量", "int", "诉求量", "requests received", unit="件", min=0),
                Column("responded", "响应量", "int", "已响应件数", "requests responded to", unit="件", min=0),
                Column("resolved", "解决量", "int", "已解决件数", "requests resolved", unit="件", min=0),
                Column(
                    "rated", "参评量", "int", "参与评价件数", "requests rated by the caller", unit="件", min=0
                ),
                Column(
                    "satisfied",
                    "满意量",
                    "int",
                    "满意件数（满意+基本满意）",
                    "rated satisfied",
                    unit="件",
                    min=0,
                ),
            ),
            ("Read from the top level of the raw folder only; it covers every community of the area.",),
        ),
    )
}
"""Raw files, keyed by table key (grain and rules are attached below)."""

REQUESTS_PER_RESIDENT_MAX = 0.1
"""Upper bound of one panel row: requests ≤ 0.1 × residents (1,000 per 10,000 residents in one month and
one category).  The synthetic area peaks at 84 per 10,000 (对照社区12, 疫情防控, 2020-02); Beijing's
busiest districts stay far below.  A larger value means the counts or the population are in the
wrong unit (e.g. 常住人口 in 万人)."""

PANEL_CASES_TOLERANCE = 0
"""Allowed absolute difference between a panel count and the community's own cases aggregated: exact."""


def _le(left: str, right: str, zh: str, en: str, factor: float | None = None) -> Rule:
    code = f"{left}_le_{right}" if factor is None else f"{left}_le_{factor:g}x_{right}"
    return Rule(code, (left, right), zh, en, op="<=", factor=factor)


def _after(later: str, earlier: str, zh: str, en: str) -> Rule:
    return Rule(f"{later}_ge_{earlier}", (later, earlier), zh, en, op=">=")


def _known_building(column: str) -> Rule:
    return Rule(
        "known_building",
        (column,),
        "住址中的楼号、单元须在 buildings.csv 中",
        "the building (and unit) of the address must be listed in buildings.csv",
        scope="table",
    )


_KNOWN_GROUP = Rule(
    "known_group",
    ("group_id",),
    "群编号须在 wechat_groups 中",
    "the group must be listed in wechat_groups",
    "table",
)
_RECOGNIZED_ADDRESS = Rule(
    "recognized_address",
    ("address",),
    "住址须能识别出楼号、单元和室号",
    "the address must name a building, unit and room (e.g. 6号楼3单元502 or 6#3-502)",
    "table",
)
_REGISTRY_RULES = (_RECOGNIZED_ADDRESS, _known_building("address"))

_GRAIN_AND_RULES: dict[str, tuple[tuple[str, ...], tuple[Rule, ...]]] = {
    "buildings": (
        ("building",),
        (
            Rule(
                "one_community",
                ("community",),
                "一个文件只含一个社区；在 communities/<名称>/ 下须等于该名称",
                "one community per file; under communities/<name>/ it must be that name",
                "table",
            ),
        ),
    ),
    "parking_permits": (("record_id",), _REGISTRY_RULES),
    "epidemic_registration": (("record_id",), _REGISTRY_RULES),
    "visits": (("record_id",), _REGISTRY_RULES),
    "friends": (("wxid",), (_known_building("remark"),)),
    "teams": (("team", "wxid"), (_known_building("address"),)),
    "groups": (("group_id",), ()),
    "memberships": (("group_id", "wxid"), (_KNOWN_GROUP,)),
    "messages": (
        ("msg_id",),
        (
            _KNOWN_GROUP,
            Rule(
                "unique_across_chat_files",
                ("msg_id",),
                "消息编号在所有聊天文件中唯一",
                "message ids are unique across chat_messages and every WeChatMsg export",
                "table",
            ),
        ),
    ),
    "wechatmsg": (
        ("TalkerId", "localId"),
        (Rule("known_group", ("TalkerId",), _KNOWN_GROUP.zh, _KNOWN_GROUP.en, "table"),),
    ),
    "cases": (
        ("case_id",),
        (
            _after(
                "dispatched_at",
                "received_at",
                "派单时间不能早于受理时间",
                "dispatched must not be before received",
            ),
            _after(
                "closed_at", "received_at", "办结时间不能早于受理时间", "closed must not be before received"
            ),
        ),
    ),
    "panel": (
        ("community", "month", "category"),
        (
            _le("responded", "requests", "响应量不能大于诉求量", "responded must not exceed requests"),
            _le("resolved", "requests", "解决量不能大于诉求量", "resolved must not exceed requests"),
            _le("rated", "requests", "参评量不能大于诉求量", "rated must not exceed requests"),
            _le("satisfied", "rated", "满意量不能大于参评量", "satisfied must not exceed rated"),
            _le(
                "requests",
                "residents",
                f"诉求量不能超过常住人口的 {REQUESTS_PER_RESIDENT_MAX:g} 倍",
                f"requests must not exceed {REQUESTS_PER_RESIDENT_MAX:g} × residents (1,000 per 10,000 "
                "residents in one month and category)",
                factor=REQUESTS_PER_RESIDENT_MAX,
            ),
            Rule(
                "matches_cases",
                ("community", "month", "category", "requests", "responded", "resolved", "rated", "satisfied"),
                "与该社区自己的12345工单汇总完全一致",
                "for every month from the community's first to its last work order, each category's counts "
                "equal its own hotline_cases aggregated exactly: requests = work orders, responded = 是否响应 是, "
                "resolved = 是否解决 解决, rated = 是否满意 not 未评价, satisfied = 满意 or 基本满意 (a missing "
                "row counts as zero; a community without rows in the panel is not compared)",
                "area",
            ),
        ),
    ),
}

RAW = {
    key: replace(table, primary_key=_GRAIN_AND_RULES[key][0], rules=_GRAIN_AND_RULES[key][1])
    for key, table in RAW.items()
}


CURRENT = "current"
"""The link in ``data/processed`` that names the generation readers use (see the processed README)."""


class ProcessedTable(NamedTuple):
    """One processed table: where it lives below ``data/processed``, its grain and its columns.

    ``partitioned`` tables hold one Parquet file per community
    (``<path>/community=<name>/part-0.parquet``); the others (the area panel) one file for the area
    (``<path>/part-0.parquet``).  Column dtype ``text`` is free text: phone numbers in every written
    form, identity numbers, bank cards (:mod:`jiesu.pii`), @names, WeChat ids and every person name
    of the raw tables are masked in it.
    """

    path: str
    grain: str
    columns: tuple[tuple[str, str, str], ...]  # (column, dtype, meaning)
    partitioned: bool = True


def _processed(key: str, grain: str, columns, *, partitioned: bool = True) -> ProcessedTable:
    return ProcessedTable(f"{CURRENT}/{key}", grain, columns, partitioned)


PROCESSED: dict[str, ProcessedTable] = {
    "households": _processed(
        "households",
        "one household (dwelling) of the community",
        (
            ("household_id", "str", "address key `BB-U-RRR`, e.g. `06-3-502`"),
            ("building", "int", "楼号"),
            ("unit", "int", "单元"),
            ("floor", "int", "楼层"),
            ("room", "int", "室号"),
            ("housing_type", "str", "户型"),
            ("tenure", "str", "居住性质"),
            ("persons", "int", "居住人数"),
            ("elderly", "bool", "高龄"),
            ("dibao", "bool", "低保"),
            ("disabled", "bool", "残疾"),
            ("vulnerable", "bool", "elderly or dibao or disabled"),
            ("sources", "str", "which raw tables mention the household, `;`-joined"),
            ("housing_type_source", "str", "provenance of housing_type"),
            ("tenure_source", "str", "provenance"),
            ("persons_source", "str", "provenance"),
            ("flags_source", "str", "provenance of the three flags"),
        ),
    ),
    "residents": _processed(
        "residents",
        "one resident known from any source",
        (
            ("resident_id", "str", "salted pseudonym (`R` + 12 hex)"),
            ("household_id", "str", "address key"),
            ("age_band", "str", "0-17 … 80+, null if unknown"),
            ("phone_id", "str", "salted pseudonym of the phone"),
            ("sources", "str", "raw tables the resident appears in"),
            ("n_records", "int", "linked raw records"),
        ),
    ),
    "record_links": _processed(
        "record_links",
        "one raw registry record",
        (
            ("source", "str", "raw table key"),
            ("record_id", "str", "raw record id"),
            ("household_id", "str", "linked household"),
            ("resident_id", "str", "linked resident"),
            ("rule", "str", "which linkage rule fired"),
        ),
    ),
    "friends": _processed(
        "friends",
        "one friend of 园园",
        (
            ("member_id", "str", "salted pseudonym of the WeChat id"),
            ("resident_id", "str", "linked resident, if any"),
            ("household_id", "str", "linked household, if any"),
            ("added", "date", "添加日期"),
        ),
    ),
    "teams": _processed(
        "teams",
        "one team member",
        (
            ("member_id", "str", "pseudonym of WeChat id"),
            ("team", "str", "队伍"),
            ("team_code", "str", "code"),
            ("role", "text", "角色"),
            ("organization", "text", "单位"),
            ("household_id", "str", "if a resident"),
        ),
    ),
    "groups": _processed(
        "groups",
        "one WeChat group",
        (
            ("group_id", "str", "chatroom id"),
            ("group_name", "text", "群名称"),
            ("kind", "str", "群类别"),
            ("building", "Int64", "楼号 for 楼门 groups"),
            ("created", "date", "建群日期"),
        ),
    ),
    "memberships": _processed(
        "memberships",
        "one member of one group",
        (
            ("group_id", "str", "chatroom id"),
            ("member_id", "str", "pseudonym"),
            ("joined", "date", "入群日期"),
        ),
    ),
    "messages": _processed(
        "messages",
        "one chat message (both raw layouts merged)",
        (
            ("msg_id", "str", "message id"),
            ("group_id", "str", "chatroom id"),
            ("sender_id", "str", "pseudonym"),
            ("sent_at", "datetime", "Beijing time, naive"),
            ("msg_type", "str", "文本/图片/表情/语音/系统"),
            ("text", "text", "content with @names masked, original script"),
            ("text_simplified", "text", "`text` converted to Simplified, full-width → half-width"),
            ("mentions", "str", "`;`-joined pseudonyms of @mentioned members"),
            (
                "is_staff",
                "bool",
                "sender answers for the community: 园园, 社区工作者, or a team member without a home address here (resident volunteers write as residents)",
            ),
            ("source", "text", "raw file"),
        ),
    ),
    "cases": _processed(
        "cases",
        "one 12345 work order",
        (
            ("case_id", "str", "工单编号"),
            ("received_at", "datetime", "受理时间"),
            ("request_type", "str", "诉求类型"),
            ("level1", "str", "一级分类"),
            ("category", "str", "二级分类"),
            ("level3", "text", "三级分类"),
            ("content", "text", "诉求内容"),
            ("household_id", "str", "linked from 诉求地址, if any"),
            ("complainant_id", "str", "linked resident pseudonym, if any"),
            ("phone_id", "str", "pseudonym"),
            ("handler", "text", "承办单位"),
            ("dispatched_at", "datetime", ""),
            ("closed_at", "datetime", ""),
            ("responded", "bool", ""),
            ("resolved", "str", ""),
            ("satisfied", "str", ""),
        ),
    ),
    "panel": _processed(
        "panel",
        "one community × month × category",
        (
            ("community", "str", ""),
            ("month", "str", "YYYY-MM"),
            ("residents", "int", ""),
            ("households", "int", ""),
            ("category", "str", "二级分类"),
            ("requests", "int", ""),
            ("responded", "int", ""),
            ("resolved", "int", ""),
            ("rated", "int", ""),
            ("satisfied", "int", ""),
        ),
        partitioned=False,
    ),
}
"""Processed tables, keyed by table key."""


PLANTED_TRUTH_DOC = """\
## planted_truth.json (synthetic data only)

Written by `jiesu simulate` beside the raw files, **last**: its presence means the world is complete
and marks the data as synthetic (模拟数据), and every rendered output then says so. Real data never
has this file. Ids: household `BB-U-RRR` (e.g. `06-3-502`, room = floor·100 + door); a true person is
`resident_key` `P000123`. Ages are `2020 − birth year`; 高龄 = a resident aged 80+.

| key | what was planted |
| --- | --- |
| `meta` | `seed`, `preset`, `generator_version`, `chat_period` [first, last day], `panel_period` [first, last month], `community`, `area`, `synthetic`, `reference_year`, `age_definition`, `files` |
| `community` | `buildings`, `households`, `occupied_households`, `residents`, `tenure` and `housing_type` counts, `residents_by_age_band`, `flag_rates` and `flag_households` (`elderly`/`dibao`/`disabled`/`vulnerable`, share and count of households), the id lists `vulnerable_households`, `elderly_households`, `dibao_households`, `disabled_households` |
| `coverage` | 园园's reach: `friends`, `friend_residents`, `household_coverage` (share of all 2,602 households with a resident friend), `occupied_household_coverage`, `resident_coverage`, `by_building` {building: share}, `uncovered_households`, `uncovered_vacant`, `uncovered_vulnerable` (the exact set the outreach list must find), `n_uncovered`, `n_uncovered_vulnerable`, `definition` |
| `linkage` | summary of `planted_linkage.csv`: `records`, `by_source`, `non_resident_records` (records naming someone outside the registry: owners of empty flats, carers, callers), `registry_households_covered` |
| `categories` | per category code: `label`, `level1`, `season`, `season_months`, `chat_season`, `owner_team`, `vocabulary` (phrases used to compose reports), `n_messages`, `n_threads` |
| `bursts` | list of planted keyword bursts: `id`, `category`, `label`, `terms`, `onset`, `end`, `duration_days`, `building` (or null), `group_id`, `group_name`, `spill_probability` (per burst thread), `spill_lag_days` (3–5), `spills` (probability ≥ 0.25), `n_threads`, `n_spill_cases` |
| `intervention` | `community`, `start_month` (2018-07), `ramp_months` (6), `full_from` (2019-01), `ramp`, `effect_log_rr` δ_k per category, `effect_log_rr_total` (the estimand ITS/DiD must cover: log Σ_{t≥2019-01,k} μ·e^δ / Σ μ, from the Poisson model alone: the burst spill-over cases (on seed 0: 83 in 2018, 13 in 2019–2020) are not in it, so estimators on the observed counts find a somewhat larger reduction, about −1.17 against −1.05 on seed 0; most of the scorecard's DiD error is this), `effect_rr_total`, `naive_log_ratio_expected` and `naive_bias_expected` (the before/after comparison biased by the 2019-01 surge), `surge_month`, `epidemic_months`, `model`, `base_rate_per_10k`, `alpha` (baseline log rate per community) |
| `rank` | `n_communities`, `by`, `trajectory` {month: focus rank from expected rates, 1 = highest}, `top5_before`, `bottom5_after`, `first_month_bottom5`, `first_month_stays_bottom5` |
| `three_rates` | the planted 三率 of this community (响应率 = responded/requests, 解决率 = resolved/requests, 满意率 = satisfied/rated): `definition`, `model` (`logit p = logit(area(t)) + u_c + ε_{c,t} + gain·intensity_c(t)`), `sources`, `area_anchors` (the area trajectory's anchor months), `area` {month: response, resolution, satisfaction of the area trajectory}, `community_level_logit` (u_c; fixed a little below the area for the focus community), `month_sd_logit`, `intervention_gain_logit`, `monthly` {month: the probabilities response, resolution, satisfaction, rated}. Every count of the panel and every 是否响应/是否解决/是否满意 of `hotline_cases.xlsx` is drawn from these (resolved only among the responded; satisfied among the rated, more often when resolved) |
| `complainants` | `n_cases`, `linked_share`, `repeat_complainants` {resident_key: cases} (≥ `repeat_threshold`), `cases_by_repeat_complainants`, `outside_reach_cases` and `outside_reach_households` (complainant's household has no friend of 园园), `complainant_not_friend_cases`, `spill_cases` |
| `messages` | `total`, `chat_messages_csv`, `wechatmsg`, `wechatmsg_group`, `threads`, `table` |
| `area` | the same in every world of a run: `communities` (panel order), `interventions` {community: its intervention, or null for one that never had any}, `treated`, `never_treated` (the controls an evaluation should use), `adoption` (how a peer's adoption is planted). The focus community's entry has `start_month`, `ramp_months`, `full_from`, `effect_scale` (1) and `effect_log_rr_total`; an adopting peer's has `start_month`, `ramp_months`, `full_from`, `ramp`, `effect_scale` (its effect and 三率 gain as a share of the focus community's), `effect_log_rr` (scale·δ_k), `effect_log_rr_total` (log Σ_{t≥full_from} μ / Σ μ without the adoption; null if not fully in effect before 2020-09), `estimand`, `months_treated` |

`jiesu simulate --out DIR` writes into the data directory's `DIR/raw`. With `--communities N` (or `--area`:
every community of 高碑店地区, the focus and its 23 peers), each peer community 对照社区NN gets a complete world
of its own in `raw/communities/<name>/` (same files; `wechatmsg_<群名称>.csv` named after its own 报修 group),
sized by its own panel rows. All worlds share one `area_panel.csv` in which every simulated community's rows
equal its own cases. A few peers (4 of 23 on the default area) adopt a 园园-like way of working at their own
month of 2019–2020: their request rate falls by `scale · δ_k · ramp(t)` (scale 0.25–0.45 of the focus
community's effect; in the panel their requests are the never-adopted counts binomially thinned, so no other
community's counts change), their 三率 gain `scale` × the focus's, and their world has more friends of its
outreach account. A peer's truth has no bursts; its `intervention` is its adoption (or, for a peer that never
adopted, `start_month` null and `effect_log_rr_total` 0), with the focus community's kept under
`intervention.focus_intervention`; `rank` is the peer's own trajectory.

**三率 calibration.** The area-wide trajectory is anchored on published figures of Beijing's 接诉即办 (quoted
as read): 北京日报《接诉即办以来12345受理群众诉求超亿件》(2022-12-19, <https://legal.gmw.cn/2022-12/19/content_36242010.htm>):
“解决率、满意率在原有基础上分别提升了41个百分点和30个百分点，提升至94%、95%”, i.e. about 53 % and 65 % when
the reform began in 2019-01; 朝阳区城管监督中心 (2019-06-21, <http://www.bjchy.gov.cn/dynamic/news/8a24fe836b77a9b3016b78036f6b00e8.html>):
“2019年1至5月，12345受理群众来电250万件……群众平均满意率达到70%”; and the 2020 annual report
(<https://www.beijing.gov.cn/hudong/jpzt/2020jsjbbps>): “12345市民服务热线受理疫情相关反映165万件，解决率94.3%，满意率94.1%”.
The synthetic area is at 53 % resolved / 65 % satisfied in 2019-01 and rises to 80 % / 88 % by 2020-12; the 2020
values, everything before 2019 (45 % / 58 %) and 响应率 (85 % before 2019, 95 % → 99 % after; no published area
figure was found) are assumptions of the model, not published figures.

Side tables (CSV, UTF-8):

- `planted_linkage.csv` — `source` (parking_permits, epidemic_registration, visits, friends, teams, cases), `record_id` (the raw id; 微信号 for friends and teams, 工单编号 for cases), `household_id`, `resident_key` (empty when the record names no registry resident).
- `planted_messages.csv` — one row per message of both chat files: `msg_id` (消息编号, or `TalkerId#localId` for the WeChatMsg export), `group_id`, `category` (code, empty for chatter), `role` (report, reply, close, followup, chatter, system; followup = me-too, thanks and campaign notices), `thread_id`, `burst_id`, `sent_at`.
- `planted_cases.csv` — `case_id`, `category` (code, `other` for 其他), `household_id`, `resident_key`, `thread_id` (the chat thread it spilled from, or empty), `burst_id`.
"""


def _allowed_text(column: Column) -> str:
    if column.allowed:
        return "、".join(map(str, column.allowed))
    if column.min is not None and column.max is not None:
        return f"{column.min:g}–{column.max:g}"
    if column.min is not None:
        return f"≥ {column.min:g}"
    return ""


_RAW_LAYOUT_DOC = """\
## Layout of a raw folder / 目录结构

- **One community**: the files below at the top level of `raw/`. The community's name is the 社区 of its
  `buildings.csv`.
- **An area**: further communities in `raw/communities/<name>/`, each with the same files (its
  `buildings.csv` 社区 must be `<name>`), and `area_panel.csv` at the top level only, covering every
  community. A copy of `area_panel.csv` under `communities/<name>/` must be byte-identical to the top-level
  one (the simulator writes such copies) and is otherwise an error.
- `jiesu ingest --data-dir DIR` reads `DIR/raw` and ingests every community into one processed store
  (`DIR/processed`, see its README); the top-level community is the default one readers open.
- Files starting with `planted_` are the synthetic world's answers: recorded, never read as data.

## Reading rules / 读取规则

- CSV in UTF-8, UTF-8 with BOM, GB18030/GBK or Big5. The delimiter (comma, tab or semicolon) is
  detected from the header line; any other delimiter is an error that names it.
- XLSX: the data sheet is the one whose header row holds the contract's headers, so a 说明 (notes)
  sheet before it is skipped; a title row above the headers and a header merged over two rows are read.
- A header written twice (also in two spellings of one column, e.g. 住址 and 住 址) is an error.
- Headers may be written in Traditional script, full-width, or as the English `name`; extra columns are
  read past and listed in the manifest.
- Dates and times: `2020年9月27日`, `2020/9/27 13:14`, ISO 8601 and Excel serial numbers. ISO-8601 times
  with a UTC offset (`2020-04-01T00:11:20+08:00`, `2020-03-31T16:11:20Z`) are converted to Beijing time
  (Asia/Shanghai) and kept without the offset, so they may be mixed with times written without one.
  No date may lie in the future. No cell may be longer than 32,767 characters (Excel's limit).
- Every problem is one line naming the file, the column(s) and the first rows, numbered as the user
  sees them: physical lines of a CSV (header = line 1, blank lines count), sheet rows of an XLSX.
  `jiesu ingest` stops at the first problem and changes nothing; with `--lenient` it sets exactly the
  offending rows aside (with their reasons, in `data/interim/quarantine/`) and ingests the rest.
"""


def _rule_text(table: Table, rule: Rule) -> str:
    headers = table.header_of(rule.columns)
    if rule.scope == "row":
        right = headers[1] if rule.factor is None else f"{rule.factor:g} × {headers[1]}"
        what = f"{headers[0]} {'≤' if rule.op == '<=' else '≥'} {right}"
    else:
        what = "、".join(headers[:3]) + ("…" if len(headers) > 3 else "")
    needs = {
        "row": "",
        "table": " (checked against the community's other files)",
        "area": " (checked against every community)",
    }
    return f"- `{rule.code}`: {what} — {rule.zh} / {rule.en}{needs[rule.scope]}"


def _raw_table_markdown(table: Table) -> list[str]:
    lines = [f"## `{table.file}` — {table.zh} / {table.en}", "", f"One row = {table.grain}.", ""]
    lines += [
        "| 列 header | name | type | unit | allowed | 含义 | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in table.columns:
        flags = [
            f for f, on in (("unique", c.unique), ("nullable", c.nullable), ("personal", c.personal)) if on
        ]
        dtype = c.dtype + (f" ({', '.join(flags)})" if flags else "")
        lines.append(
            f"| {c.header} | `{c.name}` | {dtype} | {c.unit} | {_allowed_text(c)} | {c.zh} | {c.en} |"
        )
    lines += [
        "",
        "Grain / 主键: "
        + " × ".join(f"{h}" for h in table.header_of(table.primary_key))
        + " (no two rows may share it).",
        "",
    ]
    if table.rules:
        lines += ["Rules / 规则:", "", *(_rule_text(table, rule) for rule in table.rules), ""]
    lines += [f"- {note}" for note in table.notes]
    if table.notes:
        lines.append("")
    return lines


def render_raw_markdown() -> str:
    """The text of ``data/raw/README.md``."""
    lines = [
        "# data/raw — the data contract / 数据约定",
        "",
        "Raw data is immutable: analyses read it, never write it. Everything here except this README is",
        "git-ignored. With the synthetic world, `jiesu simulate` writes these files; with real data, put",
        "exports that follow this contract here (CSV in UTF-8/UTF-8-BOM/GB18030, or XLSX) and run",
        "`jiesu ingest --data-dir DIR`. **Names, phone numbers, ID numbers and WeChat ids never leave this folder.**",
        "",
        "Rendered from `lib/jiesu/contract.py` (`python -m jiesu.contract`); do not edit by hand.",
        f"Schema version {SCHEMA_VERSION}. Categories (二级分类): {'、'.join(LABELS)}.",
        "",
        _RAW_LAYOUT_DOC,
    ]
    for table in RAW.values():
        lines += _raw_table_markdown(table)
    lines += [
        "## Categories / 问题分类",
        "",
        "| 二级分类 | 一级分类 | season | owner team |",
        "|---|---|---|---|",
    ]
    lines += [f"| {c.label} | {c.level1} | {c.season} | {TEAMS[c.owner_team]} |" for c in CATEGORIES]
    lines += ["", PLANTED_TRUTH_DOC]
    return "\n".join(lines)


_PROCESSED_LAYOUT_DOC = """\
Written only by `jiesu ingest` (`jiesu ingest --data-dir DIR` writes `DIR/processed`). No table holds a
name, phone number, ID number or WeChat id: those are salted pseudonyms, and free text (type `text`
below) has them masked. Rendered from `lib/jiesu/contract.py`; do not edit by hand.

## Layout: generations, partitioned by community

```
processed/
  current -> gen-20201001T080000Z-4242-1a2b3c     the generation readers use (a symbolic link)
  gen-20201001T080000Z-4242-1a2b3c/
    manifest.json                                   what is in this generation (below)
    households/community=甘露园南里二社区/part-0.parquet
    households/community=对照社区01/part-0.parquet
    …                                               every partitioned table the same way
    panel/part-0.parquet                            the area panel: one table for the area
  gen-…/                                            the previous generation, kept for readers still on it
  .lock                                             held by the running `jiesu ingest` (pid, host, start)
```

- **Set-atomic**: a run writes a complete new generation (every table and its manifest) under a hidden
  staging name, renames it to `gen-…`, then replaces the `current` link in one atomic step
  (`os.replace`). A reader therefore sees the old set or the new set, never a mix. A run that fails or
  is killed leaves `current` as it was; its staging folder is removed by the next run once its owner
  process is gone. Older generations than the previous one are removed too.
- **Incremental**: a community whose raw files, the code and the salt are unchanged is carried over
  into the new generation as hard links of its old files (copies where hard links are impossible);
  only changed communities are rebuilt. Nothing changed at all: nothing is written.
- **One writer**: `jiesu ingest` locks the folder (`.lock`); a second run refuses at once, naming the
  holder, or waits with `--wait SECONDS`.
- Household ids (`BB-U-RRR`) are unique within a community only: key rows by community and id.

## manifest.json

`layout`, `schema_version`, `code_version`, `created_at` (UTC), `generation` and
`previous_generation`, `cache_key` (of every input, the code, the schema and the salt), `salt_fingerprint`,
`lenient`, `synthetic`, `default_community` (the top-level community of the raw folder) and, per
community under `communities`: `raw_dir` (relative to the raw folder), `key` (the community's own cache
key), `synthetic`, `inputs` (each raw file's `sha256` and `rows`, and `ignored_columns`),
`outputs` (each table's `file`, `rows`, `bytes` and `sha256`), `quarantined` (rows set aside per table,
lenient mode), `linkage` (precision and recall against the planted truth, synthetic data only) and
`rebuilt` (false when carried over unchanged). The area tables are under `area` the same way.
Readers (`jiesu.processed`) check every table they read against it (file size and row count) and refuse
a mismatched or half set with an error naming the command that rebuilds it.

## Reading a table

```python
from jiesu import processed
processed.communities("data/processed")                     # ['对照社区01', …, '甘露园南里二社区']
processed.read_table("data/processed", "messages", "对照社区01")  # one community, checked
processed.read_table("data/processed", "panel")              # the area panel

import pandas as pd, pyarrow.dataset as ds                  # without jiesu: resolve `current` once
pd.read_parquet("data/processed/current/messages/community=对照社区01/part-0.parquet")
pd.read_parquet("data/processed/current/messages", filters=[("community", "==", "对照社区01")])
ds.dataset("data/processed/current/messages", partitioning="hive").to_table()  # every community
```

Read through the API (or resolve `current` once) when several tables must come from one generation.
A community name with `/`, `%`, `=` or control characters is percent-encoded in the folder name
(hive style, which pyarrow decodes).
"""


def render_processed_markdown() -> str:
    """The text of ``data/processed/README.md``."""
    lines = ["# data/processed — validated, pseudonymized tables", "", _PROCESSED_LAYOUT_DOC]
    for key, (path, grain, columns, partitioned) in PROCESSED.items():
        where = f"{path}/community=<name>/part-0.parquet" if partitioned else f"{path}/part-0.parquet"
        lines += [f"## `{key}` — `{where}`", "", f"One row = {grain}.", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {dtype} | {meaning} |" for name, dtype, meaning in columns]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regeneration helper
    home = paths().home
    write_text(home / "data" / "raw" / "README.md", render_raw_markdown())
    write_text(home / "data" / "processed" / "README.md", render_processed_markdown())
