"""Diversity by min-cost flows (solver/diverse.py): a start at fixed sizes, exact per column,
and what a session with no time for a relaxation gets from it."""

import random
from collections import Counter
from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import Allocation, Event, Participant, SessionKind
from solver import sessions
from solver.build import build_session
from solver.diverse import (
    Placements,
    convex_steps,
    cost_of,
    diverse_placements,
    placement_arrays,
)
from solver.model import Key, SessionModel
from solver.solve import solve_event
from tests.factories import event, nothing_found_in_time

SIZES = {"X": 2, "Y": 2}


def crowd(*kinds: tuple[str, str]) -> list[Participant]:
    """People p1… with these (region, group)."""
    return [
        Participant(id=f"p{i}", name=f"Person {i}", region=region, group=group)
        for i, (region, group) in enumerate(kinds, start=1)
    ]


def two_regions(second_choices: bool, **settings: Any) -> Event:
    """p1, p2 from Europe want X; p3, p4 from Africa want Y (second choices the other
    option, when `second_choices`, else unranked: 10)."""
    people = crowd(("Europe", ""), ("Europe", ""), ("Africa", ""), ("Africa", ""))
    wants = {"p1": "X", "p2": "X", "p3": "Y", "p4": "Y"}
    other = {"X": "Y", "Y": "X"}
    prefs = {p: [o, other[o] if second_choices else None] for p, o in wants.items()}
    return event(
        people, options=(("X", 2), ("Y", 2)), prefs=prefs, diversity=("region",), **settings
    )


def model_of(e: Event) -> SessionModel:
    """The session's model without the soft group criteria (what the flows read is the same)."""
    return build_session(e, e.sessions[0], groups=False)


def placements(m: SessionModel, where: dict[str, str]) -> dict[Key, bool]:
    """Each person at the option named."""
    return {key: where[key[0]] == key[1] for key in m.x}


def mix(m: SessionModel, chosen: dict[Key, bool], column: str) -> dict[str, Counter[str]]:
    """Each option's count of every value of the column."""
    attribute = {person.id: person.attribute(column) for person in m.people}
    held: dict[str, Counter[str]] = {"X": Counter(), "Y": Counter()}
    for (person, option, _), on in chosen.items():
        if on:
            held[option][attribute[person]] += 1
    return held


def option_indices(m: SessionModel, chosen: dict[Key, bool]) -> np.ndarray:
    """Each person's option, as the flows' arrays number them."""
    options = {option.id: j for j, option in enumerate(m.options)}
    where = {person: options[option] for (person, option, _), on in chosen.items() if on}
    return np.array([where[person.id] for person in m.people])


FIRST_WISHES = {"p1": "X", "p2": "X", "p3": "Y", "p4": "Y"}


def test_the_flow_mixes_regions_when_second_choices_cost_less_than_the_shares() -> None:
    # first wishes: X all Europe, Y all Africa: 4 people off their share, × 2 = 8; two at
    # their second choice (1 each) and every share kept: 2
    m = model_of(two_regions(second_choices=True))
    chosen = diverse_placements(m, SIZES, placements(m, FIRST_WISHES))
    assert chosen is not None
    assert mix(m, chosen, "region") == {
        "X": Counter(Europe=1, Africa=1),
        "Y": Counter(Europe=1, Africa=1),
    }
    arrays = placement_arrays(m, SIZES)
    assert arrays is not None
    assert cost_of(arrays, option_indices(m, chosen)) == 2
    assert cost_of(arrays, option_indices(m, placements(m, FIRST_WISHES))) == 8


def test_the_flow_keeps_the_first_wishes_when_moving_costs_more_than_the_shares() -> None:
    # the other option unranked: two moves cost 20, the shares 8
    m = model_of(two_regions(second_choices=False))
    assert diverse_placements(m, SIZES, placements(m, FIRST_WISHES)) is None


def test_the_flow_weighs_the_preferences_by_their_weight() -> None:
    # second choices at weight 5: two moves cost 10, the shares 8
    m = model_of(two_regions(second_choices=True, weight_preference=5))
    assert diverse_placements(m, SIZES, placements(m, FIRST_WISHES)) is None
    arrays = placement_arrays(m, SIZES)
    assert arrays is not None
    mixed = {"p1": "X", "p2": "Y", "p3": "X", "p4": "Y"}
    assert cost_of(arrays, option_indices(m, placements(m, mixed))) == 10


def test_the_flow_leaves_groups_already_at_their_shares() -> None:
    m = model_of(two_regions(second_choices=True))
    mixed = {"p1": "X", "p2": "Y", "p3": "X", "p4": "Y"}  # second choices for p2, p3: 2
    assert diverse_placements(m, SIZES, placements(m, mixed)) is None


def test_without_diversity_there_is_nothing_for_the_flow_to_weigh() -> None:
    m = model_of(two_regions(second_choices=True, weight_diversity=0))
    assert diverse_placements(m, SIZES, placements(m, FIRST_WISHES)) is None


