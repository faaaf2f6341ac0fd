"""Hand-outs: Zoom pre-assignment files, printable room lists, itineraries, programmes, charts."""

import os
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from models import (
    Allocation,
    Assignment,
    CheckReport,
    Event,
    Option,
    Participant,
    Preference,
    Session,
    SessionKind,
)
from models.report import write_allocation
from models.workbook import write_event
from scripts.cli import app
from scripts.export import (
    DOOR_SIGNS,
    PAGE_HEIGHT,
    ROOM_LISTS,
    ZOOM_HEADER,
    CsvFile,
    itinerary_rows,
    programmes,
    room_lists_workbook,
    safe_stem,
    split_rooms,
    zoom_files,
)
from solver.check import check_allocation
from tests.factories import event

runner = CliRunner()
HEADER = list(ZOOM_HEADER)


def placed(*places: tuple[str, str, str] | tuple[str, str, str, int]) -> Allocation:
    """An allocation from (participant, session, option[, round]) tuples."""
    assignments = [
        Assignment(participant=who, session=session, option=option, round=rest[0] if rest else 1)
        for who, session, option, *rest in places
    ]
    return Allocation(assignments=assignments)


def person(number: int, email: str | None = None) -> Participant:
    """Person N with id pN and an email pN@example.org unless given."""
    address = f"p{number}@example.org" if email is None else email
    return Participant(id=f"p{number}", name=f"Person {number}", email=address)


def academy() -> Event:
    """Four people, a workshop session W1 (Oak, Elm) and a two-round roundtable RT with a host."""
    return Event(
        participants=[
            Participant(
                id="p1", name="Zoë", email="zoe@example.org", organisation="City of Graz",
                country="Austria",
            ),
            Participant(
                id="p2", name="=Bob", email="bob@example.org", organisation="=cmd|' /C calc'!A0",
                country="Chile",
            ),
            Participant(id="p3", name="Ámos", organisation="UNDP", country="Kenya"),
            Participant(
                id="p4", name="Dana", email="dana@example.org", organisation="OHCHR",
                country="Korea",
            ),
        ],
        sessions=[
            Session(
                id="W1", day="Mon", kind=SessionKind.CHOICE, title="Workshops", start="10:00",
                end="11:00",
            ),
            Session(id="RT", day="Tue", kind=SessionKind.ROUNDTABLE, rounds=2, title="Tables"),
        ],
        options=[
            Option(session="W1", id="A", room="Oak", title="Climate", max=3),
            Option(session="W1", id="B", room="=Elm", max=3),
            Option(session="RT", id="T1", title="Water", max=3, hosts=("p4",)),
            Option(session="RT", id="T2", max=3),
        ],
        preferences=[
            Preference(participant="p1", session="W1", option="A", rank=1),
            Preference(participant="p2", session="W1", option="A", rank=1),
            Preference(participant="p3", session="W1", option="A", rank=2),
        ],
    )  # fmt: skip


def academy_allocation() -> Allocation:
    """Zoë and Ámos in Oak, Bob and Dana in =Elm; Dana hosts T1 in both rounds; no repeats."""
    return placed(
        ("p1", "W1", "A"),
        ("p3", "W1", "A"),
        ("p2", "W1", "B"),
        ("p4", "W1", "B"),
        ("p4", "RT", "T1", 1),
        ("p1", "RT", "T1", 1),
        ("p3", "RT", "T1", 1),
        ("p2", "RT", "T2", 1),
        ("p4", "RT", "T1", 2),
        ("p2", "RT", "T1", 2),
        ("p1", "RT", "T2", 2),
        ("p3", "RT", "T2", 2),
    )


def files_on_disk(tmp_path: Path) -> tuple[Path, Path]:
    """The academy's event and allocation workbooks written to tmp_path."""
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    write_allocation(academy(), academy_allocation(), CheckReport(), allocation_path)
    return event_path, allocation_path


# ---------------------------------------------------------------- Zoom


def test_zoom_file_has_the_exact_header_and_rows() -> None:
    small = event(people=[person(1), person(2), person(3), person(4)])
    allocation = placed(("p1", "S1", "A"), ("p3", "S1", "B"), ("p2", "S1", "A"), ("p4", "S1", "B"))
    files, warnings = zoom_files(small, allocation)
    assert files == [
        CsvFile(
            "S1.csv",
            [
                HEADER,
                ["A", "p1@example.org"],
                ["A", "p2@example.org"],
                ["B", "p3@example.org"],
                ["B", "p4@example.org"],
            ],
        )
    ]
    assert warnings == []


