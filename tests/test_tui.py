"""The dashboard, driven with Textual's Pilot and compared with snapshots."""

from __future__ import annotations

import asyncio
import functools
import shlex
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, Input, Label, Sparkline, Static

from db import connect
from retention_tui.app import RetentionApp
from retention_tui.screens.accounts import AccountsScreen
from retention_tui.screens.backtest import BacktestScreen
from retention_tui.screens.import_log import ImportLogScreen
from retention_tui.screens.listing import PAGE_ROWS
from tests.conftest import SAMPLE_AS_OF
from tests.pilot import open_first_account, open_queue, press, settle

AS_OF = date.fromisoformat(SAMPLE_AS_OF)


def async_test(fn):
    """Run an async test in its own event loop (no pytest plugin needed)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


SIZE = (130, 36)


async def to_accounts(pilot) -> None:
    """The app opens on the dashboard; `a` shows the accounts list."""
    await press(pilot, "a")


def summary(app: RetentionApp) -> str:
    return str(app.screen.query_one("#accounts-summary", Static).render())


@async_test
async def test_app_opens_on_the_sample_database(scored_db: Path) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from retention_tui.screens.dashboard import DashboardScreen

        assert isinstance(app.screen, DashboardScreen)  # the morning view first
        await to_accounts(pilot)
        assert isinstance(app.screen, AccountsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == PAGE_ROWS < 320  # the first page of the 320
        assert summary(app).startswith("320 accounts · ")
        assert summary(app).endswith(f"rows 1-{PAGE_ROWS} of 320")
        assert app.focused is table


@async_test
async def test_filter_sort_and_clear(scored_db: Path) -> None:
    conn = sqlite3.connect(scored_db)
    expected = conn.execute(
        "SELECT COUNT(*) FROM accounts WHERE lower(name) LIKE '%north%' "
        "OR lower(domain) LIKE '%north%' OR lower(owner) LIKE '%north%'"
    ).fetchone()[0]
    conn.close()
    assert 0 < expected < 320
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("slash", *"north")
        await settle(pilot)  # sorted and filtered in a worker
        assert app.screen.query_one(Input).value == "north"
        assert table.row_count == expected
        assert summary(app).startswith(f"{expected} of 320 accounts")
        await pilot.press("enter", "s")  # back to the table, then sort by health
        await settle(pilot)
        assert "sorted by health (worst first)" in summary(app)
        scores = [str(table.get_row_at(i)[2]) for i in range(expected)]
        known = [int(x) for x in scores if x != "—"]
        assert known == sorted(known) and scores[: len(known)] == [str(k) for k in known]
        await pilot.press("s")  # then by MRR
        await settle(pilot)
        assert "sorted by MRR" in summary(app)
        mrr = [
            int(str(table.get_row_at(i)[8]).strip("$").replace(",", "")) for i in range(expected)
        ]
        assert mrr == sorted(mrr, reverse=True)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.rows.height == 320 and table.row_count == PAGE_ROWS
        assert app.screen.query_one(Input).display is False


def spied(monkeypatch, owner: object, name: str, note: Callable[..., object]) -> list[object]:
    """What ``note`` makes of each call to ``owner.name`` (which still does its work)."""
    calls: list[object] = []
    real = getattr(owner, name)

    def spy(*args, **kwargs):
        calls.append(note(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


class OnAccounts(RetentionApp):
    """The app opened on the accounts list, before the dashboard has loaded anything."""

    DEFAULT_MODE = "accounts"


def test_the_accounts_list_shows_this_dates_scores(sample_db: Path, monkeypatch) -> None:
    """The list shows the scores the dashboard, the queues and an account's screen show
    for the date (it showed '—' on every account until a scoring run was stored). While
    the book is being scored its rows come first with the stored scores (none here), then
    again with the date's, the cursor left where it was."""
    import threading

    import retention_tui.workspace as workspace
    from retention_tui.screens.accounts import AccountsScreen

    scoring = threading.Event()
    real = workspace.compute

    def held(*args, **kw):
        assert scoring.wait(30), "the scoring was never let through"
        return real(*args, **kw)

    monkeypatch.setattr(workspace, "compute", held)

    async def scenario() -> None:
        app = OnAccounts(sample_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, AccountsScreen)
            table = screen.query_one(DataTable)
            try:
                for _ in range(600):
                    if table.row_count:
                        break
                    await asyncio.sleep(0.05)
                await pilot.pause()
                assert {str(table.get_row_at(i)[2]) for i in range(table.row_count)} == {"—"}
                await pilot.press("j", "j", "j")
                assert table.cursor_row == 3
            finally:
                scoring.set()
            await settle(pilot)
            assert table.cursor_row == 3  # the same place, the scores filled in
            run = app.workspace.scored(app.data_version).run
            totals = dict(zip(run.scores["account_id"], run.scores["total"], strict=True))
            shown = screen.rows.head(PAGE_ROWS)
            for i, account_id in enumerate(shown["account_id"]):
                total = totals.get(account_id)
                status = shown["status"][i]
                want = "—" if total is None or status in ("churned", "prospect") else f"{total:.0f}"
                assert str(table.get_row_at(i)[2]) == want, account_id
            assert any(str(table.get_row_at(i)[2]) != "—" for i in range(table.row_count))

    asyncio.run(scenario())


def test_the_accounts_list_opened_first_reads_each_table_once(sample_db: Path, monkeypatch) -> None:
    """Opened before the dashboard has loaded the book, the list shows its rows from the
    tables it reads, then scores the book: read once, those tables first (it read them,
    then every table again for the scoring: 100k accounts, 0.4 s more)."""
    import db.frames as frames
    from db.frames import TABLES
    from retention_tui.overview import READS

    reads = spied(monkeypatch, frames, "_load", lambda conn, table, may_write: table)

    async def scenario() -> None:
        app = OnAccounts(sample_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.workspace.scored(app.data_version) is not None
            assert app.screen.query_one(DataTable).row_count == PAGE_ROWS

    asyncio.run(scenario())
    assert sorted(reads) == sorted(TABLES)
    assert set(reads[: len(READS)]) == set(READS)


@async_test
async def test_a_list_reloaded_with_the_same_rows_keeps_its_place(scored_db: Path) -> None:
    """The same rows back (another process committed, scores filled in): the page and the
    cursor's row stay; other rows (another owner's accounts): the first row again."""
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        await pilot.press(*["j"] * (PAGE_ROWS + 3))  # the second page, its fourth row
        await settle(pilot)
        assert (screen.page_start, table.cursor_row) == (PAGE_ROWS, 3)
        screen.reload()
        await settle(pilot)
        assert (screen.page_start, table.cursor_row) == (PAGE_ROWS, 3)
        app.show_owner("Dana Lee")
        await settle(pilot)
        assert (screen.page_start, table.cursor_row) == (0, 0)
        assert set(screen.rows["owner"]) == {"Dana Lee"}


@async_test
async def test_a_lists_rows_are_summed_up_and_laid_out_off_the_ui_thread(
    scored_db: Path, monkeypatch
) -> None:
    """Sorting or filtering the list: the rows' summary and the page's cells are made in
    the worker that arranges them (at 100k rows the summary alone is ~5 ms of Polars); the
    UI thread only puts the page in. A page turned by the cursor keeps the summary made."""
    import threading

    on_ui = lambda *_: threading.current_thread() is threading.main_thread()  # noqa: E731
    summaries = spied(monkeypatch, AccountsScreen, "summary", on_ui)
    cells = spied(monkeypatch, AccountsScreen, "cells", on_ui)
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        await pilot.press("s", "slash", *"no")
        await settle(pilot)
        assert "sorted by health (worst first)" in summary(app)
        assert summaries and cells and not any(summaries) and not any(cells)
        await pilot.press("escape", "s")
        await settle(pilot)
        made = len(summaries)
        await pilot.press(*["j"] * PAGE_ROWS)  # onto the second page
        await settle(pilot)
        assert summary(app).endswith(f"rows {PAGE_ROWS + 1}-{2 * PAGE_ROWS} of 320")
        assert "sorted by MRR" in summary(app) and len(summaries) == made


@async_test
async def test_cursor_keys_move_through_the_list(scored_db: Path) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("j", "j", "down", "k")
        assert table.cursor_row == 2


@async_test
async def test_import_log_screen_lists_the_sample_files(scored_db: Path) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l")
        assert isinstance(app.screen, ImportLogScreen)
        table = app.screen.query_one(DataTable)
        files = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert "usage_events.csv" in files and len(files) == 12
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AccountsScreen)


