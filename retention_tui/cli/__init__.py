"""The ``retention`` command line. Headless commands never import Textual.

The commands live in modules by theme; importing this package registers them all.
"""

from retention_tui.cli import data, interactions, linking, reports, scoring
from retention_tui.cli.base import cli, main, today
from retention_tui.cli.data import (
    backtest_demo_database,
    build_demo_database,
    score_demo_database,
)

__all__ = [
    "backtest_demo_database",
    "build_demo_database",
    "cli",
    "data",
    "interactions",
    "linking",
    "main",
    "reports",
    "score_demo_database",
    "scoring",
    "today",
]
