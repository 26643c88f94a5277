"""docs/canonical-format.md and docs/formats.md, written from the format tables themselves
so they never disagree with the importer. Regenerate with
``python -m importers.reference > docs/canonical-format.md`` and
``python -m importers.reference tools > docs/formats.md``."""

from __future__ import annotations

import sys

from importers.canonical import FORMATS
from importers.sources import SOURCE_FORMATS
from importers.spec import IDENTITY_TARGETS, FileFormat

INTRO = """\
# Canonical CSV format

`retention import` reads one CSV file (or workbook sheet) per entity. This page is
generated from the format tables in `importers/canonical.py` (`python -m
importers.reference`), so it always says what the importer really does.

How every file is read:

- **Detection**: the format is recognised from the header (the format whose required
  columns are all present and which explains most columns). `--format NAME` forces one.
- **Header**: column names are matched ignoring case, surrounding spaces and the choice
  of space, `_` or `.` between words (`Customer ID` = `customer_id`); columns may come in
  any order; unknown columns are ignored and listed after the import, and columns with
  neither a name nor a value (a spreadsheet's leftovers: `a,b,,`) are skipped.
- **Encoding**: UTF-8, with or without a byte-order mark, else Windows-1252 (what Excel
  on Windows saves as "CSV"); UTF-16 when the file starts with its byte-order mark (what
  Excel saves as "Unicode Text"). Separator: comma, semicolon or tab (taken from the
  header line). Quoted fields may hold separators and line breaks. Blank lines are skipped,
  and so is the footer Salesforce puts below a report's rows (after a blank line: its
  totals, "Confidential Information - Do Not Distribute", the copyright line); the import
  says it left it out.
- **Excel workbooks** (`.xlsx`, and Excel 97-2003's `.xls`; LibreOffice's and Google
  Sheets' `.ods` too), as HubSpot and Salesforce export them first: a sheet is read as
  the CSV it would be saved as (a number as Excel shows it in General format, `24000` or
  `19.99`; a date cell as its date and time). A workbook of several sheets with rows is
  read as an archive is, each sheet a file (`customers.xlsx/Subscriptions` names one); a
  sheet no format fits (notes) is left out and listed; a hidden sheet is not read. Rows
  are numbered as the sheet numbers them (empty rows above the table counted).
- **Archives**: a ZIP archive's CSV files and workbooks (HubSpot's export of several
  objects as XLSX) are imported as if named one by one (what macOS adds to an archive
  is not; a workbook of several sheets in one is to be unzipped first), and a
  gzip-compressed file (`events.csv.gz`) as the file inside; `export.zip/accounts.csv`
  names one file in an archive. A folder's or archive's files that no format fits, or
  that hold no table (a web page or Excel 2003 XML named `.xls`, a binary file), are left
  out and listed after the import, the latter with what to do (at least one of each
  folder or archive must fit); a file named itself must fit one. A refused first import
  into a new database (or a dry run) leaves no database behind.
- **A title above the table** (a sheet's name for it, when a report was run and its
  filters, blank rows) is left out, and the import says what it said: the header is the
  first of the first 20 rows with a value that a format's columns fit, when the first row
  is none and comes close to none (that row is told about).
- **Rows** are numbered as a spreadsheet shows them: the header is row 1 (or the row it
  is in, below a title).
- **Empty cells** are missing values. A column with a default uses it when empty or absent.
- **Money**: a decimal amount in major units (`1234.50`) in the row's `currency`; stored
  exactly as integer minor units (cents; yen have none, dinars have three).
- **Dates** (`date`): `YYYY-MM-DD`, from 1900 on. **Date-times** (`datetime`): ISO 8601 such as
  `2024-03-14T09:30:00Z`, `2024-03-14 09:30:00`, or with an offset (`+02:00`), stored in
  UTC; a time without a zone is taken as UTC, and a bare date means midnight UTC.
- **Saved from a spreadsheet**: a file opened in Excel (or another spreadsheet) and
  saved again as CSV imports as it was: amounts and numbers with thousands separators,
  a currency sign or a decimal comma (`1,234.50`, `$1,234.50`, `1.234,50`, `12,5`; a comma
  followed by exactly three digits alone, `1,234`, groups thousands); dates and times as a
  US locale writes them (`3/14/2024`, `3/14/2024 9:30`, `3/14/24`) or a German, Nordic or
  Polish one (`14.03.2024 09:30`), with `;` between values, or a UK one (`14/03/2024`).
  Slashed dates are read in the order the file's locale writes them: day-first when more
  of its dates can only be day-first (`14/03/2024`) than can only be month-first
  (`3/14/2024`), and the import says so; a file whose dates could all be either way
  (`01/02/2024`) is read as the same import's other files are, else month-first (the
  import says so). A date that can only be the other way is refused (a typo).
  `[import] dates = "day-first"` (or `"month-first"`) in `retention.toml`, or `retention
  import --dates day-first`, reads every file's so.
  An id Excel shortened (a long number saved as `1.23457E+11`) is refused: the id itself
  is gone; import the export as downloaded.
- **Booleans**: true/false, yes/no, y/n, 1/0 (any case), and Excel's TRUE/FALSE in its
  other languages (WAHR/FALSCH, VRAI/FAUX, VERDADERO/FALSO...). **Choices** are matched
  ignoring case.
- **Identity**: each record is identified by its id column(s); importing a file again
  updates the records it already has and adds the new ones, never duplicating anything.
  Columns absent from a file leave the stored values alone. A record repeated exactly in
  one file is counted once; one id with two different contents is an error.
- **All or nothing**: all files of one `retention import` are written in one transaction,
  in the order their references need (accounts first). Any problem in any file is
  reported with its file, row and column, the command exits with code 2, and the
  database is left exactly as it was. `--dry-run` reports what would change.
"""


