"""Engine results stored as dated snapshots: scores, risk signals and alerts per as-of date.

Storing a date again replaces what that date had; other dates are kept, so trends and
backtests can read every past run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import polars as pl

from db.queries import frame

SNAPSHOT_COLUMNS = (
    "account_id",
    "as_of",
    "preset",
    "total",
    "tier",
    "dimensions",
    "signals",
    "coverage",
    "config_hash",
    "scored_at",
)
RISK_COLUMNS = ("account_id", "as_of", "code", "severity", "respond_by", "action", "evidence")
ALERT_COLUMNS = ("account_id", "as_of", "code", "detail", "action", "due_at")


def _replace(
    conn: sqlite3.Connection,
    table: str,
    as_of: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    conn.execute(f"DELETE FROM {table} WHERE as_of = ?", (as_of,))
    marks = ", ".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def store_run(
    conn: sqlite3.Connection,
    as_of: str,
    snapshots: Iterable[Sequence[object]],
    risks: Iterable[Sequence[object]],
    alerts: Iterable[Sequence[object]],
) -> None:
    """Replace the results of ``as_of`` (call inside a transaction). Rows follow
    SNAPSHOT_COLUMNS, RISK_COLUMNS and ALERT_COLUMNS."""
    _replace(conn, "score_snapshots", as_of, SNAPSHOT_COLUMNS, snapshots)
    _replace(conn, "risk_signals", as_of, RISK_COLUMNS, risks)
    _replace(conn, "score_alerts", as_of, ALERT_COLUMNS, alerts)


def _latest(columns: str, dated: str) -> str:
    """SQL for each account's newest snapshot whose as_of is ``dated`` the one parameter
    ("< ?", "<= ?"): found per account, one seek of the (account_id, as_of) key each,
    instead of grouping every snapshot ever stored (100k accounts with a year of weekly
    snapshots, 4.6M rows: 0.74-0.83 -> 0.34 s; it no longer grows with the history)."""
    return f"""
        WITH latest AS MATERIALIZED (
            SELECT a.account_id AS account_id,
                   (SELECT MAX(l.as_of) FROM score_snapshots l
                    WHERE l.account_id = a.account_id AND l.as_of {dated}) AS as_of
            FROM accounts a
        )
        SELECT {columns}
        FROM latest m CROSS JOIN score_snapshots s
          ON s.account_id = m.account_id AND s.as_of = m.as_of
        """


def previous_scores(conn: sqlite3.Connection, before: str) -> pl.DataFrame:
    """Each account's most recent snapshot strictly before ``before``."""
    return frame(
        conn,
        _latest("s.account_id, s.as_of, s.total, s.tier", "< ?"),
        (before,),
        {"account_id": pl.String, "as_of": pl.String, "total": pl.Float64, "tier": pl.String},
    )


def latest_scores(conn: sqlite3.Connection, as_of: str) -> pl.DataFrame:
    """Each scored account's latest stored score on or before ``as_of`` (a date): account_id,
    score, tier, coverage, scored_as_of."""
    return frame(
        conn,
        _latest(
            "s.account_id, s.total AS score, s.tier AS tier, s.coverage AS coverage, "
            "s.as_of AS scored_as_of",
            "<= ?",
        ),
        (as_of,),
        LATEST_SCORE_SCHEMA,
    )


LATEST_SCORE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "account_id": pl.String,
    "score": pl.Float64,
    "tier": pl.String,
    "coverage": pl.Float64,
    "scored_as_of": pl.String,
}


def score_history(conn: sqlite3.Connection, account_id: str) -> pl.DataFrame:
    """One account's stored scores, oldest first."""
    return frame(
        conn,
        "SELECT as_of, total, tier, coverage FROM score_snapshots WHERE account_id = ? "
        "ORDER BY as_of",
        (account_id,),
        {"as_of": pl.String, "total": pl.Float64, "tier": pl.String, "coverage": pl.Float64},
    )


def stored_alerts(conn: sqlite3.Connection, on_or_before: str) -> tuple[str | None, list[dict]]:
    """The alerts of the latest scoring run on or before a date, soonest due first."""
    row = conn.execute(
        "SELECT MAX(as_of) FROM score_snapshots WHERE as_of <= ?", (on_or_before,)
    ).fetchone()
    day = row[0] if row else None
    if day is None:
        return None, []
    cur = conn.execute(
        "SELECT x.due_at, a.name AS account, x.account_id, a.owner, x.code, x.detail, x.action "
        "FROM score_alerts x JOIN accounts a ON a.account_id = x.account_id "
        "WHERE x.as_of = ? ORDER BY x.due_at, a.name, x.code",
        (day,),
    )
    names = [d[0] for d in cur.description]
    return day, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def save_backtest(
    conn: sqlite3.Connection,
    *,
    run_at: str,
    first_as_of: str,
    last_as_of: str,
    horizon_days: int,
    contraction_share: float,
    preset: str,
    config_hash: str,
    summary_json: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO backtest_runs (run_at, first_as_of, last_as_of, horizon_days, "
        "contraction_share, preset, config_hash, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_at,
            first_as_of,
            last_as_of,
            horizon_days,
            contraction_share,
            preset,
            config_hash,
            summary_json,
        ),
    )
    return int(cur.lastrowid or 0)


def latest_backtest(conn: sqlite3.Connection) -> dict[str, object] | None:
    cur = conn.execute("SELECT * FROM backtest_runs ORDER BY id DESC LIMIT 1")
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))
