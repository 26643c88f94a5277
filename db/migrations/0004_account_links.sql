-- 0004: one account across tools (importers/identity.py).

-- Which account a tool's record belongs to, by one of the record's keys:
-- 'id:<the tool's id for the company>', 'domain:acme.com', 'name:<normalised name>' or
-- 'email:ana@acme.com'. Written when an import matches or creates an account (method
-- 'auto'), when a user links by hand ('manual') and when accounts are merged ('merge').
-- Looked up first on every import, so a link outlives re-imports; 'manual' wins.
CREATE TABLE account_links (
    source              TEXT NOT NULL,
    key                 TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    method              TEXT NOT NULL CHECK (method IN ('auto', 'manual', 'merge')),
    linked_at           TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE INDEX account_links_account ON account_links (account_id);

-- Imported rows that could not be given an account yet: kept whole (payload: the row as
-- it would be written, JSON) until `retention accounts link` says where they belong.
CREATE TABLE pending_rows (
    id                  INTEGER PRIMARY KEY,
    target_table        TEXT NOT NULL,
    source              TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    format              TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    row_number          INTEGER NOT NULL,
    reason              TEXT NOT NULL CHECK (reason IN ('unmatched', 'ambiguous')),
    keys                TEXT NOT NULL,   -- JSON: the record's keys, best first
    label               TEXT NOT NULL,   -- what the record calls its company
    candidates          TEXT,            -- ambiguous: the accounts it could be, ', '
    payload             TEXT NOT NULL,
    imported_at         TEXT NOT NULL,
    UNIQUE (target_table, source, source_id)
);
