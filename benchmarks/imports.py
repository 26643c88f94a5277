"""Import speed against polars.read_csv (and, with --sqlite-utils, `sqlite-utils insert`).

    python -m benchmarks.imports [--events 1000000] [--sqlite-utils] [--ab] [--random-ids]
    python -m benchmarks.imports --day-into PATH [--day-events 100000] [--random-ids]

Generates the canonical files for 10k accounts / N usage events, then times in one run:
  read_csv     polars.read_csv of the events file (the floor)
  import       `retention import` of the events file into a database holding the accounts
               (its blocks included: db/blocks.py)
  re-import    the same file again (every row an unchanged upsert)
and prints each figure and the ratios the performance issue sets targets for.
With --ab, the first import is timed twice more into fresh databases, alternating: with
the bulk-load path (indexes built after the rows are in) and without it.
With --day-into PATH (a database benchmarks.score --db made, e.g. 100k accounts / 10M
events), what a user does every morning: a day's new events imported into a copy of that
book, then the same file again. --random-ids: event ids in no order, as Mixpanel, Amplitude
and Segment write them (for --day-into, give it when the book was made with it too).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.data import day_of_events, write
from db import connect
from db import write as db_write
from importers.run import import_files


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def ab_import(files: dict[str, Path], bulk: bool) -> float:
    """The first import of the events into a fresh database, with or without bulk load."""
    kept = db_write.BULK_MIN_ROWS
    db_write.BULK_MIN_ROWS = kept if bulk else 10**18
    try:
        with tempfile.TemporaryDirectory() as tmp:
            conn = connect(Path(tmp) / "ab.db")
            import_files(conn, [files["accounts"]])
            seconds = timed(lambda: import_files(conn, [files["usage_events"]]))
            conn.close()
            return seconds
    finally:
        db_write.BULK_MIN_ROWS = kept


def day_into(book: Path, events: int, random_ids: bool) -> None:
    """A day's ``events`` new usage events into a copy of ``book``, then again."""
    with tempfile.TemporaryDirectory(dir=book.parent) as tmp:
        db = Path(tmp) / "day.db"
        shutil.copyfile(book, db)
        conn = connect(db)
        accounts = conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]
        held = conn.execute("SELECT MAX(rowid) FROM usage_events").fetchone()[0] or 0
        day = day_of_events(Path(tmp) / "day.csv", accounts, events, held, random_ids)
        first_s = timed(lambda: import_files(conn, [day]))
        again_s = timed(lambda: import_files(conn, [day]))
        conn.close()
    print(f"a day's {events:,} events into {accounts:,} accounts / {held:,} events")
    print(f"import (new rows)     {first_s:7.2f} s")
    print(f"the same file again   {again_s:7.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--sqlite-utils", action="store_true", help="also time sqlite-utils insert")
    ap.add_argument("--ab", action="store_true", help="first import with and without bulk load")
    ap.add_argument("--day-into", type=Path, help="a day's events into a copy of this book")
    ap.add_argument("--day-events", type=int, default=100_000)
    ap.add_argument("--random-ids", action="store_true", help="event ids in no order")
    args = ap.parse_args()
    if args.day_into:
        day_into(args.day_into, args.day_events, args.random_ids)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write(folder / "csv", 10_000, args.events, args.random_ids)
        events = files["usage_events"]
        read_s = min(timed(lambda: pl.read_csv(events)) for _ in range(3))
        conn = connect(folder / "bench.db")
        import_files(conn, [files["accounts"]])
        first_s = timed(lambda: import_files(conn, [events]))
        again_s = timed(lambda: import_files(conn, [events]))
        conn.close()
        print(f"polars.read_csv       {read_s:7.2f} s")
        print(
            f"import (first)        {first_s:7.2f} s   {first_s / read_s:6.1f}x read_csv "
            "(target <= 3x)"
        )
        print(
            f"re-import (upserts)   {again_s:7.2f} s   {again_s / first_s:6.2f}x first import "
            "(target <= 1.5x)"
        )
        if args.ab:
            for run in (1, 2):
                for label, bulk in (("bulk load", True), ("row by row", False)):
                    print(
                        f"A/B run {run}: first import, {label:10}  {ab_import(files, bulk):7.2f} s"
                    )
        if args.sqlite_utils:
            su = Path(sys.executable).with_name("sqlite-utils")
            db = folder / "su.db"
            su_s = timed(
                lambda: subprocess.run(
                    [str(su), "insert", str(db), "events", str(events), "--csv"], check=True
                )
            )
            print(
                f"sqlite-utils insert   {su_s:7.2f} s   import is {su_s / first_s:5.1f}x faster "
                "(target >= 10x)"
            )


if __name__ == "__main__":
    main()
