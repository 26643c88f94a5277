"""The command palette (ctrl+p): go to a screen, a queue, an owner's book or an account,
and the ten questions users ask (DOMAIN.md §12)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import closing
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from db import connect

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Snapshot

# Account questions: (label, builder of the Markdown document)
ACCOUNT_QUESTIONS = ("score", "onboarding checklist", "QBR prep", "monthly report", "save plan")


def highlighted(matcher: Matcher, label: str) -> Content:
    """The label with the letters the query matched highlighted, as Matcher.highlight does,
    but as plain text: it reads the label as markup, and account names are the user's (one
    with "[/]" stopped the app as it was typed)."""
    content = Content(label)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _month_before(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def account_document(question: str, account_id: str, as_of: date) -> Callable[[Snapshot], str]:
    """The document, with the stale-usage note under its title when the usage export ends
    too long before ``as_of`` (as `retention account NAME qbr` prints it)."""
    from retention_tui.reports import account_documents as d

    def document(s: Snapshot) -> str:
        t, cfg, run = s.tables, s.cfg, s.run
        if question == "onboarding checklist":
            return d.onboarding_checklist(t, account_id, as_of, cfg).markdown()
        if question == "monthly report":
            return d.monthly_report(t, account_id, _month_before(as_of), cfg, run).markdown()
        if account_id not in set(run.scores["account_id"].to_list()):
            return f"# Not a customer on {as_of}\n\nThere is nothing to score or save."
        if question == "QBR prep":
            return d.qbr_prep(t, account_id, as_of, cfg, run).markdown()
        return d.save_plan(t, account_id, as_of, cfg, run).markdown()

    def build(s: Snapshot) -> str:
        text = document(s)
        if not s.usage_note:
            return text
        title, _, rest = text.partition("\n")
        return f"{title}\n\n> Note: {s.usage_note}\n{rest}"

    return build


def nrr_document(as_of: date) -> Callable[[Snapshot], str]:
    """Last month's NRR, GRR and logo retention with the movements of the last 6 months."""
    from retention_tui.formatting import money
    from retention_tui.output import render
    from retention_tui.reports.revenue import (
        MOVEMENT_COLUMNS,
        nrr_report,
        rates_text,
        year_lines,
    )

    def build(s: Snapshot) -> str:
        data = nrr_report(s.tables, as_of, 6, "segment", s.cfg)
        m = data["last_month"]
        money_cols = MOVEMENT_COLUMNS[1:8]
        cur = data["currency"]
        moves = [{**r, **{c: money(r[c], cur) for c in money_cols}} for r in data["movements"]]
        lines = [
            f"# Net revenue retention — {m['month'][:7]}",
            "",
            f"- {rates_text(m)}",
        ]
        if m["stage"]:
            lines.append(f"- Stage: {m['stage']}. {m['advice']}.")
        lines += [f"- {line}" for line in year_lines(data["year"])]
        if data["note"]:
            lines.append(f"- Note: {data['note']}")
        lines += [
            "",
            "## Movements",
            render(moves, "markdown", columns=MOVEMENT_COLUMNS),
            "",
            "## By segment",
            render(data["breakdown"], "markdown"),
        ]
        return "\n".join(lines) + "\n"

    return build


def capacity_document(as_of: date) -> Callable[[Snapshot], str]:
    """Each owner's customers by ACV band and their load in CSMs (retention report
    capacity)."""
    from retention_tui.output import render
    from retention_tui.reports.capacity import capacity_rows, ratios

    def build(s: Snapshot) -> str:
        rows = capacity_rows(s.tables, as_of, s.cfg)
        return (
            f"# CSM capacity — {as_of.isoformat()}\n\n"
            f"Load in CSMs: {ratios()} (seed A); bands by ACV.\n\n"
            + render(rows, "markdown")
            + "\n"
        )

    return build


class RetentionCommands(Provider):
    async def startup(self) -> None:
        app: RetentionApp = self.app  # type: ignore[assignment]

        def read() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            from db.queries import owned_records
            from retention_tui.owner_scope import choices

            with closing(connect(app.db_path)) as conn:
                names = conn.execute("SELECT account_id, name FROM accounts ORDER BY name")
                return names.fetchall(), choices(owned_records(conn), app.owner)

        self.accounts, owners = await asyncio.to_thread(read)
        # everyone, then each owner: none when no account or deal has one
        self.owners = owners if len(owners) > 1 else []

    def _commands(self) -> list[tuple[str, Callable[[], None], str]]:
        app: RetentionApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, Callable[[], None], str]] = []
        for q in app.queues:
            keyed = f"key {q.key}" if q.key else "queue"
            out.append((f"queue: {q.title}", partial(app.open_queue, q.name), keyed))
        out += [
            ("screen: Dashboard", partial(app.switch_mode, "dashboard"), "key d"),
            ("screen: Accounts", partial(app.switch_mode, "accounts"), "key a"),
            ("screen: Import log", partial(app.switch_mode, "imports"), "key l"),
            ("screen: Unmatched rows", partial(app.switch_mode, "unmatched"), "key u"),
            ("screen: Backtest", partial(app.switch_mode, "backtest"), "key b"),
            ("churn risk report", partial(app.open_list, "risk"), "the At risk queue"),
            ("expansion opportunities", partial(app.open_list, "expansion"), "queue"),
            ("reactivation list", partial(app.open_list, "reactivation"), "queue"),
            ("payment failures", partial(app.open_list, "payments"), "queue"),
            (
                "NRR this month",
                partial(app.open_document, nrr_document(app.as_of)),
                "last month's retention report",
            ),
            (
                "CSM capacity",
                partial(app.open_document, capacity_document(app.as_of)),
                "each owner's load against accounts per CSM",
            ),
        ]
        for owner, label in self.owners:
            out.append(
                (
                    f"owner: {label}",
                    partial(app.show_owner, owner or None),
                    "show their accounts and deals alone" if owner else "show every account",
                )
            )
        for account_id, name in self.accounts:
            out.append(
                (f"account: {name}", partial(app.open_account, account_id), "open the account")
            )
            for question in ACCOUNT_QUESTIONS[1:]:
                out.append(
                    (
                        f"{question} for {name}",
                        partial(
                            app.open_document, account_document(question, account_id, app.as_of)
                        ),
                        "one-page document",
                    )
                )
        return out

    async def discover(self) -> Hits:
        app: RetentionApp = self.app  # type: ignore[assignment]
        for label, callback, help_text in self._commands()[: len(app.queues) + 8]:
            yield DiscoveryHit(Content(label), callback, text=label, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback, help_text in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, highlighted(matcher, label), callback, text=label, help=help_text)
