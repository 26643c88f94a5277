"""How numbers, money and dates are shown to people."""

from __future__ import annotations

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
_ZERO_DECIMAL = {"JPY", "KRW", "CLP", "VND", "ISK"}


def money(minor: int | None, currency: str = "USD", *, cents: bool = False) -> str:
    """'$1,234' (or '$1,234.50' with cents); unknown currencies get their code after."""
    if minor is None:
        return "—"
    exponent = 0 if currency in _ZERO_DECIMAL else 2
    major = minor / 10**exponent
    digits = 2 if cents and exponent else 0
    text = f"{abs(major):,.{digits}f}"
    sign = "-" if major < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"
