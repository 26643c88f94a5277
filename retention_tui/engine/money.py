"""Money across currencies: every total (MRR, movements, NRR, an account's MRR) is in one
base currency, each amount converted at the rate the user configured.

The base is ``currency.base`` when set, else the book's own currency when every amount is
in one (nothing is converted: the common case), else USD. ``currency.rates`` gives, for
each other currency, how many units of the base one unit is worth; an amount in a currency
with no rate is left out of totals (never added unconverted), and ``Fx.missing`` names it
so the screens and reports can say so. Pure: no rates are fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from db.money import minor_exponent


@dataclass(frozen=True)
class Fx:
    base: str
    factors: dict[str, float]  # minor units of the base per minor unit of each currency
    converts: bool  # False when every amount is already in the base

    def minor(self, major: float) -> int:
        """An amount in the base currency's major units (a threshold) in its minor units."""
        return round(major * 10 ** minor_exponent(self.base))

    def to_usd(self, minor: int) -> float | None:
        """Minor units of the base as US dollars (a benchmark's scale): None when the base
        is not USD and has no USD rate."""
        if self.base == "USD":
            return minor / 100
        per_usd = self.factors.get("USD")  # minor units of the base per US cent
        return None if not per_usd else minor / per_usd / 100

    def missing(self, currencies: Iterable[str | None]) -> list[str]:
        """The currencies among ``currencies`` that have no rate to the base."""
        return sorted({c for c in currencies if c and c not in self.factors})


def book_fx(currency_cfg: dict, currencies: Iterable[str | None]) -> Fx:
    """The conversion for a book whose amounts are in ``currencies``."""
    present = {c for c in currencies if c}
    base = currency_cfg.get("base") or (next(iter(present)) if len(present) == 1 else "USD")
    factors = {base: 1.0}
    for code, rate in currency_cfg.get("rates", {}).items():
        if code != base:
            factors[code] = rate * 10 ** (minor_exponent(base) - minor_exponent(code))
    return Fx(base, factors, converts=bool(present - {base}))


def periods_fx(periods: pl.DataFrame, currency_cfg: dict) -> Fx:
    """The conversion for the subscription periods' currencies."""
    return book_fx(currency_cfg, periods.get_column("currency").unique().to_list())


def convertible(fx: Fx) -> pl.Expr:
    """Rows whose ``currency`` has a rate to the base (every row when none converts)."""
    if not fx.converts:
        return pl.lit(True)
    return pl.col("currency").fill_null(fx.base).is_in(list(fx.factors))


def in_base(minor: pl.Expr, fx: Fx, currency: pl.Expr | None = None) -> pl.Expr:
    """``minor`` (minor units of the row's ``currency``; none given: the base's) in minor
    units of the base; null for a currency with no rate."""
    if not fx.converts:
        return minor
    code = (currency if currency is not None else pl.col("currency")).fill_null(fx.base)
    factor = code.replace_strict(fx.factors, default=None, return_dtype=pl.Float64)
    return (minor * factor).round(0).cast(pl.Int64)


def left_out_note(periods: pl.DataFrame, currency_cfg: dict) -> str | None:
    """What to tell the user when some subscriptions' currencies have no rate, else None."""
    fx = periods_fx(periods, currency_cfg)
    missing = fx.missing(periods.get_column("currency").unique().to_list()) if fx.converts else []
    if not missing:
        return None
    return (
        f"subscriptions in {', '.join(missing)} are left out of MRR totals (in {fx.base}): "
        "add their rates under [currency.rates] in retention.toml"
    )
