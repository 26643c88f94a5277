"""Seed A's yearly targets and NRR benchmarks (retention_tui/engine/benchmarks.py), and
the nrr report's year against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.engine.benchmarks import (
    company_size_benchmark,
    grade,
    pricing_benchmark,
)
from retention_tui.engine.money import book_fx
from tests.conftest import SAMPLE_AS_OF


@pytest.mark.parametrize(
    ("metric", "value", "want"),
    [
        ("nrr", 115.0, "best-in-class"),
        ("nrr", 114.9, "good"),
        ("nrr", 105.0, "good"),
        ("nrr", 100.0, "acceptable"),
        ("nrr", 99.9, "below acceptable"),
        ("grr", 95.0, "best-in-class"),
        ("grr", 89.9, "acceptable"),
        ("grr", 84.9, "below acceptable"),
        ("logo_retention", 92.0, "best-in-class"),
        ("logo_retention", 85.0, "good"),
        ("logo_retention", 80.0, "acceptable"),
        ("nrr", None, None),
        ("expansion_share", 50.0, "best-in-class"),
        ("expansion_share", 21.8, "acceptable"),
        ("time_to_value", 0.5, "best-in-class"),  # days: lower is better
        ("time_to_value", 1.0, "good"),
        ("time_to_value", 6.9, "acceptable"),
        ("time_to_value", 7.0, "below acceptable"),
        ("time_to_first_expansion", 89.0, "best-in-class"),
        ("time_to_first_expansion", 276.0, "below acceptable"),
        ("win_back", 15.0, "best-in-class"),
        ("win_back", 4.9, "below acceptable"),
    ],
)
def test_grades_against_seed_as_key_targets(metric: str, value: float | None, want: str) -> None:
    assert grade(metric, value) == want


def test_nrr_among_companies_of_the_same_size() -> None:
    assert company_size_benchmark(5_000_000, 106.0) == (
        "SMB ($1-10M ARR): median 98%, top quartile 105%, best-in-class 115%; "
        "yours 106%: top quartile"
    )
    assert company_size_benchmark(20_000_000, 100.0).endswith("yours 100%: below the median")
    assert company_size_benchmark(200_000_000, 131.0).endswith(": best-in-class")
    assert company_size_benchmark(900_000, 120.0) is None  # under $1M ARR: no benchmark
    assert company_size_benchmark(None, 120.0) is None


def test_nrr_against_the_pricing_models_median() -> None:
    assert pricing_benchmark("usage", 104.0) == (
        "usage / consumption pricing: median NRR 110% (volatility high, expansion potential "
        "high, tied to value delivered); yours 104%: below the median"
    )
    assert pricing_benchmark("", 104.0) is None


def test_arr_in_usd_for_a_book_in_another_currency() -> None:
    assert book_fx({"base": "", "rates": {}}, ["USD"]).to_usd(123_456) == 1_234.56
    eur = book_fx({"base": "EUR", "rates": {"USD": 0.9}}, ["EUR", "USD"])
    assert eur.to_usd(90_000) == pytest.approx(1_000.0)  # €900 at €0.90 a dollar
    assert book_fx({"base": "", "rates": {}}, ["EUR"]).to_usd(100) is None  # no USD rate


def test_time_to_value_is_the_median_days_to_a_first_core_feature() -> None:
    from datetime import date, datetime

    from retention_tui.config import defaults
    from retention_tui.engine.expansion import time_to_value
    from tests.engine_data import account, make_tables

    def event(account_id: str, name: str, at: datetime) -> dict:
        return {"account_id": account_id, "user_id": "u", "event": name, "occurred_at": at}

    tables = make_tables(
        accounts=[
            account("a", created_at=date(2026, 3, 1)),
            account("b", created_at=date(2026, 3, 1)),
            account("c", created_at=date(2026, 3, 1)),
            account("never", created_at=date(2026, 3, 1)),  # no core feature yet
            account("old", created_at=date(2025, 1, 1)),  # created before the year
        ],
        usage_events=[
            event("a", "login", datetime(2026, 3, 1, 1)),  # not a core feature
            event("a", "report_created", datetime(2026, 3, 2, 12)),  # 1.5 days
            event("b", "report_created", datetime(2026, 3, 4, 0)),  # 3 days
            event("c", "report_created", datetime(2026, 3, 11, 0)),  # 10 days
            event("old", "report_created", datetime(2026, 3, 2)),
        ],
    )
    got = time_to_value(tables, date(2025, 12, 1), date(2026, 12, 1), defaults())
    assert got == {"created": 4, "reached": 3, "median_days": 3.0}


def test_the_nrr_report_grades_the_last_12_months(runner: CliRunner, sample_db: Path) -> None:
    args = ["report", "nrr", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    year = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)["year"]
    assert (year["from"], year["to"]) == ("2025-11-01", "2026-11-01")
    metrics = (
        *("nrr", "grr", "logo_retention", "expansion_share", "time_to_value", "win_back"),
        "time_to_first_expansion",
    )
    assert year["grades"] == {m: grade(m, year[m]) for m in metrics}
    assert 0 < year["expansion_share"] < 100 and year["time_to_value"] > 0
    assert year["company_size"].startswith("SMB ($1-10M ARR)")  # the sample book's ARR
    assert year["pricing"] is None  # metrics.pricing_model not set
    (sample_db.parent / "retention.toml").write_text('[metrics]\npricing_model = "seat"\n')
    table = runner.invoke(cli, args).output
    # the months themselves, the last one included: the JSON's "to" is the day after them
    assert "Last 12 months (2025-11 to 2026-10) against seed A's targets: NRR " in table
    six = runner.invoke(cli, [*args, "--months", "6"]).output
    assert "Over 2026-05 to 2026-10 (from start-of-span MRR): NRR " in six
    assert "NRR by pricing model, seat-based pricing: median NRR 105%" in table
    assert "Expansion share of new MRR " in table and "Time to value (first core feature)" in table
    assert "Win-back: " in table and " customers who churned in the year pay again, " in table
    assert "Time to first expansion: median " in table


def test_a_book_with_no_customers_yet_reports_no_rates(runner: CliRunner, db_path: Path) -> None:
    from tests.conftest import CANONICAL

    runner.invoke(cli, ["import", "--db", str(db_path), str(CANONICAL / "accounts.csv")])
    args = ["report", "nrr", "--db", str(db_path), "--as-of", SAMPLE_AS_OF]

    def no_nan(text: str) -> float:
        raise AssertionError(f"not JSON: {text}")  # NaN used to be printed

    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output, parse_constant=no_nan)
    assert data["last_month"]["nrr"] is None and data["year"]["grades"]["nrr"] is None
    assert data["benchmark"] is None
    table = runner.invoke(cli, args).output
    assert table.startswith("Net revenue retention, 2026-10: NRR n/a, GRR n/a, logo retention n/a")
