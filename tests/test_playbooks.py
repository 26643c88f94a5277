"""Playbooks, ticks, notes and snoozes: made in the dashboard, found again after a
restart, visible from the CLI."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, OptionList

from retention_tui.app import RetentionApp
from retention_tui.cli import cli
from retention_tui.screens.dialogs import TextDialog
from tests.conftest import SAMPLE_AS_OF
from tests.pilot import open_first_account, open_queue, press, settle, write_note

AS_OF = date.fromisoformat(SAMPLE_AS_OF)
SIZE = (130, 40)


def test_start_a_playbook_tick_a_step_write_a_note_and_find_them_after_restart(
    scored_db: Path, runner: CliRunner
) -> None:
    async def first_session() -> str:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first_account(pilot)
            await pilot.press("p")
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            options.highlighted = 0  # the save playbook
            await pilot.press("enter")
            await settle(pilot)
            steps = screen.query_one("#account-playbooks", DataTable)
            assert steps.row_count == 5
            steps.move_cursor(row=1)  # "reach out"
            await pilot.press("x")
            await settle(pilot)
            assert str(steps.get_row_at(1)[2]).startswith("✓ ")
            await write_note(pilot, "Called Ana, budget frozen until Q2")
            notes = screen.query_one("#account-notes", DataTable)
            assert str(notes.get_row_at(0)[2]) == "Called Ana, budget frozen until Q2"
            return screen.account_id

    account_id = asyncio.run(first_session())

    async def second_session() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first_account(pilot)
            steps = screen.query_one("#account-playbooks", DataTable)
            assert [bool(str(steps.get_row_at(i)[2])) for i in range(5)] == [
                False,
                True,
                False,
                False,
                False,
            ]
            notes = screen.query_one("#account-notes", DataTable)
            assert str(notes.get_row_at(0)[1]) == "save"

    asyncio.run(second_session())
    out = json.loads(
        runner.invoke(
            cli, ["account", account_id, "playbooks", "--db", str(scored_db), "--format", "json"]
        ).stdout
    )
    done = {s["step"]: s["done_at"] is not None for s in out["steps"]}
    assert done == {
        "detect": False,
        "reach_out": True,
        "listen": False,
        "intervene": False,
        "outcome": False,
    }
    assert out["notes"][0]["body"] == "Called Ana, budget frozen until Q2"
    table = runner.invoke(cli, ["account", account_id, "playbooks", "--db", str(scored_db)])
    assert "1 playbooks, 1 notes" in table.stdout


def test_untick_and_escape_change_nothing_else(scored_db: Path) -> None:
    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first_account(pilot)
            await pilot.press("x")  # nothing to tick yet: a warning, no change
            await pilot.press("p")
            await pilot.pause()
            await pilot.press("escape")  # cancel the dialog
            await settle(pilot)
            assert screen.query_one("#account-playbooks", DataTable).row_count == 0
            await pilot.press("p")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = 1  # renewal timeline
            await pilot.press("enter")
            await settle(pilot)
            steps = screen.query_one("#account-playbooks", DataTable)
            assert steps.row_count == 7
            await pilot.press("x")
            await settle(pilot)
            await pilot.press("x")  # untick
            await settle(pilot)
            assert str(steps.get_row_at(0)[2]) == ""
            await pilot.press("n")
            await pilot.pause()
            await pilot.press("escape")  # no note
            await settle(pilot)
            assert screen.query_one("#account-notes", DataTable).row_count == 0

    asyncio.run(scenario())


def test_snoozed_queue_items_stay_hidden_until_the_date(scored_db: Path) -> None:
    async def snooze_first() -> tuple[int, str]:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            table = await open_queue(pilot, "1")
            before, first = table.row_count, str(table.get_row_at(0)[1])
            await pilot.press("z")
            await settle(pilot)
            assert table.row_count == before - 1
            assert str(table.get_row_at(0)[1]) != first
            return before, first

    before, first = asyncio.run(snooze_first())

    async def count(as_of: date) -> tuple[int, list[str]]:
        app = RetentionApp(scored_db, as_of=as_of)
        async with app.run_test(size=SIZE) as pilot:
            table = await open_queue(pilot, "1")
            return table.row_count, [str(table.get_row_at(i)[1]) for i in range(table.row_count)]

    n, names = asyncio.run(count(AS_OF))
    assert n == before - 1 and first not in names  # still snoozed after a restart
    n, names = asyncio.run(count(date(2026, 11, 27)))  # the snooze has run out
    assert first in names


def test_a_row_snoozed_by_mistake_is_found_and_woken(scored_db: Path) -> None:
    """z on the wrong row of a queue: the queue says how many rows a snooze hides, Z lists
    them, z there wakes one, and it is back in the queue."""

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            table = await open_queue(pilot, "1")
            before, first = table.row_count, str(table.get_row_at(0)[1])
            summary = app.screen.query_one(".list-summary")
            assert "snoozed" not in str(summary.render())
            await pilot.press("z")
            await settle(pilot)
            assert table.row_count == before - 1
            assert " · 1 snoozed (Z) · " in str(summary.render())
            await pilot.press("d")  # the dashboard counts what is to do: the queue's rows
            await settle(pilot)
            counts = app.screen.query_one("#dashboard-queues", DataTable)
            assert str(counts.get_row_at(0)[1]) == str(before - 1)
            table = await open_queue(pilot, "1")
            summary = app.screen.query_one(".list-summary")
            await pilot.press("Z")
            await settle(pilot)
            assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [first]
            assert str(summary.render()).startswith("At risk, snoozed: 1 · z wakes the row")
            await pilot.press("z")
            await settle(pilot)
            assert table.row_count == 0
            await pilot.press("Z")
            await settle(pilot)
            assert table.row_count == before and str(table.get_row_at(0)[1]) == first
            assert "snoozed" not in str(summary.render())

    asyncio.run(scenario())
    with sqlite3.connect(scored_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM snoozes").fetchone() == (0,)


def test_command_palette_answers_the_ten_questions(scored_db: Path) -> None:
    from textual.widgets import Markdown

    from retention_tui.commands import RetentionCommands
    from retention_tui.screens.document import DocumentScreen
    from retention_tui.screens.queue import QueueScreen

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            provider = RetentionCommands(app.screen, None)
            await provider.startup()
            labels = {label: callback for label, callback, _ in provider._commands()}
            for question in (
                "churn risk report",
                "expansion opportunities",
                "reactivation list",
                "payment failures",
                "NRR this month",
                "account: Novaline Capital",
                "QBR prep for Novaline Capital",
                "save plan for Novaline Capital",
                "monthly report for Novaline Capital",
                "onboarding checklist for Novaline Capital",
            ):
                assert question in labels, question
            labels["payment failures"]()
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen) and app.screen.view.name == "payments"
            labels["QBR prep for Novaline Capital"]()
            await settle(pilot)
            assert isinstance(app.screen, DocumentScreen)
            body = app.screen.query_one(Markdown)
            assert "QBR prep — Novaline Capital" in body.source
            await pilot.press("escape")
            labels["NRR this month"]()
            await settle(pilot)
            assert app.screen.query_one(Markdown).source.startswith("# Net revenue retention")
            await pilot.press("escape")
            labels["CSM capacity"]()
            await settle(pilot)
            source = app.screen.query_one(Markdown).source
            assert source.startswith("# CSM capacity — ") and "| Dana Lee |" in source
            hits = [h async for h in provider.search("save plan novaline")]
            best = max(hits, key=lambda h: h.score)  # the palette lists the best first
            assert str(best.match_display) == "save plan for Novaline Capital"

    asyncio.run(scenario())


def test_keys_can_be_remapped_in_retention_toml(scored_db: Path) -> None:
    (scored_db.parent / "retention.toml").write_text(
        '[keymap]\n"list.down" = "ctrl+n"\n"app.queue.risk" = "w"\n'
    )

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "a")
            table = app.screen.query_one(DataTable)
            await pilot.press("ctrl+n", "ctrl+n")
            assert table.cursor_row == 2
            await pilot.press("w")
            await settle(pilot)
            from retention_tui.screens.queue import QueueScreen

            assert isinstance(app.screen, QueueScreen) and app.screen.view.name == "risk"

    asyncio.run(scenario())


def test_a_bad_keymap_entry_names_the_key(runner: CliRunner, db_path: Path) -> None:
    (db_path.parent / "retention.toml").write_text('[keymap]\n"list.down" = 3\n')
    result = runner.invoke(cli, ["config", "show", "--db", str(db_path)])
    assert result.exit_code == 2 and "'keymap.list.down' must be text naming keys" in result.output


def test_rescore_and_import_from_the_dashboard(sample_db: Path, write_csv) -> None:
    import sqlite3

    good = write_csv("new.csv", "account_id,name,created_at\nzz1,Zulu New,2026-11-01\n")
    bad = write_csv("bad.csv", "account_id,name,created_at\nzz2,Bad,yesterday\n")

    async def scenario() -> None:
        app = RetentionApp(sample_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "a")
            listed = app.screen
            assert listed.rows.height == 320
            await pilot.press("r")
            await settle(pilot)
            await settle(pilot)
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one(Input).value = f"{bad}"
            await pilot.press("enter")
            await settle(pilot)
            assert listed.rows.height == 320  # the bad file imported nothing
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one(Input).value = f"{good}"
            await pilot.press("enter")
            await settle(pilot)
            await settle(pilot)
            assert listed.rows.height == 321

    asyncio.run(scenario())
    conn = sqlite3.connect(sample_db)
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM score_snapshots WHERE as_of = ?", (SAMPLE_AS_OF,)
        ).fetchone()[0]
        == 250
    )
    assert conn.execute("SELECT COUNT(*) FROM accounts WHERE account_id LIKE 'zz%'").fetchone() == (
        1,
    )
    conn.close()


def test_a_lost_deal_gets_its_win_back_cadence_ticked_and_noted(
    scored_db: Path, runner: CliRunner
) -> None:
    from retention_tui.screens.deal import DealScreen

    async def first_session() -> tuple[str, str]:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("4")  # the win-back queue
            await settle(pilot)
            queue = app.screen
            first = queue.rows.row(0, named=True)
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DealScreen) and screen.subject_id == first["deal_id"]
            header = str(screen.query_one("#deal-header").render())
            assert header.startswith(first["deal"])
            assert " · closed lost on " in header and " · reason: " in header  # in words
            assert "_" not in header.split(" · reason: ")[1].split(" · ")[0]
            cadence = screen.query_one("#deal-cadence", DataTable)
            assert cadence.row_count == 4  # the touches for its lost reason
            await pilot.press("p")  # one playbook here: no question asked
            await settle(pilot)
            steps = screen.query_one("#deal-playbooks", DataTable)
            assert steps.row_count == 4
            touch = str(cadence.get_row_at(0)[1])
            assert str(steps.get_row_at(0)[1]) == f"Day 30: {touch}"
            await pilot.press("x")
            await settle(pilot)
            assert str(steps.get_row_at(0)[2]).startswith("✓")
            await write_note(pilot, "Sent the ROI calculator")
            assert screen.query_one("#deal-notes", DataTable).row_count == 1
            await pilot.press("escape")
            await settle(pilot)
            await pilot.pause(2.5)
            await settle(pilot)
            row = app.screen.rows.filter(app.screen.rows["deal_id"] == first["deal_id"])
            assert row["touches_done"].to_list() == ["1/4"]
            return first["deal_id"], first["deal"]

    key, name = asyncio.run(first_session())

    async def second_session() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.push_screen(DealScreen(key))
            await settle(pilot)
            steps = app.screen.query_one("#deal-playbooks", DataTable)
            assert str(steps.get_row_at(0)[2]).startswith("✓")
            notes = app.screen.query_one("#deal-notes", DataTable)
            assert str(notes.get_row_at(0)[2]) == "Sent the ROI calculator"

    asyncio.run(second_session())
    report = runner.invoke(
        cli,
        ["report", "winback", "--db", str(scored_db), "--as-of", SAMPLE_AS_OF, "--format", "json"],
    )
    assert report.exit_code == 0, report.output
    rows = {r["deal_id"]: r for r in json.loads(report.output)}
    assert rows[key]["touches_done"] == "1/4" and rows[key]["deal"] == name


def test_a_note_that_cannot_be_saved_is_given_back_not_lost(
    scored_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock (a long import) past the busy timeout."""
    import db.connection

    monkeypatch.setattr(db.connection, "BUSY_TIMEOUT_MS", 200)

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first_account(pilot)
            holder = sqlite3.connect(scored_db, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                await write_note(pilot, "Called Ana, budget frozen until Q2")
                # still running; the note is back in the box, and the user was told
                assert isinstance(app.screen, TextDialog)
                assert app.screen.query_one(Input).value == "Called Ana, budget frozen until Q2"
                assert any("Not saved" in n.message for n in app._notifications)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            await pilot.press("enter")  # the lock is gone: this time it is saved
            await settle(pilot)
            notes = screen.query_one("#account-notes", DataTable)
            assert str(notes.get_row_at(0)[2]) == "Called Ana, budget frozen until Q2"

    asyncio.run(scenario())


def test_a_renewal_step_ticked_for_last_years_renewal_shows_as_to_do(tmp_path: Path) -> None:
    """An account renews every year and keeps its renewal playbook: a step ticked before
    this renewal's timeline began shows as not done, and ticking it again dates it now
    (the renewal queue counts this renewal's ticks alone)."""
    from contextlib import closing

    from db import connect
    from db.work import account_work, set_tick, start_playbook
    from retention_tui.screens.work_panel import work_rows

    with closing(connect(tmp_path / "r.db")) as conn:
        conn.execute(
            "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
            "VALUES ('a', 'canonical', 'a', 'Acme', '2024-01-01')"
        )
        playbook = start_playbook(conn, "a", "renewal")
        set_tick(conn, playbook, "qbr", True)
        conn.execute("UPDATE checklist_ticks SET done_at = '2025-07-01T10:00:00Z'")
        since = {"renewal": "2026-05-24"}  # a renewal on 2026-11-20, 180 days ahead
        rows, keys, _ = work_rows(account_work(conn, "a"), ticked_since=since)
        qbr = keys.index((playbook, "qbr"))
        assert rows[qbr][2] == ""  # last year's
        assert work_rows(account_work(conn, "a"))[0][qbr][2] == "✓ 2025-07-01"
        set_tick(conn, playbook, "qbr", True)  # x on it: ticked for this renewal
        rows, _, _ = work_rows(account_work(conn, "a"), ticked_since=since)
        assert rows[qbr][2].startswith("✓ ") and rows[qbr][2][2:] >= since["renewal"]


def test_a_playbook_whose_steps_are_all_ticked_is_done_and_p_starts_a_new_one(
    tmp_path: Path,
) -> None:
    """A customer saved last year is at risk again: the save playbook, every step ticked,
    is closed and a new one started; one with a step still to do is the one p returns."""
    from contextlib import closing

    from db import connect
    from db.work import account_work, set_tick, start_playbook
    from retention_tui.playbooks import PLAYBOOKS
    from retention_tui.screens.work_panel import work_rows

    steps = [step for step, _ in PLAYBOOKS["save"][1]]
    with closing(connect(tmp_path / "p.db")) as conn:
        conn.execute(
            "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
            "VALUES ('a', 'canonical', 'a', 'Acme', '2024-01-01')"
        )
        first = start_playbook(conn, "a", "save", steps)
        for step in steps[:-1]:
            set_tick(conn, first, step, True)
        assert start_playbook(conn, "a", "save", steps) == first  # the outcome still to do
        set_tick(conn, first, steps[-1], True)
        second = start_playbook(conn, "a", "save", steps)
        assert second != first
        [new, old] = account_work(conn, "a")["playbooks"]
        assert (new["id"], new["closed_at"], old["id"], old["outcome"]) == (
            second,
            None,
            first,
            "done",
        )
        rows, keys, _ = work_rows(account_work(conn, "a"))
        assert {k[0] for k in keys} == {second} and all(r[2] == "" for r in rows)


def test_work_saved_in_the_app_keeps_the_scored_book_and_another_process_reloads_it(
    scored_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tick, a note, a playbook and a snooze are work the engine does not read: saved,
    the screen shows them without the book being loaded and scored again (that took ~3 s
    at 100k accounts after every tick). A commit of another process (an interaction logged
    from the CLI) still reloads and scores it."""
    from contextlib import closing
    from datetime import UTC, datetime

    import retention_tui.workspace as workspace
    from db import connect
    from db.work import log_touchpoint

    runs: list[date] = []
    compute = workspace.compute
    monkeypatch.setattr(
        workspace, "compute", lambda conn, day, *a: runs.append(day) or compute(conn, day, *a)
    )

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            table = await open_queue(pilot, "1")
            before, first = table.row_count, str(table.get_row_at(0)[1])
            scored = len(runs)
            await pilot.press("z")
            await settle(pilot)
            assert table.row_count == before - 1 and str(table.get_row_at(0)[1]) != first
            await press(pilot, "escape", "a", "enter")
            screen = app.screen
            await pilot.press("p")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = 0  # the save playbook
            await pilot.press("enter")
            await settle(pilot)
            steps = screen.query_one("#account-playbooks", DataTable)
            steps.move_cursor(row=1)
            await pilot.press("x")
            await settle(pilot)
            assert str(steps.get_row_at(1)[2]).startswith("✓ ")
            await write_note(pilot, "Called Ana")
            assert len(runs) == scored  # the scored book kept through four saves
            with closing(connect(scored_db)) as conn:  # another process: the CLI
                when = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
                log_touchpoint(conn, screen.account_id, "call", "Logged from the CLI", when)
            assert app.check_for_changes()
            await settle(pilot)
            assert len(runs) == scored + 1
            timeline = screen.query_one("#account-timeline", DataTable)
            details = [str(timeline.get_row_at(i)[2]) for i in range(timeline.row_count)]
            assert "Logged from the CLI" in details

    asyncio.run(scenario())
