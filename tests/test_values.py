"""The value parsers, on the edge cases a spreadsheet produces."""

from __future__ import annotations

import polars as pl
import pytest

from importers import values


def parse(kind_fn, items: list[str | None]) -> list[object]:
    return (
        pl.DataFrame({"v": items}, schema={"v": pl.String})
        .select(kind_fn(pl.col("v")).alias("v"))["v"]
        .to_list()
    )


def money(items: list[str], currency: str) -> list[int | None]:
    frame = pl.DataFrame({"v": items, "c": [currency] * len(items)})
    return frame.select(values.money_minor(pl.col("v"), pl.col("c")).alias("v"))["v"].to_list()


def test_money_is_exact_in_minor_units() -> None:
    assert money(["1234.56", "0.1", "0.10", "-5", "19.99", "7.", "000042.00"], "USD") == [
        123456,
        10,
        10,
        -500,
        1999,
        700,
        4200,
    ]


def test_money_respects_each_currencys_minor_unit() -> None:
    assert money(["1500", "1500.5"], "JPY") == [1500, None]
    assert money(["1.234", "1.2345"], "KWD") == [1234, None]


def test_money_rejects_formatted_amounts() -> None:
    assert money(["$12", "1,234.56", "1.234,56", "12 EUR", "", "abc", "1e3"], "USD") == [None] * 7


def canonical_money(items: list[str], currency: str) -> list[int | None]:
    """What a canonical money column stores: MONEY's parse, then minor units."""
    frame = pl.DataFrame({"v": items, "c": [currency] * len(items)})
    minor = values.money_minor(values.MONEY.parse(pl.col("v")), pl.col("c"))
    return frame.select(minor.alias("v"))["v"].to_list()


def test_canonical_money_as_a_spreadsheet_saves_it() -> None:
    # a file of ours opened and saved again in Excel: a US locale, a German one, a
    # currency format, trailing zeros dropped
    texts = ["1234.5", "1,234.50", "1.234,50", "1234,5", "$1,234.50", "1.234,50 €", "449"]
    assert canonical_money(texts, "USD") == [123450] * 6 + [44900]
    # scientific notation, more decimals than the currency has, words: refused
    bad = ["1.2E+05", "1.234", "12.345,678", "abc", "", "1,2,3"]
    assert canonical_money(bad, "USD") == [None] * len(bad)
    assert canonical_money(["1.500", "1500,5"], "JPY") == [None, None]


def test_large_amounts_do_not_lose_cents() -> None:
    assert money(["9999999999999.99"], "USD") == [999999999999999]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2024-03-14", "2024-03-14T00:00:00Z"),
        ("2024-03-14T09:30:00Z", "2024-03-14T09:30:00Z"),
        ("2024-03-14T09:30:00.123Z", "2024-03-14T09:30:00Z"),
        ("2024-03-14 09:30:00", "2024-03-14T09:30:00Z"),
        ("2024-03-14T09:30", "2024-03-14T09:30:00Z"),
        ("2024-03-14T09:30:00+02:00", "2024-03-14T07:30:00Z"),
        ("2024-03-14T23:30:00-05:00", "2024-03-15T04:30:00Z"),
        (" 2024-03-14T09:30:00Z ", "2024-03-14T09:30:00Z"),
        ("2024-02-30", None),
        ("14/03/2024", None),
        ("yesterday", None),
        # a two-digit year is not the year 24 (it was stored as '24-03-14T09:30:00Z')
        ("24-03-14T09:30:00Z", None),
        ("24-03-14", None),
        ("1899-12-31T00:00:00Z", None),
        ("1900-01-01", "1900-01-01T00:00:00Z"),
    ],
)
def test_instants_are_stored_in_utc(text: str, stored: str | None) -> None:
    assert parse(values.instant, [text]) == [stored]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # a file of ours opened and saved again in Excel: in a US locale, a German one,
        # Excel for Mac's two-digit year
        ("3/14/2024", "2024-03-14T00:00:00Z"),
        ("3/14/2024 9:30", "2024-03-14T09:30:00Z"),
        ("3/14/2024 9:30:15 PM", "2024-03-14T21:30:15Z"),
        ("14.03.2024 09:30", "2024-03-14T09:30:00Z"),
        ("14.03.2024", "2024-03-14T00:00:00Z"),
        ("3/14/24", "2024-03-14T00:00:00Z"),
        ("13/14/2024", None),
    ],
)
def test_instants_as_a_spreadsheet_saves_them(text: str, stored: str | None) -> None:
    assert parse(values.instant, [text]) == [stored]
    day = None if stored is None else stored[:10]
    assert parse(values.date, [text]) == [day]


