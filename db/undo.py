"""Undoing the last import: every import records what it changed, so that a wrong file
(a test-mode export, another company's CSV) can be taken back out without losing what
was there before it, or the user's own work.

While an import writes (``recorded``, inside its transaction), temporary triggers keep
each row it changes or removes as it was before (``import_undo``: JSON of the row); the
rows it adds are the rowids above each table's largest before it (SQLite gives a new row
the largest rowid plus one), kept as a range per table (``import_batches.tables``).

``undo_last`` puts back the changed rows, then removes the added ones, in one
transaction. Only the last import can be undone, and only while nothing has been written
to the imported tables since (another import, a merge, a link or a touchpoint made by
hand: each adds or removes rows, which the per-table row counts and ranges show), and
while no note, playbook or snooze of the user's is on an account or deal it added.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from db.clock import utc_now
from db.connection import transaction
from db.errors import RetentionError
from db.queries import DATA_TABLES

# What an import writes: the data, the links it makes, the rows it keeps waiting, and
# the log of what it did (added only: its rows go with it).
RECORDED = (*DATA_TABLES, "account_links", "pending_rows")
ADDED_ONLY = ("import_log",)
# Results computed from the data: rows of an account the import added go with it.
RESULTS = ("score_alerts", "risk_signals", "score_snapshots")
# The user's own work, by account id (a deal's work: 'deal:SOURCE:SOURCE_ID').
WORK = ("playbooks", "notes", "snoozes")
# Parents last: nothing may still point at an account when it is removed.
PARENTS = ("accounts", "crm_users")


@dataclass(frozen=True)
class Batch:
    id: int
    imported_at: str
    files: str
    tables: dict[str, list[int]]  # table -> [first added rowid, last rowid, rows after]

    def added(self, table: str) -> int:
        first, last, _rows = self.tables[table]
        return max(0, last - first + 1)


# SQLite writes a real in JSON to 15 significant digits (0.30000000000000004 became 0.3):
# a real is kept as its quote() (exact) in a one-item array, and read back as a real.
def _kept(value: str) -> str:
    return f"CASE typeof({value}) WHEN 'real' THEN json_array(quote({value})) ELSE {value} END"


def _quoted(column: str) -> str:
    return f'"{column}"'


def _put_back(column: str) -> str:
    path = f"'$.\"{column}\"'"
    return (
        f"CASE json_type(?1, {path}) WHEN 'array' "
        f"THEN CAST(json_extract(?1, {path} || '[0]') AS REAL) "
        f"ELSE json_extract(?1, {path}) END"
    )


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _top(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT IFNULL(MAX(rowid), 0) FROM "{table}"').fetchone()[0]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


@contextmanager
def recorded(conn: sqlite3.Connection, files: str, when: str) -> Iterator[int]:
    """Inside an import's transaction: keep what it changes as a new batch (its id)."""
    tops = {t: _top(conn, t) for t in (*RECORDED, *ADDED_ONLY)}
    batch = conn.execute(
        "INSERT INTO import_batches (imported_at, files, tables) VALUES (?, ?, '{}')",
        (when, files),
    ).lastrowid
    for table in RECORDED:
        old = ", ".join(f"'{c}', {_kept('OLD.' + _quoted(c))}" for c in _columns(conn, table))
        for kind in ("update", "delete"):
            # rows the import added itself go whole: only those there before are kept
            conn.execute(
                f'CREATE TEMP TRIGGER "undo_{kind}_{table}" BEFORE {kind.upper()} '
                f'ON main."{table}" WHEN OLD.rowid <= {tops[table]} BEGIN '
                "INSERT INTO import_undo (batch_id, table_name, row_id, kind, old_row) "
                f"VALUES ({batch}, '{table}', OLD.rowid, '{kind}', json_object({old})); END"
            )
    try:
        yield batch
    finally:
        for table in RECORDED:
            for kind in ("update", "delete"):
                conn.execute(f'DROP TRIGGER IF EXISTS temp."undo_{kind}_{table}"')
    tables = {t: [tops[t] + 1, _top(conn, t), _count(conn, t)] for t in tops}
    conn.execute("UPDATE import_batches SET tables = ? WHERE id = ?", (json.dumps(tables), batch))


def nothing_to_undo(conn: sqlite3.Connection) -> RetentionError:
    """The error for a database with no import to undo, saying why when it has imports."""
    recorded = conn.execute("SELECT 1 FROM import_batches LIMIT 1").fetchone()
    logged = conn.execute("SELECT 1 FROM import_log LIMIT 1").fetchone()
    if logged and not recorded:
        return RetentionError(
            "there is no import to undo: those in the import log were made by a release "
            "that did not record what they changed"
        )
    return RetentionError("there is no import to undo")


