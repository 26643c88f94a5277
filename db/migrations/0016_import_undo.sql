-- 0016: what each import changed, so that the last one can be undone (`retention imports
-- undo`, db/undo.py): the rows it added, as a range of rowids per table, and the rows it
-- changed or removed, each as it was before (JSON).
CREATE TABLE import_batches (
    id                  INTEGER PRIMARY KEY,
    imported_at         TEXT NOT NULL,
    files               TEXT NOT NULL,   -- the files' names, ', '-joined
    tables              TEXT NOT NULL,   -- JSON: table -> [first added rowid, last rowid, rows]
    undone_at           TEXT
);
CREATE TABLE import_undo (
    id                  INTEGER PRIMARY KEY,
    batch_id            INTEGER NOT NULL REFERENCES import_batches (id),
    table_name          TEXT NOT NULL,
    row_id              INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('update', 'delete')),
    old_row             TEXT NOT NULL    -- JSON: the row before the import changed it
);
CREATE INDEX import_undo_batch ON import_undo (batch_id);
