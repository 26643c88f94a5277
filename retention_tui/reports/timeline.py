"""One account's timeline: its touchpoints (logged ones too), tickets, NPS answers,
payments and plan changes, newest first. Read by the account screen and `retention account
NAME timeline`."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from db.work import kind_word
from retention_tui.engine.features import Tables
from retention_tui.formatting import money


def timeline(
    t: Tables, account_id: str, as_of: date, limit: int = 60
) -> list[tuple[str, str, str]]:
    """The latest events of an account, newest first, up to the as-of date: (when, what,
    detail)."""
    end = pl.lit(as_of + timedelta(days=1)).cast(pl.Datetime("us"))
    mine = pl.col("account_id") == account_id
    items: list[tuple[object, str, str]] = []
    for r in t["touchpoints"].filter(mine & (pl.col("occurred_at") < end)).iter_rows(named=True):
        what = f"{r['direction']} {kind_word(r['kind'])}"
        detail = r["summary"] or ""
        untold = [tag for tag in (r["tags"] or "").split(";") if tag and f"#{tag}" not in detail]
        if untold:  # the tags the summary does not already show as #words
            detail += f" [{';'.join(untold)}]"
        if r["attended"] == 0:
            detail += " (missed)"
        items.append((r["occurred_at"], what, detail))
    for r in t["tickets"].filter(mine & (pl.col("created_at") < end)).iter_rows(named=True):
        items.append((r["created_at"], "ticket", f"{r['priority'] or ''} {r['status']}".strip()))
    for r in t["nps_responses"].filter(mine & (pl.col("responded_at") < end)).iter_rows(named=True):
        items.append((r["responded_at"], "NPS", str(r["score"])))
    billed_in = {
        (r["source"], r["source_id"]): r["currency"]
        for r in t["invoices"]
        .filter(mine)
        .select("source", "source_id", "currency")
        .iter_rows(named=True)
    }
    for r in (
        t["payment_attempts"].filter(mine & (pl.col("attempted_at") < end)).iter_rows(named=True)
    ):
        currency = billed_in.get((r["source"], r["invoice_id"])) or "USD"
        items.append(
            (
                r["attempted_at"],
                f"payment {r['outcome']}",
                f"{money(r['amount_minor'] or 0, currency)} invoice {r['invoice_id']}"
                + (f" ({r['failure_reason']})" if r["failure_reason"] else ""),
            )
        )
    for r in (
        t["subscription_periods"]
        .filter(mine & (pl.col("period_start") <= as_of.isoformat()))
        .iter_rows(named=True)
    ):
        items.append(
            (
                r["period_start"],
                "plan",
                f"{r['plan']} {r['status']} "
                f"{money(r['amount_minor'], r['currency'] or 'USD')}/{r['billing_interval']}",
            )
        )
    items.sort(key=lambda i: str(i[0]), reverse=True)
    return [
        (str(when)[:16].replace("T", " "), what, detail) for when, what, detail in items[:limit]
    ]
