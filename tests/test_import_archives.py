"""Exports that come as ZIP archives or gzip-compressed files, and the files in them that are
not ours to read: Salesforce's Data Export service writes one CSV per object
(tests/fixtures/archives/salesforce_data_export: the standard objects' full headers, every
value quoted, as it writes them)."""

from __future__ import annotations

import gzip
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.csvfile import read_table
from importers.detect import UnknownFormat, detect
from retention_tui.cli import cli
from tests.conftest import (
    CANONICAL,
    DATA_EXPORT,
    WORKBOOKS,
    data_export_zip,
    database_digest,
    zipped,
)

# What each object's file is read as; None: no format of ours (left out of an archive).
OBJECTS = {
    "Account.csv": "salesforce.accounts",
    "Contact.csv": "salesforce.contacts",
    "Opportunity.csv": "salesforce.opportunities",
    "Case.csv": "salesforce.cases",
    "Campaign.csv": None,  # Id, Name, CreatedDate, Type, ParentId: no column of an Account
    "Lead.csv": None,  # Website, Industry, NumberOfEmployees, but a Company: a Lead
    "User.csv": "salesforce.users",  # AccountId and LastName, but a Username: not a contact
    "OpportunityHistory.csv": None,  # Id and StageName, but an OpportunityId
    "Task.csv": "salesforce.tasks",  # Id, Status, CreatedDate and AccountId, but no CaseNumber
    "Event.csv": "salesforce.events",
    "EmailMessage.csv": "salesforce.emails",
}


def _import(runner: CliRunner, db: Path, *args: Path | str):
    return runner.invoke(cli, ["import", "-q", "--db", str(db), *map(str, args)])


def _zip(path: Path, files: dict[str, bytes | str]) -> Path:
    path.write_bytes(zipped(files))
    return path


def _rows(db: Path, sql: str) -> list[tuple]:
    c = sqlite3.connect(db)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


@pytest.fixture
def data_export(tmp_path: Path) -> Path:
    return data_export_zip(tmp_path)


def test_the_fixture_has_every_object() -> None:
    assert {p.name for p in DATA_EXPORT.glob("*.csv")} == set(OBJECTS)


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_each_objects_file_is_read_as_its_format_or_refused(name: str) -> None:
    table = read_table(DATA_EXPORT / name)
    if OBJECTS[name] is None:
        with pytest.raises(UnknownFormat):
            detect(table.name, table.header)
    else:
        assert detect(table.name, table.header).label == OBJECTS[name]


def test_a_salesforce_data_export_imports_from_its_zip(
    db_path: Path, runner: CliRunner, data_export: Path
) -> None:
    result = _import(runner, db_path, data_export)
    assert result.exit_code == 0, result.output
    imported = [
        line.split(":")[0] for line in result.output.splitlines() if ": salesforce." in line
    ]
    assert imported == [
        *("User.csv", "Account.csv", "Contact.csv", "Case.csv", "EmailMessage.csv"),
        *("Event.csv", "Task.csv", "Opportunity.csv"),
    ]
    assert result.output.splitlines()[-2:] == [
        "Left out 3 files that no format of retention fits:",
        "  Campaign.csv, Lead.csv, OpportunityHistory.csv ('retention import "
        "--dry-run' on one of them says why)",
    ]
    vandelay, pied = "salesforce:0015g00000VandAAA", "salesforce:0015g00000PiedAAA"
    assert _rows(db_path, "SELECT account_id, name, domain, owner FROM accounts ORDER BY 1") == [
        (pied, "Pied Piper, Inc.", "piedpiper.com", "Dana Lee"),  # OwnerId, named by User.csv
        (vandelay, "Vandelay Industries", "vandelay.com", "Dana Lee"),
    ]
    assert _rows(db_path, "SELECT account_id, name, email, role FROM contacts ORDER BY 1") == [
        (pied, "Richard Hendricks", "richard@piedpiper.com", "CEO"),
        (vandelay, "Art Vandelay", "art@vandelay.com", "Importer/Exporter"),
    ]
    assert _rows(db_path, "SELECT account_id, stage, owner FROM deals ORDER BY 1") == [
        (pied, "closed_won", "Dana Lee"),
        (vandelay, "closed_lost", "Dana Lee"),
    ]
    assert _rows(db_path, "SELECT account_id, requester_email, status, priority FROM tickets") == [
        (vandelay, "art@vandelay.com", "closed", "high")
    ]
    # each file is logged under the archive's name and its own
    logged = {r[0] for r in _rows(db_path, "SELECT file_path FROM import_log")}
    assert logged == {str(data_export / n) for n, f in OBJECTS.items() if f}
    # the same archive again changes nothing
    again = _import(runner, db_path, data_export)
    assert again.exit_code == 0, again.output
    counts = [
        line.split(": ")[2].split(";")[0].split(" (")[0]
        for line in again.output.splitlines()
        if ": salesforce." in line
    ]
    assert counts == [f"0 inserted, 0 updated, {n} unchanged" for n in (1, 2, 2, 1, 5, 3, 3, 2)]


