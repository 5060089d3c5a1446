"""The processed store: where ``jiesu ingest`` publishes tables and how every reader opens them.

One owner for the on-disk layout of ``data/processed`` (ingest writes through it, snapshot reads
through it), so the layout can change without touching analyses.  The layout, the manifest and how to
read a table without jiesu are documented in ``data/processed/README.md`` (rendered from
:mod:`jiesu.contract`); in short::

    processed/current -> gen-<UTC time>-<pid>-<random>/      (a symbolic link, replaced atomically)
    processed/gen-…/manifest.json
    processed/gen-…/<table>/community=<name>/part-0.parquet   (partitioned tables)
    processed/gen-…/panel/part-0.parquet                      (area tables)

Readers
    :func:`read_table`, :func:`has_table`, :func:`communities`, :func:`default_community`,
    :func:`read_manifest`, :func:`community_manifest`, :func:`table_version`.  Every table read is
    checked against the manifest (file size and row count); a mismatched or half-written set raises
    :class:`jiesu.errors.StoreError` naming the command that rebuilds it.
Writer
    :func:`new_generation` (a staging folder that becomes a generation in :meth:`Generation.commit`),
    :func:`clean` (what failed or killed runs left), :func:`verify` (full hash check).  The writer
    expects its caller to hold the folder's lock (:mod:`jiesu.locks`).

Why a symbolic link: switching one link with ``os.replace`` publishes every table at once, and a plain
``pd.read_parquet("processed/current/…")`` works without jiesu.  Generations are never modified after
commit, so a reader that resolved ``current`` keeps a consistent set; the previous generation is kept
for readers still on it, older ones are removed by the next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa

from jiesu.contract import CURRENT, PROCESSED, SCHEMA_VERSION
from jiesu.errors import MissingDataError, OutputError, StoreError, output_error
from jiesu.locks import process_alive
from jiesu.storage import file_sha256

LAYOUT = "jiesu-processed/2"
MANIFEST = "manifest.json"
GENERATION_PREFIX = "gen-"
STAGING_PREFIX = ".staging-"
OWNER_FILE = ".owner.json"
PART_FILE = "part-0.parquet"
FAULT_ENV = "JIESU_FAULT_PAUSE_WRITE"
"""Test hook: when set to a path, the writer creates that file after its first table and then sleeps
(up to 120 s), so fault tests can kill a run in the middle of its write phase."""

_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}(?:\.tmp|\.parquet|\.json)$")  # storage.atomic_path leftovers
_UNSAFE_SEGMENT = re.compile(r"[%/\\=\x00-\x1f\x7f]")


# ---------------------------------------------------------------- naming and messages


def ingest_command(processed_dir: str | os.PathLike) -> str:
    """The command that (re)builds ``processed_dir``: ``jiesu ingest --data-dir DIR`` when it is
    ``DIR/processed``, else ``jiesu ingest --raw RAW_DIR --out <processed_dir>``."""
    where = Path(os.path.abspath(processed_dir))
    if where.name == "processed":
        return f"jiesu ingest --data-dir {where.parent}"
    return f"jiesu ingest --raw RAW_DIR --out {where}"


def partition_segment(community: str) -> str:
    """The folder name of a community's partition: ``community=<name>``, with ``%``, ``/``, ``\\``, ``=``
    and control characters percent-encoded (hive style, which pyarrow decodes)."""
    encoded = _UNSAFE_SEGMENT.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), community)
    return f"community={encoded}"


def table_file(name: str, community: str | None) -> str:
    """Path of table ``name``'s file for ``community`` inside a generation (``None`` for area tables)."""
    table = PROCESSED[name]
    folder = table.path.split("/", 1)[1]
    if not table.partitioned:
        return f"{folder}/{PART_FILE}"
    if community is None:
        raise ValueError(f"table {name!r} is partitioned by community: name one")
    return f"{folder}/{partition_segment(community)}/{PART_FILE}"


