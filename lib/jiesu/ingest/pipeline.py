"""``jiesu ingest``: raw exports → validated, linked, pseudonymized Parquet in ``data/processed``.

Steps, in order (nothing is written until every step has succeeded):

1. **find** the contract's files in the raw folder (``.csv`` or ``.xlsx`` for each table, any number
   of ``wechatmsg_*.csv`` chat exports); planted-truth side files are recorded, never read as data;
2. **cache check**: if the input hashes, the code version, the schema version and the salt
   fingerprint equal those in ``manifest.json`` and every output is intact, nothing is done;
3. **read and validate** every table (:mod:`jiesu.ingest.readers`, :mod:`jiesu.ingest.validation`), including the
   rules that need other tables (unknown building, unknown group, duplicate message ids across the
   two chat layouts);
4. **normalize and link** (:mod:`jiesu.ingest.normalize`, :mod:`jiesu.ingest.linkage`) into households and
   residents, with provenance columns;
5. **pseudonymize** names, phones and WeChat ids (:mod:`jiesu.ingest.pseudonyms`) and mask chat text;
6. **write** each Parquet atomically, then ``manifest.json`` last.

``messages.is_staff`` is true for 园园, 社区工作者 and non-resident team members (see
:func:`staff_wxids`); resident backbone volunteers write as residents.

Conflict rules for household attributes (stated once, applied everywhere):

* 户型 / 居住性质 / 居住人数: the most recent dated record that states a value wins (走访 and 疫情登记);
  on the same date 走访 wins.  ``*_source`` names the record (``visits:V000123``).
* 高龄 / 低保 / 残疾: the household's most recent 走访 record decides all three (a missing value counts
  as 否); 高龄 is also true when a linked resident is 80 or older at the reference date (year of
  the reference date minus birth year ≥ 80).  ``flags_source`` names the visit and ``birth_year``
  if that rule fired.  A household never visited has all three false (``flags_source`` ``none``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jiesu import contract
from jiesu.categories import TEAMS
from jiesu.chinese import to_halfwidth_series, to_simplified_series, to_traditional
from jiesu.contract import PROCESSED, RAW, SCHEMA_VERSION
from jiesu.errors import DataError, MissingDataError
from jiesu.ingest.linkage import link_records, linkage_scores, personal_record_ids
from jiesu.ingest.normalize import (
    MENTION,
    mask_mentions,
    mask_names,
    mask_phones,
    mask_system_names,
    names_pattern,
    normalize_names,
    parse_addresses,
    split_remark,
)
from jiesu.ingest.pseudonyms import load_salt, pseudonymize, salt_fingerprint
from jiesu.ingest.readers import YUANYUAN, read_raw, wechatmsg_to_messages
from jiesu.ingest.validation import ROW_COLUMN, Validated, validate_table
from jiesu.storage import content_key, file_sha256, write_csv, write_json, write_parquet

MANIFEST = "manifest.json"
PLANTED_PREFIX = "planted_"
WECHATMSG_PATTERN = "wechatmsg_*.csv"
REGISTRY_SOURCES = ("parking_permits", "epidemic_registration", "visits")
ELDERLY_AGE = 80
YES = "是"
TEAM_CODES = {name: code for code, name in TEAMS.items()}
_CODE_FILES = ("contract.py", "chinese.py", "processed.py", "storage.py")
"""Base modules whose code shapes the processed tables, besides every module of this package."""


@dataclass(frozen=True)
class IngestResult:
    """What one ingest run did: row counts per processed table, whether it was a cached no-op,
    rows set aside (lenient mode) and linkage scores against planted truth (synthetic data)."""

    out_dir: Path
    skipped: bool
    counts: dict[str, int]
    quarantined: dict[str, int] = field(default_factory=dict)
    linkage: dict[str, float] | None = None
    synthetic: bool = False
    quarantine_dir: Path | None = None

    def summary(self) -> str:
        """One line for the CLI."""
        if self.skipped:
            return f"ingest: 输入未变，跳过 inputs unchanged, nothing to do (cached) → {self.out_dir}"
        parts = [
            f"{self.counts.get('households', 0)} 户 households",
            f"{self.counts.get('residents', 0)} 居民 residents",
            f"{self.counts.get('messages', 0)} 消息 messages",
            f"{self.counts.get('cases', 0)} 工单 cases",
        ]
        if self.linkage:
            parts.append(
                f"linkage precision {self.linkage['precision']:.3f} recall {self.linkage['recall']:.3f}"
            )
        if self.quarantined:
            total = sum(self.quarantined.values())
            parts.append(f"{total} 行隔离 rows quarantined → {self.quarantine_dir}")
        return "ingest: " + ", ".join(parts) + f" → {self.out_dir}"


# ---------------------------------------------------------------- finding inputs


def find_inputs(raw_dir: str | os.PathLike) -> dict[str, list[Path]]:
    """Raw files per contract table key (``wechatmsg`` may list several; others exactly one).

    Raises :class:`MissingDataError` if the folder or a table is missing, :class:`DataError` if a
    table comes both as ``.csv`` and ``.xlsx``.
    """
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise MissingDataError(f"{raw} 不存在 does not exist: run `jiesu simulate` or put exports there")
    found: dict[str, list[Path]] = {}
    for key, table in RAW.items():
        if key == "wechatmsg":
            found[key] = sorted(raw.glob(WECHATMSG_PATTERN))
            continue
        stem = Path(table.file).stem
        candidates = [raw / f"{stem}{ext}" for ext in (".csv", ".xlsx")]
        present = [p for p in candidates if p.exists()]
        if len(present) > 1:
            raise DataError(
                present[1].name,
                f"同一张表有两个文件 the table also exists as {present[0].name}; keep only one",
            )
        if not present:
            raise MissingDataError(
                f"{raw / table.file} 缺少文件 missing input file (contract table "
                f"'{table.zh}'); see data/raw/README.md"
            )
        found[key] = present
    return found


def _planted_files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.glob(f"{PLANTED_PREFIX}*") if p.is_file())


def code_version() -> str:
    """A hash of the ingest code and the contract: outputs are rebuilt when either changes."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted(here.glob("*.py")), *(here.parent / name for name in _CODE_FILES)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- reading and validating


