"""Min-cost flow for a session with only preferences and capacities.

Used as an independent oracle in tests, as the lower limit in the benchmark, and as a
solution hint: without rules a choice session is a transportation problem.
"""

from ortools.graph.python import min_cost_flow

from models import Assignment, Event, Session


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
