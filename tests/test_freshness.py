"""A usage export older than the as-of date is said, not read as every customer's drop."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from textual.widgets import Static

from retention_tui.app import RetentionApp
from retention_tui.cli import cli
from retention_tui.commands import ACCOUNT_QUESTIONS
from retention_tui.config import defaults
from retention_tui.engine.freshness import stale_usage_note, usage_ends
from tests.conftest import SAMPLE_AS_OF
from tests.pilot import open_queue, press, settle

SAMPLE_DAY = date.fromisoformat(SAMPLE_AS_OF)  # the sample's usage ends that day
LATER = SAMPLE_DAY + timedelta(days=14)
NOTE = (
    "usage data ends 2026-11-20, 14 days before 2026-12-04: import a newer usage export "
    "(until then usage signals read the 14 missing days as a drop)"
)


def _events(*instants: datetime) -> pl.DataFrame:
    return pl.DataFrame({"occurred_at": list(instants)}, schema={"occurred_at": pl.Datetime("us")})


def test_the_usage_data_ends_on_the_newest_event_known_on_the_as_of_date() -> None:
    events = _events(datetime(2026, 5, 1, 9), datetime(2026, 5, 3, 23, 59), datetime(2026, 6, 1))
    assert usage_ends(events, date(2026, 5, 20)) == date(2026, 5, 3)  # June not known yet
    assert usage_ends(events, date(2026, 6, 1)) == date(2026, 6, 1)
    assert usage_ends(events, date(2026, 4, 30)) is None
    assert usage_ends(_events(), date(2026, 5, 20)) is None


def test_a_note_past_the_configured_days_only() -> None:
    cfg = defaults()
    days = cfg["windows"]["usage_stale"]
    ends = date(2026, 5, 3)
    assert stale_usage_note(ends, ends + timedelta(days=days), cfg) is None
    note = stale_usage_note(ends, ends + timedelta(days=days + 1), cfg)
    assert note is not None and note.startswith(f"usage data ends 2026-05-03, {days + 1} days")
    assert stale_usage_note(None, ends, cfg) is None  # no usage imported: nothing is late
    cfg["windows"]["usage_stale"] = 30
    assert stale_usage_note(ends, ends + timedelta(days=14), cfg) is None


def test_the_risk_report_and_score_say_so(runner: CliRunner, sample_db: Path) -> None:
    db = ["--db", str(sample_db)]
    late = runner.invoke(cli, ["report", "risk", *db, "--as-of", LATER.isoformat()])
    assert late.exit_code == 0, late.output
    assert late.stderr.splitlines() == [f"Note: {NOTE}"]
    scored = runner.invoke(cli, ["score", *db, "--as-of", LATER.isoformat()])
    assert scored.stderr.splitlines() == [f"Note: {NOTE}"]
    on_time = runner.invoke(cli, ["report", "risk", *db, "--as-of", SAMPLE_AS_OF])
    assert on_time.exit_code == 0 and on_time.stderr == ""


@pytest.mark.parametrize(
    "command",
    [
        ["account", "acc_0002", "score"],
        ["account", "acc_0002", "qbr"],
        ["report", "dashboard"],
        ["report", "expansion"],
    ],
)
def test_every_command_printing_a_score_run_says_so(
    runner: CliRunner, sample_db: Path, command: list[str]
) -> None:
    """A document or queue report read from this date's scores says so too, once."""
    args = [*command, "--db", str(sample_db), "--as-of"]
    late = runner.invoke(cli, [*args, LATER.isoformat()])
    assert late.exit_code == 0, late.output
    assert late.stderr.splitlines() == [f"Note: {NOTE}"]
    on_time = runner.invoke(cli, [*args, SAMPLE_AS_OF])
    assert on_time.exit_code == 0 and on_time.stderr == ""


def test_the_dashboard_the_lists_and_the_account_say_so(sample_db: Path) -> None:
    async def shown(as_of: date) -> tuple[str, str, str]:
        """The dashboard's headline, the at-risk queue's summary line, and its first
        account's score lines."""
        app = RetentionApp(sample_db, as_of=as_of)
        async with app.run_test(size=(130, 36)) as pilot:
            await settle(pilot)
            headline = str(app.screen.query_one("#dashboard-headline", Static).render())
            await press(pilot, "a")
            listed = str(app.screen.query_one(".list-summary", Static).render())
            assert listed.endswith(f"\nNote: {NOTE}") == (as_of == LATER), listed
            await open_queue(pilot, "1")
            summary = str(app.screen.query_one(".list-summary", Static).render())
            await press(pilot, "enter")
            score = str(app.screen.query_one("#account-score", Static).render())
            return headline, summary, score

    headline, summary, score = asyncio.run(shown(LATER))
    assert headline.splitlines()[1:] == [f"Note: {NOTE}"]
    assert summary.startswith("At risk: ") and summary.splitlines()[1:] == [f"Note: {NOTE}"]
    assert score.startswith("Health ") and score.splitlines()[-1] == f"Note: {NOTE}"
    assert "Note:" not in "".join(asyncio.run(shown(SAMPLE_DAY)))


@pytest.mark.parametrize("question", ACCOUNT_QUESTIONS)
def test_the_apps_account_documents_say_so(sample_db: Path, question: str) -> None:
    """The palette's documents of an account (QBR prep, save plan, ...) say it under their
    title, as the commands print it."""
    from retention_tui.commands import account_document
    from retention_tui.workspace import Workspace

    def shown(day: date) -> list[str]:
        build = account_document(question, "acc_0002", day)
        return build(Workspace(sample_db, day).get(0)).splitlines()

    late = shown(LATER)
    assert late[0].startswith("# ") and late[1:3] == ["", f"> Note: {NOTE}"]
    assert not any("Note:" in line for line in shown(SAMPLE_DAY))
