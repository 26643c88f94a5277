"""A screen whose data is loaded off the main thread and reloaded when the database
changes (the app bumps ``data_version`` when another process commits)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.screen import Screen


class LoadingScreen(Screen[None]):
    """Subclasses implement ``fetch`` (runs in a worker thread) and ``show`` (main thread)."""

    loaded_version = -1

    def fetch(self) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        """Load the data (again), noting which version of the database it shows."""
        self.loaded_version = self.app.data_version  # type: ignore[attr-defined]
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded_version != self.app.data_version:  # type: ignore[attr-defined]
            self.reload()

    @work(thread=True, exclusive=True, group="screen.load")
    def load(self) -> None:
        data = self.fetch()
        self.app.call_from_thread(self.show, data)
