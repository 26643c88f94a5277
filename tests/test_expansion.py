"""Usage alerts, the PQA score, expansion triggers, the expansion queue and onboarding
milestones on hand-built data."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.expansion import (
    expansion_queue,
    expansion_triggers,
    onboarding,
    pqa_scores,
    usage_against_limits,
)
from retention_tui.engine.features import compute_features
from retention_tui.engine.run import score_run
from retention_tui.reports.risk import risk_frame
from tests.engine_data import AS_OF, account, days_ago, events, make_tables, subscription

CFG = defaults()
LIMITS = [
    {"plan": "growth", "metric": "api_call", "limit_value": 1000.0, "per": "month"},
    {"plan": "growth", "metric": "seats", "limit_value": 4.0, "per": "total"},
]


def api_calls(aid: str, total: float, day: float = 3) -> list[dict]:
    return [
        {
            "account_id": aid,
            "user_id": "u1",
            "event": "api_call",
            "occurred_at": days_ago(day),
            "value": total,
        }
    ]


def test_usage_alerts_at_50_75_90_100() -> None:
    rows = []
    for aid, used in [("a", 400), ("b", 500), ("c", 760), ("d", 900), ("e", 1200)]:
        rows += api_calls(aid, used)
    rows += events("a", "login", [days_ago(2)], user="u9")
    rows += api_calls("a", 5000, day=40)  # last month: does not count this month
    tables = make_tables(
        accounts=[account(x, plan="growth") for x in "abcde"], usage_events=rows, plan_limits=LIMITS
    )
    usage = usage_against_limits(tables, AS_OF, CFG).filter(pl.col("metric") == "api_call")
    assert dict(usage.select("account_id", "alert").iter_rows()) == {
        "a": None,
        "b": 0.5,
        "c": 0.75,
        "d": 0.9,
        "e": 1.0,
    }
    seats = usage_against_limits(tables, AS_OF, CFG).filter(pl.col("metric") == "seats")
    assert dict(seats.select("account_id", "usage").iter_rows())["a"] == 2.0  # u1 and u9


def test_pqa_points() -> None:
    active = [days_ago(d) for d in range(0, 20)]  # 20 active days, 10 inactive
    rows = (
        events("a", "login", active)
        + events("a", "report_created", [days_ago(1)])
        + events("a", "invite_sent", [days_ago(2)] * 5)  # 5 invites, 3 count
        + events("a", "feature_gate_hit", [days_ago(3)])
        + events("b", "login", [days_ago(1)])
        + events("b", "settings_changed", [days_ago(40)])
    )
    tables = make_tables(accounts=[account("a"), account("b")], usage_events=rows)
    got = {r["account_id"]: r for r in pqa_scores(tables, AS_OF, CFG).iter_rows(named=True)}
    a = got["a"]
    # core 20 + activity 20*2 - 10 = 30 + invites 3*15 = 45 + gate 10 = 105 -> 100
    assert (a["pts_core"], a["pts_activity"], a["pts_invites"], a["pts_gate"]) == (20, 30, 45, 10)
    assert (a["pqa"], a["pqa_band"]) == (100, "sales-ready")
    b = got["b"]
    # one active day: 2 - 29 = -27; the admin change is older than 30 days -> 0
    assert (b["pts_activity"], b["pts_admin"], b["pqa"], b["pqa_band"]) == (-27, 0, 0, "nurture")


def test_triggers_and_the_healthy_only_queue() -> None:
    rows = (
        api_calls("a", 850)
        + events("a", "invite_sent", [days_ago(1)] * 3)
        + events("b", "invite_sent", [days_ago(1)] * 3)
    )
    nps = [{"account_id": "a", "score": 10, "responded_at": days_ago(5)}]
    tables = make_tables(
        accounts=[
            account("a", plan="growth", renewal_date=AS_OF + timedelta(days=60)),
            account("b", plan="growth"),
        ],
        usage_events=rows,
        plan_limits=LIMITS,
        nps_responses=nps,
        subscription_periods=[subscription("a", 100), subscription("b", 100)],
    )
    features = compute_features(tables, AS_OF, CFG)
    trig = expansion_triggers(tables, AS_OF, CFG, features)
    assert set(trig.filter(pl.col("account_id") == "a")["trigger"]) >= {
        "usage_limit",
        "invites",
        "promoter",
        "renewal",
    }
    scores = pl.DataFrame(
        {"account_id": ["a", "b"], "total": [80.0, 60.0], "tier": ["healthy", "monitor"]}
    )
    queue = expansion_queue(tables, AS_OF, CFG, features, scores)
    assert queue["account_id"].to_list() == ["a"]  # b has triggers but is not healthy
    row = queue.row(0, named=True)
    assert (
        row["triggers"].startswith("usage_limit")
        and "api_call at 85% of the growth limit" in row["why"]
    )
    assert row["action"] == "Upgrade prompt: they are close to a plan limit"


def test_onboarding_milestones() -> None:
    created = AS_OF - timedelta(days=10)
    start = datetime_of(created)
    rows = (
        events("n", "report_created", [start])  # first value and ROI on day 0
        + events("n", "integration_connected", [start + timedelta(days=3)])  # late: day 3
        + events("n", "login", [start + timedelta(days=1)], user="u2")  # 2nd user day 1
        + events("n", "login", [start + timedelta(days=2)])
    )  # 3rd active day: day 2
    tables = make_tables(
        accounts=[
            account("n", created_at=created),
            account("old", created_at=AS_OF - timedelta(days=200)),
        ],
        usage_events=rows,
    )
    [row] = onboarding(tables, AS_OF, CFG).to_dicts()
    assert row["account_id"] == "n" and row["day"] == 10
    assert row["first_value"] == "hit day 0"
    assert row["data_connected"] == "hit late, day 3"
    assert row["team_invited"] == "hit day 1"
    assert row["habit"] == "hit day 2"
    assert row["roi_visible"] == "hit day 0"
    assert row["expansion_ready"] == f"due {(created + timedelta(days=30)).isoformat()}"
    assert (row["hit"], row["missed"]) == (5, 0)


def datetime_of(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 10)


def test_expansion_and_onboarding_reports(runner: CliRunner, sample_db: Path) -> None:
    for queue in ("expansion", "onboarding"):
        result = runner.invoke(
            cli,
            ["report", queue, "--db", str(sample_db), "--as-of", "2026-11-20", "--format", "json"],
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout), queue


def test_the_expansion_and_risk_lists_keep_one_order_at_a_tie() -> None:
    """Accounts alike in every figure are listed by account (they come in reverse), so a
    refresh never reshuffles them."""
    names = ["d", "c", "b", "a"]
    tables = make_tables(
        accounts=[account(a, plan="growth") for a in names],
        usage_events=[e for a in names for e in events(a, "invite_sent", [days_ago(1)] * 3)],
        subscription_periods=[subscription(a, 100) for a in names],
    )
    run = score_run(tables, AS_OF, CFG)
    run = replace(run, scores=run.scores.reverse())  # scored in reverse order
    healthy = run.scores.with_columns(pl.lit("healthy").alias("tier"))
    queue = expansion_queue(tables, AS_OF, CFG, run.features, healthy)
    assert queue["account_id"].to_list() == sorted(names)
    listed = risk_frame(run, tables["accounts"], CFG)
    assert listed["account_id"].to_list() == sorted(names)