def _kind(field) -> str:
    if field.choices:
        return "one of: " + ", ".join(f"`{c}`" for c in field.choices)
    text = field.kind.name
    if field.low is not None and field.high is not None:
        text += f" ({field.low:g} to {field.high:g})"
    elif field.low is not None:
        text += f" (>= {field.low:g})"
    return text


def column_rows(fmt: FileFormat) -> list[dict[str, str]]:
    """One row per column the format reads, in Markdown (code in backticks): for our own
    formats its type, whether required, what it holds and an example; for a tool's
    export its other names, where it goes, whether required and the values it knows."""
    rows = []
    for f in fmt.fields:
        required = "yes" if f.required and f.default is None else "no"
        if fmt.source != "canonical":
            rows.append(
                {
                    "column": f"`{f.column}`",
                    "also read as": ", ".join(f"`{a}`" for a in f.aliases),
                    "goes to": _target(f),
                    "required": required,
                    "values": _tool_value(f),
                }
            )
            continue
        if f.default is not None:
            required = f"no (default `{f.default}`)"
        rows.append(
            {
                "column": f"`{f.column}`",
                "type": _kind(f),
                "required": required,
                "description": f.doc,
                "example": f"`{f.example}`" if f.example else "",
            }
        )
    return rows


def about(fmt: FileFormat) -> str:
    """What the format is, what it fills and how it is known, in Markdown."""
    if fmt.source == "canonical":
        key = " + ".join(f"`{f.column}`" for f in fmt.fields if f.target in fmt.key) or "`id`"
        return f"{fmt.description} Fills table `{fmt.table}`; a record is identified by {key}."
    known = "Recognised by the columns " + ", ".join(f"`{c}`" for c in fmt.detected_by)
    if fmt.evidence:
        known += ", with one of " + ", ".join(f"`{n}`" for n in fmt.evidence)
    if fmt.not_with:
        known += "; not a file with " + " or ".join(f"`{n}`" for n in fmt.not_with)
    return f"{fmt.description} Fills table `{fmt.table}`. {known}."


def _markdown_table(rows: list[dict[str, str]]) -> list[str]:
    return [
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
        *("| " + " | ".join(r.values()) + " |" for r in rows),
    ]


def format_section(fmt: FileFormat) -> str:
    lines = [f"## {fmt.name}", "", about(fmt), "", *_markdown_table(column_rows(fmt))]
    header = ",".join(f.column for f in fmt.fields)
    row = ",".join(
        f'"{f.example}"' if "," in f.example or ";" in f.example else f.example for f in fmt.fields
    )
    lines += ["", "```csv", header, row, "```", ""]
    return "\n".join(lines)


def canonical_format_markdown() -> str:
    return INTRO + "\n" + "\n".join(format_section(f) for f in FORMATS)


