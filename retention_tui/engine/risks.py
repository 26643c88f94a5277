"""The churn-risk signal catalogue (DOMAIN.md §3): twenty detectors over the data.

Each detector returns the accounts it fires for, with evidence (the rows that fired it, as
short lines a person can read). ``detect_risks`` adds each signal's severity, respond-by
date and action from the config. Pure: frames in, frames out, one as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise

import polars as pl

from retention_tui.engine.features import (
    SCHEDULED_KINDS,
    Tables,
    at_company,
    end_of,
    failed_invoices,
    heard_at,
    tagged,
    within,
)

EVIDENCE = pl.List(pl.String)
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
Detector = Callable[[Tables, pl.DataFrame, date, dict], pl.DataFrame]


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"account_id": pl.String, "evidence": EVIDENCE})


def _day(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y-%m-%d")


def _collect(frame: pl.DataFrame, line: pl.Expr, order: str) -> pl.DataFrame:
    """Group evidence lines per account, newest first."""
    if frame.height == 0:
        return _empty()
    return (
        frame.sort(order, descending=True)
        .group_by("account_id", maintain_order=True)
        .agg(line.alias("evidence"))
    )


def _from_features(features: pl.DataFrame, fires: pl.Expr, line: pl.Expr) -> pl.DataFrame:
    return features.filter(fires.fill_null(False)).select(
        "account_id", pl.concat_list(line).alias("evidence")
    )


def _union(*frames: pl.DataFrame) -> pl.DataFrame:
    frames = tuple(f for f in frames if f.height)
    if not frames:
        return _empty()
    return (
        pl.concat(frames)
        .group_by("account_id", maintain_order=True)
        .agg(pl.col("evidence").list.explode(keep_nulls=False, empty_as_null=False))
    )


def _touch_tags(
    t: Tables, accounts: pl.DataFrame, as_of: date, tags: list[str], days: int
) -> pl.DataFrame:
    end = end_of(as_of)
    tp = (
        t["touchpoints"]
        .filter(within("occurred_at", end, days))
        .filter(tagged(tags))  # splitting the tags of the window's touchpoints only
        .join(accounts.select("account_id"), on="account_id")
    )
    line = pl.format(
        "{} {} ({}): {}",
        _day("occurred_at"),
        pl.col("kind"),
        pl.col("tags"),
        pl.col("summary").fill_null(""),
    )
    return _collect(tp, line, "occurred_at")


def _events(
    t: Tables, accounts: pl.DataFrame, as_of: date, names: list[str], days: int
) -> pl.DataFrame:
    end = end_of(as_of)
    ev = t["usage_events"].filter(within("occurred_at", end, days) & pl.col("event").is_in(names))
    ev = ev.join(accounts.select("account_id"), on="account_id")
    line = pl.format("{} event {} by {}", _day("occurred_at"), pl.col("event"), pl.col("user_id"))
    return _collect(ev, line, "occurred_at")


def _scheduled_cancellations(t: Tables, accounts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Subscriptions their customer has set to end (Stripe's Cancel At Period End,
    Chargebee's non_renewing), from the day they asked until the day they end: never
    before the billing tool knew."""
    day = as_of.isoformat()
    asked = t["subscription_periods"].filter(
        pl.col("cancel_at").is_not_null()
        & (pl.col("cancel_requested_at") <= day)
        & (pl.col("cancel_at") > day)
    )
    asked = asked.join(accounts.select("account_id"), on="account_id")
    line = pl.format(
        "{} set {} to cancel on {}",
        pl.col("cancel_requested_at"),
        pl.col("subscription_id"),
        pl.col("cancel_at"),
    )
    return _collect(asked, line, "cancel_requested_at")


