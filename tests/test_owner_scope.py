"""One owner's book: the dashboard, the queues and the accounts list narrowed to one
owner's accounts (o in the dashboard, `retention tui --owner`, 'view.owner')."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, OptionList

from db import connect
from db.errors import RetentionError
from db.queries import owned_records
from retention_tui.app import RetentionApp
from retention_tui.cli import cli
from retention_tui.cli.data import owner_shown
from retention_tui.config import load as load_config
from retention_tui.overview import accounts_overview
from retention_tui.owner_scope import choices, narrow, narrow_tables, owners, resolve
from retention_tui.queue_views import BUILTIN
from retention_tui.screens.accounts import AccountsScreen
from retention_tui.screens.dashboard import health_figures, queue_counts, revenue_figures
from retention_tui.workspace import Workspace
from tests.pilot import press, settle
from tests.test_tui import AS_OF, SIZE, async_test

ACCOUNTS = pl.DataFrame(
    {
        "account_id": ["a1", "a2", "a3", "a4", "a5"],
        "owner": ["Dana Lee", "Dana Lee", "Danielle Park", None, "  "],
    }
)
# Who owns what, as db.queries.owned_records reads it: the accounts above and three
# closed-lost deals, two of them an AE's.
RECORDS = pl.concat(
    [
        ACCOUNTS.select("owner", kind=pl.lit("account")),
        pl.DataFrame({"owner": ["Sam Park", "Sam Park", "Danielle Park"], "kind": ["deal"] * 3}),
    ]
)


def test_owners_are_listed_most_owned_first_without_blank_ones() -> None:
    assert owners(RECORDS) == [("Dana Lee", 2, 0), ("Danielle Park", 1, 1), ("Sam Park", 0, 2)]


def test_the_picker_offers_everyone_then_each_owner_marking_the_one_shown() -> None:
    assert choices(RECORDS, "Sam Park") == [
        ("", "Everyone (5 accounts)"),
        ("Dana Lee", "Dana Lee (2 accounts)"),
        ("Danielle Park", "Danielle Park (1 account, 1 deal)"),
        ("Sam Park", "Sam Park (2 deals) · shown"),
    ]
    assert choices(RECORDS, None)[0] == ("", "Everyone (5 accounts) · shown")


def test_an_owner_is_named_by_any_case_or_by_part_of_the_name() -> None:
    assert resolve(RECORDS, "dana lee") == "Dana Lee"
    assert resolve(RECORDS, " danielle ") == "Danielle Park"
    assert resolve(RECORDS, "Lee") == "Dana Lee"
    assert resolve(RECORDS, "sam") == "Sam Park"  # an AE: owns deals only


def test_an_unknown_or_ambiguous_owner_is_an_error_naming_the_owners() -> None:
    with pytest.raises(RetentionError, match="could be Dana Lee, Danielle Park: say which"):
        resolve(RECORDS, "dan")
    with pytest.raises(RetentionError, match="owners: Dana Lee, Danielle Park, Sam Park"):
        resolve(RECORDS, "Tom")
    with pytest.raises(RetentionError, match="no account or deal has an owner yet"):
        resolve(RECORDS.head(0), "Tom")


def test_narrowing_keeps_the_owners_rows_and_every_row_for_everyone() -> None:
    assert narrow(ACCOUNTS, None) is ACCOUNTS
    assert narrow(ACCOUNTS, "Dana Lee")["account_id"].to_list() == ["a1", "a2"]
    tables = {
        "accounts": ACCOUNTS,
        "invoices": pl.DataFrame({"account_id": ["a1", "a3", "a1", "a4"], "n": [1, 2, 3, 4]}),
        "plan_limits": pl.DataFrame({"plan": ["growth"]}),  # no account: kept whole
    }
    mine = narrow_tables(tables, "Dana Lee")
    assert mine["invoices"]["n"].to_list() == [1, 3]
    assert mine["accounts"]["account_id"].to_list() == ["a1", "a2"]
    assert mine["plan_limits"].equals(tables["plan_limits"])
    assert narrow_tables(tables, None) is tables


@pytest.fixture
def scored(scored_db: Path):
    """The sample book scored as the dashboard scores it (not named `snapshot`: that is
    the snapshot tests' fixture)."""
    return Workspace(scored_db, AS_OF).get(0)


def test_an_owners_figures_are_their_accounts_share_of_the_whole_books(
    scored, scored_db: Path
) -> None:
    snapshot = scored
    owner = "Dana Lee"
    with closing(connect(scored_db)) as conn:
        overview = accounts_overview(conn, AS_OF, snapshot.cfg, snapshot.tables)
    mine = overview.filter(pl.col("owner") == owner)
    assert 0 < mine.height < overview.height
    paying = int(mine.filter(pl.col("status") == "paying")["mrr_base"].sum())
    assert revenue_figures(snapshot.book, AS_OF, owner)["headline"].startswith(
        f"MRR ${paying / 100:,.0f} "
    )
    assert not revenue_figures(snapshot.book, AS_OF)["headline"].startswith(
        f"MRR ${paying / 100:,.0f} "
    )
    scored_mine = snapshot.run.scores.filter(
        pl.col("account_id").is_in(mine["account_id"].implode())
    )
    tiers = health_figures(snapshot, AS_OF, owner)["tiers"]
    assert sum(n for _, n, _, _ in tiers) == scored_mine.height
    due = snapshot.run.risks.filter(
        (pl.col("respond_by") <= AS_OF) & pl.col("account_id").is_in(mine["account_id"].implode())
    )
    assert health_figures(snapshot, AS_OF, owner)["due_count"] == due.height


def test_an_owners_queues_are_the_whole_books_rows_they_own(scored) -> None:
    """Scored and queued on the whole book, then narrowed: the top-5% usage trigger of
    expansion compares an account with every account, not only with the owner's."""
    snapshot = scored
    owner = "Dana Lee"
    counts = dict(queue_counts(snapshot, AS_OF, BUILTIN, owner))
    everyone = dict(queue_counts(snapshot, AS_OF, BUILTIN))
    for q in BUILTIN:
        rows = q.build(snapshot, AS_OF)
        label = f"{q.key}  {q.title}"
        assert counts[label] == rows.filter(pl.col("owner") == owner).height
        assert everyone[label] == rows.height
    assert 0 < sum(counts.values()) < sum(everyone.values())


@async_test
async def test_o_picks_whose_accounts_every_screen_shows(scored_db: Path) -> None:
    with closing(sqlite3.connect(scored_db)) as conn:
        (dana,) = conn.execute("SELECT COUNT(*) FROM accounts WHERE owner = 'Dana Lee'").fetchone()
    app = RetentionApp(scored_db, as_of=AS_OF, owner="Dana Lee")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.sub_title.endswith("· owner: Dana Lee")
        tiers = app.screen.query_one("#dashboard-tiers", DataTable)
        scored = sum(int(str(tiers.get_row_at(i)[1])) for i in range(tiers.row_count))
        assert 0 < scored <= dana
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert app.screen.rows.height == dana
        assert set(app.screen.rows["owner"].to_list()) == {"Dana Lee"}
        await pilot.press("o")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == "Everyone (320 accounts)"
        assert f"Dana Lee ({dana} accounts) · shown" in labels
        assert any(label.endswith(" deals)") for label in labels)  # the AEs of win-back
        await pilot.press("enter")  # Everyone, the first
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert app.owner is None and "owner" not in app.sub_title
        assert app.screen.rows.height == 320
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # the second owner listed
        await settle(pilot)
        with closing(sqlite3.connect(scored_db)) as conn:
            second = owners(owned_records(conn))[1][0]
        assert app.owner == second
        assert set(app.screen.rows["owner"].to_list()) == {second}
        await pilot.press("d")  # the dashboard, loaded for everyone, reloads for them
        await settle(pilot)
        queues = app.screen.query_one("#dashboard-queues", DataTable)
        snapshot = app.workspace.get(app.data_version)
        expected = queue_counts(snapshot, AS_OF, app.queues, second)
        assert [
            (str(queues.get_row_at(i)[0]), int(str(queues.get_row_at(i)[1])))
            for i in range(queues.row_count)
        ] == expected


@async_test
async def test_the_command_palette_picks_an_owner_too(scored_db: Path) -> None:
    from textual.command import CommandPalette

    app = RetentionApp(scored_db, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "a")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"owner: dana lee")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.owner == "Dana Lee"
        assert isinstance(app.screen, AccountsScreen)
        assert set(app.screen.rows["owner"].to_list()) == {"Dana Lee"}
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"owner: everyone")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.owner is None
        assert app.screen.rows.height == 320


