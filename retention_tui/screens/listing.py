"""A filterable, sortable list of rows loaded in a worker: the base of the accounts list
and of every queue screen.

A subclass says where its rows come from (``fetch``, run off the main thread), how a row
is shown (``cells``), what ``/`` searches and what ``s`` cycles through.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Static

from retention_tui.screens.loading import LoadingScreen


def filter_rows(frame: pl.DataFrame, text: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """Rows where any of ``columns`` contains ``text`` (ignoring case)."""
    needle = text.strip().lower()
    if not needle or not columns:
        return frame
    hay = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="\n"
    ).str.to_lowercase()
    return frame.filter(hay.str.contains(needle, literal=True))


class ListScreen(LoadingScreen):
    """Subclasses set NAME, COLUMNS, SORTS, SEARCH and implement fetch() and cells()."""

    NAME = "list"
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    # (label, frame column, descending) in the order 's' cycles through them.
    SORTS: ClassVar[tuple[tuple[str, str, bool], ...]] = ()
    SEARCH: ClassVar[tuple[str, ...]] = ()
    PLACEHOLDER = "Filter"
    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter", key_display="/", id="list.filter"),
        Binding("s", "cycle_sort", "Sort", id="list.sort"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="list.clear"),
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.frame: pl.DataFrame | None = None
        self.sort_index = 0

    # --- what a subclass provides (and fetch(), from LoadingScreen) ----------------------
    def cells(self, row: dict) -> tuple[object, ...]:
        raise NotImplementedError

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        what = f"{shown.height} of {total}" if shown.height != total else f"{total}"
        return f"{what} rows · sorted by {self.SORTS[self.sort_index][0]}"

    def row_key(self, row: dict) -> str | None:
        return row.get("account_id")  # type: ignore[return-value]

    # --- the machinery ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="list-body"):
            yield Static("Loading…", id=f"{self.NAME}-summary", classes="list-summary")
            yield Input(
                placeholder=self.PLACEHOLDER, id=f"{self.NAME}-filter", classes="list-filter"
            )
            yield DataTable(
                id=f"{self.NAME}-table", cursor_type="row", zebra_stripes=True, classes="list-table"
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in self.COLUMNS:
            table.add_column(label, key=label)
        self.query_one(Input).display = False
        table.focus()
        self.reload()

    def show(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.refresh_table()

    def visible(self) -> pl.DataFrame:
        assert self.frame is not None
        frame = filter_rows(self.frame, self.query_one(Input).value, self.SEARCH)
        if not self.SORTS or frame.height == 0:
            return frame
        _label, column, descending = self.SORTS[self.sort_index]
        return frame.sort(column, descending=descending, nulls_last=True, maintain_order=True)

    def refresh_table(self) -> None:
        if self.frame is None:
            return
        rows = self.visible()
        table = self.query_one(DataTable)
        table.clear()
        for r in rows.iter_rows(named=True):
            table.add_row(*self.cells(r), key=self.row_key(r))
        self.query_one(f"#{self.NAME}-summary", Static).update(
            self.summary(rows, self.frame.height)
        )

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one(Input)
        box.value = ""
        box.display = False
        self.query_one(DataTable).focus()

    def action_cycle_sort(self) -> None:
        if self.SORTS:
            self.sort_index = (self.sort_index + 1) % len(self.SORTS)
            self.refresh_table()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    @on(Input.Changed)
    def filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted)
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key:
            from retention_tui.screens.account import AccountScreen

            self.app.push_screen(AccountScreen(str(key)))
