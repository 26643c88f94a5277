-- 0020: what an import said of how it read each file, kept in the import log: its
-- encoding, the order its slashed dates were read in (day-first, or month-first for want
-- of a date that tells), a title above its header, a report's footer below its rows.
-- The dashboard's notice is gone in seconds; a file read month-first is worth finding
-- later ('retention imports', the import log's Notes). Imports before it have none.
ALTER TABLE import_log ADD COLUMN notes TEXT;
