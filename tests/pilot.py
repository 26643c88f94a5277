"""Helpers for driving the app with Textual's Pilot."""

from __future__ import annotations


async def settle(pilot, rounds: int = 20) -> None:
    """Wait until the app is idle: screens start loading after their first frame, so let
    that frame happen, wait for the workers it started and for what they post, and again
    until a round finds the screen's load started, no worker left to wait for and no table
    still to size its columns to the rows just put in (a snapshot taken before that, on a
    busy machine, showed the columns at their headers' widths)."""
    from textual.widgets import DataTable

    for _ in range(rounds):
        await pilot.pause()
        # a screen starts its load after its first frame: until then it has no worker yet
        screen = pilot.app.screen
        view = getattr(pilot.app, "view_key", None)
        waiting = getattr(screen, "loaded_view", view) != view
        busy = [w for w in pilot.app.workers if not w.is_finished]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # a table sizes its columns to new rows when it is next idle (Textual's DataTable
        # keeps that pending in _require_update_dimensions)
        sizing = any(t._require_update_dimensions for t in pilot.app.screen.query(DataTable))
        if not busy and not sizing and not waiting:
            break
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    """Wait for the app to settle, then press each key and wait for what it loads."""
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def write_note(pilot, text: str) -> None:
    """Press n on an account or deal screen, type ``text`` in the box and send it."""
    from textual.widgets import Input

    await pilot.press("n")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def open_first_account(pilot):
    """From the dashboard to the accounts list, then into its first account's screen."""
    from retention_tui.screens.account import AccountScreen

    await press(pilot, "a", "enter")
    assert isinstance(pilot.app.screen, AccountScreen)
    return pilot.app.screen


async def open_queue(pilot, key: str):
    """From the dashboard, open the queue on ``key`` (1-9); its table, loaded."""
    from textual.widgets import DataTable

    await press(pilot, key)
    return pilot.app.screen.query_one(DataTable)
