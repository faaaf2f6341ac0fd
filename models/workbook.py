"""The event workbook: the only place that knows its sheet and column names.

Reading collects every problem as an `Issue` and never raises for bad input.
A row whose ids cannot be read is dropped; a row with a bad value in another
column is kept with that column's default, so that the cross-reference checks
do not report the consequences of a problem already reported. Those checks are
skipped when a required sheet or column is missing.

Merged cells below the header row are filled: every cell of the range reads the
value of its top-left cell, with a warning naming the range. Only cells that exist are
visited, so a stray value far down or to the right costs nothing. Formulas read their
saved values and are never evaluated; one without a saved value is an error in its cell.
Files that are not workbooks, or that would make reading slow or unsafe, are refused
with one sentence before openpyxl parses them.
"""

import codecs
import difflib
import functools
import html
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, get_args, get_origin
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError
from python_calamine import CalamineError, CalamineWorkbook

from models.event import (
    MOST_WEIGHT,
    Event,
    Option,
    Participant,
    Preference,
    Rule,
    RuleKind,
    Session,
    SessionKind,
    Settings,
    Strength,
)
from models.issues import Issue, Level, errors, row_ranges
from models.spreadsheet import (
    cell_value,
    fit_columns,
    normalise_header,
    save_atomically,
    split_list,
    unescape_cell,
)
from models.validation import (
    normalise_references,
    suggest,
    validate_event,
    without_unknown_people,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_MERGED_CELLS = 100_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOT_XLSX = "not an Excel workbook (.xlsx): "
OTHER_OFFICE_FILES = {
    "xl/workbook.bin": "it is a binary workbook (.xlsb); save it as Excel Workbook (.xlsx)",
    "word/document.xml": "it is a Word document",
    "ppt/presentation.xml": "it is a PowerPoint presentation",
}
UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ParseError,
    zlib.error,
)
MIN_WIDTH, MAX_WIDTH = 8, 60

Grid = dict[int, dict[int, object]]
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
ERROR_TAG = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"')  # a cell holding an error value (#N/A)
CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')  # a cell as Excel and openpyxl write it
WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')  # a cell beyond column Z
PREFIXED_CELL = re.compile(rb"<\w+:c[\s>/]")  # a cell written with a namespace prefix
QUICK_CELLS = 20_000_000  # the largest area (A1 to a sheet's last cell) calamine may read
STYLES = "xl/styles.xml"
MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]*)"')
NUMBER_FORMAT_TAG = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*>")
CELL_FORMATS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.DOTALL)
CELL_FORMAT_TAG = re.compile(rb"<(?:\w+:)?xf\b[^>]*>")
HIDDEN_ROW_TAG = re.compile(  # a row hidden, or of no height (which shows it no more)
    rb"""<(?:\w+:)?row\b([^>]*?\b(?:hidden\s*=\s*["'](?:1|true)|ht\s*=\s*["']0+(?:\.0*)?)["'][^>]*)>"""
)
ROW_NUMBER = re.compile(rb"""\br\s*=\s*["']([0-9]{1,7})["']""")
NO_HEIGHT = re.compile(rb"""ht\s*=\s*["']0""")  # where a row may have no height (`hidden_rows`)
FILTER_TAG = re.compile(rb"<(?:\w+:)?autoFilter\b")
LITERAL = r'(?:"[^"]*"|\\.)*'  # a number format's quoted or escaped text ("P", \P)
PADDED_FORMAT = re.compile(rf"({LITERAL})(0+)({LITERAL})")  # 000, "P"000: P005 for 5
Model = TypeVar("Model")
Choice = TypeVar("Choice", bound=StrEnum)

AnySheet: TypeAlias = Worksheet | ReadOnlyWorksheet  # read whole, or quickly (`open_workbook`)


@dataclass(frozen=True)
class NoSavedValue:
    """A formula cell whose value was never saved: it reads as this, and is reported."""

    formula: str

    @property
    def message(self) -> str:
        """The problem in the organiser's words."""
        return (
            f'the formula "{shown(self.formula)}" has no saved value; '
            "open the file in Excel or LibreOffice and save it"
        )


Unsaved = dict[tuple[str, int, int], NoSavedValue]


@dataclass(frozen=True)
class Column:
    """One column of a sheet as the organiser sees it."""

    name: str
    required: bool
    meaning: str


@dataclass(frozen=True)
class Table:
    """One sheet of the event workbook and its columns, in SPEC order."""

    name: str
    required: bool
    meaning: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        """The column names in order."""
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """The columns a row cannot do without."""
        return [column.name for column in self.columns if column.required]


PARTICIPANTS = Table(
    "Participants",
    True,
    "one row per person; further columns are kept and may be used as attributes",
    (
        Column("id", True, "unique, non-empty text (registration number or email)"),
        Column("name", True, "display name, any script (Latin, Georgian, Korean, …)"),
        Column("email", False, "contact address"),
        Column("organisation", False, "the person's organisation"),
        Column("country", False, "the person's country"),
        Column("region", False, "the person's region"),
        Column(
            "group",
            False,
            "stakeholder group (e.g. local authority, international organisation, "
            "civil society, academia, next generation)",
        ),
        Column(
            "days",
            False,
            "comma-separated days (as in Sessions.day) the person attends; empty = all",
        ),
        Column(
            "needs",
            False,
            "comma-separated features the person's room must have (e.g. step-free)",
        ),
        Column(
            "registered",
            False,
            "date-time of registration: sessions over by then are left out (a late registration)",
        ),
    ),
)
SESSIONS = Table(
    "Sessions",
    True,
    "one row per slot of the programme",
    (
        Column("id", True, "unique"),
        Column("day", True, "date or label"),
        Column("start", False, "start time, shown in outputs"),
        Column("end", False, "end time, shown in outputs"),
        Column("title", False, "shown in outputs"),
        Column("kind", True, "choice, split or roundtable"),
        Column("rounds", False, "roundtables only; default 1"),
        Column(
            "audience",
            False,
            "comma-separated group values who take part; empty = everyone present that day; "
            "hosts always take part",
        ),
    ),
)
OPTIONS = Table(
    "Options",
    True,
    "one row per room, workshop or table of a session",
    (
        Column("session", True, "a Sessions.id"),
        Column("id", True, "unique within its session"),
        Column("title", False, "workshop theme or table name"),
        Column("room", False, "physical room or online room name"),
        Column("min", False, "minimum people if the option runs; default 0"),
        Column("max", True, "capacity (hosts included)"),
        Column("features", False, "comma-separated features the room offers"),
        Column(
            "hosts",
            False,
            "comma-separated participant ids fixed to this option (for every round)",
        ),
    ),
)
PREFERENCES = Table(
    "Preferences",
    True,
    "one row per wish",
    (
        Column("participant", True, "a Participants.id"),
        Column("session", True, "a Sessions.id"),
        Column("option", True, "an Options.id of that session"),
        Column("rank", True, "1 = first choice, 2 = second, …; no = never place me here"),
    ),
)
RULES = Table(
    "Rules",
    False,
    "the organiser's rules",
    (
        Column(
            "rule",
            True,
            "together, apart, assign (put in option) or forbid (never in option)",
        ),
        Column("participants", True, "comma-separated participant ids"),
        Column("session", False, "a Sessions.id; empty = every session where it applies"),
        Column("option", False, "an Options.id; required for assign and forbid"),
        Column("strength", False, "hard (default) or soft"),
        Column("weight", False, "for soft rules; default 1"),
    ),
)
SETTINGS = Table(
    "Settings",
    False,
    "weights, limits and seed, one per row; an empty value means the default",
    (
        Column("key", True, "the setting's name"),
        Column("value", True, "its value (the column must be there; an empty cell = default)"),
    ),
)
TABLES = (PARTICIPANTS, SESSIONS, OPTIONS, PREFERENCES, RULES, SETTINGS)
INSTRUCTIONS = "Instructions"
INTRODUCTION = (
    "Fill in one row per item below the header row of each sheet; leave optional cells empty.",
    "Header names may differ in case, spaces, hyphens and underscores; sheet names in case "
    "only (with a warning).",
    "Extra Participants columns are kept and may be used as attributes.",
    "Lists (days, needs, features, hosts, audience, participants) are comma-separated "
    "(semicolons and line breaks work too).",
    "Settings: one key and value per row; an empty value or a missing key means the default, "
    "but a list of columns (diversity, no_isolation, spread) written with an empty value "
    "means none: that criterion is off.",
    "Every row is read, hidden or not (by hand or by a filter): delete a row to leave it out.",
    "An id typed as a number reads as its cell shows it: 005 when the cell's format is 000.",
    "This Instructions sheet is not read.",
)
SETTING_MEANINGS = {
    "rank_costs": "cost of getting one's 1st, 2nd, 3rd, 4th… choice (last value repeats)",
    "unranked_cost": "cost of an option the person did not rank in a session where they "
    "ranked some",
    "weight_preference": "weight of the preference cost; 0 switches it off",
    "time_limit": "seconds the solver may use in total",
    "seed": "same input + same seed + same workers = same allocation",
    "workers": "sessions solved at the same time",
}


