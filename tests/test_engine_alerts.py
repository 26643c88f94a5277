"""Score-change alerts against the previous snapshot (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from retention_tui.engine.alerts import score_alerts
from retention_tui.engine.risks import RISK_SCHEMA
from tests.engine_data import AS_OF, cfg

CFG = cfg()
NO_RISKS = pl.DataFrame(schema=RISK_SCHEMA)


def scores(*rows: tuple[str, float, str]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"account_id": pl.String, "total": pl.Float64, "tier": pl.String}, orient="row"
    )


def alerts(now: pl.DataFrame, before: pl.DataFrame, risks: pl.DataFrame = NO_RISKS) -> dict:
    out = score_alerts(now, before, risks, AS_OF, CFG)
    return {(r["account_id"], r["code"]): r for r in out.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("was", "now", "codes"),
    [
        ((80, "healthy"), (64, "monitor"), {"score_drop"}),  # 16 points down
        (
            (80, "healthy"),
            (66, "monitor"),
            set(),
        ),  # 14 down: under the 15-point drop; monitor is no alert
        ((60, "monitor"), (45, "at_risk"), {"score_drop", "entered_at_risk"}),
        ((55, "monitor"), (48, "at_risk"), {"entered_at_risk"}),
        ((30, "at_risk"), (20, "critical"), {"entered_critical"}),
        ((60, "monitor"), (20, "critical"), {"score_drop", "entered_critical"}),
        ((20, "critical"), (30, "at_risk"), set()),  # recovering into at_risk: no alert
        ((70, "monitor"), (76, "healthy"), {"rose_to_healthy"}),
        ((80, "healthy"), (90, "healthy"), set()),
        ((22, "critical"), (18, "critical"), set()),
    ],
)
def test_each_score_change_alert(was: tuple, now: tuple, codes: set[str]) -> None:
    got = alerts(scores(("a", *now)), scores(("a", *was)))
    assert {code for _, code in got} == codes


def test_alert_due_times_and_actions_come_from_the_config() -> None:
    got = alerts(scores(("a", 20.0, "critical")), scores(("a", 60.0, "monitor")))
    start = datetime(AS_OF.year, AS_OF.month, AS_OF.day)
    assert got[("a", "score_drop")]["due_at"] == start  # contact now
    assert got[("a", "entered_critical")]["due_at"] == datetime(2026, 7, 1)  # within 24 h
    assert got[("a", "entered_critical")]["action"] == CFG["alerts"]["critical_action"]
    assert got[("a", "score_drop")]["detail"] == "score 60.0 → 20.0 (monitor → critical)"


def test_first_run_has_no_score_change_alerts_but_champion_left_still_alerts() -> None:
    risks = pl.DataFrame(
        [("a", "champion_left", "critical", AS_OF, "x", ["champion Ana left on 2026-06-20"])],
        schema=RISK_SCHEMA,
        orient="row",
    )
    got = alerts(scores(("a", 20.0, "critical")), scores(), risks)
    assert list(got) == [("a", "champion_left")]
    assert got[("a", "champion_left")]["due_at"] == datetime(2026, 7, 2)  # 48 h
    assert got[("a", "champion_left")]["detail"] == "champion Ana left on 2026-06-20"


def test_an_alerts_detail_says_the_tiers_in_words() -> None:
    got = alerts(scores(("a", 45.0, "at_risk")), scores(("a", 60.0, "monitor")))
    assert got[("a", "entered_at_risk")]["detail"] == "score 60.0 → 45.0 (monitor → at risk)"
    assert got[("a", "entered_at_risk")]["action"].startswith("Entered at risk: ")
