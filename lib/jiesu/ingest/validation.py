"""Validating raw tables against the data contract with pandera.

The pandera schemas are *built from* :data:`jiesu.contract.RAW` (one source of truth): each contract
column becomes a ``pa.Column`` with its nullability, uniqueness, allowed values and numeric range,
plus two checks every export needs: no date in the future, and no cell longer than Excel's limit
of 32,767 characters.  Validation runs in three steps:

1. headers: every contract header present (an unknown header close to a missing one gets a
   "did you mean" hint); extra columns are ignored;
2. typing: cells are parsed into the contract dtypes (messy dates, full-width digits, Excel
   numbers); a cell that does not parse is a problem of its own;
3. pandera, lazily, so that all problems are collected at once.

Every problem names the file, the column and the first offending rows (1-based, as in Excel).
Strict mode raises the first problem as :class:`jiesu.errors.DataError`; lenient mode sets the bad
rows aside with their reasons (see :func:`validate_table`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process

from jiesu.chinese import to_halfwidth, to_halfwidth_series, to_simplified, to_simplified_series
from jiesu.contract import Column, Rule, Table
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_dates
from jiesu.ingest.readers import RawTable

MAX_CELL_CHARS = 32767  # Excel's hard limit on characters in one cell
ROW_COLUMN = "_row"  # 1-based file row kept beside the data for provenance and quarantine
Finding = tuple[int, "str | tuple[str, ...]", str]
"""One problem found: (position of the row, canonical column name or names, message)."""


@dataclass(frozen=True)
class Problem:
    """One contract violation: where it is and what is wrong (``rows`` are 1-based file rows)."""

    file: str
    column: str | tuple[str, ...] | None
    message: str
    rows: tuple[int, ...] = ()

    def error(self, more: int = 0) -> DataError:
        suffix = f"（另有 {more} 处问题 and {more} more problems）" if more else ""
        return DataError(self.file, self.message + suffix, column=self.column, rows=self.rows)


@dataclass
class Validated:
    """A validated table: ``frame`` has the contract's canonical column names and dtypes plus
    ``_row``; ``quarantine`` holds the rows set aside in lenient mode (raw cells + ``reasons``);
    ``ignored_columns`` lists extra headers the contract does not know (they are not read)."""

    table: Table
    file: str
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()  # headers outside the contract, read past (and reported)


# ---------------------------------------------------------------- headers


def match_headers(raw: RawTable, table: Table) -> dict[str, str]:
    """Map the file's headers to contract headers; raise :class:`DataError` for a missing column.

    A header equal to the contract's Chinese header (also written in Traditional script or with
    full-width characters) or to its English ``name`` is accepted.  For a
    missing header the closest unknown header (rapidfuzz similarity) is suggested.
    """
    by_name = {c.name: c.header for c in table.columns}
    mapping: dict[str, str] = {}
    for header in raw.frame.columns:
        text = re.sub(r"\s+", "", to_simplified(to_halfwidth(str(header))))  # 登記編號 / 住 址 as written
        target = text if text in table.headers else by_name.get(text)
        if target is None:
            continue
        if target in mapping.values():  # two spellings of one column: which holds the data is unknowable
            first = next(h for h, t in mapping.items() if t == target)
            raise DataError(
                raw.name,
                f"表头重复 duplicate header: '{first}' and '{header}' are both the column '{target}': keep one of them",
                column=target,
                rows=[raw.header_line],
            )
        mapping[header] = target
    missing = [h for h in table.headers if h not in mapping.values()]
    if not missing:
        return mapping
    unknown = [str(h) for h in raw.frame.columns if h not in mapping]
    header = missing[0]
    guess = _closest(header, unknown, exclusive=len(missing) == 1 and len(unknown) == 1)
    if guess is not None:
        raise DataError(
            raw.name,
            f"未知列 '{guess}' unknown column: 你是不是指 did you mean '{header}'? "
            f"（缺少必需列 missing required column '{header}'）",
            column=guess,
        )
    raise DataError(raw.name, f"缺少必需列 missing required column '{header}'", column=header)


def _closest(header: str, candidates: list[str], *, exclusive: bool) -> str | None:
    if not candidates:
        return None
    if exclusive:  # one column missing, one unexpected: that is the rename
        return candidates[0]
    best = process.extractOne(header, candidates, scorer=fuzz.ratio, score_cutoff=45)
    return best[0] if best else None


# ---------------------------------------------------------------- typing


def _as_text(values: pd.Series) -> pd.Series:
    """Cells → trimmed strings; Excel numbers that are whole (phone 13812345678.0) lose the ``.0``."""

    def one(value):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (dt.datetime, pd.Timestamp)):
            return value.isoformat(sep=" ")
        text = str(value).strip()
        return text or None

    cells = values.tolist()
    if {type(v) for v in cells} <= {str, type(None)}:  # CSV: already text, vectorize
        text = pd.Series(cells, index=values.index, dtype="string").str.strip()
        return text.mask(text.eq(""))
    return pd.Series([one(v) for v in cells], index=values.index, dtype="string")


def coerce_column(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    """Parse raw cells into the column's contract dtype.

    Returns ``(typed, failed, message)``: ``failed`` marks non-empty cells that do not parse,
    ``message`` says what was expected.
    """
    text = _as_text(values)
    present = text.notna()
    if column.dtype in ("int", "float"):
        numbers = pd.to_numeric(to_halfwidth_series(text).str.replace(",", "", regex=False), errors="coerce")
        if column.dtype == "int":
            whole = numbers.notna() & (numbers % 1 == 0)
            typed = numbers.where(whole).astype("Int64")
            return typed, present & ~whole, "不是整数 not an integer"
        return numbers.astype("Float64"), present & numbers.isna(), "不是数字 not a number"
    if column.dtype in ("date", "datetime"):
        typed = parse_dates(values.where(present.to_numpy(), None))
        if column.dtype == "date":
            typed = typed.dt.normalize()
        return typed, present & typed.isna(), "无法解析的日期 unparseable date"
    if column.dtype == "month":
        normal = to_halfwidth_series(text).str.replace(r"^(\d{4})[年/.\-](\d{1,2})月?$", r"\1-\2", regex=True)
        parsed = pd.to_datetime(normal, format="%Y-%m", errors="coerce")
        typed = parsed.dt.strftime("%Y-%m").astype("string")
        return typed, present & parsed.isna(), "无法解析的月份 unparseable month (expected YYYY-MM)"
    if column.allowed is not None:  # categories typed in Traditional or full-width still count
        text = to_simplified_series(to_halfwidth_series(text))
    return text, pd.Series(False, index=values.index), ""


# ---------------------------------------------------------------- the pandera schema

_CHECK_MESSAGES = {
    "not_nullable": "缺少必填值 missing required value",
    "field_uniqueness": "重复的编号 duplicate id (must be unique)",
    "allowed": "不在允许值内 not an allowed value",
    "minimum": "小于最小值 below minimum",
    "maximum": "大于最大值 above maximum",
    "no_future_date": "日期在未来 date in the future",
    "cell_length": f"单元格过长 cell longer than {MAX_CELL_CHARS} characters (Excel's limit)",
}


def _rule_check(rule: Rule) -> pa.Check:
    """A row rule as a dataframe-wide pandera check (a row with either side empty passes)."""
    left, right = rule.columns

    def check(frame: pd.DataFrame) -> pd.Series:
        a, b = frame[left], frame[right]
        if rule.factor is not None:
            b = b.astype("Float64") * rule.factor
        holds = (a <= b) if rule.op == "<=" else (a >= b)
        return (holds | a.isna() | b.isna()).fillna(True).astype(bool)

    return pa.Check(check, name=rule.code)


def schema_for(table: Table, *, today: dt.date | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a contract table, over canonical column names and parsed dtypes: each
    column's checks, the grain (``primary_key``: ``unique`` on one column, the schema's ``unique`` on
    several) and every row rule of the contract as a named dataframe check.

    ``today`` (default: the current date in Beijing) bounds every date and datetime column.
    """
    today = today or pd.Timestamp.now(tz="Asia/Shanghai").date()
    latest = pd.Timestamp(today) + pd.Timedelta(days=1)  # end of today
    single_key = table.primary_key[0] if len(table.primary_key) == 1 else None
    columns = {}
    for column in table.columns:
        checks = []
        if column.allowed is not None:
            checks.append(pa.Check(lambda s, allowed=column.allowed: s.isin(allowed), name="allowed"))
        if column.min is not None:
            checks.append(pa.Check(lambda s, low=column.min: s >= low, name="minimum"))
        if column.max is not None:
            checks.append(pa.Check(lambda s, high=column.max: s <= high, name="maximum"))
        if column.dtype in ("date", "datetime"):
            checks.append(pa.Check(lambda s: s < latest, name="no_future_date"))
        if column.dtype == "str":
            checks.append(pa.Check(lambda s: s.str.len() <= MAX_CELL_CHARS, name="cell_length"))
        columns[column.name] = pa.Column(
            nullable=column.nullable,
            unique=column.unique or column.name == single_key,
            report_duplicates="exclude_first",
            checks=checks,
            required=True,
        )
    return pa.DataFrameSchema(
        columns,
        name=table.key,
        strict=False,
        unique=list(table.primary_key) if len(table.primary_key) > 1 else None,
        report_duplicates="exclude_first",
        checks=[_rule_check(rule) for rule in table.rules if rule.scope == "row"],
    )


