"""Bad input: one clear message (file, row, column, what was expected), exit code 2, no
traceback, and the database exactly as it was."""

from __future__ import annotations

import gzip
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from retention_tui.cli import cli
from tests.conftest import CANONICAL, database_digest, zipped

ACCOUNTS = "account_id,name,created_at\n"


def _encrypted(data: bytes) -> bytes:
    """The archive with its entries marked encrypted (general purpose flag bit 0), as a
    password-protected export is: Python's zipfile cannot write one."""
    out = bytearray(data)
    for mark, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(mark)
        out[at + flags_at] |= 0x1
    return bytes(out)


CASES = {
    "unknown_header": (
        "export.csv",
        "foo,bar\n1,2\n",
        "{file}, row 1: header not recognised (foo, bar); expected the columns of one of "
        "the formats listed by 'retention formats'",
    ),
    "missing_required_column": (
        "people.csv",
        "contact_id,name,email\nc1,Ana,ana@acme.com\n",
        "{file}, row 1: looks like a contacts file but is missing required column 'account_id' "
        "('retention formats contacts' lists its columns)",
    ),
    "missing_required_column_of_an_accounts_file": (
        "northwind.csv",
        "account_id,name\nacc_1,Northwind Traders\n",
        "{file}, row 1: looks like an accounts file but is missing required column "
        "'created_at' ('retention formats accounts' lists its columns)",
    ),
    "unparsable_amount": (
        "accounts.csv",
        'account_id,name,created_at,contract_value\na,Acme,2024-01-01,"1,2345"\n',
        "{file}, row 2, column 'contract_value': got '1,2345'; expected an amount like 1234.50",
    ),
    "impossible_date": (
        "accounts.csv",
        ACCOUNTS + "a,Acme,2024-02-30\n",
        "{file}, row 2, column 'created_at': got '2024-02-30'; expected a date like 2024-03-14 "
        "(or 3/14/2024, 14.03.2024)",
    ),
    "missing_value": (
        "accounts.csv",
        ACCOUNTS + "a,Acme,2024-01-01\nb,,2024-01-01\n",
        "{file}, row 3, column 'name': missing value; expected text",
    ),
    "bad_choice": (
        "accounts.csv",
        "account_id,name,created_at,segment\na,A,2024-01-01,huge\n",
        "{file}, row 2, column 'segment': got 'huge'; expected one of smb, mid_market, enterprise",
    ),
    "out_of_range": (
        "nps.csv",
        "response_id,account_id,score,responded_at\nr1,a,11,2024-01-01\n",
        "{file}, row 2, column 'score': got '11'; expected a whole number from 0 to 10",
    ),
    "too_many_decimals": (
        "accounts.csv",
        "account_id,name,created_at,contract_value,currency\na,A,2024-01-01,10.5,JPY\n",
        "{file}, row 2, column 'contract_value': got '10.5'; expected an amount like 1234.50",
    ),
    "duplicate_id": (
        "accounts.csv",
        ACCOUNTS + "a,A,2024-01-01\na,B,2024-01-01\n",
        "{file}, row 3, column 'account_id': duplicate account_id 'a' with different "
        "values (first on row 2); expected each record once",
    ),
    "unknown_account": (
        "contacts.csv",
        "contact_id,account_id\nc1,zzz\n",
        "{file}, row 2, column 'account_id': unknown account_id 'zzz'; expected one that "
        "exists in accounts (import accounts.csv first)",
    ),
    "unknown_invoice": (
        "payments.csv",
        "payment_id,invoice_id,account_id,attempted_at,outcome\n"
        "p1,inv_404,acc_1,2024-01-01,failed\n",
        "{file}, row 2, column 'invoice_id': unknown invoice_id 'inv_404'; expected one "
        "that exists in invoices (import invoices.csv first)",
    ),
    "bad_card_expiry": (
        "payments.csv",
        "payment_id,invoice_id,account_id,attempted_at,outcome,card_expires\n"
        "p1,inv_1,acc_1,2024-01-01,failed,13/27\n",
        "{file}, row 2, column 'card_expires': got '13/27'; expected a card expiry month "
        "like 2027-03 or 03/27",
    ),
    "more_fields": (
        "accounts.csv",
        ACCOUNTS + "a,A,2024-01-01,extra\n",
        "{file}, row 2: has 4 fields, more than the header's 3; expected one value per "
        "column (a value with a comma in it must be inside double quotes)",
    ),
    "truncated_row": (
        "accounts.csv",
        ACCOUNTS + "a,A,2024-01-01\nb,B\n",
        "{file}, row 3: has 2 fields, fewer than the header's 3; expected one value per "
        "column (a value with a comma in it must be inside double quotes)",
    ),
    "truncated_row_after_blank_lines": (  # rows counted as a spreadsheet counts them
        "accounts.csv",
        ACCOUNTS + "a,A,2024-01-01\r\n\r\n  \r\nb,B\r\n",
        "{file}, row 5: has 2 fields, fewer than the header's 3; expected one value per "
        "column (a value with a comma in it must be inside double quotes)",
    ),
    "truncated_row_after_a_control_character": (  # lines split by Python, not Polars
        "accounts.csv",
        ACCOUNTS + "a,A\x1f,2024-01-01\nb,B\n",
        "{file}, row 3: has 2 fields, fewer than the header's 3; expected one value per "
        "column (a value with a comma in it must be inside double quotes)",
    ),
    "unterminated_quote": (
        "accounts.csv",
        ACCOUNTS + 'a,"A,2024-01-01\n',
        "{file}, row 2: is not well-formed CSV (unexpected end of data); check its quotes",
    ),
    "empty_file": (
        "accounts.csv",
        "",
        "{file}: is empty; expected a header row and at least one data row",
    ),
    "header_only": ("accounts.csv", ACCOUNTS, "{file}: has a header but no data rows"),
    "non_utf8": (
        "accounts.csv",
        (ACCOUNTS + "a,Caf\xe9,2024-01-01\n").encode("latin-1").replace(b"\xe9", b"\x81"),
        "{file}, row 2, column 'name': byte 0x81 is neither UTF-8 nor Windows-1252; expected "
        "UTF-8 text (in Excel: Save As > CSV UTF-8)",
    ),
    "binary": (
        "accounts.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
        "{file}: is a binary file, not CSV text",
    ),
    "truncated_utf16": (
        "accounts.txt",
        b"\xff\xfe" + (ACCOUNTS + "a,Acme,2024-01-01\n").encode("utf-16-le")[:-1],
        "{file}: starts as UTF-16 text but is not (truncated data); expected the whole file "
        "as saved (in Excel: Save As > Unicode Text, or CSV UTF-8)",
    ),
    # workbooks are read (tests/test_import_workbooks.py); a damaged one is said so
    "damaged_xlsx_workbook": (
        "hubspot-crm-exports-all-companies.xlsx",
        zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "{file}: could not be read as an Excel workbook (calamine error: Cannot detect "
        "file format): damaged, or protected by a password? Export it again, or save it "
        "as CSV (in Excel: Save As > CSV UTF-8)",
    ),
    "damaged_xls_workbook": (
        "report.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "{file}: could not be read as an Excel workbook (calamine error: Cannot detect "
        "file format): damaged, or protected by a password? Export it again, or save it "
        "as CSV (in Excel: Save As > CSV UTF-8)",
    ),
    "id_shortened_by_excel": (  # HubSpot's Record ID 123456789012, opened and saved in Excel
        "hubspot-crm-exports-all-companies.csv",
        "Record ID,Company name,Company Domain Name,Create Date\n"
        "1.23457E+11,Acme,acme.com,2024-01-02 10:00\n",
        "{file}, row 2, column 'Record ID': got '1.23457E+11'; expected an identifier as the "
        "tool wrote it, not a number Excel shortened (import the export as downloaded, not "
        "opened and saved in Excel)",
    ),
    "html_as_xls": (  # a printable view's "Excel" export: a web page's table named .xls
        "report.xls",
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8">'
        "</head><body><table><tr><th>Account ID</th><th>Account Name</th></tr></table>",
        "{file}: is a web page (HTML) of a table, not CSV or a workbook (however it is "
        "named); open it in Excel and save it as CSV (in Excel: Save As > CSV UTF-8)",
    ),
    "xml_spreadsheet": (  # Excel 2003's XML spreadsheet
        "accounts.xls",
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>\n',
        "{file}: is an Excel 2003 XML spreadsheet, not CSV or a workbook read here; open it in "
        "Excel and save it as CSV (in Excel: Save As > CSV UTF-8)",
    ),
    "zip_without_csv": (  # an export of invoice PDFs, not of data
        "invoices.zip",
        zipped({"inv_001.pdf": "%PDF-1.4", "inv_002.pdf": "%PDF-1.4"}),
        "{file}: is a ZIP archive with no .csv (or Excel) files in it; expected an export of "
        "CSV files",
    ),
    "zip_of_unknown_files": (
        "export.zip",
        zipped({"Note.csv": "ParentId,Body,IsPrivate\n001A,Went well,false\n"}),
        "{file}: none of its 1 file is a format retention reads ({file}/Note.csv, row 1: "
        "header not recognised (ParentId, Body, IsPrivate); expected the columns of one of the "
        "formats listed by 'retention formats')",
    ),
    "zip_damaged": (  # a download cut short
        "export.zip",
        zipped({"accounts.csv": ACCOUNTS + "a,Acme,2024-01-01\n"})[:40],
        "{file}: is a damaged ZIP archive (File is not a zip file); download the export again",
    ),
    "zip_encrypted": (
        "export.zip",
        _encrypted(zipped({"accounts.csv": ACCOUNTS + "a,Acme,2024-01-01\n"})),
        "{file}/accounts.csv: is encrypted; unzip the archive with its password and import the "
        "CSV files",
    ),
    "gzip_damaged": (
        "accounts.csv.gz",
        gzip.compress((ACCOUNTS + "a,Acme,2024-01-01\n").encode(), mtime=1)[:-12],
        "{file}: is a damaged gzip file (Compressed file ended before the end-of-stream marker "
        "was reached); download the export again",
    ),
    "json_lines": (  # a raw event export (Mixpanel's, Amplitude's) instead of a CSV
        "export.json",
        '{"event":"login","properties":{"time":1700000000,"distinct_id":"u1"}}\n'
        '{"event":"report_run","properties":{"time":1700000100,"distinct_id":"u1"}}\n',
        "{file}: is JSON, not CSV; expected CSV text (export it as CSV: 'retention formats' "
        "lists the layouts read)",
    ),
    "json_array": (
        "export.json",
        '[\n  {"account_id": "a", "name": "Acme"}\n]\n',
        "{file}: is JSON, not CSV; expected CSV text (export it as CSV: 'retention formats' "
        "lists the layouts read)",
    ),
    "one_megabyte_field": (
        "accounts.csv",
        ACCOUNTS + "a,Acme,2024-01-01\nb," + "x" * 1_048_576 + ",2024-01-01\n",
        "{file}, row 3, column 'name': value is 1,048,576 characters long; expected at most "
        "100,000 (is a quote missing its closing quote?)",
    ),
    "duplicate_header": (
        "accounts.csv",
        "account_id,name,created_at,Name\na,A,2024-01-01,B\n",
        "{file}, row 1, column 'Name': appears twice in the header",
    ),
    "unnamed_column_with_values": (
        "accounts.csv",
        "account_id,,name,created_at,\na,,Acme,2024-01-01,\nb,x,Globex,2024-01-01,\n",
        "{file}, row 1: column 2 has no name in the header but a value in row 3; expected a "
        "name in row 1 for every column with values",
    ),
}


def _import(runner: CliRunner, db: Path, *paths: Path | str) -> object:
    return runner.invoke(cli, ["import", "-q", "--db", str(db), *map(str, paths)])


@pytest.fixture
def populated(db_path: Path, runner: CliRunner) -> Path:
    result = _import(runner, db_path, *sorted(CANONICAL.glob("*.csv")))
    assert result.exit_code == 0, result.output
    return db_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gets_its_message_exit_2_and_no_change(
    case: str, populated: Path, runner: CliRunner, write_csv
) -> None:
    name, content, message = CASES[case]
    path = write_csv(name, content)
    before = database_digest(populated)
    result = _import(runner, populated, path)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {message.format(file=path)}"
    assert "Traceback" not in result.output
    assert database_digest(populated) == before


def test_many_problems_are_counted_and_the_first_ten_shown(
    populated: Path, runner: CliRunner, write_csv
) -> None:
    rows = "".join(f"x{i},Name {i},not-a-date\n" for i in range(25))
    path = write_csv("accounts.csv", ACCOUNTS + rows)
    result = _import(runner, populated, path)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0] == f"Error: {path}: 25 problems, nothing was imported:"
    assert lines[1] == (
        f"  {path}, row 2, column 'created_at': got 'not-a-date'; expected a date like 2024-03-14"
        " (or 3/14/2024, 14.03.2024)"
    )
    assert len(lines) == 12 and lines[-1] == "  ... and 15 more"


