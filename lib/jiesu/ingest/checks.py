"""The contract's rules that need more than one row of one file (``Rule.scope`` ``"table"`` and
``"area"``): known buildings and groups, one community per ``buildings.csv``, message ids unique
across chat files, and the area panel agreeing with each community's own 12345 work orders.

Each check returns findings ``(position, column name(s), message)`` in the form
:func:`jiesu.ingest.validation.validate_table` groups, raises (strict mode) or quarantines (lenient),
so these rules get exactly the same treatment as the single-file ones.
"""

from __future__ import annotations

import pandas as pd

from jiesu.contract import PANEL_CASES_TOLERANCE, RAW
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_addresses, split_remark
from jiesu.ingest.readers import wechatmsg_to_messages
from jiesu.ingest.validation import ROW_COLUMN, Finding, Validated

REGISTRY_SOURCES = ("parking_permits", "epidemic_registration", "visits")
COUNT_COLUMNS = ("requests", "responded", "resolved", "rated", "satisfied")
RESOLVED = "解决"
UNRATED = "未评价"
SATISFIED = ("满意", "基本满意")


def table_checks(key: str, done: dict[str, Validated], *, folder_name: str | None = None):
    """The ``"table"``-scope rules of contract table ``key`` as one callable ``frame -> findings``.

    ``done`` holds the community's tables validated so far; ``folder_name`` is the community's folder
    name under ``communities/`` (``None`` at the top level), which its ``buildings.csv`` must state.
    """
    if key == "buildings":
        return _one_community(folder_name)
    if key in REGISTRY_SOURCES:
        return _address_check(key, done, "address", required=True)
    if key == "friends":
        return _address_check(key, done, "remark", required=False)
    if key == "teams":
        return _address_check(key, done, "address", required=False)
    if key in ("memberships", "messages", "wechatmsg"):
        return _group_check(key, done)
    return None


def _one_community(folder_name: str | None):
    def check(frame: pd.DataFrame) -> list[Finding]:
        names = frame["community"].astype("string")
        if folder_name is not None:
            wrong = names.notna() & names.ne(folder_name)
            return [
                (
                    int(i),
                    "community",
                    f"社区与目录不符 community '{names.loc[i]}' does not match its folder "
                    f"communities/{folder_name}/ (one community per folder)",
                )
                for i in wrong[wrong].index
            ]
        present = names.dropna()
        if present.empty:
            return []
        first = present.iloc[0]
        other = names.notna() & names.ne(first)
        return [
            (
                int(i),
                "community",
                f"另一个社区 another community '{names.loc[i]}': one community per file (the first row says "
                f"'{first}'; put each further community in communities/<name>/)",
            )
            for i in other[other].index
        ]

    return check


def _known_buildings(done: dict[str, Validated]) -> dict[int, int]:
    if "buildings" not in done:
        return {}
    frame = done["buildings"].frame
    return dict(zip(frame["building"].astype(int), frame["units"].astype(int), strict=True))


def _address_check(key: str, done: dict[str, Validated], column: str, *, required: bool):
    known = _known_buildings(done)
    listed = f"buildings.csv 只有 lists {_ranges(sorted(known))}"

    def check(frame: pd.DataFrame) -> list[Finding]:
        text = frame[column]
        parts = split_remark(text) if key == "friends" else parse_addresses(text)
        problems: list[Finding] = []
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


def _group_check(key: str, done: dict[str, Validated]):
    groups = set(done["groups"].frame["group_id"]) if "groups" in done else set()

    def check(frame: pd.DataFrame) -> list[Finding]:
        column = "TalkerId" if key == "wechatmsg" else "group_id"
        unknown = ~frame[column].isin(list(groups))
        return [
            (int(i), column, f"未知群编号 unknown group '{frame[column].loc[i]}' (not in wechat_groups)")
            for i in unknown[unknown].index
        ]

    return check


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ",".join(map(str, numbers))


