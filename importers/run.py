"""Importing files: read and validate every file, then write them all in one transaction.

Files are written in the order their references need (accounts before contacts, invoices
before payments), whatever order they were given in. Any problem in any file rolls the
whole import back: the database is exactly as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db import queries, transaction
from db.errors import RetentionError
from db.queries import DATA_TABLES, ImportLogEntry
from db.write import upsert
from importers.csvfile import read_table
from importers.detect import detect, format_named
from importers.validate import Parsed, check_references, parse


@dataclass(frozen=True)
class FileResult:
    path: Path
    sha256: str
    format: str
    entity: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    ignored_columns: tuple[str, ...]
    duration_ms: int


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass(frozen=True)
class _Loaded:
    path: Path
    sha256: str
    parsed: Parsed
    seconds: float


def load(path: Path, format_name: str | None = None) -> _Loaded:
    """Read, detect and validate one file (no database access)."""
    started = time.perf_counter()
    table = read_table(path)
    fmt = format_named(format_name) if format_name else detect(table.name, table.header)
    parsed = parse(fmt, table)
    return _Loaded(path, table.sha256, parsed, time.perf_counter() - started)


def _known_values(conn: sqlite3.Connection, parsed: Parsed) -> dict[str, set[str]]:
    known = {}
    for ref in parsed.fmt.references:
        where = {"source": parsed.fmt.source} if ref.same_source else {}
        known[ref.target] = queries.existing_values(conn, ref.table, ref.column, **where)
    return known


def _write(conn: sqlite3.Connection, item: _Loaded, dry_run: bool) -> FileResult:
    started = time.perf_counter()
    parsed = item.parsed
    check_references(parsed, _known_values(conn, parsed))
    frame = parsed.frame.drop("__row")
    columns = frame.columns
    try:
        counts = upsert(
            conn,
            parsed.fmt.table,
            columns,
            frame.rows(),
            update=parsed.present_targets,
            source=parsed.fmt.source,
        )
    except sqlite3.IntegrityError as exc:  # e.g. an account id another source already uses
        raise RetentionError(f"{item.path}: {exc}; expected ids that no other source uses") from exc
    duration_ms = round((item.seconds + time.perf_counter() - started) * 1000)
    result = FileResult(
        path=item.path,
        sha256=item.sha256,
        format=f"{parsed.fmt.source}.{parsed.fmt.name}",
        entity=parsed.fmt.table,
        rows_read=parsed.rows_read,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=parsed.duplicates_dropped,
        ignored_columns=parsed.ignored_columns,
        duration_ms=duration_ms,
    )
    if not dry_run:
        queries.log_import(
            conn,
            ImportLogEntry(
                imported_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                file_name=item.path.name,
                file_path=str(item.path.resolve()),
                sha256=item.sha256,
                format=result.format,
                entity=result.entity,
                rows_read=result.rows_read,
                rows_inserted=result.inserted,
                rows_updated=result.updated,
                rows_unchanged=result.unchanged,
                rows_rejected=result.rejected,
                ignored_columns=",".join(result.ignored_columns),
                duration_ms=duration_ms,
            ),
        )
    return result


def import_files(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    *,
    format_name: str | None = None,
    dry_run: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> list[FileResult]:
    """Import ``paths`` all together; return what each file did (or would do, dry run).

    ``on_progress`` hears what is happening ("checked x.csv: 1,000,000 rows", "writing
    x.csv") while it happens."""
    say = on_progress or (lambda _msg: None)
    loaded = []
    for p in paths:
        say(f"reading {Path(p).name}")
        item = load(Path(p), format_name)
        say(f"checked {Path(p).name}: {item.parsed.rows_read:,} rows, {item.parsed.fmt.name}")
        loaded.append(item)
    loaded.sort(key=lambda item: DATA_TABLES.index(item.parsed.fmt.table))
    results: list[FileResult] = []
    try:
        with transaction(conn):
            for item in loaded:
                say(f"writing {item.path.name}")
                result = _write(conn, item, dry_run)
                results.append(result)
                if on_file:
                    on_file(result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return results
