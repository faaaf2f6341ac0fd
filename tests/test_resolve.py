"""Re-solving after late registrations, cancellations, closed options and hand edits."""

import itertools
import random
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from models import (
    Allocation,
    Assignment,
    Change,
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
from models.issues import row_ranges
from models.report import read_assignments
from models.workbook import write_event
from scripts.cli import app
from solver import rounds as rounds_module
from solver import sessions
from solver.changes import BY_HAND, list_changes
from solver.check import check_allocation
from solver.context import Context, PinnedEditError
from solver.history import History
from solver.previous import Published, read_published
from solver.rounds import round_by_round
from solver.solve import solve_event
from solver.watch import Watch
from tests.factories import visits_trap

runner = CliRunner()


def workshop_event(people: int, seed: int = 7, capacity: int = 12) -> Event:
    """One day, one choice session of four workshops, everyone ranking three."""
    rng = random.Random(seed)
    options = ["W1", "W2", "W3", "W4"]
    participants = [Participant(id=f"p{i:03d}", name=f"Person {i}") for i in range(people)]
    preferences = [
        Preference(participant=p.id, session="S", option=o, rank=rank)
        for p in participants
        for rank, o in enumerate(rng.sample(options, 3), start=1)
    ]
    return Event(
        participants=participants,
        sessions=[Session(id="S", day="d1", kind=SessionKind.CHOICE)],
        options=[Option(session="S", id=o, max=capacity, room=f"Room {o}") for o in options],
        preferences=preferences,
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )


def moves(before: list[Assignment], after: Allocation) -> int:
    """People of the published allocation who changed option."""
    now = after.option_of
    return sum(1 for a in before if a.key in now and now[a.key] != a.option)


def test_late_registrations_and_cancellations_move_nobody_when_there_is_room() -> None:
    event = workshop_event(30)
    published = solve_event(event).assignments
    late = workshop_event(40)
    cancelled = {f"p{i:03d}" for i in range(5)}
    late.participants = [p for p in late.participants if p.id not in cancelled]
    late.preferences = [p for p in late.preferences if p.participant not in cancelled]
    allocation = solve_event(late, previous=published)
    assert check_allocation(late, allocation).ok
    assert moves(published, allocation) == 0
    changes = list_changes(late, published, allocation)
    assert sorted({c.reason for c in changes}) == ["cancelled", "newcomer"]
    assert sum(1 for c in changes if c.reason == "newcomer") == 10
    assert sum(1 for c in changes if c.reason == "cancelled") == 5


def test_when_an_option_closes_exactly_its_people_move() -> None:
    event = workshop_event(30)
    published = solve_event(event).assignments
    closed = event.model_copy(deep=True)
    closed.options = [o if o.id != "W2" else o.model_copy(update={"max": 0}) for o in event.options]
    closed = Event.model_validate(closed.model_dump())
    allocation = solve_event(closed, previous=published)
    in_w2 = {a.participant for a in published if a.option == "W2"}
    changes = list_changes(closed, published, allocation)
    assert {c.participant for c in changes} == in_w2
    assert {c.reason for c in changes} == {"moved because option W2 closed"}


def test_a_capacity_cut_moves_only_as_many_as_it_must() -> None:
    event = workshop_event(40)
    published = solve_event(event).assignments
    counts = {o.id: sum(1 for a in published if a.option == o.id) for o in event.options}
    fullest = max(counts, key=lambda o: counts[o])
    cut = Event.model_validate(event.model_dump())
    cut.options = [
        o.model_copy(update={"max": counts[o.id] - 2}) if o.id == fullest else o
        for o in cut.options
    ]
    allocation = solve_event(cut, previous=published)
    assert moves(published, allocation) == 2
    assert {c.reason for c in list_changes(cut, published, allocation)} == {
        f"moved because Room {fullest} ({fullest}) now has {counts[fullest] - 2} places"
    }


def brute_force_moves(event: Event, published: dict[str, str]) -> int:
    """The fewest moves over every placement that respects capacity and forbid rules (tiny
    events only)."""
    people = [p.id for p in event.participants]
    options = [o for o in event.options if o.max > 0]
    forbidden = {(person, r.option) for r in event.rules for person in r.participants}
    best = len(people)
    for choice in itertools.product(options, repeat=len(people)):
        if any((p, c.id) in forbidden for p, c in zip(people, choice, strict=True)):
            continue
        if all(sum(1 for c in choice if c.id == o.id) <= o.max for o in options):
            best = min(
                best,
                sum(1 for p, c in zip(people, choice, strict=True) if published.get(p) != c.id),
            )
    return best


@pytest.mark.parametrize("fair", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_moves_equal_the_brute_force_minimum(seed: int, fair: bool) -> None:
    # Without fairness, stage 1 is the flow's; with it, CP-SAT's, which first holds in place
    # everyone the least moves do not move (forbid rules make some move, and some of those
    # moves need another to make room).
    rng = random.Random(seed)
    event = workshop_event(6, seed=seed, capacity=3)
    capacities = [rng.randint(1, 3) for _ in event.options]
    while sum(capacities) < 6:
        capacities = [rng.randint(1, 3) for _ in event.options]
    event.options = [
        o.model_copy(update={"max": c}) for o, c in zip(event.options, capacities, strict=True)
    ]
    if fair:
        event.settings = Settings(diversity=(), no_isolation=(), spread=())
        event.rules = [
            Rule(kind=RuleKind.FORBID, participants=(p.id,), option=rng.choice(["W1", "W2"]))
            for p in event.participants
            if rng.random() < 0.4
        ]
    event = Event.model_validate(event.model_dump())
    published = [
        Assignment(participant=p.id, session="S", option=rng.choice(["W1", "W2", "W3", "W4"]))
        for p in event.participants
    ]
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    expected = brute_force_moves(event, {a.participant: a.option for a in published})
    assert moves(published, allocation) == expected


def written_event(tmp_path: Path, people: int = 20) -> Path:
    """A workbook of the workshop event."""
    path = tmp_path / "event.xlsx"
    write_event(workshop_event(people), path)
    return path


def read_changes(path: Path) -> list[Change]:
    """The Changes sheet of an allocation workbook."""
    rows = list(openpyxl.load_workbook(path)["Changes"].iter_rows(min_row=2, values_only=True))
    return [
        Change(participant=r[0], name=r[1] or "", session=r[2], round=r[3], before=r[4] or "",
               after=r[5] or "", reason=r[6])
        for r in rows
    ]  # fmt: skip


def solved_workshop(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The workshop event written and solved: its path, the allocation's, and everyone's
    option in it."""
    event_path = written_event(tmp_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    return event_path, published, {a.participant: a.option for a in read_assignments(published)[0]}


def edit_cell(path: Path, person: str, column: str, value: str) -> int:
    """Change one cell of a person's row in the Assignments sheet (the rest left as it was);
    its row."""
    book = openpyxl.load_workbook(path)
    sheet = book["Assignments"]
    header = [cell.value for cell in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header.index("participant") + 1).value == person:
            sheet.cell(row, header.index(column) + 1).value = value
            book.save(path)
            return row
    raise AssertionError(person)


def edit_option(path: Path, person: str, option: str) -> int:
    """Change one person's option in the Assignments sheet (room left as it was); its row."""
    return edit_cell(path, person, "option", option)


@pytest.mark.parametrize("named", ["by room", "by title", "by id", "in one hall"])
def test_a_hand_edit_is_kept_whatever_the_options_rooms(tmp_path: Path, named: str) -> None:
    # The Assignments sheet's room column holds the room, else the title, else the option's
    # id, with the id added where options share it ("Hall (W2)"): an edited option shows.
    event_path = tmp_path / "event.xlsx"
    unnamed = workshop_event(20)
    names = {
        "by room": lambda o: {},
        "by title": lambda o: {"room": "", "title": f"Theme {o.id}"},
        "by id": lambda o: {"room": "", "title": ""},
        "in one hall": lambda o: {"room": "Hall", "title": ""},
    }[named]
    unnamed.options = [o.model_copy(update=names(o)) for o in unnamed.options]
    write_event(unnamed, event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    before = {a.participant: a.room for a in read_assignments(published)[0]}
    was = {a.participant: a.option for a in read_assignments(published)[0]}
    target = next(o for o in ("W1", "W2", "W3", "W4") if o != was["p001"])
    row = edit_option(published, "p001", target)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    after = {a.participant: (a.option, a.pinned) for a in read_assignments(again)[0]}
    assert after["p001"] == (target, True)
    assert {p: o for p, (o, _) in after.items() if p != "p001"} == {
        p: o for p, o in was.items() if p != "p001"
    }
    assert result.stderr == (
        f'warning: Assignments row {row}, column room: "{before["p001"]}" is {was["p001"]}\'s '
        f"room, the option cell says {target}: taken as a hand edit to {target} (if the move "
        f"was to {was['p001']}, write {was['p001']} in the option cell)\n"
    )
    # The person moved by hand has not been told: Changes lists them, from the room's option.
    assert [(c.participant, c.before, c.after, c.reason) for c in read_changes(again)] == [
        ("p001", was["p001"], target, BY_HAND)
    ]


@pytest.mark.parametrize("edit", ["pinned", "room naming no option", "retyped"])
def test_a_row_not_moved_by_hand_is_no_change(tmp_path: Path, edit: str) -> None:
    # Pinned where it was, a room cell typed as no option of the session, an option retyped:
    # nobody was moved, and Changes is empty.
    event_path, published, was = solved_workshop(tmp_path)
    column, value = {
        "pinned": ("pinned", "yes"),
        "room naming no option": ("room", "Room W9"),
        "retyped": ("option", was["p001"].lower()),
    }[edit]
    edit_cell(published, "p001", column, value)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert read_changes(again) == []
    assert "placements: 20 kept, 0 moved, 0 added, 0 removed" in result.stdout


@pytest.mark.parametrize("room", ["Room {other}", "Room W9", "Room {was}"])
def test_a_room_cell_naming_another_option_is_a_warning(tmp_path: Path, room: str) -> None:
    # The option cell decides: a move written in the room cell alone is not taken, and the
    # warning says so. A room naming no option of the session (a typo, or a room renamed in
    # the event since) pins the row where it is, which the warning says too. The row's own
    # room gives none.
    event_path, published, was = solved_workshop(tmp_path)
    other = next(o for o in ("W1", "W2", "W3", "W4") if o != was["p001"])
    row = edit_cell(published, "p001", "room", room.format(other=other, was=was["p001"]))
    result = runner.invoke(app, ["verify", str(event_path), str(published)])
    assert result.exit_code == 0
    expected = {
        "Room {other}": (
            f'warning: Assignments row {row}, column room: "Room {other}" is {other}\'s room, '
            f"the option cell says {was['p001']}: taken as a hand edit to {was['p001']} (if the "
            f"move was to {other}, write {other} in the option cell)\n"
        ),
        "Room W9": (
            f'warning: Assignments row {row}, column room: "Room W9" is no room of S: taken as '
            f"a hand edit to {was['p001']}, kept there (if the room was renamed, write its new "
            "name; if the move was to another option, write that in the option cell)\n"
        ),
        "Room {was}": "",
    }[room]
    assert result.stderr == expected


def test_a_room_renamed_since_publishing_warns_once_for_its_rows(tmp_path: Path) -> None:
    # Every row of the renamed room is pinned where it is: one line for them all.
    event_path, published, _ = solved_workshop(tmp_path)
    renamed = workshop_event(20)
    renamed.options = [
        o.model_copy(update={"room": "Great Hall"}) if o.id == "W1" else o for o in renamed.options
    ]
    write_event(renamed, event_path)
    rows = [
        row for row, a in enumerate(read_assignments(published)[0], start=2) if a.option == "W1"
    ]
    assert len(rows) > 1
    result = runner.invoke(app, ["verify", str(event_path), str(published)])
    assert result.exit_code == 0
    assert result.stderr == (
        f'warning: Assignments rows {row_ranges(rows)}, column room: "Room W1" is no room of '
        "S: taken as a hand edit to W1, kept there (if the room was renamed, write its new "
        "name; if the move was to another option, write that in the option cell)\n"
    )


def test_a_published_row_naming_what_the_event_lacks_is_a_warning(tmp_path: Path) -> None:
    event = written_event(tmp_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event), "-o", str(published)]).exit_code == 0
    row = edit_option(published, "p001", "w9")
    book = openpyxl.load_workbook(published)
    sheet = book["Assignments"]
    column = [cell.value for cell in sheet[1]].index("participant") + 1
    typo = 0
    for at in range(2, sheet.max_row + 1):
        if sheet.cell(at, column).value in ("p002", "p003"):
            typo = at if sheet.cell(at, column).value == "p002" else typo
            sheet.cell(at, column).value = {"p002": "P002", "p003": "x003"}[
                sheet.cell(at, column).value
            ]
    book.save(published)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stderr == (  # x003 is like a cancellation: no warning; P002 is p002
        f'warning: Assignments row {typo}, column participant: "P002" is read as "p002", as in '
        "Participants\n"
        f'warning: published.xlsx: Assignments row {row}: "w9" is not an option of session S; '
        "taken as an option that closed\n"
    )
    changed = {c.participant for c in read_changes(again)}
    assert "p002" not in changed and "x003" in changed


def test_another_event_s_allocation_as_the_previous_one_is_refused(tmp_path: Path) -> None:
    event = written_event(tmp_path)
    other = tmp_path / "other.xlsx"
    stranger = workshop_event(20)
    stranger.participants = [p.model_copy(update={"id": "x" + p.id}) for p in stranger.participants]
    stranger.preferences = []
    write_event(stranger, other)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(other), "-o", str(published)]).exit_code == 0
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == (
        "published.xlsx names nobody of event.xlsx: is it this event's allocation? nothing "
        "written\n"
    )
    assert not again.exists()


