"""Score-change alerts (DOMAIN.md §2): a fast drop, entering at_risk or critical, rising
into healthy, and a key contact leaving. Pure: this run's scores against the previous ones.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

ALERT_SCHEMA = {
    "account_id": pl.String,
    "code": pl.String,
    "detail": pl.String,
    "action": pl.String,
    "due_at": pl.Datetime("us"),
}
RANK = {"healthy": 0, "monitor": 1, "at_risk": 2, "critical": 3}


def score_alerts(
    scores: pl.DataFrame,
    previous: pl.DataFrame,
    risks: pl.DataFrame,
    as_of: date,
    cfg: dict,
) -> pl.DataFrame:
    """Alerts for ``as_of``.

    ``scores`` and ``previous`` have account_id, total, tier (``previous``: each account's
    last snapshot before ``as_of``; empty on a first run); ``risks`` is this run's signals.
    """
    a = cfg["alerts"]
    start = datetime(as_of.year, as_of.month, as_of.day)

    def due(key: str) -> pl.Expr:
        return pl.lit(start + timedelta(hours=a[f"{key}_due_hours"]), pl.Datetime("us"))

    both = scores.select("account_id", "total", "tier").join(
        previous.select(
            "account_id", pl.col("total").alias("was"), pl.col("tier").alias("was_tier")
        ),
        on="account_id",
    )
    was_rank = pl.col("was_tier").replace_strict(RANK, default=None, return_dtype=pl.Int64)
    change = pl.format(  # the tiers in words: 'monitor → at risk'
        "score {} → {} ({} → {})",
        pl.col("was"),
        pl.col("total"),
        pl.col("was_tier").str.replace_all("_", " ", literal=True),
        pl.col("tier").str.replace_all("_", " ", literal=True),
    )
    rules = [
        ("score_drop", pl.col("was") - pl.col("total") >= a["drop_points"], "drop"),
        (
            "entered_at_risk",
            (pl.col("tier") == "at_risk") & (was_rank < RANK["at_risk"]),
            "at_risk",
        ),
        (
            "entered_critical",
            (pl.col("tier") == "critical") & (was_rank < RANK["critical"]),
            "critical",
        ),
        (
            "rose_to_healthy",
            (pl.col("tier") == "healthy") & (was_rank > RANK["healthy"]),
            "healthy",
        ),
    ]
    parts = [
        both.filter(cond.fill_null(False)).select(
            "account_id",
            pl.lit(code).alias("code"),
            change.alias("detail"),
            pl.lit(a[f"{key}_action"]).alias("action"),
            due(key).alias("due_at"),
        )
        for code, cond, key in rules
    ]
    left = risks.filter(pl.col("code") == "champion_left")
    parts.append(
        left.select(
            "account_id",
            pl.lit("champion_left").alias("code"),
            pl.col("evidence").list.join("; ").alias("detail"),
            pl.lit(a["champion_left_action"]).alias("action"),
            due("champion_left").alias("due_at"),
        )
    )
    out = pl.concat([p.cast(ALERT_SCHEMA) for p in parts])  # type: ignore[arg-type]
    return out.sort("due_at", "account_id", "code")
