-- 0007: columnar copies of the big tables' rows, for loading them into the engine fast
-- (db/blocks.py). A block holds the rows of one table whose ids run from first_id to
-- last_id, as one Parquet blob of the engine's typed frame (layout names the columns and
-- types it was written with). 10M usage events load from blocks in ~1 s instead of ~15 s.
--
-- The rows stay the record; a block is a copy, kept true by these triggers: updating or
-- deleting a row drops the block that holds it (its rows are read from the table again,
-- and written as a new block later). New rows take ids above every block's (SQLite gives
-- a new row the largest id plus one), so inserts need no trigger; nothing may insert a
-- row with an id of its own choosing into these tables. A migration that rebuilds one of
-- these tables must create its two triggers again (tests/test_blocks.py checks).
CREATE TABLE frame_blocks (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name          TEXT NOT NULL,
    layout              TEXT NOT NULL,
    first_id            INTEGER NOT NULL,
    last_id             INTEGER NOT NULL,
    row_count           INTEGER NOT NULL,
    data                BLOB NOT NULL,
    CHECK (first_id <= last_id)
);
CREATE INDEX frame_blocks_range ON frame_blocks (table_name, first_id);

-- Merging two accounts moves every row of one to the other (db/links.py): that would drop
-- every block (an account's rows are spread over all of them). Instead the blocks stay and
-- the move is recorded: blocks written before it (id <= last_block; ids only grow) are read
-- with from_id renamed into_id. While frame_blocks_kept has a row (only inside a merge's
-- transaction) updates leave the blocks alone.
CREATE TABLE frame_block_renames (
    id                  INTEGER PRIMARY KEY,
    from_id             TEXT NOT NULL,
    into_id             TEXT NOT NULL,
    last_block          INTEGER NOT NULL
);
CREATE TABLE frame_blocks_kept (merging INTEGER NOT NULL);

CREATE TRIGGER contacts_update_drops_block AFTER UPDATE ON contacts
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'contacts' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER contacts_delete_drops_block AFTER DELETE ON contacts BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'contacts' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER subscription_periods_update_drops_block AFTER UPDATE ON subscription_periods
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'subscription_periods' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER subscription_periods_delete_drops_block AFTER DELETE ON subscription_periods BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'subscription_periods' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER invoices_update_drops_block AFTER UPDATE ON invoices
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'invoices' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER invoices_delete_drops_block AFTER DELETE ON invoices BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'invoices' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER payment_attempts_update_drops_block AFTER UPDATE ON payment_attempts
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'payment_attempts' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER payment_attempts_delete_drops_block AFTER DELETE ON payment_attempts BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'payment_attempts' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER usage_events_update_drops_block AFTER UPDATE ON usage_events
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'usage_events' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER usage_events_delete_drops_block AFTER DELETE ON usage_events BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'usage_events' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER tickets_update_drops_block AFTER UPDATE ON tickets
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'tickets' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER tickets_delete_drops_block AFTER DELETE ON tickets BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'tickets' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER nps_responses_update_drops_block AFTER UPDATE ON nps_responses
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'nps_responses' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER nps_responses_delete_drops_block AFTER DELETE ON nps_responses BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'nps_responses' AND OLD.id BETWEEN first_id AND last_id;
END;
CREATE TRIGGER touchpoints_update_drops_block AFTER UPDATE ON touchpoints
    WHEN NOT EXISTS (SELECT 1 FROM frame_blocks_kept) BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'touchpoints' AND (OLD.id BETWEEN first_id AND last_id
        OR NEW.id BETWEEN first_id AND last_id);
END;
CREATE TRIGGER touchpoints_delete_drops_block AFTER DELETE ON touchpoints BEGIN
    DELETE FROM frame_blocks
    WHERE table_name = 'touchpoints' AND OLD.id BETWEEN first_id AND last_id;
END;
