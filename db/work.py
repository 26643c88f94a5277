"""The user's own work: playbooks, checklist ticks, notes and snoozes.

These rows are written only by the user (through the dashboard or the CLI). Imports and
scoring never touch these tables, and nothing here deletes a note.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import polars as pl

from db.connection import transaction


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_playbook(conn: sqlite3.Connection, account_id: str, kind: str) -> int:
    """Start (or return the open) playbook of ``kind`` on an account."""
    with transaction(conn):
        row = conn.execute(
            "SELECT id FROM playbooks WHERE account_id = ? AND kind = ? AND closed_at IS NULL",
            (account_id, kind),
        ).fetchone()
        if row:
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO playbooks (account_id, kind, started_at) VALUES (?, ?, ?)",
            (account_id, kind, _now()),
        )
        return int(cur.lastrowid or 0)


def set_tick(conn: sqlite3.Connection, playbook_id: int, step_id: str, done: bool) -> None:
    with transaction(conn):
        if done:
            conn.execute(
                "INSERT OR IGNORE INTO checklist_ticks (playbook_id, step_id, done_at) "
                "VALUES (?, ?, ?)",
                (playbook_id, step_id, _now()),
            )
        else:
            conn.execute(
                "DELETE FROM checklist_ticks WHERE playbook_id = ? AND step_id = ?",
                (playbook_id, step_id),
            )


def add_note(
    conn: sqlite3.Connection,
    account_id: str,
    body: str,
    playbook_id: int | None = None,
    step_id: str | None = None,
) -> None:
    text = body.strip()
    if not text:
        return
    with transaction(conn):
        conn.execute(
            "INSERT INTO notes (account_id, playbook_id, step_id, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (account_id, playbook_id, step_id, text, _now()),
        )


def snooze(conn: sqlite3.Connection, account_id: str, queue: str, until: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO snoozes (account_id, queue, until, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account_id, queue) DO UPDATE SET until = excluded.until, "
            "created_at = excluded.created_at",
            (account_id, queue, until, _now()),
        )


def snoozed(conn: sqlite3.Connection, queue: str, on: str) -> set[str]:
    """Accounts snoozed in ``queue`` on the date ``on`` (until is exclusive)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT account_id FROM snoozes WHERE queue = ? AND until > ?", (queue, on)
        )
    }


def account_work(conn: sqlite3.Connection, account_id: str) -> dict[str, list[dict]]:
    """An account's playbooks (with their ticks) and notes, newest first."""
    cur = conn.execute(
        "SELECT id, kind, started_at, closed_at, outcome FROM playbooks WHERE account_id = ? "
        "ORDER BY id DESC",
        (account_id,),
    )
    playbooks = [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur]
    for p in playbooks:
        p["ticks"] = {
            step: done_at
            for step, done_at in conn.execute(
                "SELECT step_id, done_at FROM checklist_ticks WHERE playbook_id = ?", (p["id"],)
            )
        }
    cur = conn.execute(
        "SELECT n.created_at, p.kind, n.step_id, n.body FROM notes n "
        "LEFT JOIN playbooks p ON p.id = n.playbook_id WHERE n.account_id = ? "
        "ORDER BY n.id DESC",
        (account_id,),
    )
    notes = [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur]
    return {"playbooks": playbooks, "notes": notes}


def ticks(conn: sqlite3.Connection, kind: str | None = None) -> pl.DataFrame:
    """Every ticked step (of playbooks of ``kind``): account_id (or deal id), kind, step_id."""
    sql = (
        "SELECT p.account_id, p.kind, t.step_id FROM checklist_ticks t "
        "JOIN playbooks p ON p.id = t.playbook_id"
    )
    rows = conn.execute(sql + (" WHERE p.kind = ?" if kind else ""), (kind,) if kind else ())
    return pl.DataFrame(
        rows.fetchall(),
        schema={"account_id": pl.String, "kind": pl.String, "step_id": pl.String},
        orient="row",
    )