def read_and_validate(
    inputs: dict[str, list[Path]],
    *,
    lenient: bool = False,
    today: dt.date | None = None,
    progress: bool = False,
) -> dict[str, Validated]:
    """Read and validate every input table, cross-table rules included.

    Returns validated tables by key; the chat exports are merged into ``messages`` (with column
    ``source`` naming the raw file).  Raises :class:`DataError` (strict mode) for the first problem.
    """
    from tqdm import tqdm

    order = [
        "buildings",
        "groups",
        "memberships",
        "friends",
        "teams",
        *REGISTRY_SOURCES,
        "cases",
        "panel",
        "messages",
        "wechatmsg",
    ]
    files = [(key, path) for key in order for path in inputs.get(key, [])]
    done: dict[str, Validated] = {}
    chat_parts: list[Validated] = []
    for key, path in tqdm(files, desc="ingest: validate", unit="file", disable=not progress, leave=False):
        table = RAW[key]
        raw = read_raw(path, table)
        checks = _cross_checks(key, done)
        validated = validate_table(raw, table, lenient=lenient, today=today, extra_checks=checks)
        if key == "wechatmsg":
            chat_parts.append(validated)
        else:
            done[key] = validated
    done["messages"] = _merge_chats(done["messages"], chat_parts, lenient=lenient)
    return done