# ---------------------------------------------------------------- reading


def generation(processed_dir: str | os.PathLike) -> Path:
    """The generation ``current`` names (a folder holding ``manifest.json``).

    Raises :class:`MissingDataError` when nothing was ingested yet, :class:`StoreError` for a layout
    that cannot be read (dangling link, old flat layout, missing manifest).
    """
    root = Path(processed_dir)
    link = root / CURRENT
    fix = ingest_command(root)
    if link.is_symlink():
        target = root / os.readlink(link)
        if not target.is_dir():
            raise StoreError(
                f"{link} 指向不存在的版本 points to a missing generation ({target.name}): run `{fix}`"
            )
    elif link.is_dir():  # a copy of a store (e.g. shutil.copytree) turns the link into a folder
        target = link
    elif (root / MANIFEST).exists():
        raise StoreError(
            f"{root} 是旧的单层格式 holds processed data in the old flat layout (schema 1): run `{fix}` to rebuild it"
        )
    else:
        raise MissingDataError(f"{root} 还没有处理后的数据 has no processed data yet: run `{fix}` first")
    if not (target / MANIFEST).is_file():
        raise StoreError(
            f"{target} 没有清单 has no {MANIFEST} (a half-written set): run `{fix}` to rebuild it"
        )
    return target


def _load_json(path: Path) -> dict:
    stat = path.stat()
    return _load_json_cached(str(path), stat.st_mtime_ns, stat.st_size)


_JSON_CACHE: dict[tuple, dict] = {}