def test_blocks_mix_a_second_column_the_first_column_s_flow_cannot_see() -> None:
    # regions mixed in both options, groups not: X holds both g, Y both h. Only the second
    # column is off (4 people), and the people of one region are a block: p1 and p2 swap
    # with p3 and p4's places kept, or the other way round
    people = crowd(("Europe", "g"), ("Europe", "h"), ("Africa", "g"), ("Africa", "h"))
    e = event(people, options=(("X", 2), ("Y", 2)), diversity=("region", "group"))
    m = model_of(e)
    chosen = diverse_placements(
        m, SIZES, placements(m, {"p1": "X", "p2": "Y", "p3": "X", "p4": "Y"})
    )
    assert chosen is not None
    for column in ("region", "group"):
        assert all(max(counts.values()) == 1 for counts in mix(m, chosen, column).values())


def test_a_person_without_a_value_has_no_share_to_keep() -> None:
    # p4 has no region: X's Europe share is 1 (2 × 2 / 4, p4 counted in the total): p1 and
    # p2 at X together are 1 above it, one Europe short at Y: 2 off, × 2 = 4 against one
    # second choice (p2 to Y, p3 to X: 2); p4 counts in no region
    people = crowd(("Europe", ""), ("Europe", ""), ("Africa", ""), ("", ""))
    prefs = {"p1": ["X", "Y"], "p2": ["X", "Y"], "p3": ["Y", "X"], "p4": ["Y", "X"]}
    e = event(people, options=(("X", 2), ("Y", 2)), prefs=prefs, diversity=("region",))
    m = model_of(e)
    chosen = diverse_placements(m, SIZES, placements(m, FIRST_WISHES))
    assert chosen is not None
    assert mix(m, chosen, "region") in (
        {"X": Counter(Europe=1, Africa=1), "Y": Counter({"Europe": 1, "": 1})},
        {"X": Counter({"Europe": 1, "": 1}), "Y": Counter(Europe=1, Africa=1)},
    )


def test_people_without_a_value_may_sit_together() -> None:
    # Three of Europe, three of Africa, p7 and p8 of no region, in two options of four:
    # each region's share is 1–2 an option, and p7 and p8 together at Y (their first
    # choice) keep every share: nothing to gain (as a value of their own, 0 and 2 off a
    # share of 1 would cost 4, and p7 at X only 1)
    people = crowd(*[("Europe", "")] * 3, *[("Africa", "")] * 3, ("", ""), ("", ""))
    e = event(
        people,
        options=(("X", 4), ("Y", 4)),
        prefs={"p7": ["Y", "X"], "p8": ["Y", "X"]},
        diversity=("region",),
    )
    m = model_of(e)
    sizes = {"X": 4, "Y": 4}
    start = placements(m, {p.id: "Y" if p.id in ("p3", "p6", "p7", "p8") else "X" for p in people})
    arrays = placement_arrays(m, sizes)
    assert arrays is not None
    assert arrays.deviation(option_indices(m, start)) == 0
    assert diverse_placements(m, sizes, start) is None


@pytest.mark.parametrize(
    ("held", "floor", "ceiling", "seats", "steps"),
    [
        (0, 1, 2, 4, [(1, -2), (1, 0), (4, 2)]),  # below, within, above
        (1, 1, 2, 4, [(1, 0), (4, 2)]),  # at the floor already
        (3, 1, 2, 4, [(4, 2)]),  # above the ceiling already
        (0, 0, 0, 3, [(3, 2)]),  # a share of nobody: every person costs
    ],
)
def test_an_option_s_count_costs_by_convex_steps(
    held: int, floor: int, ceiling: int, seats: int, steps: list[tuple[int, int]]
) -> None:
    def one(value: int) -> np.ndarray:
        return np.array([[value]])

    tails, capacities, costs = convex_steps(
        one(held), one(floor), one(ceiling), np.array([seats]), 2
    )
    assert tails.tolist() == [0] * len(steps)  # one option, one value: one node
    assert list(zip(capacities.tolist(), costs.tolist(), strict=True)) == steps


def test_convex_steps_come_per_option_and_value() -> None:
    # two options (seats 1 and 2), two values: node = option × 2 + value
    tails, capacities, costs = convex_steps(
        np.array([[0, 1], [2, 0]]),
        np.array([[1, 1], [1, 1]]),
        np.array([[1, 1], [1, 1]]),
        np.array([1, 2]),
        3,
    )
    steps = sorted(zip(tails.tolist(), capacities.tolist(), costs.tolist(), strict=True))
    assert steps == [(0, 1, -3), (0, 1, 3), (1, 1, 3), (2, 2, 3), (3, 1, -3), (3, 2, 3)]


def regions_of(allocation: Allocation, e: Event) -> dict[str, Counter[str]]:
    """Each option's count of every region in the allocation."""
    region = {person.id: person.region for person in e.participants}
    held: dict[str, Counter[str]] = {}
    for a in allocation.assignments:
        held.setdefault(a.option, Counter())[region[a.participant]] += 1
    return held


