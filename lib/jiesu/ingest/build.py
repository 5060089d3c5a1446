"""Building the processed tables of one community from its validated raw tables (pure: frames in,
frames out).

Conflict rules for household attributes (stated once, applied everywhere):

* 户型 / 居住性质 / 居住人数: the most recent dated record that states a value wins (走访 and 疫情登记);
  on the same date 走访 wins.  ``*_source`` names the record (``visits:V000123``).
* 高龄 / 低保 / 残疾: the household's most recent 走访 record decides all three (a missing value counts
  as 否); 高龄 is also true when a linked resident is 80 or older at the reference date (year of
  the reference date minus birth year ≥ 80).  ``flags_source`` names the visit and ``birth_year``
  if that rule fired.  A household never visited has all three false (``flags_source`` ``none``).

``messages.is_staff`` is true for 园园, 社区工作者 and non-resident team members (see
:func:`staff_wxids`); resident backbone volunteers write as residents.

Privacy: every free-text column (dtype ``text`` in :data:`jiesu.contract.PROCESSED`) of every table goes
through :func:`mask_free_text` — WeChat ids of the raw tables, ``@names``, phone numbers in every written
form, identity numbers and bank cards (:mod:`jiesu.pii`), and every person name of the raw tables (as
written, normalized and in Traditional script).  Resident pseudonyms include the community, so two
communities' residents never share an id; household ids (``BB-U-RRR``) are unique within a community.
"""

from __future__ import annotations

import re

import pandas as pd

from jiesu import contract
from jiesu.categories import TEAMS
from jiesu.chinese import to_halfwidth_series, to_simplified_series, to_traditional
from jiesu.contract import PROCESSED
from jiesu.ingest.linkage import link_records
from jiesu.ingest.normalize import (
    MENTION,
    WXID_MASK,
    mask_known,
    mask_mentions,
    mask_names,
    mask_phones,
    mask_system_names,
    names_pattern,
    normalize_names,
    parse_addresses,
    split_remark,
)
from jiesu.ingest.pseudonyms import pseudonymize
from jiesu.ingest.readers import YUANYUAN
from jiesu.ingest.validation import Validated

REGISTRY_SOURCES = ("parking_permits", "epidemic_registration", "visits")
ELDERLY_AGE = 80
YES = "是"
TEAM_CODES = {name: code for code, name in TEAMS.items()}


PARTITIONED = tuple(key for key, table in PROCESSED.items() if table.partitioned)
"""The processed tables built per community (the others are area tables)."""


def build_tables(tables: dict[str, Validated], salt: bytes, community: str = "") -> dict[str, pd.DataFrame]:
    """One community's validated raw tables → its partitioned processed tables (:data:`PARTITIONED`).

    ``community`` scopes the resident pseudonyms (``R…``): the same dwelling key and name in two
    communities are two people.  Every ``text`` column is masked (:func:`mask_free_text`).
    """
    frames = {key: v.frame for key, v in tables.items()}

    def member(values: pd.Series) -> pd.Series:
        return pseudonymize(values, kind="wxid", salt=salt, prefix="M")

    def phone(values: pd.Series) -> pd.Series:
        return pseudonymize(
            values.astype("string").str.replace(r"\D", "", regex=True), kind="phone", salt=salt, prefix="P"
        )

    records = _registry_records(frames, member)
    links = link_records(records)
    records = records.assign(
        household_id=links["household_id"], resident_key=links["resident_key"], rule=links["rule"]
    )
    scoped = (
        (community + "\x1f" + records["resident_key"].astype("string"))
        if community
        else records["resident_key"]
    )
    records["resident_id"] = pseudonymize(scoped, kind="resident", salt=salt, prefix="R")
    records["phone_id"] = phone(records["phone"])

    reference = _reference_date(frames)
    households = _households(frames, records, reference)
    residents = _residents(records, reference)
    record_links = records.loc[:, ["source", "record_id", "household_id", "resident_id", "rule"]].reset_index(
        drop=True
    )

    friends, teams = _friends(frames, records, member), _teams(frames["teams"], member)
    groups = (
        frames["groups"]
        .loc[:, ["group_id", "group_name", "kind", "building", "created"]]
        .reset_index(drop=True)
    )
    memberships = pd.DataFrame(
        {
            "group_id": frames["memberships"]["group_id"].to_numpy(),
            "member_id": member(frames["memberships"]["wxid"]).to_numpy(),
            "joined": frames["memberships"]["joined"].to_numpy(),
        }
    )
    messages = _messages(frames, member)
    cases = _cases(frames["cases"], records, phone)
    out = {
        "households": households,
        "residents": residents,
        "record_links": record_links,
        "friends": friends,
        "teams": teams,
        "groups": groups,
        "memberships": memberships,
        "messages": messages,
        "cases": cases,
    }
    return _contract_columns(out, names_pattern(person_names(frames)), wxid_pattern(frames))


