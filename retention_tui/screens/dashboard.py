"""The morning view: retention figures with the MRR trend, health distribution, queue
sizes and the risks due today."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl
from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from db.links import waiting_rows
from retention_tui.engine.metrics import metric_options, month_starts, total_mrr
from retention_tui.engine.money import left_out_note, periods_fx
from retention_tui.formatting import money
from retention_tui.queue_views import QueueView
from retention_tui.reports.documents import TIER_ORDER
from retention_tui.reports.revenue import nrr_report
from retention_tui.screens.loading import LoadingScreen
from retention_tui.screens.table import Table

if TYPE_CHECKING:
    from datetime import date

    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Snapshot


# What a queue's count shows until it is counted.
COUNTING = "…"


def dashboard_figures(s: Snapshot, as_of: date) -> dict[str, object]:
    """The dashboard's figures, health tiers and risks due, built off the main thread (the
    queue counts follow: queue_counts)."""
    nrr = nrr_report(s.tables, as_of, 2, None, s.cfg, year=False)
    months = month_starts(as_of - timedelta(days=365), as_of)
    opts = metric_options(s.cfg)
    periods = s.tables["subscription_periods"]
    trend = total_mrr(periods, months, **opts)  # type: ignore[arg-type]
    base = periods_fx(periods, s.cfg["currency"]).base
    now = int(s.run.features["mrr"].sum() or 0)
    m, before = nrr["movements"][-1], nrr["movements"][0]
    change = (
        (m["mrr_end"] - before["mrr_end"]) / before["mrr_end"] * 100 if before["mrr_end"] else 0
    )

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:g}%"

    churn = None if m["logo_retention"] is None else round(100 - m["logo_retention"], 1)
    headline = (
        f"MRR {money(now, base)} ({change:+.1f}% on the month before) · {m['month']}: "
        f"NRR {pct(m['nrr'])} · GRR {pct(m['grr'])} · logo churn {pct(churn)}"
    )
    note = left_out_note(periods, s.cfg["currency"])
    if note:
        headline += f"\n[b]Note:[/b] {escape(note)}"
    scored = s.run.scores.join(s.run.features.select("account_id", "mrr"), on="account_id")
    total = scored.height or 1
    tiers = []
    for tier in reversed(TIER_ORDER):
        part = scored.filter(pl.col("tier") == tier)
        tiers.append(
            (
                tier,
                part.height,
                f"{part.height / total:.0%}",
                money(int(part["mrr"].sum() or 0), base),
            )
        )
    due = s.run.risks.filter(pl.col("respond_by") <= as_of)
    names = s.tables["accounts"].select("account_id", "name")
    shown = due.head(20).join(names, on="account_id", how="left", maintain_order="left")
    risks = [
        (r["severity"], r["name"] or r["account_id"], r["code"], r["action"])
        for r in shown.iter_rows(named=True)
    ]
    return {
        "headline": headline,
        "trend": trend,
        "tiers": tiers,
        "risks": risks,
        "due_count": due.height,
    }


def queue_labels(queue_views: tuple[QueueView, ...]) -> list[str]:
    return [f"{q.key}  {q.title}" for q in queue_views]


def queue_counts(s: Snapshot, as_of: date, queue_views: tuple[QueueView, ...]) -> list[tuple]:
    """(label, items) of each queue: at 100k accounts the seven take ~1.2 s, so the
    dashboard shows its figures first."""
    return [
        (label, q.build(s, as_of).height)
        for label, q in zip(queue_labels(queue_views), queue_views, strict=True)
    ]


class DashboardScreen(LoadingScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard-body"):
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
        yield Footer()

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

    def fetch(self) -> list[tuple]:
        """The dashboard's figures, shown as soon as they are ready, then the queue counts;
        while a big book loads, the headline says which step it is on (every step's text
        starts with 'Loading')."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        headline = self.query_one("#dashboard-headline", Static)

        def say(text: str) -> None:
            self.post(headline.update, text)

        snapshot = app.workspace.get(app.data_version, say)
        say("Loading… MRR and retention")
        figures = dashboard_figures(snapshot, app.as_of)
        figures["waiting"] = self.read(waiting_rows)
        self.post(self.show_figures, figures)
        return queue_counts(snapshot, app.as_of, app.queues)

    def show_figures(self, d: dict) -> None:
        self.query_one("#dashboard-headline", Static).update(d["headline"])
        self.query_one("#dashboard-mrr", Sparkline).data = d["trend"]
        due = f"Risks due today: {d['due_count']}"
        if d.get("waiting"):
            n = d["waiting"]
            due += f" · {n} imported row{' waits' if n == 1 else 's wait'} for an account (u)"
        self.query_one("#dashboard-due", Static).update(due)
        queues = [(label, COUNTING) for label in queue_labels(self.app.queues)]  # type: ignore[attr-defined]
        for table_id, rows in (
            ("#dashboard-tiers", d["tiers"]),
            ("#dashboard-queues", queues),
            ("#dashboard-risks", d["risks"]),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear()
            table.add_rows(rows)

    def show(self, queues: list[tuple]) -> None:
        table = self.query_one("#dashboard-queues", DataTable)
        table.clear()
        table.add_rows(queues)
