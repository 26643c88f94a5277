"""How fast the dashboard opens and moves on a big book, next to a minimal Textual app.

    python -m benchmarks.tui_start [--accounts N] [--events M] [--keys K] [--db PATH]

Generates N accounts / M events (defaults 100k / 1M) as canonical CSVs and imports them,
then, headless (Textual's run_test), in one run:
  minimal      a Textual app of one Static: from App() until its first frame is up
               (run_test hands over the pilot once the first screen is mounted and
               painted); best of 3
  same widgets an app with the accounts screen's widgets and no data
  first paint  the same for retention opening on the accounts list (its rows load in a
               worker thread afterwards); best of 3, as for the baselines
  list filled  ... until the 100k rows are loaded and the first page shown (with each
               account's latest stored score), then until the rows show the date's
               scores (the book loaded and scored)
  dashboard    retention opening as a user does, on the dashboard: until its revenue
               figures are shown (the accounts and subscriptions read), until its health
               tiers and risks are too (the book scored), and until the seven queues'
               counts are too;
               on a database without blocks yet (one upgraded from an older release: its
               rows are read and blocks written), then best of 3
  cursor       the mean time of K presses of j in that list at rest (turning pages included),
               less the mean time of a press in the minimal app: Textual's Pilot waits
               for the screen to settle after every key, ~40 ms here even for an app
               that does nothing with the key
  imports      python -c "import retention_tui.app" next to "import textual.app"
  terminal     what a user waits for: from the command (`retention tui`, a fresh process
               in a pseudo-terminal of the same size) until the dashboard's first frame
               is on the screen, next to a minimal Textual app's own command; the
               process's start, its imports and the first paint, best of 3
and prints each figure and the ratios the performance issue names.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import date
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from benchmarks.data import write
from db import connect
from importers.run import import_files

AS_OF = date(2026, 11, 20)
SIZE = (130, 40)


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


class SameWidgets(App[None]):
    """The accounts screen's widgets (header, summary, table of 13 columns, footer) and
    no data: what Textual alone needs to paint such a screen."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…")
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for i in range(13):
            table.add_column(f"column {i}")


async def minimal_figures(app_class: type[App], keys: int) -> tuple[float, float]:
    """(first frame, seconds per key press) of a baseline app."""
    started = time.perf_counter()
    app = app_class()
    async with app.run_test(size=SIZE) as pilot:
        painted = time.perf_counter() - started
        await pilot.pause()
        t = time.perf_counter()
        for _ in range(keys):
            await pilot.press("j")
        return painted, (time.perf_counter() - t) / keys


