"""``jiesu ingest``: every community of a raw folder → one validated, pseudonymized processed store.

Steps, in order (readers see nothing new until the last one):

1. **lock** the output folder (:mod:`jiesu.locks`; a second run refuses, naming the holder, or waits)
   and **clean** what failed or killed runs left (:func:`jiesu.processed.clean`);
2. **find** the communities and their files (:mod:`jiesu.ingest.discover`);
3. **cache check**: each community's key hashes its input files, the code, the schema and the salt
   fingerprint; when the store's key (all communities and the area panel) is unchanged and every file
   is intact, nothing is done;
4. **build** each changed community (:mod:`jiesu.ingest.community`: read, validate, link,
   pseudonymize, mask, write its partitions into a staging generation) — in parallel worker processes
   when several communities changed — and carry the unchanged ones over as hard links;
5. **area**: validate ``area_panel.csv`` (its grain, its row rules, and rule ``matches_cases`` against
   every community's own work orders) and write it;
6. **publish**: write the manifest and switch ``current`` to the new generation in one atomic step
   (:meth:`jiesu.processed.Generation.commit`), then write the quarantine files (lenient mode) and
   remove generations older than the previous one.

Parallelism: a community is independent of the others, so several changed communities are built by
a pool of ``spawn``-ed worker processes (``concurrent.futures``; one community per task, each writing its
own partitions into the staging generation).  ``workers`` or ``JIESU_INGEST_WORKERS`` sets the pool size;
by default it is the number of idle cores (cores minus the load average), at most the number of
communities to build, so a busy machine builds in this process; a single changed community always is.  Spawned workers re-import the caller's main module, so a *script* that calls
:func:`ingest` for several communities must guard its top level with ``if __name__ == "__main__":``
(the ``jiesu`` command and notebooks need nothing).  Measured on the 6-community small world, 2 cores
shared with other jobs: at load 7–8 one process took 38 s wall / 23.5 s CPU and two workers 42 s / 26.7 s;
at load 3, 40.6 s / 28.0 s against 53.3 s / 34.6 s.  On a shared machine the pool only adds its start-up
(about 3 s CPU per worker) and contention, hence the idle-cores default; with idle cores the CPU time
says it can at best halve the build (never measured: the machine was never idle).  A dask cluster would
add its own start-up and scheduler on top of the same process pool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jiesu import locks, processed
from jiesu.contract import RAW, SCHEMA_VERSION
from jiesu.errors import DataError, MissingDataError, OutputError, StoreError
from jiesu.ingest.checks import case_counts, panel_against_cases
from jiesu.ingest.community import CommunityResult, CommunityTask, build_community
from jiesu.ingest.discover import RawLayout, discover
from jiesu.ingest.pseudonyms import load_salt, salt_fingerprint
from jiesu.ingest.readers import read_raw
from jiesu.ingest.validation import ROW_COLUMN, validate_table
from jiesu.storage import content_key, file_sha256, write_csv

WORKERS_ENV = "JIESU_INGEST_WORKERS"
_CODE_FILES = (
    "contract.py",
    "chinese.py",
    "processed.py",
    "storage.py",
    "pii.py",
    "categories.py",
    "errors.py",
)
"""Base modules whose code shapes the processed tables, besides every module of this package."""
LOCK_HINT = "wait for it to finish (or rerun with --wait SECONDS), or stop that process if it is stuck"


@dataclass(frozen=True)
class IngestResult:
    """What one ingest run did: row counts per processed table (summed over communities), whether it
    was a cached no-op, rows set aside (lenient mode), linkage scores against planted truth (of the
    default community, synthetic data), and per community its row counts and whether it was rebuilt."""

    out_dir: Path
    skipped: bool
    counts: dict[str, int]
    quarantined: dict[str, int] = field(default_factory=dict)
    linkage: dict[str, float] | None = None
    synthetic: bool = False
    quarantine_dir: Path | None = None
    communities: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: tuple[str, ...] = ()
    generation: Path | None = None

    def summary(self) -> str:
        """One line for the CLI."""
        if self.skipped:
            return f"ingest: 输入未变，跳过 inputs unchanged, nothing to do (cached) → {self.out_dir}"
        parts = []
        if len(self.communities) > 1:
            kept = len(self.communities) - len(self.rebuilt)
            parts.append(
                f"{len(self.communities)} 社区 communities ({len(self.rebuilt)} rebuilt, {kept} unchanged)"
            )
        parts += [
            f"{self.counts.get('households', 0)} 户 households",
            f"{self.counts.get('residents', 0)} 居民 residents",
            f"{self.counts.get('messages', 0)} 消息 messages",
            f"{self.counts.get('cases', 0)} 工单 cases",
        ]
        if self.linkage:
            parts.append(
                f"linkage precision {self.linkage['precision']:.3f} recall {self.linkage['recall']:.3f}"
            )
        if self.quarantined:
            total = sum(self.quarantined.values())
            parts.append(f"{total} 行隔离 rows quarantined → {self.quarantine_dir}")
        return "ingest: " + ", ".join(parts) + f" → {self.out_dir}"


def code_version() -> str:
    """A hash of the ingest code and the contract: outputs are rebuilt when either changes."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted(here.glob("*.py")), *(here.parent / name for name in _CODE_FILES)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Plan:
    """Input hashes and cache keys of one run."""

    layout: RawLayout
    hashes: dict[str, dict[str, str]]  # community → file name → sha256
    keys: dict[str, str]  # community → key
    panel_hash: str
    key: str  # the whole store
    salt_fingerprint: str
    lenient: bool