def test_zoom_rooms_are_named_by_room_then_title_one_file_per_round() -> None:
    files, _ = zoom_files(academy(), academy_allocation())
    assert [file.name for file in files] == ["W1.csv", "RT-round1.csv", "RT-round2.csv"]
    oak, elm, water = ["Oak"], ["=Elm"], ["Water"]
    assert files[0].rows == [
        HEADER,
        [*oak, "zoe@example.org"],
        [*elm, "bob@example.org"],
        [*elm, "dana@example.org"],
    ]
    assert files[2].rows == [
        HEADER,
        [*water, "dana@example.org"],
        [*water, "bob@example.org"],
        ["T2", "zoe@example.org"],
    ]


def test_zoom_room_names_shared_in_a_session_get_the_option_id() -> None:
    small = event(people=[person(1), person(2)])
    small.options[:] = [
        Option(session="S1", id="A", room="Hall", max=2),
        Option(session="S1", id="B", room="hall", max=2),
    ]
    files, _ = zoom_files(small, placed(("p1", "S1", "A"), ("p2", "S1", "B")))
    assert files[0].rows[1:] == [["Hall (A)", "p1@example.org"], ["hall (B)", "p2@example.org"]]


def test_person_without_email_is_reported_not_silently_dropped() -> None:
    crowd = [
        person(1),
        person(2, email=""),
        person(3, email="not an address"),
        person(4, email="=p4@example.org"),
    ]
    small = event(people=crowd)
    allocation = placed(("p1", "S1", "A"), ("p2", "S1", "A"), ("p3", "S1", "B"), ("p4", "S1", "B"))
    files, warnings = zoom_files(small, allocation)
    assert files[0].rows == [HEADER, ["A", "p1@example.org"]]
    assert warnings == [
        "3 people have no usable email and are not in the Zoom files (assign them by hand in "
        'Zoom): Person 2 (p2); Person 3 (p3): "not an address" is not an email address; '
        'Person 4 (p4): "=p4@example.org" starts as a spreadsheet formula would'
    ]


@pytest.mark.parametrize(("without", "named"), [(12, 10), (10, 10)])
def test_a_warning_names_the_first_ten_people_without_email(without: int, named: int) -> None:
    # An event whose emails are all missing named its 5,000 people in one line: the first
    # ten, then how many more (binds at 12; 10 are all named).
    crowd = event(people=[person(n, email="") for n in range(1, without + 1)], options=[("A", 20)])
    allocation = placed(*((f"p{n}", "S1", "A") for n in range(1, without + 1)))
    _, warnings = zoom_files(crowd, allocation)
    names = "; ".join(f"Person {n} (p{n})" for n in range(1, named + 1))
    more = f"; and {without - named} more" if without > named else ""
    assert warnings == [
        f"{without} people have no usable email and are not in the Zoom files (assign them by "
        f"hand in Zoom): {names}{more}"
    ]


@pytest.mark.parametrize(("sharing", "named"), [(12, 10), (10, 10)])
def test_a_warning_names_the_first_ten_people_sharing_an_email(sharing: int, named: int) -> None:
    crowd = event(
        people=[person(n, email="office@example.org") for n in range(1, sharing + 1)],
        options=[("A", 20)],
    )
    allocation = placed(*((f"p{n}", "S1", "A") for n in range(1, sharing + 1)))
    _, warnings = zoom_files(crowd, allocation)
    names = [f"Person {n} (p{n})" for n in range(1, named + 1)]
    who = (
        f"{', '.join(names)} and {sharing - named} others"
        if sharing > named
        else f"{', '.join(names[:-1])} and {names[-1]}"
    )
    assert warnings == [
        f"{who} share the email office@example.org and are not in the Zoom files (Zoom would "
        "put them in one room; assign them by hand in Zoom)"
    ]


def test_people_sharing_an_email_are_left_out_and_reported() -> None:
    small = event(people=[person(1), person(2, email="P1@example.org"), person(3)])
    files, warnings = zoom_files(
        small, placed(("p1", "S1", "A"), ("p2", "S1", "B"), ("p3", "S1", "B"))
    )
    assert files[0].rows == [HEADER, ["B", "p3@example.org"]]
    assert warnings == [
        "Person 1 (p1) and Person 2 (p2) share the email p1@example.org and are not in the Zoom "
        "files (Zoom would put them in one room; assign them by hand in Zoom)"
    ]


def test_emails_of_their_own_give_no_warning() -> None:
    small = event(people=[person(1), person(2)])
    files, warnings = zoom_files(small, placed(("p1", "S1", "A"), ("p2", "S1", "B")))
    assert files[0].rows == [HEADER, ["A", "p1@example.org"], ["B", "p2@example.org"]]
    assert warnings == []


