"""Min-cost flow for a session with only preferences and capacities.

Without rules a choice session is a transportation problem: the flow is then stage 1's
exact answer (`fairest_flow`, the worst-off level by bisection), elsewhere a solution hint;
tests use it as an independent oracle and the benchmark as the baseline without diversity.
"""

from collections.abc import Callable
from functools import partial

import numpy as np
from ortools.graph.python import min_cost_flow

from models import Assignment, Event, RuleKind, Session
from solver.model import Key, SessionModel
from solver.rules.core import visit_left
from solver.rules.stability import MOVES


def flow_allocation(event: Event, session: Session) -> tuple[int, list[Assignment]]:
    """The cheapest placement by rank cost under capacities, ignoring every other rule."""
    people = event.audience_of(session)
    options = [option for option in event.options_of.get(session.id, []) if option.max > 0]
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1 + len(people) + len(options)
    arcs: list[tuple[int, str, str]] = []
    for i, person in enumerate(people, start=1):
        flow.add_arc_with_capacity_and_unit_cost(source, i, 1, 0)
        for j, option in enumerate(options, start=1 + len(people)):
            if event.vetoed(person.id, session.id, option.id):
                continue
            cost = event.cost(person.id, session.id, option.id)
            arc = flow.add_arc_with_capacity_and_unit_cost(i, j, 1, cost)
            arcs.append((arc, person.id, option.id))
    for j, option in enumerate(options, start=1 + len(people)):
        flow.add_arc_with_capacity_and_unit_cost(j, sink, option.max, 0)
    flow.set_node_supply(source, len(people))
    flow.set_node_supply(sink, -len(people))
    if flow.solve() != flow.OPTIMAL:
        raise ValueError(f"session {session.id}: no placement fits the capacities")
    chosen = [
        Assignment(participant=person, session=session.id, option=option)
        for arc, person, option in arcs
        if flow.flow(arc) > 0
    ]
    return flow.optimal_cost(), chosen


def flow_shaped(m: SessionModel) -> bool:
    """True when the model without group criteria is a transportation problem.

    A single-round session, no minimum sizes, no penalty but preferences, no hard group rule
    (split groups within ±1 of a fair share, hard isolation) and no together/apart rule
    between two people of the session: the rules the flow does not model are all absent.
    A published allocation fits too when the fewest moves are the only level before the
    preferences.
    """
    if m.session.rounds != 1 or m.side_constraints or any(o.min > 0 for o in m.options):
        return False
    if m.published and [name for name, _ in m.firsts] != [MOVES]:
        return False
    if any(penalty.rule != "preference" for penalty in m.penalties):
        return False
    present = {person.id for person in m.people}
    kinds = (RuleKind.TOGETHER, RuleKind.APART)
    return not any(
        len(set(rule.participants) & present) > 1 for rule in m.event.rules_for(m.session.id, kinds)
    )


def cheapest_flow(
    m: SessionModel, costs: dict[Key, int], allowed: Callable[[Key], bool]
) -> tuple[int, dict[Key, bool]] | None:
    """The cheapest placement over the allowed variables, under capacities or fixed sizes."""
    index = {person.id: i for i, person in enumerate(m.people, start=1)}
    column = {option.id: j for j, option in enumerate(m.options, start=1 + len(m.people))}
    sink = 1 + len(m.people) + len(m.options)
    flow = min_cost_flow.SimpleMinCostFlow()
    for person in m.people:
        flow.add_arc_with_capacity_and_unit_cost(0, index[person.id], 1, 0)
    keys = [key for key in costs if allowed(key)]  # added at once: 60,000 arcs in 0.02 s
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array([index[key[0]] for key in keys], dtype=np.int32),
        np.array([column[key[1]] for key in keys], dtype=np.int32),
        np.ones(len(keys), dtype=np.int64),
        np.array([costs[key] for key in keys], dtype=np.int64),
    )
    for option in m.options:
        room = m.sizes[option.id] if m.sizes is not None else option.max
        flow.add_arc_with_capacity_and_unit_cost(column[option.id], sink, room, 0)
    flow.set_node_supply(0, len(m.people))
    flow.set_node_supply(sink, -len(m.people))
    if flow.solve() != flow.OPTIMAL:
        return None
    chosen = dict.fromkeys(m.x, False)
    chosen.update(zip(keys, (flow.flows(arcs) > 0).tolist(), strict=True))
    return flow.optimal_cost(), chosen