def test_salesforce_calls_and_meetings_become_touchpoints(
    db_path: Path, runner: CliRunner, data_export: Path
) -> None:
    """Task.csv's done calls and meetings, Event.csv's meetings: what the engagement
    scores and the silence signals read; the rest is left out, each with its reason."""
    result = _import(runner, db_path, data_export)
    assert result.exit_code == 0, result.output
    vandelay, pied = "salesforce:0015g00000VandAAA", "salesforce:0015g00000PiedAAA"
    art, richard = "art@vandelay.com", "richard@piedpiper.com"
    sql = (
        "SELECT source_id, account_id, contact_email, kind, direction, occurred_at, tags, "
        "summary FROM touchpoints WHERE kind != 'email' ORDER BY occurred_at"
    )
    assert _rows(db_path, sql) == [
        (
            "00T5g00000TaskAAA",
            vandelay,
            art,
            "call",
            "outbound",
            "2024-10-03T15:20:00Z",
            None,
            "Call",
        ),
        (
            "00T5g00000TaskBAA",
            pied,
            richard,
            "call",
            "inbound",  # CallType Inbound
            "2024-10-08T17:30:45Z",  # completed
            "competitor",  # '#competitor' in its comments
            "Call from Richard: Asked how we compare with Hooli #competitor",
        ),
        (
            "00U5g00000EvtAAAA",
            vandelay,
            art,
            "qbr",  # 'QBR: ...'; its invitee's copy (IsChild) is left out
            "outbound",
            "2024-10-15T16:00:00Z",
            None,
            "QBR: Vandelay Q4: Usage review and renewal",
        ),
        (
            "00T5g00000TaskHAA",
            pied,
            richard,
            "qbr",  # a task of Type Meeting: 'Quarterly business review'
            "outbound",
            "2024-10-16T11:05:00Z",
            "budget_cut",
            "Quarterly business review: Roadmap, adoption and #budget_cut plans for 2025",
        ),
        (
            "00U5g00000EvtCAAA",
            pied,
            richard,
            "checkin",
            "outbound",
            "2024-10-22T15:30:00Z",
            None,
            "Monthly check-in",
        ),
        (
            "00U5g00000EvtDAAA",
            pied,
            richard,
            "call",
            "outbound",
            "2024-10-24T14:00:00Z",
            None,
            "Onboarding call: SSO setup",
        ),
    ]
    # a call that reached their voicemail did not reach them; one that connected did
    sql = "SELECT source_id, attended FROM touchpoints WHERE kind = 'call' ORDER BY 1"
    assert _rows(db_path, sql) == [
        ("00T5g00000TaskAAA", 0),  # CallDisposition 'Left voicemail'
        ("00T5g00000TaskBAA", 1),  # 'Connected'
        ("00U5g00000EvtDAAA", None),  # an event says nothing of it
    ]
    said = result.output[result.output.index("Task.csv: salesforce.tasks") :]
    said = said[: said.index("ignored columns")]
    for reason in (
        "9 rows: 3 inserted",
        "skipped 1 row: an email logged as a task (it says neither who wrote it nor whether "
        "it was answered; EmailMessage.csv does)",
        "skipped 1 row: an open task (not done yet)",
        "skipped 1 row: a to-do, not a call or meeting (read: a logged call, Type Call or Meeting)",
        "skipped 1 row: an internal call (with a colleague, not the customer)",
        "skipped 1 row: deleted in Salesforce (IsDeleted)",
        "skipped 1 row: not about an account (on a lead, a campaign or nothing: no AccountId)",
    ):
        assert reason in said, said


