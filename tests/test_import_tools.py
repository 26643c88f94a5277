"""The tools' own exports (tests/fixtures/tools: files in each tool's real shape) and one
account across tools."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from db import connect
from db.work import add_note, set_tick, snooze, start_playbook
from importers.csvfile import read_table
from importers.detect import ALL_FORMATS, UnknownFormat, detect
from importers.identity import name_key_of
from retention_tui.cli import cli
from tests.conftest import FIXTURES, database_digest

TOOLS = FIXTURES / "tools"
EXPECTED_FORMAT = {
    "amplitude/export_events.csv": "amplitude.events",
    "chargebee/Customers.csv": "chargebee.customers",
    "chargebee/Invoices.csv": "chargebee.invoices",
    "chargebee/Subscriptions.csv": "chargebee.subscriptions",
    "chargebee/customers_api.csv": "chargebee.customers",
    "chargebee/subscriptions_api.csv": "chargebee.subscriptions",
    "delighted/delighted-responses.csv": "delighted.responses",
    "hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv": "hubspot.companies",
    "hubspot/hubspot-crm-exports-all-contacts-2024-11-20.csv": "hubspot.contacts",
    "hubspot/hubspot-crm-exports-all-deals-2024-11-20.csv": "hubspot.deals",
    "intercom/conversations.csv": "intercom.conversations",
    "mixpanel/mixpanel_export_events.csv": "mixpanel.events",
    "nps/survey_results.csv": "nps.responses",
    "posthog/events.csv": "posthog.events",
    "quirks/hubspot_companies_excel_mac.csv": "hubspot.companies",
    "quirks/hubspot_companies_excel_unicode.txt": "hubspot.companies",
    "quirks/salesforce_opportunities_us.csv": "salesforce.opportunities",
    "quirks/salesforce_report_classic_footer.csv": "salesforce.accounts",
    "quirks/stripe_invoices_eu.csv": "stripe.invoices",
    "quirks/stripe_payments_excel_de.csv": "stripe.payments",
    "salesforce/Contact.csv": "salesforce.contacts",
    "salesforce/EmailMessage.csv": "salesforce.emails",
    "salesforce/Event.csv": "salesforce.events",
    "salesforce/Opportunity.csv": "salesforce.opportunities",
    "salesforce/Task.csv": "salesforce.tasks",
    "salesforce/User.csv": "salesforce.users",
    "salesforce/report_accounts.csv": "salesforce.accounts",
    "salesforce/report_cases.csv": "salesforce.cases",
    "segment/tracks.csv": "segment.events",
    "stripe/invoices.csv": "stripe.invoices",
    "stripe/subscriptions.csv": "stripe.subscriptions",
    "stripe/unified_customers.csv": "stripe.customers",
    "stripe/unified_payments.csv": "stripe.payments",
    "zendesk/export-2024-11-20-1015-tickets.csv": "zendesk.tickets",
}
# Everything but the quirks (and the API-shaped copies of Chargebee files), as a founder
# would export it; Stripe's customers name the accounts (a founder bills with one tool:
# Chargebee's customers have tests of their own).
ALL_TOOLS = sorted(
    p
    for p in TOOLS.glob("*/*.csv")
    if p.parent.name != "quirks"
    and not p.name.endswith("_api.csv")
    and p.relative_to(TOOLS) != Path("chargebee/Customers.csv")
)


def _import(runner: CliRunner, db: Path, *paths: Path | str, quiet: bool = True):
    return runner.invoke(
        cli, ["import", *(["-q"] if quiet else []), "--db", str(db), *map(str, paths)]
    )


def _rows(db: Path, sql: str, *params: object) -> list[tuple]:
    c = sqlite3.connect(db)
    try:
        return c.execute(sql, params).fetchall()
    finally:
        c.close()


@pytest.fixture
def tools_db(db_path: Path, runner: CliRunner) -> Path:
    result = _import(runner, db_path, *ALL_TOOLS)
    assert result.exit_code == 0, result.output
    return db_path


def test_every_fixture_is_recognised_as_its_format() -> None:
    found = {str(p.relative_to(TOOLS)) for p in TOOLS.glob("*/*.*")}
    assert found == set(EXPECTED_FORMAT)
    for rel, label in EXPECTED_FORMAT.items():
        table = read_table(TOOLS / rel)
        assert detect(table.name, table.header).label == label, rel


def test_every_tool_format_has_a_fixture_and_cites_its_sources() -> None:
    tool_formats = {f.label for f in ALL_FORMATS if f.source != "canonical"}
    assert tool_formats == set(EXPECTED_FORMAT.values())
    assert all(f.sources for f in ALL_FORMATS if f.source != "canonical")


def test_format_can_be_forced(db_path: Path, runner: CliRunner, write_csv) -> None:
    path = write_csv("any name.csv", "email,score,comment,date\nana@acme.com,9,,2024-01-01\n")
    result = _import(runner, db_path, "--format", "delighted.responses", path)
    assert result.exit_code == 2
    assert "missing required column 'Created At'" in result.output


def test_a_crm_company_not_a_customer_yet_is_kept_as_a_prospect(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """A CRM's companies export holds its prospects too: HubSpot's Lifecycle Stage
    (Opportunity), Salesforce's Type (Prospect). Without a subscription one was scored as a
    customer and listed in the onboarding queue as a new one missing every milestone; it is
    kept, listed as a prospect, and a customer once billed."""
    hubspot = TOOLS / "hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv"
    assert (
        _import(runner, db_path, hubspot, TOOLS / "salesforce/report_accounts.csv").exit_code == 0
    )
    said = dict(_rows(db_path, "SELECT name, prospect FROM accounts"))
    assert said == {
        **{"ACME, Inc.": 0, "Globex": 0, "Initech": 0},  # Customer
        "Umbrella Corporation": 1,  # Opportunity
        "Hooli, Inc.": 1,  # Prospect (Salesforce's Acme Corporation, Customer - Direct, is ACME)
    }

    def queue(*args: str) -> list[dict]:
        out = runner.invoke(cli, [*args, "--db", str(db_path), "--format", "json"])
        return json.loads(out.output)

    when = ("--as-of", "2024-11-25")  # Umbrella made on 2024-10-30: onboarding's window
    assert queue("report", "onboarding", *when) == []
    risk = {r["account"] for r in queue("report", "risk", *when)}
    assert risk and not risk & {"Umbrella Corporation", "Hooli, Inc."}
    listed = {r["name"]: r["status"] for r in queue("accounts", *when)}
    assert listed["Umbrella Corporation"] == "prospect" and listed["Globex"] == "no subscription"

    # billed: a customer whatever the CRM's stage says
    subscription = write_csv(
        "subscriptions.csv",
        "subscription_id,account_id,plan,status,interval,amount,period_start\n"
        "s1,hubspot:18446004,pro,active,month,100.00,2024-11-01\n",
    )
    assert _import(runner, db_path, subscription).exit_code == 0
    onboarding = queue("report", "onboarding", *when)
    assert [r["account"] for r in onboarding] == ["Umbrella Corporation"]
    # the CRM moves it on: its export says so; one without the column leaves it as it is
    header, *rows = hubspot.read_text(encoding="utf-8").splitlines()
    won = write_csv("won.csv", "\n".join([header, *rows]).replace(",Opportunity,", ",Customer,"))
    assert _import(runner, db_path, won).exit_code == 0
    assert _rows(db_path, "SELECT prospect FROM accounts WHERE name = 'Umbrella Corporation'") == [
        (0,)
    ]
    bare = write_csv(
        "bare.csv", "Record ID,Company name,Create Date\n18446004,Umbrella,2024-10-30\n"
    )
    assert _import(runner, db_path, bare).exit_code == 0
    assert _rows(db_path, "SELECT prospect FROM accounts WHERE name = 'Umbrella'") == [(0,)]


def test_a_crm_says_whether_an_account_another_tool_made_is_a_prospect(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """A prospect is the CRM's word: matched to an account the billing tool made, its
    company updates it as its stage moves on (it does not only fill it when empty)."""
    billing = write_csv(
        "customers.csv",
        "Customer Id,Email,Company,Created At\n"
        "cb1,ops@umbrella.io,Umbrella Corporation,2024-10-01\n",
    )
    companies = TOOLS / "hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv"
    won = write_csv(
        "won.csv", companies.read_text(encoding="utf-8").replace(",Opportunity,", ",Customer,")
    )
    stage = "SELECT prospect FROM accounts WHERE account_id = 'chargebee:cb1'"
    assert _import(runner, db_path, billing, companies).exit_code == 0
    assert _rows(db_path, stage) == [(1,)]
    assert _import(runner, db_path, won).exit_code == 0
    assert _rows(db_path, stage) == [(0,)]


def test_companies_across_tools_become_one_account_each(tools_db: Path) -> None:
    accounts = _rows(
        tools_db,
        "SELECT account_id, name, domain, owner, industry, employees FROM accounts ORDER BY 1",
    )
    assert accounts == [
        ("hubspot:18446004", "Umbrella Corporation", "umbrella.io", "Sam Ortiz", "Biotech", 3000),
        (
            "salesforce:0015g00000HooliQAA",
            "Hooli, Inc.",
            "hooli.xyz",
            "Sam Ortiz",
            "Technology",
            12000,
        ),
        # Stripe made it; HubSpot (matched by domain) gave owner and head count; both CRMs
        # know the industry and the later file (Salesforce's) wins
        ("stripe:cus_PqAcme01", "Acme Corp", "acme.com", "Dana Lee", "Transportation", 120),
        (
            "stripe:cus_PqGlob02",
            "Globex Corporation",
            "globex.com",
            "Sam Ortiz",
            "Manufacturing",
            850,
        ),
        # no name in Stripe: its description; matched by HubSpot's name (no domain there)
        ("stripe:cus_PqInit03", "Initech", "initech.com", "Dana Lee", "Software", 45),
        # a gmail address says nothing about the company's domain
        ("stripe:cus_PqSolo04", "Jane Doe", None, None, None, None),
    ]


def test_every_tools_rows_land_on_the_right_account(tools_db: Path) -> None:
    by_table = {
        table: dict(
            _rows(
                tools_db,
                f"SELECT source || ':' || source_id, account_id FROM {table}",
            )
        )
        for table in (
            "tickets",
            "usage_events",
            "nps_responses",
            "contacts",
            "deals",
            "touchpoints",
        )
    }
    acme, globex, initech = "stripe:cus_PqAcme01", "stripe:cus_PqGlob02", "stripe:cus_PqInit03"
    assert by_table["tickets"] == {
        "zendesk:1201": acme,  # organisation "Acme Inc" ~ "Acme Corp"
        "zendesk:1202": globex,  # no organisation: the requester's domain
        "zendesk:1204": initech,
        "intercom:215470012345678": acme,
        "intercom:215470012345679": globex,
        "salesforce:5005g00000Cs1AAA": acme,  # a case report: by the account's name
        "salesforce:5005g00000Cs2AAA": "salesforce:0015g00000HooliQAA",
        "salesforce:5005g00000Cs3AAA": "salesforce:0015g00000HooliQAA",
    }
    assert by_table["contacts"] == {
        "hubspot:501": acme,  # by HubSpot company id, linked when companies were imported
        "hubspot:502": globex,  # "18446002;18446004": the primary (first) company
        "hubspot:503": initech,  # by name
        "salesforce:0035g00000Cnt1AAA": acme,  # by the Salesforce account id
        "salesforce:0035g00000Cnt2AAA": "salesforce:0015g00000HooliQAA",
        # 0035g00000Cnt3AAA is marked IsDeleted (Data Loader's "Export All"): left out
    }
    assert by_table["usage_events"] == {
        "mixpanel:a1f0c9e2b7d34d55": acme,  # distinct_id is an email: a contact's
        "mixpanel:a1f0c9e2b7d34d56": acme,
        "mixpanel:b2a7": globex,  # the company property
        "amplitude:7f9e2c1a-0b1d-4c7e-9d2a-1e2f3a4b5c6d": acme,
        "amplitude:8a0f3d2b-1c2e-4d8f-8e3b-2f3a4b5c6d7e": globex,  # groups JSON
        "segment:ajs-next-1731402000-1": acme,
        "segment:ajs-next-1731402000-3": globex,
        "posthog:018f3a1e-7c2b-7d4e-9a1b-2c3d4e5f6a7b": acme,
        "posthog:018f3a1e-7c2b-7d4e-9a1b-2c3d4e5f6a7c": acme,
    }
    assert by_table["nps_responses"] == {
        "delighted:88123001": acme,
        "delighted:88123002": globex,
        "nps:peter@initech.com|2024-05-01T00:00:00Z": initech,
        "nps:ana@acme.com|2024-11-01T00:00:00Z": acme,
    }
    assert by_table["touchpoints"] == {
        "salesforce:00T5g00000Tsk1AAA": acme,  # a call logged on the Salesforce account
        "salesforce:00U5g00000Evt1AAA": acme,  # a meeting on its calendar
        "salesforce:02s5g00000Ml1AAA": acme,  # an email related to the account
        "salesforce:02s5g00000Ml2AAA": "salesforce:0015g00000HooliQAA",  # by its sender
        # 00T5g00000Tsk2AAA is an email logged as a task: left out
    }
    hooli = "salesforce:0015g00000HooliQAA"
    assert by_table["deals"] == {
        "hubspot:9001": acme,
        "hubspot:9002": hooli,  # HubSpot's "Hooli" ~ Salesforce's "Hooli, Inc."
        "hubspot:9003": initech,
        "salesforce:0065g00000Opp1AAA": hooli,
        "salesforce:0065g00000Opp2AAA": acme,
    }


def test_subscriptions_become_mrr_periods(tools_db: Path) -> None:
    periods = _rows(
        tools_db,
        "SELECT source_id, status, billing_interval, amount_minor, period_start, period_end "
        "FROM subscription_periods ORDER BY source, source_id",
    )
    assert periods == [
        # quarterly kept as a quarter
        ("AzZlGkTQ1/2024-06-01", "active", "quarter", 30000, "2024-06-01", None),
        # every 6 months: its monthly equivalent (6,000.00 / 6)
        ("AzZlGkTQ2/2024-11-15", "trialing", "month", 100000, "2024-11-15", None),
        # 5 seats x 24.50, less the coupon's 20 %; the trial split off
        ("sub_1AcmeGrowth/2024-01-15", "trialing", "month", 9800, "2024-01-15", "2024-01-29"),
        ("sub_1AcmeGrowth/2024-01-29", "active", "month", 9800, "2024-01-29", None),
        # past due now, since its current billing period began: it paid the year before
        ("sub_2GlobexScale/2024-02-03", "active", "year", 294000, "2024-02-03", "2025-02-03"),
        ("sub_2GlobexScale/2025-02-03", "past_due", "year", 294000, "2025-02-03", None),
        # canceled now: it paid until it ended
        ("sub_3InitechStarter/2024-03-20", "active", "month", 9800, "2024-03-20", "2024-05-20"),
        ("sub_5Umbrella/2024-11-10", "trialing", "month", 7350, "2024-11-10", None),
    ]
    assert _rows(
        tools_db, "SELECT source_id FROM subscription_periods WHERE cancel_reason IS NOT NULL"
    ) == [("sub_3InitechStarter/2024-03-20",)]  # Stripe's 'cancellation_requested'
    # incomplete (never paid) and Chargebee's future subscription are left out
    assert not _rows(tools_db, "SELECT 1 FROM subscription_periods WHERE source_id LIKE 'sub_4%'")
    assert not _rows(
        tools_db, "SELECT 1 FROM subscription_periods WHERE source_id LIKE 'AzZlGkTQ3%'"
    )


def _movements(runner: CliRunner, db: Path, as_of: str, months: int) -> dict[str, dict]:
    span = ["--as-of", as_of, "--months", str(months), "--format", "csv"]
    out = runner.invoke(cli, ["report", "nrr", "--db", str(db), *span])
    assert out.exit_code == 0, out.output
    return {r["month"]: r for r in csv.DictReader(io.StringIO(out.output))}


def test_a_subscription_canceled_or_past_due_now_paid_before_and_churns_when_it_stopped(
    tools_db: Path, runner: CliRunner
) -> None:
    """An export's status is the subscription's now: Initech, canceled on 2024-05-20, paid
    $98 a month from 2024-03-20 and churned in May (it had never counted, being 'canceled'
    all its life); Globex, past due since its yearly period began on 2025-02-03, paid its
    first year and churns 30 days into that period (it churned a month after it started)."""
    spring = _movements(runner, tools_db, "2024-06-10", 4)
    assert spring["2024-03"]["new"] == "9800"  # Initech starts paying
    assert spring["2024-05"]["churn"] == "9800"  # and ends
    assert spring["2024-03"]["churn"] == "0"  # Globex pays its year
    later = _movements(runner, tools_db, "2025-04-10", 3)
    assert [later[m]["churn"] for m in ("2025-01", "2025-02", "2025-03")] == ["0", "0", "24500"]


def test_a_cancellation_set_in_stripe_is_a_churn_signal_until_it_ends(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Cancel At Period End: Acme asked on Nov 20 (Canceled At) to end with its current
    period on Dec 15. The risk report shows cancel_terms from that day, not before; an
    export where it is no longer set clears it."""
    export = (TOOLS / "stripe" / "subscriptions.csv").read_text()
    acme = "sub_1AcmeGrowth,cus_PqAcme01,Acme Corp,billing@acme.com,active,,"
    assert f"{acme}false," in export
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        export.replace(f"{acme}false,", f"{acme}true,").replace(
            "2024-01-29 10:02,,,growth", "2024-01-29 10:02,2024-11-20 16:40,,growth"
        )
    )
    assert _import(runner, tools_db, path).exit_code == 0
    scheduled = (
        "SELECT period_start, status, period_end, cancel_at, cancel_requested_at "
        "FROM subscription_periods WHERE subscription_id = 'sub_1AcmeGrowth' ORDER BY 1"
    )
    assert _rows(tools_db, scheduled) == [
        ("2024-01-15", "trialing", "2024-01-29", None, None),
        ("2024-01-29", "active", None, "2024-12-15", "2024-11-20"),  # still paying till then
    ]

    def signals(as_of: str) -> list[str]:
        out = runner.invoke(
            cli, ["report", "risk", "--db", str(tools_db), "--as-of", as_of, "--format", "json"]
        )
        assert out.exit_code == 0, out.output
        rows = json.loads(out.stdout)
        return [r["signals"] for r in rows if r["account"] == "Acme Corp"]

    assert "cancel_terms" not in " ".join(signals("2024-11-19"))
    assert "cancel_terms" in " ".join(signals("2024-11-25"))
    path.write_text(export)  # no longer set to cancel
    assert _import(runner, tools_db, path).exit_code == 0
    assert _rows(tools_db, scheduled)[1] == ("2024-01-29", "active", None, None, None)
    assert "cancel_terms" not in " ".join(signals("2024-11-25"))