def test_missing_path_and_directory(populated: Path, runner: CliRunner, tmp_path: Path) -> None:
    before = database_digest(populated)
    result = _import(runner, populated, tmp_path / "nope.csv")
    assert (result.exit_code, result.output.strip()) == (
        2,
        f"Error: {tmp_path / 'nope.csv'}: no such file",
    )
    result = _import(runner, populated, tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {tmp_path}: is a folder with no .csv (or Excel) files in it; expected CSV "
        "files or folders of them"
    )
    assert database_digest(populated) == before


def test_a_folder_imports_its_csv_files(db_path: Path, runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    (folder / "old").mkdir(parents=True)
    (folder / "accounts.csv").write_text(ACCOUNTS + "a,Acme,2024-01-01\n")
    (folder / "contacts.CSV").write_text(
        "contact_id,account_id,name,email\nc1,a,Ana,ana@acme.com\n"
    )
    (folder / "notes.txt").write_text("not an export")
    (folder / "old" / "accounts.csv").write_text(ACCOUNTS + "b,Old,2024-01-01\n")
    result = _import(runner, db_path, folder, folder / "accounts.csv")  # each file once
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "accounts.csv: canonical.accounts, 1 row: 1 inserted"
    )
    assert result.output.splitlines()[1].startswith(
        "contacts.CSV: canonical.contacts, 1 row: 1 inserted"
    )
    assert len(result.output.splitlines()) == 2


