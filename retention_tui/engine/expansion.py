"""Expansion (seed A, with seed B's growth triggers) and onboarding milestones (seed A).

- Usage against plan limits, with alerts at 50/75/90/100%.
- The PQA (product-qualified account) score: points for product behaviour, clamped 0-100,
  banded nurture / warm / sales-assist / sales-ready.
- Expansion triggers, and the expansion queue: healthy accounts only, as both seeds say.
- Onboarding: each new account's milestones, hit, missed or due.
Pure: frames in, frames out, one as-of date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from retention_tui.engine.features import Tables, end_of, known_accounts, within
from retention_tui.engine.mrr import active_on
from retention_tui.engine.onboarding_quality import (
    RESULTS_EVENT,
    event_days,
    first_day,
    onboarding_quality,
)

TRIGGER_ACTIONS = {  # trigger -> (action, respond within)
    "usage_limit": ("Upgrade prompt: they are close to a plan limit", "immediately"),
    "invites": ("Offer the team plan", "24 h"),
    "feature_gate": ("Show the plan that unlocks the gated feature", "immediately"),
    "usage_growth": ("CSM outreach about their growth", "this month"),
    "promoter": ("Ask for a case study or review", "48 h"),
    "top_usage": ("Invite to the beta / advisory board", "this month"),
    "renewal": ("Prepare an expansion package for the renewal", "before the renewal"),
    "new_need": ("Explore the new need they mentioned", "next contact"),
    "team_growth": ("Their team is growing: seats or a team plan", "next contact"),
    "milestone": ("Celebrate the milestone, discuss what is next", "next contact"),
}


def _current_plan(t: Tables, as_of: date) -> pl.DataFrame:
    """account_id, plan: the plan of the largest period running on ``as_of`` (else the
    accounts table's plan)."""
    running = (
        t["subscription_periods"]
        .filter(active_on(as_of))
        .sort("amount_minor", descending=True)
        .group_by("account_id")
        .agg(pl.col("plan").first().alias("sub_plan"))
    )
    return (
        t["accounts"]
        .select("account_id", "plan")
        .join(running, on="account_id", how="left")
        .select("account_id", pl.coalesce("sub_plan", "plan").alias("plan"))
    )


def usage_against_limits(
    t: Tables,
    as_of: date,
    cfg: dict,
    accounts: pl.DataFrame | None = None,
    recent: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per account and limited metric: usage this month (seats: distinct users in
    30 days), the limit, the share used, and the highest usage alert reached. For the
    ``accounts`` given (an account_id column), else for every account. ``recent``:
    recent_usage of the same date and accounts, when the caller has it already."""
    end = end_of(as_of)
    month_start = pl.lit(datetime(as_of.year, as_of.month, 1))
    events = t["usage_events"].lazy().filter(pl.col("occurred_at") < end)
    plans = _current_plan(t, as_of)
    if accounts is not None:
        events = events.join(accounts.lazy().select("account_id"), on="account_id", how="semi")
        plans = plans.join(accounts.select("account_id"), on="account_id", how="semi")
    per_metric = (
        events.filter(pl.col("occurred_at") >= month_start)
        .group_by("account_id", "event")
        .agg(pl.col("value").sum().alias("usage"))
        .select("account_id", pl.col("event").cast(pl.String).alias("metric"), "usage")
    )
    seats = (
        (recent_usage(t, as_of, cfg, accounts) if recent is None else recent)
        .lazy()
        .select("account_id", pl.lit("seats").alias("metric"), pl.col("seats").cast(pl.Float64))
        .rename({"seats": "usage"})
    )
    usage = pl.concat([per_metric, seats]).collect()
    limits = t["plan_limits"].select("plan", "metric", "limit_value")
    alerts = sorted(cfg["expansion"]["usage_alerts"])
    level = pl.lit(None, pl.Float64)
    for a in alerts:
        level = pl.when(pl.col("share") >= a).then(pl.lit(float(a))).otherwise(level)
    return (
        plans.join(limits, on="plan")
        .join(usage, on=["account_id", "metric"], how="left")
        .with_columns(pl.col("usage").fill_null(0.0))
        .with_columns((pl.col("usage") / pl.col("limit_value")).alias("share"))
        .with_columns(level.alias("alert"))
        .sort("account_id", "metric")
    )


def recent_usage(
    t: Tables, as_of: date, cfg: dict, accounts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """What each account did in its usage events of the 30 days to the end of ``as_of``
    (for the ``accounts`` given, else all), read once for the PQA score, the expansion
    triggers and the seats used: account_id, core_used, active_days, invites, gate_hits,
    gate_this_week, api, rows_imported, admin, seats. Only accounts with such events.
    Distinct days and users are counted from the distinct (account, day) and (account,
    user) pairs (10M events: ~0.07 s each less than counting them inside the grouping)."""
    end = end_of(as_of)
    events = t["usage_events"].lazy().filter(within("occurred_at", end, 30))
    if accounts is not None:
        events = events.join(accounts.lazy().select("account_id"), on="account_id", how="semi")
    ev = pl.col("event")
    core = cfg["events"]["core"]
    counts = events.group_by("account_id").agg(
        ev.is_in(core).any().alias("core_used"),
        (ev == "invite_sent").sum().alias("invites"),
        (ev == "feature_gate_hit").sum().alias("gate_hits"),
        (within("occurred_at", end, 7) & (ev == "feature_gate_hit")).any().alias("gate_this_week"),
        ev.is_in(["api_call", "integration_connected"]).any().alias("api"),
        pl.col("value").filter(ev == "data_imported").sum().alias("rows_imported"),
        (ev == "settings_changed").any().alias("admin"),
    )

    def distinct(column: pl.Expr, name: str) -> pl.LazyFrame:
        pairs = events.select("account_id", column).unique()
        return pairs.group_by("account_id").agg(pl.len().alias(name))

    days = distinct(pl.col("occurred_at").dt.date(), "active_days")
    users = distinct(pl.col("user_id"), "seats")
    return (
        counts.join(days, on="account_id")
        .join(users, on="account_id")
        .select(
            "account_id",
            "core_used",
            "active_days",
            "invites",
            "gate_hits",
            "gate_this_week",
            "api",
            "rows_imported",
            "admin",
            "seats",
        )
        .collect()
    )


def pqa_scores(
    t: Tables,
    as_of: date,
    cfg: dict,
    limits: pl.DataFrame | None = None,
    recent: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """account_id, pqa (0-100), pqa_band, and the points behind it. ``limits``:
    usage_against_limits of the same date, ``recent``: recent_usage, when the caller has
    them already."""
    p = cfg["expansion"]["pqa"]
    # Every point is earned by behaviour in the last 30 days (our choice: a score
    # "recalculated daily" that a customer's whole history would otherwise saturate).
    agg = recent_usage(t, as_of, cfg) if recent is None else recent
    limit_hit = (
        (usage_against_limits(t, as_of, cfg, recent=agg) if limits is None else limits)
        .filter(pl.col("metric") != "seats")
        .group_by("account_id")
        .agg((pl.col("share") >= 1).any().alias("limit_hit"))
    )
    points = {
        "pts_core": pl.when(pl.col("core_used")).then(p["core_feature"]).otherwise(0),
        "pts_activity": pl.col("active_days") * p["active_day"]
        + (30 - pl.col("active_days")) * p["inactive_day"],
        "pts_invites": pl.col("invites").clip(upper_bound=3) * p["invite"],
        "pts_limit": pl.when(pl.col("limit_hit").fill_null(False))
        .then(p["limit_hit"])
        .otherwise(0),
        "pts_gate": pl.when(pl.col("gate_this_week")).then(p["feature_gate"]).otherwise(0),
        "pts_api": pl.when(pl.col("api")).then(p["api"]).otherwise(0),
        "pts_import": pl.when(pl.col("rows_imported") > p["data_import_rows"])
        .then(p["data_import"])
        .otherwise(0),
        "pts_admin": pl.when(pl.col("admin")).then(p["admin"]).otherwise(0),
    }
    b = cfg["expansion"]["pqa_bands"]
    score = pl.sum_horizontal(list(points)).clip(0, 100)
    band = (
        pl.when(pl.col("pqa") >= b["sales_ready"])
        .then(pl.lit("sales-ready"))
        .when(pl.col("pqa") >= b["sales_assist"])
        .then(pl.lit("sales-assist"))
        .when(pl.col("pqa") >= b["warm"])
        .then(pl.lit("warm"))
        .otherwise(pl.lit("nurture"))
    )
    return (
        agg.join(limit_hit, on="account_id", how="left")
        .with_columns(**{k: v.cast(pl.Int64) for k, v in points.items()})
        .with_columns(score.cast(pl.Int64).alias("pqa"))
        .with_columns(band.alias("pqa_band"))
        .select("account_id", "pqa", "pqa_band", *points)
    )


def expansion_triggers(
    t: Tables,
    as_of: date,
    cfg: dict,
    features: pl.DataFrame,
    limits: pl.DataFrame | None = None,
    recent: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """account_id, trigger, detail: every expansion trigger the data shows (``limits`` and
    ``recent`` as for pqa_scores)."""
    x = cfg["expansion"]
    end = end_of(as_of)
    parts = []

    def add(frame: pl.DataFrame, trigger: str, detail: pl.Expr) -> None:
        parts.append(
            frame.select(
                "account_id",
                pl.lit(trigger).alias("trigger"),
                detail.cast(pl.String).alias("detail"),
            )
        )

    if recent is None:
        recent = recent_usage(t, as_of, cfg)
    if limits is None:
        limits = usage_against_limits(t, as_of, cfg, recent=recent)
    limits = limits.filter(pl.col("share") >= x["limit_share"])
    add(
        limits,
        "usage_limit",
        pl.format(
            "{} at {}% of the {} limit",
            pl.col("metric"),
            (pl.col("share") * 100).round(0).cast(pl.Int64),
            pl.col("plan"),
        ),
    )
    add(
        recent.filter(pl.col("invites") >= x["invites"]),
        "invites",
        pl.format("{} teammates invited in 30 days", pl.col("invites")),
    )
    add(
        recent.filter(pl.col("gate_hits") >= x["gate_hits"]),
        "feature_gate",
        pl.format("hit a feature gate {} times in 30 days", pl.col("gate_hits")),
    )
    growth = features.filter(
        (pl.col("events_prev") >= 10)
        & (pl.col("events_recent") > pl.col("events_prev") * (1 + x["growth"]))
    )
    add(
        growth,
        "usage_growth",
        pl.format("usage {} → {} month over month", pl.col("events_prev"), pl.col("events_recent")),
    )
    if features.height:
        cut = features["events_recent"].quantile(1 - x["top_share"], "higher")
        top = features.filter((pl.col("events_recent") >= cut) & (pl.col("events_recent") > 0))
        add(
            top,
            "top_usage",
            pl.format(
                "{} events in 30 days (top {}%)",
                pl.col("events_recent"),
                pl.lit(round(x["top_share"] * 100)),
            ),
        )
    promoters = t["nps_responses"].filter(
        within("responded_at", end, 30) & (pl.col("score") >= x["promoter_score"])
    )
    add(
        promoters,
        "promoter",
        pl.format("NPS {} on {}", pl.col("score"), pl.col("responded_at").dt.strftime("%Y-%m-%d")),
    )
    renewing = features.filter(
        pl.col("renewal_date").is_between(as_of, as_of + timedelta(days=x["renewal_days"]))
    )
    add(renewing, "renewal", pl.format("renews {}", pl.col("renewal_date")))
    tagged = (
        t["touchpoints"]
        .filter(within("occurred_at", end, x["tag_days"]) & pl.col("tags").is_not_null())
        .with_columns(pl.col("tags").str.split(";").alias("tag"))
        .explode("tag")
        .filter(pl.col("tag").is_in(x["growth_tags"]))
    )
    for tag in x["growth_tags"]:
        hit = (
            tagged.filter(pl.col("tag") == tag)
            .group_by("account_id")
            .agg(pl.col("occurred_at").max())
        )
        add(hit, tag, pl.format("mentioned on {}", pl.col("occurred_at").dt.strftime("%Y-%m-%d")))
    known = features.select("account_id")
    return (
        pl.concat(parts)
        .join(known, on="account_id")
        .unique(["account_id", "trigger"], keep="first", maintain_order=True)
    )


def expansion_queue(
    t: Tables, as_of: date, cfg: dict, features: pl.DataFrame, scores: pl.DataFrame
) -> pl.DataFrame:
    """Healthy accounts with an expansion trigger or a sales-assist/ready PQA score, with
    the suggested action and owner; most triggers first, then highest PQA."""
    healthy = scores.filter(pl.col("tier") == "healthy").select("account_id", "total")
    # Usage is read for the healthy accounts only: no other can be in the queue.
    recent = recent_usage(t, as_of, cfg, healthy)
    limits = usage_against_limits(t, as_of, cfg, healthy, recent)
    pqa = pqa_scores(t, as_of, cfg, limits, recent)
    triggers = expansion_triggers(t, as_of, cfg, features, limits, recent)
    grouped = triggers.group_by("account_id", maintain_order=True).agg(
        pl.col("trigger"), pl.col("detail")
    )
    rows = []
    frame = (
        healthy.join(pqa, on="account_id", how="left")
        .join(grouped, on="account_id", how="left")
        .join(features.select("account_id", "name", "owner"), on="account_id")
        .filter(
            pl.col("trigger").is_not_null()
            | pl.col("pqa_band").is_in(["sales-assist", "sales-ready"])
        )
        # Most triggers first: PQA saturates for busy paying accounts, triggers do not.
        .sort(
            pl.col("trigger").list.len().fill_null(0),
            pl.col("pqa").fill_null(0),
            "account_id",  # at a tie: the same order on every refresh
            descending=[True, True, False],
        )
    )
    for r in frame.iter_rows(named=True):
        trig = r["trigger"] or []
        first = trig[0] if trig else None
        action, within_ = TRIGGER_ACTIONS.get(
            first,
            (
                "Sales-assisted expansion conversation",
                "4 h" if r["pqa_band"] == "sales-ready" else "this week",
            ),
        )
        rows.append(
            {
                "account_id": r["account_id"],
                "account": r["name"],
                "owner": r["owner"],
                "health": r["total"],
                "pqa": r["pqa"] or 0,
                "pqa_band": r["pqa_band"] or "nurture",
                "triggers": ", ".join(trig),
                "why": "; ".join(r["detail"] or []),
                "action": action,
                "respond_within": within_,
            }
        )
    return (
        pl.DataFrame(rows)
        if rows
        else pl.DataFrame(schema={"account_id": pl.String, "account": pl.String, "pqa": pl.Int64})
    )


def onboarding(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """Accounts in their first ``onboarding.window_days``: each milestone hit (with the
    day), missed (its day has passed) or due (with the date), and the onboarding's quality
    so far (seed B's rubric: engine.onboarding_quality)."""
    o = cfg["onboarding"]
    accounts = known_accounts(t, as_of).filter(
        pl.col("created_at") > as_of - timedelta(days=o["window_days"])
    )
    events = event_days(t, accounts, as_of).collect()
    core, ev = cfg["events"]["core"], pl.col("event")
    limits = (
        usage_against_limits(t, as_of, cfg, accounts)
        .group_by("account_id")
        .agg(pl.col("share").max().alias("max_share"))
    )

    users_by_day = (
        events.sort("day")
        .group_by("account_id")
        .agg(pl.col("day").filter(pl.col("user_id").is_first_distinct()).alias("user_days"))
    )
    active_days = (
        events.select("account_id", "day")
        .unique()
        .sort("day")
        .group_by("account_id")
        .agg(pl.col("day").alias("active"))
    )
    invites = (
        events.filter(ev == "invite_sent")
        .sort("day")
        .group_by("account_id")
        .agg(pl.col("day").alias("invite_days"))
    )
    frame = (
        accounts.select("account_id", "name", "owner", "created_at")
        .join(first_day(events, ev.is_in(core), "first_value"), on="account_id", how="left")
        .join(
            first_day(
                events, ev.is_in(["integration_connected", "data_imported"]), "data_connected"
            ),
            on="account_id",
            how="left",
        )
        .join(first_day(events, ev == RESULTS_EVENT, "roi_visible"), on="account_id", how="left")
        .join(users_by_day, on="account_id", how="left")
        .join(active_days, on="account_id", how="left")
        .join(invites, on="account_id", how="left")
        .join(limits, on="account_id", how="left")
    )
    m = o["milestones"]
    rows = []
    for a in frame.iter_rows(named=True):
        age = (as_of - a["created_at"]).days
        user_days = a["user_days"] or []
        active = a["active"] or []
        invites_days = a["invite_days"] or []
        hit_day = {
            "first_value": a["first_value"],
            "data_connected": a["data_connected"],
            "team_invited": user_days[1] if len(user_days) >= 2 else None,
            "habit": active[2] if len(active) >= 3 else None,  # the third active day
            "roi_visible": a["roi_visible"],
            "expansion_ready": (
                invites_days[2]
                if len(invites_days) >= 3
                else (age if (a["max_share"] or 0) >= 0.5 else None)
            ),
        }
        row = {
            "account_id": a["account_id"],
            "account": a["name"],
            "owner": a["owner"],
            "created_at": a["created_at"],
            "day": age,
        }
        hit = missed = 0
        next_due = None
        for name, day in m.items():
            h = hit_day[name]
            if h is not None and h <= day:
                row[name] = f"hit day {h}"
                hit += 1
            elif h is not None:
                row[name] = f"hit late, day {h}"
                hit += 1
            elif age > day:
                row[name] = "missed"
                missed += 1
            else:
                due = a["created_at"] + timedelta(days=day)
                row[name] = f"due {due.isoformat()}"
                next_due = next_due or due
        row.update({"hit": hit, "missed": missed, "next_due": next_due})
        rows.append(row)
    if not rows:
        return pl.DataFrame(schema={"account_id": pl.String, "account": pl.String, "day": pl.Int64})
    quality = onboarding_quality(t, as_of, cfg, accounts).select(
        "account_id", pl.col("score").cast(pl.Int64).alias("quality")
    )
    return (
        pl.DataFrame(rows)
        .join(quality, on="account_id", how="left")
        .sort(pl.col("missed"), pl.col("day"), "account_id", descending=[True, False, False])
    )


def time_to_value(t: Tables, start: date, end: date, cfg: dict) -> dict[str, float | int | None]:
    """Of the accounts created from ``start`` to before ``end``: how many, how many reached
    first value (a core-feature event, onboarding's first milestone) by ``end``, and the
    median days it took them (seed A's time to value)."""
    created = (
        t["accounts"]
        .filter((pl.col("created_at") >= start) & (pl.col("created_at") < end))
        .select("account_id", "created_at")
    )
    first = (
        t["usage_events"]
        .lazy()
        .filter(
            (pl.col("occurred_at") < datetime(end.year, end.month, end.day))
            & pl.col("event").is_in(cfg["events"]["core"])
        )
        .join(created.lazy(), on="account_id")
        .group_by("account_id", "created_at")
        .agg(pl.col("occurred_at").min().alias("first_value_at"))
        .collect()
    )
    days = (
        pl.col("first_value_at") - pl.col("created_at").cast(pl.Datetime("us"))
    ).dt.total_seconds()
    median = (
        first.select((days / 86_400).clip(lower_bound=0).median()).item() if first.height else None
    )
    return {
        "created": created.height,
        "reached": first.height,
        "median_days": None if median is None else round(median, 1),
    }
