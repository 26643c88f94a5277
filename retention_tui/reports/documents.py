"""A one-page document from seed B's templates: a title and sections of lines (Markdown),
plus the figures behind it for ``--format json``, and the few ways its lines write numbers.

The builders: book_documents (the monthly executive summary, the weekly dashboard) and
account_documents (per account the monthly value report, QBR prep, save plan and
onboarding checklist). Each is filled with real numbers only: where the data cannot say
something, the line says so instead of inventing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from retention_tui.engine.features import Tables
from retention_tui.engine.money import periods_fx
from retention_tui.formatting import money


def share(value: float | None) -> str:
    """A tier's share of the scored accounts ('—' when none has a tier)."""
    return "—" if value is None else f"{value:.0%}"


@dataclass
class Document:
    title: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)

    def add(self, heading: str, lines: list[str]) -> None:
        self.sections.append((heading, lines))

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for heading, lines in self.sections:
            out += [f"## {heading}", *lines, ""]
        return "\n".join(out).rstrip() + "\n"

    def rows(self) -> list[dict[str, object]]:
        """Its lines as rows for CSV and tables: each line's text without its Markdown
        bullet (a spreadsheet would read "- NRR" as a formula; "- [ ] Day 7" keeps its
        box)."""
        return [
            {"section": h, "line": line.removeprefix("- ")}
            for h, lines in self.sections
            for line in lines
        ]


def pct(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}%"


def month_label(m: date) -> str:
    return m.strftime("%B %Y")


def signed(minor: int, currency: str) -> str:
    return ("+" if minor >= 0 else "-") + money(abs(minor), currency)


def base_currency(t: Tables, cfg: dict) -> str:
    """The currency every total of the book is in."""
    return periods_fx(t["subscription_periods"], cfg["currency"]).base
