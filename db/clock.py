"""When something happens, as the database keeps instants: UTC, ISO-8601, to the second."""

from __future__ import annotations

from datetime import UTC, datetime

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # '2026-12-03T10:00:00Z'


def stamp(when: datetime) -> str:
    """An instant as the database keeps it (one without a zone is taken as UTC already)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(INSTANT_FORMAT)


def utc_now() -> str:
    """Now, as the database keeps it (what the app and the importers stamp rows with)."""
    return stamp(datetime.now(UTC))
