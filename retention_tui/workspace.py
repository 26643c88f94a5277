"""What the dashboard's screens share: the loaded tables and this date's score run,
computed once per version of the database (in whichever worker asks first)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import polars as pl

from db import connect
from db.frames import load_all
from db.work import snoozes, snoozes_frame, ticks
from retention_tui.config import load as load_config
from retention_tui.engine.features import Tables
from retention_tui.engine.freshness import stale_usage_note
from retention_tui.engine.money import periods_fx
from retention_tui.engine.run import ScoreRun
from retention_tui.scoring import compute

# What the revenue figures (MRR, NRR, GRR, logo churn, the MRR trend) read.
BILLING_TABLES = ("accounts", "subscription_periods")


@dataclass(frozen=True)
class Book:
    """The loaded tables of one version of the database, and the config read with them."""

    cfg: dict
    tables: Tables

    @cached_property
    def base_currency(self) -> str:
        """The currency every total of the book is in (worked out once per book)."""
        return periods_fx(self.tables["subscription_periods"], self.cfg["currency"]).base


@dataclass(frozen=True)
class Snapshot:
    """A book scored as of the workspace's date."""

    book: Book
    run: ScoreRun
    done: pl.DataFrame  # checklist ticks: account_id, kind, step_id, done_at
    # account_id, queue, until (db.work.snoozes)
    snoozes: pl.DataFrame = field(default_factory=lambda: snoozes_frame([]))
    # The built-in lists' rows, built once per snapshot and date by whichever screen asks
    # first (the dashboard counts them, a queue screen shows them): queue_views.list_rows.
    lists: dict[tuple[str, date], pl.DataFrame] = field(default_factory=dict)

    @property
    def cfg(self) -> dict:
        return self.book.cfg

    @cached_property
    def usage_note(self) -> str | None:
        """The run's stale-usage note (engine/freshness.py), None when the data is current."""
        return stale_usage_note(self.run.usage_ends, self.run.as_of, self.cfg)

    @property
    def tables(self) -> Tables:
        return self.book.tables


class Workspace:
    """The book is loaded, then scored, each under a lock of its own: a screen that needs
    only the tables (the accounts list) has them while the book is still being scored
    (100k accounts: ~1 s loading, ~2 s scoring); the dashboard's revenue figures need
    only two of them (``billing``)."""

    def __init__(self, db_path: Path, as_of: date) -> None:
        self.db_path = db_path
        self.as_of = as_of
        self._loading = threading.Lock()
        self._scoring = threading.Lock()
        self._book: tuple[int, Book] | None = None
        self._snapshot: tuple[int, Snapshot] | None = None

    def billing(self, version: int) -> Book:
        """The accounts and subscription periods alone, for the revenue figures while the
        book loads (100k accounts: 0.01 s read, against ~1 s for every table): the loaded
        book itself when it is there. Call from a worker thread."""
        held = self._book  # read without the lock: a load under way is not waited for
        if held is not None and held[0] == version:
            return held[1]
        cfg = load_config(self.db_path)
        with closing(connect(self.db_path)) as conn:
            return Book(cfg, load_all(conn, BILLING_TABLES))

    def book(
        self,
        version: int,
        say: Callable[[str], None] | None = None,
        early: tuple[Iterable[str], Callable[[Tables], None]] | None = None,
    ) -> Book:
        """The tables for ``version`` of the database (loaded now if it changed). Call from
        a worker thread. ``early``: (table names, a call given those tables as soon as they
        are loaded, before the rest; at once when the book is loaded already)."""
        with self._loading:
            if self._book is None or self._book[0] != version:
                if say:
                    say("Loading the book…")
                cfg = load_config(self.db_path)
                with closing(connect(self.db_path)) as conn:
                    self._book = (version, Book(cfg, load_all(conn, early=early)))
            elif early is not None:
                early[1](self._book[1].tables)
            return self._book[1]

    def scored(self, version: int) -> Snapshot | None:
        """The snapshot of ``version`` if it is scored already, else None (a scoring under
        way is not waited for)."""
        held = self._snapshot
        return held[1] if held is not None and held[0] == version else None

    def reread_work(self) -> None:
        """After the app saved work the engine does not read (a tick, a snooze): the held
        snapshot takes the ticks and snoozes as they are now, and builds its lists again
        (a renewal's due step reads the ticks), keeping the book and its scores. Call from
        a worker thread."""
        with self._scoring:
            held = self._snapshot
            if held is None:
                return
            with closing(connect(self.db_path)) as conn:
                done, asleep = ticks(conn), snoozes(conn)
            self._snapshot = (held[0], replace(held[1], done=done, snoozes=asleep, lists={}))

    def get(self, version: int, say: Callable[[str], None] | None = None) -> Snapshot:
        """The data for ``version`` of the database, scored (loaded and scored now if it
        changed). Call from a worker thread: the first call after a change loads and
        scores, telling ``say`` which step it is on."""
        with self._scoring:
            if self._snapshot is None or self._snapshot[0] != version:
                book = self.book(version, say)
                if say:
                    say(f"Loading… scoring {book.tables['accounts'].height:,} accounts")
                with closing(connect(self.db_path)) as conn:
                    run = compute(conn, self.as_of, book.cfg, book.tables)
                    done, asleep = ticks(conn), snoozes(conn)
                self._snapshot = (version, Snapshot(book, run, done, asleep))
            return self._snapshot[1]
