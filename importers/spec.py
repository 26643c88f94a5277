"""The declarative description of a file format: which column feeds which database column,
read how.

A format is a table of :class:`Field` rows plus the key that identifies a record in its
source. Adding an export format means writing one such table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from importers.values import MONEY, Kind


@dataclass(frozen=True)
class Field:
    column: str  # the header in the file
    target: str  # the database column it fills
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed values (after lower-casing)
    low: float | None = None  # inclusive bounds for numbers
    high: float | None = None
    default: str | None = None  # used when the cell is empty or the column absent
    currency_from: str | None = None  # for money: the target holding the row's currency
    doc: str = ""
    example: str = ""

    @property
    def expected(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        noun = self.kind.expected.split(" like ")[0]
        if self.low is not None and self.high is not None:
            return f"{noun} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{noun} of at least {self.low:g}"
        return self.kind.expected

    @property
    def is_money(self) -> bool:
        return self.kind is MONEY


@dataclass(frozen=True)
class Reference:
    """``target`` must name an existing ``table.column`` (rows of the same source when
    ``same_source``)."""

    target: str
    table: str
    column: str
    same_source: bool = False
    hint: str = ""


@dataclass(frozen=True)
class FileFormat:
    name: str  # what --format takes, e.g. "accounts"
    source: str  # recorded with each row, e.g. "canonical"
    table: str  # the database table it fills
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # targets whose values, joined by '/', are the record's source id
    references: tuple[Reference, ...] = ()
    description: str = ""
    # Extra constant columns written with every row, e.g. account_id = source_id.
    copy_key_to: tuple[str, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields if f.required and f.default is None)
