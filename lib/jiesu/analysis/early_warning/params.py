"""The parameters of the hot-issue and weekly-burst method, and the area's place dictionary."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Places:
    """A user dictionary of the area's places (from the registry: ``6号楼``, estate names).

    Parameters
    ----------
    names : canonical place names.
    aliases : ``(spelling, canonical name)`` pairs, e.g. ``("6#", "6号楼")``.

    A spelling starting or ending with a digit only matches when no digit precedes or follows it
    (``6号楼`` is not found in ``16号楼``).
    """

    names: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()

    def spellings(self) -> frozenset[str]:
        """Every spelling: the names and the aliases."""
        return frozenset(self.names) | {a for a, _ in self.aliases}

    def pattern(self) -> re.Pattern | None:
        """One regular expression matching any spelling, longest first (``None`` without places)."""
        parts = []
        for s in sorted(self.spellings(), key=len, reverse=True):
            lead = r"(?<![0-9])" if s[:1].isdigit() else ""
            tail = r"(?![0-9])" if s[-1:].isdigit() else ""
            parts.append(lead + re.escape(s) + tail)
        return re.compile("|".join(parts)) if parts else None

    def canonical(self) -> dict[str, str]:
        """Spelling → canonical name."""
        out = {n: n for n in self.names}
        out.update(dict(self.aliases))
        return out


@dataclass(frozen=True)
class HotParams:
    """Settings of the method; the defaults are the setting measured in ``bench/hot_quality.md``.

    Preparation
    -----------
    resend_days, resend_jaccard : a message of the same sender within ``resend_days`` days of an earlier
        one, with character-trigram Jaccard ≥ ``resend_jaccard`` (or one text containing the other), is a
        re-send and is not counted.
    min_tokens : fewest content tokens of an issue-like message (收到, +1, 好的 have none).
    place_weight : term frequency of the ``@place`` feature in the TF-IDF vectors.
    idf_weeks : the IDF (and document shares) come from the weeks up to the decision week, this many.

    The weekly test
    ---------------
    baseline_weeks, guard_weeks : trailing baseline ``W-guard-baseline … W-guard-1`` (weeks).
    min_history_weeks : fewest baseline weeks for a decision.
    season_weeks : half-width (weeks) of the same-season window a year earlier.
    spans : test this week alone (1) and the last two weeks together (2).
    prior_count, prior_weeks : Gamma prior of the weekly rate: pseudo-count over pseudo-weeks.
    dispersion : negative-binomial k (Var = μ + μ²/k) used until it can be estimated.
    estimate_dispersion : pool k over anchors from the weeks before each decision.
    min_size : floor of the predictive's size (caps the rate uncertainty of never-seen anchors).
    phrase_min_count, phrase_alpha : an anchor alarms with at least this many distinct senders (+2 per
        extra span week) and a predictive p-value below ``phrase_alpha`` (split over the spans) …
    min_ratio : … and a count at least this many times the expected count.
    pair_keywords, pair_min_df : pairs of a message's top TF-IDF keywords are anchors too, among words in
        at least ``pair_min_df`` messages of the IDF window.

    Bursts across weeks
    -------------------
    link_weeks, link_sim : a burst continues an open one last alarmed within ``link_weeks`` weeks when
        they share terms or their centroids have cosine ≥ ``link_sim``.
    lookback_weeks, onset_alpha : the onset is back-dated over up to ``lookback_weeks`` earlier weeks
        already elevated (Poisson upper tail < ``onset_alpha``).

    Hot issues
    ----------
    window_weeks : an issue is hot over the weeks ending with the as-of week, this many.
    hot_alpha : a seed anchor's window count is above its previous weeks at this level …
    hot_max_df : … and a single word seeding an issue is in at most this share of messages.
    pull_sim : other window messages this close (cosine) to a seed's centroid join its issue.
    examples : example messages per issue.
    """

    resend_days: float = 30.0
    resend_jaccard: float = 0.5
    min_tokens: int = 2
    place_weight: float = 2.0
    idf_weeks: int = 52
    baseline_weeks: int = 12
    guard_weeks: int = 1
    min_history_weeks: int = 1
    season_weeks: int = 2
    spans: tuple[int, ...] = (1, 2)
    prior_count: float = 0.5
    prior_weeks: float = 1.0
    dispersion: float = 10.0
    estimate_dispersion: bool = True
    min_size: float = 2.0
    phrase_min_count: int = 4
    phrase_alpha: float = 3e-6
    min_ratio: float = 3.0
    pair_keywords: int = 8
    pair_min_df: int = 5
    link_weeks: int = 3
    link_sim: float = 0.3
    lookback_weeks: int = 3
    onset_alpha: float = 0.01
    window_weeks: int = 4
    hot_alpha: float = 0.01
    hot_max_df: float = 0.01
    pull_sim: float = 0.5
    examples: int = 3
