"""The work queues: renewals (seed A), payment recovery and card hygiene (seeds B and A),
reactivation of churned customers (seed B) and win-back of closed-lost deals (seed A).

Each function takes the canonical tables, an as-of date and the config, and returns one
row per item, most urgent first, with the step that is due, the next one and why the item
is in the queue. Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_tui.engine.features import Tables, end_of, invoice_states
from retention_tui.engine.metrics import account_mrr, metric_options
from retention_tui.engine.mrr import subscription_status_on

RENEWAL_ACTIONS = {
    "health_review": "Health review and risk assessment",
    "qbr": "QBR with ROI report and expansion options",
    "proposal": "Formal renewal conversation and proposal",
    "negotiation": "Negotiation and contract review",
    "final_terms": "Final terms",
    "escalate": "Escalate: still unsigned",
    "executive": "Executive outreach",
}
REACTIVATION_ACTIONS = {
    "saved_setup": '"We saved your setup" email',
    "what_you_miss": '"What you\'re missing": what changed since they left',
    "personal_question": "Personal question from the CSM (optional incentive)",
    "last_note": "Last note with the best offer",
    "data_expiring": '"Your data is expiring" notice',
}
# Seed A's re-engagement timeline by lost reason: the touch at day 30, 60, 90 and 180.
WINBACK_TOUCHES = {
    "price": (
        '"New ROI calculator"',
        "Customer success story",
        "New pricing announcement",
        "Annual discount offer",
    ),
    "timing": (
        '"Quick check-in"',
        "Industry trend report",
        '"Things have changed" update',
        "Re-evaluation offer",
    ),
    "competitor": (
        "Silence",
        "Competitive comparison update",
        "Competitor frustration survey",
        "Displacement offer",
    ),
    "budget": (
        '"Planning ahead" guide',
        "QBR invite",
        "New fiscal year outreach",
        "Budget season proposal",
    ),
    "champion_left": (
        "LinkedIn monitoring",
        "New stakeholder intro request",
        "Department change trigger",
        "Re-qualify with new team",
    ),
    "product_gap": (
        "Feature announcement",
        "Roadmap preview",
        "Beta invite for requested feature",
        "Re-demo with gap closed",
    ),
}
WINBACK_TOUCH_DAYS = (30, 60, 90, 180)
WINBACK_REASON_POINTS = {
    "timing": 3,
    "budget": 3,
    "price": 3,
    "no_decision": 3,
    "product_gap": 2,
    "champion_left": 2,
    "competitor": 1,
    "other": 1,
}


def _names(t: Tables) -> pl.DataFrame:
    return t["accounts"].select("account_id", "name", "owner", "segment")


def _steps(spec: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(spec.items(), key=lambda kv: -kv[1])


def renewals(
    t: Tables,
    as_of: date,
    cfg: dict,
    scores: pl.DataFrame | None = None,
    done: pl.DataFrame | None = None,
    risks: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Renewals within ``renewals.lookahead_days``: the step due now (the latest whose day
    has come), the next one, steps past and not ticked (``done``: account_id, step_id), the
    health tier, the ARR at stake, whether the "renewal near and no contact" risk signal
    fired (``risks``: this date's risk signals), and the card on file's expiry when it comes
    before the renewal (its charge would fail: card_expires_on)."""
    r = cfg["renewals"]
    steps = _steps(r["steps"])  # earliest step first (most days before)
    status = subscription_status_on(t["subscription_periods"], as_of)
    mrr = account_mrr(t["subscription_periods"], as_of, **metric_options(cfg))  # type: ignore[arg-type]
    due = (
        t["accounts"]
        .filter(
            (pl.col("renewal_date") >= as_of)
            & (pl.col("renewal_date") <= as_of + timedelta(days=r["lookahead_days"]))
        )
        .join(status, on="account_id", how="left")
        .filter(pl.col("status").is_null() | (pl.col("status") != "churned"))
        .join(mrr, on="account_id", how="left")
        .join(cards_on_file(t["payment_attempts"], as_of), on="account_id", how="left")
    )
    ticked: dict[str, set[str]] = {}
    if done is not None:
        for aid, step in done.select("account_id", "step_id").iter_rows():
            ticked.setdefault(aid, set()).add(step)
    tiers = {} if scores is None else dict(scores.select("account_id", "tier").iter_rows())
    silent = (
        set()
        if risks is None
        else set(risks.filter(pl.col("code") == "renewal_no_contact")["account_id"].to_list())
    )
    rows = []
    for a in due.iter_rows(named=True):
        days_left = (a["renewal_date"] - as_of).days
        reached = [(s, d) for s, d in steps if d >= days_left]
        upcoming = [(s, d) for s, d in steps if d < days_left]
        current = reached[-1] if reached else None
        nxt = upcoming[0] if upcoming else None
        overdue = [s for s, _ in reached[:-1] if s not in ticked.get(a["account_id"], set())]
        mrr_minor = a["mrr"] or 0
        card = a["card_expires_on"]
        rows.append(
            {
                "account_id": a["account_id"],
                "account": a["name"],
                "owner": a["owner"],
                "renewal_date": a["renewal_date"],
                "days_left": days_left,
                "due_step": current[0] if current else None,
                "due_action": RENEWAL_ACTIONS.get(current[0]) if current else None,
                "due_on": a["renewal_date"] - timedelta(days=current[1]) if current else None,
                "next_step": nxt[0] if nxt else None,
                "next_on": a["renewal_date"] - timedelta(days=nxt[1]) if nxt else None,
                "overdue_steps": ", ".join(overdue),
                "tier": tiers.get(a["account_id"]),
                "arr_at_stake": (mrr_minor * 12) or (a["contract_value_minor"] or 0),
                "no_contact_critical": a["account_id"] in silent,
                # the renewal's charge would go to a card expired by then
                "card_expires_on": card if card and card <= a["renewal_date"] else None,
            }
        )
    schema = {
        "renewal_date": pl.Date,
        "card_expires_on": pl.Date,
        "due_on": pl.Date,
        "next_on": pl.Date,
        "arr_at_stake": pl.Int64,
        "days_left": pl.Int64,
    }
    frame = (
        pl.DataFrame(rows, schema_overrides=schema)
        if rows
        else pl.DataFrame(
            schema={
                "account_id": pl.String,
                "account": pl.String,
                "renewal_date": pl.Date,
                "days_left": pl.Int64,
                "arr_at_stake": pl.Int64,
                "card_expires_on": pl.Date,
            }
        )
    )
    return frame.sort("days_left")


