"""Money across currencies: totals in one base currency, each amount converted at the
configured rate, currencies without a rate left out and named (retention_tui/engine/money.py).
Expected numbers are worked out in the comments."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Static

from retention_tui.app import RetentionApp
from retention_tui.cli import cli
from retention_tui.config import defaults
from retention_tui.engine.metrics import account_mrr, metric_options, total_mrr
from retention_tui.engine.money import book_fx, left_out_note, periods_fx
from retention_tui.formatting import money
from tests.engine_data import make_tables, subscription
from tests.pilot import open_queue, press, settle

DAY = date(2026, 3, 1)
RATES = {"EUR": 1.1, "JPY": 0.0067}


def periods(*rows: tuple[str, int, str]):
    subs = []
    for account_id, amount, currency in rows:
        s = subscription(account_id, amount, "2026-01-01")
        subs.append({**s, "currency": currency})
    return make_tables(subscription_periods=subs)["subscription_periods"]


def opts(base: str = "", rates: dict | None = None) -> dict:
    cfg = defaults()
    cfg["currency"] = {"base": base, "rates": rates or {}}
    return metric_options(cfg)


def mrr(frame, **kw) -> dict[str, int]:
    return dict(account_mrr(frame, DAY, **kw).iter_rows())


def test_a_book_in_one_currency_is_its_own_base_and_nothing_is_converted() -> None:
    eur = periods(("a", 12_345, "EUR"), ("b", 1_000, "EUR"))
    fx = periods_fx(eur, {"base": "", "rates": {}})
    assert (fx.base, fx.converts) == ("EUR", False)
    assert mrr(eur, **opts()) == {"a": 12_345, "b": 1_000}
    assert left_out_note(eur, {"base": "", "rates": {}}) is None


def test_several_currencies_are_converted_into_usd_at_their_rates() -> None:
    book = periods(
        ("usd", 10_000, "USD"),  # $100.00
        ("eur", 10_000, "EUR"),  # €100.00 x 1.1 = $110.00 = 11,000 cents
        ("jpy", 10_000, "JPY"),  # ¥10,000 (no minor unit) x 0.0067 = $67.00 = 6,700 cents
        ("gbp", 5_000, "GBP"),  # no rate: left out, never added unconverted
    )
    got = mrr(book, **opts(rates=RATES))
    assert got == {"usd": 10_000, "eur": 11_000, "jpy": 6_700}
    assert total_mrr(book, [DAY], **opts(rates=RATES)) == [27_700]
    note = left_out_note(book, {"base": "", "rates": RATES})
    assert note is not None and "GBP" in note and "(in USD)" in note
    assert "[currency.rates]" in note
    # Without the engine's options the amounts are summed as stored (the old behaviour).
    assert sum(mrr(book).values()) == 35_000


def test_a_configured_base_converts_every_other_currency() -> None:
    book = periods(("usd", 10_000, "USD"), ("eur", 10_000, "EUR"), ("kwd", 1_000, "KWD"))
    # Base EUR: $100.00 x 0.9 = €90.00; KWD has three decimals: 1.000 KWD x 3 = €3.00.
    got = mrr(book, **opts("EUR", {"USD": 0.9, "KWD": 3}))
    assert got == {"usd": 9_000, "eur": 10_000, "kwd": 300}
    fx = book_fx({"base": "EUR", "rates": {}}, ["EUR"])
    assert (fx.base, fx.converts) == ("EUR", False)
    # A one-currency book in another currency than the configured base is converted too.
    fx = book_fx({"base": "USD", "rates": {"EUR": 1.1}}, ["EUR"])
    assert (fx.base, fx.converts, fx.factors["EUR"]) == ("USD", True, 1.1)


def test_money_shows_each_currency_with_its_own_minor_unit() -> None:
    assert money(123_456, "EUR", cents=True) == "€1,234.56"
    assert money(1_000, "JPY", cents=True) == "¥1,000"
    assert money(12_345, "KWD", cents=True) == "12.345 KWD"
    assert money(-5_000, "CHF") == "-50 CHF"


def test_rates_can_be_set_for_any_currency(runner: CliRunner, db_path: Path) -> None:
    # (Bad currency settings: test_scoring_cli.test_invalid_config_names_the_key.)
    toml = db_path.parent / "retention.toml"
    toml.write_text('[currency]\nbase = "EUR"\n\n[currency.rates]\nUSD = 0.9\nKWD = 3\n')
    result = runner.invoke(cli, ["config", "show", "--db", str(db_path)])
    assert result.exit_code == 0 and "USD = 0.9" in result.output and "KWD = 3" in result.output


ACCOUNTS = """account_id,name,created_at,currency
acc_us,Acme Corp,2025-01-01,USD
acc_de,Berlin GmbH,2025-01-01,EUR
acc_uk,London Ltd,2025-01-01,GBP
"""
SUBSCRIPTIONS = (
    "subscription_id,account_id,plan,status,interval,amount,quantity,currency,"
    "period_start,period_end\n"
    """sub_us,acc_us,growth,active,month,100.00,1,USD,2025-06-01,
