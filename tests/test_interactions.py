"""Interactions a user logs (a call, an email...): saved as touchpoints the engine reads,
from the CLI and from the account screen, and kept through re-imports."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, OptionList

from db import connect
from db.errors import RetentionError
from db.work import hashtags, log_touchpoint, logged_at
from retention_tui.app import RetentionApp
from retention_tui.cli import cli
from tests.conftest import SAMPLE_AS_OF
from tests.pilot import open_first_account, settle

AS_OF = date.fromisoformat(SAMPLE_AS_OF)
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


def _logged(db: Path) -> list[tuple]:
    c = sqlite3.connect(db)
    try:
        return c.execute(
            "SELECT account_id, kind, direction, occurred_at, sentiment, tags, summary, "
            "contact_email FROM touchpoints WHERE source = 'retention' ORDER BY id"
        ).fetchall()
    finally:
        c.close()


def _signals(runner: CliRunner, db: Path, account_id: str) -> set[str]:
    args = ["report", "risk", "--db", str(db), "--as-of", SAMPLE_AS_OF, "--format", "json"]
    risk = json.loads(runner.invoke(cli, args).stdout)
    [row] = [r for r in risk if r["account_id"] == account_id] or [{"signals": ""}]
    return set(filter(None, row["signals"].split(", ")))


def test_hashtags_become_tags_once_each() -> None:
    assert hashtags("CFO: #Budget_Cut, looking at #competitor (#budget_cut again)") == (
        "budget_cut;competitor"
    )
    assert hashtags("no tags here") is None


def test_logged_on_a_past_day_is_dated_its_noon() -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert logged_at(None, now) == now
    assert logged_at(date(2026, 12, 1), now) == now
    assert logged_at(date(2026, 11, 20), now) == datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_a_bad_kind_or_sentiment_is_refused(db_path: Path) -> None:
    conn = connect(db_path)
    try:
        with pytest.raises(RetentionError, match="kind 'lunch': expected one of call"):
            log_touchpoint(conn, "a", "lunch", "", datetime.now(UTC))
        with pytest.raises(RetentionError, match="sentiment 'meh'"):
            log_touchpoint(conn, "a", "call", "", datetime.now(UTC), sentiment="meh")
    finally:
        conn.close()


def test_logging_from_the_cli_feeds_the_risk_signals_and_survives_a_reimport(
    runner: CliRunner, sample_db: Path
) -> None:
    account_id = "acc_0065"
    assert "budget_cut" not in _signals(runner, sample_db, account_id)
    args = ["account", account_id, "log", "call", "CFO: #budget_cut next quarter"]
    options = ["--db", str(sample_db), "--sentiment", "negative", "--on", SAMPLE_AS_OF]
    result = runner.invoke(cli, [*args, *options, "--contact", "Ana@Example.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Logged a call with ")
    expected = (
        account_id,
        "call",
        "outbound",
        f"{SAMPLE_AS_OF}T12:00:00Z",
        "negative",
        "budget_cut",
        "CFO: #budget_cut next quarter",
        "ana@example.com",
    )
    assert _logged(sample_db) == [expected]
    assert "budget_cut" in _signals(runner, sample_db, account_id)  # seed B: a budget cut
    args = ["account", account_id, "timeline", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    newest = json.loads(runner.invoke(cli, [*args, "--limit", "1", "--format", "json"]).stdout)
    assert newest == [
        {
            "when": f"{SAMPLE_AS_OF} 12:00",
            "what": "outbound call",
            "detail": "CFO: #budget_cut next quarter",  # its tag is in the text already
        }
    ]
    again = runner.invoke(
        cli, ["import", "-q", "--db", str(sample_db), str(SAMPLE_DIR / "touchpoints.csv")]
    )
    assert again.exit_code == 0, again.output
    assert _logged(sample_db) == [expected]


def test_the_cli_refuses_a_future_day_an_unknown_kind_and_account(
    runner: CliRunner, sample_db: Path
) -> None:
    base = ["account", "acc_0065", "log", "--db", str(sample_db)]
    future = runner.invoke(cli, [*base, "call", "--on", "2999-01-01"])
    assert future.exit_code == 2 and "2999-01-01 is in the future" in future.output
    kind = runner.invoke(cli, [*base, "lunch"])
    assert kind.exit_code == 2 and "'lunch' is not one of" in kind.output
    contact = runner.invoke(cli, [*base, "call", "--contact", "Ana at Acme"])
    assert contact.exit_code == 2
    assert "contact 'Ana at Acme': expected an email address" in contact.output
    nobody = runner.invoke(
        cli, ["account", "no such company", "log", "call", "--db", str(sample_db)]
    )
    assert nobody.exit_code == 2
    assert _logged(sample_db) == []


def test_logging_from_the_account_screen(scored_db: Path) -> None:
    async def scenario() -> tuple[str, list[str]]:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 40)) as pilot:
            screen = await open_first_account(pilot)
            await pilot.press("t")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = 2  # meeting
            await pilot.press("enter")
            await pilot.pause()
            app.screen.query_one(Input).value = "Kickoff with the new VP, #stakeholder_change"
            await pilot.press("enter")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = 1  # positive
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen
            timeline = screen.query_one("#account-timeline", DataTable)
            return screen.account_id, [str(c) for c in timeline.get_row_at(0)]

    account_id, newest = asyncio.run(scenario())
    [row] = _logged(scored_db)
    assert row[:6] == (
        account_id,
        "meeting",
        "outbound",
        f"{SAMPLE_AS_OF}T12:00:00Z",  # the dashboard looks at the sample's day
        "positive",
        "stakeholder_change",
    )
    assert newest[1] == "outbound meeting"
    assert newest[2].startswith("Kickoff with the new VP")


def test_escape_while_asked_how_it_went_still_saves_what_was_typed(scored_db: Path) -> None:
    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 40)) as pilot:
            await open_first_account(pilot)
            await pilot.press("t")
            await pilot.pause()
            await pilot.press("enter")  # call
            await pilot.pause()
            app.screen.query_one(Input).value = "Left a voicemail"
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await settle(pilot)

    asyncio.run(scenario())
    [row] = _logged(scored_db)
    assert (row[1], row[4], row[6]) == ("call", None, "Left a voicemail")


def _attended(db: Path) -> list[tuple]:
    c = sqlite3.connect(db)
    try:
        return c.execute(
            "SELECT kind, attended FROM touchpoints WHERE source = 'retention' ORDER BY id"
        ).fetchall()
    finally:
        c.close()


def test_a_missed_check_in_logged_from_the_cli_counts_as_missed(
    runner: CliRunner, sample_db: Path
) -> None:
    """Logged check-ins, meetings, QBRs and calls took place unless --missed: two missed
    check-ins fire missed_checkins; an email cannot be missed."""
    account = "acc_0119"
    assert "missed_checkins" not in _signals(runner, sample_db, account)
    base = ["account", account, "log", "--db", str(sample_db)]
    said = []
    for day, extra in (("2026-11-02", ["--missed"]), ("2026-11-16", ["--missed"]), ("", [])):
        on = ["--on", day] if day else ["--on", SAMPLE_AS_OF]
        result = runner.invoke(cli, [*base, "checkin", "Monthly check-in", *on, *extra])
        assert result.exit_code == 0, result.output
        said.append(result.output.split(" with ")[0])
    assert said == ["Logged a missed check-in"] * 2 + ["Logged a check-in"]
    assert "missed_checkins" in _signals(runner, sample_db, account)
    email = runner.invoke(cli, [*base, "email", "--missed"])
    assert email.exit_code == 2
    assert "an email cannot be missed; expected one of call, meeting, checkin, qbr" in (
        email.output
    )
    assert _attended(sample_db) == [("checkin", 0), ("checkin", 0), ("checkin", 1)]
    args = ["account", account, "timeline", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    timeline = json.loads(runner.invoke(cli, [*args, "--format", "json"]).stdout)
    missed = {r["what"] for r in timeline if r["detail"] == "Monthly check-in (missed)"}
    assert missed == {"outbound check-in"}  # as a person writes it, not 'checkin'


def test_a_call_that_did_not_reach_them_is_logged_missed_from_the_account_screen(
    scored_db: Path,
) -> None:
    """'How did it go?' offers 'missed' for a call, meeting, check-in or QBR (not for an
    email): such a call is no conversation with them."""

    async def scenario() -> tuple[list[str], list[str], str]:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 40)) as pilot:
            await open_first_account(pilot)
            asked = []
            for kind in (1, 0):  # an email first (cancelled at the question), then a call
                await pilot.press("t")
                await pilot.pause()
                app.screen.query_one(OptionList).highlighted = kind
                await pilot.press("enter")
                await pilot.pause()
                app.screen.query_one(Input).value = "Rang the CFO, voicemail"
                await pilot.press("enter")
                await pilot.pause()
                options = app.screen.query_one(OptionList)
                asked.append(
                    [
                        str(options.get_option_at_index(i).prompt)
                        for i in range(options.option_count)
                    ]
                )
                if kind == 1:
                    await pilot.press("escape")  # the email is saved as it is
                    await settle(pilot)
            options.highlighted = options.option_count - 1  # missed
            await pilot.press("enter")
            await settle(pilot)
            return asked[0], asked[1], list(app._notifications)[-1].message

    email_options, call_options, said = asyncio.run(scenario())
    assert "missed: they did not come or pick up" not in email_options
    assert call_options[-1] == "missed: they did not come or pick up"
    assert said.startswith("Logged the missed call")
    assert _attended(scored_db) == [("email", None), ("call", 0)]


def test_each_kind_is_said_as_a_sentence_says_it() -> None:
    """The log dialog's title and the CLI's answer ('Log an email', 'Logged a QBR')."""
    from db.work import a_kind

    said = [a_kind(k) for k in ("email", "checkin", "qbr", "call")]
    assert said == ["an email", "a check-in", "a QBR", "a call"]
    assert a_kind("email", missed=True) == "a missed email"


def test_an_interaction_logged_by_mistake_is_deleted_from_the_account_screen(
    scored_db: Path,
) -> None:
    """D on the account screen: pick one of the interactions logged with the account, say
    yes, and the scores read it no more; 'Keep it' keeps it; imported ones are not offered."""

    async def session(picks: list[tuple[str, str]]) -> tuple[str, list[str]]:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 40)) as pilot:
            screen = await open_first_account(pilot)
            offered: list[str] = []
            for pick, answer in picks:
                await pilot.press("D")
                await settle(pilot)
                options = app.screen.query_one(OptionList)
                offered = [str(options.get_option_at_index(i).prompt) for i in range(2)]
                options.highlighted = next(i for i, o in enumerate(offered) if pick in o)
                await pilot.press("enter")
                await pilot.pause()
                sure = app.screen.query_one(OptionList)
                sure.highlighted = 1 if answer == "yes" else 0
                await pilot.press("enter")
                await settle(pilot)
                assert app.screen is screen
            if not picks:  # nothing logged yet: said, no dialog
                await pilot.press("D")
                await settle(pilot)
                assert app.screen is screen
            return screen.account_id, offered

    account_id, _ = asyncio.run(session([]))
    with closing(connect(scored_db)) as conn:
        day = datetime(2026, 11, 19, 10, 2, tzinfo=UTC)
        wrong = "Wrong account: meant Acme"
        log_touchpoint(conn, account_id, "call", wrong, day, sentiment="negative")
        log_touchpoint(conn, account_id, "email", "Sent the QBR deck", day.replace(hour=11))
    _, offered = asyncio.run(session([("Wrong account", "no"), ("Wrong account", "yes")]))
    assert offered[1].startswith("2026-11-19 10:02 outbound call: Wrong account: meant Acme")
    assert [r[1] for r in _logged(scored_db)] == ["email"]


def test_an_interaction_logged_by_mistake_is_listed_and_deleted_from_the_cli(
    runner: CliRunner, sample_db: Path
) -> None:
    """'logged' lists what was logged with an account and the id 'unlog' takes; 'unlog'
    asks first, deletes only that one, and the risk signal it raised is gone; an id not
    logged with that account is refused, exit 2, nothing deleted."""
    account_id, db = "acc_0065", ["--db", str(sample_db)]
    on = ["--on", SAMPLE_AS_OF, *db]
    said = runner.invoke(cli, ["account", account_id, "log", "call", "#budget_cut", *on])
    kept = runner.invoke(cli, ["account", account_id, "log", "email", "QBR deck", *on])
    assert said.exit_code == kept.exit_code == 0
    listed = runner.invoke(cli, ["account", account_id, "logged", *db, "--format", "json"])
    rows = json.loads(listed.stdout)
    assert [(r["kind"], r["summary"]) for r in rows] == [
        ("email", "QBR deck"),
        ("call", "#budget_cut"),
    ]
    call_id = rows[1]["id"]  # newest first: the same day's, the last logged first
    assert f"as {call_id} " in said.stdout  # the log says the id to delete it by
    other = runner.invoke(cli, ["account", "acc_0001", "unlog", call_id, "--yes", *db])
    assert other.exit_code == 2 and f"no interaction '{call_id}' logged with" in other.output
    unlog = ["account", account_id, "unlog", call_id, *db]
    declined = runner.invoke(cli, unlog, input="n\n")
    assert declined.exit_code == 1 and "Delete " in declined.output
    assert len(_logged(sample_db)) == 2 and "budget_cut" in _signals(runner, sample_db, account_id)
    deleted = runner.invoke(cli, unlog, input="y\n")
    assert deleted.exit_code == 0 and "Deleted " in deleted.stdout
    assert [r[1] for r in _logged(sample_db)] == ["email"]
    assert "budget_cut" not in _signals(runner, sample_db, account_id)
