"""Documents about the whole book from seed B's templates: the monthly executive summary
and the weekly dashboard (a ``Document`` each)."""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.features import Tables
from retention_tui.engine.health import tier_distribution
from retention_tui.engine.metrics import (
    expansions,
    metric_options,
    monthly_rates,
    movements,
    next_month,
)
from retention_tui.engine.queues import payments_queue, renewals
from retention_tui.engine.run import ScoreRun
from retention_tui.formatting import money, plural, tier_label
from retention_tui.reports.documents import Document, base_currency, month_label, pct, share, signed
from retention_tui.reports.revenue import cohort_report


def executive_summary(
    t: Tables, month: date, cfg: dict, end_run: ScoreRun, previous_scores: pl.DataFrame
) -> Document:
    """Seed B's monthly executive summary for ``month`` (its first day)."""
    opts, cur = metric_options(cfg), base_currency(t, cfg)
    prior = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    rates = monthly_rates(movements(t["subscription_periods"], [prior, month], **opts))
    last, this = rates.row(0, named=True), rates.row(1, named=True)
    start = this["mrr_start"]
    churn_amount = this["churn"] + this["contraction"]
    net = this["expansion"] - this["contraction"] - this["churn"]
    upgraded = expansions(t["subscription_periods"], month, next_month(month), **opts)
    doc = Document(f"Retention Report — {month_label(month)}")
    if this["nrr"] is None:
        nrr = "- NRR: n/a (no customers paying at the month's start)"
    elif last["nrr"] is None:
        nrr = f"- NRR: {pct(this['nrr'])} (none the month before: no customers paying then)"
    else:
        direction = (
            "up" if this["nrr"] > last["nrr"] else "down" if this["nrr"] < last["nrr"] else "flat"
        )
        nrr = f"- NRR: {pct(this['nrr'])} ({direction} from {pct(last['nrr'])} last month)"
    doc.add(
        "Headline",
        [
            nrr,
            f"- Gross churn: {pct(100 - this['grr'] if this['grr'] is not None else None)} "
            f"({money(churn_amount, cur)} of {money(start, cur)} starting MRR)",
            f"- Expansion: {money(this['expansion'], cur)} "
            f"({plural(upgraded.height, 'account')} upgraded)",
            f"- Net change: {signed(net, cur)} MRR from existing clients",
        ],
    )
    names = dict(t["accounts"].select("account_id", "name").iter_rows())
    wins = []
    saves = _saves(end_run.scores, previous_scores)
    for r in saves.head(2).iter_rows(named=True):
        wins.append(
            f"- Saved: {names.get(r['account_id'], r['account_id'])} moved from "
            f"{tier_label(r['was_tier'])} ({r['was']:.0f}) to {tier_label(r['tier'])} "
            f"({r['total']:.0f})"
        )
    if upgraded.height:
        top = upgraded.row(0, named=True)
        wins.append(
            f"- Expansion: {names.get(top['account_id'], top['account_id'])} "
            f"{money(top['mrr_start'], cur)} → {money(top['mrr_end'], cur)} MRR"
        )
    doc.add("Wins", wins or ["- No saves or expansions recorded this month"])
    mrr = end_run.features.select("account_id", "mrr")
    scored = end_run.scores.join(mrr, on="account_id", how="left")
    critical = scored.filter(pl.col("tier") == "critical")
    at_risk = scored.filter(pl.col("tier") == "at_risk")
    risks = [
        f"- {plural(critical.height, 'account')} in critical health "
        f"({money(int(critical['mrr'].sum() or 0), cur)} MRR at risk); "
        f"{at_risk.height} at risk ({money(int(at_risk['mrr'].sum() or 0), cur)})",
    ]
    worst = scored.filter(pl.col("tier").is_in(["critical", "at_risk"])).sort(
        pl.col("tier").replace_strict({"critical": 0, "at_risk": 1}, return_dtype=pl.Int64),
        pl.col("mrr").fill_null(0),
        descending=[False, True],
    )
    if worst.height:
        w = worst.row(0, named=True)
        signal = end_run.risks.filter(pl.col("account_id") == w["account_id"])
        reason = signal.row(0, named=True) if signal.height else None
        risks.append(
            f"- Top risk: {names.get(w['account_id'])} — "
            + (
                f"{reason['code']} ({'; '.join(reason['evidence'][:1])}) — {reason['action']}"
                if reason
                else f"score {w['total']:.0f} — {cfg['tier_actions'][w['tier']]}"
            )
        )
    doc.add("Risks", risks)
    doc.add("Actions for Next Month", _next_actions(t, next_month(month), cfg, end_run))
    doc.data = {
        "month": month.isoformat()[:7],
        "nrr": this["nrr"],
        "nrr_last_month": last["nrr"],
        "grr": this["grr"],
        "mrr_start": start,
        "churn": this["churn"],
        "contraction": this["contraction"],
        "expansion": this["expansion"],
        "accounts_upgraded": upgraded.height,
        "net_change": net,
        "critical_accounts": critical.height,
        "at_risk_accounts": at_risk.height,
        "saves": saves.height,
    }
    return doc