@async_test
async def test_app_opens_on_an_empty_database(db_path: Path) -> None:
    connect(db_path).close()
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        assert app.screen.query_one(DataTable).row_count == 0
        assert summary(app).startswith("0 accounts")
        await pilot.press("l")
        await settle(pilot)
        assert "Nothing imported yet" in str(
            app.screen.query_one("#imports-summary", Static).render()
        )


@async_test
async def test_the_accounts_list_shows_accounts_past_due(past_due_book: Path) -> None:
    """Past due ones apart from those paying, their MRR counted as the dashboard counts it:
    none after 30 days past due."""
    app = RetentionApp(past_due_book, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        assert summary(app).startswith("3 accounts · 1 paying · 2 past due · MRR $300 · ")
        table = app.screen.query_one(DataTable)
        shown = {table.get_row_at(i)[0].plain: table.get_row_at(i)[1].plain for i in range(3)}
        assert shown == {"Lapsed Co": "past due", "Late Co": "past due", "Paying Co": "paying"}


def _fix_log_times(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE import_log SET imported_at = '2026-11-20T08:00:00Z', duration_ms = 100")
    conn.commit()
    conn.close()


def snapshot_after(snap_compare, db: Path, *keys: str) -> bool:
    """The app on ``db`` after pressing ``keys`` (each followed by the app settling)."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return snap_compare(RetentionApp(db, as_of=AS_OF), terminal_size=SIZE, run_before=run_before)


def test_accounts_screen_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "a")


def test_accounts_screen_sorted_by_health_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "a", "s")


def test_import_log_snapshot(snap_compare, scored_db: Path) -> None:
    _fix_log_times(scored_db)
    assert snapshot_after(snap_compare, scored_db, "l")


def test_help_overlay_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "question_mark")


@async_test
async def test_backtest_screen_shows_the_lift_by_tier(scored_db: Path) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "b")
        assert isinstance(app.screen, BacktestScreen)
        table = app.screen.query_one(DataTable)
        tiers = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert tiers[:3] == ["healthy", "monitor", "at risk"]
        text = str(app.screen.query_one("#backtest-summary", Static).render())
        assert text.startswith(
            "Backtest of 2025-08-01 to 2026-08-01, horizon 90 days, preset B · ROC AUC 0."
        )


@async_test
async def test_backtest_screen_before_any_backtest(sample_db: Path) -> None:
    app = RetentionApp(sample_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "b")
        text = str(app.screen.query_one("#backtest-summary", Static).render())
        assert text.startswith("No backtest yet: run 'retention backtest'")


def test_backtest_screen_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "b")


@async_test
async def test_every_queue_opens_with_its_rows(scored_db: Path) -> None:
    from retention_tui.screens.queue import QueueScreen

    app = RetentionApp(scored_db, as_of=AS_OF)
    assert [q.key for q in app.queues] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for q in app.queues:
            await pilot.press(q.key)
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen) and app.screen.view.name == q.name
            table = app.screen.query_one(DataTable)
            total = app.screen.rows.height
            assert table.row_count == min(total, PAGE_ROWS) > 0, q.name
            assert len(table.columns) == len(q.columns)
            text = str(app.screen.query_one(f"#queue-{q.name}-summary", Static).render())
            assert text.startswith(f"{q.title}: {total}")


def footer_keys(app: RetentionApp) -> list[str]:
    from retention_tui.screens.footer import KeysFooter

    footer = app.screen.query_one(KeysFooter)
    return [key.key for key in footer.children if not key.has_class("-command-palette")]


@async_test
async def test_each_footer_shows_its_screens_keys_and_the_app_keys_it_names(
    scored_db: Path,
) -> None:
    """The app's ten keys after a queue's own ran off the footer ('u Unm') and hid o
    (owner); each screen now shows its own keys and the app keys it names, and every app
    key still works there."""
    from retention_tui.screens.queue import QueueScreen

    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert footer_keys(app) == ["q", "question_mark", "a", "i", "r", "o", "l", "b", "u"]
        await open_queue(pilot, "1")
        assert footer_keys(app) == ["slash", "s", "e", "z", "q", "question_mark", "d", "o"]
        footer = app.screen.query_one("KeysFooter")
        assert footer.virtual_size.width <= SIZE[0]  # nothing runs off it
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ImportLogScreen)  # not in the queue's footer, still works
        assert footer_keys(app) == ["U", "q", "question_mark", "d", "i"]
        await pilot.press("1", "enter")
        await settle(pilot)
        assert footer_keys(app) == ["escape", "p", "x", "n", "t", "q", "question_mark", "d"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


@async_test
async def test_what_an_upgrade_asked_is_shown_when_the_app_opens(scored_db: Path) -> None:
    told = "Unpaid Stripe or Chargebee invoices imported before this version (3): import ..."
    app = RetentionApp(scored_db, as_of=AS_OF, told=[told])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = [(n.title, n.message) for n in app._notifications]
        assert shown == [("Database upgraded", told)]


@async_test
async def test_risk_queue_drills_into_an_account_and_back(scored_db: Path) -> None:
    from retention_tui.screens.account import AccountScreen

    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_queue(pilot, "1")
        first = str(table.get_row_at(0)[1])
        tiers = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert "at risk" in tiers and "at_risk" not in tiers  # the tier as people write it
        queue = app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        header = str(app.screen.query_one("#account-header", Static).render())
        assert header.startswith(f"{first} · ")
        segment = header.split(" · ")[1]  # as the accounts list says it, not 'mid_market'
        assert segment in ("SMB", "Mid-market", "Enterprise", "no segment"), header
        breakdown = app.screen.query_one("#account-breakdown", DataTable)
        assert breakdown.row_count == 14  # preset B's signals
        assert app.screen.query_one("#account-timeline", DataTable).row_count > 0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is queue


@async_test
async def test_payments_queue_lists_failures_and_cards_about_to_expire(scored_db: Path) -> None:
    from retention_tui.screens.account import AccountScreen

    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_queue(pilot, "6")
        stages = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert any(s.startswith("attempt ") or s.startswith("day ") for s in stages), stages
        card = next(i for i, s in enumerate(stages) if s.startswith("card expires"))
        name = str(table.get_row_at(card)[0])
        table.move_cursor(row=card)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        header = str(app.screen.query_one("#account-header", Static).render())
        assert header.startswith(f"{name} · ")


def test_risk_queue_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "1")


def test_the_account_trends_say_where_they_started_and_ended() -> None:
    from retention_tui.screens.account import _span

    assert _span([61.0, 55.0, 63.0, 58.0], "{:.0f}".format) == "61 → 58 (low 55, high 63)"
    assert _span([58.0, 58.0], "{:.0f}".format) == "58 → 58"  # flat: a full bar otherwise
    assert _span([40.0, 52.0], "{:.0f}".format) == "40 → 52"
    assert _span([48.0, 57.0, 53.0], "{:.0f}".format) == "48 → 53 (high 57)"
    assert _span([53.0], "{:.0f}".format) == "53"


def test_the_account_header_names_the_card_on_file(scored_db: Path) -> None:
    import polars as pl

    from db.results import score_history
    from retention_tui.screens.account import account_detail
    from retention_tui.workspace import Workspace

    s = Workspace(scored_db, AS_OF).get(1)
    charges = s.tables["payment_attempts"].filter(pl.col("card_expires_on").is_not_null())
    latest = charges.sort("attempted_at").group_by("account_id").agg(pl.all().last())
    expired = latest.filter(pl.col("card_expires_on") < AS_OF).row(0, named=True)
    valid = latest.filter(pl.col("card_expires_on") >= AS_OF).row(0, named=True)
    no_card = s.tables["accounts"].join(charges, on="account_id", how="anti")["account_id"][0]
    conn = connect(scored_db)
    header = {
        aid: account_detail(s, aid, AS_OF, score_history(conn, aid))["header"]
        for aid in (expired["account_id"], valid["account_id"], no_card)
    }
    conn.close()
    assert header[expired["account_id"]].endswith(f" · card expired {expired['card_expires_on']}")
    assert header[valid["account_id"]].endswith(f" · card expires {valid['card_expires_on']}")
    assert " card " not in header[no_card]


def test_a_prospects_account_screen_says_why_it_is_not_scored(db_path: Path) -> None:
    from db.results import score_history
    from importers.run import import_files
    from retention_tui.screens.account import account_detail
    from retention_tui.workspace import Workspace
    from tests.conftest import FIXTURES

    conn = connect(db_path)
    import_files(
        conn, [FIXTURES / "tools/hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv"]
    )
    when = date(2024, 11, 25)
    s = Workspace(db_path, when).get(1)
    said = {
        aid: account_detail(s, aid, when, score_history(conn, aid))["score"]
        for aid in ("hubspot:18446004", "hubspot:18446003")  # Opportunity, Customer
    }
    conn.close()
    assert said["hubspot:18446004"] == (  # and no lifecycle stage: not a customer's day 26
        "Not scored: a prospect (its CRM says it is not a customer yet; no subscription bills it)"
    )
    assert said["hubspot:18446003"].startswith("No score: no data for any signal yet")


@async_test
async def test_the_account_screen_labels_its_trends(scored_db: Path) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_account(pilot)
        trend = str(screen.query_one("#account-trend-label", Static).render())
        mrr = str(screen.query_one("#account-mrr-label", Static).render())
    conn = sqlite3.connect(scored_db)
    (stored,) = conn.execute(
        "SELECT COUNT(*) FROM score_snapshots WHERE account_id = ? AND as_of <= ?",
        (screen.account_id, AS_OF.isoformat()),
    ).fetchone()
    conn.close()
    assert stored > 1 and trend.startswith(f"Score trend, {stored} snapshots: ")
    assert mrr.startswith("MRR, last 12 months: $") and " → $" in mrr


def test_account_screen_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "a", "enter")  # the first account


def test_the_account_score_line_tells_no_data_from_not_a_customer(chargebee_db: Path) -> None:
    from db.results import score_history
    from retention_tui.screens.account import account_detail
    from retention_tui.workspace import Workspace

    day = date(2024, 11, 30)  # the day before Acme's December invoice failed to collect
    s = Workspace(chargebee_db, day).get(1)
    conn = connect(chargebee_db)
    lines = {
        aid: str(account_detail(s, aid, day, score_history(conn, aid))["score"]).splitlines()[0]
        for aid in ("chargebee:AzZlGkTQ1", "chargebee:AzZlGkTQ4")
    }
    conn.close()
    assert lines["chargebee:AzZlGkTQ1"].startswith("Health 80 (healthy) · data coverage 13%")
    assert lines["chargebee:AzZlGkTQ4"].startswith("No score: no data for any signal yet")
    # before Acme's first subscription it is no customer: not scored on that day
    early = date(2024, 5, 1)
    s = Workspace(chargebee_db, early).get(1)
    conn = connect(chargebee_db)
    before = account_detail(s, "chargebee:AzZlGkTQ1", early, score_history(conn, "x"))
    conn.close()
    assert str(before["score"]).startswith("Not scored on this date (not a customer on it")


@async_test
async def test_dashboard_shows_figures_health_queues_and_due_risks(scored_db: Path) -> None:
    from retention_tui.screens.dashboard import DashboardScreen

    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "d")
        assert isinstance(app.screen, DashboardScreen)
        headline = str(app.screen.query_one("#dashboard-headline", Static).render())
        assert headline.startswith("MRR $") and "NRR " in headline and "GRR " in headline
        tiers = app.screen.query_one("#dashboard-tiers", DataTable)
        assert [str(tiers.get_row_at(i)[0]) for i in range(4)] == [
            "healthy",
            "monitor",
            "at risk",  # as people write it, as the accounts list and queues say it
            "critical",
        ]
        assert sum(int(tiers.get_row_at(i)[1]) for i in range(4)) == 250
        queues = app.screen.query_one("#dashboard-queues", DataTable)
        assert queues.row_count == 8


def test_the_dashboard_headline_without_subscriptions_or_a_month_before(
    db_path: Path, runner
) -> None:
    """A book of CRM and help-desk exports only says where MRR comes from, instead of
    'MRR $0 (+0.0% on the month before)'; a first paying month has nothing before it to
    compare with."""
    from retention_tui.cli import cli
    from retention_tui.screens.dashboard import NO_BILLING, revenue_figures
    from retention_tui.workspace import Workspace
    from tests.conftest import FIXTURES

    tools = FIXTURES / "tools"
    crm = [str(p) for p in (tools / "hubspot").glob("*.csv")]
    assert runner.invoke(cli, ["import", "-q", "--db", str(db_path), *crm]).exit_code == 0
    book = Workspace(db_path, date(2024, 11, 20)).book(1)
    assert revenue_figures(book, date(2024, 11, 20))["headline"] == NO_BILLING
    billing = [str(tools / "chargebee" / n) for n in ("Customers.csv", "Subscriptions.csv")]
    assert runner.invoke(cli, ["import", "-q", "--db", str(db_path), *billing]).exit_code == 0
    book = Workspace(db_path, date(2024, 6, 20)).book(1)
    headline = revenue_figures(book, date(2024, 6, 20))["headline"]
    assert headline.startswith("MRR $100 (none the month before) · 2024-05: NRR n/a")


def test_a_loading_dashboard_says_which_step_it_is_on(scored_db: Path, monkeypatch) -> None:
    from retention_tui.workspace import Workspace

    said: list[str] = []
    assert Workspace(scored_db, AS_OF).get(1, said.append) is not None
    assert said == ["Loading the book…", "Loading… scoring 320 accounts"]
    # the dashboard's headline shows the revenue figures at once; while the book is
    # loaded and scored, the risks' line says which step it is on, then shows the risks due
    shown: dict[str, list[str]] = {"dashboard-headline": [], "dashboard-due": []}
    real = Static.update

    def update(self, content="", **kw):
        if self.id in shown:
            shown[self.id].append(str(content))
        return real(self, content, **kw)

    monkeypatch.setattr(Static, "update", update)

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)

    asyncio.run(scenario())
    headline, due = shown["dashboard-headline"], shown["dashboard-due"]
    assert headline and all(h.startswith("MRR $") for h in headline)  # no loading steps
    assert due[:2] == ["Loading the book…", "Loading… scoring 320 accounts"]
    assert due[-1].startswith("Risks due today: ")


def test_the_dashboard_shows_its_figures_before_the_queues_are_counted(scored_db: Path) -> None:
    """The seven queues take ~1.2 s at 100k accounts: the figures, tiers and risks do not
    wait for them; each queue's count shows '…' until it is counted."""
    import dataclasses
    import threading

    from retention_tui.screens.dashboard import COUNTING

    counting = threading.Event()

    def held(build):
        def wait_then_build(s, as_of):
            assert counting.wait(30), "the queues were never let through"
            return build(s, as_of)

        return wait_then_build

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        app.queues = tuple(dataclasses.replace(q, build=held(q.build)) for q in app.queues)
        async with app.run_test(size=SIZE) as pilot:
            headline = app.screen.query_one("#dashboard-headline", Static)
            queues = app.screen.query_one("#dashboard-queues", DataTable)
            tiers = app.screen.query_one("#dashboard-tiers", DataTable)
            for _ in range(600):
                if tiers.row_count == 4:
                    break
                await asyncio.sleep(0.05)
            try:
                assert str(headline.render()).startswith("MRR $")
                assert tiers.row_count == 4
                assert queues.row_count == 8
                assert [str(queues.get_row_at(i)[1]) for i in range(7)] == [COUNTING] * 7
                assert str(queues.get_row_at(0)[0]) == "1  At risk"
            finally:
                counting.set()
            await settle(pilot)
            counts = [queues.get_row_at(i)[1] for i in range(7)]
            assert all(isinstance(n, int) for n in counts) and sum(counts) > 0

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("step", "said"),
    [("load_all", "Loading the book…"), ("compute", "Loading… scoring 320 accounts")],
)
def test_the_dashboard_shows_its_revenue_figures_before_the_book_is_ready(
    scored_db: Path, monkeypatch, step: str, said: str
) -> None:
    """MRR, NRR, GRR and the trend read the accounts and subscription periods alone: at
    100k accounts they show ~1 s before every table (10M usage events) is loaded, and ~2 s
    before the scoring run the tiers and risks need. The risks' line says which step the
    book is on."""
    import threading

    import retention_tui.workspace as workspace
    from db.frames import TABLES

    release = threading.Event()
    real = getattr(workspace, step)

    def held(*args, **kw):
        tables = args[1] if len(args) > 1 else kw.get("tables", tuple(TABLES))
        if step == "compute" or tuple(tables) != workspace.BILLING_TABLES:
            assert release.wait(30), f"{step} was never let through"
        return real(*args, **kw)

    monkeypatch.setattr(workspace, step, held)

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            headline = app.screen.query_one("#dashboard-headline", Static)
            due = app.screen.query_one("#dashboard-due", Static)
            for _ in range(600):
                if str(due.render()) == said and str(headline.render()).startswith("MRR $"):
                    break
                await asyncio.sleep(0.05)
            try:
                await pilot.pause()
                assert str(headline.render()).startswith("MRR $")
                assert app.screen.query_one("#dashboard-mrr", Sparkline).data
                assert str(due.render()) == said
                assert app.screen.query_one("#dashboard-tiers", DataTable).row_count == 0
            finally:
                release.set()
            await settle(pilot)
            assert str(due.render()).startswith("Risks due today: ")
            assert app.screen.query_one("#dashboard-tiers", DataTable).row_count == 4

    asyncio.run(scenario())


def test_a_dashboard_whose_database_a_newer_version_upgraded_says_so(scored_db: Path) -> None:
    """Another process upgraded the database to a newer version while the dashboard was
    open: its next load says why it cannot read it, and the app keeps running (neither of
    the dashboard's two workers takes it down)."""

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            conn = sqlite3.connect(scored_db)
            with conn:
                conn.execute("INSERT INTO schema_version VALUES (99, '0099_x.sql', '2030-01-01')")
            conn.close()
            app.data_version += 1  # as when the watch sees another process commit
            app.screen.reload()
            await settle(pilot)
            assert app.is_running
            assert any("newer version of retention" in n.message for n in app._notifications)

    asyncio.run(scenario())


def test_each_screen_loads_once_when_opened(scored_db: Path, monkeypatch) -> None:
    from retention_tui.screens.accounts import AccountsScreen
    from retention_tui.screens.dashboard import DashboardScreen

    calls: list[str] = []
    for screen in (DashboardScreen, AccountsScreen):
        real = screen.fetch

        def counted(self, real=real):
            calls.append(type(self).__name__)
            return real(self)

        monkeypatch.setattr(screen, "fetch", counted)

    import retention_tui.workspace as workspace
    from db.frames import TABLES

    loads = spied(
        monkeypatch, workspace, "load_all", lambda conn, tables=tuple(TABLES), **_: tuple(tables)
    )

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await to_accounts(pilot)
            await pilot.press("d")  # back: nothing changed, nothing to load again
            await settle(pilot)
            await pilot.press("1")  # a queue: the book loaded for the dashboard serves it
            await settle(pilot)

    asyncio.run(scenario())
    # a new screen is both mounted and resumed: each asked for its data once
    assert calls == ["DashboardScreen", "AccountsScreen"]
    # the dashboard's revenue figures read the billing tables, beside the whole book
    assert sorted(loads) == sorted([workspace.BILLING_TABLES, tuple(TABLES)])


def test_sorting_and_filtering_run_off_the_main_thread(scored_db: Path, monkeypatch) -> None:
    """A key that filters or sorts the list leaves the UI free: the rows are arranged in a
    worker; a newer key's arrangement wins over an older one that finishes after it."""
    import threading

    from retention_tui.screens.listing import ListScreen

    release = threading.Event()
    threads: list[str] = []
    real = ListScreen.arranged

    def arranged(self, frame, text, sort_index):
        threads.append(threading.current_thread().name)
        if text == "north":  # the older key: slow, done after the newer one
            assert release.wait(30)
        return real(self, frame, text, sort_index)

    monkeypatch.setattr(ListScreen, "arranged", arranged)

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await to_accounts(pilot)
            screen = app.screen
            assert isinstance(screen, ListScreen)
            box = screen.query_one(Input)
            box.value = "north"  # typed: its worker waits
            await pilot.pause()
            assert screen.rows is not None and screen.rows.height == 320  # the page stays
            box.value = "ltd"  # the next key
            for _ in range(200):
                if screen.rows.height < 320:
                    break
                await asyncio.sleep(0.05)
            ltd = screen.rows
            assert 0 < ltd.height < 320
            assert all("ltd" in n.lower() for n in ltd["name"].to_list())
            release.set()
            await settle(pilot)
            assert screen.rows is ltd  # the older arrangement, done last, is dropped

    asyncio.run(scenario())
    assert threads and threading.main_thread().name not in threads


def test_a_load_replaced_by_a_newer_one_shows_nothing(scored_db: Path, monkeypatch) -> None:
    """The database changed while a screen was loading: the newer load's rows are shown,
    and the older load, finishing last (a thread runs to its end), does not put its stale
    rows over them."""
    import threading

    from retention_tui.screens.accounts import AccountsScreen

    first_done = threading.Event()
    calls: list[int] = []
    real = AccountsScreen.fetch

    def fetch(self):
        calls.append(1)
        if len(calls) == 1:  # the first load: slow, and what it read is then out of date
            assert first_done.wait(30)
            return real(self).head(1)
        return real(self)

    monkeypatch.setattr(AccountsScreen, "fetch", fetch)

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            for _ in range(200):
                if calls:
                    break
                await asyncio.sleep(0.05)
            screen = app.screen
            assert isinstance(screen, AccountsScreen) and calls == [1]
            screen.reload()  # as when another process commits
            table = screen.query_one(DataTable)
            for _ in range(200):
                if table.row_count > 1:
                    break
                await asyncio.sleep(0.05)
            shown = table.row_count
            assert shown > 1
            first_done.set()
            await settle(pilot)
            assert len(calls) == 2 and table.row_count == shown

    asyncio.run(scenario())


def test_dashboard_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "d")