def merge_chats(
    messages: Validated, exports: list[Validated], *, lenient: bool, labels: dict[str, str]
) -> Validated:
    """Append WeChatMsg exports to the chat table; message ids must stay unique across both (rule
    ``unique_across_chat_files``).  ``labels`` maps file names to how messages name them."""
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
                labels.get(first["source"], first["source"]),
                f"重复的编号 duplicate id: message '{first['msg_id']}' appears in two chat files",
                column="msg_id",
                rows=merged.loc[duplicated & merged["source"].eq(first["source"]), ROW_COLUMN].head(5),
            )
        quarantines.append(
            pd.DataFrame(
                {
                    "file": merged.loc[duplicated, "source"].map(lambda f: labels.get(f, f)).to_numpy(),
                    "row": merged.loc[duplicated, ROW_COLUMN].to_numpy(),
                    "reasons": "msg_id: 重复的编号 duplicate id across chat files",
                    "msg_id": merged.loc[duplicated, "msg_id"].to_numpy(),
                }
            )
        )
        merged = merged.loc[~duplicated]
    present = [q for q in quarantines if len(q)]
    quarantine = pd.concat(present, ignore_index=True) if present else messages.quarantine
    return Validated(
        messages.table,
        messages.file,
        merged,
        quarantine,
        messages.problems + [p for e in exports for p in e.problems],
        messages.ignored_columns,
    )


# ---------------------------------------------------------------- the area rule


def case_counts(cases: pd.DataFrame) -> pd.DataFrame:
    """A community's processed ``cases`` aggregated the way the panel counts them (rule
    ``matches_cases``): ``month``, ``category`` and :data:`COUNT_COLUMNS`, one row per month × category."""
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(cases["received_at"]).dt.strftime("%Y-%m").astype("string"),
            "category": cases["category"].astype("string"),
            "requests": 1,
            "responded": cases["responded"].astype(bool).astype(int),
            "resolved": cases["resolved"].eq(RESOLVED).astype(int),
            "rated": cases["satisfied"].ne(UNRATED).astype(int),
            "satisfied": cases["satisfied"].isin(SATISFIED).astype(int),
        }
    )
    return frame.groupby(["month", "category"], as_index=False)[list(COUNT_COLUMNS)].sum()


def panel_against_cases(
    panel: pd.DataFrame, counts: dict[str, pd.DataFrame], labels: dict[str, str]
) -> tuple[list[Finding], list[DataError]]:
    """Rule ``matches_cases``: every panel row of a community, in the months from its first to its last
    work order, equals its cases aggregated (within :data:`jiesu.contract.PANEL_CASES_TOLERANCE`).

    ``panel`` is the typed panel (canonical names); ``counts`` are :func:`case_counts` per community;
    ``labels`` name each community's cases file.  Returns the findings on panel rows and, separately,
    the month × category cells that have work orders but no panel row (no row to point at).
    """
    table = RAW["panel"]
    findings: list[Finding] = []
    missing: list[DataError] = []
    for community, agg in sorted(counts.items()):
        rows = panel.loc[panel["community"].eq(community) & panel["month"].notna()]
        if rows.empty or agg.empty:
            continue  # a community without panel rows is not compared (see the contract)
        first, last = agg["month"].min(), agg["month"].max()
        window = rows.loc[rows["month"].between(first, last)]
        keyed = window.reset_index().merge(agg, on=["month", "category"], how="left", suffixes=("", "_cases"))
        label = labels.get(community, "hotline_cases")
        for record in keyed.itertuples(index=False):
            differ = [
                c
                for c in COUNT_COLUMNS
                if abs(_number(getattr(record, c)) - _number(getattr(record, f"{c}_cases")))
                > PANEL_CASES_TOLERANCE
            ]
            if differ:
                shown = ", ".join(
                    f"{table.column(c).header} {_number(getattr(record, c))} vs {_number(getattr(record, f'{c}_cases'))}"
                    for c in differ
                )
                findings.append(
                    (
                        int(record.index),
                        tuple(differ),
                        f"与本社区12345工单不一致 disagrees with the work orders of {community} ({label}): "
                        f"{record.month} {record.category} {shown} in the work orders",
                    )
                )
        present = set(zip(window["month"], window["category"], strict=True))
        for cell in agg.itertuples(index=False):
            if (cell.month, cell.category) not in present:
                missing.append(
                    DataError(
                        "area_panel.csv",
                        f"缺少面板行 missing row: {community} {cell.month} {cell.category} has {cell.requests} work "
                        f"order(s) in {label} but no row here (a missing row counts as zero)",
                        column=table.header_of(table.primary_key),
                    )
                )
    return findings, missing


def _number(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)
