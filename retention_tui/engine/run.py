"""One scoring run as of one date: features, health scores, risk signals, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from retention_tui.engine.alerts import score_alerts
from retention_tui.engine.features import Tables, compute_features
from retention_tui.engine.freshness import usage_ends
from retention_tui.engine.health import score_accounts
from retention_tui.engine.risks import detect_risks


@dataclass(frozen=True)
class ScoreRun:
    as_of: date
    preset: str
    features: pl.DataFrame  # one row per scored account: every raw feature
    signals: pl.DataFrame  # long: account_id, dimension, signal, present, raw, points
    scores: pl.DataFrame  # one row per account: total, tier, label, coverage, dimensions
    risks: pl.DataFrame  # fired churn-risk signals
    alerts: pl.DataFrame  # score-change alerts against ``previous``
    usage_ends: date | None = None  # the newest usage event's day (engine/freshness.py)


def score_run(
    tables: Tables,
    as_of: date,
    cfg: dict,
    previous: pl.DataFrame | None = None,
    preset: str | None = None,
) -> ScoreRun:
    """Score every customer account as of ``as_of`` using only data known by then."""
    preset = preset or cfg["scoring"]["preset"]
    features = compute_features(tables, as_of, cfg)
    signals, scores = score_accounts(features, cfg, preset)
    risks = detect_risks(tables, features, as_of, cfg)
    if previous is None:
        previous = pl.DataFrame(
            schema={"account_id": pl.String, "total": pl.Float64, "tier": pl.String}
        )
    alerts = score_alerts(scores, previous, risks, as_of, cfg)
    ends = usage_ends(tables["usage_events"], as_of)
    return ScoreRun(as_of, preset, features, signals, scores, risks, alerts, ends)
