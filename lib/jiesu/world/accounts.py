"""园园's resident friends, the six backbone teams and every WeChat account that chats.

:func:`plan_friends` chooses exactly ``spec.friends`` residents (2,759 for the focus) covering every
occupied household except a planted uncovered set; :func:`build_accounts` adds the non-resident team
members (物业, 民警, 城管, 供热, 社工 ...) and the resident backbone members, each with a heavy-tailed
chat activity weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.categories import TEAMS
from jiesu.world import names, streams
from jiesu.world.spec import ACCOUNTS, FOCUS, FRIENDS, AccountModel, CommunitySpec, FriendModel

STAFF_ROLES: tuple[tuple[str, str, str, int], ...] = (
    # team, role, organization, count (non-resident members)
    ("staff", "虚拟社工（园园）", "甘露园南里二社区居委会", 1),
    ("staff", "党委书记", "甘露园南里二社区居委会", 1),
    ("staff", "居委会主任", "甘露园南里二社区居委会", 1),
    ("staff", "社工", "甘露园南里二社区居委会", 5),
    ("red_alliance", "物业经理", "物业公司", 1),
    ("red_alliance", "物业维修", "物业公司", 4),
    ("red_alliance", "物业保洁", "物业公司", 2),
    ("red_alliance", "房屋中介", "房屋中介", 2),
    ("red_alliance", "律师", "律师事务所", 2),
    ("red_alliance", "社区医生", "医疗机构", 2),
    ("whistle", "社区民警", "属地派出所", 2),
    ("whistle", "城管队员", "城管执法队", 2),
    ("whistle", "供热维修", "供热公司", 3),
    ("dual_party", "在职党员", "区属单位", 8),
)
RESIDENT_TEAM_ROLES: tuple[tuple[str, str, int], ...] = (
    # team, role, count (chosen among resident friends)
    ("dual_party", "在职党员", 8),
    ("self_party", "楼门长", 18),
    ("self_party", "党员志愿者", 6),
    ("volunteers", "热心群众", 24),
    ("volunteers", "巡逻队员", 10),
    ("volunteers", "垃圾分类指导员", 8),
)
STAFF_DISPLAY = {  # how staff appear in the groups ({s} surname, {g} given name)
    "物业维修": "物业{s}师傅",
    "物业保洁": "保洁{s}姐",
    "物业经理": "物业{s}经理",
    "社区民警": "民警{s}警官",
    "城管队员": "城管{s}队员",
    "供热维修": "供热{s}师傅",
    "社工": "社工{s}{g}",
    "党委书记": "{s}书记",
    "居委会主任": "{s}主任",
    "虚拟社工（园园）": "园园",
    "房屋中介": "中介小{s}",
    "律师": "{s}律师",
    "社区医生": "{s}大夫",
    "在职党员": "{s}{g}",
}
YUANYUAN_ROLE = "虚拟社工（园园）"


@dataclass(frozen=True)
class Friends:
    """园园's friends: one row per friend resident (residents' columns plus ``wxid``, ``nickname``,
    ``added``), and the planted ``uncovered`` occupied household ids (sorted)."""

    table: pd.DataFrame
    uncovered: list[str]


@dataclass(frozen=True)
class Accounts:
    """Every WeChat account that chats, and the raw ``teams.csv`` table.

    ``table`` has wxid, nickname, display (group nickname), resident_key, household_id, building, unit,
    room, name, birth_year, added, team, role, organization, weight (chat activity), is_staff; staff
    rows come first (园园 is row 0 of the staff).
    """

    table: pd.DataFrame
    teams: pd.DataFrame


def plan_friends(
    hh: pd.DataFrame, res: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS, model: FriendModel = FRIENDS
) -> Friends:
    """Choose exactly ``spec.friends`` resident friends covering every occupied household except a planted
    uncovered set (``spec.uncovered_vulnerable`` vulnerable + ``spec.uncovered_other`` others)."""
    rng = streams.stream(seed, streams.FRIENDS, spec.index)
    occupied = hh[hh["tenure"] != "空置"]
    vul = occupied.loc[occupied["vulnerable"], "household_id"].to_numpy()
    other = occupied.loc[~occupied["vulnerable"], "household_id"].to_numpy()
    uncovered = sorted(
        list(rng.choice(vul, spec.uncovered_vulnerable, replace=False))
        + list(rng.choice(other, spec.uncovered_other, replace=False))
    )
    unc = set(uncovered)
    candidates = res[~res["household_id"].isin(unc)]
    # one friend per covered household: prefer adults (they run the family's WeChat)
    pref = candidates.assign(
        score=rng.random(len(candidates))
        + candidates["age"].between(*model.core_age) * model.core_bonus
        + candidates["age"].between(*model.wide_age) * model.wide_bonus
    )
    first = (
        pref.sort_values(["household_id", "score"], ascending=[True, False]).groupby("household_id").head(1)
    )
    rest = pref[~pref["resident_key"].isin(first["resident_key"]) & pref["age"].between(*model.extra_age)]
    weights = np.where(rest["age"].between(*model.extra_core_age), model.extra_core_weight, 1.0)
    extra_n = spec.friends - len(first)
    extra = rest.iloc[np.sort(rng.choice(len(rest), extra_n, replace=False, p=weights / weights.sum()))]
    friends = (
        pd.concat([first, extra]).drop(columns="score").sort_values("resident_key").reset_index(drop=True)
    )
    friends["wxid"] = names.wechat_ids(rng, len(friends))
    friends["nickname"] = [
        names.nickname(nm, by, rng) for nm, by in zip(friends.name, friends.birth_year, strict=True)
    ]
    friends["added"] = _added_dates(len(friends), rng, model)
    return Friends(friends, uncovered)


def _added_dates(n: int, rng: np.random.Generator, model: FriendModel) -> pd.Series:
    """When each friend was added: most in the intervention's first year and in the epidemic."""
    mix = rng.random(n)
    draws = [rng.integers(lo, hi, n) for lo, hi in model.added_days]
    offsets = np.select([mix < share for share in model.added_mix], draws[:-1], default=draws[-1])
    return pd.Timestamp(model.since) + pd.to_timedelta(np.sort(offsets)[rng.permutation(n)], unit="D")


