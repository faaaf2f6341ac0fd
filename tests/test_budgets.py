"""How the time limit is shared between sessions (solver/solve.py's time_budgets)."""

import pytest

from models import Event, Option, Session, SessionKind, Settings
from solver.solve import time_budgets
from tests.factories import people


def two_sessions(days: tuple[str, str]) -> Event:
    """S1 with one option and S2 with four, for the same four people (4 and 16 cells)."""
    return Event(
        participants=people(4),
        sessions=[
            Session(id=sid, day=day, kind=SessionKind.CHOICE)
            for sid, day in zip(("S1", "S2"), days, strict=True)
        ],
        options=[Option(session="S1", id="A", max=4)]
        + [Option(session="S2", id=o, max=4) for o in "ABCD"],
        preferences=[],
        settings=Settings(),
    )


def test_the_spare_time_goes_by_the_square_root_of_a_sessions_size() -> None:
    # 4 and 16 cells: weights 2 and 4, one after the other (no building time at rate 0)
    event = two_sessions(("d1", "d2"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.0)
    assert budgets == pytest.approx({"S1": 4.0, "S2": 8.0})


def test_sessions_side_by_side_share_the_day_each_on_its_own_worker() -> None:
    event = two_sessions(("d1", "d1"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.0)
    assert budgets == pytest.approx({"S1": 8.0, "S2": 12.0})  # 2 lanes: 24 × 2/6, capped


def test_building_time_is_set_aside_before_the_spare_is_shared() -> None:
    event = two_sessions(("d1", "d2"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.1)  # 0.4 s and 1.6 s
    assert budgets == pytest.approx({"S1": 0.4 + 10.0 * 2 / 6, "S2": 1.6 + 10.0 * 4 / 6})
