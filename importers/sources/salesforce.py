"""Salesforce exports: accounts, contacts, opportunities, cases and users.

Two shapes of each: a report exported as CSV (column labels like 'Account Name', dates
as the user's locale shows them, e.g. US '3/14/2024') and a Data Loader / Data Export
service file (field API names like 'AccountId', 'StageName', times like
'2024-03-14T09:30:00.000+0000'); docs/formats.md cites the sources.

Every object's API export has Id, Name and CreatedDate: an Account file is known by a
column only accounts have, and not by one that marks another object (a Contact's
AccountId, a Lead's Company, a User's Username), so a Data Export's Contact.csv,
Lead.csv, User.csv or Campaign.csv never becomes accounts. Rows the export marks deleted
(IsDeleted, in Data Loader's "Export All") are left out. Those files name owners by
OwnerId; the users (User.csv, in the same export or imported later) give their names.
"""

from __future__ import annotations

import polars as pl

from importers.sources.common import (
    DEAL_MADE_OF,
    amount,
    companies,
    crm_stage,
    currency,
    deal_rows,
    ext_domain,
    ext_email,
    ext_id,
    ext_name,
    full_name,
    optional_column,
    person_rows,
    prospect_rows,
)
from importers.spec import OWNER_ID, Field, FileFormat, Identity
from importers.values import BOOL, EMAIL, ID, INT, LOWER, TEXT, TOOL_DATE, TOOL_INSTANT

SOURCE = "salesforce"
SOURCES = (
    "Salesforce Object Reference: Account (Id, Name, Website, Industry, "
    "NumberOfEmployees, OwnerId, CreatedDate), Contact (Id, AccountId, FirstName, "
    "LastName, Email, Title, CreatedDate), Case (Id, CaseNumber, AccountId, ContactEmail, "
    "SuppliedEmail, Subject, Status: New, Working, Escalated, Closed; Priority: High, "
    "Medium, Low; IsClosed, CreatedDate, ClosedDate), Opportunity (Id, AccountId, Name, StageName, "
    "Amount, CloseDate, CreatedDate, CurrencyIsoCode, IsClosed, IsWon), Lead (Company, "
    "IsConverted), User (Username), OpportunityHistory (OpportunityId) and every object's "
    "IsDeleted; the standard StageName picklist (Prospecting ... Closed Won, Closed Lost)",
    "Salesforce Help, 'Export Backup Data from Salesforce' (the Data Export service: a "
    "zip of one CSV per object, Account.csv, Contact.csv, Opportunity.csv, ...)",
    "Salesforce Help, 'Export a Report' (report column labels: Account ID, Account Name, "
    "Opportunity ID, Stage, Close Date, Created Date, Account Owner, Opportunity Owner; "
    "cases: Case ID, Case Number, Date/Time Opened, Date/Time Closed, Contact Email)",
)


def left_out_if_set(column: str, target: str, reason: str, doc: str = "") -> Field:
    """A Salesforce flag (true/false, 1/0) whose rows are left out, with ``reason``, when
    it is set."""
    return Field(
        column,
        target,
        LOWER,
        values={"false": "false", "0": "false"},
        skip={"true": reason, "1": reason},
        doc=doc,
    )


def deleted() -> Field:
    return left_out_if_set(
        "IsDeleted",
        "_deleted",
        "deleted in Salesforce (IsDeleted)",
        "Rows marked deleted are left out.",
    )


def _owner_id() -> Field:
    return Field(
        "Owner ID",
        OWNER_ID,
        ID,
        aliases=("OwnerId",),
        doc="The owner's user id (005...), kept: named from the users imported (User.csv), "
        "now or later.",
    )