def last_batch(conn: sqlite3.Connection) -> Batch | None:
    """The last import not undone yet."""
    row = conn.execute(
        "SELECT id, imported_at, files, tables FROM import_batches WHERE undone_at IS NULL "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return Batch(row[0], row[1], row[2], json.loads(row[3]))


def changed_rows(conn: sqlite3.Connection, batch: Batch) -> int:
    """How many rows that were there before ``batch`` it changed or removed."""
    return conn.execute(
        "SELECT COUNT(*) FROM (SELECT DISTINCT table_name, row_id FROM import_undo "
        "WHERE batch_id = ?)",
        (batch.id,),
    ).fetchone()[0]


def _changed_since(conn: sqlite3.Connection, batch: Batch) -> list[str]:
    """The tables written to since ``batch`` (rows added or removed)."""
    return [
        t
        for t, (_first, last, rows) in batch.tables.items()
        if _top(conn, t) != last or _count(conn, t) != rows
    ]


def _work_on_added(conn: sqlite3.Connection, batch: Batch) -> list[str]:
    """The user's work on accounts and deals the batch added, as 'table: id' lines."""
    first, last, _ = batch.tables["accounts"]
    d_first, d_last, _ = batch.tables["deals"]
    found = []
    for table in WORK:
        found += [
            f"{table} of {key}"
            for (key,) in conn.execute(
                f'SELECT DISTINCT account_id FROM "{table}" WHERE account_id IN '
                "(SELECT account_id FROM accounts WHERE rowid BETWEEN ? AND ?) "
                "OR account_id IN (SELECT 'deal:' || source || ':' || source_id FROM deals "
                "WHERE rowid BETWEEN ? AND ?)",
                (first, last, d_first, d_last),
            )
        ]
    return found


def _check_undoable(conn: sqlite3.Connection, batch: Batch) -> None:
    """Refuse, saying why, when something changed since ``batch`` or the user's work is
    on what it added."""
    since = _changed_since(conn, batch)
    if since:
        raise RetentionError(
            f"the last import ({batch.files}, {batch.imported_at}) cannot be undone: "
            f"{', '.join(since)} changed since (only the last change can be undone)"
        )
    work = _work_on_added(conn, batch)
    if work:
        raise RetentionError(
            f"the last import ({batch.files}) added accounts or deals you have worked on "
            f"since ({', '.join(work[:5])}{', ...' if len(work) > 5 else ''}): undoing it "
            "would lose that work"
        )


def undo_last(
    conn: sqlite3.Connection, batch_id: int | None = None
) -> tuple[Batch, dict[str, int]]:
    """Undo the last import (the batch ``batch_id``, when the user was asked about that
    one): the rows it changed or removed as they were, the rows it added gone. Returns
    the batch and, per table, the rows added that were removed."""
    removed: dict[str, int] = {}
    # checked and undone under the write lock: nothing can change in between
    with transaction(conn):
        batch = last_batch(conn)
        if batch is None:
            raise nothing_to_undo(conn)
        if batch_id is not None and batch.id != batch_id:
            raise RetentionError(
                f"another import ({batch.files}) came after the one asked about: nothing was undone"
            )
        _check_undoable(conn, batch)
        first, last, _ = batch.tables["accounts"]
        for table in RESULTS:
            conn.execute(
                f'DELETE FROM "{table}" WHERE account_id IN '
                "(SELECT account_id FROM accounts WHERE rowid BETWEEN ? AND ?)",
                (first, last),
            )
        order = [t for t in reversed((*RECORDED, *ADDED_ONLY)) if t not in PARENTS]
        for table in order:  # what points at the accounts first
            removed[table] = _remove_added(conn, table, batch)
        _restore(conn, batch)
        for table in PARENTS:
            removed[table] = _remove_added(conn, table, batch)
        conn.execute("DELETE FROM import_undo WHERE batch_id = ?", (batch.id,))
        conn.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", (utc_now(), batch.id))
    return batch, {t: n for t, n in removed.items() if n}


def _remove_added(conn: sqlite3.Connection, table: str, batch: Batch) -> int:
    first, last, _ = batch.tables[table]
    return conn.execute(
        f'DELETE FROM "{table}" WHERE rowid BETWEEN ? AND ?', (first, last)
    ).rowcount


def _restore(conn: sqlite3.Connection, batch: Batch) -> None:
    """Each changed or removed row as it was before the batch: the latest record first,
    so the earliest, the row as it was before the import, is the one that stays."""
    columns = {t: _columns(conn, t) for t in RECORDED}
    kept = conn.execute(
        "SELECT table_name, row_id, kind, old_row FROM import_undo WHERE batch_id = ? "
        "ORDER BY id DESC",
        (batch.id,),
    ).fetchall()
    for table, row_id, kind, old in kept:
        cols = columns[table]
        values = [_put_back(c) for c in cols]
        quoted = [_quoted(c) for c in cols]
        if kind == "update":
            sets = ", ".join(f"{q} = {v}" for q, v in zip(quoted, values, strict=True))
            conn.execute(f'UPDATE "{table}" SET {sets} WHERE rowid = ?2', (old, row_id))
        else:
            conn.execute(
                f'INSERT INTO "{table}" (rowid, {", ".join(quoted)}) '
                f"VALUES (?2, {', '.join(values)})",
                (old, row_id),
            )
