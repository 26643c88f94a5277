"""What a key costs in the accounts list of a big book, by page size, side by side.

    python -m benchmarks.page_keys DB [--keys K]

DB: a database kept by ``benchmarks.score --db`` or ``benchmarks.tui_start --db``. For
pages of 500 and of 100 rows (listing.PAGE_ROWS), alternating, twice: the mean time of K
presses of j (the cursor), the median of six presses of s (sorting every row again and
showing the first page) and of typing "north" into the filter, one key at a time, each
until its page is shown; and how long the key's own handling kept the UI busy (the rows
are sorted and filtered in a worker).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from textual.widgets import DataTable

from benchmarks import tui_start as T
from retention_tui.screens import listing


async def timed(app, pilot, key: str) -> tuple[float, float]:
    """Seconds until the key is handled (the UI free again), and until its page is shown."""
    t = time.perf_counter()
    await pilot.press(key)
    handled = time.perf_counter() - t
    await app.workers.wait_for_complete()
    await pilot.pause()
    return handled, time.perf_counter() - t


async def run(db: Path, keys: int) -> tuple[float, float, float, float, float]:
    app = T.on_accounts(db)
    async with app.run_test(size=T.SIZE) as pilot:
        while app.screen.query_one(DataTable).row_count == 0:
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()  # the rows again with the date's scores
        await pilot.pause()
        t = time.perf_counter()
        for _ in range(keys):
            await pilot.press("j")
        cursor = (time.perf_counter() - t) / keys
        sorts = [await timed(app, pilot, "s") for _ in range(6)]
        await pilot.press("slash")
        typing = [await timed(app, pilot, ch) for ch in "north"]
    median = sorted(s for _, s in sorts)[3], sorted(s for _, s in typing)[2]
    busy = sorted(h for h, _ in sorts)[3], sorted(h for h, _ in typing)[2]
    return cursor, *median, *busy


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
            cursor, sort, typing, sort_busy, typing_busy = asyncio.run(run(args.db, args.keys))
            print(
                f"pages of {rows}: cursor {cursor * 1000:.1f} ms a key "
                f"({(cursor - press) * 1000:.1f} ms beyond the minimal app's); "
                f"sort {sort:.3f} s; filter typing {typing:.3f} s (medians, until shown; "
                f"the key handled in {sort_busy * 1000:.1f} / {typing_busy * 1000:.1f} ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
