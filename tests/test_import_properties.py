"""Property-based tests of the importer: whatever the bytes, an import either succeeds or
fails with the project's error, never with a traceback, and never writes half a file."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from db import RetentionError, connect
from importers.run import import_files
from tests.conftest import CANONICAL, UNDO_RECORDS, database_digest

HEADERS = [
    "account_id,name,created_at",
    "account_id,name,created_at,segment,contract_value,currency",
    "contact_id,account_id,email,is_champion",
    "event_id,account_id,event,occurred_at,value",
    "response_id,account_id,score,responded_at",
    # the tools' exports: their rows find accounts by id, email, domain or name
    "id,Email,Name,Created (UTC)",
    "id,Customer ID,Customer Email,Status,Interval,Amount,Quantity,Currency,Start Date (UTC),"
    "Trial End (UTC),Percent Off",
    "Id,Requester email,Organization,Status,Created at,Satisfaction Score",
    "event,time,distinct_id,company",
    "Record ID,Deal Name,Deal Stage,Amount,Associated Company",
]
CELL = st.one_of(
    st.sampled_from(
        [
            "acc_1",
            "acc_2",
            "a",
            "",
            "2024-01-01",
            "2024-02-30",
            "12.50",
            "-3",
            "1,5",
            "smb",
            "Enterprise",
            "true",
            "maybe",
            "=cmd()",
            '"',
            "\n",
            "é",
            "10",
        ]
    ),
    st.text(max_size=12),
)


# Plausible values per column, so that many generated files are valid and do import.
VALID = {
    "account_id": ["acc_1", "acc_2", "acc_3"],
    "name": ["Acme", "Globex, Inc", "Ünïcode"],
    "created_at": ["2024-01-01", "2025-12-31"],
    "segment": ["smb", "Enterprise", ""],
    "contract_value": ["12.50", "0", ""],
    "currency": ["USD", "jpy", ""],
    "contact_id": ["c1", "c2", "c3"],
    "email": ["a@b.co", ""],
    "is_champion": ["yes", "0", ""],
    "event_id": ["e1", "e2", "e3"],
    "event": ["login", "Export"],
    "occurred_at": ["2024-01-01T10:00:00Z", "2024-01-01"],
    "value": ["1", "2.5", ""],
    "response_id": ["r1", "r2"],
    "score": ["0", "10", "7"],
    "responded_at": ["2024-05-01"],
    "id": ["cus_1", "sub_1", "t1"],
    "Email": ["a@acme.com", "b@gmail.com", ""],
    "Name": ["Acme", "Acme Inc", ""],
    "Created (UTC)": ["2024-01-01 10:00", "3/14/2024"],
    "Customer ID": ["cus_1", "cus_2", ""],
    "Customer Email": ["a@acme.com", ""],
    "Status": ["active", "trialing", "incomplete", "Open", "solved"],
    "Interval": ["month", "year", "week", "day"],
    "Amount": ["49.00", "$1,234.56", "1.234,56", ""],
    "Quantity": ["1", "3", ""],
    "Currency": ["usd", "EUR", ""],
    "Start Date (UTC)": ["2024-01-01 00:00"],
    "Trial End (UTC)": ["2024-01-15 00:00", ""],
    "Percent Off": ["20", ""],
    "Id": ["1", "2"],
    "Requester email": ["a@acme.com", "x@gmail.com"],
    "Organization": ["Acme", ""],
    "Created at": ["2024-01-01 10:00:00 +0000"],
    "Satisfaction Score": ["Good", "Unoffered", ""],
    "time": ["1710408600", "2024-01-01T00:00:00Z"],
    "distinct_id": ["a@acme.com", "u1"],
    "company": ["Acme", ""],
    "Record ID": ["9001", "9002"],
    "Deal Name": ["Acme deal"],
    "Deal Stage": ["Closed Lost", "closedwon"],
    "Associated Company": ["Acme", "Hooli", ""],
}


@st.composite
def mostly_valid_rows(draw: st.DrawFn, header: str) -> list[list[str]]:
    columns = header.split(",")
    n = draw(st.integers(min_value=1, max_value=5))
    rows = []
    for _ in range(n):
        row = [
            draw(st.sampled_from(VALID[c]) if draw(st.integers(0, 9)) else CELL) for c in columns
        ]
        rows.append(row)
    return rows


def rows_text(header: str, rows: list[list[str]]) -> str:
    def quote(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v

    return header + "\n" + "".join(",".join(quote(v) for v in r) + "\n" for r in rows)


def attempt(data: bytes) -> tuple[str, object]:
    """Import ``data`` into a copy of a small database; return what happened."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "r.db"
        conn = connect(db)
        import_files(conn, [CANONICAL / "accounts.csv"])
        before = database_digest(db)
        path = Path(tmp) / "input.csv"
        path.write_bytes(data)
        try:
            import_files(conn, [path])
        except RetentionError as exc:
            after = database_digest(db)
            assert after == before, "a failed import changed the database"
            assert str(exc).startswith(str(path)), str(exc)
            return "error", str(exc)
        finally:
            conn.close()
        check = sqlite3.connect(db)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
        return "ok", None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=7), min_size=0, max_size=6),
)
def test_any_table_of_cells_imports_or_fails_cleanly(header: str, rows: list[list[str]]) -> None:
    outcome, _ = attempt(rows_text(header, rows).encode())
    event(outcome)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mostly_valid_files_import_or_fail_cleanly(data: st.DataObject) -> None:
    header = data.draw(st.sampled_from(HEADERS))
    outcome, _ = attempt(rows_text(header, data.draw(mostly_valid_rows(header))).encode())
    event(outcome)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_import_or_fail_cleanly(data: bytes) -> None:
    attempt(data)


