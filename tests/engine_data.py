"""Small hand-built tables for engine tests: typed exactly like db.frames.load_all."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from db.frames import DAY, INSTANT, TABLES
from retention_tui.config import defaults

AS_OF = date(2026, 6, 30)
END = datetime(2026, 7, 1)  # the first instant after AS_OF


def days_ago(n: float, hour: int = 12) -> datetime:
    """An instant ``n`` days before the as-of day (at ``hour`` o'clock)."""
    return datetime(AS_OF.year, AS_OF.month, AS_OF.day, hour) - timedelta(days=n)


def schema(table: str) -> dict[str, pl.DataType]:
    out = {}
    for col, kind in TABLES[table].items():
        out[col] = pl.Datetime("us") if kind == INSTANT else pl.Date() if kind == DAY else kind
    return out  # type: ignore[return-value]


def make_tables(**rows: list[dict]) -> dict[str, pl.DataFrame]:
    """Every canonical table, empty unless rows are given (missing columns are null)."""
    unknown = set(rows) - set(TABLES)
    assert not unknown, unknown
    out = {}
    for table in TABLES:
        s = schema(table)
        data = [{c: r.get(c) for c in s} for r in rows.get(table, [])]
        out[table] = pl.DataFrame(data, schema=s)
    return out


def account(account_id: str, **kw: object) -> dict:
    return {
        "account_id": account_id,
        "name": account_id.upper(),
        "segment": "mid_market",
        "created_at": date(2025, 1, 1),
        "currency": "USD",
        **kw,
    }


def subscription(
    account_id: str,
    amount: int,
    start: str = "2025-01-01",
    end: str | None = None,
    status: str = "active",
    interval: str = "month",
) -> dict:
    return {
        "account_id": account_id,
        "subscription_id": f"sub_{account_id}",
        "plan": "growth",
        "status": status,
        "billing_interval": interval,
        "amount_minor": amount,
        "quantity": 1,
        "currency": "USD",
        "period_start": start,
        "period_end": end,
    }


def events(account_id: str, name: str, when: list[datetime], user: str = "u1") -> list[dict]:
    return [
        {"account_id": account_id, "user_id": user, "event": name, "occurred_at": t, "value": 1.0}
        for t in when
    ]


def spread(count: int, first_day: float, last_day: float) -> list[datetime]:
    """``count`` instants evenly spread from ``first_day`` to ``last_day`` days ago."""
    if count == 1:
        return [days_ago(first_day)]
    step = (first_day - last_day) / (count - 1)
    return [days_ago(first_day - i * step) for i in range(count)]


def cfg() -> dict:
    return defaults()
