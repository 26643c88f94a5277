"""`retention report risk`: seed B's churn risk report. Every customer by tier, worst
first, with the recommended action and the MRR at stake."""

from __future__ import annotations

import polars as pl

from retention_tui.engine.health import NO_SCORE, TIERS
from retention_tui.engine.risks import SEVERITY_ORDER
from retention_tui.engine.run import ScoreRun
from retention_tui.formatting import money, tier_label

TIER_ORDER = {t: i for i, t in enumerate(TIERS)}
AT_RISK_TIERS = ("at_risk", "critical")


def risk_frame(run: ScoreRun, accounts: pl.DataFrame, cfg: dict) -> pl.DataFrame:
    """One row per scored account, worst tier first and the most MRR first within a tier
    (then by account: the same order on every refresh). ``accounts`` gives account_id,
    name, owner."""
    order = pl.col("severity").replace_strict(SEVERITY_ORDER, return_dtype=pl.Int64)
    top = (
        run.risks.sort(order, maintain_order=True)
        .group_by("account_id", maintain_order=True)
        .agg(
            pl.col("code").alias("signals"),
            pl.col("action").first().alias("signal_action"),
            pl.col("respond_by").first().alias("respond_by"),
        )
    )
    tier = pl.col("tier").fill_null(NO_SCORE)
    actions = cfg["tier_actions"]
    return (
        run.scores.join(accounts.select("account_id", "name", "owner"), on="account_id", how="left")
        .join(run.features.select("account_id", "mrr"), on="account_id", how="left")
        .join(top, on="account_id", how="left")
        .with_columns(pl.col("tier").replace_strict(TIER_ORDER, default=4).alias("_order"))
        .sort("_order", pl.col("mrr").fill_null(0), "account_id", descending=[False, True, False])
        .select(
            tier.alias("tier"),
            "account_id",
            pl.col("name").alias("account"),
            "owner",
            pl.col("total").alias("score"),
            pl.col("coverage").fill_null(0).round(2).alias("coverage"),
            pl.col("mrr").fill_null(0).alias("mrr_minor"),
            pl.col("signals").list.join(", ").fill_null("").alias("signals"),
            pl.coalesce(
                "signal_action",
                tier.replace_strict(actions, default="", return_dtype=pl.String),
            ).alias("action"),
            pl.col("respond_by").dt.to_string("%Y-%m-%d").alias("respond_by"),
        )
    )


def risk_summary(rows: list[dict[str, object]], currency: str = "USD") -> str:
    counts = {t: 0 for t in (*TIERS, NO_SCORE)}
    mrr = dict(counts)
    for r in rows:
        tier = str(r["tier"])
        counts[tier] += 1
        mrr[tier] += int(r["mrr_minor"])  # type: ignore[call-overload]
    at_risk = sum(mrr[t] for t in AT_RISK_TIERS)
    parts = [f"{tier_label(t)} {counts[t]}" for t in TIERS]
    if counts[NO_SCORE]:
        parts.append(f"{NO_SCORE} {counts[NO_SCORE]} (no data for any signal yet)")
    return (
        f"{len(rows)} accounts: " + ", ".join(parts) + f"; MRR at risk {money(at_risk, currency)}"
    )