def import_seconds(module: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - t


MINIMAL_COMMAND = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    BINDINGS = [("q", "quit")]
    def compose(self):
        yield Static("first frame")
Minimal().run()
"""


def terminal_start(argv: list[str], shown: bytes, timeout: float = 120.0) -> float:
    """Seconds from starting ``argv`` in a pseudo-terminal of SIZE until its output shows
    ``shown``; then q must quit it (RuntimeError if either fails)."""
    master, child_side = pty.openpty()
    rows_cols = struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0)
    fcntl.ioctl(child_side, termios.TIOCSWINSZ, rows_cols)
    env = {**os.environ, "TERM": "xterm-256color"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=child_side, stdout=child_side, stderr=child_side, env=env,
        start_new_session=True,
    )  # fmt: skip
    os.close(child_side)
    seen, took = b"", None
    while took is None and time.perf_counter() - started < timeout:
        if select.select([master], [], [], 0.05)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:  # the process ended
                break
            if shown in seen:
                took = time.perf_counter() - started
    os.write(master, b"q")
    try:
        code = proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    os.close(master)
    if took is None or code != 0:
        raise RuntimeError(
            f"{argv[0]}: {shown!r} {'shown' if took else 'never shown'}, exit code {code} "
            f"after q; it printed {seen[-500:]!r}"
        )
    return took


def terminal_figures(db: Path) -> tuple[float, float]:
    """(retention's dashboard, a minimal app): command to first frame, best of 3 each."""
    retention = str(Path(sys.executable).with_name("retention"))
    ours = [retention, "--db", str(db), "tui", "--as-of", AS_OF.isoformat()]
    # The dashboard's first frame: its panels' titles, before any figure is filled in.
    dashboard = min(terminal_start(ours, b"Health distribution") for _ in range(3))
    minimal = min(
        terminal_start([sys.executable, "-c", MINIMAL_COMMAND], b"first frame") for _ in range(3)
    )
    return dashboard, minimal


def on_accounts(db: Path) -> App[None]:
    """retention, opening on the accounts list."""
    from retention_tui.app import RetentionApp

    class OnAccounts(RetentionApp):
        DEFAULT_MODE = "accounts"

    return OnAccounts(db, as_of=AS_OF)


async def first_paint(db: Path) -> float:
    started = time.perf_counter()
    async with on_accounts(db).run_test(size=SIZE):
        return time.perf_counter() - started


async def dashboard_filled(db: Path) -> tuple[float, float, float]:
    """(revenue figures shown, health tiers and risks too, queues counted too): seconds
    from App() on."""
    from retention_tui.app import RetentionApp
    from retention_tui.screens.dashboard import COUNTING

    started = time.perf_counter()
    app = RetentionApp(db, as_of=AS_OF)
    async with app.run_test(size=SIZE):
        headline = app.screen.query_one("#dashboard-headline", Static)
        while str(headline.render()).startswith("Loading"):
            await asyncio.sleep(0.01)
        revenue = time.perf_counter() - started
        tiers = app.screen.query_one("#dashboard-tiers", DataTable)
        while tiers.row_count == 0:
            await asyncio.sleep(0.01)
        health = time.perf_counter() - started
        queues = app.screen.query_one("#dashboard-queues", DataTable)
        while queues.row_count == 0 or queues.get_row_at(0)[1] == COUNTING:
            await asyncio.sleep(0.01)
        return revenue, health, time.perf_counter() - started


async def retention_figures(db: Path, keys: int) -> tuple[float, float, float, float]:
    """(first paint, list filled, list scored, seconds per cursor key): the list shows its
    rows first (with the stored scores), then again with the date's once the book is
    scored; the cursor is timed after that, in the list at rest."""
    started = time.perf_counter()
    app = on_accounts(db)
    async with app.run_test(size=SIZE) as pilot:
        painted = time.perf_counter() - started
        while app.screen.query_one(DataTable).row_count == 0:
            await asyncio.sleep(0.01)
        filled = time.perf_counter() - started
        await app.workers.wait_for_complete()
        await pilot.pause()
        scored = time.perf_counter() - started
        t = time.perf_counter()
        for _ in range(keys):
            await pilot.press("j")
        cursor = (time.perf_counter() - t) / keys
    return painted, filled, scored, cursor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=600)
    ap.add_argument("--db", type=Path, help="keep the database here (reused if it exists)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or folder / "bench.db"
        if db.exists():
            print(f"reusing {db}")
        else:
            files = write(folder / "csv", args.accounts, args.events)
            conn = connect(db)
            t = time.perf_counter()
            import_files(conn, list(files.values()))
            conn.close()
            print(
                f"{args.accounts:,} accounts / {args.events:,} events imported in "
                f"{time.perf_counter() - t:.1f} s"
            )
        conn = connect(db)
        conn.execute("DELETE FROM frame_blocks")  # as after an upgrade: none written yet
        conn.close()
        dash_first = asyncio.run(dashboard_filled(db))[2]
        dash_runs = [asyncio.run(dashboard_filled(db)) for _ in range(3)]
        revenue, health, dash = (min(r[i] for r in dash_runs) for i in range(3))
        runs = [asyncio.run(minimal_figures(Minimal, 100)) for _ in range(3)]
        minimal, press = min(r[0] for r in runs), min(r[1] for r in runs)
        same = min(asyncio.run(minimal_figures(SameWidgets, 1))[0] for _ in range(3))
        _, filled, list_scored, cursor = asyncio.run(retention_figures(db, args.keys))
        painted = min(asyncio.run(first_paint(db)) for _ in range(3))
        command, command_minimal = terminal_figures(db)
    ours, textual = import_seconds("retention_tui.app"), import_seconds("textual.app")
    print(f"minimal Textual app: first frame   {minimal:6.3f} s; a key press {press * 1000:.1f} ms")
    print(
        f"retention: first paint            {painted:6.3f} s   "
        f"{painted / minimal:.2f}x minimal (target <= 1.5x); "
        f"{painted / same:.2f}x an empty app of the same widgets ({same:.3f} s)"
    )
    print(
        f"retention: accounts list filled    {filled:6.3f} s; "
        f"with the date's scores {list_scored:.3f} s"
    )
    print(f"retention: dashboard MRR shown     {revenue:6.3f} s (MRR, NRR, GRR, trend)")
    print(f"retention: dashboard health shown  {health:6.3f} s (tiers and risks: scored)")
    print(
        f"retention: dashboard filled        {dash:6.3f} s; without blocks yet (written then) "
        f"{dash_first:.3f} s"
    )
    print(
        f"retention: cursor per key          {cursor * 1000:6.1f} ms; "
        f"{(cursor - press) * 1000:.1f} ms more than the minimal app's (target <= 50 ms)"
    )
    print(f"imports: retention_tui.app {ours:.2f} s, textual.app {textual:.2f} s")
    print(
        f"from the command to the first frame: retention tui {command:.3f} s, a minimal "
        f"Textual app {command_minimal:.3f} s: {command / command_minimal:.2f}x"
    )


if __name__ == "__main__":
    main()
