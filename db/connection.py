"""The connection factory: every connection to the database is made here.

WAL journal (readers never block the writer), foreign keys on, a busy timeout so a second
writer waits instead of failing at once, and the schema migrated on open. New database
files are created readable by their owner only: they hold customer records.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from db.errors import RetentionError

BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 128 * 1024


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def connect(
    path: str | os.PathLike[str],
    *,
    migrate: bool = True,
    busy_timeout_ms: int | None = None,
    tell: Callable[[str], object] | None = None,
) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.
    What an upgrade asks of the user (db.migrate.tells) goes to ``tell``, else to stderr.

    The connection is in autocommit mode; group writes with :func:`transaction`.
    """
    from db.migrate import migrate as run_migrations

    p = Path(path)
    if p.is_dir():
        raise RetentionError(f"{p}: is a directory, expected a database file")
    if not p.exists():
        try:
            _create_private(p)
        except FileExistsError:
            pass
        except OSError as exc:
            raise RetentionError(f"{p}: cannot create the database ({exc.strerror})") from exc
    try:
        conn = sqlite3.connect(p, isolation_level=None, check_same_thread=False)
        wait = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # A page cache large enough for bulk upserts into indexed tables (allocated only as
        # used): with SQLite's 2 MB default, importing 220k events took 3x longer.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        # Sorts (building an index, ORDER BY) may use a helper thread per spare core.
        conn.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")
        # A row that INSERT OR REPLACE deletes fires its delete trigger too, as the
        # blocks' triggers need (db/blocks.py).
        conn.execute("PRAGMA recursive_triggers = ON")
    except sqlite3.DatabaseError as exc:
        raise RetentionError(f"{p}: not a retention database ({exc})") from exc
    if migrate:
        try:
            run_migrations(conn, p, tell)
        except BaseException:
            conn.close()
            raise
    return conn


@contextmanager
def kept_only_if_written(path: Path, written: Callable[[], bool]) -> Iterator[None]:
    """Around opening and writing the database ``path``: when it did not exist before and
    nothing was written into it in the end (an import refused, or a dry run), it is
    removed again, with its WAL files: a user's first, refused import leaves no empty
    database behind, as a refused import leaves any other as it was. ``written`` says, once
    the work is done, whether it wrote."""
    new = not path.exists()
    done = False
    try:
        yield
        done = written()
    finally:
        if new and not done:
            for leftover in (
                path,
                path.with_name(path.name + "-wal"),
                path.with_name(path.name + "-shm"),
            ):
                leftover.unlink(missing_ok=True)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: everything inside is committed together or not at all.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two writers queue (for up to the
    busy timeout) instead of failing half-way.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise RetentionError(
                "the database is busy: another import or scoring run is writing to it; "
                "try again when it has finished"
            ) from exc
        raise
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
