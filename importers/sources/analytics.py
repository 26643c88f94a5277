"""Product-analytics event exports: Mixpanel, Amplitude, Segment and PostHog.

Each tool names the same things differently: the event ('event', 'event_type'), its
time ('time' in Unix seconds, 'event_time', 'timestamp'), the user ('distinct_id',
'user_id', 'userId') and the event's own id ('$insert_id', 'uuid', 'messageId'). The
company comes from a group property when the export has one ('company_id',
'context.groupId', '$group_0', Amplitude's 'groups'), else from the user's email (a
user id that is an email counts). Event names are stored lower case; the signals read the
names listed under [events] in retention.toml. docs/formats.md cites the sources.
"""

from __future__ import annotations

import polars as pl

from importers.sources.common import ext_email, ext_id, ext_name
from importers.spec import Field, FileFormat, Identity
from importers.values import DECIMAL, ID, LOWER, TOOL_INSTANT


def _event_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill what the export left out: the user's email from an email-shaped user id, the
    company from Amplitude's groups JSON, and an id from user, event and time."""
    user = pl.col("user_id")
    email = pl.when(user.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")).then(user.str.to_lowercase())
    out = frame.with_columns(pl.coalesce(pl.col("ext_email"), email).alias("ext_email"))
    if "_groups" in out.columns:  # {"company": ["Acme"]} or {"company": "Acme"}
        group = pl.col("_groups").str.extract(r'"[^"]+"\s*:\s*\[?\s*"([^"]+)"', 1)
        out = out.with_columns(pl.coalesce(pl.col("ext_name"), group).alias("ext_name"))
    fallback = pl.concat_str(
        [pl.col("user_id").fill_null(""), pl.col("event"), pl.col("occurred_at")], separator="|"
    )
    return out.with_columns(pl.coalesce(pl.col("source_id"), fallback).alias("source_id"))


def _events(
    name: str,
    *,
    event: tuple[str, ...],
    time: tuple[str, ...],
    user: tuple[str, ...],
    event_id: tuple[str, ...],
    company_id: tuple[str, ...],
    company: tuple[str, ...],
    email: tuple[str, ...],
    signature: tuple[str, ...],
    sources: tuple[str, ...],
    extra: tuple[Field, ...] = (),
) -> FileFormat:
    return FileFormat(
        name="events",
        source=name,
        table="usage_events",
        key=("source_id",),
        identity=Identity(),
        transform=_event_rows,
        signature=signature,
        sources=sources,
        description=f"{name.capitalize()} event export: product usage.",
        fields=(
            Field(event[0], "event", LOWER, required=True, aliases=event[1:]),
            Field(time[0], "occurred_at", TOOL_INSTANT, required=True, aliases=time[1:]),
            Field(user[0], "user_id", ID, aliases=user[1:]),
            Field(event_id[0], "source_id", ID, aliases=event_id[1:]),
            ext_id(*company_id),
            ext_name(*company),
            ext_email(*email),
            Field("value", "value", DECIMAL, default="1", aliases=("properties.value",)),
            *extra,
        ),
    )


MIXPANEL = _events(
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
AMPLITUDE = _events(
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
SEGMENT = _events(
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
POSTHOG = _events(
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

FORMATS = (MIXPANEL, AMPLITUDE, SEGMENT, POSTHOG)