def fairest_flow(m: SessionModel) -> tuple[int, int, dict[Key, bool]] | None:
    """Stage 1 of a transportation-shaped session, exactly: (cost, bound, placements).

    With fairness, the smallest worst-off dissatisfaction W is found by bisection (a person
    with earlier dissatisfaction D may only take placements costing at most W − D), and the
    cheapest placement is taken among those that keep it.
    """
    costs = m.costs
    if m.published:
        return fewest_moves_flow(m, costs)
    earlier = m.history.dissatisfaction
    wishing = {key[0] for key, cost in costs.items() if cost}
    ceiling: int | None = None
    if m.firsts and wishing:
        levels = sorted(
            {earlier[key[0]] + cost for key, cost in costs.items() if key[0] in wishing}
        )
        ceiling = lowest_fitting(m, costs, levels)
        if ceiling is None:
            return None
        m.caps = [ceiling]
    found = fair_under(m, costs, ceiling)
    if found is None:
        return None
    cost, chosen = found
    weighted = m.event.settings.weight_preference * cost
    return weighted, weighted, chosen


def fewest_moves_flow(
    m: SessionModel, costs: dict[Key, int]
) -> tuple[int, int, dict[Key, bool]] | None:
    """The fewest moves, then the cheapest placement: one flow with lexicographic arc costs.

    A move costs more than every preference cost together, so no saving in preferences can
    pay for one; pinned people may only keep their place, and whoever moves in a roundtable's
    later round sits only at tables they may still visit.
    """
    move = 1 + len(m.people) * max(costs.values(), default=0)
    round_ = m.rounds[0]

    def kept(key: Key) -> bool:
        return m.published.get((key[0], round_)) == key[1]

    def allowed(key: Key) -> bool:
        return kept(key) or ((key[0], round_) not in m.pinned and visit_left(m, key))

    placed = {person for person, r in m.published if r == round_}
    lexicographic = {
        key: cost + (move if key[0] in placed and not kept(key) else 0)
        for key, cost in costs.items()
    }
    found = cheapest_flow(m, lexicographic, allowed)
    if found is None:
        return None
    total, chosen = found
    m.caps = [total // move]
    weighted = m.event.settings.weight_preference * (total % move)
    return weighted, weighted, chosen


def lowest_fitting(m: SessionModel, costs: dict[Key, int], levels: list[int]) -> int | None:
    """The lowest level under which everyone can be placed (bisection: fitting is monotone)."""
    low, high = 0, len(levels) - 1
    if fair_under(m, costs, levels[high]) is None:
        return None
    while low < high:
        middle = (low + high) // 2
        if fair_under(m, costs, levels[middle]) is None:
            low = middle + 1
        else:
            high = middle
    return levels[low]


def fair_under(
    m: SessionModel, costs: dict[Key, int], ceiling: int | None
) -> tuple[int, dict[Key, bool]] | None:
    """The cheapest placement in which nobody's dissatisfaction exceeds `ceiling` (if any).

    Only people with wishes in the session count (as in the fairness rule): their earlier
    dissatisfaction plus the placement's cost must stay within the ceiling.
    """
    if ceiling is None:
        return cheapest_flow(m, costs, lambda key: True)
    earlier = m.history.dissatisfaction
    wishing = {key[0] for key, cost in costs.items() if cost}
    return cheapest_flow(
        m, costs, lambda key: key[0] not in wishing or earlier[key[0]] + costs[key] <= ceiling
    )


def flow_hint(m: SessionModel) -> dict[Key, bool]:
    """A starting point for CP-SAT: the cheapest placement on the model's own variables.

    Only preferences, eligibility (the model has no variable otherwise), capacities (or
    the fixed sizes) and, in a roundtable's later round, the tables a guest may not visit
    again count; an empty hint when the model has several rounds or no placement fits.
    """
    if len(m.rounds) != 1:
        return {}
    found = cheapest_flow(m, m.costs, partial(visit_left, m))
    return found[1] if found else {}


def published_hint(m: SessionModel) -> dict[Key, bool]:
    """A re-solve's starting point, every variable set (so that a search that finds nothing in
    its time can fall back on it): in one round, the fewest moves from the published
    placements under capacities and pins, then the cheapest (newcomers at their cheapest);
    over several rounds, or when no such flow fits, the published placements alone."""
    if len(m.rounds) == 1:
        caps = m.caps
        found = fewest_moves_flow(m, m.costs)
        m.caps = caps  # a starting point: the levels are the searches' to fix
        if found is not None:
            return found[2]
    return {key: m.published.get((key[0], key[2])) == key[1] for key in m.x}
