-- 0014: a subscription still running that its customer has set to end (Stripe's Cancel At
-- Period End): the day it will end (cancel_at, its current period's end) and the day they
-- asked (cancel_requested_at, Stripe's Canceled At). The churn-risk signal cancel_terms
-- reads them: from the day they asked until the day it ends, never before it was known.
ALTER TABLE subscription_periods ADD COLUMN cancel_at TEXT;
ALTER TABLE subscription_periods ADD COLUMN cancel_requested_at TEXT;
