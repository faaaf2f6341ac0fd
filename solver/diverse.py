"""Diversity by min-cost flows: a start at fixed sizes that costs a fraction of a relaxation.

With each option's size fixed, the fair shares of one diversity column are numbers, and
the cost of an option's count of a value (`weight_diversity` per person outside [floor,
ceil]) is convex in that count: a flow through a node per option and value, with three arcs
from it to the option (below the floor at −weight, within the band at 0, above the ceiling
at +weight), places everyone at their least preference and diversity cost for that column
exactly. Two columns cross (a flow keeps one family of counts, not two), so the others are
improved by blocks: the people who share a value in every column but one, with everyone
else in place, have as many places in each option as the sizes leave them, so only that
one column's counts are theirs to choose, exactly again. Each block's flow costs no more
than the placements it replaces, so the sweeps only descend; they stop when a sweep gains
nothing, or after `SWEEPS`.

One 5,000 × 12 session (its first day, worst-off level kept): the preference stage's 2404,
the first column's flow 1612, a sweep 1039, four 970, where the relaxation rounded gives
916 in several times the time.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from solver.model import Key, SessionModel
from solver.rules.groups import ceil_share, floor_share

SWEEPS = 8  # block sweeps at most (each descends; most sessions settle in fewer)

Ints = NDArray[np.int64]


@dataclass
class Placements:
    """A single-round session as arrays: each allowed placement's person, option and cost."""

    person: Ints
    option: Ints
    cost: Ints
    sizes: Ints  # by option
    values: list[Ints]  # by diversity column: each person's value index
    floors: list[Ints]  # by column: option × value
    ceilings: list[Ints]
    weight: int

    def deviation(self, placed: Ints) -> int:
        """People outside [floor, ceil] of their value's fair share, over every column."""
        total = 0
        for values, floors, ceilings in zip(self.values, self.floors, self.ceilings, strict=True):
            counts = np.zeros(floors.shape, dtype=np.int64)
            np.add.at(counts, (placed, values), 1)
            total += int((np.maximum(counts - ceilings, 0) + np.maximum(floors - counts, 0)).sum())
        return total


def diverse_placements(
    m: SessionModel, sizes: dict[str, int], start: dict[Key, bool]
) -> dict[Key, bool] | None:
    """Placements at these sizes with less preference and diversity cost than `start` (on the
    model's own variables, so every eligibility and level the model keeps holds); None when
    the model has no diversity column to weigh, several rounds, or the flows find no gain."""
    arrays = placement_arrays(m, sizes)
    if arrays is None:
        return None
    index = {key: i for i, key in enumerate(m.x)}
    placed = np.full(len(m.people), -1, dtype=np.int64)
    for key, on in start.items():
        if on and key in index:
            placed[arrays.person[index[key]]] = arrays.option[index[key]]
    if (placed < 0).any():
        return None
    before = cost_of(arrays, placed)
    found = column_flow(arrays, 0, np.zeros(len(m.people), dtype=bool), placed)
    if found is None:
        return None
    placed = found if cost_of(arrays, found) < before else placed
    for _ in range(SWEEPS):
        cost = cost_of(arrays, placed)
        placed = swept(arrays, placed)
        if cost_of(arrays, placed) >= cost:
            break
    if cost_of(arrays, placed) >= before:
        return None
    taken = (placed[arrays.person] == arrays.option).tolist()
    return dict(zip(m.x, taken, strict=True))


def placement_arrays(m: SessionModel, sizes: dict[str, int]) -> Placements | None:
    """The model's placements as arrays, with every diversity column's fair shares at these
    sizes (None without a column of two values or more, or with several rounds)."""
    settings = m.event.settings
    if len(m.rounds) != 1 or not settings.weight_diversity or not m.people:
        return None
    people = {person.id: i for i, person in enumerate(m.people)}
    options = {option.id: j for j, option in enumerate(m.options)}
    keys = list(m.x)
    size = np.array([sizes.get(option.id, 0) for option in m.options], dtype=np.int64)
    values, floors, ceilings = [], [], []
    for column in settings.diversity:
        names = [person.attribute(column) for person in m.people]
        kinds = sorted({name for name in names if name})
        if len(kinds) < 2:
            continue
        number = {name: k for k, name in enumerate(kinds, start=1)}  # 0: no value, no share
        value = np.array([number.get(name, 0) for name in names], dtype=np.int64)
        share = np.bincount(value, minlength=len(kinds) + 1)
        total = len(m.people)
        floor = np.array([[floor_share(int(s), total, int(k)) for s in share] for k in size])
        ceiling = np.array([[ceil_share(int(s), total, int(k)) for s in share] for k in size])
        floor[:, 0], ceiling[:, 0] = 0, total
        values.append(value)
        floors.append(floor)
        ceilings.append(ceiling)
    if not values:
        return None
    return Placements(
        person=np.array([people[key[0]] for key in keys], dtype=np.int64),
        option=np.array([options[key[1]] for key in keys], dtype=np.int64),
        cost=np.array([m.costs[key] for key in keys], dtype=np.int64) * settings.weight_preference,
        sizes=size,
        values=values,
        floors=floors,
        ceilings=ceilings,
        weight=settings.weight_diversity,
    )


