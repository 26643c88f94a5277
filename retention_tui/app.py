"""The Textual app: opens on the accounts list of one database, as of one date.

It watches the database: when another process (an import, a scoring run) commits, the
open screen reloads its data, and the others do when they are next shown.
"""

from __future__ import annotations

import shlex
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.notifications import SeverityLevel

from db import RetentionError, connect
from retention_tui.commands import RetentionCommands
from retention_tui.config import load as load_config
from retention_tui.formatting import plural
from retention_tui.queue_views import QueueView, configured_queues
from retention_tui.screens.accounts import AccountsScreen
from retention_tui.screens.backtest import BacktestScreen
from retention_tui.screens.dashboard import DashboardScreen
from retention_tui.screens.import_log import ImportLogScreen
from retention_tui.screens.queue import QueueScreen
from retention_tui.screens.unmatched import UnmatchedScreen
from retention_tui.workspace import Workspace

if TYPE_CHECKING:
    from retention_tui.workspace import Snapshot

WATCH_SECONDS = 2.0


class RetentionApp(App[None]):
    TITLE = "retention"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # also for subclasses elsewhere
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "toggle_help", "Help", key_display="?", id="app.help"),
        Binding("d", "switch_screen_named('dashboard')", "Dashboard", id="app.dashboard"),
        # In the order the dashboard's footer shows them: what a morning needs first (an
        # 80-column terminal cuts the last ones off).
        Binding("a", "switch_screen_named('accounts')", "Accounts", id="app.accounts"),
        Binding("i", "import_files", "Import", id="app.import"),
        Binding("r", "rescore", "Re-score", id="app.rescore"),
        Binding("o", "pick_owner", "Owner", id="app.owner"),
        Binding("l", "switch_screen_named('imports')", "Import log", id="app.imports"),
        Binding("b", "switch_screen_named('backtest')", "Backtest", id="app.backtest"),
        Binding("u", "switch_screen_named('unmatched')", "Unmatched", id="app.unmatched"),
        # keys 1-9 open the queues of the config (see __init__)
    ]
    COMMANDS: ClassVar = App.COMMANDS | {RetentionCommands}
    MODES: ClassVar = {
        "dashboard": DashboardScreen,
        "accounts": AccountsScreen,
        "imports": ImportLogScreen,
        "backtest": BacktestScreen,
        "unmatched": UnmatchedScreen,
    }
    DEFAULT_MODE = "dashboard"  # the morning view; `a` for the accounts list

    def __init__(
        self, db_path: Path, as_of: date, owner: str | None = None, told: Sequence[str] = ()
    ) -> None:
        super().__init__()
        # What upgrading the database asked of the user (db.migrate.tells), shown on start.
        self.told = tuple(told)
        self.db_path = Path(db_path)
        self.as_of = as_of
        # Whose accounts the dashboard, the queues and the accounts list show (None:
        # everyone's); `o` picks another (retention_tui/owner_scope.py).
        self.owner = owner
        self._set_sub_title()
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()  # the watch connection: the UI and save_work
        self.data_version = 0
        self.work_version = 0  # work the app saved (ticks, notes, snoozes): save_work
        self.workspace = Workspace(self.db_path, as_of)
        self.config = load_config(self.db_path)
        self.queues: tuple[QueueView, ...] = configured_queues(self.config)
        for q in self.queues:
            self.add_mode(f"queue-{q.name}", lambda q=q: QueueScreen(q))
        # The config's queues get their keys (1-9) as bindings with ids, so the help
        # overlay and [keymap] treat them like every other binding. The footer leaves them
        # out: the dashboard lists the queues by key, and with eight of them the footer
        # ran off the screen before the keys of the screen itself were all shown.
        self._bindings = BindingsMap.merge(
            [
                self._bindings,
                BindingsMap(
                    [
                        Binding(
                            q.key,
                            f"open_queue('{q.name}')",
                            q.title,
                            show=False,
                            id=f"app.queue.{q.name}",
                        )
                        for q in self.queues
                        if q.key
                    ]
                ),
            ]
        )

    @property
    def view_key(self) -> tuple[int, str | None, int]:
        """What a screen's data depends on: the database's version, the owner shown and
        the work saved in the app."""
        return (self.data_version, self.owner, self.work_version)

    def _set_sub_title(self) -> None:
        from retention_tui.owner_scope import whose

        self.sub_title = f"{self.db_path.name} · as of {self.as_of.isoformat()}{whose(self.owner)}"

    def action_pick_owner(self) -> None:
        self.pick_owner()

    @work(thread=True, exclusive=True, group="app.owner")
    def pick_owner(self) -> None:
        """Read the owners (off the UI thread), then offer them: everyone's accounts, or
        one owner's."""
        from db.queries import owned_records
        from retention_tui.owner_scope import choices

        try:
            with closing(connect(self.db_path)) as conn:
                records = owned_records(conn)
        except RetentionError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        offered = choices(records, self.owner)
        if len(offered) == 1:
            self.call_from_thread(
                self.notify, "No account or deal has an owner: everything is shown", timeout=5
            )
            return
        self.call_from_thread(self._offer_owners, offered)

    def _offer_owners(self, choices: list[tuple[str, str]]) -> None:
        from retention_tui.screens.dialogs import ChooseDialog

        def chosen(key: str | None) -> None:
            if key is not None:
                self.show_owner(key or None)

        self.push_screen(ChooseDialog("Whose accounts to show", choices), chosen)

    def show_owner(self, owner: str | None) -> None:
        """Show ``owner``'s accounts (None: everyone's): the open screen reloads now, the
        others when they are next shown."""
        if owner == self.owner:
            return
        self.owner = owner
        self._set_sub_title()
        self._reload_screen()

    def _reload_screen(self) -> None:
        """Load the open screen's data again, if it is a screen that loads data."""
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()

    def open_queue(self, name: str) -> None:
        self.switch_mode(f"queue-{name}")

    def action_open_queue(self, name: str) -> None:
        self.open_queue(name)

    def open_list(self, source: str) -> None:
        """Open the first queue that shows the built-in list ``source``."""
        for q in self.queues:
            if q.source == source:
                self.open_queue(q.name)
                return
        self.notify(f"No queue shows the {source} list (see [queues] in retention.toml)")

    def on_load(self) -> None:
        # Before any screen loads: a screen's first load records this version, and a load
        # under an older number would be taken for stale (the book loaded and scored
        # again on the first queue opened).
        self._watch = connect(self.db_path)
        self.data_version = self._read_version() or 0

    def on_mount(self) -> None:
        keymap = self.config.get("keymap", {})
        if keymap:
            self.set_keymap(keymap)
        self.set_interval(WATCH_SECONDS, self.check_for_changes)
        for line in self.told:
            self.notify(line, title="Database upgraded", severity="warning", timeout=30)

    def on_unmount(self) -> None:
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    def save_work(self, change: Callable[[sqlite3.Connection], object]) -> None:
        """Save work the engine does not read (a tick, a note, a playbook, a snooze) from a
        worker thread, on the connection that watches the database: SQLite leaves a
        connection's data_version as it is for its own commits, so the loaded book and its
        scores are kept (reloaded and scored again, they took ~3 s at 100k accounts) while
        any other process's commit still reloads them. The snapshot's ticks and snoozes
        are read again and the open screen reloads. Raises what ``change`` raises."""
        with self._watch_lock:
            if self._watch is None:
                raise RetentionError("the app is closing")
            change(self._watch)
        self.workspace.reread_work()
        self.call_from_thread(self._work_saved)

    def _work_saved(self) -> None:
        self.work_version += 1
        if not self.check_for_changes():  # another process committed meanwhile: reloaded
            self._reload_screen()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is shown as written, never read as markup: they carry file
        names, values read from files and error text ("[/]" in a value stopped the app,
        "see [queues] in retention.toml" lost its "[queues]"). Screens' notify passes
        Textual's default (markup on) here too, so ``markup`` is not read."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _read_version(self) -> int | None:
        """The watch connection's data_version; None while save_work writes on it (the UI
        thread does not wait for a write the database keeps busy) or once it is closed."""
        if not self._watch_lock.acquire(blocking=False):
            return None
        try:
            if self._watch is None:  # closed: the app is closing
                return None
            # Changes whenever another connection commits; a read of the WAL index, no I/O.
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        finally:
            self._watch_lock.release()

    def check_for_changes(self, own: bool = False) -> bool:
        """Reload the open screen if the database changed: said in a toast when another
        process changed it; after the app's own writes (``own``) always, silently."""
        version = self._read_version()
        if version is None and not own:
            return False  # save_work is writing: looked at again in WATCH_SECONDS
        if version == self.data_version and not own:
            return False
        if version is not None:
            self.data_version = version
        self._reload_screen()
        if not own:
            self.notify("The database changed: data reloaded", timeout=3)
        return True

    def action_rescore(self) -> None:
        self.notify(f"Scoring as of {self.as_of}…", timeout=2)
        self.rescore()

    @work(thread=True, exclusive=True, group="app.rescore")
    def rescore(self) -> None:
        """Score every account as of the dashboard's date and store it (off the UI thread)."""
        from retention_tui.scoring import score_and_store

        try:  # opening the database may fail too (busy, newer schema): say so, not crash
            with closing(connect(self.db_path)) as conn:
                run = score_and_store(conn, [self.as_of], load_config(self.db_path))
        except RetentionError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.call_from_thread(
            self.notify,
            f"Scored {plural(run.scores.height, 'account')}: "
            f"{plural(run.risks.height, 'risk signal')}, {plural(run.alerts.height, 'alert')}",
        )
        self.call_from_thread(self.check_for_changes, True)

    def action_import_files(self) -> None:
        from retention_tui.screens.import_dialog import ImportDialog, folders_of

        def chosen(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                words = shlex.split(text)
            except ValueError as exc:  # an unclosed quote: "O'Brien export.csv"
                whole = Path(text.strip()).expanduser()
                if not whole.exists():
                    self.notify(
                        f"Could not read the paths ({exc}): put a path holding spaces or "
                        "quotes inside double quotes",
                        title="Nothing was imported",
                        severity="error",
                        timeout=15,
                    )
                    return
                words = [str(whole)]
            self.import_paths([Path(p).expanduser() for p in words])

        self.push_screen(ImportDialog(folders_of(self.config)), chosen)

    @work(thread=True, exclusive=True, group="app.import")
    def import_paths(self, paths: list[Path]) -> None:
        """Import files in one transaction (off the UI thread), reporting progress."""
        from importers.run import import_files

        def progress(message: str) -> None:
            self.call_from_thread(self.notify, message, timeout=2)

        left_out: list = []
        try:
            with closing(connect(self.db_path)) as conn:
                results = import_files(
                    conn,
                    paths,
                    dates=self.config["import"]["dates"] or None,
                    on_progress=progress,
                    on_skip=lambda path, why: left_out.append((path, why)),
                )
        except RetentionError as exc:
            self.call_from_thread(
                self.notify, str(exc), title="Nothing was imported", severity="error", timeout=15
            )
            return
        from retention_tui.import_summary import file_summary, left_out_summary

        rows = sum(r.rows_read for r in results)
        lines = [line for r in results for line in file_summary(r, ignored=False)]
        lines += left_out_summary(left_out)
        lines.append("The wrong file? U in the import log (l) undoes it.")
        self.call_from_thread(
            self.notify,
            "\n".join(lines),
            title=f"Imported {plural(len(results), 'file')}, {plural(rows, 'row')}",
            timeout=15,
        )
        self.call_from_thread(self.check_for_changes, True)

    def open_account(self, account_id: str) -> None:
        from retention_tui.screens.account import AccountScreen

        self.push_screen(AccountScreen(account_id))

    def open_document(self, build: Callable[[Snapshot], str]) -> None:
        from retention_tui.screens.document import DocumentScreen

        self.push_screen(DocumentScreen(build))

    def action_switch_screen_named(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
