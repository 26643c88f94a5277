"""Undoing the last import (`retention imports undo`, db/undo.py): the database exactly as
it was before it, the user's work never lost, and refused when it cannot be done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import connect
from retention_tui.cli import cli
from tests.conftest import CANONICAL, FIXTURES, UNDO_RECORDS, database_digest
from tests.test_import_tools import ALL_TOOLS

TOOLS = FIXTURES / "tools"
# Caches and the undo records themselves: everything else must come back as it was.
CACHES = ("frame_blocks", "frame_blocks_kept", "frame_block_renames", "sqlite_sequence")
NOT_COMPARED = (*CACHES, *UNDO_RECORDS)


def content(db: Path) -> str:
    return database_digest(db, NOT_COMPARED, rowids=True)


def imported(runner: CliRunner, db: Path, *paths: Path) -> None:
    result = runner.invoke(cli, ["import", "-q", "--db", str(db), *map(str, paths)])
    assert result.exit_code == 0, result.output


def undo(runner: CliRunner, db: Path):
    return runner.invoke(cli, ["imports", "undo", "--yes", "--db", str(db)])


def test_undoing_imports_puts_the_database_back_as_it_was_each_time(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    imported(runner, db_path, *sorted(CANONICAL.glob("*.csv")))
    ours = content(db_path)
    imported(runner, db_path, *ALL_TOOLS)  # new accounts, links, waiting rows, matches
    tools = content(db_path)
    # a later export: changed rows (a price split off, a renamed company, a status), rows
    # that waited and now match
    subs = (TOOLS / "stripe" / "subscriptions.csv").read_text()
    changed = tmp_path / "subscriptions.csv"
    changed.write_text(subs.replace(",5,month,24.50,usd,", ",8,month,24.50,usd,"))
    customers = tmp_path / "unified_customers.csv"
    customers.write_text(
        (TOOLS / "stripe" / "unified_customers.csv")
        .read_text()
        .replace("Globex Corporation", "Globex Holdings")
    )
    imported(runner, db_path, changed, customers)
    assert content(db_path) != tools

    said = undo(runner, db_path)
    assert said.exit_code == 0, said.output
    assert said.output.startswith("Undid the import of unified_customers.csv, subscriptions.csv")
    assert content(db_path) == tools
    said = undo(runner, db_path)  # and the one before it
    assert said.exit_code == 0, said.output
    assert "  accounts: " in said.output
    assert content(db_path) == ours
    # the import log lists what is there
    log = runner.invoke(cli, ["imports", "--db", str(db_path), "--format", "csv"])
    assert "unified_customers.csv" not in log.output
    assert "accounts.csv" in log.output


def test_undo_is_refused_once_something_else_changed_or_the_users_work_is_there(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    connect(db_path).close()  # a database of no import yet
    said = undo(runner, db_path)
    assert (said.exit_code, said.output.strip()) == (2, "Error: there is no import to undo")
    c = sqlite3.connect(db_path)  # imports an earlier release made: in the log, not recorded
    c.execute(
        "INSERT INTO import_log (imported_at, file_name, file_path, sha256, format, entity, "
        "rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, "
        "ignored_columns, duration_ms) VALUES ('2026-11-01T00:00:00Z', 'old.csv', "
        "'/tmp/old.csv', '0', 'accounts', 'accounts', 1, 1, 0, 0, 0, '', 1)"
    )
    c.commit()
    c.close()
    said = undo(runner, db_path)
    assert "made by a release that did not record what they changed" in said.output
    imported(runner, db_path, CANONICAL / "accounts.csv")
    imported(runner, db_path, TOOLS / "stripe" / "unified_customers.csv")
    # a note on an account the last import made
    c = sqlite3.connect(db_path)
    (stripe_account,) = c.execute(
        "SELECT account_id FROM accounts WHERE source = 'stripe' LIMIT 1"
    ).fetchone()
    c.execute(
        "INSERT INTO notes (account_id, body, created_at) VALUES (?, 'called them', "
        "'2026-12-01T10:00:00Z')",
        (stripe_account,),
    )
    c.commit()
    before = content(db_path)
    said = undo(runner, db_path)
    assert said.exit_code == 2
    assert "added accounts or deals you have worked on since (notes of" in said.output
    assert content(db_path) == before
    c.execute("DELETE FROM notes")
    # an account merged since: the tables changed after the import
    c.execute("DELETE FROM account_links WHERE source = 'stripe'")
    c.commit()
    c.close()
    said = undo(runner, db_path)
    assert said.exit_code == 2
    assert "account_links changed since (only the last change can be undone)" in said.output


def test_undo_asks_first(db_path: Path, runner: CliRunner) -> None:
    imported(runner, db_path, CANONICAL / "accounts.csv")
    before = content(db_path)
    said = runner.invoke(cli, ["imports", "undo", "--db", str(db_path)], input="n\n")
    assert "Undo the import of accounts.csv (" in said.output
    assert said.exit_code == 1  # aborted
    assert content(db_path) == before
    said = runner.invoke(cli, ["imports", "undo", "--db", str(db_path)], input="y\n")
    assert said.exit_code == 0, said.output
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM accounts").fetchone() == (0,)


def test_a_dry_run_leaves_nothing_to_undo(db_path: Path, runner: CliRunner) -> None:
    said = runner.invoke(
        cli, ["import", "--dry-run", "--db", str(db_path), str(CANONICAL / "accounts.csv")]
    )
    assert said.exit_code == 0, said.output
    assert undo(runner, db_path).exit_code == 2


def test_U_in_the_import_log_undoes_the_last_import_after_asking(
    db_path: Path, runner: CliRunner
) -> None:
    import asyncio

    from textual.widgets import OptionList

    from retention_tui.app import RetentionApp
    from tests.pilot import settle
    from tests.test_tui import AS_OF, SIZE

    imported(runner, db_path, CANONICAL / "accounts.csv")
    ours = content(db_path)
    imported(runner, db_path, TOOLS / "stripe" / "unified_customers.csv")

    async def scenario() -> None:
        app = RetentionApp(db_path, as_of=AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l", "U")
            await app.workers.wait_for_complete()
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            assert str(options.get_option_at_index(1).prompt).startswith(
                "Yes, undo the import of unified_customers.csv ("
            )
            await pilot.press("down", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert list(app._notifications)[-1].message.startswith(
                "Undid the import of unified_customers.csv ("
            )
            await pilot.press("U")  # the one before it: escape keeps it
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()

    asyncio.run(scenario())
    assert content(db_path) == ours


def test_an_import_made_after_the_user_was_asked_is_not_undone_in_its_place(
    db_path: Path, runner: CliRunner
) -> None:
    from db import RetentionError, connect
    from db.undo import undo_last
    from retention_tui.import_summary import last_import_undo

    imported(runner, db_path, CANONICAL / "accounts.csv")
    conn = connect(db_path)
    asked, text = last_import_undo(conn)
    assert text.startswith("the import of accounts.csv (")
    imported(runner, db_path, TOOLS / "stripe" / "unified_customers.csv")  # meanwhile
    before = content(db_path)
    with pytest.raises(RetentionError, match=r"another import \(unified_customers.csv\) came"):
        undo_last(conn, asked)
    conn.close()
    assert content(db_path) == before


def test_undo_puts_back_a_number_to_its_last_digit(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """A changed row is kept as JSON, and SQLite writes a real in JSON to 15 significant
    digits: 0.30000000000000004 came back as 0.3. Reals are kept exactly now."""
    accounts = CANONICAL / "accounts.csv"
    header = "event_id,account_id,user_id,event,occurred_at,value\n"
    first = write_csv(
        "events.csv", header + "e1,acc_1,u1,export,2025-01-02T09:00:00Z,0.30000000000000004\n"
    )
    imported(runner, db_path, accounts, first)
    c = sqlite3.connect(db_path)
    assert c.execute("SELECT value FROM usage_events").fetchone() == (0.1 + 0.2,)
    c.close()
    before = content(db_path)
    imported(
        runner,
        db_path,
        write_csv("again.csv", header + "e1,acc_1,u1,export,2025-01-02T09:00:00Z,2\n"),
    )
    assert content(db_path) != before
    assert undo(runner, db_path).exit_code == 0
    assert content(db_path) == before
