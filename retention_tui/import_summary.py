"""What an import did, in words: the per-file summary and the progress bar, shared by the
command line and the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retention_tui.formatting import plural

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from db.undo import Batch
    from importers.csvfile import NotATable
    from importers.detect import UnknownFormat
    from importers.run import FileResult


IGNORED_SHOWN = 8  # ignored columns named in a file's summary; the import log has all


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """'[#########.....]  60% 600,000/1,000,000 rows'"""
    share = done / total if total else 1.0
    filled = round(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done:,}/{total:,} rows"


def _periods_note(r: FileResult) -> str | None:
    """Why a subscriptions export's rows made more rows than it has ('5 rows: 6 inserted'
    read as a fault): a subscription is stored as its periods."""
    kept = r.rows_read - r.rejected - sum(r.skipped.values()) - r.pending
    stored = r.inserted + r.updated + r.unchanged
    if r.entity != "subscription_periods" or stored <= kept:
        return None
    return (
        f"{plural(kept, 'subscription')} stored as {plural(stored, 'period')}: a trial, and "
        "the status since the current billing period began, are periods of their own"
    )


def file_summary(r: FileResult, dry_run: bool = False, ignored: bool = True) -> list[str]:
    """What importing one file did, in a few lines (``ignored``: with the columns it did not
    read, which the dashboard's toast leaves to the import log)."""
    verb = " would be" if dry_run else ""
    line = (
        f"{r.path.name}: {r.format}, {plural(r.rows_read, 'row')}: {r.inserted:,}{verb} "
        f"inserted, {r.updated:,}{verb} updated, {r.unchanged:,} unchanged"
    )
    if r.accounts_created or r.accounts_matched:
        line += f"; accounts: {r.accounts_created:,} created, {r.accounts_matched:,} matched"
    lines = [line + f" ({r.duration_ms / 1000:.2f} s)"]
    periods = _periods_note(r)
    if periods:
        lines.append(f"  {periods}")
    lines += [f"  {note}" for note in r.notes]
    if r.rejected:
        lines.append(f"  skipped {plural(r.rejected, 'row')}: exact repeats of another row")
    for reason, n in sorted(r.skipped.items()):
        lines.append(f"  skipped {plural(n, 'row')}: {reason}")
    if r.pending:
        lines.append(
            f"  {plural(r.pending, 'row matches', 'rows match')} no account (or several) and "
            f"{'waits' if r.pending == 1 else 'wait'}: see "
            "'retention accounts unmatched'"
        )
    if r.price_changes:
        lines.append(
            f"  {plural(r.price_changes, 'subscription')} changed price: the new price starts a "
            "new period where the current billing period began (the old one is kept)"
        )
    named = [plural(n, table.rstrip("s")) for table, n in r.owners_named.items() if n]
    if named:
        lines.append(f"  named the owners of {' and '.join(named)}")
    if r.owners_unknown:
        lines.append(
            f"  {plural(r.owners_unknown, 'row names its', 'rows name their')} owner by a user id "
            "no users file has named yet: import the users (Salesforce's User.csv) to name them"
        )
    if ignored and r.ignored_columns:
        lines.append(f"  ignored columns: {_ignored(r)}")
    return lines


def _ignored(r: FileResult) -> str:
    """The columns no field reads, the first few of a wide export (a Salesforce object's
    fifty) and how many more; the import log keeps them all."""
    shown = ", ".join(r.ignored_columns[:IGNORED_SHOWN])
    more = len(r.ignored_columns) - IGNORED_SHOWN
    if more <= 0:
        return shown
    return f"{shown} and {more} more ('retention formats {r.format}' lists the columns it reads)"


def left_out_summary(left_out: list[tuple[Path, UnknownFormat | NotATable]]) -> list[str]:
    """The files of a folder or archive that were no format we read: those that come
    close to one, and those that are no table at all (a web page named .xls), each with
    why (the user may have meant it, and is told what to do), the rest by name."""
    from importers.csvfile import NotATable

    if not left_out:
        return []
    told = [why for _, why in left_out if isinstance(why, NotATable) or why.near]
    lines = [f"Left out {plural(len(left_out), 'file')} that no format of retention fits:"]
    lines += [f"  {why}" for why in told]
    others = [path.name for path, why in left_out if why not in told]
    if others:
        lines.append(
            f"  {', '.join(others)} ('retention import --dry-run' on one of them says why)"
        )
    return lines


def last_import_undo(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last import's batch id and what undoing it does: 'the import of a.csv, b.csv
    (2026-12-03T10:00:00Z): 12 rows it added removed, 1 row it changed put back'; the
    error that says why when there is none to undo."""
    from db.undo import changed_rows, last_batch, nothing_to_undo

    batch = last_batch(conn)
    if batch is None:
        raise nothing_to_undo(conn)
    return batch.id, _undo_summary(batch, changed_rows(conn, batch))


def _undo_summary(batch: Batch, changed: int) -> str:
    added = sum(batch.added(t) for t in batch.tables if t != "import_log")
    return (
        f"the import of {batch.files} ({batch.imported_at}): {plural(added, 'row')} it added "
        f"removed, {plural(changed, 'row')} it changed put back"
    )
