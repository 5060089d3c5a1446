"""The synthetic 高碑店 world: a deterministic stand-in for confidential registries, chats and 12345 工单.

``simulate(out_dir, seed=0, preset="full")`` writes every raw file of :data:`jiesu.contract.RAW` plus
the planted truth (``planted_truth.json`` last, and ``planted_linkage/messages/cases.csv``).

The world follows the seed article (人民网 2020-09-27): 甘露园南里二社区, 18 walk-up buildings of the
1990s with exactly 2,602 households and about 5,700 residents, the virtual social worker 园园 with
exactly 2,759 resident friends, six backbone teams, categorized WeChat groups, and a fall of the
community's 12345 complaint rate from the area's top 5 to its bottom 5 after the 2018 intervention.

This module only orchestrates; each part of the world has its module (all randomness from
:mod:`~jiesu.world.streams`, all numbers in :mod:`~jiesu.world.spec`):

=====================  ================================================================
:mod:`.community`      buildings, households, residents
:mod:`.accounts`       园园's friends, the six teams, WeChat accounts
:mod:`.registries`     停车证, 疫情登记, 社工走访 with their linkage truth
:mod:`.groups`         the categorized WeChat groups and memberships
:mod:`.chats`          the messages (:mod:`.chatgen` composes the texts, :mod:`.names` the identities)
:mod:`.panel`          the area panel's Poisson model
:mod:`.cases`          the 12345 work orders, aggregated back into the panel
:mod:`.exports`        the raw tables as written (friends list, chat files, panel)
:mod:`.truth`          the planted truth
:mod:`.files`          deterministic CSV/XLSX bytes and the writing order
:mod:`.area`           which peers adopt the 园园 way, when and how strongly
:mod:`.peers`          peer communities sized by their panel rows
=====================  ================================================================

A district run (``communities=N``, or ``area=True`` for every community of the area) also writes
complete worlds for the peers 对照社区01…N into ``communities/<name>/``, each built from a
:class:`~jiesu.world.spec.CommunitySpec` sized by its panel rows, sharing the one area panel.  A few
peers adopt a 园园-like way of working at their own month (:mod:`.area`); every community's
intervention, or none, is in each truth's ``area`` section.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from jiesu.world import exports, files, truth
from jiesu.world.accounts import Accounts, Friends, build_accounts, plan_friends
from jiesu.world.cases import Cases, build_cases
from jiesu.world.chats import Chats, generate_chats
from jiesu.world.community import Community, build_community
from jiesu.world.groups import Groups, build_groups
from jiesu.world.panel import build_panel, three_rates_truth
from jiesu.world.peers import peer_coverage, peer_spec
from jiesu.world.registries import Registry, registry_sources
from jiesu.world.spec import FOCUS, PANEL, PRESETS, CommunitySpec, Preset

__all__ = ["PRESETS", "PreparedWorld", "peer_worlds", "prepare_world", "simulate", "write_world"]

STEPS_FOCUS, STEPS_PEER = 9, 6  # progress-bar steps per world


@dataclass(frozen=True)
class PreparedWorld:
    """Everything of one community before it is written: the interface between preparing and writing.

    ``chats`` is None for a peer until its chats are generated (just before writing, to keep memory
    flat); ``spec`` carries the uncovered counts actually used.
    """

    spec: CommunitySpec
    community: Community
    friends: Friends
    registry: Registry
    accounts: Accounts
    groups: Groups
    chats: Chats | None
    cases: Cases


@dataclass(frozen=True)
class WorldCounts:
    """What a written world holds (the CLI's summary)."""

    households: int
    residents: int
    friends: int
    messages: int
    cases: int
    bursts: int
    panel_rows: int


class _NoBar:
    n = total = 0

    def update(self, _n: int) -> None:
        pass


def prepare_world(
    spec: CommunitySpec, seed: int, window: Preset, panel: pd.DataFrame, bar=None
) -> tuple[PreparedWorld, pd.DataFrame]:
    """Everything of one community up to its 12345 cases; returns it and ``panel`` with its rows
    replaced by its cases aggregated.  The focus community's chats are generated here (its burst
    threads spill into cases); a peer's are left for :func:`with_chats`."""
    bar = bar or _NoBar()
    community = build_community(seed, spec)
    hh, res = community.households, community.residents
    if not spec.is_focus:
        spec = peer_coverage(spec, hh)
    friends = plan_friends(hh, res, seed, spec)
    bar.update(1)
    registry = registry_sources(hh, res, friends.table, seed, spec)
    bar.update(1)
    accounts = build_accounts(friends.table, seed, spec)
    groups = build_groups(accounts.table, seed, spec)
    bar.update(1)
    chats = (
        generate_chats(accounts.table, groups, window, seed, progress=bar, spec=spec)
        if spec.is_focus
        else None
    )
    cases, panel = build_cases(
        panel,
        res,
        hh,
        friends.uncovered,
        friends.table,
        accounts.table,
        chats.burst_threads if chats else [],
        window,
        seed,
        spec,
    )
    bar.update(1)
    return PreparedWorld(spec, community, friends, registry, accounts, groups, chats, cases), panel


def with_chats(world: PreparedWorld, seed: int, window: Preset) -> PreparedWorld:
    """``world`` with its chats generated (a no-op if it has them)."""
    if world.chats is not None:
        return world
    chats = generate_chats(world.accounts.table, world.groups, window, seed, spec=world.spec)
    return replace(world, chats=chats)


def write_world(
    out: Path,
    world: PreparedWorld,
    panel: pd.DataFrame,
    panel_truth: dict,
    *,
    seed: int,
    preset: str,
    window: Preset,
) -> WorldCounts:
    """Compose the raw tables and the planted truth of one prepared community and write them to ``out``."""
    spec, community, chats = world.spec, world.community, world.chats.messages
    friends, accounts = world.friends.table, world.accounts.table
    friends_raw, order = exports.friends_export(friends, seed, spec.index)
    linkage = exports.full_linkage(world.registry.linkage, friends, order, accounts, world.cases.planted)
    chat_files = exports.chat_export(
        chats, world.groups.table, accounts, friends_raw, window.chat_start, spec.repair_group, spec.account
    )
    bursts = truth.bursts_truth(
        spec, world.groups, world.chats.burst_threads, world.cases.planted, window, seed
    )
    intervention, rank = truth.intervention_and_rank(spec, panel, panel_truth)
    planted = {
        "meta": truth.meta_truth(spec, seed, preset, window),
        "community": truth.community_truth(community),
        "coverage": truth.coverage_truth(community.households, community.residents, friends),
        "linkage": truth.linkage_truth(linkage),
        "categories": truth.categories_truth(chat_files.planted),
        "bursts": bursts,
        "intervention": intervention,
        "rank": rank,
        "three_rates": three_rates_truth(
            panel, spec.name, panel_truth["three_rates_levels"], panel_truth["communities"]
        ),
        "complainants": world.cases.truth,
        "area": panel_truth["area"],
        "messages": truth.messages_truth(chats, chat_files.n_main, chat_files.n_export, spec.repair_group),
    }
    registry = world.registry
    panel_raw = exports.panel_export(panel)
    raw_files = {
        "buildings.csv": lambda: files.csv_bytes(community.buildings),
        "parking_permits_2018.xlsx": lambda: files.xlsx_bytes({"停车证申请": registry.parking}),
        "epidemic_registration_2020.csv": lambda: files.csv_bytes(registry.epidemic, "gb18030"),
        "social_worker_visits.xlsx": lambda: files.xlsx_bytes({"走访记录": registry.visits}),
        "yuanyuan_friends.csv": lambda: files.csv_bytes(friends_raw, "utf-8-sig"),
        "teams.csv": lambda: files.csv_bytes(world.accounts.teams),
        "wechat_groups.csv": lambda: files.csv_bytes(world.groups.table),
        "group_members.csv": lambda: files.csv_bytes(world.groups.memberships),
        "chat_messages.csv": lambda: files.csv_bytes(chat_files.messages),
        f"wechatmsg_{spec.repair_group}.csv": lambda: files.csv_bytes(chat_files.wechatmsg, "utf-8-sig"),
        "hotline_cases.xlsx": lambda: files.xlsx_bytes({"工单": world.cases.table}),
        "area_panel.csv": lambda: files.csv_bytes(panel_raw),
        "planted_linkage.csv": lambda: files.csv_bytes(linkage),
        "planted_messages.csv": lambda: files.csv_bytes(chat_files.planted),
        "planted_cases.csv": lambda: files.csv_bytes(world.cases.planted),
    }
    files.write_world_files(out, raw_files, planted)
    return WorldCounts(
        households=len(community.households),
        residents=len(community.residents),
        friends=len(friends),
        messages=int(len(chats)),
        cases=int(len(world.cases.table)),
        bursts=len(bursts),
        panel_rows=int(len(panel_raw)),
    )


def peer_worlds(communities: int, *, area: bool = False) -> int:
    """How many peer worlds a run writes: ``communities``, or at least every peer of the area."""
    if communities < 0:
        raise ValueError("communities must be ≥ 0")
    return max(communities, PANEL.n_peers) if area else communities


def simulate(
    out_dir,
    *,
    seed: int = 0,
    preset: str = "full",
    progress: bool = False,
    communities: int = 0,
    area: bool = False,
) -> dict:
    """Generate the synthetic world into ``out_dir`` (every raw file of the contract + planted truth).

    Parameters
    ----------
    out_dir : raw directory to write (created if needed); existing files of the same names are replaced
        atomically, ``planted_truth.json`` last so its presence means the world is complete.
    seed : world seed; same seed and preset give byte-identical files.
    preset : ``"full"`` (chats 2018-01..2020-09, ~300k messages) or ``"small"`` (2020-04..06, ≤ 20k).
    progress : show a tqdm bar on stderr.
    communities : also write the worlds of this many peer communities (对照社区01…) into
        ``out_dir/communities/<name>/`` — a district for scale runs.  Every world's ``area_panel.csv``
        is the same panel, each community's rows equal to its own cases.  More than 23 widens the area.
    area : write every community of the area as a full world (``communities`` = at least the 23 peers).

    Returns
    -------
    A summary dict: preset, seed, out_dir, seconds, the focus world's counts (households, residents,
    friends, messages, cases, bursts, panel_rows), ``communities`` (peer worlds written) and ``area``.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    communities = peer_worlds(communities, area=area)
    window = PRESETS[preset]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bar = tqdm(
        total=STEPS_FOCUS + STEPS_PEER * communities,
        desc=f"simulate {preset}",
        disable=not progress,
        unit="step",
    )
    panel, panel_truth = build_panel(
        FOCUS.residents, FOCUS.households, seed, n_peers=max(PANEL.n_peers, communities)
    )
    focus, panel = prepare_world(FOCUS, seed, window, panel, bar)
    peers = []
    for index in range(1, communities + 1):
        peer, panel = prepare_world(
            peer_spec(index, panel, seed, adopted=index in panel_truth["adoptions"]), seed, window, panel, bar
        )
        peers.append(peer)
    for peer in peers:  # one peer's chats in memory at a time
        write_world(
            out / "communities" / peer.spec.name,
            with_chats(peer, seed, window),
            panel,
            panel_truth,
            seed=seed,
            preset=preset,
            window=window,
        )
        bar.update(1)
    counts = write_world(out, focus, panel, panel_truth, seed=seed, preset=preset, window=window)
    bar.update(bar.total - bar.n)
    bar.close()
    return {
        "preset": preset,
        "seed": seed,
        "out_dir": str(out),
        "seconds": round(time.perf_counter() - started, 1),
        **vars(counts),
        "communities": communities,
        "area": area,
    }
