"""The work queues: renewals (seed A), payment recovery and card hygiene (seeds B and A),
reactivation of churned customers (seed B) and win-back of closed-lost deals (seed A).

Each function takes the canonical tables, an as-of date and the config, and returns one
row per item, most urgent first, with the step that is due, the next one and why the item
is in the queue. Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import polars as pl

from retention_tui.engine.features import Tables, end_of, failed_invoices
from retention_tui.engine.metrics import account_mrr, metric_options
from retention_tui.engine.mrr import subscription_status_on

T = TypeVar("T", date, pl.Expr)

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


def renewal_round_began(renews: T, cfg: dict) -> T:
    """The day a renewal's timeline begins (``renewals.lookahead_days`` before it, the
    first step's day): a step of it ticked before then was for the renewal before (an
    account renews every year; its renewal playbook stays the same). ``renews``: a date,
    or a Polars expression of dates."""
    return renews - timedelta(days=cfg["renewals"]["lookahead_days"])  # type: ignore[operator]


def renewals(
    t: Tables,
    as_of: date,
    cfg: dict,
    scores: pl.DataFrame | None = None,
    done: pl.DataFrame | None = None,
    risks: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Renewals within ``renewals.lookahead_days``: the step due now (the latest whose day
    has come), the next one, steps past and not ticked for this renewal (``done``:
    account_id, step_id, done_at; a tick from before the renewal's lookahead began was for
    an earlier renewal), the
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
    )
    # The cards of the renewing accounts only (100k accounts' charges: 0.05 s).
    charges = t["payment_attempts"].join(due.select("account_id"), on="account_id", how="semi")
    due = due.join(cards_on_file(charges, as_of), on="account_id", how="left")
    # Each account's steps as columns (earliest first), worked out by Polars: 44k renewals
    # row by row in Python took 0.6 s.
    days_left = (pl.col("renewal_date") - pl.lit(as_of)).dt.total_days()
    reached = [pl.lit(d) >= days_left for _, d in steps]
    current = current_day = next_step = next_day = pl.lit(None)
    for (step, d), hit in zip(steps, reached, strict=True):  # the latest step reached
        current = pl.when(hit).then(pl.lit(step)).otherwise(current)
        current_day = pl.when(hit).then(pl.lit(d)).otherwise(current_day)
    for (step, d), hit in reversed(list(zip(steps, reached, strict=True))):  # the next one
        next_step = pl.when(~hit).then(pl.lit(step)).otherwise(next_step)
        next_day = pl.when(~hit).then(pl.lit(d)).otherwise(next_day)
    ticked = pl.col("_ticked").fill_null(pl.lit([], pl.List(pl.String)))
    overdue = [  # reached, a later step reached too, and not ticked
        pl.when(hit & later & ~ticked.list.contains(step)).then(pl.lit(step))
        for (step, _), hit, later in zip(steps, reached, reached[1:], strict=False)
    ]
    if done is not None:
        began = renewal_round_began(pl.col("renewal_date"), cfg)
        steps_done = (
            done.join(due.select("account_id", "renewal_date"), on="account_id")
            .filter(pl.col("done_at").str.slice(0, 10).str.to_date() >= began)
            .group_by("account_id")
            .agg(pl.col("step_id").alias("_ticked"))
        )
        due = due.join(steps_done, on="account_id", how="left")
    else:
        due = due.with_columns(pl.lit(None, pl.List(pl.String)).alias("_ticked"))
    if scores is not None:
        due = due.join(scores.select("account_id", "tier"), on="account_id", how="left")
    else:
        due = due.with_columns(pl.lit(None, pl.String).alias("tier"))
    silent = (
        pl.lit(False)
        if risks is None
        else pl.col("account_id").is_in(
            risks.filter(pl.col("code") == "renewal_no_contact")["account_id"].implode()
        )
    )
    mrr12 = pl.col("mrr").fill_null(0) * 12
    renew = pl.col("renewal_date")
    frame = due.select(
        "account_id",
        pl.col("name").alias("account"),
        "owner",
        "renewal_date",
        days_left.alias("days_left"),
        current.cast(pl.String).alias("due_step"),
        current.cast(pl.String)
        .replace_strict(RENEWAL_ACTIONS, default=None, return_dtype=pl.String)
        .alias("due_action"),
        (renew - pl.duration(days=current_day)).alias("due_on"),
        next_step.cast(pl.String).alias("next_step"),
        (renew - pl.duration(days=next_day)).alias("next_on"),
        pl.concat_str(overdue or [pl.lit("")], separator=", ", ignore_nulls=True)
        .fill_null("")
        .alias("overdue_steps"),
        "tier",
        pl.when(mrr12 != 0)
        .then(mrr12)
        .otherwise(pl.col("contract_value_minor").fill_null(0))
        .cast(pl.Int64)
        .alias("arr_at_stake"),
        silent.alias("no_contact_critical"),
        # the renewal's charge would go to a card expired by then
        pl.when(pl.col("card_expires_on") <= renew)
        .then(pl.col("card_expires_on"))
        .alias("card_expires_on"),
    )
    return frame.sort("days_left", "account_id")  # the same order on every refresh


def payment_recovery(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """Unpaid invoices with failed attempts: the dunning stage, what to do next and when,
    the amount, the account's MRR at risk and whether it is high-value."""
    p = cfg["payments"]
    mrr = account_mrr(t["subscription_periods"], as_of, **metric_options(cfg))  # type: ignore[arg-type]
    bad = (
        failed_invoices(t, as_of)
        .filter(pl.col("unresolved_failure"))
        .filter(pl.col("first_failure_at") >= end_of(as_of) - timedelta(days=p["lookback_days"]))
        .join(mrr, on="account_id", how="left")
        .join(_names(t), on="account_id", how="left")
        .with_columns(
            # calendar days since the first failure's day (day 0: it failed today)
            (pl.lit(as_of) - pl.col("first_failure_at").dt.date())
            .dt.total_days()
            .alias("days_failing")
        )
    )
    day = pl.col("days_failing")
    failures = pl.col("failures")
    first = pl.col("first_failure_at").dt.date()
    last = pl.col("last_failure_at").dt.date()
    # Only the billing tool's word says it failed (no charges imported): the tool runs the
    # retries, and the steps follow the days since, on the same cadence (the second try a
    # day after the first, the third two days later).
    word = pl.col("failed_by_word")
    stage = (
        pl.when(day >= p["pause_day"])
        .then(pl.lit(f"day {p['pause_day']}: pause"))
        .when(day >= p["final_retry_day"])
        .then(pl.lit(f"day {p['final_retry_day']}: final retry"))
        .when(word)
        .then(pl.format("collection failing, day {}", day))
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
        .when(word & (day >= 3))
        .then(pl.lit("Urgent email and in-app banner (billing retries the card)"))
        .when(word & (day >= 1))
        .then(pl.lit("Friendly email (billing retries the card)"))
        .when(word)
        .then(pl.lit("Billing retries the card; no notice yet"))
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
        .when(word & (day >= 3))
        .then(first + timedelta(days=p["final_retry_day"]))
        .when(word & (day >= 1))
        .then(first + timedelta(days=3))
        .when(word)
        .then(first + timedelta(days=1))
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
    ).pipe(_by_urgency)


