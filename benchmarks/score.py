"""Scoring time next to the time to load the usage events into Polars.

    python -m benchmarks.score [--accounts N] [--events M] [--db PATH] [--rss] [--random-ids]

Generates N accounts / M events (defaults 10k / 1M) as canonical CSVs, imports them with
`retention import`'s code (into --db when given, kept and reused by the next run), then
times, on the same database in one run:
  rows    reading usage_events' rows from SQLite into a Polars frame, row by row
  first   the first load of every table (rows read, blocks written for the next load)
  load    loading usage_events as the engine does (from its blocks)
  all     loading every table the engine reads
  score   one full scoring run (features, scores, 20 risk signals, alerts), tables loaded
  queues  the seven queues and last month's NRR / GRR / logo retention, from the run
and prints each figure and the ratio (all + score + queues) / load, against both loads.
With --rss, the peak memory of one whole run (load all, score, queues, metrics) in a
fresh process, and of the first one (blocks written).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.data import write
from db import connect
from db.frames import load_all, load_table, read_rows
from importers.run import import_files
from retention_tui.config import defaults
from retention_tui.engine.expansion import expansion_queue, onboarding
from retention_tui.engine.metrics import metric_options, retention
from retention_tui.engine.queues import payments_queue, reactivation, renewals, winback
from retention_tui.engine.run import score_run

AS_OF = date(2026, 11, 20)


def best_of(n: int, fn):
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def loads(conn, repeat: int) -> tuple[float, float, dict]:
    """The best of ``repeat`` loads of the usage events and of every table, taken in turn.
    A process's first loads are its slowest (fresh memory mapped: the benchmark's system
    time is a third of its run), and until session 18 the events' three loads came first:
    their best was 0.65-1.14 s while every table, the events included, took 0.58-0.84 s
    after them, and the events alone 0.21-0.23 s once warm. Taken in turn, each figure's
    best is a warm one, and the ratio's denominator is no longer the cold one."""
    events, every, tables = [], [], {}
    for _ in range(repeat):
        tables = {}  # the last load let go before the next, as the app does
        t = time.perf_counter()
        load_table(conn, "usage_events")
        events.append(time.perf_counter() - t)
        t = time.perf_counter()
        tables = load_all(conn)
        every.append(time.perf_counter() - t)
    return min(events), min(every), tables


def queues_and_metrics(tables: dict, run, cfg: dict) -> int:
    """The seven queues and last month's retention figures; returns the rows made."""
    frames = [
        renewals(tables, AS_OF, cfg, run.scores, risks=run.risks),
        payments_queue(tables, AS_OF, cfg),
        reactivation(tables, AS_OF, cfg),
        winback(tables, AS_OF, cfg),
        expansion_queue(tables, AS_OF, cfg, run.features, run.scores),
        onboarding(tables, AS_OF, cfg),
        retention(
            tables["subscription_periods"],
            tables["accounts"],
            date(2026, 10, 1),
            date(2026, 11, 1),
            **metric_options(cfg),
        ),
    ]
    return sum(f.height for f in frames)


def whole_run(db: Path) -> None:
    """One scoring run as the app does it, in this process; prints its peak memory."""
    conn = connect(db)
    cfg = defaults()
    tables = load_all(conn)
    run = score_run(tables, AS_OF, cfg)
    queues_and_metrics(tables, run, cfg)
    conn.close()
    print(f"peak RSS of a whole run        {peak_rss_mib():8.0f} MiB (target <= 2048 MiB)")


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux
    carries the parent's high-water mark into a child across fork and exec, so a child of
    a big benchmark process reported the parent's 5.8 GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(db: Path, accounts: int, events: int, random_ids: bool = False) -> None:
    if db.exists():
        print(f"reusing {db}")
        return
    t = time.perf_counter()
    files = write(db.parent / "csv", accounts, events, random_ids)
    print(f"generated {accounts:,} accounts / {events:,} events in {time.perf_counter() - t:.1f} s")
    conn = connect(db)
    t = time.perf_counter()
    import_files(conn, list(files.values()))
    conn.close()
    print(f"imported in {time.perf_counter() - t:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", type=Path, help="keep the database here (reused if it exists)")
    ap.add_argument("--rss", action="store_true", help="peak memory of a run, fresh process")
    ap.add_argument("--random-ids", action="store_true", help="event ids in no order")
    ap.add_argument("--whole-run", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.whole_run:
        whole_run(args.whole_run)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        prepare(db, args.accounts, args.events, args.random_ids)
        conn = connect(db)
        cfg = defaults()
        rows_s, _ = best_of(args.repeat, lambda: read_rows(conn, "usage_events"))
        if args.rss:
            drop_blocks(conn)
            rss_of_whole_run(db, "first (blocks written)")
        drop_blocks(conn)
        first_s, _ = best_of(1, lambda: load_all(conn))
        load_s, all_s, tables = loads(conn, args.repeat)
        score_s, run = best_of(args.repeat, lambda: score_run(tables, AS_OF, cfg))
        queues_s, _ = best_of(args.repeat, lambda: queues_and_metrics(tables, run, cfg))
        conn.close()
        print(f"usage_events' rows, row by row {rows_s:8.2f} s")
        print(f"first load of every table      {first_s:8.2f} s   (rows read, blocks written)")
        print(f"load usage_events (blocks)     {load_s:8.2f} s")
        print(f"load every engine table        {all_s:8.2f} s")
        print(
            f"score (from loaded tables)     {score_s:8.2f} s   "
            f"{run.scores.height:,} accounts scored, {run.risks.height:,} risk signals"
        )
        print(f"queues and metrics             {queues_s:8.2f} s")
        total = all_s + score_s + queues_s
        print(
            f"ratio (load all + score + queues) / load events {total / load_s:6.2f} (target <= 3); "
            f"/ events read row by row {total / rows_s:6.2f}"
        )
        if args.rss:
            rss_of_whole_run(db, "from blocks")


def drop_blocks(conn) -> None:
    conn.execute("DELETE FROM frame_blocks")


def rss_of_whole_run(db: Path, label: str) -> None:
    print(f"{label}: ", end="", flush=True)
    subprocess.run([sys.executable, "-m", "benchmarks.score", "--whole-run", str(db)], check=True)


if __name__ == "__main__":
    main()
