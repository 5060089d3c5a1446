"""The random streams of a world: one ``numpy.random.default_rng`` per part of each community.

A part draws only from its own stream, so a change in one part (say, the chats) leaves every other
part's numbers untouched, and a peer community never shifts the focus community's draws.  The stream
of part ``p`` of community ``i`` is ``default_rng([seed, p])`` for the focus (``i = 0``) and
``default_rng([seed, p, i])`` for a peer.
"""

from __future__ import annotations

import numpy as np

COMMUNITY = 1  # buildings, households, residents
FRIENDS = 2  # 园园's friends
REGISTRIES = 3  # 停车证, 疫情登记, 社工走访
ACCOUNTS = 4  # WeChat accounts and teams
GROUPS = 5  # groups and memberships
CHATS = 6  # chat timing, threads, senders
COMPOSER = 7  # message texts (chatgen.Composer)
PANEL = 8  # the area panel (shared by all communities)
CASES = 9  # 12345 work orders
EXPORTS = 10  # how the friends list is written
PEER_LAYOUT = 11  # a peer community's building years
THREE_RATES = 12  # the 三率 probabilities of every community and month
OUTCOMES = 15  # the panel's outcome counts (响应/解决/参评/满意量) drawn from them
HANDLING = 13  # how each 12345 case was handled: dispatch, outcomes, closing
AREA = 14  # which peers adopt a 园园-like way of working, when and how strongly
SPILL_LAG = 100  # + burst number: the lag of that burst's spill-over into 12345


def stream(seed: int, part: int, index: int = 0) -> np.random.Generator:
    """The random stream of one ``part`` of one community's world (``index`` 0 = the focus)."""
    return np.random.default_rng([seed, part] if index == 0 else [seed, part, index])