def _cross_checks(key: str, done: dict[str, Validated]):
    """Rules that need tables validated earlier: addresses in known buildings, groups that exist."""
    known: dict[int, int] = {}
    if "buildings" in done:
        frame = done["buildings"].frame
        known = dict(zip(frame["building"].astype(int), frame["units"].astype(int), strict=True))
    groups = set(done["groups"].frame["group_id"]) if "groups" in done else set()
    listed = f"buildings.csv 只有 lists {_ranges(sorted(known))}"

    def address_check(column: str, *, required: bool):
        def check(frame: pd.DataFrame) -> list[tuple[int, str, str]]:
            text = frame[column]
            parts = split_remark(text) if key == "friends" else parse_addresses(text)
            problems = []
            building = parts["building"]
            unknown = building.notna() & ~building.isin(list(known))
            for i in building[unknown].index:
                problems.append((int(i), column, f"未知楼号 unknown building {building.loc[i]}: {listed}"))
            units = building.map(known)
            bad_unit = building.notna() & ~unknown & (parts["unit"] > units).fillna(False)
            for i in bad_unit[bad_unit].index:
                problems.append(
                    (
                        int(i),
                        column,
                        f"未知单元 unknown unit: building {building.loc[i]} has "
                        f"{units.loc[i]} units, not {parts['unit'].loc[i]}",
                    )
                )
            if required:
                missing = text.notna() & parts["household_id"].isna()
                for i in missing[missing].index:
                    problems.append(
                        (
                            int(i),
                            column,
                            f"无法识别的住址 unrecognized address '{text.loc[i]}' "
                            "(expected e.g. 6号楼3单元502 or 6#3-502)",
                        )
                    )
            return problems

        return check

    def group_check(frame: pd.DataFrame) -> list[tuple[int, str, str]]:
        column = "TalkerId" if key == "wechatmsg" else "group_id"
        unknown = ~frame[column].isin(list(groups))
        return [
            (int(i), column, f"未知群编号 unknown group '{frame[column].loc[i]}' (not in wechat_groups)")
            for i in unknown[unknown].index
        ]

    if key in REGISTRY_SOURCES:
        return address_check("address", required=True)
    if key == "friends":
        return address_check("remark", required=False)
    if key == "teams":
        return address_check("address", required=False)
    if key in ("memberships", "messages", "wechatmsg"):
        return group_check
    return None


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ",".join(map(str, numbers))


def _merge_chats(messages: Validated, exports: list[Validated], *, lenient: bool) -> Validated:
    """Append WeChatMsg exports to the chat table; message ids must stay unique across both."""
    frame = messages.frame.assign(is_self=False, source=messages.file)
    parts = [frame]
    for export in exports:
        converted = wechatmsg_to_messages(export.frame)
        converted[ROW_COLUMN] = export.frame[ROW_COLUMN].to_numpy()
        parts.append(converted.assign(source=export.file))
    merged = pd.concat(parts, ignore_index=True)
    quarantines = [messages.quarantine, *(e.quarantine for e in exports)]
    duplicated = merged["msg_id"].duplicated(keep="first")
    if duplicated.any():
        first = merged.loc[duplicated].iloc[0]
        if not lenient:
            raise DataError(
                first["source"],
                f"重复的编号 duplicate id: message '{first['msg_id']}' appears in two chat files",
                column="msg_id",
                rows=merged.loc[duplicated, ROW_COLUMN].head(5),
            )
        quarantines.append(
            pd.DataFrame(
                {
                    "file": merged.loc[duplicated, "source"].to_numpy(),
                    "row": merged.loc[duplicated, ROW_COLUMN].to_numpy(),
                    "reasons": "msg_id: 重复的编号 duplicate id across chat files",
                    "msg_id": merged.loc[duplicated, "msg_id"].to_numpy(),
                }
            )
        )
        merged = merged.loc[~duplicated]
    quarantine = (
        pd.concat([q for q in quarantines if len(q)], ignore_index=True)
        if any(len(q) for q in quarantines)
        else messages.quarantine
    )
    return Validated(
        messages.table,
        messages.file,
        merged,
        quarantine,
        messages.problems + [p for e in exports for p in e.problems],
        messages.ignored_columns,
    )


