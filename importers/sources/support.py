"""Help-desk exports: Zendesk tickets and Intercom conversations (both become tickets).

Zendesk: the CSV export of tickets (Admin Center > Account > Tools > Reports export, or a
view exported as CSV): 'Id', 'Requester email', 'Organization', 'Status', 'Priority',
'Created at', 'Solved at', 'Satisfaction Score' ('Good', 'Bad', 'Offered',
'Unoffered'). Intercom: the conversations CSV export ('Conversation ID', 'Company name',
'User email', 'State', 'Conversation rating' 1-5). docs/formats.md cites the sources.
"""

from __future__ import annotations

import polars as pl

from importers.sources.common import ext_domain, ext_email, ext_id, ext_name
from importers.spec import Field, FileFormat, Identity
from importers.values import ID, INT, LOWER, TEXT, TOOL_INSTANT

ZENDESK_SOURCES = (
    "Zendesk Help, 'Exporting data to a CSV file' and 'Ticket fields' (status: new, open, "
    "pending, hold, solved, closed; priority: low, normal, high, urgent; satisfaction "
    "rating: offered, unoffered, good, bad)",
)
INTERCOM_SOURCES = (
    "Intercom Help, 'Export your conversation data' (CSV: conversation id, started/closed "
    "times, state, rating, the contact's email and company)",
)


def _ticket_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("ext_email").alias("requester_email"),
        pl.col("csat").cast(pl.Int64),
    )


ZENDESK_TICKETS = FileFormat(
    name="tickets",
    source="zendesk",
    table="tickets",
    key=("source_id",),
    identity=Identity(),
    transform=_ticket_rows,
    signature=("Id", "Requester email", "Status", "Created at"),
    sources=ZENDESK_SOURCES,
    description="Zendesk tickets, matched to accounts by organisation and requester.",
    fields=(
        Field("Id", "source_id", ID, required=True, aliases=("Ticket ID",)),
        ext_email("Requester email", "Requester Email Address"),
        ext_domain("Requester domain"),
        ext_name("Organization", "Organization name"),
        Field("Subject", "subject", TEXT),
        Field(
            "Status",
            "status",
            LOWER,
            required=True,
            values={
                "new": "new",
                "open": "open",
                "pending": "pending",
                "hold": "hold",
                "on-hold": "hold",
                "solved": "solved",
                "closed": "closed",
            },
        ),
        Field(
            "Priority",
            "priority",
            LOWER,
            values={"low": "low", "normal": "normal", "high": "high", "urgent": "urgent", "-": ""},
        ),
        Field("Created at", "created_at", TOOL_INSTANT, required=True),
        Field("Solved at", "solved_at", TOOL_INSTANT),
        Field(
            "Satisfaction Score",
            "csat",
            LOWER,
            aliases=("Satisfaction rating",),
            values={"good": "5", "bad": "1", "offered": "", "unoffered": "", "-": ""},
            doc="Good counts as 5, Bad as 1 (our CSAT is 1-5).",
        ),
    ),
)

INTERCOM_CONVERSATIONS = FileFormat(
    name="conversations",
    source="intercom",
    table="tickets",
    key=("source_id",),
    identity=Identity(),
    transform=_ticket_rows,
    sources=INTERCOM_SOURCES,
    description="Intercom conversations, as support tickets.",
    fields=(
        Field("Conversation ID", "source_id", ID, required=True),
        ext_id("Company ID", doc="Intercom company id."),
        ext_name("Company name", "Company"),
        ext_email("User email", "Contact email", "Email"),
        Field("Conversation title", "subject", TEXT, aliases=("Subject", "Title")),
        Field(
            "State",
            "status",
            LOWER,
            required=True,
            aliases=("Status",),
            values={"open": "open", "snoozed": "pending", "closed": "solved"},
        ),
        Field(
            "Priority",
            "priority",
            LOWER,
            values={"priority": "high", "not_priority": "normal", "not priority": "normal"},
        ),
        Field(
            "Conversation started at",
            "created_at",
            TOOL_INSTANT,
            required=True,
            aliases=("Created at", "Started at"),
        ),
        Field(
            "Conversation closed at",
            "solved_at",
            TOOL_INSTANT,
            aliases=("Last closed at", "Closed at"),
        ),
        Field("Conversation rating", "csat", INT, low=1, high=5, aliases=("Rating",)),
    ),
)

FORMATS = (ZENDESK_TICKETS, INTERCOM_CONVERSATIONS)
