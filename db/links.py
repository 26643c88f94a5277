"""One account across tools, database side: saved links, rows waiting for an account,
and merging two accounts (the matching itself is importers/identity.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from db import blocks
from db.clock import utc_now
from db.connection import transaction
from db.errors import RetentionError
from db.queries import frame

# Rows computed from the data (re-scoring makes them again): a merged-away account's are
# dropped rather than moved, since the kept account has its own for the same dates.
DERIVED_TABLES = ("score_snapshots", "risk_signals", "score_alerts")


def links(conn: sqlite3.Connection, source: str) -> pl.DataFrame:
    """key -> account_id of ``source``'s saved links."""
    return frame(
        conn,
        "SELECT key, account_id FROM account_links WHERE source = ?",
        (source,),
        schema={"key": pl.String, "account_id": pl.String},
    )


def all_links(conn: sqlite3.Connection) -> pl.DataFrame:
    return frame(
        conn,
        "SELECT l.source, l.key, l.account_id, a.name, l.method, l.linked_at "
        "FROM account_links l LEFT JOIN accounts a ON a.account_id = l.account_id "
        "ORDER BY l.source, l.key",
        (),
        schema={
            c: pl.String for c in ("source", "key", "account_id", "name", "method", "linked_at")
        },
    )


def accounts_for_matching(conn: sqlite3.Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accounts: account_id, name, domain; contacts: email, account_id)."""
    accounts = frame(
        conn,
        "SELECT account_id, name, domain FROM accounts",
        (),
        schema={"account_id": pl.String, "name": pl.String, "domain": pl.String},
    )
    contacts = frame(
        conn,
        "SELECT email, account_id FROM contacts WHERE email IS NOT NULL",
        (),
        schema={"email": pl.String, "account_id": pl.String},
    )
    return accounts, contacts


def linked_account(conn: sqlite3.Connection, source: str, key: str) -> str | None:
    """The account ``source``'s ``key`` is linked to, None when it has no link."""
    row = conn.execute(
        "SELECT account_id FROM account_links WHERE source = ? AND key = ?", (source, key)
    ).fetchone()
    return row[0] if row else None


def save_links(
    conn: sqlite3.Connection, source: str, pairs: Iterable[tuple[str, str]], method: str
) -> None:
    """Save key -> account links; 'auto' never replaces a link already there."""
    verb = "INSERT OR IGNORE" if method == "auto" else "INSERT OR REPLACE"
    conn.executemany(
        f"{verb} INTO account_links (source, key, account_id, method, linked_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(source, key, account_id, method, utc_now()) for key, account_id in pairs],
    )


@dataclass(frozen=True)
class PendingRow:
    target_table: str
    source: str
    source_id: str
    format: str
    file_name: str
    row_number: int
    reason: str
    keys: list[str]
    label: str
    candidates: str | None
    payload: dict


def keep_pending(conn: sqlite3.Connection, rows: Iterable[PendingRow]) -> None:
    """Keep rows that have no account yet (a re-import replaces the same record's)."""
    now = utc_now()
    conn.executemany(
        "INSERT INTO pending_rows (target_table, source, source_id, format, file_name, "
        "row_number, reason, keys, label, candidates, payload, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (target_table, source, source_id) DO UPDATE SET format = excluded.format, "
        "file_name = excluded.file_name, row_number = excluded.row_number, "
        "reason = excluded.reason, keys = excluded.keys, label = excluded.label, "
        "candidates = excluded.candidates, payload = excluded.payload, "
        "imported_at = excluded.imported_at",
        [
            (
                r.target_table,
                r.source,
                r.source_id,
                r.format,
                r.file_name,
                r.row_number,
                r.reason,
                json.dumps(r.keys),
                r.label,
                r.candidates,
                json.dumps(r.payload),
                now,
            )
            for r in rows
        ],
    )


def has_pending(conn: sqlite3.Connection, table: str, source: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM pending_rows WHERE target_table = ? AND source = ? LIMIT 1",
            (table, source),
        ).fetchone()
    )


def forget_pending(
    conn: sqlite3.Connection, table: str, source: str, source_ids: Iterable[str]
) -> None:
    """Rows now written to ``table`` wait no longer."""
    conn.executemany(
        "DELETE FROM pending_rows WHERE target_table = ? AND source = ? AND source_id = ?",
        [(table, source, s) for s in source_ids],
    )


def waiting_rows(conn: sqlite3.Connection) -> int:
    """How many imported rows wait for an account."""
    return int(conn.execute("SELECT COUNT(*) FROM pending_rows").fetchone()[0])


def pending_groups(conn: sqlite3.Connection) -> pl.DataFrame:
    """Rows waiting for an account, one line per source and best key."""
    rows = conn.execute(
        "SELECT source, keys, label, reason, candidates, target_table, file_name, row_number "
        "FROM pending_rows ORDER BY source, id"
    ).fetchall()
    groups: dict[tuple[str, str], dict] = {}
    for source, keys, label, reason, candidates, table, file_name, row_number in rows:
        all_keys = json.loads(keys) or ["(none)"]
        g = groups.setdefault(
            (source, all_keys[0]),
            {
                "source": source,
                "key": all_keys[0],
                "other keys": ", ".join(all_keys[1:]),
                "label": label,
                "reason": reason,
                "candidates": candidates,
                "rows": 0,
                "tables": set(),
                "first_seen": f"{file_name} row {row_number}",
            },
        )
        g["rows"] += 1
        g["tables"].add(table)
    return pl.DataFrame(
        [{**g, "tables": ", ".join(sorted(g["tables"]))} for g in groups.values()],
        schema={
            "source": pl.String,
            "key": pl.String,
            "other keys": pl.String,
            "label": pl.String,
            "reason": pl.String,
            "candidates": pl.String,
            "rows": pl.Int64,
            "tables": pl.String,
            "first_seen": pl.String,
        },
    )


