"""Salesforce exports: accounts and opportunities.

Two shapes of each: a report exported as CSV (column labels like 'Account Name', dates
as the user's locale shows them, e.g. US '3/14/2024') and a Data Loader / API export
(field API names like 'AccountId', 'StageName', times like
'2024-03-14T09:30:00.000+0000'); docs/formats.md cites the sources.
"""

from __future__ import annotations

from importers.sources.common import (
    amount,
    companies,
    crm_stage,
    currency,
    deal_rows,
    ext_domain,
    ext_id,
    ext_name,
)
from importers.spec import Field, FileFormat, Identity
from importers.values import BOOL, ID, INT, LOWER, TEXT, TOOL_DATE

SOURCE = "salesforce"
SOURCES = (
    "Salesforce Object Reference: Account (Id, Name, Website, Industry, "
    "NumberOfEmployees, OwnerId, CreatedDate) and Opportunity (Id, AccountId, Name, "
    "StageName, Amount, CloseDate, CreatedDate, CurrencyIsoCode, IsClosed, IsWon); the "
    "standard StageName picklist (Prospecting ... Closed Won, Closed Lost)",
    "Salesforce Help, 'Export a Report' (report column labels: Account ID, Account Name, "
    "Opportunity ID, Stage, Close Date, Created Date, Account Owner, Opportunity Owner)",
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
        Field("Created Date", "created_at", TOOL_DATE, required=True, aliases=("CreatedDate",)),
    ),
    precedence=2,
    description="Salesforce accounts: each becomes an account, or fills in the one it matches.",
    sources=SOURCES,
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
    signature=("Opportunity ID", "Stage"),
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
        Field("Closed", "_is_closed", BOOL, aliases=("IsClosed",), doc="Closed (true/false)."),
        Field("Won", "_is_won", BOOL, aliases=("IsWon",), doc="Won (true/false)."),
    ),
)

FORMATS = (ACCOUNTS, OPPORTUNITIES)
