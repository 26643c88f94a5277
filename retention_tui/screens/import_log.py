"""The import log: every file imported, with what it did; U undoes the last import."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from db import RetentionError
from db.queries import import_log
from db.undo import undo_last
from retention_tui.import_summary import last_import_undo
from retention_tui.screens.footer import BASIC
from retention_tui.screens.loading import TableScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp

COLUMNS = (
    "When (UTC)",
    "File",
    "Format",
    "Read",
    "Inserted",
    "Updated",
    "Unchanged",
    "Skipped",
    "Seconds",
    "Notes",
)


class ImportLogScreen(TableScreen):
    SUMMARY_ID = "imports-summary"
    TABLE_ID = "imports-table"
    COLUMNS = COLUMNS
    LOADING = "Loading the import log…"
    FOOTER_APP_KEYS = BASIC | {"app.import"}
    BINDINGS: ClassVar = [Binding("U", "undo", "Undo last import", id="imports.undo")]

    def action_undo(self) -> None:
        self.offer_undo()

    @work(thread=True, exclusive=True, group="imports.undo")
    def offer_undo(self) -> None:
        """Say what undoing the last import would do (read off the UI thread), then ask."""
        try:
            batch_id, text = self.read(last_import_undo)
        except RetentionError as exc:  # none to undo, or the database cannot be read
            said = str(exc)
            self.app.call_from_thread(self.notify, said[0].upper() + said[1:], timeout=8)
            return
        self.app.call_from_thread(self._ask, batch_id, text)

    def _ask(self, batch_id: int, text: str) -> None:
        from retention_tui.screens.dialogs import ChooseDialog

        def chosen(key: str | None) -> None:
            if key == "undo":
                self.undo(batch_id, text)

        options = [("keep", "No, keep it"), ("undo", f"Yes, undo {text}")]
        self.app.push_screen(ChooseDialog("Undo the last import?", options), chosen)

    @work(thread=True, exclusive=True, group="imports.undo")
    def undo(self, batch_id: int, text: str) -> None:
        """Undo the import the user said yes to (off the UI thread)."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            self.read(lambda conn: undo_last(conn, batch_id))
        except RetentionError as exc:
            app.call_from_thread(self.notify, f"Not undone: {exc}", severity="error", timeout=15)
            return
        app.call_from_thread(self.notify, f"Undid {text}")
        app.call_from_thread(app.check_for_changes, True)

    def fetch(self) -> pl.DataFrame:
        return self.read(import_log)

    def show(self, frame: pl.DataFrame) -> None:
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            (
                r["imported_at"].replace("T", " ").rstrip("Z"),
                r["file_name"],
                r["format"],
                f"{r['rows_read']:,}",
                f"{r['rows_inserted']:,}",
                f"{r['rows_updated']:,}",
                f"{r['rows_unchanged']:,}",
                f"{r['rows_rejected']:,}",
                f"{r['duration_ms'] / 1000:.2f}",
                r["notes"] or "",
            )
            for r in frame.iter_rows(named=True)
        )
        n = frame.height
        self.query_one("#imports-summary", Static).update(
            f"{n} file{'s' if n != 1 else ''} imported"
            if n
            else "Nothing imported yet: run 'retention import FILE...'"
        )
