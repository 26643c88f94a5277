"""What a key costs in the accounts list of a big book, by page size, side by side.

    python -m benchmarks.page_keys DB [--keys K]

DB: a database kept by ``benchmarks.score --db`` or ``benchmarks.tui_start --db``. For
pages of 500 and of 100 rows (listing.PAGE_ROWS), alternating, twice: the mean time of K
presses of j (the cursor), the median of six presses of s (sorting every row again and
showing the first page) and of typing "north" into the filter, one key at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from textual.widgets import DataTable

from benchmarks import tui_start as T
from retention_tui.screens import listing


async def run(db: Path, keys: int) -> tuple[float, float, float]:
    app = T.on_accounts(db)
    async with app.run_test(size=T.SIZE) as pilot:
        while app.screen.query_one(DataTable).row_count == 0:
            await asyncio.sleep(0.01)
        t = time.perf_counter()
        for _ in range(keys):
            await pilot.press("j")
        cursor = (time.perf_counter() - t) / keys
        sorts = []
        for _ in range(6):
            t = time.perf_counter()
            await pilot.press("s")
            await pilot.pause()
            sorts.append(time.perf_counter() - t)
        await pilot.press("slash")
        typing = []
        for ch in "north":
            t = time.perf_counter()
            await pilot.press(ch)
            await pilot.pause()
            typing.append(time.perf_counter() - t)
    return cursor, sorted(sorts)[3], sorted(typing)[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--keys", type=int, default=600)
    args = ap.parse_args()
    press = min(asyncio.run(T.minimal_figures(T.Minimal, 100))[1] for _ in range(2))
    print(f"minimal Textual app: a key press {press * 1000:.1f} ms")
    for _ in range(2):
        for rows in (500, 100):
            listing.PAGE_ROWS = rows
            cursor, sort, typing = asyncio.run(run(args.db, args.keys))
            print(
                f"pages of {rows}: cursor {cursor * 1000:.1f} ms a key "
                f"({(cursor - press) * 1000:.1f} ms beyond the minimal app's); "
                f"sort {sort:.3f} s; filter typing {typing:.3f} s (medians)",
                flush=True,
            )


if __name__ == "__main__":
    main()
