"""docs/canonical-format.md, written from the format tables themselves so the two never
disagree. Regenerate with ``python -m importers.reference > docs/canonical-format.md``."""

from __future__ import annotations

from importers.canonical import FORMATS
from importers.spec import FileFormat

INTRO = """\
# Canonical CSV format

`retention import` reads one CSV file per entity. This page is generated from the format
tables in `importers/canonical.py` (`python -m importers.reference`), so it always says
what the importer really does.

How every file is read:

- **Detection**: the format is recognised from the header (the format whose required
  columns are all present and which explains most columns). `--format NAME` forces one.
- **Header**: column names are matched ignoring case and surrounding spaces; columns may
  come in any order; unknown columns are ignored and listed after the import.
- **Encoding**: UTF-8, with or without a byte-order mark. Separator: comma, semicolon or
  tab (taken from the header line). Quoted fields may hold separators and line breaks.
  Blank lines are skipped.
- **Rows** are numbered as a spreadsheet shows them: the header is row 1.
- **Empty cells** are missing values. A column with a default uses it when empty or absent.
- **Money**: a decimal amount in major units (`1234.50`, no thousands separators, no
  symbol) in the row's `currency`; stored exactly as integer minor units (cents; yen have
  none, dinars have three).
- **Dates** (`date`): `YYYY-MM-DD`. **Date-times** (`datetime`): ISO 8601 such as
  `2024-03-14T09:30:00Z`, `2024-03-14 09:30:00`, or with an offset (`+02:00`), stored in
  UTC; a time without a zone is taken as UTC, and a bare date means midnight UTC.
- **Booleans**: true/false, yes/no, y/n, 1/0 (any case). **Choices** are matched ignoring case.
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


def format_section(fmt: FileFormat) -> str:
    key = " + ".join(f"`{f.column}`" for f in fmt.fields if f.target in fmt.key) or "`id`"
    lines = [
        f"## {fmt.name}",
        "",
        f"{fmt.description} Fills table `{fmt.table}`; a record is identified by {key}.",
        "",
        "| column | type | required | description | example |",
        "|---|---|---|---|---|",
    ]
    for f in fmt.fields:
        required = (
            "yes"
            if f.required and f.default is None
            else (f"no (default `{f.default}`)" if f.default is not None else "no")
        )
        example = f"`{f.example}`" if f.example else ""
        lines.append(f"| `{f.column}` | {_kind(f)} | {required} | {f.doc} | {example} |")
    header = ",".join(f.column for f in fmt.fields)
    row = ",".join(
        f'"{f.example}"' if "," in f.example or ";" in f.example else f.example for f in fmt.fields
    )
    lines += ["", "```csv", header, row, "```", ""]
    return "\n".join(lines)


def canonical_format_markdown() -> str:
    return INTRO + "\n" + "\n".join(format_section(f) for f in FORMATS)


if __name__ == "__main__":
    print(canonical_format_markdown(), end="")
