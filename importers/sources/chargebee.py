"""Chargebee exports: customers, subscriptions and invoices.

Headers as Chargebee's "Export" (Customers, Subscriptions, Invoices) writes them, with amounts in
major units, and the same fields under their API names ('subscription.plan_unit_price'),
with amounts in cents as the API gives them; docs/formats.md cites the sources. Statuses
in Chargebee's words ('in_trial', 'non_renewing', 'cancelled', 'payment_due', 'not_paid',
'voided').
"""

from __future__ import annotations

import polars as pl

from importers.sources.common import (
    SET_TO_END_ON,
    account_rows,
    amount,
    companies,
    currency,
    ext_email,
    ext_id,
    ext_name,
    full_name,
    optional_column,
    subscription_periods,
)
from importers.spec import CURRENT_START, Field, FileFormat, Identity
from importers.values import ID, INT, LOWER, PERCENT, TEXT, TOOL_DATE, TOOL_INSTANT

SOURCE = "chargebee"
SOURCES = (
    "Chargebee Docs, 'Exporting data' (Customers, Subscriptions and Invoices exports), the "
    "Export API's customer fields (customer.id, first_name, last_name, email, company, "
    "created_at) and the API reference of Subscription (status: future, in_trial, active, "
    "non_renewing, paused, cancelled; billing_period, billing_period_unit; cancelled_at, the "
    "time it was or is set to be cancelled; cancel_schedule_created_at) and Invoice (status: "
    "paid, posted, payment_due: not collected, being retried; not_paid: every attempt "
    "failed; voided, pending)",
)


def _customer_fields() -> tuple[Field, ...]:
    return (
        ext_id("Customer Id", "subscription.customer_id", "invoice.customer_id", "Customer"),
        ext_email("Customer Email", "customer.email"),
        ext_name("Customer Company", "customer.company", "Company"),
    )


