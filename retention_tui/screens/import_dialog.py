"""The import dialog: type paths, or pick among the exports in the folders the config
names (`[import] folders`, ~/Downloads by default), each shown with what it would be
imported as (read from its header in a worker thread)."""

from __future__ import annotations

import os
import shlex
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from retention_tui.config import Config
from retention_tui.formatting import home_relative

NAME_WIDTH = 50


def folders_of(config: Config) -> list[Path]:
    """The folders the dialog lists exports from: the config's `[import] folders`."""
    return [Path(folder).expanduser() for folder in config["import"]["folders"]]


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _about(path: Path, stat: os.stat_result) -> str:
    """The name, modified time and size columns of an export's line."""
    name = path.name if len(path.name) <= NAME_WIDTH else path.name[: NAME_WIDTH - 1] + "…"
    when = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"{name:<{NAME_WIDTH}} {when}  {_size(stat.st_size):>7}"


class ExportList(SelectionList[str]):
    """The exports found: space picks, enter imports (j/k move, as in every list)."""

    BINDINGS: ClassVar = [
        Binding("enter", "submit", "Import", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    def action_submit(self) -> None:
        picked = self.selected
        if not picked and self.highlighted is not None:
            picked = [self.get_option_at_index(self.highlighted).value]
        if picked:
            self.screen.dismiss(shlex.join(picked))


class ImportDialog(ModalScreen[str | None]):
    """Paths typed, or the exports picked (space) in ``folders``, newest first; enter
    imports them (the highlighted one when none is picked). Returns the paths as a line of
    text."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, folders: list[Path]) -> None:
        super().__init__()
        self.folders = folders

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                "Import CSV files, Excel workbooks, ZIP archives or folders of them "
                "(paths separated by spaces)"
            )
            yield Input(placeholder="~/Downloads/customers.csv ~/Downloads/events.csv")
            yield Label("", id="import-found", markup=False)
            yield ExportList(id="import-exports")

    def on_mount(self) -> None:
        self.query_one(ExportList).display = False
        self.find_exports()

    @work(thread=True, exclusive=True, group="import.exports")
    def find_exports(self) -> None:
        """List the folder's exports, then tell what each is (a header read each): all
        the file reading here, off the UI thread."""
        from importers.preview import describe, recent_exports

        found = [(str(p), _about(p, stat)) for p, stat in recent_exports(self.folders)]
        self.app.call_from_thread(self._show, found)
        for index, (path, about) in enumerate(found):
            self.app.call_from_thread(self._tell, index, f"{about}  {describe(Path(path))}")

    def _show(self, found: list[tuple[str, str]]) -> None:
        shown = " and ".join(home_relative(folder) for folder in self.folders) or "no folder"
        label = self.query_one("#import-found", Label)
        if not found:
            label.update(f"No CSV, Excel or ZIP files in {shown}")
            return
        label.update(f"Exports in {shown}, newest first (space picks, enter imports):")
        exports = self.query_one(ExportList)
        exports.add_options(Selection(f"{about}  …", path) for path, about in found)
        exports.highlighted = 0
        exports.display = True

    def _tell(self, index: int, prompt: str) -> None:
        self.query_one(ExportList).replace_option_prompt_at_index(index, prompt)

    @on(SelectionList.SelectedChanged)
    def picked(self, event: SelectionList.SelectedChanged) -> None:
        self.query_one(Input).value = shlex.join(event.selection_list.selected)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
