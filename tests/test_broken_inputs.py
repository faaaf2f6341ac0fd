"""Broken inputs through the real command line: every problem in one pass, exact words, exit 2.

Each case breaks a valid event workbook in one way an organiser (or a hostile file) might,
runs `check` and `solve`, and pins the exact lines printed on stderr and the exit code: 2
with every problem and nothing written, or 0 with warnings for what is read leniently.
Files that are not workbooks at all follow, then fuzzing.
"""

import os
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from typer.testing import CliRunner, Result

from models.workbook import read_event
from scripts.cli import app
from tests.factories import EMPTY_VALUE, unsaved_formula

runner = CliRunner()

Rows = list[list[object]]
Break = Callable[[Workbook], None]


def base_sheets() -> dict[str, Rows]:
    """A valid small event: four people, a choice session on d1, a two-round roundtable on d2."""
    return {
        "Participants": [
            ["id", "name", "organisation", "group", "days", "needs"],
            ["p1", "Ana", "Uni A", "academia", None, None],
            ["p2", "Bo", "City Hall", "local authority", "d1", None],
            ["p3", "Cy", "NGO", "civil society", None, None],
            ["p4", "Di", "Uni B", "academia", "d1, d2", "step-free"],
        ],
        "Sessions": [
            ["id", "day", "kind", "rounds"],
            ["WS4", "d1", "choice", None],
            ["R1", "d2", "roundtable", 2],
        ],
        "Options": [
            ["session", "id", "title", "min", "max", "features", "hosts"],
            ["WS4", "W10", "Water", None, 3, "step-free", None],
            ["WS4", "W11", "Cities", None, 3, "step-free", None],
            ["WS4", "W12", "Health", None, 3, None, None],
            ["R1", "T1", None, None, 3, "step-free", "p1"],
            ["R1", "T2", None, None, 3, "step-free", "p3"],
        ],
        "Preferences": [
            ["participant", "session", "option", "rank"],
            ["p1", "WS4", "W10", 1],
            ["p1", "WS4", "W11", 2],
            ["p2", "WS4", "W12", 1],
            ["p3", "WS4", "W10", "no"],
            ["p4", "WS4", "W11", 1],
        ],
        "Rules": [
            ["rule", "participants", "session", "option", "strength", "weight"],
            ["apart", "p1, p2", "WS4", None, None, None],
            ["forbid", "p3", "WS4", "W12", "soft", 2],
        ],
        "Settings": [["key", "value"], ["time_limit", 10], ["seed", 1]],
    }


