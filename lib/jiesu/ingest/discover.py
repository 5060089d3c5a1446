"""Finding the inputs of a raw folder: its communities, each community's contract files, the area panel.

Layout (see ``data/raw/README.md``): the files at the top level of ``raw/`` are one community, named by
the 社区 of its ``buildings.csv``; ``raw/communities/<name>/`` hold further communities with the same
files; ``area_panel.csv`` lives at the top level only (an identical copy inside a community folder is
accepted and ignored, a different one is an error).  Each table comes as ``.csv`` or ``.xlsx``, the chat
exports as any number of ``wechatmsg_*.csv``; ``planted_*`` files are recorded, never read as data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jiesu.contract import RAW
from jiesu.errors import DataError, MissingDataError
from jiesu.ingest.readers import check_readable, read_raw
from jiesu.ingest.validation import match_headers
from jiesu.storage import file_sha256

COMMUNITIES_DIR = "communities"
PLANTED_PREFIX = "planted_"
PLANTED_TRUTH = "planted_truth.json"
WECHATMSG_PATTERN = "wechatmsg_*.csv"
AREA_TABLES = ("panel",)
COMMUNITY_TABLES = tuple(key for key in RAW if key not in AREA_TABLES)


@dataclass(frozen=True)
class CommunityInputs:
    """The raw files of one community: ``files`` per contract table key (``wechatmsg`` may list
    several, or none; every other table exactly one)."""

    name: str
    folder: Path
    relative: str  # "." for the top level, else "communities/<name>"
    files: dict[str, list[Path]]
    planted: list[Path] = field(default_factory=list)

    def label(self, path: Path) -> str:
        """How messages name ``path``: its file name at the top level, else its path below ``raw/``."""
        return path.name if self.relative == "." else f"{self.relative}/{path.name}"

    @property
    def synthetic(self) -> bool:
        return (self.folder / PLANTED_TRUTH).is_file()

    def all_files(self) -> list[Path]:
        return sorted({p for paths in self.files.values() for p in paths} | set(self.planted))


@dataclass(frozen=True)
class RawLayout:
    """Every community of a raw folder (the top-level one first) and the area panel."""

    root: Path
    communities: dict[str, CommunityInputs]
    default: str
    panel: Path


def _exists(path: Path) -> bool:
    return os.path.lexists(path)  # a broken link or a link loop still "exists": it gets its own message


def _table_file(folder: Path, key: str, label_of) -> Path | None:
    table = RAW[key]
    stem = Path(table.file).stem
    present = [p for p in (folder / f"{stem}.csv", folder / f"{stem}.xlsx") if _exists(p)]
    if len(present) > 1:
        raise DataError(
            label_of(present[1]),
            f"同一张表有两个文件 the table also exists as {present[0].name}; keep only one",
        )
    if present:
        check_readable(present[0], label_of(present[0]))
        return present[0]
    return None


def community_files(folder: Path, relative: str) -> dict[str, list[Path]]:
    """The contract files of one community folder; :class:`MissingDataError` for a missing table."""

    def label_of(path: Path) -> str:
        return path.name if relative == "." else f"{relative}/{path.name}"

    found: dict[str, list[Path]] = {}
    for key in COMMUNITY_TABLES:
        if key == "wechatmsg":
            exports = sorted(folder.glob(WECHATMSG_PATTERN))
            for path in exports:
                check_readable(path, label_of(path))
            found[key] = exports
            continue
        path = _table_file(folder, key, label_of)
        if path is None:
            table = RAW[key]
            raise MissingDataError(
                f"{folder / table.file} 缺少文件 missing input file (contract table '{table.zh}'): "
                "see data/raw/README.md"
            )
        found[key] = [path]
    return found


def community_name(buildings: Path) -> str:
    """The community a top-level ``buildings.csv`` names (its first 社区); rule ``one_community`` then
    checks that every row agrees."""
    raw = read_raw(buildings, RAW["buildings"])
    mapping = match_headers(raw, RAW["buildings"])
    column = next(h for h, target in mapping.items() if target == "社区")
    names = [str(v).strip() for v in raw.frame[column] if v is not None and str(v).strip()]
    if not names:
        raise DataError(
            raw.name, "缺少社区名称 no community name in any row", column="社区", rows=raw.rows[:5]
        )
    return names[0]


def discover(raw_dir: str | os.PathLike) -> RawLayout:
    """The communities and the area panel of ``raw_dir`` (see the module docstring)."""
    root = Path(raw_dir)
    if not root.is_dir():
        if _exists(root):
            raise DataError(
                root, "不是目录 is not a folder: the raw folder holds the exports (see data/raw/README.md)"
            )
        raise MissingDataError(
            f"{root} 不存在 does not exist: run `jiesu simulate --out {root}` or put exports there "
            "(see data/raw/README.md)"
        )
    top = community_files(root, ".")
    panel = _table_file(root, "panel", lambda p: p.name)
    if panel is None:
        raise MissingDataError(
            f"{root / RAW['panel'].file} 缺少文件 missing input file (contract table '{RAW['panel'].zh}', "
            "top level only): see data/raw/README.md"
        )
    default = community_name(top["buildings"][0])
    communities = {default: CommunityInputs(default, root, ".", top, _planted(root))}
    peers_root = root / COMMUNITIES_DIR
    if peers_root.is_dir():
        panel_hash = None
        for folder in sorted(p for p in peers_root.iterdir() if p.is_dir()):
            relative = f"{COMMUNITIES_DIR}/{folder.name}"
            if folder.name in communities:
                raise DataError(
                    relative, f"同名社区 the top-level community is also named '{folder.name}': rename one"
                )
            copy = _table_file(folder, "panel", lambda p, r=relative: f"{r}/{p.name}")
            if copy is not None:
                panel_hash = panel_hash or file_sha256(panel)
                if file_sha256(copy) != panel_hash:
                    raise DataError(
                        f"{relative}/{copy.name}",
                        "与顶层面板不同 differs from the top-level area_panel.csv: the area panel is read from the "
                        "top level only; delete this copy or make it identical",
                    )
            files = community_files(folder, relative)
            communities[folder.name] = CommunityInputs(folder.name, folder, relative, files, _planted(folder))
    return RawLayout(root, communities, default, panel)


def _planted(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(f"{PLANTED_PREFIX}*") if p.is_file())
