"""Seed B's onboarding quality rubric (0-100), as far as the data can rate it.

Six dimensions, each rated 10 (good), 5 or 1 and weighed in points: time to first value
25 (< 3 days / up to 2 weeks / more), customer effort 20 (they had to do almost nothing /
some / a lot), personalisation 15, communication 15 (proactive with a timeline / reactive /
confusing), early results 15 (measurable in the first week / vague / none) and
documentation 10. Target 80+; under 60 means the onboarding has a serious problem.

What the data rates, per account, once the dimension's window has passed (or sooner when
what it measures can no longer change the rating: a first day, once there, or 4 tickets):
- time to first value: the day of the first core-feature event (onboarding's first
  milestone): before day 3 -> 10, by day 14 -> 5, later or not by day 14 -> 1;
- customer effort: support tickets opened in the first 30 days: 0-1 -> 10, 2-3 -> 5, 4+ -> 1;
- communication: our outbound touchpoints in the first 14 days: 2+ -> 10, 1 -> 5, none -> 1;
- early results: the first report (onboarding's "ROI visible" milestone): by day 7 -> 10,
  by day 30 -> 5, later or not by day 30 -> 1.
Personalisation and documentation are about the material a team gives its customer, in no
export: they are left out, and the score is over the points that were rated (its coverage
says how many), as the health score does with signals that have no data.

Pure: the canonical tables and an as-of date in, one row per account out.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import polars as pl

from retention_tui.engine.features import Tables, end_of

# (dimension, points) in seed B's order.
RUBRIC = (
    ("time_to_first_value", 25),
    ("customer_effort", 20),
    ("personalisation", 15),
    ("communication", 15),
    ("early_results", 15),
    ("documentation", 10),
)
NOT_IN_DATA = ("personalisation", "documentation")
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)
TARGET, SERIOUS = 80, 60
# The event that shows results: onboarding's "ROI visible" milestone (engine.expansion's
# onboarding) and the rubric's early results.
RESULTS_EVENT = "report_created"


def event_days(t: Tables, accounts: pl.DataFrame | pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """The usage events up to ``as_of`` of ``accounts`` (account_id, created_at), each
    with ``day``: the days since its account was created."""
    return (
        t["usage_events"]
        .lazy()
        .filter(pl.col("occurred_at") < end_of(as_of))
        .join(accounts.lazy().select("account_id", "created_at"), on="account_id")
        .with_columns(
            (pl.col("occurred_at").dt.date() - pl.col("created_at")).dt.total_days().alias("day")
        )
    )


def first_day(events: FrameT, cond: pl.Expr, name: str) -> FrameT:
    """account_id and the first ``day`` (event_days) an event meeting ``cond`` happened."""
    return events.filter(cond).group_by("account_id").agg(pl.col("day").min().alias(name))


def _count(
    frame: pl.DataFrame, created: pl.LazyFrame, at: str, days: int, name: str
) -> pl.LazyFrame:
    """Rows of ``frame`` per account dated (column ``at``) within the account's first
    ``days`` days."""
    day = pl.col(at).dt.date() - pl.col("account_created")
    return (
        frame.lazy()
        .select("account_id", at)
        .join(created.rename({"created_at": "account_created"}), on="account_id")
        .filter(day.dt.total_days().is_between(0, days - 1))
        .group_by("account_id")
        .agg(pl.len().cast(pl.Int64).alias(name))
    )


def _rating(good: pl.Expr, fair: pl.Expr, final: pl.Expr) -> pl.Expr:
    """10 when ``good``; else, once the rating is ``final`` (its window has passed, or what
    it measures can no longer change it), 5 when ``fair`` and 1 otherwise; null before."""
    return (
        pl.when(good.fill_null(False))
        .then(pl.lit(10))
        .when(~final.fill_null(False))
        .then(pl.lit(None, pl.Int64))
        .when(fair.fill_null(False))
        .then(pl.lit(5))
        .otherwise(pl.lit(1))
    )


def data_start(t: Tables) -> date | None:
    """The day of the book's first usage event: an account created before it onboarded
    where the data cannot see, and is not rated."""
    first = t["usage_events"]["occurred_at"].min()
    return first.date() if first is not None else None  # type: ignore[union-attr]


def onboarding_quality(
    t: Tables, as_of: date, cfg: dict, accounts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Each account's measures, ratings (10/5/1, null: not rated yet), points, score (0-100
    over the rated points) and coverage (the share of the rubric's 100 points rated).
    ``accounts`` (account_id, created_at) limits it to some accounts; accounts created
    before the data starts (``data_start``) are left out."""
    end = end_of(as_of)
    chosen = t["accounts"] if accounts is None else accounts
    start = data_start(t) or date.max
    created = (
        chosen.filter((pl.col("created_at") <= as_of) & (pl.col("created_at") >= start))
        .select("account_id", "created_at")
        .lazy()
    )
    events = event_days(t, created, as_of)
    ours = t["touchpoints"].filter(
        (pl.col("direction") == "outbound") & (pl.col("occurred_at") < end)
    )
    frame = (
        created.with_columns((pl.lit(as_of) - pl.col("created_at")).dt.total_days().alias("day"))
        .join(
            first_day(events, pl.col("event").is_in(cfg["events"]["core"]), "first_value_day"),
            on="account_id",
            how="left",
        )
        .join(
            first_day(events, pl.col("event") == RESULTS_EVENT, "first_results_day"),
            on="account_id",
            how="left",
        )
        .join(
            _count(
                t["tickets"].filter(pl.col("created_at") < end),
                created,
                "created_at",
                30,
                "tickets_first_30_days",
            ),
            on="account_id",
            how="left",
        )
        .join(
            _count(ours, created, "occurred_at", 14, "outreach_first_14_days"),
            on="account_id",
            how="left",
        )
        .with_columns(pl.col("tickets_first_30_days", "outreach_first_14_days").fill_null(0))
        .collect()
    )
    day, ttfv, results = pl.col("day"), pl.col("first_value_day"), pl.col("first_results_day")
    tickets, outreach = pl.col("tickets_first_30_days"), pl.col("outreach_first_14_days")
    ratings = {  # a first day, once there, is final; more tickets can still come
        "time_to_first_value": _rating(ttfv < 3, ttfv <= 14, (day >= 14) | ttfv.is_not_null()),
        "customer_effort": _rating(
            (tickets <= 1) & (day >= 30), tickets <= 3, (day >= 30) | (tickets >= 4)
        ),
        "communication": _rating(outreach >= 2, outreach == 1, day >= 14),
        "early_results": _rating(results <= 7, results <= 30, (day >= 30) | results.is_not_null()),
    }
    frame = frame.with_columns(*(expr.cast(pl.Int64).alias(name) for name, expr in ratings.items()))
    points = [
        (pl.col(name) * weight / 10).alias(f"{name}_points")
        for name, weight in RUBRIC
        if name in ratings
    ]
    rated = pl.sum_horizontal(
        pl.when(pl.col(name).is_not_null()).then(weight).otherwise(0)
        for name, weight in RUBRIC
        if name in ratings
    )
    frame = frame.with_columns(points).with_columns(rated.alias("rated_points"))
    earned = pl.sum_horizontal(pl.col(f"{name}_points") for name in ratings)
    return frame.with_columns(
        pl.when(pl.col("rated_points") > 0)
        .then((earned / pl.col("rated_points") * 100).round(0))
        .alias("score"),
        (pl.col("rated_points") / 100).alias("coverage"),
    ).sort("account_id")


def verdict(score: float | None) -> str:
    """Seed B's reading of a rubric score."""
    if score is None:
        return "not rated yet"
    if score >= TARGET:
        return "on target (80+)"
    if score >= SERIOUS:
        return "below the 80 target"
    return "a serious problem (under 60)"
