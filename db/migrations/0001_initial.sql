-- 0001: the canonical tables of DOMAIN.md §1 and the app's own tables.
-- Money: integer minor units + ISO currency. Times: UTC ISO-8601 text
-- ('YYYY-MM-DDTHH:MM:SSZ' for instants, 'YYYY-MM-DD' for calendar dates). Ids: text.
-- Every imported row carries (source, source_id): re-importing upserts on that pair.

CREATE TABLE accounts (
    account_id          TEXT PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    name                TEXT NOT NULL,
    domain              TEXT,
    segment             TEXT CHECK (segment IN ('smb', 'mid_market', 'enterprise')),
    plan                TEXT,
    owner               TEXT,
    industry            TEXT,
    employees           INTEGER,
    created_at          TEXT NOT NULL,
    renewal_date        TEXT,
    contract_value_minor INTEGER,
    currency            TEXT NOT NULL DEFAULT 'USD',
    UNIQUE (source, source_id)
);
CREATE INDEX accounts_name ON accounts (name COLLATE NOCASE);
CREATE INDEX accounts_domain ON accounts (domain);

CREATE TABLE contacts (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    name                TEXT,
    email               TEXT,
    role                TEXT,
    is_champion         INTEGER NOT NULL DEFAULT 0 CHECK (is_champion IN (0, 1)),
    champion_strength   TEXT CHECK (champion_strength IN ('strong', 'moderate', 'weak')),
    is_decision_maker   INTEGER NOT NULL DEFAULT 0 CHECK (is_decision_maker IN (0, 1)),
    created_at          TEXT,
    left_company_at     TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_email ON contacts (email);

-- One row per stretch of time in which a subscription's price stayed the same.
CREATE TABLE subscription_periods (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    subscription_id     TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    plan                TEXT NOT NULL,
    status              TEXT NOT NULL
        CHECK (status IN ('trialing', 'active', 'past_due', 'unpaid', 'paused', 'canceled')),
    billing_interval    TEXT NOT NULL CHECK (billing_interval IN ('week', 'month', 'quarter', 'year')),
    amount_minor        INTEGER NOT NULL,
    quantity            INTEGER NOT NULL DEFAULT 1,
    currency            TEXT NOT NULL,
    period_start        TEXT NOT NULL,
    period_end          TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX subscription_periods_account ON subscription_periods (account_id, period_start);

CREATE TABLE invoices (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    subscription_id     TEXT,
    amount_minor        INTEGER NOT NULL,
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL
        CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible', 'refunded')),
    issued_at           TEXT NOT NULL,
    due_at              TEXT,
    paid_at             TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX invoices_account ON invoices (account_id, issued_at);

CREATE TABLE payment_attempts (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    invoice_id          TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    attempted_at        TEXT NOT NULL,
    amount_minor        INTEGER,
    currency            TEXT NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    failure_reason      TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX payment_attempts_account ON payment_attempts (account_id, attempted_at);
CREATE INDEX payment_attempts_invoice ON payment_attempts (source, invoice_id);

CREATE TABLE usage_events (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    user_id             TEXT,
    event               TEXT NOT NULL,
    occurred_at         TEXT NOT NULL,
    value               REAL NOT NULL DEFAULT 1,
    UNIQUE (source, source_id)
);
CREATE INDEX usage_events_account_time ON usage_events (account_id, occurred_at);

CREATE TABLE plan_limits (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    plan                TEXT NOT NULL,
    metric              TEXT NOT NULL,
    limit_value         REAL NOT NULL,
    per                 TEXT NOT NULL DEFAULT 'month' CHECK (per IN ('day', 'month', 'total')),
    UNIQUE (source, source_id)
);

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    requester_email     TEXT,
    subject             TEXT,
    priority            TEXT CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status              TEXT NOT NULL
        CHECK (status IN ('new', 'open', 'pending', 'hold', 'solved', 'closed')),
    created_at          TEXT NOT NULL,
    solved_at           TEXT,
    csat                INTEGER CHECK (csat BETWEEN 1 AND 5),
    UNIQUE (source, source_id)
);
CREATE INDEX tickets_account ON tickets (account_id, created_at);

CREATE TABLE nps_responses (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    email               TEXT,
    score               INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment             TEXT,
    responded_at        TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX nps_responses_account ON nps_responses (account_id, responded_at);

CREATE TABLE touchpoints (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    contact_email       TEXT,
    kind                TEXT NOT NULL
        CHECK (kind IN ('email', 'call', 'meeting', 'checkin', 'qbr', 'chat', 'note')),
    direction           TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    occurred_at         TEXT NOT NULL,
    replied_at          TEXT,
    attended            INTEGER CHECK (attended IN (0, 1)),
    sentiment           TEXT CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    tags                TEXT,   -- ';'-separated, lower case: competitor;budget_cut
    summary             TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX touchpoints_account ON touchpoints (account_id, occurred_at);

CREATE TABLE deals (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT REFERENCES accounts (account_id),
    company_name        TEXT NOT NULL,
    domain              TEXT,
    segment             TEXT CHECK (segment IN ('smb', 'mid_market', 'enterprise')),
    stage               TEXT NOT NULL,
    stage_reached       TEXT,
    amount_minor        INTEGER,
    currency            TEXT NOT NULL,
    created_at          TEXT,
    closed_at           TEXT,
    lost_reason         TEXT,
    contacts_engaged    INTEGER,
    company_trajectory  TEXT CHECK (company_trajectory IN ('growing', 'stable', 'contracting')),
    owner               TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX deals_stage ON deals (stage, closed_at);

CREATE TABLE goals (
    id                  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    title               TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('exceeding', 'on_track', 'behind', 'unclear')),
    roi                 TEXT CHECK (roi IN ('clear_positive', 'probable', 'unclear', 'negative')),
    target_date         TEXT,
    updated_at          TEXT,
    UNIQUE (source, source_id)
);
CREATE INDEX goals_account ON goals (account_id);

-- The app's own tables ---------------------------------------------------------------

CREATE TABLE import_log (
    id                  INTEGER PRIMARY KEY,
    imported_at         TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    file_path           TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    format              TEXT NOT NULL,
    entity              TEXT NOT NULL,
    rows_read           INTEGER NOT NULL,
    rows_inserted       INTEGER NOT NULL,
    rows_updated        INTEGER NOT NULL,
    rows_unchanged      INTEGER NOT NULL,
    rows_rejected       INTEGER NOT NULL,
    ignored_columns     TEXT,
    duration_ms         INTEGER NOT NULL
);

-- One row per account per as-of date and config: re-scoring the same date replaces it.
CREATE TABLE score_snapshots (
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    as_of               TEXT NOT NULL,
    preset              TEXT NOT NULL,
    total               REAL,
    tier                TEXT,
    dimensions          TEXT NOT NULL,  -- JSON: {dimension: score}
    signals             TEXT NOT NULL,  -- JSON: [{signal, raw, points}]
    coverage            REAL NOT NULL,
    config_hash         TEXT NOT NULL,
    scored_at           TEXT NOT NULL,
    PRIMARY KEY (account_id, as_of)
);
CREATE INDEX score_snapshots_as_of ON score_snapshots (as_of);

CREATE TABLE risk_signals (
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    as_of               TEXT NOT NULL,
    code                TEXT NOT NULL,
    severity            TEXT NOT NULL,
    respond_by          TEXT,
    action              TEXT NOT NULL,
    evidence            TEXT NOT NULL,  -- JSON: the rows that fired it
    PRIMARY KEY (as_of, account_id, code)
);

-- The user's own work. Never deleted by an import or a re-score.
CREATE TABLE playbooks (
    id                  INTEGER PRIMARY KEY,
    account_id          TEXT NOT NULL,
    kind                TEXT NOT NULL,
    started_at          TEXT NOT NULL,
    closed_at           TEXT,
    outcome             TEXT
);
CREATE INDEX playbooks_account ON playbooks (account_id);

CREATE TABLE checklist_ticks (
    playbook_id         INTEGER NOT NULL REFERENCES playbooks (id),
    step_id             TEXT NOT NULL,
    done_at             TEXT NOT NULL,
    PRIMARY KEY (playbook_id, step_id)
);

CREATE TABLE notes (
    id                  INTEGER PRIMARY KEY,
    account_id          TEXT NOT NULL,
    playbook_id         INTEGER REFERENCES playbooks (id),
    step_id             TEXT,
    body                TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX notes_account ON notes (account_id);

CREATE TABLE snoozes (
    account_id          TEXT NOT NULL,
    queue               TEXT NOT NULL,
    until               TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (account_id, queue)
);
