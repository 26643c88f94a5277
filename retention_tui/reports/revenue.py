"""`retention report nrr` and `retention report cohorts`: MRR movements, retention rates
with seed A's NRR band advice and seed B's segment targets, and cohort tables."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_tui.engine.benchmarks import (
    INVOLUNTARY_CHURN_SHARE,
    KEY_TARGETS,
    LOWER_IS_BETTER,
    SEGMENT_NRR_TARGETS,
    churn_benchmark,
    company_size_benchmark,
    grade,
    nrr_band,
    pricing_benchmark,
)
from retention_tui.engine.expansion import time_to_value
from retention_tui.engine.features import Tables
from retention_tui.engine.metrics import (
    Snapshots,
    cohorts,
    involuntary_churn,
    metric_options,
    month_starts,
    monthly_rates,
    movements,
    next_month,
    retention,
    time_to_first_expansion,
    total_mrr,
    win_back,
)
from retention_tui.engine.money import Fx, left_out_note, periods_fx

MOVEMENT_COLUMNS = [
    "month",
    "mrr_start",
    "new",
    "expansion",
    "contraction",
    "churn",
    "reactivation",
    "mrr_end",
    "nrr",
    "grr",
    "logo_retention",
]


def last_full_months(as_of: date, count: int) -> list[date]:
    """The ``count`` whole months ending before ``as_of``'s month, oldest first."""
    end = date(as_of.year, as_of.month, 1)
    months = []
    day = end
    for _ in range(count):
        day = date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
        months.append(day)
    return sorted(months)


def nrr_report(
    tables: Tables, as_of: date, months: int, by: str | None, cfg: dict, year: bool = True
) -> dict:
    """Movements per month for the ``months`` whole months before ``as_of``, the rates of
    the last month and of the whole span, a breakdown ``by`` segment or plan, and (with
    ``year``) the last 12 months against seed A's targets and benchmarks."""
    opts, on = metric_options(cfg), {}  # on: the account MRR snapshots, shared
    span = last_full_months(as_of, months)
    periods, accounts = tables["subscription_periods"], tables["accounts"]
    moves = monthly_rates(movements(periods, span, on, **opts))
    last = span[-1]
    start, end = span[0], next_month(last)
    month_rates = retention(periods, accounts, last, end, on=on, **opts).row(0, named=True)
    span_rates = retention(periods, accounts, start, end, on=on, **opts).row(0, named=True)
    band = nrr_band(month_rates["nrr"])
    breakdown = []
    if by:
        rows = retention(periods, accounts, start, end, by=by, on=on, **opts)
        for r in rows.iter_rows(named=True):
            target = SEGMENT_NRR_TARGETS.get(r[by] or "") if by == "segment" else None
            breakdown.append(
                {
                    by: r[by] or "(none)",
                    "customers": r["customers_start"],
                    "mrr_start": r["mrr_start"],
                    "mrr_end": r["mrr_end"],
                    "nrr": r["nrr"],
                    "grr": r["grr"],
                    "logo_retention": r["logo_retention"],
                    "target_nrr": None if target is None else f"{target[0]:.0f}-{target[1]:.0f}",
                }
            )
    churn = None if month_rates["logo_retention"] is None else 100 - month_rates["logo_retention"]
    fx = periods_fx(periods, cfg["currency"])
    return {
        "benchmark": churn_benchmark(cfg["metrics"]["industry"], churn),
        "as_of": as_of.isoformat(),
        "currency": fx.base,  # of every amount below
        "note": left_out_note(periods, cfg["currency"]),
        "months": [m.isoformat() for m in span],
        "last_month": {
            "month": last.isoformat(),
            **_rates(month_rates),
            "stage": band[0] if band else None,
            "advice": band[1] if band else None,
        },
        "span": {"from": start.isoformat(), "to": end.isoformat(), **_rates(span_rates)},
        "year": _year(tables, as_of, cfg, fx, on) if year else None,
        "movements": [
            {**r, "month": r["month"].isoformat()[:7]}
            for r in moves.select(MOVEMENT_COLUMNS).iter_rows(named=True)
        ],
        "by": by,
        "breakdown": breakdown,
    }


def _year(tables: Tables, as_of: date, cfg: dict, fx: Fx, on: Snapshots) -> dict:
    """The 12 whole months before ``as_of``'s month against seed A's yearly targets and
    NRR benchmarks (by the company's ARR, and by pricing model when configured). ``on``:
    the report's snapshots (with a 12-month span, the same days)."""
    opts = metric_options(cfg)
    periods = tables["subscription_periods"]
    months = last_full_months(as_of, 12)
    start, end = months[0], next_month(months[-1])
    r = _rates(retention(periods, tables["accounts"], start, end, on=on, **opts).row(0, named=True))
    arr = 12 * total_mrr(periods, [end], **opts)[0]  # type: ignore[arg-type]
    arr_usd = fx.to_usd(arr)
    moves = movements(periods, months, on, **opts)
    added = moves.select(pl.sum("new") + pl.sum("expansion") + pl.sum("reactivation")).item()
    r["expansion_share"] = (
        round(moves["expansion"].sum() / added * 100, 1) if added else None
    )  # expansion MRR, % of all MRR added in the year
    ttv = time_to_value(tables, start, end, cfg)
    r["time_to_value"] = ttv["median_days"]
    back = win_back(periods, months, on, **opts)
    r["win_back"] = back["rate"]
    expanded = time_to_first_expansion(periods, start, end, on, **opts)
    r["time_to_first_expansion"] = expanded["median_days"]
    forced = involuntary_churn(
        periods, tables["payment_attempts"], months, cfg["payments"]["lookback_days"], on, **opts
    )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **r,
        "time_to_value_accounts": {"created": ttv["created"], "reached": ttv["reached"]},
        "win_back_customers": {"churned": back["churned"], "won_back": back["won_back"]},
        "first_expansions": expanded["customers"],
        "involuntary_churn": forced,
        "grades": {m: grade(m, r[m]) for m in KEY_TARGETS},
        "arr_minor": arr,
        "company_size": company_size_benchmark(arr_usd, r["nrr"]),
        "pricing": pricing_benchmark(cfg["metrics"]["pricing_model"], r["nrr"]),
    }


