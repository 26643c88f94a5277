"""The canonical tables as typed Polars frames, for the engine.

Instants become naive ``Datetime`` in UTC, calendar dates become ``Date``; each frame keeps
only the columns the engine reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

import polars as pl

from db import blocks
from db.clock import INSTANT_FORMAT

S, N, F = pl.String, pl.Int64, pl.Float64  # text, whole number, real
# Text with few distinct values in many rows (event names, user ids): each value stored
# once, rows hold a 4-byte code (10M events: peak memory of a scoring run 1,724 -> 1,418 MiB).
C = pl.Categorical()
INSTANT = "instant"
DAY = "day"

# table -> {column: type}; INSTANT and DAY columns are stored as text and parsed here.
TABLES: dict[str, dict[str, object]] = {
    "accounts": {
        "account_id": S,
        "name": S,
        "domain": S,
        "segment": S,
        "plan": S,
        "owner": S,
        "created_at": DAY,
        "renewal_date": DAY,
        "contract_value_minor": N,
        "currency": S,
        "prospect": N,
    },
    "contacts": {
        "account_id": S,
        "name": S,
        "email": S,
        "role": S,
        "is_champion": N,
        "champion_strength": S,
        "is_decision_maker": N,
        "created_at": DAY,
        "left_company_at": DAY,
    },
    "subscription_periods": {
        "account_id": S,
        "subscription_id": S,
        "plan": S,
        "status": S,
        "billing_interval": S,
        "amount_minor": N,
        "quantity": N,
        "currency": S,
        "period_start": S,
        "period_end": S,
        "cancel_reason": S,
        "cancel_at": S,
        "cancel_requested_at": S,
    },
    "invoices": {
        "source": S,
        "source_id": S,
        "account_id": S,
        "amount_minor": N,
        "currency": S,
        "status": S,
        "issued_at": INSTANT,
        "due_at": DAY,
        "paid_at": INSTANT,
        "collection_failed_on": DAY,
    },
    "payment_attempts": {
        "source": S,
        "invoice_id": S,
        "account_id": S,
        "attempted_at": INSTANT,
        "amount_minor": N,
        "outcome": S,
        "failure_reason": S,
        "card_expires_on": DAY,
    },
    "usage_events": {
        "account_id": S,
        "user_id": C,
        "event": C,
        "occurred_at": INSTANT,
        "value": F,
    },
    "tickets": {
        "account_id": S,
        "priority": S,
        "status": S,
        "created_at": INSTANT,
        "solved_at": INSTANT,
        "csat": N,
    },
    "nps_responses": {"account_id": S, "email": S, "score": N, "responded_at": INSTANT},
    "touchpoints": {
        "account_id": S,
        "contact_email": S,
        "kind": S,
        "direction": S,
        "occurred_at": INSTANT,
        "replied_at": INSTANT,
        "attended": N,
        "sentiment": S,
        "tags": S,
        "summary": S,
    },
    "goals": {
        "account_id": S,
        "title": S,
        "status": S,
        "roi": S,
        "target_date": DAY,
        "updated_at": DAY,
    },
    "plan_limits": {"plan": S, "metric": S, "limit_value": F, "per": S},
    "deals": {
        "source": S,
        "source_id": S,
        "account_id": S,
        "owner": S,
        "company_name": S,
        "segment": S,
        "stage": S,
        "stage_reached": S,
        "amount_minor": N,
        "currency": S,
        "closed_at": DAY,
        "lost_reason": S,
        "contacts_engaged": N,
        "company_trajectory": S,
    },
}


CHUNK_ROWS = 100_000  # rows turned from SQLite tuples into a frame at a time


def _schema(table: str) -> dict[str, object]:
    """The table's engine columns as they are read from SQLite (instants and days as text)."""
    return {c: (S if t in (INSTANT, DAY) else t) for c, t in TABLES[table].items()}


def _typed(table: str) -> list[pl.Expr]:
    spec = TABLES[table]
    return [
        pl.col(c).str.to_datetime(INSTANT_FORMAT, time_unit="us")
        for c, t in spec.items()
        if t == INSTANT
    ] + [pl.col(c).str.to_date("%Y-%m-%d") for c, t in spec.items() if t == DAY]