# ---------------------------------------------------------------- building the processed tables


def build_tables(tables: dict[str, Validated], salt: bytes) -> dict[str, pd.DataFrame]:
    """Validated raw tables → the processed tables of :data:`jiesu.contract.PROCESSED` (pure)."""
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
    records["resident_id"] = pseudonymize(records["resident_key"], kind="resident", salt=salt, prefix="R")
    records["phone_id"] = phone(records["phone"])

    reference = _reference_date(frames)
    households = _households(frames, records, reference)
    residents = _residents(records, reference)
    record_links = records.loc[:, ["source", "record_id", "household_id", "resident_id", "rule"]].reset_index(
        drop=True
    )

    by_record = records.set_index(["source", "record_id"])
    friends_raw = frames["friends"]
    friend_ids = member(friends_raw["wxid"])
    friend_links = by_record.loc["friends"].reindex(friend_ids.to_numpy())
    friends = pd.DataFrame(
        {
            "member_id": friend_ids.to_numpy(),
            "resident_id": friend_links["resident_id"].to_numpy(),
            "household_id": friend_links["household_id"].to_numpy(),
            "added": frames["friends"]["added"].to_numpy(),
        }
    )

    teams_raw = frames["teams"]
    team_addresses = parse_addresses(teams_raw["address"])
    teams = pd.DataFrame(
        {
            "member_id": member(teams_raw["wxid"]).to_numpy(),
            "team": teams_raw["team"].to_numpy(),
            "team_code": teams_raw["team"].map(TEAM_CODES).to_numpy(),
            "role": teams_raw["role"].to_numpy(),
            "organization": teams_raw["organization"].to_numpy(),
            "household_id": team_addresses["household_id"].to_numpy(),
        }
    )

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
    known_names = names_pattern(person_names(frames))
    messages = _messages(frames, member, known_names)
    cases = _cases(frames["cases"], records, phone, known_names)
    panel = frames["panel"].drop(columns=[ROW_COLUMN]).reset_index(drop=True)
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
        "panel": panel,
    }
    return {
        key: out[key].loc[:, [c[0] for c in PROCESSED[key][2]]].reset_index(drop=True) for key in PROCESSED
    }


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


def _messages(frames: dict[str, pd.DataFrame], member, known_names=None) -> pd.DataFrame:
    chats = frames["messages"]
    teams = frames["teams"]
    own = _own_wxid(frames)
    sender = chats["sender_wxid"].astype("string")
    if own is not None:
        sender = sender.mask(chats["is_self"] & sender.eq(YUANYUAN), own)
    is_staff = sender.isin(list(staff_wxids(teams, own))) | chats["is_self"].astype(bool)

    content = chats["content"].astype("string")
    mentions = _resolve_mentions(chats, frames["memberships"], frames["friends"], member)
    text = mask_names(mask_phones(mask_mentions(content)), known_names)
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


def _cases(cases: pd.DataFrame, records: pd.DataFrame, phone, known_names=None) -> pd.DataFrame:
    linked = (
        records.loc[records["source"].eq("cases")].set_index("record_id").reindex(cases["case_id"].to_numpy())
    )
    content = mask_names(mask_phones(cases["content"].astype("string")), known_names)
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


# ---------------------------------------------------------------- orchestration


