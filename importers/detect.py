"""Recognising a file's format from its header."""

from __future__ import annotations

from db.errors import RetentionError
from importers.canonical import FORMATS
from importers.spec import FileFormat

ALL_FORMATS: tuple[FileFormat, ...] = FORMATS


def format_named(name: str) -> FileFormat:
    for fmt in ALL_FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in ALL_FORMATS)
    raise RetentionError(f"unknown format '{name}'; expected one of: {known}")


def detect(file_name: str, header: tuple[str, ...]) -> FileFormat:
    """The format whose required columns are all in ``header`` and which explains the most
    of its columns. An unknown header gets a message naming the closest format."""
    present = {h.strip().lower() for h in header}

    def overlap(fmt: FileFormat) -> int:
        return len(present & {c.lower() for c in fmt.columns})

    complete = [f for f in ALL_FORMATS if {c.lower() for c in f.required_columns} <= present]
    if complete:
        best = max(overlap(f) for f in complete)
        winners = [f for f in complete if overlap(f) == best]
        if len(winners) == 1:
            return winners[0]
        names = " or ".join(f.name for f in winners)
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
    lacking = [c for c in closest.required_columns if c.lower() not in present]
    raise RetentionError(
        f"{file_name}, row 1: looks like a {closest.name} file but is missing required "
        f"column{'s' if len(lacking) > 1 else ''} {', '.join(repr(c) for c in lacking)}"
    )
