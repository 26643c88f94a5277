"""The canonical CSV format: one layout per entity (docs/canonical-format.md documents it).

Any tool's export can be turned into these files by hand or by script; retention's own
sample data is written in them.
"""

from __future__ import annotations

from db.work import DIRECTIONS, SENTIMENTS, TOUCH_KINDS
from importers.spec import Field, FileFormat, Reference
from importers.values import (
    BOOL,
    CARD_EXPIRY,
    CURRENCY,
    DATE,
    DECIMAL,
    EMAIL,
    ID,
    INSTANT,
    INT,
    LOWER,
    MONEY,
    TAGS,
    TEXT,
)

SOURCE = "canonical"
SEGMENTS = ("smb", "mid_market", "enterprise")
STAGES = ("discovery", "demo", "proposal", "negotiation", "closed_won", "closed_lost")
ACCOUNT = Reference("account_id", "accounts", "account_id", hint="import accounts.csv first")


def _account_id(required: bool = True) -> Field:
    return Field(
        "account_id",
        "account_id",
        ID,
        required=required,
        doc="The account this row belongs to (an account_id from accounts.csv).",
        example="acc_0042",
    )


def _currency() -> Field:
    return Field(
        "currency",
        "currency",
        CURRENCY,
        default="USD",
        doc="ISO 4217 code of the amounts in the row; USD when empty.",
        example="USD",
    )


def _money(column: str, target: str, doc: str, example: str, required: bool = False) -> Field:
    return Field(
        column,
        target,
        MONEY,
        required=required,
        currency_from="currency",
        doc=doc,
        example=example,
    )


ACCOUNTS = FileFormat(
    name="accounts",
    source=SOURCE,
    table="accounts",
    key=("account_id",),
    description="One row per customer company.",
    fields=(
        Field(
            "account_id",
            "account_id",
            ID,
            required=True,
            doc="Your id for the account; other files refer to it.",
            example="acc_0042",
        ),
        Field("name", "name", TEXT, required=True, doc="Company name.", example="Acme Corp"),
        Field("domain", "domain", LOWER, doc="Company web domain.", example="acme.com"),
        Field(
            "segment",
            "segment",
            LOWER,
            choices=SEGMENTS,
            doc="Customer segment.",
            example="mid_market",
        ),
        Field("plan", "plan", TEXT, doc="Current plan name.", example="growth"),
        Field(
            "owner",
            "owner",
            TEXT,
            doc="The CSM or founder who owns the account.",
            example="Dana Lee",
        ),
        Field("industry", "industry", TEXT, doc="Industry.", example="Logistics"),
        Field("employees", "employees", INT, low=0, doc="Head count.", example="120"),
        Field(
            "created_at",
            "created_at",
            DATE,
            required=True,
            doc="When the account became a customer (or signed up).",
            example="2024-03-14",
        ),
        Field(
            "renewal_date",
            "renewal_date",
            DATE,
            doc="Next contract renewal date.",
            example="2026-03-14",
        ),
        _money(
            "contract_value",
            "contract_value_minor",
            "Annual contract value, in major units.",
            "24000.00",
        ),
        _currency(),
        Field(
            "prospect",
            "prospect",
            BOOL,
            doc="true for a company that is not a customer yet (a lead or an open opportunity "
            "in your CRM): kept with its contacts and deals, not scored until a subscription "
            "bills it.",
            example="false",
        ),
    ),
)