@settings(max_examples=100, deadline=None)
@given(prefix=st.sampled_from(HEADERS), tail=st.text(max_size=200))
def test_any_text_after_a_real_header_imports_or_fails_cleanly(prefix: str, tail: str) -> None:
    attempt((prefix + "\n" + tail).encode("utf-8", "surrogatepass"))


def _csv_module_shape(text: str, separator: str, width: int) -> tuple[str, object]:
    """How the csv module judges a file's records: the blank ones, or the first row that
    has another number of values (or is not well-formed)."""
    import csv
    import io

    blank = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        next(reader)
        for index, record in enumerate(reader):
            if len(record) == width:
                continue
            if not record or (len(record) == 1 and not record[0].strip()):
                blank.append(index + 2)
                continue
            return "refused", index + 2
    except csv.Error:
        return "refused", None
    return "read", blank


PATH = Path("f.csv")
PIECES = ["a", ",", ";", "\t", " ", '"', '""', '"x"', "\n", "\r\n", '"a,b"']
VALUE = st.one_of(
    st.sampled_from(["", "a", " b ", "12.5", "x y"]),
    st.sampled_from(['""', '"a"', '"a,b"', '"a;b"', '"a\tb"', '"say ""hi"""', '"two\nlines"']),
)


BLANK = st.sampled_from(["", "  "])


@st.composite
def csv_texts(draw) -> tuple[str, str, int]:
    """(text, separator, width): records of plain and quoted values, some with another
    number of values, blank or not well-formed; or any run of CSV's characters."""
    separator = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(2, 5))
    head = separator.join(f"h{i}" for i in range(width)) + "\n"
    if draw(st.booleans()):
        return (
            head + "".join(draw(st.lists(st.sampled_from(PIECES), max_size=30))),
            separator,
            width,
        )
    end = draw(st.sampled_from(["\n", "\r\n"]))
    sizes = draw(st.lists(st.sampled_from([width] * 6 + [width - 1, width + 1, 0]), max_size=8))
    rows = [
        separator.join(draw(st.lists(VALUE, min_size=n, max_size=n))) if n else draw(BLANK)
        for n in sizes
    ]
    return head + end.join(rows) + draw(st.sampled_from(["", end])), separator, width


@settings(max_examples=500, deadline=None)
@given(csv_texts())
def test_the_polars_shape_checks_judge_records_as_the_csv_module_does(
    case: tuple[str, str, int],
) -> None:
    """A file's records are checked by Polars, all lines at once, where that is as sure as
    the csv module (importers/csvfile.py: unquoted files, and quoted ones whose records
    are one line each); what they accept, the csv module accepts with the same blank rows,
    and a quoted file they cannot be sure of goes to the csv module."""
    from importers import csvfile

    text, separator, width = case
    expected = _csv_module_shape(text, separator, width)
    if '"' in text:
        fast = csvfile._quoted_lines_shape(text, text.encode(), separator, width, 1)
        event("quoted: " + ("by Polars" if fast is not None else "by the csv module"))
        if fast is not None:
            assert expected == ("read", fast)
        try:  # and the whole check, whichever way it goes
            whole = ("read", csvfile._check_shape(PATH, text, text.encode(), separator, width, 1))
        except RetentionError as exc:
            row = str(exc).split("row ")[1].split(":")[0] if ": has " in str(exc) else None
            whole = ("refused", int(row) if row else None)
        assert whole == expected
        return
    try:
        got: tuple[str, object] = (
            "read",
            csvfile._check_unquoted_shape(PATH, text, text.encode(), separator, width, 1),
        )
    except RetentionError as exc:
        got = ("refused", int(str(exc).split("row ")[1].split(":")[0]))
    assert got == expected


TITLES = ["Q4 renewals", "", "As of Dec 4 2026 9:12 AM", "Filtered By: Type equals Customer"]


def _outcome(data: bytes) -> tuple[str, str]:
    """Import ``data`` into a fresh database: ("ok", its data's digest) or ("error", the
    message without the file's name)."""
    with tempfile.TemporaryDirectory() as tmp:
        db, path = Path(tmp) / "r.db", Path(tmp) / "input.csv"
        path.write_bytes(data)
        conn = connect(db)
        try:
            import_files(conn, [CANONICAL / "accounts.csv", path])
        except RetentionError as exc:
            return "error", str(exc).replace(str(path), "FILE")
        else:  # not the import's time, nor a waiting row's number (it moves with a title)
            with conn:
                conn.execute("UPDATE account_links SET linked_at = ''")
                conn.execute("UPDATE pending_rows SET imported_at = '', row_number = 0")
        finally:
            conn.close()
        return "ok", database_digest(db, leave_out=(*UNDO_RECORDS, "import_log", "schema_version"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_title_above_a_header_changes_nothing_but_the_row_numbers(data: st.DataObject) -> None:
    """The same file with a title block above its header (a sheet's title, filters, blank
    rows) imports the same rows, or is refused for the same reason with every row number
    moved down by the title's rows."""
    header = data.draw(st.sampled_from(HEADERS))
    text = rows_text(header, data.draw(mostly_valid_rows(header)))
    title = data.draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=4))
    plain = _outcome(text.encode())
    titled = _outcome(("".join(f"{t}\n" for t in title) + text).encode())
    event(plain[0])
    if plain[0] == "ok":
        assert titled == plain
    elif not re.search(r"header|looks like|equally|is empty", plain[1]):
        moved = re.sub(r"row (\d+)", lambda m: f"row {int(m[1]) + len(title)}", plain[1])
        assert titled == ("error", moved)
