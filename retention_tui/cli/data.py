"""Getting data in and looking at it: import, demo, tui, formats, imports, accounts."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from db import connect
from db.connection import kept_only_if_written
from db.errors import RetentionError
from retention_tui import paths
from retention_tui.cli.base import (
    DateType,
    as_of_option,
    cli,
    db_option,
    effective_config,
    format_option,
    named_owner,
    no_database,
    open_db,
    scored,
    today,
)
from retention_tui.formatting import plural
from retention_tui.import_summary import (
    file_summary,
    last_import_undo,
    left_out_summary,
    progress_bar,
)
from retention_tui.output import render

if TYPE_CHECKING:
    from importers.csvfile import NotATable
    from importers.detect import UnknownFormat


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_name",
    default=None,
    metavar="NAME",
    help="Read every file as this format instead of detecting it (see 'retention formats').",
)
@click.option(
    "--dates",
    type=click.Choice(["day-first", "month-first"]),
    default=None,
    help="Read slashed dates (01/02/2024) so in every file, instead of each file's own order "
    "(day-first when more of its dates can only be: 14/03/2024). Default: [import] dates in "
    "retention.toml.",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@db_option
def import_cmd(
    files: tuple[Path, ...],
    format_name: str | None,
    dates: str | None,
    dry_run: bool,
    quiet: bool,
    db_path: Path | None,
) -> None:
    """Import CSV exports (all files in one transaction: all or nothing).

    FILES are CSV files (gzip-compressed too), workbooks (.xlsx, .xls, .ods: each sheet;
    book.xlsx/Sheet names one), ZIP archives of CSV files or workbooks (a Salesforce Data
    Export, a Chargebee or HubSpot export) or folders of them (their .csv and Excel files,
    not their subfolders'). A folder's, archive's or workbook's files that no format fits
    are left out and listed; a file named itself must be one.

    Progress goes to stderr; the per-file summary to stdout.
    """
    from importers.run import import_files

    bar = not quiet and sys.stderr.isatty()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"  {message} ...", err=True)

    def rows_written(name: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\r  {progress_bar(done, total)} {name}", err=True, nl=False)
        click.echo(end, err=True, nl=False)

    left_out: list[tuple[Path, UnknownFormat | NotATable]] = []
    database = paths.database_path(db_path)
    kept = kept_only_if_written(database, lambda: not dry_run)
    with kept, closing(open_db(db_path, create=True)) as conn:
        results = import_files(
            conn,
            files,
            format_name=format_name,
            dry_run=dry_run,
            dates=dates or effective_config(db_path)["import"]["dates"] or None,
            on_progress=progress,
            on_rows=rows_written if bar else None,
            on_skip=lambda path, why: left_out.append((path, why)),
        )
    for r in results:
        click.echo("\n".join(file_summary(r, dry_run)))
    for line in left_out_summary(left_out):
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was written.")


def prepare_blocks(conn: sqlite3.Connection) -> None:
    """A database upgraded from before blocks (or left without them) has its big tables
    copied into blocks before the screen opens, saying so: once, instead of a dashboard
    that waits without a word (10M events: ~25 s)."""
    from db.frames import write_blocks

    def say(message: str) -> None:
        once = " (once) ..." if message.startswith("copying") else ""
        click.echo(f"  {message}{once}", err=True)

    write_blocks(conn, say=say)


@cli.command()
@db_option
@click.option(
    "--as-of",
    type=DateType(),
    default=None,
    help="Show the dashboard as of this date (default: today).",
)
@click.option(
    "--owner",
    metavar="NAME",
    default=None,
    help="Show one owner's accounts (a name or part of one; \"\" for everyone's). "
    "Default: 'view.owner' in retention.toml; o in the dashboard picks another.",
)
def tui(db_path: Path | None, as_of: date | None, owner: str | None) -> None:
    """Open the dashboard on an existing database."""
    path = paths.database_path(db_path)
    if not path.exists():
        raise no_database(path)
    told: list[str] = []  # what an upgrade asks of the user: said in the app, not behind it
    with closing(connect(path, tell=told.append)) as conn:  # migrate before the screen
        prepare_blocks(conn)
        shown = owner_shown(conn, path, owner)
    from retention_tui.app import RetentionApp

    RetentionApp(path, as_of=as_of or today(), owner=shown, told=told).run()


def owner_shown(conn: sqlite3.Connection, path: Path, owner: str | None) -> str | None:
    """The owner whose accounts the dashboard opens on: --owner, else the config's
    'view.owner'; None (everyone's) when neither names one."""
    from retention_tui.config import config_path, load

    if owner is not None:
        return named_owner(conn, owner)
    return named_owner(conn, load(path)["view"]["owner"], f"{config_path(path)}: 'view.owner'")


def _users_work(path: Path) -> list[str]:
    """What the user put into the database at ``path`` beyond the demo's own rows."""
    import hashlib

    from db.work import users_work

    sample = {hashlib.sha256(f.read_bytes()).hexdigest() for f in _sample_files()}
    with closing(connect(path)) as conn:
        return users_work(conn, sample)


def _sample_files() -> list[Path]:
    return sorted(paths.sample_data_dir().glob("*.csv"))


def build_demo_database(target: Path, echo: Callable[[str], None] = click.echo) -> date:
    """Build a fresh database from the bundled sample data at ``target``; return its as-of."""
    from importers.run import import_files

    manifest = json.loads((paths.sample_data_dir() / "manifest.json").read_text())
    files = _sample_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    for leftover in (building, *(building.with_name(building.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    with closing(connect(building)) as conn:
        echo(f"Importing {len(files)} sample files into {target} ...")
        import_files(
            conn,
            files,
            on_file=lambda r: echo(
                f"  {r.path.name}: {plural(r.rows_read, 'row')} ({r.duration_ms / 1000:.1f} s)"
            ),
        )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    shutil.move(building, target)
    return date.fromisoformat(manifest["as_of"])


DEMO_HISTORY_WEEKS = 12


def score_demo_database(
    target: Path, as_of: date, echo: Callable[[str], None] = click.echo
) -> None:
    """Score the demo database weekly for the last weeks, so trends and alerts exist."""
    from retention_tui.config import load
    from retention_tui.scoring import score_and_store, weekly_dates

    dates = weekly_dates(as_of - timedelta(weeks=DEMO_HISTORY_WEEKS - 1), as_of)
    echo(f"Scoring {len(dates)} weekly snapshots up to {as_of} ...")
    with closing(connect(target)) as conn:
        score_and_store(conn, dates, load(target))


DEMO_HORIZON_DAYS = 90


def backtest_demo_database(
    target: Path, as_of: date, echo: Callable[[str], None] = click.echo
) -> None:
    """Backtest the demo's history, so the backtest screen has a result to show."""
    from retention_tui.backtesting import run_backtest
    from retention_tui.config import load
    from retention_tui.engine.backtest import monthly_dates

    last = as_of - timedelta(days=DEMO_HORIZON_DAYS)
    dates = monthly_dates(date(last.year - 1, last.month, 1), last)  # a year of months
    echo(f"Backtesting {len(dates)} monthly dates ...")
    with closing(connect(target)) as conn:
        run_backtest(conn, dates, load(target), DEMO_HORIZON_DAYS, 0.3)


@cli.command()
@db_option
@click.option("--no-open", is_flag=True, help="Build the database but do not open the dashboard.")
def demo(db_path: Path | None, no_open: bool) -> None:
    """Build a fresh database from the bundled sample data and open it."""
    target = Path(db_path).expanduser() if db_path else paths.demo_database_path()
    if target.exists() and (held := _users_work(target)):
        raise RetentionError(
            f"{target}: holds your own work ({'; '.join(held)}); the demo will not replace "
            f"it: open it with 'retention tui --db {target}', or build the demo anew with "
            "'retention demo --db OTHER.db'"
        )
    as_of = build_demo_database(target)
    score_demo_database(target, as_of)
    backtest_demo_database(target, as_of)
    if no_open:
        click.echo(f"Demo database ready: {target} (as of {as_of})")
        return
    from retention_tui.app import RetentionApp

    RetentionApp(target, as_of=as_of).run()


@cli.command()
@click.argument("name", required=False)
@format_option
def formats(name: str | None, fmt: str) -> None:
    """List the file formats 'retention import' reads, with their columns. NAME (a format
    like stripe.payments, or a tool like stripe) shows each of its columns: other names
    it goes by, where it goes, whether it is required and the values it knows."""
    from importers.detect import ALL_FORMATS

    if name:
        _one_format(name, fmt)
        return
    rows = [
        {
            "format": f.label,
            "source": f.source,
            "table": f.table,
            "recognised by": ", ".join(f.detected_by),
            "required columns": ", ".join(f.required_columns),
            "optional columns": ", ".join(
                c for c in f.columns if c not in f.required_columns and not c.startswith("_")
            ),
        }
        for f in ALL_FORMATS
    ]
    click.echo(render(rows, fmt))


def _one_format(name: str, fmt: str) -> None:
    """`retention formats NAME`: the columns of the format, or of every format of the tool,
    NAME names."""
    from importers.detect import ALL_FORMATS
    from importers.reference import about, column_rows

    wanted = name.strip().lower()
    chosen = [f for f in ALL_FORMATS if wanted in (f.label, f.qualified, f.source)]
    if not chosen:
        tools = sorted({f.source for f in ALL_FORMATS})
        raise RetentionError(
            f"no format or tool named '{name}'; expected a format (e.g. stripe.payments, "
            f"accounts) or a tool: {', '.join(tools)}"
        )
    for n, f in enumerate(chosen):
        rows = [{k: v.replace("`", "") for k, v in r.items()} for r in column_rows(f)]
        if fmt != "table":
            click.echo(render(rows, fmt))
            continue
        click.echo(("\n" if n else "") + f"{f.label}: " + about(f).replace("`", ""))
        click.echo()
        click.echo(render(rows, fmt))


@cli.group(invoke_without_command=True)
@db_option
@format_option
@click.option("--limit", default=50, show_default=True, help="How many imports to show.")
@click.pass_context
def imports(ctx: click.Context, db_path: Path | None, fmt: str, limit: int) -> None:
    """The import log: every file imported, newest first.

    'retention imports undo' takes the last import back out.
    """
    if ctx.invoked_subcommand:
        return
    from db.queries import import_log

    with closing(open_db(db_path)) as conn:
        rows = import_log(conn, limit).to_dicts()
    click.echo(
        render(
            rows,
            fmt,
            columns=[
                "imported_at",
                "file_name",
                "format",
                "rows_read",
                "rows_inserted",
                "rows_updated",
                "rows_unchanged",
                "rows_rejected",
                "duration_ms",
                "notes",
            ],
        )
    )


@imports.command()
@db_option
@click.option("--yes", is_flag=True, help="Do not ask first.")
def undo(db_path: Path | None, yes: bool) -> None:
    """Undo the last import: the rows it added removed, the rows it changed as they were.

    Possible while nothing has been imported, merged or linked since, and while none of
    the accounts or deals it added has your notes, playbooks or snoozes.
    """
    from db.undo import undo_last

    with closing(open_db(db_path)) as conn:
        batch_id, what = last_import_undo(conn)
        if not yes:
            click.confirm(f"Undo {what}?", abort=True)
        _batch, removed = undo_last(conn, batch_id)
    click.echo(f"Undid {what}.")
    for table, n in sorted(removed.items()):
        if table != "import_log":
            click.echo(f"  {table}: {plural(n, 'row')} removed")


@cli.group(invoke_without_command=True)
@db_option
@format_option
@as_of_option
@click.pass_context
def accounts(ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Every account with its MRR, contacts, active users and open tickets.

    Subcommands join one company's records across tools: unmatched, link, links, merge.
    """
    if ctx.invoked_subcommand:
        return
    from db.frames import load_all
    from retention_tui.formatting import money
    from retention_tui.overview import accounts_overview, live_scores

    day, cfg = as_of or today(), effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        tables = load_all(conn)
        run = scored(conn, day, cfg, tables)  # the scores the reports show for the day
        frame = accounts_overview(conn, day, cfg, tables, live_scores(run))
    if frame.is_empty() and fmt == "table":
        click.echo(
            "No accounts yet: import your exports with 'retention import FILE...' "
            "('retention formats' lists the files it reads)"
        )
        return
    rows = []
    for r in frame.to_dicts():
        mrr = r["mrr_minor"]
        rows.append(
            {
                "account_id": r["account_id"],
                "name": r["name"],
                "status": r["status"],
                "score": r["score"],
                "tier": r["tier"],
                "coverage": None if r["coverage"] is None else round(r["coverage"], 2),
                "segment": r["segment"],
                "owner": r["owner"],
                **(
                    {"mrr": money(mrr, r["mrr_currency"])}
                    if fmt == "table"
                    else {
                        "mrr_minor": mrr,
                        "currency": r["mrr_currency"],
                        "mrr_base_minor": r["mrr_base"],  # what totals add: the base currency
                        "base_currency": r["base_currency"],
                    }
                ),
                "contacts": r["contacts"],
                "active_users_30d": r["active_users"],
                "open_tickets": r["open_tickets"],
                "renewal_date": r["renewal_date"],
            }
        )
    click.echo(render(rows, fmt))