def _contract_columns(out: dict[str, pd.DataFrame], names, wxids) -> dict[str, pd.DataFrame]:
    """Each table with exactly its contract columns, every ``text`` column masked (dtype kept)."""
    built = {}
    for key in PARTITIONED:
        frame = out[key].loc[:, [c[0] for c in PROCESSED[key].columns]].reset_index(drop=True)
        for column, dtype, _ in PROCESSED[key].columns:
            if dtype == "text":
                frame[column] = mask_free_text(frame[column], names, wxids).astype(frame[column].dtype)
        built[key] = frame
    return built


def _friends(frames: dict[str, pd.DataFrame], records: pd.DataFrame, member) -> pd.DataFrame:
    by_record = records.set_index(["source", "record_id"])
    friend_ids = member(frames["friends"]["wxid"])
    friend_links = by_record.loc["friends"].reindex(friend_ids.to_numpy())
    return pd.DataFrame(
        {
            "member_id": friend_ids.to_numpy(),
            "resident_id": friend_links["resident_id"].to_numpy(),
            "household_id": friend_links["household_id"].to_numpy(),
            "added": frames["friends"]["added"].to_numpy(),
        }
    )


def _teams(teams_raw: pd.DataFrame, member) -> pd.DataFrame:
    team_addresses = parse_addresses(teams_raw["address"])
    return pd.DataFrame(
        {
            "member_id": member(teams_raw["wxid"]).to_numpy(),
            "team": teams_raw["team"].to_numpy(),
            "team_code": teams_raw["team"].map(TEAM_CODES).to_numpy(),
            "role": teams_raw["role"].to_numpy(),
            "organization": teams_raw["organization"].to_numpy(),
            "household_id": team_addresses["household_id"].to_numpy(),
        }
    )


_WXID_CANDIDATE = r"[A-Za-z0-9_\-]{5,}"


def wxid_pattern(frames: dict[str, pd.DataFrame]) -> re.Pattern | None:
    """One pattern matching every WeChat id of the raw tables as a whole token (not inside a longer id)."""
    ids = set()
    for key, column in (
        ("friends", "wxid"),
        ("teams", "wxid"),
        ("memberships", "wxid"),
        ("messages", "sender_wxid"),
    ):
        if key in frames:
            ids |= {str(v) for v in frames[key][column].dropna()}
    trie = names_pattern(sorted(i for i in ids - {YUANYUAN} if len(i) >= 2))
    return None if trie is None else re.compile(rf"(?<![A-Za-z0-9_\-])(?:{trie.pattern})(?![A-Za-z0-9_\-])")


def mask_free_text(values: pd.Series, names: re.Pattern | None, wxids: re.Pattern | None) -> pd.Series:
    """Free text as it may leave ``data/raw``: WeChat ids → ``[微信号]``, ``@names`` → ``@某人``, personal
    numbers → ``[电话]``/``[身份证号]``/``[银行卡号]`` (:mod:`jiesu.pii`), person names → ``某人``."""
    text = values.astype("string")
    if wxids is not None:
        candidate = text.str.contains(_WXID_CANDIDATE, regex=True).fillna(False).astype(bool)
        if candidate.any():
            text.loc[candidate] = mask_known(text[candidate], wxids, WXID_MASK)
    return mask_names(mask_phones(mask_mentions(text)), names)


