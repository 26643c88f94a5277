"""Recognising a file's format from its header."""

from __future__ import annotations

from db.errors import RetentionError
from importers.canonical import FORMATS
from importers.sources import SOURCE_FORMATS
from importers.spec import FileFormat, normalise_header

ALL_FORMATS: tuple[FileFormat, ...] = FORMATS + SOURCE_FORMATS


def format_named(name: str) -> FileFormat:
    for fmt in ALL_FORMATS:
        if name in (fmt.qualified, fmt.label):
            return fmt
    known = ", ".join(f.label for f in ALL_FORMATS)
    raise RetentionError(f"unknown format '{name}'; expected one of: {known}")


def _names(fmt: FileFormat, columns: tuple[str, ...]) -> list[set[str]]:
    """For each column, every normalised name it goes by (a signature may name a column
    the format does not read, like Stripe's 'Amount Refunded')."""
    fields = {f.column: f for f in fmt.fields}
    return [
        {normalise_header(n) for n in (fields[c].names if c in fields else (c,))} for c in columns
    ]


def detect(file_name: str, header: tuple[str, ...]) -> FileFormat:
    """The format whose signature columns are all in ``header`` and which explains the
    most of its columns. An unknown header gets a message naming the closest format."""
    present = {normalise_header(h) for h in header}

    def overlap(fmt: FileFormat) -> int:
        return sum(1 for names in _names(fmt, fmt.columns) if names & present)

    def complete(fmt: FileFormat) -> bool:
        return all(names & present for names in _names(fmt, fmt.detected_by))

    candidates = [f for f in ALL_FORMATS if complete(f)]
    if candidates:
        best = max(overlap(f) for f in candidates)
        winners = [f for f in candidates if overlap(f) == best]
        if len(winners) == 1:
            return winners[0]
        names = " or ".join(f.label for f in winners)
        raise RetentionError(
            f"{file_name}: the header fits {names} equally well; choose one with --format"
        )
    closest = max(ALL_FORMATS, key=overlap)
    if overlap(closest) == 0:
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        raise RetentionError(
            f"{file_name}, row 1: header not recognised ({shown}); expected the columns of one "
            "of the formats listed by 'retention formats'"
        )
    lacking = [
        c
        for c, names in zip(closest.detected_by, _names(closest, closest.detected_by), strict=True)
        if not names & present
    ]
    raise RetentionError(
        f"{file_name}, row 1: looks like a {closest.label} file but is missing required "
        f"column{'s' if len(lacking) > 1 else ''} {', '.join(repr(c) for c in lacking)} "
        f"('retention formats {closest.label}' lists its columns)"
    )
