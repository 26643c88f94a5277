"""Value parsers: each turns a column of raw text into typed values, as Polars expressions.

A parser returns ``null`` where the text cannot be read; the validator reports every
non-empty cell that became ``null`` as a problem, quoting ``expected``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from db.clock import INSTANT_FORMAT
from db.emails import PATTERN as EMAIL_PATTERN
from db.money import THREE_DECIMAL, ZERO_DECIMAL

# Excel writes a TRUE/FALSE cell in its own language: German, French, Spanish, Italian,
# Portuguese, Dutch, Swedish.
_EXCEL_TRUE = ("wahr", "vrai", "verdadero", "vero", "verdadeiro", "waar", "sant")
_EXCEL_FALSE = ("falsch", "faux", "falso", "onwaar", "falskt")
TRUE_WORDS = ("true", "yes", "y", "1", "t", *_EXCEL_TRUE)
FALSE_WORDS = ("false", "no", "n", "0", "f", *_EXCEL_FALSE)

# Instants are stored as UTC 'YYYY-MM-DDTHH:MM:SSZ'; a time with no zone is read as UTC.
_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%MZ",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M",
)


def currency_exponent(currency: pl.Expr) -> pl.Expr:
    """How many decimal places the currency's minor unit has (2 unless ISO 4217 says not)."""
    return (
        pl.when(currency.is_in(sorted(ZERO_DECIMAL)))
        .then(pl.lit(0, pl.Int64))
        .when(currency.is_in(sorted(THREE_DECIMAL)))
        .then(pl.lit(3, pl.Int64))
        .otherwise(pl.lit(2, pl.Int64))
    )


