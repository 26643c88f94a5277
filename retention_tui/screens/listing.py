"""A filterable, sortable list of rows loaded in a worker: the base of the accounts list
and of every queue screen.

A subclass says where its rows come from (``fetch``, run off the main thread), how a row
is shown (``cells``), what ``/`` searches and what ``s`` cycles through.

The rows live in a Polars frame; the table holds one page of them (PAGE_ROWS), so a
book of 100k accounts opens as fast as one of 100 (filling Textual's DataTable with 100k
rows took 10 s). Moving past the last row of a page turns to the next, and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import get_current_worker

from retention_tui.exports import file_stem, write_csv
from retention_tui.formatting import home_relative, plural
from retention_tui.screens.footer import BASIC, KeysFooter
from retention_tui.screens.loading import LoadingScreen
from retention_tui.screens.table import Table

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


def filter_rows(frame: pl.DataFrame, text: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """Rows where any of ``columns`` contains ``text`` (ignoring case, and an underscore
    read as a space: a code is shown in words, 'no_decision' as 'no decision')."""
    needle = text.strip().lower().replace("_", " ")
    if not needle or not columns:
        return frame
    hay = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="\n"
    ).str.to_lowercase()
    return frame.filter(
        hay.str.replace_all("_", " ", literal=True).str.contains(needle, literal=True)
    )


# A page's cells are formatted in the worker that sorts and filters the rows (a page turned
# by the cursor: on the UI thread, ~1 ms), then measured and drawn by the table on the UI
# thread: a key that sorts the 100k-account list took 0.37-0.45 s with pages
# of 500 rows, 0.22-0.24 s with 100 (a few screens' worth: the cursor turns them; moving it
# costs the same, 70.5-70.9 ms a key either way). Since the app's Table lays out plain
# one-line cells itself (screens/table.py), 0.14-0.19 s against 0.20-0.21 s.
PAGE_ROWS = 100


@dataclass(frozen=True)
class Page:
    """One page of a list as the table shows it: its first row's place among the rows,
    each row's cells, and each row's key (what enter opens)."""

    start: int
    cells: list[tuple[object, ...]]
    keys: list[str | None]


class PagedTable(Table):
    """A DataTable showing one page of its screen's rows: the cursor moving off either
    end of the page turns it."""

    def _turn(self, step: int) -> bool:
        screen = self.screen
        return isinstance(screen, ListScreen) and screen.turn_page(step)

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self._turn(+1):
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self._turn(-1):
            self.move_cursor(row=self.row_count - 1)
            return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self._turn(+1):
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self._turn(-1):
            return
        super().action_page_up()


class ListScreen(LoadingScreen):
    """Subclasses set NAME, COLUMNS, SORTS, SEARCH and implement fetch() and cells()."""

    NAME = "list"
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    # (label, frame column, descending) in the order 's' cycles through them.
    SORTS: ClassVar[tuple[tuple[str, str, bool], ...]] = ()
    SEARCH: ClassVar[tuple[str, ...]] = ()
    PLACEHOLDER = "Filter"
    FOOTER_APP_KEYS = BASIC | {"app.owner"}  # whose accounts the list shows
    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter", key_display="/", id="list.filter"),
        Binding("s", "cycle_sort", "Sort", id="list.sort"),
        Binding("e", "export", "Export", id="list.export"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="list.clear"),
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.frame: pl.DataFrame | None = None
        self.rows: pl.DataFrame | None = None  # the frame filtered and sorted
        self.rows_summary = ""  # summary() of those rows, made beside them off the UI thread
        self.sort_index = 0
        self.page_start = 0  # the first row of the page shown
        self.page_keys: list[str | None] = []
        self.arrangement = 0  # counts the filters and sorts asked for (refresh_table)
        self.usage_note: str | None = None  # a stale usage export (Snapshot.usage_note)

    # --- what a subclass provides (and fetch(), from LoadingScreen) ----------------------
    def cells(self, row: dict) -> tuple[object, ...]:
        raise NotImplementedError

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        what = f"{shown.height} of {total}" if shown.height != total else f"{total}"
        return f"{what} rows · sorted by {self.SORTS[self.sort_index][0]}"

    def note(self) -> str | None:
        """A line to show under the summary, None for none: the stale-usage note of the
        scoring run the rows come from (fetch sets usage_note: Snapshot.usage_note)."""
        return self.usage_note

    def key_columns(self) -> tuple[str, ...]:
        """The columns naming a row: what enter opens, and how a reload knows it has the
        same rows back."""
        return ("account_id",)

    def row_key(self, row: dict) -> str | None:
        values = [row.get(c) for c in self.key_columns()]
        return values[0] if len(values) == 1 else "\t".join(map(str, values))

    def record(self, row: dict) -> tuple[object, ...]:
        """A row as the export writes it: as shown, and nothing where a dash shows none
        (a subclass that clips its cells writes them whole)."""
        return tuple("" if c == "—" else c for c in self.cells(row))

    def export_name(self) -> str:
        """What the export's file is named for ('accounts', 'risk')."""
        return self.NAME

    # --- the machinery ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="list-body"):
            yield Static(
                "Loading…", id=f"{self.NAME}-summary", classes="list-summary", markup=False
            )
            yield Input(
                placeholder=self.PLACEHOLDER, id=f"{self.NAME}-filter", classes="list-filter"
            )
            yield PagedTable(
                id=f"{self.NAME}-table", cursor_type="row", zebra_stripes=True, classes="list-table"
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in self.COLUMNS:
            table.add_column(label, key=label)
        self.query_one(Input).display = False
        table.focus()
        self.reload_after_paint()

    def show(self, frame: pl.DataFrame) -> None:
        """Show ``frame``'s rows; when they are the rows shown (the same keys in the same
        order: the same book with new values, as scores filled in), the page and the
        cursor's row stay where they are."""
        same_rows = self.frame is not None and self._keys(frame).equals(self._keys(self.frame))
        self.frame = frame
        self.refresh_table(keep_place=same_rows)

    def _keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(c for c in self.key_columns() if c in frame.columns)

    def arranged(self, frame: pl.DataFrame, text: str, sort_index: int) -> pl.DataFrame:
        """``frame``'s rows filtered by ``text`` and sorted by SORTS[sort_index]."""
        frame = filter_rows(frame, text, self.SEARCH)
        if not self.SORTS or frame.height == 0:
            return frame
        _label, column, descending = self.SORTS[sort_index]
        return frame.sort(column, descending=descending, nulls_last=True, maintain_order=True)

    def refresh_table(self, keep_place: bool = False) -> None:
        """Filter and sort the rows again, off the main thread, and show their first page
        (``keep_place``: the page and row the cursor is on, as when the same rows come back
        with new values). Until then the page shown stays; a newer key's arrangement
        replaces an older one still running, and the older one's rows, found later, are
        dropped."""
        if self.frame is None:
            return
        self.arrangement += 1
        text, sort = self.query_one(Input).value, self.sort_index
        self.arrange_rows(self.arrangement, self.frame, text, sort, keep_place)

    @work(thread=True, exclusive=True, group="list.arrange")
    def arrange_rows(
        self, arrangement: int, frame: pl.DataFrame, text: str, sort_index: int, keep_place: bool
    ) -> None:
        """Filter and sort the rows, sum them up and lay out the page to show, all here:
        the UI thread only puts the page into the table (at 100k rows the summary alone
        takes ~5 ms of Polars)."""
        rows = self.arranged(frame, text, sort_index)
        said = self.summary(rows, frame.height)
        start = self._page_start_for(rows, keep_place)
        page = self.page_at(rows, start)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._show_arranged, arrangement, rows, said, keep_place, start, page
            )

    def _page_start_for(self, rows: pl.DataFrame, keep_place: bool) -> int:
        """The first row of the page to show: the first page, or (keep_place) the page shown
        if the rows still reach it, else their last."""
        last_page = max(0, rows.height - 1) // PAGE_ROWS * PAGE_ROWS
        return min(self.page_start, last_page) if keep_place else 0

    def page_at(self, rows: pl.DataFrame, start: int) -> Page:
        """The page of ``rows`` from ``start``: each row's cells and key."""
        records = rows.slice(start, PAGE_ROWS).to_dicts()
        return Page(start, [self.cells(r) for r in records], [self.row_key(r) for r in records])

    def _show_arranged(
        self,
        arrangement: int,
        rows: pl.DataFrame,
        said: str,
        keep_place: bool,
        start: int,
        page: Page,
    ) -> None:
        if arrangement != self.arrangement:  # a newer key since
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.rows, self.rows_summary = rows, said
        if self._page_start_for(rows, keep_place) != start:  # a page turned meanwhile
            page = self.page_at(rows, self._page_start_for(rows, keep_place))
        self.show_page(page)
        if keep_place and table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def show_page(self, page: Page) -> None:
        """Put ``page`` into the table, and say which rows it shows."""
        assert self.rows is not None
        self.page_start = page.start
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(page.cells)
        self.page_keys = page.keys  # what enter opens, by row
        text = self.rows_summary
        if self.rows.height > PAGE_ROWS:
            last = page.start + len(page.cells)
            text += f" · rows {page.start + 1:,}-{last:,} of {self.rows.height:,}"
        if note := self.note():
            text += f"\nNote: {note}"
        self.query_one(f"#{self.NAME}-summary", Static).update(text)

    def turn_page(self, step: int) -> bool:
        """Show the next (+1) or previous (-1) page; False when there is none."""
        if self.rows is None:
            return False
        start = self.page_start + step * PAGE_ROWS
        if start < 0 or start >= self.rows.height:
            return False
        self.show_page(self.page_at(self.rows, start))
        return True

    def key_at(self, row: int) -> str | None:
        return self.page_keys[row] if 0 <= row < len(self.page_keys) else None

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one(Input)
        box.value = ""
        box.display = False
        self.query_one(DataTable).focus()

    def action_export(self) -> None:
        if self.rows is None:
            self.notify("Nothing to export yet: the list is loading", severity="warning")
            return
        self.export(self.rows)

    @work(thread=True, group="list.export")
    def export(self, rows: pl.DataFrame) -> None:
        """Write the rows shown (every page) as a CSV file into the config's export
        folder, off the UI thread."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        folder = Path(app.config["export"]["folder"]).expanduser()
        stem = file_stem(self.export_name(), app.as_of, app.owner)
        records = (self.record(r) for r in rows.iter_rows(named=True))
        try:
            path = write_csv(folder, stem, self.COLUMNS, records)
        except OSError as exc:
            app.call_from_thread(self.notify, f"Not exported: {exc}", severity="error", timeout=10)
            return
        said = f"Exported {plural(rows.height, 'row')} to {home_relative(path)}"
        app.call_from_thread(self.notify, said)

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
        key = self.key_at(event.cursor_row)
        if key:
            self.open_key(str(key))

    def open_key(self, key: str) -> None:
        from retention_tui.screens.account import AccountScreen

        self.app.push_screen(AccountScreen(key))