def _saves(scores: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    return (
        scores.join(previous.rename({"total": "was", "tier": "was_tier"}), on="account_id")
        .filter(
            pl.col("was_tier").is_in(["at_risk", "critical"])
            & pl.col("tier").is_in(["monitor", "healthy"])
        )
        .sort(pl.col("total") - pl.col("was"), descending=True)
    )


def _next_actions(t: Tables, day: date, cfg: dict, run: ScoreRun) -> list[str]:
    names = dict(t["accounts"].select("account_id", "name").iter_rows())
    owners = dict(t["accounts"].select("account_id", "owner").iter_rows())
    out = []
    ren = renewals(t, day, cfg, run.scores)
    if ren.height:
        r = ren.row(0, named=True)
        out.append(
            f"{len(out) + 1}. {r['due_action']} for {r['account']} (renews "
            f"{r['renewal_date']}) — {r['owner'] or 'unassigned'}, by {r['due_on']}"
        )
    pay = payments_queue(t, day, cfg)
    if pay.height:
        p = pay.row(0, named=True)
        what = (
            f"Recover {money(p['amount_minor'], p['currency'] or 'USD')} from {p['account']}: "
            f"{p['next_action']}"
            if p["invoice_id"] is not None
            else f"{p['next_action']} ({p['account']}, {p['stage']})"  # a card to update
        )
        out.append(f"{len(out) + 1}. {what} — {p['owner'] or 'unassigned'}, by {p['next_on']}")
    for r in run.risks.head(3).iter_rows(named=True):
        out.append(
            f"{len(out) + 1}. {r['action']} ({names.get(r['account_id'])}) — "
            f"{owners.get(r['account_id']) or 'unassigned'}, by {r['respond_by']}"
        )
    return out or ["1. Nothing is due: no renewals, payments to chase or risk signals"]


def dashboard(
    t: Tables, as_of: date, cfg: dict, run: ScoreRun, previous_scores: pl.DataFrame
) -> Document:
    """Seed B's weekly dashboard as of a date."""
    opts, cur = metric_options(cfg), base_currency(t, cfg)
    month = date(as_of.year, as_of.month, 1)
    prior = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    m = monthly_rates(movements(t["subscription_periods"], [prior], **opts)).row(0, named=True)
    start = m["mrr_start"] or 0
    doc = Document(f"Weekly retention dashboard — {as_of.isoformat()}")
    gross = (m["churn"] + m["contraction"]) / start * 100 if start else None
    net = (m["churn"] + m["contraction"] - m["expansion"]) / start * 100 if start else None
    logo = 100 - m["logo_retention"] if m["logo_retention"] is not None else None
    doc.add(
        f"Retention ({month_label(prior)})",
        [
            f"- Gross MRR churn: {pct(gross)}",
            f"- Net MRR churn: {pct(net)}",
            f"- NRR: {pct(m['nrr'])}",
            f"- Logo churn: {pct(logo)}",
        ],
    )
    tiers = tier_distribution(run.scores, run.features)
    lines = ["| Tier | Accounts | % | MRR |", "|---|---|---|---|"]
    for r in tiers.iter_rows(named=True):
        lines.append(
            f"| {tier_label(r['tier'])} | {r['accounts']} | {share(r['share'])} | "
            f"{money(r['mrr'], cur)} |"
        )
    doc.add("Health distribution", lines)
    from retention_tui.engine.expansion import expansion_queue

    expansions = expansion_queue(t, as_of, cfg, run.features, run.scores)
    renewing = renewals(t, as_of, cfg, run.scores).filter(pl.col("days_left") <= 30)
    lapsed = renewing.filter(pl.col("card_expires_on").is_not_null())
    saves = _saves(run.scores, previous_scores)
    mrr_of = run.features.select("account_id", "mrr")

    def paying(frame: pl.DataFrame) -> str:
        total = frame.select("account_id").join(mrr_of, on="account_id")["mrr"].sum()
        return money(int(total or 0), cur)

    doc.add(
        "Pipeline",
        [
            f"- Expansion opportunities: {expansions.height} (accounts paying "
            f"{paying(expansions)} MRR)"
            if expansions.height
            else "- Expansion opportunities: 0",
            f"- Renewals in the next 30 days: {plural(renewing.height, 'account')}, "
            f"{paying(renewing)} MRR at stake"
            + (
                f"; {lapsed.height} on a card that expires first ({paying(lapsed)} MRR)"
                if lapsed.height
                else ""
            ),
            f"- Saves since the last scoring run: {saves.height}, {paying(saves)} MRR kept",
        ],
    )
    doc.add("Cohort snapshot", _cohort_snapshot(cohort_report(t, as_of, 12, cfg)))
    doc.data = {
        "as_of": as_of.isoformat(),
        "month": prior.isoformat()[:7],
        "gross_churn": gross,
        "net_churn": net,
        "nrr": m["nrr"],
        "logo_churn": logo,
        "tiers": {r["tier"]: r["accounts"] for r in tiers.iter_rows(named=True)},
        "expansion_opportunities": expansions.height,
        "renewals_30d": renewing.height,
        "renewals_30d_card_expiring": lapsed.height,
        "saves": saves.height,
        "cohort_snapshot": doc.sections[-1][1],
    }
    return doc


def _cohort_snapshot(grid: pl.DataFrame) -> list[str]:
    """Seed B's cohort snapshot: the latest cohort's share of customers still paying a
    month after starting (about day 30) against the cohort before it, and the best and
    worst cohorts at that age."""
    month1 = grid.filter(pl.col("months_since") == 1).sort("cohort")
    if month1.height == 0:
        return ["- No cohort has a month of history yet"]
    rows = month1.select("cohort", "logo_pct").rows()
    label = {c: c.isoformat()[:7] for c, _ in rows}
    (latest, pct), lines = rows[-1], []
    if len(rows) > 1:
        before, was = rows[-2]
        trend = "up" if pct > was else "down" if pct < was else "flat"
        lines.append(
            f"- Latest cohort ({label[latest]}) a month in: {pct:g}% still paying, "
            f"{trend} from {was:g}% ({label[before]})"
        )
    else:
        lines.append(f"- Latest cohort ({label[latest]}) a month in: {pct:g}% still paying")
    best = max(rows, key=lambda r: (r[1], r[0]))
    worst = min(rows, key=lambda r: (r[1], r[0]))
    if best != worst:
        lines.append(
            f"- Best cohort: {label[best[0]]} at {best[1]:g}%; worst: {label[worst[0]]} at "
            f"{worst[1]:g}% (a month in) — analyse why"
        )
    return lines
