"""Stripe Dashboard exports: customers, subscriptions, invoices and payments.

Column names and values as the Dashboard's "Export" writes them (docs/formats.md cites
the sources): times in columns named "... (UTC)" as '2024-03-14 09:30', amounts in major
units ('49.00'), currency codes in lower case ('usd'), statuses in Stripe's API words.
"""

from __future__ import annotations

import polars as pl

from importers.sources.common import (
    amount,
    companies,
    currency,
    ext_email,
    ext_id,
    ext_name,
    optional_column,
    subscription_periods,
)
from importers.spec import CURRENT_START, Field, FileFormat, Identity, Reference
from importers.values import (
    BOOL,
    ID,
    INT,
    LOWER,
    PERCENT,
    TEXT,
    TOOL_DATE,
    TOOL_INSTANT,
    month_end,
)

SOURCE = "stripe"
SOURCES = (
    "Stripe Docs, 'Export data from the Dashboard' and the API reference of Customer, "
    "Subscription, Invoice and Charge (status values)",
    "Dashboard export headers as parsed by public projects, e.g. payments: 'id,Description,"
    "Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,...,"
    "Customer ID,Customer Description,Customer Email,...'; customers: 'id,Description,Email,"
    "Name,Created (UTC),Delinquent,Plan,Status,Total Spend,Payment Count,...'",
)


def _customer_fields() -> tuple[Field, ...]:
    return (
        ext_id("Customer ID", "Customer", doc="Stripe customer id (cus_...)."),
        ext_email("Customer Email"),
        ext_name("Customer Name", "Customer Description"),
    )


CUSTOMERS = companies(
    SOURCE,
    "customers",
    (
        ext_id("id", required=True, doc="Stripe customer id (cus_...)."),
        ext_name("Name"),
        Field("Description", "_description", TEXT, doc="Used as the name when Name is empty."),
        ext_email("Email"),
        Field("Created (UTC)", "created_at", TOOL_DATE, required=True, doc="Customer since."),
        Field("Plan", "plan", TEXT, doc="Current plan."),
    ),
    precedence=1,
    description="Stripe customers: each becomes an account, or joins the account it matches.",
    sources=SOURCES,
    signature=("id", "Email", "Created (UTC)"),
)

SUBSCRIPTION_STATUS = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "past due": "past_due",
    "unpaid": "unpaid",
    "paused": "paused",
    "canceled": "canceled",
    "cancelled": "canceled",
}

SUBSCRIPTIONS = FileFormat(
    name="subscriptions",
    source=SOURCE,
    table="subscription_periods",
    key=("subscription_id", "period_start"),
    identity=Identity(),
    transform=subscription_periods,
    made_of={
        "cancel_at": ("_cancel_at_period_end",),
        "cancel_requested_at": ("_cancel_at_period_end",),
    },
    sources=SOURCES,
    description=(
        "Stripe subscriptions (one row each, at its current price): MRR periods, a trial "
        "split off, never-paid ones left out."
    ),
    fields=(
        Field("id", "subscription_id", ID, required=True, doc="sub_..."),
        *_customer_fields(),
        Field("Plan", "plan", TEXT, aliases=("Product", "Price ID"), default="(no plan name)"),
        Field(
            "Status",
            "status",
            LOWER,
            required=True,
            values=SUBSCRIPTION_STATUS,
            skip={
                "incomplete": "first payment not made (incomplete)",
                "incomplete_expired": "never paid (incomplete_expired)",
            },
        ),
        Field(
            "Interval",
            "_interval_unit",
            LOWER,
            required=True,
            aliases=("Plan Interval", "Price Interval"),
            values={"day": "day", "week": "week", "month": "month", "year": "year"},
        ),
        Field(
            "Interval Count",
            "_interval_count",
            INT,
            low=1,
            aliases=("Plan Interval Count",),
            default="1",
        ),
        amount("Amount", "amount_minor", "Plan Amount", "Price", required=True),
        Field("Quantity", "quantity", INT, low=0, default="1"),
        currency(),
        Field(
            "Percent Off",
            "_percent_off",
            PERCENT,
            low=0,
            high=100,
            aliases=("Coupon Percent Off",),
            doc="Discount, percent (from the coupon).",
        ),
        Field(
            "Start Date (UTC)",
            "period_start",
            TOOL_DATE,
            required=True,
            aliases=("Start (UTC)", "Created (UTC)"),
        ),
        Field(
            "Current Period Start (UTC)",
            CURRENT_START,
            TOOL_DATE,
            doc="Where a new price starts when it changed since the last import.",
        ),
        Field("Current Period End (UTC)", "_current_end", TOOL_DATE),
        Field(
            "Cancel At Period End",
            "_cancel_at_period_end",
            BOOL,
            doc="Set to end when its current period does: a churn-risk signal until then.",
        ),
        Field("Ended At (UTC)", "period_end", TOOL_DATE),
        Field("Canceled At (UTC)", "_canceled_at", TOOL_DATE),
        Field("Cancellation Reason", "cancel_reason", LOWER),
        Field("Trial End (UTC)", "_trial_end", TOOL_DATE),
    ),
)

