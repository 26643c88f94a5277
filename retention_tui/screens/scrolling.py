"""Moving around a table or a page uses the keys everyone knows (arrows, page up and
down, home and end): they work as Textual binds them, but stay out of the help panel (?),
which is for what the app's screens do. At 80x24 the panel listed eleven scroll keys
before the first of the screen's own (p, x, n, t on an account)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


def quiet(bindings: Iterable[BindingType]) -> list[BindingType]:
    """``bindings``, each kept out of the help panel (a system binding)."""
    return [replace(b, system=True) if isinstance(b, Binding) else b for b in bindings]


class Body(VerticalScroll):
    """A screen's body that scrolls, its scroll keys kept out of the help panel."""

    BINDINGS = quiet(VerticalScroll.BINDINGS)
