"""Per-account features as of a date: the raw facts every signal is banded from.

Pure: frames in, one frame out, with one row per account that existed on the as-of date.
Only rows known by the end of the as-of day are read, so scoring a past date gives the
answer it would have given then. docs/scoring.md defines each feature in words.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from retention_tui.engine.kept import kept
from retention_tui.engine.metrics import account_mrr, metric_options
from retention_tui.engine.money import periods_fx
from retention_tui.engine.mrr import subscription_status_on

Tables = dict[str, pl.DataFrame]
MIN_BASELINE_DAYS = 14  # a baseline needs at least two weeks of the account's own history
SCHEDULED_KINDS = ("checkin", "qbr", "meeting")
# Touchpoints that are a conversation, whoever started it: a call or chat held with them.
CONVERSATION_KINDS = ("call", "chat")
LATE_GRACE = timedelta(days=3)  # an invoice settled later than this after its due day is late


def end_of(as_of: date) -> datetime:
    """The first instant after the as-of day: everything before it is known."""
    return datetime(as_of.year, as_of.month, as_of.day) + timedelta(days=1)


def within(column: str, end: datetime, days: int, offset: int = 0) -> pl.Expr:
    """``column`` falls in the ``days`` before ``end`` (shifted back ``offset`` days)."""
    stop = end - timedelta(days=offset)
    return (pl.col(column) >= stop - timedelta(days=days)) & (pl.col(column) < stop)


def at_company(as_of: date) -> pl.Expr:
    """A contact still at the company on ``as_of`` (not left by then)."""
    return pl.col("left_company_at").is_null() | (pl.col("left_company_at") > as_of)


def tagged(tags: list[str]) -> pl.Expr:
    """A touchpoint carrying one of ``tags`` (its tags are stored 'a;b')."""
    return pl.col("tags").is_not_null() & (
        pl.col("tags").str.split(";").list.set_intersection(tags).list.len() > 0
    )


def heard_at(end: datetime) -> pl.Expr:
    """When a touchpoint had the customer say something, before ``end`` (null if it did
    not): anything they started, their reply to us, a call or chat with them or a meeting,
    check-in or QBR that they did not miss (attended, or not recorded either way: a call
    that reached only their voicemail is attended = 0). An email or note of ours that got
    no reply is not hearing from them."""
    held = pl.col("kind").is_in([*CONVERSATION_KINDS, *SCHEDULED_KINDS])
    spoke = (pl.col("direction") == "inbound") | (held & (pl.col("attended").fill_null(1) == 1))
    when = pl.when(spoke).then(pl.col("occurred_at"))
    reply = pl.when(pl.col("replied_at") < end).then(pl.col("replied_at"))
    latest = pl.max_horizontal(when, reply)
    return pl.when(latest < end).then(latest)


def _per_account(frame: pl.DataFrame, *aggs: pl.Expr) -> pl.DataFrame:
    return frame.group_by("account_id").agg(*aggs)


def known_accounts(t: Tables, as_of: date) -> pl.DataFrame:
    """Accounts that are customers on ``as_of``: created by then and not churned (an
    account with no subscription data counts as a customer, unless its CRM calls it a
    prospect)."""
    return _customers_on(t["accounts"], t["subscription_periods"], as_of)


def prospect_only(status: pl.Expr) -> pl.Expr:
    """Accounts their CRM calls prospects and no billing tool has billed (``status``: their
    subscription status, null with no subscription): not customers. A subscription says
    more than a CRM's stage left behind."""
    return status.is_null() & (pl.col("prospect") == 1).fill_null(False)


@kept()
def _customers_on(accounts: pl.DataFrame, periods: pl.DataFrame, as_of: date) -> pl.DataFrame:
    status = subscription_status_on(periods, as_of)
    return (
        accounts.filter(pl.col("created_at") <= as_of)
        .join(status, on="account_id", how="left")
        .filter(pl.col("status").is_null() | (pl.col("status") != "churned"))
        .filter(~prospect_only(pl.col("status")))
        .select("account_id", "name", "segment", "owner", "created_at", "renewal_date", "status")
    )


