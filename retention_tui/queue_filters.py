"""The little language of queue filters and sorts in retention.toml: "owner = Dana Lee",
"mrr_minor >= 100000", "signals ~ payment", "mrr_minor desc". Parsed into Polars
expressions, never evaluated as code."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|>=|<=|=|<|>|~)\s*(.*?)\s*$")
OPERATORS = "= != < <= > >= ~"


class FilterError(ValueError):
    """A filter or sort that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: str

    def expr(self) -> pl.Expr:
        col = pl.col(self.field)
        number = _number(self.value)
        if self.op == "~":
            return (
                col.cast(pl.String)
                .str.to_lowercase()
                .str.contains(self.value.lower(), literal=True)
            )
        if number is not None and self.op != "~":
            left = col.cast(pl.Float64, strict=False)
            right: object = number
        else:
            left = col.cast(pl.String).str.to_lowercase()
            right = self.value.lower()
        match self.op:
            case "=":
                return left == right
            case "!=":
                return left != right
            case "<":
                return left < right
            case "<=":
                return left <= right
            case ">":
                return left > right
            case _:
                return left >= right


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_filter(text: str) -> Filter:
    m = _FILTER.match(text)
    if not m or not m.group(3):
        raise FilterError(
            f"cannot read filter {text!r}; expected 'field op value' with op one of {OPERATORS}"
        )
    value = m.group(3)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return Filter(m.group(1), m.group(2), value)


def parse_sort(text: str) -> tuple[str, bool]:
    """'mrr_minor desc' -> ('mrr_minor', True); 'renewal_date' -> ('renewal_date', False)."""
    parts = text.split()
    if len(parts) == 1 or (len(parts) == 2 and parts[1].lower() in ("asc", "desc")):
        return parts[0], len(parts) == 2 and parts[1].lower() == "desc"
    raise FilterError(f"cannot read sort {text!r}; expected 'field' or 'field desc'")


def apply_filters(frame: pl.DataFrame, filters: tuple[Filter, ...]) -> pl.DataFrame:
    """The rows every filter accepts (a row missing the value fails the filter)."""
    if not filters or frame.height == 0:
        return frame
    wanted = [f.expr().fill_null(False) for f in filters if f.field in frame.columns]
    missing = [f for f in filters if f.field not in frame.columns]
    if missing:  # the list has no such column today (e.g. it is empty): nothing passes
        return frame.clear()
    return frame.filter(pl.all_horizontal(wanted))