# ---------------------------------------------------------------- reading


def read_event(path: Path) -> tuple[Event | None, list[Issue]]:
    """The event in a workbook and every problem found; no event when any is an error."""
    path = Path(path)
    opened = open_workbook(path, quick=True)
    if isinstance(opened, Issue):
        return None, [opened]
    workbook = opened.workbook
    if is_allocation(workbook):
        found = "an allocation workbook (it has an Assignments sheet) where the event was expected"
        return None, [Issue(sheet=path.name, message=found)]
    issues: list[Issue] = []
    sheets = find_sheets(workbook, issues)
    rows = {
        table.name: read_rows(sheets.get(table.name), table, issues, opened) for table in TABLES
    }
    event = Event(
        participants=convert(rows[PARTICIPANTS.name], read_participant),
        sessions=convert(rows[SESSIONS.name], read_session),
        options=convert(rows[OPTIONS.name], read_option),
        preferences=convert(rows[PREFERENCES.name], read_preference),
        rules=convert(rows[RULES.name], read_rule),
        settings=read_settings(rows[SETTINGS.name] or []),
    )
    event, renamed = normalise_references(event)
    issues.extend(renamed)
    issues.extend(
        validate_event(event, {name for name, found in rows.items() if found is not None})
    )
    if not errors(issues):  # a rule left out is news only when the event can be solved
        event, dropped = without_unknown_people(event)
        issues.extend(dropped)
    return (None if errors(issues) else event), issues


@dataclass(frozen=True)
class HiddenRows:
    """The rows a worksheet hides, and whether it has a filter (which hides rows too)."""

    rows: tuple[int, ...] = ()
    filtered: bool = False


@dataclass
class Opened:
    """A workbook opened by `open_workbook`: openpyxl's, its formulas that lack a saved
    value, calamine's reader of the same file when it is read only and its sheets hold
    values alone (no formula, no error value), and the rows its worksheets' parts hide."""

    workbook: Workbook
    unsaved: Unsaved = field(default_factory=dict)
    quick: CalamineWorkbook | None = None
    hidden: dict[str, HiddenRows] = field(default_factory=dict)
    padded: bool = False  # a number format pads numbers: read as shown (`padded_number`)

    def hidden_rows(self, sheet: AnySheet) -> HiddenRows:
        """The rows a sheet hides: from its XML when read only (openpyxl reads no row
        properties then), else as openpyxl read them."""
        if isinstance(sheet, ReadOnlyWorksheet):
            return self.hidden.get(sheet._worksheet_path, HiddenRows())
        rows = sorted(
            row for row, size in sheet.row_dimensions.items() if size.hidden or size.ht == 0
        )
        return HiddenRows(tuple(rows), filtered=bool(sheet.auto_filter.ref))

    def values(self, sheet: ReadOnlyWorksheet) -> list[list[object]]:
        """A read-only sheet's rows as values, as openpyxl reads them (`sheet_values`): by
        calamine when it can, five to ten times quicker (300,000 rows: 2.4 s, not 12.7)."""
        rows = quick_values(self.quick, sheet.title) if self.quick else None
        return sheet_values(sheet, self.padded) if rows is None else rows


def open_workbook(path: Path, read_only: bool = False, quick: bool = False) -> Opened | Issue:
    """The workbook at `path` and its formulas that lack a saved value, or why it cannot be read.

    Formulas read as their saved values and are never evaluated. Everything that could make
    loading slow or unsafe (size, zip bombs, huge merges, XML entities) is refused first.
    `read_only` loads nothing until a sheet is read (`Opened.values`): for reading one sheet
    of many; formulas without a saved value then read as empty. `quick` reads that way too
    when the worksheets merge no cell and hold no formula, so that nothing is lost (5,000
    people: the event workbook in about half the time and memory). Read only, sheets that
    hold values alone are read by calamine (`SheetScan.quick`), about ten times quicker,
    unless a number's format pads it (`padded_styles`): calamine reads no formats.
    """
    data = read_bytes(path)
    if isinstance(data, str):
        return Issue(sheet=path.name, message=data)
    try:
        problem = not_a_workbook(data)
        scan = scan_worksheets(data) if problem is None else SheetScan()
        problem = problem or merge_problem(scan)
        if problem is None:
            read_only = read_only or (quick and not scan.merged and not scan.formulas)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=read_only)
                unsaved = scan.formulas and not read_only
                return Opened(
                    workbook,
                    unsaved_formulas(data, workbook) if unsaved else {},
                    calamine(data) if read_only and scan.quick and not scan.padded else None,
                    scan.hidden,
                    scan.padded,
                )
    except UNREADABLE as error:
        problem = NOT_XLSX + damage(error)
    return Issue(sheet=path.name, message=problem or "cannot be read")


