"""Blocks (db/blocks.py): the engine's frames loaded from columnar copies are exactly the
frames read from the rows, whatever was written, updated, merged or deleted in between."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import RetentionError, blocks, connect, transaction
from db.frames import (
    TABLES,
    load_all,
    load_table,
    read_rows,
    typed_schema,
    write_blocks,
)
from db.links import merge_accounts
from importers.run import import_files
from retention_tui.cli import cli
from tests.conftest import CANONICAL, database_digest
from tests.test_import_tools import ALL_TOOLS


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few rows, written as soon as any row is outside one."""
    monkeypatch.setattr(blocks, "BLOCK_ROWS", 4)
    monkeypatch.setattr(blocks, "MIN_NEW_ROWS", 1)
    monkeypatch.setattr(blocks, "MIN_WHOLE_ROWS", 1)


def _accounts(conn: sqlite3.Connection, *ids: str) -> None:
    conn.executemany(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES (?, 'canonical', ?, ?, '2026-01-01')",
        [(a, a, f"Company {a}") for a in ids],
    )


def _events(conn: sqlite3.Connection, start: int, n: int, account: str = "a1") -> None:
    conn.executemany(
        "INSERT INTO usage_events (source, source_id, account_id, user_id, event, occurred_at) "
        "VALUES ('canonical', ?, ?, ?, ?, ?)",
        [
            (
                f"e{i}",
                account,
                f"u{i % 3}",
                ("login", "export")[i % 2],
                f"2026-03-{1 + i % 28:02}T10:00:00Z",
            )
            for i in range(start, start + n)
        ],
    )


def _held(conn: sqlite3.Connection, table: str = "usage_events") -> list[tuple[int, int, int]]:
    return conn.execute(
        "SELECT first_id, last_id, row_count FROM frame_blocks WHERE table_name = ? "
        "ORDER BY first_id",
        (table,),
    ).fetchall()


def _same_as_rows(conn: sqlite3.Connection, table: str = "usage_events") -> pl.DataFrame:
    loaded = load_table(conn, table)
    assert loaded.equals(read_rows(conn, table)), (loaded, read_rows(conn, table))
    return loaded


def test_every_mirrored_table_has_its_triggers_at_the_latest_version(conn) -> None:
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    for table in blocks.MIRRORED:
        assert table in TABLES
        assert {f"{table}_update_drops_block", f"{table}_delete_drops_block"} <= triggers


def test_every_whole_table_has_its_triggers_at_the_latest_version(conn) -> None:
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    for table in blocks.WHOLE:
        assert table in TABLES and table not in blocks.MIRRORED
        assert {f"{table}_{op}_drops_block" for op in ("insert", "update", "delete")} <= triggers


def test_accounts_load_from_their_block_until_an_account_changes(conn) -> None:
    _accounts(conn, "a1", "a2")
    first = _same_as_rows(conn, "accounts")
    assert _held(conn, "accounts") == [(0, 0, 2)]
    # The next load reads the block (rows changed behind its back are not seen).
    conn.execute("DROP TRIGGER accounts_update_drops_block")
    conn.execute("UPDATE accounts SET name = 'changed'")
    assert load_table(conn, "accounts").equals(first)
    conn.execute("UPDATE accounts SET name = 'Company a1'")
    for change in (
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a3', 'canonical', 'a3', 'Company a3', '2026-02-01')",
        "DELETE FROM accounts WHERE account_id = 'a2'",
    ):
        load_table(conn, "accounts")
        assert _held(conn, "accounts") == [
            (0, 0, conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0])
        ]
        conn.execute(change)
        assert _held(conn, "accounts") == []
        _same_as_rows(conn, "accounts")
    conn.execute(
        "CREATE TRIGGER accounts_update_drops_block AFTER UPDATE ON accounts BEGIN "
        "DELETE FROM frame_blocks WHERE table_name = 'accounts'; END"
    )
    load_table(conn, "accounts")
    conn.execute("UPDATE accounts SET owner = 'Dana' WHERE account_id = 'a1'")
    assert _held(conn, "accounts") == []
    assert _same_as_rows(conn, "accounts")["owner"].to_list() == ["Dana", None]


def test_few_accounts_are_read_from_their_rows(conn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "MIN_WHOLE_ROWS", 3)
    _accounts(conn, "a1", "a2")
    _same_as_rows(conn, "accounts")
    assert _held(conn, "accounts") == []
    write_blocks(conn)
    assert _held(conn, "accounts") == []
    _accounts(conn, "a3")
    assert write_blocks(conn) == 3
    assert _held(conn, "accounts") == [(0, 0, 3)]


