"""The ``retention`` command line. Headless commands never import Textual."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
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


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
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


def _open(db_path: Path | None) -> Any:
    return connect(paths.database_path(db_path))


@click.group(cls=Cli, invoke_without_command=True)
@db_option
@click.version_option(package_name="retention")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """retention: your customer-retention cockpit.

    With no command, opens the dashboard on your database.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui, db_path=db_path)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_name",
    default=None,
    metavar="NAME",
    help="Read every file as this format instead of detecting it (see 'retention formats').",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@db_option
def import_cmd(
    files: tuple[Path, ...],
    format_name: str | None,
    dry_run: bool,
    quiet: bool,
    db_path: Path | None,
) -> None:
    """Import CSV exports (all files in one transaction: all or nothing).

    Progress goes to stderr; the per-file summary to stdout.
    """
    from importers.run import import_files

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"  {message} ...", err=True)

    conn = _open(db_path)
    try:
        results = import_files(
            conn, files, format_name=format_name, dry_run=dry_run, on_progress=progress
        )
    finally:
        conn.close()
    verb = "would be" if dry_run else ""
    for r in results:
        click.echo(
            f"{r.path.name}: {r.format}, {r.rows_read} rows: "
            f"{r.inserted} {verb} inserted, {r.updated} {verb} updated, "
            f"{r.unchanged} unchanged".replace("  ", " ")
            + (f", {r.rejected} duplicate rows skipped" if r.rejected else "")
            + f" ({r.duration_ms / 1000:.2f} s)"
        )
        if r.ignored_columns:
            click.echo(f"  ignored columns: {', '.join(r.ignored_columns)}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@cli.command()
@db_option
@click.option(
    "--as-of",
    type=DateType(),
    default=None,
    help="Show the dashboard as of this date (default: today).",
)
def tui(db_path: Path | None, as_of: date | None) -> None:
    """Open the dashboard on an existing database."""
    path = paths.database_path(db_path)
    if not path.exists():
        raise RetentionError(
            f"{path}: no database yet; import your CSV exports with 'retention import FILE...' "
            "or try 'retention demo'"
        )
    connect(path).close()  # migrate (and report problems) before the screen opens
    from retention_tui.app import RetentionApp

    RetentionApp(path, as_of=as_of or today()).run()


def _has_own_work(path: Path) -> bool:
    conn = connect(path)
    try:
        return any(
            conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
            for t in ("playbooks", "notes", "snoozes")
        )
    finally:
        conn.close()


def build_demo_database(target: Path, echo: Callable[[str], None] = click.echo) -> date:
    """Build a fresh database from the bundled sample data at ``target``; return its as-of."""
    from importers.run import import_files

    source = paths.sample_data_dir()
    manifest = json.loads((source / "manifest.json").read_text())
    files = sorted(source.glob("*.csv"))
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    for leftover in (building, *(building.with_name(building.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    conn = connect(building)
    try:
        echo(f"Importing {len(files)} sample files into {target} ...")
        import_files(
            conn,
            files,
            on_file=lambda r: echo(
                f"  {r.path.name}: {r.rows_read:,} rows ({r.duration_ms / 1000:.1f} s)"
            ),
        )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
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
    conn = connect(target)
    try:
        score_and_store(conn, dates, load(target))
    finally:
        conn.close()


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
    conn = connect(target)
    try:
        run_backtest(conn, dates, load(target), DEMO_HORIZON_DAYS, 0.3)
    finally:
        conn.close()


@cli.command()
@db_option
@click.option("--no-open", is_flag=True, help="Build the database but do not open the dashboard.")
def demo(db_path: Path | None, no_open: bool) -> None:
    """Build a fresh database from the bundled sample data and open it."""
    target = Path(db_path).expanduser() if db_path else paths.demo_database_path()
    if target.exists() and _has_own_work(target):
        raise RetentionError(
            f"{target}: holds your own playbooks, notes or snoozes; the demo will not replace "
            "it (choose another --db)"
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
@format_option
def formats(fmt: str) -> None:
    """List the file formats 'retention import' reads, with their columns."""
    from importers.detect import ALL_FORMATS

    rows = [
        {
            "format": f.name,
            "source": f.source,
            "table": f.table,
            "required columns": ", ".join(f.required_columns),
            "optional columns": ", ".join(c for c in f.columns if c not in f.required_columns),
        }
        for f in ALL_FORMATS
    ]
    click.echo(render(rows, fmt))


@cli.command()
@db_option
@format_option
@click.option("--limit", default=50, show_default=True, help="How many imports to show.")
def imports(db_path: Path | None, fmt: str, limit: int) -> None:
    """The import log: every file imported, newest first."""
    from db.queries import import_log

    conn = _open(db_path)
    try:
        rows = import_log(conn, limit).to_dicts()
    finally:
        conn.close()
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
            ],
        )
    )


@cli.command()
@db_option
@format_option
@as_of_option
def accounts(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Every account with its MRR, contacts, active users and open tickets."""
    from retention_tui.formatting import money
    from retention_tui.overview import accounts_overview

    conn = _open(db_path)
    try:
        frame = accounts_overview(conn, as_of or today())
    finally:
        conn.close()
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
                    else {"mrr_minor": mrr, "currency": r["mrr_currency"]}
                ),
                "contacts": r["contacts"],
                "active_users_30d": r["active_users"],
                "open_tickets": r["open_tickets"],
                "renewal_date": r["renewal_date"],
            }
        )
    click.echo(render(rows, fmt))


def _config(db_path: Path | None) -> dict:
    from retention_tui.config import load

    return load(paths.database_path(db_path))


def _tables(db_path: Path | None) -> tuple[dict, Any]:
    """The effective config and every canonical table, loaded once."""
    from db.frames import load_all

    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        return cfg, load_all(conn)
    finally:
        conn.close()


@cli.group()
def config() -> None:
    """Show the effective configuration (defaults + retention.toml beside the database)."""


@config.command("show")
@db_option
def config_show(db_path: Path | None) -> None:
    """Print the effective config as TOML, with where it came from."""
    from retention_tui.config import config_hash, config_path, to_toml

    cfg = _config(db_path)
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
    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        runs = score_and_store(conn, dates, cfg)
    finally:
        conn.close()
    last = runs[-1]
    counts = tier_counts(last.scores)
    if len(runs) > 1:
        click.echo(f"Scored {len(runs)} weekly dates from {runs[0].as_of} to {last.as_of}.")
    click.echo(
        f"Scored {last.scores.height} accounts as of {last.as_of} (preset {last.preset}): "
        + ", ".join(f"{t} {n}" for t, n in counts.items())
        + f"; {last.risks.height} risk signals, {last.alerts.height} alerts."
    )


def _find_account(conn: Any, text: str) -> tuple[str, str]:
    from db.queries import find_accounts

    found = find_accounts(conn, text)
    if not found:
        raise RetentionError(f"no account matches {text!r}; try 'retention accounts'")
    if len(found) > 1:
        names = ", ".join(f"{name} ({aid})" for aid, name in found[:8])
        more = "+" if len(found) >= 20 else ""
        raise RetentionError(
            f"{text!r} matches {len(found)}{more} accounts: {names}; be more precise"
        )
    return found[0]


@cli.group()
@click.argument("name")
@click.pass_context
def account(ctx: click.Context, name: str) -> None:
    """One account: NAME is its id, its name, or part of its name or domain."""
    ctx.obj = {"name": name}


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
    from retention_tui.scoring import compute

    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        account_id, name = _find_account(conn, ctx.obj["name"])
        day = as_of or today()
        report = account_score(compute(conn, day, cfg), account_id, name, cfg)
    finally:
        conn.close()
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
    conn = _open(db_path)
    try:
        account_id, name = _find_account(conn, ctx.obj["name"])
    finally:
        conn.close()
    cfg, tables, run, _before = _run_for(db_path, day)
    if needs_score and account_id not in set(run.scores["account_id"].to_list()):
        raise RetentionError(f"{name} ({account_id}) is not a customer on {day}")
    _print_document(build(tables, account_id, day, cfg, run), fmt)


@account.command("playbooks")
@db_option
@format_option
@click.pass_context
def account_playbooks(ctx: click.Context, db_path: Path | None, fmt: str) -> None:
    """The account's playbooks with each step ticked or not, and its notes."""
    from db.work import account_work
    from retention_tui.playbooks import PLAYBOOKS

    conn = _open(db_path)
    try:
        account_id, name = _find_account(conn, ctx.obj["name"])
        work = account_work(conn, account_id)
    finally:
        conn.close()
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
    from retention_tui.reports.documents import qbr_prep

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
    from retention_tui.reports.documents import save_plan

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
    from retention_tui.reports.documents import onboarding_checklist

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
    from retention_tui.reports.documents import monthly_report

    chosen = month or _month_before(as_of or today())

    def build(tables: Any, account_id: str, day: date, cfg: dict, run: Any) -> Any:
        return monthly_report(tables, account_id, chosen, cfg, run)

    _account_document(
        ctx, db_path, fmt, next_month(chosen) - timedelta(days=1), build, needs_score=False
    )


@cli.group()
def report() -> None:
    """Reports for scripting: every one takes --format and --as-of."""


@report.command("risk")
@db_option
@format_option
@as_of_option
def report_risk(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Churn risk report: every customer by tier, worst first, with actions and MRR at risk."""
    from db.frames import load_all
    from retention_tui.reports.risk import risk_rows, risk_summary
    from retention_tui.scoring import compute

    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        tables = load_all(conn)
        run = compute(conn, as_of or today(), cfg, tables)
    finally:
        conn.close()
    accounts = tables["accounts"]
    rows = risk_rows(run, accounts, cfg)
    currency = accounts["currency"].mode().first() if accounts.height else "USD"
    if fmt == "table":
        click.echo(f"Churn risk report as of {run.as_of} (preset {run.preset})")
        click.echo(risk_summary(rows, currency or "USD"))
        click.echo()
        from retention_tui.formatting import money

        rows = [{**r, "mrr": money(int(r["mrr_minor"]), currency or "USD")} for r in rows]
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
    from retention_tui.reports.revenue import MOVEMENT_COLUMNS, nrr_report

    cfg, tables = _tables(db_path)
    data = nrr_report(tables, as_of or today(), months, by, cfg)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    moves = data["movements"]
    if fmt == "table":
        m, sp = data["last_month"], data["span"]
        click.echo(
            f"Net revenue retention, {m['month'][:7]}: NRR {m['nrr']}%, GRR {m['grr']}%, "
            f"logo retention {m['logo_retention']}%"
        )
        if m["stage"]:
            click.echo(f"Stage: {m['stage']}. {m['advice']}.")
        if data["benchmark"]:
            click.echo(f"Logo churn benchmark ({data['benchmark']})")
        click.echo(
            f"Over {sp['from'][:7]} to {sp['to'][:7]} (from start-of-span MRR): "
            f"NRR {sp['nrr']}%, GRR {sp['grr']}%, logo retention {sp['logo_retention']}%"
        )
        click.echo()
        cols = MOVEMENT_COLUMNS[1:8]
        moves = [{**r, **{c: money(r[c]) for c in cols}} for r in moves]
    click.echo(render(moves, fmt, columns=MOVEMENT_COLUMNS))
    if data["breakdown"] and fmt in ("table", "markdown"):
        breakdown = [
            {**r, "mrr_start": money(r["mrr_start"]), "mrr_end": money(r["mrr_end"])}
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

    cfg, tables = _tables(db_path)
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
) -> None:
    """Build a queue from the tables and print it; money columns are formatted in tables."""
    from db.frames import load_all
    from retention_tui.formatting import money

    cfg = _config(db_path)
    day = as_of or today()
    conn = _open(db_path)
    try:
        tables = load_all(conn)
        extra = {}
        if with_scores:
            from retention_tui.scoring import compute

            run = compute(conn, day, cfg, tables)
            extra = {"scores": run.scores, "features": run.features, "risks": run.risks}
    finally:
        conn.close()
    rows = build(tables, day, cfg, **extra).to_dicts()
    if fmt == "table":
        click.echo(f"{title} as of {day}: {len(rows)}")
        click.echo()
        rows = [
            {
                k: (
                    money(v, r.get("currency") or "USD")
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
def report_renewals(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Renewals in the next 180 days: the step due, overdue steps, health, ARR at stake."""
    from retention_tui.engine.queues import renewals

    def build(tables: Any, day: date, cfg: dict, scores: Any, features: Any, risks: Any) -> Any:
        return renewals(tables, day, cfg, scores, risks=risks)

    _queue_report(db_path, fmt, as_of, "Renewals", build, ("arr_at_stake",), with_scores=True)


@report.command("payments")
@db_option
@format_option
@as_of_option
def report_payments(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Failed payments being recovered: dunning stage, next action and date, MRR at risk."""
    from retention_tui.engine.queues import payment_recovery

    _queue_report(
        db_path, fmt, as_of, "Payment failures", payment_recovery, ("amount_minor", "mrr_at_risk")
    )


@report.command("reactivation")
@db_option
@format_option
@as_of_option
def report_reactivation(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Churned customers: the next step of the reactivation sequence, data expiry."""
    from retention_tui.engine.queues import reactivation

    _queue_report(db_path, fmt, as_of, "Reactivation list", reactivation)


@report.command("winback")
@db_option
@format_option
@as_of_option
def report_winback(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Closed-lost deals scored for win-back: band, factors, next touch by lost reason."""
    from retention_tui.engine.queues import winback

    _queue_report(db_path, fmt, as_of, "Win-back candidates", winback, ("amount_minor",))


@report.command("expansion")
@db_option
@format_option
@as_of_option
def report_expansion(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Expansion opportunities: healthy accounts with triggers or a high PQA score."""
    from retention_tui.engine.expansion import expansion_queue

    def build(tables: Any, day: date, cfg: dict, scores: Any, features: Any, risks: Any) -> Any:
        return expansion_queue(tables, day, cfg, features, scores)

    _queue_report(db_path, fmt, as_of, "Expansion opportunities", build, with_scores=True)


@report.command("onboarding")
@db_option
@format_option
@as_of_option
def report_onboarding(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Accounts in their first 90 days: each milestone hit, missed or due."""
    from retention_tui.engine.expansion import onboarding

    _queue_report(db_path, fmt, as_of, "Onboarding", onboarding)


def _print_document(doc: Any, fmt: str) -> None:
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


def _run_for(db_path: Path | None, day: date) -> tuple[dict, Any, Any, Any]:
    """(config, tables, this date's score run, the scores stored before it)."""
    from db.frames import load_all
    from db.results import previous_scores
    from retention_tui.scoring import compute

    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        tables = load_all(conn)
        run = compute(conn, day, cfg, tables)
        before = previous_scores(conn, day.isoformat())
    finally:
        conn.close()
    return cfg, tables, run, before


def _month_before(day: date) -> date:
    """The first day of the month before ``day``'s month."""
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


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
    from retention_tui.reports.documents import executive_summary

    month = month or _month_before(as_of or today())
    month_end = next_month(month) - timedelta(days=1)
    cfg, tables, run, before = _run_for(db_path, month_end)
    _print_document(executive_summary(tables, month, cfg, run, before), fmt)


@report.command("dashboard")
@db_option
@format_option
@as_of_option
def report_dashboard(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Seed B's weekly dashboard: churn, NRR, health distribution, pipeline."""
    from retention_tui.reports.documents import dashboard

    day = as_of or today()
    cfg, tables, run, before = _run_for(db_path, day)
    _print_document(dashboard(tables, day, cfg, run, before), fmt)


@report.command("alerts")
@db_option
@format_option
@as_of_option
def report_alerts(db_path: Path | None, fmt: str, as_of: date | None) -> None:
    """Score-change alerts of the last scoring run on or before the date, soonest due first."""
    from db.results import stored_alerts

    conn = _open(db_path)
    try:
        day, rows = stored_alerts(conn, (as_of or today()).isoformat())
    finally:
        conn.close()
    if day is None:
        raise RetentionError("no scores stored yet: run 'retention score' first")
    if fmt == "table":
        click.echo(f"Alerts from the scoring run of {day}: {len(rows)}")
        click.echo()
    click.echo(render(rows, fmt, columns=["due_at", "account", "code", "detail", "action"]))


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
    cfg = _config(db_path)
    conn = _open(db_path)
    try:
        summary = run_backtest(conn, dates, cfg, horizon, contraction)
    finally:
        conn.close()
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
    cfg = _config(db_path)
    path = paths.database_path(db_path)
    conn = _open(db_path)
    try:
        cal, text = run_calibration(conn, dates, cfg, horizon, contraction, cut, today())
    finally:
        conn.close()

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


def main() -> None:
    cli(prog_name="retention")


if __name__ == "__main__":
    sys.exit(main())
