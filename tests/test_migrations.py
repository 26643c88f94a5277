from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import db.migrate
from db import RetentionError, connect
from db.migrate import current_version, latest_version, migrations

CANONICAL_TABLES = {
    "accounts",
    "contacts",
    "subscription_periods",
    "invoices",
    "payment_attempts",
    "usage_events",
    "plan_limits",
    "tickets",
    "nps_responses",
    "touchpoints",
    "deals",
    "goals",
}
APP_TABLES = {
    "import_log",
    "score_snapshots",
    "risk_signals",
    "playbooks",
    "checklist_ticks",
    "notes",
    "snoozes",
    "schema_version",
}


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_empty_database_gets_every_table_and_the_latest_version(db_path: Path) -> None:
    conn = connect(db_path)
    assert tables(conn) >= CANONICAL_TABLES | APP_TABLES
    assert current_version(conn) == latest_version() == len(migrations())
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    conn.close()


def test_new_database_file_is_private_to_its_owner(db_path: Path) -> None:
    connect(db_path).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_reopening_applies_nothing_and_keeps_rows(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a', 'canonical', 'a', 'A', '2024-01-01')"
    )
    conn.close()
    conn = connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == latest_version()
    assert conn.execute("SELECT name FROM accounts").fetchall() == [("A",)]
    conn.close()
    assert not list(db_path.parent.glob("*.bak"))


def test_older_database_is_backed_up_then_upgraded(db_path: Path, monkeypatch, capsys) -> None:
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a', 'canonical', 'a', 'A', '2024-01-01')"
    )
    conn.close()
    shipped = migrations()
    extra = (
        len(shipped) + 1,
        f"{len(shipped) + 1:04d}_test.sql",
        "ALTER TABLE accounts ADD COLUMN nickname TEXT;",
    )
    monkeypatch.setattr(db.migrate, "migrations", lambda: [*shipped, extra])
    conn = connect(db_path)
    assert current_version(conn) == len(shipped) + 1
    assert capsys.readouterr().err == (
        f"Upgrading {db_path} from schema v{len(shipped)} to v{len(shipped) + 1} (the old one "
        f"is kept as {db_path.name}.v{len(shipped)}.bak) ...\n"
    )
    assert conn.execute("SELECT name, nickname FROM accounts").fetchall() == [("A", None)]
    conn.close()
    backup = db_path.with_name(f"{db_path.name}.v{len(shipped)}.bak")
    assert backup.exists()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(backup)
    assert "nickname" not in {r[1] for r in old.execute("PRAGMA table_info(accounts)")}
    assert old.execute("SELECT name FROM accounts").fetchall() == [("A",)]
    old.close()


def test_failed_migration_leaves_the_database_as_it_was(db_path: Path, monkeypatch) -> None:
    connect(db_path).close()
    shipped = migrations()
    broken = (
        len(shipped) + 1,
        "0099_broken.sql",
        "CREATE TABLE half_done (x INTEGER);\nALTER TABLE no_such_table ADD COLUMN y;",
    )
    monkeypatch.setattr(db.migrate, "migrations", lambda: [*shipped, broken])
    with pytest.raises(sqlite3.OperationalError):
        connect(db_path)
    monkeypatch.undo()
    conn = connect(db_path)
    assert "half_done" not in tables(conn)
    assert current_version(conn) == len(shipped)
    conn.close()