def test_the_changes_sheet_names_who_cancelled_and_gives_every_round(tmp_path: Path) -> None:
    event_path = tmp_path / "event.xlsx"
    write_event(workshop_event(8), event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    was = {a.participant: a.option for a in read_assignments(published)[0]}
    late = workshop_event(8)
    late.participants = [p for p in late.participants if p.id != "p003"]
    late.preferences = [p for p in late.preferences if p.participant != "p003"]
    write_event(late, event_path)
    again = tmp_path / "again.xlsx"
    result = runner.invoke(
        app, ["solve", str(event_path), "-o", str(again), "--previous", str(published)]
    )
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(again)["Changes"].iter_rows(values_only=True))
    assert rows == [
        ("participant", "name", "session", "round", "from", "to", "reason"),
        ("p003", "Person 3", "S", 1, was["p003"], None, "cancelled"),
    ]


def test_a_cancellation_is_one_deleted_participants_row(tmp_path: Path) -> None:
    # Their wishes and their place in rules are left out with a warning; the rule still
    # binds the others, and the re-solve removes them.
    event = workshop_event(8)
    together = Rule(kind=RuleKind.TOGETHER, participants=("p001", "p002", "p003"))
    event = event.model_copy(update={"rules": [together]})
    event_path = tmp_path / "event.xlsx"
    write_event(event, event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    gone = [p for p in event.participants if p.id != "p003"]
    write_event(event.model_copy(update={"participants": gone}), event_path)
    first = next(n for n, p in enumerate(event.preferences, 2) if p.participant == "p003")
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f'warning: Preferences row {first}, column participant: "p003" is not a participant '
        "(and 2 more rows); their wishes are left out (cancelled?)\n"
        'warning: Rules row 2, column participants: "p003" is not a participant; left out of '
        "the rule (cancelled?)\n"
    )
    after = {a.participant: a.option for a in read_assignments(again)[0]}
    assert "p003" not in after and after["p001"] == after["p002"]
    rows = list(openpyxl.load_workbook(again)["Changes"].iter_rows(values_only=True))
    assert [row[0::6] for row in rows[1:]] == [("p003", "cancelled")]


def test_a_hand_edit_that_breaks_capacity_is_reported_with_the_option(tmp_path: Path) -> None:
    event_path = tmp_path / "event.xlsx"
    event = workshop_event(8, capacity=2)
    write_event(event, event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    rows = [edit_option(published, person, "W1") for person in ("p000", "p001", "p002")]
    again = tmp_path / "again.xlsx"
    result = runner.invoke(
        app, ["solve", str(event_path), "-o", str(again), "--previous", str(published)]
    )
    assert result.exit_code == 3
    assert "pinned edits break hard rules" in result.output
    assert (
        f"pinned: 3 people in W1 of S (Assignments rows {row_ranges(sorted(rows))}): "
        "Room W1 (W1) would hold 3 pinned people, capacity 2" in result.output
    )
    assert "Person" not in result.output
    assert not again.exists()
    override = runner.invoke(
        app,
        [
            "solve",
            str(event_path),
            "-o",
            str(again),
            "--previous",
            str(published),
            "--override-pins",
        ],
    )
    assert override.exit_code == 0, override.output


def pin_rows(path: Path, people: set[str]) -> None:
    """Write `yes` in the pinned cell of these people's rows of the Assignments sheet."""
    book = openpyxl.load_workbook(path)
    sheet = book["Assignments"]
    header = [cell.value for cell in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header.index("participant") + 1).value in people:
            sheet.cell(row, header.index("pinned") + 1).value = "yes"
    book.save(path)


def test_override_pins_keeps_the_pins_it_did_not_move(tmp_path: Path) -> None:
    # W1 (2 places) holds two pinned people and a third is edited into it: one of the three
    # must move; the two who stay are still pinned, the one moved is not.
    event_path = tmp_path / "event.xlsx"
    write_event(workshop_event(8, capacity=2), event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    was = {a.participant: a.option for a in read_assignments(published)[0]}
    in_w1 = {p for p, o in was.items() if o == "W1"}
    newcomer = next(p for p, o in sorted(was.items()) if o != "W1")
    pin_rows(published, in_w1)
    edit_option(published, newcomer, "W1")
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published)]
    assert runner.invoke(app, [*args, "--override-pins"]).exit_code == 0
    after = {a.participant: (a.option, a.pinned) for a in read_assignments(again)[0]}
    three = sorted(in_w1 | {newcomer})
    assert sorted(after[p] == ("W1", True) for p in three) == [False, True, True]
    assert [pinned for p in three for option, pinned in [after[p]] if option != "W1"] == [False]
    rows = list(openpyxl.load_workbook(again)["Changes"].iter_rows(values_only=True))
    assert [row[-1] for row in rows[1:]] == [
        "moved because hand edits put 3 in Room W1 (W1), which has 2 places"
    ]
    assert not any(pinned for p, (_, pinned) in after.items() if p not in three)


def test_the_terminal_counts_reasons_without_naming_anyone(tmp_path: Path) -> None:
    # The Changes sheet names who moved; the terminal's count of reasons does not.
    event = workshop_event(8)
    event_path = tmp_path / "event.xlsx"
    write_event(event, event_path)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    was = {a.participant: a.option for a in read_assignments(published)[0]}
    forbid = Rule(kind=RuleKind.FORBID, participants=("p001",), option=was["p001"])
    write_event(event.model_copy(update={"rules": [forbid]}), event_path)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-3:-1] == [
        "placements: 7 kept, 1 moved, 0 added, 0 removed",
        f"  1 × moved because a rule forbids the person in {was['p001']}",
    ]
    assert "p001" not in result.output
    rows = list(openpyxl.load_workbook(again)["Changes"].iter_rows(values_only=True))
    assert rows[1][0] == "p001"
    assert rows[1][-1] == f"moved because a rule forbids p001 in {was['p001']}"


def test_pinned_edit_error_from_the_api() -> None:
    event = workshop_event(4, capacity=1)
    published = [
        Assignment(participant=f"p00{i}", session="S", option="W1", pinned=True) for i in range(2)
    ]
    with pytest.raises(PinnedEditError) as caught:
        solve_event(event, previous=published)
    assert caught.value.reasons == [
        "pinned: 2 people in W1 of S: Room W1 (W1) would hold 2 pinned people, capacity 1"
    ]


@pytest.mark.parametrize(("rows", "ranges"), [([4, 5, 6, 9, 11, 12], "4–6, 9, 11–12"), ([7], "7")])
def test_row_ranges(rows: list[int], ranges: str) -> None:
    assert row_ranges(rows) == ranges


def test_resolving_is_deterministic_byte_for_byte(tmp_path: Path) -> None:
    event = written_event(tmp_path, people=30)
    published = tmp_path / "published.xlsx"
    assert runner.invoke(app, ["solve", str(event), "-o", str(published)]).exit_code == 0
    sheets = []
    for name in ("a.xlsx", "b.xlsx"):
        out = tmp_path / name
        args = ["solve", str(event), "-o", str(out), "--previous", str(published), "--seed", "4"]
        assert runner.invoke(app, args).exit_code == 0
        sheets.append(list(openpyxl.load_workbook(out)["Assignments"].iter_rows(values_only=True)))
    assert sheets[0] == sheets[1]


def two_day_event() -> Event:
    """Two choice sessions on two days."""
    base = workshop_event(20)
    sessions = [
        Session(id="S", day="d1", kind=SessionKind.CHOICE),
        Session(id="T", day="d2", kind=SessionKind.CHOICE),
    ]
    options = base.options + [o.model_copy(update={"session": "T"}) for o in base.options]
    prefs = base.preferences + [p.model_copy(update={"session": "T"}) for p in base.preferences]
    return Event(
        participants=base.participants,
        sessions=sessions,
        options=options,
        preferences=prefs,
        settings=base.settings,
    )


def test_day_two_alone_keeps_day_one_as_published() -> None:
    event = two_day_event()
    published = solve_event(event).assignments
    day_one = {a.key: a.option for a in published if a.session == "S"}
    late = Event.model_validate(event.model_dump())
    late.participants = [*late.participants, Participant(id="late", name="Late", days=("d2",))]
    allocation = solve_event(late, previous=published, day="d2")
    assert {a.key: a.option for a in allocation.assignments if a.session == "S"} == day_one
    assert allocation.option_of.get(("late", "T", 1)) is not None
    assert moves(published, allocation) == 0


@pytest.mark.parametrize("cut", [False, True])
def test_a_day_solved_alone_warns_when_the_kept_days_break_rules_now(
    tmp_path: Path, cut: bool
) -> None:
    event_path, published = tmp_path / "event.xlsx", tmp_path / "published.xlsx"
    write_event(two_day_event(), event_path)
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    later = two_day_event()
    if cut:  # day 1's W1 loses seats after it was published
        crowded = Counter(a.option for a in read_assignments(published)[0] if a.session == "S")
        smaller = crowded["W1"] - 1
        later.options = [
            o.model_copy(update={"max": smaller}) if (o.session, o.id) == ("S", "W1") else o
            for o in later.options
        ]
    write_event(later, event_path)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published)]
    result = runner.invoke(app, [*args, "--day", "d2"])
    assert result.exit_code == 0
    assert "hard rules: all hold in d2's sessions, the ones solved\n" in result.stdout
    warning = (
        "warning: the days kept as published break 1 hard rule of the event as it is now; "
        "breakouts verify lists them\n"
    )
    assert result.stderr == (warning if cut else "")
    sheet = openpyxl.load_workbook(again)["Summary"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert summary["hard rules held in the sessions solved"] == "yes"
    assert summary["hard rules broken on the days not solved (verify lists them)"] == int(cut)


@pytest.mark.parametrize("day", [[], ["--day", "d2"]])
def test_a_broken_pin_stops_only_the_solve_of_its_own_day(tmp_path: Path, day: list[str]) -> None:
    # A pinned day-1 row in an option closed since: solving day 1 stops (exit 3), solving
    # day 2 alone keeps day 1 as published and warns that it breaks a rule.
    event_path, published = tmp_path / "event.xlsx", tmp_path / "published.xlsx"
    write_event(two_day_event(), event_path)
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    book = openpyxl.load_workbook(published)
    sheet = book["Assignments"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("session")].value == "S")
    row[header.index("pinned")].value = "yes"
    closed = row[header.index("option")].value
    book.save(published)
    later = two_day_event()
    later.options = [
        o.model_copy(update={"max": 0}) if (o.session, o.id) == ("S", closed) else o
        for o in later.options
    ]
    write_event(later, event_path)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), *day]
    result = runner.invoke(app, args)
    if not day:
        assert result.exit_code == 3
        assert "pinned edits break hard rules" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: the days kept as published break ")
    pinned = {a.key for a in read_assignments(again)[0] if a.pinned}
    assert [key for key in pinned if key[1] == "S"] == [(row[0].value, "S", 1)]


