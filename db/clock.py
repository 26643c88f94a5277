"""When something happens, as the database keeps instants: UTC, ISO-8601, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now: '2026-12-03T10:00:00Z' (what the app and the importers stamp rows with)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