def sheet_values(sheet: ReadOnlyWorksheet, padded: bool = False) -> list[list[object]]:
    """A sheet's rows as values, each as far as its last cell (a row without cells empty);
    with `padded`, numbers as their formats show them (`padded_number`).

    Rows are not widened to the sheet's width, so a stray value in a far corner
    (XFD1048576) costs one long row and a million empty ones, not a billion empty cells.
    """
    sheet.reset_dimensions()
    if padded:
        cells = sheet.iter_rows()
        return [[padded_number(cell.value, cell.number_format) for cell in row] for row in cells]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def calamine(data: bytes) -> CalamineWorkbook | None:
    """calamine's reader of a workbook's bytes; None when it cannot read them (openpyxl
    does, or says what is wrong)."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError:
        return None


def quick_values(book: CalamineWorkbook, title: str) -> list[list[object]] | None:
    """A sheet's rows read by calamine as openpyxl reads them (`plain_value`), each as far as
    its last value; None when calamine cannot."""
    try:
        rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except CalamineError:
        return None
    return [without_trailing_blanks([plain_value(value) for value in row]) for row in rows]


def plain_value(value: object) -> object:
    """A value read by calamine as openpyxl gives it: an empty cell None, a whole number an
    int, a date a date-time at midnight."""
    if isinstance(value, str) and not value:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def without_trailing_blanks(row: list[object]) -> list[object]:
    """A row as far as its last value."""
    while row and row[-1] is None:
        row.pop()
    return row


def damage(error: BaseException) -> str:
    """What is wrong inside a workbook that could not be loaded, on one line."""
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__
    if cause is not None:
        return "it declares XML entities, which are refused for safety"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"the file is damaged ({first_line})"


def read_bytes(path: Path) -> bytes | str:
    """The file's content, or a sentence saying why it cannot be read."""
    try:
        if path.is_dir():
            return "is a folder, not a file"
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = megabytes(MAX_FILE_BYTES)
            return f"the file is {megabytes(size)} MB; the limit is {limit} MB"
        if size == 0:
            return "the file is empty"
        return path.read_bytes()
    except FileNotFoundError:
        return "file not found"
    except OSError as error:
        return f"cannot read the file ({error.strerror or error})"


@dataclass(frozen=True)
class SheetScan:
    """What the worksheets' XML shows before it is parsed: merged cells, formulas, and
    whether calamine may read the sheets (`quick`)."""

    merged: int = 0
    largest: str = ""
    formulas: bool = False
    quick: bool = False  # values alone (no formula, error value or XML entity), small areas
    padded: bool = False  # a cell's number format pads its number (`padded_styles`)
    hidden: dict[str, HiddenRows] = field(default_factory=dict)  # by worksheet part


def scan_worksheets(data: bytes) -> SheetScan:
    """Count merged cells and look for formulas, error values and XML entities in the
    worksheets' XML, without parsing it.

    openpyxl makes one object per merged cell, so merging whole columns would keep it busy
    for minutes (and a merge of the whole sheet for ever); such workbooks are refused first.
    """
    merged, largest, largest_size, formulas, quick, padded = 0, "", 0, False, True, False
    hidden: dict[str, HiddenRows] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        styles = padded_styles(archive.read(STYLES)) if STYLES in names else None
        for name in names:
            if not name.startswith("xl/worksheets/"):
                continue
            xml = archive.read(name)
            formulas = formulas or holds_formula(xml)
            padded = padded or (styles is not None and styles.search(xml) is not None)
            if rows := hidden_rows(xml):
                hidden[name] = HiddenRows(rows, FILTER_TAG.search(xml) is not None)
            quick = quick and not formulas and calamine_may_read(xml)
            for found in MERGE_TAG.findall(xml) if b"mergeCell" in xml else ():
                ref = found.decode("ascii", "replace")
                size = cell_count(ref)
                merged += size
                if size > largest_size:
                    largest, largest_size = ref, size
    return SheetScan(merged, largest, formulas, quick, padded, hidden)


def holds_formula(xml: bytes) -> bool:
    """Whether a worksheet's XML holds a formula (`FORMULA_TAG`), looked for only when a tag
    could start so: a search of the bytes is ten times quicker than the pattern's."""
    return (b"<f" in xml or b":f" in xml) and FORMULA_TAG.search(xml) is not None


def hidden_rows(xml: bytes) -> tuple[int, ...]:
    """The numbers of the rows a worksheet's XML hides, or gives no height (those it
    numbers); the tags are looked at only when the XML says `hidden` or a height of 0 at
    all (300,000 rows: 0.06 s, where the pattern alone takes 0.5)."""
    if b"hidden" not in xml and NO_HEIGHT.search(xml) is None:
        return ()
    numbers = (ROW_NUMBER.search(tag) for tag in HIDDEN_ROW_TAG.findall(xml))
    return tuple(int(number.group(1)) for number in numbers if number)


def padded_styles(styles: bytes) -> re.Pattern[bytes] | None:
    """What finds, in a worksheet's XML, a cell with a value whose style shows a whole number
    otherwise than as its digits (`padding_of`); None when no cell style does. A format
    defined but given to no cell, or to empty cells alone, costs nothing: such workbooks are
    still read quickly."""
    padding: set[bytes] = set()
    for tag in NUMBER_FORMAT_TAG.findall(styles):
        number, code = xml_attribute(tag, b"numFmtId"), xml_attribute(tag, b"formatCode")
        text = html.unescape(code.decode("utf-8", "replace")) if code is not None else ""
        if number is not None and padding_of(text):
            padding.add(number)
    if not padding:
        return None
    block = CELL_FORMATS.search(styles)
    tags = CELL_FORMAT_TAG.findall(block.group()) if block else []
    used = [str(index).encode() for index, tag in enumerate(tags) if format_id(tag) in padding]
    if not used:
        return None
    styled = rb"""<(?:\w+:)?c\b[^>]*\bs\s*=\s*["'](?:%s)["'][^>]*>\s*<(?:\w+:)?v>"""
    return re.compile(styled % b"|".join(used))  # a cell with a value: empty ones are many


def xml_attribute(tag: bytes, name: bytes) -> bytes | None:
    """An attribute's value in an XML tag, or None."""
    found = re.search(rb"""\b%s\s*=\s*["']([^"']*)["']""" % name, tag)
    return found.group(1) if found else None


def format_id(tag: bytes) -> bytes:
    """The number format of a cell style's `xf` tag (0, General, when it names none)."""
    return xml_attribute(tag, b"numFmtId") or b"0"


class ShownNumber(str):
    """A whole number read as the text its format shows ("005" for 5 under 000): an id,
    where an id is read; its `number` where a number is (`as_number`, `whole_number`), so
    that a format such as `0" seats"` changes no capacity."""

    number: int

    def __new__(cls, text: str, number: int) -> "ShownNumber":
        shown = super().__new__(cls, text)
        shown.number = number
        return shown


def padded_number(value: object, number_format: str | None) -> object:
    """A whole number as its number format shows it when that format pads it with zeros or
    puts text around it ("005" for 5 under 000, "P005" under "P"000): ids typed as numbers
    read as they look (`ShownNumber`). Anything else as it is."""
    number = whole_number(value) if isinstance(value, int | float) else None
    if number is None or number < 0 or number_format is None:
        return value
    padding = padding_of(number_format)
    if padding is None:
        return value
    before, zeros, after = padding
    return ShownNumber(f"{before}{number:0{zeros}d}{after}", number)


