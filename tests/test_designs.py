"""A design's start for a roundtable: paths on which no two guests meet twice."""

from collections import Counter
from itertools import combinations

import numpy as np
import pytest

import solver.rounds
from models import (
    Allocation,
    Assignment,
    Event,
    Option,
    Participant,
    Rule,
    RuleKind,
    Strength,
)
from scripts.networking import networking_event
from solver.check import check_allocation
from solver.designs import (
    Designed,
    design_fit,
    design_paths,
    design_tables,
    designed_starts,
)
from solver.history import History
from solver.roundtable import lifted
from solver.solve import solve_event
from tests.factories import repeated_pairs


def starts_of(e: Event, level: int | None, until: float) -> list[Designed]:
    """The design's starts for the event's first session; none when no design fits it."""
    session = e.sessions[0]
    fit = design_fit(e, session)
    return [] if fit is None else designed_starts(e, session, History(), fit, level, until)


def dissatisfaction(e: Event, assignments: list[Assignment]) -> dict[str, int]:
    """Each guest's rank costs over the rounds."""
    costs: Counter[str] = Counter()
    for a in assignments:
        costs[a.participant] += e.cost(a.participant, a.session, a.option)
    return costs


@pytest.mark.parametrize(("q", "rounds"), [(4, 3), (5, 4), (8, 4), (12, 3)])
@pytest.mark.parametrize("renamed", [False, True])
def test_design_paths_seat_no_two_guests_together_twice(q: int, rounds: int, renamed: bool) -> None:
    tables = design_tables(q)
    assert tables is not None and len(tables) >= rounds
    names = np.roll(np.arange(q), 3) if renamed else None
    chosen = tuple(range(len(tables) - rounds, len(tables)))
    paths = design_paths(tables, chosen, [], q - 1, names)
    assert paths.shape == (q * (q - 1), rounds)
    assert all(len(set(path)) == rounds for path in paths.tolist())
    for a, b in combinations(paths.tolist(), 2):
        assert sum(x == y for x, y in zip(a, b, strict=True)) <= 1
    for r in range(rounds):  # every table holds q − 1 guests in every round
        assert Counter(paths[:, r].tolist()) == dict.fromkeys(range(q), q - 1)


@pytest.mark.parametrize(
    ("q", "rounds"), [(2, 2), (7, 7), (8, 8), (6, 2), (10, 2), (12, 3), (14, 2), (20, 4)]
)
def test_a_design_has_as_many_rounds_as_its_smallest_field_has_elements(
    q: int, rounds: int
) -> None:
    tables = design_tables(q)
    assert tables is not None and tables.shape == (rounds, q * q)
    for a, b in combinations(range(q * q), 2):  # people (i, j), i > 0 or not: at most once
        if a // q != b // q:
            assert (tables[:, a] == tables[:, b]).sum() <= 1


def test_one_table_has_no_design() -> None:
    assert design_tables(1) is None


def test_extra_guests_take_the_larger_tables_in_turn() -> None:
    tables = design_tables(8)
    assert tables is not None
    for names in (None, np.arange(8)[::-1]):  # renaming the design's tables leaves the extras
        paths = design_paths(tables, (0, 1, 2, 4), [0, 1, 2, 3], 7, names)
        extras = paths[56:].tolist()
        assert extras == [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2]]


@pytest.mark.parametrize(
    ("guests", "tables", "rounds", "sizes"),
    [(20, 5, 4, {5}), (15, 5, 3, {4}), (44, 8, 4, {6, 7})],  # q − 1 rows, 3 of 4, 5 of 7
)
def test_a_design_start_seats_everyone_at_balanced_tables_meeting_nobody_twice(
    guests: int, tables: int, rounds: int, sizes: set[int]
) -> None:
    e = networking_event(guests, tables, rounds)
    session = e.sessions[0]
    starts = starts_of(e, level=None, until=LATER)
    assert starts and all(d.unfit == [] for d in starts)
    designed = starts[0]
    ids = {p.id for p in e.participants if p.id.startswith("g")}
    again = repeated_pairs(designed.assignments, session.id)
    extras = guests - tables * (min(sizes) - 1)  # each meets a design guest again
    assert sum(n - 1 for n in again.values()) <= extras * rounds * (rounds - 1) // 2
    assert set(again.values()) == (set() if extras == 0 else {2})
    for guest in ids:
        seated = [a.option for a in designed.assignments if a.participant == guest]
        assert len(seated) == len(set(seated)) == rounds
    held = Counter((a.round, a.option) for a in designed.assignments)
    assert set(held.values()) == sizes
    hosts = {(a.participant, a.option) for a in designed.assignments if a.participant[0] == "e"}
    assert hosts == {(o.hosts[0], o.id) for o in e.options}
    assert check_allocation(e, Allocation(assignments=designed.assignments)).ok


