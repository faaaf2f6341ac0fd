"""Spreadsheet plumbing for readers and writers: headers, escaping, safe saving."""

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook

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
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
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
