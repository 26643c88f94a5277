"""One account: header, score breakdown and trend, MRR history, open risk signals,
contacts, and a timeline of touchpoints, tickets, NPS, payments and plan changes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Sparkline, Static

from db import RetentionError, connect
from db.results import score_history
from db.work import (
    HELD_KINDS,
    SENTIMENTS,
    TOUCH_KINDS,
    a_kind,
    account_work,
    forget_touchpoint,
    kind_word,
    log_touchpoint,
    logged_at,
    logged_line,
    logged_touchpoints,
)
from retention_tui.engine.metrics import account_mrr, metric_options, month_starts
from retention_tui.engine.money import periods_fx
from retention_tui.engine.queues import cards_on_file, renewal_round_began
from retention_tui.formatting import money, plural, segment_label, tier_label, words
from retention_tui.playbooks import PLAYBOOKS
from retention_tui.reports.account_documents import standing
from retention_tui.reports.timeline import timeline
from retention_tui.screens.dialogs import ChooseDialog, TextDialog
from retention_tui.screens.footer import KeysFooter
from retention_tui.screens.scrolling import Body
from retention_tui.screens.table import Table
from retention_tui.screens.work_panel import WorkPanelScreen, work_rows

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Snapshot

MISSED = "missed"  # "How did it go?": they did not come, or pick up
TABLES = {
    "playbooks": ("Playbook", "Step", "Done"),
    "notes": ("When", "Playbook", "Note"),
    "breakdown": ("Dimension", "Signal", "Raw value", "Points"),
    "risks": ("Severity", "Signal", "Respond by", "Action", "Evidence"),
    "contacts": ("Name", "Role", "Email", "Champion", "Left"),
    "timeline": ("When", "What", "Detail"),
}


def account_detail(
    s: Snapshot, account_id: str, as_of: date, history: pl.DataFrame
) -> dict[str, object]:
    """Everything the account screen shows, as plain values (built off the main thread)."""
    t = s.tables
    acc = t["accounts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    score = s.run.scores.filter(pl.col("account_id") == account_id)
    sc = score.row(0, named=True) if score.height else None
    opts = metric_options(s.cfg)
    months = month_starts(as_of - timedelta(days=365), as_of)
    periods = t["subscription_periods"].filter(pl.col("account_id") == account_id)
    mrr_hist = []
    for m in months:
        row = account_mrr(periods, m, **opts)  # type: ignore[arg-type]
        mrr_hist.append(int(row["mrr"][0]) if row.height else 0)
    mrr_now = account_mrr(periods, as_of, **opts)  # type: ignore[arg-type]
    mrr = int(mrr_now["mrr"][0]) if mrr_now.height else 0
    base = periods_fx(periods, s.cfg["currency"]).base if periods.height else acc["currency"]
    header = (
        f"{acc['name']} · {segment_label(acc['segment'], 'no segment')} · "
        f"plan {acc['plan'] or '—'} · "
        f"MRR {money(mrr, base or 'USD')} · owner {acc['owner'] or '—'} · "
        f"renews {acc['renewal_date'] or '—'}"
    )
    own = t["payment_attempts"].filter(pl.col("account_id") == account_id)
    card = cards_on_file(own, as_of)["card"]
    if card.len():
        header += f" · {card[0]}"
    if sc and sc["total"] is not None:
        score_line = (
            f"Health {sc['total']:.0f} ({tier_label(sc['tier'])}) · data coverage "
            f"{sc['coverage']:.0%} · preset {sc['preset']}"
        )
    elif sc:
        score_line = "No score: no data for any signal yet (usage, touchpoints, billing, NPS…)"
    elif acc["prospect"] == 1 and not periods.height:
        score_line = "Not scored: a prospect (its CRM says it is not a customer yet; no "
        score_line += "subscription bills it)"
    else:
        score_line = "Not scored on this date (not a customer on it: churned, or not yet)"
    for line in standing(t, account_id, as_of, s.cfg, s.run):
        if line:
            score_line += f"\n{line}"
    if sc and s.usage_note:
        score_line += f"\nNote: {s.usage_note}"
    breakdown = [
        (
            r["dimension"],
            words(r["signal"]),
            r["raw"] if r["present"] else "no data",
            "—" if r["points"] is None else f"{r['points']:g}",
        )
        for r in s.run.signals.filter(pl.col("account_id") == account_id).iter_rows(named=True)
    ]
    risks = [
        (
            r["severity"],
            words(r["code"]),
            str(r["respond_by"]),
            r["action"],
            "; ".join(r["evidence"][:2]),
        )
        for r in s.run.risks.filter(pl.col("account_id") == account_id).iter_rows(named=True)
    ]
    contacts = [
        (
            c["name"] or "—",
            c["role"] or "—",
            c["email"] or "—",
            (c["champion_strength"] or "yes") if c["is_champion"] else "",
            str(c["left_company_at"] or ""),
        )
        for c in t["contacts"].filter(pl.col("account_id") == account_id).iter_rows(named=True)
    ]
    trend = history["total"].drop_nulls().to_list()
    cur = base or "USD"
    return {
        "header": header,
        "score": score_line,
        "trend": trend,
        "trend_label": (
            f"Score trend, {plural(len(trend), 'snapshot')}: {_span(trend, '{:.0f}'.format)}"
            if trend
            else "Score trend: no snapshots yet (r re-scores and keeps one)"
        ),
        "mrr": mrr_hist,
        "mrr_label": f"MRR, last 12 months: {_span(mrr_hist, lambda v: money(int(v), cur))}",
        "breakdown": breakdown,
        "risks": risks,
        "contacts": contacts,
        "timeline": timeline(s.tables, account_id, as_of),
    }


def _span(values: list, fmt: Callable[[float], str]) -> str:
    """'61 → 58 (low 55, high 63)': where a trend started and ended, and how far it went
    beyond (a sparkline alone scales to its own range: a flat line looks like a full bar)."""
    first, last, low, high = values[0], values[-1], min(values), max(values)
    if len(values) == 1:
        return fmt(first)
    beyond = [f"low {fmt(low)}"] if low < min(first, last) else []
    beyond += [f"high {fmt(high)}"] if high > max(first, last) else []
    return f"{fmt(first)} → {fmt(last)}" + (f" ({', '.join(beyond)})" if beyond else "")


def renewal_round(s: Snapshot, account_id: str) -> dict[str, str]:
    """When this renewal's timeline began (queues.renewal_round_began): a renewal step
    ticked before it was for the renewal before, and shows as not done."""
    acc = s.tables["accounts"].filter(pl.col("account_id") == account_id)
    renews = acc["renewal_date"][0] if acc.height else None
    if renews is None:
        return {}
    return {"renewal": renewal_round_began(renews, s.cfg).isoformat()}


class AccountScreen(WorkPanelScreen):
    PREFIX = "account"
    KINDS: ClassVar = tuple(k for k in PLAYBOOKS if k != "winback")  # that one is per deal
    BINDINGS: ClassVar = [
        *WorkPanelScreen.BINDINGS,
        Binding("t", "log_touch", "Log call/email", id="account.log"),
        Binding(
            "D", "forget_logged", "Delete a logged interaction", show=False, id="account.unlog"
        ),
    ]

    def __init__(self, account_id: str) -> None:
        super().__init__()
        self.account_id = self.subject_id = account_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Body(id="account-body"):
            yield Static("Loading…", id="account-header", markup=False)
            yield Static("", id="account-score", markup=False)
            yield Static("Score trend", id="account-trend-label", classes="account-label")
            yield Sparkline([], id="account-trend")
            yield Static("MRR, last 12 months", id="account-mrr-label", classes="account-label")
            yield Sparkline([], id="account-mrr")
            for name in TABLES:
                yield Static(name.capitalize(), classes="account-label")
                yield Table(id=f"account-{name}", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        for name, columns in TABLES.items():
            table = self.query_one(f"#account-{name}", DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.reload_after_paint()

    def action_log_touch(self) -> None:
        """Log an interaction: which kind, what happened (#words become tags), how it went;
        dated now, or noon of the dashboard's day when it looks at a past one."""
        app: RetentionApp = self.app  # type: ignore[assignment]

        def save(kind: str, text: str, sentiment: str | None) -> None:
            when = logged_at(app.as_of, datetime.now(UTC))
            feeling = sentiment if sentiment in SENTIMENTS else None
            missed = sentiment == MISSED
            self.write(
                lambda conn: log_touchpoint(
                    conn, self.account_id, kind, text, when, sentiment=feeling, missed=missed
                ),
                f"Logged the {'missed ' if missed else ''}{kind_word(kind)}",
                retry=lambda: ask_summary(kind, text),
            )

        def ask_sentiment(kind: str, text: str | None) -> None:
            if text is None:  # cancelled
                return
            options = [("unsaid", "(not said)"), *((s, s) for s in SENTIMENTS)]
            if kind in HELD_KINDS:
                options.append((MISSED, "missed: they did not come or pick up"))
            dialog = ChooseDialog("How did it go?", options)
            app.push_screen(dialog, lambda sentiment: save(kind, text, sentiment))

        def ask_summary(kind: str | None, text: str = "") -> None:
            if kind:
                hint = "What happened? #budget_cut, #competitor… become tags"
                app.push_screen(
                    TextDialog(f"Log {a_kind(kind)}", hint, text),
                    lambda summary: ask_sentiment(kind, summary),
                )

        choices = [(kind, kind_word(kind)) for kind in TOUCH_KINDS]
        app.push_screen(ChooseDialog("Log which interaction?", choices), ask_summary)

    @work(thread=True, group="account.unlog")
    def action_forget_logged(self) -> None:
        """Delete an interaction logged here by mistake: pick it among those logged with
        the account (imported ones are the tools' record, not ours to delete), then say
        yes."""
        try:
            logged = self.read(lambda conn: logged_touchpoints(conn, self.account_id))
        except RetentionError as exc:  # the database busy or unreadable: said, not raised
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.app.call_from_thread(self._ask_which_logged, logged)

    def _ask_which_logged(self, logged: list[dict]) -> None:
        if not logged:
            self.notify(
                "No interaction logged with this account: only what t logs can be deleted",
                severity="warning",
            )
            return
        said = {r["source_id"]: logged_line(r) for r in logged}

        def confirm(source_id: str | None) -> None:
            if source_id is None:
                return
            sure = ChooseDialog(
                f"Delete {said[source_id]}? The scores read it no more",
                [("no", "Keep it"), ("yes", "Delete it")],
            )
            self.app.push_screen(sure, lambda yes: forget(source_id) if yes == "yes" else None)

        def forget(source_id: str) -> None:
            self.write(
                lambda conn: forget_touchpoint(conn, self.account_id, source_id),
                "Deleted the logged interaction",
            )

        self.app.push_screen(
            ChooseDialog("Delete which interaction you logged?", list(said.items())), confirm
        )

    def fetch(self) -> dict[str, object]:
        app: RetentionApp = self.app  # type: ignore[assignment]
        snapshot = app.workspace.get(app.data_version)
        with closing(connect(app.db_path)) as conn:
            history = score_history(conn, self.account_id).filter(
                pl.col("as_of") <= app.as_of.isoformat()
            )
            rows, keys, notes = work_rows(
                account_work(conn, self.account_id),
                ticked_since=renewal_round(snapshot, self.account_id),
            )
        detail = account_detail(snapshot, self.account_id, app.as_of, history)
        return {**detail, "playbooks": rows, "step_keys": keys, "notes": notes}

    def show(self, d: dict) -> None:
        self.step_keys = d["step_keys"]
        self.query_one("#account-header", Static).update(d["header"])
        self.query_one("#account-score", Static).update(d["score"])
        self.query_one("#account-trend", Sparkline).data = d["trend"]
        self.query_one("#account-trend-label", Static).update(d["trend_label"])
        self.query_one("#account-mrr", Sparkline).data = d["mrr"]
        self.query_one("#account-mrr-label", Static).update(d["mrr_label"])
        for name in TABLES:
            table = self.query_one(f"#account-{name}", DataTable)
            table.clear()
            table.add_rows(d[name])
