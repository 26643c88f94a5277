-- 0008: the expiry of the card a payment was attempted with (the last day of its month),
-- so cards about to expire can be chased before their charge fails (DOMAIN.md §8).
ALTER TABLE payment_attempts ADD COLUMN card_expires_on TEXT;