@functools.cache
def padding_of(number_format: str) -> tuple[str, int, str] | None:
    """The text before, the number of zeros and the text after of a number format that pads
    a whole number or puts text around it (`PADDED_FORMAT`); None for any other format, `0`
    (the digits alone) too."""
    found = PADDED_FORMAT.fullmatch(number_format)
    if found is None:
        return None
    before, zeros, after = found.groups()
    shown = (format_text(before), len(zeros), format_text(after))
    return None if shown == ("", 1, "") else shown


def format_text(literal: str) -> str:
    """A number format's literal text as shown: quotes and escaping backslashes removed."""
    return re.sub(r'"([^"]*)"|\\(.)', lambda found: found.group(1) or found.group(2) or "", literal)


def calamine_may_read(xml: bytes) -> bool:
    """Whether calamine reads a worksheet's XML as openpyxl does, and safely: no error value
    (calamine reads #N/A as empty), no XML entity, and every cell placed by its reference
    within `QUICK_CELLS` of A1. calamine holds a sheet's area from A1 to its last cell at
    once: a stray value in a far corner (XFD1048576) would take it all the memory there is."""
    if b"<!ENTITY" in xml or (b't="e"' in xml and ERROR_TAG.search(xml)):
        return False
    cells = sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/>"))
    rows = CELL_ROW.findall(xml)
    prefixed = b":c" in xml and PREFIXED_CELL.search(xml) is not None
    if len(rows) != cells or prefixed:  # a cell without its reference first, or a prefix
        return False
    wide = {column_index_from_string(column.decode()) for column in set(WIDE_CELL.findall(xml))}
    columns = max(wide, default=26 if rows else 0)
    return max(map(int, rows), default=0) * columns <= QUICK_CELLS


def cell_count(ref: str) -> int:
    """The number of cells in a range such as A2:B9; 0 when it is not one."""
    try:
        low_column, low_row, high_column, high_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0
    if None in (low_column, low_row, high_column, high_row):
        return 0
    return (high_column - low_column + 1) * (high_row - low_row + 1)


def merge_problem(scan: SheetScan) -> str | None:
    """Why the workbook merges too many cells to be read, or None."""
    if scan.merged <= MAX_MERGED_CELLS:
        return None
    return (
        f"the workbook merges {scan.merged} cells (the largest range is {scan.largest}); "
        f"the limit is {MAX_MERGED_CELLS}: unmerge them and save the file again"
    )


def unsaved_formulas(data: bytes, workbook: Workbook) -> Unsaved:
    """Formula cells that have no saved value, by sheet title, row and column.

    Excel and LibreOffice save each formula's value beside it; files written by programs
    often do not. The formulas are loaded (a second time) only when the sheets hold any.
    """
    formulas = load_workbook(io.BytesIO(data))
    found: Unsaved = {}
    for sheet in workbook.worksheets:
        for (row, column), cell in formulas[sheet.title]._cells.items():
            saved = sheet._cells.get((row, column))
            empty_text = saved is not None and saved.data_type == "str"  # ="" saved as <v></v>
            if cell.data_type == "f" and (saved is None or saved.value is None) and not empty_text:
                text = getattr(cell.value, "text", cell.value)
                found[sheet.title, row, column] = NoSavedValue(str(text))
    return found


