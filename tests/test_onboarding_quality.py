"""Seed B's onboarding quality rubric, as far as the data rates it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.onboarding_quality import onboarding_quality, verdict
from tests.engine_data import AS_OF, account, days_ago, make_tables

CFG = defaults()


def _event(aid: str, days: float, event: str) -> dict:
    return {"account_id": aid, "user_id": "u1", "event": event, "occurred_at": days_ago(days)}


def _ticket(aid: str, days: float) -> dict:
    return {"account_id": aid, "status": "solved", "created_at": days_ago(days)}


def _touch(aid: str, days: float, direction: str = "outbound") -> dict:
    return {
        "account_id": aid,
        "kind": "email",
        "direction": direction,
        "occurred_at": days_ago(days),
    }


def _tables():
    return make_tables(
        accounts=[
            account("old", created_at=days_ago(400).date()),  # before the data starts
            account("done", created_at=days_ago(40).date()),
            account("new", created_at=days_ago(5).date()),
            account("mid", created_at=days_ago(10).date()),
        ],
        usage_events=[
            _event("old", 300, "login"),
            _event("done", 39, "dashboard_viewed"),  # day 1: a core action
            _event("done", 20, "report_created"),  # day 20: the first report
            _event("new", 5, "integration_connected"),  # day 0
            _event("mid", 5, "report_created"),  # day 5: first value and first report
        ],
        tickets=[
            _ticket("done", 38),
            _ticket("done", 15),  # day 25: in the first 30 days
            _ticket("done", 5),  # day 35: after them
            *(_ticket("mid", d) for d in (9, 8, 7, 6)),  # 4 tickets by day 4: final
        ],
        touchpoints=[
            _touch("done", 38, "inbound"),  # theirs, not ours
            _touch("done", 10),  # ours, but on day 30
        ],
    )


def test_each_dimension_is_rated_from_the_data_once_its_window_has_passed() -> None:
    rows = {r["account_id"]: r for r in onboarding_quality(_tables(), AS_OF, CFG).to_dicts()}
    assert sorted(rows) == ["done", "mid", "new"]  # "old" onboarded before the data starts
    done = rows["done"]
    assert (done["first_value_day"], done["first_results_day"]) == (1, 20)
    assert (done["tickets_first_30_days"], done["outreach_first_14_days"]) == (2, 0)
    ratings = [done[k] for k in ("time_to_first_value", "customer_effort", "communication")]
    assert [*ratings, done["early_results"]] == [10, 5, 1, 5]
    # (25 + 10 + 1.5 + 7.5) of the 75 points the data rates
    assert (done["rated_points"], done["score"], done["coverage"]) == (75, 59.0, 0.75)
    new = rows["new"]
    # day 5: first value already earned its 10; the rest is too early to tell
    assert [new[k] for k in ("time_to_first_value", "customer_effort", "communication")] == [
        10,
        None,
        None,
    ]
    assert new["early_results"] is None
    assert (new["rated_points"], new["score"], new["coverage"]) == (25, 100.0, 0.25)
    mid = rows["mid"]
    # day 10: a first value on day 5 can no longer become "before day 3", a report on day 5
    # is "in the first week", 4 tickets are "a lot" whatever comes; outreach is not due yet
    assert [mid[k] for k in ("time_to_first_value", "early_results", "customer_effort")] == [
        5,
        10,
        1,
    ]
    assert mid["communication"] is None
    assert (mid["rated_points"], mid["score"]) == (60, 49.0)  # (12.5 + 15 + 2) / 60


@pytest.mark.parametrize(
    ("score", "reading"),
    [(None, "not rated yet"), (80, "on target (80+)"), (79, "below the 80 target"),
     (59, "a serious problem (under 60)")],
)  # fmt: skip
def test_seed_b_reading_of_the_score(score: float | None, reading: str) -> None:
    assert verdict(score) == reading


def test_onboarding_checklist_and_queue_show_the_rubric(runner: CliRunner, sample_db: Path) -> None:
    args = ["--db", str(sample_db), "--as-of", "2026-11-20", "--format", "json"]
    queue = json.loads(runner.invoke(cli, ["report", "onboarding", *args]).stdout)
    rated = next(r for r in queue if r["quality"] is not None and r["day"] >= 30)
    result = runner.invoke(cli, ["account", rated["account_id"], "onboarding", *args])
    doc = json.loads(result.stdout)
    assert doc["quality"]["score"] == rated["quality"]
    [section] = [s for s in doc["sections"] if s["heading"].startswith("Onboarding quality")]
    assert section["lines"][-1].startswith(f"- Score {rated['quality']}/100 over the 75 points")
    assert any("rate them yourself" in line for line in section["lines"])
