"""Scoring time next to the time to load the usage events into Polars.

    python -m benchmarks.score [--accounts N] [--events M]

Generates N accounts / M events (defaults 10k / 1M) as canonical CSVs, imports them with
`retention import`'s code, then times, on the same database in one run:
  load    reading usage_events from SQLite into a Polars frame
  all     loading every table the engine reads
  score   one full scoring run (features, scores, 20 risk signals, alerts), tables loaded
and prints each figure and the ratio score / load.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.data import write
from db import connect
from db.frames import load_all, load_table
from importers.run import import_files
from retention_tui.config import defaults
from retention_tui.engine.run import score_run

AS_OF = date(2026, 11, 20)


def best_of(n: int, fn):
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        files = write(folder / "csv", args.accounts, args.events)
        print(
            f"generated {args.accounts:,} accounts / {args.events:,} events "
            f"in {time.perf_counter() - t:.1f} s"
        )
        conn = connect(folder / "bench.db")
        t = time.perf_counter()
        import_files(conn, list(files.values()))
        print(f"imported in {time.perf_counter() - t:.1f} s")
        cfg = defaults()
        load_s, _ = best_of(args.repeat, lambda: load_table(conn, "usage_events"))
        all_s, tables = best_of(args.repeat, lambda: load_all(conn))
        score_s, run = best_of(args.repeat, lambda: score_run(tables, AS_OF, cfg))
        conn.close()
    print(f"load usage_events into Polars  {load_s:8.2f} s")
    print(f"load every engine table        {all_s:8.2f} s")
    print(
        f"score (from loaded tables)     {score_s:8.2f} s   "
        f"{run.scores.height:,} accounts scored, {run.risks.height:,} risk signals"
    )
    print(f"ratio score / load events      {score_s / load_s:8.2f}")
    print(f"ratio (load all + score) / load events {(all_s + score_s) / load_s:8.2f}")


if __name__ == "__main__":
    main()
