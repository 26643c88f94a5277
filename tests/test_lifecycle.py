"""An account's standing (retention_tui/engine/lifecycle.py): its tier by revenue and its
lifecycle stage, as seed B sets them, and where they show."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from retention_tui.config import defaults
from retention_tui.engine.lifecycle import lifecycle_stage, revenue_tier
from retention_tui.engine.money import book_fx
from retention_tui.reports.account_documents import save_plan, standing
from retention_tui.workspace import Workspace
from tests.conftest import SAMPLE_AS_OF

CFG = defaults()
USD = book_fx({"base": "", "rates": {}}, ["USD"])
JPY = book_fx({"base": "", "rates": {}}, ["JPY"])


@pytest.mark.parametrize(
    ("mrr_minor", "tier"),
    [
        (500_001, "enterprise"),  # above $5,000.00 a month
        (500_000, "mid_market"),  # exactly $5,000: not above it
        (50_000, "mid_market"),  # from $500
        (49_999, "smb"),
        (0, "smb"),
        (None, None),  # no MRR (not paying, or no rate to the base): no tier
    ],
)
def test_tier_by_revenue(mrr_minor: int | None, tier: str | None) -> None:
    assert revenue_tier(mrr_minor, USD, CFG) == tier


def test_tier_thresholds_are_in_the_base_currency_units() -> None:
    # Yen have no minor unit: 5,000 a month is 5,000 minor units, not 500,000.
    assert revenue_tier(5_001, JPY, CFG) == "enterprise"
    assert revenue_tier(499, JPY, CFG) == "smb"
    cfg = {**CFG, "revenue_tiers": {"enterprise": 10_000, "mid_market": 1_000}}
    assert revenue_tier(600_000, USD, cfg) == "mid_market"


AS_OF = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        *((0, "activation"), (29, "activation"), (30, "habit"), (89, "habit")),
        *((90, "deepen"), (179, "deepen"), (180, "loyalty"), (900, "loyalty")),
    ],
)
def test_lifecycle_stage_by_days_since_created(days: int, stage: str) -> None:
    got = lifecycle_stage(AS_OF - timedelta(days=days), AS_OF)
    assert got is not None and got[:2] == (days, stage)


def test_no_stage_before_the_account_exists() -> None:
    assert lifecycle_stage(AS_OF + timedelta(days=1), AS_OF) is None
    assert lifecycle_stage(None, AS_OF) is None


def test_the_account_screen_and_the_save_plan_say_the_standing(sample_db: Path) -> None:
    as_of = date.fromisoformat(SAMPLE_AS_OF)
    s = Workspace(sample_db, as_of).get(1)
    top = s.run.features.sort("mrr", descending=True, nulls_last=True).row(0, named=True)
    by_revenue, stage = standing(s.tables, top["account_id"], as_of, s.cfg, s.run)
    assert by_revenue is not None and by_revenue.startswith(
        "Enterprise by revenue (over $5,000/mo)"
    )
    assert "save budget: up to 25% discount for 6 months" in by_revenue
    days = (as_of - top["created_at"]).days
    assert stage is not None and stage.startswith(f"Day {days}, ")
    plan = save_plan(s.tables, top["account_id"], as_of, s.cfg, s.run).markdown()
    intervene = plan.split("## 4. Intervene")[1].split("## 5.")[0]
    assert "up to 25% discount for 6 months" in intervene


def test_the_loyalty_stage_asks_only_advocates_for_reviews_and_referrals(
    sample_db: Path,
) -> None:
    """Seed B's loyalty-stage focus (reviews, case studies, referrals) goes to customers in
    an advocacy tier, with what that tier asks; a detractor or an account never asked for
    its NPS is told what comes first."""
    from retention_tui.engine.advocacy import advocates

    as_of = date.fromisoformat(SAMPLE_AS_OF)
    s = Workspace(sample_db, as_of).get(1)
    f = s.run.features.filter(pl.col("created_at") <= as_of - timedelta(days=180))
    tiers = dict(advocates(s.tables, f, as_of, s.cfg).select("account_id", "tier").iter_rows())
    since = as_of - timedelta(days=s.cfg["windows"]["nps"])
    recent = pl.col("nps_at").dt.date() >= since
    cases = {
        "advocate": next(iter(tiers)),
        "detractor": f.filter(recent & (pl.col("nps_latest") <= 6))["account_id"][0],
        "no NPS": f.filter(pl.col("nps_at").is_null() | ~recent)["account_id"][0],
        "churned": s.tables["accounts"].filter(
            ~pl.col("account_id").is_in(s.run.features["account_id"].implode())
            & (pl.col("created_at") <= as_of - timedelta(days=180))
        )["account_id"][0],
    }
    said = {k: standing(s.tables, aid, as_of, s.cfg, s.run)[1] for k, aid in cases.items()}
    tier = tiers[cases["advocate"]]
    asks = {"champion": "co-selling", "advocate": "references", "supporter": "reviews"}[tier]
    assert f"loyalty stage — a{'n' if tier == 'advocate' else ''} {tier} (NPS " in said["advocate"]
    assert f"ask for {asks}" in said["advocate"]
    assert "loyalty stage — not an advocate yet (latest NPS " in said["detractor"]
    assert "review" not in said["detractor"] and "ask for" not in said["detractor"]
    assert said["churned"].endswith("loyalty stage — not a customer on this date: nothing to ask")
    assert said["no NPS"].endswith(
        "no NPS in 365 days: ask how likely they are to recommend you first"
    )
