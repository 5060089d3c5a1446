"""A tiny hand-made raw folder that follows the data contract, for fast ingest tests.

Two buildings, three households, four people.  Known facts the tests assert:

* 王秀英 (06-3-502, phone 13900111111, born 1938) appears in 停车证 (full-width address), 疫情登记
  (``6#3-502``), 走访, the friends list as ``王绣英`` (a homophone typo), a team, and a 12345 case;
* 李德明 (06-3-502, 13900222222, born 1936) appears in 停车证 and 疫情登记 (``六号楼三单元502室``);
* 张三 (07-1-101) appears in 疫情登记 in Traditional script (``張三``), 走访 and the friends list;
* 王秀兰 (07-2-201, 13900444444) is a different person from 王秀英 (other household);
* the most recent visit of 06-3-502 says 高龄 是; 07-1-101 was visited with all flags 否.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jiesu.storage import write_xlsx

NAMES = ("王秀英", "李德明", "张三", "張三", "王绣英", "王秀兰", "褚广哲", "园园")
PHONES = ("13900111111", "13900222222", "13900333333", "13900444444")
WXIDS = ("wxid_r1", "wxid_r3", "wxid_staff1", "wxid_yy")

BUILDINGS = """社区,楼号,单元数,层数,户数,建成年份
甘露园南里二社区,6,3,6,36,1995
甘露园南里二社区,7,2,6,24,1996
"""

EPIDEMIC = """登记编号,登记日期,姓名,联系电话,住址,出生年份,户型,居住性质,居住人数
E1,2020年2月3日,王秀英,13900111111,6#3-502,1938,两居室,自住,2
E2,2020/2/3,李德明,13900222222,六号楼三单元502室,1936,两居室,自住,2
E3,2020-02-04,張三,,7-1-101,1980,一居室,出租,1
E4,2020-02-05,王秀兰,13900444444,7号楼2单元201,1950,三居室,自住,4
"""

TEAMS = """队伍,微信号,姓名,角色,单位,住址
红色联盟,wxid_staff1,褚广哲,物业维修,物业公司,
社区工作者,wxid_yy,园园,虚拟社工,甘二社区,
热心群众,wxid_r1,王秀英,楼门长,,6号楼3单元502
"""

FRIENDS = """微信号,昵称,备注,联系电话,添加日期
wxid_r1,夕阳红,6#3-502 王绣英,13900111111,2019-05-01
wxid_r3,Tony,7栋1门101 张三,13900333333,2019-06-01
"""

GROUPS = """群编号,群名称,群类别,楼号,建群日期
g1@chatroom,甘二供暖和物业报修群,报修,,2018-01-01
g2@chatroom,6号楼楼门群,楼门,6,2018-02-01
"""

MEMBERS = """群编号,微信号,群昵称,入群日期
g1@chatroom,wxid_r1,6-3-502王秀英,2018-03-01
g1@chatroom,wxid_staff1,物业褚广哲,2018-03-01
g1@chatroom,wxid_yy,园园,2018-03-01
g2@chatroom,wxid_r1,王秀英,2018-03-01
g2@chatroom,wxid_r3,张三,2018-03-01
"""

MESSAGES = """消息编号,群编号,发送者微信号,发送者昵称,发送时间,消息类型,内容
m1,g2@chatroom,wxid_r1,王秀英,2020-09-01 08:00:00,文本,楼道灯不亮了 电话13900111111
m2,g2@chatroom,wxid_yy,园园,2020-09-01 08:05:00,文本,收到，王秀兰家和張三家也说过
m3,g2@chatroom,wxid_r3,张三,2020-09-01 08:06:00,文本,谢谢
"""

WECHATMSG = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
    "1,g1@chatroom,1,0,0,1598918400,2,@物业褚广哲\u2005暖气漏水,2020-09-01 08:00:00,,6-3-502王秀英,wxid_r1\n"
    "2,g1@chatroom,1,0,1,1598918500,2,好的马上安排,2020-09-01 08:01:40,,园园,wxid_yy\n"
    "3,g1@chatroom,3,0,0,1598918600,2,,2020-09-01 08:03:20,,6-3-502王秀英,wxid_r1\n"
)

# the community's own rows equal its cases aggregated (rule matches_cases): C1 供暖 responded, 解决,
# 满意; C2 楼道照明 responded, 未解决, 未评价
PANEL = """社区,月份,常住人口,户数,问题分类,诉求量,响应量,解决量,参评量,满意量
甘露园南里二社区,2020-09,5700,2602,供暖,1,1,1,1,1
甘露园南里二社区,2020-09,5700,2602,楼道照明,1,1,0,0,0
"""

PARKING = pd.DataFrame(
    {
        "申请编号": ["P1", "P2"],
        "申请日期": ["2018/5/1", 43221],
        "姓名": ["王秀英", "李德明"],
        "联系电话": ["13900111111", "13900222222"],
        "住址": ["６号楼３单元５０２", "6-3-502"],
        "车牌号": ["京A00001", None],
    }
)

VISITS = pd.DataFrame(
    {
        "走访编号": ["V1", "V2", "V3"],
        "走访日期": ["2020年9月1日", "2020年3月1日", "2019年3月1日"],
        "社工": ["S01", "S02", "S01"],
        "住址": ["6#3-502", "7-1-101", "6-3-502"],
        "姓名": ["王秀英", "张三", "王秀英"],
        "联系电话": [None, None, "13900111111"],
        "户型": ["两居室", "一居室", "一居室"],
        "居住性质": ["自住", "出租", "出租"],
        "居住人数": [3, 1, 5],
        "高龄": ["是", "否", "否"],
        "低保": ["否", "否", "是"],
        "残疾": ["否", None, "否"],
        "备注": ["独居", None, None],
    }
)

CASES = pd.DataFrame(
    {
        "工单编号": ["C1", "C2"],
        "受理时间": ["2020-09-02 10:00", "2020/9/3 9:30"],
        "诉求类型": ["投诉", "求助"],
        "一级分类": ["城乡建设", "城乡建设"],
        "二级分类": ["供暖", "楼道照明"],
        "三级分类": ["暖气不热", None],
        "诉求内容": ["暖气不热，电话13900111111", "楼道灯不亮，邻居李德明也反映过"],
        "诉求地址": ["甘露园南里二社区6号楼3单元502", "甘露园南里"],
        "诉求人": ["王秀英", "李先生"],
        "联系电话": ["13900111111", "13900222222"],
        "承办单位": ["物业", "物业"],
        "派单时间": ["2020-09-02 11:00", "2020-09-03 10:00"],
        "办结时间": [None, "2020-09-04 10:00"],
        "是否响应": ["是", "是"],
        "是否解决": ["解决", "未解决"],
        "是否满意": ["满意", "未评价"],
    }
)


def write_mini_world(raw: Path) -> Path:
    """Write the tiny raw folder into ``raw`` (created) and return it."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "buildings.csv").write_text(BUILDINGS, encoding="utf-8")
    (raw / "epidemic_registration_2020.csv").write_bytes(EPIDEMIC.encode("gb18030"))
    (raw / "teams.csv").write_text(TEAMS, encoding="utf-8")
    (raw / "yuanyuan_friends.csv").write_text(FRIENDS, encoding="utf-8")
    (raw / "wechat_groups.csv").write_text(GROUPS, encoding="utf-8")
    (raw / "group_members.csv").write_text(MEMBERS, encoding="utf-8")
    (raw / "chat_messages.csv").write_text(MESSAGES, encoding="utf-8")
    (raw / "wechatmsg_甘二供暖和物业报修群.csv").write_text(WECHATMSG, encoding="utf-8-sig")
    (raw / "area_panel.csv").write_text(PANEL, encoding="utf-8")
    write_xlsx(raw / "parking_permits_2018.xlsx", {"Sheet1": PARKING})
    write_xlsx(raw / "social_worker_visits.xlsx", {"Sheet1": VISITS})
    write_xlsx(raw / "hotline_cases.xlsx", {"Sheet1": CASES})
    return raw