def _load_json_cached(path: str, mtime_ns: int, size: int) -> dict:
    key = (path, mtime_ns, size)
    if key not in _JSON_CACHE:
        if len(_JSON_CACHE) > 64:
            _JSON_CACHE.clear()
        try:
            _JSON_CACHE[key] = json.loads(Path(path).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            root = Path(path).parent.parent
            raise StoreError(
                f"{path} 无法解析 is not valid JSON ({err}): run `{ingest_command(root)}`"
            ) from err
    return _JSON_CACHE[key]


def read_manifest(processed_dir: str | os.PathLike) -> dict:
    """The manifest of the current generation, or ``{}`` when nothing was ingested.

    A store in the old flat layout (schema 1) returns its flat ``manifest.json`` so callers can see
    what is there; its tables are not readable (:func:`read_table` says how to rebuild them).
    """
    root = Path(processed_dir)
    try:
        return _load_json(generation(root) / MANIFEST)
    except MissingDataError:
        return {}
    except StoreError:
        flat = root / MANIFEST
        if flat.is_file() and not (root / CURRENT).exists():
            try:
                return json.loads(flat.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                return {}
        raise


def communities(processed_dir: str | os.PathLike) -> list[str]:
    """Names of the communities in the store, sorted (``[]`` when nothing was ingested)."""
    return sorted(read_manifest(processed_dir).get("communities", {}))


def default_community(processed_dir: str | os.PathLike) -> str | None:
    """The community of the top level of the raw folder (what readers open by default), or ``None``."""
    manifest = read_manifest(processed_dir)
    return manifest.get("default_community") or manifest.get("community")


def community_manifest(processed_dir: str | os.PathLike, community: str | None = None) -> dict:
    """The manifest as seen by one community: the store-wide fields, plus ``community``, ``raw_dir``,
    ``synthetic`` and ``linkage`` of that community and its ``inputs``, ``outputs`` and ``quarantined``
    merged with those of the area tables.  ``{}`` when nothing was ingested or the community is absent.
    """
    manifest = read_manifest(processed_dir)
    if "communities" not in manifest:
        return manifest  # schema-1 flat manifest (or {})
    name = community or manifest.get("default_community")
    own = manifest["communities"].get(name)
    if own is None:
        return {}
    area = manifest.get("area", {})
    view = {key: value for key, value in manifest.items() if key not in ("communities", "area")}
    view.update({key: own.get(key) for key in ("raw_dir", "synthetic", "linkage", "rebuilt")})
    view["community"] = name
    for part in ("inputs", "outputs", "quarantined"):
        view[part] = {**own.get(part, {}), **area.get(part, {})}
    return view


def _entry(manifest: dict, name: str, community: str | None, root: Path) -> tuple[dict, str | None]:
    if name not in PROCESSED:
        raise KeyError(f"unknown processed table {name!r}; known: {', '.join(PROCESSED)}")
    if not PROCESSED[name].partitioned:
        entry = manifest.get("area", {}).get("outputs", {}).get(name)
        return entry, None
    community = community or manifest.get("default_community")
    own = manifest.get("communities", {}).get(community)
    if own is None:
        known = "、".join(sorted(manifest.get("communities", {}))) or "none"
        raise MissingDataError(
            f"{root} 没有社区 has no community '{community}' (it has: {known}): add its raw files under "
            f"raw/communities/{community}/ and run `{ingest_command(root)}`"
        )
    return own.get("outputs", {}).get(name), community


def has_table(processed_dir: str | os.PathLike, name: str, community: str | None = None) -> bool:
    """Whether the current generation holds table ``name`` (for ``community``; default: the store's default)."""
    try:
        manifest = _load_json(generation(processed_dir) / MANIFEST)
        entry, _ = _entry(manifest, name, community, Path(processed_dir))
    except (MissingDataError, StoreError):
        return False
    return entry is not None


def table_rows(processed_dir: str | os.PathLike, name: str, community: str | None = None) -> int:
    """Rows of table ``name`` according to the manifest (0 when absent), without reading it."""
    try:
        manifest = _load_json(generation(processed_dir) / MANIFEST)
        entry, _ = _entry(manifest, name, community, Path(processed_dir))
    except (MissingDataError, StoreError):
        return 0
    return int(entry["rows"]) if entry else 0


def table_version(processed_dir: str | os.PathLike, name: str, community: str | None = None) -> str:
    """A key that changes whenever table ``name`` of ``community`` changes: ``<generation>:<sha256>``.

    Use it to key caches derived from one table (tokenized chats of one community, ...)."""
    gen = generation(processed_dir)
    entry, _ = _entry(_load_json(gen / MANIFEST), name, community, Path(processed_dir))
    if entry is None:
        raise MissingDataError(f"{gen} has no table '{name}': run `{ingest_command(processed_dir)}`")
    return f"{gen.name}:{entry['sha256']}"


def read_table(
    processed_dir: str | os.PathLike, name: str, community: str | None = None, *, columns=None
) -> pd.DataFrame:
    """Processed table ``name`` (of ``community`` for partitioned tables; default: the store's default
    community), checked against the manifest.

    Raises :class:`MissingDataError` (naming the command that makes it) when it is absent and
    :class:`StoreError` when the file does not match the manifest.  A generation replaced while it is
    being read is resolved again once.
    """
    root = Path(processed_dir)
    for attempt in (0, 1):
        gen = generation(root)
        entry, community = _entry(_load_json(gen / MANIFEST), name, community, root)
        if entry is None:
            where = f" for community '{community}'" if community else ""
            raise MissingDataError(
                f"{gen} 没有表 has no table '{name}'{where}: run `{ingest_command(root)}` first"
            )
        path = gen / entry["file"]
        try:
            size = path.stat().st_size
            if size != entry["bytes"]:
                raise StoreError(
                    f"{path} 与清单不符 does not match the manifest ({size} bytes, manifest says "
                    f"{entry['bytes']}): run `{ingest_command(root)}` to rebuild it"
                )
            frame = pd.read_parquet(path, columns=columns)
        except FileNotFoundError:
            if attempt == 0 and (root / CURRENT).is_symlink() and generation(root) != gen:
                continue  # an ingest switched generations under us: read the new one
            raise StoreError(
                f"{path} 缺失 is missing (a half set): run `{ingest_command(root)}` to rebuild it"
            ) from None
        except (pa.ArrowException, OSError, ValueError) as err:  # same size, other bytes: not Parquet
            raise StoreError(
                f"{path} 无法读取 cannot be read as Parquet ({type(err).__name__}): run "
                f"`{ingest_command(root)}` to rebuild it"
            ) from err
        if len(frame) != entry["rows"]:
            raise StoreError(
                f"{path} 与清单不符 does not match the manifest ({len(frame)} rows, manifest says "
                f"{entry['rows']}): run `{ingest_command(root)}` to rebuild it"
            )
        return frame
    raise AssertionError("unreachable")  # pragma: no cover


def verify(processed_dir: str | os.PathLike) -> list[str]:
    """Problems of the current generation by full hash check (``[]`` when every file is intact)."""
    gen = generation(processed_dir)
    manifest = _load_json(gen / MANIFEST)
    problems = []
    for part in [*manifest.get("communities", {}).values(), manifest.get("area", {})]:
        for name, entry in part.get("outputs", {}).items():
            path = gen / entry["file"]
            if not path.is_file():
                problems.append(f"{name}: {entry['file']} is missing")
            elif path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
                problems.append(f"{name}: {entry['file']} does not match its hash")
    return problems


# ---------------------------------------------------------------- writing


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


_WRITTEN = [0]  # tables written by this process (the fault hook fires after the first)


def _fault_pause() -> None:
    signal_file = os.environ.get(FAULT_ENV)
    if signal_file:
        Path(signal_file).write_text(str(os.getpid()), encoding="ascii")
        time.sleep(120)


def write_partition(
    staging: str | os.PathLike, name: str, frame: pd.DataFrame, community: str | None
) -> dict:
    """Write table ``name`` (of ``community`` for partitioned tables) into a staging folder; returns its
    manifest entry (``file``, ``rows``, ``bytes``, ``sha256``).  Worker processes write their own
    community's partitions with it; only :meth:`Generation.commit` publishes them."""
    relative = table_file(name, community)
    path = Path(staging) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    _WRITTEN[0] += 1
    if _WRITTEN[0] == 1:
        _fault_pause()
    return {"file": relative, "rows": len(frame), "bytes": path.stat().st_size, "sha256": file_sha256(path)}


class Generation:
    """A generation being written (a staging folder); build with :func:`new_generation`."""

    def __init__(self, root: Path, fix: str):
        self.root = root
        self.fix = fix
        self.name = f"{GENERATION_PREFIX}{_stamp()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.staging = root / f"{STAGING_PREFIX}{self.name}"

    def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir()
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": _stamp()}
        (self.staging / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")

    def write_table(self, name: str, frame: pd.DataFrame, community: str | None = None) -> dict:
        """Write one table (one community's partition, or an area table); returns its manifest entry."""
        return write_partition(self.staging, name, frame, community)

    def carry_over(self, name: str, community: str, source: Path, entry: dict) -> dict:
        """Bring one unchanged partition over from generation ``source``: a hard link (a copy across
        file systems); returns its manifest entry (unchanged)."""
        src, dst = source / entry["file"], self.staging / entry["file"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        if dst.stat().st_size != entry["bytes"]:
            raise StoreError(f"{src} changed since it was written: run `{self.fix}` after removing {source}")
        return dict(entry)

    def commit(self, manifest: dict) -> Path:
        """Write the manifest, rename the staging folder to its generation name and switch ``current``
        to it in one atomic step; returns the generation folder."""
        previous = _current_name(self.root)
        manifest = {
            **manifest,
            "layout": LAYOUT,
            "schema_version": SCHEMA_VERSION,
            "generation": self.name,
            "previous_generation": previous,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
        with open(self.staging / MANIFEST, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        (self.staging / OWNER_FILE).unlink()
        final = self.root / self.name
        os.replace(self.staging, final)
        copied = self.root / CURRENT
        if copied.is_dir() and not copied.is_symlink():  # a copied store: keep its folder as a generation
            os.replace(copied, self.root / f"{GENERATION_PREFIX}{_stamp()}-copied")
        link = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(self.name, link)
        os.replace(link, self.root / CURRENT)  # the switch: readers see the old set or the new one
        _fsync_dir(self.root)
        return final

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _current_name(root: Path) -> str | None:
    link = root / CURRENT
    return os.readlink(link) if link.is_symlink() else None


@contextlib.contextmanager
def new_generation(processed_dir: str | os.PathLike, *, fix: str | None = None) -> Iterator[Generation]:
    """``with new_generation(dir) as gen:`` write tables, then ``gen.commit(manifest)``.

    Leaving the block without committing (an exception) removes the staging folder; an ``OSError``
    that means "read-only", "no permission" or "disk full" becomes :class:`OutputError` naming the
    folder and ``fix`` (default: :func:`ingest_command`).  Nothing readers see changes before commit.
    """
    root = Path(processed_dir)
    gen = Generation(root, fix or ingest_command(root))
    try:
        gen._start()
        yield gen
    except OSError as err:
        gen.abort()
        mapped = output_error(err, root, gen.fix)
        if mapped is None:
            raise
        raise mapped from err
    except BaseException:
        gen.abort()
        raise
    else:
        if gen.staging.exists():  # the block did not commit
            gen.abort()


def clean(processed_dir: str | os.PathLike) -> list[str]:
    """Remove what failed or killed runs left in ``processed_dir``; returns the names removed.

    Removed: staging folders whose owner process is gone (or whose owner file is unreadable),
    stray ``.current-*`` links, temporary files of :mod:`jiesu.storage`, every generation other than
    ``current`` and the one before it, and the files of the old flat layout once ``current`` exists.
    The caller holds the folder's lock, so no other writer is at work.
    """
    root = Path(processed_dir)
    if not root.is_dir():
        return []
    current = _current_name(root)
    keep = {current}
    if current and (root / current / MANIFEST).is_file():
        with contextlib.suppress(OSError, ValueError):
            keep.add(
                json.loads((root / current / MANIFEST).read_text(encoding="utf-8")).get("previous_generation")
            )
    removed = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith(STAGING_PREFIX) and entry.is_dir():
            try:
                owner = json.loads((entry / OWNER_FILE).read_text(encoding="utf-8"))
                alive = process_alive(int(owner["pid"]), str(owner["host"]))
            except (OSError, ValueError, KeyError):
                alive = False
            if alive and owner["pid"] != os.getpid():
                continue
            shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(GENERATION_PREFIX) and entry.is_dir() and not entry.is_symlink():
            if current is None or name in keep:
                continue
            shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(f".{CURRENT}-") and entry.is_symlink():
            entry.unlink()
        elif _TEMP_FILE.match(name) and entry.is_file():
            entry.unlink()
        else:
            continue
        removed.append(name)
    if current is not None:
        removed += _remove_flat_layout(root)
    return removed


def _remove_flat_layout(root: Path) -> list[str]:
    """Remove a schema-1 store's files (its flat manifest and the tables it lists)."""
    flat = root / MANIFEST
    if not flat.is_file():
        return []
    try:
        outputs = json.loads(flat.read_text(encoding="utf-8")).get("outputs", {})
    except (ValueError, UnicodeDecodeError):
        outputs = {}
    removed = []
    for entry in outputs.values():
        name = Path(str(entry.get("file", ""))).name
        if name.endswith(".parquet") and (root / name).is_file():
            (root / name).unlink()
            removed.append(name)
    flat.unlink()
    return [*removed, MANIFEST]


def writable_error(processed_dir: str | os.PathLike, err: OSError) -> OutputError | None:
    """:func:`jiesu.errors.output_error` for ``processed_dir`` with its ingest command as the fix."""
    return output_error(err, processed_dir, ingest_command(processed_dir))
