"""Registration-form exports into an event workbook's Participants and Preferences.

A form export has one row per person and one column per question: ranked choices are
"1st choice", "2nd choice"… columns per session, days a multi-select cell, organisation free
text. A mapping file (TOML) says which column is which; the programme (Sessions, Options,
Settings) and the hosts come from a base event workbook named in the mapping.
"""

import codecs
import csv
import difflib
import io
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Self

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models import Event, Issue, Level, Option, Participant, Preference
from models.event import EMAIL
from models.issues import counted, errors, listed
from models.validation import unmet_needs, validate_event
from models.workbook import (
    HiddenRows,
    NoSavedValue,
    hidden_warning,
    open_workbook,
    read_event,
    sheet_grid,
)
from models.workbook import cell_text as workbook_text

UNION_MEMBERS = ("str", "list[str]")  # how pydantic names the members of `str | list[str]`
ACCEPT = 0.85
SUGGEST = 0.5
LOOK_ALIKE = 0.85
FIELDS = ("id", "name", "email", "organisation", "country", "region", "group", "days", "needs")
LIST_FIELDS = ("days", "needs")
FORM_ERRORS = (OSError, ValueError, KeyError, TypeError, csv.Error)
SPACES = re.compile(r"\s+")
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")  # a byte that UTF-8 alone would write
GRID_COLUMN = re.compile(r"^(.*?)\s*\[([^\]]+)\]\s*$")  # Google Forms: "Question [row]"
RANK_NUMBER = re.compile(r"\d+")  # "1st choice", "Choice 2", "3"
DELIMITER_ROWS = 50  # rows read to tell a form's delimiter


class Choices(BaseModel):
    """Where a session's ranked choices are, in one of three shapes: `columns`, one a rank
    (best first), each answer naming an option; `ranking`, one column whose cell lists the
    options best first (Microsoft Forms' Ranking question); `grid`, the question of a grid
    with one column an option (`Question [option]`), each answer a rank ("1st choice", "2")."""

    model_config = ConfigDict(extra="forbid")

    session: str
    columns: list[str] = Field(default_factory=list)
    ranking: str = ""
    grid: str = ""
    answers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def one_shape(self) -> Self:
        """Exactly one of columns, ranking and grid."""
        given = [key for key in ("columns", "ranking", "grid") if getattr(self, key)]
        if len(given) != 1:
            raise ValueError("give one of columns, ranking or grid")
        return self


class FormMap(BaseModel):
    """How to read a form export: its columns, its answers, and the base event."""

    model_config = ConfigDict(extra="forbid")

    base: str
    keep: Literal["hosts", "all"] = "hosts"
    separator: str = Field(default=";", min_length=1)
    date_format: str = ""
    columns: dict[str, str | list[str]]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    choices: list[Choices] = Field(default_factory=list)


@dataclass
class Form:
    """A form export: its header and its rows (with their row numbers), cells as read."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, object]]]
    csv_rows: dict[int, list[object]] = field(default_factory=dict)  # as read, by row number
    hidden: HiddenRows = field(default_factory=HiddenRows)  # an .xlsx sheet's hidden rows


@dataclass
class Report:
    """Everything the import could not map, located by form row and column."""

    source: str
    map_name: str = ""
    issues: list[Issue] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str, error: bool = False) -> None:
        """Record one problem; a warning unless it prevents the import."""
        level = Level.ERROR if error else Level.WARNING
        self.issues.append(
            Issue(level=level, sheet=self.source, row=row, column=column, message=message)
        )

    def add_to_map(self, message: str) -> None:
        """Record an error of the map: one of its keys names what the form or event lacks."""
        self.issues.append(Issue(sheet=self.map_name or self.source, message=message))


@dataclass
class FormImport:
    """The event built from a form, every problem found, and the files it was read from."""

    event: Event | None
    issues: list[Issue]
    inputs: list[Path]


# ---------------------------------------------------------------- reading


def import_form(form_path: Path, map_path: Path) -> FormImport:
    """Read the mapping, the form and the base event, and build the event from them."""
    form_path, map_path = Path(form_path), Path(map_path)
    form_map = read_map(map_path)
    if isinstance(form_map, Issue):
        return FormImport(None, [form_map], [form_path, map_path])
    base_path = map_path.parent / form_map.base
    inputs = [form_path, map_path, base_path]
    form = read_form(form_path)
    if isinstance(form, Issue):
        return FormImport(None, [form], inputs)
    base, base_issues = read_event(base_path)
    if base is None:
        note = Issue(sheet=map_path.name, column="base", message=f"{base_path.name} cannot be used")
        return FormImport(None, [*base_issues, note], inputs)
    event, issues = event_from_form(base, form_map, form, map_path.name)
    return FormImport(event, issues, inputs)


def read_map(path: Path) -> FormMap | Issue:
    """The mapping file, or why it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Issue(sheet=path.name, message="file not found")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Issue(sheet=path.name, message=f"not a readable TOML file ({error})")
    try:
        return FormMap.model_validate(data)
    except ValidationError as invalid:
        return Issue(sheet=path.name, message="; ".join(map_problems(invalid)))