def test_a_files_slashed_dates_are_in_the_order_most_of_them_can_only_be() -> None:
    # a UK locale's file: 14/03/2024 can only be day-first, so its 01/02/2024 is February 1,
    # in another column too; 3/14/2024 there is a mistake
    uk = pl.DataFrame(
        {
            "created": ["01/02/2024", "14/03/2024", "2024-05-01", "03.04.2024"],
            "due": ["02/01/2024", " 25/12/2024 17:05", None, "3/14/2024"],
        }
    )
    assert values.date_order(uk, ["created", "due"]) == "day"
    assert values.date_order(uk, ["created"]) == "day"
    for read in (values.instant, values.tool_instant):
        assert parse(lambda e, r=read: r(values.as_day_first(e)), uk["due"].to_list()) == [
            "2024-01-02T00:00:00Z",
            "2024-12-25T17:05:00Z",
            None,
            None,
        ]
    assert parse(lambda e: values.date(values.as_day_first(e)), uk["created"].to_list()) == [
        "2024-02-01",
        "2024-03-14",
        "2024-05-01",
        "2024-04-03",
    ]
    # a US report with one mistake is month-first: the mistake alone is refused
    us = pl.DataFrame({"d": ["3/14/2024", "13/01/2024", "1/2/2024", "11/15/2024"]})
    assert values.date_order(us, ["d"]) == "month"
    assert parse(values.tool_date, us["d"].to_list()) == [
        "2024-03-14",
        None,
        "2024-01-02",
        "2024-11-15",
    ]
    # dates that could be either way say nothing; ISO and dotted dates are not slashed
    assert values.date_order(pl.DataFrame({"d": ["01/02/2024", "12/11/24"]}), ["d"]) == "either"
    assert values.date_order(pl.DataFrame({"d": ["2024-03-14", "14.03.2024"]}), ["d"]) is None
    assert values.date_order(us, []) is None


def test_dates_accept_a_timestamp_and_keep_its_utc_day() -> None:
    assert parse(values.date, ["2024-03-14", "2024-03-14T23:30:00-05:00", "2024-13-01"]) == [
        "2024-03-14",
        "2024-03-15",
        None,
    ]
    assert parse(values.date, ["24-03-14", "0024-03-14", "1900-01-01"]) == [
        None,
        None,
        "1900-01-01",
    ]


def test_booleans() -> None:
    assert parse(values.boolean, ["true", "YES", "y", "1", "false", "No", "0", "maybe"]) == [
        1,
        1,
        1,
        1,
        0,
        0,
        0,
        None,
    ]
    # a TRUE/FALSE cell saved by Excel in German, French, Spanish, Dutch
    excel = ["WAHR", "FALSCH", "VRAI", "FAUX", "VERDADERO", "FALSO", "WAAR", "ONWAAR"]
    assert parse(values.boolean, excel) == [1, 0] * 4


def test_tags_are_normalised() -> None:
    assert parse(values.tags, ["Competitor; budget_cut", "a|b,c", "two words"]) == [
        "competitor;budget_cut",
        "a;b;c",
        None,
    ]


def test_integers_and_decimals() -> None:
    assert parse(values.integer, ["12", "-3", "1.5", "1e3", " 7 "]) == [12, -3, None, None, 7]
    # thousands grouped as reports and spreadsheets write them, one separator throughout
    grouped = ["12,000", "1.200", "1 200", "12'000", "-3,000", "1,234,567"]
    assert parse(values.integer, grouped) == [12000, 1200, 1200, 12000, -3000, 1234567]
    assert parse(values.integer, ["1,234.567", "1,20", "12,0000", "12.0"]) == [None] * 4
    assert parse(values.decimal, ["12", "1.5", ".5", "1e3", "-2"]) == [12.0, 1.5, 0.5, 1000.0, -2.0]


def test_decimals_as_a_spreadsheet_saves_them() -> None:
    # a decimal comma (a European locale), thousands grouped either way
    texts = ["1,5", "-0,125", "1.234,5", "1,234.5", "12,000", "1,234,567.25", "10.000"]
    assert parse(values.decimal, texts) == [1.5, -0.125, 1234.5, 1234.5, 12000.0, 1234567.25, 10.0]
    bad = ["1,2,3", "1.234.5", "1,234,5", "12,5,0", "1 5", "1,", ",5x"]
    assert parse(values.decimal, bad) == [None] * len(bad)


def test_percentages_as_billing_exports_and_spreadsheets_write_them() -> None:
    texts = ["20", "12.5", "20%", "12,5 %", " 20 % ", "twenty", "20%%"]
    assert parse(values.percent, texts) == [20.0, 12.5, 20.0, 12.5, 20.0, None, None]


