"""Stored snapshots read back: each account's latest score before or on a date."""

from __future__ import annotations

import sqlite3

from db.results import latest_scores, previous_scores


def _book(conn: sqlite3.Connection) -> None:
    """a scored on three dates, b on the first only (churned since), c never."""
    for acc in ("a", "b", "c"):
        conn.execute(
            "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
            "VALUES (?, 'canonical', ?, ?, '2024-01-01')",
            (acc, acc, acc.upper()),
        )
    for acc, as_of, total in (
        ("a", "2026-11-06", 61.0),
        ("a", "2026-11-13", 55.0),
        ("a", "2026-11-20", 48.0),
        ("b", "2026-11-06", 72.0),
    ):
        conn.execute(
            "INSERT INTO score_snapshots (account_id, as_of, preset, total, tier, dimensions, "
            "signals, coverage, config_hash, scored_at) VALUES (?, ?, 'B', ?, 'monitor', '{}', "
            "'[]', 0.9, 'h', '2026-11-20T00:00:00Z')",
            (acc, as_of, total),
        )


def test_each_accounts_latest_snapshot_before_or_on_a_date(conn: sqlite3.Connection) -> None:
    _book(conn)

    def rows(frame, *columns):
        return sorted(frame.select(*columns).iter_rows())

    # alerts compare with the snapshot before the date; the list shows the one on it
    assert rows(previous_scores(conn, "2026-11-20"), "account_id", "as_of", "total") == [
        ("a", "2026-11-13", 55.0),
        ("b", "2026-11-06", 72.0),
    ]
    assert rows(latest_scores(conn, "2026-11-20"), "account_id", "scored_as_of", "score") == [
        ("a", "2026-11-20", 48.0),
        ("b", "2026-11-06", 72.0),
    ]
    assert rows(latest_scores(conn, "2026-11-12"), "account_id", "scored_as_of") == [
        ("a", "2026-11-06"),
        ("b", "2026-11-06"),
    ]
    assert previous_scores(conn, "2026-11-06").height == 0
    assert latest_scores(conn, "2026-11-05").height == 0