def test_more_than_1000_participants_split_into_one_file_per_meeting() -> None:
    crowd = event(people=[person(n) for n in range(1, 1002)], options=[("A", 600), ("B", 600)])
    allocation = placed(*((f"p{n}", "S1", "A" if n <= 501 else "B") for n in range(1, 1002)))
    files, warnings = zoom_files(crowd, allocation)
    assert [(file.name, len(file.rows) - 1) for file in files] == [
        ("S1-part1.csv", 501),
        ("S1-part2.csv", 500),
    ]
    assert all(file.rows[0] == HEADER for file in files)
    assert warnings == [
        "session S1: 1,001 people in 2 rooms exceed one Zoom meeting (at most 100 rooms and "
        "1,000 participants); split into 2 files, one per meeting: S1-part1.csv, S1-part2.csv"
    ]


def test_more_than_100_rooms_split_and_an_oversized_room_is_reported() -> None:
    tables = event(
        people=[person(n) for n in range(1, 102)], options=[(f"T{n}", 1) for n in range(1, 102)]
    )
    files, warnings = zoom_files(tables, placed(*((f"p{n}", "S1", f"T{n}") for n in range(1, 102))))
    assert [len(file.rows) - 1 for file in files] == [100, 1]
    assert warnings[0].startswith("session S1: 101 people in 101 rooms exceed one Zoom meeting")
    hall = event(people=[person(n) for n in range(1, 1002)], options=[("A", 1001)])
    _, warnings = zoom_files(hall, placed(*((f"p{n}", "S1", "A") for n in range(1, 1002))))
    assert warnings == ["session S1: room A has 1001 people; one Zoom meeting takes at most 1,000"]


def test_split_keeps_rooms_whole() -> None:
    assert split_rooms([400, 400, 400]) == [[0, 1], [2]]
    assert split_rooms([1, 1, 1], max_rooms=2) == [[0, 1], [2]]
    assert split_rooms([]) == []


# ---------------------------------------------------------------- printable room lists


def test_room_lists_have_one_print_area_and_page_per_room(tmp_path: Path) -> None:
    path = tmp_path / "rooms.xlsx"
    room_lists_workbook(academy(), academy_allocation(), "Academy").save(path)
    book = load_workbook(path)
    assert book.sheetnames == [ROOM_LISTS, DOOR_SIGNS]
    for sheet in book.worksheets:
        assert len(sheet.row_breaks.brk) == 6  # W1: 2 rooms; RT: 2 tables x 2 rounds
        assert sheet.print_title_rows == "$1:$1"
        areas = sheet.print_area.split(",")
        assert len(areas) == 6  # one print area per room (and round)
        assert all(area.startswith(f"'{sheet.title}'!$A$") for area in areas)
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


@pytest.mark.parametrize(("seats", "pages"), [(0, 6), (1, 7)])
def test_a_closed_option_nobody_is_in_gets_no_page(seats: int, pages: int) -> None:
    event = academy()  # 6 pages: W1's 2 rooms, RT's 2 tables in 2 rounds
    event.options.append(Option(session="W1", id="W9", room="Cellar", max=seats))
    sheet = room_lists_workbook(event, academy_allocation())[ROOM_LISTS]
    texts = [cell.value for row in sheet.iter_rows() for cell in row]
    assert ("Cellar" in texts, len(sheet.row_breaks.brk)) == (bool(seats), pages)


def test_room_page_shows_session_time_room_host_and_an_alphabetical_list() -> None:
    sheet = room_lists_workbook(academy(), academy_allocation())[ROOM_LISTS]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == ("#", "name", "organisation", "country")
    assert rows[1:7] == [
        ("Workshops", None, None, None),
        ("Mon, 10:00–11:00", None, None, None),
        ("Oak — Climate", None, None, None),
        ("2 participants", None, None, None),
        (None, None, None, None),
        (1, "Ámos", "UNDP", "Kenya"),
    ]
    assert rows[7] == (2, "Zoë", "City of Graz", "Austria")
    first_break = sheet.row_breaks.brk[0].id
    assert rows[first_break - 1] == (None, None, None, None)
    round_two = rows.index(("Tue, round 2 of 2", None, None, None))
    assert rows[round_two + 1 : round_two + 6] == [
        ("Water", None, None, None),
        ("Host: Dana (OHCHR)", None, None, None),
        ("1 participant + 1 host", None, None, None),
        (None, None, None, None),
        (1, "'=Bob", "'=cmd|' /C calc'!A0", "Chile"),
    ]


