-- 0018: the CRM person a touchpoint was with, as 'source:id' (a Salesforce task's or
-- event's WhoId, 'salesforce:003...'). An activity names its contact by id, and the
-- contacts export may come with it or later (Task.csv today, Contact.csv next week):
-- importing that source's contacts then fills in the touchpoint's contact_email, which
-- the champion signals read.
ALTER TABLE touchpoints ADD COLUMN contact_ref TEXT;
CREATE INDEX touchpoints_contact_ref ON touchpoints (contact_ref) WHERE contact_ref IS NOT NULL;