def _registry_records(frames: dict[str, pd.DataFrame], member) -> pd.DataFrame:
    """One row per raw record that names a household or a person (the linkage input)."""
    parts = []
    for source in REGISTRY_SOURCES:
        frame = frames[source]
        parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "record_id": frame["record_id"],
                    "household_id": parse_addresses(frame["address"])["household_id"],
                    "name": normalize_names(frame["name"]),
                    "phone": frame["phone"],
                    "birth_year": frame["birth_year"] if "birth_year" in frame else pd.NA,
                    "date": frame["date"],
                }
            )
        )
    friends = frames["friends"]
    remark = split_remark(friends["remark"])
    parts.append(
        pd.DataFrame(
            {
                "source": "friends",
                "record_id": member(friends["wxid"]),
                "household_id": remark["household_id"],
                "name": normalize_names(remark["name"]),
                "phone": friends["phone"],
                "birth_year": pd.NA,
                "date": friends["added"],
            }
        )
    )
    teams = frames["teams"]
    parts.append(
        pd.DataFrame(
            {
                "source": "teams",
                "record_id": member(teams["wxid"]),
                "household_id": parse_addresses(teams["address"])["household_id"],
                "name": normalize_names(teams["name"]),
                "phone": pd.NA,
                "birth_year": pd.NA,
                "date": pd.NaT,
            }
        )
    )
    cases = frames["cases"]
    parts.append(
        pd.DataFrame(
            {
                "source": "cases",
                "record_id": cases["case_id"],
                "household_id": parse_addresses(cases["address"])["household_id"],
                "name": normalize_names(cases["complainant"]),
                "phone": cases["phone"],
                "birth_year": pd.NA,
                "date": cases["received_at"].dt.normalize(),
            }
        )
    )
    records = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
    records["phone"] = records["phone"].astype("string").str.replace(r"\D", "", regex=True)
    records["phone"] = records["phone"].mask(records["phone"].eq(""))
    records["birth_year"] = records["birth_year"].astype("Int64")
    records = records.drop_duplicates(["source", "record_id"])  # a team member in two teams: one record
    return records


def _reference_date(frames: dict[str, pd.DataFrame]) -> pd.Timestamp:
    """The registry's "as of" date: the last day of the month of the latest 12345 work order."""
    latest = frames["cases"]["received_at"].max()
    if pd.isna(latest):
        latest = frames["visits"]["date"].max()
    return (pd.Timestamp(latest).to_period("M").to_timestamp(how="end")).normalize()


def _age_band(age: pd.Series) -> pd.Series:
    bands = pd.cut(age, bins=[-1, 17, 34, 59, 79, 200], labels=list(contract.AGE_BANDS))
    return bands.astype("string")


