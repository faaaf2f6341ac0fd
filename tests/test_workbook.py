"""The event workbook: reading every sheet, reporting problems in the organiser's words."""

import os
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.styles import Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from models import (
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
from models import workbook as event_workbook
from models.issues import Issue, issue_lines
from models.workbook import read_event, setting_value, write_event, write_template
from tests.factories import unsaved_formula

DATA = Path(__file__).resolve().parent.parent / "data"

Rows = list[list[object]]


def base_sheets() -> dict[str, Rows]:
    """A valid tiny event: three people, one choice session with options A and B."""
    return {
        "Participants": [
            ["id", "name", "group"],
            ["p1", "Ana", "academia"],
            ["p2", "Bo", "civil society"],
            ["p3", "Cy", "academia"],
        ],
        "Sessions": [["id", "day", "kind"], ["S1", "d1", "choice"]],
        "Options": [["session", "id", "max"], ["S1", "A", 2], ["S1", "B", 2]],
        "Preferences": [
            ["participant", "session", "option", "rank"],
            ["p1", "S1", "A", 1],
            ["p1", "S1", "B", 2],
        ],
    }


def save(path: Path, sheets: dict[str, Rows]) -> Path:
    """A workbook with one sheet per entry, rows as given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for values in rows:
            sheet.append(values)
    workbook.save(path)
    return path


def read(tmp_path: Path, sheets: dict[str, Rows]) -> tuple[Event | None, list[str]]:
    """Save the sheets, read them back, and give the issues as the organiser sees them."""
    event, issues = read_event(save(tmp_path / "event.xlsx", sheets))
    return event, [str(issue) for issue in issues]


def with_cell(sheet: str, row: int, column: str, value: object) -> dict[str, Rows]:
    """The base event with one cell changed (row as in the spreadsheet, header = 1)."""
    sheets = base_sheets()
    index = sheets[sheet][0].index(column)
    sheets[sheet][row - 1][index] = value
    return sheets


def full_event() -> Event:
    """An event that uses every column, an extra attribute, a veto, rules and settings."""
    return Event(
        participants=[
            Participant(
                id="p1",
                name="ნინო ბერიძე",
                email="nino@example.org",
                organisation="Tbilisi City Hall",
                country="Georgia",
                region="South Caucasus",
                group="local authority",
                days=("2025-03-10", "2025-03-11"),
                registered=datetime(2025, 2, 1, 9, 15),
                extra={"diet": "vegetarian"},
            ),
            Participant(id="p2", name="김민준", group="academia", needs=("step-free",)),
            Participant(id="p3", name="=SUM(A1)", organisation="-minus", region="+plus"),
        ],
        sessions=[
            Session(
                id="W1",
                day="2025-03-10",
                kind=SessionKind.CHOICE,
                title="Workshops",
                start="09:30",
                end="11:00",
            ),
            Session(
                id="R1",
                day="2025-03-11",
                kind=SessionKind.ROUNDTABLE,
                rounds=3,
                audience=("academia", "local authority"),
            ),
        ],
        options=[
            Option(session="W1", id="A", max=10, min=2, title="Water", room="Oak"),
            Option(session="W1", id="B", max=10, features=("step-free", "screen")),
            Option(session="R1", id="T1", max=6, features=("step-free",), hosts=("p1",)),
        ],
        preferences=[
            Preference(participant="p2", session="W1", option="A", rank=1),
            Preference(participant="p2", session="W1", option="B", rank=None),
        ],
        rules=[
            Rule(kind=RuleKind.TOGETHER, participants=("p1", "p2")),
            Rule(
                kind=RuleKind.FORBID,
                participants=("p3",),
                session="W1",
                option="A",
                strength=Strength.SOFT,
                weight=5,
            ),
        ],
        settings=Settings(rank_costs=(0, 2, 5), unranked_cost=7, time_limit=12.5, seed=3),
    )


# ---------------------------------------------------------------- round trip and template


def test_round_trip_gives_back_an_equal_event(tmp_path: Path) -> None:
    event = full_event()
    write_event(event, tmp_path / "event.xlsx")
    back, issues = read_event(tmp_path / "event.xlsx")
    assert [str(issue) for issue in issues] == []
    assert back is not None
    assert back.model_dump() == event.model_dump()
    assert [person.row for person in back.participants] == [2, 3, 4]


def test_written_workbook_has_the_spec_layout_and_no_formulas(tmp_path: Path) -> None:
    write_event(full_event(), tmp_path / "event.xlsx")
    book = load_workbook(tmp_path / "event.xlsx")
    assert book.sheetnames == [
        "Participants",
        "Sessions",
        "Options",
        "Preferences",
        "Rules",
        "Settings",
    ]
    people = book["Participants"]
    assert [cell.value for cell in people[1]][-1] == "diet"
    assert people.freeze_panes == "A2"
    assert people["A1"].font.bold
    assert people["B4"].value == "'=SUM(A1)"
    assert people["B4"].data_type == "s"
    assert [row for row in book["Preferences"].iter_rows(min_row=3, values_only=True)] == [
        ("p2", "W1", "B", "no")
    ]


@given(
    st.lists(
        st.text(
            alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters=","),
            min_size=1,
            max_size=30,
        )
        .map(str.strip)
        .filter(lambda text: text and not text.startswith("'")),
        min_size=3,
        max_size=3,
    )
)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_text_survives_the_round_trip(tmp_path: Path, texts: list[str]) -> None:
    name, organisation, note = texts
    person = Participant(id="p1", name=name, organisation=organisation, extra={"note": note})
    event = Event(participants=[person])
    write_event(event, tmp_path / "texts.xlsx")
    back, issues = read_event(tmp_path / "texts.xlsx")
    assert issues == []
    assert back is not None
    assert back.model_dump() == event.model_dump()


def test_template_reads_back_as_an_empty_event(tmp_path: Path) -> None:
    write_template(tmp_path / "template.xlsx")
    event, issues = read_event(tmp_path / "template.xlsx")
    assert issues == []
    assert event is not None
    assert event.model_dump() == Event().model_dump()
    book = load_workbook(tmp_path / "template.xlsx")
    assert book.sheetnames[0] == "Instructions"
    explained = {row[0] for row in book["Instructions"].iter_rows(values_only=True)}
    assert {"Participants", "registered", "rank", "rank_costs", "time_limit"} <= explained


def test_write_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "event.xlsx"
    target.write_text("old")
    write_event(full_event(), target)
    assert read_event(target)[0] is not None
    assert [path.name for path in tmp_path.iterdir()] == ["event.xlsx"]


# ---------------------------------------------------------------- sheets and headers


def test_headers_ignore_case_spaces_hyphens_and_underscores(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][0] = ["ID", " Name ", "GROUP"]
    sheets["Options"][0] = ["Session", "Id", "MAX"]
    sheets["Preferences"][0] = ["PARTICIPANT", "Session ", " option", "Rank"]
    sheets["Settings"] = [["Key", "Value"], ["rank costs", "0,2"], ["Time-Limit", 5]]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert event.participants[0].group == "academia"
    assert event.settings.rank_costs == (0, 2)
    assert event.settings.time_limit == 5.0


def test_unknown_participant_columns_are_kept_as_attributes(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"] = [
        ["id", "name", "Home Town", "seniority"],
        ["p1", "Ana", "Batumi", 12],
        ["p2", "Bo", "", None],
    ]
    sheets["Preferences"] = [sheets["Preferences"][0]]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert event.participants[0].extra == {"home_town": "Batumi", "seniority": "12"}
    assert event.participants[0].attribute("home_town") == "Batumi"
    assert event.participants[1].extra == {}


def test_participant_column_like_a_known_one_is_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][0][2] = "Groups"
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert event.participants[0].extra == {"groups": "academia"}
    assert issues == [
        'warning: Participants row 1, column groups: kept as an attribute (did you mean "group"?)'
    ]


@pytest.mark.parametrize(
    ("header", "meant"),
    [
        ("Email Address", "email"),
        ("Accessibility needs", "needs"),
        ("Days attending", "days"),
        ("Registration date", "registered"),
        ("Organization", "organisation"),
        ("Do you have any accessibility needs?", "needs"),
    ],
)
def test_participant_column_in_other_words_is_a_warning(
    tmp_path: Path, header: str, meant: str
) -> None:
    sheets = base_sheets()
    sheets["Participants"][0][2] = header
    _, issues = read(tmp_path, sheets)
    name = header.lower().replace(" ", "_")
    assert issues == [
        f"warning: Participants row 1, column {name}: kept as an attribute "
        f'(did you mean "{meant}"?)'
    ]


@pytest.mark.parametrize(
    "header", ["Notes", "Gender", "Home town", "Dietary needs", "Working group"]
)
def test_participant_column_of_the_organisers_own_is_kept_quietly(
    tmp_path: Path, header: str
) -> None:
    sheets = base_sheets()
    sheets["Participants"][0][2] = header
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None and header.lower().replace(" ", "_") in event.participants[0].extra


def test_unknown_column_elsewhere_is_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [["rule", "participants", "strenght"], ["together", "p1, p2", "soft"]]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == [
        'warning: Rules row 1, column strenght: unknown column, ignored (did you mean "strength"?)'
    ]


def test_an_allocation_workbook_given_for_the_event_says_so(tmp_path: Path) -> None:
    sheets: dict[str, Rows] = {
        "Summary": [["status", "optimal"]],
        "Assignments": [["participant", "session"]],
    }
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        "event.xlsx: an allocation workbook (it has an Assignments sheet) where the event was "
        "expected"
    ]


@pytest.mark.parametrize(
    ("day", "end", "registered", "expected"),
    [
        (
            "Day 1",
            "11:00",
            "2025-03-10 12:00",
            'warning: Sessions row 2, column day: "Day 1" is not a date (YYYY-MM-DD or an Excel '
            "date): people who registered late are placed in this session even when over",
        ),
        (
            "2025-03-10",
            "11h",
            "2025-03-10 12:00",
            'warning: Sessions row 2, column end: "11h" is not a time (HH:MM): for people who '
            "registered late, the session ends with its day",
        ),
        (  # comparable: p1 registered after the session, its only one, ended
            "2025-03-10",
            "11:00",
            "2025-03-10 12:00",
            "warning: Participants row 2, column registered: p1 registered after every session "
            "they would join had ended (the last on 2025-03-10); they are placed in none",
        ),
        ("Day 1", "11h", None, None),
    ],
)
def test_a_session_a_registration_cannot_be_compared_with_is_a_warning(
    tmp_path: Path, day: str, end: str, registered: str | None, expected: str | None
) -> None:
    sheets = base_sheets()
    sheets["Participants"][0].append("registered")
    sheets["Participants"][1].append(registered)
    sheets["Sessions"] = [["id", "day", "kind", "end"], ["S1", day, "choice", end]]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == ([expected] if expected else [])


def test_a_day_registrations_cannot_be_compared_with_is_one_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][0].append("registered")
    sheets["Participants"][1].append("2025-03-10 12:00")
    sheets["Sessions"] = [["id", "day", "kind"], ["S1", "Day 1", "choice"]]
    sheets["Sessions"].append(["S2", "Day 1", "split"])
    sheets["Options"] += [["S2", "A", 3]]
    _, issues = read(tmp_path, sheets)
    assert issues == [
        'warning: Sessions row 2, column day: "Day 1" is not a date (YYYY-MM-DD or an Excel '
        "date): people who registered late are placed in its 2 sessions even when over"
    ]


def test_missing_sheet(tmp_path: Path) -> None:
    sheets = base_sheets()
    del sheets["Options"]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == ["Options: missing sheet"]


def test_missing_sheet_suggests_a_near_name(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Option"] = sheets.pop("Options")
    assert read(tmp_path, sheets)[1] == ['Options: missing sheet (did you mean "Option"?)']


def test_sheet_name_in_other_case_is_read_with_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["sessions"] = sheets.pop("Sessions")
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert event.sessions[0].id == "S1"
    assert issues == ['warning: Sessions: the sheet is named "sessions"; read as Sessions']


def test_a_blank_required_sheet_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"] = []
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == ["Participants: the sheet is empty; its first row needs the headers id, name"]


def test_a_required_sheet_with_headers_only_is_read_as_no_rows(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Preferences"] = sheets["Preferences"][:1]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert (event.preferences, issues) == ([], [])


def test_missing_column(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Options"] = [["session", "id"], ["S1", "A"], ["S1", "B"]]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == ["Options, column max: missing required column"]


def test_duplicate_column(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [["id", "day", "kind", "Day"], ["S1", "d1", "choice", "d2"]]
    assert read(tmp_path, sheets)[1] == [
        "Sessions row 1, column day: the column appears twice (columns B and D)"
    ]


def test_values_without_a_header_are_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [["id", "day", "kind"], ["S1", "d1", "choice", "stray"]]
    assert read(tmp_path, sheets)[1] == [
        "warning: Sessions row 1: column D has values but no header; it is ignored"
    ]


def test_instructions_and_other_sheets_are_ignored(tmp_path: Path) -> None:
    sheets: dict[str, Rows] = {
        "Instructions": [["anything", 1]],
        "Notes": [["id"], [""]],
        **base_sheets(),
    }
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None


# ---------------------------------------------------------------- rows and cells


def test_rows_keep_their_spreadsheet_number_and_empty_rows_are_skipped(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"].insert(2, [None, "  ", None])
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert [(person.id, person.row) for person in event.participants] == [
        ("p1", 2),
        ("p2", 4),
        ("p3", 5),
    ]


def test_empty_required_cell(tmp_path: Path) -> None:
    event, issues = read(tmp_path, with_cell("Participants", 3, "name", "  "))
    assert event is None
    assert issues == ["Participants row 3, column name: a value is required"]


def test_row_without_id_is_reported_and_dropped(tmp_path: Path) -> None:
    event, issues = read(tmp_path, with_cell("Participants", 4, "id", None))
    assert event is None
    assert issues == ["Participants row 4, column id: a value is required"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("twelve", '"twelve" is not a whole number'),
        (2.5, '"2.5" is not a whole number'),
        ("2.5", '"2.5" is not a whole number'),
        (-3, "must be at least 0, not -3"),
        (None, "a value is required"),
    ],
)
def test_wrong_capacity(tmp_path: Path, value: object, message: str) -> None:
    event, issues = read(tmp_path, with_cell("Options", 3, "max", value))
    assert event is None
    assert issues == [f"Options row 3, column max: {message}"]


@pytest.mark.parametrize("value", [12, 12.0, "12", " 12 "])
def test_whole_numbers_in_any_form(tmp_path: Path, value: object) -> None:
    event, issues = read(tmp_path, with_cell("Options", 2, "max", value))
    assert issues == []
    assert event is not None
    assert event.options[0].max == 12


def test_a_bad_capacity_does_not_hide_the_option(tmp_path: Path) -> None:
    """The option stays known, so wishes for it are not reported as unknown options."""
    _, issues = read(tmp_path, with_cell("Options", 2, "max", "lots"))
    assert issues == ['Options row 2, column max: "lots" is not a whole number']


@pytest.mark.parametrize(("value", "issues"), [("first", 1), ("no", 1), (2, 1)])
def test_a_bad_rank_is_not_also_a_wish_given_twice(
    tmp_path: Path, value: object, issues: int
) -> None:
    sheets = base_sheets()
    sheets["Preferences"] = [*sheets["Preferences"], ["p1", "S1", "A", value]]
    found = read(tmp_path, sheets)[1]
    assert len(found) == issues
    if value == "first":
        assert found == ['Preferences row 4, column rank: "first" is not a rank (1, 2, 3, … or no)']
    else:
        assert found[0].startswith("Preferences row 4, column option: p1 has two wishes for A")


def test_rounds_must_be_at_least_one(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [["id", "day", "kind", "rounds"], ["S1", "d1", "roundtable", 0]]
    assert read(tmp_path, sheets)[1] == ["Sessions row 2, column rounds: must be at least 1, not 0"]


@pytest.mark.parametrize("value", ["first", 0, 1.5, -1, "yes"])
def test_bad_rank(tmp_path: Path, value: object) -> None:
    event, issues = read(tmp_path, with_cell("Preferences", 2, "rank", value))
    assert event is None
    shown = {0: "0", 1.5: "1.5", -1: "-1"}.get(value, value)  # type: ignore[call-overload]
    assert issues == [f'Preferences row 2, column rank: "{shown}" is not a rank (1, 2, 3, … or no)']


@pytest.mark.parametrize("value", [1, 1.0, "1", " 1 "])
def test_rank_in_any_whole_form(tmp_path: Path, value: object) -> None:
    event, issues = read(tmp_path, with_cell("Preferences", 2, "rank", value))
    assert issues == []
    assert event is not None
    assert event.preferences[0].rank == 1


@pytest.mark.parametrize("value", ["no", "No", "NO", " no "])
def test_no_rank_is_a_veto(tmp_path: Path, value: str) -> None:
    event, issues = read(tmp_path, with_cell("Preferences", 3, "rank", value))
    assert issues == []
    assert event is not None
    assert event.preferences[1].is_veto
    assert event.vetoed("p1", "S1", "B")


def test_unknown_session_kind(tmp_path: Path) -> None:
    event, issues = read(tmp_path, with_cell("Sessions", 2, "kind", "workshop"))
    assert event is None
    assert issues == [
        'Sessions row 2, column kind: "workshop" is not a session kind (choice, split, roundtable)'
    ]


def test_kind_in_any_case(tmp_path: Path) -> None:
    event, issues = read(tmp_path, with_cell("Sessions", 2, "kind", "Split"))
    assert issues == []
    assert event is not None
    assert event.sessions[0].kind is SessionKind.SPLIT


def test_unknown_rule_and_strength(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [
        ["rule", "participants", "strength", "weight"],
        ["pair", "p1, p2", "hard", 1],
        ["Apart", "p1, p3", "must", "heavy"],
    ]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        'Rules row 2, column rule: "pair" is not a rule (together, apart, assign, forbid)',
        'Rules row 3, column strength: "must" is not a strength (hard, soft)',
        'Rules row 3, column weight: "heavy" is not a whole number',
    ]


def test_rules_are_read(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [
        ["rule", "participants", "session", "option", "strength", "weight"],
        ["assign", "p1", "S1", "A", "Soft", 4],
        ["apart", "p2,p3", None, None, None, None],
    ]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert [rule.describe() for rule in event.rules] == [
        "soft assign A for p1 in S1",
        "hard apart for p2, p3",
    ]
    assert event.rules[0].weight == 4


def test_unknown_option_in_preferences(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Options"] = [["session", "id", "max"], ["S1", "Oak", 2], ["S1", "Elm", 2]]
    sheets["Preferences"] = [["participant", "session", "option", "rank"], ["p1", "S1", "Oaks", 1]]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        'Preferences row 2, column option: "Oaks" is not an option of session S1 '
        '(options: Oak, Elm) (did you mean "Oak"?)'
    ]


def test_duplicate_participant_id(tmp_path: Path) -> None:
    event, issues = read(tmp_path, with_cell("Participants", 4, "id", "p1"))
    assert event is None
    assert issues == ['Participants row 4, column id: duplicate participant id "p1"']


def test_spaces_around_ids_are_removed_with_one_warning(tmp_path: Path) -> None:
    sheets = with_cell("Participants", 2, "id", "p1 ")
    sheets["Participants"][3][0] = " p3"
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert [person.id for person in event.participants] == ["p1", "p2", "p3"]
    assert issues == [
        'warning: Participants row 2, column id: spaces around "p1" were removed '
        "(and in 1 more rows)"
    ]


def test_numeric_ids_match_text_ids(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][1][0] = 1001
    sheets["Preferences"][1][0] = "1001"
    sheets["Preferences"][2][0] = 1001.0
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert {pref.participant for pref in event.preferences} == {"1001"}


def test_formula_error_value(tmp_path: Path) -> None:
    _, issues = read(tmp_path, with_cell("Participants", 2, "group", "#N/A"))
    assert issues == ["Participants row 2, column group: the cell shows the error #N/A"]


# ---------------------------------------------------------------- formulas, dates, times, merges


def rewrite_parts(path: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """The workbook with each part's XML changed (`change(name, data)`), as other programs
    write what openpyxl cannot."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, change(name, data))
    return path


def with_cached_value(path: Path, formula: str, cached: str) -> None:
    """Give a formula the saved result Excel would store (openpyxl writes none)."""
    empty = unsaved_formula(formula)

    def cache(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet3.xml":
            return data
        assert empty.search(data)
        return empty.sub(f"<f>{formula}</f><v>{cached}</v>".encode(), data)

    rewrite_parts(path, cache)


def test_formula_gives_its_saved_value_and_is_never_evaluated(tmp_path: Path) -> None:
    sheets = with_cell("Options", 2, "max", "=1+1")
    path = save(tmp_path / "event.xlsx", sheets)
    event, issues = read_event(path)
    assert [str(issue) for issue in issues] == [
        'Options row 2, column max: the formula "=1+1" has no saved value; '
        "open the file in Excel or LibreOffice and save it"
    ]
    with_cached_value(path, "1+1", "7")
    event, issues = read_event(path)
    assert issues == []
    assert event is not None
    assert event.options[0].max == 7


def with_prefixed_worksheets(path: Path) -> Path:
    """The workbook with its worksheets' XML written with a namespace prefix (`<x:c>`), as
    some programs write it; the same cells."""

    def prefix(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return data
        data = re.sub(rb"<(/?)([A-Za-z])", rb"<\1x:\2", data)
        return data.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)

    return rewrite_parts(path, prefix)


@pytest.mark.parametrize("formula", [True, False], ids=["formula", "values"])
def test_worksheets_written_with_a_prefix_read_as_without(tmp_path: Path, formula: bool) -> None:
    sheets = with_cell("Options", 2, "max", "=1+1" if formula else 7)
    path = with_prefixed_worksheets(save(tmp_path / "event.xlsx", sheets))
    assert b"<x:c " in zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    event, issues = read_event(path)
    if formula:  # found behind its prefix, so no quick reader reads it as empty
        assert [str(issue) for issue in issues] == [
            'Options row 2, column max: the formula "=1+1" has no saved value; '
            "open the file in Excel or LibreOffice and save it"
        ]
        return
    assert issues == []
    assert event is not None
    assert event.options[0].max == 7


def test_excel_date_day_matches_iso_days_of_participants(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"][1][1] = datetime(2025, 3, 10)
    sheets["Participants"][0].append("days")
    sheets["Participants"][1].append("2025-03-10")
    sheets["Participants"][2].append(datetime(2025, 3, 10))
    sheets["Participants"][3].append("2025-03-10, 2025-03-11")
    sheets["Sessions"].append(["S2", datetime(2025, 3, 11, 9, 30), "split"])
    sheets["Options"].append(["S2", "A", 3])
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert [session.day for session in event.sessions] == ["2025-03-10", "2025-03-11"]
    assert all(person.attends("2025-03-10") for person in event.participants)


def test_wrong_day_of_a_participant(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][0].append("days")
    sheets["Participants"][1].append("d2")
    assert read(tmp_path, sheets)[1] == [
        'Participants row 2, column days: "d2" is not a day of any session (days: d1)'
    ]


def test_times_and_registration(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [
        ["id", "day", "kind", "start", "end"],
        ["S1", "2025-02-05", "choice", time(9, 30), "11:00"],
    ]
    sheets["Participants"][0].append("registered")
    sheets["Participants"][1].append(datetime(2025, 2, 1, 8, 5))
    sheets["Participants"][2].append("2025-02-03 17:45")
    sheets["Participants"][3].append("last week")
    event, issues = read(tmp_path, sheets)
    assert issues == [
        'Participants row 4, column registered: "last week" is not a date and time '
        "(e.g. 2025-03-01 14:30)"
    ]
    sheets["Participants"][3][-1] = None
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert (event.sessions[0].start, event.sessions[0].end) == ("09:30", "11:00")
    assert [person.registered for person in event.participants] == [
        datetime(2025, 2, 1, 8, 5),
        datetime(2025, 2, 3, 17, 45),
        None,
    ]


def test_merged_cells_are_filled_with_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [["id", "day", "kind"], ["S1", "d1", "choice"], ["S2", None, "choice"]]
    sheets["Options"] += [["S2", "A", 3]]
    path = save(tmp_path / "event.xlsx", sheets)
    book = load_workbook(path)
    book["Sessions"].merge_cells("B2:B3")
    book.save(path)
    event, issues = read_event(path)
    assert [str(issue) for issue in issues] == [
        'warning: Sessions row 2: cells B2:B3 are merged; each reads "d1"'
    ]
    assert event is not None
    assert [session.day for session in event.sessions] == ["d1", "d1"]


# ---------------------------------------------------------------- settings


def test_settings_are_read(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [
        ["key", "value"],
        ["rank_costs", "0, 1, 4"],
        ["unranked_cost", 20],
        ["seed", "7"],
        ["time_limit", 2.5],
        ["workers", None],
    ]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert event.settings == Settings(
        rank_costs=(0, 1, 4), unranked_cost=20, seed=7, time_limit=2.5
    )


def test_a_column_list_written_empty_switches_its_criterion_off(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [["key", "value"], ["diversity", None], ["no_isolation", None]]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert (event.settings.diversity, event.settings.no_isolation) == ((), ())
    assert event.settings.spread == Settings().spread  # not written: the default


def test_a_number_that_lost_its_leading_zeros_is_recognised_in_the_hint(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][1][0] = "005"
    sheets["Preferences"][1][0] = 5  # typed as a number: Excel keeps 5
    sheets["Preferences"][2][0] = "005"
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        'Preferences row 2, column participant: "5" is not a participant (did you mean "005"? '
        "Excel drops the leading zeros of a number)"
    ]


def formatted(path: Path, cells: dict[tuple[str, str], str], whole: bool = False) -> Path:
    """The workbook at `path` with a number format set on cells ((sheet, "A2"): format);
    `whole` merges two empty header cells, so that it is read whole (`open_workbook`)."""
    book = load_workbook(path)
    for (title, where), number_format in cells.items():
        book[title][where].number_format = number_format
    if whole:
        book["Participants"].merge_cells("E1:F1")
    book.save(path)
    return path


@pytest.mark.parametrize("whole", [False, True], ids=["read only", "read whole"])
@pytest.mark.parametrize(
    ("number_format", "shown"),
    [("000", "005"), ('"P"000', "P005"), ("\\P0000", "P0005"), ('00"-x"', "05-x")],
)
def test_an_id_typed_as_a_number_reads_as_its_format_shows_it(
    tmp_path: Path, number_format: str, shown: str, whole: bool
) -> None:
    sheets = base_sheets()
    sheets["Participants"][1][0] = shown  # typed as text on one sheet
    sheets["Preferences"][1][0] = 5  # as a number on the other, its format padding it
    sheets["Preferences"][2][0] = 5
    path = save(tmp_path / "event.xlsx", sheets)
    cells = {("Preferences", "A2"): number_format, ("Preferences", "A3"): number_format}
    event, issues = read_event(formatted(path, cells, whole))
    assert issues == []
    assert event is not None
    assert [pref.participant for pref in event.preferences] == [shown, shown]


@pytest.mark.parametrize("number_format", ["0", "0.00", "General", "000;(000)", "#,##0"])
def test_a_number_whose_format_does_not_pad_it_reads_as_its_value(
    tmp_path: Path, number_format: str
) -> None:
    sheets = base_sheets()
    sheets["Participants"][1][0] = 5
    sheets["Preferences"][1][0] = 5
    sheets["Preferences"][2][0] = 5
    path = save(tmp_path / "event.xlsx", sheets)
    event, issues = read_event(formatted(path, {("Participants", "A2"): number_format}))
    assert issues == []
    assert event is not None
    assert event.participants[0].id == "5"


@pytest.mark.parametrize("number_format", ["000", '0" seats"', '"#"0'])
def test_numbers_read_as_numbers_whatever_their_format_shows(
    tmp_path: Path, number_format: str
) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [["key", "value"], ["seed", 7]]
    path = save(tmp_path / "event.xlsx", sheets)
    cells = {("Options", "C2"): number_format, ("Preferences", "D3"): number_format}
    event, issues = read_event(formatted(path, {**cells, ("Settings", "B2"): number_format}))
    assert issues == []
    assert event is not None
    assert [option.max for option in event.options] == [2, 2]
    assert [pref.rank for pref in event.preferences] == [1, 2]
    assert event.settings.seed == 7


@pytest.mark.parametrize("value", [None, "005"], ids=["empty", "text"])
def test_a_padding_format_on_cells_without_a_number_keeps_the_quick_reader(
    tmp_path: Path, value: str | None
) -> None:
    sheets = base_sheets()
    sheets["Participants"].append([value])
    path = formatted(save(tmp_path / "event.xlsx", sheets), {("Participants", "A5"): "000"})
    opened = event_workbook.open_workbook(path, quick=True)
    assert isinstance(opened, event_workbook.Opened) and opened.quick is not None
    formatted(path, {("Options", "C2"): "000"})  # a number under the format
    opened = event_workbook.open_workbook(path, quick=True)
    assert isinstance(opened, event_workbook.Opened) and opened.quick is None


def test_hidden_rows_are_found_in_the_xml_however_it_is_spelt() -> None:
    xml = (
        b'<row r="3" spans="1:3" hidden="1"><c r="A3"/></row><x:row hidden=\'true\' r=\'4\'>'
        b'</x:row><row r = "5" hidden = "1"/><row r="6" hidden="0"/><row r="7"/><rowBreaks/>'
    )
    assert event_workbook.hidden_rows(xml) == (3, 4, 5)


def test_rows_of_no_height_are_found_in_the_xml_as_hidden() -> None:
    xml = (
        b'<row r="3" ht="0" customHeight="1"/><row r="4" ht=\'0.0\'/><row r="5" ht="10"/>'
        b'<row r="6" customHeight="0" ht="15"/><row r="7" ht="0.5"/><row r="8" ht=""/>'
    )
    assert event_workbook.hidden_rows(xml) == (3, 4)
    assert event_workbook.hidden_rows(b'<row r="6" customHeight="0" ht="15"/>') == ()


def hide_rows(
    path: Path, title: str, rows: list[int], filtered: bool = False, whole: bool = False
) -> Path:
    """The workbook at `path` with rows of one sheet hidden, by a filter or by hand; `whole`
    merges two empty header cells, so that it is read whole, not quickly (`open_workbook`)."""
    book = load_workbook(path)
    sheet = book[title]
    for row in rows:
        sheet.row_dimensions[row].hidden = True
    if filtered:
        sheet.auto_filter.ref = sheet.dimensions
    if whole:
        sheet.merge_cells("E1:F1")
    book.save(path)
    return path


@pytest.mark.parametrize("whole", [False, True], ids=["read quickly", "read whole"])
@pytest.mark.parametrize(
    ("rows", "filtered", "warning"),
    [
        ([3], False, "row 3 is hidden; it is read all the same"),
        (
            [2, 3, 4],
            True,
            "rows 2–4 are hidden (the sheet has a filter); they are read all the same",
        ),
    ],
)
def test_hidden_rows_are_read_with_a_warning(
    tmp_path: Path, rows: list[int], filtered: bool, warning: str, whole: bool
) -> None:
    path = save(tmp_path / "event.xlsx", base_sheets())
    path = hide_rows(path, "Participants", rows, filtered, whole)
    event, issues = read_event(path)
    assert [str(issue) for issue in issues] == [
        f"warning: Participants: {warning} (delete a row to leave it out)"
    ]
    assert event is not None
    assert [person.id for person in event.participants] == ["p1", "p2", "p3"]


@pytest.mark.parametrize("whole", [False, True], ids=["read quickly", "read whole"])
def test_rows_of_no_height_are_read_with_the_warning_of_hidden_rows(
    tmp_path: Path, whole: bool
) -> None:
    path = hide_rows(save(tmp_path / "event.xlsx", base_sheets()), "Participants", [], whole=whole)

    def lower(name: str, data: bytes) -> bytes:  # openpyxl writes no height of 0
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b'<row r="3"', b'<row r="3" ht="0"').replace(
            b'<row r="4"', b'<row r="4" ht="30"'
        )

    rewrite_parts(path, lower)
    event, issues = read_event(path)
    assert [str(issue) for issue in issues] == [
        "warning: Participants: row 3 is hidden; it is read all the same "
        "(delete a row to leave it out)"
    ]
    assert event is not None


def test_hidden_rows_that_are_not_read_say_nothing_of_being_hidden(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"] += [[], [None, None, None, None, "a note"]]  # row 6: no header above
    path = hide_rows(save(tmp_path / "event.xlsx", sheets), "Participants", [1, 5, 6, 9])
    event, issues = read_event(path)
    assert [str(issue) for issue in issues] == [
        "warning: Participants row 1: column E has values but no header; it is ignored"
    ]
    assert event is not None


@pytest.mark.parametrize("typed", ["p01", "p 1", "P001"])
def test_a_participant_id_typed_otherwise_in_a_rule_is_an_error(tmp_path: Path, typed: str) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [["rule", "participants", "strength"], ["together", f"{typed}, p2", "hard"]]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        f'Rules row 2, column participants: "{typed}" is not a participant (did you mean "p1"?)'
    ]


def test_an_id_that_could_be_two_participants_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"] += [["P1", "Dee", "academia"]]
    sheets["Preferences"][2][0] = "P 1"
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        'warning: Participants row 5, column id: participant id "P1" differs from "p1" in row 2 '
        "only in case; both are kept",
        'Preferences row 3, column participant: "P 1" is not a participant (it could be P1 and '
        "p1: write it as one of them)",
    ]


def test_an_id_like_a_participants_but_another_number_is_a_cancellation(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [["rule", "participants", "strength"], ["together", "p4, p2, p3", "hard"]]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == [
        'warning: Rules row 2, column participants: "p4" is not a participant; left out of the '
        "rule (cancelled?)"
    ]
    assert event.rules[0].participants == ("p2", "p3")


def test_columns_a_setting_names_are_matched_as_headers_are(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"][0].append("Home Town")
    for row in sheets["Participants"][1:]:
        row.append("Tbilisi")
    sheets["Settings"] = [["key", "value"], ["diversity", "Group, home-town"]]
    event, issues = read(tmp_path, sheets)
    assert issues == []
    assert event is not None
    assert event.settings.diversity == ("group", "home_town")


def test_a_column_no_participant_has_is_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [
        ["key", "value"],
        ["diversity", "region, nonexistent"],
        ["spread", "organization"],
    ]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == [
        'warning: Settings: diversity names "region", but no participant has one; it weighs '
        "nothing",
        'warning: Settings: diversity names "nonexistent", which is no Participants column; '
        "left out",
        'warning: Settings: spread names "organization", which is no Participants column; '
        'left out (did you mean "organisation"?)',
    ]


def test_a_built_in_column_nobody_has_is_quiet_when_only_the_default_names_it(
    tmp_path: Path,
) -> None:
    sheets = base_sheets()  # nobody has a region; the default diversity is region, group
    sheets["Settings"] = [["key", "value"], ["diversity", "Region, group"]]
    event, issues = read(tmp_path, sheets)
    assert event is not None and event.settings.diversity == ("region", "group")
    assert issues == []


def test_switched_off_column_lists_survive_a_round_trip(tmp_path: Path) -> None:
    off = Settings(diversity=(), spread=(), no_isolation=())
    event = Event(
        participants=[Participant(id="p1", name="Ana")],
        sessions=[Session(id="S1", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S1", id="A", max=2)],
        settings=off,
    )
    path = tmp_path / "event.xlsx"
    write_event(event, path)
    back, issues = read_event(path)
    assert issues == []
    assert back is not None and back.settings == off


def test_unknown_setting_is_a_warning(tmp_path: Path) -> None:
    """Later versions add settings; a workbook made for them still reads."""
    sheets = base_sheets()
    sheets["Settings"] = [["key", "value"], ["colour_scheme", "green"], ["seeed", 3]]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == [
        'warning: Settings row 2, column key: unknown setting "colour_scheme", ignored',
        'warning: Settings row 3, column key: unknown setting "seeed", ignored '
        '(did you mean "seed"?)',
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("time_limit", "soon", '"soon" is not a number'),
        ("time_limit", 0, "must be more than 0, not 0"),
        ("time_limit", "inf", '"inf" is not a number'),
        ("seed", -1, "must be at least 0, not -1"),
        ("seed", 2**31, "must be at most 2147483647, not 2147483648"),
        ("workers", 1.5, '"1.5" is not a whole number'),
        ("rank_costs", "0,1,x", '"0,1,x" is not a list of whole numbers (e.g. 0,1,3,6)'),
        ("rank_costs", "0,-1", "rank_costs must be a list of numbers from 0 to 1000000"),
        (
            "rank_costs",
            "0,100000000000000000000",
            "rank_costs must be a list of numbers from 0 to 1000000",
        ),
        ("weight_mixing", 10**19, "must be at most 1000000, not 10000000000000000000"),
        ("unranked_cost", 1_000_001, "must be at most 1000000, not 1000001"),
    ],
)
def test_invalid_setting_is_an_error(tmp_path: Path, key: str, value: object, message: str) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [["key", "value"], [key, value]]
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [f"Settings row 2, column value: {message}"]


def test_setting_values_follow_the_field_type() -> None:
    assert setting_value(" Soft ", Strength) is Strength.SOFT
    assert setting_value("NO", bool) is False
    assert setting_value(True, bool) is True
    assert setting_value("region, group", tuple[str, ...]) == ("region", "group")
    assert setting_value(4, tuple[int, ...]) == (4,)
    with pytest.raises(ValueError, match='"medium" is not one of hard, soft'):
        setting_value("medium", Strength)
    with pytest.raises(ValueError, match='"maybe" is not yes or no'):
        setting_value("maybe", bool)


def test_setting_given_twice(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Settings"] = [["key", "value"], ["seed", 1], ["Seed", 2]]
    assert read(tmp_path, sheets)[1] == [
        'Settings row 3, column key: "seed" is already set in row 2'
    ]


# ---------------------------------------------------------------- files that are not workbooks


def one_issue(path: Path) -> str:
    """The single problem reported for a file that cannot be read."""
    event, issues = read_event(path)
    assert event is None
    assert len(issues) == 1
    return str(issues[0])


def test_missing_file(tmp_path: Path) -> None:
    assert one_issue(tmp_path / "nowhere.xlsx") == "nowhere.xlsx: file not found"


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert one_issue(tmp_path / "empty.xlsx") == "empty.xlsx: the file is empty"


def test_text_renamed_to_xlsx(tmp_path: Path) -> None:
    (tmp_path / "event.xlsx").write_text("id,name\np1,Ana\n")
    assert one_issue(tmp_path / "event.xlsx") == (
        "event.xlsx: not an Excel workbook (.xlsx): it is a text file (CSV?); "
        "save it as Excel Workbook (.xlsx)"
    )


def test_old_excel_or_password_protected(tmp_path: Path) -> None:
    (tmp_path / "event.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    assert one_issue(tmp_path / "event.xls") == (
        "event.xls: not an Excel workbook (.xlsx): it is an old .xls file or a "
        "password-protected workbook; save it as .xlsx without a password"
    )


def test_opendocument_spreadsheet(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "event.ods", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert one_issue(tmp_path / "event.ods") == (
        "event.ods: not an Excel workbook (.xlsx): it is an OpenDocument file (.ods); "
        "save it as Excel Workbook (.xlsx)"
    )


def test_damaged_workbook(tmp_path: Path) -> None:
    path = save(tmp_path / "event.xlsx", base_sheets())
    path.write_bytes(path.read_bytes()[:2000])
    assert one_issue(path).startswith(
        "event.xlsx: not an Excel workbook (.xlsx): the file is damaged"
    )


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = save(tmp_path / "event.xlsx", base_sheets())
    os.truncate(path, 51 * 1024 * 1024)
    assert one_issue(path) == "event.xlsx: the file is 51 MB; the limit is 50 MB"


def test_workbook_that_unpacks_too_far(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_workbook, "MAX_UNPACKED_BYTES", 1024 * 1024)
    sheets = base_sheets()
    sheets["Participants"] += [[f"x{i}", "y" * 200] for i in range(6000)]
    path = save(tmp_path / "event.xlsx", sheets)
    assert one_issue(path).startswith("event.xlsx: the workbook unpacks to ")


def test_problems_alike_but_for_their_row_are_one_line() -> None:
    def wish(row: int, message: str = '"W2" is not an option of session WS') -> Issue:
        return Issue(sheet="Preferences", row=row, column="option", message=message)

    issues = [wish(3), wish(4), wish(5), wish(9), wish(6, "a rank is required"), wish(12)]
    assert issue_lines(issues) == [
        'Preferences rows 3–5, 9, 12, column option: "W2" is not an option of session WS',
        "Preferences row 6, column option: a rank is required",
    ]
    assert issue_lines([wish(3)]) == [
        'Preferences row 3, column option: "W2" is not an option of session WS'
    ]


@pytest.mark.parametrize(
    ("named", "hint"),
    [
        ("human rights budgeting", ' (did you mean "A"? Options are named by their id)'),
        ("Oak", ' (did you mean "B"? Options are named by their id)'),
        ("Bx", ' (did you mean "B"?)'),
        ("Climate", ""),
    ],
)
def test_a_wish_naming_an_option_by_its_title_or_room_says_which(
    tmp_path: Path, named: str, hint: str
) -> None:
    sheets = base_sheets()
    sheets["Options"] = [
        ["session", "id", "max", "title", "room"],
        ["S1", "A", 2, "Human rights budgeting", "Elm"],
        ["S1", "B", 2, "Housing", "Oak"],
    ]
    sheets["Preferences"][2][2] = named
    event, issues = read(tmp_path, sheets)
    assert event is None
    assert issues == [
        f'Preferences row 3, column option: "{named}" is not an option of session S1 '
        f"(options: A, B){hint}"
    ]


def test_a_title_above_the_headers_is_skipped_with_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Participants"] = [["Participants of the academy"], [], *sheets["Participants"]]
    sheets["Participants"][2].append("Groups")
    sheets["Participants"][4].append("x")
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert [p.id for p in event.participants] == ["p1", "p2", "p3"]
    assert event.participants[1].row == 5
    assert issues == [
        "warning: Participants row 3: the headers are in row 3; the rows above them are ignored",
        'warning: Participants row 3, column groups: kept as an attribute (did you mean "group"?)',
    ]


@pytest.mark.parametrize("titled", [True, False])
def test_a_header_worded_otherwise_below_a_title_is_the_missing_column(
    tmp_path: Path, titled: bool
) -> None:
    # "Full name" for name, below a title: the headers' row still is the one with the most
    # of them, and name is what it lacks (not id, read from the title's row).
    sheets = base_sheets()
    sheets["Participants"][0][sheets["Participants"][0].index("name")] = "Full name"
    if titled:
        sheets["Participants"] = [["Participants of the academy"], *sheets["Participants"]]
    event, issues = read(tmp_path, sheets)
    assert event is None
    moved = [
        "warning: Participants row 2: the headers are in row 2; the rows above them are ignored"
    ]
    assert issues == (moved if titled else []) + [
        "Participants, column name: missing required column"
    ]


@pytest.mark.parametrize(("strength", "warned"), [("hard", True), ("soft", False), (None, True)])
def test_a_weight_on_a_hard_rule_is_a_warning(
    tmp_path: Path, strength: str | None, warned: bool
) -> None:
    sheets = base_sheets()
    sheets["Rules"] = [
        ["rule", "participants", "strength", "weight"],
        ["apart", "p1, p2", strength, 50],
    ]
    event, issues = read(tmp_path, sheets)
    assert event is not None and event.rules[0].weight == 50
    warning = (
        "warning: Rules row 2, column weight: a hard rule always holds: its weight counts for "
        "nothing (make it soft)"
    )
    assert issues == ([warning] if warned else [])


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (
            "academia, civil-society",
            "warning: Sessions row 2, column audience: no participant is in group "
            '"civil-society" (did you mean "civil society"?); it adds nobody to S1\'s audience',
        ),
        ("academia, civil society", None),
    ],
)
def test_an_audience_naming_a_group_nobody_is_in_is_a_warning(
    tmp_path: Path, audience: str, expected: str | None
) -> None:
    sheets = base_sheets()
    sheets["Sessions"] = [["id", "day", "kind", "audience"], ["S1", "d1", "choice", audience]]
    event, issues = read(tmp_path, sheets)
    assert event is not None
    assert issues == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("Academia, research; civil society", ("Academia, research", "civil society")),
        ("academia, research", ("Academia, research",)),  # in other case: read as the group's
        ("civil society, Academia", ("civil society", "academia")),  # no such group: split
    ],
)
def test_an_audience_names_a_group_whose_name_holds_a_comma(
    tmp_path: Path, audience: str, expected: tuple[str, ...]
) -> None:
    sheets = base_sheets()
    sheets["Participants"][1][2] = "Academia, research"
    sheets["Sessions"] = [["id", "day", "kind", "audience"], ["S1", "d1", "choice", audience]]
    event, _ = read(tmp_path, sheets)
    assert event is not None
    assert event.sessions[0].audience == expected


# ---------------------------------------------------------------- the quick reader (calamine)


def every_kind_of_value(path: Path, date_1904: bool) -> Path:
    """A sheet holding every kind of value a workbook may, gaps and a trailing styled cell."""
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904 if date_1904 else CALENDAR_WINDOWS_1900
    sheet = book.active
    sheet.title = "Values"
    sheet.append(["id", "count", "share", "big", "zero", "yes", "padded", "rich"])
    sheet.append(["p1", 3, 1.5, 1e20, -0.0, True, "  spaced ", CellRichText(["a", "b"])])
    sheet.append([datetime(2025, 3, 1), datetime(2025, 3, 1, 14, 30), time(9, 15)])
    sheet.append([timedelta(hours=30), None, "after a gap", 12345678901234])
    sheet.append([])
    sheet.append(["'quoted", "", "x", "text"])
    sheet.cell(row=6, column=4).value = "=text"
    sheet.cell(row=6, column=4).data_type = "s"  # text that looks like a formula
    sheet.cell(row=7, column=5).font = Font(bold=True)  # styled, no value
    book.save(path)
    return path


INLINE_STRING = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>')
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_RELATION = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def with_shared_strings(path: Path) -> Path:
    """The workbook with its text in a table of shared strings, as Excel, LibreOffice and
    Google Sheets save it (openpyxl writes each text in its cell)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    shared: list[bytes] = []

    def share(found: re.Match[bytes]) -> bytes:
        shared.append(found[3])
        return b"<c " + found[1] + b't="s"' + found[2] + b"><v>%d</v></c>" % (len(shared) - 1)

    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        parts[name] = INLINE_STRING.sub(share, parts[name])
    items = b"".join(b"<si>" + text + b"</si>" for text in shared)
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
        b'uniqueCount="%d">%s</sst>' % (len(shared), len(shared), items)
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
        "</Types>".encode(),
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Type="{SHARED_STRINGS_RELATION}" Target="sharedStrings.xml" '
        'Id="rIdShared"/></Relationships>'.encode(),
    )
    shared_path = path.with_name(f"shared-{path.name}")
    with zipfile.ZipFile(shared_path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return shared_path


@pytest.mark.parametrize("date_1904", [False, True], ids=["1900 dates", "1904 dates"])
def test_the_quick_reader_reads_values_as_openpyxl_does(tmp_path: Path, date_1904: bool) -> None:
    path = every_kind_of_value(tmp_path / "values.xlsx", date_1904)
    shared = with_shared_strings(path)
    assert event_workbook.sheet_values(load_workbook(shared, read_only=True).active)[5] == [
        "'quoted",
        None,
        "x",
        "=text",  # the same text, from the table of shared strings
    ]
    for book in (path, shared, DATA / "academy-2022.xlsx", DATA / "academy-2023.xlsx"):
        opened = event_workbook.open_workbook(book, read_only=True)
        assert isinstance(opened, event_workbook.Opened) and opened.quick is not None
        for sheet in opened.workbook.worksheets:
            assert trimmed(opened.values(sheet)) == trimmed(event_workbook.sheet_values(sheet))


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows as far as their last value, without empty rows at the end."""
    rows = [event_workbook.without_trailing_blanks(list(row)) for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


@pytest.mark.parametrize(
    "cell",
    ["an error value", "a formula", "a stray value far away", "no reference"],
)
def test_the_quick_reader_leaves_to_openpyxl_what_it_reads_otherwise(
    tmp_path: Path, cell: str
) -> None:
    # calamine reads #N/A as empty and holds a sheet's area from A1 at once (a value at
    # XFD1048576 aborted the process); formulas may lack a saved value.
    path = every_kind_of_value(tmp_path / "values.xlsx", date_1904=False)
    book = load_workbook(path)
    value = {"an error value": "#N/A", "a formula": "=1+1"}.get(cell, "x")
    far = cell == "a stray value far away"
    book.active.cell(row=1048576 if far else 9, column=16384 if far else 1, value=value)
    book.save(path)
    if cell == "no reference":
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b'<c r="A9"', b"<c"
        )
        with zipfile.ZipFile(path, "w") as archive:
            for part, data in parts.items():
                archive.writestr(part, data)
    opened = event_workbook.open_workbook(path, read_only=True)
    assert isinstance(opened, event_workbook.Opened) and opened.quick is None
