"""Advocacy tiers (seed A's advocacy program, DOMAIN.md §11): which customers to ask for
what, from the data.

- Supporter: latest NPS 8 or more (within ``windows.nps`` days) and active (an event in
  the last ``windows.usage_recent`` days).
- Advocate: NPS 9 or more and willing to be a case study (a touchpoint tagged with one of
  ``tags.case_study``, e.g. a call where they agreed).
- Champion: NPS 10 and a referrer of more than one deal (touchpoints tagged with
  ``tags.referral``: at least two).
Each customer gets the highest tier it qualifies for, with seed A's activities and
rewards. Pure: frames in, one frame out.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.features import Tables, end_of, tagged

TIERS = (  # tier, the asks (activities), the rewards: seed A, highest first
    ("champion", "co-selling, executive intros", "revenue share, custom features"),
    ("advocate", "references, speaking, content", "conference passes, advisory board"),
    ("supporter", "social shares, reviews", "swag, early feature access"),
)


def _tagged(t: Tables, as_of: date, tags: list[str], name: str) -> pl.DataFrame:
    """account_id and how many of its touchpoints up to ``as_of`` carry one of ``tags``."""
    return (
        t["touchpoints"]
        .filter((pl.col("occurred_at") < end_of(as_of)) & tagged(tags))
        .group_by("account_id")
        .agg(pl.len().alias(name))
    )


def advocates(t: Tables, features: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    """Customers in an advocacy tier (``features``: the score run's, with nps_latest,
    nps_at, events_recent and mrr): account_id, account, owner, tier, nps, why, asks,
    rewards, mrr. Champions first, then by NPS and MRR."""
    nps_since = end_of(as_of) - pl.duration(days=cfg["windows"]["nps"])
    nps = pl.when(pl.col("nps_at") >= nps_since).then(pl.col("nps_latest"))
    frame = (
        features.select(
            "account_id", "name", "owner", "nps_latest", "nps_at", "events_recent", "mrr"
        )
        .join(
            _tagged(t, as_of, cfg["tags"]["case_study"], "case_study"), on="account_id", how="left"
        )
        .join(_tagged(t, as_of, cfg["tags"]["referral"], "referrals"), on="account_id", how="left")
        .with_columns(nps.alias("nps"), pl.col("case_study", "referrals").fill_null(0))
    )
    active = pl.col("events_recent").fill_null(0) > 0
    tier = (
        pl.when((pl.col("nps") >= 10) & (pl.col("referrals") >= 2))
        .then(pl.lit("champion"))
        .when((pl.col("nps") >= 9) & (pl.col("case_study") > 0))
        .then(pl.lit("advocate"))
        .when((pl.col("nps") >= 8) & active)
        .then(pl.lit("supporter"))
    )
    why = pl.concat_str(
        pl.format("NPS {}", pl.col("nps")),
        pl.when(pl.col("referrals") > 1).then(pl.format("{} referrals", pl.col("referrals"))),
        pl.when(pl.col("referrals") == 1).then(pl.lit("1 referral")),
        pl.when(pl.col("case_study") > 0).then(pl.lit("open to a case study")),
        pl.when(active).then(
            pl.format(
                "{} event{} in 30 d",
                pl.col("events_recent"),
                pl.when(pl.col("events_recent") == 1).then(pl.lit("")).otherwise(pl.lit("s")),
            )
        ),
        separator=", ",
        ignore_nulls=True,
    )
    rank = {name: i for i, (name, _, _) in enumerate(TIERS)}
    return (
        frame.with_columns(tier.alias("tier"))
        .filter(pl.col("tier").is_not_null())
        .select(
            "account_id",
            pl.col("name").alias("account"),
            "owner",
            "tier",
            "nps",
            why.alias("why"),
            pl.col("tier").replace_strict({n: a for n, a, _ in TIERS}).alias("asks"),
            pl.col("tier").replace_strict({n: r for n, _, r in TIERS}).alias("rewards"),
            pl.col("mrr").alias("mrr_minor"),
        )
        .sort(
            pl.col("tier").replace_strict(rank, return_dtype=pl.Int64),
            pl.col("nps"),
            pl.col("mrr_minor").fill_null(0),
            "account_id",
            descending=[False, True, True, False],
        )
    )
