"""The declarative description of a file format: which column feeds which database column,
read how.

A format is a table of :class:`Field` rows plus the key that identifies a record in its
source. Adding an export format means writing one such table (and, for a tool whose rows
name their company rather than carry our account id, an :class:`Identity`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from importers.values import Kind

# Targets that are not database columns: they say which account a row belongs to
# (importers/identity.py) ...
IDENTITY_TARGETS = ("ext_id", "ext_name", "ext_domain", "ext_email")
# ... or feed a format's transform; their names start with an underscore.
HELPER_PREFIX = "_"
# A CRM's id for a record's owner (Salesforce's OwnerId): the import names the owner from
# the CRM's users (importers/run.py, _owners_named).
OWNER_ID = "_owner_id"
# A CRM's id for the person a record was with (a Salesforce activity's WhoId): kept as
# 'source:id' (contact_ref), the email then comes from that source's contacts, imported with
# it or later (db.write.fill_contact_emails).
CONTACT_ID = "_contact_id"
# A transform's reason for leaving a row out (null: kept), counted in the import summary
# like a Field's ``skip``: for rows known by more than one column (a Salesforce task that
# is neither a call nor a meeting).
LEFT_OUT = "_left_out"
# When a subscription's current billing period began (Stripe's Current Period Start): where
# a new price starts when it changed since the last import (importers/price_changes.py).
CURRENT_START = "_current_start"


def normalise_header(name: str) -> str:
    """Header names compare ignoring case, surrounding spaces and the choice of ' ', '_'
    or '.' between words: 'Customer ID', 'customer_id' and 'customer.id' are one name."""
    return re.sub(r"[\s._]+", " ", name.strip().lower()).strip()


@dataclass(frozen=True)
class Field:
    column: str  # the header in the file
    target: str  # the database column it fills
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed values (after lower-casing and ``values``)
    low: float | None = None  # inclusive bounds for numbers
    high: float | None = None
    default: str | None = None  # used when the cell is empty or the column absent
    currency_from: str | None = None  # for money: the target holding the row's currency
    doc: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()  # other headers the same column goes by
    # The tool's words for a value -> ours (compared lower case), e.g. "in_trial" -> "trialing".
    values: Mapping[str, str] | None = None
    # Values whose rows are left out, with the reason told in the import summary.
    skip: Mapping[str, str] | None = None
    # What a value not in ``values`` becomes (its docstring says how, for the docs); None:
    # such a value is an error. For words a tool lets its users choose (a CRM's stages).
    other: Callable[[pl.Expr], pl.Expr] | None = None
    # Money: aliases under which the tool writes whole minor units (cents), as API-shaped
    # exports do ('subscription.plan_unit_price' = 12000 for 120.00).
    cents_aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.column, *self.aliases, *self.cents_aliases)

    @property
    def expected(self) -> str:
        if self.values:
            known = ", ".join(sorted({*self.values, *(self.skip or {})}))
            return f"a value (any; known: {known})" if self.other else f"one of {known}"
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
        return self.kind.money


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
class Identity:
    """How a tool's rows find their account: by the tool's own id for the company
    (``ext_id``), its name, web domain or a person's email (importers/identity.py)."""

    creates: bool = False  # rows are companies: one that matches no account becomes one
    optional: bool = False  # an unmatched row is kept without an account (deals)


@dataclass(frozen=True)
class FileFormat:
    name: str  # what --format takes, e.g. "accounts" (or "stripe.customers")
    source: str  # recorded with each row, e.g. "canonical"
    table: str  # the database table it fills
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # targets whose values, joined by '/', are the record's source id
    references: tuple[Reference, ...] = ()
    description: str = ""
    # Extra constant columns written with every row, e.g. account_id = source_id.
    copy_key_to: tuple[str, ...] = field(default_factory=tuple)
    identity: Identity | None = None
    # Turns the validated rows into the table's rows (e.g. a trial split off a
    # subscription); keeps the ROW column.
    transform: Callable[[pl.DataFrame], pl.DataFrame] | None = None
    # A column the transform makes -> the targets it is really made of. Without one of them
    # in the file, the column names new rows only and never changes a stored one (an
    # account named by its email when the file has no name); with one, it is the file's
    # word, an empty value too (a cancellation no longer scheduled). A made column not
    # listed changes a stored row only where it has a value.
    made_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns that must all be present for the header to be recognised as this format
    # (default: the required ones).
    signature: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # where the tool's column names and values come from
    # For a signature of names every record of the tool has (Salesforce's Id, Name and
    # CreatedDate are in its Contact, Lead, User and Campaign exports too): the header must
    # also have one of ``evidence`` (names only this kind of record has), when given, and
    # none of ``not_with`` (names only other kinds have). Header names, compared as
    # normalise_header compares them; they need not be columns the format reads.
    evidence: tuple[str, ...] = ()
    not_with: tuple[str, ...] = ()
    # Among files for the same table, lower is written first: our own files (0), then
    # billing (1), then CRMs (2), so the billing tool's customer names a new account.
    precedence: int = 0

    @property
    def qualified(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def label(self) -> str:
        """What --format takes and messages say: 'contacts', 'stripe.customers'."""
        return self.name if self.source == "canonical" else self.qualified

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields if f.required and f.default is None)

    @property
    def detected_by(self) -> tuple[str, ...]:
        return self.signature or self.required_columns
