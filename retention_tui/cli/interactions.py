"""Logging an interaction with an account: `retention account NAME log KIND SUMMARY`."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import click

from db.queries import one_account
from db.work import SENTIMENTS, TOUCH_KINDS, log_touchpoint, logged_at
from retention_tui.cli.base import DateType, db_option, open_db, today
from retention_tui.cli.scoring import account


@account.command("log")
@click.argument("kind", type=click.Choice(TOUCH_KINDS))
@click.argument("summary", required=False, default="")
@db_option
@click.option("--sentiment", type=click.Choice(SENTIMENTS), help="How it went.")
@click.option("--inbound", is_flag=True, help="They reached out (default: you did).")
@click.option("--contact", metavar="EMAIL", help="Who it was with.")
@click.option("--on", "day", type=DateType(), help="The day it happened (default: now).")
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
        )
    click.echo(f"Logged a {kind} with {name} ({account_id}).")
