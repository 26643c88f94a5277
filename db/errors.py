"""The one error type for problems a user can cause (bad file, bad config, bad database).

It lives in the lowest layer so importers, db and the app can all raise it. The CLI prints
its message without a traceback and exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected there."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class RetentionError(Exception):
    """A problem the user can fix; its message says where and what was expected."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    @classmethod
    def from_problems(cls, problems: list[Problem], total: int | None = None) -> RetentionError:
        """One error listing the first problems (and how many more there were)."""
        total = len(problems) if total is None else total
        shown = problems[:10]
        if total == 1:
            return cls(str(shown[0]), problems)
        lines = [f"{shown[0].file}: {total} problems, nothing was imported:"]
        lines += [f"  {p}" for p in shown]
        if total > len(shown):
            lines.append(f"  ... and {total - len(shown)} more")
        return cls("\n".join(lines), problems)
