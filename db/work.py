"""The user's own work: playbooks, checklist ticks, notes, snoozes, and the interactions
they log.

These rows are written only by the user (through the dashboard or the CLI). Imports and
scoring never touch these tables, and nothing here deletes a note. A logged interaction is
a touchpoint of the source ``LOGGED`` (no import writes that source), read by the engine
like an imported one.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time

import polars as pl

from db.clock import stamp, utc_now
from db.connection import transaction
from db.emails import is_email
from db.errors import RetentionError

LOGGED = "retention"  # the source of the touchpoints logged in the app
# The touchpoints table's own choices (migration 0001's CHECK constraints), for what a
# user logs and what a canonical touchpoints file may hold (importers/canonical.py).
TOUCH_KINDS = ("call", "email", "meeting", "checkin", "qbr", "chat", "note")
# Each kind as a person writes it ("check-in", "QBR"): a_kind puts it in a sentence.
KIND_WORDS = {"checkin": "check-in", "qbr": "QBR"}
DIRECTIONS = ("inbound", "outbound")
SENTIMENTS = ("positive", "neutral", "negative")
# What a customer comes to or picks up: logged, it took place unless said missed (the
# check-in attendance and missed check-ins read it, and a missed call is no conversation).
HELD_KINDS = ("call", "meeting", "checkin", "qbr")
_HASHTAG = re.compile(r"#([a-z0-9_-]+)")


def kind_word(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


def a_kind(kind: str, missed: bool = False) -> str:
    """The kind as a sentence says it: 'an email', 'a check-in', 'a missed call'."""
    word = kind_word(kind)
    if missed:
        return f"a missed {word}"
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def start_playbook(
    conn: sqlite3.Connection, account_id: str, kind: str, steps: Sequence[str] = ()
) -> int:
    """Start (or return the open) playbook of ``kind`` on an account. An open one whose
    ``steps`` are all ticked is done: it is closed, and a new one started (a customer
    saved last year, at risk again; next year's renewal)."""
    with transaction(conn):
        row = conn.execute(
            "SELECT id FROM playbooks WHERE account_id = ? AND kind = ? AND closed_at IS NULL",
            (account_id, kind),
        ).fetchone()
        if row:
            ticked = {
                r[0]
                for r in conn.execute(
                    "SELECT step_id FROM checklist_ticks WHERE playbook_id = ?", (row[0],)
                )
            }
            if not steps or not set(steps) <= ticked:
                return int(row[0])
            conn.execute(
                "UPDATE playbooks SET closed_at = ?, outcome = 'done' WHERE id = ?",
                (utc_now(), row[0]),
            )
        cur = conn.execute(
            "INSERT INTO playbooks (account_id, kind, started_at) VALUES (?, ?, ?)",
            (account_id, kind, utc_now()),
        )
        return int(cur.lastrowid or 0)


def set_tick(conn: sqlite3.Connection, playbook_id: int, step_id: str, done: bool) -> None:
    with transaction(conn):
        if done:  # ticked again (a step ticked for last year's renewal): dated now
            conn.execute(
                "INSERT INTO checklist_ticks (playbook_id, step_id, done_at) VALUES (?, ?, ?) "
                "ON CONFLICT (playbook_id, step_id) DO UPDATE SET done_at = excluded.done_at",
                (playbook_id, step_id, utc_now()),
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
            (account_id, playbook_id, step_id, text, utc_now()),
        )


def hashtags(text: str) -> str | None:
    """The '#words' of a summary as touchpoint tags ('budget_cut;competitor'), which the
    risk signals read (tags.*)."""
    found = dict.fromkeys(_HASHTAG.findall(text.lower()))
    return ";".join(found) or None


def hashtags_of(text: pl.Expr) -> pl.Expr:
    """hashtags() of a column of texts (an imported activity's subject and comments)."""
    found = (
        text.str.to_lowercase()
        .str.extract_all(_HASHTAG.pattern)
        .list.eval(pl.element().str.strip_prefix("#"))
        .list.unique(maintain_order=True)
        .list.join(";")
    )
    return pl.when(found != "").then(found)


def logged_at(day: date | None, now: datetime) -> datetime:
    """When an interaction logged for ``day`` happened: ``now`` when that is today (or no
    day is given), else noon UTC of that day (the dashboard looking at a past day)."""
    if day is None or day == now.astimezone(UTC).date():
        return now
    return datetime.combine(day, time(12), tzinfo=UTC)


def log_touchpoint(
    conn: sqlite3.Connection,
    account_id: str,
    kind: str,
    summary: str,
    occurred_at: datetime,
    *,
    direction: str = "outbound",
    sentiment: str | None = None,
    contact_email: str | None = None,
    missed: bool = False,
) -> str:
    """Record an interaction with an account (a call, an email, a meeting...) as one of its
    touchpoints, tagged with the summary's #words; returns its id. A call, meeting,
    check-in or QBR is attended unless ``missed`` (they did not come, or pick up)."""
    if kind not in TOUCH_KINDS:
        raise RetentionError(f"kind {kind!r}: expected one of {', '.join(TOUCH_KINDS)}")
    if missed and kind not in HELD_KINDS:
        raise RetentionError(
            f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} cannot be missed; expected one of "
            f"{', '.join(HELD_KINDS)} to say so"
        )
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise RetentionError(f"sentiment {sentiment!r}: expected one of {', '.join(SENTIMENTS)}")
    if direction not in DIRECTIONS:
        raise RetentionError(f"direction {direction!r}: expected {' or '.join(DIRECTIONS)}")
    email = contact_email.strip().lower() if contact_email else None
    if email is not None and not is_email(email):
        raise RetentionError(f"contact {contact_email!r}: expected an email address")
    source_id = f"log-{uuid.uuid4().hex[:16]}"
    text = summary.strip() or None
    with transaction(conn):
        conn.execute(
            "INSERT INTO touchpoints (source, source_id, account_id, contact_email, kind, "
            "direction, occurred_at, attended, sentiment, tags, summary) VALUES (?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?)",
            (
                LOGGED,
                source_id,
                account_id,
                email,
                kind,
                direction,
                stamp(occurred_at),
                (0 if missed else 1) if kind in HELD_KINDS else None,
                sentiment,
                hashtags(text or ""),
                text,
            ),
        )
    return source_id


