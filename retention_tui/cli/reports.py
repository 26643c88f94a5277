"""`retention report ...`: queues, revenue, documents and alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from db.errors import RetentionError
from retention_tui.cli.base import (
    MonthType,
    as_of_option,
    cli,
    db_option,
    effective_config,
    format_option,
    load_tables,
    month_before,
    named_owner,
    open_db,
    owner_option,
    print_document,
    score_run_for,
    scored,
    today,
)
from retention_tui.output import render


@cli.group()
@db_option  # given here, it is every report's (retention report --db X risk)
def report(db_path: Path | None) -> None:
    """Reports for scripting: every one takes --format and --as-of."""


@report.command("risk")
@db_option
@format_option
@as_of_option
@owner_option
def report_risk(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Churn risk report: every customer by tier, worst first, with actions and MRR at risk."""
    from db.frames import load_all
    from retention_tui.owner_scope import narrow, whose
    from retention_tui.reports.risk import risk_frame, risk_summary

    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        owner = named_owner(conn, owner)
        tables = load_all(conn)
        run = scored(conn, as_of or today(), cfg, tables)
    from retention_tui.engine.money import left_out_note, periods_fx

    accounts, periods = tables["accounts"], tables["subscription_periods"]
    rows = narrow(risk_frame(run, accounts, cfg), owner).to_dicts()
    currency = periods_fx(periods, cfg["currency"]).base  # risk_frame's MRR is in the base
    if note := left_out_note(periods, cfg["currency"]):
        click.echo(f"Note: {note}", err=True)
    if fmt == "table":
        click.echo(f"Churn risk report as of {run.as_of} (preset {run.preset}){whose(owner)}")
        click.echo(risk_summary(rows, currency))
        click.echo()
        from retention_tui.formatting import money

        rows = [{**r, "mrr": money(int(r["mrr_minor"]), currency)} for r in rows]
        click.echo(
            render(
                rows,
                fmt,
                columns=[
                    "tier",
                    "account",
                    "owner",
                    "score",
                    "mrr",
                    "signals",
                    "action",
                    "respond_by",
                ],
            )
        )
        return
    click.echo(render(rows, fmt))


@report.command("nrr")
@db_option
@format_option
@as_of_option
@click.option(
    "--months",
    type=click.IntRange(1, 60),
    default=12,
    show_default=True,
    help="Whole months before the as-of month to report.",
)
@click.option(
    "--by",
    type=click.Choice(["segment", "plan"]),
    default=None,
    help="Also break the span's retention down by segment or plan.",
)
def report_nrr(
    db_path: Path | None, fmt: str, as_of: date | None, months: int, by: str | None
) -> None:
    """NRR, GRR and logo retention with the MRR movements behind them, month by month."""
    from retention_tui.formatting import money
    from retention_tui.reports.revenue import (
        MOVEMENT_COLUMNS,
        months_label,
        nrr_report,
        rates_text,
        year_lines,
    )

    cfg, tables = load_tables(db_path)
    data = nrr_report(tables, as_of or today(), months, by, cfg)
    if data["note"]:
        click.echo(f"Note: {data['note']}", err=True)
    cur = data["currency"]
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    moves = data["movements"]
    if fmt == "table":
        m, sp = data["last_month"], data["span"]
        click.echo(f"Net revenue retention, {m['month'][:7]}: {rates_text(m)}")
        if m["stage"]:
            click.echo(f"Stage: {m['stage']}. {m['advice']}.")
        if data["benchmark"]:
            click.echo(f"Logo churn benchmark ({data['benchmark']})")
        if sp["from"] != data["year"]["from"]:  # else the year's line says it, graded
            click.echo(f"Over {months_label(sp)} (from start-of-span MRR): {rates_text(sp)}")
        for line in year_lines(data["year"]):
            click.echo(line)
        click.echo()
        cols = MOVEMENT_COLUMNS[1:8]
        moves = [{**r, **{c: money(r[c], cur) for c in cols}} for r in moves]
    click.echo(render(moves, fmt, columns=MOVEMENT_COLUMNS))
    if data["breakdown"] and fmt in ("table", "markdown"):
        breakdown = [
            {**r, "mrr_start": money(r["mrr_start"], cur), "mrr_end": money(r["mrr_end"], cur)}
            for r in data["breakdown"]
        ]
        click.echo()
        click.echo(render(breakdown, fmt))


@report.command("cohorts")
@db_option
@format_option
@as_of_option
@click.option(
    "--months",
    type=click.IntRange(2, 60),
    default=12,
    show_default=True,
    help="How many monthly cohorts to follow.",
)
@click.option("--revenue", is_flag=True, help="Revenue retention instead of logo retention.")
def report_cohorts(
    db_path: Path | None, fmt: str, as_of: date | None, months: int, revenue: bool
) -> None:
    """Cohorts by first paid month: % of customers (or of MRR, --revenue) kept each month."""
    from retention_tui.reports.revenue import cohort_matrix, cohort_report

    cfg, tables = load_tables(db_path)
    frame = cohort_report(tables, as_of or today(), months, cfg)
    rows = cohort_matrix(frame, "revenue_pct" if revenue else "logo_pct")
    if fmt == "table":
        kind = "MRR" if revenue else "customers"
        click.echo(f"% of each cohort's {kind} still paying, by months since first payment")
        click.echo()
    click.echo(render(rows, fmt))


def _queue_report(
    db_path: Path | None,
    fmt: str,
    as_of: date | None,
    title: str,
    build: Callable[..., Any],
    money_columns: tuple[str, ...] = (),
    with_scores: bool = False,
    ticked: str | None = None,
    owner: str | None = None,
) -> None:
    """Build a queue from the tables and print it; money columns are formatted in tables:
    amount_minor (an invoice's, a deal's) in the row's own currency, the others (MRR, ARR)
    in the book's base. ``ticked`` names the playbook whose ticked steps the queue reads
    (passed as done=). ``owner``: only the rows of the accounts (deals) that owner owns."""
    from db.frames import load_all
    from retention_tui.engine.money import periods_fx
    from retention_tui.formatting import money, row_currency
    from retention_tui.owner_scope import narrow, whose

    cfg = effective_config(db_path)
    day = as_of or today()
    with closing(open_db(db_path)) as conn:
        owner = named_owner(conn, owner)
        tables = load_all(conn)
        extra = {}
        if with_scores:
            run = scored(conn, day, cfg, tables)
            extra = {"scores": run.scores, "features": run.features, "risks": run.risks}
        if ticked:
            from db.work import ticks

            extra["done"] = ticks(conn, ticked)
    rows = narrow(build(tables, day, cfg, **extra), owner).to_dicts()
    base = periods_fx(tables["subscription_periods"], cfg["currency"]).base
    if fmt == "table":
        click.echo(f"{title} as of {day}{whose(owner)}: {len(rows)}")
        click.echo()
        rows = [  # an amount shown as money, not as its minor units: 'amount', '$49'
            {
                k.removesuffix("_minor") if k in money_columns else k: (
                    money(v, row_currency(k, r, base))
                    if k in money_columns and v is not None
                    else v
                )
                for k, v in r.items()
            }
            for r in rows
        ]
    click.echo(render(rows, fmt))


