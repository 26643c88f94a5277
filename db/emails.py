"""What counts as an email address: one rule for imported files (importers.values) and for
what a user types (db.work), kept here because db may not import importers."""

from __future__ import annotations

import re

# Something, an @, a domain with a dot; no spaces, one @.
PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_COMPILED = re.compile(PATTERN)


def is_email(text: str) -> bool:
    return _COMPILED.match(text) is not None