@async_test
async def test_importing_from_the_dashboard_tells_what_each_file_did(db_path: Path) -> None:
    from tests.conftest import FIXTURES

    connect(db_path).close()
    stripe = FIXTURES / "tools" / "stripe"
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one(
            Input
        ).value = f"{stripe / 'unified_customers.csv'} {stripe / 'subscriptions.csv'}"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(2.5)  # the data_version poll notices the commit
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        done = next(m for m in messages if "unified_customers.csv: stripe.customers" in m)
        assert "accounts: 4 created, 0 matched" in done
        assert "skipped 1 row: first payment not made (incomplete)" in done
        assert app.screen.query_one(DataTable).row_count == 4


@async_test
async def test_importing_an_archive_from_the_dashboard_tells_what_was_left_out(
    db_path: Path, tmp_path: Path
) -> None:
    from tests.conftest import data_export_zip

    connect(db_path).close()
    archive = data_export_zip(tmp_path)
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one(Input).value = str(archive)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        done = list(app._notifications)[-1]
        assert done.title == "Imported 8 files, 29 rows"
        assert "Account.csv: salesforce.accounts, 2 rows: 2 inserted" in done.message
        assert "ignored columns" not in done.message  # fifty per object: the import log has them
        assert done.message.endswith(
            "Left out 3 files that no format of retention fits:\n"
            "  Campaign.csv, Lead.csv, OpportunityHistory.csv ('retention import "
            "--dry-run' on one of them says why)\n"
            "The wrong file? U in the import log (l) undoes it."
        )


