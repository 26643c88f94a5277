"""Intercom conversation exports, as support tickets: 'Conversation ID', 'Company name',
'User email', 'State', 'Conversation rating' 1-5."""

from __future__ import annotations

from importers.sources.common import ext_email, ext_id, ext_name, ticket_rows
from importers.spec import Field, FileFormat, Identity
from importers.values import ID, INT, LOWER, TEXT, TOOL_INSTANT

SOURCES = (
    "Intercom Help, 'Export your conversation data' (CSV: conversation id, started/closed "
    "times, state, rating, the contact's email and company)",
)

INTERCOM_CONVERSATIONS = FileFormat(
    name="conversations",
    source="intercom",
    table="tickets",
    key=("source_id",),
    identity=Identity(),
    transform=ticket_rows,
    sources=SOURCES,
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

FORMATS = (INTERCOM_CONVERSATIONS,)
