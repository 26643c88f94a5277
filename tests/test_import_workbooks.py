"""Excel workbooks (.xlsx, .xls) import as the CSV their sheet would be saved as.

The fixtures are the CSV fixtures written as workbooks the way a spreadsheet holds them:
numbers and dates typed (a date cell, not its text), text as text, an empty cell left
out (tests/fixtures/workbooks; the .xls in Excel 97-2003's format).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from tests.conftest import CANONICAL, FIXTURES, WORKBOOKS, database_digest

TOOLS = FIXTURES / "tools"

# What a database records of its history besides the data: its imports' files and
# times, when each migration ran.
LOGS = ("import_batches", "import_undo", "import_log", "schema_version")


def _import(db: Path, *paths: Path):
    return CliRunner().invoke(cli, ["import", "-q", "--db", str(db), *map(str, paths)])


@pytest.mark.parametrize(
    ("workbooks", "csv_files"),
    [
        # our own files, typed by a spreadsheet (an .xlsx, and Excel 97-2003's .xls)
        (
            ["accounts.xlsx", "subscriptions.xls"],
            [CANONICAL / "accounts.csv", CANONICAL / "subscriptions.csv"],
        ),
        # HubSpot's export as XLSX, a Salesforce report's 'Details Only' as Excel
        (
            ["hubspot-crm-exports-all-companies-2024-11-20.xlsx", "report_accounts.xlsx"],
            [
                TOOLS / "hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv",
                TOOLS / "salesforce/report_accounts.csv",
            ],
        ),
    ],
)
def test_a_workbook_imports_as_its_csv_does(
    tmp_path: Path, workbooks: list[str], csv_files: list[Path]
) -> None:
    books = tmp_path / "workbooks.db"
    texts = tmp_path / "csv.db"
    result = _import(books, *(WORKBOOKS / name for name in workbooks))
    assert result.exit_code == 0, result.output
    assert _import(texts, *csv_files).exit_code == 0
    for db in (books, texts):  # when each account's link was made: each import's time
        with closing(sqlite3.connect(db)) as c, c:
            c.execute("UPDATE account_links SET linked_at = ''")
    assert database_digest(books, leave_out=LOGS) == database_digest(texts, leave_out=LOGS)


def test_a_folders_workbooks_are_imported_not_excels_lock_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(WORKBOOKS / "accounts.xlsx", folder / "accounts.xlsx")
    shutil.copy(CANONICAL / "contacts.csv", folder / "contacts.csv")
    (folder / "~$accounts.xlsx").write_bytes(b"\x0bExcel's lock file")
    result = CliRunner().invoke(cli, ["import", "--db", str(tmp_path / "r.db"), str(folder)])
    assert result.exit_code == 0, result.output
    assert "accounts.xlsx: canonical.accounts, 3 rows: 3 inserted" in result.output
    assert "contacts.csv: canonical.contacts, 3 rows: 3 inserted" in result.output
    assert "~$" not in result.output


def test_a_workbook_of_several_sheets_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert _import(db, CANONICAL / "accounts.csv").exit_code == 0
    before = database_digest(db)
    result = _import(db, CANONICAL / "contacts.csv", WORKBOOKS / "two_sheets.xlsx")
    assert result.exit_code == 2
    assert (
        f"Error: {WORKBOOKS / 'two_sheets.xlsx'}: is an Excel workbook of 2 sheets with rows "
        "('accounts', 'subscriptions'); expected one: save each sheet as CSV (in Excel: "
        "Save As > CSV UTF-8) and import those"
    ) in result.output
    assert database_digest(db) == before


def test_a_sheets_cells_read_as_excel_shows_them() -> None:
    from importers import workbooks

    path = WORKBOOKS / "accounts.xlsx"
    lines = workbooks.as_csv(path, path.read_bytes()).decode().splitlines()
    assert lines[0].startswith("account_id,name,domain,segment")
    # a date cell reads as its day at midnight, a whole number without '.0'
    assert lines[1] == (
        "acc_1,Acme Corp,acme.com,mid_market,growth,Dana Lee,Logistics,120,"
        "2024-03-14 00:00:00,2026-03-14 00:00:00,24000,USD"
    )


def test_a_bad_cell_in_a_workbook_is_named_by_its_row_and_column(tmp_path: Path) -> None:
    """Rows are numbered as the sheet shows them: the header is row 1."""
    path = WORKBOOKS / "accounts_bad_date.xlsx"
    db = tmp_path / "r.db"
    result = _import(db, path)
    assert result.exit_code == 2
    assert (
        f"{path}, row 3, column 'created_at': got 'soon'; expected a date like 2024-03-14"
    ) in result.output
