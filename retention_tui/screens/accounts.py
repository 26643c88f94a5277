"""The accounts list: every account with status, health, MRR, people, usage and tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import polars as pl

from retention_tui.config import load as load_config
from retention_tui.engine.features import Tables
from retention_tui.formatting import money, plural, segment_label, tier_label
from retention_tui.overview import (
    PAST_DUE,
    READS,
    accounts_overview,
    live_scores,
    with_scores,
)
from retention_tui.owner_scope import narrow
from retention_tui.screens.listing import ListScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


class AccountsScreen(ListScreen):
    NAME = "accounts"
    PLACEHOLDER = "Filter by name, domain or owner"
    SEARCH = ("name", "domain", "owner")
    SORTS: ClassVar = (
        ("name", "name", False),
        ("health (worst first)", "score", False),
        ("MRR", "mrr_base", True),  # comparable across currencies
        ("renewal", "renewal_date", False),
        ("open tickets", "open_tickets", True),
        ("active users", "active_users", True),
    )
    COLUMNS: ClassVar = (
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

    def fetch(self) -> pl.DataFrame:
        """The rows with this date's scores, as the dashboard and the queues show them.
        When the book is not scored yet (100k accounts: ~2 s more), the rows are shown
        first with each account's latest stored score, as soon as the tables they read
        are loaded, then again with this date's (the same rows: the cursor stays)."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        cfg, version = load_config(app.db_path), app.data_version
        snapshot = app.workspace.scored(version)
        if snapshot is not None:  # coming from the dashboard: loaded and scored there
            self.usage_note = snapshot.usage_note
            scores = live_scores(snapshot.run)
            rows = self.read(
                lambda conn: accounts_overview(conn, app.as_of, cfg, snapshot.tables, scores)
            )
            return narrow(rows, app.owner)
        first: list[pl.DataFrame] = []

        def show_first(tables: Tables) -> None:
            rows = self.read(lambda conn: accounts_overview(conn, app.as_of, cfg, tables))
            first.append(narrow(rows, app.owner))
            self.post(self.show, first[0])

        # the list's tables first, then the rest of the book, in one read (one load)
        app.workspace.book(version, early=(READS, show_first))
        scored = app.workspace.get(version)
        self.usage_note = scored.usage_note
        return with_scores(first[0], live_scores(scored.run))

    def cells(self, r: dict) -> tuple[object, ...]:
        return (
            r["name"],
            r["status"],
            "—" if r["score"] is None else f"{r['score']:.0f}",
            tier_label(r["tier"]) if r["tier"] else "—",
            "—" if r["coverage"] is None else f"{r['coverage']:.0%}",
            segment_label(r["segment"]),
            r["plan"] or "—",
            r["owner"] or "—",
            money(r["mrr_minor"], r["mrr_currency"]),
            r["contacts"],
            r["active_users"],
            r["open_tickets"],
            r["renewal_date"] or "—",
        )

    def summary(self, shown: pl.DataFrame, total: int) -> str:
        # MRR: what the past-due accounts still add too (docs/metrics.md)
        paying = shown.filter(pl.col("status").is_in(["paying", PAST_DUE]))
        late = paying.filter(pl.col("status") == PAST_DUE).height
        base = shown["base_currency"].first() if shown.height else None
        mrr = money(int(paying["mrr_base"].sum() or 0), base or "USD")
        what = (
            f"{shown.height} of {plural(total, 'account')}"
            if shown.height != total
            else plural(total, "account")
        )
        return (
            f"{what} · {paying.height - late} paying{f' · {late} past due' if late else ''} · "
            f"MRR {mrr} · "
            f"{int(shown['open_tickets'].sum())} open tickets · "
            f"sorted by {self.SORTS[self.sort_index][0]}"
        )
