"""The engine: pure Polars functions, frames in and frames out, one as-of date.

No I/O, no database, no clock: ``as_of`` is always a parameter, so any past date can be
re-scored.
"""
