"""The one table widget every screen uses: Textual's DataTable, kept true to its column
widths and quick to move the cursor in.

A DataTable measures new rows when it is next idle, but the screen may paint it before
that: its lines are then cached at the old column widths, and its caches are keyed on
neither the widths nor the rows' measure. A table cleared and filled again (a reload, a
sort, a filter, a page turned) showed its columns cut to their old widths until
something else repainted it (the accounts snapshot caught it on busy machines). Its
widths only change with its virtual size, so that is when its cached lines are dropped.

A DataTable caches the rows and lines it renders under the cursor's and the mouse's
coordinates: every move of the cursor missed both caches for every line, and each line
scrolled into view was rendered again, cell by cell. With a row cursor, a row that holds
neither the cursor nor the mouse renders the same wherever they are, so it is cached as
such, and only the rows the cursor leaves and reaches are rendered again (a key in the
accounts list: ~45 -> ~25 ms more than in an app that does nothing with it).

A DataTable reads a text cell as Rich markup: a company named "Zeta [/] Labs" stopped the
app (MarkupError), "[bold]" in a name restyled it, "[@click=app.quit]" made it a button.
Cells hold what was imported or typed, so text is shown as it is written (and not parsed:
a page of 500 rows is put in faster).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

# Where a row is told the cursor (or the mouse) is when it is not on that row: no row
# has this index (the header's is -1).
ELSEWHERE = Coordinate(-2, -2)


def plain(cell: object, height: int | None) -> object:
    """A text cell as DataTable's own formatter makes it, without reading markup: wrapped
    unless the row is one line high, which shows the cell's first line only."""
    if not isinstance(cell, str):
        return cell
    if height == 1:
        cell = cell.split("\n", 1)[0]
    return Text(cell, no_wrap=height == 1, end="")


class Table(DataTable):
    def add_row(  # type: ignore[override]
        self, *cells: object, height: int | None = 1, key: str | None = None, label=None
    ) -> RowKey:
        return super().add_row(
            *(plain(c, height) for c in cells), height=height, key=key, label=label
        )

    def watch_virtual_size(self) -> None:
        # DataTable's own way to drop every line it rendered and paint again
        self.notify_style_update()

    def _row_index(self, row_key: RowKey) -> int:
        row = self._row_locations.get(row_key)
        return -1 if row is None else row  # None: the header

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list, list]:
        if self.cursor_type == "row":
            row = self._row_index(row_key)
            if cursor_location.row != row:
                cursor_location = ELSEWHERE
            if hover_location.row != row:
                hover_location = ELSEWHERE
        return super()._render_line_in_row(
            row_key, line_no, base_style, cursor_location, hover_location
        )

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        try:
            row = self._row_index(self._get_offsets(y)[0])
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        # DataTable's own key, but for where the cursor and the mouse are: whether they are
        # on this row. Kept in DataTable's line cache, so it goes whenever that is cleared.
        key = (
            "row cursor",
            y,
            x1,
            x2,
            self.size.width,
            self.cursor_coordinate.row == row,
            self.hover_coordinate.row == row,
            base_style,
            self.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        strip = self._line_cache.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._line_cache[key] = strip  # type: ignore[index]
        return strip
