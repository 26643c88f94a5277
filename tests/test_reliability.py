"""Reliability: a killed import leaves nothing behind, concurrent use works, the user's own
work survives imports and re-scoring, and the dashboard follows other processes' changes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable

from benchmarks.data import write as write_bench_data
from db import RetentionError, connect
from db import transaction as db_transaction
from db import write as db_write
from db.queries import table_counts
from importers.run import import_files
from retention_tui.app import RetentionApp
from retention_tui.paths import sample_data_dir
from tests.conftest import CANONICAL, SAMPLE_AS_OF

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date.fromisoformat(SAMPLE_AS_OF)


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_a_killed_import_leaves_nothing_and_can_be_rerun(tmp_path: Path) -> None:
    files = write_bench_data(tmp_path / "csv", accounts=2_000, events=400_000)
    db = tmp_path / "r.db"
    conn = connect(db)
    import_files(conn, [files["accounts"]])
    conn.close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "retention_tui.cli",
            "import",
            "--db",
            str(db),
            str(files["usage_events"]),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until it is writing, then pull the plug
        if "writing usage_events.csv" in line:
            break
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the import finished before it was killed"
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # 400k events into an empty table is a bulk load: its dropped indexes come back
    assert [name for name, _ in _indexes(check, "usage_events")] == ["usage_events_source_id"]
    check.close()
    assert count(db, "usage_events") == 0
    assert count(db, "import_log") == 1  # only the accounts import
    conn = connect(db)
    [result] = import_files(conn, [files["usage_events"]])
    conn.close()
    assert result.inserted == 400_000
    assert count(db, "usage_events") == 400_000


def test_two_imports_at_once_both_complete(tmp_path: Path, write_csv) -> None:
    db = tmp_path / "r.db"
    connect(db).close()
    files = write_bench_data(tmp_path / "csv", accounts=3_000, events=150_000)
    accounts = files["accounts"]
    more = write_csv("more.csv", "account_id,name,created_at\nx1,Extra,2024-01-01\n")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "retention_tui.cli",
                "import",
                "-q",
                "--db",
                str(db),
                *map(str, paths),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in ([accounts, files["usage_events"]], [more])
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert count(db, "accounts") == 3_001
    assert count(db, "usage_events") == 150_000


def test_a_writer_that_waits_too_long_gets_a_clear_message(tmp_path: Path, write_csv) -> None:
    db = tmp_path / "r.db"
    holder = connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-import
    try:
        impatient = connect(db, busy_timeout_ms=200)
        path = write_csv("a.csv", "account_id,name,created_at\na,A,2024-01-01\n")
        with pytest.raises(RetentionError, match="the database is busy: another import"):
            import_files(impatient, [path])
        impatient.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_users_work_survives_reimport_and_rescoring(scored_db: Path) -> None:
    conn = connect(scored_db)
    conn.execute(
        "INSERT INTO playbooks (id, account_id, kind, started_at) "
        "VALUES (1, 'acc_0002', 'save', '2026-11-19T09:00:00Z')"
    )
    conn.execute("INSERT INTO checklist_ticks VALUES (1, 'reach_out', '2026-11-19T10:00:00Z')")
    conn.execute(
        "INSERT INTO notes (account_id, playbook_id, body, created_at) VALUES "
        "('acc_0002', 1, 'Budget frozen until Q2', '2026-11-19T10:05:00Z')"
    )
    conn.execute(
        "INSERT INTO snoozes VALUES ('acc_0003', 'risk', '2026-12-01', '2026-11-19T10:06:00Z')"
    )
    work = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("playbooks", "checklist_ticks", "notes", "snoozes")
    }
    before = table_counts(conn)
    import_files(conn, sorted(sample_data_dir().glob("*.csv")))
    from retention_tui.config import defaults
    from retention_tui.scoring import score_and_store

    score_and_store(conn, [AS_OF], defaults())
    assert table_counts(conn) == before
    for table, rows in work.items():
        assert conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == rows
    conn.close()


def test_scoring_no_dates_says_so_and_stores_nothing(db_path: Path) -> None:
    from retention_tui.config import defaults
    from retention_tui.scoring import score_and_store

    conn = connect(db_path)
    import_files(conn, [CANONICAL / "accounts.csv", CANONICAL / "usage_events.csv"])
    before = table_counts(conn)
    with pytest.raises(ValueError, match="at least one date"):
        score_and_store(conn, [], defaults())
    assert table_counts(conn) == before
    conn.close()


def test_formula_looking_cells_import_as_text_and_export_escaped(
    runner, db_path: Path, write_csv
) -> None:
    from retention_tui.cli import cli

    path = write_csv("a.csv", 'account_id,name,created_at\na,"=HYPERLINK(""x"")",2024-01-01\n')
    assert runner.invoke(cli, ["import", "-q", "--db", str(db_path), str(path)]).exit_code == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name FROM accounts").fetchone() == ('=HYPERLINK("x")',)
    conn.close()
    out = runner.invoke(cli, ["accounts", "--db", str(db_path), "--format", "csv"]).stdout
    assert out.splitlines()[1].startswith('a,"\'=HYPERLINK(""x"")"')


def test_dashboard_follows_changes_made_by_another_process(scored_db: Path, write_csv) -> None:
    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("a")  # the accounts list
            await app.workers.wait_for_complete()
            await pilot.pause()
            listed = app.screen
            assert listed.rows.height == 320
            assert app.check_for_changes() is False
            other = connect(scored_db)  # another process's import
            import_files(
                other,
                [
                    write_csv(
                        "new.csv", "account_id,name,created_at\nzz_new,Zeta New Co,2026-11-01\n"
                    )
                ],
            )
            other.close()
            assert app.check_for_changes() is True
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert listed.rows.height == 321
            await pilot.press("l")  # the import log was not open: it loads fresh when shown
            await app.workers.wait_for_complete()
            await pilot.pause()
            log = app.screen.query_one(DataTable)
            assert str(log.get_row_at(0)[1]) == "new.csv"

    asyncio.run(scenario())


def test_dashboard_reads_while_another_process_writes(scored_db: Path) -> None:
    writer = connect(scored_db)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM usage_events")  # a big uncommitted change

    async def scenario() -> None:
        app = RetentionApp(scored_db, as_of=AS_OF)
        async with app.run_test(size=(130, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("a")  # the accounts list
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.rows.height == 320

    try:
        started = time.perf_counter()
        asyncio.run(scenario())
        assert time.perf_counter() - started < 8  # far below the 10 s busy timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _indexes(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name",
        (table,),
    ).fetchall()


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def _bulk_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every first import a bulk load and record the tables loaded so."""
    import importers.run

    calls: list[str] = []
    real = importers.run.indexes_built_after

    def spy(conn: sqlite3.Connection, table: str, before_building=None):
        calls.append(table)
        return real(conn, table, before_building)

    monkeypatch.setattr(db_write, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(importers.run, "indexes_built_after", spy)
    return calls


def test_a_bulk_load_writes_what_row_by_row_writes_and_rebuilds_the_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_bench_data(tmp_path / "csv", accounts=40, events=3_000)
    paths = [files["accounts"], files["usage_events"], files["tickets"]]
    row_by_row = tmp_path / "rows.db"
    conn = connect(row_by_row)
    import_files(conn, paths)
    expected_indexes = _indexes(conn, "usage_events")
    expected_rows = {t: _rows(conn, t) for t in ("usage_events", "tickets")}
    conn.close()

    calls = _bulk_calls(monkeypatch)
    bulk = tmp_path / "bulk.db"
    conn = connect(bulk)
    import_files(conn, paths)
    assert "usage_events" in calls and "tickets" in calls
    assert _indexes(conn, "usage_events") == expected_indexes
    plan = " ".join(
        str(r)
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT status FROM tickets WHERE account_id = ? "
            "AND created_at >= ?",
            ("acc_0000001", "2026-01-01"),
        )
    )
    assert "tickets_account" in plan
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {t: _rows(conn, t) for t in expected_rows} == expected_rows
    conn.close()