def take_pending(conn: sqlite3.Connection, source: str, key: str) -> dict[str, list[dict]]:
    """Remove and return (by table) the waiting rows of ``source`` that have ``key``."""
    taken: dict[str, list[dict]] = {}
    ids = []
    for row_id, table, keys, payload in conn.execute(
        "SELECT id, target_table, keys, payload FROM pending_rows WHERE source = ?", (source,)
    ):
        if key in json.loads(keys):
            taken.setdefault(table, []).append(json.loads(payload))
            ids.append((row_id,))
    conn.executemany("DELETE FROM pending_rows WHERE id = ?", ids)
    return taken


def account_exists(conn: sqlite3.Connection, account_id: str) -> bool:
    return bool(
        conn.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
    )


def _account_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table with an account_id column."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        t
        for t in names
        if any(c[1] == "account_id" for c in conn.execute(f'PRAGMA table_info("{t}")'))
    ]


@dataclass(frozen=True)
class MergeResult:
    moved: dict[str, int]  # table -> rows now on the kept account
    dropped_derived: int


def _move_rows(conn: sqlite3.Connection, from_id: str, into_id: str) -> tuple[dict[str, int], int]:
    """Move every row of ``from_id`` to ``into_id`` (derived ones are dropped instead)."""
    moved: dict[str, int] = {}
    dropped = 0
    for table in _account_tables(conn):
        if table in ("accounts", "account_links"):
            continue
        if table in DERIVED_TABLES:
            dropped += conn.execute(
                f'DELETE FROM "{table}" WHERE account_id = ?', (from_id,)
            ).rowcount
            continue
        if table == "snoozes":  # one per queue: keep the later of the two
            conn.execute(
                "INSERT INTO snoozes (account_id, queue, until, created_at) "
                "SELECT ?, queue, until, created_at FROM snoozes WHERE account_id = ? "
                "ON CONFLICT (account_id, queue) DO UPDATE SET "
                "until = max(until, excluded.until)",
                (into_id, from_id),
            )
            n = conn.execute("DELETE FROM snoozes WHERE account_id = ?", (from_id,)).rowcount
        else:
            n = conn.execute(
                f'UPDATE "{table}" SET account_id = ? WHERE account_id = ?', (into_id, from_id)
            ).rowcount
        if n:
            moved[table] = n
    return moved, dropped


def check_mergeable(conn: sqlite3.Connection, from_id: str, into_id: str) -> None:
    """Raise what makes merging ``from_id`` into ``into_id`` impossible, if anything."""
    if from_id == into_id:
        raise RetentionError(f"cannot merge account {from_id} into itself")
    for a in (from_id, into_id):
        if not account_exists(conn, a):
            raise RetentionError(f"no account with id {a!r}; see 'retention accounts'")


def merge_accounts(conn: sqlite3.Connection, from_id: str, into_id: str) -> MergeResult:
    """Fold account ``from_id`` into ``into_id``: its data, playbooks, ticks, notes and
    snoozes move over; empty fields of the kept account are filled from it; every tool's
    record of it links to the kept account from now on, so re-imports land there."""
    check_mergeable(conn, from_id, into_id)
    with transaction(conn):
        source, source_id = conn.execute(
            "SELECT source, source_id FROM accounts WHERE account_id = ?", (from_id,)
        ).fetchone()
        with blocks.kept_through_merge(conn, from_id, into_id):
            moved, dropped = _move_rows(conn, from_id, into_id)
        columns = [
            c[1]
            for c in conn.execute('PRAGMA table_info("accounts")')
            if c[1] not in ("account_id", "source", "source_id", "name", "created_at")
        ]
        sets = ", ".join(f'"{c}" = COALESCE(a."{c}", b."{c}")' for c in columns)
        conn.execute(
            f"UPDATE accounts AS a SET {sets}, created_at = min(a.created_at, b.created_at) "
            "FROM accounts AS b WHERE a.account_id = ? AND b.account_id = ?",
            (into_id, from_id),
        )
        conn.execute(
            "UPDATE account_links SET account_id = ? WHERE account_id = ?", (into_id, from_id)
        )
        conn.execute("DELETE FROM accounts WHERE account_id = ?", (from_id,))
        save_links(conn, source, [(f"id:{source_id}", into_id)], "merge")
        if source != "canonical":
            save_links(conn, "canonical", [(f"id:{from_id}", into_id)], "merge")
    return MergeResult(moved, dropped)


def merged_ids(conn: sqlite3.Connection) -> dict[str, str]:
    """Canonical account ids merged into another account -> the kept account."""
    return {
        key[3:]: account_id
        for key, account_id in conn.execute(
            "SELECT key, account_id FROM account_links WHERE source = 'canonical' "
            "AND method = 'merge'"
        )
    }
