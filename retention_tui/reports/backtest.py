"""Rendering a backtest: the headline figures, the lift table, each signal's rates."""

from __future__ import annotations

import json

from retention_tui.engine.backtest import BacktestSummary
from retention_tui.formatting import money
from retention_tui.output import render


def _pct(v: object) -> str:
    return "n/a" if v is None else f"{float(v):.1%}"  # type: ignore[arg-type]


def _num(v: object, digits: int = 3) -> str:
    return "n/a" if v is None else f"{float(v):.{digits}f}"  # type: ignore[arg-type]


def _amount(minor: object, currency: str) -> str:
    """An MRR total: in its currency; a backtest saved before they said which, as a
    number of major units."""
    value = int(minor)  # type: ignore[call-overload]
    return money(value, currency) if currency else f"{value / 100:,.0f}"


def lift_rows(
    lift: list[dict[str, object]], as_text: bool, currency: str = ""
) -> list[dict[str, object]]:
    if not as_text:
        return lift
    return [
        {
            **r,
            "event_rate": _pct(r["event_rate"]),
            "lift": _num(r["lift"], 2),
            "mrr_at_start": _amount(r["mrr_at_start"], currency),
            "mrr_lost": _amount(r["mrr_lost"], currency),
        }
        for r in lift
    ]


def render_backtest(s: BacktestSummary, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(s.as_dict(), indent=2)
    if fmt == "csv":  # one table per file: the lift table (json has everything)
        return render(s.lift, "csv")
    text = fmt == "table"
    signals = [
        {
            **r,
            "hit_rate": _pct(r["hit_rate"]),
            "false_alarm_rate": _pct(r["false_alarm_rate"]),
            "events_caught": _pct(r["events_caught"]),
        }
        if text
        else r
        for r in s.signals
    ]
    head = [
        f"Backtest: {len(s.dates)} monthly dates from {s.dates[0]} to {s.dates[-1]}, "
        f"horizon {s.horizon_days} days (churn, or MRR down {s.contraction_share:.0%}+)",
        f"{s.observations} account-months, {s.events} followed by churn or contraction",
        f"ROC AUC {_num(s.auc)}; at_risk+critical: precision {_pct(s.precision)}, "
        f"recall {_pct(s.recall)}",
        f"Median lead time from first at_risk flag to churn: "
        f"{'n/a' if s.median_lead_days is None else f'{s.median_lead_days:.0f} days'} "
        f"({_pct(s.churns_flagged_before)} of churns were flagged first)",
    ]
    if fmt == "markdown":
        head = [f"- {line}" for line in head]
    out = [
        "\n".join(head),
        "",
        "Lift by tier",
        render(lift_rows(s.lift, True, s.currency), fmt),
        "",
        "Risk signals",
        render(signals, fmt),
    ]
    return "\n".join(out)
