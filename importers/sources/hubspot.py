"""HubSpot CRM exports: companies, contacts and deals.

Headers as HubSpot's "Export" of a records view writes them (property labels: 'Record
ID', 'Company name', 'Company Domain Name', 'Create Date', 'Deal Stage', ...); values as
shown in the app (stage labels like 'Closed Won', or the internal ids like
'closedwon'); docs/formats.md cites the sources.
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
    person_rows,
    prospect_rows,
)
from importers.spec import Field, FileFormat, Identity
from importers.values import BOOL, ID, INT, LOWER, TEXT, TOOL_DATE

SOURCE = "hubspot"
SOURCES = (
    "HubSpot Knowledge Base, 'Export your records' and 'HubSpot's default company / "
    "contact / deal / product properties' (labels: Record ID, Company name, Company Domain Name, "
    "Number of Employees, Company owner, Create Date; Deal Name, Deal Stage, Amount, Close "
    "Date, Closed Lost Reason; the default sales pipeline's stages); the deal properties "
    "hs_is_closed_won and hs_is_closed (HubSpot's API and CLI documentation)",
    "public analyses of HubSpot company exports reading 'Record ID', 'Company name', "
    "'Company Domain Name', 'Industry'",
)
COMPANY_ID = ("Associated Company IDs (Primary)", "Associated Company IDs", "Associated Company ID")

# HubSpot's default lifecycle stages before a customer, by label and by internal id; a
# customer's; a stage of the portal's own (or 'Other') says nothing.
PROSPECT_STAGES = (
    *("subscriber", "lead", "marketing qualified lead", "marketingqualifiedlead"),
    *("sales qualified lead", "salesqualifiedlead", "opportunity"),
)
CUSTOMER_STAGES = r"^(customer|evangelist)$"

COMPANIES = companies(
    SOURCE,
    "companies",
    (
        ext_id("Record ID", "Company ID", required=True, doc="HubSpot company record id."),
        ext_name("Company name", "Name", required=True),
        ext_domain("Company Domain Name", "Website URL", "Domain"),
        Field("Create Date", "created_at", TOOL_DATE, required=True, aliases=("Created Date",)),
        Field("Company owner", "owner", TEXT, aliases=("HubSpot Owner", "Owner")),
        Field("Industry", "industry", TEXT),
        Field("Number of Employees", "employees", INT, low=0),
        Field(
            "Lifecycle Stage",
            "_lifecycle",
            LOWER,
            aliases=("lifecyclestage",),
            doc="Subscriber, Lead, Marketing / Sales Qualified Lead or Opportunity: a prospect "
            "(kept, not scored until billed); Customer or Evangelist: a customer.",
        ),
    ),
    precedence=2,
    transform=prospect_rows("_lifecycle", PROSPECT_STAGES, CUSTOMER_STAGES),
    made_of={"prospect": ("_lifecycle",)},
    description="HubSpot companies: each becomes an account, or fills in the one it matches; "
    "one whose lifecycle stage is before Customer is a prospect.",
    sources=SOURCES,
    # Record ID, Name and Create Date head a products or line items export too
    evidence=(
        *("Company name", "Company ID", "Company Domain Name", "Website URL", "Domain"),
        *("Industry", "Number of Employees", "Company owner", "Annual Revenue", "Type"),
        *("Phone Number", "City", "Country/Region", "Lifecycle Stage", "Parent Company"),
    ),
)


def _contact_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return person_rows(
        frame.with_columns(
            # "123;456": a contact of several companies belongs to the first (the primary)
            pl.col("ext_id").str.split(";").list.first().str.strip_chars().alias("ext_id"),
        )
    )


CONTACTS = FileFormat(
    name="contacts",
    source=SOURCE,
    table="contacts",
    key=("source_id",),
    identity=Identity(),
    transform=_contact_rows,
    signature=("Record ID", "First Name", "Last Name"),
    sources=SOURCES,
    description="HubSpot contacts: people at customer accounts.",
    fields=(
        Field("Record ID", "source_id", ID, required=True, aliases=("Contact ID",)),
        Field("First Name", "_first", TEXT),
        Field("Last Name", "_last", TEXT),
        ext_email("Email"),
        Field("Job Title", "role", TEXT),
        ext_id(*COMPANY_ID),
        ext_name("Company Name", "Associated Company"),
        Field("Create Date", "created_at", TOOL_DATE, aliases=("Created Date",)),
    ),
)

# The default sales pipeline, by label and by internal id.
DEAL_STAGES = {
    "appointment scheduled": "discovery",
    "appointmentscheduled": "discovery",
    "qualified to buy": "discovery",
    "qualifiedtobuy": "discovery",
    "presentation scheduled": "demo",
    "presentationscheduled": "demo",
    "decision maker bought-in": "proposal",
    "decisionmakerboughtin": "proposal",
    "contract sent": "negotiation",
    "contractsent": "negotiation",
    "closed won": "closed_won",
    "closedwon": "closed_won",
    "closed lost": "closed_lost",
    "closedlost": "closed_lost",
}

DEALS = FileFormat(
    name="deals",
    source=SOURCE,
    table="deals",
    key=("source_id",),
    identity=Identity(optional=True),
    transform=deal_rows,
    made_of=DEAL_MADE_OF,
    signature=("Record ID", "Deal Name", "Deal Stage"),
    sources=SOURCES,
    description="HubSpot deals: lost ones feed the win-back queue.",
    fields=(
        Field("Record ID", "source_id", ID, required=True, aliases=("Deal ID",)),
        Field("Deal Name", "_deal_name", TEXT, required=True),
        Field("Deal Stage", "stage", LOWER, required=True, values=DEAL_STAGES, other=crm_stage),
        amount("Amount", "amount_minor"),
        currency("Currency", "Deal Currency Code"),
        Field("Create Date", "created_at", TOOL_DATE, aliases=("Created Date",)),
        Field("Close Date", "closed_at", TOOL_DATE),
        Field("Closed Lost Reason", "_lost_reason_text", TEXT),
        Field("Deal owner", "owner", TEXT, aliases=("Owner", "HubSpot Owner")),
        ext_id(*COMPANY_ID),
        ext_name("Associated Company", "Company Name", "Associated Company Name"),
        ext_domain("Company Domain Name", "Associated Company Domain"),
        Field("Is Closed Won", "_is_won", BOOL, aliases=("hs_is_closed_won",)),
        Field("Is Deal Closed?", "_is_closed", BOOL, aliases=("Is Closed", "hs_is_closed")),
    ),
)

FORMATS = (COMPANIES, CONTACTS, DEALS)
