"""One community's ingest, from its raw files to its partitions in a staging folder.

:func:`build_community` is the unit of work: it reads and validates the community's files (cross-file
rules included), links and pseudonymizes them (:mod:`jiesu.ingest.build`) and writes one partition per
processed table.  It depends on nothing but its :class:`CommunityTask`, so communities can be built in
parallel worker processes; what it returns (:class:`CommunityResult`) is small and picklable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jiesu import processed
from jiesu.contract import RAW
from jiesu.ingest.build import PARTITIONED, build_tables
from jiesu.ingest.checks import case_counts, merge_chats, table_checks
from jiesu.ingest.discover import CommunityInputs
from jiesu.ingest.linkage import linkage_scores, personal_record_ids
from jiesu.ingest.readers import read_raw
from jiesu.ingest.validation import Validated, validate_table

# cross-file rules need their reference tables first
ORDER = (
    "buildings",
    "groups",
    "memberships",
    "friends",
    "teams",
    "parking_permits",
    "epidemic_registration",
    "visits",
    "cases",
    "messages",
    "wechatmsg",
)


@dataclass(frozen=True)
class CommunityTask:
    """Everything :func:`build_community` needs: the community's inputs, where to write, how."""

    inputs: CommunityInputs
    staging: Path
    salt: bytes
    lenient: bool
    key: str
    hashes: dict[str, str]  # file name → sha256
    today: dt.date | None = None


@dataclass
class CommunityResult:
    """What one community's ingest produced (its partitions are in the staging folder)."""

    name: str
    relative: str
    key: str
    synthetic: bool
    inputs: dict[str, dict]  # file name → {sha256, rows[, ignored_columns]}
    outputs: dict[str, dict]  # table → manifest entry
    counts: pd.DataFrame  # its cases aggregated as the panel counts them
    quarantine: dict[str, pd.DataFrame] = field(default_factory=dict)  # rows set aside (rebuilt only)
    quarantined: dict[str, int] = field(default_factory=dict)  # their counts (also when carried over)
    linkage: dict | None = None
    rebuilt: bool = True

    def rows(self) -> dict[str, int]:
        return {name: int(entry["rows"]) for name, entry in self.outputs.items()}


def read_and_validate(
    inputs: CommunityInputs, *, lenient: bool = False, today: dt.date | None = None, progress: bool = False
) -> tuple[dict[str, Validated], dict[str, dict]]:
    """Read and validate every file of one community, cross-file rules included.

    Returns the validated tables by key (the chat exports merged into ``messages``, column ``source``
    naming the raw file) and, per file name, the rows read and the columns read past.  Raises
    :class:`jiesu.errors.DataError` (strict mode) for the first problem.
    """
    from tqdm import tqdm

    folder_name = None if inputs.relative == "." else inputs.name
    files = [(key, path) for key in ORDER for path in inputs.files.get(key, [])]
    done: dict[str, Validated] = {}
    chat_parts: list[Validated] = []
    read: dict[str, dict] = {}
    labels = {}
    for key, path in tqdm(files, desc="ingest: validate", unit="file", disable=not progress, leave=False):
        label = inputs.label(path)
        labels[path.name] = label
        raw = read_raw(path, RAW[key], label=label)
        checks = table_checks(key, done, folder_name=folder_name)
        validated = validate_table(raw, RAW[key], lenient=lenient, today=today, extra_checks=checks)
        read[path.name] = {"rows": len(raw.frame)}
        if validated.ignored_columns:
            read[path.name]["ignored_columns"] = list(validated.ignored_columns)
        if key == "wechatmsg":
            chat_parts.append(validated)
        else:
            done[key] = validated
    done["messages"] = merge_chats(done["messages"], chat_parts, lenient=lenient, labels=labels)
    return done, read


def build_community(task: CommunityTask, progress: bool = False) -> CommunityResult:
    """Validate, link and pseudonymize one community and write its partitions into ``task.staging``."""
    inputs = task.inputs
    tables, read = read_and_validate(inputs, lenient=task.lenient, today=task.today, progress=progress)
    built = build_tables(tables, task.salt, inputs.name)
    outputs = {
        name: processed.write_partition(task.staging, name, built[name], inputs.name) for name in PARTITIONED
    }
    scores = None
    planted_links = inputs.folder / "planted_linkage.csv"
    if planted_links.is_file():
        planted = pd.read_csv(planted_links, dtype=str, keep_default_na=False)
        scores = linkage_scores(built["record_links"], planted, record_ids=personal_record_ids(task.salt))
    entries = {name: {"sha256": digest, "rows": None} for name, digest in task.hashes.items()}
    quarantine = {key: v.quarantine for key, v in tables.items() if len(v.quarantine)}
    for name, facts in read.items():
        entries[name].update(facts)
    return CommunityResult(
        name=inputs.name,
        relative=inputs.relative,
        key=task.key,
        synthetic=inputs.synthetic,
        inputs=entries,
        outputs=outputs,
        counts=case_counts(built["cases"]),
        quarantine=quarantine,
        quarantined={key: len(frame) for key, frame in quarantine.items()},
        linkage=scores,
    )
