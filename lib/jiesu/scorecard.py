"""``jiesu evaluate``: the planted-truth scorecard.

Each analysis scores itself against the planted truth of a synthetic world with a function
``score_<section>(truth: dict, data: Paths) -> dict`` in its own module.  A section whose module or
function does not exist yet reports ``None`` (JSON ``null``) for every key: never a made-up value.
"""

from __future__ import annotations

import importlib
import os

from jiesu import datasets
from jiesu.errors import MissingDataError
from jiesu.settings import Paths

SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # section: (module that scores it, keys it must report)
    "linkage": ("jiesu.linkage", ("precision", "recall")),
    "coverage": ("jiesu.registry", ("household_coverage_abs_error", "uncovered_vulnerable_exact")),
    "topics": ("jiesu.topics", ("categories_matched_share", "nmi")),
    "bursts": ("jiesu.early_warning", ("recall", "precision", "median_onset_error_days")),
    "rank": ("jiesu.ranking", ("top5_before", "bottom5_after", "milestone_error_months")),
    "effect": ("jiesu.impact", ("its_covers_truth", "did_covers_truth", "did_abs_error", "naive_abs_error")),
}


def _section_function(module_name: str, section: str):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name == module_name:
            return None
        raise
    return getattr(module, f"score_{section}", None)


def evaluate(data: Paths | str | os.PathLike | None = None, *, sections: tuple[str, ...] | None = None) -> dict:
    """Score every analysis against the planted truth.

    Returns ``{section: {key: value-or-None}}`` with exactly the keys of :data:`SECTIONS`.
    Raises :class:`MissingDataError` on real data (no planted truth to score against).
    """
    where = datasets.resolve(data)
    truth = datasets.planted_truth(where)
    if truth is None:
        raise MissingDataError(f"{where.raw} 没有 planted_truth.json: the scorecard needs a synthetic world "
                               "(`jiesu simulate`)")
    card: dict[str, dict] = {}
    for section, (module_name, keys) in SECTIONS.items():
        if sections and section not in sections:
            continue
        scorer = _section_function(module_name, section)
        scores = scorer(truth, where) if scorer else {}
        unknown = set(scores) - set(keys)
        if unknown:
            raise ValueError(f"{module_name}.score_{section} returned unknown keys {sorted(unknown)}")
        card[section] = {key: scores.get(key) for key in keys}
    return card


def flatten(card: dict) -> dict[str, object]:
    """``{"linkage": {"precision": 0.99}}`` → ``{"linkage.precision": 0.99}``."""
    return {f"{section}.{key}": value for section, scores in card.items() for key, value in scores.items()}
