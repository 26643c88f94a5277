"""CSM capacity (seed A's capacity planning, DOMAIN.md §11): how much work each owner's
book of customers is, against the accounts one CSM can carry per ACV band.

Each customer account falls in a band by its ACV (annual contract value, in the base
currency: the account's contract value when known, else 12 x its MRR): enterprise from
``capacity.enterprise`` (100,000), mid-market from ``capacity.mid_market`` (25,000), SMB
from ``capacity.smb`` (5,000), else self-serve. One CSM carries 10-15 enterprise
accounts, 30-50 mid-market, 100-200 SMB or 500+ self-serve, so an enterprise account is
1/15 to 1/10 of a CSM. An owner's load is the sum over their accounts, as a range: above
1 even at its low end is over capacity, below 1 even at its high end leaves room.
Pure: frames in, one frame out.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from retention_tui.engine.features import Tables, known_accounts
from retention_tui.engine.metrics import account_mrr, metric_options
from retention_tui.engine.money import Fx, book_fx, in_base, periods_fx

BANDS = (  # band, its name, accounts one CSM carries (most, fewest), touch model: seed A
    ("enterprise", "enterprise", 15, 10, "high-touch, weekly"),
    ("mid_market", "mid-market", 50, 30, "medium-touch, bi-weekly"),
    ("smb", "SMB", 200, 100, "tech-touch, automated"),
    ("self_serve", "self-serve", 500, 500, "no-touch, fully automated"),
)
UNASSIGNED = "(unassigned)"


def acv_band(acv: pl.Expr, fx: Fx, cfg: dict) -> pl.Expr:
    """The ACV band of an ACV in minor units of the base."""
    c = cfg["capacity"]
    return (
        pl.when(acv >= fx.minor(c["enterprise"]))
        .then(pl.lit("enterprise"))
        .when(acv >= fx.minor(c["mid_market"]))
        .then(pl.lit("mid_market"))
        .when(acv >= fx.minor(c["smb"]))
        .then(pl.lit("smb"))
        .otherwise(pl.lit("self_serve"))
    )


def csm_load(t: Tables, as_of: date, cfg: dict) -> pl.DataFrame:
    """One row per owner of the customers on ``as_of``: accounts per band, the load as a
    range of CSMs, and whether it is over capacity, at capacity or leaves room. Most
    loaded first. A customer with neither a contract value nor an MRR in the base (no
    rate for its currency) is left out."""
    periods, accounts_t = t["subscription_periods"], t["accounts"]
    # The book's base (MRR's); contract values may be in other currencies than billing's.
    base = periods_fx(periods, cfg["currency"]).base
    fx = book_fx(
        {**cfg["currency"], "base": base},
        [*periods["currency"].unique().to_list(), *accounts_t["currency"].unique().to_list()],
    )
    mrr = account_mrr(periods, as_of, **metric_options(cfg))  # type: ignore[arg-type]
    contract = in_base(pl.col("contract_value_minor"), fx, pl.col("currency"))
    acv = pl.coalesce(contract, pl.col("mrr") * 12)
    accounts = (
        known_accounts(t, as_of)
        .select("account_id")
        .join(mrr, on="account_id", how="left")
        .join(
            accounts_t.select("account_id", "owner", "contract_value_minor", "currency"),
            on="account_id",
            how="left",
        )
        .filter(acv.is_not_null())
        .select(pl.col("owner").fill_null(UNASSIGNED), acv_band(acv, fx, cfg).alias("band"))
    )
    light = {band: 1 / most for band, _, most, _, _ in BANDS}
    heavy = {band: 1 / fewest for band, _, _, fewest, _ in BANDS}
    per_owner = accounts.group_by("owner").agg(
        pl.len().alias("accounts"),
        *[(pl.col("band") == band).sum().alias(band) for band, *_ in BANDS],
        pl.col("band").replace_strict(light, return_dtype=pl.Float64).sum().alias("load_low"),
        pl.col("band").replace_strict(heavy, return_dtype=pl.Float64).sum().alias("load_high"),
    )
    verdict = (
        pl.when(pl.col("load_low") > 1)
        .then(pl.lit("over capacity"))
        .when(pl.col("load_high") < 1)
        .then(pl.lit("room for more"))
        .otherwise(pl.lit("at capacity"))
    )
    return (
        per_owner.with_columns(pl.col("load_low", "load_high").round(3), verdict.alias("verdict"))
        .sort("load_high", "owner", descending=[True, False])
        .select(
            "owner",
            "accounts",
            *[band for band, *_ in BANDS],
            "load_low",
            "load_high",
            "verdict",
        )
    )