def _high_value(p: dict) -> pl.Expr:
    """An account whose MRR earns it a personal email when its payment fails."""
    return pl.col("mrr").fill_null(0) >= p["high_value_mrr"]


def _by_urgency(frame: pl.DataFrame) -> pl.DataFrame:
    """The payments queue's order: the date to act, then the MRR at risk, largest first;
    at a tie by account and invoice, so the order is the same on every refresh."""
    return frame.sort(
        "next_on",
        "mrr_at_risk",
        "account_id",
        "invoice_id",
        descending=[False, True, False, False],
    )


def cards_on_file(attempts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """account_id, card_expires_on: the card of each account's latest charge (of the
    payment ``attempts``) up to ``as_of`` that names one (the card the next charge will go
    to); card_expired (before ``as_of``), and card: 'card expired/expires DATE'."""
    latest = pl.col("attempted_at").arg_max()  # the first of equal latest charges
    expires = pl.col("card_expires_on")
    expired = expires < as_of
    return (
        attempts.filter(pl.col("attempted_at") < end_of(as_of))
        .filter(expires.is_not_null())
        .group_by("account_id")
        .agg(expires.get(latest))
        .with_columns(
            expired.alias("card_expired"),
            pl.when(expired)
            .then(pl.format("card expired {}", expires))
            .otherwise(pl.format("card expires {}", expires))
            .alias("card"),
        )
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
    expires, expired = pl.col("card_expires_on"), pl.col("card_expired")
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
            pl.col("card").alias("stage"),
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
    return _by_urgency(both)


def reactivation(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """Customers who churned within ``reactivation.within_days``: the step of seed B's
    sequence due now, the next one, and when their data expires."""
    r = cfg["reactivation"]
    status = subscription_status_on(t["subscription_periods"], as_of).filter(
        pl.col("status") == "churned"
    )
    # The churned accounts' periods only (100k accounts: 0.1 s grouping them all).
    periods = t["subscription_periods"].join(
        status.select("account_id"), on="account_id", how="semi"
    )
    ended = (
        periods.group_by("account_id")
        .agg(pl.col("period_end").max().alias("churned_on"))
        .with_columns(pl.col("churned_on").str.to_date())
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
    """Closed-lost deals scored on seed A's six factors (3/2/1 points each), with the band,
    the next touch by lost reason not yet ticked in the deal's win-back playbook (``done``:
    account_id = the deal id, step_id) and the touches whose day has passed unticked
    (overdue_touches: 'day 30, day 60'); deals lost in the last ``cooling_off_days``
    wait."""
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
        # Touches whose day has passed unticked stay in sight, as renewals' steps do.
        missed = [
            f"day {day}"
            for step, day, _ in cadence
            if day < d["days_since_loss"] and step not in mine
        ]
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
                "overdue_touches": ", ".join(missed),
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
    return pl.DataFrame(rows).sort(
        order, pl.col("score"), "deal_id", descending=[False, True, False]
    )  # at a tie by deal: the same order on every refresh


def _touch_reason(reason: str | None) -> str:
    """The row of seed A's touch table a lost reason follows."""
    if reason in WINBACK_TOUCHES:
        return str(reason)
    return "timing"  # no decision / other: treat as timing (our choice)
