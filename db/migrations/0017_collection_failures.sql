-- 0017: the day collecting an invoice failed, as the billing tool itself says it where its
-- export has no charges to tell it by (Chargebee's invoice status payment_due: collecting
-- failed and is being retried; not_paid: every retry failed). The engine counts such an
-- invoice as failed from that day (payment_failed, the payments queue), as it counts one
-- with a failed charge.
ALTER TABLE invoices ADD COLUMN collection_failed_on TEXT;