def test_a_bulk_load_that_fails_leaves_the_indexes_and_no_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importers.run

    files = write_bench_data(tmp_path / "csv", accounts=40, events=3_000)
    db = tmp_path / "r.db"
    conn = connect(db)
    import_files(conn, [files["accounts"]])
    before = _indexes(conn, "usage_events")
    calls = _bulk_calls(monkeypatch)

    def fail(_conn: sqlite3.Connection, _tables: set[str]) -> None:
        raise RetentionError("a failure after the rows were written")

    monkeypatch.setattr(importers.run, "_check_foreign_keys", fail)
    with pytest.raises(RetentionError):
        import_files(conn, [files["usage_events"]])
    assert calls == ["usage_events"]
    assert _indexes(conn, "usage_events") == before
    assert conn.execute("SELECT COUNT(*) FROM usage_events").fetchone()[0] == 0
    conn.close()


def test_rows_that_repeat_a_unique_key_in_a_bulk_load_are_refused(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.db")
    conn.execute(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a', 'canonical', 'a', 'A', '2024-01-01')"
    )
    row = ("canonical", "e1", "a", "login", "2026-01-01T00:00:00Z")
    with (
        pytest.raises(RetentionError, match="usage_events_source_id"),
        db_transaction(conn),
        db_write.indexes_built_after(conn, "usage_events"),
    ):
        conn.executemany(
            "INSERT INTO usage_events (source, source_id, account_id, event, occurred_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [row, row],
        )
    assert conn.execute("SELECT COUNT(*) FROM usage_events").fetchone()[0] == 0
    assert [n for n, _ in _indexes(conn, "usage_events")] == ["usage_events_source_id"]
    conn.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["row by row", "bulk load"])