def test_a_day_solved_without_a_published_allocation_says_the_other_days_wait(
    tmp_path: Path,
) -> None:
    event_path, out = tmp_path / "event.xlsx", tmp_path / "day2.xlsx"
    write_event(two_day_event(), event_path)
    result = runner.invoke(app, ["solve", str(event_path), "-o", str(out), "--day", "d2"])
    assert result.exit_code == 0
    unmet = len(check_allocation(two_day_event(), Allocation(), sessions={"S"}).broken)
    assert unmet > 0
    assert result.stderr == (
        "warning: --day without --previous: only d2's sessions are allocated, and no earlier "
        "day counts for fairness or new encounters\n"
    )
    sheet = openpyxl.load_workbook(out)["Summary"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert summary["hard rules held in the sessions solved"] == "yes"
    assert summary["hard rules broken on the days not solved (verify lists them)"] == unmet


def test_a_rule_about_the_person_comes_before_fewer_places_as_the_reason() -> None:
    event = workshop_event(20)
    published = solve_event(event).assignments
    in_w1 = sorted(a.participant for a in published if a.option == "W1")
    later = Event.model_validate(event.model_dump())
    later.options = [o.model_copy(update={"max": 1}) if o.id == "W1" else o for o in later.options]
    later.rules = [Rule(kind=RuleKind.FORBID, participants=(in_w1[0],), option="W1")]
    changes = list_changes(later, published, solve_event(later, previous=published))
    reasons = {c.participant: c.reason for c in changes}
    assert reasons[in_w1[0]] == f"moved because a rule forbids {in_w1[0]} in W1"
    assert set(reasons.values()) == {
        f"moved because a rule forbids {in_w1[0]} in W1",
        "moved because Room W1 (W1) now has 1 place",
    }


def test_a_session_taken_out_of_the_programme_is_the_reason_given() -> None:
    event = two_day_event()
    published = solve_event(event).assignments
    shorter = Event.model_validate(event.model_dump())
    shorter.sessions = [s for s in shorter.sessions if s.id != "T"]
    shorter.options = [o for o in shorter.options if o.session != "T"]
    shorter.preferences = [p for p in shorter.preferences if p.session != "T"]
    changes = list_changes(shorter, published, solve_event(shorter, previous=published))
    assert {(c.session, c.reason) for c in changes} == {("T", "session removed from the programme")}
    assert len(changes) == 20


def test_a_round_no_longer_held_and_a_day_no_longer_attended_are_the_reasons_given() -> None:
    people = [Participant(id=f"p{i}", name=f"p{i}") for i in range(6)]
    tables = [Option(session="R", id=t, max=3) for t in ("T1", "T2", "T3")]
    roundtable = Session(id="R", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)
    event = Event(participants=people, sessions=[roundtable], options=tables)
    published = solve_event(event).assignments
    later = event.model_copy(
        update={
            "sessions": [roundtable.model_copy(update={"rounds": 1})],
            "participants": [*people[:5], people[5].model_copy(update={"days": ("d2",)})],
        }
    )
    changes = list_changes(later, published, solve_event(later, previous=published))
    assert [(c.participant, c.round, c.reason) for c in changes] == [  # round by round
        ("p5", 1, "no longer takes part"),
        *((f"p{i}", 2, "round no longer held") for i in range(6)),
    ]


def test_a_day_solved_alone_reports_only_its_own_sessions() -> None:
    event = two_day_event()
    published = solve_event(event).assignments
    allocation = solve_event(event, previous=published, day="d2")
    stats = allocation.stats
    assert list(stats.sessions) == ["T"]
    assert stats.sessions["T"].objective == stats.objective
    assert stats.sessions["T"].bound == stats.bound
    assert stats.sessions["T"].status == stats.status


def test_a_day_solved_alone_costs_that_day_alone() -> None:
    """Day 1's wishes cost something; re-solving day 2 alone costs day 2's, in the solver's
    figures and the checker's alike (the Summary's objective and total)."""
    people = [Participant(id=f"p{i}", name=f"p{i}") for i in (1, 2)]
    event = Event(
        participants=people,
        sessions=[
            Session(id="S", day="d1", kind=SessionKind.CHOICE),
            Session(id="T", day="d2", kind=SessionKind.CHOICE),
        ],
        options=[
            *(Option(session="S", id=o, max=m) for o, m in (("A", 1), ("B", 2))),
            *(Option(session="T", id=o, max=2) for o in ("A", "B")),
        ],
        preferences=[
            Preference(participant=p.id, session="S", option=o, rank=r)
            for p in people
            for r, o in ((1, "A"), (2, "B"))
        ],
        settings=Settings(weight_fairness=0),
    )
    published = solve_event(event).assignments
    allocation = solve_event(event, previous=published, day="d2")
    report = check_allocation(event, allocation, previous=published, sessions={"T"})
    assert (allocation.stats.objective, report.objective, report.preference_cost) == (0, 0, 0)
    assert report.rank_counts == {"1": 1, "2": 1, "no preference": 2}


def unchanged_re_solve_moves(event: Event) -> int:
    """Placements moved when an event is re-solved with its own allocation as published."""
    first = solve_event(event)
    again = solve_event(event, previous=first.assignments)
    return sum(first.option_of[key] != option for key, option in again.option_of.items())


def regional_workshops(people: int) -> Event:
    """`workshop_event` with a region each and diversity on it: a session with group criteria,
    which the flow alone does not solve."""
    event = workshop_event(people)
    event.participants = [
        p.model_copy(update={"region": "EU" if i % 3 else "AF"})
        for i, p in enumerate(event.participants)
    ]
    event.settings = Settings(diversity=("region",), no_isolation=(), spread=(), weight_fairness=0)
    return Event.model_validate(event.model_dump())


@pytest.mark.parametrize("newcomer", [False, True])
def test_a_re_solve_in_which_everyone_keeps_a_place_searches_nothing(
    monkeypatch: pytest.MonkeyPatch, newcomer: bool
) -> None:
    # Nobody new and nobody forced to move: the fewest moves (none, first) leave the
    # published allocation alone, costed and optimal without the free sizes' relaxations
    # and searches (4–7 s a session at 5,000 people × 12 options). A newcomer needs them.
    event = regional_workshops(30)
    first = solve_event(event)
    searched: list[str] = []
    free_sizes = sessions.free_sizes

    def recorded(*args: Any, **kwargs: Any) -> Any:
        searched.append("free sizes")
        return free_sizes(*args, **kwargs)

    monkeypatch.setattr(sessions, "free_sizes", recorded)
    again = regional_workshops(31 if newcomer else 30)
    allocation = solve_event(again, previous=first.assignments)
    assert searched == (["free sizes"] if newcomer else [])
    assert moves(first.assignments, allocation) == 0
    report = check_allocation(again, allocation)
    assert report.ok and report.objective == allocation.stats.objective
    if not newcomer:
        assert allocation.option_of == first.option_of
        assert allocation.stats.status == "optimal"
        assert allocation.stats.objective == first.stats.objective


def fair_regional_workshops(people: int) -> Event:
    """`regional_workshops` with fairness on: the fewest moves, then the worst-off person
    come first, a stage 1 the flow does not solve."""
    event = regional_workshops(people)
    event.settings = Settings(diversity=("region",), no_isolation=(), spread=())
    return event


def held_searches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each search of the fewest moves with people held in place
    (`fewest_moves_held`) found them, filled in as the solve runs."""
    found: list[bool] = []
    search = sessions.fewest_moves_held

    def tried(*args: Any, **kwargs: Any) -> Any:
        level = search(*args, **kwargs)
        found.append(level is not None)
        return level

    monkeypatch.setattr(sessions, "fewest_moves_held", tried)
    return found


@pytest.mark.parametrize(("cut", "moved"), [(False, 0), (True, 2)])
def test_a_re_solve_at_the_least_moves_leaves_the_others_out_of_its_models(
    monkeypatch: pytest.MonkeyPatch, cut: bool, moved: int
) -> None:
    # With room for everyone, the fewest moves are none, searched with the published people
    # held in their options, and the group stages' models hold one placement for each of
    # them: only the newcomer is placed. An option cut by two places moves two of its
    # people: everyone else is held, and only its people have a choice.
    event, again = fair_regional_workshops(30), fair_regional_workshops(31)
    first = solve_event(event)
    fullest, count = Counter(a.option for a in first.assignments).most_common(1)[0]
    if cut:
        again.options = [
            o.model_copy(update={"max": count - 2}) if o.id == fullest else o for o in again.options
        ]
    placements: list[Counter[str]] = []
    built = sessions.built

    def recorded(*args: Any, **kwargs: Any) -> Any:
        m = built(*args, **kwargs)
        placements.append(Counter(person for person, _, _ in m.x))
        return m

    monkeypatch.setattr(sessions, "built", recorded)
    held = held_searches(monkeypatch)
    allocation = solve_event(again, previous=first.assignments)
    assert held == [True]
    assert moves(first.assignments, allocation) == moved
    assert check_allocation(again, allocation, previous=first.assignments).ok
    choosing = {a.participant for a in first.assignments if cut and a.option == fullest}
    published = {a.participant for a in first.assignments}
    later_models = placements[1:]
    assert later_models
    for model in later_models:  # (some of the cut option's people may be above the level)
        with_a_choice = {p for p in published if model[p] > 1}
        assert with_a_choice <= choosing and bool(with_a_choice) == cut


@pytest.mark.parametrize(("vetoed", "moved", "held"), [("C", 2, False), ("B", 1, True)])
def test_a_move_that_makes_room_is_searched_without_holding_anyone(
    monkeypatch: pytest.MonkeyPatch, vetoed: str, moved: int, held: bool
) -> None:
    # p1 may no longer sit at A, and may not sit at C either: B is full, so someone of B
    # makes room for p1 (2 moves). The least moves, 1, held everyone of B in place and found
    # nothing: the moves are searched again with nobody held. When p1 may go to C, holding
    # B's people finds the one move.
    event, published = split_of(
        {"A": 2, "B": 2, "C": 2},
        {"A": "p1 p2", "B": "p3 p4", "C": "p5"},
        [
            Rule(kind=RuleKind.FORBID, participants=("p1",), option="A"),
            Rule(kind=RuleKind.FORBID, participants=("p1",), option=vetoed),
            Rule(kind=RuleKind.TOGETHER, participants=("p2", "p5"), strength=Strength.SOFT),
        ],  # a soft rule: stage 1 is CP-SAT's, not the flow's
    )
    found = held_searches(monkeypatch)
    count, allocation = re_solved(event, published)
    assert (found, count) == ([held], moved)
    assert allocation.stats.status == "optimal"


def test_re_solving_unchanged_balanced_tables_of_other_sizes_moves_nobody() -> None:
    """The rounds leave table A at 3 and B at 4 in round 3, balanced but not the sizes the
    re-solve would pick by itself (4 and 3): it keeps them."""
    people = [Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 8)]
    wishes = [("p1", 1), ("p3", None), ("p4", 1), ("p6", 1)]
    event = Event(
        participants=people,
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=[
            Option(session="S", id="A", max=10, hosts=("p2",)),
            Option(session="S", id="B", max=8),
        ],
        preferences=[Preference(participant=p, session="S", option="A", rank=r) for p, r in wishes],
        settings=Settings(
            rank_costs=(0, 2, 5),
            weight_preference=0,
            diversity=(),
            no_isolation=(),
            spread=(),
            weight_mixing=0,
            seed=85,
        ),
    )
    assert unchanged_re_solve_moves(event) == 0


def test_re_solving_published_unbalanced_tables_moves_nobody() -> None:
    """The rounds one by one leave round 4 at 4 and 6; published so, a re-solve keeps it
    rather than move people for balance (stability first)."""
    event = visits_trap()
    ctx = Context(event, Published(), Watch(), time.monotonic())
    published = round_by_round(ctx, event.sessions[0], History(), time.monotonic() + 10)
    sizes = Counter(a.option for a in published.assignments if a.round == 4)
    assert sorted(sizes.values()) == [4, 6]
    allocation = solve_event(event, previous=published.assignments)
    assert moves(published.assignments, allocation) == 0


def unmixed_split(**settings: Any) -> tuple[Event, list[Assignment]]:
    """Two split groups of four, published with every EU person in A and every AF one in B:
    far outside the ±1 band of the regions' fair share (2 of each in each group)."""
    people = [
        Participant(id=f"p{i}", name=f"p{i}", region="EU" if i <= 4 else "AF") for i in range(1, 9)
    ]
    event = Event(
        participants=people,
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S", id=o, max=4) for o in ("A", "B")],
        settings=Settings(diversity=("region",), no_isolation=(), spread=(), **settings),
    )
    published = [
        Assignment(participant=p.id, session="S", option="A" if p.region == "EU" else "B")
        for p in people
    ]
    return event, published


def test_a_re_solve_moves_nobody_for_the_fair_share_band() -> None:
    event, published = unmixed_split()
    allocation = solve_event(event, previous=published)
    assert moves(published, allocation) == 0


def test_without_stability_first_the_band_mixes_the_groups() -> None:
    event, published = unmixed_split(stability_first=False)
    allocation = solve_event(event, previous=published)
    assert moves(published, allocation) == 4


def forced_move_event(**settings: Any) -> tuple[Event, list[Assignment]]:
    """Four hosted tables, three rounds; g1 is published at T1, T2, T3 and may no longer sit
    at T1, and ranks T2 first; the other guests' published tables go round too."""
    hosts = [Participant(id=f"h{t}", name=f"h{t}") for t in range(1, 5)]
    guests = [Participant(id=f"g{g}", name=f"g{g}") for g in range(1, 5)]
    tables = [Option(session="R", id=f"T{t}", max=4, hosts=(f"h{t}",)) for t in range(1, 5)]
    schedule = {"g1": "123", "g2": "234", "g3": "341", "g4": "412"}  # tables by round
    event = Event(
        participants=hosts + guests,
        sessions=[Session(id="R", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=tables,
        preferences=[Preference(participant="g1", session="R", option="T2", rank=1)],
        rules=[Rule(kind=RuleKind.FORBID, participants=("g1",), option="T1")],
        settings=Settings(
            diversity=(),
            no_isolation=(),
            spread=(),
            weight_fairness=0,
            balance_splits=False,
            **settings,
        ),
    )
    return event, hosted_schedule(schedule, 3)


def test_a_forced_move_avoids_a_table_the_person_holds_in_a_later_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # g1 is published at T1, T2, T3 in rounds 1–3 and may no longer sit at T1. Round 1's
    # seat at T2 (their 1st choice) or T3 would force a second move in round 2 or 3; T4
    # keeps it to one. Without forecasting that, round 1 took T2. The rounds are solved one
    # by one, as a large roundtable's are (no model of every round at once).
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    event, published = forced_move_event()
    allocation = solve_event(event, previous=published)
    assert moves(published, allocation) == 1
    assert allocation.option_of[("g1", "R", 1)] == "T4"


def test_a_forced_move_avoids_a_later_round_s_move_when_moves_are_weighed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As above with moves weighed, not first: round 1's seat at T2 would cost a second move.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    event, published = forced_move_event(stability_first=False, weight_stability=7, unranked_cost=3)
    allocation = solve_event(event, previous=published)
    assert moves(published, allocation) == 1
    assert allocation.option_of[("g1", "R", 1)] == "T4"


@pytest.mark.parametrize("stability_first", [True, False])
def test_a_forced_move_is_counted_once_in_the_objective(
    monkeypatch: pytest.MonkeyPatch, stability_first: bool
) -> None:
    # As above, with moves weighed (7 each) instead of first: round 1's model counts the
    # move its seat at T2 forces in round 2, and round 2 counts that move again. The
    # allocation's cost counts it once, as the checker does.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    event, published = forced_move_event(stability_first=stability_first, weight_stability=7)
    allocation = solve_event(event, previous=published)
    report = check_allocation(event, allocation, published)
    assert report.ok
    assert allocation.stats.objective == report.objective


def test_an_option_typed_in_other_case_is_read_as_the_event_spells_it(tmp_path: Path) -> None:
    event_path, published, was = solved_workshop(tmp_path)
    target = next(o for o in ("W1", "W2", "W3", "W4") if o != was["p001"])
    row = edit_option(published, "p001", target.lower())
    same = edit_option(published, "p002", was["p002"].lower())  # retyped, not moved
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert row < same
    assert result.stderr.splitlines()[0] == (
        f'warning: Assignments row {row}, column option: "{target.lower()}" is read as '
        f'"{target}", as in Options (and 1 more in this column)'
    )
    after = {a.participant: (a.option, a.pinned) for a in read_assignments(again)[0]}
    assert after["p001"] == (target, True)
    assert after["p002"] == (was["p002"], False)
    assert "1 moved" in result.stdout
    assert "  1 × moved by hand in the published allocation" in result.stdout.splitlines()


@pytest.mark.parametrize("option", ["other", "same"])
def test_a_copied_row_that_disagrees_stops_the_re_solve(tmp_path: Path, option: str) -> None:
    event_path, published, was = solved_workshop(tmp_path)
    other = next(o for o in ("W1", "W2", "W3", "W4") if o != was["p001"])
    book = openpyxl.load_workbook(published)
    sheet = book["Assignments"]
    copied = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "p001")
    header = [cell.value for cell in sheet[1]]
    column = header.index("option")
    sheet.append(
        [*copied[:column], other if option == "other" else copied[column], *copied[column + 1 :]]
    )
    book.save(published)
    last = sheet.max_row
    first = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "p001")
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, args)
    if option == "same":
        assert result.exit_code == 0
        assert result.stderr == ""
        return
    assert result.exit_code == 2
    assert result.stderr == (
        f"Assignments row {last}, column option: p001 is in {other} here and in {was['p001']} "
        f"in row {first}, both in S; keep one of the rows\npublished.xlsx: 1 problem, nothing "
        "written\n"
    )
    assert not again.exists()


