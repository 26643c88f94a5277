-- 0002: score-change alerts (DOMAIN.md §2), stored per as-of date like scores and signals.
CREATE TABLE score_alerts (
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    as_of               TEXT NOT NULL,
    code                TEXT NOT NULL,   -- score_drop, entered_at_risk, entered_critical, ...
    detail              TEXT NOT NULL,
    action              TEXT NOT NULL,
    due_at              TEXT NOT NULL,
    PRIMARY KEY (as_of, account_id, code)
);