def test_emails_and_currencies() -> None:
    assert parse(values.email, ["Ana@Acme.COM", "no-at-sign", "a@b"]) == [
        "ana@acme.com",
        None,
        None,
    ]
    assert parse(values.currency_code, ["usd", "EURO", "Jpy"]) == ["USD", None, "JPY"]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("49.00", "49.00"),
        ("$1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1,5", "1.5"),
        ("1,234", "1234"),
        ("1.234", "1.234"),
        # neither a grouping nor a decimal point; a spreadsheet's scientific notation
        ("1,2345", None),
        ("1,2,3", None),
        ("1.2E+05", None),
        ("1.234.567", "1234567"),
        ("1 234,56 EUR", "1234.56"),
        ("€ 9,99", "9.99"),
        ("(12.00)", "-12.00"),
        ("-5", "-5"),
        ("USD -5.10", "-5.10"),
        ("ten", None),
        ("", None),
    ],
)
def test_amounts_as_tools_write_them(text: str, plain: str | None) -> None:
    from importers.values import amount_text

    assert pl.select(amount_text(pl.lit(text))).item() == plain


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-03-14 09:30", "2024-03-14T09:30:00Z"),
        ("2024-03-14 09:30:00 +0000", "2024-03-14T09:30:00Z"),
        ("2024-03-14 11:30:00 +0200", "2024-03-14T09:30:00Z"),
        ("2024-03-14T09:30:00.000+0000", "2024-03-14T09:30:00Z"),
        ("2024-03-14 09:30:00 UTC", "2024-03-14T09:30:00Z"),
        ("3/14/2024 2:05 PM", "2024-03-14T14:05:00Z"),
        ("3/14/2024", "2024-03-14T00:00:00Z"),
        ("1710408600", "2024-03-14T09:30:00Z"),
        ("1710408600123", "2024-03-14T09:30:00Z"),
        ("2024-11-12 09:15:00.123456", "2024-11-12T09:15:00Z"),
        ("14.03.2024", "2024-03-14T00:00:00Z"),
        ("14.03.2024 09:30", "2024-03-14T09:30:00Z"),
        ("4.3.2024 09:30:15", "2024-03-04T09:30:15Z"),
        ("31.02.2024", None),
        # a two-digit year, as Excel for Mac and short date formats write it (was 0023)
        ("11/2/23", "2023-11-02T00:00:00Z"),
        ("3/14/24 2:05 PM", "2024-03-14T14:05:00Z"),
        ("2.11.23 10:15", "2023-11-02T10:15:00Z"),
        ("1/5/99", "1999-01-05T00:00:00Z"),
        ("11/2/68", "2068-11-02T00:00:00Z"),  # the pivot: 00-68 are 2000s
        ("11/2/69", "1969-11-02T00:00:00Z"),
        ("3/14/024", None),  # never the year 24
        ("14/03/2024", None),  # day-first with slashes could be either: not guessed
        ("soon", None),
    ],
)
def test_times_as_tools_write_them(text: str, instant: str | None) -> None:
    from importers.values import tool_instant

    assert pl.select(tool_instant(pl.lit(text))).item() == instant


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("https://www.Acme.com/pricing?x=1", "acme.com"),
        ("ana@acme.co.uk", "acme.co.uk"),
        ("acme.com", "acme.com"),
        ("acme.com:8080", "acme.com"),
        ("not a domain", None),
    ],
)
def test_domains_from_sites_and_emails(text: str, found: str | None) -> None:
    from importers.values import domain

    assert pl.select(domain(pl.lit(text))).item() == found


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("2027-03", "2027-03-31"),
        ("03/27", "2027-03-31"),
        ("3/2027", "2027-03-31"),
        ("02-2028", "2028-02-29"),  # a leap year's February
        (" 12 / 26 ", "2026-12-31"),
        ("13/27", None),
        ("00/27", None),
        ("2027", None),
        ("March 2027", None),
    ],
)
def test_card_expiry_months_as_payment_tools_write_them(text: str, last_day: str | None) -> None:
    assert parse(values.card_expiry, [text]) == [last_day]


def test_an_id_excel_shortened_is_refused_not_stored() -> None:
    # 123456789012 shown in General format and saved: the id is gone, and would be another
    ids = ["1.23457E+11", "-1E+12", " 0015g00000AcmeQAA ", "12345678901", "1E5", "evt_1E+3"]
    assert parse(values.ID.parse, ids) == [
        None,
        None,
        "0015g00000AcmeQAA",
        "12345678901",
        "1E5",
        "evt_1E+3",
    ]
