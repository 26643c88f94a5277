"""What the product-analytics event exports share (Mixpanel, Amplitude, Segment, PostHog:
one module each).

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


def event_rows(frame: pl.DataFrame) -> pl.DataFrame:
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


def events_format(
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
        transform=event_rows,
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
