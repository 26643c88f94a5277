"""Excel workbooks (.xlsx, and Excel 97-2003's .xls): what HubSpot's and Salesforce's
export dialogs offer first. A workbook of one sheet is read as the CSV text that sheet
would be saved as, so everything after (detection, checks, row numbers) is the CSV path's.

Cells are read by fastexcel (Polars' own reader of Excel files): a number as Excel shows it
in General format (`24000`, `19.99`), a date as `2024-03-14 00:00:00`, a true/false cell as
`true`/`false`. Rows are numbered from the sheet's first row with a value (row 1, its
header, in every export).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import fastexcel

from db.errors import Problem, RetentionError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (and other Office files)
_AS_CSV = "in Excel: Save As > CSV UTF-8"


def _fail(path: Path, message: str) -> None:
    raise RetentionError(str(Problem(str(path), message)))


def is_workbook_name(name: str) -> bool:
    """A workbook's file name ('Companies.xlsx', 'REPORT.XLS')."""
    return name.lower().endswith((".xlsx", ".xls"))


def is_workbook(data: bytes) -> bool:
    """Whether the bytes (or the first of them) are an Excel workbook: an .xlsx is a ZIP
    archive of XML parts under xl/, an .xls an OLE compound file."""
    if data.startswith(_ZIP):
        return b"[Content_Types].xml" in data[:2048] or b"xl/" in data[:2048]
    return data.startswith(_OLE)


def as_csv(path: Path, data: bytes) -> bytes:
    """The workbook's one sheet with rows, as UTF-8 CSV text (a row with no value in it a
    blank line, skipped as a CSV file's are). A workbook of several such sheets, or none,
    is an error."""
    try:
        reader = fastexcel.read_excel(data)
        sheets = [
            (name, reader.load_sheet(name, header_row=None, dtypes="string").to_polars())
            for name in reader.sheet_names
        ]
    except Exception as exc:  # fastexcel's errors: a damaged, encrypted or other file
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        _fail(
            path,
            f"could not be read as an Excel workbook ({first}): damaged, or protected by a "
            f"password? Export it again, or save it as CSV ({_AS_CSV})",
        )
        raise AssertionError from exc  # unreachable
    filled = [(name, frame) for name, frame in sheets if frame.height and frame.width]
    if not filled:
        _fail(path, "is an Excel workbook with no rows; expected a header row and data rows")
    if len(filled) > 1:
        names = ", ".join(repr(name) for name, _ in filled)
        _fail(
            path,
            f"is an Excel workbook of {len(filled)} sheets with rows ({names}); expected one: "
            f"save each sheet as CSV ({_AS_CSV}) and import those",
        )
    frame = filled[0][1]
    out = io.BytesIO()
    frame.write_csv(out, include_header=False, null_value="")
    empty_row = re.compile(rf"(?m)^,{{{frame.width - 1}}}\r?$")
    return empty_row.sub("", out.getvalue().decode("utf-8")).encode("utf-8")
