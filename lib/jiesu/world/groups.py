"""园园's categorized WeChat groups ("分类别的微信群") and who is in them.

Three area-wide service groups (供暖和物业报修, 维修, 平安), one 楼门群 per building, interest and age
groups and the 居民议事群; residents join after befriending 园园, staff join the groups their role
serves (:class:`~jiesu.world.spec.GroupModel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from jiesu.categories import GROUP_KINDS
from jiesu.world import streams
from jiesu.world.spec import FOCUS, GROUPS, REFERENCE_YEAR, CommunitySpec, GroupModel


class GroupDef(NamedTuple):
    """One group: name (after the community's prefix), kind, building (0 = none), created, chatter weight
    (relative share of everyday chatter)."""

    name: str
    kind: str
    building: int
    created: str
    weight: float


SOCIAL_GROUPS: tuple[GroupDef, ...] = (
    GroupDef("合唱团", "interest", 0, "2017-10-12", 10.0),
    GroupDef("太极拳队", "interest", 0, "2018-03-08", 6.0),
    GroupDef("书画摄影群", "interest", 0, "2018-05-16", 6.0),
    GroupDef("广场舞队", "interest", 0, "2018-04-21", 9.0),
    GroupDef("银龄互助群", "age", 0, "2017-12-18", 14.0),
    GroupDef("青年志愿者群", "age", 0, "2018-06-01", 5.0),
    GroupDef("居民议事群", "council", 0, "2018-07-03", 4.0),
)
SERVICE_STAFF = {  # roles beside the staff team in each area-wide service group
    "heating_property": ("物业维修", "物业经理", "供热维修", "物业保洁"),
    "repair": ("物业维修", "物业经理", "物业保洁", "社区医生"),
    "safety": ("社区民警", "城管队员", "律师"),
}
BUILDING_STAFF = ("物业维修", "物业经理", "社区民警")


@dataclass(frozen=True)
class Groups:
    """The raw ``wechat_groups.csv`` and ``group_members.csv`` tables, the member index (``group_idx``,
    ``account_idx``, ``joined``), and per group its ``kinds`` code and chatter ``weights``."""

    table: pd.DataFrame
    memberships: pd.DataFrame
    members: pd.DataFrame
    kinds: list[str]
    weights: list[float]

    def index_of(self, kind: str, building: int = 0) -> int:
        """Row of the first group of ``kind`` (for ``"building"``, of that building's 楼门群)."""
        first = self.kinds.index(kind)
        return first + building - 1 if kind == "building" else first


def group_defs(spec: CommunitySpec, model: GroupModel = GROUPS) -> list[GroupDef]:
    """The groups of ``spec``'s community, full names, in the order of the raw table."""
    pre = spec.short
    defs = [
        GroupDef(spec.repair_group, "heating_property", 0, "2017-11-02", 40.0),
        GroupDef(f"{pre}维修群", "repair", 0, "2017-10-20", 25.0),
        GroupDef(f"{pre}平安群", "safety", 0, "2017-12-05", 18.0),
    ]
    defs += [  # 楼门群 created over 2017-10..12
        GroupDef(
            f"{pre}{b}号楼楼门群",
            "building",
            b,
            f"2017-{10 + b % 3}-{1 + b % 28:02d}",
            model.building_group_weight,
        )
        for b in range(1, len(spec.layout) + 1)
    ]
    return defs + [d._replace(name=f"{pre}{d.name}") for d in SOCIAL_GROUPS]


def build_groups(
    acc: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS, model: GroupModel = GROUPS
) -> Groups:
    """Groups and memberships of ``spec``'s community (``acc``: the accounts table)."""
    rng = streams.stream(seed, streams.GROUPS, spec.index)
    defs = group_defs(spec, model)
    gids = set()
    while len(gids) < len(defs):
        gids.add(f"{int(rng.integers(*model.chatroom_id))}@chatroom")
    gids = list(rng.permutation(sorted(gids)))
    groups = pd.DataFrame(
        {
            "群编号": gids,
            "群名称": [d.name for d in defs],
            "群类别": [GROUP_KINDS[d.kind] for d in defs],
            "楼号": pd.array([d.building if d.building else None for d in defs], dtype="Int64"),
            "建群日期": [d.created for d in defs],
        }
    )
    members: list[tuple[int, int]] = []
    for g, d in enumerate(defs):
        for i in _members(d, acc, rng, model):
            members.append((g, i))
    mem = pd.DataFrame(members, columns=["group_idx", "account_idx"])
    created = pd.to_datetime(groups["建群日期"]).to_numpy()[mem["group_idx"]]
    added = acc["added"].to_numpy()[mem["account_idx"]]
    lag = pd.to_timedelta(rng.integers(*model.join_lag_days, len(mem)), unit="D").to_numpy()
    mem["joined"] = np.maximum(created, added) + lag
    display = acc["display"].to_numpy()[mem["account_idx"]]
    blank = rng.random(len(mem)) < model.blank_nickname_p
    memberships = pd.DataFrame(
        {
            "群编号": groups["群编号"].to_numpy()[mem["group_idx"]],
            "微信号": acc["wxid"].to_numpy()[mem["account_idx"]],
            "群昵称": np.where(blank, "", display),
            "入群日期": pd.DatetimeIndex(mem["joined"]).strftime("%Y-%m-%d"),
        }
    )
    return Groups(groups, memberships, mem, [d.kind for d in defs], [d.weight for d in defs])


def _members(d: GroupDef, acc: pd.DataFrame, rng: np.random.Generator, model: GroupModel) -> list[int]:
    """Account rows in group ``d`` (sorted): residents by the group's rule, then its staff."""
    is_res = (acc["resident_key"] != "").to_numpy()
    age = (REFERENCE_YEAR - acc["birth_year"]).to_numpy()
    staff_idx = np.flatnonzero(~is_res)
    role = acc["role"].to_numpy()
    team = acc["team"].to_numpy()
    if d.kind == "building":
        res_members = np.flatnonzero(is_res & (acc["building"].to_numpy() == d.building))
        staff = [i for i in staff_idx if team[i] == "staff" or role[i] in BUILDING_STAFF]
    elif d.kind in SERVICE_STAFF:
        cap = min(model.member_cap[d.kind], int(is_res.sum() * model.member_cap_share))
        w = acc["weight"].to_numpy() * is_res
        res_members = np.sort(rng.choice(len(acc), cap, replace=False, p=w / w.sum()))
        staff = [i for i in staff_idx if team[i] == "staff" or role[i] in SERVICE_STAFF[d.kind]]
    elif d.kind == "council":
        res_members = np.flatnonzero(is_res & np.isin(team, ["self_party", "volunteers", "dual_party"]))
        extra = rng.choice(np.flatnonzero(is_res), min(model.council_extra, int(is_res.sum())), replace=False)
        res_members = np.union1d(res_members, extra)
        staff = [i for i in staff_idx if team[i] in ("staff", "whistle") or role[i] in ("物业经理", "律师")]
    elif d.kind == "age":
        senior = "银龄" in d.name
        band = (age >= model.senior_age) if senior else (age < model.youth_age)
        pool = np.flatnonzero(is_res & band)
        res_members = np.sort(
            rng.choice(pool, min(len(pool), model.senior_cap if senior else model.youth_cap), replace=False)
        )
        staff = [i for i in staff_idx if team[i] == "staff" or role[i] == "社区医生"]
    else:
        pool = np.flatnonzero(is_res & (age >= model.interest_min_age))
        size = int(rng.integers(*model.interest_size))
        res_members = np.sort(rng.choice(pool, min(len(pool), size), replace=False))
        staff = [i for i in staff_idx if role[i] in ("虚拟社工（园园）", "社工")][: model.interest_staff]
    return sorted(set(res_members.tolist()) | set(staff))
