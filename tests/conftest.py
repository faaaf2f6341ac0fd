"""Shared fixtures: solve an event and check the allocation with the independent checker."""

import pytest

from models import Allocation, CheckReport, Event
from solver.check import check_allocation
from solver.solve import solve_event
from tests.factories import Solve


def solve_checked(event: Event) -> tuple[Allocation, CheckReport]:
    """Solve, then verify with the checker: every hard rule holds and the costs agree."""
    allocation = solve_event(event)
    report = check_allocation(event, allocation)
    assert report.ok, [result.message for result in report.broken]
    assert report.objective == round(allocation.stats.objective)
    return allocation, report


@pytest.fixture(name="solve")
def fixture_solve() -> Solve:
    """The solve-and-check helper as a fixture."""
    return solve_checked