def cost_of(arrays: Placements, placed: Ints) -> int:
    """Preference and diversity cost of these placements (each person's option)."""
    chosen = arrays.option == placed[arrays.person]
    return int(arrays.cost[chosen].sum()) + arrays.weight * arrays.deviation(placed)


def swept(arrays: Placements, placed: Ints) -> Ints:
    """One sweep of blocks: for each column, the people who share every other column's
    value, placed anew with everyone else where they are."""
    columns = len(arrays.values)
    for free in range(columns):
        others = [arrays.values[c] for c in range(columns) if c != free]
        signature = np.stack(others, axis=1) if others else np.zeros((len(placed), 1), np.int64)
        _, block_of = np.unique(signature, axis=0, return_inverse=True)
        for block in range(int(block_of.max()) + 1):
            found = column_flow(arrays, free, block_of.reshape(-1) != block, placed)
            if found is not None:
                placed = found
    return placed


def column_flow(
    arrays: Placements, column: int, fixed: NDArray[np.bool_], placed: Ints
) -> Ints | None:
    """The people not `fixed` placed anew at their least preference cost plus this column's
    diversity cost, everyone fixed staying in place (their counts given), each option taking
    the seats its size leaves; None when no flow fits."""
    moving = np.flatnonzero(~fixed)
    if not len(moving):
        return placed
    values, floors, ceilings = arrays.values[column], arrays.floors[column], arrays.ceilings[column]
    options, kinds = floors.shape
    held = np.zeros((options, kinds), dtype=np.int64)
    np.add.at(held, (placed[fixed], values[fixed]), 1)
    seats = arrays.sizes - held.sum(axis=1)
    if (seats < 0).any() or seats.sum() != len(moving):
        return None
    local = np.full(len(placed), -1, dtype=np.int64)
    local[moving] = np.arange(len(moving))
    arcs = np.flatnonzero(local[arrays.person] >= 0)
    person, option = arrays.person[arcs], arrays.option[arcs]
    counted = 1 + len(moving)  # nodes: source 0, people, (option, value), options, sink
    option_node = counted + options * kinds
    sink = option_node + options
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(moving), dtype=np.int32),
        (1 + np.arange(len(moving))).astype(np.int32),
        np.ones(len(moving), dtype=np.int64),
        np.zeros(len(moving), dtype=np.int64),
    )
    placing = flow.add_arcs_with_capacity_and_unit_cost(
        (1 + local[person]).astype(np.int32),
        (counted + option * kinds + values[person]).astype(np.int32),
        np.ones(len(arcs), dtype=np.int64),
        arrays.cost[arcs],
    )
    for o in range(options):
        for v in range(kinds):
            for capacity, cost in convex_steps(
                int(held[o, v]),
                int(floors[o, v]),
                int(ceilings[o, v]),
                int(seats[o]),
                arrays.weight,
            ):
                flow.add_arc_with_capacity_and_unit_cost(
                    counted + o * kinds + v, option_node + o, capacity, cost
                )
        flow.add_arc_with_capacity_and_unit_cost(option_node + o, sink, int(seats[o]), 0)
    flow.set_node_supply(0, len(moving))
    flow.set_node_supply(sink, -len(moving))
    if flow.solve() != flow.OPTIMAL:
        return None
    taken = flow.flows(placing) > 0
    result = placed.copy()
    result[person[taken]] = option[taken]
    return result


def convex_steps(
    held: int, floor: int, ceiling: int, seats: int, weight: int
) -> list[tuple[int, int]]:
    """The arcs (capacity, unit cost) that charge an option's count of a value, starting at
    `held`, `weight` per person outside [floor, ceiling]: each person added below the floor
    saves `weight`, within the band costs nothing, above the ceiling costs `weight`."""
    below = max(0, floor - held)
    within = max(0, ceiling - max(held, floor))
    steps = [(below, -weight), (within, 0), (seats, weight)]
    return [(capacity, cost) for capacity, cost in steps if capacity > 0]
