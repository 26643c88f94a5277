"""The accounts overview: one row per account with its MRR and the counts the list shows.

Shared by the TUI's accounts screen and ``retention accounts``.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import polars as pl

from db.frames import load_all
from db.results import latest_scores
from retention_tui.config import Config
from retention_tui.engine.features import Tables, at_company, prospect_only
from retention_tui.engine.metrics import account_mrr, metric_options, paying_periods
from retention_tui.engine.money import periods_fx
from retention_tui.engine.mrr import PAYING_STATUSES, active_on, mrr_on, subscription_status_on
from retention_tui.engine.run import ScoreRun

ACTIVE_USER_DAYS = 30
OPEN_TICKET = ("new", "open", "pending", "hold")
PAST_DUE = "past due"  # a paying status: the account is paying, its payments are failing
PROSPECT = "prospect"  # its CRM says it is not a customer yet, and it has no subscription
READS = ("accounts", "contacts", "tickets", "usage_events", "subscription_periods")
# SQLite's NOCASE: ASCII letters folded, everything else compared as it is.
_UPPER = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LOWER = [c.lower() for c in _UPPER]
SCORE_COLUMNS = ("score", "tier", "coverage", "scored_as_of")
COLUMNS = (
    *("account_id", "name", "domain", "segment", "plan", "owner", "renewal_date", "currency"),
    *("contacts", "active_users", "open_tickets", "score", "tier", "coverage", "scored_as_of"),
    *("mrr_currency", "mrr_minor", "status", "mrr_base", "base_currency"),
)


def account_counts(t: Tables, as_of: date) -> pl.DataFrame:
    """account_id, contacts (not left by ``as_of``), active_users (distinct users with an
    event in the ``ACTIVE_USER_DAYS`` days up to and including ``as_of``), open_tickets
    (opened by the end of ``as_of``, still open)."""
    since = datetime.combine(as_of - timedelta(days=ACTIVE_USER_DAYS), datetime.min.time())
    until = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    contacts = (
        t["contacts"]
        .filter(at_company(as_of))
        .group_by("account_id")
        .agg(pl.len().alias("contacts"))
    )
    at = pl.col("occurred_at")
    users = (
        t["usage_events"]
        .lazy()
        .filter((at >= since) & (at < until) & pl.col("user_id").is_not_null())
        .group_by("account_id")
        .agg(pl.col("user_id").n_unique().alias("active_users"))
        .collect()
    )
    tickets = (
        t["tickets"]
        .filter((pl.col("created_at") < until) & pl.col("status").is_in(OPEN_TICKET))
        .group_by("account_id")
        .agg(pl.len().alias("open_tickets"))
    )
    counts = contacts.join(users, on="account_id", how="full", coalesce=True)
    return counts.join(tickets, on="account_id", how="full", coalesce=True)


def past_due_on(periods: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """account_id, past_due (true): accounts whose every paying subscription on ``as_of``
    is past due: their billing tool has failed to charge them since (their MRR stops
    counting after metrics.past_due_churn_days)."""
    return (
        periods.filter(active_on(as_of) & pl.col("status").is_in(list(PAYING_STATUSES)))
        .group_by("account_id")
        .agg((pl.col("status") == "past_due").all().alias("past_due"))
        .filter("past_due")
    )


def live_scores(run: ScoreRun) -> pl.DataFrame:
    """A scoring run's scores as the overview shows them (account_id, score, tier,
    coverage, scored_as_of): what the dashboard, the queues and an account's screen show
    for the same date."""
    return run.scores.select(
        "account_id",
        pl.col("total").alias("score"),
        "tier",
        "coverage",
        pl.lit(run.as_of.isoformat()).alias("scored_as_of"),
    )


def accounts_overview(
    conn: sqlite3.Connection,
    as_of: date,
    cfg: Config,
    tables: Tables | None = None,
    scores: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per account: its MRR in its own (main) currency, mrr_base in the book's base
    currency (what totals add up; null without a rate), status, score, counts.
    ``tables``: the engine's tables when already loaded (else the ones it reads are);
    ``scores``: this date's (live_scores), else each account's latest stored one."""
    t = tables if tables is not None else load_all(conn, READS)
    if scores is None:  # 100k accounts: 0.55 s as one SQL query
        scores = latest_scores(conn, as_of.isoformat())
    # The accounts from the loaded frame (its block), by name as SQLite's NOCASE orders
    # them, then id.
    accounts = (
        t["accounts"]
        .select(
            *("account_id", "name", "domain", "segment", "plan", "owner"),
            pl.col("renewal_date").dt.strftime("%Y-%m-%d"),
            "currency",
            "prospect",
        )
        .sort(pl.col("name").str.replace_many(_UPPER, _LOWER), "account_id")
    )
    counts = account_counts(t, as_of)
    periods = t["subscription_periods"]
    opts = metric_options(cfg)
    # MRR as the totals count it: a subscription past due for longer than
    # metrics.past_due_churn_days adds none (docs/metrics.md), weekly plans by the factor
    live = paying_periods(periods, as_of, opts["past_due_churn_days"])  # type: ignore[arg-type]
    mrr = mrr_on(live, as_of, weeks_per_month=opts["weeks_per_month"])  # type: ignore[arg-type]
    status = subscription_status_on(periods, as_of).join(
        past_due_on(periods, as_of), on="account_id", how="left"
    )
    # An account billed in several currencies shows its main one (the largest MRR).
    main = mrr.sort("mrr_minor", descending=True).unique("account_id", keep="first")
    in_base = account_mrr(periods, as_of, **opts).rename({"mrr": "mrr_base"})  # type: ignore[arg-type]
    base = periods_fx(periods, cfg["currency"]).base
    rows = (
        accounts.join(counts, on="account_id", how="left")
        .join(main.rename({"currency": "mrr_currency"}), on="account_id", how="left")
        .join(status, on="account_id", how="left")
        .join(in_base, on="account_id", how="left")
        .with_columns(
            pl.col("contacts", "active_users", "open_tickets").fill_null(0).cast(pl.Int64),
            pl.lit(base).alias("base_currency"),
            pl.col("mrr_minor").fill_null(0),
            pl.col("mrr_currency").fill_null(pl.col("currency")),
            pl.when(pl.col("past_due"))
            .then(pl.lit(PAST_DUE))
            .when(prospect_only(pl.col("status")))
            .then(pl.lit(PROSPECT))
            .otherwise(pl.col("status").fill_null("no subscription"))
            .alias("status"),
        )
    )
    return with_scores(rows, scores)


def with_scores(rows: pl.DataFrame, scores: pl.DataFrame) -> pl.DataFrame:
    """The overview's ``rows`` with ``scores`` (live_scores, or latest_scores) in place of
    any they had, in the same order."""
    return (
        rows.drop(SCORE_COLUMNS, strict=False)
        .join(scores, on="account_id", how="left", maintain_order="left")
        .with_columns(
            # A churned account's last score is history, not its health now; a prospect's
            # (scored before its CRM said so) is no customer's.
            [
                pl.when(~pl.col("status").is_in(["churned", PROSPECT])).then(pl.col(c)).alias(c)
                for c in SCORE_COLUMNS
            ]
        )
        .select(*COLUMNS)
    )
