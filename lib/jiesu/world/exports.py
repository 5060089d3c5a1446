"""How a prepared community looks as raw exports: the tables of the data contract and the side tables.

* 园园's friends list as kept on the phone (备注 = hand-written address + name, some phone numbers);
* the chats split into ``chat_messages.csv`` and the WeChatMsg (留痕) export of the 报修 group;
* the area panel with the contract's Chinese headers;
* the completed linkage truth (registries + friends + teams + cases) and ``planted_messages.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE
from jiesu.world import streams
from jiesu.world.chats import TYPE_CODES
from jiesu.world.registries import address, maybe_typo
from jiesu.world.spec import EXPORTS, ExportModel

BEIJING_OFFSET_S = 8 * 3600  # WeChatMsg's CreateTime is UTC; the chats are in Beijing time
LINKAGE_COLUMNS = ["source", "record_id", "household_id", "resident_key"]


@dataclass(frozen=True)
class ChatExport:
    """The two chat files and their planted truth.

    ``messages`` is ``chat_messages.csv`` (every group but the 报修 group), ``wechatmsg`` the WeChatMsg
    export of the 报修 group, ``planted`` is ``planted_messages.csv`` (both files, in that order);
    ``n_main``/``n_export`` count their rows.
    """

    messages: pd.DataFrame
    wechatmsg: pd.DataFrame
    planted: pd.DataFrame
    n_main: int
    n_export: int


def friends_export(
    friends: pd.DataFrame, seed: int, index: int, model: ExportModel = EXPORTS
) -> tuple[pd.DataFrame, np.ndarray]:
    """``yuanyuan_friends.csv`` in the phone's (shuffled) order, and that order (rows of ``friends``)."""
    rng = streams.stream(seed, streams.EXPORTS, index)
    raw = pd.DataFrame(
        {
            "微信号": friends["wxid"],
            "昵称": friends["nickname"],
            "备注": [
                f"{address(b, u, r, rng, model.remark_fullwidth_p)}"
                f"{' ' if rng.random() < model.remark_space_p else ''}"
                f"{maybe_typo(nm, rng, model.remark_typo_p)}"
                for b, u, r, nm in zip(
                    friends.building, friends.unit, friends.room, friends.name, strict=True
                )
            ],
            "联系电话": np.where(rng.random(len(friends)) < model.phone_p, friends["phone"], ""),
            "添加日期": friends["added"].dt.strftime("%Y-%m-%d"),
        }
    )
    order = rng.permutation(len(raw))
    return raw.iloc[order].reset_index(drop=True), order


def full_linkage(
    registry_linkage: pd.DataFrame,
    friends: pd.DataFrame,
    order: np.ndarray,
    accounts: pd.DataFrame,
    planted_cases: pd.DataFrame,
) -> pd.DataFrame:
    """``planted_linkage.csv``: registry records, then friends (export order), teams and cases."""
    friend_links = pd.DataFrame(
        {
            "source": "friends",
            "record_id": friends["wxid"],
            "household_id": friends["household_id"],
            "resident_key": friends["resident_key"],
        }
    ).iloc[order]
    linkage = pd.concat([registry_linkage, friend_links], ignore_index=True)
    team_acc = accounts[accounts["team"] != ""]
    team_links = pd.DataFrame(
        {
            "source": "teams",
            "record_id": team_acc["wxid"],
            "household_id": team_acc["household_id"],
            "resident_key": team_acc["resident_key"],
        }
    )
    case_links = planted_cases.assign(source="cases").rename(columns={"case_id": "record_id"})[
        LINKAGE_COLUMNS
    ]
    return pd.concat([linkage, team_links, case_links], ignore_index=True)


def chat_export(
    chats: pd.DataFrame,
    groups: pd.DataFrame,
    accounts: pd.DataFrame,
    friends_raw: pd.DataFrame,
    chat_start: str,
    repair_group: str,
    own_account: str,
) -> ChatExport:
    """Split the chats into ``chat_messages.csv`` and the WeChatMsg export of ``repair_group``."""
    sent = pd.Timestamp(chat_start) + pd.to_timedelta(chats["t"], unit="s")
    sent_text = sent.dt.strftime("%Y-%m-%d %H:%M:%S")
    gid = groups["群编号"].to_numpy()[chats["g"]]
    wechat_group = groups.index[groups["群名称"] == repair_group][0]
    in_export = (chats["g"] == wechat_group).to_numpy()
    wxid = accounts["wxid"].to_numpy()[chats["a"]]
    display = accounts["display"].to_numpy()[chats["a"]]
    main = ~in_export
    msg_ids = [f"M{i + 1:07d}" for i in range(int(main.sum()))]
    messages = pd.DataFrame(
        {
            "消息编号": msg_ids,
            "群编号": gid[main],
            "发送者微信号": wxid[main],
            "发送者昵称": display[main],
            "发送时间": sent_text[main].to_numpy(),
            "消息类型": chats["type"].to_numpy()[main],
            "内容": chats["text"].to_numpy()[main],
        }
    )
    ex = chats[in_export]
    remark_of = dict(zip(friends_raw["微信号"], friends_raw["备注"], strict=True))
    talker = groups.at[wechat_group, "群编号"]
    local_ids = np.arange(1, len(ex) + 1)
    ex_wxid = wxid[in_export]
    wechatmsg = pd.DataFrame(
        {
            "localId": local_ids,
            "TalkerId": talker,
            "Type": ex["type"].map(TYPE_CODES).to_numpy(),
            "SubType": 0,
            "IsSender": (ex_wxid == own_account).astype(int),
            "CreateTime": (
                (sent[in_export] - pd.Timestamp("1970-01-01")).dt.total_seconds().astype(np.int64)
                - BEIJING_OFFSET_S
            ).to_numpy(),
            "Status": 2,
            "StrContent": ex["text"].to_numpy(),
            "StrTime": sent_text[in_export].to_numpy(),
            "Remark": [remark_of.get(w, "") for w in ex_wxid],
            "NickName": accounts["nickname"].to_numpy()[ex["a"]],
            "Sender": ex_wxid,
        }
    )

    def both(column: str) -> np.ndarray:
        return np.concatenate([chats[column].to_numpy()[main], ex[column].to_numpy()])

    planted = pd.DataFrame(
        {
            "msg_id": np.concatenate([msg_ids, [f"{talker}#{i}" for i in local_ids]]),
            "group_id": np.concatenate([gid[main], gid[in_export]]),
            "category": both("cat"),
            "role": both("role"),
            "thread_id": both("thread"),
            "burst_id": both("burst"),
            "sent_at": np.concatenate([sent_text[main].to_numpy(), sent_text[in_export].to_numpy()]),
        }
    )
    return ChatExport(messages, wechatmsg, planted, int(main.sum()), int(in_export.sum()))


def panel_export(panel: pd.DataFrame) -> pd.DataFrame:
    """``area_panel.csv``: the panel with the contract's Chinese headers and category labels."""
    return pd.DataFrame(
        {
            "社区": panel["community"],
            "月份": panel["month"],
            "常住人口": panel["residents"],
            "户数": panel["households"],
            "问题分类": [BY_CODE[c].label if c in BY_CODE else "其他" for c in panel["category"]],
            "诉求量": panel["requests"],
            "响应量": panel["responded"],
            "解决量": panel["resolved"],
            "参评量": panel["rated"],
            "满意量": panel["satisfied"],
        }
    )