def tree_digest(folder: Path) -> dict[str, tuple[str, int]]:
    """``{relative path: (sha256, mtime_ns)}`` of every file below ``folder``, plus where its ``current``
    link points.  The lock file is left out: it records who ran last, it is not data."""
    import os

    from jiesu.locks import LOCK_FILE
    from jiesu.storage import file_sha256

    digest = {
        str(p.relative_to(folder)): (file_sha256(p), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK_FILE
    }
    link = folder / "current"
    if link.is_symlink():
        digest["current ->"] = (os.readlink(link), 0)
    return digest


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a ``python -c`` child that must import *this* checkout's jiesu (not another
    editable install), with ``extra`` variables added."""
    import os

    import jiesu

    lib = str(Path(jiesu.__file__).resolve().parents[1])
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([lib, *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


# ---------------------------------------------------------------- an area: the mini world and one peer

PEER = "对照社区01"
FOCUS = "甘露园南里二社区"


def write_mini_area(raw: Path, *, panel_copy: bool = False) -> Path:
    """The mini world at the top level plus the same files for :data:`PEER` in ``communities/``.

    The peer's ``buildings.csv`` names it; the top-level ``area_panel.csv`` gets the peer's rows (equal
    to its cases, like the focus community's).  ``panel_copy`` also puts an identical copy of the panel
    in the peer's folder, as ``jiesu simulate --communities`` does.
    """
    import shutil

    write_mini_world(raw)
    peer = raw / "communities" / PEER
    peer.mkdir(parents=True)
    for path in raw.iterdir():
        if path.is_file() and path.name not in ("area_panel.csv", "buildings.csv"):
            shutil.copy2(path, peer / path.name)
    (peer / "buildings.csv").write_text(BUILDINGS.replace(FOCUS, PEER), encoding="utf-8")
    rows = [line.replace(FOCUS, PEER) for line in PANEL.splitlines()[1:]]
    (raw / "area_panel.csv").write_text(PANEL + "\n".join(rows) + "\n", encoding="utf-8")
    if panel_copy:
        shutil.copy2(raw / "area_panel.csv", peer / "area_panel.csv")
    return raw


# ---------------------------------------------------------------- personal numbers in free text

# Every written form the contract promises to mask, as it is typed in the raw files below, with the
# digits it stands for (the scan looks for both).
PII_FORMS = {
    "199－1234－0010": "19912340010",
    "(199)12340011": "19912340011",
    "+86 139 0055 5555": "13900555555",
    "0086-13900666666": "13900666666",
    "１３９００７７７７７７": "13900777777",
    "010-6512 3456": "01065123456",
    "（010）65123457": "01065123457",
    "110101199003071234": "110101199003071234",
    "11010119900307123X": "11010119900307123X",
    "6222020200001234562": "6222020200001234562",
    "4111 1111 1111 1111": "4111111111111111",
}


def write_pii_world(raw: Path) -> Path:
    """The mini world with every form of :data:`PII_FORMS` (and a WeChat id) typed into free text:
    chat messages, 12345 content, the teams' 角色 and 单位, a visit note and a group name."""
    write_mini_world(raw)
    forms = list(PII_FORMS)
    chat = [
        f"m{10 + i},g2@chatroom,wxid_r3,张三,2020-09-02 0{i % 10}:00:00,文本,有事打{form}找我"
        for i, form in enumerate(forms)
    ]
    chat.append("m30,g2@chatroom,wxid_r3,张三,2020-09-02 10:00:00,文本,加我微信wxid_r1 或 wxid_staff1")
    chat.append("m31,g2@chatroom,wxid_r3,张三,2020-09-02 11:00:00,文本,身份证号码证110101199003071234丢了")
    with open(raw / "chat_messages.csv", "a", encoding="utf-8") as handle:
        handle.write("\n".join(chat) + "\n")
    teams = TEAMS.replace("物业维修,物业公司", f"物业维修 {forms[5]},物业公司 {forms[3]}")
    (raw / "teams.csv").write_text(teams, encoding="utf-8")
    groups = GROUPS.replace("6号楼楼门群", f"6号楼楼门群(楼长{forms[4]})")
    (raw / "wechat_groups.csv").write_text(groups, encoding="utf-8")
    cases = CASES.copy()
    cases.loc[0, "诉求内容"] = f"暖气不热，身份证{forms[8]}，卡号{forms[9]}，座机{forms[6]}"
    cases.loc[1, "诉求内容"] = f"楼道灯不亮，联系{forms[0]}或{forms[1]}，卡{forms[10]}"
    visits = VISITS.copy()
    visits.loc[0, "备注"] = f"独居，儿子电话{forms[2]}"
    write_xlsx(raw / "hotline_cases.xlsx", {"Sheet1": cases})
    write_xlsx(raw / "social_worker_visits.xlsx", {"Sheet1": visits})
    return raw


# ---------------------------------------------------------------- running jiesu as another user

NOBODY = 65534


def shared_copy(source: Path, parent: Path | None = None) -> Path:
    """A copy of folder ``source`` in a fresh folder every user may enter (pytest's ``tmp_path`` is
    private to root), readable by all; returns the copy's parent.  For tests that drop privileges."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="jiesu-shared-", dir=parent))
    root.chmod(0o755)
    for item in source.iterdir():
        if item.is_dir():
            shutil.copytree(item, root / item.name, symlinks=True)
        else:
            shutil.copy2(item, root / item.name)
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return root


# The child imports everything ingest needs while still root (the interpreter and its libraries may
# live under /root, which nobody cannot enter), then drops to nobody and runs the command.
_AS_NOBODY = """
import os, sys
import jiesu.cli, jiesu.ingest.pipeline, jiesu.ingest.community, jiesu.ingest.build
import charset_normalizer, openpyxl, pandera, pyarrow.parquet, tqdm, rapidfuzz, cn2an
from jiesu.chinese import to_simplified, to_traditional
to_simplified("樓"), to_traditional("楼")
jiesu.cli._register_subcommands()
os.setgid({uid}); os.setuid({uid})
sys.exit(jiesu.cli.main(sys.argv[1:]))
"""


def run_jiesu(args: list[str], *, as_nobody: bool = False, **env: str):
    """``python -m jiesu ARGS`` in a child process (as user ``nobody`` when asked, which needs root);
    returns ``(exit status, stdout, stderr)``."""
    import subprocess
    import sys

    command = ["-c", _AS_NOBODY.format(uid=NOBODY)] if as_nobody else ["-m", "jiesu"]
    done = subprocess.run(
        [sys.executable, *command, *args],
        env=child_env(HOME="/tmp", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr
