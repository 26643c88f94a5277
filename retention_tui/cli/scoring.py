"""Scoring, config, one account's views, backtest and calibrate."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from db.errors import RetentionError
from db.queries import one_account
from retention_tui import paths
from retention_tui.cli.base import (
    DateType,
    MonthType,
    as_of_option,
    cli,
    db_option,
    effective_config,
    format_option,
    month_before,
    open_db,
    print_document,
    say_stale_usage,
    score_run_for,
    scored,
    today,
)
from retention_tui.formatting import plural, tier_label
from retention_tui.output import render


@cli.group()
@db_option  # given here, it is its subcommand's
def config(db_path: Path | None) -> None:
    """Show the effective configuration (defaults + retention.toml beside the database)."""


@config.command("show")
@db_option
def config_show(db_path: Path | None) -> None:
    """Print the effective config as TOML, with where it came from."""
    from retention_tui.config import config_hash, config_path, to_toml
    from retention_tui.queue_views import configured_queues

    cfg = effective_config(db_path)
    configured_queues(cfg)  # a queue the dashboard could not show is an error here too
    file = config_path(paths.database_path(db_path))
    source = f"defaults + {file}" if file.exists() else f"defaults (no {file})"
    click.echo(f"# effective config: {source}; hash {config_hash(cfg)}")
    click.echo(to_toml(cfg), nl=False)


@cli.command()
@db_option
@as_of_option
@click.option(
    "--history",
    type=click.Choice(["weekly"]),
    default=None,
    help="Also score every week back to --since (backfills trends).",
)
@click.option("--since", type=DateType(), default=None, help="First date of --history.")
def score(
    db_path: Path | None, as_of: date | None, history: str | None, since: date | None
) -> None:
    """Score every account as of a date and store the result as a dated snapshot."""
    from retention_tui.scoring import score_and_store, tier_counts, weekly_dates

    day = as_of or today()
    if history and not since:
        raise RetentionError("--history needs --since DATE (the first week to score)")
    if since and not history:
        raise RetentionError("--since goes with --history weekly")
    if since and since > day:
        raise RetentionError(f"--since {since} is after the as-of date {day}")
    dates = weekly_dates(since, day) if history and since else [day]
    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        last = score_and_store(conn, dates, cfg)
    counts = tier_counts(last)
    if len(dates) > 1:
        click.echo(f"Scored {len(dates)} weekly dates from {dates[0]} to {last.as_of}.")
    click.echo(
        f"Scored {plural(last.scores.height, 'account')} as of {last.as_of} "
        f"(preset {last.preset}): "
        + ", ".join(f"{tier_label(t)} {n}" for t, n in counts.items())
        + f"; {plural(last.risks.height, 'risk signal')}, {plural(last.alerts.height, 'alert')}."
    )
    say_stale_usage(last, cfg)


class AccountCommands(click.Group):
    """`retention account NAME [COMMAND]`: with no command, or only options after NAME
    (`retention account Acme --as-of 2026-10-01`), the account's score."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0].startswith("-") and args[0] not in ctx.help_option_names:
            return "score", self.commands["score"], args
        return super().resolve_command(ctx, args)


@cli.group(cls=AccountCommands, invoke_without_command=True)
@click.argument("name")
@db_option  # given here, it is its subcommand's (retention account --db X Acme score)
@click.pass_context
def account(ctx: click.Context, name: str, db_path: Path | None) -> None:
    """One account: NAME is its id, its name, or part of its name or domain. With no
    command, its score ('retention account Acme --as-of 2026-10-01' is 'score' too)."""
    ctx.obj = {"name": name}
    if ctx.invoked_subcommand is None:
        ctx.invoke(account_score_cmd, db_path=db_path, fmt="table", as_of=None)


@account.command("score")
@db_option
@format_option
@as_of_option
@click.pass_context
def account_score_cmd(
    ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None
) -> None:
    """The score breakdown: dimension, signal, raw value, points; and open risk signals."""
    from retention_tui.reports.account_score import account_score

    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        day = as_of or today()
        report = account_score(scored(conn, day, cfg), account_id, name, cfg)
    if report is None:
        raise RetentionError(f"{name} ({account_id}) is not a customer on {day}: nothing to score")
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "account_id": report.account_id,
                    "name": report.name,
                    "as_of": report.as_of,
                    "preset": report.preset,
                    "total": report.total,
                    "tier": report.tier,
                    "label": report.label,
                    "coverage": report.coverage,
                    "signals": report.rows,
                    "risks": report.risks,
                },
                indent=2,
            )
        )
        return
    if fmt == "table":
        click.echo(report.header())
        click.echo()
    click.echo(render(report.rows, fmt))
    if report.risks and fmt == "table":
        click.echo()
        click.echo(
            render(
                report.risks, fmt, columns=["severity", "code", "respond_by", "action", "evidence"]
            )
        )


def _account_document(
    ctx: click.Context,
    db_path: Path | None,
    fmt: str,
    as_of: date | None,
    build: Callable[..., Any],
    needs_score: bool = True,
) -> None:
    day = as_of or today()
    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
    cfg, tables, run, _before = score_run_for(db_path, day)
    if needs_score and account_id not in set(run.scores["account_id"].to_list()):
        raise RetentionError(f"{name} ({account_id}) is not a customer on {day}")
    print_document(build(tables, account_id, day, cfg, run), fmt)


@account.command("playbooks")
@db_option
@format_option
@click.pass_context
def account_playbooks(ctx: click.Context, db_path: Path | None, fmt: str) -> None:
    """The account's playbooks with each step ticked or not, and its notes."""
    from db.work import account_work
    from retention_tui.playbooks import PLAYBOOKS

    with closing(open_db(db_path)) as conn:
        account_id, name = one_account(conn, ctx.obj["name"])
        work = account_work(conn, account_id)
    rows = []
    for p in work["playbooks"]:
        title, steps = PLAYBOOKS.get(p["kind"], (p["kind"], ()))
        for step_id, text in steps:
            rows.append(
                {
                    "playbook": title,
                    "started_at": p["started_at"],
                    "step": step_id,
                    "what": text,
                    "done_at": p["ticks"].get(step_id),
                }
            )
    if fmt == "json":
        click.echo(
            json.dumps(
                {"account_id": account_id, "name": name, "steps": rows, "notes": work["notes"]},
                indent=2,
            )
        )
        return
    if fmt == "table":
        click.echo(
            f"{name} ({account_id}): {len(work['playbooks'])} playbooks, {len(work['notes'])} notes"
        )
        click.echo()
    click.echo(render(rows, fmt, columns=["playbook", "step", "done_at", "what"]))
    if work["notes"] and fmt != "csv":
        click.echo()
        click.echo(render(work["notes"], fmt, columns=["created_at", "kind", "step_id", "body"]))


@account.command("qbr")
@db_option
@format_option
@as_of_option
@click.pass_context
def account_qbr(ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """QBR prep: seed B's agenda filled from the account's data, and its QBR score."""
    from retention_tui.reports.account_documents import qbr_prep

    _account_document(ctx, db_path, fmt, as_of, qbr_prep)


@account.command("save-plan")
@db_option
@format_option
@as_of_option
@click.pass_context
def account_save_plan(
    ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None
) -> None:
    """Save plan: seed B's five stages with this account's signals, contact and options."""
    from retention_tui.reports.account_documents import save_plan

    _account_document(ctx, db_path, fmt, as_of, save_plan)


@account.command("onboarding")
@db_option
@format_option
@as_of_option
@click.pass_context
def account_onboarding(
    ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None
) -> None:
    """Onboarding checklist: the 90-day plan with dates and the milestones reached."""
    from retention_tui.reports.account_documents import onboarding_checklist

    def build(tables: Any, account_id: str, day: date, cfg: dict, run: Any) -> Any:
        return onboarding_checklist(tables, account_id, day, cfg)

    _account_document(ctx, db_path, fmt, as_of, build, needs_score=False)


@account.command("monthly-report")
@db_option
@format_option
@as_of_option
@click.option(
    "--month",
    type=MonthType(),
    default=None,
    help="The month to report (default: the month before --as-of).",
)
@click.pass_context
def account_monthly_report(
    ctx: click.Context, db_path: Path | None, fmt: str, as_of: date | None, month: date | None
) -> None:
    """Seed B's monthly value report for the account: metrics, what we did, ROI, a question."""
    from retention_tui.engine.metrics import next_month
    from retention_tui.reports.account_documents import monthly_report

    chosen = month or month_before(as_of or today())

    def build(tables: Any, account_id: str, day: date, cfg: dict, run: Any) -> Any:
        return monthly_report(tables, account_id, chosen, cfg, run)

    _account_document(
        ctx, db_path, fmt, next_month(chosen) - timedelta(days=1), build, needs_score=False
    )


def _backtest_dates(since: date | None, until: date | None, horizon: int) -> list[date]:
    from retention_tui.engine.backtest import monthly_dates

    last = until or today() - timedelta(days=horizon)
    first = since or date(last.year - 1, last.month, 1)
    if first > last:
        raise RetentionError(f"--from {first} is after --to {last}")
    dates = monthly_dates(first, last)
    if len(dates) < 2:
        raise RetentionError("a backtest needs at least two monthly dates between --from and --to")
    return dates


def _history_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--contraction",
        type=click.FloatRange(0, 1),
        default=0.3,
        show_default=True,
        help="Share of MRR lost that counts as a contraction event.",
    )(f)
    f = click.option(
        "--horizon",
        type=click.IntRange(7, 730),
        default=90,
        show_default=True,
        help="Days after each date in which churn or contraction counts.",
    )(f)
    f = click.option(
        "--to",
        "until",
        type=DateType(),
        default=None,
        help="Last as-of date (default: today minus the horizon).",
    )(f)
    f = click.option(
        "--from",
        "since",
        type=DateType(),
        default=None,
        help="First as-of date (default: a year before --to).",
    )(f)
    return f


@cli.command()
@db_option
@format_option
@_history_options
def backtest(
    db_path: Path | None,
    fmt: str,
    since: date | None,
    until: date | None,
    horizon: int,
    contraction: float,
) -> None:
    """How well the score predicted churn: AUC, precision, recall, lift by tier, lead time.

    --format csv prints the lift table alone; json has every figure.
    """
    from retention_tui.backtesting import run_backtest

    dates = _backtest_dates(since, until, horizon)
    cfg = effective_config(db_path)
    with closing(open_db(db_path)) as conn:
        summary = run_backtest(conn, dates, cfg, horizon, contraction)
    from retention_tui.reports.backtest import render_backtest

    click.echo(render_backtest(summary, fmt))


@cli.command()
@db_option
@_history_options
@click.option(
    "--split",
    type=DateType(),
    default=None,
    help="Fit before this date, judge from it on (default: two thirds of the way).",
)
def calibrate(
    db_path: Path | None,
    since: date | None,
    until: date | None,
    horizon: int,
    contraction: float,
    split: date | None,
) -> None:
    """Fit dimension weights on your own history and write them as a proposal to review."""
    from retention_tui.backtesting import run_calibration
    from retention_tui.config import config_path

    dates = _backtest_dates(since, until, horizon)
    cut = split or dates[(2 * len(dates)) // 3]
    if not dates[0] < cut <= dates[-1]:
        raise RetentionError(f"--split {cut} must fall after {dates[0]} and by {dates[-1]}")
    cfg = effective_config(db_path)
    path = paths.database_path(db_path)
    with closing(open_db(db_path)) as conn:
        cal, text = run_calibration(conn, dates, cfg, horizon, contraction, cut, today())

    def auc(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    click.echo(
        f"Fitted on {cal.train_rows} account-months before {cut}, judged on "
        f"{cal.test_rows} from it ({cal.test_events} churned or contracted)."
    )
    click.echo(
        f"ROC AUC on the later months: current weights {auc(cal.current_auc)}, "
        f"fitted weights {auc(cal.proposed_auc)}"
    )
    rows = [
        {
            "dimension": d,
            "current": cal.current_weights[d],
            "proposed": (cal.proposed_weights or {}).get(d),
            "coefficient": round(cal.coefficients[d], 4),
        }
        for d in cal.current_weights
    ]
    click.echo(render(rows, "table"))
    if text is None:
        click.echo("No proposal: no dimension's higher score went with less churn here.")
        return
    target = path.with_name("retention.proposed.toml")
    target.write_text(text, encoding="utf-8")
    click.echo(f"Proposal written to {target}; {config_path(path).name} is unchanged.")
