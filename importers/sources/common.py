"""Pieces the tools' formats share: identity columns, money, and the transforms that turn
a tool's rows into ours (a subscription into MRR periods, a company into an account)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from importers.identity import company_domain
from importers.spec import CURRENT_START, Field, FileFormat, Identity
from importers.values import AMOUNT, CURRENCY, EMAIL, ID, TEXT


def ext_id(column: str, *aliases: str, required: bool = False, doc: str = "") -> Field:
    return Field(
        column,
        "ext_id",
        ID,
        required=required,
        aliases=aliases,
        doc=doc or "The tool's id for the company (links rows across this tool's files).",
    )


def ext_name(column: str, *aliases: str, required: bool = False) -> Field:
    return Field(column, "ext_name", TEXT, required=required, aliases=aliases, doc="Company name.")


def ext_email(column: str, *aliases: str, required: bool = False) -> Field:
    return Field(
        column,
        "ext_email",
        EMAIL,
        required=required,
        aliases=aliases,
        doc="A person's email: matched to contacts, and its domain to accounts.",
    )


def ext_domain(column: str, *aliases: str) -> Field:
    return Field(column, "ext_domain", TEXT, aliases=aliases, doc="Company web site or domain.")


def currency(column: str = "Currency", *aliases: str) -> Field:
    return Field(
        column,
        "currency",
        CURRENCY,
        default="USD",
        aliases=aliases,
        doc="ISO currency code (any case); USD when empty.",
    )


def amount(
    column: str,
    target: str,
    *aliases: str,
    required: bool = False,
    cents_aliases: tuple[str, ...] = (),
) -> Field:
    return Field(
        column,
        target,
        AMOUNT,
        required=required,
        aliases=aliases,
        cents_aliases=cents_aliases,
        currency_from="currency",
        doc="Amount in major units; '$1,234.56' and '1.234,56' are read too"
        + (f"; in cents under {', '.join(cents_aliases)}." if cents_aliases else "."),
    )


def optional_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None)


def full_name(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """A person's name from the first and last names (null when both are empty)."""
    joined = pl.concat_str(first, last, separator=" ", ignore_nulls=True).str.strip_chars()
    return pl.when(joined != "").then(joined)


def person_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A CRM's contact row -> a contacts row: the name from the first and last names, the
    email the one matched to accounts."""
    return frame.with_columns(
        full_name(pl.col("_first"), pl.col("_last")).alias("name"),
        pl.col("ext_email").alias("email"),
    )


def account_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A company row from a tool -> an accounts row: its name (or, lacking one, its
    description or email) and its web domain (from the domain column, else the email's
    unless it is free mail)."""
    return frame.with_columns(
        pl.coalesce(
            optional_column(frame, "ext_name"),
            optional_column(frame, "_description"),
            optional_column(frame, "ext_email"),
            pl.col("ext_id").cast(pl.String),
        ).alias("name"),
        company_domain(
            optional_column(frame, "ext_domain").cast(pl.String),
            optional_column(frame, "ext_email").cast(pl.String),
        ).alias("domain"),
    )