def megabytes(size: int) -> int:
    """A byte count in whole megabytes, rounded up."""
    return -(-size // (1024 * 1024))


def not_a_workbook(data: bytes) -> str | None:
    """Why these bytes are not an .xlsx workbook, or None when they may be one."""
    if data.startswith(OLE_MAGIC):
        return NOT_XLSX + ole_kind(data)
    if not data.startswith(b"PK"):
        kind = "it is a text file (CSV?)" if looks_like_text(data) else "unknown file type"
        return NOT_XLSX + kind + "; save it as Excel Workbook (.xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except UNREADABLE as error:
        return NOT_XLSX + damage(error)
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return NOT_XLSX + "it is an OpenDocument file (.ods); save it as Excel Workbook (.xlsx)"
    for part, kind in OTHER_OFFICE_FILES.items():
        if part in names:
            return NOT_XLSX + kind
    if "[Content_Types].xml" not in names:
        return NOT_XLSX + "it is a zip archive of another kind"
    return unpacking_problem(unpacked, len(data)) or empty_chart_sheet(names)


def empty_chart_sheet(names: set[str]) -> str | None:
    """A chart sheet without a chart, which openpyxl cannot load (Excel writes none such;
    other programs may)."""
    for name in sorted(names):
        folder, _, part = name.rpartition("/")
        if folder == "xl/chartsheets" and f"{folder}/_rels/{part}.rels" not in names:
            return "a chart sheet holds no chart and cannot be read; delete that sheet"
    return None


def ole_kind(data: bytes) -> str:
    """What an OLE compound file (the container of .xls and of encrypted workbooks) holds."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "it is protected by a password; remove the password and save it again"
    if any(name.encode("utf-16-le") + b"\0\0" in data for name in ("Workbook", "Book")):
        return "it is an old Excel 97-2003 file (.xls); save it as Excel Workbook (.xlsx)"
    return (
        "it is an old .xls file or a password-protected workbook; "
        "save it as .xlsx without a password"
    )


def unpacking_problem(unpacked: int, packed: int) -> str | None:
    """Why a workbook that unpacks to `unpacked` bytes is refused, or None."""
    if unpacked > MAX_UNPACKED_BYTES:
        limit = megabytes(MAX_UNPACKED_BYTES)
        return f"the workbook unpacks to {megabytes(unpacked)} MB; the limit is {limit} MB"
    if unpacked > RATIO_FLOOR_BYTES and unpacked > MAX_RATIO * packed:
        return (
            f"the workbook unpacks to {megabytes(unpacked)} MB from {megabytes(packed)} MB, "
            f"more than {MAX_RATIO} times its size; refused as a possible zip bomb"
        )
    return None


def looks_like_text(data: bytes) -> bool:
    """True when the start of the file decodes as text (UTF-8, or UTF-16 with its mark)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > 4090
    return b"\x00" not in data[:4096]


def is_allocation(workbook: Workbook) -> bool:
    """True for a workbook with an Assignments sheet and no Participants sheet: what `solve`
    writes, given where an event workbook was wanted."""
    titles = {title.strip().casefold() for title in workbook.sheetnames}
    return "assignments" in titles and "participants" not in titles


def find_sheets(workbook: Workbook, issues: list[Issue]) -> dict[str, AnySheet]:
    """The event's worksheets by SPEC name; a name in other case is accepted with a warning."""
    present = {sheet.title: sheet for sheet in workbook.worksheets}
    by_folded = {title.strip().casefold(): title for title in reversed(list(present))}
    found: dict[str, AnySheet] = {}
    for table in TABLES:
        title = table.name if table.name in present else by_folded.get(table.name.casefold())
        if title is not None:
            found[table.name] = present[title]
            if title != table.name:
                message = f'the sheet is named "{title}"; read as {table.name}'
                issues.append(Issue(level=Level.WARNING, sheet=table.name, message=message))
        elif table.required:
            others = [name for name in present if name not in {t.name for t in TABLES}]
            message = "missing sheet" + suggest(table.name, others)
            issues.append(Issue(sheet=table.name, message=message))
    return found


@dataclass
class Sheet:
    """A sheet being read: its name, the problems found and ids whose spaces were removed."""

    name: str
    issues: list[Issue]
    trimmed: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def report(
        self, row: int | None, column: str | None, message: str, level: Level = Level.ERROR
    ) -> None:
        """Record one problem."""
        self.issues.append(
            Issue(level=level, sheet=self.name, row=row, column=column, message=message)
        )

    def report_trimmed(self) -> None:
        """One warning per column in which spaces around ids were removed."""
        for column, found in self.trimmed.items():
            row, value = found[0]
            more = f" (and in {len(found) - 1} more rows)" if len(found) > 1 else ""
            message = f'spaces around "{value}" were removed{more}'
            self.report(row, column, message, Level.WARNING)
        self.trimmed.clear()


@dataclass
class Cells:
    """One data row by normalised column name; conversions report their own problems."""

    sheet: Sheet
    row: int
    values: dict[str, object]
    extra: dict[str, object] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)

    def problem(self, column: str, message: str, level: Level = Level.ERROR) -> None:
        """Record an error (or warning) in one cell of this row; a cell gets at most one."""
        if column not in self.reported:
            self.reported.add(column)
            self.sheet.report(self.row, column, message, level)

    def raw(self, column: str) -> object:
        """The cell's value; None when empty or when it shows a formula error."""
        value = self.values.get(column)
        if isinstance(value, str) and value[:1].isalnum():
            return value  # most cells: no quote, no error value (#N/A), no space around
        value = unescape_cell(value)
        if isinstance(value, NoSavedValue):
            self.problem(column, value.message)
            return None
        if isinstance(value, str) and value.strip() in ERROR_CODES:
            self.problem(column, f"the cell shows the error {value.strip()}")
            return None
        if isinstance(value, str) and not tidy(value):
            return None
        return value

    def text(self, column: str) -> str:
        """The cell as trimmed text; empty when empty."""
        return cell_text(self.raw(column))

    def attribute(self, column: str) -> str:
        """An extra column's cell as text, error values included."""
        value = unescape_cell(self.extra.get(column))
        if isinstance(value, NoSavedValue):
            self.problem(column, value.message)
            return ""
        return cell_text(value)

    def required(self, column: str) -> str:
        """The cell as text; an empty cell is a problem."""
        text = self.text(column)
        if not text:
            self.problem(column, "a value is required")
        return text

    def ident(self, column: str, required: bool = True) -> str:
        """An id: spaces around it are removed (with a warning, once per column)."""
        value = self.raw(column)
        text = cell_text(value)
        if isinstance(value, str) and text != value:
            self.sheet.trimmed.setdefault(column, []).append((self.row, text))
        if required and not text:
            self.problem(column, "a value is required")
        return text

    def items(self, column: str) -> tuple[str, ...]:
        """A comma-separated list."""
        return split_list(self.text(column))

    def day(self, column: str) -> str:
        """A day label; a date cell (with or without a time) as YYYY-MM-DD."""
        value = self.raw(column)
        return value.date().isoformat() if isinstance(value, datetime) else self.text(column)

    def days(self, column: str) -> tuple[str, ...]:
        """A comma-separated list of days; a date cell as one YYYY-MM-DD day."""
        value = self.raw(column)
        return (self.day(column),) if isinstance(value, datetime) else self.items(column)

    def whole(self, column: str, default: int, minimum: int, most: int | None = None) -> int:
        """A whole number from `minimum` to `most`; the default when empty or wrong."""
        value = self.raw(column)
        if value is None:
            return default
        number = whole_number(value)
        if number is None:
            self.problem(column, f'"{shown(value)}" is not a whole number')
            return default
        if number < minimum:
            self.problem(column, f"must be at least {minimum}, not {number}")
            return default
        if most is not None and number > most:
            self.problem(column, f"must be at most {most}, not {number}")
            return default
        return number

    def rank(self, column: str) -> int | None:
        """A positive whole number, or None for `no` (and for a wrong value, reported)."""
        value = self.raw(column)
        if value is None:
            self.problem(column, "a value is required")
            return None
        if says_no(value):
            return None
        number = whole_number(value)
        if number is None or number < 1:
            self.problem(column, f'"{shown(value)}" is not a rank (1, 2, 3, … or no)')
            return None
        return number

    def choice(self, column: str, kinds: type[Choice], noun: str) -> Choice | None:
        """One of an enumeration's values, in any case; None when empty or wrong (reported)."""
        text = self.text(column)
        if not text:
            return None
        try:
            return kinds(text.casefold())
        except ValueError:
            allowed = ", ".join(kind.value for kind in kinds)
            self.problem(column, f'"{shown(text)}" is not {noun} ({allowed})')
            return None

    def moment(self, column: str) -> datetime | None:
        """A date and time; None when empty or wrong."""
        value = self.raw(column)
        if value is None:
            return None
        moment = as_datetime(value)
        if moment is None:
            example = "e.g. 2025-03-01 14:30"
            self.problem(column, f'"{shown(value)}" is not a date and time ({example})')
        return moment


def read_rows(
    sheet: AnySheet | None, table: Table, issues: list[Issue], opened: Opened
) -> list[Cells] | None:
    """The non-empty data rows of a sheet below its header row (row 1, or the row a title
    above it pushed down); None when a required sheet or column is missing."""
    if sheet is None:
        return None if table.required else []
    log = Sheet(table.name, issues)
    grid = sheet_grid(sheet, opened)
    if not grid and table.required:  # read as no rows, the event was "optimal" and empty
        headers = ", ".join(table.required_columns)
        log.report(None, None, f"the sheet is empty; its first row needs the headers {headers}")
        return None
    if not grid:
        return []
    fill_merged(sheet, grid, log)
    top = header_row_below(grid, table) or 1
    if top > 1:
        message = f"the headers are in row {top}; the rows above them are ignored"
        log.report(top, None, message, Level.WARNING)
    columns = header_columns(grid.get(top, {}), table, log, top)
    missing = [name for name in table.required_columns if name not in columns.values()]
    for name in missing:
        log.report(None, name, "missing required column")
    warn_headerless(grid, columns, log, top)
    read = [
        row for row, values in grid.items() if row > top and not columns.keys().isdisjoint(values)
    ]
    warn_hidden(opened.hidden_rows(sheet), read, log)
    if missing:
        return None
    known = set(table.headers)
    ours = {column: name for column, name in columns.items() if name in known}
    extra = {column: name for column, name in columns.items() if name not in known}
    return [
        Cells(
            log,
            number,
            {name: grid[number].get(column) for column, name in ours.items()},
            {name: grid[number].get(column) for column, name in extra.items()},
        )
        for number in read
    ]


