"""The peer communities of a district run (对照社区NN): each a :class:`CommunitySpec` sized by its own
rows of the area panel (:class:`~jiesu.world.spec.PeerModel`)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from jiesu.world import streams
from jiesu.world.spec import N_RESIDENTS, PEERS, CommunitySpec, PeerModel


def peer_spec(
    index: int, panel: pd.DataFrame, seed: int, *, adopted: bool = False, model: PeerModel = PEERS
) -> CommunitySpec:
    """Peer ``index`` (对照社区NN) sized like its last panel month: walk-ups of 144 dwellings, fewer
    WeChat friends than the focus community unless it ``adopted`` the 园园 way, and half the chat volume
    per resident."""
    rng = streams.stream(seed, streams.PEER_LAYOUT, index)
    width = max(2, len(str(panel["community"].nunique() - 1)))
    name = f"对照社区{index:0{width}d}"
    last = panel[(panel["community"] == name)].iloc[-1]
    residents, households = int(last["residents"]), int(last["households"])
    n_buildings = -(-households // model.dwellings_per_building)
    layout = tuple((*model.building, int(rng.integers(*model.built))) for _ in range(n_buildings))
    return CommunitySpec(
        name=name,
        short=f"对照{index:0{width}d}",
        estate=f"{name}小区",
        layout=layout,
        households=households,
        residents=residents,
        friends=int(round((model.adopter_friend_share if adopted else model.friend_share) * residents)),
        index=index,
        message_share=model.message_share * residents / N_RESIDENTS,
        account=f"shequ_helper_{index:0{width}d}",
        account_name="社区小助手",
    )


def peer_coverage(spec: CommunitySpec, hh: pd.DataFrame, model: PeerModel = PEERS) -> CommunitySpec:
    """``spec`` with its uncovered households: its friends cover about 85 % of their number in households."""
    occupied = hh[hh["tenure"] != "空置"]
    n_vul = int(occupied["vulnerable"].sum())
    covered = min(int(round(model.friend_households * spec.friends)), len(occupied) - 2)
    uncovered = len(occupied) - covered
    unc_v = min(n_vul, int(round(uncovered * n_vul / len(occupied) * model.vulnerable_excess)))
    return replace(spec, uncovered_vulnerable=unc_v, uncovered_other=uncovered - unc_v)