CONTACTS = FileFormat(
    name="contacts",
    source=SOURCE,
    table="contacts",
    key=("source_id",),
    references=(ACCOUNT,),
    description="People at customer accounts: champions, decision makers, users.",
    fields=(
        Field(
            "contact_id",
            "source_id",
            ID,
            required=True,
            doc="Your id for the contact.",
            example="con_0100",
        ),
        _account_id(),
        Field("name", "name", TEXT, doc="Full name.", example="Ana Ruiz"),
        Field("email", "email", EMAIL, doc="Email address.", example="ana@acme.com"),
        Field("role", "role", TEXT, doc="Job title or role.", example="VP Operations"),
        Field(
            "is_champion",
            "is_champion",
            BOOL,
            default="false",
            doc="Is this person your champion inside the account?",
            example="true",
        ),
        Field(
            "champion_strength",
            "champion_strength",
            LOWER,
            choices=("strong", "moderate", "weak"),
            doc="How strong the champion is (champions only).",
            example="strong",
        ),
        Field(
            "is_decision_maker",
            "is_decision_maker",
            BOOL,
            default="false",
            doc="Signs or approves the contract.",
            example="false",
        ),
        Field("created_at", "created_at", DATE, doc="First seen.", example="2024-03-20"),
        Field(
            "left_company_at",
            "left_company_at",
            DATE,
            doc="When the person left the customer's company (empty while there).",
            example="",
        ),
    ),
)

SUBSCRIPTIONS = FileFormat(
    name="subscriptions",
    source=SOURCE,
    table="subscription_periods",
    key=("subscription_id", "period_start"),
    references=(ACCOUNT,),
    description=(
        "One row per stretch of time in which a subscription kept the same price: a new row "
        "starts at every upgrade, downgrade, pause or cancellation."
    ),
    fields=(
        Field(
            "subscription_id",
            "subscription_id",
            ID,
            required=True,
            doc="Your id for the subscription.",
            example="sub_0042",
        ),
        _account_id(),
        Field("plan", "plan", TEXT, required=True, doc="Plan name.", example="growth"),
        Field(
            "status",
            "status",
            LOWER,
            required=True,
            choices=("trialing", "active", "past_due", "unpaid", "paused", "canceled"),
            doc="Status during the period.",
            example="active",
        ),
        Field(
            "interval",
            "billing_interval",
            LOWER,
            required=True,
            choices=("week", "month", "quarter", "year"),
            doc="Billing interval of amount.",
            example="month",
        ),
        _money(
            "amount",
            "amount_minor",
            "Recurring amount charged per interval, after discounts, before tax.",
            "490.00",
            required=True,
        ),
        Field(
            "quantity",
            "quantity",
            INT,
            low=1,
            default="1",
            doc="Seats or units (informational; amount is already the total).",
            example="10",
        ),
        _currency(),
        Field(
            "period_start",
            "period_start",
            DATE,
            required=True,
            doc="First day of the period.",
            example="2024-03-14",
        ),
        Field(
            "period_end",
            "period_end",
            DATE,
            doc="Day the period ended (exclusive); empty while it goes on.",
            example="",
        ),
        Field(
            "cancel_reason",
            "cancel_reason",
            LOWER,
            doc="Why it ended: payment_failed, not_paid or no_card count as involuntary churn "
            "(failed payments); anything else (cancellation_requested) as the customer's choice.",
            example="",
        ),
        Field(
            "cancel_at",
            "cancel_at",
            DATE,
            doc="Day a running subscription is set to end (the customer has asked to cancel): "
            "a churn-risk signal (cancel_terms) until then.",
            example="",
        ),
        Field(
            "cancel_requested_at",
            "cancel_requested_at",
            DATE,
            doc="Day the customer asked to cancel; the signal starts then (needed with cancel_at).",
            example="",
        ),
    ),
)