def payment_recovery(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """Unpaid invoices with failed attempts: the dunning stage, what to do next and when,
    the amount, the account's MRR at risk and whether it is high-value."""
    p = cfg["payments"]
    first_fail = (
        t["payment_attempts"]
        .filter((pl.col("outcome") == "failed") & (pl.col("attempted_at") < end_of(as_of)))
        .group_by("source", "invoice_id")
        .agg(pl.col("attempted_at").min().alias("first_failure_at"))
    )
    mrr = account_mrr(t["subscription_periods"], as_of, **metric_options(cfg))  # type: ignore[arg-type]
    bad = (
        invoice_states(t, as_of)
        .filter(pl.col("unresolved_failure"))
        .join(first_fail, left_on=["source", "source_id"], right_on=["source", "invoice_id"])
        .filter(pl.col("first_failure_at") >= end_of(as_of) - timedelta(days=p["lookback_days"]))
        .join(mrr, on="account_id", how="left")
        .join(_names(t), on="account_id", how="left")
        .with_columns(
            ((pl.lit(end_of(as_of)) - pl.col("first_failure_at")).dt.total_days()).alias(
                "days_failing"
            )
        )
    )
    day = pl.col("days_failing")
    failures = pl.col("failures")
    first = pl.col("first_failure_at").dt.date()
    last = pl.col("last_failure_at").dt.date()
    stage = (
        pl.when(day >= p["pause_day"])
        .then(pl.lit(f"day {p['pause_day']}: pause"))
        .when(day >= p["final_retry_day"])
        .then(pl.lit(f"day {p['final_retry_day']}: final retry"))
        .when(failures >= 3)
        .then(pl.lit("attempt 3 failed"))
        .when(failures == 2)
        .then(pl.lit("attempt 2 failed"))
        .otherwise(pl.lit("attempt 1 failed"))
    )
    high = _high_value(p)
    action = (
        pl.when(day >= p["pause_day"])
        .then(
            pl.format(
                "Pause the account (never delete); keep its data {} days; finance + CS review",
                pl.lit(p["data_kept_days"]),
            )
        )
        .when(day >= p["final_retry_day"])
        .then(
            pl.when(high)
            .then(pl.lit("Final retry and a personal email (high-value)"))
            .otherwise(pl.lit("Final retry"))
        )
        .when(failures >= 3)
        .then(pl.lit("Retry in 72 h; urgent email and in-app banner"))
        .when(failures == 2)
        .then(pl.lit("Retry in 48 h; friendly email"))
        .otherwise(pl.lit("Retry in 24 h; no notice yet"))
    )
    next_on = (
        pl.when(day >= p["pause_day"])
        .then(first + timedelta(days=p["pause_day"]))
        .when(day >= p["final_retry_day"])
        .then(first + timedelta(days=p["pause_day"]))
        .when(failures >= 3)
        .then(
            pl.min_horizontal(
                last + timedelta(days=3), first + timedelta(days=p["final_retry_day"])
            )
        )
        .when(failures == 2)
        .then(last + timedelta(days=2))
        .otherwise(last + timedelta(days=1))
    )
    return bad.select(
        "account_id",
        pl.col("name").alias("account"),
        "owner",
        pl.col("source_id").alias("invoice_id"),
        "amount_minor",
        "currency",
        "failures",
        first.alias("first_failed_on"),
        "days_failing",
        stage.alias("stage"),
        action.alias("next_action"),
        next_on.alias("next_on"),
        (next_on < as_of).alias("overdue"),
        pl.col("mrr").fill_null(0).alias("mrr_at_risk"),
        high.alias("high_value"),
    ).sort(*_BY_URGENCY, descending=[False, True])


def _high_value(p: dict) -> pl.Expr:
    """An account whose MRR earns it a personal email when its payment fails."""
    return pl.col("mrr").fill_null(0) >= p["high_value_mrr"]


# The payments queue's order: the date to act, then the MRR at risk, largest first.
_BY_URGENCY = ("next_on", pl.col("mrr_at_risk"))


def cards_on_file(attempts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """account_id, card_expires_on: the card of each account's latest charge (of the
    payment ``attempts``) up to ``as_of`` that names one (the card the next charge will go
    to)."""
    return (
        attempts.filter(pl.col("attempted_at") < end_of(as_of))
        .filter(pl.col("card_expires_on").is_not_null())
        .sort("attempted_at")
        .group_by("account_id")
        .agg(pl.col("card_expires_on").last())
    )


def expiring_cards(
    t: Tables, as_of: date, cfg: dict, chased: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Seed B's card hygiene: paying accounts whose card on file (the card of their latest
    charge that names one) expires within ``payments.card_reminder_days`` or has expired,
    with no failed payment already being chased (``chased``: payment_recovery's rows).
    Rows have payment_recovery's columns: the date to act by is the card's last day (today
    once it has passed), and ``overdue`` says it has."""
    p = cfg["payments"]
    latest = cards_on_file(t["payment_attempts"], as_of).filter(
        pl.col("card_expires_on") <= as_of + timedelta(days=p["card_reminder_days"])
    )
    mrr = account_mrr(t["subscription_periods"], as_of, **metric_options(cfg))  # type: ignore[arg-type]
    if chased is not None:
        latest = latest.join(chased.select("account_id"), on="account_id", how="anti")
    expires = pl.col("card_expires_on")
    expired = expires < as_of
    return (
        latest.join(mrr.filter(pl.col("mrr") > 0), on="account_id")
        .join(_names(t), on="account_id", how="left")
        .select(
            "account_id",
            pl.col("name").alias("account"),
            "owner",
            pl.lit(None, pl.String).alias("invoice_id"),
            pl.lit(None, pl.Int64).alias("amount_minor"),
            pl.lit(None, pl.String).alias("currency"),
            pl.lit(0, pl.Int64).alias("failures"),
            pl.lit(None, pl.Date).alias("first_failed_on"),
            pl.lit(None, pl.Int64).alias("days_failing"),
            pl.when(expired)
            .then(pl.format("card expired {}", expires))
            .otherwise(pl.format("card expires {}", expires))
            .alias("stage"),
            pl.when(expired)
            .then(pl.lit("Ask for a new card before the next charge fails"))
            .otherwise(pl.lit("Remind them to update their card before it expires"))
            .alias("next_action"),
            pl.max_horizontal(expires, pl.lit(as_of)).alias("next_on"),
            expired.alias("overdue"),
            pl.col("mrr").alias("mrr_at_risk"),
            _high_value(p).alias("high_value"),
        )
    )


def payments_queue(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """The payments queue: failed payments to recover, then cards to update before they
    fail, by the date to act and the MRR at risk."""
    failing = payment_recovery(t, as_of, cfg)
    cards = expiring_cards(t, as_of, cfg, chased=failing)
    both = pl.concat([failing, cards.cast(failing.schema)])  # type: ignore[arg-type]
    return both.sort(*_BY_URGENCY, descending=[False, True])


def reactivation(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """Customers who churned within ``reactivation.within_days``: the step of seed B's
    sequence due now, the next one, and when their data expires."""
    r = cfg["reactivation"]
    periods = t["subscription_periods"]
    status = subscription_status_on(periods, as_of).filter(pl.col("status") == "churned")
    ended = periods.group_by("account_id").agg(
        pl.col("period_end").max().str.to_date().alias("churned_on")
    )
    last_mrr = (
        periods.filter(pl.col("status").is_in(["active", "past_due"]))
        .sort("period_start")
        .group_by("account_id")
        .agg(pl.col("amount_minor").last(), pl.col("billing_interval").last())
    )
    steps = sorted(r["steps"].items(), key=lambda kv: kv[1])
    frame = (
        status.join(ended, on="account_id")
        .filter(pl.col("churned_on") > as_of - timedelta(days=r["within_days"]))
        .join(last_mrr, on="account_id", how="left")
        .join(_names(t), on="account_id", how="left")
    )
    since = (pl.lit(as_of) - pl.col("churned_on")).dt.total_days()
    last_step, next_step, next_day = (pl.lit(None, pl.String),) * 2 + (pl.lit(None, pl.Int64),)
    for step, day in steps:  # the latest step reached, the first one ahead
        last_step = pl.when(since >= day).then(pl.lit(step)).otherwise(last_step)
    for step, day in reversed(steps):
        ahead = since < day
        next_step = pl.when(ahead).then(pl.lit(step)).otherwise(next_step)
        next_day = pl.when(ahead).then(pl.lit(day)).otherwise(next_day)
    actions = {step: REACTIVATION_ACTIONS[step] for step, _ in steps}
    return frame.select(
        "account_id",
        pl.col("name").alias("account"),
        "owner",
        "churned_on",
        since.alias("days_since"),
        last_step.alias("last_step"),
        next_step.alias("next_step"),
        pl.when(next_step.is_null())
        .then(pl.lit("Sequence finished"))
        .otherwise(next_step.replace_strict(actions, default=None, return_dtype=pl.String))
        .alias("next_action"),
        (pl.col("churned_on") + pl.duration(days=next_day)).alias("next_on"),
        (pl.col("churned_on") + timedelta(days=r["data_expiry_days"])).alias("data_expires_on"),
    ).sort("next_on", "account_id", nulls_last=True)


# How the user's work (playbooks, notes, snoozes) names a deal: 'deal:hubspot:9002'.
DEAL_ID = pl.format("deal:{}:{}", pl.col("source"), pl.col("source_id"))


# A deal past its cadence's last touch (day 180) stays in the queue until ``max_days``.
CADENCE_FINISHED = "Cadence finished"


def winback_touches(reason: str | None) -> list[tuple[str, int, str]]:
    """The cadence for a lost reason: (step id, day after the loss, touch)."""
    touches = WINBACK_TOUCHES.get(_touch_reason(reason)) or ()
    return [
        (f"touch_{day}", day, text) for day, text in zip(WINBACK_TOUCH_DAYS, touches, strict=False)
    ]


def winback(t: Tables, as_of: date, cfg: dict, done: pl.DataFrame | None = None) -> pl.DataFrame:
    """Closed-lost deals scored on seed A's six factors (3/2/1 points each), with the band
    and the next touch by lost reason not yet ticked in the deal's win-back playbook
    (``done``: account_id = the deal id, step_id); deals lost in the last
    ``cooling_off_days`` wait."""
    w = cfg["winback"]
    deals = t["deals"].filter(
        (pl.col("stage") == "closed_lost")
        & pl.col("closed_at").is_not_null()
        & (pl.col("closed_at") <= as_of)
        & (pl.col("closed_at") > as_of - timedelta(days=w["max_days"]))
    )
    since = (pl.lit(as_of) - pl.col("closed_at")).dt.total_days()
    size = pl.col("segment").replace_strict(
        {"enterprise": 3, "mid_market": 2, "smb": 1}, default=1, return_dtype=pl.Int64
    )
    stage = pl.col("stage_reached").replace_strict(
        {"proposal": 3, "negotiation": 3, "demo": 2, "discovery": 1},
        default=1,
        return_dtype=pl.Int64,
    )
    engaged = pl.col("contacts_engaged").fill_null(0)
    engagement = pl.when(engaged >= 3).then(3).when(engaged >= 1).then(2).otherwise(1)
    reason = pl.col("lost_reason").replace_strict(
        WINBACK_REASON_POINTS, default=1, return_dtype=pl.Int64
    )
    timing = (
        pl.when(since.is_between(60, 120))
        .then(3)
        .when(since.is_between(30, 60, closed="left") | since.is_between(120, 180, closed="right"))
        .then(2)
        .otherwise(1)
    )
    trajectory = pl.col("company_trajectory").replace_strict(
        {"growing": 3, "stable": 2, "contracting": 1}, default=2, return_dtype=pl.Int64
    )
    scored = deals.with_columns(
        since.alias("days_since_loss"),
        size.alias("p_size"),
        stage.alias("p_stage"),
        engagement.alias("p_engagement"),
        reason.alias("p_reason"),
        timing.alias("p_timing"),
        trajectory.alias("p_trajectory"),
    ).with_columns(
        pl.sum_horizontal(
            "p_size", "p_stage", "p_engagement", "p_reason", "p_timing", "p_trajectory"
        ).alias("score")
    )
    band = (
        pl.when(pl.col("days_since_loss") < w["cooling_off_days"])
        .then(pl.lit("cooling off"))
        .when(pl.col("score") >= w["priority_score"])
        .then(pl.lit("priority"))
        .when(pl.col("score") >= w["nurture_score"])
        .then(pl.lit("nurture"))
        .otherwise(pl.lit("low-touch"))
    )
    ticked: dict[str, set[str]] = {}
    if done is not None:
        for subject, step in done.select("account_id", "step_id").iter_rows():
            ticked.setdefault(subject, set()).add(step)
    rows = []
    for d in scored.with_columns(band.alias("band"), DEAL_ID.alias("deal_id")).iter_rows(
        named=True
    ):
        key = d["deal_id"]
        cadence = winback_touches(d["lost_reason"])
        mine = ticked.get(key, set())
        # The next touch: the first one still ahead that is not ticked yet.
        nxt = next(
            (
                (step, day, text)
                for step, day, text in cadence
                if step not in mine and day >= d["days_since_loss"]
            ),
            None,
        )
        rows.append(
            {
                "deal_id": key,
                "account_id": d["account_id"],
                "owner": d["owner"],
                "touches_done": f"{len(mine & {c[0] for c in cadence})}/{len(cadence)}",
                "deal": d["company_name"],
                "segment": d["segment"],
                "lost_reason": d["lost_reason"],
                "closed_at": d["closed_at"],
                "days_since_loss": d["days_since_loss"],
                "score": d["score"],
                "band": d["band"],
                "next_touch": nxt[2] if nxt else CADENCE_FINISHED,
                "next_touch_on": d["closed_at"] + timedelta(days=nxt[1]) if nxt else None,
                "amount_minor": d["amount_minor"],
                "currency": d["currency"],
                "factors": f"size {d['p_size']}, stage {d['p_stage']}, engagement "
                f"{d['p_engagement']}, reason {d['p_reason']}, timing {d['p_timing']}, "
                f"trajectory {d['p_trajectory']}",
            }
        )
    if not rows:
        return pl.DataFrame(
            schema={"deal_id": pl.String, "deal": pl.String, "score": pl.Int64, "band": pl.String}
        )
    order = pl.col("band").replace_strict(
        {"priority": 0, "nurture": 1, "low-touch": 2, "cooling off": 3}, return_dtype=pl.Int64
    )
    return pl.DataFrame(rows).sort(order, pl.col("score"), descending=[False, True])


def _touch_reason(reason: str | None) -> str:
    """The row of seed A's touch table a lost reason follows."""
    if reason in WINBACK_TOUCHES:
        return str(reason)
    return "timing"  # no decision / other: treat as timing (our choice)
