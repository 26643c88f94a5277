"""The `retention` command group, its shared options and helpers. Headless commands
never import Textual."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from db import connect
from db.errors import RetentionError
from retention_tui import paths
from retention_tui.output import FORMATS, render


class Cli(click.Group):
    """A group whose user errors print one clear message and exit with code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RetentionError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; expected YYYY-MM-DD, e.g. 2026-03-14", param, ctx)


class MonthType(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            self.fail(f"{value!r} is not a month; expected YYYY-MM, e.g. 2026-10", param, ctx)


def today() -> date:
    """The default as-of date: today in UTC (the engine itself never reads the clock)."""
    return datetime.now(UTC).date()


def _db_given_before_the_command(
    ctx: click.Context, _param: click.Parameter, value: Path | None
) -> Path | None:
    """A command's --db, else the nearest given before it: to its group (retention imports
    --db X undo) or before the command (retention --db X import)."""
    parent = ctx.parent
    while value is None and parent is not None:
        value = parent.params.get("db_path")
        parent = parent.parent
    return value


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_db_given_before_the_command,
        help="Database file (default: $RETENTION_DB, else the platform data dir).",
    )(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)


def as_of_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of", type=DateType(), default=None, help="Compute as of this date (default: today)."
    )(f)


def owner_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--owner",
        metavar="NAME",
        default=None,
        help="Only what NAME owns: their accounts (in win-back, their lost deals). An "
        "owner's name, any case, or part of one.",
    )(f)


def named_owner(conn: Any, wanted: str | None, where: str = "--owner") -> str | None:
    """The owner ``wanted`` names (retention_tui.owner_scope.resolve); None for everyone
    when it is None or blank. A name that owns nothing is an error saying ``where``."""
    from db.queries import owned_records
    from retention_tui.owner_scope import resolve

    if wanted is None or not wanted.strip():
        return None
    try:
        return resolve(owned_records(conn), wanted)
    except RetentionError as exc:
        raise RetentionError(f"{where}: {exc}") from exc


def open_db(db_path: Path | None, create: bool = False) -> Any:
    """The database, upgraded if need be; one that does not exist yet is made only when
    ``create`` (an import), else said (a report on a mistyped --db would make an empty
    one and print nothing)."""
    path = paths.database_path(db_path)
    if not create and not path.exists():
        raise no_database(path)
    return connect(path)


def no_database(path: Path) -> RetentionError:
    return RetentionError(
        f"{path}: no database yet; import your CSV exports with 'retention import FILE...' "
        "or try 'retention demo'"
    )


@click.group(cls=Cli, invoke_without_command=True)
@db_option
@click.version_option(package_name="retention")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """retention: your customer-retention cockpit.

    With no command, opens the dashboard on your database.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.commands["tui"], db_path=db_path)


def effective_config(db_path: Path | None) -> dict:
    from retention_tui.config import load

    return load(paths.database_path(db_path))


def load_tables(db_path: Path | None) -> tuple[dict, Any]:
    """The effective config and every canonical table, loaded once."""
    from db.frames import load_all

    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        return cfg, load_all(conn)


def print_document(doc: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "title": doc.title,
                    **doc.data,
                    "sections": [{"heading": h, "lines": lines} for h, lines in doc.sections],
                },
                indent=2,
                default=str,
            )
        )
    elif fmt == "csv":
        click.echo(render(doc.rows(), "csv"))
    else:
        click.echo(doc.markdown(), nl=False)


def say_stale_usage(run: Any, cfg: dict) -> None:
    """On stderr, the note when the usage data ends too long before the run's date
    (engine/freshness.py): every command that prints what a score run found says it."""
    from retention_tui.engine.freshness import stale_usage_note

    if note := stale_usage_note(run.usage_ends, run.as_of, cfg):
        click.echo(f"Note: {note}", err=True)


def scored(conn: Any, day: date, cfg: dict, tables: Any = None) -> Any:
    """This date's score run (scoring.compute), its stale-usage note said."""
    from retention_tui.scoring import compute

    run = compute(conn, day, cfg, tables)
    say_stale_usage(run, cfg)
    return run


def score_run_for(db_path: Path | None, day: date) -> tuple[dict, Any, Any, Any]:
    """(config, tables, this date's score run, the scores stored before it)."""
    from db.frames import load_all
    from db.results import previous_scores

    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        tables = load_all(conn)
        run = scored(conn, day, cfg, tables)
        before = previous_scores(conn, day.isoformat())
    return cfg, tables, run, before


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s month."""
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def main() -> None:
    cli(prog_name="retention")
