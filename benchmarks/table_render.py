"""What a table costs to show a page of rows: the app's Table against Textual's DataTable.

    python -m benchmarks.table_render [--rows N] [--size WxH]

Both tables get the same rows, shaped as the accounts list's (13 columns, one line of
plain text each), in the same process; for each, best of 20: measuring a page of N rows
(the columns' widths, done when the rows are put in) and rendering a screen of it with
every cache dropped first (what a sort, a filter or a page turned costs on the main
thread, beyond sorting the frame).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from retention_tui.screens.table import Table

COLUMNS = (
    "Tier", "Account", "Owner", "Score", "MRR", "Action", "Respond by", "Signals",
    "Plan", "Seats", "Renewal", "NPS", "Tickets",
)  # fmt: skip


def page(rows: int) -> list[tuple[str, ...]]:
    """Rows as the accounts list shows them."""
    action, due, signals = "Usage fell sharply: re-engage w…", "2026-12-06", "usage_drop"
    return [
        (
            "at_risk",
            f"Account {i} Systems GmbH",
            "Priya Shah",
            str(40 + i % 10),
            f"${i * 37:,}",
            action,
            due,
            signals,
            "Growth",
            str(i % 90),
            "2027-03-01",
            "—",
            str(i % 7),
        )
        for i in range(rows)
    ]


class Tables(App):
    CSS = "DataTable { height: 100%; }"

    def __init__(self, kind: type[DataTable]) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield self.kind(cursor_type="row", zebra_stripes=True)


def best(fn, times: int = 20) -> float:
    took = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        took.append(time.perf_counter() - t)
    return min(took)


async def figures(kind: type[DataTable], rows: int, size: tuple[int, int]) -> tuple[float, float]:
    app = Tables(kind)
    async with app.run_test(size=size) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*COLUMNS)
        await pilot.pause()

        def measure() -> None:
            table.clear()
            table.add_rows(page(rows))
            table._update_dimensions(list(table._new_rows))
            table._new_rows.clear()

        measured = best(measure)
        await pilot.pause()

        def render() -> None:
            for cache in (
                table._cell_render_cache, table._row_render_cache, table._line_cache,
                table._row_renderable_cache, table._styles_cache,
            ):  # fmt: skip
                cache.clear()
            table.render_lines(Region(0, 0, table.size.width, table.size.height))

        return measured, best(render)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--size", default="200x50", help="the terminal, columns x lines")
    args = ap.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    theirs = asyncio.run(figures(DataTable, args.rows, size))  # type: ignore[arg-type]
    ours = asyncio.run(figures(Table, args.rows, size))  # type: ignore[arg-type]
    for what, a, b in zip(
        (f"measure {args.rows} rows", "render a screen"), theirs, ours, strict=True
    ):
        print(f"{what}: DataTable {a * 1000:.1f} ms, Table {b * 1000:.1f} ms ({a / b:.1f}x)")


if __name__ == "__main__":
    main()