def header_row_below(grid: Grid, table: Table) -> int | None:
    """The row below row 1 that holds the sheet's required headers, when row 1 lacks them (a
    title typed above the table); else the row near the top with the most of the sheet's
    headers, when that is not row 1 (a header worded otherwise below a title: the missing
    columns are that row's); None when row 1 has them, or the most."""

    def headers_in(row: int) -> set[str]:
        return {normalise_header(value) for value in grid.get(row, {}).values()}

    if not table.required_columns or set(table.required_columns) <= headers_in(1):
        return None
    below = [row for row in sorted(grid) if 1 < row <= HEADER_SEARCH_ROWS]
    full = next((row for row in below if set(table.required_columns) <= headers_in(row)), None)
    if full is not None:
        return full
    known = set(table.headers)
    most = max(below, key=lambda row: len(headers_in(row) & known), default=None)
    ahead = most is not None and len(headers_in(most) & known) > len(headers_in(1) & known)
    return most if ahead else None


def sheet_grid(sheet: AnySheet, opened: Opened) -> Grid:
    """The sheet's non-blank values by row and column number, in row order.

    Only cells that exist are visited, so a stray value in a far corner of the sheet
    (XFD1048576) costs one cell, not a billion empty ones. Below the header, a formula
    without a saved value reads as `NoSavedValue`.
    """
    grid: Grid = {}
    if isinstance(sheet, ReadOnlyWorksheet):  # read quickly: no formulas, no merged cells
        for row, values in enumerate(opened.values(sheet), start=1):
            cells = {column: value for column, value in enumerate(values, 1) if not is_blank(value)}
            if cells:
                grid[row] = cells
        return grid
    for (row, column), cell in sheet._cells.items():
        value = opened.unsaved.get((sheet.title, row, column)) if row > 1 else None
        if value is not None or not is_blank(cell.value):
            grid.setdefault(row, {})[column] = value or padded_number(
                cell.value, cell.number_format
            )
    return {row: dict(sorted(grid[row].items())) for row in sorted(grid)}


HEADER_SEARCH_ROWS = 10  # how far down a header row is looked for (a title above it)
PARTICIPANT_WORDS = {  # words in a header that mean a Participants column
    "email": {"email", "mail", "emails"},
    "registered": {"registered", "registration", "registrations"},
    "days": {"days", "day", "attending", "attendance"},
    "needs": {"needs", "need", "accessibility", "access", "requirements"},
    "organisation": {"organisation", "organization", "affiliation", "institution"},
    "group": {"group", "groups", "stakeholder", "stakeholders", "actor"},
    "region": {"region", "regions"},
    "country": {"country", "nationality"},
}


HEADER_FILLERS = {  # words a header adds around a column's name ("Email Address", "Your days")
    *("address", "date", "time", "name", "list", "special", "your", "the", "of", "any"),
    *("do", "you", "have", "are", "what", "which", "participant", "participants", "attending"),
}


def header_columns(
    header: dict[int, object], table: Table, log: Sheet, row: int = 1
) -> dict[int, str]:
    """Column number to normalised header; duplicates and unknown columns are reported (at
    the header's `row`)."""
    columns: dict[int, str] = {}
    first: dict[str, int] = {}
    for column, value in header.items():
        name = normalise_header(value)
        if not name:
            continue
        if name in first:
            where = f"{get_column_letter(first[name])} and {get_column_letter(column)}"
            log.report(row, name, f"the column appears twice (columns {where})")
            continue
        first[name] = column
        columns[column] = name
        if name not in table.headers:
            warn_unknown_column(name, table, log, row)
    return columns


def warn_unknown_column(name: str, table: Table, log: Sheet, row: int = 1) -> None:
    """Participants keep unknown columns as attributes (a warning only when the header looks
    like one of theirs: "Email Address", "Accessibility needs"); other sheets ignore them."""
    if table is PARTICIPANTS:
        hint = participant_column_hint(name)
        if hint:
            log.report(row, name, "kept as an attribute" + hint, Level.WARNING)
        return
    log.report(row, name, "unknown column, ignored" + suggest(name, table.headers), Level.WARNING)


