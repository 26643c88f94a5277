"""The one-page documents (seed B's templates) filled from the sample data: each report's
JSON shape, Markdown layout, and figures that agree with the other reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.reports.account_documents import _rating

AS_OF = "2026-11-20"


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_exec_summary_uses_the_same_numbers_as_the_nrr_report(
    runner: CliRunner, scored_db: Path
) -> None:
    db = ["--db", str(scored_db)]
    data = json.loads(run(runner, "report", "exec", *db, "--month", "2026-10", "--format", "json"))
    assert data["title"] == "Retention Report — October 2026"
    assert [s["heading"] for s in data["sections"]] == [
        "Headline",
        "Wins",
        "Risks",
        "Actions for Next Month",
    ]
    nrr = json.loads(run(runner, "report", "nrr", *db, "--as-of", AS_OF, "--format", "json"))
    october = next(m for m in nrr["movements"] if m["month"] == "2026-10")
    assert data["nrr"] == october["nrr"]
    assert data["expansion"] == october["expansion"]
    assert data["net_change"] == october["expansion"] - october["contraction"] - october["churn"]
    text = run(runner, "report", "exec", *db, "--month", "2026-10")
    assert text.startswith("# Retention Report — October 2026\n\n## Headline\n- NRR: ")


def test_dashboard(runner: CliRunner, scored_db: Path) -> None:
    data = json.loads(
        run(
            runner,
            "report",
            "dashboard",
            "--db",
            str(scored_db),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )
    )
    assert set(data["tiers"]) == {"healthy", "monitor", "at_risk", "critical"}
    assert sum(data["tiers"].values()) == 250
    assert data["month"] == "2026-10"
    csv_rows = run(
        runner, "report", "dashboard", "--db", str(scored_db), "--as-of", AS_OF, "--format", "csv"
    ).splitlines()
    assert csv_rows[0] == "section,line"
    # each line's text, not its Markdown bullet (which a spreadsheet takes for a formula)
    assert csv_rows[1:5] == [
        f"Retention (October 2026),{line}"
        for line in (
            "Gross MRR churn: 0.1%",
            "Net MRR churn: -0.1%",
            "NRR: 100.1%",
            "Logo churn: 1.3%",
        )
    ]
    text = run(runner, "report", "dashboard", "--db", str(scored_db), "--as-of", AS_OF)
    pipeline = text.split("## Pipeline")[1].split("##")[0]
    assert "MRR at stake" in pipeline and "MRR kept" in pipeline
    # renewals whose card expires first are counted (the sample has one such renewal)
    lapsing = data["renewals_30d_card_expiring"]
    assert lapsing == 1 and "; 1 on a card that expires first ($" in pipeline
    assert data["cohort_snapshot"][0].startswith("- Latest cohort (2026-10) a month in: ")


def test_accounts_without_a_score_are_counted_apart_from_the_tiers(
    runner: CliRunner, chargebee_db: Path
) -> None:
    """A Chargebee founder's first import: one paying customer has data to score, three
    (a trial, two without a subscription yet) have none. The tiers' shares are of the
    scored one, and the others are counted on their own line, not lost. (The day before
    Acme's December invoice failed to collect: from then on it is at risk.)"""
    day = ["--db", str(chargebee_db), "--as-of", "2024-11-30"]
    text = run(runner, "report", "dashboard", *day)
    assert "| healthy | 1 | 100% | $100 |" in text
    assert "| no score | 3 | — | $0 |" in text
    assert "| at risk | 0 | 0% | $0 |" in text  # a document says the tier in words
    data = json.loads(run(runner, "report", "dashboard", *day, "--format", "json"))
    assert data["tiers"] == {
        "healthy": 1,
        "monitor": 0,
        "at_risk": 0,
        "critical": 0,
        "no score": 3,
    }
    risk = run(runner, "report", "risk", *day).splitlines()[1]
    assert risk.startswith(
        "4 accounts: critical 0, at risk 0, monitor 0, healthy 1, "
        "no score 3 (no data for any signal yet); "
    )
    scored = run(runner, "score", *day)
    assert "healthy 1, monitor 0, at risk 0, critical 0, no score 3;" in scored


def test_cohort_snapshot_compares_the_latest_cohort_and_names_the_best_and_worst() -> None:
    from datetime import date

    import polars as pl

    from retention_tui.reports.book_documents import _cohort_snapshot

    grid = pl.DataFrame(
        {
            "cohort": [date(2026, m, 1) for m in (6, 6, 7, 8, 8, 9)],
            "months_since": [0, 1, 1, 0, 1, 0],  # September has no month 1 yet
            "logo_pct": [100.0, 80.0, 95.0, 100.0, 90.0, 100.0],
        }
    )
    assert _cohort_snapshot(grid) == [
        "- Latest cohort (2026-08) a month in: 90% still paying, down from 95% (2026-07)",
        "- Best cohort: 2026-07 at 95%; worst: 2026-06 at 80% (a month in) — analyse why",
    ]
    assert _cohort_snapshot(grid.filter(pl.col("months_since") == 0)) == [
        "- No cohort has a month of history yet"
    ]


@pytest.mark.parametrize(
    ("doc", "title", "headings"),
    [
        (
            "qbr",
            "QBR prep — ",
            [
                "1. Celebrate wins (10 min)",
                "2. Deep dive (15 min)",
                "3. Feedback loop (10 min)",
                "4. Roadmap (10 min)",
                "5. Expansion (5 min)",
                "6. Next steps (5 min)",
                "QBR score",
            ],
        ),
        (
            "save-plan",
            "Save plan — ",
            ["1. Detect", "2. Reach out", "3. Listen", "4. Intervene", "5. Outcome"],
        ),
        (
            "onboarding",
            "Onboarding checklist — ",
            ["90-day plan", "Milestones", "Onboarding quality (seed B's rubric)"],
        ),
    ],
)
def test_account_documents(
    runner: CliRunner, scored_db: Path, doc: str, title: str, headings: list[str]
) -> None:
    data = json.loads(
        run(
            runner,
            "account",
            "acc_0002",
            doc,
            "--db",
            str(scored_db),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )
    )
    assert data["title"].startswith(title)
    assert [s["heading"] for s in data["sections"]] == headings
    assert data["account_id"] == "acc_0002"


def test_qbr_score_is_five_ratings(runner: CliRunner, scored_db: Path) -> None:
    data = json.loads(
        run(
            runner,
            "account",
            "acc_0002",
            "qbr",
            "--db",
            str(scored_db),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )
    )
    assert set(data["ratings"]) == {
        "goal attainment",
        "engagement",
        "relationship depth",
        "growth signals",
        "payment",
    }
    assert data["qbr_score"] == sum(data["ratings"].values())
    assert all(1 <= v <= 5 for v in data["ratings"].values())
    assert [_rating(s) for s in (0, 19.9, 20, 59, 80, 100, None)] == [1, 1, 2, 3, 5, 5, 3]


def test_monthly_report_ends_with_a_question(runner: CliRunner, scored_db: Path) -> None:
    text = run(
        runner,
        "account",
        "acc_0002",
        "monthly-report",
        "--db",
        str(scored_db),
        "--month",
        "2026-10",
    )
    assert text.startswith("# October 2026 Performance Report — ")
    assert text.rstrip().endswith("?")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Key Metrics",
        "## What We Did",
        "## ROI Summary",
        "## What's Next",
        "## Quick Question",
    ]