MIXED = {"X": Counter(Europe=1, Africa=1), "Y": Counter(Europe=1, Africa=1)}


def test_a_choice_session_with_no_time_for_a_relaxation_still_weighs_diversity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as on a machine with no time for a relaxation or a search: the preference stage's
    # allocation (the first wishes, 8) is replaced by the flows' (2)
    monkeypatch.setattr(sessions, "resized", lambda *args, **kwargs: args[2])
    monkeypatch.setattr(sessions, "bounding_relaxation", lambda *args, **kwargs: None)
    nothing_found_in_time(monkeypatch)
    e = two_regions(second_choices=True)
    allocation = solve_event(e)
    assert regions_of(allocation, e) == MIXED
    assert allocation.stats.objective == 2


def test_a_split_session_with_no_time_to_search_still_weighs_diversity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # no preferences: the preference stage's flow takes the people in order (p1 and p2 at
    # X, both Europe: 4 off their shares, 8); the flows mix them at no cost
    monkeypatch.setattr(sessions, "SEARCH_SECONDS_PER_CELL", 1e9)
    nothing_found_in_time(monkeypatch)
    people = crowd(("Europe", ""), ("Europe", ""), ("Africa", ""), ("Africa", ""))
    e = event(people, options=(("X", 2), ("Y", 2)), kind=SessionKind.SPLIT, diversity=("region",))
    allocation = solve_event(e)
    assert regions_of(allocation, e) == MIXED
    assert allocation.stats.objective == 0


def cheapest_at(arrays: Placements, people: int, options: int) -> int:
    """The least preference and diversity cost at the arrays' sizes, by trying every
    placement (a few people only)."""
    sizes = arrays.sizes.tolist()
    costs = [
        cost_of(arrays, np.array(placed))
        for placed in product(range(options), repeat=people)
        if [placed.count(o) for o in range(options)] == sizes
    ]
    return min(costs)


KINDS = st.tuples(st.sampled_from(["Europe", "Africa", "Asia", ""]), st.sampled_from("gh"))


def generated(
    kinds: list[tuple[str, str]], count: int, seed: int, columns: tuple[str, ...]
) -> tuple[SessionModel, dict[str, int], dict[Key, bool]]:
    """A choice session of these people and `count` options at random sizes, random wishes
    and a random start at those sizes."""
    rng = random.Random(seed)
    people = crowd(*kinds)
    names = [f"O{j}" for j in range(count)]
    cut = sorted(rng.sample(range(1, len(people)), count - 1))
    sizes = dict(zip(names, np.diff([0, *cut, len(people)]).tolist(), strict=True))
    prefs = {p.id: rng.sample(names, rng.randint(0, count)) for p in people}
    e = event(people, options=[(o, len(people)) for o in names], prefs=prefs, diversity=columns)
    m = model_of(e)
    seats = [o for o in names for _ in range(sizes[o])]
    rng.shuffle(seats)
    return m, sizes, placements(m, {p.id: seat for p, seat in zip(people, seats, strict=True)})


def flowed_cost(
    kinds: list[tuple[str, str]], count: int, seed: int, columns: tuple[str, ...]
) -> tuple[Placements, int, int] | None:
    """The arrays, and the cost of the start and of the flows' placements (the start's
    when they find none cheaper), checking that those keep everyone once and the sizes."""
    m, sizes, start = generated(kinds, count, seed, columns)
    arrays = placement_arrays(m, sizes)
    chosen = diverse_placements(m, sizes, start)
    if arrays is None:  # fewer than two values in every column: nothing to weigh
        assert chosen is None
        return None
    before = cost_of(arrays, option_indices(m, start))
    if chosen is None:
        return arrays, before, before
    assert Counter(key[0] for key, on in chosen.items() if on) == Counter(p.id for p in m.people)
    assert Counter(key[1] for key, on in chosen.items() if on) == Counter(sizes)
    after = cost_of(arrays, option_indices(m, chosen))
    assert after < before
    return arrays, before, after


@settings(max_examples=60, deadline=None)
@given(
    st.lists(KINDS, min_size=3, max_size=7),
    st.integers(min_value=2, max_value=3),
    st.integers(min_value=0, max_value=10_000),
)
def test_generated_flows_are_exact_for_one_column(
    kinds: list[tuple[str, str]], count: int, seed: int
) -> None:
    costs = flowed_cost(kinds, count, seed, ("region",))
    if costs is not None:
        arrays, _, after = costs
        assert after == cheapest_at(arrays, len(kinds), count)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(KINDS, min_size=4, max_size=9),  # `generated` needs a person for each option
    st.integers(min_value=2, max_value=4),
    st.integers(min_value=0, max_value=10_000),
)
def test_generated_flows_keep_sizes_and_descend_for_two_columns(
    kinds: list[tuple[str, str]], count: int, seed: int
) -> None:
    flowed_cost(kinds, count, seed, ("region", "group"))
