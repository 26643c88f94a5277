"""Blocks: columnar copies of the big tables' rows, so the engine loads them fast.

Reading a table from SQLite into Polars goes row by row through Python objects (10M usage
events: ~15 s). A block holds the rows of one table whose ids run from ``first_id`` to
``last_id`` as one Parquet blob of the engine's typed frame (1M events: ~9 MB, read in
~0.02 s). The rows in SQLite stay the record: triggers (migration 0007) drop the block
holding a row that is updated or deleted, and new rows take ids above every block, so a
block that is still there holds its id range exactly as the table does. A merge of two
accounts is the one update that keeps the blocks: it is recorded, and blocks written
before it are read with the account renamed.

Loading a table (db.frames.load_table) reads its blocks, then the rows no block holds
(new ones, or ones whose block was dropped) from the table, all in one read transaction.
When those rows are many they are written as blocks on the way out, in the same
transaction, which SQLite lets a reader turn into a writer only while nothing else has
written since it began: a block never holds rows older than the table's.

The accounts table has no growing integer id to cut blocks by: it is copied whole, as
one block (WHOLE), that any insert, update or delete of an account drops (migration
0010), so it too is either exactly the table or not there.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from db.queries import DATA_TABLES

# The tables copied into blocks: every data table but accounts (keyed by its text id, not
# a growing integer one) and four that stay small. Migration 0007 gives each its triggers.
MIRRORED = tuple(
    t for t in DATA_TABLES if t not in ("crm_users", "accounts", "plan_limits", "deals", "goals")
)
BLOCK_ROWS = 500_000  # rows in one block at most
# Rows outside every block are written as blocks once there are this many: fewer are read
# from the table in a moment (5k rows ~0.01 s). Not fewer: writing them rewrites the last
# block they join. Not more: a book of 10k accounts has 30k contacts and 40k tickets, and
# at 50k (until session 10) every load read those row by row (every table: 0.23 -> 0.13 s a load).
MIN_NEW_ROWS = 5_000
_FORMAT = "parquet-zstd-1"
# Tables copied whole, as one block of all their rows (first_id = last_id = 0) that any
# insert, update or delete drops (migration 0010's triggers): accounts, keyed by its text
# id. Fewer rows than MIN_WHOLE_ROWS are read from the table in a moment.
WHOLE = ("accounts",)
MIN_WHOLE_ROWS = 10_000


@dataclass(frozen=True)
class Block:
    first_id: int
    last_id: int
    frame: pl.DataFrame


def layout(schema: pl.Schema | dict[str, pl.DataType]) -> str:
    """A name for the columns and types a block is written with: blocks of another layout
    (a release that reads other columns) are not read, and are replaced."""
    text = _FORMAT + ";" + ";".join(f"{c}:{t}" for c, t in dict(schema).items())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stored(
    conn: sqlite3.Connection, table: str, schema: pl.Schema, last_only: bool = False
) -> list[Block]:
    """The table's blocks of this layout, in id order (``last_only``: its last one), their
    accounts renamed as merges since they were written have moved the rows; one that does
    not read back as written (rows, columns) is left out, and its rows are read from the
    table."""
    renames = conn.execute(
        "SELECT from_id, into_id, last_block FROM frame_block_renames ORDER BY id"
    ).fetchall()
    blocks = []
    for block_id, first_id, last_id, rows, data in conn.execute(
        "SELECT id, first_id, last_id, row_count, data FROM frame_blocks "
        "WHERE table_name = ? AND layout = ? ORDER BY first_id"
        + (" DESC LIMIT 1" if last_only else ""),
        (table, layout(schema)),
    ):
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception:  # a damaged blob: the table has the rows
            continue
        if frame.height == rows and frame.schema == schema:
            moved = _renamed(renames, block_id)
            if moved:
                frame = frame.with_columns(pl.col("account_id").replace(moved))
            blocks.append(Block(first_id, last_id, frame))
    return _disjoint(blocks)


def _renamed(renames: list[tuple[str, str, int]], block_id: int) -> dict[str, str]:
    """Old account id -> the account its rows are on now, for one block: the merges made
    after it was written, in order (a into b, then b into c: a's rows are on c)."""
    moved: dict[str, str] = {}
    for from_id, into_id, last_block in renames:
        if block_id <= last_block:
            moved = {old: into_id if new == from_id else new for old, new in moved.items()}
            moved[from_id] = into_id
    return moved


@contextmanager
def kept_through_merge(conn: sqlite3.Connection, from_id: str, into_id: str) -> Iterator[None]:
    """Around the updates that move ``from_id``'s rows to ``into_id`` (inside the merge's
    transaction): the blocks stay, and are read with the account renamed."""
    conn.execute(
        "INSERT INTO frame_block_renames (from_id, into_id, last_block) VALUES (?, ?, "
        "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'frame_blocks'), 0))",
        (from_id, into_id),
    )
    conn.execute("INSERT INTO frame_blocks_kept (merging) VALUES (1)")
    try:
        yield
    finally:
        conn.execute("DELETE FROM frame_blocks_kept")


def _disjoint(blocks: list[Block]) -> list[Block]:
    """Blocks never overlap (writing one deletes any in its range); should two do, both
    are left out rather than a row being read twice."""
    bad = set()
    for i, (a, b) in enumerate(itertools.pairwise(blocks)):
        if b.first_id <= a.last_id:
            bad |= {i, i + 1}
    return [b for i, b in enumerate(blocks) if i not in bad]


def gaps(held: list[tuple[int, int]]) -> list[tuple[int, int | None]]:
    """The id ranges outside the blocks' (first_id, last_id) ranges (in id order), as
    (after, before) bounds, both exclusive; ``before`` None for the open end."""
    out: list[tuple[int, int | None]] = []
    after = -(2**63)
    for first_id, last_id in held:
        if first_id > after + 1:
            out.append((after, first_id))
        after = last_id
    out.append((after, None))
    return out


def ranges(conn: sqlite3.Connection, table: str, schema: pl.Schema) -> list[tuple[int, int]]:
    """The (first_id, last_id) of the table's blocks of this layout, in id order, as
    recorded (no blob is read: one found damaged when loaded is passed over then)."""
    return conn.execute(
        "SELECT first_id, last_id FROM frame_blocks WHERE table_name = ? AND layout = ? "
        "ORDER BY first_id",
        (table, layout(schema)),
    ).fetchall()


def rows_outside(conn: sqlite3.Connection, table: str, schema: pl.Schema) -> int:
    """How many of the table's rows no block of this layout holds, counted from the
    blocks' ranges alone (no blob is read)."""
    total = 0
    for after, before in gaps(ranges(conn, table, schema)):
        sql = f'SELECT COUNT(*) FROM "{table}" WHERE id > ?' + (
            "" if before is None else " AND id < ?"
        )
        total += conn.execute(sql, (after,) if before is None else (after, before)).fetchone()[0]
    return total


def write(
    conn: sqlite3.Connection, table: str, fresh: list[pl.DataFrame], tail: Block | None = None
) -> None:
    """Write the rows read from each gap (the typed frame plus its ``id`` column, one frame
    per gap, in id order) as blocks of at most BLOCK_ROWS that stay inside their gap.
    ``tail``, the table's last block, takes the rows of the gap after it while it has room
    (daily imports would otherwise pile up small blocks). Call inside a transaction."""
    for i, rows in enumerate(fresh):
        if not rows.height:
            continue
        last_gap = i == len(fresh) - 1
        if last_gap and tail is not None and tail.frame.height + rows.height <= BLOCK_ROWS:
            joined = pl.concat([tail.frame, rows.drop("id")])
            _put(conn, table, tail.first_id, rows["id"][-1], joined)
            continue
        for start in range(0, rows.height, BLOCK_ROWS):
            part = rows.slice(start, BLOCK_ROWS)
            _put(conn, table, part["id"][0], part["id"][-1], part.drop("id"))


def _put(conn: sqlite3.Connection, table: str, first_id: int, last_id: int, frame: pl.DataFrame):
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd")
    shape = layout(frame.schema)
    conn.execute(
        "DELETE FROM frame_blocks WHERE table_name = ? "
        "AND (layout != ? OR (first_id <= ? AND last_id >= ?))",
        (table, shape, last_id, first_id),
    )
    conn.execute(
        "INSERT INTO frame_blocks (table_name, layout, first_id, last_id, row_count, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (table, shape, first_id, last_id, frame.height, buf.getvalue()),
    )
    # Renames older than every block left apply to none.
    conn.execute(
        "DELETE FROM frame_block_renames WHERE last_block < (SELECT MIN(id) FROM frame_blocks)"
    )


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[bool]:
    """One read transaction, so blocks and rows are read as of the same moment; yields
    whether blocks may be written in it (not when the caller has a transaction open)."""
    if conn.in_transaction:
        yield False
        return
    conn.execute("BEGIN")
    try:
        yield True
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def whole(conn: sqlite3.Connection, table: str, schema: pl.Schema) -> pl.DataFrame | None:
    """The block of all of a WHOLE table's rows, in this layout, if there is one that reads
    back as written."""
    row = conn.execute(
        "SELECT row_count, data FROM frame_blocks WHERE table_name = ? AND layout = ? "
        "AND first_id = 0 AND last_id = 0",
        (table, layout(schema)),
    ).fetchone()
    if row is None:
        return None
    try:
        frame = pl.read_parquet(io.BytesIO(row[1]))
    except Exception:  # a damaged blob: the table has the rows
        return None
    return frame if frame.height == row[0] and frame.schema == schema else None


def try_writing(
    conn: sqlite3.Connection, table: str, fresh: list[pl.DataFrame], tail: Block | None
) -> bool:
    """Write blocks inside a read_snapshot, or give up without waiting: when another
    connection has written since the snapshot began (the rows read may be out of date),
    holds the write lock, or the file is read-only. Returns whether they were written."""
    return _without_waiting(conn, lambda: write(conn, table, fresh, tail))


def try_writing_whole(conn: sqlite3.Connection, table: str, frame: pl.DataFrame) -> bool:
    """Write the block of all of a WHOLE table's rows (``frame``, read in this snapshot),
    as try_writing does."""
    return _without_waiting(conn, lambda: _put(conn, table, 0, 0, frame))


def _without_waiting(conn: sqlite3.Connection, write_them: Callable[[], None]) -> bool:
    (wait,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("SAVEPOINT blocks")
        try:
            write_them()
        except BaseException:
            if conn.in_transaction:  # some errors end the transaction themselves
                conn.execute("ROLLBACK TO blocks")
                conn.execute("RELEASE blocks")
            raise
        conn.execute("RELEASE blocks")
        return True
    except sqlite3.OperationalError:  # busy, locked, stale snapshot, read-only, disk full
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
