-- 0011: usage events keep no index by account. Nothing reads them by account through SQL
-- any more (the engine, the accounts list and the account screen read their blocks), and
-- the index cost every import: at 10M events a day's 100k new events dirtied nearly every
-- page of it, 1.8 s with it dropped against 5.2-7.9 s with it; a first import built it
-- too. A merge now finds the merged account's events by reading the table (~1 s at 10M
-- events, against ~0 s): merges are rare, imports daily.
DROP INDEX usage_events_account_time;
