-- 0010: the accounts table as one block (db/blocks.py, WHOLE): it has no growing integer
-- id to cut blocks by, so a copy of all its rows is kept (first_id = last_id = 0) and any
-- insert, update or delete of an account drops it; the next load reads the rows and
-- writes it again. 100k accounts: ~0.27 s read row by row, ~0.02 s from the block.
-- A migration that rebuilds accounts must delete its block and create these three
-- triggers again (tests/test_blocks.py checks they exist).
CREATE TRIGGER accounts_insert_drops_block AFTER INSERT ON accounts BEGIN
    DELETE FROM frame_blocks WHERE table_name = 'accounts';
END;
CREATE TRIGGER accounts_update_drops_block AFTER UPDATE ON accounts BEGIN
    DELETE FROM frame_blocks WHERE table_name = 'accounts';
END;
CREATE TRIGGER accounts_delete_drops_block AFTER DELETE ON accounts BEGIN
    DELETE FROM frame_blocks WHERE table_name = 'accounts';
END;
