"""`retention tui` as a user starts it: a process of its own in a (pseudo-)terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.tui_start import terminal_start
from tests.conftest import SAMPLE_AS_OF


def test_the_command_opens_the_dashboard_in_a_terminal_and_q_quits(sample_db: Path) -> None:
    """The console script, its imports, the upgrade check and the first frame, end to end:
    Pilot's tests build the app in their own process and never run the command."""
    retention = Path(sys.executable).with_name("retention")
    command = [str(retention), "--db", str(sample_db), "tui", "--as-of", SAMPLE_AS_OF]
    # Raises unless the dashboard's panels are drawn and q ends the process with code 0.
    seconds = terminal_start(command, b"Health distribution")
    assert seconds < 60