def _user_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A user -> a crm_users row: named by the full name, else first and last, else the
    username."""
    parts = full_name(pl.col("_first"), pl.col("_last"))
    return frame.with_columns(
        pl.coalesce(pl.col("_full"), parts, pl.col("_username")).alias("name")
    )


USERS = FileFormat(
    name="users",
    source=SOURCE,
    table="crm_users",
    key=("source_id",),
    transform=_user_rows,
    made_of={"name": ("_full", "_first", "_last")},  # else the username stands in
    signature=("User ID", "Username"),
    sources=SOURCES,
    description="Salesforce users: the names of the owners accounts and opportunities name "
    "by OwnerId (imported with those files, before or after them).",
    fields=(
        Field("User ID", "source_id", ID, required=True, aliases=("Id",)),
        Field("Username", "_username", TEXT, required=True),
        Field("Full Name", "_full", TEXT, aliases=("Name",)),
        Field("First Name", "_first", TEXT, aliases=("FirstName",)),
        Field("Last Name", "_last", TEXT, aliases=("LastName",)),
        Field("Email", "email", EMAIL),
    ),
)

ACCOUNTS = companies(
    SOURCE,
    "accounts",
    (
        ext_id("Account ID", "Id", required=True, doc="Salesforce account Id (001...)."),
        ext_name("Account Name", "Name", required=True),
        ext_domain("Website"),
        Field("Industry", "industry", TEXT),
        Field("Employees", "employees", INT, low=0, aliases=("NumberOfEmployees",)),
        Field("Account Owner", "owner", TEXT, aliases=("Owner.Name", "Owner Name")),
        _owner_id(),
        Field("Created Date", "created_at", TOOL_DATE, required=True, aliases=("CreatedDate",)),
        Field(
            "Type",
            "_account_type",
            LOWER,
            aliases=("Account Type",),
            doc="Prospect: a prospect (kept, not scored until billed); Customer - Direct or "
            "Customer - Channel: a customer.",
        ),
        deleted(),
    ),
    precedence=2,
    transform=prospect_rows("_account_type", ("prospect",), r"^customer\b"),
    made_of={"prospect": ("_account_type",)},
    description="Salesforce accounts: each becomes an account, or fills in the one it "
    "matches; one of Type Prospect is a prospect.",
    sources=SOURCES,
    # a report's labels, or a field only the Account object has
    evidence=(
        *("Account ID", "Account Name", "Account Owner", "Account Number", "Account Type"),
        *("Website", "Industry", "Employees", "NumberOfEmployees", "AnnualRevenue"),
        *("AccountNumber", "AccountSource", "BillingCity", "BillingState", "BillingCountry"),
    ),
    # a Contact's or Opportunity's AccountId, a Lead's Company, a User's Username; a
    # contacts or leads report's labels
    not_with=(
        *("AccountId", "Company", "IsConverted", "ConvertedAccountId", "Username"),
        *("Contact ID", "Lead ID", "First Name", "Last Name", "Company / Account"),
    ),
)

CONTACTS = FileFormat(
    name="contacts",
    source=SOURCE,
    table="contacts",
    key=("source_id",),
    identity=Identity(),
    transform=person_rows,
    signature=("Contact ID", "Last Name", "Account ID"),
    not_with=("Username",),  # a User has AccountId and LastName too
    sources=SOURCES,
    description="Salesforce contacts: people at customer accounts.",
    fields=(
        Field("Contact ID", "source_id", ID, required=True, aliases=("Id",)),
        ext_id("Account ID", "AccountId"),
        ext_name("Account Name", "Account.Name"),
        Field("First Name", "_first", TEXT, aliases=("FirstName",)),
        Field("Last Name", "_last", TEXT, aliases=("LastName",)),
        ext_email("Email"),
        Field("Title", "role", TEXT),
        Field("Created Date", "created_at", TOOL_DATE, aliases=("CreatedDate",)),
        deleted(),
    ),
)

STAGES = {
    "prospecting": "discovery",
    "qualification": "discovery",
    "needs analysis": "discovery",
    "value proposition": "demo",
    "id. decision makers": "demo",
    "perception analysis": "proposal",
    "proposal/price quote": "proposal",
    "negotiation/review": "negotiation",
    "closed won": "closed_won",
    "closed lost": "closed_lost",
}


OPPORTUNITIES = FileFormat(
    name="opportunities",
    source=SOURCE,
    table="deals",
    key=("source_id",),
    identity=Identity(optional=True),
    transform=deal_rows,
    made_of=DEAL_MADE_OF,
    signature=("Opportunity ID", "Stage"),
    not_with=("OpportunityId",),  # an OpportunityHistory row: a stage an opportunity had
    sources=SOURCES,
    description="Salesforce opportunities: lost ones feed the win-back queue.",
    fields=(
        Field("Opportunity ID", "source_id", ID, required=True, aliases=("Id",)),
        ext_id("Account ID", "AccountId"),
        ext_name("Account Name", "Account.Name"),
        Field("Opportunity Name", "_deal_name", TEXT, required=True, aliases=("Name",)),
        Field(
            "Stage",
            "stage",
            LOWER,
            required=True,
            aliases=("StageName",),
            values=STAGES,
            other=crm_stage,
        ),
        amount("Amount", "amount_minor"),
        currency("Opportunity Currency", "CurrencyIsoCode", "Currency"),
        Field("Created Date", "created_at", TOOL_DATE, aliases=("CreatedDate",)),
        Field("Close Date", "closed_at", TOOL_DATE, aliases=("CloseDate",)),
        Field("Loss Reason", "_lost_reason_text", TEXT, aliases=("Loss_Reason__c", "Reason Lost")),
        Field("Opportunity Owner", "owner", TEXT, aliases=("Owner.Name", "Owner Name")),
        _owner_id(),
        Field("Closed", "_is_closed", BOOL, aliases=("IsClosed",), doc="Closed (true/false)."),
        Field("Won", "_is_won", BOOL, aliases=("IsWon",), doc="Won (true/false)."),
        deleted(),
    ),
)


def _kept_open(word: pl.Expr) -> pl.Expr:
    """a status of your own (the picklist is yours to change) counts as open, unless the
    case's Closed flag says it is closed"""
    return pl.when(word != "").then(pl.lit("open"))


