"""PostHog event exports (events table to CSV): 'uuid', 'event', 'timestamp',
'distinct_id', person properties, '$group_0'."""

from __future__ import annotations

from importers.sources.events import events_format

POSTHOG = events_format(
    "posthog",
    event=("event",),
    time=("timestamp",),
    user=("distinct_id", "person_id"),
    event_id=("uuid",),
    company_id=("$group_0", "properties.$group_0"),
    company=("properties.company", "person.properties.company"),
    email=("person.properties.email", "properties.$email", "person_properties.email", "email"),
    signature=("uuid", "event", "timestamp", "distinct_id"),
    sources=(
        "PostHog Docs, 'Events' table and CSV export (uuid, event, timestamp, "
        "distinct_id, person.properties, $group_0..$group_4)",
    ),
)

FORMATS = (POSTHOG,)
