"""Shared fixtures: solve an event and check the allocation with the independent checker.

Every allocation a test gets from `solve_event` is verified by the checker, whatever the test
then asserts: the function is wrapped here, before any test module imports it.
"""

import inspect
from typing import Any

import pytest

import solver.solve
from models import Allocation, Assignment, CheckReport, Event
from solver.check import check_allocation
from tests.factories import Solve

unchecked_solve_event = solver.solve.solve_event


def verified(
    event: Event,
    allocation: Allocation,
    previous: list[Assignment] | None = None,
    day: str | None = None,
    pins_released: bool = False,
) -> CheckReport:
    """The checker's report on an allocation: every hard rule holds and the costs agree
    (moves counted against `previous`, the published allocation, when re-solving, and its pins
    kept unless released; only the
    sessions of `day` when that day was solved alone); the sessions' own figures add up to
    the event's, each bound at most its cost."""
    solved = None if day is None else {s.id for s in event.sessions if s.day == day}
    report = check_allocation(event, allocation, previous, solved, pins_released)
    assert report.ok, [result.message for result in report.broken]
    stats = allocation.stats
    assert report.objective == round(stats.objective)
    sessions = stats.sessions.values()
    assert sum(s.objective for s in sessions) == stats.objective
    assert sum(s.bound for s in sessions) == stats.bound
    assert all(s.bound <= s.objective for s in sessions)
    several_days = len({event.session_by_id[sid].day for sid in stats.sessions}) > 1
    weighs = event.settings.weight_fairness or event.settings.weight_mixing
    if not all(s.is_optimal for s in sessions):
        assert stats.status == "feasible"
    elif several_days and weighs:  # each day given the days before: not the event's optimum
        assert stats.status == "optimal day by day"
    else:
        assert stats.status == "optimal"
    return report


def checked_solve_event(*args: Any, **kwargs: Any) -> Allocation:
    """`solve_event`, its allocation `verified`."""
    given = inspect.signature(unchecked_solve_event).bind(*args, **kwargs).arguments
    allocation = unchecked_solve_event(*args, **kwargs)
    verified(
        given["event"],
        allocation,
        given.get("previous"),
        given.get("day"),
        given.get("override_pins", False),
    )
    return allocation


solver.solve.solve_event = checked_solve_event


def solve_checked(event: Event) -> tuple[Allocation, CheckReport]:
    """Solve, and the checker's report for the test to read (checked once)."""
    allocation = unchecked_solve_event(event)
    return allocation, verified(event, allocation)


@pytest.fixture(name="solve")
def fixture_solve() -> Solve:
    """The solve-and-check helper as a fixture."""
    return solve_checked
