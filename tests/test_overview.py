"""The accounts list's counts (retention_tui/overview.py), worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from retention_tui.overview import account_counts
from tests.engine_data import AS_OF, END, events, make_tables


def test_contacts_users_and_open_tickets_as_of_a_date() -> None:
    since = END - timedelta(days=31)  # the window: the 30 days before AS_OF, and AS_OF
    t = make_tables(
        contacts=[
            {"account_id": "a"},
            {"account_id": "a", "left_company_at": AS_OF},  # left that day: gone
            {"account_id": "a", "left_company_at": AS_OF + timedelta(days=1)},  # still there
            {"account_id": "b", "left_company_at": date(2026, 1, 1)},
        ],
        usage_events=[
            *events("a", "login", [since, END - timedelta(seconds=1)], user="u1"),
            *events("a", "login", [since + timedelta(hours=5)], user="u2"),
            *events("a", "login", [since - timedelta(seconds=1)], user="u3"),  # before it
            *events("a", "login", [END], user="u4"),  # after the as-of day
            *events("b", "login", [datetime(2026, 6, 29)], user=None),  # nobody known
        ],
        tickets=[
            {"account_id": "a", "status": "open", "created_at": datetime(2026, 6, 30, 23)},
            {"account_id": "a", "status": "pending", "created_at": datetime(2026, 1, 1)},
            {"account_id": "a", "status": "solved", "created_at": datetime(2026, 1, 1)},
            {"account_id": "a", "status": "new", "created_at": END},  # opened after
            {"account_id": "b", "status": "hold", "created_at": datetime(2026, 5, 1)},
        ],
    )
    counts = {r["account_id"]: r for r in account_counts(t, AS_OF).iter_rows(named=True)}
    assert counts["a"]["contacts"] == 2
    assert counts["a"]["active_users"] == 2  # u1 (twice) and u2
    assert counts["a"]["open_tickets"] == 2
    assert counts["b"]["contacts"] is None and counts["b"]["active_users"] is None
    assert counts["b"]["open_tickets"] == 1
