"""A work queue (risk, renewals, expansion, win-back, reactivation, payments, onboarding):
its rows, filterable and sortable; enter opens the account (or, in win-back, the deal)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from db import RetentionError
from db.work import snooze, wake
from retention_tui.engine.money import periods_fx
from retention_tui.formatting import row_currency
from retention_tui.owner_scope import narrow
from retention_tui.queue_views import QueueView, cell, plain, snoozed_ids
from retention_tui.screens.listing import ListScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


SNOOZE_DAYS = 7


class QueueScreen(ListScreen):
    BINDINGS: ClassVar = [
        *ListScreen.BINDINGS,
        Binding("z", "snooze", f"Snooze {SNOOZE_DAYS} days", id="queue.snooze"),
        Binding("Z", "toggle_snoozed", "Snoozed rows", show=False, id="queue.snoozed"),
    ]

    def __init__(self, view: QueueView) -> None:
        self.view = view
        self.NAME = f"queue-{view.name}"
        self.COLUMNS = tuple(label for label, _, _ in self.view.columns)  # type: ignore[misc]
        self.SORTS = self.view.sorts  # type: ignore[misc]
        self.SEARCH = self.view.search  # type: ignore[misc]
        self.PLACEHOLDER = f"Filter by {' or '.join(self.view.search)}"
        self.base = "USD"  # the book's base currency, set by fetch
        self.showing_snoozed = False  # Z: the rows snoozed instead of the queue's
        self.snoozed_rows = 0  # how many rows a snooze hides (fetch)
        super().__init__()

    def fetch(self) -> pl.DataFrame:
        app: RetentionApp = self.app  # type: ignore[assignment]
        snapshot = app.workspace.get(app.data_version)
        frame = narrow(self.view.build(snapshot, app.as_of), app.owner)
        self.base = periods_fx(
            snapshot.tables["subscription_periods"], snapshot.cfg["currency"]
        ).base
        self.usage_note = snapshot.usage_note
        key = self.view.key_field
        if key not in frame.columns:
            self.snoozed_rows = 0
            return frame
        asleep = pl.col(key).is_in(snoozed_ids(snapshot, self.view, app.as_of).implode())
        self.snoozed_rows = frame.select(asleep.sum()).item()
        return frame.filter(asleep if self.showing_snoozed else ~asleep)

    def key_columns(self) -> tuple[str, ...]:
        return (self.view.key_field,)

    def record(self, row: dict) -> tuple[object, ...]:
        return tuple(
            plain(row.get(field), kind, row_currency(field, row, self.base))
            for _, field, kind in self.view.columns
        )

    def export_name(self) -> str:
        return self.view.name

    def open_key(self, key: str) -> None:
        if self.view.key_field == "deal_id":
            from retention_tui.screens.deal import DealScreen

            self.app.push_screen(DealScreen(key))
        else:
            super().open_key(key)

    def action_snooze(self) -> None:
        """Snooze the row under the cursor; among the snoozed rows (Z), wake it."""
        table = self.query_one(DataTable)
        if table.row_count == 0 or table.cursor_row < 0:
            return
        key = self.key_at(table.cursor_row)
        if not key:
            self.notify("This row cannot be snoozed", severity="warning")
            return
        if self.showing_snoozed:
            self.wake(str(key))
            return
        app: RetentionApp = self.app  # type: ignore[assignment]
        until = (app.as_of + timedelta(days=SNOOZE_DAYS)).isoformat()
        self.snooze(str(key), until)

    def action_toggle_snoozed(self) -> None:
        """Show the rows snoozed (to wake one snoozed by mistake), or the queue again."""
        self.showing_snoozed = not self.showing_snoozed
        self.reload()

    @work(thread=True, group="queue.write")
    def wake(self, account_id: str) -> None:
        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            app.save_work(lambda conn: wake(conn, account_id, self.view.source))
        except RetentionError as exc:
            app.call_from_thread(self.notify, f"Not woken: {exc}", severity="error", timeout=10)
            return
        app.call_from_thread(self.notify, f"Back in {self.view.title}: snooze ended")

    @work(thread=True, group="queue.write")
    def snooze(self, account_id: str, until: str) -> None:
        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            app.save_work(lambda conn: snooze(conn, account_id, self.view.source, until))
        except RetentionError as exc:
            app.call_from_thread(self.notify, f"Not snoozed: {exc}", severity="error", timeout=10)
            return
        app.call_from_thread(self.notify, f"Snoozed in {self.view.title} until {until}")

    def cells(self, row: dict) -> tuple[object, ...]:
        return tuple(
            cell(row.get(field), kind, row_currency(field, row, self.base))
            for _, field, kind in self.view.columns
        )

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        what = f"{shown.height} of {total}" if shown.height != total else f"{total}"
        sort = self.SORTS[self.sort_index][0] if self.SORTS else "—"
        opens = "deal" if self.view.key_field == "deal_id" else "account"
        if self.showing_snoozed:
            return (
                f"{self.view.title}, snoozed: {what} · z wakes the row under the cursor · "
                f"Z back to the queue · sorted by {sort}"
            )
        asleep = f" · {self.snoozed_rows} snoozed (Z)" if self.snoozed_rows else ""
        return f"{self.view.title}: {what}{asleep} · sorted by {sort} · enter opens the {opens}"
