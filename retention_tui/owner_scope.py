"""One owner's book: the dashboard, the queues and the accounts list narrowed to what one
person owns (a CSM on a team: "who needs *me* today?").

Everything is still scored on the whole book and only then narrowed, here: a queue's rule
that compares accounts with each other (the top 5% of usage, in expansion) compares with
every account, and a stored score is the same whoever looks at it. The rule for a row is
its ``owner`` field: the account's owner, or in win-back the lost deal's.
"""

from __future__ import annotations

import polars as pl

from db.errors import RetentionError
from retention_tui.engine.features import Tables


def owners(records: pl.DataFrame) -> list[tuple[str, int, int]]:
    """(owner, accounts, deals) of everyone named as an account's or a deal's owner (a CSM
    owns accounts, an AE the lost deals of win-back), most accounts first, then most
    deals. ``records``: owner and kind ('account' or 'deal') per record, as
    db.queries.owned_records reads them."""
    named = records.filter(pl.col("owner").str.strip_chars() != "")
    counts = named.group_by("owner").agg(
        (pl.col("kind") == "account").sum().alias("accounts"),
        (pl.col("kind") == "deal").sum().alias("deals"),
    )
    return [
        (name, accounts, deals)
        for name, accounts, deals in counts.sort(
            ["accounts", "deals", "owner"], descending=[True, True, False]
        ).iter_rows()
    ]


def resolve(records: pl.DataFrame, wanted: str) -> str:
    """The owner ``wanted`` names: the owner of that name (any case), else the one whose
    name holds it ('dana' for Dana Lee). No such owner, or several, is an error naming
    the owners there are."""
    named = [name for name, _, _ in owners(records)]
    text = wanted.strip().casefold()
    exact = [n for n in named if n.casefold() == text]
    if exact:
        return exact[0]
    within = [n for n in named if text and text in n.casefold()]
    if len(within) == 1:
        return within[0]
    listed = ", ".join(named) if named else "no account or deal has an owner yet"
    if within:
        raise RetentionError(f"owner {wanted!r} could be {', '.join(within)}: say which")
    raise RetentionError(f"nothing is owned by {wanted!r}; owners: {listed}")


def choices(records: pl.DataFrame, shown: str | None) -> list[tuple[str, str]]:
    """What the owner picker offers, as (owner or "" for everyone, label): everyone first,
    then each owner with what they own; the one ``shown`` now is marked."""

    def label(name: str, accounts: int, deals: int) -> str:
        owned = [f"{accounts:,} account{'s' if accounts != 1 else ''}"] if accounts else []
        if deals or not owned:
            owned.append(f"{deals:,} deal{'s' if deals != 1 else ''}" if deals else "0 accounts")
        mark = " · shown" if (name or None) == shown else ""
        return f"{name or 'Everyone'} ({', '.join(owned)}){mark}"

    everyone = records.filter(pl.col("kind") == "account").height
    return [("", label("", everyone, 0))] + [
        (name, label(name, accounts, deals)) for name, accounts, deals in owners(records)
    ]


def whose(owner: str | None) -> str:
    """What a title adds when it shows one owner's rows: ' · owner: NAME'."""
    return f" · owner: {owner}" if owner else ""


def narrow(rows: pl.DataFrame, owner: str | None) -> pl.DataFrame:
    """The rows (of a queue, of the accounts list) the owner owns; all of them for None."""
    if owner is None:
        return rows
    return rows.filter(pl.col("owner") == owner)


def owned(accounts: pl.DataFrame, owner: str | None) -> pl.Series | None:
    """The ids of the owner's accounts (None: every account)."""
    if owner is None:
        return None
    return narrow(accounts, owner)["account_id"]


def narrow_tables(tables: Tables, owner: str | None) -> Tables:
    """The book's tables as if it held the owner's accounts alone: for the revenue
    figures (MRR, NRR, GRR, logo churn) of their book."""
    ids = owned(tables["accounts"], owner)
    if ids is None:
        return tables
    return {
        name: frame.filter(pl.col("account_id").is_in(ids.implode()))
        if "account_id" in frame.columns
        else frame
        for name, frame in tables.items()
    }