@pytest.mark.parametrize(("sheet_name", "pages"), [(ROOM_LISTS, 3), (DOOR_SIGNS, 4)])
def test_a_long_list_goes_on_over_pages_that_each_say_which_room(
    sheet_name: str, pages: int
) -> None:
    crowd = event(people=[person(n) for n in range(1, 71)], options=[("A", 70), ("B", 70)])
    sheet = room_lists_workbook(crowd, placed(*((f"p{n}", "S1", "A") for n in range(1, 71))))[
        sheet_name
    ]
    areas = [area.split("!")[1].replace("$", "") for area in sheet.print_area.split(",")]
    spans = [tuple(int(end[1:]) for end in area.split(":")) for area in areas]
    assert len(spans) == pages + 1  # room A's pages, then B's one
    numbers: list[int] = []
    for k, (first, last) in enumerate(spans[:pages], start=1):
        assert [sheet.cell(first + i, 1).value for i in range(3)] == [
            "S1",
            "d1",
            "A",
        ]
        assert sheet.cell(first + 3, 1).value == f"70 participants — page {k} of {pages}"
        rows = range(first, last + 1)
        assert sum(sheet.row_dimensions[r].height or 15 for r in rows) <= PAGE_HEIGHT
        numbers += [v for r in rows if isinstance(v := sheet.cell(r, 1).value, int)]
    assert numbers == list(range(1, 71))
    assert sheet.cell(spans[-1][0] + 3, 1).value == "0 participants"


