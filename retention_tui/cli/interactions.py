"""An account's interactions: log one (`retention account NAME log KIND SUMMARY`), list and
delete those logged (`logged`, `unlog ID`) and read its timeline (`timeline`)."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import click

from db.errors import RetentionError
from db.queries import one_account
from db.work import (
    SENTIMENTS,
    TOUCH_KINDS,
    a_kind,
    forget_touchpoint,
    kind_word,
    log_touchpoint,
    logged_at,
    logged_line,
    logged_touchpoints,
)
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
        log_id = log_touchpoint(
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
    click.echo(
        f"Logged {a_kind(kind, missed)} with {name} ({account_id}) as {log_id} "
        f"('retention account {account_id} unlog {log_id}' deletes it)."
    )


@account.command("logged")
@db_option
@format_option
@click.pass_context
def account_logged(ctx: click.Context, db_path: Path | None, fmt: str) -> None:
    """The interactions logged with the account (with 'log' or in the app), newest first,
    each with the id 'unlog' takes. Imported ones are in 'timeline'."""
    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        logged = logged_touchpoints(conn, account_id)
    rows = [
        {
            "id": r["source_id"],
            "when": str(r["occurred_at"])[:16].replace("T", " "),
            "kind": kind_word(r["kind"]),
            "direction": r["direction"],
            "summary": r["summary"] or "",
            "sentiment": r["sentiment"] or "",
            "missed": "yes" if r["attended"] == 0 else "",
        }
        for r in logged
    ]
    if fmt == "table":
        said = plural(len(rows), "interaction") + " logged" if rows else "nothing logged yet"
        click.echo(f"{name} ({account_id}): {said}")
        click.echo()
    click.echo(render(rows, fmt, columns=list(_LOGGED_COLUMNS)))


_LOGGED_COLUMNS = ("id", "when", "kind", "direction", "summary", "sentiment", "missed")


@account.command("unlog")
@click.argument("log_id", metavar="ID")
@db_option
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_context
def account_unlog(ctx: click.Context, log_id: str, db_path: Path | None, yes: bool) -> None:
    """Delete an interaction logged with the account by mistake (the wrong account, a
    wrong word): ID as 'logged' lists it. The scores read it no more. Imported
    interactions are the tools' record and stay."""
    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        row = next(
            (r for r in logged_touchpoints(conn, account_id) if r["source_id"] == log_id), None
        )
        if row is None:
            raise RetentionError(
                f"no interaction {log_id!r} logged with {name} ({account_id}): "
                f"'retention account {account_id} logged' lists them"
            )
        if not yes:
            click.confirm(f"Delete {logged_line(row)}?", abort=True)
        forget_touchpoint(conn, account_id, log_id)
    click.echo(f"Deleted {logged_line(row)} from {name} ({account_id}).")


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
