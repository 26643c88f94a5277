"""Backtest: how well did the score predict what happened next?

For each past as-of date, every customer is scored with only the data known then
(``score_run`` guarantees that), and compared with what happened in the following horizon:
churned, or MRR contracted by more than a set share. Pure: frames in, frames out.
docs/backtest.md explains each figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from retention_tui.engine.features import Tables
from retention_tui.engine.metrics import account_mrr
from retention_tui.engine.mrr import mrr_on, subscription_status_on
from retention_tui.engine.run import ScoreRun, score_run

TIERS = ("healthy", "monitor", "at_risk", "critical")
FLAGGED = ("at_risk", "critical")
LEAD_WINDOW_DAYS = 180  # how far before a churn a first flag still counts as its warning


def monthly_dates(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last`` (inclusive)."""
    out, day = [], date(first.year, first.month, 1)
    if day < first:
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    while day <= last:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def outcomes(
    tables: Tables,
    as_of: date,
    horizon_days: int,
    contraction_share: float,
    currency: dict,
) -> pl.DataFrame:
    """What happened to each account in the ``horizon_days`` after ``as_of``.

    Columns: account_id, mrr_start, mrr_end, churned, contracted, event (either), churn_date
    (the end of its last subscription period, for churns), mrr_lost. Whether MRR fell is
    judged in the account's own currency; mrr_start, mrr_end and mrr_lost are in the book's
    base currency (``currency``: the [currency] config; 0 for an account in a currency
    with no rate: a total never adds amounts unconverted).
    """
    periods = tables["subscription_periods"]
    end = as_of + timedelta(days=horizon_days)
    start_mrr = mrr_on(periods, as_of).group_by("account_id").agg(pl.col("mrr_minor").sum())
    end_mrr = mrr_on(periods, end).group_by("account_id").agg(pl.col("mrr_minor").sum())
    status = subscription_status_on(periods, end).rename({"status": "status_end"})
    last_end = periods.group_by("account_id").agg(pl.col("period_end").max().alias("last_end"))
    frame = (
        start_mrr.rename({"mrr_minor": "mrr_start"})
        .join(end_mrr.rename({"mrr_minor": "mrr_end"}), on="account_id", how="left")
        .join(status, on="account_id", how="left")
        .join(last_end, on="account_id", how="left")
        .with_columns(pl.col("mrr_end").fill_null(0))
    )
    churned = (pl.col("status_end") == "churned") & (pl.col("last_end") > as_of.isoformat())
    contracted = ~churned & (pl.col("mrr_end") < pl.col("mrr_start") * (1 - contraction_share))
    for day, name in ((as_of, "base_start"), (end, "base_end")):  # beside the native ones
        based = account_mrr(periods, day, currency=currency).rename({"mrr": name})
        frame = frame.join(based, on="account_id", how="left")
    frame = frame.with_columns(pl.col("base_start", "base_end").fill_null(0))
    return frame.select(
        "account_id",
        pl.col("base_start").alias("mrr_start"),
        pl.col("base_end").alias("mrr_end"),
        churned.alias("churned"),
        contracted.alias("contracted"),
        (churned | contracted).alias("event"),
        pl.when(churned).then(pl.col("last_end").str.to_date()).alias("churn_date"),
        pl.when(churned)
        .then(pl.col("base_start"))
        .when(contracted)
        .then(pl.col("base_start") - pl.col("base_end"))
        .otherwise(0)
        .alias("mrr_lost"),
    )


def backtest_rows(
    tables: Tables,
    dates: list[date],
    cfg: dict,
    horizon_days: int = 90,
    contraction_share: float = 0.3,
    preset: str | None = None,
    scorer: Callable[[Tables, date, dict, str | None], ScoreRun] | None = None,
) -> pl.DataFrame:
    """One row per (as_of, scored account): total, tier, the risk signals that fired, and
    what happened next."""
    score = scorer or (lambda t, d, c, p: score_run(t, d, c, preset=p))
    parts = []
    for day in sorted(dates):
        run = score(tables, day, cfg, preset)
        fired = run.risks.group_by("account_id").agg(
            pl.col("code").unique().sort().alias("signals")
        )
        parts.append(
            run.scores.select("account_id", "total", "tier", "dimensions")
            .join(fired, on="account_id", how="left")
            .join(
                outcomes(tables, day, horizon_days, contraction_share, cfg["currency"]),
                on="account_id",
                how="left",
            )
            .with_columns(
                pl.lit(day).alias("as_of"),
                pl.col("signals").fill_null([]),
                pl.col("event").fill_null(False),
                pl.col("churned").fill_null(False),
                pl.col("contracted").fill_null(False),
                pl.col("mrr_start").fill_null(0),
                pl.col("mrr_lost").fill_null(0),
            )
            .sort("account_id")
        )
        del run, fired  # before the next run: two runs' frames at once were the peak
    # The dates in order, each date's rows sorted: no sort of the whole (100k accounts,
    # 13 dates: peak RSS 2,330 -> 1,964 MiB with the line above).
    return pl.concat(parts)


