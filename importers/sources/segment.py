"""Segment track calls as a CSV (warehouse or storage destination): 'messageId', 'type',
'event', 'userId', 'timestamp', 'context.traits.email', 'context.groupId'."""

from __future__ import annotations

from importers.sources.events import events_format
from importers.spec import Field
from importers.values import LOWER

SEGMENT = events_format(
    "segment",
    event=("event", "name"),
    time=("timestamp", "received_at", "receivedAt"),
    user=("userId", "user_id", "anonymousId", "anonymous_id"),
    event_id=("messageId", "message_id", "id"),
    company_id=("context.groupId", "groupId", "context_group_id", "context.traits.company_id"),
    company=("context.traits.company", "context.traits.company.name", "traits.company"),
    email=("context.traits.email", "traits.email", "email", "context_traits_email"),
    signature=("messageId", "event", "timestamp"),
    sources=(
        "Segment Docs, 'Spec: Track' and 'Common fields' (messageId, userId, anonymousId, "
        "event, timestamp, context.traits, context.groupId) and the warehouse / CSV "
        "column names (message_id, user_id, received_at)",
    ),
    extra=(
        Field(
            "type",
            "_type",
            LOWER,
            values={"track": "track", "page": "page", "screen": "screen"},
            skip={
                "identify": "identify calls are not usage",
                "group": "group calls are not usage",
                "alias": "alias calls are not usage",
            },
        ),
    ),
)

FORMATS = (SEGMENT,)