def ingest(
    raw_dir: str | os.PathLike, out_dir: str | os.PathLike, *, lenient: bool = False, progress: bool = False
) -> IngestResult:
    """Validate, link and pseudonymize ``raw_dir`` into ``out_dir`` (see the module docstring).

    A cached no-op when inputs, code, schema and salt are unchanged and the outputs are intact.
    The salt comes from ``JIESU_SALT`` or ``<out_dir>/../.salt``; quarantined rows (``lenient``)
    go to ``<out_dir>/../interim/quarantine/`` because they still hold raw personal data.
    Raises :class:`DataError` (nothing written) when an input breaks the contract.
    """
    raw, out = Path(raw_dir), Path(out_dir)
    inputs = find_inputs(raw)
    salt = load_salt(out.parent / ".salt")
    input_files = sorted({p for paths in inputs.values() for p in paths} | set(_planted_files(raw)))
    hashes = {p.name: file_sha256(p) for p in input_files}
    key = content_key(SCHEMA_VERSION, code_version(), salt_fingerprint(salt), lenient, sorted(hashes.items()))
    previous = _read_manifest(out)
    if previous.get("cache_key") == key and _outputs_intact(out, previous):
        return IngestResult(
            out,
            True,
            {k: v["rows"] for k, v in previous.get("outputs", {}).items()},
            linkage=previous.get("linkage"),
            synthetic=bool(previous.get("synthetic")),
        )

    tables = read_and_validate(inputs, lenient=lenient, progress=progress)
    built = build_tables(tables, salt)
    synthetic = (raw / "planted_truth.json").exists()
    scores = None
    planted_links = raw / "planted_linkage.csv"
    if planted_links.exists():
        planted = pd.read_csv(planted_links, dtype=str, keep_default_na=False)
        scores = linkage_scores(built["record_links"], planted, record_ids=personal_record_ids(salt))
    quarantine = {k: v.quarantine for k, v in tables.items() if len(v.quarantine)}

    # everything is validated and built: only now touch the output folder
    from tqdm import tqdm

    outputs = {}
    for name in tqdm(PROCESSED, desc="ingest: write", unit="table", disable=not progress, leave=False):
        path = write_parquet(out / PROCESSED[name][0], built[name])
        outputs[name] = {"file": path.name, "rows": len(built[name]), "sha256": file_sha256(path)}
    quarantine_dir = out.parent / "interim" / "quarantine"
    for name, frame in quarantine.items():
        write_csv(quarantine_dir / f"{name}.csv", frame)
    manifest = {
        "cache_key": key,
        "schema_version": SCHEMA_VERSION,
        "code_version": code_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "synthetic": synthetic,
        "lenient": lenient,
        "inputs": {name: _input_entry(tables, name, digest) for name, digest in hashes.items()},
        "outputs": outputs,
        "quarantined": {name: len(frame) for name, frame in quarantine.items()},
        "linkage": scores,
        "salt_fingerprint": salt_fingerprint(salt),
    }
    write_json(out / MANIFEST, manifest)
    return IngestResult(
        out,
        False,
        {k: v["rows"] for k, v in outputs.items()},
        {k: len(v) for k, v in quarantine.items()},
        scores,
        synthetic,
        quarantine_dir if quarantine else None,
    )


def _input_entry(tables: dict[str, Validated], file_name: str, digest: str) -> dict:
    """Manifest entry of one input file: hash, rows read (good + quarantined), ignored columns."""
    entry: dict = {"sha256": digest, "rows": None}
    for validated in tables.values():
        good, quarantined = validated.frame, validated.quarantine
        good = good[good["source"].eq(file_name)] if "source" in good else good.iloc[:0]
        if "file" in quarantined and len(quarantined):
            quarantined = quarantined[quarantined["file"].eq(file_name)]
        if validated.file == file_name and "source" not in validated.frame:
            good = validated.frame
        if validated.file == file_name or len(good) or len(quarantined):
            entry["rows"] = int(len(good) + len(quarantined))
            if validated.file == file_name and validated.ignored_columns:
                entry["ignored_columns"] = list(validated.ignored_columns)
            break
    return entry


def _read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}


def _outputs_intact(out: Path, manifest: dict) -> bool:
    for entry in manifest.get("outputs", {}).values():
        path = out / entry["file"]
        if not path.exists() or file_sha256(path) != entry["sha256"]:
            return False
    return bool(manifest.get("outputs"))