def _tag_detector(code: str, tag_key: str, event_key: str | None = None) -> Detector:
    """A signal that fires on touchpoints tagged ``tag_key`` (and events ``event_key``)."""

    def detect(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
        days = cfg["risks"][code]["lookback_days"]
        found = _touch_tags(t, f, as_of, cfg["tags"][tag_key], days)
        if event_key:
            found = _union(found, _events(t, f, as_of, cfg["events"][event_key], days))
        return found

    return detect


def _contacts_left(
    t: Tables, f: pl.DataFrame, as_of: date, days: int, who: pl.Expr, label: str
) -> pl.DataFrame:
    """Contacts matching ``who`` who left the company within ``days`` of the as-of date."""
    left = (
        t["contacts"]
        .filter(
            who
            & (pl.col("left_company_at") <= as_of)
            & (pl.col("left_company_at") > as_of - timedelta(days=days))
        )
        .join(f.select("account_id"), on="account_id")
    )
    line = pl.format(
        label + " {} ({}) left on {}",
        pl.col("name").fill_null(pl.col("email")),
        pl.col("role").fill_null("no role"),
        _day("left_company_at"),
    )
    return _collect(left, line, "left_company_at")


def champion_left(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    days = cfg["risks"]["champion_left"]["lookback_days"]
    return _contacts_left(t, f, as_of, days, pl.col("is_champion") == 1, "champion")


def _amount(minor: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """'1234.50 USD' from minor units (two decimals; evidence text only)."""
    return pl.format(
        "{}.{} {}", minor // 100, (minor.abs() % 100).cast(pl.String).str.zfill(2), currency
    )


def _unpaid_failures(
    t: Tables, f: pl.DataFrame, as_of: date, min_failures: int, days: int
) -> pl.DataFrame:
    bad = (
        failed_invoices(t, as_of)
        .filter(
            pl.col("unresolved_failure")
            & (pl.col("failures") >= min_failures)
            & within("last_failure_at", end_of(as_of), days)
        )
        .join(f.select("account_id"), on="account_id")
    )
    one = pl.col("failures") == 1
    attempts = pl.when(one).then(pl.lit("attempt")).otherwise(pl.lit("attempts"))
    line = pl.format(
        "invoice {}: {} failed {}, last {}, {} unpaid",
        pl.col("source_id"),
        pl.col("failures"),
        attempts,
        _day("last_failure_at"),
        _amount(pl.col("amount_minor"), pl.col("currency")),
    )
    return _collect(bad, line, "last_failure_at")


def payment_failed_2(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["payment_failed_2"]
    return _unpaid_failures(t, f, as_of, r["min_failures"], r["lookback_days"])


def payment_failed(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    return _unpaid_failures(t, f, as_of, 1, cfg["risks"]["payment_failed"]["lookback_days"])


def renewal_no_contact(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["renewal_no_contact"]
    quiet_since = end_of(as_of) - timedelta(days=r["no_contact_days"])
    fires = (
        (pl.col("renewal_date") >= as_of)
        & (pl.col("renewal_date") <= as_of + timedelta(days=r["renewal_within_days"]))
        & (pl.col("last_touch_at").is_null() | (pl.col("last_touch_at") < quiet_since))
    )
    line = pl.format(
        "renews {}; last contact {}",
        _day("renewal_date"),
        pl.coalesce(_day("last_touch_at"), pl.lit("never")),
    )
    return _from_features(f, fires, line)


def usage_drop(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["usage_drop"]
    fires = (pl.col("events_ratio") <= 1 - r["events_drop"]) | (
        pl.col("login_ratio") <= 1 - r["logins_drop"]
    )
    line = pl.format(
        "last 30 d: {} events vs {} expected, {} logins vs {} expected",
        pl.col("events_recent"),
        pl.col("events_expected").round(1),
        pl.col("logins_recent"),
        pl.col("logins_expected").round(1),
    )
    return _from_features(f, fires, line)


def tickets_spike(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["tickets_spike"]
    fires = (pl.col("tickets_recent") >= r["min_tickets"]) & (pl.col("ticket_ratio") >= r["factor"])
    manager = (
        pl.when(pl.col("ticket_ratio") >= r["manager_factor"])
        .then(pl.lit("; over 5x normal: alert the manager"))
        .otherwise(pl.lit(""))
    )
    line = pl.format(
        "{} tickets in 30 d vs {} normal ({}x){}",
        pl.col("tickets_recent"),
        pl.col("tickets_normal").round(1),
        pl.col("ticket_ratio").round(1),
        manager,
    )
    return _from_features(f, fires, line)


def nps_detractor(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["nps_detractor"]
    recent = pl.col("nps_at") >= end_of(as_of) - timedelta(days=r["lookback_days"])
    fires = (pl.col("nps_latest") <= r["max_score"]) & recent
    return _from_features(f, fires, pl.format("NPS {} on {}", pl.col("nps_latest"), _day("nps_at")))


def gone_silent(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r, w = cfg["risks"]["gone_silent"], cfg["windows"]
    end = end_of(as_of)
    emails = t["touchpoints"].filter(
        (pl.col("kind") == "email")
        & (pl.col("direction") == "outbound")
        & (pl.col("occurred_at") < end)
    )
    answered = pl.col("replied_at").is_not_null() & (pl.col("replied_at") < end)
    recent = within("occurred_at", end, r["lookback_days"]) & (
        pl.col("occurred_at") < end - timedelta(days=w["reply_grace"])
    )
    before = within("occurred_at", end, w["reply"], offset=r["lookback_days"])
    per = emails.group_by("account_id").agg(
        (recent & ~answered).sum().alias("unanswered"),
        (recent & answered).sum().alias("answered"),
        (before & answered).sum().alias("answered_before"),
    )
    fires = (
        (pl.col("unanswered") >= r["min_unanswered"])
        & (pl.col("answered") == 0)
        & (pl.col("answered_before") > 0)
    )
    line = pl.format(
        "{} emails unanswered in the last {} days; {} answered in the {} days before",
        pl.col("unanswered"),
        pl.lit(r["lookback_days"]),
        pl.col("answered_before"),
        pl.lit(w["reply"]),
    )
    return _from_features(f.select("account_id").join(per, on="account_id"), fires, line)


def missed_checkins(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["missed_checkins"]
    missed = (
        t["touchpoints"]
        .filter(
            pl.col("kind").is_in(SCHEDULED_KINDS)
            & (pl.col("attended") == 0)
            & within("occurred_at", end_of(as_of), r["lookback_days"])
        )
        .join(f.select("account_id"), on="account_id")
    )
    counts = missed.group_by("account_id").len()
    keep = counts.filter(pl.col("len") >= r["min_missed"]).select("account_id")
    line = pl.format("{} missed {}", _day("occurred_at"), pl.col("kind"))
    return _collect(missed.join(keep, on="account_id"), line, "occurred_at")


def champion_silent(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["champion_silent"]
    end = end_of(as_of)
    since = end - timedelta(days=r["silent_days"])
    champs = (
        t["contacts"]
        .filter(
            (pl.col("is_champion") == 1)
            & pl.col("email").is_not_null()
            & (pl.col("created_at").is_null() | (pl.col("created_at") <= as_of))
            & at_company(as_of)
        )
        .join(f.select("account_id"), on="account_id")
    )
    # Only the champions' own touchpoints are grouped (1.2M touchpoints at 100k accounts:
    # 0.12 s grouping them all on account and email, 0.01 s these).
    tp = (
        t["touchpoints"]
        .filter(pl.col("occurred_at") < end)
        .join(
            champs.select("account_id", pl.col("email").alias("contact_email")),
            on=["account_id", "contact_email"],
            how="semi",
        )
    )
    per = tp.group_by("account_id", "contact_email").agg(
        heard_at(end).max().alias("last_heard"),
        ((pl.col("direction") == "outbound") & (pl.col("occurred_at") >= since))
        .sum()
        .alias("asked"),
    )
    silent = champs.join(
        per, left_on=["account_id", "email"], right_on=["account_id", "contact_email"]
    ).filter(
        (pl.col("asked") > 0) & (pl.col("last_heard").is_null() | (pl.col("last_heard") < since))
    )
    line = pl.format(
        "champion {}: last heard from {}; {} outreach since",
        pl.col("name").fill_null(pl.col("email")),
        pl.coalesce(_day("last_heard"), pl.lit("never")),
        pl.col("asked"),
    )
    return _collect(silent, line, "asked")


def usage_plateau(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["usage_plateau"]
    change = pl.col("events_recent") / pl.col("events_prev") - 1
    fires = (pl.col("events_prev") >= r["min_events"]) & (change.abs() <= r["tolerance"])
    line = pl.format(
        "{} events in the last 30 d vs {} the 30 d before",
        pl.col("events_recent"),
        pl.col("events_prev"),
    )
    return _from_features(f, fires, line)


def stakeholder_change(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    days = cfg["risks"]["stakeholder_change"]["lookback_days"]
    tagged = _touch_tags(t, f, as_of, cfg["tags"]["stakeholder_change"], days)
    deciders = (pl.col("is_decision_maker") == 1) & (pl.col("is_champion") == 0)
    return _union(tagged, _contacts_left(t, f, as_of, days, deciders, "decision maker"))


def tickets_then_silence(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["tickets_then_silence"]
    spike = cfg["risks"]["tickets_spike"]
    end = end_of(as_of)
    since = end - timedelta(days=r["silence_days"])
    tp = t["touchpoints"].filter(pl.col("occurred_at") < end)
    # only what happened (or was answered) since can be hearing from them since: the rest
    # is left before heard_at is worked out (1.2M touchpoints: 31-35 -> 15-16 ms)
    recent = (pl.col("occurred_at") >= since) | (pl.col("replied_at") >= since)
    voice = tp.filter(recent).filter(heard_at(end) >= since).select("account_id").unique()
    fires = (pl.col("tickets_prev") >= spike["min_tickets"]) & (
        pl.col("tickets_prev") / pl.col("tickets_normal") >= spike["factor"]
    )
    quiet = f.join(voice, on="account_id", how="anti")
    line = pl.format(
        "{} tickets 30-60 d ago ({} normal), no word from them in {} days",
        pl.col("tickets_prev"),
        pl.col("tickets_normal").round(1),
        pl.lit(r["silence_days"]),
    )
    return _from_features(quiet, fires, line)


def billing_visits(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    r = cfg["risks"]["billing_visits"]
    fires = (pl.col("billing_visits") >= r["min_visits"]) & (
        pl.col("billing_visits") > pl.col("billing_visits_prev")
    )
    line = pl.format(
        "{} billing-page views in 30 d (was {})",
        pl.col("billing_visits"),
        pl.col("billing_visits_prev"),
    )
    return _from_features(f, fires, line)


def comms_declining(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    weeks = cfg["risks"]["comms_declining"]["weeks"]
    end = end_of(as_of)
    start = end - timedelta(days=7 * (weeks + 1))
    week = (pl.lit(end) - pl.col("at")).dt.total_days() // 7  # 0 = the last 7 days
    usage = (
        t["usage_events"]
        .lazy()
        .filter((pl.col("occurred_at") >= start) & (pl.col("occurred_at") < end))
        .select("account_id", pl.col("occurred_at").alias("at"))
    )
    inbound = (
        t["touchpoints"]
        .lazy()
        .filter(
            (pl.col("direction") == "inbound")
            & (pl.col("occurred_at") >= start)
            & (pl.col("occurred_at") < end)
        )
        .select("account_id", pl.col("occurred_at").alias("at"))
    )
    oldest_first = [f"_w{k}" for k in range(weeks, -1, -1)]
    per_week = (
        pl.concat([usage, inbound])
        .group_by("account_id")
        .agg([(week == k).sum().alias(f"_w{k}") for k in range(weeks + 1)])
        .collect()
    )
    # Fires when every week had less activity than the week before it, from some activity
    # (an account with none in the window cannot fire: only those with some are read).
    fires = pl.col(oldest_first[0]) > 0
    for older, newer in pairwise(oldest_first):
        fires = fires & (pl.col(newer) < pl.col(older))
    line = pl.format(
        "weekly activity, oldest first: " + " → ".join(["{}"] * len(oldest_first)),
        *oldest_first,
    )
    return _from_features(f.select("account_id").join(per_week, on="account_id"), fires, line)


_asked_to_cancel = _tag_detector("cancel_terms", "cancellation_terms", "cancel_page")


def _cancel_terms(t: Tables, f: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    """Asked about cancelling (a tagged touchpoint, a cancel-page event, in the window),
    or set a subscription to cancel (until it ends)."""
    return _union(_asked_to_cancel(t, f, as_of, cfg), _scheduled_cancellations(t, f, as_of))


DETECTORS: dict[str, Detector] = {
    "data_export": _tag_detector("data_export", "data_export", "data_export"),
    "cancel_terms": _cancel_terms,
    "champion_left": champion_left,
    "payment_failed_2": payment_failed_2,
    "competitor": _tag_detector("competitor", "competitor"),
    "renewal_no_contact": renewal_no_contact,
    "usage_drop": usage_drop,
    "tickets_spike": tickets_spike,
    "nps_detractor": nps_detractor,
    "payment_failed": payment_failed,
    "gone_silent": gone_silent,
    "missed_checkins": missed_checkins,
    "champion_silent": champion_silent,
    "usage_plateau": usage_plateau,
    "budget_cut": _tag_detector("budget_cut", "budget_cut"),
    "stakeholder_change": stakeholder_change,
    "downgrade_ask": _tag_detector("downgrade_ask", "downgrade"),
    "tickets_then_silence": tickets_then_silence,
    "billing_visits": billing_visits,
    "comms_declining": comms_declining,
}

RISK_SCHEMA = {
    "account_id": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "respond_by": pl.Date,
    "action": pl.String,
    "evidence": EVIDENCE,
}


def detect_risks(t: Tables, features: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    """Every signal that fires on ``as_of``: account_id, code, severity, respond_by, action,
    evidence; most severe first."""
    parts = []
    for code, detector in DETECTORS.items():
        found = detector(t, features, as_of, cfg)
        if found.height == 0:
            continue
        spec = cfg["risks"][code]
        respond_by = as_of + timedelta(hours=spec["respond_hours"])
        parts.append(
            found.select(
                "account_id",
                pl.lit(code).alias("code"),
                pl.lit(spec["severity"]).alias("severity"),
                pl.lit(respond_by, pl.Date).alias("respond_by"),
                pl.lit(spec["action"]).alias("action"),
                pl.col("evidence").cast(EVIDENCE),
            )
        )
    if not parts:
        return pl.DataFrame(schema=RISK_SCHEMA)
    order = pl.col("severity").replace_strict(SEVERITY_ORDER, return_dtype=pl.Int64)
    return pl.concat(parts).sort(order, "respond_by", "account_id", "code")
