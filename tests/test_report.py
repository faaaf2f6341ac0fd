"""The allocation workbook: sheets, exact Assignments rows, room lists, and reading it back."""

from importlib.metadata import version
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from models import (
    Allocation,
    Assignment,
    Change,
    CheckReport,
    CheckResult,
    Event,
    GroupStats,
    Option,
    Participant,
    Preference,
    Session,
    SessionKind,
    SolveStats,
)
from models.report import (
    read_assignments,
    session_sheet_names,
    worst_off_people,
    write_allocation,
)

HEADER = ("participant", "name", "session", "round", "option", "room", "rank", "host", "pinned")


def tiny_event() -> Event:
    """Four people; a choice session W1 (A in Oak, B in Elm) and a two-round roundtable RT."""
    return Event(
        participants=[
            Participant(id="p1", name="Ana", email="ana@example.org"),
            Participant(id="p2", name="=Bob"),
            Participant(id="p3", name="Chen"),
            Participant(id="p4", name="Dana"),
        ],
        sessions=[
            Session(id="W1", day="Mon", kind=SessionKind.CHOICE),
            Session(id="RT", day="Mon", kind=SessionKind.ROUNDTABLE, rounds=2),
        ],
        options=[
            Option(session="W1", id="A", room="Oak", max=3),
            Option(session="W1", id="B", room="Elm", max=3),
            Option(session="RT", id="T1", title="Climate", max=3, hosts=("p4",)),
            Option(session="RT", id="T2", title="Water", max=3),
        ],
        preferences=[
            Preference(participant="p1", session="W1", option="A", rank=1),
            Preference(participant="p1", session="W1", option="B", rank=2),
            Preference(participant="p2", session="W1", option="B", rank=1),
            Preference(participant="p3", session="W1", option="A", rank=2),
            Preference(participant="p3", session="W1", option="B", rank=1),
            Preference(participant="p1", session="RT", option="T1", rank=1),
        ],
    )


def tiny_allocation() -> Allocation:
    """Everyone placed, in a deliberately shuffled order; Chen is pinned in W1."""
    places = [
        ("p3", "W1", "B", 1),
        ("p4", "W1", "A", 1),
        ("p2", "W1", "B", 1),
        ("p1", "W1", "A", 1),
        ("p1", "RT", "T2", 2),
        ("p4", "RT", "T1", 1),
        ("p2", "RT", "T2", 1),
        ("p3", "RT", "T2", 1),
        ("p1", "RT", "T1", 1),
        ("p4", "RT", "T1", 2),
        ("p2", "RT", "T1", 2),
        ("p3", "RT", "T1", 2),
    ]
    return Allocation(
        assignments=[
            Assignment(participant=p, session=s, option=o, round=r, pinned=(p, s) == ("p3", "W1"))
            for p, s, o, r in places
        ],
        stats=SolveStats(
            status="optimal",
            objective=10,
            bound=10,
            seconds=0.5,
            components=2,
            sessions={
                "W1": SolveStats(status="optimal", objective=4, bound=4, seconds=0.123),
                "RT": SolveStats(status="optimal", objective=6, bound=6, seconds=0.25),
            },
        ),
    )


def tiny_report(rank_counts: dict[str, int] | None = None) -> CheckReport:
    """One held hard rule and one broken soft rule."""
    return CheckReport(
        results=[
            CheckResult(rule="room_capacity", hard=True, held=True, session="W1"),
            CheckResult(
                rule="together",
                hard=False,
                held=False,
                penalty=2,
                message="Ana and Chen are apart",
                people=["p1", "p3"],
                session="W1",
            ),
        ],
        preference_cost=10,
        soft_penalty=2,
        objective=12,
        rank_counts=rank_counts if rank_counts is not None else {"1": 4, "unranked": 1},
        worst_off=10,
        dissatisfaction={"p1": 0, "p2": 10, "p3": 0, "p4": 0},
    )


