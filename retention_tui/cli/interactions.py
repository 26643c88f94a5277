"""An account's interactions: log one (`retention account NAME log KIND SUMMARY`) and read
its timeline (`retention account NAME timeline`)."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import click

from db.queries import one_account
from db.work import SENTIMENTS, TOUCH_KINDS, a_kind, log_touchpoint, logged_at
from retention_tui.cli.base import (
    DateType,
    as_of_option,
    db_option,
    format_option,
    open_db,
    today,
)
from retention_tui.cli.scoring import account
from retention_tui.formatting import plural
from retention_tui.output import render


@account.command("log")
@click.argument("kind", type=click.Choice(TOUCH_KINDS))
@click.argument("summary", required=False, default="")
@db_option
@click.option("--sentiment", type=click.Choice(SENTIMENTS), help="How it went.")
@click.option("--inbound", is_flag=True, help="They reached out (default: you did).")
@click.option("--contact", metavar="EMAIL", help="Who it was with.")
@click.option("--on", "day", type=DateType(), help="The day it happened (default: now).")
@click.option(
    "--missed",
    is_flag=True,
    help="They did not come (a meeting, check-in, QBR) or pick up (a call).",
)
@click.pass_context
def account_log(
    ctx: click.Context,
    kind: str,
    summary: str,
    db_path: Path | None,
    sentiment: str | None,
    inbound: bool,
    contact: str | None,
    day: date | None,
    missed: bool,
) -> None:
    """Log a call, email, meeting, check-in, QBR, chat or note with the account, as a
    touchpoint the scores and risk signals read. '#words' in SUMMARY become its tags
    (#budget_cut, #competitor, #downgrade ... as in [tags])."""
    if day is not None and day > today():
        raise click.BadParameter(f"{day} is in the future", param_hint="--on")
    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        log_touchpoint(
            conn,
            account_id,
            kind,
            summary,
            logged_at(day, datetime.now(UTC)),
            direction="inbound" if inbound else "outbound",
            sentiment=sentiment,
            contact_email=contact,
            missed=missed,
        )
    click.echo(f"Logged {a_kind(kind, missed)} with {name} ({account_id}).")


@account.command("timeline")
@db_option
@format_option
@as_of_option
@click.option("--limit", type=click.IntRange(1), default=60, show_default=True)
@click.pass_context
def account_timeline(
    ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None, limit: int
) -> None:
    """What happened with the account, newest first: touchpoints (logged ones too),
    tickets, NPS answers, payments and plan changes."""
    from db.frames import load_all
    from retention_tui.reports.timeline import timeline

    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        tables = load_all(conn)
    rows = [
        {"when": when, "what": what, "detail": detail}
        for when, what, detail in timeline(tables, account_id, as_of or today(), limit)
    ]
    if fmt == "table":
        said = f"the last {plural(len(rows), 'event')}" if rows else "nothing recorded yet"
        click.echo(f"{name} ({account_id}): {said}")
        click.echo()
    click.echo(render(rows, fmt, columns=["when", "what", "detail"]))
