"""Shared fixtures: solve an event and check the allocation with the independent checker.

Every allocation a test gets from `solve_event` is verified by the checker, whatever the test
then asserts: the function is wrapped here, before any test module imports it.
"""

import inspect
from typing import Any

import pytest

import solver.solve
from models import Allocation, CheckReport, Event
from solver.check import check_allocation
from tests.factories import Solve

unchecked_solve_event = solver.solve.solve_event


def checked_solve_event(*args: Any, **kwargs: Any) -> Allocation:
    """`solve_event`, then the checker on its allocation: every hard rule holds and the costs
    agree (moves counted against the published allocation when re-solving)."""
    given = inspect.signature(unchecked_solve_event).bind(*args, **kwargs).arguments
    allocation = unchecked_solve_event(*args, **kwargs)
    report = check_allocation(given["event"], allocation, previous=given.get("previous"))
    assert report.ok, [result.message for result in report.broken]
    assert report.objective == round(allocation.stats.objective)
    return allocation


solver.solve.solve_event = checked_solve_event


def solve_checked(event: Event) -> tuple[Allocation, CheckReport]:
    """Solve (checked), and the checker's report for the test to read."""
    allocation = solver.solve.solve_event(event)
    return allocation, check_allocation(event, allocation)


@pytest.fixture(name="solve")
def fixture_solve() -> Solve:
    """The solve-and-check helper as a fixture."""
    return solve_checked
