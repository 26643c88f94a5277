"""Shared fixtures: temporary databases, the canonical fixture files, the sample database."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import connect

# Snapshots and dates must not depend on the machine's zone.
os.environ["TZ"] = "UTC"
time.tzset()

FIXTURES = Path(__file__).parent / "fixtures"
CANONICAL = FIXTURES / "canonical"
WORKBOOKS = FIXTURES / "workbooks"
# A Salesforce Data Export: the standard objects' CSV files as the service writes them.
DATA_EXPORT = FIXTURES / "archives" / "salesforce_data_export"


def zipped(files: dict[str, str | bytes]) -> bytes:
    """A ZIP archive of ``files`` (name inside -> content)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def data_export_zip(folder: Path) -> Path:
    """The Data Export service's archive of DATA_EXPORT in ``folder``, named as it names
    them."""
    archive = folder / "WE_00D5g000004xYzAB_1.ZIP"
    archive.write_bytes(zipped({p.name: p.read_bytes() for p in sorted(DATA_EXPORT.glob("*.csv"))}))
    return archive


SAMPLE_AS_OF = "2026-11-20"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "retention.db"


@pytest.fixture
def conn(db_path: Path):
    c = connect(db_path)
    yield c
    c.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write a file (text or bytes) into the test's folder and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture
def chargebee_db(db_path: Path, runner: CliRunner) -> Path:
    """A Chargebee founder's first import (customers, subscriptions, invoices): as of
    2024-12-01 one paying customer (Acme Corp, $100 MRR), a trial (Hooli) and two
    customers without a subscription yet (Umbrella; Lena Vogel, no company)."""
    from retention_tui.cli import cli

    chargebee = FIXTURES / "tools" / "chargebee"
    files = [str(chargebee / n) for n in ("Customers.csv", "Subscriptions.csv", "Invoices.csv")]
    result = runner.invoke(cli, ["import", "-q", "--db", str(db_path), *files])
    assert result.exit_code == 0, result.output
    return db_path


# What each import keeps so that it can be undone (db/undo.py): bookkeeping of the
# imports, like the import log, not the data a digest compares.
UNDO_RECORDS = ("import_batches", "import_undo")


def database_digest(
    path: Path, leave_out: tuple[str, ...] = UNDO_RECORDS, rowids: bool = False
) -> str:
    """A hash of every row of every table but ``leave_out`` (the undo records): equal
    digests mean an unchanged database (``rowids``: each row in its own place too)."""
    c = sqlite3.connect(path)
    try:
        h = hashlib.sha256()
        tables = [
            r[0]
            for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            if r[0] not in leave_out
        ]
        select = "rowid, *" if rowids else "*"
        for t in tables:
            h.update(t.encode())
            for row in sorted(repr(r) for r in c.execute(f'SELECT {select} FROM "{t}"')):
                h.update(row.encode())
        return h.hexdigest()
    finally:
        c.close()


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database, built once per test session with 'retention demo'."""
    from retention_tui.cli import build_demo_database

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    build_demo_database(path, echo=lambda _msg: None)
    return path


@pytest.fixture(scope="session")
def scored_db_template(sample_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database as 'retention demo' leaves it: imported, scored weekly and
    backtested."""
    from retention_tui.cli import backtest_demo_database, score_demo_database

    path = tmp_path_factory.mktemp("scored") / "sample.db"
    shutil.copy(sample_db_template, path)
    as_of = date.fromisoformat(SAMPLE_AS_OF)
    score_demo_database(path, as_of, echo=lambda _msg: None)
    backtest_demo_database(path, as_of, echo=lambda _msg: None)
    conn = sqlite3.connect(path)  # fixed times, for snapshots
    conn.execute("UPDATE backtest_runs SET run_at = '2026-11-20T08:00:00Z'")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def scored_db(scored_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sample.db"
    shutil.copy(scored_db_template, path)
    return path


@pytest.fixture
def sample_db(sample_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database that a test may change."""
    path = tmp_path / "sample.db"
    shutil.copy(sample_db_template, path)
    return path


@pytest.fixture
def past_due_book(db_path: Path, write_csv) -> Path:
    """A book of three accounts paying $100, $200 and $400 a month: one charged, one past
    due since 2026-11-01, one since 2026-09-01 (as of 2026-11-20: 19 and 80 days)."""
    from db import connect
    from importers.run import import_files

    accounts = write_csv(
        "accounts.csv",
        "account_id,name,created_at\n"
        "a1,Paying Co,2026-01-01\na2,Late Co,2026-01-01\na3,Lapsed Co,2026-01-01\n",
    )
    subscriptions = write_csv(
        "subscriptions.csv",
        "subscription_id,account_id,plan,status,interval,amount,period_start\n"
        "s1,a1,pro,active,month,100.00,2026-01-01\n"
        "s2,a2,pro,past_due,month,200.00,2026-11-01\n"
        "s3,a3,pro,past_due,month,400.00,2026-09-01\n",
    )
    conn = connect(db_path)
    import_files(conn, [accounts, subscriptions])
    conn.close()
    return db_path
