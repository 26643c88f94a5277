"""The import log: every file imported, with what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from textual.widgets import DataTable, Static

from db.queries import import_log
from retention_tui.screens.loading import TableScreen

if TYPE_CHECKING:
    pass

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
)


class ImportLogScreen(TableScreen):
    SUMMARY_ID = "imports-summary"
    TABLE_ID = "imports-table"
    COLUMNS = COLUMNS
    LOADING = "Loading the import log…"

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
            )
            for r in frame.iter_rows(named=True)
        )
        n = frame.height
        self.query_one("#imports-summary", Static).update(
            f"{n} file{'s' if n != 1 else ''} imported"
            if n
            else "Nothing imported yet: run 'retention import FILE...'"
        )
