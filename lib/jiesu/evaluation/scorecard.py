"""``jiesu evaluate``: every analysis scored against the planted truth of a synthetic world.

Each section is one scorer of :mod:`jiesu.evaluation.planted`, ``score_<section>(truth, world)``,
and reports exactly the keys listed in :data:`SECTIONS` (a key its scorer cannot compute is ``None``,
JSON ``null``: never a made-up value).
"""

from __future__ import annotations

from collections.abc import Callable

from jiesu.errors import MissingDataError
from jiesu.evaluation import planted
from jiesu.snapshot.world import World

SECTIONS: dict[str, tuple[Callable[[dict, World], dict], tuple[str, ...]]] = {
    "linkage": (planted.score_linkage, ("precision", "recall")),
    "coverage": (planted.score_coverage, ("household_coverage_abs_error", "uncovered_vulnerable_exact")),
    "topics": (planted.score_topics, ("categories_matched_share", "nmi")),
    "bursts": (planted.score_bursts, ("recall", "precision", "median_onset_error_days")),
    "rank": (planted.score_rank, ("top5_before", "bottom5_after", "milestone_error_months")),
    "effect": (
        planted.score_effect,
        ("its_covers_truth", "did_covers_truth", "did_abs_error", "naive_abs_error"),
    ),
}
"""section → (scorer, the keys it reports)."""


def evaluate(world: World, *, sections: tuple[str, ...] | None = None) -> dict:
    """Score every analysis of ``world`` against its planted truth.

    Returns ``{section: {key: value-or-None}}`` with exactly the keys of :data:`SECTIONS`.
    Raises :class:`MissingDataError` on real data (no planted truth to score against).
    """
    truth = world.planted_truth()
    if truth is None:
        raise MissingDataError(
            f"{world.paths.raw} 没有 planted_truth.json: the scorecard needs a synthetic world (`jiesu simulate`)"
        )
    card: dict[str, dict] = {}
    for section, (scorer, keys) in SECTIONS.items():
        if sections and section not in sections:
            continue
        scores = scorer(truth, world)
        unknown = set(scores) - set(keys)
        if unknown:
            raise ValueError(f"score_{section} returned unknown keys {sorted(unknown)}")
        card[section] = {key: scores.get(key) for key in keys}
    return card


def flatten(card: dict) -> dict[str, object]:
    """``{"linkage": {"precision": 0.99}}`` → ``{"linkage.precision": 0.99}``."""
    return {f"{section}.{key}": value for section, scores in card.items() for key, value in scores.items()}
