"""A one-page document (QBR prep, save plan, monthly report, onboarding checklist, NRR,
executive summary) rendered as Markdown, built off the main thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Markdown

from retention_tui.screens.footer import KeysFooter
from retention_tui.screens.loading import LoadingScreen
from retention_tui.screens.scrolling import Body

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp
    from retention_tui.workspace import Snapshot


class DocumentScreen(LoadingScreen):
    BINDINGS: ClassVar = [Binding("escape", "app.pop_screen", "Back", id="document.back")]

    def __init__(self, build: Callable[[Snapshot], str]) -> None:
        super().__init__()
        self.build = build

    def compose(self) -> ComposeResult:
        yield Header()
        with Body():
            yield Markdown("Loading…", id="document-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload_after_paint()

    def fetch(self) -> str:
        app: RetentionApp = self.app  # type: ignore[assignment]
        return self.build(app.workspace.get(app.data_version))

    def show(self, text: str) -> None:
        self.query_one("#document-body", Markdown).update(text)
