"""How numbers, money and dates are shown to people."""

from __future__ import annotations

import os
from pathlib import Path

from db.money import minor_exponent

# Money fields that are one item's amount (an invoice's, a deal's), shown in the row's own
# currency; every other money field (MRR, ARR, totals) is in the book's base currency.
OWN_CURRENCY = frozenset({"amount_minor"})


def home_relative(path: Path) -> str:
    """A path as people write it: '~/Downloads/x.csv' under the home folder."""
    home, text = str(Path.home()), str(path)
    inside = text == home or text.startswith(home.rstrip(os.sep) + os.sep)
    return "~" + text[len(home) :] if inside else text


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 row', '2 rows', '1,234 touches' (``many``: the plural when not word + 's')."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


_TIERS = {"at_risk": "at risk"}
_SEGMENTS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}


def tier_label(tier: str) -> str:
    """A health tier as people read it: 'at risk' for the engine's 'at_risk'."""
    return _TIERS.get(tier, tier)


def words(code: str) -> str:
    """A code as people write it: 'no_decision' -> 'no decision', 'usage_drop' -> 'usage
    drop'."""
    return code.replace("_", " ")


def segment_label(segment: str | None, none: str = "—") -> str:
    """A segment as people write it: 'SMB', 'Mid-market', 'Enterprise' (``none`` for
    none)."""
    return _SEGMENTS.get(segment, segment) if segment else none


def clipped(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def row_currency(field: str, row: dict, base: str) -> str:
    """The currency ``row``'s money ``field`` is in."""
    return (row.get("currency") or base) if field in OWN_CURRENCY else base


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def money(minor: int | None, currency: str = "USD", *, cents: bool = False) -> str:
    """'$1,234' (or '$1,234.50' with cents); unknown currencies get their code after."""
    if minor is None:
        return "—"
    exponent = minor_exponent(currency)
    major = minor / 10**exponent
    digits = exponent if cents else 0
    text = f"{abs(major):,.{digits}f}"
    sign = "-" if major < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"
