"""Recognising a file's format from its header."""

from __future__ import annotations

from db.errors import RetentionError
from importers.canonical import FORMATS
from importers.sources import SOURCE_FORMATS
from importers.spec import FileFormat, normalise_header

ALL_FORMATS: tuple[FileFormat, ...] = FORMATS + SOURCE_FORMATS


class UnknownFormat(RetentionError):
    """A header that is no format's (or fits two equally well). ``near``: whether it comes
    close to one (lacks few of its columns), a file the user may have meant as that."""

    def __init__(self, message: str, near: bool = True) -> None:
        super().__init__(message)
        self.near = near


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


def _lacking(fmt: FileFormat, present: set[str]) -> list[str]:
    """The columns that recognise ``fmt`` which are not among the names ``present``."""
    return [
        c
        for c, names in zip(fmt.detected_by, _names(fmt, fmt.detected_by), strict=True)
        if not names & present
    ]


def _misfit(fmt: FileFormat, present: set[str]) -> str | None:
    """Why a header with the (normalised) names ``present`` is not ``fmt``; None if it is."""
    lacking = _lacking(fmt, present)
    if lacking:
        return (
            f"is missing required column{'s' if len(lacking) > 1 else ''} "
            f"{', '.join(repr(c) for c in lacking)}"
        )
    if fmt.evidence and not {normalise_header(n) for n in fmt.evidence} & present:
        shown = ", ".join(repr(n) for n in fmt.evidence[:6])
        return f"has none of its own columns ({shown}, ...): another kind of record"
    clash = [n for n in fmt.not_with if normalise_header(n) in present]
    if clash:
        return f"has {clash[0]!r}, a column of another kind of record"
    return None


def detect(file_name: str, header: tuple[str, ...], row: int = 1) -> FileFormat:
    """The format whose signature columns are all in ``header`` (with the evidence it asks
    for) and which explains the most of its columns. An unknown header gets a message
    naming the closest format and what keeps the file from being one (the header's
    ``row``)."""
    present = {normalise_header(h) for h in header}

    def overlap(fmt: FileFormat) -> int:
        return sum(1 for names in _names(fmt, fmt.columns) if names & present)

    candidates = [f for f in ALL_FORMATS if _misfit(f, present) is None]
    if candidates:
        best = max(overlap(f) for f in candidates)
        winners = [f for f in candidates if overlap(f) == best]
        if len(winners) == 1:
            return winners[0]
        names = " or ".join(f.label for f in winners)
        raise UnknownFormat(
            f"{file_name}: the header fits {names} equally well; choose one with --format"
        )

    def likeness(fmt: FileFormat) -> tuple[bool, int]:  # some of its own columns, then all
        return len(_lacking(fmt, present)) < len(fmt.detected_by), overlap(fmt)

    closest = max(ALL_FORMATS, key=likeness)
    lacking = len(_lacking(closest, present))
    if lacking == len(closest.detected_by):  # none of the columns that recognise a format
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        raise UnknownFormat(
            f"{file_name}, row {row}: header not recognised ({shown}); expected the columns of "
            "one of the formats listed by 'retention formats'",
            near=False,
        )
    raise UnknownFormat(
        f"{file_name}, row {row}: looks like {_a(closest.label)} {closest.label} file but "
        f"{_misfit(closest, present)} "
        f"('retention formats {closest.label}' lists its columns)",
        # two or more of the columns that recognise it, lacking a few: meant as one (a
        # file with all of them is another kind of record: evidence, not_with)
        near=len(closest.detected_by) - lacking >= 2
        and 0 < lacking <= len(closest.detected_by) // 2,
    )


def _a(word: str) -> str:
    """The article before ``word``: 'an accounts file', 'a usage_events file'."""
    return "an" if word[:1] in ("a", "e", "i", "o") else "a"


def find_header(
    file_name: str, rows: list[tuple[str, ...]], fmt: FileFormat | None = None
) -> tuple[FileFormat, int]:
    """The format of the file whose first rows are ``rows`` (csvfile.read_head_rows), and
    the index of its header: its first row with a value, or a lower one when that row is no
    format's nor close to one (a title above the table: a CSM's own sheet, a Salesforce
    Formatted Report's name and filters). ``fmt``: the format the user named, whose header
    is the first row it fits. A file with no header found is told about its first row, or
    the first row that comes close to a format."""
    filled = [i for i, row in enumerate(rows) if any(row)]
    if fmt is not None:
        present = ({normalise_header(h) for h in rows[i]} for i in filled)
        fits = [i for i, names in zip(filled, present, strict=True) if _misfit(fmt, names) is None]
        return fmt, (fits or filled)[0]
    unknown: list[UnknownFormat] = []
    for i in filled:
        try:
            return detect(file_name, rows[i], i + 1), i
        except UnknownFormat as exc:
            if i == filled[0] and exc.near:  # the first row is meant as a header
                raise
            unknown.append(exc)
    raise next((exc for exc in unknown if exc.near), unknown[0])