def _households(frames, records: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    keys = records.loc[records["household_id"].notna() & ~records["source"].eq("cases")]
    sources = _joined_sets(keys, "source", by="household_id").rename("sources")
    table = parse_addresses(pd.Series(sources.index, index=sources.index))
    table = table.assign(household_id=sources.index, sources=sources.to_numpy()).reset_index(drop=True)

    # 户型 / 居住性质 / 居住人数: the most recent dated statement wins; 走访 beats 疫情登记 on the same day
    statements = []
    for priority, source in enumerate(("epidemic_registration", "visits")):
        frame = frames[source]
        statements.append(
            pd.DataFrame(
                {
                    "household_id": parse_addresses(frame["address"])["household_id"].to_numpy(),
                    "date": frame["date"].to_numpy(),
                    "priority": priority,
                    "provenance": (source + ":" + frame["record_id"].astype("string")).to_numpy(),
                    "housing_type": frame["housing_type"].to_numpy(),
                    "tenure": frame["tenure"].to_numpy(),
                    "persons": frame["persons"].astype("Int64").to_numpy(),
                }
            )
        )
    stated = pd.concat(statements, ignore_index=True).sort_values(
        ["household_id", "date", "priority", "provenance"]
    )
    for column in ("housing_type", "tenure", "persons"):
        latest = (
            stated.dropna(subset=[column])
            .drop_duplicates("household_id", keep="last")
            .set_index("household_id")
        )
        table[column] = table["household_id"].map(latest[column])
        table[f"{column}_source"] = table["household_id"].map(latest["provenance"]).astype("string")
    table["persons"] = table["persons"].astype("Int64")

    # 高龄 / 低保 / 残疾: the most recent visit decides
    visits = frames["visits"].assign(
        household_id=parse_addresses(frames["visits"]["address"])["household_id"]
    )
    last_visit = (
        visits.sort_values(["household_id", "date", "record_id"])
        .drop_duplicates("household_id", keep="last")
        .set_index("household_id")
    )
    for flag in ("elderly", "dibao", "disabled"):
        table[flag] = table["household_id"].map(last_visit[flag].eq(YES)).fillna(False).astype(bool)
    flags_source = table["household_id"].map("visits:" + last_visit["record_id"].astype("string"))
    old = records.loc[
        records["birth_year"].notna() & (reference.year - records["birth_year"] >= ELDERLY_AGE),
        "household_id",
    ]
    by_birth_year = table["household_id"].isin(set(old.dropna()))
    table["elderly"] = table["elderly"] | by_birth_year
    flags_source = flags_source.where(
        ~by_birth_year,
        flags_source.fillna("").str.cat(pd.Series("birth_year", index=table.index), sep=";").str.lstrip(";"),
    )
    table["flags_source"] = flags_source.fillna("none").astype("string")
    table["vulnerable"] = table["elderly"] | table["dibao"] | table["disabled"]
    return table.sort_values("household_id").reset_index(drop=True)


def _residents(records: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """One row per linked resident; birth year and phone are the most frequent among their records
    (ties: the smallest value, so the choice is deterministic)."""
    people = records.loc[records["resident_id"].notna()]
    grouped = people.groupby("resident_id", sort=True)
    ids = grouped.size().index
    table = pd.DataFrame(
        {
            "resident_id": ids,
            "household_id": grouped["household_id"].first().reindex(ids).to_numpy(),
            "birth_year": _most_frequent(people, "birth_year").reindex(ids).astype("Int64").to_numpy(),
            "phone_id": _most_frequent(people, "phone_id").reindex(ids).astype("string").to_numpy(),
            "sources": _joined_sets(people, "source").reindex(ids).to_numpy(),
            "n_records": grouped.size().to_numpy(),
        }
    )
    table["age_band"] = _age_band(reference.year - table["birth_year"].astype("Float64"))
    return table


def _most_frequent(people: pd.DataFrame, column: str) -> pd.Series:
    counts = people.dropna(subset=[column]).groupby(["resident_id", column]).size().rename("n").reset_index()
    counts = counts.sort_values(["resident_id", "n", column], ascending=[True, False, True])
    return counts.drop_duplicates("resident_id").set_index("resident_id")[column]


def _joined_sets(frame: pd.DataFrame, column: str, by: str = "resident_id") -> pd.Series:
    """``;``-joined sorted distinct values of ``column`` per ``by`` (vectorized)."""
    pairs = frame[[by, column]].drop_duplicates().sort_values([by, column])
    return pairs.groupby(by, sort=True)[column].agg(";".join)


def person_names(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Every person name in the raw tables (registry sources, 园园's friends' remarks, teams, 12345
    complainants): as written, normalized (Simplified, no spaces or dots) and in Traditional script; two
    characters or longer; 园园 (a public account) and the placeholders of :data:`NOT_NAMES` excluded.
    These are masked wherever they occur in free text."""
    columns = [frames[source]["name"] for source in REGISTRY_SOURCES]
    columns += [
        split_remark(frames["friends"]["remark"])["name"],
        frames["teams"]["name"],
        frames["cases"]["complainant"],
    ]
    names: set[str] = set()
    for column in columns:
        written = column.dropna().astype("string").str.strip()
        for name, normal in zip(written, normalize_names(written), strict=True):
            if not pd.isna(normal) and normal not in NOT_NAMES | {YUANYUAN}:
                names |= {name, normal, to_traditional(normal)}
    return {name for name in names if len(name) >= 2}


# What 12345 exports and registers write where a name is withheld or unknown: ordinary words that must
# not be masked everywhere in free text.
NOT_NAMES = frozenset(
    {"匿名", "市民", "居民", "群众", "业主", "住户", "租户", "本人", "先生", "女士", "未知", "不详", "无名"}
)


def _messages(frames: dict[str, pd.DataFrame], member) -> pd.DataFrame:
    """Both chat layouts as one table; ``text`` and ``text_simplified`` are masked by the caller."""
    chats = frames["messages"]
    teams = frames["teams"]
    own = _own_wxid(frames)
    sender = chats["sender_wxid"].astype("string")
    if own is not None:
        sender = sender.mask(chats["is_self"] & sender.eq(YUANYUAN), own)
    is_staff = sender.isin(list(staff_wxids(teams, own))) | chats["is_self"].astype(bool)

    content = chats["content"].astype("string")
    mentions = _resolve_mentions(chats, frames["memberships"], frames["friends"], member)
    text = content  # masked with every other free-text column (mask_free_text), after this
    system = chats["msg_type"].eq("系统").to_numpy()
    if system.any():
        text.loc[system] = mask_system_names(text[system], keep=(YUANYUAN,))
    simplified = to_halfwidth_series(to_simplified_series(text))
    return pd.DataFrame(
        {
            "msg_id": chats["msg_id"].to_numpy(),
            "group_id": chats["group_id"].to_numpy(),
            "sender_id": member(sender).to_numpy(),
            "sent_at": chats["sent_at"].astype("datetime64[us]").to_numpy(),
            "msg_type": chats["msg_type"].to_numpy(),
            "text": text.to_numpy(),
            "text_simplified": simplified.to_numpy(),
            "mentions": mentions.to_numpy(),
            "is_staff": is_staff.to_numpy(dtype=bool),
            "source": chats["source"].to_numpy(),
        }
    )


def staff_wxids(teams: pd.DataFrame, own_wxid: str | None = None) -> set[str]:
    """WeChat ids that speak for the community in the chats: 园园, every 社区工作者, and every team
    member who is not a resident (no 住址 in the team list: 物业, 民警, 城管, 供热, 医生…).

    Resident backbone members (楼门长, 热心群众, resident party members) are team members but also
    neighbours who report problems themselves, so their messages are not staff messages; this
    matches the simulator's planted roles (no planted report comes from a staff sender).
    """
    official = teams["address"].isna() | teams["team"].eq(TEAMS["staff"])
    return set(teams.loc[official, "wxid"].dropna()) | ({own_wxid} if own_wxid else set())


def _own_wxid(frames: dict[str, pd.DataFrame]) -> str | None:
    """园园's own WeChat id: the sender that chat_messages shows under the display name 园园, else the
    team member named 园园."""
    chats = frames["messages"]
    named = chats.loc[chats["sender_name"].astype("string").eq(YUANYUAN) & ~chats["is_self"], "sender_wxid"]
    if not named.empty:
        return str(named.mode().iloc[0])
    teams = frames["teams"]
    listed = teams.loc[teams["name"].astype("string").eq(YUANYUAN), "wxid"]
    return str(listed.iloc[0]) if not listed.empty else None


def _resolve_mentions(
    chats: pd.DataFrame, memberships: pd.DataFrame, friends: pd.DataFrame, member
) -> pd.Series:
    """``;``-joined member pseudonyms of the ``@name`` tokens of each message.

    A token matches a display name (群昵称) in the message's group; failing that, a display name or a
    friend's WeChat nickname (昵称) that belongs to exactly one account.  Both sides are compared in
    Simplified, half-width form, because chat text is sometimes typed in Traditional script.
    """
    out = pd.Series(pd.NA, index=chats.index, dtype="string")
    content = chats["content"].astype("string")
    has_at = content.str.contains("[@＠]", regex=True).fillna(False)
    if not has_at.any():
        return out
    extracted = content[has_at].str.extractall(MENTION)
    found = extracted["spaced"].fillna(extracted["name"]).rename("name").reset_index()
    found["group_id"] = chats.loc[found["level_0"], "group_id"].to_numpy()
    found["key"] = to_halfwidth_series(to_simplified_series(found["name"])).str.strip()
    names = memberships.loc[memberships["display_name"].notna(), ["group_id", "display_name", "wxid"]]
    names = names.assign(key=to_halfwidth_series(to_simplified_series(names["display_name"])).str.strip())
    in_group = found.merge(
        names.drop_duplicates(["group_id", "key"])[["group_id", "key", "wxid"]],
        on=["group_id", "key"],
        how="left",
    )
    nicknames = friends.loc[friends["nickname"].notna(), ["nickname", "wxid"]]
    nicknames = nicknames.assign(
        key=to_halfwidth_series(to_simplified_series(nicknames["nickname"])).str.strip()
    )
    # a member without a group display name is shown under their nickname
    by_nickname = memberships[["group_id", "wxid"]].merge(nicknames[["wxid", "key"]], on="wxid")
    by_nickname = by_nickname.drop_duplicates(["group_id", "key", "wxid"])
    by_nickname = by_nickname[~by_nickname.duplicated(["group_id", "key"], keep=False)]
    in_group = in_group.merge(
        by_nickname.rename(columns={"wxid": "nick_wxid"}), on=["group_id", "key"], how="left"
    )
    in_group["wxid"] = in_group["wxid"].fillna(in_group["nick_wxid"])
    anywhere = pd.concat([names[["key", "wxid"]], nicknames[["key", "wxid"]]]).drop_duplicates()
    anywhere = anywhere[~anywhere["key"].duplicated(keep=False)].set_index("key")["wxid"]
    in_group["wxid"] = in_group["wxid"].fillna(in_group["key"].map(anywhere))
    in_group = in_group.dropna(subset=["wxid"])
    in_group["member_id"] = member(in_group["wxid"])
    in_group = in_group.drop_duplicates(["level_0", "member_id"])
    repeated = in_group["level_0"].duplicated(keep=False)
    single = in_group.loc[~repeated].set_index("level_0")["member_id"]  # most messages: one mention
    out.loc[single.index] = single.astype("string")
    if repeated.any():
        joined = in_group.loc[repeated].groupby("level_0", sort=False)["member_id"].agg(";".join)
        out.loc[joined.index] = joined.astype("string")
    return out


def _cases(cases: pd.DataFrame, records: pd.DataFrame, phone) -> pd.DataFrame:
    linked = (
        records.loc[records["source"].eq("cases")].set_index("record_id").reindex(cases["case_id"].to_numpy())
    )
    content = cases["content"].astype("string")
    return pd.DataFrame(
        {
            "case_id": cases["case_id"].to_numpy(),
            "received_at": cases["received_at"].to_numpy(),
            "request_type": cases["request_type"].to_numpy(),
            "level1": cases["level1"].to_numpy(),
            "category": cases["category"].to_numpy(),
            "level3": cases["level3"].to_numpy(),
            "content": content.to_numpy(),
            "household_id": linked["household_id"].to_numpy(),
            "complainant_id": linked["resident_id"].to_numpy(),
            "phone_id": phone(cases["phone"]).to_numpy(),
            "handler": cases["handler"].to_numpy(),
            "dispatched_at": cases["dispatched_at"].to_numpy(),
            "closed_at": cases["closed_at"].to_numpy(),
            "responded": cases["responded"].eq(YES).to_numpy(dtype=bool),
            "resolved": cases["resolved"].to_numpy(),
            "satisfied": cases["satisfied"].to_numpy(),
        }
    )
