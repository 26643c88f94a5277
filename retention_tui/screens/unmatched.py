"""Imported rows that wait for an account (no match, or several), by tool and key: enter
links a key to an account, and the rows that waited are imported."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import work

from db import RetentionError, connect
from db.links import pending_groups
from db.queries import one_account
from importers.identity import is_key
from retention_tui.formatting import plural
from retention_tui.screens.dialogs import TextDialog
from retention_tui.screens.footer import BASIC
from retention_tui.screens.listing import ListScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


class UnmatchedScreen(ListScreen):
    NAME = "unmatched"
    PLACEHOLDER = "Filter by tool, key or company"
    FOOTER_APP_KEYS = BASIC | {"app.import"}  # rows wait for the file that names them
    SEARCH = ("source", "key", "label", "candidates")
    SORTS: ClassVar = (("most rows", "rows", True), ("tool", "source", False))
    COLUMNS: ClassVar = (
        "Tool",
        "Key",
        "Company",
        "Why",
        "Could be",
        "Rows",
        "Tables",
        "First seen",
    )

    def fetch(self) -> pl.DataFrame:
        return self.read(pending_groups)

    def key_columns(self) -> tuple[str, ...]:
        return ("source", "key")

    def cells(self, r: dict) -> tuple[object, ...]:
        return (
            r["source"],
            r["key"] + (f" ({r['other keys']})" if r["other keys"] else ""),
            r["label"],
            r["reason"],
            r["candidates"] or "—",
            r["rows"],
            r["tables"],
            r["first_seen"],
        )

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        if total == 0:
            return "Every imported row has its account"
        rows = int(shown["rows"].sum())
        waits = "row waits" if rows == 1 else "rows wait"
        return (
            f"{rows} imported {waits} for an account ({shown.height} keys) · enter links "
            "a key to an account · sorted by " + self.SORTS[self.sort_index][0]
        )

    def open_key(self, key: str) -> None:
        source, link_key = key.split("\t", 1)
        if not is_key(link_key):
            self.notify(
                "These rows name no company, email or id to link by: export them with one",
                severity="warning",
            )
            return

        def chosen(text: str | None) -> None:
            if text and text.strip():
                self.link(source, link_key, text.strip())

        self.app.push_screen(
            TextDialog(f"Link {source} {link_key} to which account?", "account name or id"),
            chosen,
        )

    @work(thread=True, group="unmatched.link")
    def link(self, source: str, key: str, account: str) -> None:
        from importers.run import link_many

        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            with closing(connect(app.db_path)) as conn:
                account_id, name = one_account(conn, account)
                linked = link_many(conn, [(source, key, account_id)])
        except RetentionError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error")
            return
        rows = sum(linked.written.values())
        app.call_from_thread(
            self.notify, f"Linked {source} {key} to {name}: {plural(rows, 'row')} imported"
        )
        app.call_from_thread(app.check_for_changes, True)
