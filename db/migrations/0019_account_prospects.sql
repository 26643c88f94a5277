-- 0019: whether the CRM calls an account a prospect (1: a lead or an open opportunity, not
-- a customer yet; 0: a customer; empty: not said). A CRM's companies export holds every
-- company in it, prospects too (HubSpot's Lifecycle Stage, Salesforce's Type): without a
-- subscription in the billing tool's files, a prospect was scored as a customer, in the
-- onboarding queue as a new one missing every milestone, in the risk report. One is kept,
-- with its contacts and deals, and not scored until the billing tool bills it.
ALTER TABLE accounts ADD COLUMN prospect INTEGER;
