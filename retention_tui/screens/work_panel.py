"""The user's work on one subject (an account, or a lost deal): start a playbook, tick the
step under the cursor, write a note. Shared by the account and deal screens; everything is
saved off the main thread and the screen reloads."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from db import RetentionError, connect
from db.work import add_note, set_tick, start_playbook
from retention_tui.playbooks import PLAYBOOKS, steps_for
from retention_tui.screens.dialogs import ChooseDialog, TextDialog
from retention_tui.screens.loading import LoadingScreen

if TYPE_CHECKING:
    from retention_tui.app import RetentionApp


def work_rows(
    work: dict[str, list[dict]],
    lost_reason: str | None = None,
    ticked_since: dict[str, str] | None = None,
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows of the playbooks table, their (playbook id, step id), and the notes rows.
    ``ticked_since``: kind -> the day (ISO) before which a tick was for an earlier round
    (the renewal timeline's ticks for last year's renewal): shown as not done."""
    rows, keys = [], []
    for p in work["playbooks"]:
        if p["closed_at"]:
            continue
        title = PLAYBOOKS[p["kind"]][0]
        since = (ticked_since or {}).get(p["kind"], "")
        for step_id, text in steps_for(p["kind"], lost_reason):
            done = p["ticks"].get(step_id)
            rows.append((title, text, f"✓ {done[:10]}" if done and done >= since else ""))
            keys.append((p["id"], step_id))
    notes = [
        (n["created_at"][:16].replace("T", " "), n["kind"] or "—", n["body"]) for n in work["notes"]
    ]
    return rows, keys, notes


class WorkPanelScreen(LoadingScreen):
    """Subclasses set PREFIX (their tables are #PREFIX-playbooks and #PREFIX-notes),
    KINDS (the playbooks that can be started here) and ``subject_id``."""

    PREFIX = "account"
    KINDS: ClassVar[tuple[str, ...]] = tuple(PLAYBOOKS)
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="work.back"),
        Binding("p", "start_playbook", "Start playbook", id="work.playbook"),
        Binding("x", "toggle_step", "Tick step", id="work.tick"),
        Binding("n", "add_note", "Note", id="work.note"),
    ]
    subject_id = ""

    def __init__(self) -> None:
        super().__init__()
        self.step_keys: list[tuple[int, str]] = []  # (playbook id, step id) of each row

    def _step_under_cursor(self) -> tuple[int, str] | None:
        table = self.query_one(f"#{self.PREFIX}-playbooks", DataTable)
        keys = self.step_keys
        if not keys or table.cursor_row < 0 or table.cursor_row >= len(keys):
            return None
        return keys[table.cursor_row]

    def action_start_playbook(self) -> None:
        def start(kind: str | None) -> None:
            if kind:
                self.write(
                    lambda conn: start_playbook(
                        conn, self.subject_id, kind, [step for step, _ in PLAYBOOKS[kind][1]]
                    ),
                    f"Started the {PLAYBOOKS[kind][0].lower()}",
                    work_only=True,
                )

        if len(self.KINDS) == 1:
            start(self.KINDS[0])
            return
        options = [(kind, PLAYBOOKS[kind][0]) for kind in self.KINDS]
        self.app.push_screen(ChooseDialog("Start which playbook?", options), start)

    def action_toggle_step(self) -> None:
        step = self._step_under_cursor()
        if step is None:
            self.notify("Start a playbook first (p), then pick a step", severity="warning")
            return
        table = self.query_one(f"#{self.PREFIX}-playbooks", DataTable)
        done = not str(table.get_row_at(table.cursor_row)[2])
        self.write(
            lambda conn: set_tick(conn, step[0], step[1], done),
            "Step ticked" if done else "Tick removed",
            work_only=True,
        )

    def action_add_note(self, text: str = "") -> None:
        """Ask for a note (``text``: what the box starts with) and save it."""
        step = self._step_under_cursor()

        def save(text: str | None) -> None:
            if text and text.strip():
                self.write(
                    lambda conn: add_note(
                        conn,
                        self.subject_id,
                        text,
                        step[0] if step else None,
                        step[1] if step else None,
                    ),
                    "Note saved",
                    retry=lambda: self.action_add_note(text),
                    work_only=True,
                )

        self.app.push_screen(TextDialog("Note", "What happened, what was agreed…", text), save)

    @work(thread=True, group="work.write")
    def write(
        self,
        change,
        message: str,
        retry: Callable[[], None] | None = None,
        *,
        work_only: bool = False,
    ) -> None:
        """Save a change off the main thread, then reload what the screen shows. When it
        cannot be saved (the database busy with a long import, say) the user is told, and
        ``retry`` (on the main thread) gives back what they typed. ``work_only``: a tick,
        note or playbook, which the engine does not read (RetentionApp.save_work: the book
        and its scores are kept); else the book is loaded and scored again."""
        app: RetentionApp = self.app  # type: ignore[assignment]
        try:
            if work_only:
                app.save_work(change)
            else:
                with closing(connect(app.db_path)) as conn:
                    change(conn)
        except RetentionError as exc:
            app.call_from_thread(self.notify, f"Not saved: {exc}", severity="error", timeout=10)
            if retry:
                app.call_from_thread(retry)
            return
        app.call_from_thread(self.notify, message, timeout=2)
        if not work_only:
            app.call_from_thread(app.check_for_changes, True)