def test_why_a_subscription_ended_is_kept_on_its_last_period(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    stripe = TOOLS / "stripe" / "subscriptions.csv"
    header, *rows = stripe.read_text().splitlines()
    [initech] = [r for r in rows if r.startswith("sub_3InitechStarter,")]
    # the same subscription with a 14-day trial, ended by failed payments
    cells = initech.split(",")
    columns = header.split(",")
    cells[columns.index("Cancellation Reason")] = "payment_failed"
    cells[columns.index("Trial Start (UTC)")] = "2024-03-20 08:00"
    cells[columns.index("Trial End (UTC)")] = "2024-04-03 08:00"
    path = tmp_path / "subscriptions.csv"
    path.write_text(f"{header}\n" + ",".join(cells) + "\n")
    result = _import(runner, db_path, TOOLS / "stripe" / "unified_customers.csv", path)
    assert result.exit_code == 0, result.output
    assert _rows(
        db_path,
        "SELECT status, period_end, cancel_reason FROM subscription_periods ORDER BY period_start",
    ) == [("trialing", "2024-04-03", None), ("active", "2024-05-20", "payment_failed")]


def test_a_discount_written_as_a_percentage_sign(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Saved from a spreadsheet, Stripe's 'Percent Off' 20 becomes '20%' (or '12,5 %' in a
    European locale): the same discount."""
    stripe = TOOLS / "stripe" / "subscriptions.csv"
    header, acme, *_ = stripe.read_text().splitlines()
    for written, amount in (("20%", 9800), ("12,5 %", 10719)):
        path = tmp_path / "subscriptions.csv"
        path.write_text(f'{header}\n{acme.removesuffix(",20")},"{written}"\n')
        result = _import(runner, db_path, TOOLS / "stripe" / "unified_customers.csv", path)
        assert result.exit_code == 0, result.output
        current = "SELECT amount_minor FROM subscription_periods WHERE period_end IS NULL"
        assert _rows(db_path, current) == [(amount,)]


def test_payments_card_expiry_from_month_and_year(tools_db: Path) -> None:
    # 'Card Exp Month' / 'Card Exp Year' (4 / 2026): valid through the month's last day
    assert _rows(
        tools_db,
        "SELECT source_id, card_expires_on FROM payment_attempts "
        "WHERE source = 'stripe' ORDER BY attempted_at",
    ) == [
        ("ch_3Init0424", "2026-04-30"),
        ("ch_3Acme1124", "2027-12-31"),
        ("ch_3Glob0225a", "2027-12-31"),
        ("ch_3Glob0228b", "2027-12-31"),
    ]


def test_payments_statuses_and_reasons(tools_db: Path) -> None:
    assert _rows(
        tools_db,
        "SELECT source_id, invoice_id, outcome, amount_minor, failure_reason "
        "FROM payment_attempts ORDER BY attempted_at",
    ) == [
        ("ch_3Init0424", "in_1Init0424", "succeeded", 9800, None),
        ("ch_3Acme1124", "in_1Acme1124", "succeeded", 9800, None),
        (
            "ch_3Glob0225a",
            "in_1Globex0225",
            "failed",
            294000,
            "the bank returned the decline code `insufficient_funds`",
        ),
        (
            "ch_3Glob0228b",
            "in_1Globex0225",
            "failed",
            294000,
            "the bank did not return any further details with this decline",
        ),
    ]


def test_tickets_deals_and_statuses_in_our_words(tools_db: Path) -> None:
    assert _rows(
        tools_db, "SELECT source_id, status, priority, csat FROM tickets ORDER BY source_id"
    ) == [
        ("1201", "solved", "high", 5),
        ("1202", "open", "normal", None),
        ("1204", "closed", "urgent", 1),
        ("215470012345678", "solved", "normal", 5),
        ("215470012345679", "pending", "high", None),
        ("5005g00000Cs1AAA", "open", "high", None),  # Salesforce's Escalated
        ("5005g00000Cs2AAA", "closed", "normal", None),  # Medium
        ("5005g00000Cs3AAA", "open", "low", None),  # a status of the org's own
    ]
    assert _rows(
        tools_db,
        "SELECT source_id, company_name, stage, lost_reason, amount_minor, closed_at FROM deals "
        "ORDER BY source_id",
    ) == [
        ("0065g00000Opp1AAA", "Hooli - Enterprise", "closed_lost", "price", 4800000, "2024-06-30"),
        ("0065g00000Opp2AAA", "Acme - Add-on", "negotiation", None, 600000, "2024-12-20"),
        ("9001", "ACME, Inc.", "closed_won", None, 117600, "2024-01-14"),
        ("9002", "Hooli", "closed_lost", "competitor", 4800000, "2024-06-30"),
        ("9003", "Initech expansion", "negotiation", None, 240000, "2024-12-15"),
    ]


def test_a_crms_own_pipeline_stages_import_and_lost_deals_reach_win_back(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """Most teams rename HubSpot's and Salesforce's stages: their own words are kept, and
    a stage that says won or lost closes the deal (a lost one is a win-back lead)."""
    header = "Record ID,Deal Name,Deal Stage,Close Date,Amount,Create Date,Pipeline\n"
    deals = write_csv(
        "hubspot-crm-exports-all-deals.csv",
        header + "1,Acme,Demo booked,2026-12-20 12:00,100,2026-09-01 09:00,SMB\n"
        "2,Globex,Lost - no budget,2026-09-10 12:00,900,2026-06-01 09:00,SMB\n"
        "3,Initech,Won (signed),2026-08-10 12:00,500,2026-06-01 09:00,SMB\n"
        "4,Umbrella,Wonder stage,2026-12-20 12:00,100,2026-09-01 09:00,SMB\n",
    )
    opportunities = write_csv(
        "Opportunity.csv",
        "Opportunity ID,Opportunity Name,Stage\n006A,Hooli,Pilot running\n006B,Vandelay,Lost\n",
    )
    # Data Loader's export: Salesforce's own IsClosed and IsWon say how a deal ended
    loader = write_csv(
        "Opportunity (Data Loader).csv",
        "Id,Name,StageName,IsClosed,IsWon\n006C,Soylent,Signed,true,true\n"
        "006D,Stark,Dead,true,false\n006E,Wayne,Pilot running,false,false\n",
    )
    # HubSpot's too (its internal names here); closed without the won flag: the stage says
    flagged = write_csv(
        "deals with flags.csv",
        "Record ID,Deal Name,Deal Stage,hs_is_closed_won,hs_is_closed\n"
        "7,Soylent,Signed,true,true\n8,Stark,Dead,false,true\n",
    )
    closed_only = write_csv(
        "closed only.csv", "Id,Name,StageName,IsClosed\n006F,Tyrell,Signed,true\n"
    )
    result = _import(runner, db_path, deals, opportunities, loader, flagged, closed_only)
    assert result.exit_code == 0, result.output
    assert _rows(db_path, "SELECT source_id, stage FROM deals ORDER BY 1") == [
        ("006A", "pilot running"),
        ("006B", "closed_lost"),
        ("006C", "closed_won"),
        ("006D", "closed_lost"),
        ("006E", "pilot running"),
        ("006F", "signed"),
        ("1", "demo booked"),
        ("2", "closed_lost"),
        ("3", "closed_won"),
        ("4", "wonder stage"),
        ("7", "closed_won"),
        ("8", "closed_lost"),
    ]
    out = runner.invoke(
        cli, ["report", "winback", "--db", str(db_path), "--as-of", "2026-11-20", "--format", "csv"]
    )
    assert out.exit_code == 0, out.output
    leads = list(csv.DictReader(io.StringIO(out.output)))
    assert [(r["deal_id"], r["deal"]) for r in leads] == [("deal:hubspot:2", "Globex")]


def test_summary_tells_what_each_file_did(db_path: Path, runner: CliRunner) -> None:
    result = _import(
        runner,
        db_path,
        TOOLS / "stripe/unified_customers.csv",
        TOOLS / "hubspot/hubspot-crm-exports-all-companies-2024-11-20.csv",
        TOOLS / "zendesk/export-2024-11-20-1015-tickets.csv",
        TOOLS / "stripe/subscriptions.csv",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "unified_customers.csv: stripe.customers, 4 rows: 4 inserted" in out
    assert "; accounts: 4 created, 0 matched" in out
    assert (
        "hubspot.companies, 4 rows: 1 inserted, 0 updated, 0 unchanged; "
        "accounts: 1 created, 3 matched" in out
    )
    assert "  skipped 1 row: first payment not made (incomplete)" in out
    assert (
        "  1 row matches no account (or several) and waits: see 'retention accounts unmatched'"
        in out
    )
    assert "  ignored columns: Summation column, Requester, Requester id" in out


def test_quirks_windows_1252_semicolons_decimal_commas_any_order(
    tools_db: Path, runner: CliRunner
) -> None:
    result = _import(
        runner,
        tools_db,
        TOOLS / "quirks/stripe_invoices_eu.csv",
        TOOLS / "quirks/stripe_payments_excel_de.csv",
        TOOLS / "quirks/salesforce_opportunities_us.csv",
    )
    assert result.exit_code == 0, result.output
    assert "  read as windows-1252" in result.output
    assert "  ignored columns: Amount Refunded, Description, Notiz" in result.output
    assert _rows(
        tools_db,
        "SELECT source_id, amount_minor, currency, outcome FROM payment_attempts "
        "WHERE source_id LIKE 'ch_EU%' ORDER BY 1",
    ) == [("ch_EU1", 123456, "EUR", "succeeded"), ("ch_EU2", 9990, "EUR", "failed")]
    # Excel in a German locale writes dates day-first with dots: '15.11.2024 11:02'
    assert _rows(
        tools_db,
        "SELECT attempted_at FROM payment_attempts WHERE source_id LIKE 'ch_EU%' ORDER BY 1",
    ) == [("2024-11-15T11:02:00Z",), ("2024-11-16T11:02:00Z",)]
    assert _rows(
        tools_db, "SELECT amount_minor, status FROM invoices WHERE source_id = 'in_EU1'"
    ) == [(123456, "open")]
    assert _rows(
        tools_db,
        "SELECT account_id, amount_minor, created_at, closed_at, owner FROM deals "
        "WHERE source_id = '0065g00000US1'",
    ) == [("stripe:cus_PqInit03", 123456, "2024-01-05", "2024-03-14", "Dana Lee")]


def test_a_salesforce_reports_footer_is_left_out_and_said(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    # A report exported from Salesforce (Classic, "Details Only", CSV): every cell quoted,
    # then, after blank ("") lines, the totals, the confidentiality line, the copyright,
    # who generated it and the org's name, one cell each
    footer = TOOLS / "quirks/salesforce_report_classic_footer.csv"
    result = _import(runner, db_path, footer, quiet=False)
    assert result.exit_code == 0, result.output
    assert "salesforce.accounts, 2 rows: 2 inserted" in result.output
    assert (
        "  left out the report's footer below its rows: Grand Totals (2 records) · "
        "Confidential Information - Do Not Distribute · Copyright (c) 2000-2024 "
        "salesforce.com, inc. All rights reserved. · Generated By:  Dana Lee  11/20/2024 "
        "10:15 AM · Acme Analytics, Inc."
    ) in result.output
    # a US-locale report groups thousands: '12,000' employees
    assert _rows(db_path, "SELECT name, employees FROM accounts ORDER BY 1") == [
        ("Acme Corporation", 120),
        ("Hooli, Inc.", 12000),
    ]
    # Only such a footer: one-cell lines that no blank line sets apart from the rows, or
    # without Salesforce's words, are rows of the file, and a row must fill every column
    text = footer.read_bytes().decode()
    rows, _, tail = text.partition('""\r\n""\r\n')
    assert tail.startswith('"Grand Totals')
    glued = write_csv("glued.csv", rows + tail)
    other = write_csv("other.csv", rows + '""\r\n"Grand Totals (2 records)"\r\n')
    for path, row in ((glued, 4), (other, 5)):
        before = database_digest(db_path)
        refused = _import(runner, db_path, path)
        assert refused.exit_code == 2, refused.output
        assert f"{path}, row {row}: has 1 fields, fewer than the header's 8" in refused.output
        assert database_digest(db_path) == before


def test_a_title_above_the_header_is_left_out_and_rows_keep_their_numbers(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    # A CSM's own sheet saved as CSV: a title and an empty row above the table (Excel
    # writes them as wide as the table: 'Q4 renewals,,'). The header is the row below.
    report = (TOOLS / "salesforce/report_accounts.csv").read_text(encoding="utf-8")
    title = "Q4 renewals,,,,,,,,\r\n,,,,,,,,\r\n"
    titled = write_csv("titled.csv", title + report)
    result = _import(runner, db_path, titled, quiet=False)
    assert result.exit_code == 0, result.output
    assert "salesforce.accounts, 2 rows: 2 inserted" in result.output
    assert "  left out the rows above its header: Q4 renewals\n" in result.output
    # and the import log keeps it, after the summary is gone
    log = runner.invoke(cli, ["imports", "--db", str(db_path), "--format", "json"])
    assert json.loads(log.output)[0]["notes"] == (
        "read its dates month-first (01/02/2024 as January 2): none could only be one way; "
        'to read them day-first, set [import] dates = "day-first" in retention.toml (or '
        "import --dates day-first); left out the rows above its header: Q4 renewals"
    )
    assert _rows(db_path, "SELECT name, employees FROM accounts ORDER BY 1") == [
        ("Acme Corporation", 120),
        ("Hooli, Inc.", 12000),
    ]
    # a problem names the row the spreadsheet shows (the header is row 3)
    bad = write_csv("bad.csv", title + report.replace("hooli.xyz,12000", "hooli.xyz,lots"))
    ragged = write_csv("ragged.csv", title + report + "0015g00000ZetaQAA,Zeta\r\n")
    for path, problem in (
        (bad, "row 5, column 'Employees'"),
        (ragged, "row 6: has 2 fields, fewer than the header's 9"),
    ):
        before = database_digest(db_path)
        refused = _import(runner, db_path, path)
        assert refused.exit_code == 2, refused.output
        assert f"{path}, {problem}" in refused.output
        assert database_digest(db_path) == before
    # Excel's line naming the separator is above the header too, and says nothing
    hinted = write_csv("hinted.csv", "sep=,\r\n" + report)
    result = _import(runner, db_path, hinted, quiet=False)
    assert result.exit_code == 0, result.output
    assert "2 rows: 0 inserted, 0 updated, 2 unchanged" in result.output
    assert "above its header" not in result.output
    # a first row that comes close to a format is that file's header, not a title
    near = write_csv("near.csv", "Account ID,Account Name\r\n\r\n" + report)
    refused = _import(runner, db_path, near)
    assert refused.exit_code == 2, refused.output
    assert (
        f"{near}, row 1: looks like a salesforce.accounts file but is missing required "
        "column 'Created Date'"
    ) in refused.output
    # nor is a title searched past when the format is named, but the header it fits found
    named = runner.invoke(
        cli, ["import", "--db", str(db_path), "--format", "salesforce.accounts", str(titled)]
    )
    assert named.exit_code == 0, named.output
    assert "2 rows: 0 inserted, 0 updated, 2 unchanged" in named.output


@pytest.mark.parametrize(
    ("saved", "encoding", "companies"),
    [
        # opened in Excel (US) and saved as "Unicode Text (*.txt)": UTF-16 little-endian
        # with a byte-order mark, tabs, CRLF, m/d/yyyy dates, a cell with quotes quoted
        (
            "hubspot_companies_excel_unicode.txt",
            "utf-16",
            [
                ("Łódź Logistyka Sp. z o.o.", "lodzlog.pl", "2023-11-02", "Dana Lee"),
                ("東京 Trading KK", "tokyo-trading.jp", "2024-01-20", "Sam Ortiz"),
                ('Zeta "Z" Labs', "zetaz.io", "2024-03-05", None),
            ],
        ),
        # opened in Excel for Mac and saved as "Comma Separated Values": Mac OS Roman,
        # lines ending in a carriage return alone, m/d/yy dates
        (
            "hubspot_companies_excel_mac.csv",
            "mac-roman",
            [
                ("Café Zürich AG", "cafe-zuerich.ch", "2023-11-02", "Dana Lee"),
                ("Señor Ñandú, S.L.", "nandu.es", "2024-01-20", "Sam Ortiz"),
                ("Ørsted Søn ApS", "orsted-son.dk", "2024-03-05", None),
            ],
        ),
    ],
)
def test_hubspot_companies_saved_by_excel(
    db_path: Path, runner: CliRunner, saved: str, encoding: str, companies: list[tuple]
) -> None:
    result = _import(runner, db_path, TOOLS / "quirks" / saved, quiet=False)
    assert result.exit_code == 0, result.output
    assert "hubspot.companies, 3 rows: 3 inserted" in result.output
    assert f"  read as {encoding}" in result.output
    assert (
        _rows(db_path, "SELECT name, domain, created_at, owner FROM accounts ORDER BY account_id")
        == companies
    )


def _digest_without_log(db: Path) -> str:
    """The database's digest, leaving out what every import rewrites: its log line and
    the time a waiting row was last seen."""
    c = sqlite3.connect(db)
    c.execute("DELETE FROM import_log")
    c.execute("UPDATE pending_rows SET imported_at = ''")
    c.commit()
    c.close()
    return database_digest(db)


def test_reimporting_every_tool_changes_nothing(tools_db: Path, runner: CliRunner) -> None:
    before = _digest_without_log(tools_db)
    result = _import(runner, tools_db, *ALL_TOOLS)
    assert result.exit_code == 0, result.output
    assert _digest_without_log(tools_db) == before
    inserted = [
        line
        for line in result.output.splitlines()
        if ": 0 inserted, 0 updated" not in line and "rows:" in line
    ]
    assert inserted == []


def test_a_changed_record_updates_what_was_made_of_its_columns(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """What a format makes of a file's columns (a billing interval, a lost deal's reason in
    our words, a contact's name from first and last, a card's expiry) follows the tool's
    record when it changes, like the columns stored as they are."""
    hubspot = TOOLS / "hubspot"
    deals = (hubspot / "hubspot-crm-exports-all-deals-2024-11-20.csv").read_text()
    contacts = (hubspot / "hubspot-crm-exports-all-contacts-2024-11-20.csv").read_text()
    changed = {
        # the columns Stripe's export is asked for, without the current period's start
        "subscriptions.csv": "id,Customer ID,Status,Interval,Amount,Currency,Start Date (UTC)\n"
        "sub_2GlobexScale,cus_PqGlob02,past_due,month,245.00,usd,2024-02-03 16:45\n",
        "deals.csv": deals.replace(
            "Went with a competitor (Vandelay)", "Too expensive for this year"
        ),
        "contacts.csv": contacts.replace("501,Ana,Ruiz,", "501,Ana,Ruiz-Soto,"),
    }
    for name, text in changed.items():
        (tmp_path / name).write_text(text)
    result = _import(runner, tools_db, *(tmp_path / name for name in changed))
    assert result.exit_code == 0, result.output
    assert _rows(
        tools_db,
        "SELECT billing_interval, amount_minor FROM subscription_periods "
        "WHERE subscription_id = 'sub_2GlobexScale' ORDER BY period_start",
    ) == [("year", 294_000), ("month", 24_500)]  # its latest period, was $2,940.00 a year
    assert _rows(tools_db, "SELECT lost_reason FROM deals WHERE source_id = '9002'") == [("price",)]
    assert _rows(tools_db, "SELECT name FROM contacts WHERE source_id = '501'") == [
        ("Ana Ruiz-Soto",)
    ]
    # a file without the columns a value is made of, or with them empty, never erases it
    lost = "SELECT lost_reason FROM deals WHERE source_id = '9002'"
    for header, row in (("", ""), (",Closed Lost Reason", ",")):
        (tmp_path / "deals.csv").write_text(
            f"Record ID,Deal Name,Deal Stage{header}\n9002,Hooli - Enterprise,closedlost{row}\n"
        )
        assert _import(runner, tools_db, tmp_path / "deals.csv").exit_code == 0
        assert _rows(tools_db, lost) == [("price",)]
        # nor does the deal's name stand in for the company it is with
        assert _rows(tools_db, "SELECT company_name FROM deals WHERE source_id = '9002'") == [
            ("Hooli",)
        ]


def test_a_company_renamed_in_its_tool_is_renamed_but_never_by_a_stand_in(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """A Stripe customer renamed in Stripe renames the account it made; an export without
    the Name column (Stripe lets one pick the columns) would name it by its email, as a new
    account would be: it keeps its name."""
    names = "SELECT name FROM accounts WHERE account_id = 'stripe:cus_PqAcme01'"
    assert _rows(tools_db, names) == [("Acme Corp",)]
    renamed = tmp_path / "unified_customers.csv"
    renamed.write_text(
        "id,Description,Email,Name,Created (UTC)\n"
        "cus_PqAcme01,Acme Corp,billing@acme.com,Acme Holdings,2024-01-15 10:02\n"
    )
    assert _import(runner, tools_db, renamed).exit_code == 0
    assert _rows(tools_db, names) == [("Acme Holdings",)]
    renamed.write_text("id,Email,Created (UTC)\ncus_PqAcme01,billing@acme.com,2024-01-15 10:02\n")
    assert _import(runner, tools_db, renamed).exit_code == 0
    assert _rows(tools_db, names) == [("Acme Holdings",)]


def _periods(db: Path, subscription: str) -> list[tuple]:
    return _rows(
        db,
        "SELECT period_start, period_end, status, quantity, amount_minor FROM "
        "subscription_periods WHERE subscription_id = ? AND status != 'trialing' ORDER BY 1",
        subscription,
    )


def test_a_new_price_in_a_later_export_keeps_the_old_one_as_history(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Stripe's export shows each subscription at its current price: imported again after
    an upgrade, the old price ends where the current billing period began and the new one
    starts there, so the upgrade is expansion in NRR instead of rewriting the past."""
    export = (TOOLS / "stripe" / "subscriptions.csv").read_text()
    assert _periods(tools_db, "sub_1AcmeGrowth") == [("2024-01-29", None, "active", 5, 9800)]
    upgraded = tmp_path / "subscriptions.csv"  # 5 seats -> 8, current period from Nov 15
    upgraded.write_text(export.replace(",5,month,24.50,usd,", ",8,month,24.50,usd,"))
    result = _import(runner, tools_db, upgraded, quiet=False)
    assert result.exit_code == 0, result.output
    assert "1 subscription changed price: the new price starts a new period" in result.output
    assert _periods(tools_db, "sub_1AcmeGrowth") == [
        ("2024-01-29", "2024-11-15", "active", 5, 9800),
        ("2024-11-15", None, "active", 8, 15680),
    ]
    november = _movements(runner, tools_db, "2024-12-10", 1)["2024-11"]
    assert november["expansion"] == "5880"  # $58.80 more a month, from that day
    # the same export again changes nothing
    before = _digest_without_log(tools_db)
    assert _import(runner, tools_db, upgraded).exit_code == 0
    assert _digest_without_log(tools_db) == before
    # an earlier export imported late would undo the upgrade: left out, and said
    earlier = tmp_path / "earlier" / "subscriptions.csv"
    earlier.parent.mkdir()
    earlier.write_text(export.replace("2024-11-15 10:02,2024-12-15", "2024-10-15 10:02,2024-11-15"))
    result = _import(runner, tools_db, earlier, quiet=False)
    assert "skipped 1 row: older than the price change already imported" in result.output
    assert _digest_without_log(tools_db) == before
    # canceled later: the new period ends, the old one stays as it was
    canceled = upgraded.read_text().replace(
        "sub_1AcmeGrowth,cus_PqAcme01,Acme Corp,billing@acme.com,active,,false",
        "sub_1AcmeGrowth,cus_PqAcme01,Acme Corp,billing@acme.com,canceled,too_expensive,false",
    )
    row = next(line for line in canceled.splitlines() if line.startswith("sub_1Acme"))
    fields = row.split(",")
    fields[14] = "2024-12-01 09:00"  # Ended At (UTC)
    upgraded.write_text(canceled.replace(row, ",".join(fields)))
    assert _import(runner, tools_db, upgraded).exit_code == 0
    assert _periods(tools_db, "sub_1AcmeGrowth") == [
        ("2024-01-29", "2024-11-15", "active", 5, 9800),
        ("2024-11-15", "2024-12-01", "active", 8, 15680),  # paid until it ended
    ]


