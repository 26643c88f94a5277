"""Every performance figure in one run: import, scoring (with memory) and the TUI.

    python -m benchmarks [--large]

Sizes: the default book is 10k accounts / 1M usage events, --large is 100k / 10M (the
scoring figures; import is always timed on 1M events, the TUI on 100k accounts). Each
part runs in a process of its own, one after the other, so their memory and caches do not
mix; the parts can be run alone too (python -m benchmarks.imports, .score, .tui_start,
.table_render).
docs/performance.md holds the figures measured and what they mean.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

SIZES = {"default": ("10000", "1000000"), "large": ("100000", "10000000")}


def parts(large: bool) -> list[tuple[str, list[str]]]:
    accounts, events = SIZES["large" if large else "default"]
    return [
        ("Import (1M usage events)", ["benchmarks.imports", "--sqlite-utils"]),
        (
            f"Scoring ({int(accounts):,} accounts / {int(events):,} events)",
            ["benchmarks.score", "--accounts", accounts, "--events", events, "--rss"],
        ),
        ("TUI (100,000 accounts)", ["benchmarks.tui_start", "--events", events]),
        ("TUI table (a page of 100 rows)", ["benchmarks.table_render"]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="100k accounts / 10M events")
    args = ap.parse_args()
    failed = []
    for title, command in parts(args.large):
        print(f"\n== {title}: python -m {' '.join(command)}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", *command], check=False)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
        if done.returncode:
            failed.append(title)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
