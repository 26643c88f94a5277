"""The Textual app: opens on the accounts list of one database, as of one date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding

from retention_tui.screens.accounts import AccountsScreen
from retention_tui.screens.import_log import ImportLogScreen


class RetentionApp(App[None]):
    TITLE = "retention"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "toggle_help", "Help", key_display="?", id="app.help"),
        Binding("a", "switch_screen_named('accounts')", "Accounts", id="app.accounts"),
        Binding("l", "switch_screen_named('imports')", "Import log", id="app.imports"),
    ]
    MODES: ClassVar = {"accounts": AccountsScreen, "imports": ImportLogScreen}
    DEFAULT_MODE = "accounts"

    def __init__(self, db_path: Path, as_of: date) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.as_of = as_of
        self.sub_title = f"{self.db_path.name} · as of {as_of.isoformat()}"

    def action_switch_screen_named(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