def test_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute("INSERT INTO schema_version VALUES (99, '0099_future.sql', '2030-01-01')")
    conn.close()
    with pytest.raises(RetentionError, match="newer version of retention"):
        connect(db_path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some text, not SQLite " * 100)
    with pytest.raises(RetentionError, match="not a retention database"):
        connect(path)


def test_someone_elses_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.close()
    with pytest.raises(RetentionError, match="not a retention database"):
        connect(path)


def test_migration_statements_split_on_semicolons_outside_comments() -> None:
    from db.migrate import _statements

    sql = "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT); -- tail\nCREATE TABLE b (y);\n"
    parts = _statements(sql)
    assert len(parts) == 2
    assert "CREATE TABLE a" in parts[0] and "CREATE TABLE b" not in parts[0]
    assert parts[1].strip() == "CREATE TABLE b (y);"


def _database_at(db_path: Path, monkeypatch, version: int, source: str) -> sqlite3.Connection:
    """A database made by the release of schema ``version``, holding account 'a' (of
    ``source``); the shipped migrations come back when it is opened again."""
    older = migrations()[:version]
    monkeypatch.setattr(db.migrate, "migrations", lambda: older)
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a', ?, 'a', 'A', '2024-01-01')",
        (source,),
    )
    return conn


def test_v6_keeps_usage_events_and_their_uniqueness_in_a_droppable_index(
    db_path: Path, monkeypatch
) -> None:
    conn = _database_at(db_path, monkeypatch, 5, "canonical")
    conn.executemany(
        "INSERT INTO usage_events (id, source, source_id, account_id, user_id, event, "
        "occurred_at) VALUES (?, 'canonical', ?, 'a', 'u1', 'login', ?)",
        [(7, "e1", "2026-01-01T00:00:00Z"), (9, "e2", "2026-01-02T00:00:00Z")],
    )
    before = conn.execute("SELECT * FROM usage_events ORDER BY id").fetchall()
    conn.close()
    monkeypatch.undo()
    conn = connect(db_path)
    assert current_version(conn) >= 6
    assert conn.execute("SELECT * FROM usage_events ORDER BY id").fetchall() == before
    names = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_events'"
        )
    }
    assert names == {"usage_events_source_id"}  # 0011 dropped the one by account
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO usage_events (source, source_id, account_id, event, occurred_at) "
            "VALUES ('canonical', 'e1', 'a', 'login', '2026-01-03T00:00:00Z')"
        )
    with pytest.raises(sqlite3.IntegrityError):  # the reference to accounts is kept
        conn.execute(
            "INSERT INTO usage_events (source, source_id, account_id, event, occurred_at) "
            "VALUES ('canonical', 'e3', 'nobody', 'login', '2026-01-03T00:00:00Z')"
        )
    conn.close()


def test_v15_mends_the_canceled_subscriptions_a_billing_export_gave(
    db_path: Path, monkeypatch
) -> None:
    """Imported before v15, a canceled Stripe subscription kept 'canceled' for its whole
    life (it never added MRR); our own files' periods say their status as it was."""
    conn = _database_at(db_path, monkeypatch, 14, "stripe")
    period = (
        "INSERT INTO subscription_periods (source, source_id, subscription_id, account_id, "
        "plan, status, billing_interval, amount_minor, currency, period_start, period_end) "
        "VALUES (?, ?, ?, 'a', 'pro', 'canceled', 'month', 9800, 'USD', '2024-03-20', ?)"
    )
    conn.execute(period, ("stripe", "sub_1/2024-03-20", "sub_1", "2024-05-20"))
    conn.execute(period, ("stripe", "sub_2/2024-03-20", "sub_2", None))  # no end: unknown
    conn.execute(period, ("canonical", "s3/2024-03-20", "s3", "2024-05-20"))
    conn.execute(period.replace("'canceled'", "'past_due'"), ("stripe", "sub_4/x", "sub_4", None))
    conn.commit()
    conn.close()
    monkeypatch.undo()
    told: list[str] = []
    connect(db_path, tell=told.append).close()
    assert told == [  # a past-due one's history needs the export again: said
        "Past-due, unpaid or paused Stripe or Chargebee subscriptions imported before this "
        "version (1): import the subscriptions export again so that their months before the "
        "current billing period count as paid (MRR, churn)."
    ]
    conn = connect(db_path)
    statuses = conn.execute(
        "SELECT source_id, status FROM subscription_periods ORDER BY source_id"
    ).fetchall()
    conn.close()
    assert statuses == [
        ("s3/2024-03-20", "canceled"),
        ("sub_1/2024-03-20", "active"),
        ("sub_2/2024-03-20", "canceled"),
        ("sub_4/x", "past_due"),
    ]


