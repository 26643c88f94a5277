-- 0009: why a subscription ended, as the billing tool says (Stripe's payment_failed or
-- cancellation_requested, Chargebee's not_paid or no_card), so churn for failed payments
-- (involuntary) can be told from customers who chose to leave (DOMAIN.md §8).
ALTER TABLE subscription_periods ADD COLUMN cancel_reason TEXT;