def make_plan(layout: RawLayout, salt: bytes, lenient: bool) -> Plan:
    code, fingerprint = code_version(), salt_fingerprint(salt)
    hashes, keys = {}, {}
    for name, inputs in layout.communities.items():
        hashes[name] = {p.name: file_sha256(p) for p in inputs.all_files()}
        keys[name] = content_key(
            SCHEMA_VERSION, code, fingerprint, lenient, name, inputs.relative, sorted(hashes[name].items())
        )
    panel_hash = file_sha256(layout.panel)
    key = content_key(processed.LAYOUT, keys, panel_hash, layout.default)
    return Plan(layout, hashes, keys, panel_hash, key, fingerprint, lenient)


def _previous(out: Path) -> tuple[dict, Path | None]:
    """The current manifest and generation, or ``({}, None)`` when there is none or it is unreadable."""
    try:
        gen = processed.generation(out)
        return processed.read_manifest(out), gen
    except (MissingDataError, StoreError, OSError):
        return {}, None


def _intact(gen: Path, outputs: dict) -> bool:
    for entry in outputs.values():
        path = gen / entry["file"]
        if (
            not path.is_file()
            or path.stat().st_size != entry["bytes"]
            or file_sha256(path) != entry["sha256"]
        ):
            return False
    return bool(outputs)


# ---------------------------------------------------------------- orchestration


def ingest(
    raw_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    lenient: bool = False,
    progress: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[locks.Holder], None] | None = None,
    workers: int | None = None,
) -> IngestResult:
    """Validate, link and pseudonymize every community of ``raw_dir`` into the store ``out_dir``.

    Parameters
    ----------
    raw_dir : the raw folder (see ``data/raw/README.md``).
    out_dir : the processed store (see ``data/processed/README.md``).
    lenient : set rows that break the contract aside (``<out_dir>/../interim/quarantine/``, they hold
        raw personal data) instead of failing.
    progress : tqdm bars on stderr.
    wait : seconds to wait when another process holds the store's lock (0: refuse at once).
    on_wait : called once with the lock's holder when we wait.
    workers : worker processes for building several communities (default: ``JIESU_INGEST_WORKERS``,
        else the idle cores).

    The salt comes from ``JIESU_SALT`` or ``<out_dir>/../.salt``.  A cached no-op when nothing changed
    (also in a read-only store).  Raises :class:`DataError` (nothing published) when an input breaks the
    contract, :class:`jiesu.errors.LockedError` when another run holds the store,
    :class:`OutputError` when the store cannot be written.
    """
    raw, out = Path(raw_dir), Path(out_dir)
    fix = processed.ingest_command(out)
    layout = discover(raw)  # reads only: a missing or broken raw folder creates nothing
    lock = locks.FolderLock(
        out, purpose="jiesu ingest", timeout=wait, on_wait=on_wait, fix=fix, hint=LOCK_HINT
    )
    try:
        lock.acquire()
    except OutputError:
        cached = _cached_without_lock(layout, out, lenient)
        if cached is not None:
            return cached
        raise
    try:
        processed.clean(out)
        return _ingest_locked(layout, out, lenient=lenient, progress=progress, workers=workers, fix=fix)
    finally:
        lock.release()


def _salt(out: Path) -> bytes:
    try:
        return load_salt(out.parent / ".salt")
    except OSError as err:
        mapped = processed.writable_error(out.parent, err)
        if mapped is None:
            raise
        raise mapped from err


def _cached_without_lock(layout: RawLayout, out: Path, lenient: bool) -> IngestResult | None:
    """A read-only store that is already up to date: report it as cached instead of failing."""
    salt_file = out.parent / ".salt"
    if not (os.environ.get("JIESU_SALT") or salt_file.is_file()):
        return None
    plan = make_plan(layout, load_salt(salt_file), lenient)
    manifest, gen = _previous(out)
    if gen is None or manifest.get("cache_key") != plan.key or processed.verify(out):
        return None
    return _skipped(out, manifest)