def test_a_row_whose_account_is_missing_is_refused_however_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_csv, bulk: bool
) -> None:
    """References are checked on the file first; SQLite checks them again, row by row as
    they are written, or for a bulk load the whole table once before commit (only then:
    a day's events into a 10M-event table spent 3-6 s checking the old rows again). A
    reference that slipped past the file's check is refused either way, nothing kept."""
    import importers.run
    from tests.conftest import database_digest

    db = tmp_path / "r.db"
    conn = connect(db)
    files = write_bench_data(tmp_path / "csv", accounts=40, events=300)
    # a bulk load is a source's first file into the table: no events before it
    import_files(conn, [files["accounts"]] if bulk else [files["accounts"], files["usage_events"]])
    monkeypatch.setattr(db_write, "BULK_MIN_ROWS", 1 if bulk else db_write.BULK_MIN_ROWS)
    whole_checks: list[set[str]] = []
    real_check = importers.run._check_foreign_keys
    monkeypatch.setattr(
        importers.run,
        "_check_foreign_keys",
        lambda c, tables: (whole_checks.append(tables), real_check(c, tables)),
    )
    monkeypatch.setattr(importers.run, "check_references", lambda *_args: None)
    before = database_digest(db)
    stray = write_csv(
        "stray.csv",
        "event_id,account_id,user_id,event,occurred_at,value\n"
        "x1,acc_0000001,u1,login,2026-11-01T10:00:00Z,1\n"
        "x2,acc_9999999,u1,login,2026-11-01T11:00:00Z,1\n",
    )
    said = (
        r"usage_events: row \d+ refers to a missing account"  # the whole table's check
        if bulk
        else r"stray\.csv: a row of usage_events refers to a missing account"  # as written
    )
    with pytest.raises(RetentionError, match=said + "; nothing was imported"):
        import_files(conn, [stray])
    assert whole_checks == ([{"usage_events"}] if bulk else [])
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
    assert database_digest(db) == before