def read_rows(
    conn: sqlite3.Connection, table: str, ids: tuple[int, int | None] | None = None
) -> pl.DataFrame:
    """The table's engine columns read from its rows, typed; with ``ids`` (after, before:
    exclusive bounds, before None for no end) only those rows, and their ``id`` first.
    Read a chunk of rows at a time, each typed at once, so a 10M-row table never holds all
    its rows as Python tuples (measured at 10M events: peak memory of a whole scoring run
    from ~6 GB down, see docs/performance.md)."""
    schema = _schema(table)
    if ids is not None:
        schema = {"id": N, **schema}
    cols = ", ".join(f'"{c}"' for c in schema)
    sql, params = f'SELECT {cols} FROM "{table}"', ()
    if ids is not None:
        after, before = ids
        sql += " WHERE id > ?" + ("" if before is None else " AND id < ?") + " ORDER BY id"
        params = (after,) if before is None else (after, before)
    cur = conn.execute(sql, params)
    parts = []
    while True:
        rows = cur.fetchmany(CHUNK_ROWS)
        part = pl.DataFrame(rows, schema=list(schema.items()), orient="row")  # type: ignore[arg-type]
        parts.append(part.with_columns(_typed(table)))
        if len(rows) < CHUNK_ROWS:
            break
    return pl.concat(parts, rechunk=True) if len(parts) > 1 else parts[0]


def typed_schema(table: str) -> pl.Schema:
    """The schema of the table's frame as the engine gets it."""
    return pl.DataFrame(schema=_schema(table)).with_columns(_typed(table)).schema  # type: ignore[arg-type]


def _held_and_fresh(
    conn: sqlite3.Connection, table: str
) -> tuple[list[blocks.Block], list[pl.DataFrame]]:
    """The table's blocks, and the rows no block holds (one frame per gap, with ids)."""
    held = blocks.stored(conn, table, typed_schema(table))
    ranges = [(b.first_id, b.last_id) for b in held]
    return held, [read_rows(conn, table, gap) for gap in blocks.gaps(ranges)]


def _tail_and_fresh(
    conn: sqlite3.Connection, table: str
) -> tuple[blocks.Block | None, list[pl.DataFrame]]:
    """The table's last block, and the rows no block holds (one frame per gap, with ids):
    what writing them needs, without reading every block (10M events: 0.4-0.7 s)."""
    schema = typed_schema(table)
    fresh = [read_rows(conn, table, gap) for gap in blocks.gaps(blocks.ranges(conn, table, schema))]
    last = blocks.stored(conn, table, schema, last_only=True)
    return (last[0] if last else None), fresh


def _write_blocks(
    conn: sqlite3.Connection,
    table: str,
    tail: blocks.Block | None,
    fresh: list[pl.DataFrame],
    say: Callable[[str], None] | None = None,
) -> int:
    """Write the fresh rows as blocks when they are many (``tail``, the table's last block,
    takes them while it has room); returns how many were written."""
    rows = sum(f.height for f in fresh)
    if rows < blocks.MIN_NEW_ROWS:
        return 0
    if say:
        say(f"copying {rows:,} rows of {table} into blocks, for fast loading")
    if blocks.try_writing(conn, table, fresh, tail):
        return rows
    if say:
        say("... not copied: the database is busy or changed meanwhile; a later load will")
    return 0


def _whole_rows(conn: sqlite3.Connection, table: str, may_write: bool) -> tuple[pl.DataFrame, int]:
    """A WHOLE table read from its rows, written as its block when they are many; returns
    the frame and how many rows the block took (0 when none was written)."""
    frame = read_rows(conn, table)
    written = (
        may_write
        and frame.height >= blocks.MIN_WHOLE_ROWS
        and blocks.try_writing_whole(conn, table, frame)
    )
    return frame, frame.height if written else 0


def _load_whole(conn: sqlite3.Connection, table: str, may_write: bool) -> pl.DataFrame:
    """A WHOLE table: its block, else its rows (then written as its block when many)."""
    held = blocks.whole(conn, table, typed_schema(table))
    return held if held is not None else _whole_rows(conn, table, may_write)[0]


def _load(conn: sqlite3.Connection, table: str, may_write: bool) -> pl.DataFrame:
    if table in blocks.WHOLE:
        return _load_whole(conn, table, may_write)
    if table not in blocks.MIRRORED:
        return read_rows(conn, table)
    held, fresh = _held_and_fresh(conn, table)
    if may_write:
        _write_blocks(conn, table, held[-1] if held else None, fresh)
    parts = sorted(
        [(b.first_id, b.frame) for b in held]
        + [(f["id"][0], f.drop("id")) for f in fresh if f.height],
        key=lambda p: p[0],
    )
    frames = [frame for _, frame in parts] or [fresh[0].drop("id")]
    return pl.concat(frames, rechunk=True) if len(frames) > 1 else frames[0]


# The Polars types whose values SQLite stores unchanged in a column read back as each type.
_STORED_AS = {S: (pl.String,), N: (pl.Int64,), F: (pl.Float64, pl.Int64), C: (pl.String,)}


def _literal(text: str) -> object:
    """The value of an SQL literal as a column default: NULL, 'text', or a number."""
    if text.upper() == "NULL":
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        return float(text)  # anything else (an expression) raises ValueError