def _skipped(out: Path, manifest: dict) -> IngestResult:
    default = manifest.get("default_community")
    communities = {
        name: {table: entry["rows"] for table, entry in c.get("outputs", {}).items()}
        for name, c in manifest.get("communities", {}).items()
    }
    return IngestResult(
        out,
        True,
        _totals(communities, manifest.get("area", {}).get("outputs", {})),
        linkage=manifest.get("communities", {}).get(default, {}).get("linkage"),
        synthetic=bool(manifest.get("synthetic")),
        communities=communities,
        generation=out / manifest["generation"] if manifest.get("generation") else None,
    )


def _totals(communities: dict[str, dict[str, int]], area_outputs: dict) -> dict[str, int]:
    totals: dict[str, int] = {}
    for rows in communities.values():
        for table, count in rows.items():
            totals[table] = totals.get(table, 0) + int(count)
    for table, entry in area_outputs.items():
        totals[table] = int(entry["rows"])
    return totals


def _ingest_locked(
    layout: RawLayout, out: Path, *, lenient: bool, progress: bool, workers: int | None, fix: str
) -> IngestResult:
    salt = _salt(out)
    plan = make_plan(layout, salt, lenient)
    previous, previous_gen = _previous(out)
    if previous.get("cache_key") == plan.key and previous_gen is not None and not processed.verify(out):
        return _skipped(out, previous)
    old = previous.get("communities", {})
    reuse = [
        name
        for name in layout.communities
        if previous_gen is not None
        and old.get(name, {}).get("key") == plan.keys[name]
        and _intact(previous_gen, old[name].get("outputs", {}))
    ]
    if not lenient:  # the panel's own rules are cheap: fail before minutes of community builds
        validate_table(read_raw(layout.panel, RAW["panel"]), RAW["panel"])
    with processed.new_generation(out, fix=fix) as gen:
        tasks = [
            CommunityTask(inputs, gen.staging, salt, lenient, plan.keys[name], plan.hashes[name])
            for name, inputs in layout.communities.items()
            if name not in reuse
        ]
        results = run_tasks(tasks, workers=workers, progress=progress)
        for name in reuse:
            results[name] = _carry_over(gen, previous_gen, old[name], name, plan)
        results = {name: results[name] for name in layout.communities}  # the raw folder's order
        panel_entry, panel_quarantine, panel_rows = _area(layout, results, lenient, gen)
        manifest = _manifest(plan, results, panel_entry, panel_quarantine, panel_rows)
        final = gen.commit(manifest)
    processed.clean(out)
    quarantine_dir = _write_quarantine(out, results, panel_quarantine, fix)
    communities = {name: r.rows() for name, r in results.items()}
    return IngestResult(
        out,
        False,
        _totals(communities, {"panel": panel_entry}),
        _quarantine_totals(results, panel_quarantine),
        results[layout.default].linkage,
        manifest["synthetic"],
        quarantine_dir,
        communities,
        tuple(name for name, r in results.items() if r.rebuilt),
        final,
    )


def _workers(requested: int | None, tasks: int) -> int:
    """Worker processes for ``tasks`` community builds: ``requested``, else ``JIESU_INGEST_WORKERS``, else
    the *idle* cores (the cores this process may use minus the 1-minute load average, rounded), at
    most one per task.  On a machine other jobs keep busy that is 1: measured, a pool there only adds
    the workers' start-up (see the module docstring)."""
    wanted = requested or int(os.environ.get(WORKERS_ENV, "0") or 0)
    if not wanted:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        wanted = round(cores - os.getloadavg()[0])
    return max(1, min(wanted, tasks))


def run_tasks(tasks: list[CommunityTask], *, workers: int | None = None, progress: bool = False) -> dict:
    """Build every task's community: in this process for one task (or one worker), else in a pool of
    spawned worker processes.  Strict mode: the first community that fails stops the run."""
    from tqdm import tqdm

    count = _workers(workers, len(tasks))
    if count <= 1:
        bar = tqdm(
            tasks, desc="ingest: communities", unit="community", disable=not progress or len(tasks) < 2
        )
        return {
            task.inputs.name: build_community(task, progress=progress and len(tasks) == 1) for task in bar
        }
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    results = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(build_community, task): task.inputs.name for task in tasks}
        with tqdm(
            total=len(futures), desc="ingest: communities", unit="community", disable=not progress
        ) as bar:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    if future.exception() is not None:
                        _stop(pool)
                        raise future.exception()
                    results[futures[future]] = future.result()
                    bar.update()
    return results