def test_a_load_writes_blocks_and_the_next_reads_them(conn) -> None:
    _accounts(conn, "a1")
    _events(conn, 0, 10)
    first = _same_as_rows(conn)
    assert _held(conn) == [(1, 4, 4), (5, 8, 4), (9, 10, 2)]
    # Rows changed behind the blocks' back are not seen: the next load reads the blocks.
    conn.execute("DROP TRIGGER usage_events_update_drops_block")
    conn.execute("UPDATE usage_events SET event = 'changed'")
    assert load_table(conn, "usage_events").equals(first)


def test_an_updated_or_deleted_row_drops_only_its_block(conn) -> None:
    _accounts(conn, "a1")
    _events(conn, 0, 10)
    load_table(conn, "usage_events")
    conn.execute("UPDATE usage_events SET event = 'changed' WHERE id = 6")
    assert _held(conn) == [(1, 4, 4), (9, 10, 2)]
    conn.execute("DELETE FROM usage_events WHERE id = 2")
    assert _held(conn) == [(9, 10, 2)]
    loaded = _same_as_rows(conn)
    assert loaded.height == 9 and loaded["event"].cast(pl.String).to_list().count("changed") == 1
    assert _held(conn) == [(1, 5, 4), (6, 8, 3), (9, 10, 2)]  # ids 1, 3-8 in blocks of 4


def test_new_rows_join_the_last_block_while_it_has_room(conn) -> None:
    _accounts(conn, "a1")
    _events(conn, 0, 5)
    load_table(conn, "usage_events")
    assert _held(conn) == [(1, 4, 4), (5, 5, 1)]
    _events(conn, 5, 2)
    _same_as_rows(conn)
    assert _held(conn) == [(1, 4, 4), (5, 7, 3)]
    _events(conn, 7, 3)  # no room: a block of their own
    _same_as_rows(conn)
    assert _held(conn) == [(1, 4, 4), (5, 7, 3), (8, 10, 3)]


def test_a_merge_moves_the_rows_in_the_loaded_frames(conn) -> None:
    _accounts(conn, "a1", "a2")
    _events(conn, 0, 6, "a1")
    _events(conn, 6, 6, "a2")
    load_all(conn)
    merge_accounts(conn, "a2", "a1")
    tables = load_all(conn)
    assert tables["usage_events"]["account_id"].unique().to_list() == ["a1"]
    for table in blocks.MIRRORED:
        assert tables[table].equals(read_rows(conn, table))


def test_a_reimport_with_changed_rows_is_loaded_as_imported(conn, write_csv) -> None:
    accounts = write_csv("accounts.csv", "account_id,name,created_at\na1,Acme,2024-01-01\n")
    header = "event_id,account_id,user_id,event,occurred_at,value\n"
    rows = [f"e{i},a1,u1,login,2026-03-0{1 + i % 9}T10:00:00Z,1\n" for i in range(9)]
    import_files(conn, [accounts, write_csv("usage_events.csv", header + "".join(rows))])
    _same_as_rows(conn)
    rows[5] = "e5,a1,u2,export,2026-03-07T11:00:00Z,3\n"
    import_files(conn, [write_csv("usage_events.csv", header + "".join(rows))])
    loaded = _same_as_rows(conn)
    assert loaded.filter(pl.col("value") == 3)["event"].cast(pl.String).to_list() == ["export"]


def test_no_blocks_are_written_from_a_snapshot_another_writer_has_moved_past(
    db_path: Path,
) -> None:
    conn, other = connect(db_path), connect(db_path)
    _accounts(conn, "a1")
    _events(conn, 0, 6)
    with blocks.read_snapshot(conn) as may_write:
        assert may_write
        rows = [read_rows(conn, "usage_events", (0, None))]
        other.execute("UPDATE usage_events SET event = 'changed' WHERE id = 2")
        assert not blocks.try_writing(conn, "usage_events", rows, None)
    assert _held(conn) == []
    assert "changed" in _same_as_rows(conn)["event"].cast(pl.String).to_list()
    conn.close()
    other.close()


def test_a_read_only_database_loads_without_writing_blocks(db_path: Path) -> None:
    conn = connect(db_path)
    _accounts(conn, "a1")
    _events(conn, 0, 6)
    conn.close()
    ro = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    assert load_table(ro, "usage_events").equals(read_rows(ro, "usage_events"))
    assert _held(ro) == []
    ro.close()


def test_inside_a_transaction_nothing_is_written(conn) -> None:
    _accounts(conn, "a1")
    _events(conn, 0, 6)
    with transaction(conn):
        _same_as_rows(conn)
    assert _held(conn) == []


STEPS = ["insert", "update", "delete", "load", "merge", "write", "rename", "account"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(1, 30)), max_size=25))
def test_any_mix_of_writes_and_loads_loads_what_the_rows_hold(tmp_path: Path, steps) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        _run_steps(Path(folder) / "p.db", steps)


