"""The command line through click's CliRunner."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from retention_tui import paths
from retention_tui.cli import cli
from tests.conftest import CANONICAL, SAMPLE_AS_OF


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", all_commands(cli))
def test_every_command_has_help_text(runner: CliRunner, command: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    cmd = cli
    for part in command:
        cmd = cmd.commands[part]  # type: ignore[attr-defined]
    assert cmd.help and len(cmd.help.strip()) > 10


def test_import_prints_a_summary_per_file(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "import",
            "--db",
            str(db_path),
            str(CANONICAL / "accounts.csv"),
            str(CANONICAL / "contacts.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "accounts.csv: canonical.accounts, 3 rows: 3 inserted, 0 updated, 0 unchanged ("
    )
    assert lines[1].startswith("contacts.csv: canonical.contacts, 3 rows: 3 inserted")
    # Progress goes to stderr, so scripts reading stdout see only the summary.
    assert result.stderr.splitlines() == [
        "  reading accounts.csv ...",
        "  checked accounts.csv: 3 rows, accounts ...",
        "  reading contacts.csv ...",
        "  checked contacts.csv: 3 rows, contacts ...",
        "  writing accounts.csv ...",
        "  writing contacts.csv ...",
    ]


def test_a_bulk_load_says_when_it_builds_the_indexes(
    runner: CliRunner, db_path: Path, monkeypatch
) -> None:
    from db import write

    monkeypatch.setattr(write, "BULK_MIN_ROWS", 1)  # these 3 rows count as a bulk load
    files = [str(CANONICAL / "accounts.csv"), str(CANONICAL / "contacts.csv")]
    result = runner.invoke(cli, ["import", "--db", str(db_path), *files])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-2:] == [
        "  writing contacts.csv ...",
        "  building the indexes of contacts ...",
    ]


def test_dry_run_says_so_and_writes_nothing(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(
        cli, ["import", "--dry-run", "--db", str(db_path), str(CANONICAL / "accounts.csv")]
    )
    assert result.exit_code == 0
    assert "3 would be inserted" in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was written.")
    assert not db_path.exists()  # not even an empty database


def test_ignored_columns_are_reported(runner: CliRunner, db_path: Path, write_csv) -> None:
    path = write_csv("a.csv", "account_id,name,created_at,Colour\na,A,2024-01-01,red\n")
    result = runner.invoke(cli, ["import", "--db", str(db_path), str(path)])
    assert "  ignored columns: Colour" in result.stdout


def test_database_location_precedence(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RETENTION_DB", str(tmp_path / "env.db"))
    assert paths.database_path(tmp_path / "flag.db") == tmp_path / "flag.db"
    assert paths.database_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("RETENTION_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.database_path(None) == tmp_path / "xdg" / "retention" / "retention.db"


def test_db_given_before_the_command_is_the_commands_database(
    runner: CliRunner, tmp_path: Path
) -> None:
    first, second, env_db = tmp_path / "first.db", tmp_path / "second.db", tmp_path / "env.db"
    env = {"RETENTION_DB": str(env_db)}
    args = ["--db", str(first), "import", str(CANONICAL / "accounts.csv")]
    assert runner.invoke(cli, args, env=env).exit_code == 0
    assert first.exists() and not env_db.exists()
    rows = runner.invoke(cli, ["--db", str(first), "accounts", "--format", "json"], env=env)
    assert len(json.loads(rows.output)) == 3
    # a nested command too; and the command's own --db wins
    links = runner.invoke(cli, ["--db", str(first), "accounts", "links"], env=env)
    assert links.exit_code == 0 and not env_db.exists()
    own = ["--db", str(first), "import", "--db", str(second), str(CANONICAL / "accounts.csv")]
    assert runner.invoke(cli, own, env=env).exit_code == 0
    assert second.exists()


def test_db_given_to_a_group_is_its_subcommands_database(runner: CliRunner, tmp_path: Path) -> None:
    """'retention imports --db test.db undo' undoes test.db's last import, not the one of
    the database the environment names."""
    test_db, env_db = tmp_path / "test.db", tmp_path / "env" / "env.db"
    env_db.parent.mkdir()
    env = {"RETENTION_DB": str(env_db)}
    for db in (env_db, test_db):
        args = ["import", "--db", str(db), str(CANONICAL / "accounts.csv")]
        assert runner.invoke(cli, args, env=env).exit_code == 0
    undo = runner.invoke(cli, ["imports", "--db", str(test_db), "undo", "--yes"], env=env)
    assert undo.exit_code == 0, undo.output
    accounts = ["accounts", "--format", "json"]
    assert json.loads(runner.invoke(cli, [*accounts, "--db", str(test_db)]).output) == []
    assert len(json.loads(runner.invoke(cli, [*accounts, "--db", str(env_db)]).output)) == 3
    # every group takes it: the reports', one account's, the configuration's
    for args in (
        ["report", "--db", str(env_db), "risk", "--format", "json"],
        ["account", "--db", str(env_db), "Acme", "timeline", "--format", "json"],
        ["config", "--db", str(env_db), "show"],
    ):
        result = runner.invoke(cli, args, env={"RETENTION_DB": str(test_db)})
        assert result.exit_code == 0, (args, result.output)
    assert str(env_db.with_name("retention.toml")) in result.output


def test_retention_db_environment_variable_is_used(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    result = runner.invoke(
        cli, ["import", str(CANONICAL / "accounts.csv")], env={"RETENTION_DB": str(db)}
    )
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_accounts_report_formats(runner: CliRunner, sample_db: Path) -> None:
    args = ["accounts", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    rows = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert len(rows) == 320
    assert {"account_id", "name", "status", "mrr_minor", "currency", "open_tickets"} <= set(rows[0])
    csv_out = runner.invoke(cli, [*args, "--format", "csv"]).output.splitlines()
    assert csv_out[0].startswith(
        "account_id,name,status,score,tier,coverage,segment,owner,mrr_minor,currency"
    )
    assert len(csv_out) == 321
    md = runner.invoke(cli, [*args, "--format", "markdown"]).output.splitlines()
    assert md[0].startswith("| account_id | name |") and md[1].startswith("|---|")
    table = runner.invoke(cli, [*args]).output.splitlines()
    assert table[0].split()[:3] == ["account_id", "name", "status"]
    # Table MRR is money; machine formats carry integer minor units.
    total = sum(r["mrr_minor"] for r in rows)
    assert total > 0 and all(isinstance(r["mrr_minor"], int) for r in rows)
    # The base-currency MRR adds up to the dashboard's total (one currency here: USD).
    assert {r["base_currency"] for r in rows} == {"USD"}
    assert sum(r["mrr_base_minor"] or 0 for r in rows) == 42_078_128  # README: $420,781


def test_an_account_past_due_is_listed_so_and_its_mrr_as_the_totals_count_it(
    runner: CliRunner, past_due_book: Path
) -> None:
    """An account whose billing tool fails to charge it is listed past due; after
    metrics.past_due_churn_days (30) its MRR no longer counts (docs/metrics.md). The list
    showed it paying with its MRR while its total and the dashboard's left it out (a
    Stripe export keeps unpaid subscriptions past_due for months)."""
    args = ["accounts", "--db", str(past_due_book), "--as-of", "2026-11-20", "--format", "json"]
    rows = {
        r["name"]: (r["status"], r["mrr_minor"])
        for r in json.loads(runner.invoke(cli, args).output)
    }
    assert rows == {
        "Paying Co": ("paying", 10_000),
        "Late Co": ("past due", 20_000),  # 19 days
        "Lapsed Co": ("past due", 0),  # 80 days: churned, as MRR goes
    }


def test_bad_as_of_date(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(cli, ["accounts", "--db", str(db_path), "--as-of", "31/12/2025"])
    assert result.exit_code == 2
    assert "'31/12/2025' is not a date; expected YYYY-MM-DD" in result.output


def test_formats_lists_every_canonical_format(runner: CliRunner) -> None:
    rows = json.loads(runner.invoke(cli, ["formats", "--format", "json"]).output)
    assert [r["format"] for r in rows][:3] == ["accounts", "contacts", "subscriptions"]
    by_name = {r["format"]: r for r in rows}
    assert by_name["usage_events"]["required columns"] == "event_id, account_id, event, occurred_at"


def test_formats_name_shows_a_formats_or_a_tools_columns(runner: CliRunner) -> None:
    rows = json.loads(runner.invoke(cli, ["formats", "stripe.payments", "--format", "json"]).output)
    status = next(r for r in rows if r["column"] == "Status")
    assert status["goes to"] == "outcome" and status["required"] == "yes"
    assert "failed -> failed" in status["values"] and "left out: pending" in status["values"]
    text = runner.invoke(cli, ["formats", "Chargebee"]).output
    assert [line.split(":")[0] for line in text.splitlines() if line.startswith("chargebee.")] == [
        "chargebee.customers",
        "chargebee.subscriptions",
        "chargebee.invoices",
    ]
    assert "Recognised by the columns Customer Id, Email, Created At." in text
    ours = json.loads(runner.invoke(cli, ["formats", "accounts", "--format", "json"]).output)
    assert ours[0] == {
        "column": "account_id",
        "type": "id",
        "required": "yes",
        "description": "Your id for the account; other files refer to it.",
        "example": "acc_0042",
    }
    unknown = runner.invoke(cli, ["formats", "paddle"])
    assert unknown.exit_code == 2
    assert "no format or tool named 'paddle'; expected a format" in unknown.output
    assert "a tool: amplitude, canonical, chargebee," in unknown.output


def test_imports_lists_the_log(runner: CliRunner, db_path: Path) -> None:
    runner.invoke(cli, ["import", "--db", str(db_path), str(CANONICAL / "accounts.csv")])
    rows = json.loads(
        runner.invoke(cli, ["imports", "--db", str(db_path), "--format", "json"]).output
    )
    assert [(r["file_name"], r["rows_inserted"]) for r in rows] == [("accounts.csv", 3)]


@pytest.mark.parametrize(
    "command",
    [
        ["tui"],
        ["accounts"],
        ["account", "Acme"],
        ["report", "risk"],
        ["imports"],
        ["imports", "undo", "--yes"],
        ["score"],
        ["accounts", "unmatched"],
        ["backtest"],
    ],
    ids=lambda c: " ".join(c),
)
def test_a_missing_database_is_said_and_not_made(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    """A mistyped --db: every command but import says there is no database yet; none
    leaves an empty one behind (a report would print nothing from it)."""
    result = runner.invoke(cli, [*command, "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2, result.output
    assert "none.db: no database yet; import your CSV exports" in result.output
    assert list(tmp_path.iterdir()) == []


def test_demo_builds_the_sample_database(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = runner.invoke(cli, ["demo", "--no-open", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"Demo database ready: {db} (as of {SAMPLE_AS_OF})" in result.output
    listed = ["accounts", "--db", str(db), "--format", "json"]
    rows = json.loads(runner.invoke(cli, listed).stdout)  # a note, if any, is on stderr
    assert len(rows) == 320
    # Building again replaces it (no duplicates), since it holds no work of the user's.
    assert runner.invoke(cli, ["demo", "--no-open", "--db", str(db)]).exit_code == 0
    rows = json.loads(runner.invoke(cli, listed).stdout)
    assert len(rows) == 320


@pytest.mark.parametrize(
    ("work", "said"),
    [
        (None, "notes"),  # written in the app (a playbook's note)
        (["account", "acc_0001", "log", "call", "CFO on budgets"], "logged interactions"),
        (["accounts", "link", "zendesk", "name:acme", "acc_0002"], "accounts linked or merged"),
        (["import", "OWN"], "imports of your own files (northwind.csv)"),
    ],
    ids=["note", "logged call", "link", "own import"],
)
def test_demo_never_replaces_a_database_holding_the_users_work(
    runner: CliRunner, tmp_path: Path, work: list[str] | None, said: str
) -> None:
    """Only a database of the demo's own rows is built again: anything the user typed or
    imported into it stays, and the demo says what it holds."""
    db = tmp_path / "demo.db"
    assert runner.invoke(cli, ["demo", "--no-open", "--db", str(db)]).exit_code == 0
    own = tmp_path / "northwind.csv"
    own.write_text("account_id,name,created_at\nacc_own,Northwind Traders,2026-11-02\n")
    if work is None:
        from db import connect
        from db.work import add_note

        with closing(connect(db)) as conn:
            add_note(conn, "acc_0001", "Call back Tuesday")
    else:
        args = [str(own) if w == "OWN" else w for w in work]
        done = runner.invoke(cli, [*args, "--db", str(db)])
        assert done.exit_code == 0, done.output
    before = _dump(db)
    result = runner.invoke(cli, ["demo", "--no-open", "--db", str(db)])
    assert result.exit_code == 2
    assert f"{db}: holds your own work ({said}" in result.output
    assert f"open it with 'retention tui --db {db}'" in " ".join(result.output.split())
    assert _dump(db) == before


def _dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def test_formula_like_cells_are_escaped_in_csv_and_markdown() -> None:
    from retention_tui.output import render

    rows = [{"name": '=HYPERLINK("http://x")', "mrr": -12, "note": "-5%", "who": "@bob"}]
    assert render(rows, "csv").splitlines()[1] == '"\'=HYPERLINK(""http://x"")",-12,-5%,\'@bob'
    assert "'=HYPERLINK" in render(rows, "markdown")
    assert json.loads(render(rows, "json"))[0]["name"].startswith("=")


def test_a_new_empty_database_says_what_to_do_instead_of_printing_nothing(
    runner: CliRunner, db_path: Path
) -> None:
    from db import connect

    connect(db_path).close()

    def out(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--db", str(db_path)])
        assert result.exit_code == 0, result.output
        return result.output

    assert out("accounts") == (
        "No accounts yet: import your exports with 'retention import FILE...' "
        "('retention formats' lists the files it reads)\n"
    )
    assert out("accounts", "--format", "csv").strip() == ""  # scripts get no rows
    assert out("report", "cohorts", "--as-of", "2026-11-20").endswith("\n\n(none)\n")
    capacity = out("report", "capacity", "--as-of", "2026-11-20").splitlines()
    assert capacity[-1] == "(none)"
    headline = out("report", "exec", "--as-of", "2026-11-20").splitlines()[3]
    assert headline == "- NRR: n/a (no customers paying at the month's start)"


def test_the_executive_summary_of_a_books_first_paying_month_has_nothing_to_compare(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    accounts = write_csv("accounts.csv", "account_id,name,created_at\na,Acme,2026-09-10\n")
    subs = write_csv(
        "subscriptions.csv",
        "subscription_id,account_id,plan,status,interval,amount,period_start\n"
        "s1,a,growth,active,month,100.00,2026-09-15\n",
    )
    result = runner.invoke(cli, ["import", "-q", "--db", str(db_path), str(accounts), str(subs)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["report", "exec", "--db", str(db_path), "--as-of", "2026-11-20", "--month", "2026-10"]
    )
    assert result.exit_code == 0, result.output
    # paying since 15 September: October has a start, September had none to compare with
    assert result.output.splitlines()[3] == (
        "- NRR: 100.0% (none the month before: no customers paying then)"
    )


def test_an_empty_table_says_none_under_its_header() -> None:
    from retention_tui.output import render

    assert render([], "table", columns=["when", "what"]).splitlines() == [
        "when  what",
        "----  ----",
        "(none)",
    ]
    assert render([], "table") == "(none)"


def test_a_table_answers_yes_or_no_where_csv_and_json_keep_the_values() -> None:
    from retention_tui.output import render

    rows = [{"overdue": True, "high_value": False}]
    assert render(rows, "table").splitlines()[2] == "yes      no"
    assert render(rows, "csv").splitlines()[1] == "True,False"
    assert json.loads(render(rows, "json")) == rows