def text(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars()


# A long number Excel shortened when the file was opened and saved again: HubSpot's Record
# ID 123456789012 shown in General format, and saved, as '1.23457E+11'. The id is gone.
_SHORTENED = r"^-?\d(\.\d+)?E\+\d{1,3}$"


def identifier(raw: pl.Expr) -> pl.Expr:
    """An id as the tool wrote it; not one Excel shortened (_SHORTENED): that row would
    be another record, or none."""
    s = raw.str.strip_chars()
    return pl.when(~s.str.contains(_SHORTENED)).then(s)


def lower(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars().str.to_lowercase()


def integer(raw: pl.Expr) -> pl.Expr:
    """A whole number, its thousands grouped or not: '12000', '12,000' (what a report in
    a US locale writes), '12.000', '12 000', "12'000"."""
    s = raw.str.strip_chars()
    groups = "|".join(rf"(?:{re.escape(sep)}\d{{3}})+" for sep in ",.' \u00a0")
    grouped = s.str.contains(rf"^[+-]?\d{{1,3}}(?:{groups})$")
    s = pl.when(grouped).then(s.str.replace_all(r"[,.' \u00a0]", "")).otherwise(s)
    return pl.when(s.str.contains(r"^[+-]?\d{1,18}$")).then(s.cast(pl.Int64, strict=False))


_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def decimal(raw: pl.Expr) -> pl.Expr:
    """A number: '12.5', '-3', '1e6'; and as a spreadsheet saves it in a US or European
    locale: a decimal comma ('12,5', '0,125'), thousands grouped ('1,234.5', '1.234,5',
    '12,000'). A comma followed by exactly three digits alone ('1,234') is a thousands
    separator, as whole numbers and amounts read it; '10.000' stays ten."""
    return raw.map_batches(_decimals, return_dtype=pl.Float64)


def _decimals(values: pl.Series) -> pl.Series:
    """decimal on a column: the commas are rewritten only when there are any (1M plain
    numbers: 44 ms, as before spreadsheets' numbers were read)."""
    s = values.str.strip_chars()
    if s.str.contains(",", literal=True).any():
        us_grouped = r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$"
        eu_grouped = r"^[+-]?[1-9]\d{0,2}(\.\d{3})+,\d+$"
        v = pl.col("v")
        s = pl.DataFrame({"v": s}).select(
            pl.when(v.str.contains(us_grouped))
            .then(v.str.replace_all(",", ""))
            .when(v.str.contains(eu_grouped))
            .then(v.str.replace_all(r"\.", "").str.replace(",", "."))
            .otherwise(v.str.replace(r"^([+-]?\d+),(\d+)$", "$1.$2"))  # a decimal comma
        )["v"]
    number = s.str.contains(_NUMBER)
    return pl.select(pl.when(number).then(s.cast(pl.Float64, strict=False))).to_series()


def percent(raw: pl.Expr) -> pl.Expr:
    """A percentage as billing exports and spreadsheets write it: '20', '12.5', '20%',
    '12,5 %' (a decimal comma)."""
    s = raw.str.strip_chars().str.strip_suffix("%").str.strip_chars()
    return decimal(pl.when(s.str.contains(r"^\d+,\d+$")).then(s.str.replace(",", ".")).otherwise(s))


def boolean(raw: pl.Expr) -> pl.Expr:
    s = lower(raw)
    return (
        pl.when(s.is_in(TRUE_WORDS))
        .then(pl.lit(1, pl.Int64))
        .when(s.is_in(FALSE_WORDS))
        .then(pl.lit(0, pl.Int64))
    )


def currency_code(raw: pl.Expr) -> pl.Expr:
    s = raw.str.strip_chars().str.to_uppercase()
    return pl.when(s.str.contains(r"^[A-Z]{3}$")).then(s)


def email(raw: pl.Expr) -> pl.Expr:
    s = lower(raw)
    return pl.when(s.str.contains(EMAIL_PATTERN)).then(s)


def _plausible(moment: pl.Expr) -> pl.Expr:
    """The date or time, unless its year is before 1900: a misread ('24-03-14' read as the
    year 24, a cut or three-digit year), never a customer's date."""
    return pl.when(moment.dt.year() >= 1900).then(moment)


def date(raw: pl.Expr) -> pl.Expr:
    """A calendar date 'YYYY-MM-DD' (a full timestamp is cut to its UTC date); else as a
    spreadsheet saves one (_spreadsheet: '3/14/2024', '14.03.2024')."""
    s = raw.str.strip_chars()
    as_date = s.str.to_date("%Y-%m-%d", strict=False)
    iso = _plausible(pl.coalesce(as_date, _instant(s).dt.date()))
    return pl.coalesce(iso, _spreadsheet(s).dt.date()).dt.strftime("%Y-%m-%d")


def month_end(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    """The last day of a month as 'YYYY-MM-DD' (null unless the month is 1-12 and the
    year four digits): a card's expiry month is valid through its last day."""
    year, month = year.cast(pl.Int64), month.cast(pl.Int64)
    ok = month.is_between(1, 12) & year.is_between(1000, 9999)
    first = pl.date(year.clip(1000, 9999), month.clip(1, 12), 1)
    return pl.when(ok).then(first.dt.month_end().dt.strftime("%Y-%m-%d"))


def card_expiry(raw: pl.Expr) -> pl.Expr:
    """A card's expiry month as payment tools write it: '2027-03', '03/27', '3/2027' or
    '03-2027'; stored as the month's last day."""
    s = raw.str.strip_chars()
    iso = s.str.extract_groups(r"^(?<year>\d{4})-(?<month>\d{1,2})$")
    card = s.str.extract_groups(r"^(?<month>\d{1,2})\s*[/-]\s*(?<year>\d{2}|\d{4})$")
    short = card.struct.field("year").cast(pl.Int64, strict=False)
    year = pl.coalesce(
        iso.struct.field("year").cast(pl.Int64, strict=False),
        pl.when(short < 100).then(short + 2000).otherwise(short),
    )
    month = pl.coalesce(iso.struct.field("month"), card.struct.field("month"))
    return month_end(year, month.cast(pl.Int64, strict=False))


def _instant(s: pl.Expr) -> pl.Expr:
    return pl.coalesce(
        *[
            s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
            for f in _DATETIME_FORMATS
        ]
    )


def instant(raw: pl.Expr) -> pl.Expr:
    """A moment in time, stored in UTC; a bare date means midnight UTC.

    Text already in the stored form is only checked (one format); the other formats are
    tried on the rest alone (Polars skips nulls): 1M events 1.3 s -> ~0.1 s."""
    s = raw.str.strip_chars()
    stored = s.str.to_datetime(INSTANT_FORMAT, strict=False, time_unit="us")
    kept = stored.dt.year() >= 1900  # null when not in the stored form
    rest = pl.when(kept.is_null()).then(s)
    midnight = (
        rest.str.to_date("%Y-%m-%d", strict=False)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )
    iso = _plausible(pl.coalesce(_instant(rest), midnight))
    other = pl.coalesce(iso, _spreadsheet(rest)).dt.strftime(INSTANT_FORMAT)
    return pl.when(kept).then(s).otherwise(other)


def _spreadsheet(s: pl.Expr) -> pl.Expr:
    """The values of ``s`` not written as ours are (ISO: they start with the year), read
    as the tools' dates and times are (_tool_moments): what a spreadsheet writes when a
    file of ours is opened and saved again, '3/14/2024 9:30' in a US locale, '14.03.2024'
    in a German one. Nothing is tried when every value starts with its year."""
    return _tool_instant(pl.when(~s.str.contains(r"^\d{4}-")).then(s))


def tags(raw: pl.Expr) -> pl.Expr:
    """A list of words separated by ';', ',' or '|', stored lower case as 'a;b'."""
    parts = lower(raw).str.replace_all(r"\s*[;,|]\s*", ";").str.strip_chars(";")
    return pl.when(parts.str.contains(r"^[a-z0-9_\-]+(;[a-z0-9_\-]+)*$")).then(parts)


def money_minor(raw: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """A decimal amount in major units ('1234.50') to integer minor units of ``currency``.

    Exact (no float rounding); more decimal places than the currency has is an error.
    """
    s = raw.str.strip_chars()
    ok = s.str.contains(r"^-?\d{1,15}(\.\d*)?$")
    negative = s.str.starts_with("-")
    body = s.str.strip_prefix("-")
    whole = body.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    frac = body.str.extract(r"\.(\d*)$", 1).fill_null("")
    frac_len = frac.str.len_chars().cast(pl.Int64)
    exp = currency_exponent(currency)
    frac_value = pl.when(frac_len > 0).then(frac.cast(pl.Int64, strict=False)).otherwise(0)
    scale = pl.lit(10, pl.Int64).pow(exp).cast(pl.Int64)
    frac_scale = pl.lit(10, pl.Int64).pow((exp - frac_len).clip(lower_bound=0)).cast(pl.Int64)
    magnitude = whole * scale + frac_value * frac_scale
    value = pl.when(negative).then(-magnitude).otherwise(magnitude)
    return pl.when(ok & (frac_len <= exp)).then(value)


def amount_text(raw: pl.Expr) -> pl.Expr:
    """An amount as tools and spreadsheets write it, to plain '-1234.56' text.

    Takes currency signs and codes ('$1,234.56', '1 234,56 EUR'), US and European
    separators ('1,234.56', '1.234,56', '1234,56') and accounting negatives ('(12.00)').
    A lone ',' followed by three digits groups thousands ('1,234'), by one or two it is a
    decimal comma ('1,5'); a lone '.' is the decimal point ('1.234') unless repeated
    ('1.234.567') or before a comma ('1.234,56'). Anything else ('1,2345', '1,2,3',
    '1.2E+05') is refused.
    """
    s = raw.str.strip_chars()
    negative = s.str.contains(r"^\(.*\)$") | s.str.contains(r"^-|^[^\d]*-")
    body = s.str.replace_all(r"[^\d.,]", "")
    comma_decimal = (
        # '1.234,56': both, the comma last; or '1234,56' / '1,5': comma only, not thousands
        (body.str.contains(r"\.") & body.str.contains(r",\d*$") & ~body.str.contains(r"\.\d*$"))
        | (~body.str.contains(r"\.") & body.str.contains(r"^\d+,\d{1,2}$"))
    )
    dot_thousands_only = ~body.str.contains(",") & body.str.contains(r"^\d{1,3}(\.\d{3}){2,}$")
    plain = (
        pl.when(comma_decimal)
        .then(body.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(dot_thousands_only)
        .then(body.str.replace_all(r"\.", ""))
        .otherwise(body.str.replace_all(",", ""))
    )
    # '1.2E+05' (a spreadsheet's scientific notation) is not '1.205', '1,2,3' not 123:
    # separators group thousands by three, one kind before the decimal point
    scientific = s.str.contains(r"\d\s*[eE][+-]?\d")
    shaped = body.str.contains(
        r"^(\d+(\.\d*)?|\d+,\d{1,2}|\d{1,3}(,\d{3})+(\.\d*)?|\d{1,3}(\.\d{3})+(,\d*)?)$"
    )
    ok = shaped & ~scientific & plain.str.contains(r"^\d+(\.\d*)?$")
    return pl.when(ok).then(pl.when(negative).then("-" + plain).otherwise(plain))


def cents_text(raw: pl.Expr) -> pl.Expr:
    """Whole minor units ('12000' for 120.00), as API-shaped exports write amounts."""
    s = raw.str.strip_chars()
    return pl.when(s.str.contains(r"^-?\d{1,18}$")).then(s)


# Dates as tools write them, besides ISO: US month-first (what Salesforce and HubSpot
# reports give in a US locale), day-first with dots (what Excel writes in a German,
# Austrian, Swiss, Nordic or Polish locale: never month-first), a zone as '+0000' or
# ' UTC', and Unix epoch seconds or milliseconds (Mixpanel, PostHog).
_TOOL_DATETIME_FORMATS = (
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%d %b %Y %H:%M",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
)


def _full_year(s: pl.Expr) -> pl.Expr:
    """A month-first or dotted date with a two-digit year ('11/2/23', '2.11.23 10:15', as
    Excel for Mac and short date formats write them) with its century: 00-68 are 2000s,
    69-99 1900s (as C's strptime reads them)."""
    parts = r"^(\d{1,2}[/.]\d{1,2}[/.])(\d{2})(\s|$)"
    yy = s.str.extract(parts, 2)
    century = pl.when(yy < "69").then(pl.lit("20")).otherwise(pl.lit("19"))
    rest = s.str.replace(parts, "$3")
    return (
        pl.when(yy.is_not_null())
        .then(pl.concat_str(s.str.extract(parts, 1), century, yy, rest))
        .otherwise(s)
    )


def _epoch(s: pl.Expr) -> pl.Expr:
    """Unix epoch seconds or milliseconds ('1710408600', '1710408600123')."""
    digits = s.str.contains(r"^\d{9,13}(\.\d+)?$")
    epoch = s.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    return (
        pl.when(digits & (s.str.len_chars() >= 13))
        .then(pl.from_epoch(epoch, time_unit="ms"))
        .when(digits)
        .then(pl.from_epoch(epoch, time_unit="s"))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )


def _report_shapes(s: pl.Expr) -> pl.Expr:
    """The shapes reports and spreadsheets write (_TOOL_DATETIME_FORMATS, and bare dates
    ISO, US month-first or dotted day-first)."""
    return pl.coalesce(
        *[
            s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
            for f in _TOOL_DATETIME_FORMATS
        ],
        *[
            s.str.to_date(f, strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            for f in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
        ],
    )


# A slashed date that can only be day-first (14/03/2024: its first number is no month), or
# only month-first (3/14/2024); its first two numbers.
_DAY_FIRST = r"^\s*(1[3-9]|2\d|3[01])/(0?[1-9]|1[0-2])/\d"
_MONTH_FIRST = r"^\s*(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d"
_SLASHED_START = r"^\s*(\d{1,2})/(\d{1,2})/"  # a slashed date's day and month, either way
_SLASHED = _SLASHED_START + r"\d"
# How a file writes its slashed dates (date_order): "day" first, "month" first, or
# "either" (none could only be one way: read month-first unless told).
DateOrder = Literal["day", "month", "either"]


def date_order(frame: pl.DataFrame, columns: Sequence[str]) -> DateOrder | None:
    """How a file writes its slashed dates (in its date ``columns``): "day" first when more
    of them can only be day-first (14/03/2024, as a UK locale writes them) than can only be
    month-first (3/14/2024, a US one's), "month" first when not as many, "either" when
    none can only be one way (01/02/2024), None when it has none.

    One locale saved the file, so a "day" file has every slashed date read day-first
    (as_day_first: its 01/02/2024 is February 1, in a column of no 14/03/2024 too), and a
    value that can only be the other way is a mistake, refused (a US report's one
    '13/01/2024'). An "either" file is read as the import's other files are
    (run.import_files), month-first when none says."""
    if not columns:
        return None

    def count(pattern: str, name: str) -> pl.Expr:
        return pl.sum_horizontal(pl.col(c).str.contains(pattern).sum() for c in columns).alias(name)

    day, month, slashed = frame.select(
        count(_DAY_FIRST, "day"), count(_MONTH_FIRST, "month"), count(_SLASHED, "slashed")
    ).row(0)
    if day > month:
        return "day"
    return "month" if month else "either" if slashed else None


def as_day_first(raw: pl.Expr) -> pl.Expr:
    """Slashed dates read day-first: '14/03/2024 09:30' as its dotted '14.03.2024 09:30' is."""
    return raw.str.replace(_SLASHED_START, "${1}.${2}.").str.strip_chars()


def _tool_moments(values: pl.Series) -> pl.Series:
    """_tool_instant on a column: epochs, then ISO times, then the reports' shapes (two-digit
    years given their century first), each tried only on the values the ones before left
    and materialised in turn. An export writes one shape, so most values are read by the
    first try that fits (1M epochs or ISO times ~0.3-0.5 s; one expression trying every
    shape on every value took 4-6 s)."""
    if values.null_count() == values.len():  # nothing to read (_spreadsheet)
        return pl.Series(values.name, [None] * values.len(), pl.Datetime("us", "UTC"))
    rest = pl.col("rest")
    left = pl.col("found").is_null() & rest.is_not_null()
    frame = pl.DataFrame({"s": values}).select(
        pl.col("s").str.strip_chars().str.replace(r"\s*\(?UTC\)?$", "").alias("rest")
    )
    frame = frame.with_columns(_epoch(rest).alias("found"))
    for parse, full_year in ((_instant, False), (_report_shapes, True)):
        if not frame.select(left.any()).item():
            break
        unread = pl.when(left).then(rest)
        frame = frame.with_columns((_full_year(unread) if full_year else unread).alias("rest"))
        frame = frame.with_columns(pl.coalesce("found", parse(rest)).alias("found"))
    return frame.select(_plausible(pl.col("found"))).to_series()


def _tool_instant(raw: pl.Expr) -> pl.Expr:
    return raw.map_batches(_tool_moments, return_dtype=pl.Datetime("us", "UTC"))


def tool_instant(raw: pl.Expr) -> pl.Expr:
    return _tool_instant(raw).dt.strftime(INSTANT_FORMAT)


def tool_date(raw: pl.Expr) -> pl.Expr:
    return _tool_instant(raw).dt.strftime("%Y-%m-%d")


def domain(raw: pl.Expr) -> pl.Expr:
    """A web domain from a domain, URL or email: 'https://www.Acme.com/x' -> 'acme.com'."""
    s = (
        lower(raw)
        .str.replace(r"^[a-z][a-z0-9+.-]*://", "")
        .str.replace(r"^.*@", "")
        .str.replace(r"^www\.", "")
        .str.replace(r"[/?#:].*$", "")
    )
    return pl.when(s.str.contains(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")).then(s)


@dataclass(frozen=True)
class Kind:
    """A parser with the words a user sees when a value does not fit."""

    name: str
    parse: Callable[[pl.Expr], pl.Expr]
    expected: str
    dtype: type[pl.DataType]
    # Money: ``parse`` gives plain decimal text in major units ('-1234.56'), turned into
    # minor units of the row's currency.
    money: bool = False
    dated: bool = False  # a date or date-time: read day-first in a day-first file (day_first)


TEXT = Kind("text", text, "text", pl.String)
ID = Kind(
    "id",
    identifier,
    "an identifier as the tool wrote it, not a number Excel shortened (import the export "
    "as downloaded, not opened and saved in Excel)",
    pl.String,
)
LOWER = Kind("word", lower, "a word", pl.String)
INT = Kind("int", integer, "a whole number like 12", pl.Int64)
DECIMAL = Kind("decimal", decimal, "a number like 12.5", pl.Float64)
PERCENT = Kind("percent", percent, "a percentage like 20, 12.5 or 20%", pl.Float64)
BOOL = Kind("bool", boolean, "true or false (also yes/no, 1/0)", pl.Int64)
CURRENCY = Kind("currency", currency_code, "a 3-letter ISO currency code like USD", pl.String)
EMAIL = Kind("email", email, "an email address like ana@example.com", pl.String)
DATE = Kind(
    "date", date, "a date like 2024-03-14 (or 3/14/2024, 14.03.2024)", pl.String, dated=True
)
INSTANT = Kind(
    "datetime",
    instant,
    "a date-time like 2024-03-14T09:30:00Z (or a date like 2024-03-14, 3/14/2024)",
    pl.String,
    dated=True,
)
TAGS = Kind("tags", tags, "words separated by ';' like competitor;budget_cut", pl.String)
# Money is parsed against the row's currency; see money_minor.
MONEY = Kind(
    "money",
    amount_text,  # as we write it ('1234.50'), or as a spreadsheet saves it ('1.234,50')
    "an amount like 1234.50",
    pl.Int64,
    money=True,
)
# What the tools write: "$1,234.56", "1.234,56 €", "(12.00)".
AMOUNT = Kind("amount", amount_text, "an amount like 1,234.56 or $1,234.56", pl.Int64, money=True)
# Read through Field.cents_aliases, never declared on a field.
CENTS = Kind("cents", cents_text, "a whole number of cents like 12000", pl.Int64, money=True)
TOOL_INSTANT = Kind(
    "tool datetime",
    tool_instant,
    "a date-time like 2024-03-14 09:30, 3/14/2024 2:05 PM or 1710408600",
    pl.String,
    dated=True,
)
CARD_EXPIRY = Kind(
    "card expiry", card_expiry, "a card expiry month like 2027-03 or 03/27", pl.String
)
TOOL_DATE = Kind(
    "tool date",
    tool_date,
    "a date like 2024-03-14, 3/14/2024 or 14.03.2024",
    pl.String,
    dated=True,
)
