"""A work queue (risk, renewals, expansion, win-back, reactivation, payments, onboarding):
its rows, filterable and sortable; enter opens the account."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from retention_tui.queue_views import BY_NAME, cell
from retention_tui.screens.listing import ListScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


class QueueScreen(ListScreen):
    def __init__(self, name: str) -> None:
        self.view = BY_NAME[name]
        self.NAME = f"queue-{name}"
        self.COLUMNS = tuple(label for label, _, _ in self.view.columns)  # type: ignore[misc]
        self.SORTS = self.view.sorts  # type: ignore[misc]
        self.SEARCH = self.view.search  # type: ignore[misc]
        self.PLACEHOLDER = f"Filter by {' or '.join(self.view.search)}"
        super().__init__()

    def fetch(self) -> pl.DataFrame:
        app: RetentionApp = self.app  # type: ignore[assignment]
        snapshot = app.workspace.get(app.data_version)
        return self.view.build(snapshot, app.as_of)

    def cells(self, row: dict) -> tuple[object, ...]:
        return tuple(cell(row.get(field), kind) for _, field, kind in self.view.columns)

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        what = f"{shown.height} of {total}" if shown.height != total else f"{total}"
        sort = self.SORTS[self.sort_index][0] if self.SORTS else "—"
        return f"{self.view.title}: {what} · sorted by {sort} · enter opens the account"