def logged_touchpoints(conn: sqlite3.Connection, account_id: str) -> list[dict]:
    """The interactions logged with an account in the app or the CLI, newest first: their
    source_id, when, kind, direction, summary, sentiment and attendance."""
    cur = conn.execute(
        "SELECT source_id, occurred_at, kind, direction, summary, sentiment, attended "
        "FROM touchpoints WHERE source = ? AND account_id = ? ORDER BY occurred_at DESC, id DESC",
        (LOGGED, account_id),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def logged_line(r: dict) -> str:
    """A logged interaction (a row of logged_touchpoints) in a line: '2026-11-19 10:02
    outbound call: CFO says #budget_cut (negative)'."""
    how = "missed" if r["attended"] == 0 else r["sentiment"]
    return (
        f"{str(r['occurred_at'])[:16].replace('T', ' ')} {r['direction']} "
        f"{kind_word(r['kind'])}: {r['summary'] or '(no summary)'}" + (f" ({how})" if how else "")
    )


def forget_touchpoint(conn: sqlite3.Connection, account_id: str, source_id: str) -> None:
    """Delete an interaction logged with the account by mistake (the wrong account, a
    wrong word): one the user logged, never an imported one."""
    with transaction(conn):
        gone = conn.execute(
            "DELETE FROM touchpoints WHERE source = ? AND account_id = ? AND source_id = ?",
            (LOGGED, account_id, source_id),
        ).rowcount
    if gone != 1:
        raise RetentionError(f"no interaction {source_id!r} logged with account {account_id}")


def snooze(conn: sqlite3.Connection, account_id: str, queue: str, until: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO snoozes (account_id, queue, until, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account_id, queue) DO UPDATE SET until = excluded.until, "
            "created_at = excluded.created_at",
            (account_id, queue, until, utc_now()),
        )


def snoozes(conn: sqlite3.Connection) -> pl.DataFrame:
    """Every snooze: account_id (or deal id), queue, until (exclusive, ISO day)."""
    return snoozes_frame(conn.execute("SELECT account_id, queue, until FROM snoozes").fetchall())


def snoozes_frame(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    schema = dict.fromkeys(("account_id", "queue", "until"), pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row")


def wake(conn: sqlite3.Connection, account_id: str, queue: str) -> None:
    """End an account's snooze in ``queue`` now (a key pressed on the wrong row)."""
    with transaction(conn):
        conn.execute("DELETE FROM snoozes WHERE account_id = ? AND queue = ?", (account_id, queue))


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
    """Every ticked step (of playbooks of ``kind``): account_id (or deal id), kind, step_id,
    done_at (when it was ticked: a renewal's steps count for the renewal they were ticked
    for)."""
    sql = (
        "SELECT p.account_id, p.kind, t.step_id, t.done_at FROM checklist_ticks t "
        "JOIN playbooks p ON p.id = t.playbook_id"
    )
    rows = conn.execute(sql + (" WHERE p.kind = ?" if kind else ""), (kind,) if kind else ())
    return pl.DataFrame(
        rows.fetchall(),
        schema={c: pl.String for c in ("account_id", "kind", "step_id", "done_at")},
        orient="row",
    )


def users_work(conn: sqlite3.Connection, own_files: Collection[str] = ()) -> list[str]:
    """What the user put into this database, one phrase each ('notes', 'accounts linked
    or merged by hand', ...): empty when every imported file is one of ``own_files`` (their
    SHA-256: the bundled sample's, for the demo) and no one worked in it since."""
    held = [
        what
        for what, sql in (
            ("playbooks", "SELECT 1 FROM playbooks"),
            ("notes", "SELECT 1 FROM notes"),
            ("snoozes", "SELECT 1 FROM snoozes"),
            ("logged interactions", f"SELECT 1 FROM touchpoints WHERE source = '{LOGGED}'"),
            (
                "accounts linked or merged by hand",
                "SELECT 1 FROM account_links WHERE method != 'auto'",
            ),
        )
        if conn.execute(sql + " LIMIT 1").fetchone()
    ]
    files = [
        name
        for name, sha in conn.execute("SELECT file_name, sha256 FROM import_log ORDER BY id")
        if sha not in own_files
    ]
    if files:
        shown = ", ".join(dict.fromkeys(files[:3]))
        held.append(f"imports of your own files ({shown}{', …' if len(files) > 3 else ''})")
    return held
