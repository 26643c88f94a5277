-- 0013: the CRM user an account or a deal is owned by, as 'source:user id' (Salesforce's
-- OwnerId, 'salesforce:005...'), kept beside the owner's name. A file that names owners by
-- id may come before the users that say who they are (Account.csv today, User.csv next
-- week): importing the users then names the owners of the rows that point at them, and a
-- user renamed in the CRM renames the owner of what they own.
ALTER TABLE accounts ADD COLUMN owner_ref TEXT;
ALTER TABLE deals ADD COLUMN owner_ref TEXT;
CREATE INDEX accounts_owner_ref ON accounts (owner_ref) WHERE owner_ref IS NOT NULL;
CREATE INDEX deals_owner_ref ON deals (owner_ref) WHERE owner_ref IS NOT NULL;
