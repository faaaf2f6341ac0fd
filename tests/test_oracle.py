"""Exactness against an independent oracle: CP-SAT's optimum equals min-cost flow's.

The solver answers a session of preferences and capacities with the flow itself
(`flow_shaped`); these tests turn that off, so that CP-SAT's search solves it.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solver.sessions as sessions
from models import (
    Allocation,
    Event,
    Option,
    Participant,
    Preference,
    Session,
    SessionKind,
    Settings,
)
from solver.check import check_allocation
from solver.flow import flow_allocation
from solver.solve import solve_event


def random_choice_event(seed: int, people: int = 30, options: int = 4, fairness: int = 0) -> Event:
    """Pure preferences: ranked choices and capacities only, with some slack (and the
    worst-off person first with `fairness`)."""
    rng = random.Random(seed)
    option_ids = [f"W{j}" for j in range(options)]
    base = -(-people // options)
    participants = [Participant(id=f"p{i}", name=f"P {i}") for i in range(people)]
    preferences = []
    for person in participants:
        ranked = rng.sample(option_ids, k=rng.randint(0, options))
        preferences += [
            Preference(participant=person.id, session="S", option=option, rank=rank)
            for rank, option in enumerate(ranked, start=1)
        ]
    return Event(
        participants=participants,
        sessions=[Session(id="S", day="d", kind=SessionKind.CHOICE)],
        options=[Option(session="S", id=o, max=base + rng.randint(0, 3)) for o in option_ids],
        preferences=preferences,
        settings=Settings(rank_costs=(0, 1, 4, 9), unranked_cost=12, weight_fairness=fairness),
    )


def searched(event: Event) -> tuple[Allocation, int]:
    """The allocation CP-SAT's search finds with the flow's shortcut off, and its searches."""
    searches = 0
    search = sessions.search

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal searches
        searches += 1
        return search(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sessions, "flow_shaped", lambda _m: False)
        patch.setattr(sessions, "search", counted)
        allocation = solve_event(event)
    return allocation, searches


@pytest.mark.parametrize("seed", range(20))
def test_cp_sat_optimum_equals_min_cost_flow(seed: int) -> None:
    event = random_choice_event(seed, people=20 + 3 * seed, options=3 + seed % 4)
    allocation, searches = searched(event)
    flow_cost, _ = flow_allocation(event, event.sessions[0])
    assert searches > 0
    assert allocation.stats.status == "optimal"
    assert allocation.stats.objective == flow_cost
    report = check_allocation(event, allocation)
    assert report.ok
    assert report.preference_cost == flow_cost


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    people=st.integers(min_value=1, max_value=25),
    options=st.integers(min_value=1, max_value=5),
    fairness=st.integers(min_value=0, max_value=1),
)
def test_any_generated_event_passes_the_checker(
    seed: int, people: int, options: int, fairness: int
) -> None:
    event = random_choice_event(seed, people=people, options=options, fairness=fairness)
    flowed, (found, _) = solve_event(event), searched(event)
    for allocation in (flowed, found):
        report = check_allocation(event, allocation)
        assert report.ok
        assert report.objective == allocation.stats.objective
        assert len(allocation.assignments) == people
    assert found.stats.objective == flowed.stats.objective  # the flow is stage 1 exactly