def test_a_live_subscription_an_export_of_them_all_lacks_is_said_not_ended(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Stripe's Active tab exported: the past-due subscription it leaves out may have
    ended, or not. It is not ended on a guess; the import names it and says what to do."""
    export = (TOOLS / "stripe" / "subscriptions.csv").read_text().splitlines()
    active = tmp_path / "subscriptions.csv"
    active.write_text("\n".join(line for line in export if ",past_due," not in line) + "\n")
    live = _periods(tools_db, "sub_2GlobexScale")
    result = _import(runner, tools_db, active, quiet=False)
    assert result.exit_code == 0, result.output
    assert (
        "1 subscription stored as live is not in this file (sub_2GlobexScale): if it ended, "
        "import an export of every status, not only the active ones (until then it counts "
        "as paying)"
    ) in result.output
    assert _periods(tools_db, "sub_2GlobexScale") == live
    logged = _rows(tools_db, "SELECT notes FROM import_log ORDER BY id DESC LIMIT 1")
    assert logged[0][0].startswith("1 subscription stored as live is not in this file")
    every = [TOOLS / "stripe" / "subscriptions.csv", TOOLS / "chargebee" / "Subscriptions.csv"]
    result = _import(runner, tools_db, *every, quiet=False)
    assert result.exit_code == 0, result.output
    assert "stored as live" not in result.output
    # another Stripe account's export (the company's EU one) holds none of these: no note
    other = tmp_path / "eu" / "subscriptions.csv"
    other.parent.mkdir()
    other.write_text("\n".join(export[:2]).replace("sub_1AcmeGrowth", "sub_9EuAcme") + "\n")
    result = _import(runner, tools_db, other, quiet=False)
    assert result.exit_code == 0, result.output
    assert "stored as live" not in result.output


def test_a_chargebee_seat_added_starts_where_the_current_term_began(
    tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    export = (TOOLS / "chargebee" / "Subscriptions.csv").read_text()
    two_seats = tmp_path / "Subscriptions.csv"
    two_seats.write_text(
        export.replace(
            ",analytics-addon-quarterly,1,300.00,", ",analytics-addon-quarterly,2,300.00,"
        )
    )
    assert _import(runner, tools_db, two_seats).exit_code == 0
    assert _periods(tools_db, "AzZlGkTQ1") == [
        ("2024-06-01", "2024-09-01", "active", 1, 30000),  # a quarter's price
        ("2024-09-01", None, "active", 2, 60000),
    ]


def test_a_stripe_invoice_it_tried_to_charge_and_could_not_is_failing_without_its_charges(
    db_path: Path, runner: CliRunner
) -> None:
    """A Stripe user who imports the invoices export alone (not the payments one) saw no
    failed payment at all: an open invoice Stripe has tried to charge (Attempt Count) is
    one, from its day; the charges, once imported, say how many and when."""
    stripe = TOOLS / "stripe"
    files = (stripe / "unified_customers.csv", stripe / "invoices.csv")
    assert _import(runner, db_path, *files).exit_code == 0
    assert _rows(
        db_path, "SELECT source_id, collection_failed_on FROM invoices WHERE status = 'open'"
    ) == [("in_1Globex0225", "2025-02-03")]
    args = ["report", "payments", "--db", str(db_path), "--as-of", "2025-02-10"]

    def failing() -> list[tuple]:
        result = runner.invoke(cli, [*args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return [
            (r["invoice_id"], r["failures"], r["first_failed_on"])
            for r in json.loads(result.output)
        ]

    assert failing() == [("in_1Globex0225", 1, "2025-02-03")]
    assert _import(runner, db_path, stripe / "unified_payments.csv").exit_code == 0
    assert failing() == [("in_1Globex0225", 2, "2025-02-03")]  # the charges' count


def test_a_stripe_invoice_sent_for_the_customer_to_pay_is_not_a_failed_charge(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Collection method send_invoice: Stripe charges no card, so an unpaid one is late,
    not a failed payment; nor is one Stripe has not tried yet (Attempt Count 0)."""
    stripe = TOOLS / "stripe"
    text = (stripe / "invoices.csv").read_text()
    globex = next(line for line in text.splitlines() if line.startswith("in_1Globex0225"))
    sent = globex.replace(",2,true,true,charge_automatically,", ",2,true,true,send_invoice,")
    untried = globex.replace("in_1Globex0225", "in_2Globex0325").replace(
        ",2,true,true,charge_automatically,", ",0,false,true,charge_automatically,"
    )
    assert sent != globex and 'in_2Globex0325,"2,940.00",0.00' in untried
    edited = tmp_path / "invoices.csv"
    edited.write_text(text.replace(globex, sent + "\n" + untried))
    assert _import(runner, db_path, stripe / "unified_customers.csv", edited).exit_code == 0
    assert _rows(
        db_path, "SELECT source_id, collection_failed_on FROM invoices WHERE status = 'open'"
    ) == [("in_1Globex0225", None), ("in_2Globex0325", None)]


def test_a_chargebee_subscription_set_to_end_is_a_risk_from_the_day_they_asked(
    db_path: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """non_renewing: Chargebee's Cancelled At is the day it will end, its Cancel Schedule
    Created At the day the customer asked. It was read as plainly active: no signal until
    the MRR was gone. Now cancel_terms from the day they asked (never before: backtests)
    until it ends; taken back (active again, the next export), the signal is gone."""
    api = (TOOLS / "chargebee" / "subscriptions_api.csv").read_text().splitlines()
    header = api[0] + ",subscription.cancel_schedule_created_at"
    acme = api[1].split(",")
    acme[10], acme[13] = "non_renewing", "2024-12-01T00:00:00Z"  # status, cancelled_at
    set_to_end = tmp_path / "subscriptions.csv"
    set_to_end.write_text("\n".join([header, ",".join(acme) + ",2024-10-15T09:30:00Z"]) + "\n")
    names = header.split(",")
    assert (acme[0], names[10], names[13]) == (
        "AzZlGkTQ1",
        "subscription.status",
        "subscription.cancelled_at",
    )
    customers = TOOLS / "chargebee" / "Customers.csv"
    assert _import(runner, db_path, customers, set_to_end).exit_code == 0
    cancel = "SELECT status, period_end, cancel_at, cancel_requested_at FROM subscription_periods"
    assert _rows(db_path, cancel) == [("active", "2024-12-01", "2024-12-01", "2024-10-15")]

    def signals(day: str) -> str:
        args = ["report", "risk", "--db", str(db_path), "--as-of", day, "--format", "json"]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        [row] = [r for r in json.loads(result.output) if r["account"] == "Acme Corp"]
        return str(row["signals"])

    assert "cancel_terms" in signals("2024-11-01")
    assert "cancel_terms" not in signals("2024-10-14")  # before they asked
    # they changed their mind: the next export has it active, with no end
    acme[10], acme[13] = "active", ""
    set_to_end.write_text("\n".join([header, ",".join(acme) + ","]) + "\n")
    assert _import(runner, db_path, set_to_end).exit_code == 0
    assert _rows(db_path, cancel) == [("active", None, None, None)]
    assert "cancel_terms" not in signals("2024-11-01")


def test_a_chargebee_invoice_it_failed_to_collect_is_a_failed_payment_until_paid(
    chargebee_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Chargebee's invoices export has no charges: an invoice in payment_due (collecting
    failed, retries running) is the failure, from its due day. Until it counted as merely
    open, a Chargebee founder's failing card was 'healthy, nurture and expand' and the
    payments queue empty."""
    assert _rows(
        chargebee_db, "SELECT source_id, status, collection_failed_on FROM invoices ORDER BY 1"
    ) == [("CB-1001", "paid", None), ("CB-1002", "open", "2024-12-01")]

    def report(name: str, day: str) -> list[dict]:
        args = ["report", name, "--db", str(chargebee_db), "--as-of", day, "--format", "json"]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    [failing] = report("payments", "2024-12-10")
    assert (failing["account"], failing["invoice_id"], failing["first_failed_on"]) == (
        "Acme Corp",
        "CB-1002",
        "2024-12-01",
    )
    assert report("payments", "2024-11-30") == []  # never before it failed (backtests)
    acme = [r for r in report("risk", "2024-12-10") if r["account"] == "Acme Corp"]
    assert "payment_failed" in acme[0]["signals"]
    # paid since: the next export says so, and the failure is over
    paid = tmp_path / "Invoices.csv"
    paid.write_text(
        (TOOLS / "chargebee" / "Invoices.csv")
        .read_text()
        .replace(
            "payment_due,2024-12-01 00:00:00,2024-12-01 00:00:00,,300.00,0.00,300.00",
            "paid,2024-12-01 00:00:00,2024-12-01 00:00:00,2024-12-04 09:00:00,300.00,300.00,0.00",
        )
    )
    assert _import(runner, chargebee_db, paid).exit_code == 0
    assert _rows(chargebee_db, "SELECT status, collection_failed_on FROM invoices") == [
        ("paid", None),
        ("paid", None),
    ]
    assert report("payments", "2024-12-10") == []


@pytest.mark.parametrize(
    ("name", "header", "row", "message"),
    [
        (
            "subscriptions.csv",
            "id,Customer ID,Status,Interval,Amount,Currency,Start Date (UTC)",
            "sub_1,cus_1,active,fortnight,10.00,usd,2024-01-01 00:00",
            "{file}, row 2, column 'Interval': got 'fortnight'; expected one of day, month, "
            "week, year",
        ),
        (
            "subscriptions.csv",
            "id,Customer ID,Status,Interval,Amount,Currency,Start Date (UTC)",
            "sub_1,cus_1,dormant,month,10.00,usd,2024-01-01 00:00",
            "{file}, row 2, column 'Status': got 'dormant'; expected one of active, canceled, "
            "cancelled, incomplete, incomplete_expired, past due, past_due, paused, trialing, "
            "unpaid",
        ),
        (
            "payments.csv",
            "id,Created (UTC),Amount,Amount Refunded,Currency,Status,Invoice ID",
            "ch_1,2024-01-01 00:00,ten dollars,0,usd,Paid,in_1",
            "{file}, row 2, column 'Amount': got 'ten dollars'; expected an amount like "
            "1,234.56 or $1,234.56",
        ),
        (
            "companies.csv",
            "Record ID,Company name,Create Date",
            "1,Acme,yesterday",
            "{file}, row 2, column 'Create Date': got 'yesterday'; expected a date like "
            "2024-03-14, 3/14/2024 or 14.03.2024",
        ),
        (
            "subscriptions_api.csv",
            "subscription.id,subscription.customer_id,subscription.plan_id,subscription.status,"
            "subscription.billing_period_unit,subscription.plan_unit_price,subscription.started_at",
            "s1,c1,pro,active,month,120.00,2024-01-01T00:00:00Z",
            "{file}, row 2, column 'subscription.plan_unit_price': got '120.00'; expected a "
            "whole number of cents like 12000",
        ),
        (
            "tickets.csv",
            "Id,Requester email,Status,Created at",
            "1,ana@acme.com,escalated,2024-01-01 10:00:00 +0000",
            "{file}, row 2, column 'Status': got 'escalated'; expected one of closed, hold, "
            "new, on-hold, open, pending, solved",
        ),
        (
            "events.csv",
            "event,time,distinct_id",
            "Logged In,not a time,u1",
            "{file}, row 2, column 'time': got 'not a time'; expected a date-time like "
            "2024-03-14 09:30, 3/14/2024 2:05 PM or 1710408600",
        ),
        (
            "responses.csv",
            "email,score,comment,date",
            "ana@acme.com,11,,2024-01-01",
            "{file}, row 2, column 'score': got '11'; expected a whole number from 0 to 10",
        ),
        (
            "deals.csv",
            "Record ID,Deal Name,Deal Stage",
            "1,Acme,",
            "{file}, row 2, column 'Deal Stage': missing value; expected a value (any; known: "
            "appointment scheduled, appointmentscheduled, closed lost, closed won, closedlost, "
            "closedwon, contract sent, contractsent, decision maker bought-in, "
            "decisionmakerboughtin, presentation scheduled, presentationscheduled, qualified "
            "to buy, qualifiedtobuy)",
        ),
    ],
)
def test_bad_tool_files_get_a_clear_message_and_change_nothing(
    tools_db: Path, runner: CliRunner, write_csv, name: str, header: str, row: str, message: str
) -> None:
    path = write_csv(name, f"{header}\n{row}\n")
    before = database_digest(tools_db)
    result = _import(runner, tools_db, path)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"Error: {message.format(file=path)}"
    assert database_digest(tools_db) == before


def test_payments_need_their_invoices(db_path: Path, runner: CliRunner) -> None:
    result = _import(runner, db_path, TOOLS / "stripe/unified_customers.csv")
    assert result.exit_code == 0
    result = _import(runner, db_path, TOOLS / "stripe/unified_payments.csv")
    assert result.exit_code == 2
    assert (
        "row 2, column 'Invoice ID': unknown invoice_id 'in_1Acme1124'; expected one that "
        "exists in invoices (import the Stripe invoices export too)"
    ) in result.output


# --- identity: names, domains, ambiguity, links by hand, merges ------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME, Inc.", "acme"),
        ("Acme Corp", "acme"),
        ("Acme Corporation", "acme"),
        ("acme", "acme"),
        ("Smith & Sons Ltd.", "smith and sons"),
        ("Müller GmbH & Co. KG", "müller"),
        ("Initech LLC", "initech"),
        ("Co", "co"),
    ],
)
def test_company_names_are_compared_without_case_punctuation_or_legal_form(
    name: str, key: str
) -> None:
    assert name_key_of(name) == key


def _canonical_accounts(write_csv, rows: str) -> Path:
    return write_csv("accounts.csv", "account_id,name,domain,created_at\n" + rows)


def test_ambiguous_and_unmatched_rows_wait_and_are_listed(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    accounts = _canonical_accounts(
        write_csv,
        "a1,Acme Corp,acme.com,2024-01-01\na2,ACME Inc,acme.de,2024-01-01\n"
        "g1,Globex,globex.com,2024-01-01\n",
    )
    tickets = write_csv(
        "zendesk.csv",
        "Id,Requester email,Organization,Status,Created at\n"
        "1,x@gmail.com,Acme,open,2024-05-01 10:00:00 +0000\n"  # two Acmes: ambiguous
        "2,y@initrode.com,,open,2024-05-01 10:00:00 +0000\n"  # nothing like it: unmatched
        "3,z@globex.com,,open,2024-05-01 10:00:00 +0000\n",
    )
    result = _import(runner, db_path, accounts, tickets)
    assert result.exit_code == 0, result.output
    assert "2 rows match no account (or several) and wait" in result.output
    listed = runner.invoke(cli, ["accounts", "unmatched", "--db", str(db_path), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = pl.read_json(listed.output.encode()).to_dicts()
    assert [(r["key"], r["other keys"], r["reason"], r["candidates"], r["rows"]) for r in rows] == [
        ("email:x@gmail.com", "name:acme", "ambiguous", "a1, a2", 1),
        ("email:y@initrode.com", "domain:initrode.com", "unmatched", None, 1),
    ]
    assert _rows(db_path, "SELECT source_id, account_id FROM tickets") == [("3", "g1")]


def test_linking_by_hand_imports_the_waiting_rows_and_lasts(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    accounts = _canonical_accounts(write_csv, "a1,Acme Corp,acme.com,2024-01-01\n")
    tickets = write_csv(
        "zendesk.csv",
        "Id,Requester email,Organization,Status,Created at\n"
        "1,boss@acme-holding.com,Acme Holding Group,open,2024-05-01 10:00:00 +0000\n"
        "2,boss@acme-holding.com,Acme Holding Group,solved,2024-05-02 10:00:00 +0000\n",
    )
    assert _import(runner, db_path, accounts, tickets).exit_code == 0
    assert _rows(db_path, "SELECT COUNT(*) FROM tickets") == [(0,)]
    linked = runner.invoke(
        cli,
        [
            "accounts",
            "link",
            "zendesk",
            "domain:acme-holding.com",
            "Acme Corp",
            "--db",
            str(db_path),
        ],
    )
    assert linked.exit_code == 0, linked.output
    assert linked.output.strip() == (
        "Linked zendesk domain:acme-holding.com to Acme Corp (a1); imported 2 waiting rows "
        "(2 tickets)."
    )
    assert _rows(db_path, "SELECT source_id, account_id, status FROM tickets ORDER BY 1") == [
        ("1", "a1", "open"),
        ("2", "a1", "solved"),
    ]
    assert _rows(db_path, "SELECT COUNT(*) FROM pending_rows") == [(0,)]
    # a later export of the same help desk lands on the account by itself
    more = write_csv(
        "zendesk2.csv",
        "Id,Requester email,Organization,Status,Created at\n"
        "2,boss@acme-holding.com,Acme Holding Group,closed,2024-05-02 10:00:00 +0000\n"
        "3,cfo@acme-holding.com,,open,2024-06-01 10:00:00 +0000\n",
    )
    result = _import(runner, db_path, more)
    assert result.exit_code == 0, result.output
    assert "wait" not in result.output
    assert _rows(db_path, "SELECT source_id, account_id, status FROM tickets ORDER BY 1") == [
        ("1", "a1", "open"),
        ("2", "a1", "closed"),
        ("3", "a1", "open"),
    ]
    shown = runner.invoke(cli, ["accounts", "links", "--db", str(db_path), "--format", "csv"])
    assert "zendesk,domain:acme-holding.com,a1,Acme Corp,manual," in shown.output


def test_a_key_linked_to_the_wrong_account_and_linked_again_says_where_its_rows_are(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """The rows a link placed stay where they are when the key is linked to another
    account (they carry no record of the key): said, with what moves them (importing their
    file again, which follows the new link)."""
    accounts = _canonical_accounts(
        write_csv, "a1,Acme Corp,acme.com,2024-01-01\na2,Acme Holding,,2024-01-01\n"
    )
    tickets = write_csv(
        "zendesk.csv",
        "Id,Requester email,Organization,Status,Created at\n"
        "1,boss@acme-holding.com,Acme Holding Group,open,2024-05-01 10:00:00 +0000\n",
    )
    assert _import(runner, db_path, accounts, tickets).exit_code == 0
    link = ["accounts", "link", "zendesk", "domain:acme-holding.com", "--db", str(db_path)]
    assert runner.invoke(cli, [*link, "a1"]).exit_code == 0  # the wrong one
    again = runner.invoke(cli, [*link, "a2"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "Linked zendesk domain:acme-holding.com to Acme Holding (a2); no rows were waiting.",
        "  zendesk domain:acme-holding.com was linked to Acme Corp (a1): the rows imported "
        "through it stay there until you import their files again (imports follow the new "
        "link)",
    ]
    assert _rows(db_path, "SELECT account_id FROM tickets") == [("a1",)]
    assert _import(runner, db_path, tickets).exit_code == 0
    assert _rows(db_path, "SELECT account_id FROM tickets") == [("a2",)]


def test_link_needs_a_key_and_a_real_account(db_path: Path, runner: CliRunner, write_csv) -> None:
    assert (
        _import(
            runner, db_path, _canonical_accounts(write_csv, "a1,Acme,acme.com,2024-01-01\n")
        ).exit_code
        == 0
    )
    bad_key = runner.invoke(
        cli, ["accounts", "link", "zendesk", "acme", "a1", "--db", str(db_path)]
    )
    assert bad_key.exit_code == 2
    assert "expected a key like id:cus_123" in bad_key.output
    no_account = runner.invoke(
        cli, ["accounts", "link", "zendesk", "name:acme", "nobody", "--db", str(db_path)]
    )
    assert no_account.exit_code == 2
    assert "no account matches 'nobody'" in no_account.output


def test_merging_keeps_the_users_work_and_future_imports_follow(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    # Two records of one company: one from our own CSV, one made by a Stripe import.
    accounts = _canonical_accounts(write_csv, "a1,Acme Corp,acme.com,2024-01-01\n")
    customers = write_csv(
        "stripe_customers.csv",
        "id,Description,Email,Name,Created (UTC)\ncus_9,,pay@acmeholding.com,Acme Holding,"
        "2023-06-01 10:00\n",
    )
    subs = write_csv(
        "stripe_subs.csv",
        "id,Customer ID,Status,Interval,Amount,Currency,Start Date (UTC)\n"
        "sub_9,cus_9,active,month,100.00,usd,2024-01-01 00:00\n",
    )
    assert _import(runner, db_path, accounts, customers, subs).exit_code == 0
    conn = connect(db_path)
    try:
        playbook = start_playbook(conn, "stripe:cus_9", "save")
        set_tick(conn, playbook, "diagnose", True)
        add_note(conn, "stripe:cus_9", "Their CFO wants a call", playbook, "diagnose")
        snooze(conn, "stripe:cus_9", "risk", "2030-01-01")
    finally:
        conn.close()
    merge = ["accounts", "merge", "Acme Holding", "a1", "--db", str(db_path)]
    asked = runner.invoke(cli, merge, input="n\n")  # it asks first, and no is no
    assert asked.exit_code == 1
    assert asked.output.startswith(
        "Merge Acme Holding (stripe:cus_9) into Acme Corp (a1)? It cannot be undone [y/N]"
    )
    assert len(_rows(db_path, "SELECT account_id FROM accounts")) == 2
    merged = runner.invoke(cli, merge, input="y\n")
    assert merged.exit_code == 0, merged.output
    assert merged.output.splitlines()[-1].startswith(
        "Merged Acme Holding (stripe:cus_9) into Acme Corp (a1): moved "
    )
    assert _rows(db_path, "SELECT account_id, domain, created_at FROM accounts") == [
        ("a1", "acme.com", "2023-06-01")
    ]
    assert _rows(db_path, "SELECT account_id, kind FROM playbooks") == [("a1", "save")]
    assert _rows(db_path, "SELECT step_id FROM checklist_ticks") == [("diagnose",)]
    assert _rows(db_path, "SELECT account_id, body FROM notes") == [
        ("a1", "Their CFO wants a call")
    ]
    assert _rows(db_path, "SELECT account_id, queue, until FROM snoozes") == [
        ("a1", "risk", "2030-01-01")
    ]
    assert _rows(db_path, "SELECT account_id FROM subscription_periods") == [("a1",)]
    # Re-importing everything recreates nothing and keeps the work where it is.
    again = _import(runner, db_path, accounts, customers, subs)
    assert again.exit_code == 0, again.output
    assert _rows(db_path, "SELECT account_id FROM accounts") == [("a1",)]
    assert _rows(db_path, "SELECT account_id FROM subscription_periods") == [("a1",)]
    assert _rows(db_path, "SELECT COUNT(*) FROM notes") == [(1,)]


def test_merging_a_canonical_account_reroutes_our_own_files(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    accounts = _canonical_accounts(
        write_csv, "a1,Acme Corp,acme.com,2024-01-01\na2,Acme dup,,2024-02-01\n"
    )
    tickets = write_csv(
        "tickets.csv",
        "ticket_id,account_id,status,created_at\nt1,a2,open,2024-03-01T00:00:00Z\n",
    )
    assert _import(runner, db_path, accounts, tickets).exit_code == 0
    merged = runner.invoke(cli, ["accounts", "merge", "a2", "a1", "--yes", "--db", str(db_path)])
    assert merged.exit_code == 0, merged.output
    again = _import(runner, db_path, accounts, tickets)
    assert again.exit_code == 0, again.output
    assert "skipped 1 row: merged into another account" in again.output
    assert _rows(db_path, "SELECT account_id FROM accounts") == [("a1",)]
    assert _rows(db_path, "SELECT source_id, account_id FROM tickets") == [("t1", "a1")]


def test_merge_refuses_nonsense(db_path: Path, runner: CliRunner, write_csv) -> None:
    assert (
        _import(runner, db_path, _canonical_accounts(write_csv, "a1,Acme,,2024-01-01\n")).exit_code
        == 0
    )
    same = runner.invoke(cli, ["accounts", "merge", "a1", "a1", "--db", str(db_path)])
    assert same.exit_code == 2
    assert "cannot merge account a1 into itself" in same.output


def test_formats_lists_every_tool_with_what_recognises_it(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["formats", "--format", "csv"])
    assert result.exit_code == 0
    rows = {line.split(",", 1)[0] for line in result.output.splitlines()[1:]}
    assert set(EXPECTED_FORMAT.values()) | {"accounts", "usage_events"} <= rows
    assert (
        'stripe.payments,stripe,payment_attempts,"id, Created (UTC), Amount, Amount Refunded'
        in (result.output)
    )


def test_progress_bar() -> None:
    from retention_tui.import_summary import progress_bar

    assert progress_bar(0, 200_000, width=10) == "[..........]   0% 0/200,000 rows"
    assert progress_bar(100_000, 200_000, width=10) == "[#####.....]  50% 100,000/200,000 rows"
    assert progress_bar(200_000, 200_000, width=10) == "[##########] 100% 200,000/200,000 rows"


def _checked_column(fmt, header: tuple[str, ...]):
    """A field the file has whose values are checked (not free text, an id or any word),
    and its position in the header."""
    from importers.validate import match_columns

    positions = match_columns(fmt, header)
    field = next(
        f
        for f in fmt.fields
        if f.column in positions
        and not f.skip
        and f.other is None  # a value it does not know is kept (a CRM's own stages)
        and (f.values or f.choices or f.kind.name not in ("id", "text", "word"))
    )
    return field, positions[field.column]


@pytest.mark.parametrize("rel", sorted(EXPECTED_FORMAT), ids=lambda r: EXPECTED_FORMAT[r])
def test_each_format_names_the_bad_cell(
    rel: str, tools_db: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """One wrong value in any tool's file: its file, row and column (as the file spells
    it), what was expected, exit 2, nothing written."""
    source = TOOLS / rel
    table = read_table(source)
    fmt = detect(table.name, table.header)
    field, position = _checked_column(fmt, table.header)
    rows = table.frame.drop("__row").rows()
    bad = list(rows[0])
    bad[position] = "???"
    path = tmp_path / source.name
    import csv as csv_module

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv_module.writer(out)
        writer.writerow(table.header)
        writer.writerow(bad)
    before = database_digest(tools_db)
    result = _import(runner, tools_db, "--format", fmt.label, path)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"Error: {path}, row 2, column '{table.header[position]}': got '???'; "
        f"expected {field.expected}"
    )
    assert database_digest(tools_db) == before


def test_api_shaped_exports_give_amounts_in_cents(tools_db: Path, runner: CliRunner) -> None:
    """Chargebee's API field names carry cents: the same subscriptions, the same MRR."""
    before = _rows(
        tools_db,
        "SELECT source_id, billing_interval, amount_minor FROM subscription_periods "
        "WHERE source = 'chargebee' ORDER BY 1",
    )
    result = _import(runner, tools_db, TOOLS / "chargebee/subscriptions_api.csv")
    assert result.exit_code == 0, result.output
    assert "0 inserted, 0 updated, 2 unchanged" in result.output
    assert before == [
        ("AzZlGkTQ1/2024-06-01", "quarter", 30000),
        ("AzZlGkTQ2/2024-11-15", "month", 100000),
    ]


def test_a_chargebee_founders_files_alone_make_the_accounts(
    db_path: Path, runner: CliRunner
) -> None:
    """Without a CRM, Chargebee's customers export names the accounts its subscriptions
    and invoices belong to: nothing waits for a link."""
    chargebee = TOOLS / "chargebee"
    result = _import(
        runner,
        db_path,
        chargebee / "Invoices.csv",
        chargebee / "Subscriptions.csv",
        chargebee / "Customers.csv",
    )
    assert result.exit_code == 0, result.output
    assert _rows(
        db_path, "SELECT account_id, name, domain, created_at FROM accounts ORDER BY 1"
    ) == [
        ("chargebee:AzZlGkTQ1", "Acme Corp", "acme.com", "2024-06-01"),
        ("chargebee:AzZlGkTQ2", "Hooli", "hooli.xyz", "2024-11-15"),
        ("chargebee:AzZlGkTQ3", "Umbrella", "umbrella.io", "2024-11-20"),
        # no company: the person's name; gmx.de is free mail, no domain
        ("chargebee:AzZlGkTQ4", "Lena Vogel", None, "2024-09-12"),
    ]
    assert _rows(db_path, "SELECT COUNT(*) FROM pending_rows") == [(0,)]
    assert _rows(
        db_path,
        "SELECT source_id, account_id FROM subscription_periods "
        "UNION ALL SELECT source_id, account_id FROM invoices ORDER BY 1",
    ) == [
        ("AzZlGkTQ1/2024-06-01", "chargebee:AzZlGkTQ1"),
        ("AzZlGkTQ2/2024-11-15", "chargebee:AzZlGkTQ2"),
        ("CB-1001", "chargebee:AzZlGkTQ1"),
        ("CB-1002", "chargebee:AzZlGkTQ1"),
    ]
    # the Export API's field names: the same customers, nothing changes
    again = _import(runner, db_path, chargebee / "customers_api.csv", quiet=False)
    assert again.exit_code == 0, again.output
    assert "chargebee.customers, 4 rows: 0 inserted, 0 updated, 4 unchanged" in again.output


def test_an_explicit_id_map_links_many_at_once(db_path: Path, runner: CliRunner, write_csv) -> None:
    accounts = _canonical_accounts(
        write_csv, "a1,Acme Corp,acme.com,2024-01-01\ng1,Globex,globex.com,2024-01-01\n"
    )
    # Events whose only clue is the analytics tool's own company id.
    events = write_csv(
        "mixpanel.csv",
        "event,time,distinct_id,company_id,$insert_id\n"
        "Logged In,1731402000,u1,grp_17,e1\n"
        "Logged In,1731402100,u2,grp_42,e2\n"
        "Logged In,1731402200,u3,grp_42,e3\n",
    )
    assert _import(runner, db_path, accounts, events).exit_code == 0
    assert _rows(db_path, "SELECT COUNT(*) FROM pending_rows") == [(3,)]
    id_map = write_csv(
        "ids.csv",
        "source,external_id,account_id\nmixpanel,grp_17,a1\nmixpanel,grp_42,g1\n",
    )
    bad_map = write_csv("bad.csv", "source,external_id,account_id\nmixpanel,grp_17,zz\n")
    before = database_digest(db_path)
    refused = runner.invoke(cli, ["accounts", "link", "--map", str(bad_map), "--db", str(db_path)])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"Error: {bad_map}, row 2, column 'account_id': no account 'zz'; expected an "
        "account_id listed by 'retention accounts'"
    )
    assert database_digest(db_path) == before
    done = runner.invoke(cli, ["accounts", "link", "--map", str(id_map), "--db", str(db_path)])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        "Linked 2 links from ids.csv; imported 3 waiting rows (3 usage_events)."
    )
    assert _rows(db_path, "SELECT source_id, account_id FROM usage_events ORDER BY 1") == [
        ("e1", "a1"),
        ("e2", "g1"),
        ("e3", "g1"),
    ]


