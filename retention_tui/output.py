"""Rendering rows for the terminal or for scripts: table, csv, json or markdown.

CSV and Markdown cells that a spreadsheet would run as a formula (starting with = + - @)
are escaped with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

FORMATS = ("table", "csv", "json", "markdown")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?%?$")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _shown(value: object) -> str:
    """A table cell's text, for reading: a yes/no question answered in words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _cell(value)


def safe_cell(value: object) -> str:
    """A cell's text, neutralised if a spreadsheet would read it as a formula."""
    text = _cell(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text


def render(
    rows: Sequence[dict[str, object]], fmt: str, columns: Sequence[str] | None = None
) -> str:
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in cols} for r in rows], indent=2, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([safe_cell(r.get(c)) for c in cols] for r in rows)
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":

        def md(v: object) -> str:
            return safe_cell(v).replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        lines += ["| " + " | ".join(md(r.get(c)) for c in cols) + " |" for r in rows]
        return "\n".join(lines)
    if fmt == "table":
        if not cols:  # no rows to take the columns from: said, not an empty screen
            return "(none)"
        cells = [[_shown(r.get(c)).replace("\n", " ") for c in cols] for r in rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

        out = [line(cols), line(["-" * w for w in widths])] + [line(row) for row in cells]
        return "\n".join(out if rows else [*out, "(none)"])
    raise ValueError(f"unknown output format {fmt!r}")
