"""Synthetic canonical CSVs of a given size for benchmarks: N accounts, M usage events,
and proportionate subscriptions, contacts, touchpoints, tickets, monthly invoices and
their payments (one in twenty fails; cards on file expire over two years), NPS responses
and the plan's limits; accounts have owners and renewal dates over the year ahead. Every
signal, queue and metric has rows to read.

Columns and values are exactly the canonical format's, so the real importer reads them.
Deterministic: values come from hashing row numbers with a seed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

START = datetime(2025, 11, 20)
SPAN_SECONDS = int((datetime(2026, 11, 20, 23) - START).total_seconds())
EVENTS = [
    "login",
    "login",
    "login",
    "report_created",
    "dashboard_viewed",
    "data_imported",
    "integration_connected",
    "api_call",
    "workflow_created",
    "export_csv",
    "billing_page_viewed",
    "invite_sent",
]


def _ids(prefix: str, n: int) -> pl.Expr:
    return pl.format(prefix + "_{}", pl.int_range(0, n).cast(pl.String).str.zfill(7))


def _rnd(n: int, high: int, salt: int) -> pl.Expr:
    return (pl.int_range(0, n).hash(salt) % high).cast(pl.Int64)


def _pick(values: list[str], n: int, salt: int) -> pl.Expr:
    return pl.lit(pl.Series(values)).gather(_rnd(n, len(values), salt))


def _instant(n: int, salt: int) -> pl.Expr:
    return (pl.lit(START) + pl.duration(seconds=_rnd(n, SPAN_SECONDS, salt))).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _event_ids(n: int, first: int, random_ids: bool) -> pl.Expr:
    """Event ids numbered from ``first`` (evt_0000000, ...), or random ones as Mixpanel,
    Amplitude and Segment write them (a hash of the number: no order in them)."""
    number = pl.int_range(0, n) + first
    if random_ids:
        return pl.format("evt_{}", number.hash(77).cast(pl.String))
    return pl.format("evt_{}", number.cast(pl.String).str.zfill(7))


def _account(n: int, accounts: int, salt: int) -> pl.Expr:
    return pl.format("acc_{}", _rnd(n, accounts, salt).cast(pl.String).str.zfill(7))


def write(out: Path, accounts: int, events: int, random_ids: bool = False) -> dict[str, Path]:
    """Write the files into ``out`` and return their paths by format name (``random_ids``:
    the events' ids in no order, as the analytics tools' exports have them)."""
    out.mkdir(parents=True, exist_ok=True)
    n_contacts, n_touch, n_tickets = accounts * 3, accounts * 12, accounts * 4
    frames = {
        "accounts": pl.select(
            _ids("acc", accounts).alias("account_id"),
            pl.format("Company {}", pl.int_range(0, accounts)).alias("name"),
            _pick(["smb", "mid_market", "enterprise"], accounts, 1).alias("segment"),
            (pl.lit(datetime(2024, 1, 1)) + pl.duration(days=_rnd(accounts, 600, 2)))
            .dt.strftime("%Y-%m-%d")
            .alias("created_at"),
            pl.lit("growth").alias("plan"),
            _pick([f"CSM {i}" for i in range(8)], accounts, 27).alias("owner"),
            (pl.lit(datetime(2026, 11, 20)) + pl.duration(days=_rnd(accounts, 365, 28)))
            .dt.strftime("%Y-%m-%d")
            .alias("renewal_date"),
        ),
        "contacts": pl.select(
            _ids("con", n_contacts).alias("contact_id"),
            _account(n_contacts, accounts, 5).alias("account_id"),
            _pick(["true", "false", "false"], n_contacts, 6).alias("is_champion"),
            _pick(["strong", "moderate", "weak"], n_contacts, 7).alias("champion_strength"),
        ),
        "usage_events": _usage_events(events, accounts, 0, random_ids, _instant(events, 8), salt=9),
        "touchpoints": pl.select(
            _ids("tp", n_touch).alias("touchpoint_id"),
            _account(n_touch, accounts, 12).alias("account_id"),
            _pick(["email", "checkin", "call"], n_touch, 13).alias("kind"),
            _pick(["outbound", "inbound"], n_touch, 14).alias("direction"),
            _instant(n_touch, 15).alias("occurred_at"),
            _pick(["positive", "neutral", "negative"], n_touch, 16).alias("sentiment"),
        ),
        "tickets": pl.select(
            _ids("tkt", n_tickets).alias("ticket_id"),
            _account(n_tickets, accounts, 17).alias("account_id"),
            _pick(["open", "solved"], n_tickets, 18).alias("status"),
            _instant(n_tickets, 19).alias("created_at"),
        ),
    }
    accounts_frame = frames["accounts"]
    frames["subscriptions"] = accounts_frame.select(
        pl.format("sub_{}", pl.col("account_id")).alias("subscription_id"),
        "account_id",
        pl.lit("growth").alias("plan"),
        pl.lit("active").alias("status"),
        pl.lit("month").alias("interval"),
        pl.format("{}.00", 49 + _rnd(accounts, 900, 3)).alias("amount"),
        pl.col("created_at").alias("period_start"),
        pl.when(_rnd(accounts, 8, 4) == 0).then(pl.lit("2026-09-01")).alias("period_end"),
    )
    frames.update(_billing(accounts_frame, frames["subscriptions"]))
    n_nps = accounts // 2
    frames["nps"] = pl.select(
        _ids("nps", n_nps).alias("response_id"),
        _account(n_nps, accounts, 20).alias("account_id"),
        _rnd(n_nps, 11, 21).alias("score"),
        _instant(n_nps, 22).alias("responded_at"),
    )
    frames["plan_limits"] = pl.DataFrame(
        {"plan": ["growth"] * 3, "metric": ["api_call", "data_imported", "seats"]}
    ).with_columns(pl.Series("limit", [2, 2, 6]))
    paths = {}
    for name, frame in frames.items():
        paths[name] = out / f"{name}.csv"
        frame.write_csv(paths[name])
    return paths


def day_of_events(
    path: Path, accounts: int, events: int, first: int, random_ids: bool = False
) -> Path:
    """A day's usage events (the one after the book's last) for a book written by write():
    ``events`` rows numbered after the book's ``first`` ones, over its accounts."""
    day = pl.lit(datetime(2026, 11, 21)) + pl.duration(seconds=_rnd(events, 86_400, 34))
    when = day.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    _usage_events(events, accounts, first, random_ids, when, salt=31).write_csv(path)
    return path