@pytest.mark.parametrize("attended", [("d1", "d2"), ("d2",)])
def test_a_cancellation_during_the_event_warns_that_earlier_days_lose_them(
    tmp_path: Path, attended: tuple[str, ...]
) -> None:
    event = two_day_event()
    event = event.model_copy(
        update={
            "participants": [
                p.model_copy(update={"days": attended}) if p.id == "p001" else p
                for p in event.participants
            ]
        }
    )
    event_path, published = tmp_path / "event.xlsx", tmp_path / "published.xlsx"
    write_event(event, event_path)
    assert runner.invoke(app, ["solve", str(event_path), "-o", str(published)]).exit_code == 0
    gone = [p for p in event.participants if p.id != "p001"]
    write_event(event.model_copy(update={"participants": gone, "preferences": []}), event_path)
    again = tmp_path / "again.xlsx"
    args = ["solve", str(event_path), "-o", str(again), "--previous", str(published), "-q"]
    result = runner.invoke(app, [*args, "--day", "d2"])
    assert result.exit_code == 0, result.output
    warning = (
        "warning: 1 person no longer in Participants had places on days before d2; they are "
        "removed from those days too (to keep the days someone attended, keep their row and "
        "list those days under days)\n"
    )
    assert result.stderr == (warning if "d1" in attended else "")


def hosted_tables_event(guests: int) -> Event:
    """Four tables of at most four, each with its host, over two rounds; `guests` guests."""
    hosts = [Participant(id=f"h{t}", name=f"h{t}") for t in range(1, 5)]
    people = [Participant(id=f"g{g}", name=f"g{g}") for g in range(1, guests + 1)]
    return Event(
        participants=hosts + people,
        sessions=[Session(id="R", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[Option(session="R", id=f"T{t}", max=4, hosts=(f"h{t}",)) for t in range(1, 5)],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )


def table_sizes(assignments: list[Assignment], round_: int) -> list[int]:
    """How many people each of T1–T4 holds in a round."""
    held = Counter(a.option for a in assignments if a.round == round_)
    return [held[f"T{t}"] for t in range(1, 5)]


def test_a_newcomer_at_a_roundtable_takes_a_larger_table_that_differs_by_round() -> None:
    # Published at 3, 3, 2, 2 in both rounds; g7 makes it 3, 3, 3, 2. At the same sizes in
    # both rounds, g7 takes T3's new seat in one round and may not sit there again, so
    # someone published at T3 had to move in the other round to fill it.
    published = published_tables()
    assert [table_sizes(published, r) for r in (1, 2)] == [[3, 3, 2, 2], [3, 3, 2, 2]]
    event = hosted_tables_event(7)
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves(published, allocation) == 0
    g7 = [allocation.option_of[("g7", "R", r)] for r in (1, 2)]
    assert g7 in (["T3", "T4"], ["T4", "T3"])
    assert sorted(table_sizes(allocation.assignments, 1)) == [2, 3, 3, 3]
    assert sorted(table_sizes(allocation.assignments, 2)) == [2, 3, 3, 3]


def test_a_first_solve_gives_the_larger_tables_the_same_seats_every_round() -> None:
    allocation = solve_event(hosted_tables_event(7))
    assert check_allocation(hosted_tables_event(7), allocation).ok
    sizes = [table_sizes(allocation.assignments, r) for r in (1, 2)]
    assert sizes == [[3, 3, 3, 2], [3, 3, 3, 2]]


def test_a_late_registration_is_placed_only_in_sessions_still_to_come() -> None:
    two_days = workshop_event(8).model_copy(deep=True)
    second = Session(id="S2", day="2023-02-02", kind=SessionKind.CHOICE, end="15:30")
    two_days.sessions = [
        Session(id="S", day="2023-02-01", kind=SessionKind.CHOICE, end="15:30"),
        second,
    ]
    two_days.options = two_days.options + [
        Option(session="S2", id=o.id, max=o.max) for o in two_days.options
    ]
    event = Event(**{k: getattr(two_days, k) for k in Event.model_fields})
    published = solve_event(event).assignments
    late = Participant(id="late", name="Late", registered=datetime(2023, 2, 1, 20, 0))
    later = event.model_copy(update={"participants": [*event.participants, late]})
    later = Event(**{k: getattr(later, k) for k in Event.model_fields})
    allocation = solve_event(later, previous=published)
    assert check_allocation(later, allocation, previous=published).ok
    assert {a.session for a in allocation.assignments if a.participant == "late"} == {"S2"}
    assert moves(published, allocation) == 0


def hosted_schedule(schedule: dict[str, str], rounds: int) -> list[Assignment]:
    """Guests at tables T1–T4 of R by round ("12": T1 then T2), each host h1–h4 at their own."""
    return [
        Assignment(participant=g, session="R", option=f"T{t}", round=r)
        for g, seats in schedule.items()
        for r, t in enumerate(seats, start=1)
    ] + [
        Assignment(participant=f"h{t}", session="R", option=f"T{t}", round=r)
        for t in range(1, 5)
        for r in range(1, rounds + 1)
    ]


def published_tables() -> list[Assignment]:
    """hosted_tables_event(6) published at 3, 3, 2, 2 in both rounds."""
    schedule = {"g1": "12", "g2": "13", "g3": "21", "g4": "24", "g5": "31", "g6": "42"}
    return hosted_schedule(schedule, 2)


@pytest.mark.parametrize(
    ("forbidden", "first", "placements", "moved"),
    [(None, True, 28, 0), ("T1", True, 30, 1), (None, False, 0, 1)],
)
def test_a_roundtable_re_solve_at_the_least_moves_models_every_round_for_the_others(
    monkeypatch: pytest.MonkeyPatch,
    forbidden: str | None,
    first: bool,
    placements: int,
    moved: int,
) -> None:
    # Too large for the model of every round at once (its 10 people × 4 × 4 tables make
    # 160 literals for pairs meeting again, above the 100 allowed here). A newcomer moves
    # nobody: every published person holds their one table a round (10 literals, g7's 16),
    # and that model (9 people × 2 rounds held, g7 at T1–T4 each round) proves the session.
    # A rule moving g1 out of T1 in round 1 moves them alone: g1 may take T2–T4 there. With
    # the moves weighed and not first (a move is worth its cost), nobody is held, and the
    # model stays too large.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 100)
    event = hosted_tables_event(7)
    event.settings = event.settings.model_copy(update={"stability_first": first})
    if forbidden is not None:
        event.rules = [Rule(kind=RuleKind.FORBID, participants=("g1",), option=forbidden)]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    published = published_tables()
    built: list[int] = []
    every_round = rounds_module.every_round

    def recorded(ctx: Any, m: Any, *args: Any) -> Any:
        built.append(len(m.x))
        return every_round(ctx, m, *args)

    monkeypatch.setattr(rounds_module, "every_round", recorded)
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves(published, allocation) == moved
    assert built == ([placements] if placements else [])
    assert (allocation.stats.status == "optimal") == bool(placements)


@pytest.mark.parametrize(("forbidden", "moved"), [("T1", 1), ("T4", 0)])
def test_someone_a_rule_moves_out_is_not_replaced_by_someone_else(
    forbidden: str, moved: int
) -> None:
    # g1 sat at T1 in round 1; a rule now keeps them out of it. Counted among the people T1
    # keeps, they made T1 hold 3 and someone else was moved in to fill their seat: 2 moves.
    event = hosted_tables_event(6)
    event.rules = [Rule(kind=RuleKind.FORBID, participants=("g1",), option=forbidden)]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    published = published_tables()
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves(published, allocation) == moved


AT_T1_TWICE = "they were at T1 in 2 rounds"


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        (
            "g1 hosts T1",
            [
                ("g1", 2, "moved because g1 hosts T1"),
                ("h1", 2, "moved because a guest sits at a host's table once; " + AT_T1_TWICE),
            ],
        ),
        ("g1 may not sit at T1", [("g1", 1, "moved because a rule forbids g1 in T1")]),
    ],
)
def test_a_host_who_becomes_a_guest_moves_because_a_guest_visits_a_table_once(
    change: str, reasons: list[tuple[str, int, str]]
) -> None:
    # h1 sat at their own T1 in both rounds; now g1 hosts it and h1 is a guest, who may sit
    # there once (T1 was not full: no room was made). g1, forbidden T1 instead, had sat at
    # it once: the rule is the reason.
    event = hosted_tables_event(6)
    if change == "g1 hosts T1":
        event.options = [
            o.model_copy(update={"hosts": ("g1",)}) if o.id == "T1" else o for o in event.options
        ]
    else:
        event.rules = [Rule(kind=RuleKind.FORBID, participants=("g1",), option="T1")]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    published = published_tables()
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    changes = list_changes(event, published, allocation)
    assert [(c.participant, c.round, c.reason) for c in changes] == reasons