INVOICES = FileFormat(
    name="invoices",
    source=SOURCE,
    table="invoices",
    key=("source_id",),
    references=(ACCOUNT,),
    description="Invoices issued to accounts.",
    fields=(
        Field(
            "invoice_id",
            "source_id",
            ID,
            required=True,
            doc="Your id for the invoice.",
            example="inv_1001",
        ),
        _account_id(),
        Field(
            "subscription_id", "subscription_id", ID, doc="Subscription billed.", example="sub_0042"
        ),
        _money("amount", "amount_minor", "Amount due.", "490.00", required=True),
        _currency(),
        Field(
            "status",
            "status",
            LOWER,
            required=True,
            choices=("draft", "open", "paid", "void", "uncollectible", "refunded"),
            doc="Invoice status.",
            example="paid",
        ),
        Field(
            "issued_at",
            "issued_at",
            INSTANT,
            required=True,
            doc="When issued.",
            example="2024-04-14T00:00:00Z",
        ),
        Field("due_at", "due_at", DATE, doc="Due date.", example="2024-04-14"),
        Field(
            "paid_at",
            "paid_at",
            INSTANT,
            doc="When paid in full (empty if unpaid).",
            example="2024-04-14T00:03:10Z",
        ),
        Field(
            "collection_failed_on",
            "collection_failed_on",
            DATE,
            doc="Day collecting it failed, for a billing tool with no charges to export "
            "(payments.csv): a failed payment from that day until paid.",
            example="",
        ),
    ),
)

PAYMENTS = FileFormat(
    name="payments",
    source=SOURCE,
    table="payment_attempts",
    key=("source_id",),
    references=(
        ACCOUNT,
        Reference(
            "invoice_id",
            "invoices",
            "source_id",
            same_source=True,
            hint="import invoices.csv first",
        ),
    ),
    description="Every attempt to collect an invoice: successes and failures.",
    fields=(
        Field(
            "payment_id",
            "source_id",
            ID,
            required=True,
            doc="Your id for the attempt.",
            example="pay_5001",
        ),
        Field(
            "invoice_id",
            "invoice_id",
            ID,
            required=True,
            doc="The invoice (an invoice_id from invoices.csv).",
            example="inv_1001",
        ),
        _account_id(),
        Field(
            "attempted_at",
            "attempted_at",
            INSTANT,
            required=True,
            doc="When the charge was attempted.",
            example="2024-04-14T00:03:10Z",
        ),
        _money("amount", "amount_minor", "Amount attempted.", "490.00"),
        _currency(),
        Field(
            "outcome",
            "outcome",
            LOWER,
            required=True,
            choices=("succeeded", "failed"),
            doc="Result.",
            example="failed",
        ),
        Field(
            "failure_reason",
            "failure_reason",
            LOWER,
            doc="Why it failed (card_declined, insufficient_funds, expired_card, ...).",
            example="insufficient_funds",
        ),
        Field(
            "card_expires",
            "card_expires_on",
            CARD_EXPIRY,
            doc="Expiry month of the card charged (2027-03, 03/27): cards due to expire "
            "are chased before their charge fails.",
            example="2027-03",
        ),
    ),
)

USAGE_EVENTS = FileFormat(
    name="usage_events",
    source=SOURCE,
    table="usage_events",
    key=("source_id",),
    references=(ACCOUNT,),
    description="Product usage: one row per event (logins, feature use, exports, invites...).",
    fields=(
        Field(
            "event_id",
            "source_id",
            ID,
            required=True,
            doc="Unique id of the event.",
            example="evt_000001",
        ),
        _account_id(),
        Field("user_id", "user_id", ID, doc="Who did it.", example="usr_0042_03"),
        Field(
            "event",
            "event",
            LOWER,
            required=True,
            doc="Event name (see docs/scoring.md for the names the score reads).",
            example="login",
        ),
        Field(
            "occurred_at",
            "occurred_at",
            INSTANT,
            required=True,
            doc="When.",
            example="2024-03-14T09:30:00Z",
        ),
        Field(
            "value",
            "value",
            DECIMAL,
            default="1",
            doc="Quantity (e.g. API calls, rows imported); 1 when empty.",
            example="1",
        ),
    ),
)

PLAN_LIMITS = FileFormat(
    name="plan_limits",
    source=SOURCE,
    table="plan_limits",
    key=("plan", "metric"),
    description="What each plan allows (for usage-limit and upgrade triggers).",
    fields=(
        Field("plan", "plan", TEXT, required=True, doc="Plan name.", example="growth"),
        Field(
            "metric",
            "metric",
            LOWER,
            required=True,
            doc="Event name or 'seats'.",
            example="api_call",
        ),
        Field(
            "limit", "limit_value", DECIMAL, required=True, low=0, doc="The limit.", example="10000"
        ),
        Field(
            "per",
            "per",
            LOWER,
            choices=("day", "month", "total"),
            default="month",
            doc="Window the limit applies to.",
            example="month",
        ),
    ),
)

