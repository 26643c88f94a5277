"""One lost deal, opened from the win-back queue: what was lost and why, its win-back
score, the touches its lost reason calls for, and its win-back cadence to tick and note."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from db import connect
from db.work import account_work
from retention_tui.engine.queues import DEAL_ID, winback, winback_touches
from retention_tui.formatting import money, segment_label, words
from retention_tui.screens.footer import KeysFooter
from retention_tui.screens.scrolling import Body
from retention_tui.screens.table import Table
from retention_tui.screens.work_panel import WorkPanelScreen, work_rows

if TYPE_CHECKING:
    from datetime import date

    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Snapshot

TABLES = {
    "cadence": ("Day", "Touch", "On"),
    "playbooks": ("Playbook", "Step", "Done"),
    "notes": ("When", "Playbook", "Note"),
}


def deal_detail(s: Snapshot, key: str, as_of: date) -> dict[str, object]:
    """Everything the deal screen shows (built off the main thread)."""
    deals = s.tables["deals"].with_columns(DEAL_ID.alias("deal_id"))
    found = deals.filter(pl.col("deal_id") == key)
    if found.height == 0:
        return {"header": f"No deal {key} in the database", "score": "", "cadence": []}
    d = found.row(0, named=True)
    amount = money(d["amount_minor"], d["currency"]) if d["amount_minor"] is not None else "—"
    header = (
        f"{d['company_name']} · {segment_label(d['segment'], 'no segment')} · "
        f"{words(d['stage'] or '')} on {d['closed_at'] or '—'} · "
        f"reason: {words(d['lost_reason'] or '') or 'none given'} · "
        f"{amount} · owner {d['owner'] or '—'}"
        + (f" · account {d['account_id']} (o opens it)" if d["account_id"] else "")
    )
    queue = winback({**s.tables, "deals": found.drop("deal_id")}, as_of, s.cfg)
    if queue.height:
        q = queue.row(0, named=True)
        score = (
            f"Win-back score {q['score']} ({q['band']}): {q['factors']} · "
            f"{q['days_since_loss']} days since the loss"
        )
    else:
        score = "Not in the win-back queue (lost too long ago, or not lost)"
    closed = d["closed_at"]
    cadence = [
        (str(day), text, str(closed + timedelta(days=day)) if closed else "—")
        for _step, day, text in winback_touches(d["lost_reason"])
    ]
    return {
        "header": header,
        "score": score,
        "cadence": cadence,
        "lost_reason": d["lost_reason"],
        "account_id": d["account_id"],
    }


class DealScreen(WorkPanelScreen):
    PREFIX = "deal"
    KINDS: ClassVar = ("winback",)
    BINDINGS: ClassVar = [
        *WorkPanelScreen.BINDINGS,
        Binding("o", "open_account", "Open account", id="deal.account"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.subject_id = key
        self.account_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Body(id="deal-body"):
            yield Static("Loading…", id="deal-header", markup=False)
            yield Static("", id="deal-score", markup=False)
            for name in TABLES:
                label = {"cadence": "Touches for its lost reason"}.get(name, name.capitalize())
                yield Static(label, classes="deal-label")
                yield Table(id=f"deal-{name}", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        for name, columns in TABLES.items():
            table = self.query_one(f"#deal-{name}", DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.query_one("#deal-playbooks", DataTable).focus()
        self.reload_after_paint()

    def fetch(self) -> dict[str, object]:
        app: RetentionApp = self.app  # type: ignore[assignment]
        detail = deal_detail(app.workspace.get(app.data_version), self.subject_id, app.as_of)
        with closing(connect(app.db_path)) as conn:
            rows, keys, notes = work_rows(
                account_work(conn, self.subject_id), detail.get("lost_reason")
            )
        return {**detail, "playbooks": rows, "step_keys": keys, "notes": notes}

    def show(self, d: dict) -> None:
        self.step_keys = d["step_keys"]
        self.account_id = d.get("account_id")
        self.query_one("#deal-header", Static).update(d["header"])
        self.query_one("#deal-score", Static).update(d["score"])
        for name in TABLES:
            table = self.query_one(f"#deal-{name}", DataTable)
            table.clear()
            table.add_rows(d.get(name, []))

    def action_open_account(self) -> None:
        if not self.account_id:
            self.notify("This deal has no account (a prospect)", severity="warning")
            return
        from retention_tui.screens.account import AccountScreen

        self.app.push_screen(AccountScreen(self.account_id))