def map_problems(invalid: ValidationError) -> list[str]:
    """Each wrong key of the map once, in the organiser's words: `columns.id: should be a form
    column or a list of them, not 1` (pydantic names each member of a union apart)."""
    by_key: dict[str, list[Any]] = {}
    for error in invalid.errors():
        parts = [part for part in error["loc"] if str(part) not in UNION_MEMBERS]
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)
        key = key.removeprefix(".")
        by_key.setdefault(key, []).append(error)
    problems = []
    for key, errors_there in by_key.items():
        first = errors_there[0]
        given = f", not {first['input']!r}" if first["type"] != "missing" else ""
        if len(errors_there) > 1:  # str | list[str]: a column's name, or several joined
            problems.append(f"{key}: should be a form column or a list of them{given}")
        elif first["type"] == "missing":
            problems.append(f"{key}: is required")
        elif first["type"] == "value_error":  # a rule across keys: its own words
            problems.append(f"{key}: {first['ctx']['error']}")
        elif first["type"] == "extra_forbidden":
            problems.append(
                f"{key}: is not a key of the map{suggestion(key, FormMap.model_fields)}"
            )
        else:
            problems.append(f"{key}: {first['msg'].lower().replace('input ', '')}{given}")
    return problems


def read_form(path: Path) -> Form | Issue:
    """A form export in CSV (any common delimiter, UTF-8 or Windows-1252) or xlsx."""
    hidden = HiddenRows()
    try:
        if path.suffix.casefold() == ".xlsx":
            rows, hidden = xlsx_rows(path)
        elif path.suffix.casefold() in {".csv", ".txt"}:
            rows = csv_rows(path.read_bytes())
        else:
            return Issue(sheet=path.name, message="expected a .csv or .xlsx form export")
    except FileNotFoundError:
        return Issue(sheet=path.name, message="file not found")
    except FORM_ERRORS as error:
        return Issue(sheet=path.name, message=f"cannot be read ({error})")
    if not rows:
        return Issue(sheet=path.name, message="the file is empty")
    header = [cell_text(value) for value in rows[0]]
    records = [
        (number, {name: value for name, value in zip(header, values, strict=False) if name})
        for number, values in enumerate(rows[1:], start=2)
        if any(cell_text(value) for value in values)
    ]
    as_read = dict(enumerate(rows[1:], start=2)) if path.suffix.casefold() != ".xlsx" else {}
    return Form(path.name, header, records, as_read, hidden)


