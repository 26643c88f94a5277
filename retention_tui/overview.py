"""The accounts overview: one row per account with its MRR and the counts the list shows.

Shared by the TUI's accounts screen and ``retention accounts``.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import polars as pl

from db import queries
from retention_tui.engine.mrr import mrr_on, subscription_status_on

ACTIVE_USER_DAYS = 30


def accounts_overview(conn: sqlite3.Connection, as_of: date) -> pl.DataFrame:
    since = (as_of - timedelta(days=ACTIVE_USER_DAYS)).isoformat()
    accounts = queries.accounts_overview(conn, since, as_of.isoformat())
    periods = queries.subscription_periods(conn)
    mrr = mrr_on(periods, as_of)
    status = subscription_status_on(periods, as_of)
    # An account billed in several currencies shows its main one (the largest MRR).
    main = mrr.sort("mrr_minor", descending=True).unique("account_id", keep="first")
    return (
        accounts.join(main.rename({"currency": "mrr_currency"}), on="account_id", how="left")
        .join(status, on="account_id", how="left")
        .with_columns(
            pl.col("mrr_minor").fill_null(0),
            pl.col("mrr_currency").fill_null(pl.col("currency")),
            pl.col("status").fill_null("no subscription"),
        )
        .with_columns(
            # A churned account's last score is history, not its health now.
            [
                pl.when(pl.col("status") != "churned").then(pl.col(c)).alias(c)
                for c in ("score", "tier", "coverage", "scored_as_of")
            ]
        )
    )