def _defaults(conn: sqlite3.Connection, table: str) -> dict[str, object]:
    """Column -> the value SQLite fills in when an insert leaves it out; a default that is
    not a plain literal is left out."""
    out: dict[str, object] = {}
    for _cid, name, _type, _notnull, default, _pk in conn.execute(f'PRAGMA table_info("{table}")'):
        try:
            out[name] = _literal("NULL" if default is None else str(default))
        except ValueError:
            continue
    return out


def write_inserted_blocks(
    conn: sqlite3.Connection, table: str, frame: pl.DataFrame, first_id: int
) -> bool:
    """Write blocks of rows just inserted from ``frame`` (in its order, taking the ids from
    ``first_id`` on), from the frame itself rather than read back row by row (1M events:
    ~0.2 s instead of ~1.8 s). Only where SQLite stores every engine column's values
    unchanged: text as text, whole numbers as whole numbers, numbers into a real column
    (a default for a column the frame lacks is taken from the table). Returns whether it
    did; inside the import's transaction, so they stand or fall with it."""
    if table not in blocks.MIRRORED or frame.height < blocks.MIN_NEW_ROWS:
        return False
    (top,) = conn.execute(f'SELECT IFNULL(MAX(id), 0) FROM "{table}"').fetchone()
    (low,) = conn.execute(f'SELECT MIN(id) FROM "{table}" WHERE id >= ?', (first_id,)).fetchone()
    if (low, top) != (first_id, first_id + frame.height - 1):
        return False  # not the ids of these rows alone
    defaults = _defaults(conn, table)
    columns = []
    for name, kind in _schema(table).items():
        stored = S if kind in (INSTANT, DAY) else kind
        if name in frame.columns:
            if frame.schema[name] not in _STORED_AS[stored]:  # type: ignore[index]
                return False
            columns.append(pl.col(name).cast(stored))  # type: ignore[arg-type]
        elif name in defaults:
            columns.append(pl.lit(defaults[name]).cast(stored).alias(name))  # type: ignore[arg-type]
        else:
            return False
    try:
        typed = frame.select(columns).with_columns(_typed(table))
    except pl.exceptions.PolarsError:  # a value a load would not read either: leave it to one
        return False
    ids = pl.int_range(first_id, first_id + frame.height, eager=True).alias("id")
    blocks.write(conn, table, [typed.insert_column(0, ids)])
    return True


def write_blocks(conn: sqlite3.Connection, say: Callable[[str], None] | None = None) -> int:
    """Copy the rows no block holds yet into blocks, so that the next load reads blocks
    only (after an import: the first load would otherwise read the new rows one by one,
    ~15 s for 10M events). A table with few such rows is passed over after counting them
    from the blocks' ranges alone (a few ms at 10M events). Returns the rows copied; 0
    when another connection is writing."""
    copied = 0
    with blocks.read_snapshot(conn) as may_write:
        for t in blocks.MIRRORED if may_write else ():
            if blocks.rows_outside(conn, t, typed_schema(t)) >= blocks.MIN_NEW_ROWS:
                copied += _write_blocks(conn, t, *_tail_and_fresh(conn, t), say=say)
        for t in blocks.WHOLE if may_write else ():
            if blocks.whole(conn, t, typed_schema(t)) is None:
                copied += _whole_rows(conn, t, may_write)[1]
    return copied


def load_table(conn: sqlite3.Connection, table: str) -> pl.DataFrame:
    """The table's engine columns, typed, in id order. A big table is read from its blocks
    (db/blocks.py), and only the rows no block holds from the table; when those are many,
    they are written as blocks for the next load (10M events: ~15 s row by row, ~1 s from
    blocks)."""
    with blocks.read_snapshot(conn) as may_write:
        return _load(conn, table, may_write)


def load_all(
    conn: sqlite3.Connection,
    tables: Iterable[str] = tuple(TABLES),
    early: tuple[Iterable[str], Callable[[dict[str, pl.DataFrame]], None]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Every canonical table the engine reads (or those named), by table name, all as of
    one moment (one read transaction: an import committing meanwhile is seen whole or not
    at all). ``early``: (some of them, a call given those once they are loaded, before the
    others are), for a screen that can show something from a few tables."""
    names = tuple(tables)
    loaded: dict[str, pl.DataFrame] = {}
    with blocks.read_snapshot(conn) as may_write:
        if early is not None:
            first, call = early
            for table in first:
                loaded[table] = _load(conn, table, may_write)
            call(dict(loaded))
        for table in names:
            if table not in loaded:
                loaded[table] = _load(conn, table, may_write)
    return {table: loaded[table] for table in names}