def rates_text(r: dict) -> str:
    """'NRR 101.2%, GRR 98.0%, logo retention 96.5%' (n/a with no customers at the start)."""

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v}%"

    return f"NRR {pct(r['nrr'])}, GRR {pct(r['grr'])}, logo retention {pct(r['logo_retention'])}"


def months_label(span: dict) -> str:
    """'2025-11 to 2026-10': a span's first and last months (its 'to' is the day after)."""
    last = date.fromisoformat(span["to"]) - timedelta(days=1)
    return f"{span['from'][:7]} to {last.isoformat()[:7]}"


def year_lines(year: dict) -> list[str]:
    """The year's rates against seed A's targets and benchmarks, as lines to print."""
    if year["nrr"] is None:
        return [f"{months_label(year)}: no customers paying at the start"]

    def graded(metric: str) -> str:
        """'(good; acceptable 100, good 105, best-in-class 115+)', or 'under ...' bounds
        for a figure where lower is better."""
        acceptable, good, best = KEY_TARGETS[metric]
        if metric in LOWER_IS_BETTER:
            bounds = f"acceptable under {acceptable:g}, good under {good:g}, "
            bounds += f"best-in-class under {best:g}"
        else:
            bounds = f"acceptable {acceptable:g}, good {good:g}, best-in-class {best:g}+"
        return f"({year['grades'][metric]}; {bounds})"

    def rated(metric: str, label: str) -> str:
        return f"{label} {year[metric]}% {graded(metric)}"

    lines = [
        f"Last 12 months ({months_label(year)}) against seed A's targets: "
        + ", ".join(
            (rated("nrr", "NRR"), rated("grr", "GRR"), rated("logo_retention", "logo retention"))
        )
    ]
    if year["expansion_share"] is not None:
        lines.append(rated("expansion_share", "Expansion share of new MRR"))
    if year["time_to_value"] is not None:
        reached = year["time_to_value_accounts"]
        lines.append(
            f"Time to value (first core feature): median {year['time_to_value']:g} days for "
            f"the {reached['reached']:,} of {reached['created']:,} new accounts that got there "
            + graded("time_to_value")
        )
    if year["time_to_first_expansion"] is not None:
        lines.append(
            f"Time to first expansion: median {year['time_to_first_expansion']:g} days from "
            f"the first payment, for the {year['first_expansions']:,} customers who first "
            "expanded in the year " + graded("time_to_first_expansion")
        )
    if year["win_back"] is not None:
        back = year["win_back_customers"]
        lines.append(
            f"Win-back: {back['won_back']:,} of the {back['churned']:,} customers who churned in "
            f"the year pay again, {year['win_back']}% " + graded("win_back")
        )
    forced = year["involuntary_churn"]
    if forced["share"] is not None:
        low, high = INVOLUNTARY_CHURN_SHARE
        lines.append(
            f"Involuntary churn: {forced['share']}% of the MRR churned in the year "
            f"({forced['involuntary']:,} of {forced['churned']:,} customers) ended with a "
            f"failed payment; seed B: typically {low:g}-{high:g}% of churn, won back by "
            "dunning and card updates (report payments)"
        )
    if year["company_size"]:
        lines.append(f"NRR by company size, {year['company_size']}")
    if year["pricing"]:
        lines.append(f"NRR by pricing model, {year['pricing']}")
    return lines


def _rates(r: dict) -> dict:
    return {
        k: r[k]
        for k in (
            "customers_start",
            "customers_kept",
            "mrr_start",
            "mrr_end",
            "nrr",
            "grr",
            "logo_retention",
        )
    }


def cohort_report(tables: Tables, as_of: date, months: int, cfg: dict) -> pl.DataFrame:
    """Cohort rows: cohort month, size, and logo/revenue retention by months since start."""
    span = month_starts(last_full_months(as_of, months)[0], date(as_of.year, as_of.month, 1))
    return cohorts(tables["subscription_periods"], span, **metric_options(cfg))


def cohort_matrix(frame: pl.DataFrame, value: str) -> list[dict[str, object]]:
    """Rows per cohort, a column per month since start (m0, m1, ...)."""
    if frame.height == 0:
        return []
    wide = frame.with_columns(pl.format("m{}", pl.col("months_since")).alias("m")).pivot(
        on="m", index=["cohort", "customers"], values=value
    )
    order = sorted((c for c in wide.columns if c.startswith("m")), key=lambda c: int(c[1:]))
    return [
        {
            "cohort": r["cohort"].isoformat()[:7],
            "customers": r["customers"],
            **{c: r[c] for c in order},
        }
        for r in wide.sort("cohort").iter_rows(named=True)
    ]