sub_de,acc_de,growth,active,month,200.00,1,EUR,2025-06-01,
sub_uk,acc_uk,growth,active,month,50.00,1,GBP,2025-06-01,
"""
)


def _book(runner: CliRunner, db_path: Path, write_csv) -> None:
    files = [write_csv("accounts.csv", ACCOUNTS), write_csv("subscriptions.csv", SUBSCRIPTIONS)]
    result = runner.invoke(cli, ["import", "--db", str(db_path), *map(str, files)])
    assert result.exit_code == 0, result.output


def test_reports_say_which_currency_and_what_was_left_out(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    _book(runner, db_path, write_csv)
    args = ["report", "nrr", "--db", str(db_path), "--as-of", "2026-03-10", "--format", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # No rates yet: USD is the base, EUR and GBP are left out (and said so on stderr).
    assert data["currency"] == "USD"
    assert data["movements"][-1]["mrr_end"] == 10_000
    assert "EUR, GBP are left out" in result.stderr
    (db_path.parent / "retention.toml").write_text("[currency.rates]\nEUR = 1.1\nGBP = 1.25\n")
    result = runner.invoke(cli, args)
    data = json.loads(result.stdout)
    # $100 + €200 x 1.1 + £50 x 1.25 = $382.50
    assert data["movements"][-1]["mrr_end"] == 38_250
    assert result.stderr == "" and data["note"] is None
    result = runner.invoke(cli, [*args[:-2], "--format", "table"])
    assert "$382" in result.stdout and "€" not in result.stdout


def test_the_dashboard_shows_the_base_currency_and_what_was_left_out(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    _book(runner, db_path, write_csv)
    (db_path.parent / "retention.toml").write_text('[currency]\nbase = "EUR"\n')

    async def headline() -> str:
        app = RetentionApp(db_path, as_of=date(2026, 3, 10))
        async with app.run_test(size=(130, 36)) as pilot:
            await settle(pilot)
            return str(app.screen.query_one("#dashboard-headline", Static).render())

    text = asyncio.run(headline())
    # Only the EUR subscription has a rate to the base: MRR €200, USD and GBP named.
    assert text.startswith("MRR €200 "), text
    assert "Note: subscriptions in GBP, USD are left out of MRR totals (in EUR)" in text
    assert "[currency.rates]" in text  # shown as written, not taken for markup


def test_a_failed_invoice_shows_its_own_currency_and_the_mrr_at_risk_the_base(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    _book(runner, db_path, write_csv)
    (db_path.parent / "retention.toml").write_text("[currency.rates]\nEUR = 1.1\n")
    invoices = (
        "invoice_id,account_id,subscription_id,amount,currency,status,issued_at,due_at,paid_at\n"
        "inv_de,acc_de,sub_de,200.00,EUR,open,2026-03-01T00:00:00Z,2026-03-01,\n"
    )
    payments = (
        "payment_id,invoice_id,account_id,attempted_at,amount,currency,outcome,failure_reason\n"
        "pay_1,inv_de,acc_de,2026-03-01T00:05:00Z,200.00,EUR,failed,card_declined\n"
    )
    files = [write_csv("invoices.csv", invoices), write_csv("payments.csv", payments)]
    assert runner.invoke(cli, ["import", "--db", str(db_path), *map(str, files)]).exit_code == 0
    args = ["report", "payments", "--db", str(db_path), "--as-of", "2026-03-03"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[2].split()
    assert "amount" in header and "amount_minor" not in header  # shown as money, not cents
    [row] = [line for line in result.stdout.splitlines() if "inv_de" in line]
    # The invoice: €200.00 as billed; the MRR at risk: €200 x 1.1 = $220 in the base.
    assert "€200" in row and "$220" in row, row

    async def queue_row() -> list[str]:

        app = RetentionApp(db_path, as_of=date(2026, 3, 3))
        async with app.run_test(size=(160, 36)) as pilot:
            table = await open_queue(pilot, "6")  # the payments queue
            return [str(c) for c in table.get_row_at(0)]

    # The same in the TUI's queue: its Amount in euros, its MRR at risk in dollars.
    cells = asyncio.run(queue_row())
    assert "€200" in cells and "$220" in cells, cells


def test_the_accounts_list_sorts_by_mrr_in_the_base_currency(
    runner: CliRunner, db_path: Path, write_csv
) -> None:
    from textual.widgets import DataTable

    accounts = ACCOUNTS + "acc_jp,Osaka KK,2025-01-01,JPY\n"
    subscriptions = SUBSCRIPTIONS + "sub_jp,acc_jp,growth,active,month,12000,1,JPY,2025-06-01,\n"
    files = [write_csv("accounts.csv", accounts), write_csv("subscriptions.csv", subscriptions)]
    assert runner.invoke(cli, ["import", "--db", str(db_path), *map(str, files)]).exit_code == 0
    rates = "[currency.rates]\nEUR = 1.1\nGBP = 1.25\nJPY = 0.0067\n"
    (db_path.parent / "retention.toml").write_text(rates)

    async def by_mrr() -> list[str]:
        app = RetentionApp(db_path, as_of=date(2026, 3, 10))
        async with app.run_test(size=(160, 36)) as pilot:
            await press(pilot, "a")
            await press(pilot, "s", "s")  # by health, then by MRR
            table = app.screen.query_one(DataTable)
            return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

    # €200 = $220, $100, ¥12,000 = $80.40, £50 = $62.50 (in their own minor units the yen's
    # 12,000 would come second)
    assert asyncio.run(by_mrr()) == ["Berlin GmbH", "Acme Corp", "Osaka KK", "London Ltd"]