def prospect_rows(
    column: str, prospects: tuple[str, ...], customers: str
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """A companies transform (then account_rows) reading a CRM's stage or type of company
    (``column``, lower case) as whether it is a prospect: 1 for one of ``prospects``, 0 for
    a customer (matching the pattern ``customers``), empty for the CRM's other words (a
    partner, a stage of the user's own)."""

    def transform(frame: pl.DataFrame) -> pl.DataFrame:
        word = optional_column(frame, column).cast(pl.String)
        prospect = (
            pl.when(word.is_in(list(prospects)))
            .then(pl.lit(1))
            .when(word.str.contains(customers))
            .then(pl.lit(0))
        )
        return account_rows(frame.with_columns(prospect.alias("prospect")))

    return transform


# Months in one billing period of each unit.
_MONTHS = {"day": 12 / 365.25, "week": 12 / 52.1775, "month": 1.0, "year": 12.0}
# Periods we store as they are: (unit, count) -> billing_interval.
_KEPT = {("week", 1): "week", ("month", 1): "month", ("month", 3): "quarter",
         ("year", 1): "year", ("month", 12): "year"}  # fmt: skip


# Statuses a billing export gives as the subscription's now that began with its current
# billing period (it paid the periods before).
SINCE_THIS_PERIOD = ("past_due", "unpaid", "paused")


# The day a subscription still running is set to end, where a tool says it so (Chargebee's
# Cancelled At of a non_renewing one): subscription_periods keeps it as cancel_at.
SET_TO_END_ON = "_set_to_end_on"


def subscription_periods(frame: pl.DataFrame) -> pl.DataFrame:
    """A subscription as billing tools export it (one row, its current price) -> our MRR
    periods.

    - amount: unit price x quantity, less a percent discount (_percent_off) when the
      file gives one;
    - interval: week, month, quarter and year are kept; any other period (every 6 months,
      every 2 weeks, daily) becomes its monthly equivalent;
    - a trial that has ended is split off into its own 'trialing' period, so MRR starts
      when paying starts; a canceled subscription ends when it ended (_canceled_at when
      the file has no end);
    - the status is the subscription's now, not its whole life's: a canceled one was
      paying ('active') until it ended, and one past due, unpaid or paused is so since its
      current billing period began (CURRENT_START), paying before: churn and MRR history
      then count it as the billing tool saw it, month by month;
    - one still running that is set to end with its current period (_cancel_at_period_end)
      keeps that day (cancel_at, _current_end) and the day the customer asked
      (cancel_requested_at: _canceled_at, which Stripe sets when they ask); a tool that
      gives the day it is set to end (SET_TO_END_ON: Chargebee's non_renewing) the same.
    """
    count = optional_column(frame, "_interval_count").cast(pl.Int64).fill_null(1)
    unit = pl.col("_interval_unit")
    months = unit.replace_strict(_MONTHS, default=None, return_dtype=pl.Float64) * count
    kept = pl.lit(None, pl.String)
    for (u, c), name in _KEPT.items():
        kept = pl.when((unit == u) & (count == c)).then(pl.lit(name)).otherwise(kept)
    gross = pl.col("amount_minor") * pl.col("quantity").fill_null(1)
    discount = 1 - optional_column(frame, "_percent_off").cast(pl.Float64).fill_null(0) / 100
    total = (gross * discount).round(0).cast(pl.Int64)
    out = frame.with_columns(
        kept.fill_null("month").alias("billing_interval"),
        pl.when(kept.is_not_null())
        .then(total)
        .otherwise((total / months).round(0).cast(pl.Int64))
        .alias("amount_minor"),
        pl.coalesce(
            pl.col("period_end"),
            pl.when(pl.col("status") == "canceled").then(optional_column(frame, "_canceled_at")),
        ).alias("period_end"),
    )
    trial_end = optional_column(out, "_trial_end")
    ended_in_trial = pl.col("period_end").is_not_null() & (pl.col("period_end") <= trial_end)
    out = out.with_columns(
        pl.when(trial_end.is_not_null() & ended_in_trial)
        .then(pl.lit("trialing"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    split = (
        trial_end.is_not_null()
        & (pl.col("status") != "trialing")
        & (trial_end > pl.col("period_start"))
    )
    trials = out.filter(split).with_columns(
        pl.lit("trialing").alias("status"), trial_end.alias("period_end")
    )
    paid = out.with_columns(
        pl.when(split).then(trial_end).otherwise(pl.col("period_start")).alias("period_start")
    )
    ended = pl.col("period_end")
    paid = paid.with_columns(
        pl.when((pl.col("status") == "canceled") & ended.is_not_null())
        .then(pl.lit("active"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    current = optional_column(paid, CURRENT_START)
    lately = (
        pl.col("status").is_in(SINCE_THIS_PERIOD)
        & (current > pl.col("period_start"))
        & (ended.is_null() | (ended > current))
    )
    before = paid.filter(lately).with_columns(
        pl.lit("active").alias("status"), current.alias("period_end")
    )
    paid = paid.with_columns(
        pl.when(lately).then(current).otherwise(pl.col("period_start")).alias("period_start")
    )
    scheduled = (optional_column(paid, "_cancel_at_period_end") == 1) & ended.is_null()
    set_to_end = optional_column(paid, SET_TO_END_ON)
    paid = paid.with_columns(
        pl.coalesce(
            pl.when(scheduled).then(optional_column(paid, "_current_end")), set_to_end
        ).alias("cancel_at"),
        pl.when(scheduled | set_to_end.is_not_null())
        .then(optional_column(paid, "_canceled_at"))
        .alias("cancel_requested_at"),
    )
    # The periods before the current one (a trial that turned paid, the paying ones before
    # a status of now) ended by going on: no reason to end, no cancellation asked.
    cleared = [c for c in ("cancel_reason",) if c in out.columns]
    cleared += ["cancel_at", "cancel_requested_at"]
    earlier = pl.concat([trials, before]).with_columns(
        pl.lit(None, pl.String).alias(c) for c in cleared
    )
    return pl.concat([earlier, paid]).sort("__row", "period_start")


# A CRM's free-text loss reason -> ours, by the first word pattern that fits.
_LOST_REASONS = (
    (r"price|pric|expensive|cost", "price"),
    (r"budget|fund", "budget"),
    (r"compet|chose|went with|switched", "competitor"),
    (r"timing|later|next (year|quarter)|not now", "timing"),
    (r"feature|product|missing|integration|fit", "product_gap"),
    (r"no decision|dark|unresponsive|ghost|no response|stalled", "no_decision"),
    (r"champion|left the company|sponsor", "champion_left"),
)


def lost_reason(text: pl.Expr) -> pl.Expr:
    """'Too expensive' -> 'price'; 'Went with Competitor X' -> 'competitor'; any other
    text -> 'other'; empty stays empty."""
    s = text.str.to_lowercase()
    out = pl.when(s.is_not_null()).then(pl.lit("other"))
    for pattern, reason in reversed(_LOST_REASONS):
        out = pl.when(s.str.contains(pattern)).then(pl.lit(reason)).otherwise(out)
    return out


def crm_stage(word: pl.Expr) -> pl.Expr:
    """a stage of your own pipeline is kept as written (lower case); one named 'won' or
    'lost' ('Won - signed', 'Closed lost (no budget)') closes the deal that way"""
    return (
        pl.when(word.str.contains(r"\blost\b"))
        .then(pl.lit("closed_lost"))
        .when(word.str.contains(r"\bwon\b"))
        .then(pl.lit("closed_won"))
        .when(word != "")
        .then(word)
    )


# The company a deal is with: the company column, else the deal's name stands in.
DEAL_MADE_OF = {"company_name": ("ext_name",)}


def deal_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A CRM deal -> a deals row: the company's name (else the deal's), the loss reason
    in our words, stage_reached for lost deals left to the CRM's history (unknown). The
    CRM's own closed and won flags (_is_closed, _is_won), when the file has them, say how
    a deal ended whatever its stage is called in the team's pipeline."""
    closed, won = optional_column(frame, "_is_closed"), optional_column(frame, "_is_won")
    ended = (
        pl.when(won == 1)
        .then(pl.lit("closed_won"))
        .when((closed == 1) & (won == 0))  # closed, and not won (not: won unknown)
        .then(pl.lit("closed_lost"))
    )
    return frame.with_columns(
        pl.coalesce(ended, pl.col("stage")).alias("stage"),
        pl.coalesce(optional_column(frame, "ext_name"), pl.col("_deal_name")).alias("company_name"),
        lost_reason(optional_column(frame, "_lost_reason_text").cast(pl.String)).alias(
            "lost_reason"
        ),
    )


def companies(
    source: str,
    name: str,
    fields: tuple[Field, ...],
    *,
    precedence: int,
    description: str,
    sources: tuple[str, ...],
    signature: tuple[str, ...] = (),
    evidence: tuple[str, ...] = (),
    not_with: tuple[str, ...] = (),
    transform: Callable[[pl.DataFrame], pl.DataFrame] = account_rows,
    made_of: dict[str, tuple[str, ...]] | None = None,
) -> FileFormat:
    """A tool's file of companies: each row becomes an account, or joins (and fills in
    the empty fields of) the account it matches. ``transform`` makes its accounts rows
    (account_rows, or one that ends with it)."""
    return FileFormat(
        name=name,
        source=source,
        table="accounts",
        key=("ext_id",),
        identity=Identity(creates=True),
        precedence=precedence,
        transform=transform,
        # without a name column, a new account is named by its description, email or id
        made_of={"name": ("ext_name",), **(made_of or {})},
        sources=sources,
        description=description,
        fields=fields,
        signature=signature,
        evidence=evidence,
        not_with=not_with,
    )


def ticket_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A help-desk row -> a tickets row: the requester is the matched email; CSAT a number."""
    return frame.with_columns(
        pl.col("ext_email").alias("requester_email"),
        pl.col("csat").cast(pl.Int64),
    )
