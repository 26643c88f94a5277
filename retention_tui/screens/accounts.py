"""The accounts list: every account with MRR, people, usage and tickets; filter and sort."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from db import connect
from retention_tui.formatting import money
from retention_tui.overview import accounts_overview

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp

# (label, frame column, descending) in the order 's' cycles through them.
SORTS: tuple[tuple[str, str, bool], ...] = (
    ("name", "name", False),
    ("health (worst first)", "score", False),
    ("MRR", "mrr_minor", True),
    ("renewal", "renewal_date", False),
    ("open tickets", "open_tickets", True),
    ("active users", "active_users", True),
)
COLUMNS = (
    "Account",
    "Status",
    "Score",
    "Tier",
    "Data",
    "Segment",
    "Plan",
    "Owner",
    "MRR",
    "Contacts",
    "Users 30d",
    "Open tickets",
    "Renewal",
)
TIER_LABELS = {
    "healthy": "healthy",
    "monitor": "monitor",
    "at_risk": "at risk",
    "critical": "CRITICAL",
}
SEGMENT_LABELS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}


def filter_accounts(frame: pl.DataFrame, text: str) -> pl.DataFrame:
    """Accounts whose name, domain or owner contains ``text`` (ignoring case)."""
    needle = text.strip().lower()
    if not needle:
        return frame
    hay = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("name", "domain", "owner")], separator="\n"
    ).str.to_lowercase()
    return frame.filter(hay.str.contains(needle, literal=True))


class AccountsScreen(Screen[None]):
    loaded_version = -1
    AUTO_FOCUS = "#accounts-table"
    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter", key_display="/", id="accounts.filter"),
        Binding("s", "cycle_sort", "Sort", id="accounts.sort"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="accounts.clear"),
        Binding("j", "cursor_down", "Down", show=False, id="accounts.down"),
        Binding("k", "cursor_up", "Up", show=False, id="accounts.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.frame: pl.DataFrame | None = None
        self.sort_index = 0

    @property
    def retention(self) -> RetentionApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="accounts-body"):
            yield Static("Loading accounts…", id="accounts-summary")
            yield Input(placeholder="Filter by name, domain or owner", id="accounts-filter")
            yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.query_one(Input).display = False
        self.reload()

    def reload(self) -> None:
        """Load the data (again), noting which version of the database it shows."""
        self.loaded_version = self.app.data_version  # type: ignore[attr-defined]
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded_version != self.app.data_version:  # type: ignore[attr-defined]
            self.reload()

    @work(thread=True, exclusive=True, group="accounts.load")
    def load(self) -> None:
        conn = connect(self.retention.db_path)
        try:
            frame = accounts_overview(conn, self.retention.as_of)
        finally:
            conn.close()
        self.app.call_from_thread(self.show, frame)

    def show(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.refresh_table()

    def visible(self) -> pl.DataFrame:
        assert self.frame is not None
        _label, column, descending = SORTS[self.sort_index]
        frame = filter_accounts(self.frame, self.query_one(Input).value)
        return frame.sort(column, descending=descending, nulls_last=True)

    def refresh_table(self) -> None:
        if self.frame is None:
            return
        rows = self.visible()
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            (
                r["name"],
                r["status"],
                "—" if r["score"] is None else f"{r['score']:.0f}",
                TIER_LABELS.get(r["tier"] or "", "—"),
                "—" if r["coverage"] is None else f"{r['coverage']:.0%}",
                SEGMENT_LABELS.get(r["segment"] or "", "—"),
                r["plan"] or "—",
                r["owner"] or "—",
                money(r["mrr_minor"], r["mrr_currency"]),
                r["contacts"],
                r["active_users"],
                r["open_tickets"],
                r["renewal_date"] or "—",
            )
            for r in rows.iter_rows(named=True)
        )
        self.query_one("#accounts-summary", Static).update(self.summary(rows))

    def summary(self, rows: pl.DataFrame) -> str:
        total = len(self.frame) if self.frame is not None else 0
        paying = rows.filter(pl.col("status") == "paying")
        mrr = money(int(paying["mrr_minor"].sum()), "USD")
        shown = (
            f"{rows.height} of {total} accounts" if rows.height != total else f"{total} accounts"
        )
        label = SORTS[self.sort_index][0]
        return (
            f"{shown} · {paying.height} paying · MRR {mrr} · "
            f"{int(rows['open_tickets'].sum())} open tickets · sorted by {label}"
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
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refresh_table()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    @on(Input.Changed, "#accounts-filter")
    def filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#accounts-filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()