def _shown(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rule_message(rule: Rule, table: Table, row: pd.Series) -> str:
    """``响应量不能大于诉求量 responded must not exceed requests: 响应量 5 > 诉求量 2``."""
    (left, right), (lh, rh) = rule.columns, table.header_of(rule.columns)
    broken = ">" if rule.op == "<=" else "<"
    shown_right = f"{rh} {_shown(row[right])}"
    if rule.factor is not None:
        shown_right = f"{rule.factor:g} × {shown_right} = {_shown(round(float(row[right]) * rule.factor, 2))}"
    return f"{rule.zh} {rule.en}: {lh} {_shown(row[left])} {broken} {shown_right}"


def _duplicate_message(table: Table, frame: pd.DataFrame, positions: list[int]) -> dict[int, str]:
    """For each duplicated row: ``重复的行 duplicate row: 群编号 × 微信号 = 'g1', 'w1' (first on row 3)``."""
    keys = list(table.primary_key)
    first = frame.loc[~frame.duplicated(keys, keep="first"), keys].reset_index()
    first = first.merge(frame.loc[positions, keys].reset_index(), on=keys, suffixes=("_first", ""))
    where = dict(zip(first["index"], first["index_first"], strict=True))
    headers = " × ".join(table.header_of(keys))
    return {
        i: f"重复的行 duplicate row: {headers} = "
        + ", ".join(f"'{_shown(frame.at[i, k])}'" for k in keys)
        + f" (first on row {{row:{where[i]}}})"
        for i in positions
    }


def _schema_problems(frame: pd.DataFrame, table: Table, raw: RawTable, today) -> list[Finding]:
    """``(position, column name(s), message)`` for every failing cell or row, from pandera's lazy report."""
    try:
        schema_for(table, today=today).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    cases = cases[cases["index"].notna()]
    rules = {rule.code: rule for rule in table.rules}
    found: list[Finding] = []
    rows_by_check = {check: sorted({int(i) for i in part["index"]}) for check, part in cases.groupby("check")}
    if "multiple_fields_uniqueness" in rows_by_check:
        messages = _duplicate_message(table, frame, rows_by_check["multiple_fields_uniqueness"])
        found += [(i, tuple(table.primary_key), _fill_rows(m, raw)) for i, m in messages.items()]
    for code, positions in rows_by_check.items():
        if code in rules:
            found += [
                (i, rules[code].columns, _rule_message(rules[code], table, frame.loc[i])) for i in positions
            ]
    for case in cases.itertuples(index=False):
        if case.check in rules or case.check == "multiple_fields_uniqueness":
            continue
        column = table.column(case.column)
        message = _CHECK_MESSAGES.get(case.check, str(case.check))
        if case.check == "allowed":
            message += f" '{case.failure_case}' (允许 allowed: {'、'.join(map(str, column.allowed))})"
        elif case.check in ("minimum", "maximum"):
            bound = column.min if case.check == "minimum" else column.max
            message += f" {bound:g}: {case.failure_case}"
        elif case.check in ("field_uniqueness", "no_future_date"):
            message += f": '{case.failure_case}'"
        found.append((int(case.index), column.name, message))
    return found


def _fill_rows(message: str, raw: RawTable) -> str:
    """Replace ``{row:<position>}`` placeholders by file row numbers."""
    return re.sub(r"\{row:(\d+)\}", lambda m: str(raw.file_row(int(m.group(1)))), message)


# ---------------------------------------------------------------- validate a table


def validate_table(
    raw: RawTable, table: Table, *, lenient: bool = False, today: dt.date | None = None, extra_checks=None
) -> Validated:
    """Validate one raw table against its contract.

    Parameters
    ----------
    raw : cells as read by :mod:`jiesu.ingest.readers`.
    table : the contract table.
    lenient : if True, rows with problems are set aside (``Validated.quarantine``, with reasons)
        instead of raising; problems that concern the whole file (missing column) still raise.
    today : the date after which a date counts as "in the future" (default: today in Beijing).
    extra_checks : optional callable ``frame -> list[(position, column name, message)]`` for rules
        that need other tables (e.g. unknown buildings).

    Returns
    -------
    :class:`Validated` with the good rows, typed, under canonical names (plus ``_row``).

    Raises
    ------
    DataError : in strict mode, for the first problem (file, column, first offending rows).
    """
    mapping = match_headers(raw, table)
    ignored = tuple(str(h) for h in raw.frame.columns if h not in mapping)
    source = raw.frame.rename(columns=mapping)
    typed = pd.DataFrame(index=source.index)
    found: list[Finding] = []
    for column in table.columns:
        values, failed, message = coerce_column(source[column.header], column)
        typed[column.name] = values
        if failed.any():
            shown = _as_text(source[column.header])
            found += [
                (int(i), column.name, f"{message}: '{_short(shown.loc[i])}'") for i in failed[failed].index
            ]
    parse_failed = {(i, name) for i, name, _ in found}
    found += [p for p in _schema_problems(typed, table, raw, today) if (p[0], p[1]) not in parse_failed]
    if extra_checks is not None:
        found += extra_checks(typed)
    typed[ROW_COLUMN] = raw.rows if raw.rows is not None else [raw.file_row(i) for i in range(len(typed))]
    problems = _group(found, table, raw)
    if not problems:
        return Validated(table, raw.path.name, typed, _empty_quarantine(source), [], ignored)
    if not lenient:
        raise problems[0].error(more=len(problems) - 1)
    return quarantined(raw, table, source, typed, found, problems, ignored)


def quarantined(raw, table, source, typed, found, problems, ignored) -> Validated:
    """Lenient mode: the rows of ``found`` set aside (raw cells + ``file``, ``row``, ``reasons``)."""
    bad = sorted({i for i, _, _ in found})
    reasons = pd.Series("", index=typed.index, dtype="string")
    for i, name, message in found:
        reasons.loc[i] = (
            reasons.loc[i] + "; " if reasons.loc[i] else ""
        ) + f"{_headers(table, name)}: {message}"
    quarantine = source.loc[bad].copy()
    quarantine.insert(0, "reasons", reasons.loc[bad])
    quarantine.insert(0, "row", [raw.file_row(i) for i in bad])
    quarantine.insert(0, "file", raw.name)
    good = typed.drop(index=bad)
    return Validated(table, raw.path.name, good, quarantine, problems, ignored)


def _headers(table: Table, name) -> str:
    names = (name,) if isinstance(name, str) else name
    return ", ".join(table.header_of(names))


def _group(found: list[Finding], table: Table, raw: RawTable) -> list[Problem]:
    """One problem per (column(s), message kind), in column order, with its first rows."""
    order = {c.name: k for k, c in enumerate(table.columns)}

    def first(name) -> int:
        return order.get(name if isinstance(name, str) else name[0], 99)

    groups: dict[tuple, list[int]] = {}
    messages: dict[tuple, str] = {}
    for position, name, message in sorted(found, key=lambda p: (first(p[1]), p[0])):
        kind = message.split(":")[0].split("'")[0].strip()
        key = (name, kind)
        groups.setdefault(key, []).append(raw.file_row(position))
        messages.setdefault(key, message)
    return [
        Problem(
            raw.name,
            table.column(name).header if isinstance(name, str) else table.header_of(name),
            messages[(name, kind)],
            tuple(rows[:5]),
        )
        for (name, kind), rows in groups.items()
    ]


def _empty_quarantine(source: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns=["file", "row", "reasons", *map(str, source.columns)])


def _short(text, limit: int = 40) -> str:
    text = "" if text is None or text is pd.NA else str(text)
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(text)} 字 chars）"