TOOLS_INTRO = """\
# The tools' own exports

`retention import` reads these files as the tools write them: no editing, no column
renaming. This page is generated from the format tables in `importers/sources/`
(`python -m importers.reference tools`); each format lists where its column names and
values come from. Our own layout is in [canonical-format.md](canonical-format.md); the
rules there (detection, all-or-nothing, exit code 2, upserts) hold for these files too.

## Values as the tools write them

- **Amounts**: major units with or without currency signs and separators: `49.00`,
  `$1,234.56`, `1.234,56`, `1 234,56 EUR`, `(12.00)` (negative). A lone `,` followed by
  three digits groups thousands (`1,234`), by one or two it is a decimal comma (`1,5`,
  `1234,56`); a lone `.` is the decimal point (`1.234`) unless repeated (`1.234.567`) or
  before a comma (`1.234,56`). Anything else (`1,2345`, `1.2E+05`) is refused.
- **Whole numbers** (head counts, quantities): `12000`, or with its thousands grouped by
  one separator throughout, as a report in a US or European locale writes them: `12,000`,
  `12.000`, `12 000`, `12'000`.
- **Dates and times**: ISO (`2024-03-14`, `2024-03-14 09:30`, `2024-03-14T09:30:00.000+0000`),
  a zone as `+0000` or ` UTC`, US month-first as reports in a US locale write them
  (`3/14/2024`, `3/14/2024 2:05 PM`), day-first with dots as Excel writes them in a
  German, Nordic or Polish locale (`14.03.2024`, `14.03.2024 09:30`), a two-digit year
  as Excel for Mac writes it (`11/2/23`: 00-68 are 2000s, 69-99 1900s), and Unix epoch
  seconds or milliseconds (`1710408600`). A year before 1900 is refused, never stored. Headers like
  `Created (UTC)` are read as UTC. Day-first with slashes (`14/03/2024`, a UK locale):
  a file is read day-first when more of its dates can only be day-first than can only be
  month-first (its `01/02/2024` is then February 1; the import says so); a file whose
  dates could all be either way is read as the same import's other files are, else
  month-first.
- **Statuses** are translated into ours (each format's table lists the words it knows);
  some rows are left out on purpose and counted in the summary with the reason, e.g. a
  Stripe subscription that was never paid (`incomplete`), a Chargebee one that has not
  started (`future`), a Segment `identify` call, a Stripe charge with no invoice.
- **Subscriptions become MRR periods**: unit price x quantity, less a percent discount
  when the file has one; week, month, quarter and year kept, any other period (6 months,
  2 weeks) turned into its monthly equivalent; a finished trial split off as its own
  `trialing` period so MRR starts when paying starts. The status is the subscription's
  now, not its whole life's: a canceled one paid until it ended (an `active` period that
  ends then: churn in that month), one past due, unpaid or paused is so since its current
  billing period began (Stripe's `Current Period Start (UTC)`) and paid before it. One
  still running that is set to cancel (Stripe's `Cancel At Period End`) keeps the day it
  ends (`Current Period End (UTC)`) and the day the customer asked (`Canceled At (UTC)`):
  the churn-risk signal `cancel_terms` fires between the two; Chargebee's `non_renewing`
  the same, from `Cancel Schedule Created At` until `Cancelled At`.
- **A failed payment without charges**: where no payments export is imported, an invoice
  the billing tool says it failed to collect counts as a failed payment (one attempt)
  from that day until a later export says it is paid: Chargebee's `payment_due` and
  `not_paid` (from the due day), a Stripe invoice still unpaid after Stripe tried to
  charge it (`Attempt Count` above 0, collection method `charge_automatically`: from its
  day). Its charges, once imported, say how many failed and when.
- **A new price keeps the old one as history**: a subscriptions export shows each
  subscription at its current price, so the same export imported again after an upgrade
  or a downgrade ends the old price where the current billing period began (Stripe's
  `Current Period Start (UTC)`, Chargebee's `Current Term Start`) and starts the new one
  there: the change is expansion or contraction in NRR, the past stays as it was. Without
  that column, or within the same billing period, the new price replaces the old. An
  earlier export imported after a later one is left out for those subscriptions (said in
  the summary). What a format makes of a file's columns (the billing interval, a lost
  deal's reason, a contact's name from first and last, a card's expiry) follows the
  tool's record when it changes, where the new file gives it a value; a stand-in (an
  account named by its email in an export without the name column, a deal's name for
  its company) names new records only.
- **A subscription the export lacks is said, not ended**: a subscriptions export of
  Stripe or Chargebee holds every subscription unless it was filtered (Stripe's Active
  tab): one stored as live that the file lacks is named in the summary with what to do
  (export every status), and keeps counting as paying until an export says it ended (a
  file holding none of the stored subscriptions is another billing account's: no note).
- **Owners named by id**: Salesforce's Data Loader and Data Export files name an account's
  or an opportunity's owner by `OwnerId`; its users (`User.csv`) say who that is, imported
  with them or later (each owner named then, and renamed when the user is).

## One account across tools

Each tool names a company its own way, so rows are matched to accounts by their keys,
best first: the tool's **id** for the company (`id:cus_...`), a person's **email**
(`email:ana@acme.com`), the company's web **domain** (`domain:acme.com`: from a domain
or website column, else from the email unless it is free mail like gmail.com) and its
**normalised name** (`name:acme`: lower case, punctuation and legal forms like Inc, LLC,
GmbH & Co. KG dropped). A row goes to, in order:

1. the account a saved **link** gives one of its keys (links are made by imports, by
   hand and by merges, and outlive re-imports; a link made by hand wins);
2. the account of the **contact** with that email;
3. the only account with that **domain**; 4. the only account with that **name**.

Company files (Stripe customers, HubSpot companies, Salesforce accounts) create an
account for a company that matches none, and enrich one they match: the CRM's owner,
industry, head count, segment, renewal date and contract value replace what the account
had (a reassigned owner shows on the next import), its other fields only fill what is
empty (the account Stripe created keeps Stripe's name). Billing files are written before
CRM files, so the billing tool's customer names a new account.

Rows that match no account, or two or more (ambiguous), are **kept, not dropped**:
`retention accounts unmatched` lists them by source and key, `retention accounts link
SOURCE KEY ACCOUNT` links a key by hand and imports the rows that waited for it, and
later imports follow the link. An **explicit id map** links many at once:
`retention accounts link --map ids.csv`, a CSV of `source,external_id,account_id`
(`mixpanel,grp_42,acc_0042`; an external id may also be a key like `domain:acme.com`),
all or none. `retention accounts merge DUPLICATE KEEP` folds one
account into another: data, playbooks, ticks, notes and snoozes move, and every tool's
record of the duplicate lands on the kept account from then on (it asks first: a
merge cannot be undone). Deals may stay without
an account (a lost prospect is still a win-back lead).
"""


