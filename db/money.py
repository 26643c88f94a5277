"""How money is stored: integer minor units of its currency, as ISO 4217 defines them.

It lives in the lowest layer, beside the schema whose amounts it describes, so the
importers (reading amounts), the engine (converting them) and the app (showing them) all
read the same table.
"""

from __future__ import annotations

# ISO 4217 currencies whose minor unit is not 1/100.
ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def minor_exponent(currency: str | None) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    code = (currency or "").upper()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