TICKETS = FileFormat(
    name="tickets",
    source=SOURCE,
    table="tickets",
    key=("source_id",),
    references=(ACCOUNT,),
    description="Support tickets.",
    fields=(
        Field("ticket_id", "source_id", ID, required=True, doc="Ticket id.", example="tkt_301"),
        _account_id(),
        Field(
            "requester_email", "requester_email", EMAIL, doc="Who asked.", example="ana@acme.com"
        ),
        Field("subject", "subject", TEXT, doc="Subject line.", example="Export is slow"),
        Field(
            "priority",
            "priority",
            LOWER,
            choices=("low", "normal", "high", "urgent"),
            doc="Priority.",
            example="high",
        ),
        Field(
            "status",
            "status",
            LOWER,
            required=True,
            choices=("new", "open", "pending", "hold", "solved", "closed"),
            doc="Status.",
            example="solved",
        ),
        Field(
            "created_at",
            "created_at",
            INSTANT,
            required=True,
            doc="Opened.",
            example="2024-05-02T15:04:00Z",
        ),
        Field("solved_at", "solved_at", INSTANT, doc="Solved.", example="2024-05-03T10:00:00Z"),
        Field("csat", "csat", INT, low=1, high=5, doc="Satisfaction rating 1-5.", example="4"),
    ),
)

NPS = FileFormat(
    name="nps",
    source=SOURCE,
    table="nps_responses",
    key=("source_id",),
    references=(ACCOUNT,),
    description="Net Promoter Score survey responses.",
    fields=(
        Field("response_id", "source_id", ID, required=True, doc="Response id.", example="nps_77"),
        _account_id(),
        Field("email", "email", EMAIL, doc="Respondent.", example="ana@acme.com"),
        Field("score", "score", INT, required=True, low=0, high=10, doc="0-10.", example="9"),
        Field("comment", "comment", TEXT, doc="Free text.", example="Saves us hours"),
        Field(
            "responded_at",
            "responded_at",
            INSTANT,
            required=True,
            doc="When.",
            example="2024-06-01T12:00:00Z",
        ),
    ),
)

TOUCHPOINTS = FileFormat(
    name="touchpoints",
    source=SOURCE,
    table="touchpoints",
    key=("source_id",),
    references=(ACCOUNT,),
    description="Emails, calls, meetings, check-ins and QBRs with customers.",
    fields=(
        Field("touchpoint_id", "source_id", ID, required=True, doc="Id.", example="tp_900"),
        _account_id(),
        Field(
            "contact_email",
            "contact_email",
            EMAIL,
            doc="Who at the customer.",
            example="ana@acme.com",
        ),
        Field(
            "kind",
            "kind",
            LOWER,
            required=True,
            choices=TOUCH_KINDS,
            doc="What it was.",
            example="checkin",
        ),
        Field(
            "direction",
            "direction",
            LOWER,
            required=True,
            choices=DIRECTIONS,
            doc="inbound = the customer started it.",
            example="outbound",
        ),
        Field(
            "occurred_at",
            "occurred_at",
            INSTANT,
            required=True,
            doc="When it happened or was scheduled.",
            example="2024-06-03T16:00:00Z",
        ),
        Field(
            "replied_at",
            "replied_at",
            INSTANT,
            doc="When the customer replied (outbound emails).",
            example="",
        ),
        Field(
            "attended",
            "attended",
            BOOL,
            doc="Did the customer attend (meetings, check-ins, QBRs), or pick up (calls)?",
            example="true",
        ),
        Field(
            "sentiment",
            "sentiment",
            LOWER,
            choices=SENTIMENTS,
            doc="How it went.",
            example="neutral",
        ),
        Field(
            "tags",
            "tags",
            TAGS,
            doc="Topics raised: competitor, budget_cut, cancellation_terms, data_export, ...",
            example="competitor;budget_cut",
        ),
        Field("summary", "summary", TEXT, doc="Notes.", example="Asked about annual pricing"),
    ),
)

