"""The one table widget every screen uses: Textual's DataTable, kept true to its column
widths.

A DataTable measures new rows when it is next idle, but the screen may paint it before
that: its lines are then cached at the old column widths, and its caches are keyed on
neither the widths nor the rows' measure. A table cleared and filled again (a reload, a
sort, a filter, a page turned) showed its columns cut to their old widths until
something else repainted it (the accounts snapshot caught it on busy machines). Its
widths only change with its virtual size, so that is when its cached lines are dropped.
"""

from __future__ import annotations

from textual.widgets import DataTable


class Table(DataTable):
    def watch_virtual_size(self) -> None:
        # DataTable's own way to drop every line it rendered and paint again
        self.notify_style_update()
