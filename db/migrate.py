"""Numbered SQL migrations, applied in order when a database is opened.

``schema_version`` records each one applied. A database made by an older release is
copied to ``<file>.v<N>.bak`` before it is upgraded; one made by a newer release is refused.
Where rows imported before a migration cannot show what it adds until their export is
imported again, its ``-- tell-if:`` query counts them and its ``-- tell:`` lines say so.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from db.clock import utc_now
from db.errors import RetentionError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# What a user should do after an upgrade: a migration's `-- tell:` lines, said when its
# `-- tell-if:` query counts rows ({n} in the text: how many).
_TELL_IF = re.compile(r"^-- tell-if: (.+)$", re.MULTILINE)
_TELL = re.compile(r"^-- tell: (.+)$", re.MULTILINE)


def migrations() -> list[tuple[int, str, str]]:
    """Every shipped migration as (version, file name, SQL), in order."""
    found = []
    for entry in resources.files("db").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found


def latest_version() -> int:
    return len(migrations())


def current_version(conn: sqlite3.Connection) -> int:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    target = path.with_name(f"{path.name}.v{version}.bak")
    with sqlite3.connect(target) as dest:
        conn.backup(dest)
    dest.close()
    target.chmod(0o600)
    return target


def migrate(
    conn: sqlite3.Connection, path: Path | None = None, tell: Callable[[str], object] | None = None
) -> int:
    """Apply the migrations this database lacks; return the version it is now at. What the
    upgrade asks of the user (``tells``) goes to ``tell``, else to stderr."""
    shipped = migrations()
    version = current_version(conn)
    if version > len(shipped):
        raise RetentionError(
            f"{path or 'database'}: made by a newer version of retention (schema v{version}; "
            f"this one knows up to v{len(shipped)}); upgrade retention to open it"
        )
    if version == len(shipped):
        return version
    user_tables = conn.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name != 'schema_version'"
    ).fetchone()[0]
    if version == 0 and user_tables:
        raise RetentionError(
            f"{path or 'database'}: not a retention database (it has other tables)"
        )
    if version > 0 and path is not None:
        # Copying and upgrading a big database takes a while (55 s at 10M events): say so.
        print(
            f"Upgrading {path} from schema v{version} to v{len(shipped)} (the old one is "
            f"kept as {path.name}.v{version}.bak) ...",
            file=sys.stderr,
            flush=True,
        )
        _backup(conn, path, version)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        version = current_version(conn)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for number, name, sql in shipped[version:]:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (number, name, utc_now()),
            )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    if path is not None and version > 0:
        for line in tells(conn, shipped[version:]):
            if tell is None:
                print(line, file=sys.stderr, flush=True)
            else:
                tell(line)
    return len(shipped)


def tells(conn: sqlite3.Connection, applied: list[tuple[int, str, str]]) -> list[str]:
    """What the user should do now that these migrations are applied: each one's `-- tell:`
    text, where its `-- tell-if:` query counts any row (data imported before it that an
    export imported again would complete)."""
    said = []
    for _number, _name, sql in applied:
        query, text = _TELL_IF.search(sql), " ".join(_TELL.findall(sql))
        if query and text:
            n = conn.execute(query.group(1)).fetchone()[0]
            if n:
                said.append(text.format(n=f"{n:,}"))
    return said


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (all run inside the caller's transaction)."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf)
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise RuntimeError(f"migration ends with an incomplete statement: {buf[:80]!r}")
    return statements
