"""The building blocks of the contract: value sets, :class:`Column`, :class:`Rule`, :class:`Table`."""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = "2"
"""2: processed data in generations, partitioned by community (1: one flat folder of Parquet files)."""

YES_NO = ("是", "否")
HOUSING_TYPES = ("一居室", "两居室", "三居室")
TENURES = ("自住", "出租", "空置")
AGE_BANDS = ("0-17", "18-34", "35-59", "60-79", "80+")
REQUEST_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
RESOLVED_VALUES = ("解决", "部分解决", "未解决")
SATISFIED_VALUES = ("满意", "基本满意", "不满意", "未评价")
MESSAGE_TYPES = ("文本", "图片", "表情", "语音", "系统")


def household_key(building: int, unit: int, room: int) -> str:
    """The household key ``BB-U-RRR`` that every table uses for a dwelling (room = floor·100 + door).

    >>> household_key(6, 3, 502)
    '06-3-502'
    """
    return f"{building:02d}-{unit}-{room:03d}"


@dataclass(frozen=True)
class Column:
    name: str  # canonical English name (processed tables, code)
    header: str  # Chinese header in raw files ("" for processed-only columns)
    dtype: str  # str | int | float | bool | date | datetime | month
    zh: str  # meaning, Chinese
    en: str  # meaning, English
    unit: str = ""
    allowed: tuple | None = None  # allowed values (categorical) ...
    min: float | None = None  # ... or an inclusive numeric range
    max: float | None = None
    nullable: bool = False
    unique: bool = False
    personal: bool = False  # name / phone / WeChat id: pseudonymized on ingest


@dataclass(frozen=True)
class Rule:
    """One declared integrity rule of a raw table.

    ``scope`` says what the rule needs: ``"row"`` rules compare columns of one row
    (``left op factor·right``; a row where either side is empty is not compared), ``"table"`` rules
    need other tables of the same community (e.g. known buildings), ``"area"`` rules need every
    community (the panel against each community's own cases).  ``code`` is the rule's stable name in
    error messages' quarantine reasons and in the pandera checks.
    """

    code: str
    columns: tuple[str, ...]  # canonical names the rule reads, in the order messages name them
    zh: str
    en: str
    scope: str = "row"
    op: str | None = None  # row rules: "<=" or ">="
    factor: float | None = None  # row rules on counts: right side multiplied by this


@dataclass(frozen=True)
class Table:
    key: str
    file: str  # default file name in data/raw (the simulator's format; ingest accepts .csv or .xlsx)
    zh: str
    en: str
    grain: str  # what one row is
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    primary_key: tuple[str, ...] = ()  # canonical names that identify one row (the declared grain)
    rules: tuple[Rule, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name or col.header == name:
                return col
        raise KeyError(name)

    def header_of(self, names) -> tuple[str, ...]:
        """The raw headers of canonical column ``names``."""
        return tuple(self.column(name).header for name in names)