def test_progress_is_reported_as_rows_are_written(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importers import run

    monkeypatch.setattr(run, "CHUNK_ROWS", 2)
    seen: list[tuple[str, int, int]] = []
    conn = connect(db_path)
    try:
        run.import_files(
            conn,
            [
                TOOLS / "zendesk" / "export-2024-11-20-1015-tickets.csv",
                TOOLS / "stripe" / "unified_customers.csv",
            ],
            on_rows=lambda name, done, total: seen.append((name, done, total)),
        )
    finally:
        conn.close()
    assert seen == [
        ("unified_customers.csv", 2, 4),
        ("unified_customers.csv", 4, 4),
        ("export-2024-11-20-1015-tickets.csv", 2, 3),
        ("export-2024-11-20-1015-tickets.csv", 3, 3),
    ]


def test_a_crm_reassigning_an_owner_updates_the_account_it_enriched(
    tools_db: Path, runner: CliRunner, write_csv
) -> None:
    """Stripe made the Acme account; HubSpot's owner and head count win on re-import, but
    HubSpot's spelling of the name does not replace Stripe's."""
    companies = write_csv(
        "hubspot-companies.csv",
        "Record ID,Company name,Company owner,Create Date,Industry,Company Domain Name,"
        "Number of Employees\n"
        "18446001,ACME, Inc. (HQ),Priya Shah,2023-11-02 14:20,Logistics,acme.com,150\n".replace(
            "ACME, Inc. (HQ)", '"ACME, Inc. (HQ)"'
        ),
    )
    result = _import(runner, tools_db, companies)
    assert result.exit_code == 0, result.output
    assert _rows(
        tools_db,
        "SELECT name, owner, employees FROM accounts WHERE account_id = 'stripe:cus_PqAcme01'",
    ) == [("Acme Corp", "Priya Shah", 150)]


@pytest.mark.parametrize(
    "header",
    [
        # HubSpot's products and line items exports: Record ID, Name and Create Date, as a
        # company's API-named export has
        "Record ID,Name,Create Date,Product description,Unit price,SKU,Billing frequency",
        "Record ID,Name,Create Date,Quantity,Unit price,Net price,Amount,Product ID",
    ],
)
def test_a_crms_other_records_are_not_taken_for_companies(header: str) -> None:
    with pytest.raises(UnknownFormat, match=r"looks like a hubspot\.companies file but has none"):
        detect("export.csv", tuple(header.split(",")))
    # one column only a company has makes it one
    assert detect("export.csv", (*header.split(","), "Company Domain Name")).label == (
        "hubspot.companies"
    )


def test_an_empty_cell_in_a_column_whose_words_leave_rows_out_keeps_its_row(
    db_path: Path, runner: CliRunner, write_csv
) -> None:
    """Segment's `identify` rows are left out by their type; a row whose type is empty is
    not one of them and is read (it was lost without a word)."""
    path = write_csv(
        "tracks.csv",
        "messageId,type,event,userId,timestamp,context.traits.email\n"
        "m1,track,Report Created,501,2024-11-12T09:00:00.000Z,ana@acme.com\n"
        "m2,,Report Shared,501,2024-11-12T09:05:00.000Z,ana@acme.com\n"
        "m3,identify,,501,2024-11-12T09:06:00.000Z,ana@acme.com\n",
    )
    accounts = write_csv(
        "accounts.csv", "account_id,name,domain,created_at\nacme,Acme,acme.com,2024-01-01\n"
    )
    result = _import(runner, db_path, accounts, path, quiet=False)
    assert result.exit_code == 0, result.output
    assert "tracks.csv: segment.events, 3 rows: 2 inserted" in result.output
    assert "skipped 1 row: identify calls are not usage" in result.output
    assert _rows(db_path, "SELECT source_id FROM usage_events ORDER BY 1") == [("m1",), ("m2",)]


def test_a_subscriptions_export_says_why_it_stored_more_rows_than_it_has(
    db_path: Path, runner: CliRunner
) -> None:
    """Stripe's subscriptions: a trial and the paid time after it, and a past_due status
    since the current period began, are periods of their own; '5 rows: 5 inserted' with one
    row skipped and one waiting read as a fault, so the summary says what the rows became."""
    stripe = TOOLS / "stripe"
    result = _import(
        runner, db_path, stripe / "unified_customers.csv", stripe / "subscriptions.csv", quiet=False
    )
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("subscriptions.csv: ")]
    assert "5 rows: 5 inserted" in line
    assert "  3 subscriptions stored as 5 periods: a trial, and the status since" in result.output
    stored = _rows(
        db_path, "SELECT COUNT(DISTINCT subscription_id), COUNT(*) FROM subscription_periods"
    )
    assert stored == [(3, 5)]
    customers = [x for x in result.output.splitlines() if "stored as" in x]
    assert len(customers) == 1  # a file whose rows are what it stores says nothing of it