def test_v17_tells_to_import_the_invoices_again_where_some_may_have_failed(
    db_path: Path, monkeypatch, capsys
) -> None:
    """Unpaid Stripe or Chargebee invoices imported before v17 cannot say whether collecting
    them failed (the column is new): the upgrade says to import the export again; a book
    without such invoices is told nothing."""
    conn = _database_at(db_path, monkeypatch, 16, "stripe")
    invoice = (
        "INSERT INTO invoices (source, source_id, account_id, amount_minor, currency, status, "
        "issued_at) VALUES (?, ?, 'a', 9800, 'USD', ?, '2024-03-20T00:00:00Z')"
    )
    conn.execute(invoice, ("stripe", "in_1", "open"))
    conn.execute(invoice, ("stripe", "in_2", "paid"))
    conn.execute(invoice, ("canonical", "i3", "open"))
    conn.commit()
    conn.close()
    monkeypatch.undo()
    capsys.readouterr()
    connect(db_path).close()
    assert capsys.readouterr().err.splitlines()[1:] == [
        "Unpaid Stripe or Chargebee invoices imported before this version (1): import the "
        "invoices export again to see which ones failed to collect (failed payments, the "
        "payments queue)."
    ]
    connect(db_path).close()  # said once, by the upgrade
    assert capsys.readouterr().err == ""


def test_the_dashboard_says_what_the_upgrade_asks_instead_of_leaving_it_behind_the_screen(
    db_path: Path, monkeypatch, capsys
) -> None:
    """retention tui upgrades the book before the screen opens: a line on stderr would sit
    behind the dashboard until the user quits. The app is handed it and shows it."""
    from click.testing import CliRunner

    from retention_tui.app import RetentionApp
    from retention_tui.cli import cli

    conn = _database_at(db_path, monkeypatch, 16, "chargebee")
    conn.execute(
        "INSERT INTO invoices (source, source_id, account_id, amount_minor, currency, status, "
        "issued_at) VALUES ('chargebee', 'CB-1', 'a', 9800, 'USD', 'open', '2024-03-20T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    monkeypatch.undo()
    opened: list[tuple[str, ...]] = []
    monkeypatch.setattr(RetentionApp, "run", lambda app: opened.append(app.told))
    capsys.readouterr()
    result = CliRunner().invoke(cli, ["tui", "--db", str(db_path), "--as-of", "2024-04-01"])
    assert result.exit_code == 0, result.output
    assert opened == [
        (
            "Unpaid Stripe or Chargebee invoices imported before this version (1): import the "
            "invoices export again to see which ones failed to collect (failed payments, the "
            "payments queue).",
        )
    ]
    assert "Unpaid" not in capsys.readouterr().err + result.output


def test_v19_tells_to_import_the_crm_companies_again_to_tell_prospects(
    db_path: Path, monkeypatch
) -> None:
    """Accounts a CRM made before v19 cannot say whether it calls them prospects (the
    column is new): the upgrade says to import the companies export again."""
    conn = _database_at(db_path, monkeypatch, 18, "hubspot")
    conn.commit()
    conn.close()
    monkeypatch.undo()
    told: list[str] = []
    connect(db_path, tell=told.append).close()
    assert told == [
        "Accounts imported from HubSpot or Salesforce before this version (1): import the "
        "companies (accounts) export again to tell its prospects from your customers."
    ]


def test_an_upgrade_of_a_book_without_them_tells_nothing(
    db_path: Path, monkeypatch, capsys
) -> None:
    conn = _database_at(db_path, monkeypatch, 16, "canonical")
    conn.commit()
    conn.close()
    monkeypatch.undo()
    capsys.readouterr()
    connect(db_path).close()
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and said[0].startswith(f"Upgrading {db_path} from schema v16")
