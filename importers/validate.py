"""Applying a format to a raw table: map columns, parse every value, check the whole file.

All checks run on the whole file with Polars; the result is either a typed frame ready to
write or every problem found (the first few with row, column and what was expected).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from db.errors import Problem, RetentionError
from importers.csvfile import ROW, RawTable
from importers.spec import HELPER_PREFIX, LEFT_OUT, Field, FileFormat, normalise_header
from importers.values import CENTS, DateOrder, as_day_first, date_order, money_minor

MAX_SHOWN = 10


@dataclass(frozen=True)
class Parsed:
    file_name: str
    fmt: FileFormat
    frame: pl.DataFrame  # one column per field target, source, source_id and ROW
    rows_read: int
    duplicates_dropped: int
    ignored_columns: tuple[str, ...]
    # Targets filled from the file's own columns: only these overwrite an existing row.
    present_targets: tuple[str, ...]
    skipped: dict[str, int]  # rows left out on purpose (Field.skip), by reason
    encoding: str = "utf-8"
    named: dict[str, str] | None = None  # field column -> the file's header for it
    footer: tuple[str, ...] = ()  # a report footer's lines, left out (RawTable.footer)
    above: tuple[str, ...] = ()  # what the rows above the header said (RawTable.above)
    # How its slashed dates were read (values.date_order): "day" first, "month" first,
    # "either" (month-first: none could only be one way), None (it has none).
    date_order: DateOrder | None = None
    # Columns the format's transform made of the file's that update a stored row: where
    # they have a value (``kept``), or as the file says when FileFormat.made_of names their
    # columns.
    derived: tuple[str, ...] = ()

    @property
    def kept(self) -> tuple[str, ...]:
        """The made columns a stored row keeps its value of where the new one is empty."""
        return tuple(c for c in self.derived if c not in self.fmt.made_of)


def match_columns(fmt: FileFormat, header: tuple[str, ...]) -> dict[str, int]:
    """Field column -> the position of the header column that holds it (by any of the
    field's names, compared with normalise_header; the first such column wins)."""
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        positions.setdefault(normalise_header(h), i)
    found = {}
    for f in fmt.fields:
        for name in f.names:
            if normalise_header(name) in positions:
                found[f.column] = positions[normalise_header(name)]
                break
    return found


def _read(f: Field, raw: pl.Expr, days_first: bool) -> pl.Expr:
    """The field's parsed value (money excepted: see parse); ``days_first``: the file's
    slashed dates are (values.day_first)."""
    if f.values:
        word = raw.str.strip_chars().str.to_lowercase()
        known = word.replace_strict(dict(f.values), default=None, return_dtype=pl.String)
        return known if f.other is None else pl.coalesce(known, f.other(word))
    return f.kind.parse(as_day_first(raw) if days_first and f.kind.dated else raw)


def _got(expected: str) -> Callable[[dict], str]:
    return lambda rec: f"got {_show(rec['v'])}; expected {expected}"


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class _Problems:
    """Collects problems cheaply: a count of all, details of the first few."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.total = 0
        self.items: list[Problem] = []

    def add_rows(self, bad: pl.DataFrame, column: str, describe: Callable[[dict], str]) -> None:
        if bad.height == 0:
            return
        self.total += bad.height
        for rec in bad.head(MAX_SHOWN).iter_rows(named=True):
            self.items.append(Problem(self.file, describe(rec), rec[ROW], column))

    def raise_if_any(self) -> None:
        if self.total:
            self.items.sort(key=lambda p: (p.row or 0, p.column or ""))
            raise RetentionError.from_problems(self.items[:MAX_SHOWN], self.total)


def _derived(typed: pl.DataFrame, targets: list[str]) -> tuple[str, ...]:
    """The columns a format's transform made of the file's (a contact's name from its first
    and last names, a subscription's billing interval, a lost deal's reason)."""
    return tuple(
        c
        for c in typed.columns
        if c not in targets and c not in (ROW, "source_id") and not c.startswith(HELPER_PREFIX)
    )


def _left_out(typed: pl.DataFrame, skipped: dict[str, int]) -> pl.DataFrame:
    """The rows a transform left out (a reason in LEFT_OUT) gone, counted in ``skipped``."""
    if LEFT_OUT not in typed.columns:
        return typed
    reasons = typed.filter(pl.col(LEFT_OUT).is_not_null()).group_by(LEFT_OUT).len()
    for reason, n in reasons.sort(LEFT_OUT).iter_rows():
        skipped[reason] = skipped.get(reason, 0) + n
    return typed.filter(pl.col(LEFT_OUT).is_null()).drop(LEFT_OUT)


def parse(fmt: FileFormat, table: RawTable, dates: DateOrder | None = None) -> Parsed:
    """Validate ``table`` as ``fmt``; raise RetentionError listing problems if any.
    ``dates``: "day" or "month": its slashed dates are read so, whatever they say (the user
    said so; the import's other files are day-first); else as values.date_order finds."""
    problems = _Problems(table.name)
    columns = match_columns(fmt, table.header)
    missing = [c for c in fmt.required_columns if c not in columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise RetentionError(
            f"{table.name}: missing required column{'s' if len(missing) > 1 else ''} {names} "
            f"for the {fmt.name} format (it needs: {', '.join(fmt.required_columns)})"
        )
    used = set(columns.values())
    # Money columns this file gives in cents (it used one of the field's cents aliases).
    in_cents = {
        f.column
        for f in fmt.fields
        if f.column in columns
        and normalise_header(table.header[columns[f.column]])
        in {normalise_header(a) for a in f.cents_aliases}
    }
    # Messages name a column as the file spells it.
    named = {
        f.column: table.header[columns[f.column]] if f.column in columns else f.column
        for f in fmt.fields
    }
    ignored = tuple(h for i, h in enumerate(table.header) if i not in used)

    raw = table.frame
    # Raw text per target (with defaults filled in), so checks can quote what was there.
    raw_cols = []
    for f in fmt.fields:
        src = (
            pl.col(RawTable.column(columns[f.column]))
            if f.column in columns
            else pl.lit(None, pl.String)
        )
        if f.default is not None:
            src = src.fill_null(pl.lit(f.default))
        raw_cols.append(src.alias(f"raw:{f.target}"))
    raw = raw.select(pl.col(ROW), *raw_cols)

    # Rows left out on purpose (a Stripe subscription that was never paid, ...).
    skipped: dict[str, int] = {}
    for f in fmt.fields:
        if f.skip and f.column in columns:
            value = pl.col(f"raw:{f.target}").str.strip_chars().str.to_lowercase()
            # "" stands for an empty cell
            # (an empty cell is no other word: it must not be null here, or the row is lost)
            hit = {
                w: (value.is_null() if w == "" else (value == w).fill_null(False)) for w in f.skip
            }
            for word, reason in f.skip.items():
                n = raw.filter(hit[word]).height
                if n:
                    skipped[reason] = skipped.get(reason, 0) + n
            raw = raw.filter(~pl.any_horizontal(*hit.values()))

    # Non-money fields first: money reads the parsed currency of its row.
    plain = [f for f in fmt.fields if not f.is_money]
    money = [f for f in fmt.fields if f.is_money]
    dated = [f"raw:{f.target}" for f in plain if f.kind.dated and f.column in columns]
    order = dates or date_order(raw, dated)  # one locale saved the file: its dates' order
    days_first = order == "day"
    parsed = raw.with_columns(
        _read(f, pl.col(f"raw:{f.target}"), days_first).alias(f.target) for f in plain
    )

    def minor(f: Field) -> pl.Expr:
        raw_text = pl.col(f"raw:{f.target}")
        if f.column in in_cents:
            return CENTS.parse(raw_text).cast(pl.Int64, strict=False)
        return money_minor(f.kind.parse(raw_text), pl.col(f.currency_from or "currency"))

    parsed = parsed.with_columns(minor(f).alias(f.target) for f in money)

    # Every check is a mask over the rows: count them all in one pass, and fetch the
    # offending rows only of the checks that fail (a valid 1M-row file then costs one scan).
    checks: list[tuple[pl.Expr, str, Callable[[dict], str]]] = []
    for f in fmt.fields:
        r, p = pl.col(f"raw:{f.target}"), pl.col(f.target)
        got = CENTS.expected if f.column in in_cents else f.expected
        if f.required:
            checks.append(
                (r.is_null(), f.column, lambda rec, e=f.expected: f"missing value; expected {e}")
            )
        checks.append((r.is_not_null() & p.is_null(), f.column, _got(got)))
        if f.choices:
            checks.append((p.is_not_null() & ~p.is_in(list(f.choices)), f.column, _got(f.expected)))
        if f.low is not None or f.high is not None:
            out = pl.lit(False)
            if f.low is not None:
                out = out | (p < f.low)
            if f.high is not None:
                out = out | (p > f.high)
            checks.append((p.is_not_null() & out, f.column, _got(f.expected)))
    counts = parsed.select(mask.sum().alias(str(i)) for i, (mask, _c, _d) in enumerate(checks)).row(
        0
    )
    for (mask, column, describe), n in zip(checks, counts, strict=True):
        if n:
            field = next(f for f in fmt.fields if f.column == column)
            bad = parsed.filter(mask).select(ROW, pl.col(f"raw:{field.target}").alias("v"))
            problems.add_rows(bad, named[column], describe)
    problems.raise_if_any()

    targets = [f.target for f in fmt.fields]
    # A value mapped to "" is a known word meaning "no value" (Zendesk's "unoffered").
    typed = parsed.select(ROW, *targets).with_columns(
        pl.when(pl.col(f.target) != "").then(pl.col(f.target)).alias(f.target)
        for f in fmt.fields
        if f.values
    )
    derived: tuple[str, ...] = ()
    if fmt.transform:
        typed = _left_out(fmt.transform(typed), skipped)
        derived = _derived(typed, targets)
    if fmt.key != ("source_id",):
        typed = typed.with_columns(
            pl.concat_str([pl.col(k).cast(pl.String) for k in fmt.key], separator="/").alias(
                "source_id"
            )
        )
    typed = typed.with_columns(pl.lit(fmt.source).alias("source"))

    # Exact repeats of a record are dropped; one id with two different contents is an error.
    rows_read = table.frame.height
    before = typed.height
    # Ids all distinct (the usual case): no repeats to look for (saves ~0.4 s per 1M rows).
    # Distinct hashes prove it (1M ids: 0.04-0.07 s, counting the distinct strings 0.2-0.45
    # s); two equal hashes may be a collision, so then the ids themselves are compared.
    if typed["source_id"].hash().n_unique() != typed.height:
        typed = _drop_repeats(typed, key_label_of(fmt, named), problems)
    dropped = before - typed.height
    problems.raise_if_any()
    present = tuple(f.target for f in fmt.fields if f.column in columns)
    derived = tuple(
        c for c in derived if c not in fmt.made_of or any(t in present for t in fmt.made_of[c])
    )
    return Parsed(
        table.name,
        fmt,
        typed,
        rows_read,
        dropped,
        ignored,
        present,
        skipped,
        table.encoding,
        named,
        footer=table.footer,
        above=table.above,
        derived=derived,
        date_order=order,
    )


def key_label_of(fmt: FileFormat, named: dict[str, str]) -> str:
    return " + ".join(named[f.column] for f in fmt.fields if f.target in fmt.key) or "id"


def _drop_repeats(typed: pl.DataFrame, key_label: str, problems: _Problems) -> pl.DataFrame:
    """Exact repeats of a record are dropped; one id with two different contents is a
    problem naming both rows."""
    value_cols = [c for c in typed.columns if c != ROW]
    typed = typed.unique(subset=value_cols, keep="first", maintain_order=True)
    first_row = typed.group_by("source_id").agg(pl.col(ROW).min().alias("first"))
    dup = (
        typed.join(first_row, on="source_id")
        .filter(pl.col(ROW) != pl.col("first"))
        .select(ROW, "source_id", "first")
        .sort(ROW)
    )
    problems.add_rows(
        dup,
        key_label,
        lambda rec: (
            f"duplicate {key_label} {_show(rec['source_id'])} with different values "
            f"(first on row {rec['first']}); expected each record once"
        ),
    )
    return typed


def check_references(parsed: Parsed, known: dict[str, set[str]]) -> None:
    """Every reference must name a known row; ``known`` maps reference target -> values."""
    problems = _Problems(parsed.file_name)
    for ref in parsed.fmt.references:
        values = known[ref.target]
        col = pl.col(ref.target)
        bad = parsed.frame.filter(col.is_not_null() & ~col.is_in(list(values))).select(
            ROW, col.alias("v")
        )
        column = next(f.column for f in parsed.fmt.fields if f.target == ref.target)
        column = (parsed.named or {}).get(column, column)
        problems.add_rows(
            bad,
            column,
            lambda rec, ref=ref: (
                f"unknown {ref.target} {_show(rec['v'])}; expected one that "
                f"exists in {ref.table} ({ref.hint})"
            ),
        )
    problems.raise_if_any()
