"""Every processed table ingest writes (:data:`PROCESSED`): path below ``data/processed``, grain, columns."""

from __future__ import annotations

from typing import NamedTuple

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
