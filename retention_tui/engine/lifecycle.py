"""Where an account stands, for how to treat it (DOMAIN.md §11, seed B's differentiated
retention): its tier by revenue and its lifecycle stage.

- Revenue tier, by MRR in the base currency: enterprise above ``revenue_tiers.enterprise``
  a month (default 5,000), mid-market from ``revenue_tiers.mid_market`` (500), else SMB;
  each with seed B's cadence, team and save budget.
- Lifecycle stage, by days since the account was created: 0-30 activation, 30-90 habit,
  90-180 deepen, 180 and on loyalty; each with its focus.
Pure: values in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retention_tui.engine.money import Fx


@dataclass(frozen=True)
class Treatment:
    name: str
    cadence: str
    team: str
    save_budget: str


REVENUE_TIERS = {  # seed B's retention_by_tier
    "enterprise": Treatment(
        "enterprise",
        "weekly touchpoint, monthly deep dive, quarterly QBR",
        "dedicated CSM + executive sponsor",
        "up to 25% discount for 6 months",
    ),
    "mid_market": Treatment(
        "mid-market",
        "bi-weekly check-in, quarterly QBR",
        "shared CSM",
        "up to 15% discount for 3 months",
    ),
    "smb": Treatment(
        "SMB",
        "monthly automated report, quarterly email check-in",
        "tech touch (automated) + pooled support",
        "pause option only (no discounts at this tier)",
    ),
}

LIFECYCLE = (  # (from day, stage, focus): seed B's stages
    (0, "activation", "reach first value fast, speed up onboarding"),
    (30, "habit", "check activity weekly, introduce features"),
    (90, "deepen", "widen their use with training and a business review"),
    (180, "loyalty", "ask for a review, a case study or referrals"),
)
# The stage whose focus is an advocacy ask: made only of customers in an advocacy tier
# (engine/advocacy.py), so it never goes to a detractor or an account in dunning.
ADVOCACY_STAGE = "loyalty"


def revenue_tier(mrr_minor: int | None, fx: Fx, cfg: dict) -> str | None:
    """enterprise, mid_market or smb for an MRR in minor units of the base; None without
    an MRR (not paying, or in a currency with no rate)."""
    if mrr_minor is None:
        return None
    r = cfg["revenue_tiers"]
    if mrr_minor > fx.minor(r["enterprise"]):
        return "enterprise"
    return "mid_market" if mrr_minor >= fx.minor(r["mid_market"]) else "smb"


def lifecycle_stage(created: date | None, as_of: date) -> tuple[int, str, str] | None:
    """(days since created, stage, focus), None before the account exists."""
    if created is None or created > as_of:
        return None
    days = (as_of - created).days
    _, stage, focus = [s for s in LIFECYCLE if s[0] <= days][-1]
    return days, stage, focus