EXPECTED_ROWS = [
    ("p1", "Ana", "W1", 1, "A", "Oak", 1, "no", "no"),
    ("p4", "Dana", "W1", 1, "A", "Oak", None, "no", "no"),
    ("p2", "'=Bob", "W1", 1, "B", "Elm", 1, "no", "no"),
    ("p3", "Chen", "W1", 1, "B", "Elm", 1, "no", "yes"),
    ("p1", "Ana", "RT", 1, "T1", "Climate", 1, "no", "no"),
    ("p4", "Dana", "RT", 1, "T1", "Climate", None, "yes", "no"),
    ("p2", "'=Bob", "RT", 1, "T2", "Water", None, "no", "no"),
    ("p3", "Chen", "RT", 1, "T2", "Water", None, "no", "no"),
    ("p2", "'=Bob", "RT", 2, "T1", "Climate", None, "no", "no"),
    ("p3", "Chen", "RT", 2, "T1", "Climate", None, "no", "no"),
    ("p4", "Dana", "RT", 2, "T1", "Climate", None, "yes", "no"),
    ("p1", "Ana", "RT", 2, "T2", "Water", None, "no", "no"),
]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """The tiny allocation written to a workbook."""
    path = tmp_path / "allocation.xlsx"
    write_allocation(tiny_event(), tiny_allocation(), tiny_report(), path, title="Academy")
    return path


def rows_of(path: Path, sheet: str) -> list[tuple[object, ...]]:
    """Every row of a sheet as values."""
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def dumped(assignments: list[Assignment]) -> list[tuple[object, ...]]:
    """Assignments as comparable tuples, leaving out the row they came from."""
    return [tuple(a.model_dump().values()) for a in assignments]


def summary_values(path: Path) -> dict[object, object]:
    """The Summary's labels (column A) with the value beside them (column B)."""
    return {row[0]: row[1] for row in rows_of(path, "Summary") if row[0] is not None}


def test_sheets_are_in_order(written: Path) -> None:
    names = load_workbook(written).sheetnames
    assert names == ["Summary", "Assignments", "W1", "RT", "Itineraries", "Checks"]


def test_assignments_have_the_spec_header_and_exact_rows(written: Path) -> None:
    rows = rows_of(written, "Assignments")
    assert rows[0] == HEADER
    assert rows[1:] == EXPECTED_ROWS


def test_assignments_sheet_is_readable_as_delivered(written: Path) -> None:
    sheet = load_workbook(written)["Assignments"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I13"
    assert all(cell.font.bold for cell in sheet[1])
    assert 6 <= sheet.column_dimensions["A"].width <= 50


def test_round_trip_gives_the_same_assignments(written: Path) -> None:
    assignments, issues = read_assignments(written)
    assert issues == []
    assert sorted(dumped(assignments)) == sorted(dumped(tiny_allocation().assignments))
    assert [a.row for a in assignments] == list(range(2, 14))


def test_formula_like_name_is_escaped_and_reads_back_unescaped(tmp_path: Path) -> None:
    event = tiny_event()
    event.participants[1] = Participant(id="=p2", name="=Bob")
    allocation = Allocation(assignments=[Assignment(participant="=p2", session="W1", option="B")])
    path = tmp_path / "out.xlsx"
    write_allocation(event, allocation, CheckReport(), path)
    row = rows_of(path, "Assignments")[1]
    assert row[:2] == ("'=p2", "'=Bob")
    assignments, issues = read_assignments(path)
    assert issues == []
    assert [a.participant for a in assignments] == ["=p2"]


def test_session_sheet_has_header_counts_and_sorted_names(written: Path) -> None:
    assert rows_of(written, "W1") == [
        ("A", "B"),
        ("Oak", "Elm"),
        ("2 / 3", "2 / 3"),
        ("Ana", "'=Bob"),
        ("Dana", "Chen"),
    ]


def test_session_sheets_print_the_session_and_its_time_atop_each_page(tmp_path: Path) -> None:
    sessions = [
        Session(id="W1", day="2023-02-01", kind=SessionKind.CHOICE, start="13:30", end="15:30"),
        Session(id="RT", day="Mon", kind=SessionKind.ROUNDTABLE, rounds=2, title="Q&A tables"),
    ]
    event = tiny_event().model_copy(update={"sessions": sessions})
    path = tmp_path / "out.xlsx"
    write_allocation(event, tiny_allocation(), CheckReport(), path)
    workbook = load_workbook(path)
    assert workbook["W1"].oddHeader.center.text == "W1 — 2023-02-01, 13:30–15:30"
    assert workbook["W1"].print_title_rows == "$1:$3"
    assert workbook["RT"].oddHeader.center.text == "Q&&A tables — Mon"
    assert workbook["RT"].oddFooter.center.text == "&P / &N"


def test_session_sheet_names_in_order_accents_aside_and_shared_names_with_ids(
    tmp_path: Path,
) -> None:
    names = {"p1": "Zoë", "p2": "Élodie", "p3": "Bo", "p4": "ana silva", "p5": "Ana Silva"}
    event = tiny_event().model_copy(
        update={"participants": [Participant(id=p, name=n) for p, n in names.items()]}
    )
    allocation = Allocation(
        assignments=[Assignment(participant=p, session="W1", option="A") for p in names]
    )
    path = tmp_path / "out.xlsx"
    write_allocation(event, allocation, CheckReport(), path)
    assert [row[0] for row in rows_of(path, "W1")[3:]] == [
        "ana silva (p4)",
        "Ana Silva (p5)",
        "Bo",
        "Élodie",
        "Zoë",
    ]


def test_roundtable_sheet_has_a_block_per_round_hosts_first(written: Path) -> None:
    rows = rows_of(written, "RT")
    assert rows[:6] == [
        ("Round 1", None),
        ("T1", "T2"),
        ("Climate", "Water"),
        ("2 / 3", "2 / 3"),
        ("Dana (host)", "'=Bob"),
        ("Ana", "Chen"),
    ]
    round_two = rows.index(("Round 2", None))
    assert rows[round_two + 1 :] == [
        ("T1", "T2"),
        ("Climate", "Water"),
        ("3 / 3", "1 / 3"),
        ("Dana (host)", "Ana"),
        ("'=Bob", None),
        ("Chen", None),
    ]


def test_itineraries_have_a_column_per_session_and_round(written: Path) -> None:
    rows = rows_of(written, "Itineraries")
    assert rows[0] == ("participant", "name", "email", "W1", "RT r1", "RT r2")
    assert rows[1] == ("p1", "Ana", "ana@example.org", "A — Oak", "T1 — Climate", "T2 — Water")
    assert rows[4] == (
        "p4", "Dana", None, "A — Oak", "T1 — Climate (host)", "T1 — Climate (host)"
    )  # fmt: skip


def test_itinerary_cell_is_empty_when_the_person_does_not_take_part(tmp_path: Path) -> None:
    allocation = Allocation(assignments=[Assignment(participant="p1", session="W1", option="A")])
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), allocation, CheckReport(), path)
    assert rows_of(path, "Itineraries")[2] == ("p2", "'=Bob", None, None, None, None)