@pytest.fixture
def utc():
    """Local time is UTC for the test (file times are shown in local time)."""
    import os
    import time

    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


async def open_import_dialog(pilot):
    """The import dialog opened from the accounts list, its list of exports filled."""
    from retention_tui.screens.import_dialog import ExportList

    await to_accounts(pilot)
    await pilot.press("i")
    await settle(pilot)
    return pilot.app.screen.query_one(ExportList)


def _downloads(tmp_path: Path, monkeypatch) -> Path:
    """A home whose Downloads folder holds exports as a browser leaves them (modified at
    fixed times)."""
    import os

    from tests.conftest import FIXTURES, data_export_zip

    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / "Downloads"
    folder.mkdir(parents=True)
    tools = FIXTURES / "tools"
    files = {
        "hubspot-crm-exports-all-companies-2024-11-20.csv": (
            tools / "hubspot" / "hubspot-crm-exports-all-companies-2024-11-20.csv"
        ).read_bytes(),
        "unified_customers.csv": (tools / "stripe" / "unified_customers.csv").read_bytes(),
        "Q3 board deck notes.csv": b"slide,owner\n1,Dana\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    data_export_zip(folder)
    (folder / "invoice.pdf").write_bytes(b"%PDF-1.4")  # not an export: not listed
    newest_first = (
        *("WE_00D5g000004xYzAB_1.ZIP", "unified_customers.csv", "Q3 board deck notes.csv"),
        *("hubspot-crm-exports-all-companies-2024-11-20.csv", "invoice.pdf"),
    )
    for age, name in enumerate(newest_first):
        moment = 1_763_640_000 - age * 3600  # 2025-11-20 12:00 UTC, then an hour apart
        os.utime(folder / name, (moment, moment))
    return folder


@async_test
async def test_the_import_dialog_lists_the_downloads_and_imports_what_is_picked(
    db_path: Path, tmp_path: Path, monkeypatch, utc
) -> None:
    from retention_tui.screens.import_dialog import ExportList, ImportDialog

    folder = _downloads(tmp_path / "home", monkeypatch)
    connect(db_path).close()
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        exports = await open_import_dialog(pilot)
        shown = [str(exports.get_option_at_index(i).prompt) for i in range(exports.option_count)]
        assert [line.split()[0] for line in shown] == [
            "WE_00D5g000004xYzAB_1.ZIP",
            "unified_customers.csv",
            "Q3",
            "hubspot-crm-exports-all-companies-2024-11-20.csv",
        ]
        assert shown[0].endswith(
            "ZIP: salesforce.accounts/cases/contacts/emails/events/opportunities/tasks/"
            "users + 3 other files"
        )
        assert " ".join(shown[1].split()[1:]) == "2025-11-20 11:00 558 B stripe.customers"
        assert shown[2].endswith("no format fits")
        assert shown[3].endswith("hubspot.companies")
        exports.focus()
        await pilot.press("j", "space", "j", "j", "space")  # Stripe's customers, HubSpot's
        await pilot.pause()
        picked = [str(folder / n) for n in ("unified_customers.csv", shown[3].split()[0])]
        assert app.screen.query_one(Input).value == shlex.join(picked)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ImportDialog)
        done = list(app._notifications)[-1]
        assert done.title == "Imported 2 files, 8 rows", done.message
        # nothing picked: enter imports the export under the cursor
        await pilot.press("i")
        await settle(pilot)
        app.screen.query_one(ExportList).focus()
        await pilot.press("enter")  # the newest: the Salesforce export
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert list(app._notifications)[-1].title == "Imported 8 files, 29 rows"