def test_a_design_start_keeps_the_worst_off_level_when_it_can() -> None:
    e = networking_event(20, 5, 4)
    free = starts_of(e, level=None, until=LATER)[0]
    worst = max(dissatisfaction(e, free.assignments).values())
    capped = starts_of(e, level=worst - 1, until=LATER)[0]
    costs = dissatisfaction(e, capped.assignments)
    assert worst == 17
    assert not capped.unfit  # every guest brought within the level
    assert max(costs.values()) == 14  # within the level (16), below the free start's 17


LATER = float("inf")  # no time limit on the design's starts
CHANGES = [
    "nothing",
    "six tables",
    "two hosts",
    "a rule",
    "one guest more",
    "isolation forbidden",
    "one table to take",
    "a row too many",
    "too few larger tables",
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_design_fits_a_prime_power_of_tables_and_guests_in_its_rows(change: str) -> None:
    e = networking_event(30, 6, 3) if change == "six tables" else networking_event(20, 5, 3)
    if change == "two hosts":
        first = e.options[0]
        e.options[0] = Option(**{**first.model_dump(), "hosts": (first.hosts[0], "g001")})
    elif change == "a rule":
        e.rules.append(Rule(kind=RuleKind.APART, participants=("g001", "g002")))
    elif change == "one guest more":
        e = networking_event(21, 5, 3)
    elif change == "a row too many":  # 7 a table at 5 tables: 6 rows of the design's 4
        e = networking_event(30, 5, 3)
    elif change == "too few larger tables":  # 2 tables of 8 for 3 rounds
        e = networking_event(50, 8, 3)
    elif change == "isolation forbidden":
        e.settings.no_isolation_strength = Strength.HARD
    elif change == "one table to take":
        first = e.options[0]
        e.options[0] = Option(**{**first.model_dump(), "features": ("step-free",)})
        guest = e.participants[5]
        e.participants[5] = Participant(**{**guest.model_dump(), "needs": ("step-free",)})
    starts = starts_of(e, level=None, until=LATER)
    assert bool(starts) == (change in ("nothing", "two hosts"))
    if change == "two hosts":  # both at their table, and 3 guests there where others have 4
        held = Counter((a.round, a.option) for a in starts[0].assignments)
        assert set(held.values()) == {5}
        both = {a.round for a in starts[0].assignments if a.participant in ("e1", "g001")}
        assert both == {1, 2, 3}
        assert {a.option for a in starts[0].assignments if a.participant == "g001"} == {"T1"}
        assert check_allocation(e, Allocation(assignments=starts[0].assignments)).ok


def test_lifted_brings_everyone_within_the_level_by_one_swap_each() -> None:
    e = networking_event(60, 8, 4)
    session = e.sessions[0]
    starts = starts_of(e, level=17, until=LATER)
    results = [lifted(e, session, History(), d.assignments, 17) for d in starts[:8]]
    assert [r is None for r in results] == [False] * 6 + [True, False]  # a swap, or none
    for r in results:
        assert r is None or check_allocation(e, Allocation(assignments=r)).ok
    designed, result = starts[0], results[0]
    assert len(designed.unfit) == 1 and result is not None
    assert max(dissatisfaction(e, result).values()) <= 17
    moved = set(designed.assignments) ^ set(result)
    assert len(moved) == 4  # two people, one round
    assert designed.unfit[0] in {a.participant for a in moved}
    assert lifted(e, session, History(), result, 17) is result  # within the level: as it was


def test_a_design_start_beats_the_rounds_where_they_seat_people_together_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    e = networking_event(20, 5, 4)
    with_design = solve_event(e)
    monkeypatch.setattr(solver.rounds, "designed_starts", lambda *_: [])
    without = solve_event(e)
    for allocation in (with_design, without):
        report = check_allocation(e, allocation)
        assert report.ok and report.objective == allocation.stats.objective
    assert with_design.stats.objective < without.stats.objective


def test_a_design_s_starts_take_no_longer_than_they_are_given() -> None:
    e = networking_event(20, 5, 4)
    assert starts_of(e, level=None, until=0.0) == []
    assert starts_of(e, level=None, until=LATER)