def _stop(pool) -> None:
    """Strict mode failed in one community: do not wait minutes for the others to finish (their
    partial partitions are in the staging folder, which is removed)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list(getattr(pool, "_processes", {}).values()):  # no public API to stop a worker
        process.terminate()


def _carry_over(gen: processed.Generation, source: Path, old: dict, name: str, plan: Plan) -> CommunityResult:
    """An unchanged community: its partitions hard-linked into the new generation, its facts reused."""
    outputs = {table: gen.carry_over(table, name, source, entry) for table, entry in old["outputs"].items()}
    cases = pd.read_parquet(source / old["outputs"]["cases"]["file"])
    return CommunityResult(
        name=name,
        relative=old.get("raw_dir", "."),
        key=plan.keys[name],
        synthetic=bool(old.get("synthetic")),
        inputs=old.get("inputs", {}),
        outputs=outputs,
        counts=case_counts(cases),
        quarantine={},
        quarantined=dict(old.get("quarantined", {})),
        linkage=old.get("linkage"),
        rebuilt=False,
    )


def _area(layout: RawLayout, results: dict[str, CommunityResult], lenient: bool, gen: processed.Generation):
    """Validate and write the area panel; returns its manifest entry, quarantine and rows read."""
    raw = read_raw(layout.panel, RAW["panel"])
    counts = {name: r.counts for name, r in results.items()}
    labels = {
        name: layout.communities[name].label(layout.communities[name].files["cases"][0]) for name in results
    }
    missing: list[DataError] = []

    def matches_cases(typed: pd.DataFrame):
        findings, absent = panel_against_cases(typed, counts, labels)
        missing.extend(absent)
        return findings

    validated = validate_table(raw, RAW["panel"], lenient=lenient, extra_checks=matches_cases)
    quarantine = validated.quarantine
    if missing:
        if not lenient:
            more = (
                f"（另有 {len(missing) - 1} 处问题 and {len(missing) - 1} more problems）"
                if len(missing) > 1
                else ""
            )
            first = missing[0]
            raise DataError(first.file, first.message + more, column=first.column)
        absent = pd.DataFrame({"file": raw.name, "row": None, "reasons": [m.message for m in missing]})
        quarantine = pd.concat([q for q in (quarantine, absent) if len(q)], ignore_index=True)
    panel = validated.frame.drop(columns=[ROW_COLUMN]).reset_index(drop=True)
    entry = gen.write_table("panel", panel)
    return entry, quarantine, len(raw.frame)


def _manifest(
    plan: Plan, results: dict[str, CommunityResult], panel_entry, panel_quarantine, panel_rows
) -> dict:
    layout = plan.layout
    communities = {
        name: {
            "raw_dir": r.relative,
            "key": r.key,
            "synthetic": r.synthetic,
            "inputs": r.inputs,
            "outputs": r.outputs,
            "quarantined": r.quarantined,
            "linkage": r.linkage,
            "rebuilt": r.rebuilt,
        }
        for name, r in results.items()
    }
    return {
        "cache_key": plan.key,
        "code_version": code_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "salt_fingerprint": plan.salt_fingerprint,
        "lenient": plan.lenient,
        "synthetic": any(r.synthetic for r in results.values()),
        "default_community": layout.default,
        "communities": communities,
        "area": {
            "inputs": {layout.panel.name: {"sha256": plan.panel_hash, "rows": panel_rows}},
            "outputs": {"panel": panel_entry},
            "quarantined": {"panel": len(panel_quarantine)} if len(panel_quarantine) else {},
        },
    }


def _quarantine_totals(results: dict[str, CommunityResult], panel_quarantine: pd.DataFrame) -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in results.values():
        for table, count in r.quarantined.items():
            totals[table] = totals.get(table, 0) + count
    if len(panel_quarantine):
        totals["panel"] = len(panel_quarantine)
    return totals


def _write_quarantine(
    out: Path, results: dict[str, CommunityResult], panel_quarantine, fix: str
) -> Path | None:
    """Quarantined rows (raw cells, reasons) per rebuilt community, ``<quarantine>/community=<name>/<table>.csv``,
    and ``<quarantine>/panel.csv``; stale files of rebuilt or removed communities are removed first."""
    folder = out.parent / "interim" / "quarantine"
    try:
        if folder.is_dir():
            keep = {processed.partition_segment(name) for name, r in results.items() if not r.rebuilt}
            for entry in folder.iterdir():
                if entry.is_dir() and entry.name not in keep:
                    shutil.rmtree(entry)
                elif entry.name == "panel.csv":
                    entry.unlink()
        for name, r in results.items():
            for table, frame in r.quarantine.items():
                write_csv(folder / processed.partition_segment(name) / f"{table}.csv", frame)
        if len(panel_quarantine):
            write_csv(folder / "panel.csv", panel_quarantine)
    except OSError as err:
        mapped = processed.writable_error(folder, err)
        if mapped is None:
            raise
        raise OutputError(
            f"{mapped} (the processed data were published; only the quarantine files are missing)"
        ) from err
    any_rows = any(r.quarantined for r in results.values()) or len(panel_quarantine)
    return folder if any_rows else None
