-- 0015: Stripe's and Chargebee's subscriptions exports give each subscription's status of
-- today; until this release it was stored as the status of its whole life, so a canceled
-- subscription never added MRR and its customer never counted as churned. A canceled one
-- that ended was paying until then (importers/sources/common.py, subscription_periods):
-- the periods already imported are mended here. A past-due one's history needs its
-- current period's start, which was not kept: importing the export again mends it.
-- tell-if: SELECT COUNT(*) FROM subscription_periods WHERE source IN ('stripe', 'chargebee') AND status IN ('past_due', 'unpaid', 'paused')
-- tell: Past-due, unpaid or paused Stripe or Chargebee subscriptions imported before this
-- tell: version ({n}): import the subscriptions export again so that their months before
-- tell: the current billing period count as paid (MRR, churn).
UPDATE subscription_periods SET status = 'active'
WHERE source IN ('stripe', 'chargebee') AND status = 'canceled' AND period_end IS NOT NULL;
