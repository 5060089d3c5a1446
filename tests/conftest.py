"""Shared fixtures: the synthetic worlds every planted-truth test runs against.

Worlds live in ``data/worlds/<preset>-seed<seed>`` (git-ignored) and are built once, then reused:
``simulate`` is skipped when the world was written by the generator's current code (its fingerprint,
:func:`generator_fingerprint`, is kept beside it; a world from older code is rebuilt) and ``ingest``
is a cached no-op when its inputs are unchanged.  The small world is built before collection because notebooks under nbval
read it through ``JIESU_DATA_DIR``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager

import pytest

from jiesu.settings import paths
from jiesu.snapshot.world import World, open_world

HOME = paths().home
WORLDS = HOME / "data" / "worlds"
TEST_SALT = "jiesu-test-salt"


def generator_fingerprint() -> str:
    """A digest of the generator's code and resources: a world built by other code is rebuilt."""
    package = HOME / "lib" / "jiesu"
    sources = sorted((package / "world").rglob("*.py")) + sorted((package / "resources").iterdir())
    sources += [package / "categories.py", *sorted((package / "contract").glob("*.py"))]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


@contextmanager
def _exclusive(name: str):
    """One test process at a time builds a world (pytest-xdist runs several); the others wait, then
    find it current."""
    WORLDS.mkdir(parents=True, exist_ok=True)
    with open(WORLDS / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_world(preset: str, seed: int = 0) -> World:
    """Simulate (if needed) and ingest a synthetic world; returns it opened."""
    from jiesu.ingest.pipeline import ingest
    from jiesu.world.simulate import simulate

    world = paths(WORLDS / f"{preset}-seed{seed}")
    with _exclusive(world.data.name):
        stamp = world.data / "generator.sha256"
        fingerprint = generator_fingerprint()
        current = stamp.exists() and stamp.read_text() == fingerprint
        if not (current and (world.raw / "planted_truth.json").exists()):
            shutil.rmtree(world.data, ignore_errors=True)
            simulate(world.raw, seed=seed, preset=preset)
            stamp.write_text(fingerprint)
        ingest(world.raw, world.processed)
    return open_world(world)


def pytest_configure(config):
    os.environ.setdefault("JIESU_SALT", TEST_SALT)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    small = WORLDS / "small-seed0"
    os.environ["JIESU_DATA_DIR"] = str(small)
    is_xdist_worker = hasattr(config, "workerinput")
    if not is_xdist_worker:
        build_world("small")


@pytest.fixture(scope="session")
def small_world() -> World:
    """The small preset (about 3 months, ≤ 20k messages): fast, for unit-level planted-truth checks."""
    return build_world("small")


@pytest.fixture(scope="session")
def full_world() -> World:
    """The full preset (2,602 households, ~300k messages, 2017-01..2020-09 panel)."""
    return build_world("full")