def _left_empty(word: pl.Expr) -> pl.Expr:
    """a priority of your own is left empty"""
    return pl.lit(None, pl.String)


def _case_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A case -> a tickets row: the requester is the contact's email (else the web
    form's); a case Salesforce marks closed (IsClosed) is closed whatever its status."""
    return frame.with_columns(
        pl.col("ext_email").alias("requester_email"),
        pl.when(optional_column(frame, "_is_closed") == 1)
        .then(pl.lit("closed"))
        .otherwise(pl.col("status"))
        .alias("status"),
    )


CASES = FileFormat(
    name="cases",
    source=SOURCE,
    table="tickets",
    key=("source_id",),
    identity=Identity(),
    transform=_case_rows,
    signature=("Case ID", "Status", "Date/Time Opened"),
    evidence=("CaseNumber", "Case Number"),  # Id, Status, CreatedDate: a Task has them too
    sources=SOURCES,
    description="Salesforce cases (Service Cloud): support tickets.",
    fields=(
        Field("Case ID", "source_id", ID, required=True, aliases=("Id",)),
        ext_id("Account ID", "AccountId"),
        ext_name("Account Name", "Account.Name"),
        ext_email("Contact Email", "ContactEmail", "SuppliedEmail", "Web Email"),
        Field("Subject", "subject", TEXT),
        Field(
            "Status",
            "status",
            LOWER,
            required=True,
            values={
                "new": "new",
                "working": "open",
                "escalated": "open",
                "on hold": "hold",
                "closed": "closed",
            },
            other=_kept_open,
        ),
        Field(
            "Priority",
            "priority",
            LOWER,
            values={"low": "low", "medium": "normal", "high": "high", "critical": "urgent"},
            other=_left_empty,
        ),
        Field(
            "Date/Time Opened",
            "created_at",
            TOOL_INSTANT,
            required=True,
            aliases=("CreatedDate", "Opened Date"),
        ),
        Field("Date/Time Closed", "solved_at", TOOL_INSTANT, aliases=("ClosedDate", "Closed Date")),
        Field("Closed", "_is_closed", BOOL, aliases=("IsClosed",), doc="Closed (true/false)."),
        deleted(),
    ),
)

FORMATS = (USERS, ACCOUNTS, CONTACTS, OPPORTUNITIES, CASES)
