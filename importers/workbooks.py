"""Excel workbooks (.xlsx, and Excel 97-2003's .xls; LibreOffice's and Google Sheets'
.ods too): what HubSpot's and Salesforce's export dialogs offer first, and where a CSM
keeps their own lists. A sheet is read as the
CSV text it would be saved as, so everything after (detection, checks, row numbers) is
the CSV path's.

A workbook of one sheet with rows is that sheet. A workbook of several is read like an
archive of CSV files: each sheet is a file named by the workbook's path and the sheet's
name, ``customers.xlsx/Subscriptions``, and the sheets no format fits are left out and
listed (a 'Notes' sheet); that name on the command line reads that one sheet.

Cells are read by fastexcel (Polars' own reader of Excel files): a number as Excel shows it
in General format (`24000`, `19.99`), a date as `2024-03-14 00:00:00`, a true/false cell as
`true`/`false`. Rows are numbered as the sheet numbers them: empty rows above the table
are kept as blank lines (fastexcel leaves them out unless told to skip none), so a table
whose header is row 25 has its first row 26 (a title above the header is found by
csvfile.read_head_rows).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import fastexcel
import polars as pl

from db.errors import Problem, RetentionError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (and other Office files)
MARKS = (_ZIP, _OLE)  # how a workbook's bytes start (and other ZIP archives')
AS_CSV = "in Excel: Save As > CSV UTF-8"


def _fail(path: Path, message: str) -> None:
    raise RetentionError(str(Problem(str(path), message)))


def is_workbook_name(name: str) -> bool:
    """A workbook's file name ('Companies.xlsx', 'REPORT.XLS', 'customers.ods')."""
    return name.lower().endswith((".xlsx", ".xls", ".ods"))


def is_workbook_names(names: list[str]) -> bool:
    """Whether a ZIP archive of these parts is a workbook: an .xlsx (XML parts listed in
    [Content_Types].xml), an .ods (its first part names its type)."""
    return "[Content_Types].xml" in names or ("mimetype" in names and "content.xml" in names)


def is_workbook(data: bytes) -> bool:
    """Whether the bytes of a whole file are a workbook: a ZIP archive of a workbook's
    parts, or an OLE compound file (an .xls)."""
    if data.startswith(_OLE):
        return True
    if not data.startswith(_ZIP):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return is_workbook_names(archive.namelist())
    except zipfile.BadZipFile:  # damaged: reading it as CSV says it is a ZIP archive
        return False


def is_workbook_file(path: Path) -> bool:
    """is_workbook of the file ``path`` (its parts' names read, not the whole file)."""
    try:
        with path.open("rb") as f:
            mark = f.read(len(_OLE))
        if mark.startswith(_OLE):
            return True
        if not mark.startswith(_ZIP):
            return False
        with zipfile.ZipFile(path) as archive:
            return is_workbook_names(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _sheets(path: Path, data: bytes) -> list[tuple[str, bytes]]:
    """The workbook's sheets with rows, by name, every cell as text (None when empty). A
    hidden sheet is not read: what is imported is what the workbook shows (a hidden copy
    of last year's accounts would overwrite this year's)."""
    try:
        reader = fastexcel.read_excel(data)
        loaded = [
            (name, reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
            for name in reader.sheet_names
        ]
        sheets = [(n, sheet.to_polars()) for n, sheet in loaded if sheet.visible == "visible"]
    except Exception as exc:  # fastexcel's errors: a damaged, encrypted or other file
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        _fail(
            path,
            f"could not be read as an Excel workbook ({first}): damaged, or protected by a "
            f"password? Export it again, or save it as CSV ({AS_CSV})",
        )
        raise AssertionError from exc  # unreachable
    filled = [(name, _csv(frame)) for name, frame in sheets if frame.height and frame.width]
    if not filled:
        _fail(
            path,
            "is an Excel workbook with no rows (in its visible sheets); expected a header row "
            "and data rows",
        )
    return filled


@lru_cache(maxsize=4)
def _parsed(path: Path, mtime_ns: int, size: int) -> tuple[tuple[str, bytes], ...]:
    return tuple(_sheets(path, path.read_bytes()))


def _file_sheets(path: Path) -> tuple[tuple[str, bytes], ...]:
    """_sheets of the workbook file ``path``, parsed (and written as CSV) once while it is
    unchanged: an import asks for them up to three times (its sheets, a sheet's header,
    its rows; 100k rows: ~0.4 s a parse)."""
    st = path.stat()
    return _parsed(path, st.st_mtime_ns, st.st_size)


def _csv(frame: pl.DataFrame) -> bytes:
    """A sheet as UTF-8 CSV text: a row with no value in it a blank line (skipped, and
    counted, as a CSV file's are)."""
    out = io.BytesIO()
    frame.write_csv(out, include_header=False, null_value="")
    empty_row = re.compile(rf"(?m)^,{{{frame.width - 1}}}\r?$")
    return empty_row.sub("", out.getvalue().decode("utf-8")).encode("utf-8")


def as_csv(path: Path, data: bytes) -> bytes:
    """The workbook's one sheet with rows, as CSV text (sheet_members names each of a
    workbook of several, so a workbook read whole here has one)."""
    sheets = _file_sheets(path) if path.is_file() else _sheets(path, data)
    if len(sheets) > 1:  # a workbook file of several is read sheet by sheet (sheet_members)
        _fail(path, "is a workbook of several sheets inside an archive; unzip it and import it")
    return sheets[0][1]


def sheet_members(path: Path) -> list[Path] | None:
    """Each sheet with rows of the workbook ``path`` as a file of its own (``path / name``),
    when it has several; None when ``path`` is no workbook, or one of one such sheet."""
    if not path.is_file() or not is_workbook_file(path):
        return None
    names = [name for name, _ in _file_sheets(path)]
    return [path / name for name in names] if len(names) > 1 else None


def read_sheet(path: Path) -> bytes | None:
    """The CSV text of the sheet ``path`` names (``customers.xlsx/Subscriptions``); None
    when ``path`` names no sheet of a workbook."""
    book = path.parent
    if path.exists() or not book.is_file() or not is_workbook_file(book):
        return None
    for name, text in _file_sheets(book):
        if name == path.name:
            return text
    _fail(path, f"no sheet with rows named {path.name!r} in {book.name}")
    raise AssertionError  # unreachable


P = ParamSpec("P")
R = TypeVar("R")


def forgetting(work: Callable[P, R]) -> Callable[P, R]:
    """``work``, dropping the workbooks it parsed once it is done (an import: a big
    workbook's sheets would stay in the app's memory)."""

    @wraps(work)
    def done_with_them(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return work(*args, **kwargs)
        finally:
            _parsed.cache_clear()

    return done_with_them