def test_checks_list_every_result(written: Path) -> None:
    assert rows_of(written, "Checks") == [
        ("rule", "session", "strength", "held", "penalty", "message", "people"),
        ("room_capacity", "W1", "hard", "yes", 0, None, None),
        ("together", "W1", "soft", "no", 2, "Ana and Chen are apart", "p1, p3"),
    ]
    sheet = load_workbook(written)["Checks"]
    assert [sheet.cell(3, c).alignment.wrap_text for c in range(1, 8)] == [None] * 5 + [True] * 2


def test_summary_shows_solver_choices_and_scores(written: Path) -> None:
    values = summary_values(written)
    assert rows_of(written, "Summary")[0][0] == "Allocation — Academy"
    assert values["status"] == "optimal"
    assert values["gap (%)"] == 0
    assert values["independent parts solved"] == 2
    assert (values["seed"], values["workers"], values["time limit (s)"]) == (0, 2, 60)
    assert values["made by"] == (f"breakouts {version('breakouts')}, OR-Tools {version('ortools')}")
    assert values["1st choice"] == 4
    assert values["unranked"] == 1
    assert values["worst-off person's dissatisfaction"] == 10
    assert values["worst-off people"] == "p2"
    assert values["preference cost (× weight_preference)"] == 10
    assert values["penalties (group criteria, soft rules)"] == 2
    assert values["total"] == 12
    assert values["hard rules held"] == "yes"


TWELVE = [f"p{i:02d}" for i in range(12)]


@pytest.mark.parametrize(
    ("costs", "shown"),
    [
        ({"p1": 3, "p2": 1, "p3": 3}, "p1, p3"),
        ({"p1": 0, "p2": 0}, ""),  # everyone got what they asked for: nobody to name
        (dict.fromkeys(TWELVE, 5), ", ".join(TWELVE[:10]) + " and 2 more"),
    ],
)
def test_the_worst_off_people_are_named_by_id(costs: dict[str, int], shown: str) -> None:
    report = CheckReport(worst_off=max(costs.values()), dissatisfaction=costs)
    assert worst_off_people(report) == shown