def _run_steps(path: Path, steps: list[tuple[str, int]]) -> None:
    """Inserts (on any live account), updates, deletes, merges, loads and the import's
    copy into blocks, in any order: every load equals the rows."""
    conn = connect(path)
    live = ["a1", "a2", "a3", "a4"]
    _accounts(conn, *live)
    _events(conn, 0, 8)
    next_event = 8
    for op, n in steps:
        if op == "insert":
            _events(conn, next_event, n % 7 + 1, live[n % len(live)])
            next_event += n % 7 + 1
        elif op == "update":
            conn.execute("UPDATE usage_events SET value = value + 1 WHERE id = ?", (n,))
        elif op == "delete":
            conn.execute("DELETE FROM usage_events WHERE id = ?", (n,))
        elif op == "merge" and len(live) > 1:
            merged = live.pop(n % len(live))
            merge_accounts(conn, merged, live[n % len(live)])
        elif op == "write":
            write_blocks(conn)
        elif op == "rename":
            conn.execute(
                "UPDATE accounts SET name = ? WHERE account_id = ?", (f"n{n}", live[n % len(live)])
            )
        elif op == "account":
            _accounts(conn, f"x{n}-{next_event}")
            next_event += 1
        else:
            _same_as_rows(conn)
            _same_as_rows(conn, "accounts")
    for table in blocks.MIRRORED + blocks.WHOLE:
        _same_as_rows(conn, table)
    held = _held(conn)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(held))  # disjoint
    conn.close()


def test_gaps_are_the_ids_between_and_after_the_blocks() -> None:
    assert blocks.gaps([(1, 4), (6, 8), (9, 12)]) == [(-(2**63), 1), (4, 6), (12, None)]
    assert blocks.gaps([(3, 4)]) == [(-(2**63), 3), (4, None)]
    assert blocks.gaps([]) == [(-(2**63), None)]