@pytest.mark.parametrize(("wish", "seats"), [("T4", ["T4", "T1"]), (None, ["T1", "T2"])])
def test_a_newcomer_s_seat_goes_to_a_table_they_wish_for(
    wish: str | None, seats: list[str]
) -> None:
    # Published at 2 a table in both rounds; g5 makes one table 3 in each round. Any table
    # has room, so the seat one above the others goes to the table g5 ranked, else to the
    # first they have not sat at: without their wish counted, g5 never sat at T4.
    schedule = {"g1": "14", "g2": "21", "g3": "32", "g4": "43"}
    published = hosted_schedule(schedule, 2)
    event = hosted_tables_event(5)
    if wish is not None:
        event.preferences = [Preference(participant="g5", session="R", option=wish, rank=1)]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    allocation = solve_event(event, previous=published)
    assert moves(published, allocation) == 0
    assert [allocation.option_of[("g5", "R", r)] for r in (1, 2)] == seats


def step_free_split(published_in_a: int, published_in_b: int, newcomers: int) -> Event:
    """A split session of A (step-free, first) and B, at most 5 each; newcomers need step-free."""
    people = [Participant(id=f"p{i}", name=f"p{i}") for i in range(published_in_a + published_in_b)]
    late = [Participant(id=f"n{i}", name=f"n{i}", needs=("step-free",)) for i in range(newcomers)]
    return Event(
        participants=people + late,
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[
            Option(session="S", id="A", max=5, features=("step-free",)),
            Option(session="S", id="B", max=5),
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )


@pytest.mark.parametrize(
    ("in_a", "in_b", "newcomers", "moved"),
    [
        (4, 2, 2, 1),  # binds: A can hold 5, so one moves out, not two for a 4 / 4 balance
        (4, 3, 1, 0),  # A holds 5 rather than move one (A grows by the newcomer only)
        (2, 2, 1, 0),  # binds nothing: A takes the newcomer within balance
    ],
)
def test_a_re_solve_moves_no_one_for_balance_when_newcomers_can_take_one_option(
    in_a: int, in_b: int, newcomers: int, moved: int
) -> None:
    event = step_free_split(in_a, in_b, newcomers)
    published = [
        Assignment(participant=f"p{i}", session="S", option="A" if i < in_a else "B")
        for i in range(in_a + in_b)
    ]
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves(published, allocation) == moved


@pytest.mark.parametrize(("strength", "moved"), [(Strength.HARD, 2), (Strength.SOFT, 0)])
def test_people_who_must_be_together_leave_a_group_without_moving_a_third(
    strength: Strength, moved: int
) -> None:
    # p1 and p2 must be together; a new rule keeps p1 out of A, where both were published.
    # Balance gave B and C one seat more each, and the pair needs two at one of them: a
    # third person moved to make room.
    people = [Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 11)]
    event = Event(
        participants=people,
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S", id=o, max=5) for o in ("A", "B", "C")],
        rules=[
            Rule(kind=RuleKind.TOGETHER, participants=("p1", "p2")),
            Rule(kind=RuleKind.FORBID, participants=("p1",), option="A", strength=strength),
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    groups = {"A": (1, 2, 3, 4), "B": (5, 6, 7), "C": (8, 9, 10)}
    published = [
        Assignment(participant=f"p{i}", session="S", option=option)
        for option, members in groups.items()
        for i in members
    ]
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves(published, allocation) == moved


def re_solved(event: Event, published: list[Assignment]) -> tuple[int, Allocation]:
    """How many published people the re-solve moves, and its allocation (checked)."""
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    return moves(published, allocation), allocation


def seated(seats: dict[int, dict[str, str]]) -> list[Assignment]:
    """A published roundtable S: by round, each table's people ("h p1 p2")."""
    return [
        Assignment(participant=person, session="S", option=option, round=round_)
        for round_, groups in seats.items()
        for option, members in groups.items()
        for person in members.split()
    ]


def four_and_four(*rules: Rule) -> tuple[Event, list[Assignment]]:
    """A split session of A and B (5 places each) published with p1–p4 at A and p5–p8 at B,
    and rules the published allocation breaks."""
    event = Event(
        participants=[Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 9)],
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S", id=o, max=5) for o in ("A", "B")],
        rules=list(rules),
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    published = [
        Assignment(participant=f"p{i}", session="S", option="A" if i <= 4 else "B")
        for i in range(1, 9)
    ]
    return event, published


@pytest.mark.parametrize(
    ("kind", "people", "strength", "moved"),
    [
        (RuleKind.TOGETHER, ("p1", "p5"), Strength.HARD, 1),  # binds: one joins the other
        (RuleKind.TOGETHER, ("p1", "p5"), Strength.SOFT, 0),
        (RuleKind.APART, ("p1", "p2"), Strength.HARD, 1),  # binds: one leaves A
        (RuleKind.APART, ("p1", "p2"), Strength.SOFT, 0),
    ],
)
def test_a_new_rule_between_published_people_moves_one_not_a_third_for_balance(
    kind: RuleKind, people: tuple[str, ...], strength: Strength, moved: int
) -> None:
    # A rule the published groups break moves one of its people; the groups then differ by
    # two, and balance moved a third person, whom no rule concerns, the other way.
    event, published = four_and_four(Rule(kind=kind, participants=people, strength=strength))
    assert re_solved(event, published)[0] == moved


@pytest.mark.parametrize(
    ("kind", "people", "reason"),
    [
        (RuleKind.TOGETHER, ("p1", "p5"), "moved to join the people a together rule binds them to"),
        (
            RuleKind.APART,
            ("p1", "p2"),
            "moved because a rule keeps them apart from someone else in A",
        ),
    ],
)
def test_a_move_a_rule_between_people_forces_names_the_rule_and_nobody_else(
    kind: RuleKind, people: tuple[str, ...], reason: str
) -> None:
    event, published = four_and_four(Rule(kind=kind, participants=people, row=5))
    changes = list_changes(event, published, solve_event(event, previous=published))
    assert [c.reason for c in changes] == [f"{reason} (Rules row 5)"]


def test_an_apart_rule_whose_first_named_must_leave_anyway_moves_nobody_else() -> None:
    # p1 and p2 must be apart, both at A, and a rule now keeps p1 out of A: p1's move is
    # enough, and p2, whom the apart rule alone would have sent away, stays.
    event, published = four_and_four(
        Rule(kind=RuleKind.APART, participants=("p1", "p2")),
        Rule(kind=RuleKind.FORBID, participants=("p1",), option="A"),
    )
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p1", "S", 1)] == "B"


def split_of(
    options: dict[str, int], groups: dict[str, str], rules: list[Rule]
) -> tuple[Event, list[Assignment]]:
    """A split session S of these options (id: max), published with these groups (option:
    "p1 p2"), and rules."""
    published = [
        Assignment(participant=person, session="S", option=option)
        for option, members in groups.items()
        for person in members.split()
    ]
    event = Event(
        participants=[Participant(id=a.participant, name=a.participant) for a in published],
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S", id=o, max=m) for o, m in options.items()],
        rules=rules,
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    return event, published


@pytest.mark.parametrize(("vetoed", "sizes"), [(True, [2, 4, 1]), (False, [2, 3, 2])])
def test_a_capacity_cut_gives_the_spare_seat_where_those_it_moves_may_go(
    vetoed: bool, sizes: list[int]
) -> None:
    # A is cut from 3 places to 2: one of its people must leave. Balance would give the
    # spare seat to C (2, 3, 2), but A's people veto C: one goes to B and someone of B moved
    # to C for balance alone, 2 moves where 1 does (binds: 2, 4, 1). Without the vetoes the
    # one leaving takes C.
    event, published = split_of(
        {"A": 2, "B": 4, "C": 4}, {"A": "p4 p6 p7", "B": "p1 p3 p5", "C": "p2"}, []
    )
    vetoes = [
        {"participant": p, "session": "S", "option": "C", "rank": None}
        for p in ("p4", "p6", "p7")
        if vetoed
    ]
    event = Event.model_validate({**event.model_dump(), "preferences": vetoes})
    count, allocation = re_solved(event, published)
    assert count == 1
    held = Counter(a.option for a in allocation.assignments)
    assert [held[o] for o in ("A", "B", "C")] == sizes


@pytest.mark.parametrize(
    ("options", "groups", "rules", "moved"),
    [
        (  # A holds most of them but has no room for p3: p1 and p2 join p3 at B
            {"A": 2, "B": 5},
            {"A": "p1 p2", "B": "p3 p4 p5"},
            [Rule(kind=RuleKind.TOGETHER, participants=("p1", "p2", "p3"))],
            2,
        ),
        (  # A comes first but is full: p2 joins p3 at B
            {"A": 2, "B": 3},
            {"A": "p1 p2", "B": "p3 p4"},
            [Rule(kind=RuleKind.TOGETHER, participants=("p2", "p3"))],
            1,
        ),
        (  # p2 could go only to full B or to C with p5: p1 leaves for C instead
            {"A": 2, "B": 2, "C": 3},
            {"A": "p1 p2", "B": "p3 p4", "C": "p5"},
            [
                Rule(kind=RuleKind.APART, participants=("p1", "p2")),
                Rule(kind=RuleKind.APART, participants=("p2", "p5")),
            ],
            1,
        ),
    ],
)
def test_a_rule_s_people_move_where_there_is_room_for_them(
    options: dict[str, int], groups: dict[str, str], rules: list[Rule], moved: int
) -> None:
    # The rule's mover was picked by headcount, workbook or name order alone, into an option
    # without room: someone else had to move out to make it (4, 2 and 2 moves).
    event, published = split_of(options, groups, rules)
    assert re_solved(event, published)[0] == moved


def test_a_seat_held_later_at_a_table_without_host_does_not_close_it() -> None:
    # p4 must sit at A (no host) and holds A in round 2 too: counted as unable to take A in
    # round 1, p4's seat went nowhere and balance moved p1 twice (3 moves for 1).
    published = seated(
        {
            1: {"A": "p1 p2 p3", "B": "h p4 p5"},
            2: {"A": "p4 p5", "B": "h p1 p2 p3"},
        }
    )
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h", "p1", "p2", "p3", "p4", "p5")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=5),
            Option(session="S", id="B", max=4, hosts=("h",)),
        ],
        rules=[Rule(kind=RuleKind.ASSIGN, participants=("p4",), option="A")],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    assert re_solved(event, published)[0] == 1


@pytest.mark.parametrize(("rounds", "moved"), [(2, 1), (3, 0)])
def test_a_second_visit_to_a_host_s_table_moves_that_guest_alone(rounds: int, moved: int) -> None:
    # Published over 3 rounds at A (no host) and B (h's): with 2 rounds now, p2 sits at B
    # twice, which the rule of one visit to each host's table forbids. p2 and p3 swapped in
    # round 2 (2 moves) where p2's move alone was enough; with 3 rounds nothing moves.
    seats = {1: {"A": "p3 p5", "B": "h p2 p4"}, 2: {"A": "p3 p4", "B": "h p2 p5"}}
    seats[3] = {"A": "p2 p3", "B": "h p4 p5"}
    published = seated(seats)
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h", "p2", "p3", "p4", "p5")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=rounds)],
        options=[
            Option(session="S", id="A", max=4),
            Option(session="S", id="B", max=5, hosts=("h",)),
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    allocation = solve_event(event, previous=published)
    assert check_allocation(event, allocation, previous=published).ok
    assert moves([a for a in published if a.round <= rounds], allocation) == moved


def test_together_rules_sharing_a_person_gather_as_one_group() -> None:
    # together(p1, p2) and together(p2, p3): one group, which gathers at A by p3's move.
    # Taken rule by rule, (p2, p3) went to B, first in the workbook, and p1 followed p2.
    event, published = split_of(
        {"B": 4, "A": 4},
        {"B": "p3 p5 p6", "A": "p1 p2 p4"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("p1", "p2")),
            Rule(kind=RuleKind.TOGETHER, participants=("p2", "p3")),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p3", "S", 1)] == "A"


def test_a_group_with_a_newcomer_takes_its_seats_before_another_looks_for_room() -> None:
    # n10 is new and must sit with p6 at A, which then is full; p3 and p8 must be together:
    # p8 joins p3 at B. Choosing A for them first (a tie) left A one seat short: 2 moves.
    event, published = split_of(
        {"A": 5, "B": 6},
        {"A": "p6 p7 p8 p9", "B": "p1 p2 p3 p4 p5"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("n10", "p6")),
            Rule(kind=RuleKind.TOGETHER, participants=("p3", "p8")),
        ],
    )
    event.participants.append(Participant(id="n10", name="n10"))
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("n10", "S", 1)] == "A"


def test_a_group_gathering_where_it_has_no_room_moves_one_other_person_out() -> None:
    # p1, p2 and p3 must be together and no option has room for all three: they gather at
    # B (2 moves) and p7 makes room (1): 3. With no seat counted for them, balance moved 4.
    event, published = split_of(
        {"A": 3, "B": 3, "C": 3},
        {"A": "p1 p5 p6", "B": "p2 p7", "C": "p3 p8"},
        [Rule(kind=RuleKind.TOGETHER, participants=("p1", "p2", "p3"))],
    )
    assert re_solved(event, published)[0] == 3


def test_a_group_does_not_gather_where_a_newcomer_must_go() -> None:
    # n6 is new and said no to B, so A is n6's; p1 and p4 must be together: p1 joins p4 at
    # B. Gathering at A (a tie, first in the workbook) left A a seat short: 2 moves.
    event, published = split_of(
        {"A": 3, "B": 4},
        {"A": "p1 p2", "B": "p3 p4 p5"},
        [Rule(kind=RuleKind.TOGETHER, participants=("p4", "p1"))],
    )
    event.participants.append(Participant(id="n6", name="n6"))
    event.preferences = [Preference(participant="n6", session="S", option="B", rank=None)]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p1", "S", 1)] == "B"


@pytest.mark.parametrize(
    ("least", "reason"),
    [
        (2, "moved because too few were left in A for its minimum of 2"),
        (0, None),  # binds nothing: p1 stays
    ],
)
def test_a_move_because_an_option_fell_below_its_minimum_says_so(
    least: int, reason: str | None
) -> None:
    # p2 cancels: A (at least 2 when it runs) keeps p1 alone, so it does not run.
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("p1", "p3", "p4")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.CHOICE)],
        options=[Option(session="S", id="A", max=3, min=least), Option(session="S", id="B", max=3)],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    published = [
        Assignment(participant=p, session="S", option=o)
        for p, o in (("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B"))
    ]
    changes = list_changes(event, published, solve_event(event, previous=published))
    moved = [c.reason for c in changes if c.participant == "p1"]
    assert moved == ([reason] if reason else [])


