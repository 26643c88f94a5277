-- 0012: a CRM's users, by the CRM's id for them. Salesforce's Data Loader and Data Export
-- files name an account's or an opportunity's owner by OwnerId (005...); its User.csv
-- says who that is, so the owner is shown by name like a report's 'Account Owner'.
CREATE TABLE crm_users (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT,
    UNIQUE (source, source_id)
);
