"""What retention figures are measured against: the seeds' benchmarks and targets
(DOMAIN.md §10), and where a figure stands against them. Pure: numbers in, words out.

- Seed A: the NRR decision framework (a stage and its advice), the key metric targets
  (NRR, GRR and logo retention over a year: acceptable, good, best-in-class), NRR
  benchmarks by company size (ARR) and by pricing model.
- Seed B: monthly churn benchmarks by industry, NRR targets by customer segment.
"""

from __future__ import annotations

NRR_BANDS = (  # seed A's decision framework: (lower bound, stage, advice)
    (
        120.0,
        "compound",
        "You have a moat: protect and extend it (platform, lock-in, annual contracts)",
    ),
    (110.0, "optimise", "Maximise expansion per account: cross-sell, usage pricing, advocacy"),
    (100.0, "grow", "Build systematic expansion: PQA scoring, CSM playbooks, upsell triggers"),
    (
        90.0,
        "stabilise",
        "Reduce contraction, introduce basic expansion: health scores, usage alerts",
    ),
    (0.0, "fix gross retention", "Stop: fix churn first (root causes, onboarding, support)"),
)
MONTHLY_CHURN_BENCHMARKS = {  # seed B: monthly churn % for good / great / best
    "b2b_saas_smb": (5.0, 3.0, 2.0),
    "b2b_saas_enterprise": (2.0, 1.0, 0.5),
    "b2c": (7.0, 5.0, 3.0),
    "agency": (8.0, 5.0, 3.0),
    "ecommerce": (10.0, 7.0, 5.0),
    "fitness": (12.0, 8.0, 5.0),
}


def churn_benchmark(industry: str, monthly_churn: float | None) -> str | None:
    """Where a monthly churn rate (percent) stands against seed B's benchmarks."""
    bands = MONTHLY_CHURN_BENCHMARKS.get(industry)
    if bands is None or monthly_churn is None:
        return None
    good, great, best = bands
    level = (
        "best"
        if monthly_churn < best
        else "great"
        if monthly_churn < great
        else "good"
        if monthly_churn < good
        else "above the good benchmark"
    )
    return (
        f"{industry.replace('_', ' ')}: good < {good:g}%, great < {great:g}%, "
        f"best < {best:g}% a month; yours {monthly_churn:.1f}%: {level}"
    )


SEGMENT_NRR_TARGETS = {  # seed B: target NRR ranges by segment, percent
    "smb": (90.0, 100.0),
    "mid_market": (100.0, 110.0),
    "enterprise": (110.0, 130.0),
}


def nrr_band(nrr: float | None) -> tuple[str, str] | None:
    """Seed A's stage and advice for an NRR (percent)."""
    if nrr is None:
        return None
    for bound, stage, advice in NRR_BANDS:
        if nrr >= bound:
            return stage, advice
    return None


# Seed A's key metric targets over a year: (acceptable from, good from, best-in-class from);
# for time to value (days), lower is better: (acceptable under, good under, best under).
KEY_TARGETS = {
    "nrr": (100.0, 105.0, 115.0),
    "grr": (85.0, 90.0, 95.0),
    "logo_retention": (80.0, 85.0, 92.0),
    "expansion_share": (20.0, 30.0, 50.0),  # expansion MRR, % of all MRR added
    "win_back": (5.0, 10.0, 15.0),  # churned customers paying again, %
    "time_to_value": (7.0, 3.0, 1.0),
    "time_to_first_expansion": (180.0, 120.0, 90.0),  # days
}
LOWER_IS_BETTER = frozenset({"time_to_value", "time_to_first_expansion"})
# Seed B: 30-40% of churn is involuntary (failed payments), percent of churn.
INVOLUNTARY_CHURN_SHARE = (30.0, 40.0)
# Seed A's 2025-2026 NRR benchmarks by company size: (ARR from, in USD; median, top
# quartile, best-in-class NRR).
NRR_BY_COMPANY_SIZE = (
    ("enterprise ($100M+ ARR)", 100_000_000, (115.0, 120.0, 130.0)),
    ("mid-market ($10-100M ARR)", 10_000_000, (108.0, 115.0, 125.0)),
    ("SMB ($1-10M ARR)", 1_000_000, (98.0, 105.0, 115.0)),
)
# Seed A's NRR benchmarks by pricing model: median NRR, volatility, expansion potential.
NRR_BY_PRICING = {
    "seat": ("seat-based", 105.0, "low", "moderate, tied to headcount"),
    "usage": ("usage / consumption", 110.0, "high", "high, tied to value delivered"),
    "hybrid": ("hybrid (seat + usage)", 112.0, "medium", "high, two ways to expand"),
    "flat": ("flat-rate", 95.0, "very low", "low, needs plan tier jumps"),
    "platform": ("platform / marketplace", 115.0, "medium", "very high, network effects"),
}


def grade(metric: str, value: float | None) -> str | None:
    """best-in-class, good, acceptable or below acceptable, against KEY_TARGETS."""
    if value is None:
        return None
    acceptable, good, best = KEY_TARGETS[metric]
    lower = metric in LOWER_IS_BETTER
    for bound, name in ((best, "best-in-class"), (good, "good"), (acceptable, "acceptable")):
        if (value < bound) if lower else (value >= bound):
            return name
    return "below acceptable"


def _against(nrr: float, median: float, top: float | None, best: float | None) -> str:
    if best is not None and nrr >= best:
        return "best-in-class"
    if top is not None and nrr >= top:
        return "top quartile"
    return "above the median" if nrr >= median else "below the median"


def company_size_benchmark(arr_usd: float | None, nrr: float | None) -> str | None:
    """Where a year's NRR stands among companies of the same ARR (seed A), or None below
    $1M ARR (no benchmark) or without the figures."""
    if arr_usd is None or nrr is None:
        return None
    for name, floor, (median, top, best) in NRR_BY_COMPANY_SIZE:
        if arr_usd >= floor:
            return (
                f"{name}: median {median:g}%, top quartile {top:g}%, best-in-class "
                f"{best:g}%; yours {nrr:g}%: {_against(nrr, median, top, best)}"
            )
    return None


def pricing_benchmark(model: str, nrr: float | None) -> str | None:
    """Where a year's NRR stands against the median of its pricing model (seed A)."""
    if model not in NRR_BY_PRICING or nrr is None:
        return None
    name, median, volatility, expansion = NRR_BY_PRICING[model]
    return (
        f"{name} pricing: median NRR {median:g}% (volatility {volatility}, expansion "
        f"potential {expansion}); yours {nrr:g}%: {_against(nrr, median, None, None)}"
    )
