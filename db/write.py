"""Upserts: the one way imported rows reach the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from db.errors import RetentionError

# A bulk load writes at least this many rows, and no fewer than the table holds already.
BULK_MIN_ROWS = 100_000
# Rows in one INSERT statement (fewer when SQLite's limit of bound values per statement
# would be passed): 20 rows a statement took 1.21 s for 1M events, 100 1.06 s, 500 1.08 s.
ROWS_PER_STATEMENT = 100


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def _quote(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a column name: {name!r}")
    return f'"{name}"'


def upsert(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    conflict: Sequence[str] = ("source", "source_id"),
    update: Sequence[str] | None = None,
    keep: Sequence[str] = (),
    fresh: bool = False,
) -> UpsertCounts:
    """Insert rows into ``table``, updating rows whose ``conflict`` key already exists.
    ``values`` holds one list per column (``columns``' order), all of one length.

    Only the ``update`` columns (default: all but the key) overwrite an existing row, so a
    file without some column leaves that column's values alone; those also in ``keep`` only
    where the new row has a value (a null never erases one). A row whose values are all
    unchanged is not touched (and is counted as unchanged). When ``source`` names the
    rows' source and the table has none of its rows yet, the rows (already unique) are
    inserted without conflict checks. Call inside a transaction.
    """
    cols = [_quote(c) for c in columns]
    keys = {_quote(c) for c in conflict}
    wanted = None if update is None else {_quote(c) for c in update}
    rest = [c for c in cols if c not in keys and (wanted is None or c in wanted)]
    t = _quote(table)
    head = f"INSERT INTO {t} ({', '.join(cols)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(_quote(c) for c in conflict)}) DO "
    kept = {_quote(c) for c in keep}
    if rest:
        new = {
            c: f"COALESCE(excluded.{c}, {t}.{c})" if c in kept else f"excluded.{c}" for c in rest
        }
        sets = ", ".join(f"{c} = {v}" for c, v in new.items())
        same = " AND ".join(f"{t}.{c} IS {v}" for c, v in new.items())
        tail += f"UPDATE SET {sets} WHERE NOT ({same})"
    else:
        tail += "NOTHING"
    if fresh:
        # Nothing from this source yet, and the rows are unique (validated): a plain INSERT
        # skips the conflict checks (measured: 5.4 s instead of 8.1 s for 1M events).
        rows, _changed = _insert_many(conn, head, "", values)
        return UpsertCounts(inserted=rows, updated=0, unchanged=0)
    # A new row takes the rowid after the largest (SQLite's rule until 2^63), an update
    # keeps its own: the growth of MAX(rowid) counts the inserts without counting the
    # table (COUNT(*) scans it: 2 x 0.05 s per 100k-row chunk at 10M rows).
    top = f"SELECT IFNULL(MAX(rowid), 0) FROM {t}"
    before_top = conn.execute(top).fetchone()[0]
    rows, changed = _insert_many(conn, head, tail, values)
    inserted = conn.execute(top).fetchone()[0] - before_top
    return UpsertCounts(inserted=inserted, updated=changed - inserted, unchanged=rows - changed)


def _insert_many(
    conn: sqlite3.Connection, head: str, tail: str, values: Sequence[Sequence[object]]
) -> tuple[int, int]:
    """Run ``head`` (an INSERT up to its VALUES) (...), (...) ``tail`` over the rows of
    ``values`` (one list per column), in order, up to ROWS_PER_STATEMENT rows a statement;
    returns how many rows were given and how many it inserted or updated (not counting
    what triggers wrote: the undo records, db/undo.py). Where executemany of one row a
    statement steps SQLite once per row and has Python build a tuple per row, this steps
    it once per hundred rows and lays the columns' values out side by side in one list (1M usage
    events of 7 columns: 2.1 -> 1.1 s)."""
    width = len(values)
    rows = len(values[0]) if values else 0
    flat: list[object] = [None] * (rows * width)
    for i, column in enumerate(values):
        flat[i::width] = column
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_STATEMENT, limit // max(width, 1)))
    one = "(" + ", ".join("?" * width) + ")"
    left = rows % per  # the rows after the last full statement
    step = per * width
    changed = 0
    if rows - left:
        sql = head + ", ".join([one] * per) + tail
        chunks = (flat[i : i + step] for i in range(0, (rows - left) * width, step))
        changed += conn.executemany(sql, chunks).rowcount
    if left:
        changed += conn.execute(
            head + ", ".join([one] * left) + tail, flat[(rows - left) * width :]
        ).rowcount
    return rows, changed


def source_is_new(conn: sqlite3.Connection, table: str, source: str) -> bool:
    """Whether ``table`` has no rows from ``source`` yet."""
    t = _quote(table)
    return not conn.execute(f"SELECT 1 FROM {t} WHERE source = ? LIMIT 1", (source,)).fetchone()


def enrich(
    conn: sqlite3.Connection,
    table: str,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    overwrite: frozenset[str] = frozenset(),
) -> int:
    """Update the row whose ``key`` is each row's first value: ``overwrite`` columns take
    the row's value when it has one, the other ``columns`` only fill what is still empty.
    Returns how many rows were touched."""
    if not columns:
        return 0
    sets = ", ".join(
        f"{_quote(c)} = COALESCE(?, {_quote(c)})"
        if c in overwrite
        else f"{_quote(c)} = COALESCE({_quote(c)}, ?)"
        for c in columns
    )
    return conn.executemany(
        f"UPDATE {_quote(table)} SET {sets} WHERE {_quote(key)} = ?",
        [(*r[1:], r[0]) for r in rows],
    ).rowcount


def name_owners(conn: sqlite3.Connection, source: str) -> dict[str, int]:
    """Name the owner of every account and deal owned by one of ``source``'s users (their
    owner_ref, 'source:user id'), by the user's name; returns how many of each changed."""
    changed = {}
    for table in ("accounts", "deals"):
        changed[table] = conn.execute(
            f"UPDATE {table} SET owner = u.name FROM crm_users AS u "
            f"WHERE u.source = ? AND {table}.owner_ref = u.source || ':' || u.source_id "
            f"AND {table}.owner IS NOT u.name",
            (source,),
        ).rowcount
    return changed