@report.command("renewals")
@db_option
@format_option
@as_of_option
@owner_option
def report_renewals(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Renewals in the next 180 days: the step due, overdue steps, health, ARR at stake."""
    from retention_tui.engine.queues import renewals

    def build(
        tables: Any, day: date, cfg: dict, scores: Any, features: Any, risks: Any, done: Any
    ) -> Any:
        return renewals(tables, day, cfg, scores, done=done, risks=risks)

    _queue_report(
        db_path,
        fmt,
        as_of,
        "Renewals",
        build,
        ("arr_at_stake",),
        with_scores=True,
        ticked="renewal",
        owner=owner,
    )


@report.command("payments")
@db_option
@format_option
@as_of_option
@owner_option
def report_payments(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Failed payments being recovered (dunning stage, next action and date, MRR at risk),
    then paying customers' cards that expire within 30 days."""
    from retention_tui.engine.queues import payments_queue

    _queue_report(
        db_path,
        fmt,
        as_of,
        "Payments",
        payments_queue,
        ("amount_minor", "mrr_at_risk"),
        owner=owner,
    )


@report.command("reactivation")
@db_option
@format_option
@as_of_option
@owner_option
def report_reactivation(
    db_path: Path | None, fmt: str, as_of: date | None, owner: str | None
) -> None:
    """Churned customers: the next step of the reactivation sequence, data expiry."""
    from retention_tui.engine.queues import reactivation

    _queue_report(db_path, fmt, as_of, "Reactivation list", reactivation, owner=owner)


@report.command("winback")
@db_option
@format_option
@as_of_option
@owner_option
def report_winback(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Closed-lost deals scored for win-back: band, factors, next touch by lost reason."""
    from retention_tui.engine.queues import winback

    _queue_report(
        db_path,
        fmt,
        as_of,
        "Win-back candidates",
        winback,
        ("amount_minor",),
        ticked="winback",
        owner=owner,
    )


@report.command("expansion")
@db_option
@format_option
@as_of_option
@owner_option
def report_expansion(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Expansion opportunities: healthy accounts with triggers or a high PQA score."""
    from retention_tui.engine.expansion import expansion_queue

    def build(tables: Any, day: date, cfg: dict, scores: Any, features: Any, risks: Any) -> Any:
        return expansion_queue(tables, day, cfg, features, scores)

    _queue_report(
        db_path, fmt, as_of, "Expansion opportunities", build, with_scores=True, owner=owner
    )


@report.command("onboarding")
@db_option
@format_option
@as_of_option
@owner_option
def report_onboarding(
    db_path: Path | None, fmt: str, as_of: date | None, owner: str | None
) -> None:
    """Accounts in their first 90 days: each milestone hit, missed or due."""
    from retention_tui.engine.expansion import onboarding

    _queue_report(db_path, fmt, as_of, "Onboarding", onboarding, owner=owner)


@report.command("advocates")
@db_option
@format_option
@as_of_option
@owner_option
def report_advocates(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Customers to ask for advocacy: supporters, advocates and champions (seed A's tiers)
    with the asks and rewards that fit them."""
    from retention_tui.engine.advocacy import advocates

    def build(tables: Any, day: date, cfg: dict, scores: Any, features: Any, risks: Any) -> Any:
        return advocates(tables, features, day, cfg)

    _queue_report(
        db_path, fmt, as_of, "Advocates", build, ("mrr_minor",), with_scores=True, owner=owner
    )


@report.command("capacity")
@db_option
@format_option
@as_of_option
def report_capacity(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """CSM capacity: each owner's customers by ACV band and the load against seed A's
    accounts-per-CSM ratios."""
    from retention_tui.engine.capacity import csm_load
    from retention_tui.reports.capacity import capacity_rows, ratios

    cfg, tables = load_tables(db_path)
    day = as_of or today()
    if fmt != "table":
        click.echo(render(csm_load(tables, day, cfg).to_dicts(), fmt))
        return
    click.echo(
        f"CSM capacity as of {day}: customers per owner by ACV band; load in CSMs ({ratios()})"
    )
    click.echo()
    click.echo(render(capacity_rows(tables, day, cfg), fmt))


@report.command("exec")
@db_option
@format_option
@as_of_option
@click.option(
    "--month",
    type=MonthType(),
    default=None,
    help="The month to summarise (default: the month before --as-of).",
)
def report_exec(db_path: Path | None, fmt: str, as_of: date | None, month: date | None) -> None:
    """Seed B's monthly executive summary: headline, wins, risks, actions. Real numbers only."""
    from retention_tui.engine.metrics import next_month
    from retention_tui.reports.book_documents import executive_summary

    month = month or month_before(as_of or today())
    month_end = next_month(month) - timedelta(days=1)
    cfg, tables, run, before = score_run_for(db_path, month_end)
    print_document(executive_summary(tables, month, cfg, run, before), fmt)


@report.command("dashboard")
@db_option
@format_option
@as_of_option
def report_dashboard(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Seed B's weekly dashboard: churn, NRR, health distribution, pipeline."""
    from retention_tui.reports.book_documents import dashboard

    day = as_of or today()
    cfg, tables, run, before = score_run_for(db_path, day)
    print_document(dashboard(tables, day, cfg, run, before), fmt)


@report.command("alerts")
@db_option
@format_option
@as_of_option
@owner_option
def report_alerts(db_path: Path | None, fmt: str, as_of: date | None, owner: str | None) -> None:
    """Score-change alerts of the last scoring run on or before the date, soonest due first."""
    from db.results import stored_alerts
    from retention_tui.owner_scope import whose

    with closing(open_db(db_path)) as conn:
        owner = named_owner(conn, owner)
        day, rows = stored_alerts(conn, (as_of or today()).isoformat())
    if day is None:
        raise RetentionError("no scores stored yet: run 'retention score' first")
    rows = [r for r in rows if owner is None or r["owner"] == owner]
    if fmt == "table":
        click.echo(f"Alerts from the scoring run of {day}{whose(owner)}: {len(rows)}")
        click.echo()
    columns = ["due_at", "account", "owner", "code", "detail", "action"]
    click.echo(render(rows, fmt, columns=columns))