def test_a_name_two_people_share_shows_their_ids() -> None:
    twins = [
        Participant(id="p1", name="Ana Silva"),
        Participant(id="p2", name="ana silva"),
        Participant(id="p3", name="Bo"),
    ]
    allocation = placed(("p1", "S1", "A"), ("p2", "S1", "A"), ("p3", "S1", "A"))
    sheet = room_lists_workbook(event(people=twins), allocation)[ROOM_LISTS]
    names = [row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert names == ["Ana Silva (p1)", "ana silva (p2)", "Bo"]


def test_door_signs_are_the_same_pages_in_larger_type() -> None:
    book = room_lists_workbook(academy(), academy_allocation())
    lists, signs = book[ROOM_LISTS], book[DOOR_SIGNS]
    assert [[c.value for c in row] for row in signs.iter_rows()] == [
        [c.value for c in row] for row in lists.iter_rows()
    ]
    assert signs["A4"].font.size > lists["A4"].font.size >= 11


# ---------------------------------------------------------------- itineraries and programmes


def test_itineraries_name_room_time_and_host_per_session_and_round() -> None:
    rows = itinerary_rows(academy(), academy_allocation())
    assert rows[0] == ["participant", "name", "email", "W1", "RT r1", "RT r2"]
    assert rows[1] == [
        "p1",
        "Zoë",
        "zoe@example.org",
        "Oak — Climate; Mon, 10:00–11:00",
        "Water; Tue, round 1 of 2; host: Dana",
        "T2; Tue, round 2 of 2",
    ]
    assert rows[4][4:] == [
        "Water; Tue, round 1 of 2; you host",
        "Water; Tue, round 2 of 2; you host",
    ]


def test_programmes_are_one_text_per_person_with_safe_file_names() -> None:
    small = academy()
    small.participants[2] = small.participants[2].model_copy(update={"id": "../CON"})
    allocation = Allocation(
        assignments=[
            a.model_copy(update={"participant": "../CON"}) if a.participant == "p3" else a
            for a in academy_allocation().assignments
        ]
    )
    files = programmes(small, allocation, "Academy")
    assert [file.name for file in files] == ["p1.txt", "p2.txt", "_CON.txt", "p4.txt"]
    assert files[0].text == (
        "Programme for Zoë\nAcademy\n\nMon\n  10:00–11:00  Workshops\n    Oak — Climate\n\n"
        "Tue\n  Tables\n    round 1: Water, host: Dana\n    round 2: T2\n"
    )


# ---------------------------------------------------------------- the command


def test_export_writes_every_hand_out_and_escapes_formulas(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    result = runner.invoke(
        app,
        [
            "export", str(event_path), str(allocation_path), "--zoom", str(tmp_path / "zoom"),
            "--print", str(tmp_path / "rooms.xlsx"), "--itineraries", str(tmp_path / "it.csv"),
            "--programmes", str(tmp_path / "programmes"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 person has no usable email and is not in the Zoom files" in result.output
    zoom = (tmp_path / "zoom" / "W1.csv").read_bytes().decode("utf-8")
    assert zoom == (
        "Pre-assign Room Name,Email Address\r\nOak,zoe@example.org\r\n"
        "'=Elm,bob@example.org\r\n'=Elm,dana@example.org\r\n"
    )
    itinerary = (tmp_path / "it.csv").read_text(encoding="utf-8-sig").splitlines()
    assert itinerary[2].startswith("p2,'=Bob,bob@example.org,\"'=Elm; Mon, 10:00–11:00\",")
    sheet = load_workbook(tmp_path / "rooms.xlsx")[ROOM_LISTS]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=Bob" in texts and "'=Elm" in texts
    assert not [text for text in texts if text.startswith("=")]
    assert sorted(p.name for p in (tmp_path / "programmes").iterdir()) == [
        "p1.txt", "p2.txt", "p3.txt", "p4.txt"
    ]  # fmt: skip
    leftovers = [p.name for p in tmp_path.rglob(".*")]
    assert leftovers == []


@pytest.mark.parametrize("day", ["Tue", "tue"])
def test_export_of_one_day_writes_that_day_s_hand_outs_only(tmp_path: Path, day: str) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    zoom, it = tmp_path / "zoom", tmp_path / "it.csv"
    args = ["export", str(event_path), str(allocation_path), "--day", day]
    result = runner.invoke(app, [*args, "--zoom", str(zoom), "--itineraries", str(it)])
    assert result.exit_code == 0, result.output
    assert "broken" not in result.stderr  # the other day's sessions are not checked
    assert sorted(path.name for path in zoom.iterdir()) == ["RT-round1.csv", "RT-round2.csv"]
    header = it.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "participant,name,email,RT r1,RT r2"


@pytest.mark.parametrize(("day", "people"), [([], 4), (["--day", "Tue"], 3)])
def test_a_day_s_itineraries_and_programmes_go_to_the_people_placed_that_day(
    tmp_path: Path, day: list[str], people: int
) -> None:
    # p3 attends Monday only: the day's mail merge writes to the three at Tuesday's tables,
    # the whole event's to everyone.
    monday_only = academy()
    monday_only.participants = [
        p.model_copy(update={"days": ("Mon",)}) if p.id == "p3" else p
        for p in monday_only.participants
    ]
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(monday_only, event_path)
    kept = [
        a for a in academy_allocation().assignments if (a.participant, a.session) != ("p3", "RT")
    ]
    write_allocation(monday_only, Allocation(assignments=kept), CheckReport(), allocation_path)
    it, programmes = tmp_path / "it.csv", tmp_path / "programmes"
    args = ["export", str(event_path), str(allocation_path), *day]
    result = runner.invoke(app, [*args, "--itineraries", str(it), "--programmes", str(programmes)])
    assert result.exit_code == 0, result.output
    rows = it.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(rows) == people and ("p3" in {row.split(",")[0] for row in rows}) is not bool(day)
    assert len(list(programmes.iterdir())) == people


def test_export_of_an_unknown_day_exits_2(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    args = ["export", str(event_path), str(allocation_path), "--day", "Wed", "--zoom", "z"]
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (
        2,
        '"Wed" is not a day of the programme (days: Mon, Tue)\n',
    )


def test_a_day_not_allocated_yet_gets_no_hand_outs_and_no_broken_rules(tmp_path: Path) -> None:
    # An allocation of Monday alone (`solve --day Mon` without --previous) printed empty door
    # signs for Tuesday and "hard rules broken" for everyone not placed there.
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    monday = [a for a in academy_allocation().assignments if a.session == "W1"]
    write_allocation(academy(), Allocation(assignments=monday), CheckReport(), allocation_path)
    rooms, it = tmp_path / "rooms.xlsx", tmp_path / "it.csv"
    args = ["export", str(event_path), str(allocation_path), "--print", str(rooms)]
    result = runner.invoke(app, [*args, "--itineraries", str(it)])
    assert (result.exit_code, result.stderr) == (
        0,
        "note: alloc.xlsx places nobody in RT: no hand-outs for it\n",
    )
    assert it.read_text(encoding="utf-8-sig").splitlines()[0] == "participant,name,email,W1"
    texts = [c.value for row in load_workbook(rooms)[ROOM_LISTS].iter_rows() for c in row]
    assert not [text for text in texts if isinstance(text, str) and "Tables" in text]
    assert [text for text in texts if isinstance(text, str) and "Workshops" in text]


@pytest.mark.parametrize(("day", "code"), [([], 4), (["--day", "Mon"], 0), (["--day", "Tue"], 4)])
def test_verify_of_one_day_checks_that_day_s_sessions(
    tmp_path: Path, day: list[str], code: int
) -> None:
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    monday = [a for a in academy_allocation().assignments if a.session == "W1"]
    write_allocation(academy(), Allocation(assignments=monday), CheckReport(), allocation_path)
    result = runner.invoke(app, ["verify", str(event_path), str(allocation_path), *day])
    assert result.exit_code == code, result.output


def test_export_accepts_the_event_as_an_option(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    zoom = tmp_path / "zoom"
    args = ["export", str(allocation_path), "--event", str(event_path), "--zoom", str(zoom)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in zoom.iterdir()) == ["RT-round1.csv", "RT-round2.csv", "W1.csv"]


def test_export_finds_the_event_workbook_the_allocation_was_solved_from(tmp_path: Path) -> None:
    event_path = tmp_path / "event.xlsx"
    write_event(academy(), event_path)
    allocation_path = tmp_path / "out" / "alloc.xlsx"
    allocation_path.parent.mkdir()
    solved = runner.invoke(app, ["solve", str(event_path), "-o", str(allocation_path), "-q"])
    assert solved.exit_code == 0, solved.output
    alone = runner.invoke(app, ["export", str(allocation_path), "--zoom", str(tmp_path / "a")])
    both = [str(event_path), str(allocation_path), "--zoom", str(tmp_path / "b")]
    given = runner.invoke(app, ["export", *both])
    assert (alone.exit_code, given.exit_code) == (0, 0)
    assert alone.stderr == given.stderr  # the same warnings (someone without an email)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_export_of_an_allocation_alone_says_when_its_event_moved_or_changed(
    tmp_path: Path,
) -> None:
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    write_allocation(
        academy(), academy_allocation(), CheckReport(), allocation_path, source=event_path
    )
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    copy = moved / "alloc.xlsx"
    copy.write_bytes(allocation_path.read_bytes())
    result = runner.invoke(app, ["export", str(copy), "--zoom", str(tmp_path / "z")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"alloc.xlsx comes from {moved / 'event.xlsx'}, which is not there; "
        "give it: breakouts export EVENT.xlsx alloc.xlsx\n"
    )
    changed = academy()
    changed.participants[0] = changed.participants[0].model_copy(
        update={"email": "new@example.org"}
    )
    write_event(changed, event_path)
    result = runner.invoke(app, ["export", str(allocation_path), "--zoom", str(tmp_path / "z")])
    assert result.exit_code == 0
    said = result.stderr.splitlines()
    assert said[0] == "warning: event.xlsx has changed since alloc.xlsx was written"
    assert "new@example.org" in (tmp_path / "z" / "W1.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ALLOC", "--zoom", "z"],
            "alloc.xlsx does not say which event workbook it comes from; give it: breakouts "
            "export EVENT.xlsx alloc.xlsx",
        ),
        (
            ["EVENT", "ALLOC", "ALLOC"],
            "give the event workbook and the allocation workbook: EVENT.xlsx ALLOC.xlsx",
        ),
        (
            ["ALLOC", "EVENT", "--zoom", "z"],
            "give the event workbook first: breakouts export event.xlsx alloc.xlsx",
        ),
        (
            ["EVENT", "--zoom", "z"],
            "event.xlsx is an event workbook; give its allocation too: "
            "breakouts export event.xlsx ALLOC.xlsx",
        ),
        (
            ["EVENT", "ALLOC"],
            "nothing to export: give --zoom, --print, --itineraries or --programmes",
        ),
        (["EVENT", "ALLOC", "--print", "ALLOC"], "refusing to write over the input ALLOC_PATH"),
        (
            ["gone.xlsx", "--zoom", "z"],
            "gone.xlsx: file not found\ngone.xlsx: 1 problem, nothing written",
        ),
    ],
)
def test_export_exits_2_on_a_wrong_command_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    paths = {"EVENT": str(event_path), "ALLOC": str(allocation_path)}
    result = runner.invoke(app, ["export", *(paths.get(arg, arg) for arg in args)])
    assert result.exit_code == 2
    assert result.stderr == message.replace("ALLOC_PATH", str(allocation_path)) + "\n"


def test_export_refuses_an_output_that_is_a_hard_link_to_an_input(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    alias = tmp_path / "alias.xlsx"
    os.link(allocation_path, alias)
    before = allocation_path.read_bytes()
    result = runner.invoke(
        app, ["export", str(event_path), str(allocation_path), "--print", str(alias)]
    )
    assert (result.exit_code, result.stderr) == (2, f"refusing to write over the input {alias}\n")
    assert allocation_path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--print", "rooms.xlsx", "--programmes", "taken"], "TMP/taken is a file; give a folder"),
        (["--zoom", "taken"], "TMP/taken is a file; give a folder"),
        (["--print", "rooms.pdf"], "--print rooms.pdf: give a name ending in .xlsx"),
        (["--itineraries", "people.xlsx"], "--itineraries people.xlsx: give a name ending in .csv"),
        (
            ["--print", "gone/rooms.xlsx"],
            "--print TMP/gone/rooms.xlsx: is in TMP/gone, which does not exist",
        ),
    ],
)
def test_export_checks_every_output_before_writing_any(
    tmp_path: Path, args: list[str], message: str
) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    (tmp_path / "taken").write_text("")
    before = sorted(p.name for p in tmp_path.iterdir())
    paths = [str(tmp_path / arg) if not arg.startswith("--") else arg for arg in args]
    result = runner.invoke(app, ["export", str(event_path), str(allocation_path), *paths])
    assert result.exit_code == 2
    assert result.stderr == message.replace("TMP", str(tmp_path)) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_writes_into_a_folder_it_makes(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    out = tmp_path / "new" / "zoom"
    result = runner.invoke(
        app, ["export", str(event_path), str(allocation_path), "--zoom", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".csv"] * len(list(out.iterdir()))
    assert list(out.iterdir())


def test_export_exits_2_when_the_allocation_does_not_fit_the_event(tmp_path: Path) -> None:
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    wrong = placed(("p1", "W1", "C"), ("p9", "W1", "A"))
    write_allocation(academy(), wrong, CheckReport(), allocation_path)
    result = runner.invoke(app, ["export", str(event_path), str(allocation_path), "--zoom", "z"])
    assert result.exit_code == 2
    assert 'Assignments row 2, column participant: "p9" is not a participant' in result.output
    assert 'Assignments row 3, column option: "C" is not an option of session W1' in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "z").exists()


@pytest.mark.parametrize("command", ["verify", "export"])
def test_another_events_allocation_exits_2_with_one_line(tmp_path: Path, command: str) -> None:
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    other = placed(("x1", "W1", "A"), ("x2", "W1", "B"), ("x3", "W1", "A"))
    write_allocation(academy(), other, CheckReport(), allocation_path)
    zoom = ["--zoom", str(tmp_path / "z")] if command == "export" else []
    result = runner.invoke(app, [command, str(event_path), str(allocation_path), *zoom])
    assert result.exit_code == 2
    assert result.stderr == (
        "alloc.xlsx names nobody of event.xlsx: is it this event's allocation? nothing written\n"
    )
    assert not (tmp_path / "z").exists()


def test_an_allocation_naming_one_person_of_the_event_lists_its_rows(tmp_path: Path) -> None:
    event_path, allocation_path = tmp_path / "event.xlsx", tmp_path / "alloc.xlsx"
    write_event(academy(), event_path)
    write_allocation(
        academy(), placed(("x1", "W1", "A"), ("p1", "W1", "A")), CheckReport(), allocation_path
    )
    result = runner.invoke(app, ["verify", str(event_path), str(allocation_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        'Assignments row 2, column participant: "x1" is not a participant of the event\n'
        "alloc.xlsx: 1 problem, nothing written\n"
    )


# ---------------------------------------------------------------- charts in the allocation workbook


def test_summary_has_native_bar_charts_of_choices_and_groups(tmp_path: Path) -> None:
    path = tmp_path / "alloc.xlsx"
    allocation = academy_allocation()
    write_allocation(academy(), allocation, check_allocation(academy(), allocation), path)
    with zipfile.ZipFile(path) as archive:
        charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/"))
        first = archive.read("xl/charts/chart1.xml").decode()
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    assert "Choices met per session" in first
    assert re.search('<grouping val="stacked" ?/>', first)
    rows = [row for row in load_workbook(path)["Summary"].iter_rows(values_only=True)]
    header = ("session", "1st choice", "2nd choice", "3rd choice", "later choice", "unranked")
    start = next(i for i, row in enumerate(rows) if row[:6] == header)
    assert rows[start + 1][:6] == ("W1", 1, 1, 0, 0, 1)
    assert rows[start + 3][:2] == ("W1", "(no group)")


@pytest.mark.parametrize(
    ("person_id", "stem"),
    [
        ("José", "Jose"),
        ("Zoë-1", "Zoe-1"),
        ("정수빈", "_"),
        ("@anna", "anna"),
        ("p1", "p1"),
        ("-mwangi", "mwangi"),
        ("=-x", "x"),
    ],
)
def test_a_programme_file_is_named_after_the_id_without_accents(person_id: str, stem: str) -> None:
    assert safe_stem(person_id) == stem


@pytest.mark.parametrize(("option", "suffix"), [("--zoom", ".csv"), ("--programmes", ".txt")])
def test_files_an_earlier_export_left_in_a_folder_are_named(
    tmp_path: Path, option: str, suffix: str
) -> None:
    # A programme of someone who cancelled since would still go out in a mail merge.
    event_path, allocation_path = files_on_disk(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"gone{suffix}").write_text("old\n", encoding="utf-8")
    result = runner.invoke(
        app, ["export", str(event_path), str(allocation_path), option, str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {folder} also holds files this export did not write: gone{suffix}\n" in (
        result.stderr
    )


def test_an_interrupted_export_says_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C after two programmes: they are in place, and the message says so (not "nothing
    # written"); no temporary file is left.
    import scripts.export as export_module

    event_path, allocation_path = files_on_disk(tmp_path)
    written: list[str] = []
    original = export_module.write_text_atomically

    def two_then_interrupt(path: Path, text: str, encoding: str = "utf-8") -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        original(path, text, encoding)
        written.append(path.name)

    monkeypatch.setattr(export_module, "write_text_atomically", two_then_interrupt)
    folder = tmp_path / "programmes"
    args = ["export", str(event_path), str(allocation_path), "--programmes", str(folder)]
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (
        1,
        f"interrupted: 2 files written: {folder}; export again for a whole set\n",
    )
    assert sorted(path.name for path in folder.iterdir()) == sorted(written)


@pytest.mark.parametrize("rooms", [1, 2])
def test_exactly_1000_people_fit_one_meeting_without_a_warning(rooms: int) -> None:
    crowd = event(people=[person(n) for n in range(1, 1001)], options=[("A", 1000), ("B", 1000)])
    where = ("A", "B")[:rooms]
    allocation = placed(*((f"p{n}", "S1", where[n % rooms]) for n in range(1, 1001)))
    files, warnings = zoom_files(crowd, allocation)
    assert [(file.name, len(file.rows) - 1) for file in files] == [("S1.csv", 1000)]
    assert warnings == []


def test_two_slots_whose_file_names_would_clash_get_numbered() -> None:
    small = academy()
    small.sessions.append(Session(id="RT-round1", day="Tue", kind=SessionKind.CHOICE))
    small.options.append(Option(session="RT-round1", id="X", max=4))
    allocation = academy_allocation()
    allocation.assignments.append(Assignment(participant="p1", session="RT-round1", option="X"))
    files, _ = zoom_files(small, allocation)
    names = ["W1.csv", "RT-round1.csv", "RT-round2.csv", "RT-round1-2.csv"]
    assert [file.name for file in files] == names


def test_a_person_not_placed_is_not_warned_about_their_email() -> None:
    small = event(people=[person(1), person(2, email="")])
    _, warnings = zoom_files(small, placed(("p1", "S1", "A")))
    assert warnings == []


def test_a_list_of_two_pages_says_page_1_of_2() -> None:
    crowd = event(people=[person(n) for n in range(1, 41)], options=[("A", 40)])
    allocation = placed(*((f"p{n}", "S1", "A") for n in range(1, 41)))
    sheet = room_lists_workbook(crowd, allocation)[ROOM_LISTS]
    texts = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str)]
    assert [text for text in texts if "participants" in text] == [
        "40 participants — page 1 of 2",
        "40 participants — page 2 of 2",
    ]


def test_too_many_pages_for_excel_s_print_area_print_the_whole_sheet() -> None:
    tables = event(people=[person(1)], options=[(f"T{n}", 1) for n in range(1, 301)])
    sheet = room_lists_workbook(tables, placed(("p1", "S1", "T1")))[ROOM_LISTS]
    assert len(sheet.row_breaks.brk) == 300
    assert sheet.print_area == f"'{ROOM_LISTS}'!$A$1:$D${sheet.max_row}"


def test_itineraries_start_with_a_byte_order_mark_for_excel(tmp_path: Path) -> None:
    event_path, allocation_path = files_on_disk(tmp_path)
    itineraries = tmp_path / "it.csv"
    command = ["export", str(event_path), str(allocation_path), "--itineraries", str(itineraries)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert itineraries.read_bytes().startswith(b"\xef\xbb\xbfparticipant,name,email,")


def test_programme_names_that_differ_only_in_case_or_accents_get_numbered() -> None:
    crowd = [Participant(id=pid, name=pid) for pid in ("José", "Jose", "JOSE")]
    files = programmes(event(people=crowd), placed(("José", "S1", "A")))
    assert [file.name for file in files] == ["Jose.txt", "Jose-2.txt", "JOSE-3.txt"]