def test_one_bad_file_rolls_back_the_good_ones(db_path: Path, runner: CliRunner, write_csv) -> None:
    good = write_csv("accounts.csv", ACCOUNTS + "a,Acme,2024-01-01\n")
    bad = write_csv(
        "nps.csv", "response_id,account_id,score,responded_at\nr1,a,eleven,2024-01-01\n"
    )
    result = _import(runner, db_path, good, bad)
    assert result.exit_code == 2
    assert f"{bad}, row 2, column 'score'" in result.output
    assert not db_path.exists()  # the first import, refused: no database made
    result = runner.invoke(cli, ["accounts", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 2 and "no database yet" in result.output


def test_unknown_forced_format(db_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        [
            "import",
            "-q",
            "--db",
            str(db_path),
            "--format",
            "stripe",
            str(CANONICAL / "accounts.csv"),
        ],
    )
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown format 'stripe'; expected one of: accounts, ")


def test_bad_database_path(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", "--db", str(tmp_path), str(CANONICAL / "accounts.csv")])
    assert result.exit_code == 2
    assert f"'{tmp_path}' is a directory" in result.output
    not_a_db = tmp_path / "photo.db"
    not_a_db.write_bytes(b"\x89PNG" + bytes(200))
    result = runner.invoke(cli, ["import", "--db", str(not_a_db), str(CANONICAL / "accounts.csv")])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {not_a_db}: not a retention database")


def test_header_names_that_polars_would_read_as_patterns(
    populated: Path, runner: CliRunner, write_csv
) -> None:
    # Found by hypothesis: "*" (and "^...$") mean "all columns" / a regex to Polars.
    cases = {
        "*": "header not recognised (*)",
        "^account_id$": "header not recognised (^account_id$)",
        "account_id,name,created_at,*": "column 'created_at': got 'x'; expected a date",
    }
    for header, message in cases.items():
        path = write_csv("odd.csv", header + "\n" + ",".join(["x"] * len(header.split(","))) + "\n")
        before = database_digest(populated)
        result = _import(runner, populated, path)
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
        assert database_digest(populated) == before


def test_an_id_already_used_by_another_source_is_a_clear_error(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    import sqlite3

    from db import connect

    connect(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO accounts (account_id, source, source_id, name, created_at) "
        "VALUES ('a', 'stripe', 'cus_1', 'From Stripe', '2024-01-01')"
    )
    conn.commit()
    conn.close()
    before = database_digest(db_path)
    path = write_csv("accounts.csv", ACCOUNTS + "a,Acme,2024-01-01\n")
    result = _import(runner, db_path, path)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: UNIQUE constraint failed: accounts.account_id")
    assert "Traceback" not in result.output
    assert database_digest(db_path) == before


def test_a_header_in_brackets_is_not_taken_for_json() -> None:
    from importers.csvfile import _is_json

    assert not _is_json("[Account ID],[Name],[Created]")  # as SQL Server's exports write it
    assert not _is_json("{id},{name}")
    assert _is_json('{"event": "login"}') and _is_json("[") and _is_json('[{"a": 1}]')


def test_columns_without_a_name_or_values_are_left_out(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """What a spreadsheet saves when cells beside the table were once touched: empty
    columns without a name, at the end or between others."""
    path = write_csv(
        "accounts.csv",
        "account_id,,name,created_at,,\r\na,,Acme,2024-01-01,,\r\nb,,Globex,2024-02-01,, \r\n",
    )
    result = _import(runner, db_path, path)
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(db_path)) as c:
        rows = c.execute("SELECT account_id, name, created_at FROM accounts ORDER BY 1")
        assert rows.fetchall() == [("a", "Acme", "2024-01-01"), ("b", "Globex", "2024-02-01")]
