"""Importing files: read and validate every file, then write them all in one transaction.

Files are written in the order their references need (accounts before contacts, invoices
before payments), whatever order they were given in. Rows from a tool's export are given
their account on the way in (importers/identity.py); rows that match none are kept in
pending_rows until linked by hand. Any problem in any file rolls the whole import back:
the database is exactly as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from db import links, queries, transaction, undo
from db.clock import utc_now
from db.errors import RetentionError
from db.frames import write_blocks, write_inserted_blocks
from db.queries import DATA_TABLES, ImportLogEntry
from db.write import (
    UpsertCounts,
    enrich,
    fill_contact_emails,
    indexes_built_after,
    is_bulk_load,
    name_owners,
    source_is_new,
    upsert,
)
from importers import identity, price_changes, workbooks
from importers.csvfile import ROW, NotATable, files_to_import, read_head_rows, read_table
from importers.detect import UnknownFormat, find_header, format_named
from importers.spec import HELPER_PREFIX, IDENTITY_TARGETS, OWNER_ID
from importers.validate import Parsed, check_references, parse
from importers.values import DateOrder

CHUNK_ROWS = 100_000  # rows written between two progress reports
# What a CRM knows best: a company file matched to an account another tool made (HubSpot
# to Stripe's) updates these; the rest (name, domain, plan...) it only fills when empty.
CRM_FIELDS = frozenset(
    {
        *("owner", "owner_ref", "industry", "employees"),
        *("segment", "renewal_date", "contract_value_minor", "prospect"),
    }
)


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
    encoding: str = "utf-8"
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows left out
    accounts_created: int = 0
    accounts_matched: int = 0
    pending: int = 0  # rows kept until they are linked to an account
    footer: tuple[str, ...] = ()  # a report footer's lines, left out (RawTable.footer)
    above: tuple[str, ...] = ()  # what the rows above the header said (RawTable.above)
    date_order: DateOrder | None = None  # how its slashed dates were read (Parsed.date_order)
    # table -> rows (accounts, deals) whose owner a users file named
    owners_named: dict[str, int] = field(default_factory=dict)
    owners_unknown: int = 0  # rows whose owner is a user id no users file has named yet
    price_changes: int = 0  # subscriptions whose new price starts a new period
    # subscriptions stored as live that an export of them all lacks (PriceChanges.absent)
    absent: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        """How the file was read, where that is worth saying (the import's summary and the
        import log's notes): its encoding, its dates' order, what was left out around its
        rows, the live subscriptions it lacks."""
        said = []
        if self.encoding != "utf-8":
            said.append(f"read as {self.encoding}")
        if self.date_order == "day":
            said.append("read its dates day-first, as its locale writes them (14/03/2024)")
        elif self.date_order == "either":
            said.append(
                "read its dates month-first (01/02/2024 as January 2): none could only be one "
                'way; to read them day-first, set [import] dates = "day-first" in '
                "retention.toml (or import --dates day-first)"
            )
        if self.above:
            said.append(f"left out the rows above its header: {' · '.join(self.above)}")
        if self.footer:
            said.append(f"left out the report's footer below its rows: {' · '.join(self.footer)}")
        if self.absent:
            said.append(_absent_note(self.absent))
        return said


def _absent_note(absent: tuple[str, ...]) -> str:
    """What to make of subscriptions stored as live that an export of them all lacks."""
    shown = ", ".join(absent[:3]) + (", …" if len(absent) > 3 else "")
    one = len(absent) == 1
    return (
        f"{len(absent)} subscription{'' if one else 's'} stored as live "
        f"{'is' if one else 'are'} not in this file ({shown}): if {'it' if one else 'they'} "
        "ended, import an export of every status, not only the active ones (until then "
        f"{'it counts' if one else 'they count'} as paying)"
    )


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass(frozen=True)
class _Loaded:
    path: Path
    sha256: str
    parsed: Parsed
    seconds: float


Progress = Callable[[str, int, int], None]  # (file name, rows written, rows to write)


def load(path: Path, format_name: str | None = None, dates: DateOrder | None = None) -> _Loaded:
    """Read, detect and validate one file (no database access). The format is told from
    the header alone, so a file that is none (a Data Export's Lead.csv of a million leads)
    is not read whole to be left out; nor is the header, when a title comes above it.
    ``dates``: "day" or "month", the order its slashed dates are read in (validate.parse)."""
    started = time.perf_counter()
    named = format_named(format_name) if format_name else None
    fmt, skip = find_header(str(path), read_head_rows(path), named)
    table = read_table(path, skip)
    parsed = parse(fmt, table, dates)
    return _Loaded(path, table.sha256, parsed, time.perf_counter() - started)


# The user's words for an order of slashed dates (--dates, [import] dates).
_USERS_ORDER: dict[str, DateOrder] = {"day-first": "day", "month-first": "month"}


def _dates_as_the_others(loaded: list[_Loaded], format_name: str | None) -> list[_Loaded]:
    """The files read again whose slashed dates could be either way (values.date_order:
    01/02/2024 and no 14/03/2024) when the import's other files write theirs day-first and
    none month-first: one locale saved them (a UK user's folder, whose nps.csv of three
    answers has only dates before the 13th)."""
    orders = {item.parsed.date_order for item in loaded}
    if "day" not in orders or "month" in orders:
        return loaded
    either = [item.parsed.date_order == "either" for item in loaded]
    return [
        load(item.path, format_name, "day") if again else item
        for item, again in zip(loaded, either, strict=True)
    ]


def _known_values(conn: sqlite3.Connection, parsed: Parsed) -> dict[str, set[str]]:
    known = {}
    for ref in parsed.fmt.references:
        where = {"source": parsed.fmt.source} if ref.same_source else {}
        known[ref.target] = queries.existing_values(conn, ref.table, ref.column, **where)
    return known


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]


def _db_columns(frame: pl.DataFrame, table_columns: list[str]) -> list[str]:
    return [
        c
        for c in frame.columns
        if c in table_columns and c not in IDENTITY_TARGETS and not c.startswith(HELPER_PREFIX)
    ]


@dataclass
class _Placement:
    """What giving rows their accounts did."""

    frame: pl.DataFrame  # rows to write, account_id set
    fill: pl.DataFrame | None = None  # accounts rows that enrich an account another tool made
    pending: int = 0
    created: int = 0
    matched: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def _place(conn: sqlite3.Connection, item: _Loaded, table_columns: list[str]) -> _Placement:
    """Give every row of a tool's export its account (or keep it pending)."""
    parsed = item.parsed
    fmt = parsed.fmt
    assert fmt.identity is not None
    accounts, contacts = links.accounts_for_matching(conn)
    frame = identity.resolve(
        identity.with_keys(parsed.frame), links.links(conn, fmt.source), accounts, contacts
    )
    placed = pl.col("account_id").is_not_null()
    ambiguous = pl.col("candidates").is_not_null()
    result = _Placement(frame)
    if fmt.identity.creates:
        own = queries.existing_values(conn, "accounts", "source_id", source=fmt.source)
        frame = frame.with_columns(
            (~placed & ~ambiguous).alias("_new"),
            (placed & ~pl.col("ext_id").cast(pl.String).is_in(list(own))).alias("_fill"),
        )
        frame = frame.with_columns(
            pl.when(pl.col("_new"))
            .then(pl.lit(f"{fmt.source}:") + pl.col("ext_id").cast(pl.String))
            .otherwise(pl.col("account_id"))
            .alias("account_id"),
            pl.when(pl.col("_new"))
            .then(pl.lit("created"))
            .otherwise(pl.col("match"))
            .alias("match"),
        )
        result.created = frame.filter(pl.col("_new")).height
        result.fill = frame.filter(pl.col("_fill"))
        result.matched = result.fill.select(pl.col("account_id").n_unique()).item()
        to_write = frame.filter(~pl.col("_fill") & pl.col("account_id").is_not_null())
    else:
        if fmt.identity.optional:
            to_write = frame.filter(placed | ~ambiguous)
        else:
            to_write = frame.filter(placed)
        result.matched = to_write.select(pl.col("account_id").drop_nulls().n_unique()).item()
    # Rows with no account wait for a link; deals may stay without one unless ambiguous.
    lenient = fmt.identity.creates or fmt.identity.optional
    waiting = frame.filter(pl.col("account_id").is_null() & (ambiguous if lenient else True))
    _keep_pending(conn, item, waiting, table_columns)
    result.pending = waiting.height
    # Remember which account each of the tool's ids went to: the next import of any of
    # its files finds it again even if names or domains change.
    ids = (
        frame.filter(pl.col("k_id").is_not_null() & pl.col("account_id").is_not_null())
        .select("k_id", "account_id")
        .unique(subset="k_id")
    )
    links.save_links(conn, fmt.source, ids.iter_rows(), "auto")
    result.frame = to_write
    return result


def _keep_pending(
    conn: sqlite3.Connection, item: _Loaded, waiting: pl.DataFrame, table_columns: list[str]
) -> None:
    if waiting.height == 0:
        return
    fmt = item.parsed.fmt
    payload_cols = [c for c in _db_columns(waiting, table_columns) if c != "account_id"]
    labelled = waiting.with_columns(identity.best_label(waiting).alias("_label"))
    links.keep_pending(
        conn,
        (
            links.PendingRow(
                target_table=fmt.table,
                source=fmt.source,
                source_id=str(rec["source_id"]),
                format=fmt.qualified,
                file_name=item.path.name,
                row_number=rec[ROW],
                reason="ambiguous" if rec["candidates"] else "unmatched",
                keys=identity.record_keys(rec),
                label=str(rec["_label"]),
                candidates=rec["candidates"],
                payload={c: rec[c] for c in payload_cols},
            )
            for rec in labelled.iter_rows(named=True)
        ),
    )


def _follow_merges(conn: sqlite3.Connection, parsed: Parsed) -> tuple[pl.DataFrame, int]:
    """Our own files name accounts by id: ids merged into another account now mean that
    account (and an accounts row of a merged id is left out)."""
    frame = parsed.frame
    merged = links.merged_ids(conn)
    if not merged or "account_id" not in frame.columns:
        return frame, 0
    if parsed.fmt.table == "accounts":
        kept = frame.filter(~pl.col("account_id").is_in(list(merged)))
        return kept, frame.height - kept.height
    return frame.with_columns(pl.col("account_id").replace(merged)), 0


# write_rows puts rows in key order when the table holds at least this many times as many.
KEY_ORDER_RATIO = 4


def write_rows(
    conn: sqlite3.Connection,
    table: str,
    frame: pl.DataFrame,
    columns: list[str],
    *,
    update: Sequence[str] | None,
    keep: Sequence[str] = (),
    source: str,
    on_rows: Callable[[int, int], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> UpsertCounts:
    """Upsert ``frame``'s ``columns`` into ``table`` in chunks, reporting progress.

    A source's first, large file (a bulk load) has the table's indexes built after the
    rows are in, not kept up to date row by row; a file much smaller than its table is
    written in the order of the unique (source, source_id) key. A source's first file
    leaves its rows in blocks too (db/blocks.py), made from the frame."""
    fresh = source_is_new(conn, table, source)
    total = frame.height
    inserted = updated = unchanged = 0
    bulk = _bulk(conn, table, source, total)
    building = (lambda: say(f"building the indexes of {table}")) if say else None
    # The ids a source's first rows will take (SQLite: the largest plus one, in order).
    first_id = conn.execute(f'SELECT IFNULL(MAX(rowid), 0) + 1 FROM "{table}"').fetchone()[0]
    if not bulk and "source_id" in columns and total * KEY_ORDER_RATIO <= first_id - 1:
        # A few rows into a big table: its key's index takes their keys in order, each of
        # its pages visited once (a day's 100k events with random ids, as Mixpanel,
        # Amplitude and Segment write them, into 10M: 4.5-4.7 -> 3.2-3.4 s). Not for a file
        # about the table's size, mostly rows already there: those are then read in key
        # order instead of their own (1M random-id events again: 5.3 -> 6.0 s).
        frame = frame.sort("source_id", maintain_order=True)
    with indexes_built_after(conn, table, building) if bulk else contextlib.nullcontext():
        for start in range(0, max(total, 1), CHUNK_ROWS):
            chunk = frame.slice(start, CHUNK_ROWS).select(columns)
            if chunk.height == 0:
                break
            values = [chunk[c].to_list() for c in columns]
            counts = upsert(conn, table, columns, values, update=update, keep=keep, fresh=fresh)
            inserted += counts.inserted
            updated += counts.updated
            unchanged += counts.unchanged
            if on_rows:
                on_rows(min(start + CHUNK_ROWS, total), total)
    if fresh:  # every row inserted, in order: their blocks come from the frame itself
        write_inserted_blocks(conn, table, frame.select(columns), first_id)
    return UpsertCounts(inserted, updated, unchanged)


def _owners_named(conn: sqlite3.Connection, parsed: Parsed) -> tuple[Parsed, int]:
    """A CRM file that names owners by the CRM's user id (OWNER_ID) keeps that id
    ('source:id', owner_ref) and gets their names from the CRM's users imported (with it or
    before), where it has no owner's name. Owners are overwritten only when every id is
    known: an unknown one must not erase a name. Also returns how many rows name an owner
    no user imported yet says (db.write.name_owners names them when the users come)."""
    frame = parsed.frame
    if OWNER_ID not in frame.columns or frame[OWNER_ID].null_count() == frame.height:
        return parsed, 0
    users = queries.crm_user_names(conn, parsed.fmt.source)
    named = frame.join(
        users.rename({"source_id": OWNER_ID, "name": "_owner_name"}),
        on=OWNER_ID,
        how="left",
    )
    unknown = pl.col(OWNER_ID).is_not_null() & pl.col("_owner_name").is_null()
    present = (*parsed.present_targets, "owner_ref")
    if not named.select(unknown.any()).item() and "owner" not in present:
        present = (*present, "owner")
    named = named.with_columns(
        pl.coalesce("owner", "_owner_name").alias("owner"),
        (pl.lit(f"{parsed.fmt.source}:") + pl.col(OWNER_ID)).alias("owner_ref"),
    )
    unnamed = named.select((unknown & pl.col("owner").is_null()).sum()).item()
    parsed = dataclasses.replace(parsed, frame=named.drop("_owner_name"), present_targets=present)
    return parsed, unnamed


def _write(
    conn: sqlite3.Connection,
    item: _Loaded,
    dry_run: bool,
    on_rows: Progress | None,
    say: Callable[[str], None],
) -> FileResult:
    started = time.perf_counter()
    owned, owners_unknown = _owners_named(conn, item.parsed)
    changes = price_changes.follow(conn, owned)
    item = dataclasses.replace(item, parsed=changes.parsed)
    parsed = item.parsed
    fmt = parsed.fmt
    table_columns = _table_columns(conn, fmt.table)
    skipped = dict(parsed.skipped)
    placement = None
    if fmt.identity:
        placement = _place(conn, item, table_columns)
        frame = placement.frame
    else:
        frame, merged = _follow_merges(conn, parsed)
        if merged:
            skipped["merged into another account"] = merged
    check_references(dataclasses.replace(parsed, frame=frame), _known_values(conn, parsed))
    columns = _db_columns(frame, table_columns)
    update = [t for t in (*parsed.present_targets, *parsed.derived) if t in columns]
    if fmt.identity:
        update.append("account_id")
    try:
        price_changes.end_periods(conn, fmt.source, changes.ended)
        counts = write_rows(
            conn,
            fmt.table,
            frame,
            columns,
            update=update,
            keep=[c for c in parsed.kept if c in update],
            source=fmt.source,
            on_rows=(lambda done, total: on_rows(item.path.name, done, total)) if on_rows else None,
            say=say,
        )
        if placement is not None and placement.fill is not None and placement.fill.height:
            fill_cols = [
                c
                for c in update
                if c not in ("account_id", "source", "source_id", "name", "created_at")
            ]
            enrich(
                conn,
                "accounts",
                "account_id",
                fill_cols,
                placement.fill.select("account_id", *fill_cols).rows(),
                overwrite=CRM_FIELDS,
            )
    except sqlite3.IntegrityError as exc:  # e.g. an account id another source already uses
        if "FOREIGN KEY" in str(exc):
            raise _missing_reference(f"{item.path}: a row of {fmt.table}") from exc
        raise RetentionError(f"{item.path}: {exc}; expected ids that no other source uses") from exc
    owners_named = name_owners(conn, fmt.source) if fmt.table == "crm_users" else {}
    if fmt.table in ("contacts", "touchpoints"):
        fill_contact_emails(conn, fmt.source)
    if links.has_pending(conn, fmt.table, fmt.source):
        links.forget_pending(conn, fmt.table, fmt.source, frame["source_id"].to_list())
    duration_ms = round((item.seconds + time.perf_counter() - started) * 1000)
    result = FileResult(
        path=item.path,
        sha256=item.sha256,
        format=fmt.qualified,
        entity=fmt.table,
        rows_read=parsed.rows_read,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=parsed.duplicates_dropped,
        ignored_columns=parsed.ignored_columns,
        duration_ms=duration_ms,
        encoding=parsed.encoding,
        skipped=skipped,
        accounts_created=placement.created if placement else 0,
        accounts_matched=placement.matched if placement else 0,
        pending=placement.pending if placement else 0,
        footer=parsed.footer,
        above=parsed.above,
        date_order=parsed.date_order,
        owners_named=owners_named,
        owners_unknown=owners_unknown,
        price_changes=len(changes.ended),
        absent=tuple(changes.absent),
    )
    if not dry_run:
        queries.log_import(
            conn,
            ImportLogEntry(
                imported_at=utc_now(),
                file_name=item.path.name,
                file_path=str(item.path.resolve()),
                sha256=item.sha256,
                format=result.format,
                entity=result.entity,
                rows_read=result.rows_read,
                rows_inserted=result.inserted,
                rows_updated=result.updated,
                rows_unchanged=result.unchanged,
                rows_rejected=result.rejected + sum(skipped.values()) + result.pending,
                ignored_columns=",".join(result.ignored_columns),
                duration_ms=duration_ms,
                notes="; ".join(result.notes),
            ),
        )
    return result


@workbooks.forgetting
def import_files(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    *,
    format_name: str | None = None,
    dry_run: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
    on_rows: Progress | None = None,
    on_skip: Callable[[Path, UnknownFormat | NotATable], None] | None = None,
    dates: str | None = None,
) -> list[FileResult]:
    """Import ``paths`` all together; return what each file did (or would do, dry run).
    ``dates``: "day-first" or "month-first", the order every file's slashed dates are read
    in (else each file's own, values.date_order; the user's --dates or [import] dates).

    A folder's or an archive's CSV files that are no format we read (a Salesforce Data
    Export's Lead.csv), or no table at all (a web page named .xls), are left out, each told
    to ``on_skip`` with why; a file named itself must be one, and so must one file of each
    folder or archive.

    ``on_progress`` hears what is happening ("checked x.csv: 1,000,000 rows", "writing
    x.csv") while it happens; ``on_rows`` how many of a file's rows are written so far.
    Once committed, the new rows of the big tables are copied into blocks too."""
    say = on_progress or (lambda _msg: None)
    loaded = []
    left_out: dict[Path, list[tuple[Path, UnknownFormat | NotATable]]] = {}  # folder, archive
    found = files_to_import(Path(p) for p in paths)
    for path, within in found:
        say(f"reading {path.name}")
        try:
            item = load(path, format_name, _USERS_ORDER.get(dates or ""))
        except (UnknownFormat, NotATable) as exc:
            if within is None:  # a file named itself: the user meant it to be imported
                raise
            left_out.setdefault(within, []).append((path, exc))
            continue
        rows = item.parsed.rows_read
        say(f"checked {path.name}: {rows:,} row{'' if rows == 1 else 's'}, {item.parsed.fmt.label}")
        loaded.append(item)
    _check_left_out(found, left_out)
    if dates is None:
        loaded = _dates_as_the_others(loaded, format_name)
    for path, why in (f for files in left_out.values() for f in files):
        if on_skip:
            on_skip(path, why)
    # Companies before what belongs to them; within a table, by precedence.
    loaded.sort(
        key=lambda item: (DATA_TABLES.index(item.parsed.fmt.table), item.parsed.fmt.precedence)
    )
    results: list[FileResult] = []
    # Every reference was checked on the whole file (check_references, identity). SQLite
    # checks each written row's references again as it writes it, unless a file is a bulk
    # load: then its per-row lookups are switched off and the written tables are checked
    # whole, once, before commit (1M events into an empty table: per-row ~2 s, the whole
    # check 0.3 s; a day's 100k events into 10M: per-row ~0.2 s, the whole check 3-6 s).
    checked_whole = _bulk_write(conn, loaded)
    if checked_whole:
        conn.execute("PRAGMA foreign_keys = OFF")
    files = ", ".join(item.path.name for item in loaded)
    when = utc_now()
    try:
        with transaction(conn), undo.recorded(conn, files, when):  # `retention imports undo`
            for item in loaded:
                say(f"writing {item.path.name}")
                result = _write(conn, item, dry_run, on_rows, say)
                results.append(result)
                if on_file:
                    on_file(result)
            if checked_whole:
                _check_foreign_keys(conn, {item.parsed.fmt.table for item in loaded})
            if dry_run:
                raise _DryRun
    except _DryRun:
        return results
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    # Committed: rows the files added that no block holds yet are copied into blocks
    # (db/blocks.py), so the next load does not read them one by one.
    write_blocks(conn, say=say)
    return results


def _check_left_out(
    found: Sequence[tuple[Path, Path | None]],
    left_out: dict[Path, list[tuple[Path, UnknownFormat | NotATable]]],
) -> None:
    """A folder, archive or workbook none of whose CSV files (sheets) is a format we read
    is an error."""
    for within, files in left_out.items():
        if len(files) == sum(1 for _, w in found if w == within):
            whys = "; ".join(str(e) for _, e in files[:3]) + ("; ..." if len(files) > 3 else "")
            what = "sheet" if workbooks.is_workbook_name(within.name) else "file"
            many = f"{len(files)} {what}{'' if len(files) == 1 else 's'}"
            raise RetentionError(
                f"{within}: none of its {many} is a format retention reads ({whys})"
            )


def _bulk(conn: sqlite3.Connection, table: str, source: str, rows: int) -> bool:
    """Whether ``rows`` are a bulk load into ``table``: the source's first, large write
    there (its indexes are built after the rows are in, its references checked whole)."""
    return source_is_new(conn, table, source) and is_bulk_load(conn, table, rows)


def _bulk_write(conn: sqlite3.Connection, loaded: Sequence[_Loaded]) -> bool:
    """Whether any file is a bulk load."""
    return any(
        _bulk(conn, item.parsed.fmt.table, item.parsed.fmt.source, item.parsed.frame.height)
        for item in loaded
    )


def _missing_reference(place: str) -> RetentionError:
    # a bug of ours, not the user's input (references are checked on the file first):
    # refuse rather than write it. Imported rows refer to accounts only.
    return RetentionError(f"{place} refers to a missing account; nothing was imported")


def _check_foreign_keys(conn: sqlite3.Connection, tables: set[str]) -> None:
    for table in sorted(tables):
        bad = conn.execute(f'PRAGMA foreign_key_check("{table}")').fetchone()
        if bad:
            raise _missing_reference(f"{table}: row {bad[1]}")


@dataclass(frozen=True)
class Linked:
    written: dict[str, int]  # rows that waited for the links, written, per table
    # (source, key, account id) of the keys that were linked to another account before:
    # the rows imported through them stay there until their files are imported again
    relinked: list[tuple[str, str, str]]


def link_many(conn: sqlite3.Connection, wanted: Sequence[tuple[str, str, str]]) -> Linked:
    """Save (source, key, account id) links made by hand, all or none, and write the rows
    that waited for them."""
    written: dict[str, int] = {}
    relinked = []
    with transaction(conn):
        for source, key, account_id in wanted:
            if not links.account_exists(conn, account_id):
                raise RetentionError(f"no account with id {account_id!r}; see 'retention accounts'")
            before = links.linked_account(conn, source, key)
            if before is not None and before != account_id:
                relinked.append((source, key, before))
            links.save_links(conn, source, [(key, account_id)], "manual")
            for table, rows in links.take_pending(conn, source, key).items():
                frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
                    pl.lit(account_id).alias("account_id")
                )
                write_rows(conn, table, frame, frame.columns, update=None, source=source)
                written[table] = written.get(table, 0) + frame.height
    return Linked(written, relinked)


ID_MAP_COLUMNS = ("source", "external_id", "account_id")


def read_id_map(conn: sqlite3.Connection, path: Path) -> list[tuple[str, str, str]]:
    """An explicit id map: a CSV of source, external_id (the tool's id for the company,
    or a key like domain:acme.com) and account_id. Problems name the file, row and column."""
    table = read_table(path)
    names = [h.strip().lower() for h in table.header]
    missing = [c for c in ID_MAP_COLUMNS if c not in names]
    if missing:
        raise RetentionError(
            f"{path}, row 1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)}; expected {', '.join(ID_MAP_COLUMNS)}"
        )
    cols = [table.frame[table.column(names.index(c))] for c in ID_MAP_COLUMNS]
    out = []
    for row, *values in zip(table.frame[ROW], *cols, strict=True):
        for column, value in zip(ID_MAP_COLUMNS, values, strict=True):
            if not value:
                raise RetentionError(f"{path}, row {row}, column '{column}': missing value")
        source, external, account = (v.strip() for v in values)
        if not links.account_exists(conn, account):
            raise RetentionError(
                f"{path}, row {row}, column 'account_id': no account {account!r}; expected "
                "an account_id listed by 'retention accounts'"
            )
        key = external if identity.is_key(external) else f"id:{external}"
        out.append((source.lower(), key, account))
    return out