def _tool_value(field) -> str:
    if field.values:
        ours = sorted({v for v in field.values.values() if v})
        theirs = {o: sorted(w for w, v in field.values.items() if v == o) for o in ours}
        text = "; ".join(f"{', '.join(f'`{w}`' for w in theirs[o])} -> `{o}`" for o in ours)
        if field.skip:
            text += "; left out: " + ", ".join(f"`{w or '(empty)'}`" for w in field.skip)
        if field.other is not None:
            text += "; any other: " + " ".join((field.other.__doc__ or "").split())
        return text
    text = field.kind.name
    if field.skip:
        text += "; left out: " + ", ".join(f"`{w or '(empty)'}`" for w in field.skip)
    return text


def _target(field) -> str:
    if field.target in IDENTITY_TARGETS:
        return "matching: " + field.target.removeprefix("ext_")
    if field.target.startswith("_"):
        return "(used to compute the row)"
    return f"`{field.target}`"


def tool_section(fmt: FileFormat) -> str:
    lines = [f"## {fmt.label}", "", about(fmt), "", *_markdown_table(column_rows(fmt))]
    lines += ["", "Sources: " + "; ".join(fmt.sources) + ".", ""]
    return "\n".join(lines)


def tool_formats_markdown() -> str:
    return TOOLS_INTRO + "\n" + "\n".join(tool_section(f) for f in SOURCE_FORMATS)


if __name__ == "__main__":
    if sys.argv[1:] == ["tools"]:
        print(tool_formats_markdown(), end="")
    else:
        print(canonical_format_markdown(), end="")