def test_an_import_leaves_its_rows_in_blocks_for_the_next_load(db_path: Path, write_csv) -> None:
    accounts = write_csv("accounts.csv", "account_id,name,created_at\na1,Acme,2024-01-01\n")
    header = "event_id,account_id,user_id,event,occurred_at,value\n"
    events = write_csv(
        "usage_events.csv",
        header + "".join(f"e{i},a1,u1,login,2026-03-0{1 + i}T10:00:00Z,1\n" for i in range(6)),
    )
    result = CliRunner().invoke(cli, ["import", str(accounts), str(events), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    conn = connect(db_path)
    assert _held(conn) == [(1, 4, 4), (5, 6, 2)]
    _same_as_rows(conn)
    conn.close()
    more = write_csv("more.csv", header + "e9,a1,u2,login,2026-03-09T10:00:00Z,1\n")
    before = database_digest(db_path)
    dry = CliRunner().invoke(cli, ["import", "--dry-run", str(more), "--db", str(db_path)])
    assert dry.exit_code == 0, dry.output
    assert database_digest(db_path) == before


def test_a_merge_keeps_the_blocks_and_they_read_as_the_rows_do(conn) -> None:
    _accounts(conn, "a", "b", "c")
    _events(conn, 0, 4, "a")
    _events(conn, 4, 4, "b")
    _events(conn, 8, 4, "c")
    load_all(conn)
    held = _held(conn)
    merge_accounts(conn, "a", "b")
    assert _held(conn) == held  # nothing to read again
    assert set(_same_as_rows(conn)["account_id"]) == {"b", "c"}
    merge_accounts(conn, "b", "c")  # a's rows, in a block written before both: on c
    assert set(_same_as_rows(conn)["account_id"]) == {"c"}
    for table in blocks.MIRRORED:
        _same_as_rows(conn, table)


def test_a_rename_applies_only_to_blocks_written_before_the_merge(conn) -> None:
    _accounts(conn, "a", "b")
    _events(conn, 0, 4, "a")
    load_all(conn)
    merge_accounts(conn, "a", "b")
    _accounts(conn, "a")  # an account of that id again, with rows of its own
    _events(conn, 4, 4, "a")
    _same_as_rows(conn)  # writes a block of the new rows (they are a's, not b's)
    assert len(_held(conn)) == 2
    loaded = _same_as_rows(conn)
    assert loaded["account_id"].to_list() == ["b"] * 4 + ["a"] * 4


def test_an_update_in_a_merge_that_fails_still_drops_blocks_afterwards(conn) -> None:
    _accounts(conn, "a", "b")
    _events(conn, 0, 4, "a")
    load_all(conn)
    with pytest.raises(RetentionError):
        merge_accounts(conn, "a", "nobody")
    conn.execute("UPDATE usage_events SET value = 5 WHERE id = 1")
    assert _held(conn) == []


@pytest.mark.parametrize("files", ["canonical", "tools"])
def test_blocks_made_from_the_imported_frames_read_as_the_rows_do(
    conn, files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source's first file leaves blocks made from the frame, not read back: for every
    canonical file and every tool's export, they are exactly what reading the rows gives."""
    import importers.run

    monkeypatch.setattr(importers.run, "write_blocks", lambda conn, say=None: 0)  # frames only
    import_files(conn, sorted(CANONICAL.glob("*.csv")) if files == "canonical" else ALL_TOOLS)
    made = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM frame_blocks")}
    expected = {"contacts", "subscription_periods", "invoices", "usage_events", "tickets"}
    assert made >= expected
    for table in blocks.MIRRORED:
        _same_as_rows(conn, table)


def test_a_database_from_before_blocks_loads_its_rows_then_keeps_blocks(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import db.migrate

    shipped = db.migrate.migrations()
    with monkeypatch.context() as m:
        m.setattr(db.migrate, "migrations", lambda: shipped[:6])
        conn = connect(db_path)
        _accounts(conn, "a1")
        _events(conn, 0, 6)
        rows = read_rows(conn, "usage_events")
        conn.close()
    conn = connect(db_path)  # upgraded to the latest schema: no blocks yet
    assert _held(conn) == []
    assert load_table(conn, "usage_events").equals(rows)
    assert _held(conn) == [(1, 4, 4), (5, 6, 2)]
    conn.close()


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE frame_blocks SET layout = 'older-release'",  # written by another release
        "UPDATE frame_blocks SET data = x'00ff' WHERE first_id = 1",  # a damaged blob
    ],
)
def test_a_block_not_readable_as_written_is_not_read_and_is_replaced(conn, spoil) -> None:
    _accounts(conn, "a1")
    _events(conn, 0, 6)
    load_table(conn, "usage_events")
    conn.execute(spoil)
    _same_as_rows(conn)
    assert _held(conn) == [(1, 4, 4), (5, 6, 2)]
    assert len(blocks.stored(conn, "usage_events", typed_schema("usage_events"))) == 2
    layouts = {r[0] for r in conn.execute("SELECT layout FROM frame_blocks")}
    assert layouts == {blocks.layout(typed_schema("usage_events"))}


def test_opening_a_database_without_blocks_makes_them_first_and_says_so(conn, capsys) -> None:
    from retention_tui.cli.data import prepare_blocks

    _accounts(conn, "a1")
    _events(conn, 0, 6)
    assert blocks.rows_outside(conn, "usage_events", typed_schema("usage_events")) == 6
    prepare_blocks(conn)
    assert "copying 6 rows of usage_events into blocks, for fast loading (once)" in (
        capsys.readouterr().err
    )
    assert blocks.rows_outside(conn, "usage_events", typed_schema("usage_events")) == 0
    prepare_blocks(conn)  # nothing left to do: silent
    assert capsys.readouterr().err == ""


def test_a_copy_another_writer_blocks_says_it_was_not_made(db_path: Path, capsys) -> None:
    from retention_tui.cli.data import prepare_blocks

    conn, other = connect(db_path), connect(db_path)
    _accounts(conn, "a1")
    _events(conn, 0, 6)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    prepare_blocks(conn)
    err = capsys.readouterr().err
    assert "copying 6 rows of usage_events" in err and "not copied: the database is busy" in err
    other.rollback()
    assert blocks.rows_outside(conn, "usage_events", typed_schema("usage_events")) == 6
    _same_as_rows(conn)  # and what loads is still the rows
    conn.close()
    other.close()


def test_copying_new_rows_into_blocks_reads_only_the_last_block(conn, monkeypatch) -> None:
    """After an import, the new rows extend the last block while it has room: that one
    block is read, not every block of the table (10M events: 0.4-0.7 s a day's import)."""
    monkeypatch.setattr(blocks, "BLOCK_ROWS", 8)
    _accounts(conn, "a1")
    _events(conn, 0, 18)
    write_blocks(conn)
    assert _held(conn) == [(1, 8, 8), (9, 16, 8), (17, 18, 2)]
    _events(conn, 18, 3)
    read: list[bool] = []
    real = blocks.stored

    def spy(c, table, schema, last_only=False):
        read.append(last_only)
        return real(c, table, schema, last_only)

    monkeypatch.setattr(blocks, "stored", spy)
    assert write_blocks(conn) == 3
    assert read == [True]
    monkeypatch.setattr(blocks, "stored", real)
    assert _held(conn) == [(1, 8, 8), (9, 16, 8), (17, 21, 5)]
    _same_as_rows(conn)