def _baseline_days(created: pl.Expr, window_start: datetime, window_end: datetime) -> pl.Expr:
    """Days of the baseline window the account existed for (0..window length)."""
    start = pl.max_horizontal(created.cast(pl.Datetime("us")), pl.lit(window_start))
    return ((pl.lit(window_end) - start).dt.total_days()).clip(lower_bound=0)


def usage_features(t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    w, ev = cfg["windows"], cfg["events"]
    end = end_of(as_of)
    recent, base = w["usage_recent"], w["usage_baseline"]
    e = pl.col("event")
    in_recent = within("occurred_at", end, recent)
    in_prev = within("occurred_at", end, recent, offset=recent)
    in_base = within("occurred_at", end, base, offset=recent)
    is_login, is_billing = e.is_in(ev["login"]), e.is_in(ev["billing_page"])
    # Only the events of the windows are grouped (a year of events: a third); whether an
    # account ever had usage is a semi-join, not a count. Each count is a column of the
    # events first, so the aggregation only adds columns up (lazily; 10M events: 0.85 ->
    # 0.45 s against evaluating the windows inside it, and 0.32 -> 0.18 s against
    # combining window and kind inside it).
    counted = {
        "events_recent": in_recent,
        "events_prev": in_prev,
        "events_baseline": in_base,
        "logins_recent": in_recent & is_login,
        "logins_baseline": in_base & is_login,
        "billing_visits": in_recent & is_billing,
        "billing_visits_prev": in_prev & is_billing,
    }
    windows = (
        t["usage_events"].lazy().filter(within("occurred_at", end, max(2 * recent, recent + base)))
    )
    sums = (
        windows.select("account_id", **counted)
        .group_by("account_id")
        .agg(pl.col(list(counted)).sum())
    )
    # How many distinct core / advanced features were used: the distinct (account, event)
    # pairs of the window, counted (0.18 -> 0.05 s against n_unique inside the grouping).
    kinds = (
        windows.filter(in_recent & e.is_in(ev["core"] + ev["advanced"]))
        .select("account_id", "event")
        .unique()
        .group_by("account_id")
        .agg(
            e.is_in(ev["core"]).sum().alias("core_features"),
            e.is_in(ev["advanced"]).sum().alias("advanced_features"),
        )
    )
    order = [*list(counted)[:5], "core_features", "advanced_features", *list(counted)[5:]]
    # Both groupings collected side by side, then joined (10M events: 0.61 -> 0.46 s
    # against one plan joining them).
    counts, distinct = pl.collect_all([sums, kinds])
    agg = counts.join(distinct, on="account_id", how="left").select("account_id", *order)
    base_end = end - timedelta(days=recent)
    days = _baseline_days(pl.col("created_at"), base_end - timedelta(days=base), base_end)
    scale = pl.when(days >= MIN_BASELINE_DAYS).then(recent / days)
    # Whether an account ever had usage: those with events in the windows did; only the
    # rest are looked for in the older events (10M events, every account in the windows:
    # 0.59 -> 0.01 s against looking for every account there).
    seen = agg.lazy().select("account_id")
    older = (
        accounts.lazy()
        .select("account_id")
        .join(seen, on="account_id", how="anti")
        .join(
            t["usage_events"].lazy().filter(pl.col("occurred_at") < end),
            on="account_id",
            how="semi",
        )
    )
    used = pl.concat([seen, older]).with_columns(pl.lit(True).alias("has_usage")).collect()
    out = (
        accounts.select("account_id", "created_at")
        .join(agg, on="account_id", how="left")
        .join(used, on="account_id", how="left")
    )
    counts = [c for c in agg.columns if c != "account_id"]
    return (
        out.with_columns(pl.col(counts).fill_null(0), pl.col("has_usage").fill_null(False))
        .with_columns(
            (pl.col("logins_baseline") * scale).alias("logins_expected"),
            (pl.col("events_baseline") * scale).alias("events_expected"),
        )
        .with_columns(
            pl.when(pl.col("logins_expected") > 0)
            .then(pl.col("logins_recent") / pl.col("logins_expected"))
            .alias("login_ratio"),
            pl.when(pl.col("events_expected") > 0)
            .then(pl.col("events_recent") / pl.col("events_expected"))
            .alias("events_ratio"),
            pl.when(pl.col("advanced_features") >= 2)
            .then(pl.lit("advanced"))
            .when((pl.col("advanced_features") >= 1) | (pl.col("core_features") >= 3))
            .then(pl.lit("intermediate"))
            .otherwise(pl.lit("basic"))
            .alias("depth"),
        )
        .drop("created_at")
    )


def engagement_features(t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    w = cfg["windows"]
    end = end_of(as_of)
    tp = t["touchpoints"].filter(pl.col("occurred_at") < end)
    replied = pl.col("replied_at").is_not_null() & (pl.col("replied_at") < end)
    # Outbound emails: replied ones, and unanswered ones old enough to count as unanswered.
    emails = tp.filter(
        (pl.col("kind") == "email")
        & (pl.col("direction") == "outbound")
        & within("occurred_at", end, w["reply"])
        & (replied | (pl.col("occurred_at") < end - timedelta(days=w["reply_grace"])))
    ).with_columns(
        pl.when(replied)
        .then(pl.col("replied_at") - pl.col("occurred_at"))
        .otherwise(pl.lit(end) - pl.col("occurred_at"))
        .dt.total_seconds()
        .truediv(86400)
        .clip(lower_bound=0)
        .alias("wait_days"),
        replied.alias("was_replied"),
    )
    reply = _per_account(
        emails,
        pl.len().alias("emails_timed"),
        pl.col("was_replied").sum().alias("emails_replied"),
        pl.col("wait_days").mean().alias("reply_days"),
    )
    scheduled = tp.filter(
        pl.col("kind").is_in(SCHEDULED_KINDS)
        & pl.col("attended").is_not_null()
        & within("occurred_at", end, w["checkins"])
    )
    checkins = _per_account(
        scheduled,
        pl.len().alias("checkins_scheduled"),
        pl.col("attended").sum().alias("checkins_attended"),
    )
    inbound = pl.col("direction") == "inbound"
    requests = _per_account(
        tp,
        pl.len().alias("touchpoints_total"),
        (inbound & within("occurred_at", end, w["requests"])).sum().alias("requests_recent"),
        (inbound & within("occurred_at", end, 2 * w["requests"])).sum().alias("requests_half_year"),
        # The latest sentiment recorded: touchpoints without one sort first (their key is
        # null), so the last is null only when none has one (1.2M touchpoints: 0.23 ->
        # 0.17 s against filtering both columns inside the grouping).
        pl.col("sentiment")
        .sort_by(
            pl.when(pl.col("sentiment").is_not_null()).then(pl.col("occurred_at")),
            nulls_last=False,
        )
        .last()
        .alias("last_sentiment"),
        pl.col("occurred_at").max().alias("last_touch_at"),
    )
    out = accounts.select("account_id")
    for part in (reply, checkins, requests):
        out = out.join(part, on="account_id", how="left")
    return out.with_columns(
        pl.when(pl.col("checkins_scheduled") > 0)
        .then(pl.col("checkins_attended") / pl.col("checkins_scheduled"))
        .alias("attendance"),
        pl.when(pl.col("touchpoints_total").fill_null(0) == 0)
        .then(pl.lit(None, pl.String))
        .when(pl.col("requests_recent") >= 3)
        .then(pl.lit("monthly"))
        .when(pl.col("requests_recent") >= 1)
        .then(pl.lit("quarterly"))
        .when(pl.col("requests_half_year") >= 1)
        .then(pl.lit("rarely"))
        .otherwise(pl.lit("never"))
        .alias("request_cadence"),
    )


def invoice_states(
    t: Tables, as_of: date, days: int | None = None, failed_only: bool = False
) -> pl.DataFrame:
    """Each invoice issued by the as-of date (in the ``days`` before its end, when given;
    only those with a failed attempt by then, when ``failed_only``), with what its
    payments looked like then: failures, first_failure_at, last_failure_at,
    unresolved_failure, late (settled more than LATE_GRACE after its due day). The
    invoices are picked before their payments are grouped and joined to them (1.2M
    invoices: 0.46 s for all of them, 0.08 s for the ones that failed).

    An invoice its billing tool says it failed to collect (``collection_failed_on``, where
    no charges tell it: Chargebee's payment_due, a Stripe invoice unpaid after Stripe
    tried to charge it) counts as one failed attempt on that day, unless its charges say
    more; ``failed_by_word`` marks those whose failure only the tool's word tells."""
    end = end_of(as_of)
    keys = ["source", "invoice_id"]
    tried = t["payment_attempts"].filter(pl.col("attempted_at") < end)
    invoices = t["invoices"].filter(pl.col("issued_at") < end)
    if days is not None:
        invoices = invoices.filter(within("issued_at", end, days))
    failed = tried.filter(pl.col("outcome") == "failed").select(keys)
    by_tool = (pl.col("collection_failed_on") <= as_of).fill_null(False)
    said_on = pl.col("collection_failed_on").cast(pl.Datetime("us"))
    if failed_only:
        picked = failed.unique()
        said = invoices.filter(by_tool).select("source", pl.col("source_id").alias("invoice_id"))
        invoices = invoices.join(
            pl.concat([picked, said]), left_on=["source", "source_id"], right_on=keys, how="semi"
        )
    else:
        # An invoice its own paid_at shows paid on time reads the same whatever its other
        # charges, unless one failed: only the rest's charges are grouped (180 days of
        # 1.2M invoices: 0.25 -> 0.13 s).
        on_time = (pl.col("paid_at") < end) & (
            pl.col("paid_at").dt.date() <= pl.col("due_at") + LATE_GRACE
        )
        rest = invoices.filter(~on_time.fill_null(False))
        picked = pl.concat([rest.select("source", pl.col("source_id").alias("invoice_id")), failed])
    tried = tried.join(picked, on=keys, how="semi")
    attempts = tried.group_by("source", "invoice_id").agg(
        (pl.col("outcome") == "failed").sum().alias("failures"),
        pl.col("attempted_at")
        .filter(pl.col("outcome") == "succeeded")
        .min()
        .alias("paid_by_attempt"),
        pl.col("attempted_at")
        .filter(pl.col("outcome") == "failed")
        .min()
        .alias("first_failure_at"),
        pl.col("attempted_at").filter(pl.col("outcome") == "failed").max().alias("last_failure_at"),
    )
    return (
        invoices.join(
            attempts,
            left_on=["source", "source_id"],
            right_on=["source", "invoice_id"],
            how="left",
        )
        .with_columns(
            (by_tool & (pl.col("failures").fill_null(0) == 0)).alias("failed_by_word"),
            pl.when(by_tool)
            .then(pl.max_horizontal("failures", 1))
            .otherwise("failures")
            .alias("failures"),
            *(
                pl.coalesce(col, pl.when(by_tool).then(said_on)).alias(col)
                for col in ("first_failure_at", "last_failure_at")
            ),
        )
        .with_columns(
            pl.col("failures").fill_null(0),
            pl.min_horizontal(
                pl.col("paid_by_attempt"),
                pl.when(pl.col("paid_at") < end).then(pl.col("paid_at")),
            ).alias("settled_at"),
        )
        .with_columns(
            (
                (pl.col("failures") > 0)
                & pl.col("settled_at").is_null()
                & ~pl.col("status").is_in(["void", "draft"])
            ).alias("unresolved_failure"),
            (
                pl.col("settled_at").is_not_null()
                & (
                    (pl.col("failures") > 0)
                    | (pl.col("settled_at").dt.date() > pl.col("due_at") + LATE_GRACE)
                )
            ).alias("late"),
        )
        .drop("paid_by_attempt", "settled_at")  # exact only where they decide the two above
    )


def failed_invoices(t: Tables, as_of: date) -> pl.DataFrame:
    """invoice_states(t, as_of, failed_only=True): the invoices with a failed attempt by the
    as-of date. Two risk signals and the payments queue each read them: worked out once
    for the same invoices and attempts frames and date (1.2M invoices: ~0.2 s each)."""
    return _failed_invoices(t["invoices"], t["payment_attempts"], as_of)


@kept()
def _failed_invoices(invoices: pl.DataFrame, attempts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    tables = {"invoices": invoices, "payment_attempts": attempts}
    return invoice_states(tables, as_of, failed_only=True)


def financial_features(t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    w = cfg["windows"]
    states = invoice_states(t, as_of, days=w["payments"])
    pay = _per_account(
        states,
        pl.len().alias("invoices_recent"),
        pl.col("late").sum().alias("late_invoices"),
        pl.col("unresolved_failure").sum().alias("unresolved_failures"),
    ).with_columns(
        pl.when(pl.col("unresolved_failures") > 0)
        .then(pl.lit("failed_unresolved"))
        .when(pl.col("late_invoices") == 0)
        .then(pl.lit("on_time"))
        .when(pl.col("late_invoices") == 1)
        .then(pl.lit("one_late"))
        .otherwise(pl.lit("two_plus_late"))
        .alias("payment_history")
    )
    periods = t["subscription_periods"]
    opts = metric_options(cfg)
    fx = periods_fx(periods, cfg["currency"])
    now = account_mrr(periods, as_of, **opts)  # type: ignore[arg-type]
    then_day = as_of - timedelta(days=w["contract_trend"])
    then = account_mrr(periods, then_day, **opts).rename({"mrr": "mrr_then"})  # type: ignore[arg-type]
    out = (
        accounts.select("account_id")
        .join(pay, on="account_id", how="left")
        .join(now, on="account_id", how="left")
        .join(then, on="account_id", how="left")
        .with_columns(pl.col("mrr").fill_null(0), pl.col("mrr_then").fill_null(0))
    )
    return out.with_columns(
        pl.when(pl.col("mrr_then") > 0)
        .then(pl.col("mrr") / pl.col("mrr_then") - 1)
        .alias("mrr_change"),
        pl.lit(fx.base).alias("mrr_currency"),  # what the MRR columns are in (minor units)
        pl.lit(fx.minor(1)).alias("mrr_scale"),  # minor units in one major
    )


def book_mrr(t: Tables, as_of: date, cfg: dict) -> int:
    """The MRR of the accounts known on ``as_of`` (minor units of the base currency): what
    compute_features' mrr column adds up to, without the rest of the features."""
    mrr = account_mrr(t["subscription_periods"], as_of, **metric_options(cfg))  # type: ignore[arg-type]
    known = known_accounts(t, as_of).select("account_id")
    return int(mrr.join(known, on="account_id", how="semi")["mrr"].sum() or 0)


def relationship_features(
    t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict
) -> pl.DataFrame:
    w = cfg["windows"]
    contacts = t["contacts"].filter(
        pl.col("created_at").is_null() | (pl.col("created_at") <= as_of)
    )
    here = at_company(as_of)
    champion = pl.col("is_champion") == 1
    strength_rank = (
        pl.when(pl.col("champion_strength") == "strong")
        .then(3)
        .when(pl.col("champion_strength") == "moderate")
        .then(2)
        .otherwise(1)
    )
    left_recently = (
        champion & ~here & (pl.col("left_company_at") > as_of - timedelta(days=w["champion_left"]))
    )
    agg = _per_account(
        contacts,
        pl.len().alias("contacts_known"),
        here.sum().alias("contacts_current"),
        strength_rank.filter(champion & here).max().alias("champion_rank"),
        left_recently.any().alias("champion_left_recently"),
    ).with_columns(
        pl.when(pl.col("champion_rank") == 3)
        .then(pl.lit("strong"))
        .when(pl.col("champion_rank") == 2)
        .then(pl.lit("moderate"))
        .when(pl.col("champion_rank") == 1)
        .then(pl.lit("weak_or_unknown"))
        .when(pl.col("champion_left_recently"))
        .then(pl.lit("left_company"))
        .otherwise(pl.lit("weak_or_unknown"))
        .alias("champion_state")
    )
    return accounts.select("account_id").join(agg, on="account_id", how="left")


def support_features(t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    w = cfg["windows"]
    end = end_of(as_of)
    recent, base = w["usage_recent"], w["ticket_baseline"]
    tickets = t["tickets"].filter(pl.col("created_at") < end)
    agg = _per_account(
        tickets,
        within("created_at", end, recent).sum().alias("tickets_recent"),
        within("created_at", end, recent, offset=recent).sum().alias("tickets_prev"),
        within("created_at", end, base, offset=recent).sum().alias("tickets_baseline"),
        pl.col("csat")
        .filter(
            pl.col("solved_at").is_not_null()
            & (pl.col("solved_at") < end)
            & within("solved_at", end, w["csat"])
        )
        .mean()
        .alias("csat_mean"),
    )
    base_end = end - timedelta(days=recent)
    days = _baseline_days(pl.col("created_at"), base_end - timedelta(days=base), base_end)
    out = accounts.select("account_id", "created_at").join(agg, on="account_id", how="left")
    has_tickets = t["tickets"].height > 0
    # A normal rate of at least one ticket a month, so a quiet account needs several
    # tickets before it counts as a spike (our choice).
    normal = pl.max_horizontal(
        pl.when(days >= MIN_BASELINE_DAYS).then(pl.col("tickets_baseline") * recent / days),
        pl.lit(1.0),
    )
    return (
        out.with_columns(pl.col("tickets_recent", "tickets_prev", "tickets_baseline").fill_null(0))
        .with_columns(
            normal.alias("tickets_normal"),
            (pl.col("tickets_recent") / normal).alias("ticket_ratio")
            if has_tickets
            else pl.lit(None, pl.Float64).alias("ticket_ratio"),
        )
        .drop("created_at")
    )


def outcome_features(t: Tables, accounts: pl.DataFrame, as_of: date, cfg: dict) -> pl.DataFrame:
    w = cfg["windows"]
    end = end_of(as_of)
    goals = t["goals"].filter(pl.col("updated_at").is_null() | (pl.col("updated_at") <= as_of))
    g = _per_account(
        goals,
        pl.col("status").alias("goal_statuses"),
        pl.col("roi").drop_nulls().alias("roi_values"),
    )
    nps = (
        t["nps_responses"]
        .filter((pl.col("responded_at") < end) & within("responded_at", end, w["nps"]))
        .sort("responded_at")
        .group_by("account_id")
        .agg(
            pl.col("score").last().alias("nps_latest"),
            pl.col("responded_at").last().alias("nps_at"),
        )
    )
    return (
        accounts.select("account_id")
        .join(g, on="account_id", how="left")
        .join(nps, on="account_id", how="left")
    )


def compute_features(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """One row per account known on ``as_of`` with every raw feature the signals read."""
    accounts = known_accounts(t, as_of)
    out = accounts
    for part in (
        usage_features(t, accounts, as_of, cfg),
        engagement_features(t, accounts, as_of, cfg),
        financial_features(t, accounts, as_of, cfg),
        relationship_features(t, accounts, as_of, cfg),
        support_features(t, accounts, as_of, cfg),
        outcome_features(t, accounts, as_of, cfg),
    ):
        out = out.join(part, on="account_id", how="left")
    return out.sort("account_id")
