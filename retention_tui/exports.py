"""Lists written out as CSV files (e in any list): what the screen shows, every row of it
(all pages, as filtered and sorted), for a spreadsheet or a colleague."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path


def file_stem(what: str, as_of: date, owner: str | None = None) -> str:
    """'retention-risk-2026-11-20', 'retention-accounts-dana-lee-2026-11-20'."""
    whose = f"-{owner}" if owner else ""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{what}{whose}".lower()).strip("-")
    return f"retention-{slug}-{as_of.isoformat()}"


def write_csv(
    folder: Path, stem: str, header: Sequence[str], records: Iterable[Sequence[object]]
) -> Path:
    """Write a new CSV file named ``stem`` in ``folder`` (made if need be): STEM.csv, else
    STEM-2.csv, STEM-3.csv...: a file already there is never overwritten. UTF-8 with a
    byte-order mark, so Excel reads names with accents right."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = folder / (f"{stem}.csv" if n == 1 else f"{stem}-{n}.csv")
        try:
            with path.open("x", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(records)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder / stem}.csv and 998 more are there already")
