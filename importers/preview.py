"""What a file would be imported as, told from its header alone (the import dialog's list
of exports found in the downloads folder): a format, an archive's formats, or why none."""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from db.errors import RetentionError
from importers import archives, workbooks
from importers.csvfile import read_head_rows
from importers.detect import UnknownFormat, find_header


def _format_of(path: Path) -> str | None:
    """The label of the format ``path``'s header is; None when no format fits it."""
    try:
        return find_header(str(path), read_head_rows(path))[0].label
    except UnknownFormat:
        return None


@workbooks.forgetting  # a workbook described is not kept in the app's memory
def describe(path: Path) -> str:
    """'hubspot.companies'; 'ZIP: salesforce.accounts/contacts + 4 other files';
    'Workbook: accounts/subscriptions + 1 other sheet'; 'no format fits'; what a file
    that comes close to a format lacks; or what is wrong with the file."""
    try:
        kind, members, other = "ZIP", archives.members(path), "file"
        if members is None:
            kind, members, other = "Workbook", workbooks.sheet_members(path), "sheet"
        if members is None:
            return find_header(str(path), read_head_rows(path))[0].label
        found = Counter(_format_of(m) for m in members)
        others = found.pop(None, 0)
        by_tool: dict[str, list[str]] = {}
        for label in sorted(found):
            tool, _, name = label.rpartition(".")
            by_tool.setdefault(tool, []).append(name)
        text = f"{kind}: " + (
            ", ".join(f"{t}.{'/'.join(n)}" if t else "/".join(n) for t, n in by_tool.items())
            or f"no {other} a format fits"
        )
        if found and others:
            text += f" + {others} other {other}{'s' if others > 1 else ''}"
        return text
    except UnknownFormat as exc:  # what it comes close to, if any, and what it lacks
        return _without_path(str(exc), path) if exc.near else "no format fits"
    except RetentionError as exc:
        return _without_path(str(exc), path)


def _without_path(message: str, path: Path) -> str:
    """The message without the file's name, which the list shows beside it ('row 3: ...'
    where it names a row other than the header's first)."""
    said = message.removeprefix(f"{path}: ").removeprefix(f"{path}, row 1: ")
    return said.removeprefix(f"{path}, ")


def recent_exports(folders: Sequence[Path], limit: int = 20) -> list[tuple[Path, os.stat_result]]:
    """The newest ``limit`` files in ``folders`` (not their subfolders) that may be
    exports, with their stat: CSV files, gzip-compressed or not, Excel workbooks and ZIP
    archives (not the lock file Excel keeps beside a workbook it has open). A folder
    that is not one, or not ours to read, gives none; a file gone meanwhile, or not ours to
    stat, is passed over."""
    found = []
    for folder in dict.fromkeys(folders):  # each once
        try:
            entries = list(folder.iterdir())
        except OSError:  # no such folder, not a folder, not ours to read
            continue
        for p in entries:
            name = p.name
            if name.startswith((".", "~$")) or not (
                archives.is_csv_name(name)
                or workbooks.is_workbook_name(name)
                or name.lower().endswith(".zip")
            ):
                continue
            try:
                info = p.stat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append((p, info))
    return sorted(found, key=lambda f: (-f[1].st_mtime, f[0].name, str(f[0])))[:limit]