DEALS = FileFormat(
    name="deals",
    source=SOURCE,
    table="deals",
    key=("source_id",),
    references=(
        Reference("account_id", "accounts", "account_id", hint="import accounts.csv first"),
    ),
    description="CRM deals, including closed-lost ones (for win-back).",
    fields=(
        Field("deal_id", "source_id", ID, required=True, doc="Deal id.", example="deal_55"),
        _account_id(required=False),
        Field(
            "company_name", "company_name", TEXT, required=True, doc="Company.", example="Globex"
        ),
        Field("domain", "domain", LOWER, doc="Company domain.", example="globex.com"),
        Field("segment", "segment", LOWER, choices=SEGMENTS, doc="Segment.", example="smb"),
        Field(
            "stage",
            "stage",
            LOWER,
            required=True,
            choices=STAGES,
            doc="Current stage.",
            example="closed_lost",
        ),
        Field(
            "stage_reached",
            "stage_reached",
            LOWER,
            choices=STAGES[:4],
            doc="Furthest stage reached before closing.",
            example="proposal",
        ),
        _money("amount", "amount_minor", "Deal amount (annual).", "12000.00"),
        _currency(),
        Field("created_at", "created_at", DATE, doc="Opened.", example="2024-01-10"),
        Field("closed_at", "closed_at", DATE, doc="Closed.", example="2024-03-01"),
        Field(
            "lost_reason",
            "lost_reason",
            LOWER,
            choices=(
                "timing",
                "budget",
                "price",
                "product_gap",
                "competitor",
                "no_decision",
                "champion_left",
                "other",
            ),
            doc="Why it was lost.",
            example="budget",
        ),
        Field(
            "contacts_engaged",
            "contacts_engaged",
            INT,
            low=0,
            doc="People engaged in the deal.",
            example="3",
        ),
        Field(
            "company_trajectory",
            "company_trajectory",
            LOWER,
            choices=("growing", "stable", "contracting"),
            doc="How the company is doing.",
            example="growing",
        ),
        Field("owner", "owner", TEXT, doc="Deal owner.", example="Sam Park"),
    ),
)

GOALS = FileFormat(
    name="goals",
    source=SOURCE,
    table="goals",
    key=("source_id",),
    references=(ACCOUNT,),
    description="The customer's success goals and how they are going.",
    fields=(
        Field("goal_id", "source_id", ID, required=True, doc="Goal id.", example="goal_7"),
        _account_id(),
        Field(
            "title",
            "title",
            TEXT,
            required=True,
            doc="The goal.",
            example="Cut month-end close to 3 days",
        ),
        Field(
            "status",
            "status",
            LOWER,
            required=True,
            choices=("exceeding", "on_track", "behind", "unclear"),
            doc="Progress.",
            example="on_track",
        ),
        Field(
            "roi",
            "roi",
            LOWER,
            choices=("clear_positive", "probable", "unclear", "negative"),
            doc="Return on investment so far.",
            example="probable",
        ),
        Field("target_date", "target_date", DATE, doc="Target date.", example="2024-09-30"),
        Field("updated_at", "updated_at", DATE, doc="Last reviewed.", example="2024-06-30"),
    ),
)

FORMATS: tuple[FileFormat, ...] = (
    ACCOUNTS,
    CONTACTS,
    SUBSCRIPTIONS,
    INVOICES,
    PAYMENTS,
    USAGE_EVENTS,
    PLAN_LIMITS,
    TICKETS,
    NPS,
    TOUCHPOINTS,
    DEALS,
    GOALS,
)