def participant_column_hint(name: str) -> str:
    """' (did you mean …?)' for a Participants header that names one of its columns in other
    words or spells it nearly so; nothing for an attribute of the organiser's own (gender),
    nor for a header whose other words say what else it is (dietary needs, working group)."""
    words = set(re.split(r"[\W_]+", name)) - {""}
    for column, synonyms in PARTICIPANT_WORDS.items():
        if words & synonyms and words <= synonyms | HEADER_FILLERS:
            return f' (did you mean "{column}"?)'
    close = difflib.get_close_matches(name, PARTICIPANTS.headers, n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""


def warn_headerless(grid: Grid, columns: dict[int, str], log: Sheet, top: int = 1) -> None:
    """Values below the header row in a column without a header are ignored, with a warning."""
    header = grid.get(top, {})
    headerless = {
        column
        for row, values in grid.items()
        if row > top
        for column in values
        if column not in columns and not normalise_header(header.get(column))
    }
    for column in sorted(headerless):
        log.report(top, None, no_header(column), Level.WARNING)


def warn_hidden(hidden: HiddenRows, read: list[int], log: Sheet) -> None:
    """One warning for the rows read (values under a header, below it) that are hidden."""
    message = hidden_warning(hidden, read)
    if message:
        log.report(None, None, message, Level.WARNING)


def hidden_warning(hidden: HiddenRows, data_rows: Iterable[int]) -> str:
    """What is said of the data rows that are hidden (by hand or by a filter): they are read
    all the same, as a filter's view is not a deletion; "" when none is."""
    shown = set(data_rows)
    rows = [row for row in hidden.rows if row in shown]
    if not rows:
        return ""
    which = f"row {rows[0]} is" if len(rows) == 1 else f"rows {row_ranges(rows)} are"
    how = " (the sheet has a filter)" if hidden.filtered else ""
    read = "it is" if len(rows) == 1 else "they are"
    return f"{which} hidden{how}; {read} read all the same (delete a row to leave it out)"


def no_header(column: int) -> str:
    """What is said of a column (numbered from 1) with values below the header row but none."""
    return f"column {get_column_letter(column)} has values but no header; it is ignored"


def fill_merged(sheet: AnySheet, grid: Grid, log: Sheet) -> None:
    """Every cell of a merged range below the header reads its top-left value.

    Only rows with a value of their own are filled: a merged cell that runs over
    empty rows does not turn them into items.
    """
    if isinstance(sheet, ReadOnlyWorksheet):
        return  # read quickly only when nothing is merged
    for merged in sorted(sheet.merged_cells.ranges, key=lambda cells: cells.coord):
        value = grid.get(merged.min_row, {}).get(merged.min_col)
        if merged.min_row < 2 or value is None:
            continue
        rows = [row for row in range(merged.min_row, merged.max_row + 1) if row in grid]
        for row in rows:
            for column in range(merged.min_col, merged.max_col + 1):
                grid[row][column] = value
        message = f'cells {merged.coord} are merged; each reads "{shown(value)}"'
        log.report(merged.min_row, None, message, Level.WARNING)


def convert(rows: list[Cells] | None, build: Callable[[Cells], Model | None]) -> list[Model]:
    """The models built from a sheet's rows; rows that cannot be built are left out."""
    if not rows:
        return []
    models = []
    for cells in rows:
        try:
            model = build(cells)
        except ValidationError as error:
            report_invalid(cells, error)
            continue
        if model is not None:
            models.append(model)
    rows[0].sheet.report_trimmed()
    return models


def report_invalid(cells: Cells, error: ValidationError) -> None:
    """A model's own validation, as issues (the cell conversions usually catch it first)."""
    for problem in error.errors():
        column = str(problem["loc"][0]) if problem["loc"] else None
        cells.sheet.report(cells.row, column, problem["msg"])


def read_participant(cells: Cells) -> Participant | None:
    """A Participants row; None without an id."""
    person_id = cells.ident("id")
    name = cells.required("name")
    extra = {key: cells.attribute(key) for key in cells.extra}
    if not person_id:
        return None
    return Participant(
        row=cells.row,
        id=person_id,
        name=name,
        email=cells.text("email"),
        organisation=cells.text("organisation"),
        country=cells.text("country"),
        region=cells.text("region"),
        group=cells.text("group"),
        days=cells.days("days"),
        needs=cells.items("needs"),
        registered=cells.moment("registered"),
        extra={key: value for key, value in extra.items() if value},
    )


def read_session(cells: Cells) -> Session | None:
    """A Sessions row; None without an id. A wrong kind reads as a roundtable when it has rounds."""
    session_id = cells.ident("id")
    day = cells.day("day")
    if not day:
        cells.problem("day", "a value is required")
    rounds = cells.whole("rounds", 1, 1)
    kind = cells.choice("kind", SessionKind, "a session kind")
    if not cells.text("kind"):
        cells.problem("kind", "a value is required")
    if kind is None:
        kind = SessionKind.ROUNDTABLE if rounds > 1 else SessionKind.CHOICE
    if not session_id:
        return None
    return Session(
        row=cells.row,
        id=session_id,
        day=day,
        kind=kind,
        title=cells.text("title"),
        start=cells.text("start"),
        end=cells.text("end"),
        rounds=rounds,
        audience=cells.items("audience"),
    )


def read_option(cells: Cells) -> Option | None:
    """An Options row; None without its session and id."""
    session = cells.ident("session")
    option_id = cells.ident("id")
    low = cells.whole("min", 0, 0)
    if cells.raw("max") is None:
        cells.problem("max", "a value is required")
    high = cells.whole("max", low, 0)
    if not session or not option_id:
        return None
    return Option(
        row=cells.row,
        session=session,
        id=option_id,
        max=high,
        min=low,
        title=cells.text("title"),
        room=cells.text("room"),
        features=cells.items("features"),
        hosts=cells.items("hosts"),
    )


def says_no(value: object) -> bool:
    """Whether a rank cell says `no` (never this option)."""
    return isinstance(value, str) and value.strip().casefold() == "no"


def read_preference(cells: Cells) -> Preference | None:
    """A Preferences row; None without its three ids or a readable rank (the wrong rank is
    reported; read as `no`, it was also reported as a veto twice given)."""
    participant = cells.ident("participant")
    session = cells.ident("session")
    option = cells.ident("option")
    rank = cells.rank("rank")
    if not (participant and session and option):
        return None
    if rank is None and not says_no(cells.raw("rank")):
        return None
    return Preference(
        row=cells.row, participant=participant, session=session, option=option, rank=rank
    )


def read_rule(cells: Cells) -> Rule | None:
    """A Rules row; None without a known rule or its participants."""
    kind = cells.choice("rule", RuleKind, "a rule")
    if not cells.text("rule"):
        cells.problem("rule", "a value is required")
    participants = cells.items("participants")
    if not participants:
        cells.problem("participants", "a value is required")
    chosen = cells.choice("strength", Strength, "a strength")
    strength = chosen or Strength.HARD
    session = cells.ident("session", required=False)
    option = cells.ident("option", required=False)
    weight = cells.whole("weight", 1, 0, MOST_WEIGHT)
    hard = chosen is Strength.HARD or not cells.text("strength")
    if hard and weight != 1:  # 1: the default, written by `write_event` for every rule
        message = "a hard rule always holds: its weight counts for nothing (make it soft)"
        cells.problem("weight", message, Level.WARNING)
    if kind is None or not participants:
        return None
    return Rule(
        row=cells.row,
        kind=kind,
        participants=participants,
        session=session,
        option=option,
        strength=strength,
        weight=weight,
    )


def read_settings(rows: list[Cells]) -> Settings:
    """The Settings sheet; unknown keys are warnings (later versions add keys)."""
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    for cells in rows:
        key = normalise_header(cells.text("key"))
        raw = cells.raw("value")
        if not key:
            if raw is not None:
                cells.problem("key", "a value is required")
            continue
        if key not in Settings.model_fields:
            message = f'unknown setting "{key}", ignored' + suggest(key, Settings.model_fields)
            cells.sheet.report(cells.row, "key", message, Level.WARNING)
            continue
        if key in seen:
            cells.problem("key", f'"{key}" is already set in row {seen[key]}')
            continue
        seen[key] = cells.row
        if raw is None:
            if is_column_list(key):
                values[key] = ()  # the key written with nothing: no such columns
            continue
        value = read_setting(cells, key, raw)
        if value is not None:
            values[key] = value
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        message = f"the settings do not fit together: {error.errors()[0]['msg']}"
        rows[0].sheet.report(None, None, message)
        return Settings()


def is_column_list(key: str) -> bool:
    """A setting that lists Participants columns (diversity, no_isolation, spread)."""
    annotation = Settings.model_fields[key].annotation
    return get_origin(annotation) is tuple and get_args(annotation) == (str, ...)


def read_setting(cells: Cells, key: str, raw: object) -> object | None:
    """One setting converted to its field's type and checked; None when wrong (reported)."""
    try:
        value = setting_value(raw, Settings.model_fields[key].annotation)
        Settings.model_validate({key: value})
    except ValidationError as error:
        cells.problem("value", setting_problem(error, raw))
        return None
    except ValueError as error:
        cells.problem("value", str(error))
        return None
    return value


def setting_value(raw: object, annotation: Any) -> object:
    """A Settings cell as the field's type; ValueError in the organiser's words."""
    quoted = f'"{shown(raw)}"'
    if annotation is bool:
        text = cell_text(raw).casefold()
        if text in ("yes", "true", "1"):
            return True
        if text in ("no", "false", "0"):
            return False
        raise ValueError(f"{quoted} is not yes or no")
    if annotation is int:
        number = whole_number(raw)
        if number is None:
            raise ValueError(f"{quoted} is not a whole number")
        return number
    if annotation is float:
        decimal = as_number(raw)
        if decimal is None:
            raise ValueError(f"{quoted} is not a number")
        return decimal
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        try:
            return annotation(cell_text(raw).casefold())
        except ValueError:
            allowed = ", ".join(member.value for member in annotation)
            raise ValueError(f"{quoted} is not one of {allowed}") from None
    if get_origin(annotation) is tuple and get_args(annotation)[:1] == (int,):
        numbers = [whole_number(item) for item in split_list(cell_text(raw))]
        if not numbers or any(number is None for number in numbers):
            raise ValueError(f"{quoted} is not a list of whole numbers (e.g. 0,1,3,6)")
        return tuple(numbers)
    if get_origin(annotation) is tuple:  # Participants columns, matched as headers are
        return tuple(normalise_header(column) for column in split_list(cell_text(raw)))
    return cell_text(raw)


def setting_problem(error: ValidationError, raw: object) -> str:
    """A setting's validation error in the organiser's words."""
    problem = error.errors()[0]
    context = problem.get("ctx", {})
    if problem["type"] == "greater_than_equal":
        return f"must be at least {cell_text(context['ge'])}, not {shown(raw)}"
    if problem["type"] == "less_than_equal":
        return f"must be at most {cell_text(context['le'])}, not {shown(raw)}"
    if problem["type"] == "greater_than":
        return f"must be more than {cell_text(context['gt'])}, not {shown(raw)}"
    if problem["type"] == "finite_number":
        return f"must be a finite number, not {shown(raw)}"
    if problem["type"] == "value_error":
        return str(context.get("error", problem["msg"]))
    return str(problem["msg"])


# ---------------------------------------------------------------- cell values


def tidy(text: str) -> str:
    """Text without surrounding spaces (also non-breaking and zero-width ones)."""
    return text.strip().strip("\u200b\u200c\u200d\ufeff").strip()


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not tidy(value))


