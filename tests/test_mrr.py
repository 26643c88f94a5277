"""MRR from subscription periods (engine), with hand-computed expectations."""

from __future__ import annotations

from datetime import date

import polars as pl

from db.queries import SUBSCRIPTION_PERIOD_SCHEMA
from retention_tui.engine.mrr import mrr_on


def periods(*rows: tuple) -> pl.DataFrame:
    names = list(SUBSCRIPTION_PERIOD_SCHEMA)
    return pl.DataFrame(
        [dict(zip(names, r, strict=True)) for r in rows], schema=SUBSCRIPTION_PERIOD_SCHEMA
    )


P = periods(
    # account, sub, plan, status, interval, amount, qty, currency, start, end
    ("a", "s1", "growth", "trialing", "month", 0, 1, "USD", "2024-01-01", "2024-01-15"),
    ("a", "s1", "growth", "active", "month", 49_000, 5, "USD", "2024-01-15", "2024-06-01"),
    ("a", "s1", "scale", "active", "month", 99_000, 9, "USD", "2024-06-01", None),
    ("b", "s2", "ent", "active", "year", 1_200_000, 1, "USD", "2024-01-01", None),
    ("c", "s3", "q", "active", "quarter", 30_000, 1, "USD", "2024-01-01", "2024-04-01"),
    ("d", "s4", "w", "active", "week", 1_200, 1, "USD", "2024-01-01", None),
    ("e", "s5", "p", "paused", "month", 10_000, 1, "USD", "2024-01-01", None),
    ("f", "s6", "x", "past_due", "month", 5_000, 1, "EUR", "2024-01-01", None),
)


def as_dict(day: date) -> dict[str, int]:
    return {r["account_id"]: r["mrr_minor"] for r in mrr_on(P, day).iter_rows(named=True)}


def test_mrr_normalises_every_interval_to_a_month() -> None:
    assert as_dict(date(2024, 3, 1)) == {
        "a": 49_000,  # monthly as billed
        "b": 100_000,  # 12,000.00 a year = 1,000.00 a month
        "c": 10_000,  # 300.00 a quarter = 100.00 a month
        "d": 5_200,  # 12.00 a week x 52 / 12 = 52.00 a month
        "f": 5_000,  # past due still counts until it churns
    }


def test_trials_and_pauses_add_nothing_and_ends_are_exclusive() -> None:
    assert "a" not in as_dict(date(2024, 1, 10))  # trialing
    assert as_dict(date(2024, 6, 1))["a"] == 99_000  # the upgrade starts that day
    assert as_dict(date(2024, 5, 31))["a"] == 49_000
    assert "c" not in as_dict(date(2024, 4, 1))  # ended that day
    assert "e" not in as_dict(date(2024, 3, 1))  # paused


def test_nothing_before_the_first_period() -> None:
    assert as_dict(date(2023, 12, 31)) == {}


def test_subscription_status() -> None:
    from retention_tui.engine.mrr import subscription_status_on

    def status(day: date) -> dict[str, str]:
        frame = subscription_status_on(P, day)
        return dict(zip(frame["account_id"], frame["status"], strict=True))

    assert status(date(2024, 1, 10)) == {
        "a": "trial",
        "b": "paying",
        "c": "paying",
        "d": "paying",
        "e": "paused",
        "f": "paying",
    }
    assert status(date(2024, 4, 1))["c"] == "churned"
    assert status(date(2023, 12, 31)) == {}
