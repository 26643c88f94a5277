"""Amplitude event exports (Export API flattened to CSV): 'event_type', 'event_time',
'user_id', 'uuid', and the groups JSON naming the company."""

from __future__ import annotations

from importers.sources.events import events_format
from importers.spec import Field
from importers.values import ID

AMPLITUDE = events_format(
    "amplitude",
    event=("event_type",),
    time=("event_time", "client_event_time"),
    user=("user_id", "amplitude_id"),
    event_id=("uuid", "$insert_id", "insert_id"),
    company_id=("group_id",),
    company=("company", "group_properties.company"),
    email=("email", "user_properties.email"),
    signature=("event_type", "event_time"),
    sources=(
        "Amplitude Docs, 'Export API' and 'Amplitude's event schema' (event_type, "
        "event_time 'YYYY-MM-DD HH:MM:SS.ffffff' UTC, user_id, amplitude_id, uuid, "
        "$insert_id, groups)",
    ),
    extra=(Field("groups", "_groups", ID, doc='{"company": ["Acme"]}: the first group names it.'),),
)

FORMATS = (AMPLITUDE,)