@async_test
async def test_the_import_dialog_imports_a_workbooks_sheets(
    db_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """A CSM's own workbook in Downloads: described by its sheets, imported by enter."""
    import shutil

    from tests.conftest import WORKBOOKS

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    shutil.copy(WORKBOOKS / "customers.xlsx", tmp_path / "Downloads" / "customers.xlsx")
    (tmp_path / "Downloads" / "~$customers.xlsx").write_bytes(b"\x0bExcel's lock file")
    connect(db_path).close()
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        exports = await open_import_dialog(pilot)
        assert exports.option_count == 1
        shown = str(exports.get_option_at_index(0).prompt)
        assert shown.startswith("customers.xlsx")
        assert shown.endswith("Workbook: accounts/contacts/subscriptions + 1 other sheet")
        exports.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert list(app._notifications)[-1].title == "Imported 3 files, 11 rows"
        assert app.screen.query_one(DataTable).row_count == 3  # the accounts list


@async_test
async def test_the_import_dialog_reads_dates_in_the_order_the_config_names(
    db_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """`[import] dates = "day-first"`: a UK user's answers file, whose one slashed date
    (11/01/2025) could be either way, imported from the dialog is January 11."""
    import shutil

    from importers.run import import_files
    from tests.conftest import FIXTURES

    uk = FIXTURES / "canonical_excel" / "uk"
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    shutil.copy(uk / "nps.csv", tmp_path / "Downloads" / "nps.csv")
    with closing(connect(db_path)) as conn:
        import_files(conn, [uk / "accounts.csv"])
    db_path.with_name("retention.toml").write_text('[import]\ndates = "day-first"\n')
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        exports = await open_import_dialog(pilot)
        exports.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert list(app._notifications)[-1].title == "Imported 1 file, 2 rows"
        await pilot.press("l")  # the import log keeps how it was read
        await settle(pilot)
        assert isinstance(app.screen, ImportLogScreen)
        newest = app.screen.query_one(DataTable).get_row_at(0)
        assert (str(newest[1]), str(newest[-1])) == (
            "nps.csv",
            "read its dates day-first, as its locale writes them (14/03/2024)",
        )
    with closing(connect(db_path)) as conn:
        answered = "SELECT substr(responded_at, 1, 10) FROM nps_responses WHERE source_id = ?"
        assert conn.execute(answered, ("nps_2",)).fetchone() == ("2025-01-11",)


@async_test
async def test_the_import_dialog_lists_the_folders_the_config_names(
    db_path: Path, tmp_path: Path, monkeypatch, utc
) -> None:
    """`[import] folders` in retention.toml: exports of every folder named, newest first
    across them; a folder that is not there gives none."""
    import os

    from retention_tui.screens.import_dialog import ExportList

    _downloads(tmp_path / "home", monkeypatch)
    exports = tmp_path / "home" / "exports"
    exports.mkdir()
    (exports / "nps.csv").write_text("email,score,date\nana@acme.com,9,2025-11-01\n")
    newest = 1_763_640_000 + 60  # after every file of Downloads
    os.utime(exports / "nps.csv", (newest, newest))
    connect(db_path).close()
    db_path.with_name("retention.toml").write_text(
        '[import]\nfolders = ["~/exports", "~/Downloads", "~/gone"]\n'
    )
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "i")
        label = str(app.screen.query_one("#import-found", Label).render())
        assert label.startswith("Exports in ~/exports and ~/Downloads and ~/gone, newest first")
        listed = app.screen.query_one(ExportList)
        names = [str(listed.get_option_at_index(i).prompt).split()[0] for i in range(3)]
        assert names == ["nps.csv", "WE_00D5g000004xYzAB_1.ZIP", "unified_customers.csv"]
        assert listed.get_option_at_index(0).value == str(exports / "nps.csv")
        listed.focus()
        await pilot.press("enter")  # the newest: the NPS answers
        await app.workers.wait_for_complete()
        await pilot.pause()
        done = list(app._notifications)[-1]
        assert done.title == "Imported 1 file, 1 row"
        assert done.message.endswith("The wrong file? U in the import log (l) undoes it.")


def test_import_dialog_snapshot(
    snap_compare, scored_db: Path, tmp_path: Path, monkeypatch, utc
) -> None:
    _downloads(tmp_path / "home", monkeypatch)
    assert snapshot_after(snap_compare, scored_db, "i")


@async_test
async def test_a_long_list_is_shown_a_page_at_a_time(scored_db: Path, monkeypatch) -> None:
    from retention_tui.screens import listing
    from retention_tui.screens.account import AccountScreen

    monkeypatch.setattr(listing, "PAGE_ROWS", 100)  # whatever the default, pages of 100 here
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 100
        assert summary(app).endswith("rows 1-100 of 320")
        first_of_page_2 = app.screen.rows.row(100, named=True)["name"]
        table.move_cursor(row=99)
        await pilot.press("j")  # past the last row: the next page, at its top
        await pilot.pause()
        assert summary(app).endswith("rows 101-200 of 320")
        assert (table.cursor_row, str(table.get_row_at(0)[0])) == (0, first_of_page_2)
        await pilot.press("down", "k", "k")  # back up past the top: the previous page's end
        await pilot.pause()
        assert summary(app).endswith("rows 1-100 of 320")
        assert table.cursor_row == 99
        await pilot.press("j", "down")
        await pilot.press("enter")  # opens the row under the cursor on this page
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        expected = app.screen_stack[-2].rows.row(101, named=True)["account_id"]
        assert app.screen.account_id == expected


def test_deal_screen_snapshot(snap_compare, scored_db: Path) -> None:
    # the first deal of the win-back queue, its cadence started
    assert snapshot_after(snap_compare, scored_db, "4", "enter", "p")


def test_winback_queue_snapshot(snap_compare, scored_db: Path) -> None:
    assert snapshot_after(snap_compare, scored_db, "4")


@async_test
async def test_rows_waiting_for_an_account_are_linked_from_the_dashboard(
    db_path: Path, runner
) -> None:
    from retention_tui.cli import cli
    from retention_tui.screens.unmatched import UnmatchedScreen
    from tests.conftest import FIXTURES

    tools = FIXTURES / "tools"
    result = runner.invoke(
        cli,
        [
            "import",
            "-q",
            "--db",
            str(db_path),
            str(tools / "stripe" / "unified_customers.csv"),
            str(tools / "zendesk" / "export-2024-11-20-1015-tickets.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    app = RetentionApp(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        due = str(app.screen.query_one("#dashboard-due", Static).render())
        assert "1 imported row waits for an account (u)" in due
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UnmatchedScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[1]) == "email:someone@gmail.com"
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(Input).value = "Acme"
        await pilot.press("enter")
        await settle(pilot)
        assert table.row_count == 0
        assert str(app.screen.query_one("#unmatched-summary", Static).render()) == (
            "Every imported row has its account"
        )
    c = sqlite3.connect(db_path)
    try:
        assert c.execute("SELECT account_id FROM tickets WHERE source_id = '1203'").fetchall() == [
            ("stripe:cus_PqAcme01",)
        ]
    finally:
        c.close()


def test_unmatched_screen_snapshot(snap_compare, db_path: Path, runner) -> None:
    from retention_tui.cli import cli
    from tests.conftest import FIXTURES

    tools = sorted(
        p
        for p in (FIXTURES / "tools").glob("*/*.csv")
        if p.parent.name != "quirks" and p.name != "subscriptions_api.csv"
    )
    result = runner.invoke(cli, ["import", "-q", "--db", str(db_path), *map(str, tools)])
    assert result.exit_code == 0, result.output

    assert snapshot_after(snap_compare, db_path, "u")


@async_test
async def test_a_table_filled_again_shows_its_columns_at_their_new_widths() -> None:
    """A table cleared and filled with wider rows, painted before it measured them (a busy
    machine's timing), still shows every cell whole once it has: its lines were cached at
    the old widths (the accounts snapshot caught columns cut to their headers' widths)."""
    from textual.app import App

    from retention_tui.screens.table import Table

    class One(App):
        def compose(self):
            yield Table()

        def on_mount(self) -> None:
            table = self.query_one(Table)
            table.add_columns("A", "B")
            table.add_rows([("x", "y")] * 3)

    app = One()
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        table = app.query_one(Table)
        table.clear()
        table.add_rows([("a whole account name", "Mid-market")] * 3)
        app.export_screenshot()  # the screen paints before the table is idle
        await settle(pilot)
        shown = app.export_screenshot().replace("&#160;", " ")
    assert shown.count("a whole account name") == 3
    assert shown.count("Mid-market") == 3


def side_by_side(fill):
    """An app showing the app's Table beside Textual's DataTable (ids ours, textual), each
    a row cursor, filled by ``fill(table)``; neither focused (a focused table's header is
    another colour)."""
    from textual.app import App
    from textual.containers import Horizontal

    from retention_tui.screens.table import Table

    class Both(App):
        CSS = "DataTable { width: 1fr; height: 100%; }"
        AUTO_FOCUS = None

        def compose(self):
            with Horizontal():
                yield Table(id="ours", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="textual", cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            for table in self.query(DataTable):
                fill(table)

    return Both()


@async_test
async def test_a_table_renders_every_line_as_textuals_datatable_does_as_the_cursor_moves() -> None:
    """The app's Table caches a row cursor's lines by whether the cursor and the mouse are
    on their row: after every move (scrolling included) and hover, each line it shows is
    the one Textual's own DataTable shows for the same rows, styles and all."""
    from textual.coordinate import Coordinate

    from retention_tui.screens.table import Table

    def fill(table: DataTable) -> None:
        table.add_columns("Account", "MRR")
        table.add_rows((f"account {i}", f"${i * 10}") for i in range(40))

    def lines(table: DataTable) -> list[list[tuple[str, object]]]:
        return [[(s.text, s.style) for s in table.render_line(y)] for y in range(table.size.height)]

    app = side_by_side(fill)
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        ours, theirs = app.query_one("#ours", Table), app.query_one("#textual", DataTable)
        steps = [("cursor", 1), ("cursor", 2), ("cursor", 1), ("cursor", 15), ("cursor", 30)]
        steps += [("hover", 29), ("hover", 31), ("cursor", 31), ("cursor", 3), ("cursor", 0)]
        for what, row in steps:
            for table in (ours, theirs):
                if what == "cursor":
                    table.move_cursor(row=row)
                else:
                    table._set_hover_cursor(True)
                    table.hover_coordinate = Coordinate(row, 0)
            await settle(pilot)
            assert ours.scroll_offset == theirs.scroll_offset
            assert lines(ours) == lines(theirs), (what, row)


@async_test
async def test_a_table_renders_and_measures_its_cells_as_textuals_datatable_does() -> None:
    """The app's Table lays out a one-line plain-text cell itself (a sort of the 100k list
    rendered every cell through Rich's layout: 0.2 s a key): every cell, cut to a narrow
    column or not, wide characters, spaces, numbers, nothing, a second line, styled text,
    a header, shows as Textual's own DataTable shows it, and every column is as wide."""
    from rich.text import Text

    from retention_tui.screens.table import Table

    rows = [
        ("Acme", "a name longer than its column", "ünïcødé 株式会社", 42),
        ("", "日本語の会社名です", "trailing   ", 3.5),
        (None, "two\nlines", "  leading", "—"),
        (Text("styled", style="bold red"), Text.assemble("half ", ("bold", "italic")), "x", 0),
        ("tab\there", "emoji 🚀 launch", "Ωmega", -1),
    ]

    def fill(table: DataTable) -> None:
        table.add_column("Name")
        table.add_column("Narrow", width=7)
        table.add_column("Auto")
        table.add_column("Number", width=1)
        for row in rows:
            table.add_row(*row)

    def cells(table: DataTable) -> list[list[tuple[str, object]]]:
        return [
            [(ch, s.style) for s in table.render_line(y) for ch in s.text]
            for y in range(table.size.height)
        ]

    app = side_by_side(fill)
    async with app.run_test(size=(150, 12)) as pilot:
        await settle(pilot)
        ours, theirs = app.query_one("#ours", Table), app.query_one("#textual", DataTable)
        assert [c.content_width for c in ours.ordered_columns] == [
            c.content_width for c in theirs.ordered_columns
        ]
        for row in (0, 2, 4):
            for table in (ours, theirs):
                table.move_cursor(row=row)
            await settle(pilot)
            assert cells(ours) == cells(theirs), row


@async_test
async def test_text_from_the_users_files_is_shown_as_written_never_read_as_markup(
    scored_db: Path,
) -> None:
    """A name with "[/]" stopped the app (Rich's MarkupError), "[bold]" restyled it and
    "[@click=app.quit]" made it a button that quit; a notification lost "[queues]"."""
    from retention_tui.commands import RetentionCommands
    from retention_tui.screens.account import AccountScreen

    name = "Zeta [/] [bold]Labs[/bold] [@click=app.quit]go[/]"
    conn = sqlite3.connect(scored_db)
    with conn:
        conn.execute(
            "UPDATE accounts SET name = ? WHERE account_id = (SELECT MIN(account_id) "
            "FROM accounts)",
            (name,),
        )
    conn.close()
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        await pilot.press("slash", *"zeta", "enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert name in table.render_line(1).text  # the first row, under the header
        await pilot.press("enter")
        await settle(pilot)
        header = app.screen.query_one("#account-header", Static)
        assert str(header.render()).startswith(f"{name} · ")
        # the app's own, and a screen's (Textual's Widget.notify asks for markup)
        app.notify("see [queues] in retention.toml")
        app.screen.notify("Not saved: '[/]' is not a date")
        await pilot.pause()
        shown = [(n.message, n.markup) for n in app._notifications]
        assert ("see [queues] in retention.toml", False) in shown
        assert ("Not saved: '[/]' is not a date", False) in shown
        assert isinstance(app.screen, AccountScreen)
        # the command palette's hits, highlighted where the query matched
        provider = RetentionCommands(app.screen, None)
        await provider.startup()
        hits = [h async for h in provider.search("zeta labs")]
        best = max(hits, key=lambda h: h.score)
        assert str(best.match_display) == f"account: {name}"
        assert best.match_display.spans  # the matched letters


@async_test
async def test_an_import_path_with_an_unclosed_quote_is_taken_whole_or_said(
    scored_db: Path, write_csv
) -> None:
    """The import dialog splits what is typed like a shell: a lone apostrophe in a file's
    name ("O'Brien export.csv") stopped the app (ValueError: No closing quotation)."""
    quoted = write_csv("O'Brien export.csv", "account_id,name,created_at\nzz9,O'Brien,2026-11-01\n")
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one(Input).value = "~/nowhere/it's.csv"
        await pilot.press("enter")
        await pilot.pause()
        said = list(app._notifications)[-1]
        assert said.title == "Nothing was imported"
        assert said.message == (
            "Could not read the paths (No closing quotation): put a path holding spaces or "
            "quotes inside double quotes"
        )
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one(Input).value = str(quoted)  # the whole text names a file
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    conn = sqlite3.connect(scored_db)
    assert conn.execute("SELECT name FROM accounts WHERE account_id = 'zz9'").fetchall() == [
        ("O'Brien",)
    ]
    conn.close()


@async_test
async def test_a_list_summary_wraps_in_a_narrow_terminal_instead_of_losing_its_end(
    scored_db: Path,
) -> None:
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_accounts(pilot)
        box = app.screen.query_one("#accounts-summary", Static)
        assert summary(app).endswith(f"rows 1-{PAGE_ROWS} of 320")
        assert box.region.height == 2  # ~96 characters in 78 columns: both lines shown


@async_test
async def test_e_exports_the_list_shown_to_a_csv_file_never_overwriting_one(
    scored_db: Path, tmp_path: Path
) -> None:
    """e in a list writes every row shown (all pages, as filtered and sorted) with the
    columns shown, whole (a queue clips long text on screen), into `[export] folder`."""
    import csv

    from retention_tui.screens.queue import QueueScreen

    out = tmp_path / "shared exports"
    scored_db.with_name("retention.toml").write_text(f'[export]\nfolder = "{out}"\n')
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await to_accounts(pilot)
        await pilot.press("slash", *"ltd", "enter")
        await settle(pilot)
        shown = app.screen.rows
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = out / f"retention-accounts-{AS_OF.isoformat()}.csv"
        assert list(app._notifications)[-1].message == (f"Exported {shown.height} rows to {path}")
        with path.open(encoding="utf-8-sig", newline="") as f:
            header, *rows = list(csv.reader(f))
        assert header[:3] == ["Account", "Status", "Score"]
        assert [r[0] for r in rows] == shown["name"].to_list()  # filtered, in order
        assert all("ltd" in name.lower() for name, *_ in rows)
        # a queue: its columns whole, and a second export beside the first
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        queue_rows = app.screen.rows
        await pilot.press("e", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = out / f"retention-{app.screen.view.name}-{AS_OF.isoformat()}.csv"
        second = first.with_name(first.stem + "-2.csv")
        with first.open(encoding="utf-8-sig", newline="") as f:
            header, *rows = list(csv.reader(f))
        assert second.read_text(encoding="utf-8-sig") == first.read_text(encoding="utf-8-sig")
        assert len(rows) == queue_rows.height > 0
        assert header == [label for label, _, _ in app.screen.view.columns]
        longest = max((c for r in rows for c in r), key=len)
        assert len(longest) > 32  # clipped on screen, whole in the file
        assert path.exists()  # the accounts' file is still there


def test_a_path_in_the_home_folder_is_shown_from_tilde(tmp_path: Path, monkeypatch) -> None:
    from retention_tui.formatting import home_relative

    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert home_relative(tmp_path / "me" / "Downloads" / "x.csv") == "~/Downloads/x.csv"
    assert home_relative(tmp_path / "me") == "~"
    assert home_relative(tmp_path / "me2" / "x.csv") == str(tmp_path / "me2" / "x.csv")


@async_test
async def test_a_queue_says_its_codes_in_words_and_finds_them_either_way(
    scored_db: Path,
) -> None:
    """Win-back shows 'no decision' and 'Enterprise', not 'no_decision' and 'enterprise';
    '/' finds the deals typed either way."""
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_queue(pilot, "4")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert not any("_" in cell for row in rows for cell in row[1:3])  # segment, reason
        assert {row[1] for row in rows} <= {"SMB", "Mid-market", "Enterprise", "—"}
        expected = app.screen.rows.filter(pl.col("lost_reason") == "no_decision").height
        assert expected and any(row[2] == "no decision" for row in rows)
        for typed in ("no decision", "no_decision"):
            await pilot.press("slash", *typed)
            await settle(pilot)
            assert table.row_count == expected, typed
            await pilot.press("escape")
            await settle(pilot)


@async_test
async def test_the_alerts_queue_lists_the_score_changes_since_the_last_run(
    scored_db: Path, runner
) -> None:
    """Key 8: the date's scores against the last run stored before it (seed B's alerts:
    a fast drop, entering at risk or critical, rising into healthy, a champion gone), the
    same the scoring run stored and 'report alerts' prints; enter opens the account."""
    import json

    from retention_tui.cli import cli
    from retention_tui.screens.account import AccountScreen

    args = ["report", "alerts", "--db", str(scored_db), "--as-of", SAMPLE_AS_OF]
    stored = json.loads(runner.invoke(cli, [*args, "--format", "json"]).stdout)
    assert stored
    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_queue(pilot, "8")
        rows = app.screen.rows
        assert sorted(zip(rows["account"], rows["code"], strict=True)) == sorted(
            (r["account"], r["code"]) for r in stored
        )
        assert str(table.get_row_at(0)[2]) in {"score drop", "entered critical"}  # due now
        first = str(table.get_row_at(0)[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert str(app.screen.query_one("#account-header", Static).render()).startswith(first)
