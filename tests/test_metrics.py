"""MRR movements and retention on a small hand-built history with a reactivation, a
mid-month upgrade, an annual plan, a weekly plan, a trial, a downgrade and a customer who
joins and leaves within one month. Every expected number is worked out in the comments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.benchmarks import nrr_band
from retention_tui.engine.metrics import (
    account_mrr,
    cohorts,
    expansions,
    metric_options,
    month_starts,
    monthly_rates,
    movements,
    retention,
    total_mrr,
)
from tests.engine_data import account, make_tables, subscription

OPTS = metric_options(defaults())


def sub(aid: str, amount: float, start: str, end: str | None = None, **kw: object) -> dict:
    return subscription(aid, round(amount * 100), start, end, **kw)


PERIODS = [
    sub("A", 100, "2025-12-01", "2026-02-15"),
    sub("A", 150, "2026-02-15"),  # mid-month upgrade
    sub("B", 1200, "2025-06-01", interval="year"),  # annual: 100 a month
    sub("C", 200, "2025-10-01", "2026-02-10"),
    sub("C", 200, "2026-03-20"),  # churn, comes back
    sub("D", 300, "2025-11-01", "2026-03-05"),
    sub("D", 120, "2026-03-05"),  # downgrade
    sub("E", 50, "2026-01-10"),  # new in January
    sub("F", 70, "2026-01-05", "2026-01-25"),  # in and out within January: counts in neither
    sub("G", 0, "2026-01-01", "2026-01-15", status="trialing"),
    sub("G", 80, "2026-01-15"),
    sub("H", 12, "2025-12-01", interval="week"),  # 12 x 52 / 12 = 52 a month
]
TABLES = make_tables(
    accounts=[account(a, segment="smb" if a in "ABCD" else "enterprise") for a in "ABCDEFGH"],
    subscription_periods=PERIODS,
)
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_monthly_movements() -> None:
    moves = movements(TABLES["subscription_periods"], MONTHS, **OPTS)
    got = {r["month"].month: r for r in moves.iter_rows(named=True)}
    # January: starts A 100 + B 100 + C 200 + D 300 + H 52 = 752; E and G (after its
    # trial) are new; F came and went.
    assert {
        k: got[1][k]
        for k in (
            "mrr_start",
            "new",
            "expansion",
            "contraction",
            "churn",
            "reactivation",
            "mrr_end",
        )
    } == {
        "mrr_start": 75_200,
        "new": 13_000,
        "expansion": 0,
        "contraction": 0,
        "churn": 0,
        "reactivation": 0,
        "mrr_end": 88_200,
    }
    # February: A's mid-month upgrade (+50), C churns (-200).
    assert (got[2]["expansion"], got[2]["churn"], got[2]["mrr_end"]) == (5_000, 20_000, 73_200)
    # March: D downgrades (-180), C comes back (+200).
    assert (got[3]["contraction"], got[3]["reactivation"], got[3]["new"]) == (18_000, 20_000, 0)
    assert got[3]["mrr_end"] == 75_200
    # The movements add up: start + all movements = end.
    for r in got.values():
        assert (
            r["mrr_start"]
            + r["new"]
            + r["expansion"]
            - r["contraction"]
            - r["churn"]
            + r["reactivation"]
            == r["mrr_end"]
        )


def test_the_expanded_accounts_are_the_expansion_movement() -> None:
    """The accounts a report lists as upgraded add up to the month's expansion: a
    customer new or back in the month (nothing at its start) is not one of them."""
    periods = TABLES["subscription_periods"]
    for month, end in zip(MONTHS, [*MONTHS[1:], date(2026, 4, 1)], strict=True):
        moved = movements(periods, [month], **OPTS).row(0, named=True)
        grown = expansions(periods, month, end, **OPTS)
        assert grown["gain"].sum() == moved["expansion"]
    feb = expansions(periods, MONTHS[1], MONTHS[2], **OPTS)
    assert feb.select("account_id", "mrr_start", "mrr_end", "gain").rows() == [
        ("A", 10_000, 15_000, 5_000)
    ]
    march = expansions(periods, MONTHS[2], date(2026, 4, 1), **OPTS)
    assert march.height == 0  # C came back (reactivation), D downgraded


def test_monthly_rates() -> None:
    rates = monthly_rates(movements(TABLES["subscription_periods"], MONTHS, **OPTS))
    feb = rates.filter(pl.col("month") == date(2026, 2, 1)).row(0, named=True)
    assert feb["nrr"] == 83.0  # (882 + 50 - 0 - 200) / 882
    assert feb["grr"] == 77.3  # (882 - 0 - 200) / 882
    assert feb["logo_retention"] == 85.7  # 6 of 7 customers kept
    jan = rates.filter(pl.col("month") == date(2026, 1, 1)).row(0, named=True)
    assert (jan["nrr"], jan["grr"], jan["logo_retention"]) == (100.0, 100.0, 100.0)


def test_retention_over_a_span_and_by_segment() -> None:
    periods, accounts = TABLES["subscription_periods"], TABLES["accounts"]
    r = retention(periods, accounts, date(2026, 1, 1), date(2026, 4, 1), **OPTS).row(0, named=True)
    # Paying on 1 Jan: A, B, C, D, H = 752. On 1 Apr they pay 150 + 100 + 200 + 120 + 52.
    assert r["nrr"] == 82.7  # 622 / 752
    assert r["grr"] == 76.1  # (100 + 100 + 200 + 120 + 52) / 752: A's expansion capped
    assert r["logo_retention"] == 100.0  # C is paying again on 1 April
    by = {
        x["segment"]: x
        for x in retention(
            periods, accounts, date(2026, 1, 1), date(2026, 4, 1), by="segment", **OPTS
        ).iter_rows(named=True)
    }
    assert by["enterprise"]["nrr"] == 100.0  # H alone
    assert by["smb"]["mrr_start"] == 70_000


def test_months_with_nothing_happening_report_zero() -> None:
    moves = movements(TABLES["subscription_periods"], [date(2025, 8, 1)], **OPTS)
    row = moves.row(0, named=True)
    assert row["churn"] == 0 and row["new"] == 0 and row["mrr_start"] == 10_000  # B only


def test_a_long_past_due_subscription_stops_counting() -> None:
    periods = make_tables(subscription_periods=[sub("P", 100, "2026-01-01", status="past_due")])[
        "subscription_periods"
    ]
    moves = movements(periods, [date(2026, 1, 1), date(2026, 2, 1)], **OPTS)
    # Past due since 1 Jan: MRR on 1 Jan, but by 1 Feb (31 days, over the 30-day setting)
    # it no longer counts: churned in January.
    assert moves["churn"].to_list() == [10_000, 0]
    assert moves["mrr_start"].to_list() == [10_000, 0]
    assert moves["new"].to_list() == [0, 0]
    lenient = movements(periods, [date(2026, 1, 1)], past_due_churn_days=None)
    assert lenient["mrr_end"].to_list() == [10_000]


def test_nrr_bands() -> None:
    assert nrr_band(85.0)[0] == "fix gross retention"
    assert nrr_band(95.0)[0] == "stabilise"
    assert nrr_band(100.0)[0] == "grow"
    assert nrr_band(115.0)[0] == "optimise"
    assert nrr_band(130.0)[0] == "compound"


def test_churn_benchmark() -> None:
    from retention_tui.engine.benchmarks import churn_benchmark

    assert churn_benchmark("b2b_saas_smb", 1.3).endswith("yours 1.3%: best")
    assert churn_benchmark("b2b_saas_smb", 4.0).endswith(": good")
    assert churn_benchmark("b2b_saas_enterprise", 4.0).endswith(": above the good benchmark")
    assert churn_benchmark("nope", 4.0) is None


def test_cohorts() -> None:
    frame = cohorts(
        TABLES["subscription_periods"], month_starts(date(2026, 1, 1), date(2026, 4, 1)), **OPTS
    )
    # E and G first paid in January: on the 1 Feb snapshot they form the February cohort.
    feb = frame.filter(pl.col("cohort") == date(2026, 2, 1))
    assert feb["customers"].unique().to_list() == [2]
    assert feb["logo_pct"].to_list() == [100.0, 100.0, 100.0]


def test_nrr_report_command(runner: CliRunner, sample_db: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "report",
            "nrr",
            "--db",
            str(sample_db),
            "--as-of",
            "2026-11-20",
            "--by",
            "segment",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["months"][0] == "2025-11-01" and data["months"][-1] == "2026-10-01"
    assert len(data["movements"]) == 12
    for m in data["movements"]:
        assert (
            m["mrr_start"]
            + m["new"]
            + m["expansion"]
            - m["contraction"]
            - m["churn"]
            + m["reactivation"]
            == m["mrr_end"]
        )
    assert {b["segment"] for b in data["breakdown"]} == {"smb", "mid_market", "enterprise"}
    assert data["last_month"]["stage"] in (
        "fix gross retention",
        "stabilise",
        "grow",
        "optimise",
        "compound",
    )
    forced = data["year"]["involuntary_churn"]
    assert 0 < forced["involuntary"] < forced["churned"]  # the sample's failed renewals
    assert forced["share"] == round(forced["involuntary_mrr"] / forced["churned_mrr"] * 100, 1)
    table = runner.invoke(
        cli, ["report", "nrr", "--db", str(sample_db), "--as-of", "2026-11-20"]
    ).stdout
    assert table.startswith("Net revenue retention, 2026-10: NRR ")
    assert f"Involuntary churn: {forced['share']}% of the MRR churned in the year" in table


def test_cohorts_report_command(runner: CliRunner, sample_db: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "report",
            "cohorts",
            "--db",
            str(sample_db),
            "--as-of",
            "2026-11-20",
            "--months",
            "6",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["m0"] == 100.0 for r in rows)


@pytest.mark.parametrize("past_due_churn_days", [None, 30])
def test_total_mrr_is_the_sum_of_every_accounts_mrr_on_each_day(past_due_churn_days) -> None:
    periods = pl.concat(
        [
            TABLES["subscription_periods"],
            make_tables(
                subscription_periods=[
                    sub("P", 100, "2026-01-01", status="past_due"),
                    sub("W", 25, "2025-06-01", "2026-02-15", interval="week"),
                    sub("Y", 1200, "2025-03-01", interval="year"),
                    sub("T", 500, "2025-09-01", status="trialing"),
                ]
            )["subscription_periods"],
        ]
    )
    days = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, 1, 1), date(2026, 2, 14)]
    kw = {"past_due_churn_days": past_due_churn_days, "weeks_per_month": 52 / 12}
    by_account = [int(account_mrr(periods, d, **kw)["mrr"].sum() or 0) for d in days]
    assert total_mrr(periods, days, **kw) == by_account
    assert len(set(by_account)) > 5  # the days differ: the check compares something


def test_win_back_counts_churned_customers_paying_again() -> None:
    from retention_tui.engine.metrics import win_back

    periods = make_tables(
        accounts=[account(a) for a in "ABCD"],
        subscription_periods=[
            sub("A", 100, "2025-12-01", "2026-02-10"),  # churns in February...
            sub("A", 100, "2026-04-05"),  # ... pays again from April: won back
            sub("B", 100, "2025-12-01", "2026-03-15"),  # churns in March, gone
            sub("C", 100, "2025-12-01"),  # never churns
            sub("D", 100, "2026-02-10", "2026-05-20"),  # new in February, churns in May
        ],
    )["subscription_periods"]
    months = [date(2026, m, 1) for m in range(1, 7)]  # January to June
    assert win_back(periods, months, **OPTS) == {"churned": 3, "won_back": 1, "rate": 33.3}
    assert win_back(periods.filter(pl.col("account_id") == "C"), months, **OPTS)["rate"] is None


def test_time_to_first_expansion_from_monthly_snapshots() -> None:
    from retention_tui.engine.metrics import time_to_first_expansion

    periods = make_tables(
        accounts=[account(a) for a in "ABCD"],
        subscription_periods=[
            sub("A", 100, "2025-06-01", "2026-03-15"),
            sub("A", 150, "2026-03-15"),  # up in March: seen on 1 April, 304 days in
            sub("B", 50, "2026-01-10", "2026-02-20"),
            sub("B", 80, "2026-02-20"),  # up in February: 1 March, 50 days in
            sub("C", 100, "2025-06-01", "2026-02-10"),
            sub("C", 200, "2026-04-05"),  # back at more after a gap: a reactivation
            sub("D", 100, "2025-01-01", "2025-08-10"),
            sub("D", 130, "2025-08-10"),  # first rose before the window: not counted
        ],
    )["subscription_periods"]
    got = time_to_first_expansion(periods, date(2025, 12, 1), date(2026, 6, 1), **OPTS)
    assert got == {"customers": 2, "median_days": 177.0}  # (304 + 50) / 2


def _charge(aid: str, when: str, outcome: str) -> dict:
    from datetime import datetime

    return {"account_id": aid, "attempted_at": datetime.fromisoformat(when), "outcome": outcome}


def test_involuntary_churn_by_the_tools_reason_or_a_last_charge_that_failed() -> None:
    from retention_tui.engine.metrics import involuntary_churn

    tables = make_tables(
        accounts=[account(a) for a in "ABCDEF"],
        subscription_periods=[
            # ends on March 1st: churned in February, by Chargebee's reason as its screens
            # write it (not_paid)
            {**sub("A", 100, "2025-12-01", "2026-03-01"), "cancel_reason": "not paid"},
            sub("B", 200, "2025-12-01", "2026-02-20"),  # its last charge failed
            {
                **sub("C", 300, "2025-12-01", "2026-02-20"),
                "cancel_reason": "cancellation_requested",
            },
            sub("D", 400, "2025-12-01", "2026-02-20"),  # failed long ago, paid since
            sub("E", 500, "2025-12-01", "2026-02-20"),  # failed, but months before
            sub("F", 600, "2025-12-01"),  # stays, though its charge failed
        ],
        payment_attempts=[
            _charge("B", "2026-02-01T00:00:00", "succeeded"),
            _charge("B", "2026-02-18T00:00:00", "failed"),
            _charge("C", "2026-02-01T00:00:00", "succeeded"),
            _charge("D", "2026-01-01T00:00:00", "failed"),
            _charge("D", "2026-01-03T00:00:00", "succeeded"),
            _charge("E", "2025-12-01T00:00:00", "failed"),
            _charge("F", "2026-02-25T00:00:00", "failed"),
        ],
    )
    forced = involuntary_churn(
        tables["subscription_periods"],
        tables["payment_attempts"],
        [date(2026, 1, 1), date(2026, 2, 1)],
        60,
        **OPTS,
    )
    # churned in February: A, B, C, D, E (100 + 200 + 300 + 400 + 500); A and B involuntary
    assert forced == {
        "churned": 5,
        "involuntary": 2,
        "churned_mrr": 150_000,
        "involuntary_mrr": 30_000,
        "share": 20.0,
    }
    nobody = involuntary_churn(
        tables["subscription_periods"], tables["payment_attempts"], [date(2026, 1, 1)], 60, **OPTS
    )
    assert (nobody["churned"], nobody["share"]) == (0, None)
    unknown = involuntary_churn(
        tables["subscription_periods"].with_columns(pl.lit(None, pl.String).alias("cancel_reason")),
        tables["payment_attempts"].clear(),
        [date(2026, 2, 1)],
        60,
        **OPTS,
    )
    assert (unknown["churned"], unknown["share"]) == (5, None)  # no payments: cannot tell
