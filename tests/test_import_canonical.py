"""Round trip of every canonical entity, idempotent re-import, dry run, the import log."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from importers.canonical import FORMATS
from importers.run import import_files
from tests.conftest import CANONICAL, UNDO_RECORDS, database_digest

ALL_FILES = sorted(CANONICAL.glob("*.csv"))
# What a database records of its history besides the data: its imports' files and
# times, when each migration ran.
LOGS = (*UNDO_RECORDS, "import_log", "schema_version")


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def test_every_canonical_format_has_a_fixture() -> None:
    assert {f.name for f in FORMATS} == {p.stem for p in ALL_FILES}


def test_import_all_files_in_any_order(conn: sqlite3.Connection) -> None:
    # Given in reverse order: accounts must still be written before what refers to them.
    results = import_files(conn, list(reversed(ALL_FILES)))
    assert [r.entity for r in results][:2] == ["accounts", "plan_limits"]
    assert {r.path.name: r.inserted for r in results} == {
        "accounts.csv": 3,
        "contacts.csv": 3,
        "subscriptions.csv": 5,
        "invoices.csv": 3,
        "payments.csv": 3,
        "usage_events.csv": 4,
        "plan_limits.csv": 2,
        "tickets.csv": 2,
        "nps.csv": 2,
        "touchpoints.csv": 2,
        "deals.csv": 2,
        "goals.csv": 1,
    }


def test_accounts_round_trip_values(conn: sqlite3.Connection) -> None:
    import_files(conn, [CANONICAL / "accounts.csv"])
    got = rows(
        conn,
        "SELECT account_id, source, source_id, name, domain, segment, employees, "
        "created_at, renewal_date, contract_value_minor, currency FROM accounts "
        "ORDER BY account_id",
    )
    assert got == [
        (
            "acc_1",
            "canonical",
            "acc_1",
            "Acme Corp",
            "acme.com",
            "mid_market",
            120,
            "2024-03-14",
            "2026-03-14",
            2_400_000,
            "USD",
        ),
        # Quoted comma kept, domain and segment lower-cased, whole-dollar amount read exactly.
        (
            "acc_2",
            "canonical",
            "acc_2",
            "Globex, Inc.",
            "globex.com",
            "enterprise",
            5000,
            "2023-11-01",
            "2026-11-01",
            15_000_000,
            "USD",
        ),
        # Yen have no minor unit: 600000 JPY is 600000, not 60000000.
        (
            "acc_3",
            "canonical",
            "acc_3",
            "Initech KK",
            "initech.jp",
            "smb",
            12,
            "2025-01-10",
            None,
            600_000,
            "JPY",
        ),
    ]


def test_every_entity_round_trips(conn: sqlite3.Connection) -> None:
    import_files(conn, ALL_FILES)
    assert rows(
        conn,
        "SELECT source_id, account_id, email, is_champion, champion_strength, "
        "is_decision_maker, left_company_at FROM contacts ORDER BY source_id",
    ) == [
        ("con_1", "acc_1", "ana.ruiz@acme.com", 1, "strong", 0, None),
        ("con_2", "acc_1", "ben@acme.com", 0, None, 1, None),
        ("con_3", "acc_2", "chloe@globex.com", 1, "moderate", 0, "2025-06-30"),
    ]
    assert rows(
        conn,
        "SELECT source_id, status, billing_interval, amount_minor, quantity, "
        "period_start, period_end FROM subscription_periods ORDER BY source_id",
    ) == [
        ("sub_1/2024-03-14", "trialing", "month", 0, 5, "2024-03-14", "2024-03-28"),
        ("sub_1/2024-03-28", "active", "month", 49_000, 5, "2024-03-28", "2025-01-01"),
        ("sub_1/2025-01-01", "active", "month", 69_000, 7, "2025-01-01", None),
        ("sub_2/2023-11-01", "active", "year", 15_000_000, 100, "2023-11-01", None),
        ("sub_3/2025-01-10", "active", "quarter", 15_000, 1, "2025-01-10", "2025-07-10"),
    ]
    # Every accepted time form is stored as UTC ISO-8601; an offset is converted.
    assert rows(
        conn,
        "SELECT source_id, issued_at, due_at, paid_at, status FROM invoices ORDER BY source_id",
    ) == [
        ("inv_1", "2025-01-01T00:00:00Z", "2025-01-01", "2025-01-01T00:03:10Z", "paid"),
        ("inv_2", "2025-02-01T00:00:00Z", "2025-02-01", None, "open"),
        ("inv_3", "2024-11-01T08:00:00Z", "2024-11-15", "2024-11-10T00:00:00Z", "paid"),
    ]
    assert rows(
        conn,
        "SELECT source_id, invoice_id, outcome, failure_reason, card_expires_on FROM "
        "payment_attempts ORDER BY source_id",
    ) == [
        ("pay_1", "inv_1", "succeeded", None, "2027-03-31"),  # a card is valid all its month
        ("pay_2", "inv_2", "failed", "insufficient_funds", "2027-03-31"),  # written 03/27
        ("pay_3", "inv_2", "failed", "insufficient_funds", None),
    ]
    assert rows(
        conn, "SELECT source_id, event, occurred_at, value FROM usage_events ORDER BY source_id"
    ) == [
        ("evt_1", "login", "2025-01-02T09:00:00Z", 1.0),
        ("evt_2", "report_created", "2025-01-02T09:05:00Z", 1.0),
        ("evt_3", "api_call", "2025-01-02T10:00:00Z", 250.0),
        ("evt_4", "export_csv", "2025-01-03T00:00:00Z", 1.0),
    ]
    assert rows(
        conn, "SELECT source_id, plan, metric, limit_value, per FROM plan_limits ORDER BY source_id"
    ) == [
        ("growth/api_call", "growth", "api_call", 20000.0, "month"),
        ("starter/seats", "starter", "seats", 5.0, "total"),
    ]
    assert rows(
        conn, "SELECT source_id, subject, priority, status, csat FROM tickets ORDER BY source_id"
    ) == [
        ("tkt_1", "Export is slow, again", "high", "solved", 4),
        ("tkt_2", "Line one\nline two", "urgent", "open", None),
    ]
    assert rows(
        conn, "SELECT source_id, score, comment, responded_at FROM nps_responses ORDER BY source_id"
    ) == [
        ("nps_1", 9, "Saves us hours, every week", "2025-01-10T12:00:00Z"),
        ("nps_2", 4, "Too expensive", "2025-01-11T00:00:00Z"),
    ]
    assert rows(
        conn,
        "SELECT source_id, kind, replied_at, attended, sentiment, tags FROM "
        "touchpoints ORDER BY source_id",
    ) == [
        ("tp_1", "email", "2025-01-04T08:00:00Z", None, "positive", None),
        ("tp_2", "checkin", None, 0, "negative", "competitor;budget_cut"),
    ]
    assert rows(
        conn,
        "SELECT source_id, account_id, stage, stage_reached, amount_minor, "
        "lost_reason, company_trajectory FROM deals ORDER BY source_id",
    ) == [
        ("deal_1", "acc_1", "closed_won", "negotiation", 2_400_000, None, None),
        ("deal_2", None, "closed_lost", "proposal", 9_000_000, "competitor", "growing"),
    ]
    assert rows(conn, "SELECT source_id, status, roi FROM goals") == [
        ("goal_1", "on_track", "probable")
    ]


def test_reimporting_the_same_files_changes_nothing(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    import_files(conn, ALL_FILES)
    conn.execute("DELETE FROM import_log")
    before = database_digest(db_path)
    results = import_files(conn, ALL_FILES)
    assert all(r.inserted == 0 and r.updated == 0 for r in results)
    assert all(r.unchanged == r.rows_read for r in results)
    conn.execute("DELETE FROM import_log")
    assert database_digest(db_path) == before


def test_overlapping_export_updates_and_inserts_without_duplicates(
    conn: sqlite3.Connection, write_csv
) -> None:
    import_files(conn, [CANONICAL / "accounts.csv"])
    newer = write_csv(
        "accounts.csv",
        "account_id,name,created_at,segment\n"
        "acc_1,Acme Corporation,2024-03-14,mid_market\n"  # renamed
        'acc_2,"Globex, Inc.",2023-11-01,enterprise\n'  # same values as before
        "acc_4,Umbrella,2025-02-02,smb\n",  # new
    )
    [result] = import_files(conn, [newer])
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    # Columns the file does not have (domain, currency...) keep the values they had.
    assert rows(
        conn, "SELECT account_id, name, domain, currency FROM accounts ORDER BY account_id"
    ) == [
        ("acc_1", "Acme Corporation", "acme.com", "USD"),
        ("acc_2", "Globex, Inc.", "globex.com", "USD"),
        ("acc_3", "Initech KK", "initech.jp", "JPY"),
        ("acc_4", "Umbrella", None, "USD"),
    ]


def test_exact_duplicate_rows_are_skipped_and_counted(conn: sqlite3.Connection, write_csv) -> None:
    path = write_csv(
        "accounts.csv",
        "account_id,name,created_at\na,A,2024-01-01\na,A,2024-01-01\nb,B,2024-01-02\n",
    )
    [r] = import_files(conn, [path])
    assert (r.rows_read, r.inserted, r.rejected) == (3, 2, 1)


def test_dry_run_reports_counts_and_writes_nothing(conn: sqlite3.Connection, db_path: Path) -> None:
    before = database_digest(db_path)
    results = import_files(conn, ALL_FILES, dry_run=True)
    assert sum(r.inserted for r in results) == 32
    assert database_digest(db_path) == before


def test_every_import_is_logged(conn: sqlite3.Connection) -> None:
    import_files(conn, [CANONICAL / "accounts.csv", CANONICAL / "contacts.csv"])
    import_files(conn, [CANONICAL / "accounts.csv"])
    log = rows(
        conn,
        "SELECT file_name, format, entity, rows_read, rows_inserted, rows_updated, "
        "rows_unchanged, rows_rejected, length(sha256), duration_ms >= 0 "
        "FROM import_log ORDER BY id",
    )
    assert log == [
        ("accounts.csv", "canonical.accounts", "accounts", 3, 3, 0, 0, 0, 64, 1),
        ("contacts.csv", "canonical.contacts", "contacts", 3, 3, 0, 0, 0, 64, 1),
        ("accounts.csv", "canonical.accounts", "accounts", 3, 0, 0, 3, 0, 64, 1),
    ]


@pytest.mark.parametrize("variant", ["bom", "crlf", "semicolon", "reordered", "extra", "blank"])
def test_real_world_file_shapes(conn: sqlite3.Connection, write_csv, variant: str) -> None:
    header, row1, row2 = "account_id,name,created_at", "a,Acme,2024-01-01", "b,Beta,2024-02-01"
    text = f"{header}\n{row1}\n{row2}\n"
    if variant == "bom":
        data: str | bytes = b"\xef\xbb\xbf" + text.encode()
    elif variant == "crlf":
        data = text.replace("\n", "\r\n")
    elif variant == "semicolon":
        data = text.replace(",", ";")
    elif variant == "reordered":
        data = "created_at,name,account_id\n2024-01-01,Acme,a\n2024-02-01,Beta,b\n"
    elif variant == "extra":
        data = (
            "account_id,name,created_at,Favourite Colour\na,Acme,2024-01-01,red\n"
            "b,Beta,2024-02-01,blue\n"
        )
    else:
        data = f"{header}\n{row1}\n\n{row2}\n\n\n"
    [r] = import_files(conn, [write_csv("accounts.csv", data)])
    assert r.inserted == 2
    assert r.ignored_columns == (("Favourite Colour",) if variant == "extra" else ())
    assert rows(conn, "SELECT account_id, name, created_at FROM accounts ORDER BY 1") == [
        ("a", "Acme", "2024-01-01"),
        ("b", "Beta", "2024-02-01"),
    ]


# Our files opened in Excel and saved again as "CSV" (Windows-1252, CRLF): dates as the
# locale writes them, numbers without their trailing zeros, TRUE/FALSE; in a German
# locale ';'-separated, dates day-first with dots, decimal commas. (payments.csv is left
# out: Excel turns a card expiry like 03/27 into a date of this year.)
@pytest.mark.parametrize("locale", ["us", "de", "uk"])
def test_files_saved_again_by_excel_import_the_same(tmp_path: Path, locale: str) -> None:
    from db import connect

    saved = sorted((CANONICAL.parent / "canonical_excel" / locale).glob("*.csv"))
    assert len(saved) == len(ALL_FILES) - 1
    digests = []
    for name, files in (("ours", [CANONICAL / p.name for p in saved]), (locale, saved)):
        c = connect(tmp_path / f"{name}.db")
        try:
            import_files(c, files)
        finally:
            c.close()
        digests.append(database_digest(tmp_path / f"{name}.db", leave_out=LOGS))
    assert digests[0] == digests[1]


def test_a_day_first_locales_files_are_read_day_first_and_say_so(tmp_path: Path) -> None:
    """A UK locale's files: its accounts.csv has 14/03/2024, so the answers file of the same
    import, whose one slashed date is 11/01/2025, is January 11 too; beside a US file
    (3/14/2024) it could be either, and is read month-first, as it always was."""
    from db import connect

    uk = CANONICAL.parent / "canonical_excel" / "uk"
    us = CANONICAL.parent / "canonical_excel" / "us"
    answered = "SELECT substr(responded_at, 1, 10) FROM nps_responses WHERE source_id = 'nps_2'"
    for files, day in (
        ([uk / "accounts.csv", uk / "nps.csv"], "2025-01-11"),
        ([uk / "nps.csv", us / "accounts.csv", uk / "subscriptions.csv"], "2025-11-01"),
    ):
        c = connect(tmp_path / f"{len(files)}.db")
        try:
            results = {r.path.name: r for r in import_files(c, files)}
            assert c.execute(answered).fetchone() == (day,)
        finally:
            c.close()
    assert results["subscriptions.csv"].date_order == "day"
    assert results["accounts.csv"].date_order == "month"
    assert results["nps.csv"].date_order == "either"
    from retention_tui.import_summary import file_summary

    said = "  read its dates day-first, as its locale writes them (14/03/2024)"
    assert said in file_summary(results["subscriptions.csv"])
    assert said not in file_summary(results["accounts.csv"])
    assert (
        "  read its dates month-first (01/02/2024 as January 2): none could only be one way; "
        'to read them day-first, set [import] dates = "day-first" in retention.toml (or '
        "import --dates day-first)"
    ) in file_summary(results["nps.csv"])


def test_the_user_names_the_order_of_slashed_dates(tmp_path: Path) -> None:
    """[import] dates = "day-first" in retention.toml reads a file whose dates could be
    either way day-first (a UK user's nps.csv imported alone), in the CLI and the app
    alike; --dates month-first overrides it and refuses a day-first file's 14/03/2024,
    the database unchanged. A setting of another word is refused."""
    from click.testing import CliRunner

    from retention_tui.cli import cli

    uk = CANONICAL.parent / "canonical_excel" / "uk"
    db = tmp_path / "r.db"

    def run(*args: str):
        return CliRunner().invoke(cli, ["import", "-q", "--db", str(db), *args])

    assert run(str(uk / "accounts.csv")).exit_code == 0
    settings = db.with_name("retention.toml")
    settings.write_text('[import]\ndates = "day-first"\n')
    assert run(str(uk / "nps.csv")).exit_code == 0
    with closing(sqlite3.connect(db)) as c:
        got = c.execute(
            "SELECT substr(responded_at, 1, 10) FROM nps_responses WHERE source_id = 'nps_2'"
        ).fetchone()
    assert got == ("2025-01-11",)
    before = database_digest(db)
    refused = run("--dates", "month-first", str(uk / "subscriptions.csv"))
    assert refused.exit_code == 2
    assert "column 'period_start': got '14/03/2024'" in refused.output
    assert database_digest(db) == before
    settings.write_text('[import]\ndates = "dd/mm"\n')
    refused = run(str(uk / "nps.csv"))
    assert refused.exit_code == 2
    assert '\'import.dates\' must be "day-first", "month-first" or ""' in refused.output


def test_forced_format(conn: sqlite3.Connection, write_csv) -> None:
    path = write_csv("export.csv", "account_id,name,created_at\na,Acme,2024-01-01\n")
    [r] = import_files(conn, [path], format_name="accounts")
    assert r.format == "canonical.accounts"


def test_sample_files_imported_twice_leave_the_same_counts(sample_db: Path) -> None:
    from db import connect
    from db.queries import table_counts
    from retention_tui.paths import sample_data_dir

    conn = connect(sample_db)
    before = table_counts(conn)
    import_files(conn, sorted(sample_data_dir().glob("*.csv")))
    assert table_counts(conn) == before
    assert before["usage_events"] >= 200_000
    conn.close()


def test_a_few_rows_into_a_big_table_are_written_in_key_order(
    conn: sqlite3.Connection, write_csv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small file into a table holding many more rows is written in the order of its
    (source, source_id) key (the key's index then takes them in order); a file about the
    table's size in its own order (its rows, mostly there already, are read in theirs)."""
    import importers.run

    monkeypatch.setattr(importers.run, "KEY_ORDER_RATIO", 2)
    import_files(conn, [CANONICAL / "accounts.csv", CANONICAL / "usage_events.csv"])
    account = rows(conn, "SELECT account_id FROM accounts ORDER BY account_id")[0][0]
    header = "event_id,account_id,user_id,event,occurred_at\n"

    def events(*ids: str) -> str:
        return header + "".join(
            f"{i},{account},u1,login,2026-11-0{n + 1}T10:00:00Z\n" for n, i in enumerate(ids)
        )

    def written(*ids: str) -> list[str]:
        return [
            r[0]
            for r in rows(
                conn,
                "SELECT source_id FROM usage_events WHERE source_id IN "
                f"({','.join(repr(i) for i in ids)}) ORDER BY id",
            )
        ]

    import_files(conn, [write_csv("few.csv", events("zz", "yy"))])  # 2 x 2 <= the 4 held
    assert written("zz", "yy") == ["yy", "zz"]
    import_files(conn, [write_csv("many.csv", events("ww", "vv", "uu", "tt"))])  # 8 > 6 held
    assert written("ww", "vv", "uu", "tt") == ["ww", "vv", "uu", "tt"]


@pytest.mark.parametrize("fresh", [True, False])
def test_files_of_many_statements_land_whole_and_in_order(
    conn: sqlite3.Connection, write_csv, fresh: bool
) -> None:
    """Rows go to SQLite a statement of many rows at a time (db.write.ROWS_PER_STATEMENT);
    a file of two and a half statements' rows lands whole, every value in its column, in
    the file's order, and again with some rows changed and some new counts each kind."""
    from db.write import ROWS_PER_STATEMENT

    import_files(conn, [CANONICAL / "accounts.csv"])
    if not fresh:  # the source has rows already: upserts, not plain inserts
        import_files(conn, [CANONICAL / "usage_events.csv"])
    account = rows(conn, "SELECT account_id FROM accounts ORDER BY account_id")[0][0]
    n = ROWS_PER_STATEMENT * 5 // 2
    header = "event_id,account_id,user_id,event,occurred_at,value\n"

    def line(i: int, value: int) -> str:
        return f"many{n - i:04d},{account},u{i % 7},login,2026-11-01T10:{i % 60:02d}:00Z,{value}\n"

    first = write_csv("events.csv", header + "".join(line(i, i) for i in range(n)))
    (result,) = import_files(conn, [first])
    assert result.inserted == n
    stored = rows(
        conn,
        "SELECT source_id, account_id, user_id, event, occurred_at, value FROM usage_events "
        "WHERE source_id LIKE 'many%' ORDER BY id",
    )
    assert stored == [
        (f"many{n - i:04d}", account, f"u{i % 7}", "login", f"2026-11-01T10:{i % 60:02d}:00Z", i)
        for i in range(n)
    ]
    changed = {3, ROWS_PER_STATEMENT, n - 1}
    again = header + "".join(line(i, i + 1000 if i in changed else i) for i in range(n + 3))
    (result,) = import_files(conn, [write_csv("events2.csv", again)])
    assert (result.inserted, result.updated, result.unchanged) == (3, len(changed), n - 3)
    assert rows(conn, f"SELECT value FROM usage_events WHERE source_id = 'many{n - 3:04d}'") == [
        (1003,)
    ]


def test_a_cancellation_asked_for_is_kept_on_its_period(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    subs = tmp_path / "subscriptions.csv"
    subs.write_text(
        "subscription_id,account_id,plan,status,interval,amount,currency,period_start,"
        "period_end,cancel_at,cancel_requested_at\n"
        "sub_2,acc_2,enterprise,active,year,150000.00,USD,2023-11-01,,2026-11-01,2026-10-20\n"
    )
    import_files(conn, [CANONICAL / "accounts.csv", subs])
    assert rows(conn, "SELECT cancel_at, cancel_requested_at FROM subscription_periods") == [
        ("2026-11-01", "2026-10-20")
    ]
