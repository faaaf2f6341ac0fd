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
nothing, or after `SWEEPS`. Each block's flow is as large as the block (its placements,
nodes for the values it holds), and the flows are capped (`FLOWS_PER_PERSON`): columns of
many values make many small blocks (3,000 × 12 with countries and organisations as
columns: 14,000 flows and 51 s before the cap and the blocks' own sizes, 0.13 s since).

One 5,000 × 12 session (its first day, worst-off level kept): the preference stage's 2404,
the first column's flow 1612, a sweep 1052, four 981, eight 948, in 0.25 s, where the
relaxation rounded gives 916 in several times the time.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from solver.model import Key, SessionModel
from solver.rules.groups import ceil_share, floor_share

SWEEPS = 8  # block sweeps at most (each descends; most sessions settle in fewer)
FLOWS_PER_PERSON = 0.1  # block flows at most, over every sweep (many small blocks: many flows)
FLOWS_LEAST = 100  # and at least this many allowed (a small session's sweeps are quick)

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

    def counts(self, column: int, placed: Ints, people: Ints) -> Ints:
        """How many of these people each option holds of each value of the column."""
        options, kinds = self.floors[column].shape
        flat = placed[people] * kinds + self.values[column][people]
        return np.bincount(flat, minlength=options * kinds).reshape(options, kinds)

    def deviation(self, placed: Ints) -> int:
        """People outside [floor, ceil] of their value's fair share, over every column."""
        everyone = np.arange(len(placed))
        total = 0
        for column, (floors, ceilings) in enumerate(zip(self.floors, self.ceilings, strict=True)):
            counts = self.counts(column, placed, everyone)
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
    if not np.array_equal(np.bincount(placed, minlength=len(arrays.sizes)), arrays.sizes):
        return None  # the start is not at these sizes
    before = cost_of(arrays, placed)
    everyone, every_arc = np.arange(len(placed)), np.arange(len(arrays.person))
    empty = np.zeros_like(arrays.floors[0])
    found = column_flow(arrays, 0, everyone, every_arc, placed, empty)
    if found is None:
        return None
    cost = cost_of(arrays, found)
    placed, cost = (found, cost) if cost < before else (placed, before)
    flows = max(FLOWS_LEAST, int(FLOWS_PER_PERSON * len(placed)))
    for _ in range(SWEEPS):
        placed, flows = swept(arrays, placed, flows)
        lower = cost_of(arrays, placed)
        if lower >= cost:
            break
        cost = lower
    if cost >= before:
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


def swept(arrays: Placements, placed: Ints, flows: int) -> tuple[Ints, int]:
    """One sweep of blocks: for each column, the people who share every other column's
    value, placed anew with everyone else where they are, while `flows` are left to run;
    the placements and the flows still left."""
    for free in range(len(arrays.values)):
        counts = arrays.counts(free, placed, np.arange(len(placed)))
        for moving, arcs in blocks(arrays, free):
            if flows <= 0:
                return placed, flows
            if len(np.unique(placed[moving])) < 2:
                continue  # all in one option: its seats are theirs, nothing to choose
            flows -= 1
            before = arrays.counts(free, placed, moving)
            found = column_flow(arrays, free, moving, arcs, placed, counts - before)
            if found is not None:
                placed = found
                counts += arrays.counts(free, placed, moving) - before
    return placed, flows


def blocks(arrays: Placements, free: int) -> Iterator[tuple[Ints, Ints]]:
    """The people who share every column's value but `free`'s, block by block, and their
    placements (indices into the arrays), each in increasing order."""
    others = [values for column, values in enumerate(arrays.values) if column != free]
    people = len(arrays.values[0])
    if others:
        _, block_of = np.unique(np.stack(others, axis=1), axis=0, return_inverse=True)
        block_of = block_of.reshape(-1)
    else:
        block_of = np.zeros(people, dtype=np.int64)
    arc_block = block_of[arrays.person]
    by_person = np.argsort(block_of, kind="stable")
    by_arc = np.argsort(arc_block, kind="stable")
    edges = np.arange(int(block_of.max()) + 2)
    person_ends = np.searchsorted(block_of[by_person], edges)
    arc_ends = np.searchsorted(arc_block[by_arc], edges)
    for block in range(len(edges) - 1):
        moving = by_person[person_ends[block] : person_ends[block + 1]]
        arcs = by_arc[arc_ends[block] : arc_ends[block + 1]]
        yield moving, arcs


def column_flow(
    arrays: Placements, column: int, moving: Ints, arcs: Ints, placed: Ints, held: Ints
) -> Ints | None:
    """The `moving` people (in increasing order; `arcs` their placements) placed anew at
    their least preference cost plus this column's diversity cost, everyone else staying
    in place (`held`: their counts by option and value), each option keeping as many of
    the moving people as it holds now; None when no flow fits."""
    values = arrays.values[column]
    options = held.shape[0]
    person, option = arrays.person[arcs], arrays.option[arcs]
    seats = np.bincount(placed[moving], minlength=options)
    kinds = np.unique(values[moving])  # only the values the moving people hold get nodes
    counted = 1 + len(moving)  # nodes: source 0, people, (option, value), options, sink
    option_node = counted + options * len(kinds)
    sink = option_node + options
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(moving), dtype=np.int32),
        np.arange(1, counted, dtype=np.int32),
        np.ones(len(moving), dtype=np.int64),
        np.zeros(len(moving), dtype=np.int64),
    )
    kind = np.searchsorted(kinds, values[person])
    placing = flow.add_arcs_with_capacity_and_unit_cost(
        (1 + np.searchsorted(moving, person)).astype(np.int32),
        (counted + option * len(kinds) + kind).astype(np.int32),
        np.ones(len(arcs), dtype=np.int64),
        arrays.cost[arcs],
    )
    tails, capacities, costs = convex_steps(
        held[:, kinds],
        arrays.floors[column][:, kinds],
        arrays.ceilings[column][:, kinds],
        seats,
        arrays.weight,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        (counted + tails).astype(np.int32),
        (option_node + tails // len(kinds)).astype(np.int32),
        capacities,
        costs,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(option_node, sink, dtype=np.int32),
        np.full(options, sink, dtype=np.int32),
        seats.astype(np.int64),
        np.zeros(options, dtype=np.int64),
    )
    flow.set_node_supply(0, len(moving))
    flow.set_node_supply(sink, -len(moving))
    if flow.solve() != flow.OPTIMAL:
        return None
    taken = flow.flows(placing) > 0
    result = placed.copy()
    result[person[taken]] = option[taken]
    return result


def convex_steps(
    held: Ints, floor: Ints, ceiling: Ints, seats: Ints, weight: int
) -> tuple[Ints, Ints, Ints]:
    """The arcs that charge each option's count of each value (option × value arrays),
    starting at `held`, `weight` per person outside [floor, ceiling]: each person added
    below the floor saves `weight`, within the band costs nothing, above the ceiling costs
    `weight`. As (option × value node, row-major; capacity; unit cost), empty arcs left out."""
    below = np.maximum(0, floor - held)
    within = np.maximum(0, ceiling - np.maximum(held, floor))
    above = np.broadcast_to(seats[:, None], held.shape)
    node = np.arange(held.size).reshape(held.shape)
    tails = np.concatenate([node.ravel()] * 3)
    capacities = np.concatenate([below.ravel(), within.ravel(), above.ravel()]).astype(np.int64)
    costs = np.repeat(np.array([-weight, 0, weight], dtype=np.int64), held.size)
    kept = capacities > 0
    return tails[kept], capacities[kept], costs[kept]