def _usage_events(
    n: int, accounts: int, first: int, random_ids: bool, occurred_at: pl.Expr, salt: int
) -> pl.DataFrame:
    """``n`` usage events numbered from ``first`` over ``accounts``, at ``occurred_at``;
    accounts, users and events drawn with salts ``salt`` to ``salt + 2``."""
    return pl.select(
        _event_ids(n, first, random_ids).alias("event_id"),
        _account(n, accounts, salt).alias("account_id"),
        pl.format("u{}", _rnd(n, 20, salt + 1)).alias("user_id"),
        _pick(EVENTS, n, salt + 2).alias("event"),
        occurred_at.alias("occurred_at"),
        pl.lit(1).alias("value"),
    )


def _billing(accounts: pl.DataFrame, subscriptions: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """An invoice on each of the 12 months before the as-of date for every account, each
    with one charge: paid within hours, or (one in twenty) failed and left open."""
    months = pl.DataFrame({"month": list(range(12))})
    invoices = (
        accounts.select("account_id")
        .join(subscriptions.select("account_id", "amount"), on="account_id")
        .join(months, how="cross")
    )
    n = invoices.height
    issued = pl.lit(START).dt.offset_by(pl.format("{}mo", pl.col("month"))) + pl.duration(
        seconds=_rnd(n, 86_400, 23)
    )
    failed = _rnd(n, 20, 24) == 0
    invoices = invoices.with_columns(
        pl.format("inv_{}_{}", pl.col("account_id"), pl.col("month")).alias("invoice_id"),
        issued.alias("_issued"),
        failed.alias("_failed"),
    )
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    paid_at = pl.col("_issued") + pl.duration(seconds=_rnd(n, 7_200, 25))
    return {
        "invoices": invoices.select(
            "invoice_id",
            "account_id",
            "amount",
            pl.when(pl.col("_failed"))
            .then(pl.lit("open"))
            .otherwise(pl.lit("paid"))
            .alias("status"),
            pl.col("_issued").dt.strftime(stamp).alias("issued_at"),
            (pl.col("_issued") + pl.duration(days=14)).dt.strftime("%Y-%m-%d").alias("due_at"),
            pl.when(~pl.col("_failed")).then(paid_at.dt.strftime(stamp)).alias("paid_at"),
        ),
        "payments": invoices.select(
            pl.format("pay_{}_{}", pl.col("account_id"), pl.col("month")).alias("payment_id"),
            "invoice_id",
            "account_id",
            paid_at.dt.strftime(stamp).alias("attempted_at"),
            "amount",
            pl.when(pl.col("_failed"))
            .then(pl.lit("failed"))
            .otherwise(pl.lit("succeeded"))
            .alias("outcome"),
            pl.when(pl.col("_failed")).then(pl.lit("card_declined")).alias("failure_reason"),
            (pl.lit(datetime(2026, 11, 1)).dt.offset_by(pl.format("{}mo", _rnd(n, 24, 26))))
            .dt.strftime("%Y-%m")
            .alias("card_expires"),
        ),
    }
