"""Backtest and calibrate: metrics on histories where the right answer is known, no
leakage, and the commands end to end."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.backtest import (
    backtest_rows,
    monthly_dates,
    outcomes,
    roc_auc,
    summarize,
)
from retention_tui.engine.calibrate import calibrate, fit_logistic, proposal_toml
from retention_tui.engine.risks import RISK_SCHEMA
from retention_tui.engine.run import ScoreRun
from tests.engine_data import account, make_tables, subscription

CFG = defaults()


def test_roc_auc_known_answers() -> None:
    event = pl.Series([True, True, False, False])
    assert roc_auc(pl.Series([0.9, 0.8, 0.2, 0.1]), event) == 1.0
    assert roc_auc(pl.Series([0.1, 0.2, 0.8, 0.9]), event) == 0.0
    assert roc_auc(pl.Series([0.5, 0.5, 0.5, 0.5]), event) == 0.5  # ties count half
    # one positive ranked above one of two negatives: 0.5
    assert roc_auc(pl.Series([0.5, 0.9, 0.1]), pl.Series([True, False, False])) == 0.5
    assert roc_auc(pl.Series([0.1, 0.2]), pl.Series([False, False])) is None


def test_monthly_dates() -> None:
    assert monthly_dates(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_outcomes_over_the_horizon() -> None:
    periods = [
        subscription("stays", 10_000),
        subscription("churns", 10_000, end="2026-03-15"),
        subscription("churned_later", 10_000, end="2026-06-01"),
        subscription("shrinks", 10_000, end="2026-02-01"),
        subscription("shrinks", 6_000, "2026-02-01"),
        subscription("dips", 10_000, end="2026-02-01"),
        subscription("dips", 8_000, "2026-02-01"),
    ]
    tables = make_tables(subscription_periods=periods)
    out = outcomes(tables, date(2026, 1, 1), 90, 0.3, CFG["currency"])
    got = {
        r["account_id"]: (r["churned"], r["contracted"], r["event"], r["mrr_lost"])
        for r in out.iter_rows(named=True)
    }
    assert got == {
        "stays": (False, False, False, 0),
        "churns": (True, False, True, 10_000),
        "churned_later": (False, False, False, 0),  # after the 90 days
        "shrinks": (False, True, True, 4_000),  # down 40%
        "dips": (False, False, False, 0),  # down 20%: under the 30% threshold
    }
    assert out.filter(pl.col("account_id") == "churns")["churn_date"].item() == date(2026, 3, 15)


def test_outcomes_money_is_in_the_base_currency_and_contraction_in_the_accounts_own() -> None:
    def sub(account_id: str, amount: int, currency: str, **kw: str) -> dict:
        return {**subscription(account_id, amount, **kw), "currency": currency}

    periods = [
        sub("usd", 10_000, "USD", end="2026-03-15"),  # churns: $100.00 lost
        sub("eur", 10_000, "EUR", end="2026-02-01"),  # €100 -> €60: down 40%
        sub("eur", 6_000, "EUR", start="2026-02-01"),  # lost €40 x 1.1 = $44.00
        sub("gbp", 10_000, "GBP", end="2026-03-15"),  # churns; no rate: $0 counted
    ]
    currency = {"base": "USD", "rates": {"EUR": 1.1}}
    tables = make_tables(subscription_periods=periods)
    out = outcomes(tables, date(2026, 1, 1), 90, 0.3, currency)
    got = {
        r["account_id"]: (r["event"], r["mrr_start"], r["mrr_lost"])
        for r in out.iter_rows(named=True)
    }
    assert got == {
        "usd": (True, 10_000, 10_000),
        "eur": (True, 11_000, 4_400),
        "gbp": (True, 0, 0),  # its churn still counts; its money is never added unconverted
    }


def _history(n: int = 60) -> tuple[dict, list[str]]:
    """n accounts; every third one churns in spring 2026. Returns tables and churners."""
    accounts, periods, churners = [], [], []
    for i in range(n):
        aid = f"a{i:02d}"
        accounts.append(account(aid))
        end = None
        if i % 3 == 0:
            end = (date(2026, 3, 1) + timedelta(days=i % 20)).isoformat()
            churners.append(aid)
        periods.append(subscription(aid, 10_000 + i, end=end))
    return make_tables(accounts=accounts, subscription_periods=periods), churners


def _scorer(rule):
    """A scorer whose total comes from ``rule(account_id)``, to test the plumbing."""

    def score(tables, day, cfg, preset):
        ids = tables["accounts"]["account_id"].to_list()
        totals = [rule(a) for a in ids]
        scores = pl.DataFrame(
            {
                "account_id": ids,
                "segment": ["smb"] * len(ids),
                "total": totals,
                "coverage": [1.0] * len(ids),
                "dimensions": [[{"dimension": "usage", "score": t}] for t in totals],
                "tier": ["critical" if t < 25 else "healthy" for t in totals],
                "label": ["x"] * len(ids),
                "preset": ["B"] * len(ids),
            }
        )
        empty = pl.DataFrame()
        return ScoreRun(day, "B", empty, empty, scores, pl.DataFrame(schema=RISK_SCHEMA), empty)

    return score


def test_a_perfectly_predictive_score_gives_auc_one() -> None:
    tables, churners = _history()
    dates = [date(2026, 1, 1), date(2026, 2, 1)]
    rows = backtest_rows(
        tables, dates, CFG, 90, 0.3, scorer=_scorer(lambda a: 10.0 if a in churners else 90.0)
    )
    s = summarize(rows, dates, 90, 0.3)
    assert s.auc == 1.0
    assert (s.precision, s.recall) == (1.0, 1.0)
    lift = {r["tier"]: r for r in s.lift}
    assert lift["critical"]["event_rate"] == 1.0 and lift["healthy"]["event_rate"] == 0.0
    assert lift["critical"]["lift"] == pytest.approx(3.0)  # 1/3 churn overall
    # Churn dates run from 1 March; flagged on 1 January: about two months of warning.
    assert 59 <= s.median_lead_days <= 80
    assert s.churns_flagged_before == 1.0


def test_a_random_score_gives_auc_about_one_half() -> None:
    tables, _ = _history(300)
    dates = [date(2026, 1, 1), date(2026, 2, 1)]
    noise = {f"a{i:02d}": float((i * 7919) % 101) for i in range(300)}
    rows = backtest_rows(tables, dates, CFG, 90, 0.3, scorer=_scorer(lambda a: noise[a]))
    s = summarize(rows, dates, 90, 0.3)
    assert 0.4 < s.auc < 0.6


def test_backtest_scores_do_not_see_the_future() -> None:
    from tests.test_engine_health import _gold_rows

    rows = _gold_rows()
    day = date(2026, 6, 30)
    before = backtest_rows(make_tables(**rows), [day], CFG)
    later = datetime(2026, 7, 5, 12)
    rows["usage_events"] += [
        {"account_id": "g", "user_id": "u", "event": "login", "occurred_at": later, "value": 1.0}
    ] * 40
    rows["touchpoints"] += [
        {
            "account_id": "g",
            "kind": "call",
            "direction": "inbound",
            "occurred_at": later,
            "sentiment": "positive",
            "tags": "competitor",
        }
    ]
    rows["subscription_periods"][-1]["period_end"] = "2026-08-01"  # it churns later
    after = backtest_rows(make_tables(**rows), [day], CFG)
    keep = ["as_of", "account_id", "total", "tier", "dimensions", "signals"]
    assert after.select(keep).equals(before.select(keep))
    assert after["churned"].to_list() == [True] and before["churned"].to_list() == [False]


def test_calibration_weights_the_dimension_that_predicts() -> None:
    n = 400
    churn = [i % 4 == 0 for i in range(n)]
    usage = [20.0 + (i % 7) if c else 70.0 + (i % 13) for i, c in enumerate(churn)]
    noise = [float((i * 31) % 97) for i in range(n)]
    rows = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 1) if i < n // 2 else date(2026, 4, 1) for i in range(n)],
            "account_id": [f"a{i}" for i in range(n)],
            "total": [(u + e) / 2 for u, e in zip(usage, noise, strict=True)],
            "event": churn,
            "dimensions": [
                [{"dimension": "usage", "score": u}, {"dimension": "engagement", "score": e}]
                for u, e in zip(usage, noise, strict=True)
            ],
        }
    )
    cal = calibrate(rows, {"usage": 50.0, "engagement": 50.0}, date(2026, 4, 1))
    assert cal.coefficients["usage"] < 0  # higher usage, less churn
    assert cal.proposed_weights is not None
    assert cal.proposed_weights["usage"] > 90
    assert cal.proposed_auc == 1.0 and cal.current_auc < 1.0
    text = proposal_toml(cal, "B", date(2026, 11, 22))
    assert tomllib.loads(text)["presets"]["B"]["weights"] == cal.proposed_weights


def test_logistic_fit_recovers_a_known_slope() -> None:
    # p = 1 / (1 + exp(-(x - 5))) sampled exactly as fractions of events.
    xs, ys = [], []
    for x in range(11):
        p = 1 / (1 + 2.718281828 ** (-(x - 5)))
        k = round(p * 200)
        xs += [float(x)] * 200
        ys += [True] * k + [False] * (200 - k)
    beta = fit_logistic(pl.DataFrame({"x": xs}), pl.Series(ys), l2=0.0)
    assert beta[1] == pytest.approx(1.0, abs=0.05)
    assert beta[0] == pytest.approx(-5.0, abs=0.25)


def test_backtest_command_saves_its_result(runner: CliRunner, sample_db: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "backtest",
            "--db",
            str(sample_db),
            "--from",
            "2025-09-01",
            "--to",
            "2026-08-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dates"][0] == "2025-09-01" and len(data["dates"]) == 12
    assert 0.5 < data["roc_auc"] <= 1
    assert [r["tier"] for r in data["lift"]][:4] == ["healthy", "monitor", "at_risk", "critical"]
    conn = sqlite3.connect(sample_db)
    [(saved,)] = conn.execute("SELECT summary FROM backtest_runs").fetchall()
    conn.close()
    assert json.loads(saved) == data
    table = runner.invoke(
        cli, ["backtest", "--db", str(sample_db), "--from", "2025-09-01", "--to", "2026-08-01"]
    ).stdout
    assert table.startswith("Backtest: 12 monthly dates from 2025-09-01 to 2026-08-01")
    assert "Lift by tier" in table and "Risk signals" in table
    healthy = next(line for line in table.splitlines() if line.startswith("healthy "))
    assert healthy.split()[-2].startswith("$") and healthy.split()[-1].startswith("$")
    csv_out = runner.invoke(
        cli,
        [
            "backtest",
            "--db",
            str(sample_db),
            "--from",
            "2025-09-01",
            "--to",
            "2026-08-01",
            "--format",
            "csv",
        ],
    ).stdout
    assert csv_out.splitlines()[0] == (
        "tier,observations,events,event_rate,lift,mrr_at_start,mrr_lost"
    )


def test_calibrate_writes_a_proposal_and_changes_nothing(
    runner: CliRunner, sample_db: Path
) -> None:
    result = runner.invoke(
        cli, ["calibrate", "--db", str(sample_db), "--from", "2025-06-01", "--to", "2026-08-01"]
    )
    assert result.exit_code == 0, result.output
    assert "ROC AUC on the later months: current weights 0." in result.stdout
    proposal = sample_db.with_name("retention.proposed.toml")
    assert proposal.exists()
    assert set(tomllib.loads(proposal.read_text())["presets"]["B"]["weights"]) == set(
        CFG["presets"]["B"]["weights"]
    )
    assert not sample_db.with_name("retention.toml").exists()


def test_backtest_argument_errors(runner: CliRunner, sample_db: Path) -> None:
    r = runner.invoke(
        cli, ["backtest", "--db", str(sample_db), "--from", "2026-05-01", "--to", "2026-01-01"]
    )
    assert r.exit_code == 2 and "--from 2026-05-01 is after --to 2026-01-01" in r.output
    r = runner.invoke(
        cli,
        [
            "calibrate",
            "--db",
            str(sample_db),
            "--from",
            "2025-06-01",
            "--to",
            "2026-08-01",
            "--split",
            "2024-01-01",
        ],
    )
    assert r.exit_code == 2 and "--split 2024-01-01 must fall after 2025-06-01" in r.output