def test_summary_session_table_counts_each_option(written: Path) -> None:
    rows = rows_of(written, "Summary")
    start = next(i for i, row in enumerate(rows) if row[0] == "Sessions")
    assert rows[start + 1] == (
        "session", "day", "kind", "people", "options", "status", "cost", "bound", "gap (%)",
        "time (s)", "option", "round", "count", "capacity", "isolated", "off fair share: region",
        "off fair share: group",
    )  # fmt: skip
    assert rows[start + 2][:15] == (
        "W1", "Mon", "choice", 4, 2, "optimal", 4, 4, 0, 0.12, "A", None, 2, 3, None,
    )  # fmt: skip
    assert rows[start + 3][:15] == (None,) * 10 + ("B", None, 2, 3, None)
    assert rows[start + 4][:15] == (
        "RT", "Mon", "roundtable", 4, 2, "optimal", 6, 6, 0, 0.25, "T1", 1, 2, 3, None,
    )  # fmt: skip
    assert rows[start + 5][10:14] == ("T1", 2, 3, 3)


def test_summary_session_table_leaves_solver_figures_blank_for_sessions_not_solved(
    tmp_path: Path,
) -> None:
    allocation = tiny_allocation()
    allocation.stats.sessions.pop("RT")
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), allocation, tiny_report(), path)
    rows = rows_of(path, "Summary")
    start = next(i for i, row in enumerate(rows) if row[0] == "Sessions")
    assert rows[start + 2][5:10] == ("optimal", 4, 4, 0, 0.12)
    assert rows[start + 4][:10] == ("RT", "Mon", "roundtable", 4, 2, None, None, None, None, None)


def test_sheet_names_follow_excel_rules() -> None:
    sessions = [
        Session(id="Day 1: a/b [x]?", day="d", kind=SessionKind.SPLIT),
        Session(id="summary", day="d", kind=SessionKind.SPLIT),
        Session(id="W" * 40, day="d", kind=SessionKind.SPLIT),
        Session(id="W" * 41, day="d", kind=SessionKind.SPLIT),
    ]
    names = list(session_sheet_names(sessions).values())
    assert names == ["Day 1_ a_b _x__", "summary~2", "W" * 31, "W" * 29 + "~2"]