INVOICE_STATUS = {
    "draft": "draft",
    "open": "open",
    "paid": "paid",
    "void": "void",
    "uncollectible": "uncollectible",
}

AUTOMATIC = "charge_automatically"  # Stripe's collection method that charges the card


def _invoice_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """An unpaid invoice Stripe charged automatically and has tried to collect (Attempt
    Count) failed to collect from its day: the failure even when the payments export is
    not imported (its charges, when they are, say more)."""
    tried = optional_column(frame, "_attempt_count").cast(pl.Int64).fill_null(0) > 0
    automatic = optional_column(frame, "_collection").fill_null(AUTOMATIC) == AUTOMATIC
    unpaid = pl.col("status").is_in(["open", "uncollectible"])
    return frame.with_columns(
        pl.when(tried & automatic & unpaid)
        .then(pl.col("issued_at").str.slice(0, 10))
        .alias("collection_failed_on")
    )


INVOICES = FileFormat(
    name="invoices",
    source=SOURCE,
    table="invoices",
    key=("source_id",),
    identity=Identity(),
    signature=("id", "Customer ID", "Date (UTC)", "Total", "Status"),
    sources=SOURCES,
    description="Stripe invoices: an unpaid one Stripe has tried to charge is a failed payment.",
    transform=_invoice_rows,
    made_of={"collection_failed_on": ("_attempt_count",)},
    fields=(
        Field("id", "source_id", ID, required=True, doc="in_..."),
        *_customer_fields(),
        Field("Subscription", "subscription_id", ID, aliases=("Subscription ID",)),
        amount("Total", "amount_minor", "Amount Due", required=True),
        currency(),
        Field("Status", "status", LOWER, required=True, values=INVOICE_STATUS),
        Field(
            "Date (UTC)",
            "issued_at",
            TOOL_INSTANT,
            required=True,
            aliases=("Created (UTC)", "Finalized At (UTC)"),
        ),
        Field("Due Date (UTC)", "due_at", TOOL_DATE),
        Field("Paid At (UTC)", "paid_at", TOOL_INSTANT),
        Field(
            "Attempt Count",
            "_attempt_count",
            INT,
            low=0,
            doc="Tries to charge it: unpaid after one, a failed payment.",
        ),
        Field("Billing", "_collection", LOWER, aliases=("Collection Method",)),
    ),
)


def _payment_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Stripe's 'Seller Message' explains every charge; keep it only for failures. The
    card's expiry comes as a month and a year column."""
    return frame.with_columns(
        pl.when(pl.col("outcome") == "failed")
        .then(pl.col("failure_reason").str.strip_chars(" ."))
        .alias("failure_reason"),
        month_end(
            optional_column(frame, "_card_exp_year"), optional_column(frame, "_card_exp_month")
        ).alias("card_expires_on"),
    )


PAYMENTS = FileFormat(
    name="payments",
    source=SOURCE,
    table="payment_attempts",
    key=("source_id",),
    identity=Identity(),
    transform=_payment_rows,
    references=(
        Reference(
            "invoice_id",
            "invoices",
            "source_id",
            same_source=True,
            hint="import the Stripe invoices export too",
        ),
    ),
    signature=("id", "Created (UTC)", "Amount", "Amount Refunded", "Currency", "Status"),
    sources=SOURCES,
    description="Stripe payments (charges) of invoices: successes and failures.",
    fields=(
        Field("id", "source_id", ID, required=True, doc="ch_... or py_..."),
        *_customer_fields(),
        Field(
            "Invoice ID",
            "invoice_id",
            ID,
            required=True,
            aliases=("Invoice",),
            skip={"": "not an invoice payment (no Invoice ID)"},
        ),
        Field("Created (UTC)", "attempted_at", TOOL_INSTANT, required=True),
        amount("Amount", "amount_minor", required=True),
        currency(),
        Field(
            "Status",
            "outcome",
            LOWER,
            required=True,
            values={
                "paid": "succeeded",
                "succeeded": "succeeded",
                "refunded": "succeeded",
                "partially refunded": "succeeded",
                "disputed": "succeeded",
                "failed": "failed",
            },
            skip={"pending": "not settled yet (pending)", "canceled": "never captured (canceled)"},
        ),
        Field(
            "Decline Reason",
            "failure_reason",
            LOWER,
            aliases=("Seller Message", "Failure Code"),
        ),
        Field("Card Exp Month", "_card_exp_month", INT, low=1, high=12),
        Field("Card Exp Year", "_card_exp_year", INT, low=2000, high=2100),
    ),
)

FORMATS = (CUSTOMERS, SUBSCRIPTIONS, INVOICES, PAYMENTS)
