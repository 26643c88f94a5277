"""Price history from exports that show each subscription as it is now.

A Stripe or Chargebee subscriptions export has one row per subscription at its current
price. Imported every week, the rows a user already has would simply be overwritten: an
upgrade from $98 to $1,176 a year would rewrite the subscription's whole past, and the
expansion would never show in NRR. So a row whose MRR terms (amount, quantity, interval,
plan, currency) differ from the subscription's latest stored period, when the file says
when its current billing period began (_current_start, after that period's start), ends
that period there and starts a new one from it: the history is kept, the change becomes
an expansion or a contraction on that day. Without that date, or within the same
billing period, the row updates the latest period (the later price of the period wins).

A subscription split so before keeps being updated through its latest period (its
status, its end). A row older than that period (an earlier export imported late) would
undo the change: it is left out (its split-off trial too), and said.

Such an export is all the subscriptions there are, unless the user filtered it (Stripe's
Active tab): a subscription stored as live that the file lacks has most likely ended,
and the export that says so left it out. It is not ended on a guess; the import says
which ones (``PriceChanges.absent``), unless the file holds none of the stored ones: the
export of another billing account of the same tool.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass

import polars as pl

from db import queries
from importers.spec import CURRENT_START
from importers.validate import Parsed

TERMS = ("amount_minor", "quantity", "billing_interval", "plan", "currency")
OLDER = "older than the price change already imported for its subscription"


@dataclass(frozen=True)
class PriceChanges:
    parsed: Parsed  # rows re-keyed to the period they update or start
    ended: list[tuple[str, str]]  # (period_end, source_id) of the periods they end
    absent: list[str]  # subscriptions stored as live that the file lacks (module doc)


def follow(conn: sqlite3.Connection, parsed: Parsed) -> PriceChanges:
    """Re-key ``parsed``'s subscription rows so that each updates its subscription's
    latest stored period, or starts a new one where its price changed; and name the
    subscriptions stored as live that the file lacks (module doc)."""
    if not any(f.target == CURRENT_START for f in parsed.fmt.fields):  # not such an export
        return PriceChanges(parsed, [], [])
    frame = parsed.frame
    stored = queries.latest_periods(conn, parsed.fmt.source)
    held = frame.select("subscription_id")
    live = stored.filter((pl.col("status") != "canceled") & pl.col("period_end").is_null())
    gone = live.join(held, on="subscription_id", how="anti")
    # a file holding none of the stored subscriptions is another billing account's export
    # (a company with a US and an EU Stripe account), not a filtered copy of this one
    mine = stored.join(held, on="subscription_id", how="semi").height > 0
    absent = gone["subscription_id"].sort().to_list() if mine else []
    if CURRENT_START not in frame.columns or frame.height == 0 or stored.height == 0:
        return PriceChanges(parsed, [], absent)
    # the row of each subscription that is not its split-off trial: its latest
    latest = pl.col("period_start") == pl.col("period_start").max().over("subscription_id")
    last = frame.with_row_index("_at").filter(latest & (pl.col("status") != "trialing"))
    joined = last.join(stored, on="subscription_id", how="inner", suffix="_stored")
    later = joined.filter(pl.col("period_start_stored") > pl.col("period_start"))
    current = pl.col(CURRENT_START)
    older = later.filter(current.is_not_null() & (current < pl.col("period_start_stored")))
    follows = joined.filter(pl.col("period_start_stored") >= pl.col("period_start")).join(
        older.select("_at"), on="_at", how="anti"
    )
    changed = pl.any_horizontal(pl.col(t).ne_missing(pl.col(f"{t}_stored")) for t in TERMS)
    splits = follows.filter(
        changed
        & current.is_not_null()
        & (current > pl.col("period_start_stored"))
        & (pl.col("status_stored") != "trialing")
        & (pl.col("period_end_stored").is_null() | (pl.col("period_end_stored") > current))
    )
    starts = follows.select("_at", "period_start_stored").join(
        splits.select("_at", current.alias("_split")), on="_at", how="left"
    )
    out = (
        frame.with_row_index("_at")
        .join(older.select("subscription_id"), on="subscription_id", how="anti")
        .join(starts, on="_at", how="left")
        .with_columns(
            pl.coalesce("_split", "period_start_stored", "period_start").alias("period_start")
        )
        .with_columns((pl.col("subscription_id") + "/" + pl.col("period_start")).alias("source_id"))
        .sort("_at")
        .drop("_at", "_split", "period_start_stored")
    )
    skipped = dict(parsed.skipped)
    if older.height:
        skipped[OLDER] = skipped.get(OLDER, 0) + older.height
    ended = splits.select(CURRENT_START, "source_id_stored").rows()
    return PriceChanges(dataclasses.replace(parsed, frame=out, skipped=skipped), ended, absent)


def end_periods(conn: sqlite3.Connection, source: str, ended: list[tuple[str, str]]) -> None:
    """End each changed subscription's period where its new price starts."""
    conn.executemany(
        "UPDATE subscription_periods SET period_end = ? WHERE source = ? AND source_id = ?",
        [(day, source, source_id) for day, source_id in ended],
    )
