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

DataTable renders every cell through Rich's whole layout machinery (a Padding inside a
Styled, rendered to lines, split, cropped and padded again): a screen of the accounts
list is ~500 cells, rendered again whenever its rows change (a sort, a filter, a page
turned). A cell of one line of plain text (every cell the app's tables show but their
headers) is rendered here as the one segment those steps make of it: the text cut or
padded to the column, the cell padding either side, one style; its width (what its
column is made as wide as) is its text's.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from retention_tui.screens.scrolling import quiet

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


def one_line(cell: object) -> str | None:
    """The text of a cell Rich would lay out as one line of unstyled text, or None."""
    if (
        type(cell) is not Text
        or cell._spans
        or cell.style
        or cell.justify not in (None, "default", "left")
        or cell.overflow not in (None, "fold", "crop")
    ):
        return None
    text = cell.plain
    return None if "\n" in text or "\t" in text else text


class Table(DataTable):
    BINDINGS = quiet(DataTable.BINDINGS)  # the cursor's keys: out of the help panel

    def add_row(  # type: ignore[override]
        self, *cells: object, height: int | None = 1, key: str | None = None, label=None
    ) -> RowKey:
        return super().add_row(
            *(plain(c, height) for c in cells), height=height, key=key, label=label
        )

    def watch_virtual_size(self) -> None:
        # DataTable's own way to drop every line it rendered and paint again
        self.notify_style_update()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        measured = []
        columns = self.ordered_columns
        for row_key in new_rows:
            texts = self._one_line_row(row_key)
            if texts is None:
                measured.append(row_key)  # DataTable measures it
                continue
            for column, text in zip(columns, texts, strict=True):
                column.content_width = max(column.content_width, cell_len(text))
        super()._update_dimensions(measured)

    def _one_line_row(self, row_key: RowKey) -> list[str] | None:
        """The texts of a row one line high whose cells are each one line of plain text,
        or None."""
        index = self._row_locations.get(row_key)
        row = self.rows.get(row_key)
        if index is None or row is None or row.height != 1 or row.label is not None:
            return None
        texts = [one_line(cell) for cell in self._get_row_renderables(index).cells]
        return None if None in texts else texts  # type: ignore[return-value]

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        text = self._one_line_cell(row_index, column_index, width)
        if text is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # DataTable's own key, its own cache
        key = (
            self._row_locations.get_key(row_index),
            self._column_locations.get_key(column_index),
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines = self._cell_render_cache.get(key)
        if lines is None:
            component_style, post_style = self._get_styles_to_render_cell(
                False,
                False,
                row_index < self.fixed_rows or column_index < self.fixed_columns,
                hover,
                cursor,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            style = (
                base_style
                + Style.from_meta({"row": row_index, "column": column_index})
                + component_style
                + post_style
            )
            pad = " " * self.cell_padding
            inner = set_cell_size(text, width - 2 * self.cell_padding)
            lines = [[Segment(pad + inner + pad, style)]]
            self._cell_render_cache[key] = lines
        return lines

    def _one_line_cell(self, row_index: int, column_index: int, width: int) -> str | None:
        """The text of a body cell in a row one line high that is one line of plain text
        (and wider than its padding), or None: DataTable renders that cell itself."""
        if row_index < 0 or column_index < 0 or width <= 2 * self.cell_padding:
            return None
        row = self.rows.get(self._row_locations.get_key(row_index))
        if row is None or row.height != 1:
            return None
        cells = self._get_row_renderables(row_index).cells
        return one_line(cells[column_index]) if column_index < len(cells) else None

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
