"""Shared fixtures: the synthetic worlds every planted-truth test runs against.

Worlds live in ``data/worlds/<preset>-seed<seed>`` (git-ignored) and are built once, then reused:
``simulate`` is skipped when the planted truth is already there and ``ingest`` is a cached no-op when
its inputs are unchanged.  The small world is built before collection because notebooks under nbval
read it through ``JIESU_DATA_DIR``.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from jiesu.settings import paths
from jiesu.snapshot.world import World, open_world

HOME = paths().home
WORLDS = HOME / "data" / "worlds"
TEST_SALT = "jiesu-test-salt"


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def build_world(preset: str, seed: int = 0) -> World:
    """Simulate (if needed) and ingest a synthetic world; returns it opened."""
    from jiesu.ingest.pipeline import ingest
    from jiesu.world.simulate import simulate

    world = paths(WORLDS / f"{preset}-seed{seed}")
    if not (world.raw / "planted_truth.json").exists():
        simulate(world.raw, seed=seed, preset=preset)
    ingest(world.raw, world.processed)
    return open_world(world)


def pytest_configure(config):
    os.environ.setdefault("JIESU_SALT", TEST_SALT)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    small = WORLDS / "small-seed0"
    os.environ["JIESU_DATA_DIR"] = str(small)
    is_xdist_worker = hasattr(config, "workerinput")
    if not is_xdist_worker and _have("jiesu.world.simulate") and _have("jiesu.ingest.pipeline"):
        build_world("small")


@pytest.fixture(scope="session")
def small_world() -> World:
    """The small preset (about 3 months, ≤ 20k messages): fast, for unit-level planted-truth checks."""
    if not (_have("jiesu.world.simulate") and _have("jiesu.ingest.pipeline")):
        pytest.fail(
            "jiesu.world.simulate / jiesu.ingest.pipeline are missing: the synthetic world cannot be built"
        )
    return build_world("small")


@pytest.fixture(scope="session")
def full_world() -> World:
    """The full preset (2,602 households, ~300k messages, 2017-01..2020-09 panel)."""
    if not (_have("jiesu.world.simulate") and _have("jiesu.ingest.pipeline")):
        pytest.fail(
            "jiesu.world.simulate / jiesu.ingest.pipeline are missing: the synthetic world cannot be built"
        )
    return build_world("full")