def test_dashboard_of_one_owner_snapshot(snap_compare, scored_db: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)

    app = RetentionApp(scored_db, as_of=AS_OF, owner="Priya Shah")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_owner_shown_comes_from_the_option_else_the_config(scored_db: Path) -> None:
    with closing(connect(scored_db)) as conn:
        assert owner_shown(conn, scored_db, None) is None
        assert owner_shown(conn, scored_db, "dana") == "Dana Lee"
        scored_db.with_name("retention.toml").write_text('[view]\nowner = "priya"\n')
        assert load_config(scored_db)["view"]["owner"] == "priya"
        assert owner_shown(conn, scored_db, None) == "Priya Shah"
        assert owner_shown(conn, scored_db, "") is None  # --owner "": everyone's
        assert owner_shown(conn, scored_db, "tom") == "Tom Becker"


def test_an_owner_no_account_has_is_a_clear_error(runner, scored_db: Path) -> None:
    result = runner.invoke(cli, ["--db", str(scored_db), "tui", "--owner", "Nobody"])
    assert result.exit_code == 2
    assert "--owner: nothing is owned by 'Nobody'; owners: " in result.output
    assert "Dana Lee" in result.output
    scored_db.with_name("retention.toml").write_text('[view]\nowner = "a"\n')
    result = runner.invoke(cli, ["--db", str(scored_db), "tui"])
    assert result.exit_code == 2
    assert "retention.toml: 'view.owner': owner 'a' could be " in result.output


def test_reports_narrow_to_one_owner(runner, scored_db: Path) -> None:
    def rows(*args: str) -> list[dict]:
        result = runner.invoke(
            cli,
            ["--db", str(scored_db), "report", *args, "--as-of", "2026-11-20", "--format", "json"],
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    everyone = rows("risk")
    danas = rows("risk", "--owner", "dana")
    assert danas == [r for r in everyone if r["owner"] == "Dana Lee"] and danas
    deals = rows("winback")
    sams = rows("winback", "--owner", "SAM PARK")  # an AE: their lost deals
    assert sams == [r for r in deals if r["owner"] == "Sam Park"] and 0 < len(sams) < len(deals)
    table = runner.invoke(
        cli,
        ["--db", str(scored_db), "report", "payments", "--owner", "Priya", "--as-of", "2026-11-20"],
    )
    assert table.output.startswith("Payments as of 2026-11-20 · owner: Priya Shah: ")
    alerts = rows("alerts")
    toms = rows("alerts", "--owner", "tom")
    assert toms == [r for r in alerts if r["owner"] == "Tom Becker"] and 0 < len(toms) < len(alerts)
    wrong = runner.invoke(cli, ["--db", str(scored_db), "report", "renewals", "--owner", "zed"])
    assert wrong.exit_code == 2 and "--owner: nothing is owned by 'zed'" in wrong.output