def test_a_goal_whose_target_date_passed_asks_for_a_new_date(
    runner: CliRunner, scored_db: Path
) -> None:
    """The monthly report's next steps and the QBR's roadmap worked towards a goal's
    target date a year gone ('target 2025-08-02'): one that passed asks for a new one."""
    db = ("--db", str(scored_db))
    report = run(runner, "account", "acc_0119", "monthly-report", *db, "--month", "2026-10")
    passed = "target 2025-08-02 has passed: let's agree a new date"
    assert f"- Automate weekly client reports: {passed}" in report
    qbr = run(runner, "account", "acc_0119", "qbr", *db, "--as-of", AS_OF)
    assert f'"Automate weekly client reports" ({passed})' in qbr
    ahead = run(runner, "account", "acc_0002", "qbr", *db, "--as-of", AS_OF)
    assert '"Replace spreadsheets for ops reporting" (target 2027-01-20)' in ahead


def test_save_plan_names_the_signals_and_reasons(runner: CliRunner, scored_db: Path) -> None:
    risk = json.loads(
        run(runner, "report", "risk", "--db", str(scored_db), "--as-of", AS_OF, "--format", "json")
    )
    worst = next(r for r in risk if r["signals"])
    data = json.loads(
        run(
            runner,
            "account",
            worst["account_id"],
            "save-plan",
            "--db",
            str(scored_db),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )
    )
    assert set(data["signals"]) == set(worst["signals"].split(", "))
    assert data["likely_reasons"]


