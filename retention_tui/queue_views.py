"""The seven work queues as the dashboard shows them: where each one's rows come from,
its columns, what ``/`` searches and what ``s`` sorts by. Keys 1-7 open them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from retention_tui.engine.expansion import expansion_queue, onboarding
from retention_tui.engine.queues import payment_recovery, reactivation, renewals, winback
from retention_tui.formatting import money
from retention_tui.reports.risk import risk_rows
from retention_tui.workspace import Snapshot

Column = tuple[str, str, str]  # (label, field, kind: text | money | date | int | flag | score)


@dataclass(frozen=True)
class QueueView:
    name: str
    title: str
    key: str
    build: Callable[[Snapshot, date], pl.DataFrame]
    columns: tuple[Column, ...]
    sorts: tuple[tuple[str, str, bool], ...]
    search: tuple[str, ...] = ("account", "owner")


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the queue's own priority order as a sortable column."""
    return frame.with_row_index("order")


def _risk(s: Snapshot, as_of: date) -> pl.DataFrame:
    """Accounts at risk or critical, or with a critical or high risk signal, worst first."""
    urgent = set(
        s.run.risks.filter(pl.col("severity").is_in(["critical", "high"]))["account_id"].to_list()
    )
    rows = [
        r
        for r in risk_rows(s.run, s.tables["accounts"], s.cfg)
        if r["tier"] in ("at_risk", "critical") or r["account_id"] in urgent
    ]
    return (
        _ordered(pl.DataFrame(rows))
        if rows
        else pl.DataFrame(
            schema={"order": pl.UInt32, "account_id": pl.String, "account": pl.String}
        )
    )


def _done(s: Snapshot, kind: str) -> pl.DataFrame:
    return s.done.filter(pl.col("kind") == kind)


QUEUES: tuple[QueueView, ...] = (
    QueueView(
        "risk",
        "At risk",
        "1",
        _risk,
        (
            ("Tier", "tier", "text"),
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Score", "score", "score"),
            ("MRR", "mrr_minor", "money"),
            ("Signals", "signals", "text"),
            ("Action", "action", "text"),
            ("Respond by", "respond_by", "text"),
        ),
        (
            ("worst first", "order", False),
            ("MRR", "mrr_minor", True),
            ("respond by", "respond_by", False),
        ),
    ),
    QueueView(
        "renewals",
        "Renewals",
        "2",
        lambda s, d: renewals(s.tables, d, s.cfg, s.run.scores, _done(s, "renewal"), s.run.risks),
        (
            ("Account", "account", "text"),
            ("Renews", "renewal_date", "date"),
            ("Days", "days_left", "int"),
            ("Due step", "due_action", "text"),
            ("Due on", "due_on", "date"),
            ("Overdue", "overdue_steps", "text"),
            ("Tier", "tier", "text"),
            ("ARR", "arr_at_stake", "money"),
            ("No contact", "no_contact_critical", "flag"),
        ),
        (("soonest", "days_left", False), ("ARR", "arr_at_stake", True)),
    ),
    QueueView(
        "expansion",
        "Expansion",
        "3",
        lambda s, d: _ordered(expansion_queue(s.tables, d, s.cfg, s.run.features, s.run.scores)),
        (
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Health", "health", "score"),
            ("PQA", "pqa", "int"),
            ("Band", "pqa_band", "text"),
            ("Triggers", "triggers", "text"),
            ("Action", "action", "text"),
            ("Within", "respond_within", "text"),
        ),
        (("most triggers", "order", False), ("PQA", "pqa", True)),
    ),
    QueueView(
        "winback",
        "Win-back",
        "4",
        lambda s, d: winback(s.tables, d, s.cfg),
        (
            ("Deal", "deal", "text"),
            ("Segment", "segment", "text"),
            ("Lost reason", "lost_reason", "text"),
            ("Lost on", "closed_at", "date"),
            ("Score", "score", "int"),
            ("Band", "band", "text"),
            ("Next touch", "next_touch", "text"),
            ("On", "next_touch_on", "date"),
            ("Amount", "amount_minor", "money"),
        ),
        (("priority", "score", True), ("next touch", "next_touch_on", False)),
        search=("deal", "lost_reason"),
    ),
    QueueView(
        "reactivation",
        "Reactivation",
        "5",
        lambda s, d: reactivation(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Owner", "owner", "text"),
            ("Churned", "churned_on", "date"),
            ("Days", "days_since", "int"),
            ("Next", "next_action", "text"),
            ("On", "next_on", "date"),
            ("Data expires", "data_expires_on", "date"),
        ),
        (("next due", "next_on", False), ("most recent", "days_since", False)),
    ),
    QueueView(
        "payments",
        "Payment failures",
        "6",
        lambda s, d: payment_recovery(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Invoice", "invoice_id", "text"),
            ("Amount", "amount_minor", "money"),
            ("Stage", "stage", "text"),
            ("Next action", "next_action", "text"),
            ("On", "next_on", "date"),
            ("Overdue", "overdue", "flag"),
            ("MRR at risk", "mrr_at_risk", "money"),
            ("High value", "high_value", "flag"),
        ),
        (("next due", "next_on", False), ("MRR at risk", "mrr_at_risk", True)),
    ),
    QueueView(
        "onboarding",
        "Onboarding",
        "7",
        lambda s, d: onboarding(s.tables, d, s.cfg),
        (
            ("Account", "account", "text"),
            ("Day", "day", "int"),
            ("First value", "first_value", "text"),
            ("Data", "data_connected", "text"),
            ("Team", "team_invited", "text"),
            ("Habit", "habit", "text"),
            ("ROI", "roi_visible", "text"),
            ("Expansion", "expansion_ready", "text"),
            ("Missed", "missed", "int"),
        ),
        (("most missed", "missed", True), ("newest", "day", False)),
    ),
)
BY_NAME = {q.name: q for q in QUEUES}


def cell(value: object, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(int(value))  # type: ignore[call-overload]
    if kind == "score":
        return f"{float(value):.0f}"  # type: ignore[arg-type]
    if kind == "flag":
        return "yes" if value else ""
    return str(value)
