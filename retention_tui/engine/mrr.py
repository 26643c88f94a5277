"""Monthly recurring revenue from subscription periods.

Every plan is normalised to a month: quarterly / 3, annual / 12, weekly x 52 / 12 (the
weekly factor is a setting). Only periods whose status counts as paying add MRR: trials,
paused and canceled periods add nothing.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.kept import kept

WEEKS_PER_MONTH = 52 / 12
PAYING_STATUSES = ("active", "past_due")


def monthly_minor(
    amount: pl.Expr, interval: pl.Expr, weeks_per_month: float = WEEKS_PER_MONTH
) -> pl.Expr:
    """The monthly equivalent of ``amount`` billed every ``interval``, in minor units."""
    factor = (
        pl.when(interval == "month")
        .then(1.0)
        .when(interval == "quarter")
        .then(1 / 3)
        .when(interval == "year")
        .then(1 / 12)
        .when(interval == "week")
        .then(weeks_per_month)
    )
    return (amount * factor).round(0).cast(pl.Int64)


def active_on(day: date | pl.Expr) -> pl.Expr:
    """Periods that cover ``day`` (start inclusive, end exclusive; no end = still running);
    ``day`` may be a column of ISO days, one per row."""
    d = day.isoformat() if isinstance(day, date) else day
    return (pl.col("period_start") <= d) & (
        pl.col("period_end").is_null() | (pl.col("period_end") > d)
    )


def mrr_on(
    periods: pl.DataFrame,
    day: date,
    *,
    paying_statuses: tuple[str, ...] = PAYING_STATUSES,
    weeks_per_month: float = WEEKS_PER_MONTH,
) -> pl.DataFrame:
    """MRR per account and currency on ``day``: columns account_id, currency, mrr_minor."""
    return (
        periods.filter(active_on(day) & pl.col("status").is_in(list(paying_statuses)))
        .with_columns(
            monthly_minor(
                pl.col("amount_minor"), pl.col("billing_interval"), weeks_per_month
            ).alias("mrr_minor")
        )
        .group_by("account_id", "currency")
        .agg(pl.col("mrr_minor").sum())
        .sort("account_id", "currency")
    )


@kept()
def subscription_status_on(periods: pl.DataFrame, day: date) -> pl.DataFrame:
    """Each account's billing status on ``day``: columns account_id, status.

    paying (a paying period covers the day), trial, paused, churned (had periods, none
    covers the day). Accounts with no period that started by ``day`` are left out.
    """
    started = periods.filter(pl.col("period_start") <= day.isoformat())
    current = started.filter(active_on(day))
    rank = (
        pl.when(pl.col("status").is_in(list(PAYING_STATUSES)))
        .then(0)
        .when(pl.col("status") == "trialing")
        .then(1)
        .when(pl.col("status") == "paused")
        .then(2)
        .otherwise(3)
    )
    best = current.group_by("account_id").agg(rank.min().alias("rank"))
    label = (
        pl.when(pl.col("rank") == 0)
        .then(pl.lit("paying"))
        .when(pl.col("rank") == 1)
        .then(pl.lit("trial"))
        .when(pl.col("rank") == 2)
        .then(pl.lit("paused"))
        .otherwise(pl.lit("churned"))
    )
    return (
        started.select("account_id")
        .unique()
        .join(best, on="account_id", how="left")
        .select("account_id", label.alias("status"))
        .sort("account_id")
    )
