"""The footer: a screen's own keys, then the app's keys that screen names.

The app has ten keys of its own (quit, help, the four views, unmatched, re-score, import,
owner). Shown on every screen after the screen's own, they ran off a 130-column footer on
the queues and the account screen, cut mid-word ('u Unm'), and hid the keys that matter
there (o Owner on a queue). Each screen names the app keys its footer shows
(``FOOTER_APP_KEYS``, binding ids); every key still works everywhere, and ? (help) and the
command palette list them all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

# What every screen's footer shows of the app's keys.
BASIC = frozenset({"app.quit", "app.help", "app.dashboard"})
# The dashboard, where the day starts, shows where one can go from it.
EVERY_WAY_OUT = frozenset(
    {
        "app.quit",
        "app.help",
        "app.accounts",
        "app.imports",
        "app.backtest",
        "app.unmatched",
        "app.rescore",
        "app.import",
        "app.owner",
    }
)


class KeysFooter(Footer):
    """Textual's footer, leaving out the app's keys (ids ``app.*``) the screen does not
    name in ``FOOTER_APP_KEYS`` (the palette's key stays)."""

    def compose(self) -> ComposeResult:
        named = getattr(self.screen, "FOOTER_APP_KEYS", BASIC)
        left_out = set()
        for key, (node, binding, _enabled, _tooltip) in self.screen.active_bindings.items():
            ours = node is self.app and (binding.id or "").startswith("app.")
            if ours and binding.id not in named:
                left_out.add(key)
        for widget in super().compose():
            key = getattr(widget, "key", None)  # a FooterKey's
            if key not in left_out or widget.has_class("-command-palette"):
                yield widget
