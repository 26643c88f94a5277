"""A screen whose data is loaded off the main thread and reloaded when what it shows
changes: the database (the app bumps ``data_version`` when another process commits) or
whose accounts are shown (``owner``): the app's ``view_key``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any, ClassVar, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from db import RetentionError, connect
from retention_tui.screens.footer import KeysFooter
from retention_tui.screens.table import Table

T = TypeVar("T")


class LoadingScreen(Screen[None]):
    """Subclasses implement ``fetch`` (runs in a worker thread) and ``show`` (main thread)."""

    loaded_view: tuple = ()

    def fetch(self) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """``query`` run on a connection of its own to the app's database (in the worker:
        a connection is used by one thread)."""
        with closing(connect(self.app.db_path)) as conn:  # type: ignore[attr-defined]
            return query(conn)

    def reload(self) -> None:
        """Load the data (again), noting which version of the database (and whose
        accounts) it shows."""
        self.loaded_view = self.app.view_key  # type: ignore[attr-defined]
        self.load()

    def reload_after_paint(self) -> None:
        """Load once the screen's frame is up (the worker's Python work would otherwise
        share the interpreter with the paint and delay it), unless this version of the
        database is loaded or loading by then: a new screen is mounted and resumed, and
        loading it twice at once cost a second at 100k accounts."""
        self.call_after_refresh(self._reload_if_stale)

    def _reload_if_stale(self) -> None:
        if self.loaded_view != self.app.view_key:  # type: ignore[attr-defined]
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload_after_paint()

    def post(self, method: Callable[[T], object], data: T) -> None:
        """From the load's thread: ``method(data)`` on the main thread, unless a newer load
        has replaced this one. Starting a load cancels the one still running (exclusive),
        but a thread cannot be stopped: what it finds later is older than what the newer
        one shows, and is dropped."""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(method, data)

    @work(thread=True, exclusive=True, group="screen.load")
    def load(self) -> None:
        try:
            data = self.fetch()
        except RetentionError as exc:  # e.g. a database another version upgraded
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.post(self.show, data)


class TableScreen(LoadingScreen):
    """A summary line over one table: subclasses set the ids, the columns and the text shown
    while loading, and implement ``fetch`` and ``show``."""

    SUMMARY_ID = "summary"
    TABLE_ID = "table"
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    LOADING = "Loading…"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.LOADING, id=self.SUMMARY_ID, markup=False)
        yield Table(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in self.COLUMNS:
            table.add_column(label, key=label)
        self.reload_after_paint()