def test_a_roundtable_solved_whole_in_a_re_solve_keeps_people_before_balance() -> None:
    # Tables A, B (3 places) and C (2), hosts h0–h2; g0 and g1 visit each over 3 rounds. A
    # newcomer's round 2 seat left round 3 only full C, so every round was solved at once,
    # at balanced sizes: g1 moved twice. Any sizes keep everyone where they are.
    seats = {
        1: {"A": "h0", "B": "h1 g0", "C": "h2 g1"},
        2: {"A": "h0 g0 g1", "B": "h1", "C": "h2"},
        3: {"A": "h0", "B": "h1 g1", "C": "h2 g0"},
    }
    published = seated(seats)
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h0", "h1", "h2", "g0", "g1", "n")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=[
            Option(session="S", id=o, max=m, hosts=(h,))
            for o, m, h in (("A", 3, "h0"), ("B", 3, "h1"), ("C", 2, "h2"))
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    assert re_solved(event, published)[0] == 0


def test_a_roundtable_re_solve_may_move_its_larger_table_from_round_to_round() -> None:
    # Tables A (p1 hosts, 6 places) and B (p7, 5) over 3 rounds; p4 and p8 must now be
    # together (apart in rounds 1 and 3), and n10 is new. The model of every round held each
    # table at the rounds' own sizes, which their schedule had set with a third person
    # moved: 3 moves where 2 were enough. Each table now keeps within the round's sizes.
    published = seated(
        {
            1: {"A": "p1 p4 p5 p6 p9", "B": "p7 p2 p3 p8"},
            2: {"A": "p1 p3 p4 p8 p9", "B": "p7 p2 p5 p6"},
            3: {"A": "p1 p2 p5 p6 p8", "B": "p7 p3 p4 p9"},
        }
    )
    event = Event(
        participants=[Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 10)]
        + [Participant(id="n10", name="n10")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=[
            Option(session="S", id="A", max=6, hosts=("p1",)),
            Option(session="S", id="B", max=5, hosts=("p7",)),
        ],
        rules=[Rule(kind=RuleKind.TOGETHER, participants=("p8", "p4"))],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    assert re_solved(event, published)[0] == 2


@pytest.mark.parametrize("strength", [Strength.HARD, Strength.SOFT])
def test_a_move_that_makes_room_for_someone_with_no_other_option_says_so(
    strength: Strength,
) -> None:
    # A holds 2 (p1, p2); a rule now puts p3 there. Hard, p3 can take no other option, and
    # whoever leaves A does so to make room for them; soft, nobody moves (a move costs more).
    event, published = split_of(
        {"A": 2, "B": 4},
        {"A": "p1 p2", "B": "p3 p4"},
        [Rule(kind=RuleKind.ASSIGN, participants=("p3",), option="A", strength=strength)],
    )
    changes = list_changes(event, published, solve_event(event, previous=published))
    reasons = sorted(c.reason for c in changes if c.participant != "p3")
    assert reasons == (
        ["moved to make room in A for someone who can take no other option"]
        if strength is Strength.HARD
        else []
    )


def test_a_roundtable_re_solve_leaves_balanced_sizes_rather_than_move_a_second_guest() -> None:
    # p4's seat at B in round 2 is pinned (a hand edit): B then holds 3, one more than it
    # may, and p5 leaves it for A (p5 sat at C in round 1). A holds 3 and C 1: the model of
    # every round held the balanced 2, 2, 2 of the rounds one by one, and moved p6 to C.
    published = seated(
        {1: {"A": "p3 p4", "B": "p2 p6", "C": "p1 p5"}, 2: {"A": "p3 p6", "B": "p2 p5", "C": "p1"}}
    )
    published.append(Assignment(participant="p4", session="S", option="B", round=2, pinned=True))
    event = Event(
        participants=[Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 7)],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id=o, max=m, hosts=(h,))
            for o, m, h in (("A", 3, "p3"), ("B", 2, "p2"), ("C", 2, "p1"))
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p5", "S", 2)] == "A"


def test_a_newcomer_s_second_visit_waits_for_the_round_that_has_no_other_seat() -> None:
    # n6 said no to B, may sit twice at p1's table A (two tables for three rounds), and C is
    # full in rounds 1 and 3: n6 sits at A then, at C in round 2. Round 2, solved alone,
    # took A, and in round 3 p4 left C for B to make room (B's one seat kept it balanced).
    published = seated(
        {
            1: {"A": "p1", "C": "p3 p4"},
            2: {"A": "p1", "B": "p3", "C": "p4"},
            3: {"A": "p1", "C": "p3 p4"},
        }
    )
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("p1", "p3", "p4", "n6")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=[
            Option(session="S", id="A", max=2, hosts=("p1",)),
            Option(session="S", id="B", max=1),
            Option(session="S", id="C", max=2),
        ],
        preferences=[Preference(participant="n6", session="S", option="B", rank=None)],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 0
    assert [allocation.option_of[("n6", "S", r)] for r in (1, 2, 3)] == ["A", "C", "A"]


def test_a_roundtable_re_solve_moves_nobody_to_a_top_table_to_keep_balance() -> None:
    # A rule now keeps p1 out of C, and n8 is new. p1 took p4's table D in round 1, then
    # only B was left in round 2, and p6 moved from B to D (their first choice) to balance
    # it: 3 moves. The model of every round moves p1 alone (2 moves); its schedule was
    # refused because p6 lost the top table that the extra move had given them.
    published = seated(
        {
            1: {"A": "p2 p6", "B": "p3 p5", "C": "p1", "D": "p4"},
            2: {"A": "p2 p5", "B": "p3 p6", "C": "p1", "D": "p4"},
        }
    )
    event = Event(
        participants=[
            Participant(id=p, name=p) for p in ("p1", "p2", "p3", "p4", "p5", "p6", "n8")
        ],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=2),
            Option(session="S", id="B", max=3),
            Option(session="S", id="C", max=1),
            Option(session="S", id="D", max=2, hosts=("p4",)),
        ],
        preferences=[Preference(participant="p6", session="S", option="D", rank=1)],
        rules=[Rule(kind=RuleKind.FORBID, participants=("p1",), option="C")],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 2
    assert allocation.option_of[("p6", "S", 2)] == "B"
    assert allocation.option_of[("p1", "S", 2)] == "B"