def fill_contact_emails(conn: sqlite3.Connection, source: str) -> int:
    """Give every touchpoint with one of ``source``'s contacts (its contact_ref, 'source:
    contact id') that contact's email; returns how many changed."""
    # Only a source whose touchpoints name contacts by id (its range of the index).
    prefix = f"{source}:"
    if not conn.execute(
        "SELECT 1 FROM touchpoints WHERE contact_ref >= ? AND contact_ref < ? LIMIT 1",
        (prefix, f"{source};"),
    ).fetchone():
        return 0
    return conn.execute(
        "UPDATE touchpoints SET contact_email = c.email FROM contacts AS c "
        "WHERE c.source = ? AND touchpoints.contact_ref = c.source || ':' || c.source_id "
        "AND c.email IS NOT NULL AND touchpoints.contact_email IS NOT c.email",
        (source,),
    ).rowcount


def is_bulk_load(conn: sqlite3.Connection, table: str, rows: int) -> bool:
    """Whether writing ``rows`` new rows into ``table`` is cheaper with its secondary
    indexes built afterwards than kept up to date row by row: many rows, and at least as
    many as the table holds (rebuilding sorts the old rows again too)."""
    if rows < BULK_MIN_ROWS:
        return False
    held = conn.execute(f"SELECT MAX(rowid) FROM {_quote(table)}").fetchone()[0] or 0
    return rows >= held


@contextmanager
def indexes_built_after(
    conn: sqlite3.Connection, table: str, before_building: Callable[[], None] | None = None
) -> Iterator[None]:
    """Drop ``table``'s own indexes, run the block, then build them again, all inside the
    caller's transaction (on an error the rollback restores them as they were).

    Building an index sorts its keys once, where inserts into it land in random places of
    the B-tree: 10M usage events with random ids took 205 s with both indexes kept up to
    date, 71 s with them built afterwards. A unique index built afterwards still refuses
    repeated keys (the import then fails and rolls back); a UNIQUE constraint's own index
    cannot be dropped and is kept up to date as usual.
    """
    if not conn.in_transaction:
        raise RuntimeError("indexes_built_after must run inside a transaction")
    made = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table,),
    ).fetchall()
    for name, _sql in made:
        conn.execute(f"DROP INDEX {_quote(name)}")
    yield
    if before_building and made:
        before_building()  # a while at 10M rows (~1 min): say so
    for name, sql in made:
        try:
            conn.execute(sql)
        except sqlite3.IntegrityError as exc:  # rows repeat a unique key: refuse them all
            raise RetentionError(
                f"{table}: two rows share a key the index {name} keeps unique ({exc}); "
                "nothing was imported"
            ) from exc