def test_save_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "allocation.xlsx"
    write_allocation(tiny_event(), tiny_allocation(), tiny_report(), path)
    write_allocation(tiny_event(), tiny_allocation(), tiny_report(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["allocation.xlsx"]


def test_not_a_workbook_gives_one_issue(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("participant,session,option\n")
    assignments, issues = read_assignments(path)
    assert assignments == []
    assert [str(issue) for issue in issues] == [
        "notes.xlsx: not an Excel workbook (.xlsx): it is a text file (CSV?); "
        "save it as Excel Workbook (.xlsx)"
    ]


def test_missing_file_gives_one_issue(tmp_path: Path) -> None:
    assignments, issues = read_assignments(tmp_path / "absent.xlsx")
    assert (assignments, [str(issue) for issue in issues]) == ([], ["absent.xlsx: file not found"])


def test_workbook_without_assignments_sheet_gives_one_issue(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    assert len(read_assignments(path)[1]) == 1


def hand_made(path: Path, rows: list[list[object]]) -> Path:
    """An Assignments sheet as an organiser might type it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Assignments"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_missing_column_gives_an_issue_naming_it(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "a.xlsx", [["participant", "session"], ["p1", "W1"]])
    assignments, issues = read_assignments(path)
    assert assignments == []
    assert [(issue.column, issue.row) for issue in issues] == [("option", 1)]
    assert "option" in issues[0].message


def test_hand_edited_sheet_reads_with_tolerant_headers_and_defaults(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Participant", "Session ", "OPTION", "Round", "Pinned", "Note"],
        ["p2", "W1", "A", None, "Yes", "moved by hand"],
        [None, None, None, None, None, None],
        [1001, "RT", "T2", 2, None, None],
        ["p3", "RT", "T1", "r2", "no", None],
    ]
    assignments, issues = read_assignments(hand_made(tmp_path / "a.xlsx", rows))
    assert issues == []
    assert dumped(assignments) == dumped(
        [
            Assignment(participant="p2", session="W1", option="A", round=1, pinned=True),
            Assignment(participant="1001", session="RT", option="T2", round=2),
            Assignment(participant="p3", session="RT", option="T1", round=2),
        ]
    )
    assert [a.row for a in assignments] == [2, 4, 5]


def test_bad_rows_become_issues_with_row_and_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["participant", "session", "option", "round", "pinned"],
        ["p1", "W1", None, 1, "no"],
        ["p2", "W1", "A", 0, "no"],
        ["p3", "W1", "A", 1, "maybe"],
        ["p4", "W1", "B", 1, "no"],
    ]
    assignments, issues = read_assignments(hand_made(tmp_path / "a.xlsx", rows))
    assert [a.participant for a in assignments] == ["p4"]
    assert [(i.row, i.column) for i in issues] == [(2, "option"), (3, "round"), (4, "pinned")]
    assert all(issue.sheet == "Assignments" for issue in issues)


def test_summary_shows_encounters_penalties_by_rule_and_broken_hard_rules(tmp_path: Path) -> None:
    broken = CheckResult(rule="room_capacity", hard=True, held=False, session="RT")
    report = tiny_report().model_copy(
        update={
            "results": [*tiny_report().results, broken],
            "new_people": {"p1": 3, "p2": 2, "p3": 2},
            "repeat_pairs": 3,
        }
    )
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), tiny_allocation(), report, path)
    values = summary_values(path)
    assert values["average new people met (split groups and tables)"] == 2.3
    assert values["pairs who met more than once"] == 3
    assert values["  together"] == 2
    assert values["hard rules held"] == "no"
    assert values["hard rules broken"] == 1


def test_summary_choices_in_rank_order(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    counts = {"10": 1, "2": 3, "1": 4, "unranked": 1}
    write_allocation(tiny_event(), tiny_allocation(), tiny_report(counts), path)
    labels = [row[0] for row in rows_of(path, "Summary")]
    start = labels.index("Choices")
    assert labels[start + 1 : start + 5] == ["1st choice", "2nd choice", "10th choice", "unranked"]


def test_summary_session_rows_show_each_round_spread_isolated_and_bound(tmp_path: Path) -> None:
    allocation = tiny_allocation()
    allocation.stats.sessions["W1"] = SolveStats(status="feasible", objective=5, bound=4)
    groups = [
        GroupStats(session="RT", option="T1", round=1, deviation={"region": 0.5, "group": 0.0}),
        GroupStats(
            session="RT",
            option="T1",
            round=2,
            isolated=["p3"],
            deviation={"region": 1.5, "group": 1.0},
        ),
    ]
    report = tiny_report().model_copy(update={"groups": groups})
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), allocation, report, path)
    rows = rows_of(path, "Summary")
    start = next(i for i, row in enumerate(rows) if row[0] == "Sessions")
    assert rows[start + 2][5:10] == ("feasible", 5, 4, 20, 0)
    assert rows[start + 4][10:17] == ("T1", 1, 2, 3, None, 0.5, 0)
    assert rows[start + 5][10:17] == ("T1", 2, 3, 3, "Chen", 1.5, 1)


def test_changes_sheet_and_summary_count_after_a_resolve(tmp_path: Path) -> None:
    allocation = tiny_allocation()
    moved = Change(
        participant="p1", name="Ana", session="W1", before="B", after="A", reason="asked"
    )
    allocation.changes = [moved]
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), allocation, tiny_report(), path)
    assert rows_of(path, "Changes") == [
        ("participant", "name", "session", "round", "from", "to", "reason"),
        ("p1", "Ana", "W1", 1, "B", "A", "asked"),
    ]
    rows = rows_of(path, "Summary")
    start = [row[0] for row in rows].index("Changes since the published allocation")
    assert [row[:2] for row in rows[start + 1 : start + 5]] == [
        ("kept", 11),
        ("moved", 1),
        ("added", 0),
        ("removed", 0),
    ]


def test_single_round_roundtable_sheet_has_no_round_heading(tmp_path: Path) -> None:
    event = tiny_event().model_copy(
        update={
            "sessions": [Session(id="RT", day="Mon", kind=SessionKind.ROUNDTABLE, rounds=1)],
            "options": [Option(session="RT", id="T1", title="Climate", max=3)],
            "preferences": [],
        }
    )
    allocation = Allocation(assignments=[Assignment(participant="p1", session="RT", option="T1")])
    path = tmp_path / "out.xlsx"
    write_allocation(event, allocation, tiny_report(), path)
    assert rows_of(path, "RT") == [("T1",), ("Climate",), ("1 / 3",), ("Ana",)]


def test_itineraries_list_people_placed_but_not_in_the_event(tmp_path: Path) -> None:
    allocation = Allocation(assignments=[Assignment(participant="p9", session="W1", option="B")])
    path = tmp_path / "out.xlsx"
    write_allocation(tiny_event(), allocation, tiny_report(), path)
    assert rows_of(path, "Itineraries")[-1] == ("p9", None, None, "B — Elm", None, None)


def test_exactly_ten_worst_off_people_are_all_named_without_more() -> None:
    report = CheckReport(worst_off=5, dissatisfaction=dict.fromkeys(TWELVE[:10], 5))
    assert worst_off_people(report) == ", ".join(TWELVE[:10])