def build_accounts(
    friends: pd.DataFrame, seed: int, spec: CommunitySpec = FOCUS, model: AccountModel = ACCOUNTS
) -> Accounts:
    """WeChat accounts (resident friends + non-resident team members) and the teams table."""
    rng = streams.stream(seed, streams.ACCOUNTS, spec.index)
    acc = friends[
        [
            "wxid",
            "nickname",
            "resident_key",
            "household_id",
            "building",
            "unit",
            "room",
            "name",
            "birth_year",
            "added",
        ]
    ].copy()
    acc["team"] = ""
    acc["role"] = ""
    acc["organization"] = ""
    acc = pd.concat([_staff_accounts(set(friends["wxid"]), rng, spec, model), acc], ignore_index=True)
    _assign_resident_teams(acc, rng, model)
    # heavy-tailed chat activity; staff post less chatter (they answer threads instead)
    acc["weight"] = rng.lognormal(0.0, model.activity_sigma, len(acc))
    acc.loc[acc["team"].isin(["volunteers", "self_party"]), "weight"] *= model.backbone_activity
    acc["is_staff"] = (acc["resident_key"] == "") | acc["team"].isin(["staff"])
    acc.loc[acc["resident_key"] == "", "weight"] = model.staff_activity
    acc["display"] = acc["nickname"]
    res_mask = acc["resident_key"] != ""
    by_address = res_mask & (rng.random(len(acc)) < model.address_display_p)
    acc.loc[by_address, "display"] = [
        f"{b}-{u}-{r} {nm[0]}"
        for b, u, r, nm in zip(
            acc.building[by_address],
            acc.unit[by_address],
            acc.room[by_address],
            acc.name[by_address],
            strict=True,
        )
    ]
    return Accounts(acc, _teams_table(acc, rng))


def _staff_accounts(
    used: set[str], rng: np.random.Generator, spec: CommunitySpec, model: AccountModel
) -> pd.DataFrame:
    """The non-resident accounts of :data:`STAFF_ROLES` (园园 is the community's own account)."""
    rows = []
    for team, role, org, count in STAFF_ROLES:
        ids = [spec.account] if role == YUANYUAN_ROLE else names.wechat_ids(rng, count, used)
        years = rng.integers(*model.staff_birth_year, count)
        nms = names.person_names(rng, years, rng.choice(["M", "F"], count))
        for wxid, nm, by in zip(ids, nms, years, strict=True):
            display = STAFF_DISPLAY.get(role, "{s}{g}").format(s=nm[0], g=nm[1:])
            if role.startswith("虚拟"):
                display = spec.account_name
            if org.endswith("社区居委会"):
                org = f"{spec.name}居委会"
            rows.append(
                {
                    "wxid": wxid,
                    "nickname": display,
                    "resident_key": "",
                    "household_id": "",
                    "building": 0,
                    "unit": 0,
                    "room": 0,
                    "name": spec.account_name if role.startswith("虚拟") else nm,
                    "birth_year": int(by),
                    "added": pd.Timestamp(model.since),
                    "team": team,
                    "role": role,
                    "organization": org,
                }
            )
    return pd.DataFrame(rows)


def _assign_resident_teams(acc: pd.DataFrame, rng: np.random.Generator, model: AccountModel) -> None:
    """Resident backbone members (:data:`RESIDENT_TEAM_ROLES`), chosen among friends, in place."""
    pool = np.flatnonzero(
        (acc["resident_key"] != "").to_numpy()
        & acc["birth_year"].between(*model.backbone_birth_year).to_numpy()
    )
    chosen = rng.choice(pool, sum(c for _, _, c in RESIDENT_TEAM_ROLES), replace=False)
    columns = {c: acc[c].to_numpy(dtype=object) for c in ("team", "role", "organization")}
    k = 0
    for team, role, count in RESIDENT_TEAM_ROLES:
        rows = chosen[k : k + count]
        columns["team"][rows] = team
        columns["role"][rows] = role
        columns["organization"][rows] = "区属单位" if team == "dual_party" else ""
        k += count
    for c, values in columns.items():
        acc[c] = values


def _teams_table(acc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The raw ``teams.csv``: every team member, residents with a hand-written address."""
    team_rows = acc[acc["team"] != ""]
    return pd.DataFrame(
        {
            "队伍": team_rows["team"].map(TEAMS).to_numpy(),
            "微信号": team_rows["wxid"].to_numpy(),
            "姓名": team_rows["name"].to_numpy(),
            "角色": team_rows["role"].to_numpy(),
            "单位": team_rows["organization"].to_numpy(),
            "住址": [
                names.address_text(int(b), int(u), int(r), int(rng.integers(len(names.ADDRESS_VARIANTS))))
                if key
                else ""
                for b, u, r, key in zip(
                    team_rows.building, team_rows.unit, team_rows.room, team_rows.resident_key, strict=True
                )
            ],
        }
    )
