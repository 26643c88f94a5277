"""The reads the importers and the app need, as plain parameterised SQL."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

import polars as pl

# Tables an import may write, in the order that satisfies their references.
DATA_TABLES = (
    "crm_users",  # before the accounts and deals whose owners they name
    "accounts",
    "plan_limits",
    "contacts",
    "subscription_periods",
    "invoices",
    "payment_attempts",
    "usage_events",
    "tickets",
    "nps_responses",
    "touchpoints",
    "deals",
    "goals",
)


def existing_values(conn: sqlite3.Connection, table: str, column: str, **where: str) -> set[str]:
    """The distinct values of ``table.column`` (optionally filtered by equality)."""
    if table not in DATA_TABLES:
        raise ValueError(f"unknown table {table!r}")
    if not column.replace("_", "").isalnum() or not all(k.isidentifier() for k in where):
        raise ValueError("bad column name")
    sql = f'SELECT DISTINCT "{column}" FROM "{table}"'
    if where:
        sql += " WHERE " + " AND ".join(f'"{k}" = ?' for k in where)
    return {row[0] for row in conn.execute(sql, tuple(where.values()))}


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Row count of every data table."""
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in DATA_TABLES}


@dataclass(frozen=True)
class ImportLogEntry:
    imported_at: str
    file_name: str
    file_path: str
    sha256: str
    format: str
    entity: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    ignored_columns: str
    duration_ms: int
    notes: str = ""  # how the file was read (FileResult.notes), "; " between


def log_import(conn: sqlite3.Connection, entry: ImportLogEntry) -> None:
    fields = asdict(entry)
    conn.execute(
        f"INSERT INTO import_log ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        tuple(fields.values()),
    )


def import_log(conn: sqlite3.Connection, limit: int = 200) -> pl.DataFrame:
    """The most recent imports, newest first."""
    text, count = pl.String, pl.Int64
    return frame(
        conn,
        "SELECT imported_at, file_name, format, entity, rows_read, rows_inserted, rows_updated, "
        "rows_unchanged, rows_rejected, ignored_columns, duration_ms, sha256, notes "
        "FROM import_log ORDER BY id DESC LIMIT ?",
        (limit,),
        schema={
            "imported_at": text,
            "file_name": text,
            "format": text,
            "entity": text,
            "rows_read": count,
            "rows_inserted": count,
            "rows_updated": count,
            "rows_unchanged": count,
            "rows_rejected": count,
            "ignored_columns": text,
            "duration_ms": count,
            "sha256": text,
            "notes": text,
        },
    )


def frame(
    conn: sqlite3.Connection,
    sql: str,
    params: tuple[object, ...],
    schema: dict[str, type[pl.DataType] | pl.DataType],
) -> pl.DataFrame:
    """Run a query and return its rows as a Polars frame typed by ``schema`` (so an empty
    result still has typed columns)."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return pl.DataFrame(cur.fetchall(), schema=[(n, schema[n]) for n in names], orient="row")


SUBSCRIPTION_PERIOD_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "account_id": pl.String,
    "subscription_id": pl.String,
    "plan": pl.String,
    "status": pl.String,
    "billing_interval": pl.String,
    "amount_minor": pl.Int64,
    "quantity": pl.Int64,
    "currency": pl.String,
    "period_start": pl.String,
    "period_end": pl.String,
}


def find_accounts(conn: sqlite3.Connection, text: str) -> list[tuple[str, str]]:
    """(account_id, name) of the accounts ``text`` names: an exact id, an exact name (any
    case), else every name or domain containing it."""
    exact = conn.execute(
        "SELECT account_id, name FROM accounts WHERE account_id = ? OR lower(name) = lower(?) "
        "ORDER BY name",
        (text, text),
    ).fetchall()
    if exact:
        return exact
    like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return conn.execute(
        "SELECT account_id, name FROM accounts WHERE lower(name) LIKE ? ESCAPE '\\' "
        "OR lower(domain) LIKE ? ESCAPE '\\' ORDER BY name LIMIT 20",
        (like, like),
    ).fetchall()


def one_account(conn: sqlite3.Connection, text: str) -> tuple[str, str]:
    """(account_id, name) of the one account ``text`` names (find_accounts); none or
    several is an error that says which."""
    from db.errors import RetentionError

    found = find_accounts(conn, text)
    if not found:
        raise RetentionError(f"no account matches {text!r}; try 'retention accounts'")
    if len(found) > 1:
        names = ", ".join(f"{name} ({aid})" for aid, name in found[:8])
        more = "+" if len(found) >= 20 else ""
        raise RetentionError(
            f"{text!r} matches {len(found)}{more} accounts: {names}; be more precise"
        )
    return found[0]


def crm_user_names(conn: sqlite3.Connection, source: str) -> pl.DataFrame:
    """A CRM's users: their id (source_id) and name."""
    return pl.DataFrame(
        conn.execute(
            "SELECT source_id, name FROM crm_users WHERE source = ?", (source,)
        ).fetchall(),
        schema={"source_id": pl.String, "name": pl.String},
        orient="row",
    )


def latest_periods(conn: sqlite3.Connection, source: str) -> pl.DataFrame:
    """Each of ``source``'s subscriptions' latest period (the one that starts last): its
    subscription_id, source_id, start, end, status and terms."""
    periods = frame(
        conn,
        "SELECT subscription_id, source_id, period_start, period_end, status, amount_minor, "
        "quantity, billing_interval, plan, currency FROM subscription_periods WHERE source = ?",
        (source,),
        {"source_id": pl.String} | SUBSCRIPTION_PERIOD_SCHEMA,
    )
    # in Polars, not SQL's GROUP BY: its sort took 0.4 s of 0.55 s at 100k subscriptions
    latest = pl.col("period_start") == pl.col("period_start").max().over("subscription_id")
    return periods.filter(latest)


def owned_records(conn: sqlite3.Connection) -> pl.DataFrame:
    """Who owns what: one row (owner, kind: 'account' or 'deal') per account and per CRM
    deal, owner null when it has none."""
    return pl.DataFrame(
        conn.execute(
            "SELECT owner, 'account' FROM accounts UNION ALL SELECT owner, 'deal' FROM deals"
        ).fetchall(),
        schema={"owner": pl.String, "kind": pl.String},
        orient="row",
    )