def _customer_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A customer without a company is named for the person (first and last name)."""
    person = full_name(optional_column(frame, "_first_name"), optional_column(frame, "_last_name"))
    return account_rows(frame.with_columns(person.alias("_description")))


CUSTOMERS = companies(
    SOURCE,
    "customers",
    (
        ext_id("Customer Id", "customer.id", required=True, doc="Chargebee customer id."),
        Field("First Name", "_first_name", TEXT, aliases=("customer.first_name",)),
        Field("Last Name", "_last_name", TEXT, aliases=("customer.last_name",)),
        ext_email("Email", "customer.email"),
        ext_name("Company", "customer.company"),
        Field(
            "Created At",
            "created_at",
            TOOL_DATE,
            required=True,
            aliases=("customer.created_at",),
            doc="Customer since.",
        ),
    ),
    precedence=1,
    description=(
        "Chargebee customers: each becomes an account (named for its company, else the "
        "person), or joins the account it matches."
    ),
    sources=SOURCES,
    signature=("Customer Id", "Email", "Created At"),
    transform=_customer_rows,
)

# A subscription its customer set to end with its term: Chargebee's non_renewing, whose
# Cancelled At is the day it will end and Cancel Schedule Created At the day they asked.
NON_RENEWING = " (non-renewing)"


def _subscription_rows(frame: pl.DataFrame) -> pl.DataFrame:
    set_to_end = pl.col("status").str.ends_with(NON_RENEWING)
    return subscription_periods(
        frame.with_columns(
            pl.col("status").str.strip_suffix(NON_RENEWING),
            pl.when(set_to_end).then(pl.col("period_end")).alias(SET_TO_END_ON),
        )
    )


SUBSCRIPTIONS = FileFormat(
    name="subscriptions",
    source=SOURCE,
    table="subscription_periods",
    key=("subscription_id", "period_start"),
    identity=Identity(),
    transform=_subscription_rows,
    made_of={"cancel_at": ("status",), "cancel_requested_at": ("status",)},
    sources=SOURCES,
    description=(
        "Chargebee subscriptions: MRR periods, trials split off, future ones left out; one "
        "set to end (non_renewing) is a churn-risk signal from the day the customer asked."
    ),
    fields=(
        Field(
            "Subscription Id", "subscription_id", ID, required=True, aliases=("subscription.id",)
        ),
        *_customer_fields(),
        Field(
            "Plan Id",
            "plan",
            TEXT,
            required=True,
            aliases=("subscription.plan_id", "Item Price Id", "Plan"),
        ),
        Field(
            "Status",
            "status",
            LOWER,
            required=True,
            aliases=("subscription.status",),
            values={
                "in_trial": "trialing",
                "active": "active",
                "non_renewing": "active" + NON_RENEWING,
                "paused": "paused",
                "cancelled": "canceled",
            },
            skip={"future": "not started yet (future)"},
        ),
        Field(
            "Billing Period",
            "_interval_count",
            INT,
            low=1,
            default="1",
            aliases=("subscription.billing_period",),
        ),
        Field(
            "Billing Period Unit",
            "_interval_unit",
            LOWER,
            required=True,
            aliases=("subscription.billing_period_unit",),
            values={"day": "day", "week": "week", "month": "month", "year": "year"},
        ),
        amount(
            "Plan Unit Price",
            "amount_minor",
            "Unit Price",
            required=True,
            cents_aliases=("subscription.plan_unit_price",),
        ),
        Field(
            "Plan Quantity",
            "quantity",
            INT,
            low=0,
            default="1",
            aliases=("subscription.plan_quantity", "Quantity"),
        ),
        currency("Currency Code", "subscription.currency_code", "Currency"),
        Field(
            "Discount Percentage",
            "_percent_off",
            PERCENT,
            low=0,
            high=100,
            aliases=("Coupon Discount Percentage",),
        ),
        Field(
            "Started At",
            "period_start",
            TOOL_DATE,
            required=True,
            aliases=("subscription.started_at", "Activated At", "Created At"),
        ),
        Field(
            "Current Term Start",
            CURRENT_START,
            TOOL_DATE,
            aliases=("subscription.current_term_start",),
            doc="Where a new price starts when it changed since the last import.",
        ),
        Field(
            "Cancelled At",
            "period_end",
            TOOL_DATE,
            aliases=("subscription.cancelled_at",),
            doc="When it ended, or (non_renewing) will end.",
        ),
        Field(
            "Cancel Schedule Created At",
            "_canceled_at",
            TOOL_DATE,
            aliases=("subscription.cancel_schedule_created_at",),
            doc="The day the customer asked to end it: a churn-risk signal from then.",
        ),
        Field("Cancel Reason", "cancel_reason", LOWER, aliases=("subscription.cancel_reason",)),
        Field("Trial End", "_trial_end", TOOL_DATE, aliases=("subscription.trial_end",)),
    ),
)

# An invoice Chargebee failed to collect: payment_due (collecting failed; its retries are
# running) and not_paid (every retry failed). Its invoices export has no charges to tell a
# failure by, so the status is the failure, from the due day (_invoice_rows).
FAILED = " (collection failed)"


def _invoice_rows(frame: pl.DataFrame) -> pl.DataFrame:
    failed = pl.col("status").str.ends_with(FAILED)
    due = pl.coalesce(pl.col("due_at"), pl.col("issued_at").str.slice(0, 10))
    return frame.with_columns(
        pl.when(failed).then(due).alias("collection_failed_on"),
        pl.col("status").str.strip_suffix(FAILED),
    )


INVOICES = FileFormat(
    name="invoices",
    source=SOURCE,
    table="invoices",
    key=("source_id",),
    identity=Identity(),
    signature=("Invoice Number", "Customer Id", "Status"),
    sources=SOURCES,
    description="Chargebee invoices: one it failed to collect (payment_due, not_paid) counts as "
    "a failed payment from its due day.",
    transform=_invoice_rows,
    made_of={"collection_failed_on": ("status",)},  # paid since: no longer failing
    fields=(
        Field(
            "Invoice Number", "source_id", ID, required=True, aliases=("invoice.id", "Invoice Id")
        ),
        *_customer_fields(),
        Field("Subscription Id", "subscription_id", ID, aliases=("invoice.subscription_id",)),
        amount("Amount", "amount_minor", "Total", required=True, cents_aliases=("invoice.total",)),
        currency("Currency Code", "invoice.currency_code", "Currency"),
        Field(
            "Status",
            "status",
            LOWER,
            required=True,
            aliases=("invoice.status",),
            values={
                "paid": "paid",
                "posted": "open",
                "payment_due": "open" + FAILED,
                "not_paid": "uncollectible" + FAILED,
                "voided": "void",
                "pending": "draft",
            },
        ),
        Field(
            "Invoice Date",
            "issued_at",
            TOOL_INSTANT,
            required=True,
            aliases=("invoice.date", "Date"),
        ),
        Field("Due Date", "due_at", TOOL_DATE, aliases=("invoice.due_date",)),
        Field("Paid At", "paid_at", TOOL_INSTANT, aliases=("invoice.paid_at",)),
    ),
)

FORMATS = (CUSTOMERS, SUBSCRIPTIONS, INVOICES)