def csv_rows(data: bytes) -> list[list[object]]:
    """The rows of CSV bytes (`csv_text`); the delimiter, comma, semicolon or tab, is the one
    that splits the first rows alike (`delimiter_of`); only `"` quotes a cell."""
    text = csv_text(data)
    delimiter = delimiter_of(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    return [list(row) for row in rows]


def csv_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without its byte-order mark), UTF-16 with its mark
    (Excel's "Unicode Text"), or Windows-1252 when no byte of it is UTF-8's (older Excel's
    "CSV"). A UTF-8 file with a stray byte of another encoding is refused with that byte's
    line, rather than read as Windows-1252, which would garble every accented letter."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise ValueError("it is an Excel workbook (.xlsx) named .csv; give it its .xlsx name")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        if not UTF8_SEQUENCE.search(data):
            return data.decode("cp1252")
        mark = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0  # not counted
        line = data[: mark + failure.start].count(b"\n") + 1
        raise ValueError(
            f"line {line} is not UTF-8, though the rest of the file is; save the export as "
            '"CSV UTF-8"'
        ) from None


def delimiter_of(text: str) -> str:
    """The delimiter that gives the first rows as many cells as the header, most often; then
    the one giving the most columns (a header's questions may hold commas)."""

    def score(delimiter: str) -> tuple[int, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
        rows = [row for _, row in zip(range(DELIMITER_ROWS), reader, strict=False)]
        width = len(rows[0]) if rows else 0
        alike = sum(1 for row in rows[1:] if len(row) == width) if width > 1 else 0
        return alike, width

    return max(",;\t", key=score)


def xlsx_rows(path: Path) -> tuple[list[list[object]], HiddenRows]:
    """The rows of a workbook's first sheet that holds any value (a cover sheet before the
    answers is passed over), as values, a formula without a saved value below the header as
    `NoSavedValue` (`unsaved_answers` reports it), and the rows it hides; a file that is no
    workbook (or an unsafe one) is refused as event workbooks are (`open_workbook`)."""
    opened = open_workbook(path, quick=True)
    if isinstance(opened, Issue):
        raise ValueError(opened.message)
    for sheet in opened.workbook.worksheets:  # the first that holds anything (a cover sheet)
        grid = sheet_grid(sheet, opened)
        if grid:
            rows = [
                [cells.get(column) for column in range(1, max(cells) + 1)] if cells else []
                for cells in (grid.get(row, {}) for row in range(1, max(grid) + 1))
            ]
            return rows, opened.hidden_rows(sheet)
    return [], HiddenRows()


def cell_text(value: object) -> str:
    """A cell as the event reader reads it (dates as YYYY-MM-DD, whole numbers without a
    decimal point), with single spaces."""
    return SPACES.sub(" ", workbook_text(value)).strip()


def normal(text: str) -> str:
    """Text for matching: case-folded, single spaces."""
    return cell_text(text).casefold()


# ---------------------------------------------------------------- building the event


def event_from_form(
    base: Event, form_map: FormMap, form: Form, map_name: str = ""
) -> tuple[Event | None, list[Issue]]:
    """The base event's programme with the form's people and wishes; None when unusable."""
    report = Report(form.name, map_name)
    columns = resolve_columns(form_map, form.header, report)
    sessions_ok = check_choices(base, form_map, form.header, report)
    if errors(report.issues) or columns is None or not sessions_ok:
        return None, report.issues
    people: dict[str, Participant] = {}
    first_row: dict[str, int] = {}
    wishes: dict[str, list[Preference]] = {}
    misaligned(form, report)
    unsaved_answers(form, report)
    if hidden := hidden_warning(form.hidden, [number for number, _ in form.rows]):
        report.add(None, None, hidden)
    for number, cells in form.rows:
        someone = read_person(base, form_map, columns, number, cells, report)
        if someone is None:
            continue
        if someone.id in people:
            report.add(
                number,
                None,
                f"{someone.id} also answered in row {first_row[someone.id]}; "
                "this later answer is kept",
            )
        people[someone.id] = someone
        first_row.setdefault(someone.id, number)
        wishes[someone.id] = read_wishes(base, form_map, someone.id, number, cells, report)
    not_addresses(columns, form, report)
    event = combine(base, form_map, list(people.values()), wishes, report)
    built = validate_event(event) + unmet_needs(event)  # a need: the form's answer to mend
    problems = [in_the_form(issue, form.name, columns) for issue in built]
    issues = report.issues + problems
    return (None if errors(issues) else event), issues


def in_the_form(issue: Issue, form_name: str, columns: dict[str, list[str]]) -> Issue:
    """A problem of the event built, located in the form when it concerns a form row (the
    row a participant or wish was read from, and the form column of the field)."""
    if issue.sheet not in ("Participants", "Preferences") or issue.row is None:
        return issue
    column = columns.get(issue.column or "", [issue.column or ""])[0] or None
    return issue.model_copy(update={"sheet": form_name, "column": column})


def unsaved_answers(form: Form, report: Report) -> None:
    """Each answer that is a formula without a saved value (an .xlsx written by a program):
    an error, as in an event workbook, rather than an empty answer."""
    for number, cells in form.rows:
        for column, value in cells.items():
            if isinstance(value, NoSavedValue):
                report.add(number, column, value.message, error=True)


def misaligned(form: Form, report: Report) -> None:
    """CSV rows whose cells do not line up with the header's: more cells than it has (a
    separator too many: every later answer in the wrong column), or fewer with a line break
    in one (a stray `"` joined the rows after it into one cell), are errors; fewer cells
    otherwise a warning (the last columns read as empty). Spreadsheet rows always line up.
    A header ending in empty cells (a trailing separator) lines up with rows that end where
    its names do, or where it does."""
    width = len(form.header)
    named = width
    while named and not cell_text(form.header[named - 1]):
        named -= 1
    for number, values in form.csv_rows.items():
        texts = [cell_text(value) for value in values]
        cells = len(texts)
        while cells > width and not texts[cells - 1]:
            cells -= 1  # empty cells after the header's last column: a trailing separator
        if named <= cells <= width or not any(texts):
            continue
        what = f"{cells} cells where the header has {width if cells > width else named}"
        if cells > width:
            report.add(number, None, f"{what}: a separator too many? Fix the row", error=True)
        elif any("\n" in str(value) for value in values):
            message = f'{what}, one of them with line breaks: a stray " joins rows? Fix the row'
            report.add(number, None, message, error=True)
        else:
            report.add(number, None, f"{what}; the last columns read as empty")


def not_addresses(columns: dict[str, list[str]], form: Form, report: Report) -> None:
    """An error when people's ids come from an email column whose answers are not addresses
    ("anonymous" in every row of an anonymous form): they would all be one person."""
    if "id" in columns or "email" not in columns:
        return
    rows = [
        (number, text)
        for number, cells in form.rows
        if (text := field_text(columns, cells, "email")) and not EMAIL.match(text)
    ]
    if rows:
        number, text = rows[0]
        more = f" (and {counted(len(rows) - 1, 'more row')})" if len(rows) > 1 else ""
        message = (
            f'"{text}" is not an email address{more}, and the map names no id column: map one '
            '(such as the form\'s "ID") under [columns]'
        )
        report.add(number, columns["email"][0], message, error=True)


def resolve_columns(
    form_map: FormMap, header: list[str], report: Report
) -> dict[str, list[str]] | None:
    """Each mapped field's form columns as spelt in the form; missing ones are errors."""
    columns: dict[str, list[str]] = {}
    for key, wanted in form_map.columns.items():
        names = [wanted] if isinstance(wanted, str) else wanted
        if not names:
            report.add_to_map(f"columns.{key}: no form column given")
        found = [find_column(name, header, report, f"columns.{key}") for name in names]
        columns[key] = [name for name in found if name]
    if "id" not in columns and "email" not in columns:
        report.add_to_map("the mapping names neither an id nor an email column")
    if "name" not in columns:
        report.add_to_map("the mapping names no name column")
    return None if errors(report.issues) else columns


def find_column(name: str, header: list[str], report: Report, where: str) -> str:
    """The form column a mapped name means (case and spaces ignored); empty when absent, or
    when two columns of the form have that header (which one is meant cannot be told)."""
    matches = [index for index, column in enumerate(header) if normal(column) == normal(name)]
    if len(matches) == 1:
        return header[matches[0]]
    if matches:
        letters = listed([get_column_letter(index + 1) for index in matches])
        message = (
            f'{where}: the form has {len(matches)} columns "{name}" ({letters}); give them '
            "headers of their own in the export, and map each"
        )
    else:
        message = f'{where}: the form has no column "{name}"' + suggestion(name, header)
    report.add_to_map(message)
    return ""


def suggestion(value: str, known: Iterable[str]) -> str:
    """A ' (did you mean "…"?)' hint, or nothing."""
    match = closest(value, known)
    return f' (did you mean "{match[0]}"?)' if match else ""


def closest(value: str, known: Iterable[str], cutoff: float = SUGGEST) -> tuple[str, float] | None:
    """The known text most like the value (case and spaces ignored) and how alike, if any is."""
    best: tuple[str, float] | None = None
    for text in known:
        ratio = difflib.SequenceMatcher(None, normal(value), normal(text)).ratio()
        if ratio >= cutoff and (best is None or ratio > best[1]):
            best = (text, ratio)
    return best


def check_choices(base: Event, form_map: FormMap, header: list[str], report: Report) -> bool:
    """Every choices entry names a session of the base event, form columns and known options;
    the entry's names are rewritten as the event and the form spell them."""
    ok = True
    sessions = {normal(session_id): session_id for session_id in base.session_by_id}
    first: dict[str, int] = {}
    for index, choices in enumerate(form_map.choices):
        where = f"choices[{index}]"
        if normal(choices.session) not in sessions:
            known = list(base.session_by_id)
            message = f'{where}: "{choices.session}" is not a session of the base event'
            report.add_to_map(message + suggestion(choices.session, known))
            ok = False
            continue
        choices.session = sessions[normal(choices.session)]
        earlier = first.setdefault(choices.session, index)
        if earlier != index:
            report.add_to_map(
                f"{where}: session {choices.session} is read by choices[{earlier}] already; "
                "list all its columns in one [[choices]], best first"
            )
            ok = False
            continue
        found = [find_column(column, header, report, where) for column in choices.columns]
        if choices.ranking:
            found = [find_column(choices.ranking, header, report, where)]
            choices.ranking = found[0]
        if choices.grid:
            found = list(grid_columns(choices.grid, header)) or [""]
            if not found[0]:
                message = f'{where}: the form has no column "{choices.grid} [option]"'
                report.add_to_map(message + suggestion(choices.grid, header))
        choices.columns = found if not (choices.ranking or choices.grid) else []
        ok = all(found) and ok
        options = [option.id for option in base.options_of[choices.session]]
        for answer, option_id in choices.answers.items():
            if option_id not in options:
                message = (
                    f'{where}.answers: "{answer}" = "{option_id}", which is not an option of '
                    f"{choices.session}"
                )
                report.add_to_map(message + suggestion(option_id, options))
                ok = False
    return ok


def field_text(columns: dict[str, list[str]], cells: dict[str, object], key: str) -> str:
    """A field's text: its form columns' cells joined with spaces."""
    return " ".join(text for name in columns.get(key, []) if (text := cell_text(cells.get(name))))


def read_person(
    base: Event,
    form_map: FormMap,
    columns: dict[str, list[str]],
    number: int,
    cells: dict[str, object],
    report: Report,
) -> Participant | None:
    """One form row as a participant; None (reported) when it has no id."""
    text = {key: field_text(columns, cells, key) for key in columns}
    person_id = text.get("id") or text.get("email", "").casefold()  # B@x and b@x: one person
    if not person_id:
        report.add(number, None, "no id or email; the row is left out")
        return None
    if "id" in columns and not text.get("id"):
        report.add(number, columns["id"][0], f"no id; the email {person_id} is used")
    name = text.get("name", "")
    if not name:
        report.add(number, columns["name"][0], f"no name; the id {person_id} is used")
    values = {
        key: mapped_value(form_map, key, text[key], number, columns[key][0], report)
        for key in text
        if key not in {"id", "name", "registered", *LIST_FIELDS}
    }
    return Participant(
        id=person_id,
        name=name or person_id,
        email=text.get("email", ""),
        organisation=values.pop("organisation", ""),
        country=values.pop("country", ""),
        region=values.pop("region", ""),
        group=values.pop("group", ""),
        days=read_days(base, form_map, text.get("days", ""), number, columns, report),
        needs=read_list(form_map, "needs", text.get("needs", ""), number, columns, report),
        registered=read_registered(form_map, columns, cells, number, report),
        extra={key: value for key, value in values.items() if key not in FIELDS},
        row=number,
    )


def mapped_value(
    form_map: FormMap, key: str, answer: str, number: int, column: str, report: Report
) -> str:
    """An answer through `[values.<key>]` when that table exists; unlisted answers kept as typed."""
    table = form_map.values.get(key)
    if not answer or table is None:
        return answer
    lookup = {normal(k): v for k, v in table.items()} | {normal(v): v for v in table.values()}
    if normal(answer) in lookup:
        return lookup[normal(answer)]
    hint = suggestion(answer, table)
    report.add(number, column, f'"{answer}" is not in [values.{key}]; kept as typed{hint}')
    return answer


def split_answers(form_map: FormMap, text: str) -> list[str]:
    """A multi-select cell as its answers."""
    return [item for item in (cell_text(part) for part in text.split(form_map.separator)) if item]


def read_list(
    form_map: FormMap,
    key: str,
    text: str,
    number: int,
    columns: dict[str, list[str]],
    report: Report,
) -> tuple[str, ...]:
    """A multi-select cell, each answer through `[values.<key>]`."""
    column = columns.get(key, [""])[0]
    values = [
        mapped_value(form_map, key, item, number, column, report)
        for item in split_answers(form_map, text)
    ]
    return tuple(dict.fromkeys(value for value in values if value))


def read_days(
    base: Event,
    form_map: FormMap,
    text: str,
    number: int,
    columns: dict[str, list[str]],
    report: Report,
) -> tuple[str, ...]:
    """The days ticked, as the base event's days; unknown answers reported and left out."""
    days = base.days()
    table = {normal(k): v for k, v in form_map.values.get("days", {}).items()}
    table |= {normal(day): day for day in days}
    found: list[str] = []
    unknown = False  # an answer neither a day nor mapped to one: the cell may be split wrongly
    for answer in split_answers(form_map, text):
        day = table.get(normal(answer))
        if day in days:
            found.append(day)
            continue
        unknown = unknown or day is None
        if day is not None:  # the map translates the answer to a day the event lacks
            message = (
                f'"{answer}" is mapped to "{day}" under [values.days], which is not a day of '
                f"the event (days: {', '.join(days)}); left out"
            )
        else:
            known = [*form_map.values.get("days", {}), *days]
            message = f'"{answer}" is not a day of the event; left out' + suggestion(answer, known)
        report.add(number, columns["days"][0], message)
    if text and not found:  # an empty days cell means every day: not what this one says
        split = f', read as answers separated by "{form_map.separator}" (the map\'s separator)'
        message = (
            f'no day of the event in "{text}"{split if unknown else ""}; '
            "the person would attend every day"
        )
        report.add(number, columns["days"][0], message, error=True)
    return tuple(dict.fromkeys(found))


def read_registered(
    form_map: FormMap,
    columns: dict[str, list[str]],
    cells: dict[str, object],
    number: int,
    report: Report,
) -> datetime | None:
    """The registration time: a date cell, ISO text, or text in the mapping's date_format."""
    if "registered" not in columns:
        return None
    column = columns["registered"][0]
    value = cells.get(column)
    if isinstance(value, datetime):
        return value
    text = cell_text(value)
    if not text:
        return None
    try:
        if form_map.date_format:
            return datetime.strptime(text, form_map.date_format)
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        report.add(number, column, f'"{text}" is not a date and time; set date_format in the map')
        return None


def read_wishes(
    base: Event,
    form_map: FormMap,
    person_id: str,
    number: int,
    cells: dict[str, object],
    report: Report,
) -> list[Preference]:
    """One person's ranked choices, in the shape the map gives (`Choices`)."""
    wishes: list[Preference] = []
    for choices in form_map.choices:
        options = base.options_of[choices.session]
        chosen: set[str] = set()
        for rank, column, answer in ranked_answers(form_map, choices, number, cells, report):
            option_id = match_option(answer, options, choices, number, column, report)
            if option_id is None:
                continue
            if option_id in chosen:
                report.add(
                    number, column, f'"{answer}" was already chosen; the better rank is kept'
                )
                continue
            chosen.add(option_id)
            wishes.append(
                Preference(
                    participant=person_id,
                    session=choices.session,
                    option=option_id,
                    rank=rank,
                    row=number,
                )
            )
    return wishes


def ranked_answers(
    form_map: FormMap, choices: Choices, number: int, cells: dict[str, object], report: Report
) -> list[tuple[int, str, str]]:
    """A person's answers naming options, with their rank and form column, best first."""
    if choices.ranking:
        listed_best_first = split_answers(form_map, cell_text(cells.get(choices.ranking)))
        return [(rank, choices.ranking, a) for rank, a in enumerate(listed_best_first, start=1)]
    if not choices.grid:
        answers = [
            (rank, column, cell_text(cells.get(column)))
            for rank, column in enumerate(choices.columns, start=1)
        ]
        return [(rank, column, answer) for rank, column, answer in answers if answer]
    ranked = []
    for column, option in grid_columns(choices.grid, list(cells)).items():
        answer = cell_text(cells.get(column))
        rank = RANK_NUMBER.search(answer)
        if rank is not None and int(rank.group()) >= 1:
            ranked.append((int(rank.group()), column, option))
        elif answer:
            report.add(number, column, f'"{answer}" is no rank; left out')
    return sorted(ranked)


def grid_columns(question: str, header: Iterable[str]) -> dict[str, str]:
    """A grid question's columns (`Question [option]`, case and spaces ignored) and the
    option each names."""
    found = {}
    for column in header:
        match = GRID_COLUMN.match(column)
        if match and normal(match.group(1)) == normal(question):
            found[column] = cell_text(match.group(2))
    return found


def option_names(options: Sequence[Option]) -> dict[str, str]:
    """Every way an answer may name an option (id, title, room, both), each naming only one."""
    named: dict[str, set[str]] = {}
    for option in options:
        spellings = {option.id, option.title, option.room, option.label}
        if option.title and option.room:
            spellings |= {f"{option.title} ({option.room})", f"{option.room}: {option.title}"}
        if option.title:
            spellings.add(f"{option.title} ({option.id})")
        for text in spellings:
            if text:
                named.setdefault(normal(text), set()).add(option.id)
    return {text: ids.pop() for text, ids in named.items() if len(ids) == 1}


def describe(option: Option) -> str:
    """An option for messages: its title (or room) and id."""
    name = option.title or option.room
    return f'"{name}" ({option.id})' if name else option.id


def match_option(
    answer: str,
    options: Sequence[Option],
    choices: Choices,
    number: int,
    column: str,
    report: Report,
) -> str | None:
    """The option an answer names: listed in answers, spelt alike, or close enough (reported)."""
    aliases = {normal(k): v for k, v in choices.answers.items()}
    if normal(answer) in aliases:
        return aliases[normal(answer)]
    named = option_names(options)
    if normal(answer) in named:
        return named[normal(answer)]
    by_id = {option.id: option for option in options}
    match = closest(answer, named)
    if match is not None and match[1] >= ACCEPT:
        option = by_id[named[match[0]]]
        report.add(number, column, f'"{answer}" read as {describe(option)}')
        return option.id
    hint = f" (did you mean {describe(by_id[named[match[0]]])}?)" if match else ""
    message = f'"{answer}" is not an option of {choices.session}; left out{hint}'
    report.add(number, column, message)
    return None


def unify_organisations(people: list[Participant], report: Report) -> list[Participant]:
    """Organisations spelt alike but for case share the first spelling; look-alikes are reported."""
    spelling: dict[str, str] = {}
    for someone in people:
        if someone.organisation:
            spelling.setdefault(someone.organisation.casefold(), someone.organisation)
    unified = [
        someone.model_copy(
            update={"organisation": spelling.get(someone.organisation.casefold(), "")}
        )
        for someone in people
    ]
    names = list(spelling.values())
    folded = list(spelling)
    for index, name in enumerate(names):
        for match in difflib.get_close_matches(folded[index], folded[index + 1 :], 3, LOOK_ALIKE):
            report.add(
                None,
                "organisation",
                f'"{name}" and "{spelling[match]}" look alike; if they are one organisation, map '
                "one to the other under [values.organisation]",
            )
    return unified


def combine(
    base: Event,
    form_map: FormMap,
    people: list[Participant],
    wishes: dict[str, list[Preference]],
    report: Report,
) -> Event:
    """The base programme with the form's people; base people kept per `keep`, rules if valid."""
    hosts = {host for option in base.options for host in option.hosts}
    from_form = {someone.id for someone in people}
    kept = [
        someone.model_copy(update={"row": None})  # rows of the base workbook, not of the form
        for someone in base.participants
        if someone.id not in from_form and (form_map.keep == "all" or someone.id in hosts)
    ]
    everyone = kept + people
    present = {someone.id for someone in everyone}
    kept_ids = {someone.id for someone in kept}
    rules = [rule for rule in base.rules if set(rule.participants) <= present]
    if len(rules) < len(base.rules):
        left_out = len(base.rules) - len(rules)
        report.add(
            None,
            None,
            f"{counted(left_out, 'rule')} of the base event name people who are not in the "
            "import and were left out",
        )
    base_wishes = [
        pref.model_copy(update={"row": None})
        for pref in base.preferences
        if pref.participant in kept_ids
    ]
    return Event(
        participants=unify_organisations(everyone, report),
        sessions=base.sessions,
        options=base.options,
        preferences=base_wishes + [pref for someone in people for pref in wishes[someone.id]],
        rules=rules,
        settings=base.settings,
    )
