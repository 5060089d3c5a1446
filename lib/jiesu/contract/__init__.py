"""The data contract: every raw file the workspace reads and every processed table it writes.

This package is the single source of truth.  ``data/raw/README.md`` and ``data/processed/README.md``
are rendered from it (``python -m jiesu.contract``) and a test fails when they drift apart; the
simulator writes exactly these files and the ingest step validates real exports against them.

Raw files carry Chinese headers, as real exports do (``header``); processed tables use the
English ``name``.  A column marked ``personal`` (names, phone numbers, WeChat ids) never leaves
``data/raw``: ingest replaces it with a salted pseudonym.

Besides its columns, every raw table declares its grain (``Table.primary_key``: the columns that
identify a row, checked for duplicates) and its integrity rules (``Table.rules``: comparisons between
columns of one row, and rules that need other tables).  Ingest checks exactly these; the README lists
them.  Processed tables (:data:`PROCESSED`) live in a generation folder of ``data/processed``,
partitioned by community (see :func:`render_processed_markdown`).

Modules: :mod:`~jiesu.contract.schema` (value sets, Column, Rule, Table), :mod:`~jiesu.contract.raw`
(the raw files, their grain and rules), :mod:`~jiesu.contract.processed` (the processed tables),
:mod:`~jiesu.contract.docs` (the READMEs rendered from them).
"""

from jiesu.contract.docs import PLANTED_TRUTH_DOC, render_processed_markdown, render_raw_markdown
from jiesu.contract.processed import CURRENT, PROCESSED, ProcessedTable
from jiesu.contract.raw import PANEL_CASES_TOLERANCE, RAW, REQUESTS_PER_RESIDENT_MAX
from jiesu.contract.schema import (
    AGE_BANDS,
    HOUSING_TYPES,
    MESSAGE_TYPES,
    REQUEST_TYPES,
    RESOLVED_VALUES,
    SATISFIED_VALUES,
    SCHEMA_VERSION,
    TENURES,
    YES_NO,
    Column,
    Rule,
    Table,
    household_key,
)

__all__ = [
    "AGE_BANDS",
    "CURRENT",
    "HOUSING_TYPES",
    "MESSAGE_TYPES",
    "PANEL_CASES_TOLERANCE",
    "PLANTED_TRUTH_DOC",
    "PROCESSED",
    "RAW",
    "REQUESTS_PER_RESIDENT_MAX",
    "REQUEST_TYPES",
    "RESOLVED_VALUES",
    "SATISFIED_VALUES",
    "SCHEMA_VERSION",
    "TENURES",
    "YES_NO",
    "Column",
    "ProcessedTable",
    "Rule",
    "Table",
    "household_key",
    "render_processed_markdown",
    "render_raw_markdown",
]
