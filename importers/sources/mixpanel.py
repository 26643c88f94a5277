"""Mixpanel event exports (raw export flattened to CSV, or the Events view exported):
'event', 'time' in Unix seconds, 'distinct_id', '$insert_id'."""

from __future__ import annotations

from importers.sources.events import events_format

MIXPANEL = events_format(
    "mixpanel",
    event=("event", "Event Name", "Event"),
    time=("time", "Time", "properties.time"),
    user=("distinct_id", "Distinct ID", "properties.distinct_id"),
    event_id=("$insert_id", "Insert ID", "properties.$insert_id"),
    company_id=("company_id", "$group_id", "properties.company_id"),
    company=("company", "Company", "$company", "properties.company"),
    email=("$email", "email", "properties.$email"),
    signature=("event", "time", "distinct_id"),
    sources=(
        "Mixpanel Docs, 'Raw Event Export API' (event, properties.time in Unix seconds, "
        "properties.distinct_id, properties.$insert_id) and 'Group Analytics' (company_id)",
    ),
)

FORMATS = (MIXPANEL,)