def cell_text(value: object) -> str:
    """A cell as text: whole floats without `.0`, dates as YYYY-MM-DD, times as HH:MM."""
    if value is None:
        return ""
    if isinstance(value, str):
        return tidy(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value)


def shown(value: object, limit: int = 40) -> str:
    """A cell's value as quoted in a message, shortened when long."""
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_number(value: object) -> float | None:
    """A finite number from a number cell or numeric text; None otherwise."""
    if isinstance(value, ShownNumber):
        return float(value.number)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(tidy(value))
        except ValueError:
            return None
    else:
        return None
    return number if number - number == 0 else None


def whole_number(value: object) -> int | None:
    """A whole number from 3, 3.0 or "3"; None for anything else."""
    if isinstance(value, ShownNumber):
        return value.number
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(tidy(value))
        except ValueError:
            pass
    number = as_number(value)
    return int(number) if number is not None and number.is_integer() else None


def as_datetime(value: object) -> datetime | None:
    """A date-time from a date cell, an Excel serial number or ISO text (offset dropped)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            moment = from_excel(value)
            return moment if isinstance(moment, datetime) else None
        if isinstance(value, str):
            return datetime.fromisoformat(tidy(value)).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return None


# ---------------------------------------------------------------- writing


def write_event(event: Event, path: Path) -> None:
    """Write the event as an event workbook in the SPEC format, whole or not at all."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    extras = list(dict.fromkeys(key for person in event.participants for key in person.extra))
    people = [participant_row(person, extras) for person in event.participants]
    add_sheet(workbook, PARTICIPANTS.name, PARTICIPANTS.headers + extras, people)
    add_sheet(workbook, SESSIONS.name, SESSIONS.headers, map(session_row, event.sessions))
    add_sheet(workbook, OPTIONS.name, OPTIONS.headers, map(option_row, event.options))
    wishes = map(preference_row, event.preferences)
    add_sheet(workbook, PREFERENCES.name, PREFERENCES.headers, wishes)
    add_sheet(workbook, RULES.name, RULES.headers, map(rule_row, event.rules))
    add_sheet(workbook, SETTINGS.name, SETTINGS.headers, settings_rows(event.settings))
    save_atomically(workbook, Path(path))


def write_template(path: Path) -> None:
    """Write an empty event workbook with an Instructions sheet first."""
    workbook = Workbook()
    write_instructions(workbook.active)
    for table in TABLES:
        add_sheet(workbook, table.name, table.headers, [])
    save_atomically(workbook, Path(path))


def add_sheet(
    workbook: Workbook, title: str, headers: list[str], rows: Iterable[list[object]]
) -> Worksheet:
    """A sheet with a bold, frozen header row and columns as wide as their content."""
    sheet = workbook.create_sheet(title)
    sheet.append([cell_value(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, values in enumerate(rows, start=2):
        sheet.append([cell_value(value) for value in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, datetime):
                sheet.cell(number, column).number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    fit_columns(sheet, least=MIN_WIDTH, most=MAX_WIDTH)
    return sheet


def joined(items: Iterable[str]) -> str:
    """A list as one comma-separated cell."""
    return ", ".join(items)


def participant_row(person: Participant, extras: list[str]) -> list[object]:
    """A Participants row in column order, extra columns last."""
    return [
        person.id,
        person.name,
        person.email,
        person.organisation,
        person.country,
        person.region,
        person.group,
        joined(person.days),
        joined(person.needs),
        person.registered,
        *(person.extra.get(key, "") for key in extras),
    ]


def session_row(session: Session) -> list[object]:
    """A Sessions row in column order."""
    return [
        session.id,
        session.day,
        session.start,
        session.end,
        session.title,
        session.kind.value,
        session.rounds,
        joined(session.audience),
    ]


def option_row(option: Option) -> list[object]:
    """An Options row in column order."""
    return [
        option.session,
        option.id,
        option.title,
        option.room,
        option.min,
        option.max,
        joined(option.features),
        joined(option.hosts),
    ]


def preference_row(pref: Preference) -> list[object]:
    """A Preferences row in column order; a veto is `no`."""
    return [pref.participant, pref.session, pref.option, "no" if pref.rank is None else pref.rank]


def rule_row(rule: Rule) -> list[object]:
    """A Rules row in column order."""
    return [
        rule.kind.value,
        joined(rule.participants),
        rule.session,
        rule.option,
        rule.strength.value,
        rule.weight,
    ]


def settings_rows(settings: Settings) -> list[list[object]]:
    """Every setting as a key and a value."""
    return [[key, setting_cell(getattr(settings, key))] for key in Settings.model_fields]


def setting_cell(value: object) -> object:
    """A setting's value as a cell: lists as comma-separated text."""
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def write_instructions(sheet: Worksheet) -> None:
    """Explain every sheet, column and setting on the template's first sheet."""
    sheet.title = INSTRUCTIONS
    bold = Font(bold=True)
    sheet.append(["Event workbook for breakouts"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in INTRODUCTION:
        sheet.append([line])
    for table in TABLES:
        sheet.append([])
        status = "required sheet" if table.required else "optional sheet"
        sheet.append([table.name, status, table.meaning])
        sheet.cell(sheet.max_row, 1).font = bold
        add_heading(sheet, ["column", "required", "meaning"])
        for column in table.columns:
            sheet.append([column.name, "yes" if column.required else "", column.meaning])
    sheet.append([])
    add_heading(sheet, ["Settings key", "default", "meaning"])
    defaults = Settings()
    for key, info in Settings.model_fields.items():
        meaning = SETTING_MEANINGS.get(key) or info.description or "see the README"
        sheet.append([key, cell_text(setting_cell(getattr(defaults, key))), meaning])
    for letter, width in (("A", 20), ("B", 16), ("C", 90)):
        sheet.column_dimensions[letter].width = width
    for (cell,) in sheet.iter_rows(min_col=3, max_col=3):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def add_heading(sheet: Worksheet, values: list[str]) -> None:
    """A bold row."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