def roc_auc(risk: pl.Series, event: pl.Series) -> float | None:
    """Area under the ROC curve of ``risk`` (higher = riskier) for ``event``: the chance a
    random account that had the event was rated riskier than one that did not (ties half).
    None when there are no events or no non-events."""
    frame = pl.DataFrame({"risk": risk, "event": event}).drop_nulls()
    pos = int(frame["event"].sum())
    neg = frame.height - pos
    if pos == 0 or neg == 0:
        return None
    ranks = frame.select(pl.col("risk").rank("average").alias("r"), "event")
    rank_sum = float(ranks.filter(pl.col("event"))["r"].sum())
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


@dataclass(frozen=True)
class BacktestSummary:
    dates: list[date]
    horizon_days: int
    contraction_share: float
    observations: int
    events: int
    auc: float | None
    precision: float | None
    recall: float | None
    median_lead_days: float | None
    churns_flagged_before: float | None
    lift: list[dict[str, object]]
    signals: list[dict[str, object]]
    currency: str = ""  # the base currency of the lift table's MRR ("": unknown)

    def as_dict(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "dates": [d.isoformat() for d in self.dates],
            "horizon_days": self.horizon_days,
            "contraction_share": self.contraction_share,
            "observations": self.observations,
            "events": self.events,
            "roc_auc": self.auc,
            "precision_at_risk": self.precision,
            "recall_at_risk": self.recall,
            "median_lead_days": self.median_lead_days,
            "churns_flagged_before": self.churns_flagged_before,
            "lift": self.lift,
            "signals": self.signals,
        }


def _share(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def summarize(
    rows: pl.DataFrame,
    dates: list[date],
    horizon_days: int,
    contraction_share: float,
    currency: str = "",
) -> BacktestSummary:
    """The backtest's figures; ``currency``: the base currency its MRR amounts are in."""
    scored = rows.filter(pl.col("total").is_not_null())
    events = int(rows["event"].sum())
    auc = roc_auc(100 - scored["total"], scored["event"])
    flagged = pl.col("tier").is_in(FLAGGED)
    tp = scored.filter(flagged & pl.col("event")).height
    precision = _share(tp, scored.filter(flagged).height)
    recall = _share(tp, int(scored["event"].sum()))
    overall = _share(events, rows.height) or 0.0
    lift = []
    for tier in (*TIERS, None):
        part = rows.filter(pl.col("tier").is_null() if tier is None else pl.col("tier") == tier)
        if tier is None and part.height == 0:
            continue
        n, e = part.height, int(part["event"].sum())
        rate = _share(e, n)
        lift.append(
            {
                "tier": tier or "no data",
                "observations": n,
                "events": e,
                "event_rate": rate,
                "lift": None if rate is None or overall == 0 else rate / overall,
                "mrr_at_start": int(part["mrr_start"].sum()),
                "mrr_lost": int(part["mrr_lost"].sum()),
            }
        )
    # Lead time: from the first flag (within LEAD_WINDOW_DAYS before) to the churn.
    churns = rows.filter(pl.col("churned")).group_by("account_id").agg(pl.col("churn_date").min())
    flags = rows.filter(flagged).select("account_id", "as_of")
    leads = (
        churns.join(flags, on="account_id")
        .filter(
            (pl.col("as_of") < pl.col("churn_date"))
            & (pl.col("as_of") >= pl.col("churn_date") - timedelta(days=LEAD_WINDOW_DAYS))
        )
        .group_by("account_id")
        .agg((pl.col("churn_date").first() - pl.col("as_of").min()).dt.total_days().alias("lead"))
    )
    median_lead = None if leads.height == 0 else float(leads["lead"].median())  # type: ignore[arg-type]
    signals = []
    exploded = rows.select("signals", "event").explode("signals").drop_nulls("signals")
    for code, part in sorted(exploded.group_by("signals"), key=lambda kv: str(kv[0][0])):
        fired = part.height
        hits = int(part["event"].sum())
        signals.append(
            {
                "signal": code[0],
                "fired": fired,
                "hit_rate": _share(hits, fired),
                "false_alarm_rate": _share(fired - hits, fired),
                "events_caught": _share(hits, events),
            }
        )
    return BacktestSummary(
        dates,
        horizon_days,
        contraction_share,
        rows.height,
        events,
        auc,
        precision,
        recall,
        median_lead,
        _share(leads.height, churns.height),
        lift,
        signals,
        currency,
    )
