"""How current the book's usage data is on an as-of date.

An analytics export ends on the day it was taken. Opened days later, the usage windows
that reach past its end read the missing days as a drop: the sample (usage to 2026-11-20)
opened on 2026-12-04 fired usage_drop on 179 of its 250 customers. The book's newest
event says where the data ends (any customer active that day: one customer's own silence
is no gap in the export); past ``windows.usage_stale`` days, the dashboard, the queues,
an account's screen and every command printing a score run's findings say so.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.features import end_of


def usage_ends(events: pl.DataFrame, as_of: date) -> date | None:
    """The day of the newest usage event known on ``as_of`` (None without any)."""
    at = pl.col("occurred_at")
    newest = events.select(at.filter(at < end_of(as_of)).max()).item()
    return newest.date() if newest is not None else None


def stale_usage_note(ends: date | None, as_of: date, cfg: dict) -> str | None:
    """What to tell the user when the usage data ends (``usage_ends``) more than
    ``windows.usage_stale`` days before ``as_of``, else None."""
    if ends is None:
        return None
    days = (as_of - ends).days
    if days <= cfg["windows"]["usage_stale"]:
        return None
    return (
        f"usage data ends {ends}, {days} days before {as_of}: import a newer usage export "
        f"(until then usage signals read the {days} missing days as a drop)"
    )
