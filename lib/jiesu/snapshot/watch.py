"""The hot-issue watch list (未诉先办) of one world: the input selection, the place dictionary from the
registry, and what the monthly report reads.

The method (:mod:`jiesu.analysis.early_warning`) sees only messages and a place dictionary; what it
is given from a community's chats is decided here:

* **Messages**: text messages that are part of a staff exchange (:func:`~jiesu.analysis.chats.staff_exchange`:
  what residents raise with staff, not the chatter around it); a 楼门 group's building is the message's
  place when the text names none.
* **Places**: the registry's buildings as ``N号楼`` with the aliases ``N#`` and ``N栋``, plus any estate
  names given.
"""

from __future__ import annotations

import pandas as pd

from jiesu.analysis.chats import staff_exchange, text_messages
from jiesu.analysis.early_warning import (
    Detector,
    HotParams,
    Places,
    hot_issues,
    prepare,
    watch_list,
    weekly_bursts,
)
from jiesu.analysis.early_warning.interception import monthly_interception
from jiesu.months import month_end, month_of
from jiesu.snapshot.chats import report_checklist, snapshot_interception
from jiesu.snapshot.world import World

REPORT_COLUMNS = ["title", "place", "category", "onset", "weekly", "heat", "examples", "owner_team"]
REPORT_WEEKS = 8
"""Weekly counts shown per row of the report's watch list (the last weeks, oldest first)."""


def building_places(buildings, estates: tuple[str, ...] = ()) -> Places:
    """The place dictionary of an area: each building number ``N`` as ``N号楼`` (aliases ``N#``, ``N栋``)
    and the estate names."""
    numbers = sorted({int(b) for b in pd.to_numeric(pd.Series(list(buildings)), errors="coerce").dropna()})
    names = tuple(f"{n}号楼" for n in numbers) + tuple(estates)
    aliases = tuple((f"{n}{mark}", f"{n}号楼") for mark in ("#", "栋") for n in numbers)
    return Places(names=names, aliases=aliases)


def registry_places(world: World) -> Places:
    """:func:`building_places` of the world's registry (households' buildings, and the 楼门 groups')."""
    buildings = list(world.table("households")["building"]) if world.has("households") else []
    if world.has("groups"):
        buildings += list(world.table("groups")["building"].dropna())
    return building_places(buildings)


def watch_messages(world: World) -> pd.DataFrame:
    """The method's input from the world's chats: ``msg_id``, ``sent_at``, ``text``, ``sender_id``,
    ``is_staff``, ``msg_type``, ``place`` (the 楼门 group's building as ``N号楼``, else "")."""
    messages = text_messages(world.table("messages"))
    messages = messages.loc[staff_exchange(messages)]
    building = messages["group_id"].map(world.table("groups").set_index("group_id")["building"])
    out = messages[["msg_id", "sent_at", "text", "sender_id", "is_staff", "msg_type"]].copy()
    out["place"] = [f"{int(b)}号楼" if pd.notna(b) else "" for b in building]
    return out.reset_index(drop=True)


def watch_detector(world: World, params: HotParams = HotParams()) -> Detector:
    """The prepared detector of the world's chats (:func:`watch_messages`, :func:`registry_places`)."""
    return Detector(prepare(watch_messages(world), places=registry_places(world), params=params), params)


def snapshot_hot_bursts(world: World, params: HotParams = HotParams()) -> pd.DataFrame:
    """:func:`~jiesu.analysis.early_warning.weekly_bursts` of the world's chats over all its weeks."""
    return weekly_bursts(watch_detector(world, params))


def last_sunday(day) -> pd.Timestamp:
    """The end (Sunday) of the last full Monday–Sunday week on or before ``day``."""
    day = pd.Timestamp(day).normalize()
    return day - pd.Timedelta(days=(day.day_of_week + 1) % 7)


def for_report(watch: pd.DataFrame) -> pd.DataFrame:
    """The watch list as the report shows it: onset as a date, the last :data:`REPORT_WEEKS` weekly
    counts joined by ``→``, examples one per line."""
    out = watch[REPORT_COLUMNS].copy()
    out["onset"] = pd.to_datetime(out["onset"]).dt.strftime("%Y-%m-%d")
    out["weekly"] = [" → ".join(w.split()[-REPORT_WEEKS:]) for w in out["weekly"].astype(str)]
    out["place"] = out["place"].replace("", "—")
    return out.reset_index(drop=True)


def _empty(month: str, world: World) -> dict:
    return {
        "month": month,
        "as_of": None,
        "watch_list": pd.DataFrame(columns=REPORT_COLUMNS),
        "interception_share": None,
        "checklist": report_checklist(world, month),
    }


def report_watch(world: World, month: str | None = None) -> dict:
    """What to watch at the end of ``month`` (YYYY-MM; default the latest month with messages).

    The list is that of the last full week (Monday–Sunday) of ``month``; the detector is given only
    messages up to that Sunday, so nothing later can change it (reports also pass a world cut at
    ``month``).

    Returns
    -------
    ``{"month", "as_of" (the Sunday the list is for), "watch_list": DataFrame (:func:`for_report` of
    title, place, category, onset, weekly, heat, examples, owner_team), "interception_share": float or None (that month), "checklist": DataFrame for the NEXT
    month (:func:`~jiesu.snapshot.chats.report_checklist`)}``.
    """
    messages = watch_messages(world)
    month = month or month_of(messages["sent_at"]).max()
    end = month_end(month)
    if not (month_of(messages["sent_at"]) == month).any():  # no chats this month: nothing to watch
        return _empty(month, world)
    as_of = last_sunday(end)
    params = HotParams()
    kept = messages.loc[messages["sent_at"] < as_of + pd.Timedelta(days=1)]
    det = Detector(prepare(kept, places=registry_places(world), params=params), params)
    bursts = weekly_bursts(det, end=as_of)
    watch = watch_list(hot_issues(det, as_of, bursts=bursts))
    monthly = monthly_interception(snapshot_interception(world))
    row = monthly.loc[monthly["month"] == month, "interception_share"]
    return {
        "month": month,
        "watch_list": for_report(watch),
        "as_of": as_of,
        "interception_share": float(row.iloc[0]) if len(row) and pd.notna(row.iloc[0]) else None,
        "checklist": report_checklist(world, month),
    }
