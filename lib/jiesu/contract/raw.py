"""Every raw file the workspace reads (:data:`RAW`): columns, aliases, grain and integrity rules."""

from __future__ import annotations

from dataclasses import replace

from jiesu.categories import GROUP_KINDS, LABELS, TEAMS
from jiesu.contract.schema import (
    HOUSING_TYPES,
    MESSAGE_TYPES,
    REQUEST_TYPES,
    RESOLVED_VALUES,
    SATISFIED_VALUES,
    TENURES,
    YES_NO,
    Column,
    Rule,
    Table,
)


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