def test_a_task_export_without_isclosed_leaves_open_tasks_out_by_their_status(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """Data Loader exports the fields picked: without IsClosed, the Status says it."""
    tasks = write_csv(
        "tasks.csv",
        "Id,AccountId,Subject,Status,TaskSubtype,CreatedDate\n"
        "00T1,0015g00000VandAAA,Call,Completed,Call,2024-10-03T15:00:00.000Z\n"
        "00T2,0015g00000VandAAA,Call back,Not Started,Call,2024-10-04T15:00:00.000Z\n",
    )
    result = _import(runner, db_path, DATA_EXPORT / "Account.csv", tasks)
    assert result.exit_code == 0, result.output
    assert "skipped 1 row: an open task (not done yet)" in result.output
    assert _rows(db_path, "SELECT source_id, kind FROM touchpoints") == [("00T1", "call")]


def test_salesforce_emails_say_who_wrote_and_when_they_were_answered(
    db_path: Path, runner: CliRunner, data_export: Path
) -> None:
    """EmailMessage.csv: the customer's emails are inbound, ours are answered by the email
    that replies to it, else by their next one in the thread (reply time, gone_silent)."""
    result = _import(runner, db_path, data_export)
    assert result.exit_code == 0, result.output
    vandelay, pied = "salesforce:0015g00000VandAAA", "salesforce:0015g00000PiedAAA"
    sql = (
        "SELECT source_id, account_id, contact_email, direction, occurred_at, replied_at, tags "
        "FROM touchpoints WHERE kind = 'email' ORDER BY occurred_at"
    )
    art, richard = "art@vandelay.com", "richard@piedpiper.com"
    assert _rows(db_path, sql) == [
        # related to the account; answered by the email that replies to it
        ("02s5g00000Em1AAA", vandelay, art, "outbound", "2024-10-05T10:00:00Z",
         "2024-10-06T08:30:00Z", None),
        ("02s5g00000Em2AAA", vandelay, art, "inbound", "2024-10-06T08:30:00Z", None, None),
        # related to an opportunity: the account by the recipient, a contact; answered by
        # their next email in the thread
        ("02s5g00000Em3AAA", pied, richard, "outbound", "2024-10-10T14:00:00Z",
         "2024-10-12T09:15:00Z", None),
        ("02s5g00000Em4AAA", pied, richard, "inbound", "2024-10-12T09:15:00Z", None,
         "budget_cut"),
        ("02s5g00000Em5AAA", pied, richard, "outbound", "2024-10-20T16:00:00Z", None, None),
    ]  # fmt: skip
    said = result.output[result.output.index("EmailMessage.csv: salesforce.emails") :]
    said = said[: said.index("ignored columns")]
    assert "7 rows: 5 inserted" in said
    assert "skipped 1 row: an email on a case (the case is the ticket)" in said
    assert "skipped 1 row: a draft (never sent)" in said


def test_a_reply_in_a_later_export_answers_an_email_and_is_kept(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    emails = (DATA_EXPORT / "EmailMessage.csv").read_text(encoding="utf-8").splitlines()
    first = write_csv("EmailMessage.csv", "\n".join(emails[:2]) + "\n")  # ours, not answered
    sql = "SELECT replied_at FROM touchpoints WHERE source_id = '02s5g00000Em1AAA'"
    for path, replied in (
        (first, None),
        (DATA_EXPORT / "EmailMessage.csv", "2024-10-06T08:30:00Z"),  # the reply came
        (first, "2024-10-06T08:30:00Z"),  # an export without the reply does not undo it
    ):
        result = _import(runner, db_path, DATA_EXPORT / "Account.csv", path)
        assert result.exit_code == 0, result.output
        assert _rows(db_path, sql) == [(replied,)]


def test_an_activitys_contact_is_named_by_the_contacts_imported_later(
    db_path: Path, runner: CliRunner
) -> None:
    """Task.csv names its contact by id (WhoId): the email, which the champion signals
    compare, comes from Contact.csv, imported before, with it or after it."""
    first = _import(runner, db_path, DATA_EXPORT / "Account.csv", DATA_EXPORT / "Task.csv")
    assert first.exit_code == 0, first.output
    sql = "SELECT source_id, contact_ref, contact_email FROM touchpoints ORDER BY source_id"
    art, richard = "salesforce:0035g00000Art1AAA", "salesforce:0035g00000Ric1AAA"
    assert _rows(db_path, sql) == [
        ("00T5g00000TaskAAA", art, None),
        ("00T5g00000TaskBAA", richard, None),
        ("00T5g00000TaskHAA", richard, None),
    ]
    later = _import(runner, db_path, DATA_EXPORT / "Contact.csv")
    assert later.exit_code == 0, later.output
    assert _rows(db_path, sql) == [
        ("00T5g00000TaskAAA", art, "art@vandelay.com"),
        ("00T5g00000TaskBAA", richard, "richard@piedpiper.com"),
        ("00T5g00000TaskHAA", richard, "richard@piedpiper.com"),
    ]


def test_the_unzipped_export_folder_imports_the_same(
    db_path: Path, runner: CliRunner, tmp_path: Path, data_export: Path
) -> None:
    result = _import(runner, db_path, DATA_EXPORT)
    assert result.exit_code == 0, result.output
    from_zip = tmp_path / "from_zip.db"
    assert _import(runner, from_zip, data_export).exit_code == 0
    for table in ("crm_users", "accounts", "contacts", "deals", "tickets", "touchpoints"):
        sql = f"SELECT * FROM {table} ORDER BY source_id"
        assert _rows(db_path, sql) == _rows(from_zip, sql) != []


def test_a_file_in_an_archive_named_itself_is_read_alone_and_must_be_ours(
    db_path: Path, runner: CliRunner, data_export: Path
) -> None:
    ok = _import(runner, db_path, data_export / "Account.csv")
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("Account.csv: salesforce.accounts, 2 rows: 2 inserted")
    before = database_digest(db_path)
    lead = _import(runner, db_path, data_export / "Lead.csv")
    assert lead.exit_code == 2
    assert lead.output.strip() == (
        f"Error: {data_export}/Lead.csv, row 1: looks like a salesforce.accounts file but has "
        "'Company', a column of another kind of record ('retention formats "
        "salesforce.accounts' lists its columns)"
    )
    missing = _import(runner, db_path, data_export / "Asset.csv")
    assert missing.exit_code == 2
    assert (
        missing.output.strip()
        == f"Error: {data_export}/Asset.csv: no such file in {data_export.name}"
    )
    assert database_digest(db_path) == before


def test_a_bad_file_in_an_archive_leaves_the_database_as_it_was(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    accounts = (CANONICAL / "accounts.csv").read_text()
    good = _import(runner, db_path, CANONICAL / "accounts.csv")
    assert good.exit_code == 0, good.output
    before = database_digest(db_path)
    archive = _zip(
        tmp_path / "export.zip",
        {
            "export/accounts.csv": accounts,
            "export/contacts.csv": "contact_id,account_id,name\nc1,nobody,Ana\n",
        },
    )
    result = _import(runner, db_path, archive)
    assert result.exit_code == 2
    assert result.output.startswith(
        f"Error: {archive}/export/contacts.csv, row 2, column 'account_id'"
    )
    assert database_digest(db_path) == before


def test_what_macos_adds_to_an_archive_is_not_read(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    accounts = (CANONICAL / "accounts.csv").read_text()
    archive = _zip(
        tmp_path / "Archive.zip",
        {
            "exports/": "",
            "exports/accounts.csv": accounts,
            "__MACOSX/exports/._accounts.csv": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
            "exports/.hidden.csv": "x\n1\n",
            "exports/README.txt": "Exported 2024-11-20",
        },
    )
    result = _import(runner, db_path, archive)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "accounts.csv: canonical.accounts, 3 rows: 3 inserted"
    )
    assert "Left out" not in result.output


def test_a_near_miss_in_a_folder_is_told_with_why(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "accounts.csv").write_text((CANONICAL / "accounts.csv").read_text())
    # HubSpot companies without their Create Date: meant as companies
    (folder / "companies.csv").write_text("Record ID,Company name,Industry\n1,Acme,Software\n")
    result = _import(runner, db_path, folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "Left out 1 file that no format of retention fits:",
        f"  {folder}/companies.csv, row 1: looks like a hubspot.companies file but is missing "
        "required column 'Create Date' ('retention formats hubspot.companies' lists its "
        "columns)",
    ]


def test_a_file_in_a_folder_that_is_no_table_is_left_out_with_what_to_do(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """A printable view's 'Excel' export (a web page named .xls) and a binary file named
    .csv saved beside the exports: each is left out and said, with what to do; the exports
    are imported. Named itself, such a file is refused (test_bad_input)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "accounts.csv").write_text((CANONICAL / "accounts.csv").read_text())
    (folder / "report.xls").write_text("<html><body><table><tr><td>Acme</td></tr></table>")
    (folder / "usage.csv").write_bytes(b"\x00\x01\x02 not text")
    result = _import(runner, db_path, folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("accounts.csv: canonical.accounts, 3 rows")
    assert result.output.splitlines()[-3:] == [
        "Left out 2 files that no format of retention fits:",
        f"  {folder}/report.xls: is a web page (HTML) of a table, not CSV or a workbook "
        "(however it is named); open it in Excel and save it as CSV (in Excel: Save As > CSV "
        "UTF-8)",
        f"  {folder}/usage.csv: is a binary file, not CSV text",
    ]


def test_a_folder_of_no_table_at_all_is_refused_and_leaves_no_database(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "report.xls").write_text("<html><body><table><tr><td>Acme</td></tr></table>")
    result = _import(runner, db_path, folder)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {folder}: none of its 1 file is a format retention reads ({folder}/"
        "report.xls: is a web page (HTML) of a table, not CSV or a workbook (however it is "
        "named); open it in Excel and save it as CSV (in Excel: Save As > CSV UTF-8))\n"
    )
    # the user's first import, refused, leaves no database behind (nor its WAL files)
    assert list(db_path.parent.glob(f"{db_path.name}*")) == []
    # a dry run writes nothing either: no database is made for it
    result = _import(runner, db_path, "--dry-run", CANONICAL / "accounts.csv")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
    assert list(db_path.parent.glob(f"{db_path.name}*")) == []
    # and a database there already stays, refused or dry run
    assert _import(runner, db_path, CANONICAL / "accounts.csv").exit_code == 0
    before = database_digest(db_path)
    assert _import(runner, db_path, folder).exit_code == 2
    assert _import(runner, db_path, "--dry-run", CANONICAL / "contacts.csv").exit_code == 0
    assert database_digest(db_path) == before


def test_a_gzip_compressed_export_imports(db_path: Path, runner: CliRunner, tmp_path: Path) -> None:
    plain = CANONICAL / "accounts.csv"
    packed = tmp_path / "accounts.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = _import(runner, db_path, packed)
    assert result.exit_code == 0, result.output
    rows = len(plain.read_text().splitlines()) - 1
    assert result.output.startswith(
        f"accounts.csv.gz: canonical.accounts, {rows} rows: {rows} inserted"
    )


def test_gzip_compressed_files_in_a_folder_or_an_archive_are_read(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "ACCOUNTS.CSV.GZ").write_bytes(
        gzip.compress((CANONICAL / "accounts.csv").read_bytes())
    )
    archive = _zip(
        tmp_path / "more.zip",
        {"contacts.csv.gz": gzip.compress((CANONICAL / "contacts.csv").read_bytes())},
    )
    result = _import(runner, db_path, folder, archive)
    assert result.exit_code == 0, result.output
    assert [
        line.split(":")[0] for line in result.output.splitlines() if ": canonical." in line
    ] == [
        "ACCOUNTS.CSV.GZ",
        "contacts.csv.gz",
    ]


def test_owners_named_by_id_take_their_names_from_the_users_and_never_lose_one(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    accounts = tmp_path / "Account.csv"
    accounts.write_text(
        "Id,Name,Website,OwnerId,CreatedDate\n"
        "001A,Acme,acme.com,005A,2024-01-02T00:00:00.000Z\n"
        "001B,Globex,globex.com,005B,2024-01-02T00:00:00.000Z\n"
    )
    users = tmp_path / "User.csv"
    users.write_text(
        "Id,Username,FirstName,LastName,Name,Email\n"
        "005A,dana@ourco.com,Dana,Lee,Dana Lee,dana@ourco.com\n"
        "005B,sam@ourco.com,Sam,Ortiz,,sam@ourco.com\n"  # no full name: first and last
    )
    deals = tmp_path / "Opportunity.csv"
    deals.write_text(
        "Id,AccountId,Name,StageName,Amount,CloseDate,CreatedDate,OwnerId\n"
        "006A,001A,Acme renewal,Closed Lost,1200,2024-06-30,2024-01-05T00:00:00.000Z,005B\n"
    )
    owners = "SELECT account_id, owner FROM accounts ORDER BY 1"
    # accounts and deals before their users: no names yet, and the import says so
    said = runner.invoke(cli, ["import", "--db", str(db_path), str(accounts), str(deals)])
    assert said.exit_code == 0, said.output
    assert "2 rows name their owner by a user id no users file has named yet" in said.output
    assert "1 row names its owner by a user id" in said.output
    assert _rows(db_path, owners) == [("salesforce:001A", None), ("salesforce:001B", None)]
    # the users imported later name them
    said = runner.invoke(cli, ["import", "--db", str(db_path), str(users)])
    assert said.exit_code == 0, said.output
    assert "named the owners of 2 accounts and 1 deal" in said.output
    assert _rows(db_path, owners) == [
        ("salesforce:001A", "Dana Lee"),
        ("salesforce:001B", "Sam Ortiz"),
    ]
    assert _rows(db_path, "SELECT owner FROM deals") == [("Sam Ortiz",)]
    # imported again with their users (in any order on the command line): still named
    assert _import(runner, db_path, accounts, users).exit_code == 0
    assert _rows(db_path, owners) == [
        ("salesforce:001A", "Dana Lee"),
        ("salesforce:001B", "Sam Ortiz"),
    ]
    # an owner id no user imported has does not erase the name the account has
    accounts.write_text(
        "Id,Name,Website,OwnerId,CreatedDate\n"
        "001A,Acme,acme.com,005Z,2024-01-02T00:00:00.000Z\n"
        "001B,Globex,globex.com,005A,2024-01-02T00:00:00.000Z\n"
    )
    assert _import(runner, db_path, accounts).exit_code == 0
    assert _rows(db_path, owners) == [
        ("salesforce:001A", "Dana Lee"),
        ("salesforce:001B", "Sam Ortiz"),
    ]
    # every id known: a new owner replaces the old
    accounts.write_text(accounts.read_text().replace("005Z", "005B"))
    assert _import(runner, db_path, accounts).exit_code == 0
    assert _rows(db_path, owners) == [
        ("salesforce:001A", "Sam Ortiz"),
        ("salesforce:001B", "Dana Lee"),
    ]
    # a users file without their names (the username would stand in) renames no one
    (tmp_path / "users_only.csv").write_text("Id,Username\n005A,dana@ourco.com\n")
    assert _import(runner, db_path, tmp_path / "users_only.csv").exit_code == 0
    assert _rows(db_path, owners)[1] == ("salesforce:001B", "Dana Lee")
    # a user renamed in the CRM renames what they own
    users.write_text(users.read_text().replace(",Sam,Ortiz,", ",Sam,Ortiz-Reyes,"))
    said = runner.invoke(cli, ["import", "--db", str(db_path), str(users)])
    assert "named the owners of 1 account and 1 deal" in said.output
    assert _rows(db_path, owners)[0] == ("salesforce:001A", "Sam Ortiz-Reyes")


def test_what_a_file_would_be_imported_as_is_told_from_its_header(
    tmp_path: Path, data_export: Path
) -> None:
    from importers.preview import describe, recent_exports

    big = tmp_path / "events.csv.gz"  # 1 MB of rows: the header is read, not the rest
    rows = "".join(f"e{i},acc_1,login,2024-05-0{1 + i % 9}T10:00:00Z\n" for i in range(30_000))
    big.write_bytes(gzip.compress(f"event_id,account_id,event,occurred_at\n{rows}".encode()))
    workbook = tmp_path / "companies.xlsx"
    workbook.write_bytes(
        zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert describe(data_export) == (
        "ZIP: salesforce.accounts/cases/contacts/emails/events/opportunities/tasks/users"
        " + 3 other files"
    )
    assert describe(data_export / "Lead.csv") == "no format fits"
    assert describe(big) == "usage_events"
    assert describe(CANONICAL / "accounts.csv") == "accounts"
    assert describe(workbook).startswith("could not be read as an Excel workbook")
    assert describe(WORKBOOKS / "report_accounts.xlsx") == "salesforce.accounts"
    assert describe(WORKBOOKS / "report_accounts_titled.xlsx") == "salesforce.accounts"
    assert describe(WORKBOOKS / "customers.xlsx") == (
        "Workbook: accounts/contacts/subscriptions + 1 other sheet"
    )
    assert describe(empty) == "is empty; expected a header row and at least one data row"
    near = tmp_path / "northwind.csv"  # an accounts file short of a column: what it lacks
    near.write_text("account_id,name\nacc_1,Northwind\n")
    lacks = "missing required column 'created_at' ('retention formats accounts' lists its columns)"
    assert describe(near) == f"looks like an accounts file but is {lacks}"
    near.write_text("Our accounts\n\naccount_id,name\nacc_1,Northwind\n")  # below a title
    assert describe(near) == f"row 3: looks like an accounts file but is {lacks}"
    near.unlink()
    # the newest first; not folders, hidden files or what is not an export
    (tmp_path / "sub.csv").mkdir()
    (tmp_path / ".~lock.a.csv#").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "gone.csv").symlink_to(tmp_path / "deleted.csv")  # no file to stat
    for age, path in enumerate((empty, big, data_export, workbook)):
        os.utime(path, (2_000_000_000 - age, 2_000_000_000 - age))
    (tmp_path / "~$companies.xlsx").write_bytes(b"x")  # Excel's lock file beside it
    assert [p for p, _ in recent_exports([tmp_path])] == [empty, big, data_export, workbook]
    assert recent_exports([tmp_path / "nowhere"]) == []


def test_a_file_no_format_fits_is_told_from_its_header_not_read_whole(
    conn, data_export: Path, monkeypatch
) -> None:
    """A Data Export's Lead.csv can be hundreds of MB: only the files
    that are imported are read whole."""
    from importers import run

    read_whole: list[str] = []
    real = run.read_table

    def spy(path: Path, skip: int = 0):
        read_whole.append(path.name)
        return real(path, skip)

    monkeypatch.setattr(run, "read_table", spy)
    results = run.import_files(conn, [data_export])
    assert (
        sorted(read_whole)
        == sorted(r.path.name for r in results)
        == [
            "Account.csv",
            "Case.csv",
            "Contact.csv",
            "EmailMessage.csv",
            "Event.csv",
            "Opportunity.csv",
            "Task.csv",
            "User.csv",
        ]
    )


def test_a_file_that_cannot_be_opened_is_said_not_a_traceback(
    db_path: Path, runner: CliRunner, tmp_path: Path, monkeypatch
) -> None:
    locked = tmp_path / "customers.csv"
    locked.write_text("id,name\nacc_1,Acme\n")
    real_open = Path.open

    def refusing(self: Path, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    assert _import(runner, db_path, CANONICAL / "accounts.csv").exit_code == 0
    before = database_digest(db_path)
    monkeypatch.setattr(Path, "open", refusing)
    result = _import(runner, db_path, locked)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {locked}: cannot be read (Permission denied)"
    assert database_digest(db_path) == before
    from importers.preview import describe

    assert describe(locked) == "cannot be read (Permission denied)"


def test_a_wide_exports_ignored_columns_are_named_a_few_and_logged_all(
    db_path: Path, runner: CliRunner
) -> None:
    """A Salesforce object has fifty columns retention does not read (48 of Account's): the
    summary names the first eight and says how many more; the import log keeps every one."""
    result = _import(runner, db_path, DATA_EXPORT / "Account.csv")
    assert result.exit_code == 0, result.output
    header = (DATA_EXPORT / "Account.csv").read_text(encoding="utf-8").splitlines()[0]
    ignored = _rows(db_path, "SELECT ignored_columns FROM import_log")[0][0].split(",")
    assert len(ignored) == 48 and set(ignored) < {h.strip('"') for h in header.split(",")}
    said = (
        f"  ignored columns: {', '.join(ignored[:8])} and 40 more "
        "('retention formats salesforce.accounts' lists the columns it reads)"
    )
    assert said in result.output.splitlines()