def test_a_together_group_does_not_gather_where_someone_must_be_apart_from_it() -> None:
    # p2 and p3 must now be together, p3 and p1 apart. A and B tie (one move each), and
    # the group gathered at A, first in the workbook, where p1 then had to leave: 2 moves.
    event, published = split_of(
        {"A": 3, "B": 2},
        {"A": "p1 p2", "B": "p3"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("p2", "p3")),
            Rule(kind=RuleKind.APART, participants=("p3", "p1")),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p2", "S", 1)] == "B"


def test_a_forced_move_avoids_a_table_someone_would_then_visit_too_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rule now puts p6 at A in every round; A is full in round 1 and someone leaves it for
    # p5's table B, where a guest may sit twice in three rounds. p2, published at B in
    # rounds 2 and 3, then had to leave it in round 3 too (5 moves in all); p7 or p8 can
    # take it. Rounds solved one by one, as a large roundtable's are.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    published = seated(
        {
            1: {"A": "p2 p7 p8", "B": "p5 p6"},
            2: {"A": "p8", "B": "p2 p5 p6 p7"},
            3: {"A": "p6 p7 p8", "B": "p2 p5"},
        }
    )
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("p2", "p5", "p6", "p7", "p8")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=3)],
        options=[
            Option(session="S", id="A", max=3),
            Option(session="S", id="B", max=3, hosts=("p5",)),
        ],
        rules=[Rule(kind=RuleKind.ASSIGN, participants=("p6",), option="A")],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 3
    assert allocation.option_of[("p2", "S", 1)] == "A"


def test_a_together_group_does_not_gather_at_a_table_its_host_fills() -> None:
    # p3 and p5 must now be together. p6 hosts A (2 places), where p5 sits: with the host's
    # seat counted as one someone could leave, A looked like the group's home (p3 moving
    # alone), C's sizes were balanced for it, and the search moved 4 where 3 do: both to
    # C, and one of C's people makes room.
    published = seated({1: {"A": "p5 p6", "B": "p3", "C": "p2 p7"}})
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("p2", "p3", "p5", "p6", "p7")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE)],
        options=[
            Option(session="S", id="A", max=2, hosts=("p6",)),
            Option(session="S", id="B", max=1),
            Option(session="S", id="C", max=3),
        ],
        rules=[Rule(kind=RuleKind.TOGETHER, participants=("p5", "p3"))],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 3
    assert [allocation.option_of[(p, "S", 1)] for p in ("p3", "p5")] == ["C", "C"]


def test_an_apart_rule_s_mover_makes_room_for_a_partner_who_has_one_option_left() -> None:
    # A rule now puts p5 at A, where p8 sits, and p5 and p8 must be apart: p8 leaves A for
    # D, which has room (2 moves). Counted at A only once seated there, p5 sent nobody
    # away, and A's second seat went to p8 as if they could take it: D kept one person,
    # p8 went to B and B's p6 to A (3).
    event, published = split_of(
        {"A": 2, "B": 1, "C": 1, "D": 2},
        {"A": "p8", "B": "p5 p6", "C": "p4", "D": "p2"},
        [
            Rule(kind=RuleKind.APART, participants=("p5", "p8")),
            Rule(kind=RuleKind.ASSIGN, participants=("p5",), option="A"),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 2
    assert [allocation.option_of[(p, "S", 1)] for p in ("p5", "p6", "p8")] == ["A", "B", "D"]


def test_a_together_group_gathers_where_the_rounds_together_move_fewest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # p3 and p6 must now be together. In round 1, p3 can join p6 at h2's table C (one move),
    # but p3 sits at C in round 2 and may visit it once: round 1's model counted that seat
    # as forcing a second move, and gathered the pair at full B instead (p6 in, p2 out). p3
    # still left C in round 2 to join p6 at A, the move round 1 had counted: 3 moves where
    # 2 do. Rounds solved one by one, as a large roundtable's are; the fewest moves of every
    # round at once (a model without pairs meeting again) find the 2.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    published = seated(
        {1: {"B": "h1 p2 p3", "C": "h2 p6"}, 2: {"A": "p6", "B": "h1", "C": "h2 p2 p3"}}
    )
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h1", "h2", "p2", "p3", "p6")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=2),
            Option(session="S", id="B", max=3, hosts=("h1",)),
            Option(session="S", id="C", max=4, hosts=("h2",)),
        ],
        rules=[Rule(kind=RuleKind.TOGETHER, participants=("p6", "p3"))],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 2
    assert [allocation.option_of[("p3", "S", r)] for r in (1, 2)] == ["C", "A"]


def test_a_seat_pinned_in_a_later_round_keeps_earlier_rounds_from_that_host_s_table() -> None:
    # g is published at h's table A in both rounds, and round 2's seat is pinned (a hand
    # edit); two tables for two rounds, so g may sit at A once. Round 1 kept g at A (their
    # first wish; leaving it or leaving round 2's seat is one move either way), and round 2
    # then had no allocation: the pin counts as a visit round 1 must leave room for.
    published = [Assignment(participant="h", session="S", option="A", round=r) for r in (1, 2)]
    published += [
        Assignment(participant="g", session="S", option="A", round=1),
        Assignment(participant="g", session="S", option="A", round=2, pinned=True),
    ]
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h", "g")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=2, hosts=("h",)),
            Option(session="S", id="B", max=2),
        ],
        preferences=[Preference(participant="g", session="S", option="A", rank=1)],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    ctx = Context(event, read_published(event, published), Watch(), time.monotonic())
    part = round_by_round(ctx, event.sessions[0], History(), time.monotonic() + 10)
    assert part.status == "feasible"
    assert {(a.participant, a.round): a.option for a in part.assignments}[("g", 1)] == "B"


def test_a_schedule_of_every_round_is_kept_when_the_rounds_again_find_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # D closes: p2, p3 and p4 leave it in round 1, p3 in round 2 (4 moves). Round 1 sat p3
    # at p1's table B, and in round 2, with A and C full, p3 had nowhere but B again: p5
    # left A to make room (5 moves). The fewest moves of every round at once find 4, but
    # the rounds solved again with the places that schedule keeps pinned sit p3 at B in
    # round 1 as before and find nothing in round 2: that schedule is kept, p3 at A first.
    monkeypatch.setattr("solver.rounds.ALL_ROUNDS_LITERALS", 0)
    published = seated(
        {
            1: {"B": "p1 p7", "C": "p5 p6", "D": "p2 p3 p4"},
            2: {"A": "p4 p5", "B": "p1 p2", "C": "p6 p7", "D": "p3"},
        }
    )
    event = Event(
        participants=[Participant(id=f"p{i}", name=f"p{i}") for i in range(1, 8)],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=2),
            Option(session="S", id="B", max=4, hosts=("p1",)),
            Option(session="S", id="C", max=2, hosts=("p6",)),
            Option(session="S", id="D", max=0),
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    count, allocation = re_solved(event, published)
    assert count == 4
    assert [allocation.option_of[("p3", "S", r)] for r in (1, 2)] == ["A", "B"]


def test_someone_of_the_event_placed_in_a_session_for_the_first_time_now_takes_part() -> None:
    # p000 had a place on day 1 only; Late is new to the event: both are placed on day 2.
    event = two_day_event()
    published = [a for a in solve_event(event).assignments if a.key != ("p000", "T", 1)]
    late = Event.model_validate(event.model_dump())
    late.participants = [*late.participants, Participant(id="late", name="Late", days=("d2",))]
    changes = list_changes(late, published, solve_event(late, previous=published))
    assert [(c.participant, c.session, c.reason) for c in changes] == [
        ("late", "T", "newcomer"),
        ("p000", "T", "now takes part"),
    ]


def test_a_move_out_of_an_option_that_still_runs_does_not_blame_its_minimum() -> None:
    # A (at least 2) still runs when p3, whom a rule now puts there, takes a seat of p1/p2.
    event, published = split_of(
        {"A": 2, "B": 4},
        {"A": "p1 p2", "B": "p3 p4"},
        [Rule(kind=RuleKind.ASSIGN, participants=("p3",), option="A", strength=Strength.HARD)],
    )
    event.options = [o.model_copy(update={"min": 2}) if o.id == "A" else o for o in event.options]
    event = Event.model_validate(event.model_dump())
    changes = list_changes(event, published, solve_event(event, previous=published))
    assert [c.reason for c in changes if c.participant != "p3"] == [
        "moved to make room in A for someone who can take no other option"
    ]


def test_a_round_re_solved_alone_keeps_the_sizes_its_own_round_was_published_at() -> None:
    # Published at 3, 3, 2, 2 in round 1 and 2, 2, 3, 3 in round 2; g7 is new and wishes T1.
    # Each round keeps its own people: g7 takes a seat at T3 or T4 in round 1. Counted with
    # round 2's people, every table kept 3 in round 1, no balanced sizes fit and g7 sat at
    # T1 beside three others (4, 3, 2, 2).
    event = hosted_tables_event(7)
    event.preferences = [Preference(participant="g7", session="R", option="T1", rank=1)]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    schedule = {"g1": "13", "g2": "14", "g3": "23", "g4": "24", "g5": "31", "g6": "42"}
    published = hosted_schedule(schedule, 2)
    assert [table_sizes(published, r) for r in (1, 2)] == [[3, 3, 2, 2], [2, 2, 3, 3]]
    count, allocation = re_solved(event, published)
    assert count == 0
    assert [sorted(table_sizes(allocation.assignments, r)) for r in (1, 2)] == [[2, 3, 3, 3]] * 2
    assert allocation.option_of[("g7", "R", 2)] == "T1"


def test_round_by_round_moves_a_guest_s_second_visit_alone() -> None:
    # p2 sits at h's table B in both rounds, and may visit it once: p2 leaves it in round 2.
    # B's seat counted as kept, B held 3 in round 2 and p3 moved in to fill it (2 moves):
    # only the model of every round at once undid it.
    published = seated({1: {"A": "p3 p5", "B": "h p2 p4"}, 2: {"A": "p3 p4", "B": "h p2 p5"}})
    event = Event(
        participants=[Participant(id=p, name=p) for p in ("h", "p2", "p3", "p4", "p5")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=2)],
        options=[
            Option(session="S", id="A", max=4),
            Option(session="S", id="B", max=5, hosts=("h",)),
        ],
        settings=Settings(diversity=(), no_isolation=(), spread=(), weight_fairness=0),
    )
    ctx = Context(event, read_published(event, published), Watch(), time.monotonic())
    part = round_by_round(ctx, event.sessions[0], History(), time.monotonic() + 10)
    was = {a.key: a.option for a in published}
    moved = [(a.participant, a.round, a.option) for a in part.assignments if was[a.key] != a.option]
    assert moved == [("p2", 2, "A")]


@pytest.mark.parametrize(
    ("published", "hosts", "rules", "moved"),
    [
        ({"A": "p1 p2 p3", "B": "h p4"}, ("h",), [], 2),
        (
            {"A": "p1 p2 p3", "B": "p4"},
            (),
            [Rule(kind=RuleKind.APART, participants=("p1", "p2"))],
            1,
        ),
    ],
)
def test_the_least_moves_count_a_new_host_s_seat_and_an_apart_rule_s_people(
    monkeypatch: pytest.MonkeyPatch,
    published: dict[str, str],
    hosts: tuple[str, ...],
    rules: list[Rule],
    moved: int,
) -> None:
    # h now hosts A, which is full: h leaves B and one of A's people makes room (2 moves).
    # p1 and p2 must be apart at A: one of them leaves (1). Without h's seat or the apart
    # rule counted among the least moves, A's people were all held in place, the held
    # search found nothing and the moves were searched again with nobody held.
    event, _ = split_of({"A": 3, "B": 3}, published, rules)
    event.sessions = [Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE)]
    event.options = [
        o.model_copy(update={"hosts": hosts if o.id == "A" else ()}) for o in event.options
    ]
    event.rules.append(
        Rule(kind=RuleKind.TOGETHER, participants=("p3", "p4"), strength=Strength.SOFT)
    )
    event = Event.model_validate(event.model_dump())  # a soft rule: stage 1 is CP-SAT's
    found = held_searches(monkeypatch)
    count, _ = re_solved(event, seated({1: published}))
    assert (found, count) == ([True], moved)


