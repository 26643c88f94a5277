"""Zendesk ticket exports: the CSV export of tickets (Reports export, or a view exported
as CSV): 'Id', 'Requester email', 'Organization', 'Status', 'Priority', 'Created at',
'Solved at', 'Satisfaction Score' ('Good', 'Bad', 'Offered', 'Unoffered')."""

from __future__ import annotations

from importers.sources.common import ext_domain, ext_email, ext_name, ticket_rows
from importers.spec import Field, FileFormat, Identity
from importers.values import ID, LOWER, TEXT, TOOL_INSTANT

SOURCES = (
    "Zendesk Help, 'Exporting data to a CSV file' and 'Ticket fields' (status: new, open, "
    "pending, hold, solved, closed; priority: low, normal, high, urgent; satisfaction "
    "rating: offered, unoffered, good, bad)",
)

ZENDESK_TICKETS = FileFormat(
    name="tickets",
    source="zendesk",
    table="tickets",
    key=("source_id",),
    identity=Identity(),
    transform=ticket_rows,
    signature=("Id", "Requester email", "Status", "Created at"),
    sources=SOURCES,
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

FORMATS = (ZENDESK_TICKETS,)