def base_workbook() -> Workbook:
    """The valid event as an openpyxl workbook, to be broken."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in base_sheets().items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    return book


def column_of(book: Workbook, sheet: str, header: str) -> int:
    """The column number of a header in row 1."""
    return next(cell.column for cell in book[sheet][1] if cell.value == header)


def put(sheet: str, row: int, header: str, value: object) -> Break:
    """Set one cell, found by its row number and column header."""

    def change(book: Workbook) -> None:
        book[sheet].cell(row, column_of(book, sheet, header)).value = value

    return change


def both(*changes: Break) -> Break:
    """Several changes at once."""

    def change(book: Workbook) -> None:
        for one in changes:
            one(book)

    return change


def append(sheet: str, *values: object) -> Break:
    """Add a row at the end of a sheet."""
    return lambda book: book[sheet].append(list(values))


def drop_sheet(sheet: str) -> Break:
    """Remove a sheet."""
    return lambda book: book.remove(book[sheet])


def rename_sheet(sheet: str, title: str) -> Break:
    """Give a sheet another name (by way of a neutral one: openpyxl's titles ignore case)."""

    def change(book: Workbook) -> None:
        book[sheet].title = "renamed"
        book["renamed"].title = title

    return change


def drop_column(sheet: str, header: str) -> Break:
    """Remove a column, header and all."""
    return lambda book: book[sheet].delete_cols(column_of(book, sheet, header))


def merge(sheet: str, cells: str) -> Break:
    """Merge a range of cells (openpyxl keeps the top-left value, as Excel does)."""
    return lambda book: book[sheet].merge_cells(cells)


def dated(sheet: str, row: int, header: str, value: object, number_format: str) -> Break:
    """Set a date cell with a number format, as Excel stores dates."""

    def change(book: Workbook) -> None:
        cell = book[sheet].cell(row, column_of(book, sheet, header))
        cell.value = value
        cell.number_format = number_format

    return change


def mac_dates(book: Workbook) -> None:
    """Store dates in the 1904 date system of old Mac Excel."""
    book.epoch = CALENDAR_MAC_1904


def event_file(tmp_path: Path, change: Break | None = None) -> Path:
    """The valid event, broken by `change`, saved as event.xlsx."""
    book = base_workbook()
    if change is not None:
        change(book)
    path = tmp_path / "event.xlsx"
    book.save(path)
    return path


def with_cached_values(path: Path, cached: dict[str, str]) -> None:
    """Give formulas the saved results Excel stores beside them (openpyxl writes none)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            for formula, value in cached.items():
                data = unsaved_formula(formula).sub(
                    f"<f>{formula}</f><v>{value}</v>".encode(), data
                )
            parts[name] = data
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def rows_above(sheet: str, count: int, title: str) -> Break:
    """Insert `count` rows above the sheet's header, a title in the first."""

    def change(book: Workbook) -> None:
        book[sheet].insert_rows(1, count)
        book[sheet].cell(1, 1, title)

    return change


def add_column(sheet: str, header: str | None, *values: object) -> Break:
    """A new column at the right: its header, then one value per data row."""

    def change(book: Workbook) -> None:
        column = book[sheet].max_column + 1
        for row, value in enumerate((header, *values), start=1):
            book[sheet].cell(row, column).value = value

    return change


def empty_text_results(path: Path) -> None:
    """After saving: every formula gets an empty text as its saved value, as Excel stores =""."""
    parts = parts_of(path)
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            parts[name] = re.sub(
                rb"<c ([^>]*)><f>(.*?)</f>" + EMPTY_VALUE,
                rb'<c \1 t="str"><f>\2</f><v></v>',
                data,
            )
    zipped(path, parts)


def cached(**values: str) -> Callable[[Path], None]:
    """After saving: formulas get saved values, keyed by formula text without `=`."""
    return lambda path: with_cached_values(
        path, {key.replace("_", "+"): v for key, v in values.items()}
    )


P2_LEFT_OUT = (  # what checking says of p2's wishes and rule when p2 is not a participant
    'warning: Preferences row 4, column participant: "p2" is not a participant; their wishes '
    "are left out (cancelled?)",
    'warning: Rules row 2, column participants: "p2" is not a participant; left out of the '
    "rule (cancelled?)",
)  # (the rule itself left out is said only of an event that can be solved)


@dataclass(frozen=True)
class Case:
    """One broken workbook: how it is broken, what `check` prints on stderr, its exit code."""

    name: str
    change: Break
    lines: tuple[str, ...] = ()
    code: int = 2
    after: Callable[[Path], None] | None = None


EXCEL_DAYS = both(
    dated("Sessions", 2, "day", datetime(2025, 3, 10), "dd/mm/yyyy"),
    dated("Sessions", 3, "day", datetime(2025, 3, 11, 9, 30), "d mmm yyyy hh:mm"),
    dated("Participants", 3, "days", date(2025, 3, 10), "dd.mm.yyyy"),
    put("Participants", 5, "days", "2025-03-10, 2025-03-11"),
)

CASES = [
    Case(
        "missing sheet",
        drop_sheet("Options"),
        ("Options: missing sheet", "event.xlsx: 1 problem, nothing written"),
    ),
    Case(
        "missing sheet, a near name",
        rename_sheet("Options", "Option"),
        (
            'Options: missing sheet (did you mean "Option"?)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "sheet name in other case",
        rename_sheet("Sessions", "sessions"),
        ('warning: Sessions: the sheet is named "sessions"; read as Sessions',),
        code=0,
    ),
    Case(
        "missing required column",
        drop_column("Options", "max"),
        ("Options, column max: missing required column", "event.xlsx: 1 problem, nothing written"),
    ),
    Case(
        "missing columns in two sheets",
        both(drop_column("Participants", "name"), drop_column("Preferences", "rank")),
        (
            "Participants, column name: missing required column",
            "Preferences, column rank: missing required column",
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case(
        "missing column beside other problems",  # the sheets read are still checked
        both(
            drop_column("Participants", "name"),
            put("Preferences", 2, "option", "W19"),
            append("Sessions", "WS4", "d1", "choice", None),
        ),
        (
            "Participants, column name: missing required column",
            'Sessions row 4, column id: duplicate session id "WS4"',
            'Preferences row 2, column option: "W19" is not an option of session WS4 (options: '
            'W10, W11, W12) (did you mean "W12"?)',
            "event.xlsx: 3 problems, nothing written",
        ),
    ),
    Case(
        "missing sheet, its ids not looked up",  # no host or wish reads as naming a stranger
        drop_sheet("Participants"),
        ("Participants: missing sheet", "event.xlsx: 1 problem, nothing written"),
    ),
    Case(
        "column twice",
        add_column("Sessions", "Day", "d1", "d2"),
        (
            "Sessions row 1, column day: the column appears twice (columns B and E)",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown column",
        add_column("Rules", "strenght", None, "soft"),
        (
            (
                "warning: Rules row 1, column strenght: unknown column, ignored (did you mean "
                '"strength"?)'
            ),
        ),
        code=0,
    ),
    Case(
        "values without a header",
        add_column("Options", None, None, None, "x"),
        ("warning: Options row 1: column H has values but no header; it is ignored",),
        code=0,
    ),
    Case(
        "empty id",
        put("Participants", 3, "id", None),
        (
            "Participants row 3, column id: a value is required",
            *P2_LEFT_OUT,
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a session's day missing",
        put("Sessions", 3, "day", None),
        (  # not also p4's "d2" as no day of any session: it is the day missing
            "Sessions row 3, column day: a value is required",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "id of spaces only",
        put("Sessions", 3, "id", "   "),
        (
            "Sessions row 3, column id: a value is required",
            'Participants row 5, column days: "d2" is not a day of any session (days: d1)',
            'Options rows 5–6, column session: "R1" is not a session',
            "event.xlsx: 4 problems, nothing written",
        ),
    ),
    Case(
        "duplicate participant id",
        append("Participants", "p1", "Eve"),
        (
            'Participants row 6, column id: duplicate participant id "p1"',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "duplicate session id",
        append("Sessions", "WS4", "d1", "choice"),
        (
            'Sessions row 4, column id: duplicate session id "WS4"',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "duplicate option id in a session",
        append("Options", "WS4", "W10", None, None, 2),
        (
            'Options row 7, column id: duplicate option id "W10" in session WS4',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "ids that differ only in case",
        append("Participants", "P1", "Eve"),
        (
            (
                'warning: Participants row 6, column id: participant id "P1" differs from "p1" '
                "in row 2 only in case; both are kept"
            ),
        ),
        code=0,
    ),
    Case(
        "unknown session in Preferences",
        put("Preferences", 4, "session", "WS5"),
        (
            'Preferences row 4, column session: "WS5" is not a session (did you mean "WS4"?)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown option in Preferences",
        put("Preferences", 4, "option", "W13"),
        (
            (
                'Preferences row 4, column option: "W13" is not an option of session WS4 '
                '(options: W10, W11, W12) (did you mean "W12"?)'
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown participant in Preferences",
        put("Preferences", 6, "participant", "p44"),
        (
            (
                'warning: Preferences row 6, column participant: "p44" is not a participant; '
                "their wishes are left out (cancelled?)"
            ),
        ),
        code=0,
    ),
    Case(
        "several unknown participants in Preferences and Rules",
        both(
            put("Preferences", 6, "participant", "p44"),
            put("Preferences", 3, "participant", "p9"),
            put("Preferences", 4, "participant", "p10"),
            put("Rules", 2, "participants", "p1, p7"),
            put("Rules", 3, "participants", "p7"),
        ),
        (
            (
                'warning: Preferences row 3, column participant: "p9", "p10" and "p44" are not '
                "participants (3 rows); their wishes are left out (cancelled?)"
            ),
            (
                'warning: Rules row 2, column participants: "p7" is not a participant (and 1 '
                "more row); left out of the rules (cancelled?)"
            ),
            (
                "warning: Rules row 2, column participants: the rule (hard apart for p1, p7 in "
                "WS4) is left out: too few of its people take part"
            ),
            (
                "warning: Rules row 3, column participants: the rule (soft forbid W12 for p7 in "
                "WS4) is left out: too few of its people take part"
            ),
        ),
        code=0,
    ),
    Case(
        "unknown session of an option",
        put("Options", 4, "session", "WS44"),
        (
            'Options row 4, column session: "WS44" is not a session (did you mean "WS4"?)',
            (
                'Preferences row 4, column option: "W12" is not an option of session WS4 '
                '(options: W10, W11) (did you mean "W11"?)'
            ),
            (
                'Rules row 3, column option: "W12" is not an option of session WS4 (did you '
                'mean "W11"?)'
            ),
            "event.xlsx: 3 problems, nothing written",
        ),
    ),
    Case(
        "unknown host",
        put("Options", 5, "hosts", "p9"),
        (
            'Options row 5, column hosts: host "p9" is not a participant; a host who cancelled '
            "is taken out of this cell too, or replaced by whoever hosts instead",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown participant in Rules",
        put("Rules", 2, "participants", "p1, p7"),
        (
            (
                'warning: Rules row 2, column participants: "p7" is not a participant; left out '
                "of the rule (cancelled?)"
            ),
            (
                "warning: Rules row 2, column participants: the rule (hard apart for p1, p7 in "
                "WS4) is left out: too few of its people take part"
            ),
        ),
        code=0,
    ),
    Case(
        "unknown option in Rules",
        put("Rules", 3, "option", "W21"),
        (
            (
                'Rules row 3, column option: "W21" is not an option of session WS4 (did you '
                'mean "W12"?)'
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown session in Rules",
        put("Rules", 2, "session", "ws44"),
        (
            'Rules row 2, column session: "ws44" is not a session (did you mean "WS4"?)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is text",
        put("Options", 2, "max", "twelve"),
        (
            'Options row 2, column max: "twelve" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is negative",
        put("Options", 2, "max", -3),
        (
            "Options row 2, column max: must be at least 0, not -3",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is fractional",
        put("Options", 2, "max", 2.5),
        (
            'Options row 2, column max: "2.5" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is TRUE",
        put("Options", 2, "max", True),
        (
            'Options row 2, column max: "TRUE" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is a date",
        dated("Options", 2, "max", datetime(2025, 3, 10), "yyyy-mm-dd"),
        (
            'Options row 2, column max: "2025-03-10" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "capacity is empty",
        put("Options", 2, "max", None),
        (
            "Options row 2, column max: a value is required",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "min more than max",
        put("Options", 3, "min", 4),
        (
            "Options row 3, column min: option W11: min 4 is more than max 3",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "min is negative",
        put("Options", 3, "min", -1),
        (
            "Options row 3, column min: must be at least 0, not -1",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "ranks that are not positive whole numbers",
        both(
            put("Preferences", 2, "rank", "first"),
            put("Preferences", 3, "rank", 0),
            put("Preferences", 4, "rank", 1.5),
            put("Preferences", 6, "rank", -1),
        ),
        (
            'Preferences row 2, column rank: "first" is not a rank (1, 2, 3, … or no)',
            'Preferences row 3, column rank: "0" is not a rank (1, 2, 3, … or no)',
            'Preferences row 4, column rank: "1.5" is not a rank (1, 2, 3, … or no)',
            'Preferences row 6, column rank: "-1" is not a rank (1, 2, 3, … or no)',
            "event.xlsx: 4 problems, nothing written",
        ),
    ),
    Case(
        "rank yes",
        put("Preferences", 5, "rank", "yes"),
        (
            'Preferences row 5, column rank: "yes" is not a rank (1, 2, 3, … or no)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "rank empty",
        put("Preferences", 5, "rank", None),
        (
            "Preferences row 5, column rank: a value is required",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown session kind",
        put("Sessions", 2, "kind", "workshop"),
        (
            (
                'Sessions row 2, column kind: "workshop" is not a session kind (choice, split, '
                "roundtable)"
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "session kind empty",
        put("Sessions", 2, "kind", None),
        (
            "Sessions row 2, column kind: a value is required",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "rounds are text",
        put("Sessions", 3, "rounds", "two"),
        (
            'Sessions row 3, column rounds: "two" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "rounds on a choice session",
        put("Sessions", 2, "rounds", 3),
        (
            ("Sessions row 2, column rounds: session WS4 is choice; only roundtables have rounds"),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "session without options",
        append("Sessions", "S9", "d1", "split"),
        (
            "Sessions row 4, column id: session S9 has no options",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown rule",
        put("Rules", 2, "rule", "pair"),
        (
            'Rules row 2, column rule: "pair" is not a rule (together, apart, assign, forbid)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "unknown strength, negative weight",
        both(put("Rules", 3, "strength", "must"), put("Rules", 3, "weight", -2)),
        (
            'Rules row 3, column strength: "must" is not a strength (hard, soft)',
            "Rules row 3, column weight: must be at least 0, not -2",
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case(
        "a weight too large for the objective",
        put("Rules", 3, "weight", 10**20),
        (
            "Rules row 3, column weight: must be at most 1000000, not 100000000000000000000",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "the largest weight",
        put("Rules", 3, "weight", 1_000_000),
        (),
        code=0,
    ),
    Case(
        "assign rule without an option",
        append("Rules", "assign", "p4", "WS4"),
        (
            "Rules row 4, column option: an assign rule needs an option",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "together rule with one person",
        append("Rules", "together", "p4"),
        (
            ("Rules row 4, column participants: a together rule needs at least two participants"),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a wish given twice",
        append("Preferences", "p1", "WS4", "W10", 3),
        (
            (
                "Preferences row 7, column option: p1 has two wishes for W10 in WS4: 3 here, 1 "
                "in row 2; keep one"
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "host fixed to two options of one session",
        put("Options", 6, "hosts", "p3, p1"),
        (
            (
                "Options row 6, column hosts: host p1 is fixed to two options of session R1: T1 "
                "and T2"
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "host on a day they do not attend",
        put("Participants", 2, "days", "d1"),
        (
            "Options row 5, column hosts: host p1 does not attend d2, the day of R1",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a wish naming someone by name",  # not a cancellation: their wishes would be lost
        put("Preferences", 2, "participant", "ana"),
        (
            'Preferences row 2, column participant: "ana" is not a participant (it is the name '
            "of p1: name people by their id)",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a rule's ids without a comma",  # the hard apart rule would be left out
        put("Rules", 2, "participants", "p1, p3 p4"),
        (
            'Rules row 2, column participants: "p3 p4" is not a participant (ids p3 and p4: '
            "separate them with commas)",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "an apart rule with an option",  # read as keeping them apart in every option
        put("Rules", 2, "option", "W10"),
        (
            "warning: Rules row 2, column option: an apart rule does not use its option: it "
            "keeps its people in different options; to place someone in W10, add an assign rule",
        ),
        code=0,
    ),
    Case(
        "a need no option meets",
        put("Participants", 3, "needs", "hearing loop"),
        (
            "no allocation can satisfy the hard rules:",
            "  session WS4: p2 can take no option (W10 does not offer hearing loop; W11 does not "
            "offer hearing loop; W12 does not offer hearing loop)",
        ),
        code=3,
    ),
    Case(
        "a day that matches no session",
        put("Participants", 3, "days", "d3"),
        (
            'Participants row 3, column days: "d3" is not a day of any session (days: d1, d2)',
            (
                "warning: Rules row 2, column participants: p2 does not take part in WS4; the "
                "rule leaves them out there"
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case("days as Excel dates", EXCEL_DAYS, (), code=0),
    Case("days as Excel dates in the 1904 system", both(EXCEL_DAYS, mac_dates), (), code=0),
    Case(
        "a text date that matches no date cell",
        both(EXCEL_DAYS, put("Participants", 3, "days", "10/03/2025")),
        (
            (
                'Participants row 3, column days: "10/03/2025" is not a day of any session '
                "(days: 2025-03-10, 2025-03-11)"
            ),
            (
                "warning: Rules row 2, column participants: p2 does not take part in WS4; the "
                "rule leaves them out there"
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "registration dates in every form",
        add_column(
            "Participants",
            "registered",
            datetime(2025, 2, 1, 8, 5),
            45700.5,
            "2025-02-03T17:45:00+01:00",
            "last week",
        ),
        (
            (
                'Participants row 5, column registered: "last week" is not a date and time '
                "(e.g. 2025-03-01 14:30)"
            ),
            *(
                f'warning: Sessions row {row}, column day: "{day}" is not a date (YYYY-MM-DD or '
                "an Excel date): people who registered late are placed in this session even "
                "when over"
                for row, day in ((2, "d1"), (3, "d2"))
            ),
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "merged cells",
        merge("Preferences", "A2:A3"),
        ('warning: Preferences row 2: cells A2:A3 are merged; each reads "p1"',),
        code=0,
    ),
    Case(
        "merged ids make a duplicate",
        merge("Participants", "A2:A3"),
        (
            'warning: Participants row 2: cells A2:A3 are merged; each reads "p1"',
            'Participants row 3, column id: duplicate participant id "p1"',
            *P2_LEFT_OUT,
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "formula with a saved value",
        put("Options", 2, "max", "=1+2"),
        (),
        code=0,
        after=cached(**{"1_2": "3"}),
    ),
    Case(
        "formula whose saved value is an empty text",
        put("Participants", 3, "days", '=IF(TRUE,"","d1")'),
        code=0,
        after=empty_text_results,
    ),
    Case(
        "formula without a saved value",
        both(
            put("Options", 2, "max", "=1+2"),
            put("Participants", 2, "organisation", '=UPPER("uni a")'),
        ),
        (
            (
                'Participants row 2, column organisation: the formula "=UPPER("uni a")" has no '
                "saved value; open the file in Excel or LibreOffice and save it"
            ),
            (
                'Options row 2, column max: the formula "=1+2" has no saved value; open the '
                "file in Excel or LibreOffice and save it"
            ),
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case(
        "formula error value",
        both(put("Participants", 2, "group", "#N/A"), put("Preferences", 3, "option", "#REF!")),
        (
            "Participants row 2, column group: the cell shows the error #N/A",
            "Preferences row 3, column option: the cell shows the error #REF!",
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case(
        "spaces around ids",
        both(
            put("Preferences", 2, "participant", "p1 "),
            put("Preferences", 3, "participant", "\u00a0p1"),
            put("Sessions", 2, "id", "WS4 "),
        ),
        (
            'warning: Sessions row 2, column id: spaces around "WS4" were removed',
            (
                'warning: Preferences row 2, column participant: spaces around "p1" were '
                "removed (and in 1 more rows)"
            ),
        ),
        code=0,
    ),
    Case(
        "ids in other case",
        both(
            put("Preferences", 4, "participant", "P2"),
            put("Preferences", 5, "session", "ws4"),
            put("Preferences", 2, "option", "w10"),
            put("Preferences", 6, "option", "w11"),
            put("Options", 2, "session", "ws4"),
            put("Options", 5, "hosts", "P1"),
            put("Rules", 2, "participants", "P1, p2"),
            put("Participants", 3, "days", "D1"),
        ),
        (
            'warning: Participants row 3, column days: "D1" is read as "d1", as in Sessions',
            'warning: Options row 2, column session: "ws4" is read as "WS4", as in Sessions',
            'warning: Options row 5, column hosts: "P1" is read as "p1", as in Participants',
            'warning: Preferences row 2, column option: "w10" is read as "W10", as in Options '
            "(and 1 more in this column)",
            'warning: Preferences row 4, column participant: "P2" is read as "p2", '
            "as in Participants",
            'warning: Preferences row 5, column session: "ws4" is read as "WS4", as in Sessions',
            'warning: Rules row 2, column participants: "P1" is read as "p1", as in Participants',
        ),
        code=0,
    ),
    Case(
        "a need in other case than the feature",
        put("Participants", 5, "needs", "Step-Free"),
        (
            'warning: Participants row 5, column needs: "Step-Free" is read as "step-free", as '
            "in Options",
        ),
        code=0,
    ),
    Case(
        "a feature spelled two ways in Options",
        both(
            put("Options", 5, "features", "Step-Free"), put("Options", 6, "features", "STEP-FREE")
        ),
        (  # p4 needs step-free: only these two of R1 offer it
            'warning: Options row 5, column features: "Step-Free" is read as "step-free", as in '
            "Options (and 1 more in this column)",
        ),
        code=0,
    ),
    Case(
        "lists separated by semicolons and line breaks",
        both(
            put("Rules", 2, "participants", "p1; p2"),
            put("Options", 5, "features", "step-free\nlift"),
            put("Participants", 5, "days", "d1;d2"),
        ),
        (),
        code=0,
    ),
    Case(
        "an id in other case that matches two ids",
        both(
            append("Sessions", "ws4", "d1", "split"),
            append("Options", "ws4", "X", None, None, 4, "step-free"),
            put("Preferences", 6, "session", "Ws4"),
        ),
        (
            'warning: Sessions row 4, column id: session id "ws4" differs from "WS4" in row 2 '
            "only in case; both are kept",
            'Preferences row 6, column session: "Ws4" is not a session (did you mean "WS4"?)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "audience in other case",
        add_column("Sessions", "audience", "Academia, Civil Society"),
        (
            (
                'warning: Sessions row 2, column audience: "Academia" is read as "academia", as '
                "in Participants (and 1 more in this column)"
            ),
            (
                "warning: Rules row 2, column participants: p2 does not take part in WS4; the "
                "rule leaves them out there"
            ),
        ),
        code=0,
    ),
    Case(
        "setting values",
        both(put("Settings", 2, "value", "soon"), put("Settings", 3, "value", -1)),
        (
            'Settings row 2, column value: "soon" is not a number',
            "Settings row 3, column value: must be at least 0, not -1",
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case(
        "unknown setting",
        append("Settings", "colour", "green"),
        ('warning: Settings row 4, column key: unknown setting "colour", ignored',),
        code=0,
    ),
    Case(
        "a day of no session, with the day meant",
        put("Participants", 5, "days", "d1, d11"),
        (
            'Participants row 5, column days: "d11" is not a day of any session (days: d1, d2) '
            '(did you mean "d1"?)',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a need met in part by every option",
        both(
            put("Participants", 5, "needs", "step-free, hearing loop"),
            put("Options", 4, "features", "hearing loop"),
        ),
        (
            "no allocation can satisfy the hard rules:",
            "  session WS4: p4 can take no option (W10 does not offer hearing loop; W11 does not "
            "offer hearing loop; W12 does not offer step-free)",
            "  session R1: p4 can take no option (T1 does not offer hearing loop; T2 does not "
            "offer hearing loop)",
        ),
        code=3,
    ),
    Case(
        "a sheet missing, the others' problems listed",
        both(drop_sheet("Participants"), put("Rules", 3, "session", "WS9")),
        (
            "Participants: missing sheet",
            'Rules row 3, column session: "WS9" is not a session (did you mean "WS4"?)',
            "event.xlsx: 2 problems, nothing written",
        ),
    ),
    Case("a yes-or-no setting given as 1", append("Settings", "stability_first", 1), code=0),
    Case(
        "the header in the last row looked at",
        rows_above("Participants", 9, "Participants of the academy"),
        (
            "warning: Participants row 10: the headers are in row 10; the rows above them are "
            "ignored",
        ),
        code=0,
    ),
    Case(
        "a days cell holding a date and time",
        both(EXCEL_DAYS, dated("Participants", 3, "days", datetime(2025, 3, 10, 9, 30), "hh:mm")),
        code=0,
    ),
    Case(
        "a capacity that is no number beside a minimum",
        both(put("Options", 2, "min", 2), put("Options", 2, "max", "twelve")),
        (
            'Options row 2, column max: "twelve" is not a whole number',
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "a setting's value without its key",
        append("Settings", None, 5),
        (
            "Settings row 4, column key: a value is required",
            "event.xlsx: 1 problem, nothing written",
        ),
    ),
    Case(
        "stray value far away",
        lambda book: book["Participants"].cell(1048576, 16384, "x"),
        ("warning: Participants row 1: column XFD has values but no header; it is ignored",),
        code=0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_broken_workbook(tmp_path: Path, case: Case) -> None:
    path = event_file(tmp_path, case.change)
    if case.after is not None:
        case.after(path)
    before = path.read_bytes()
    result = runner.invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (result.exit_code, result.stderr.splitlines()) == (case.code, list(case.lines))
    out = tmp_path / "out.xlsx"
    solved = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert (solved.exit_code, solved.stderr.splitlines()) == (case.code, list(case.lines))
    assert out.exists() == (case.code == 0)
    assert path.read_bytes() == before


# ---------------------------------------------------------------- files that are not workbooks


def parts_of(path: Path) -> dict[str, bytes]:
    """The members of a zip file."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(path: Path, parts: dict[str, bytes]) -> Path:
    """A zip file with these members, deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def written(name: str, data: bytes) -> Callable[[Path], Path]:
    """A builder of a file with these bytes."""

    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def ole(*streams: str) -> bytes:
    """The start of an OLE compound file (.xls, encrypted .xlsx) naming these streams."""
    names = b"".join(stream.encode("utf-16-le") + b"\0\0" for stream in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + names + bytes(1024)


def zip_of(name: str, parts: dict[str, bytes]) -> Callable[[Path], Path]:
    """A builder of a zip file with these members."""
    return lambda folder: zipped(folder / name, parts)


def workbook_with(change: Callable[[dict[str, bytes]], None]) -> Callable[[Path], Path]:
    """A builder of the valid event workbook with its zip members changed."""

    def build(folder: Path) -> Path:
        path = event_file(folder)
        parts = parts_of(path)
        change(parts)
        return zipped(path, parts)

    return build


def zip_bomb(parts: dict[str, bytes]) -> None:
    """A member that unpacks to 20 MB of zeros (about 20 kB packed)."""
    parts["xl/media/image1.bin"] = bytes(20 * 1024 * 1024)


def billion_laughs(parts: dict[str, bytes]) -> None:
    """Nested XML entities that would expand to gigabytes, in the first sheet."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(levels)}]>".encode()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = doctype + sheet.replace(b"Ana", b"&lol9;")


def external_entity(parts: dict[str, bytes]) -> None:
    """An entity that would read a local file into a cell."""
    doctype = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = doctype + sheet.replace(b"Ana", b"&xxe;")


def whole_columns_merged(parts: dict[str, bytes]) -> None:
    """Columns A:B of the first sheet merged from row 2 down, as Excel writes it."""
    sheet = parts["xl/worksheets/sheet1.xml"]
    merge = b'<mergeCells count="1"><mergeCell ref="A2:B1048576"/></mergeCells>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", b"</sheetData>" + merge)


def truncated(folder: Path) -> Path:
    """The valid workbook cut short, as an interrupted download leaves it."""
    path = event_file(folder)
    path.write_bytes(path.read_bytes()[:1500])
    return path


def understated(folder: Path) -> Path:
    """A workbook whose first sheet unpacks to far more than its header says."""
    path = event_file(folder)
    parts = parts_of(path)
    real = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = real.replace(
        b"</worksheet>", b" " * 5_000_000 + b"</worksheet>"
    )
    zipped(path, parts)
    data = bytearray(path.read_bytes())
    claimed = len(real).to_bytes(4, "little")
    true_size = len(parts["xl/worksheets/sheet1.xml"]).to_bytes(4, "little")
    path.write_bytes(bytes(data).replace(true_size, claimed))
    return path


def overstated(folder: Path) -> Path:
    """A workbook whose central directory claims a member unpacks to 600 MB."""
    path = event_file(folder)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = (600 * 1024 * 1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def oversized(folder: Path) -> Path:
    """A 51 MB file (sparse, so the test stays fast)."""
    path = event_file(folder)
    os.truncate(path, 51 * 1024 * 1024)
    return path


def folder_named_xlsx(folder: Path) -> Path:
    """A folder where the workbook should be."""
    path = folder / "event.xlsx"
    path.mkdir()
    return path


def chart_sheet(charted: bool) -> Break:
    """A chart sheet added (an organiser's chart of the rooms), with or without its chart."""

    def change(book: Workbook) -> None:
        sheet = book.create_chartsheet("Chart")
        if charted:
            chart = BarChart()
            chart.add_data(Reference(book["Options"], min_col=5, min_row=1, max_row=6))
            sheet.add_chart(chart)

    return change


def test_a_chart_sheet_with_its_chart_is_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(event_file(tmp_path, chart_sheet(True)))])
    assert result.exit_code == 0, result.output


NOT_XLSX = "not an Excel workbook (.xlsx): "
CSV = b"id,name\np1,Ana\np2,Bo\n"
FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing file", lambda folder: folder / "event.xlsx", "file not found"),
    ("folder", folder_named_xlsx, "is a folder, not a file"),
    ("empty file", written("event.xlsx", b""), "the file is empty"),
    (
        "text renamed .xlsx",
        written("event.xlsx", CSV),
        NOT_XLSX + "it is a text file (CSV?); save it as Excel Workbook (.xlsx)",
    ),
    (
        "CSV",
        written("event.csv", CSV),
        NOT_XLSX + "it is a text file (CSV?); save it as Excel Workbook (.xlsx)",
    ),
    (
        "Unicode text from Excel (UTF-16)",
        written("event.txt", "\ufeffid\tname\np1\tAna\n".encode("utf-16-le")),
        NOT_XLSX + "it is a text file (CSV?); save it as Excel Workbook (.xlsx)",
    ),
    (
        "binary junk",
        written("event.xlsx", bytes(range(256)) * 4),
        NOT_XLSX + "unknown file type; save it as Excel Workbook (.xlsx)",
    ),
    (
        "zip without a workbook",
        zip_of("event.xlsx", {"notes.txt": b"hello"}),
        NOT_XLSX + "it is a zip archive of another kind",
    ),
    (
        "empty zip",
        zip_of("event.xlsx", {}),
        NOT_XLSX + "it is a zip archive of another kind",
    ),
    (
        "Word document renamed",
        zip_of("event.xlsx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        NOT_XLSX + "it is a Word document",
    ),
    (
        "binary workbook .xlsb",
        zip_of("event.xlsb", {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}),
        NOT_XLSX + "it is a binary workbook (.xlsb); save it as Excel Workbook (.xlsx)",
    ),
    (
        "old .xls",
        written("event.xls", ole("Root Entry", "Workbook", "SummaryInformation")),
        NOT_XLSX + "it is an old Excel 97-2003 file (.xls); save it as Excel Workbook (.xlsx)",
    ),
    (
        "password-protected workbook",
        written("event.xlsx", ole("Root Entry", "EncryptionInfo", "EncryptedPackage")),
        NOT_XLSX + "it is protected by a password; remove the password and save it again",
    ),
    (
        "other OLE file",
        written("event.xlsx", ole("Root Entry", "WordDocument")),
        NOT_XLSX + "it is an old .xls file or a password-protected workbook; "
        "save it as .xlsx without a password",
    ),
    (
        "OpenDocument spreadsheet",
        zip_of("event.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        NOT_XLSX + "it is an OpenDocument file (.ods); save it as Excel Workbook (.xlsx)",
    ),
    (
        "chart sheet without a chart",
        lambda folder: event_file(folder, chart_sheet(False)),
        "a chart sheet holds no chart and cannot be read; delete that sheet",
    ),
    ("damaged workbook", truncated, NOT_XLSX + "the file is damaged (File is not a zip file)"),
    (
        "zip bomb",
        workbook_with(zip_bomb),
        "the workbook unpacks to 21 MB from 1 MB, more than 100 times its size; "
        "refused as a possible zip bomb",
    ),
    (
        "size overstated in the zip directory",
        overstated,
        "the workbook unpacks to 601 MB; the limit is 500 MB",
    ),
    (
        "size understated in the zip directory",
        understated,
        NOT_XLSX + "the file is damaged (Bad CRC-32 for file 'xl/worksheets/sheet1.xml')",
    ),
    ("file over the size limit", oversized, "the file is 51 MB; the limit is 50 MB"),
    (
        "XML entity expansion (billion laughs)",
        workbook_with(billion_laughs),
        NOT_XLSX + "it declares XML entities, which are refused for safety",
    ),
    (
        "XML external entity",
        workbook_with(external_entity),
        NOT_XLSX + "it declares XML entities, which are refused for safety",
    ),
    (
        "whole columns merged",
        workbook_with(whole_columns_merged),
        "the workbook merges 2097150 cells (the largest range is A2:B1048576); "
        "the limit is 100000: unmerge them and save the file again",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"), [case[1:] for case in FILES], ids=[case[0] for case in FILES]
)
def test_file_that_is_not_a_workbook(
    tmp_path: Path, build: Callable[[Path], Path], message: str
) -> None:
    path = build(tmp_path)
    started = time.monotonic()
    result = runner.invoke(app, ["check", str(path)])
    assert time.monotonic() - started < 5
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [f"{path.name}: {message}", f"{path.name}: 1 problem, nothing written"]
    assert (result.exit_code, result.stderr.splitlines()) == (2, lines)
    out = tmp_path / "out.xlsx"
    solved = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert (solved.exit_code, solved.stderr.splitlines()) == (2, lines)
    assert not out.exists()


# ---------------------------------------------------------------- fuzzing: never a traceback

SHEET_NAMES = list(base_sheets())
WORDS = [
    "p1",
    "P1 ",
    "p2, p3",
    "WS4",
    "ws4",
    "R1",
    "W10",
    "T1",
    "no",
    "d1",
    "d2",
    "choice",
    "roundtable",
    "together",
    "assign",
    "soft",
    "step-free",
    "=1+1",
    "#N/A",
    "'=x",
    "  ",
]
values = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=12),
    st.integers(-10, 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)
sheets = st.sampled_from(SHEET_NAMES)
rows = st.integers(1, 8)
columns = st.integers(1, 8)
mutations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), sheets, rows, columns, values),
        st.tuples(st.just("swap"), sheets, rows, columns, rows, columns),
        st.tuples(st.just("delete row"), sheets, rows),
        st.tuples(st.just("delete column"), sheets, columns),
        st.tuples(st.just("delete sheet"), sheets),
    ),
    min_size=1,
    max_size=5,
)


def mutate(book: Workbook, mutation: tuple[Any, ...]) -> None:
    """Apply one generated mutation; a sheet already deleted is left alone."""
    kind, title, *where = mutation
    if title not in book.sheetnames:
        return
    sheet = book[title]
    if kind == "set":
        row, column, value = where
        sheet.cell(row, column).value = value
    elif kind == "swap":
        first, second = sheet.cell(where[0], where[1]), sheet.cell(where[2], where[3])
        first.value, second.value = second.value, first.value
    elif kind == "delete row":
        sheet.delete_rows(where[0])
    elif kind == "delete column":
        sheet.delete_cols(where[0])
    else:
        book.remove(sheet)


def assert_clean_exit(result: Result) -> None:
    """Exit 0, or exit 2 (invalid) or 3 (impossible, which `check`'s quick checks can show)
    with at least one sentence; never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2, 3), result.output
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.stderr.strip()


@given(mutations)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_mutated_workbooks_exit_cleanly(tmp_path: Path, changes: list[tuple[Any, ...]]) -> None:
    book = base_workbook()
    for mutation in changes:
        mutate(book, mutation)
    path = tmp_path / "event.xlsx"
    book.save(path)
    assert_clean_exit(runner.invoke(app, ["check", str(path)]))


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4))
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_damaged_bytes_exit_cleanly(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    path = event_file(tmp_path)
    data = bytearray(path.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path.write_bytes(bytes(data))
    assert_clean_exit(runner.invoke(app, ["check", str(path)]))


def test_lists_separated_by_semicolons_and_line_breaks_read_as_with_commas(tmp_path: Path) -> None:
    change = both(
        put("Rules", 2, "participants", "p1; p2"),
        put("Options", 5, "features", "step-free\nlift"),
        put("Participants", 5, "days", "d1;d2"),
    )
    event, issues = read_event(event_file(tmp_path, change))
    assert event is not None and issues == []
    assert event.rules[0].participants == ("p1", "p2")
    assert event.options[3].features == ("step-free", "lift")
    assert event.people["p4"].days == ("d1", "d2")
