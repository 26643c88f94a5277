"""CSM capacity (retention_tui/engine/capacity.py): each owner's customers by ACV band
and their load against seed A's accounts-per-CSM ratios, worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.capacity import csm_load
from tests.conftest import SAMPLE_AS_OF
from tests.engine_data import account, make_tables, subscription

AS_OF = date(2026, 6, 1)


def test_load_per_owner_by_acv_band() -> None:
    accounts = [
        # Dana: 12 enterprise accounts by contract value ($120,000 a year each)
        *(account(f"e{i}", owner="Dana", contract_value_minor=12_000_000) for i in range(12)),
        # Ravi: one mid-market account by MRR ($2,500 x 12 = $30,000), one SMB by contract
        account("m1", owner="Ravi"),
        account("s1", owner="Ravi", contract_value_minor=600_000),
        # nobody's: self-serve ($100 x 12 = $1,200); a churned account is no customer
        account("x1"),
        account("gone", owner="Ravi"),
    ]
    subs = [
        subscription("m1", 250_000),
        subscription("x1", 10_000),
        subscription("gone", 10_000, end="2026-01-01"),
    ]
    load = {
        r["owner"]: r
        for r in csm_load(
            make_tables(accounts=accounts, subscription_periods=subs), AS_OF, defaults()
        ).to_dicts()
    }
    dana, ravi, nobody = load["Dana"], load["Ravi"], load["(unassigned)"]
    # 12 enterprise accounts: 12/15 = 0.8 to 12/10 = 1.2 CSMs: at capacity
    assert (dana["accounts"], dana["enterprise"]) == (12, 12)
    assert (dana["load_low"], dana["load_high"], dana["verdict"]) == (0.8, 1.2, "at capacity")
    # 1/50 + 1/200 = 0.025 to 1/30 + 1/100 = 0.0433: room for more
    assert (ravi["accounts"], ravi["mid_market"], ravi["smb"]) == (2, 1, 1)
    assert (ravi["load_low"], ravi["load_high"], ravi["verdict"]) == (
        0.025,
        0.043,
        "room for more",
    )
    assert (nobody["self_serve"], nobody["load_low"]) == (1, 0.002)  # 1/500
    assert list(load) == ["Dana", "Ravi", "(unassigned)"]  # most loaded first


def test_an_owner_over_capacity() -> None:
    accounts = [account(f"e{i}", owner="Dana", contract_value_minor=20_000_000) for i in range(16)]
    [dana] = csm_load(make_tables(accounts=accounts), AS_OF, defaults()).to_dicts()
    # 16 enterprise accounts: 16/15 = 1.067 even at the light end
    assert (dana["load_low"], dana["verdict"]) == (1.067, "over capacity")


def test_capacity_report(runner: CliRunner, sample_db: Path) -> None:
    args = ["report", "capacity", "--db", str(sample_db), "--as-of", SAMPLE_AS_OF]
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["owner"] for r in rows} >= {"Dana Lee", "Tom Becker"}
    for r in rows:
        bands = r["enterprise"] + r["mid_market"] + r["smb"] + r["self_serve"]
        assert bands == r["accounts"] and r["load_low"] <= r["load_high"]
    table = runner.invoke(cli, args).output
    assert "CSM capacity as of 2026-11-20" in table and "room for more" in table
    assert "one CSM carries 10-15 enterprise (high-touch, weekly), 30-50 mid-market" in table
    assert "or 500+ self-serve (no-touch, fully automated) accounts" in table


def test_contract_values_in_another_currency_are_converted_to_the_books_base() -> None:
    cfg = defaults()
    cfg["currency"] = {"base": "", "rates": {"EUR": 1.1}}
    accounts = [
        # €100,000 a year x 1.1 = $110,000: enterprise (in a book billed in dollars)
        account("de", owner="Dana", currency="EUR", contract_value_minor=10_000_000),
        account("us", owner="Dana"),
    ]
    subs = [subscription("us", 10_000)]
    [dana] = csm_load(
        make_tables(accounts=accounts, subscription_periods=subs), AS_OF, cfg
    ).to_dicts()
    assert (dana["enterprise"], dana["self_serve"]) == (1, 1)
    cfg["currency"] = {"base": "", "rates": {}}  # no rate: €100,000 is not $100,000
    [dana] = csm_load(
        make_tables(accounts=accounts, subscription_periods=subs), AS_OF, cfg
    ).to_dicts()
    assert (dana["accounts"], dana["enterprise"]) == (1, 0)  # the EUR contract is left out
