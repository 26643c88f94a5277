"""What the dashboard's screens share: the loaded tables and this date's score run,
computed once per version of the database (in whichever worker asks first)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from db import connect
from db.frames import load_all
from db.work import ticks
from retention_tui.config import load as load_config
from retention_tui.engine.features import Tables
from retention_tui.engine.run import ScoreRun
from retention_tui.scoring import compute


@dataclass(frozen=True)
class Snapshot:
    cfg: dict
    tables: Tables
    run: ScoreRun
    done: pl.DataFrame  # checklist ticks: account_id, kind, step_id
    # The built-in lists' rows, built once per snapshot and date by whichever screen asks
    # first (the dashboard counts them, a queue screen shows them): queue_views.list_rows.
    lists: dict[tuple[str, date], pl.DataFrame] = field(default_factory=dict)


class Workspace:
    def __init__(self, db_path: Path, as_of: date) -> None:
        self.db_path = db_path
        self.as_of = as_of
        self._lock = threading.Lock()
        self._version: int | None = None
        self._snapshot: Snapshot | None = None

    def loaded(self, version: int) -> Snapshot | None:
        """The data for ``version`` if it is loaded (waiting for a load under way), else
        None: for a screen that can use the tables but does not need the scores."""
        with self._lock:
            return self._snapshot if self._version == version else None

    def get(self, version: int, say: Callable[[str], None] | None = None) -> Snapshot:
        """The data for ``version`` of the database (loaded now if it changed). Call from
        a worker thread: the first call after a change loads and scores, telling ``say``
        which step it is on."""
        tell = say or (lambda _text: None)
        with self._lock:
            if self._snapshot is None or self._version != version:
                cfg = load_config(self.db_path)
                with closing(connect(self.db_path)) as conn:
                    tell("Loading the book…")
                    tables = load_all(conn)
                    tell(f"Loading… scoring {tables['accounts'].height:,} accounts")
                    run = compute(conn, self.as_of, cfg, tables)
                    done = ticks(conn)
                self._snapshot = Snapshot(cfg, tables, run, done)
                self._version = version
            return self._snapshot
