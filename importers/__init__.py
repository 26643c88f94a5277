"""The importers room: detect a file's format from its header, map and validate it with
Polars, and upsert it in one transaction."""
