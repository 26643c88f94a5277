"""The morning view: retention figures with the MRR trend, health distribution, queue
sizes and the risks due today."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl
from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Sparkline, Static

from db import RetentionError
from db.links import waiting_rows
from retention_tui.engine.features import book_mrr
from retention_tui.engine.freshness import stale_usage_note, usage_ends
from retention_tui.engine.health import tier_distribution
from retention_tui.engine.metrics import metric_options, month_starts, total_mrr
from retention_tui.engine.money import left_out_note
from retention_tui.formatting import money, tier_label, words
from retention_tui.owner_scope import narrow, narrow_tables, owned
from retention_tui.queue_views import QueueView, snoozed_ids
from retention_tui.reports.documents import share
from retention_tui.reports.revenue import nrr_report
from retention_tui.screens.footer import EVERY_WAY_OUT, KeysFooter
from retention_tui.screens.loading import LoadingScreen
from retention_tui.screens.scrolling import Body
from retention_tui.screens.table import Table

if TYPE_CHECKING:
    from datetime import date

    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Book, Snapshot


# What a queue's count shows until it is counted.
COUNTING = "…"
# The headline of a book without subscriptions (a CRM, help desk or analytics export only).
NO_BILLING = (
    "MRR: no subscriptions imported yet. MRR, NRR and GRR come from your billing tool's "
    "export (Stripe, Chargebee) or a subscriptions CSV: press i to import one"
)


def revenue_figures(book: Book, as_of: date, owner: str | None = None) -> dict[str, object]:
    """The dashboard's headline (MRR, last month's NRR, GRR and logo churn) and MRR trend
    of the book (or of the owner's accounts): from the accounts and subscription periods
    alone (workspace.BILLING_TABLES), so they show while the book loads and is scored."""
    cfg, tables = book.cfg, narrow_tables(book.tables, owner)
    months = month_starts(as_of - timedelta(days=365), as_of)
    opts = metric_options(cfg)
    periods = tables["subscription_periods"]
    trend = total_mrr(periods, months, **opts)  # type: ignore[arg-type]
    if periods.is_empty():
        headline = NO_BILLING if owner is None else f"MRR: no subscription on {owner}'s accounts"
        return {"headline": headline, "trend": trend}
    nrr = nrr_report(tables, as_of, 2, None, cfg, year=False)
    base = book.base_currency
    now = book_mrr(tables, as_of, cfg)
    m, before = nrr["movements"][-1], nrr["movements"][0]
    change = (
        f"{(m['mrr_end'] - before['mrr_end']) / before['mrr_end'] * 100:+.1f}% on the month before"
        if before["mrr_end"]
        else "none the month before"
    )

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:g}%"

    churn = None if m["logo_retention"] is None else round(100 - m["logo_retention"], 1)
    headline = (
        f"MRR {money(now, base)} ({change}) · {m['month']}: "
        f"NRR {pct(m['nrr'])} · GRR {pct(m['grr'])} · logo churn {pct(churn)}"
    )
    return {
        "headline": with_notes(headline, [left_out_note(periods, cfg["currency"])]),
        "trend": trend,
    }


def usage_note(book: Book, as_of: date) -> str | None:
    """The stale-usage note of the whole book (engine/freshness.py), whoever's accounts
    are shown: the usage export's age is the book's."""
    ends = usage_ends(book.tables["usage_events"], as_of)
    return stale_usage_note(ends, as_of, book.cfg)


def with_notes(headline: str, notes: list[str | None]) -> str:
    """The headline with a line for each note there is."""
    return "".join([headline, *(f"\n[b]Note:[/b] {escape(n)}" for n in notes if n)])


def health_figures(s: Snapshot, as_of: date, owner: str | None = None) -> dict[str, object]:
    """The dashboard's health tiers (accounts, share, MRR) and the risks due, from the
    scored book (of the owner's accounts)."""
    base = s.book.base_currency
    scores, features, risks = s.run.scores, s.run.features, s.run.risks
    ids = owned(s.tables["accounts"], owner)
    if ids is not None:
        mine = pl.col("account_id").is_in(ids.implode())
        scores, features, risks = scores.filter(mine), features.filter(mine), risks.filter(mine)
    tiers = [
        (tier_label(r["tier"]), r["accounts"], share(r["share"]), money(r["mrr"], base))
        for r in tier_distribution(scores, features).iter_rows(named=True)
    ]
    due = risks.filter(pl.col("respond_by") <= as_of)
    names = s.tables["accounts"].select("account_id", "name")
    shown = due.head(20).join(names, on="account_id", how="left", maintain_order="left")
    risks = [
        (r["severity"], r["name"] or r["account_id"], words(r["code"]), r["action"])
        for r in shown.iter_rows(named=True)
    ]
    return {"tiers": tiers, "risks": risks, "due_count": due.height}


def queue_labels(queue_views: tuple[QueueView, ...]) -> list[str]:
    return [f"{q.key}  {q.title}" for q in queue_views]


def queue_counts(
    s: Snapshot, as_of: date, queue_views: tuple[QueueView, ...], owner: str | None = None
) -> list[tuple]:
    """(label, items) of each queue (the owner's items): at 100k accounts the eight take
    ~1.2 s, so the dashboard shows its figures first."""
    counts = []
    for label, q in zip(queue_labels(queue_views), queue_views, strict=True):
        rows = narrow(q.build(s, as_of), owner)
        if q.key_field in rows.columns:  # what a snooze hides is not to do now
            rows = rows.filter(~pl.col(q.key_field).is_in(snoozed_ids(s, q, as_of).implode()))
        counts.append((label, rows.height))
    return counts


class DashboardScreen(LoadingScreen):
    FOOTER_APP_KEYS = EVERY_WAY_OUT

    def __init__(self) -> None:
        super().__init__()
        self.revenue: str | None = None  # the headline of the revenue figures shown
        self.usage: str | None = None  # the stale-usage note (engine/freshness.py)

    def compose(self) -> ComposeResult:
        yield Header()
        with Body(id="dashboard-body"):
            yield Static("Loading…", id="dashboard-headline")
            yield Static("MRR, last 12 months", classes="dashboard-label")
            yield Sparkline([], id="dashboard-mrr")
            with Horizontal(id="dashboard-row"):
                with Vertical():
                    yield Static("Health distribution", classes="dashboard-label")
                    yield Table(id="dashboard-tiers", cursor_type="none")
                with Vertical():
                    yield Static("Queues", classes="dashboard-label")
                    yield Table(id="dashboard-queues", cursor_type="none")
            yield Static("Risks due today", id="dashboard-due", classes="dashboard-label")
            yield Table(id="dashboard-risks", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        for table_id, columns in (
            ("#dashboard-tiers", ("Tier", "Accounts", "%", "MRR")),
            ("#dashboard-queues", ("Queue", "Items")),
            ("#dashboard-risks", ("Severity", "Account", "Signal", "Action")),
        ):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.reload_after_paint()

    def reload(self) -> None:
        """Load the revenue figures in a worker of their own, beside the book's load: they
        read the accounts and subscription periods alone, so at 100k accounts they show ~1 s
        before every table is loaded, and the scoring does not wait for them. The queues
        say they are being counted until they are."""
        super().reload()
        self.load_revenue()
        self._fill("#dashboard-queues", [(q, COUNTING) for q in queue_labels(self.app.queues)])  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="dashboard.revenue")
    def load_revenue(self) -> None:
        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            book = app.workspace.billing(app.data_version)
        except RetentionError:  # e.g. upgraded by another version: the book's load says so
            return
        self.post(self.show_revenue, revenue_figures(book, app.as_of, app.owner))

    def fetch(self) -> list[tuple]:
        """The dashboard's health tiers and risks once the book is loaded and scored (the
        stale-usage note for the headline as soon as it is loaded), then the queue counts.
        Meanwhile the risks' line says which step it is on (every step's text starts with
        'Loading')."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        due = self.query_one("#dashboard-due", Static)

        def say(text: str) -> None:
            self.post(due.update, text)

        version = app.data_version
        book = app.workspace.book(version, say)
        self.post(self.show_usage_note, usage_note(book, app.as_of))
        waiting = self.read(waiting_rows)
        snapshot = app.workspace.get(version, say)
        figures = health_figures(snapshot, app.as_of, app.owner)
        figures["waiting"] = waiting
        self.post(self.show_health, figures)
        return queue_counts(snapshot, app.as_of, app.queues, app.owner)

    def show_revenue(self, d: dict) -> None:
        self.revenue = str(d["headline"])
        self._show_headline()
        self.query_one("#dashboard-mrr", Sparkline).data = d["trend"]

    def show_usage_note(self, note: str | None) -> None:
        self.usage = note
        self._show_headline()

    def _show_headline(self) -> None:
        """The revenue headline with the usage note, whichever of the two came last (each
        has its worker); nothing until the revenue figures are in."""
        if self.revenue is not None:
            headline = with_notes(self.revenue, [self.usage])
            self.query_one("#dashboard-headline", Static).update(headline)

    def show_health(self, d: dict) -> None:
        due = f"Risks due today: {d['due_count']}"
        if d.get("waiting"):
            n = d["waiting"]
            due += f" · {n} imported row{' waits' if n == 1 else 's wait'} for an account (u)"
        self.query_one("#dashboard-due", Static).update(due)
        self._fill("#dashboard-tiers", d["tiers"])
        self._fill("#dashboard-risks", d["risks"])

    def _fill(self, table_id: str, rows: list[tuple]) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear()
        table.add_rows(rows)

    def show(self, queues: list[tuple]) -> None:
        self._fill("#dashboard-queues", queues)