def test_save_plan_gives_each_reasons_odds_and_the_pause_that_fits(
    runner: CliRunner, scored_db: Path
) -> None:
    risk = json.loads(
        run(runner, "report", "risk", "--db", str(scored_db), "--as-of", AS_OF, "--format", "json")
    )
    # an account whose signals point to low usage (seed A: 40-50% saved; seed B: a
    # maintenance tier before cancelling)
    low = next(r for r in risk if {"usage_drop", "usage_plateau"} & set(r["signals"].split(", ")))
    args = ["account", low["account_id"], "save-plan", "--db", str(scored_db), "--as-of", AS_OF]
    text = run(runner, *args)
    intervene = text.split("## 4. Intervene")[1].split("## 5.")[0]
    [usage] = [line for line in intervene.splitlines() if line.startswith("- low usage:")]
    assert usage.endswith("(saves 40-50% of such accounts; escalate: a CSM-led adoption sprint)")
    [seasonal] = [line for line in intervene.splitlines() if "seasonal low usage" in line]
    assert "maintenance tier" in seasonal and "(fits: usage_" in seasonal
    [team] = [line for line in intervene.splitlines() if "team change" in line]
    data = json.loads(run(runner, *args, "--format", "json"))
    assert "seasonal low usage" in data["pause_fits"]
    assert ("fits:" in team) == ("team change" in data["pause_fits"])


def test_bad_month(runner: CliRunner, scored_db: Path) -> None:
    result = runner.invoke(cli, ["report", "exec", "--db", str(scored_db), "--month", "10/2026"])
    assert result.exit_code == 2 and "'10/2026' is not a month; expected YYYY-MM" in result.output


def test_exec_summary_asks_for_a_card_about_to_expire(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    files = [
        write_csv("accounts.csv", "account_id,name,created_at,owner\nacc_1,Acme,2025-01-01,Ana\n"),
        write_csv(
            "subscriptions.csv",
            "subscription_id,account_id,plan,status,interval,amount,currency,period_start\n"
            "sub_1,acc_1,growth,active,month,100.00,USD,2025-01-01\n",
        ),
        write_csv(
            "invoices.csv",
            "invoice_id,account_id,amount,currency,status,issued_at\n"
            "inv_1,acc_1,100.00,USD,paid,2026-10-01T00:00:00Z\n",
        ),
        write_csv(
            "payments.csv",
            "payment_id,invoice_id,account_id,attempted_at,amount,outcome,card_expires\n"
            "pay_1,inv_1,acc_1,2026-10-01T00:05:00Z,100.00,succeeded,11/26\n",
        ),
    ]
    run(runner, "import", "-q", "--db", str(db_path), *map(str, files))
    text = run(runner, "report", "exec", "--db", str(db_path), "--month", "2026-10")
    actions = text.split("## Actions for Next Month")[1].strip().splitlines()
    assert actions[0] == (
        "1. Remind them to update their card before it expires (Acme, card expires "
        "2026-11-30) — Ana, by 2026-11-30"
    )


def test_an_accounts_tier_is_said_in_words_in_its_score_and_documents(
    runner: CliRunner, scored_db: Path
) -> None:
    """'at risk', as the dashboard says it, in the lines people read; the code stays in
    CSV and JSON for scripts."""
    day = ["--db", str(scored_db), "--as-of", AS_OF]
    risk = json.loads(run(runner, "report", "risk", *day, "--format", "json"))
    account = next(r["account_id"] for r in risk if r["tier"] == "at_risk")
    header = run(runner, "account", account, "score", *day).splitlines()[0]
    assert ", at risk" in header and "at_risk" not in header
    plan = run(runner, "account", account, "save-plan", *day)
    assert "(at risk)" in plan and "(at_risk)" not in plan
