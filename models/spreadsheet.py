"""Spreadsheet plumbing for readers and writers: headers, escaping, safe saving."""

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATORS = re.compile(r"[,;\r\n]")  # between the items of a list cell


def normalise_header(text: object) -> str:
    """Header matching: case-insensitive; spaces, hyphens and underscores are equivalent."""
    return re.sub(r"[\s\-_]+", "_", str(text or "").strip().lower())


def escape_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(value: object) -> object:
    """Undo `escape_cell` when reading back a sheet this tool wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def cell_value(value: object) -> object:
    """A value safe to put in a cell: no formula, no characters xlsx forbids, empty text as
    empty, date-times without a time zone (xlsx keeps none)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return escape_cell(value)


def display_width(value: object) -> int:
    """How many character widths a value takes; wide (East Asian) characters count twice."""
    text = str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def append_rows(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    """Write rows below the sheet's last one, from column A, escaped (`cell_value`): quicker
    than cell by cell (fair-5000's 100,000 Assignments rows)."""
    for row in rows:
        sheet.append([cell_value(value) for value in row])


def fit_columns(sheet: Worksheet, from_row: int = 1, least: int = 6, most: int = 50) -> None:
    """Set each column's width to its longest content (from `from_row` down), within limits."""
    for cells in sheet.iter_cols(min_row=from_row):
        widths = [display_width(cell.value) for cell in cells if cell.value is not None]
        width = min(most, max(least, max(widths, default=0) + 2))
        sheet.column_dimensions[get_column_letter(cells[0].column)].width = width


def merge_across(sheet: Worksheet, rows: Iterable[int], columns: int) -> None:
    """Merge each row's first `columns` cells, all rows at once (rows that hold a value in
    column A alone). openpyxl's `merge_cells` compares each new range with every one before
    it: a large event's room lists, tens of thousands of lines, took minutes that way."""
    merged = [CellRange(min_col=1, min_row=row, max_col=columns, max_row=row) for row in rows]
    sheet.merged_cells = MultiCellRange([*sheet.merged_cells.ranges, *merged])


def print_heading(text: str) -> str:
    """Text for a printed page's header: Excel's codes start with "&", so "&" is doubled; at
    most 250 characters, as Excel keeps no more."""
    return text[:250].replace("&", "&&")


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Write to a temporary file beside the target, then rename it into place.

    The workbook is made in memory first: a disk that fills while openpyxl writes its zip
    archive left the archive open, and Python then printed its own traceback on top of
    the tool's one-line error.
    """
    content = io.BytesIO()
    workbook.save(content)
    write_bytes_atomically(Path(path), content.getvalue())


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text to a temporary file beside the target, then rename it into place."""
    write_bytes_atomically(Path(path), text.encode(encoding))


def write_bytes_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place (no partial
    file is left when writing fails)."""
    temporary = ""
    try:  # an interrupt right after the temporary file is made removes it too
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o666 & ~current_umask())
        try:
            os.replace(temporary, path)
        except OSError as failure:  # named after the target, not the temporary file
            raise OSError(
                failure.errno, f"cannot replace it ({failure.strerror})", str(path)
            ) from None
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text, every cell escaped like a spreadsheet cell; None as empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else escape_cell(value) for value in row])
    return buffer.getvalue()


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def split_list(text: object) -> tuple[str, ...]:
    """A list cell as a tuple of trimmed, non-empty items: separated by commas, or as people
    also type them, by semicolons or line breaks (Alt+Enter in Excel)."""
    if text is None:
        return ()
    return tuple(item.strip() for item in LIST_SEPARATORS.split(str(text)) if item.strip())
