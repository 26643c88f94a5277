"""Where things live: the database, the demo database, the bundled sample data."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "retention"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_path(option: str | os.PathLike[str] | None) -> Path:
    """``--db`` if given, else ``$RETENTION_DB``, else the platform data dir."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get("RETENTION_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "retention.db"


def demo_database_path() -> Path:
    """The demo database: kept apart from the user's own so a demo never touches real work."""
    return data_dir() / "demo.db"


def sample_data_dir() -> Path:
    return Path(str(resources.files("sample_data")))