def test_a_together_group_gathers_where_another_group_s_move_left_room() -> None:
    # p1 and p3 must be together, and so must p4 and p5: p3 joins p1 at A, and B, which p3
    # left, has room for p5. With p3's seat at B still counted, B looked full, p4 joined p5
    # at C, and B was left empty (3, 0, 3 where 3, 2, 1 keeps the same 2 moves).
    event, published = split_of(
        {"A": 3, "B": 2, "C": 3},
        {"A": "p1 p2", "B": "p3 p4", "C": "p5 p6"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("p1", "p3")),
            Rule(kind=RuleKind.TOGETHER, participants=("p4", "p5")),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 2
    assert [allocation.option_of[(p, "S", 1)] for p in ("p3", "p4", "p5")] == ["A", "B", "B"]


def test_a_together_group_gathers_where_an_apart_rule_s_leaver_frees_a_seat() -> None:
    # p1, p8 and p10 must be together, p8 and p9 apart, p5 and p11 together. The group
    # gathers at D, which p9 leaves for C and p11 for B: 4 moves. With p9's seat at D still
    # counted as taken, D looked a move dearer, the group gathered at A and 5 moved.
    event, published = split_of(
        {"A": 4, "B": 4, "C": 2, "D": 3},
        {"A": "p1 p2 p3 p4", "B": "p5 p6", "C": "p7 p8", "D": "p9 p10 p11"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("p5", "p11")),
            Rule(kind=RuleKind.TOGETHER, participants=("p1", "p8", "p10")),
            Rule(kind=RuleKind.APART, participants=("p9", "p8")),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 4
    assert [allocation.option_of[(p, "S", 1)] for p in ("p1", "p8", "p10")] == ["D"] * 3


def test_a_together_group_gathers_where_most_of_it_sits_when_the_moves_tie() -> None:
    # p5, p6 and p7 must be together: at B, full, p7 comes and p4 makes room; at C, p5 and
    # p6 come. 2 moves either way: the group gathers at B, which holds most of it.
    event, published = split_of(
        {"B": 3, "C": 4},
        {"B": "p4 p5 p6", "C": "p7"},
        [Rule(kind=RuleKind.TOGETHER, participants=("p6", "p7", "p5"))],
    )
    count, allocation = re_solved(event, published)
    assert count == 2
    assert [allocation.option_of[(p, "S", 1)] for p in ("p4", "p5", "p6", "p7")] == [
        "C",
        "B",
        "B",
        "B",
    ]


def test_a_capacity_cut_gives_the_spare_seat_where_the_one_who_leaves_wishes_to_go() -> None:
    # A is cut from 3 places to 2; p1 and p2 veto C, p3 ranks it first: p3 leaves for C.
    # All three of A's people counted as going to B (one must leave), B took the spare
    # seat, and p2 went there while p3 stayed away from their wish.
    event, published = split_of(
        {"A": 2, "B": 4, "C": 4}, {"A": "p1 p2 p3", "B": "p4 p5", "C": "p6 p7"}, []
    )
    event.preferences = [
        Preference(participant=p, session="S", option="C", rank=rank)
        for p, rank in (("p1", None), ("p2", None), ("p3", 1))
    ]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 1
    assert allocation.option_of[("p3", "S", 1)] == "C"


def test_newcomers_who_must_be_together_hold_one_seat_each() -> None:
    # n1 and n2 are new and must be together, n1 apart from p3 (at B): the pair takes A, and
    # n3, new too, B (4, 3). n1's seat counted twice, A had to hold 5 and n3 sat there too.
    event, published = split_of(
        {"A": 5, "B": 5},
        {"A": "p1 p2", "B": "p3 p4"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("n1", "n2")),
            Rule(kind=RuleKind.APART, participants=("n1", "p3")),
        ],
    )
    event.participants += [Participant(id=p, name=p) for p in ("n1", "n2", "n3")]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 0
    assert [allocation.option_of[(p, "S", 1)] for p in ("n1", "n2", "n3")] == ["A", "A", "B"]


def test_a_together_group_may_gather_where_a_newcomer_with_a_choice_may_go() -> None:
    # p1 and p4 must be together, and n6, new, may take A or B: p4 joins p1 at A (a tie,
    # first in the workbook) and n6 takes B (3, 3). With n6 counted as bound to A, the
    # first option open to them, the pair gathered at B and the groups came out 2, 4.
    event, published = split_of(
        {"A": 3, "B": 4},
        {"A": "p1 p2", "B": "p3 p4 p5"},
        [Rule(kind=RuleKind.TOGETHER, participants=("p4", "p1"))],
    )
    event.participants.append(Participant(id="n6", name="n6"))
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 1
    assert Counter(a.option for a in allocation.assignments) == {"A": 3, "B": 3}


def test_a_soft_together_rule_keeps_its_other_people_in_place() -> None:
    # p3 and p2 should be together (a soft rule), and a rule now keeps p3 out of C: p3
    # leaves alone. With p2 counted as leaving too, C kept p1 only, and balance moved p2.
    event, published = split_of(
        {"A": 4, "B": 2, "C": 3},
        {"C": "p1 p2 p3"},
        [
            Rule(kind=RuleKind.TOGETHER, participants=("p3", "p2"), strength=Strength.SOFT),
            Rule(kind=RuleKind.FORBID, participants=("p3",), option="C"),
        ],
    )
    assert re_solved(event, published)[0] == 1


def test_a_pin_of_someone_who_no_longer_attends_that_day_is_dropped_with_them() -> None:
    # p000's pinned seat at T (day 2) is in an option now closed, but p000 attends day 1
    # only: the row is dropped with them. Read as theirs still, the pin stopped the re-solve.
    event = two_day_event()
    published = solve_event(event).assignments
    seat = next(a for a in published if a.key == ("p000", "T", 1))
    published = [a.model_copy(update={"pinned": a is seat}) for a in published]
    later = Event.model_validate(event.model_dump())
    later.participants[0] = later.participants[0].model_copy(update={"days": ("d1",)})
    later.options = [
        o.model_copy(update={"max": 0}) if (o.session, o.id) == ("T", seat.option) else o
        for o in later.options
    ]
    later = Event.model_validate(later.model_dump())
    allocation = solve_event(later, previous=published)
    assert check_allocation(later, allocation, previous=published).ok
    assert [key for key in allocation.option_of if key[0] == "p000"] == [("p000", "S", 1)]


def test_pins_that_fill_an_option_exactly_are_kept() -> None:
    event = workshop_event(4, capacity=2)
    published = [
        Assignment(participant=f"p00{i}", session="S", option="W1", pinned=True) for i in range(2)
    ]
    allocation = solve_event(event, previous=published)
    assert [allocation.option_of[(f"p00{i}", "S", 1)] for i in range(2)] == ["W1", "W1"]


def test_a_pin_in_a_closed_option_says_it_is_closed() -> None:
    event = workshop_event(4)
    event.options = [o.model_copy(update={"max": 0}) if o.id == "W2" else o for o in event.options]
    event = Event.model_validate(event.model_dump())
    published = [Assignment(participant="p000", session="S", option="W2", pinned=True)]
    with pytest.raises(PinnedEditError) as caught:
        solve_event(event, previous=published)
    assert caught.value.reasons == ["pinned: Person 0 (p000) in W2 of S: option W2 of S is closed"]


def test_a_pin_in_a_round_no_longer_held_is_dropped() -> None:
    # g1's round 2 seat at T2 is pinned, a rule now keeps g1 out of T2, and the roundtable
    # has one round: the row goes with its round, and does not stop the re-solve.
    published = [
        a.model_copy(update={"pinned": a.key == ("g1", "R", 2)}) for a in published_tables()
    ]
    event = hosted_tables_event(6)
    event.sessions = [event.sessions[0].model_copy(update={"rounds": 1})]
    event.rules = [Rule(kind=RuleKind.FORBID, participants=("g1",), option="T2")]
    event = Event(**{k: getattr(event, k) for k in Event.model_fields})
    count, allocation = re_solved(event, published)
    assert count == 0
    assert {round_ for _, _, round_ in allocation.option_of} == {1}


def test_the_history_adds_up_a_person_s_costs_over_the_sessions_before() -> None:
    event = two_day_event()
    second = {
        p.session: p.option for p in event.preferences if (p.participant, p.rank) == ("p000", 2)
    }
    history = History()
    history.record(
        event,
        [Assignment(participant="p000", session=s, option=o) for s, o in sorted(second.items())],
    )
    costs = [event.cost("p000", s, o) for s, o in second.items()]
    assert min(costs) > 0
    assert history.dissatisfaction["p000"] == sum(costs)


def apart(*people: str) -> Rule:
    """A hard apart rule."""
    return Rule(kind=RuleKind.APART, participants=people)


def together(*people: str) -> Rule:
    """A hard together rule."""
    return Rule(kind=RuleKind.TOGETHER, participants=people)


@pytest.mark.parametrize(
    ("options", "groups", "rules", "moved"),
    [
        (  # p2 joins p5 at D (1 move); p3 counted as leaving A for the apart rule, p1 moved
            # to fill the seat p2 left (2)
            {"A": 3, "B": 4, "C": 3, "D": 4},
            {"A": "p1 p2 p3", "D": "p4 p5"},
            [apart("p2", "p3"), together("p5", "p2")],
            {"p2": "D"},
        ),
        (  # p3 leaves for C (1); counted as staying at B, where p2's group stays, it made
            # p2, p4 and p1 move (3)
            {"A": 4, "B": 4, "C": 1},
            {"A": "p1", "B": "p2 p3 p4"},
            [together("p2", "p4"), apart("p3", "p1", "p2")],
            {"p3": "C"},
        ),
        (  # p2 must leave D and one of p1 and p3 (2); each rule's own stayer made all go (3)
            {"A": 4, "B": 3, "C": 4, "D": 3},
            {"D": "p1 p2 p3"},
            [
                apart("p1", "p2"),
                apart("p3", "p1"),
                apart("p2", "p1", "p3"),
                Rule(kind=RuleKind.FORBID, participants=("p2",), option="D"),
            ],
            {"p2": "A|B|C", "p1|p3": "A|B|C"},
        ),
    ],
    ids=["apart and together", "together keeps its seat", "apart rules meet"],
)
def test_hard_rules_that_meet_move_no_more_people_than_they_must(
    options: dict[str, int], groups: dict[str, str], rules: list[Rule], moved: dict[str, str]
) -> None:
    event, published = split_of(options, groups, rules)
    count, allocation = re_solved(event, published)
    assert count == len(moved)
    was = {a.participant: a.option for a in published}
    now = {p: allocation.option_of[(p, "S", 1)] for p in was}
    movers = sorted(p for p in was if now[p] != was[p])
    assert len(movers) == len(moved)
    for who, where in moved.items():
        assert any(p in who.split("|") and now[p] in where.split("|") for p in movers)


def test_a_re_solve_whose_balanced_sizes_move_more_takes_the_sizes_of_the_fewest_moves() -> None:
    # p1 may no longer sit in A; p3, p4 and p7 must be together, p5 and p6 too. Fewest: p3
    # joins p4 and p7 at B, p5 and p6 leave B for C, and p1 goes to D (4). The balanced
    # sizes put two seats at C and four at B, so that p8 left C too (5).
    event, published = split_of(
        {"A": 3, "B": 4, "C": 3, "D": 1},
        {"A": "p1 p2 p3", "B": "p4 p5 p6 p7", "C": "p8"},
        [
            together("p6", "p5"),
            together("p7", "p4", "p3"),
            Rule(kind=RuleKind.FORBID, participants=("p1",), option="A"),
        ],
    )
    count, allocation = re_solved(event, published)
    assert count == 4
    assert {allocation.option_of[(p, "S", 1)] for p in ("p3", "p4", "p7")} == {"B"}
