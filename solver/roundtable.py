"""A roundtable's rounds improved together: a tabu search on swaps, after the round-by-round solve.

Solving a roundtable one round at a time is myopic: round 1 seats everyone at their favourite
table without knowing that rounds 2 and 3 then have to repeat pairs. This search sees every
round at once. It moves two people of one round between their tables (so every table keeps
its size), never breaking a hard rule: hosts, pinned people and people named in an organiser's
rule stay where the round-by-round solve put them, nobody is moved to a table they may not
take or visit too often, and nobody's dissatisfaction rises above the worst-off person's.

It minimises the session's whole objective, the same terms as the CP-SAT rules with the same
weights: preference costs, pairs who meet again (earlier days: `weight_mixing`; earlier rounds:
`weight_new_peers`), and, per table and round, diversity, isolation and colleagues beyond
their fair share. Every swap of a round is evaluated at once with numpy (the pair-weight
matrix times the table membership, Dotú & Van Hentenryck's social-golfer tabu search extended
with preferences and attributes), the rounds taken in turn. A person may not go back to the
table they just left for a few iterations. To let people exchange the order of their tables
between rounds, the search may pass through one visit beyond the limit (at a cost), never
keeping such a schedule. After `STALL` iterations without a better schedule it restarts from
the best one shaken by a few random swaps, and ends after `RESTARTS` fruitless restarts: the
same seed gives the same result, whatever the machine's speed, unless time runs out first.
"""

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from models import Assignment, Event, Participant, Session, Strength
from solver.history import History
from solver.rules import may_take
from solver.rules.core import visits_allowed
from solver.rules.groups import met_before

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

REVISIT = 3  # × weight_new_peers: the cost of a visit beyond the limit, on the way only
MOST_EXCESS = 1  # visits beyond the limit the search may pass through (never in the result)
STALL = 600  # iterations without a better schedule before a restart
KICK = 3  # random swaps that shake the best schedule for a restart
RESTARTS = 3  # restarts in a row without a better schedule before the search ends
TENURE = (3, 12)  # iterations a person may not return to the table they left (random range)
TOP_WISHES = 3  # nobody who sits at one of their top 3 tables loses their last one
FORBIDDEN = 1 << 40  # the cost of a count the hard rules forbid (hard isolation)


@dataclass
class Attribute:
    """One attribute rule: each person's value code and the cost of each count per table."""

    codes: Ints  # (people,) value index, or the last index (no cost) for an empty value
    cost: Ints  # (rounds, values + 1, tables, most + 2): cost of c people of a value at a table


@dataclass
class Seating:
    """A roundtable session as arrays: who sits where, what is allowed, what costs."""

    people: list[str]
    tables: list[str]
    rounds: list[int]
    seat: Ints  # (people, rounds) table index
    movable: Bools  # (people,)
    allowed: Bools  # (people, tables)
    most_visits: Ints  # (people, tables) times a person may sit at the table
    preference: Ints  # (people, tables) weighted rank cost
    dissatisfaction: Ints  # (people, tables) unweighted rank cost, for fairness
    wished: Bools  # (people, tables) among the person's top TOP_WISHES
    earlier: Ints  # (people,) dissatisfaction from earlier days
    worst: int | None  # nobody's dissatisfaction may exceed this (None: fairness off)
    history: Ints  # (people, people) cost of a pair meeting again, from earlier days
    new_peers: int  # cost of each earlier-round meeting of a pair in this session
    attributes: list[Attribute]


@dataclass(frozen=True)
class Polished:
    """The search's schedule, its cost under the search's own objective, and its work."""

    assignments: list[Assignment]
    start_cost: int
    cost: int
    iterations: int
    seconds: float


def polish_roundtable(
    event: Event,
    session: Session,
    history: History,
    start: list[Assignment],
    seconds: float,
    stopped: Callable[[], bool] = lambda: False,
) -> Polished:
    """Improve a roundtable's allocation across all its rounds (history: earlier days only);
    `stopped` ends the search at once when it says so (Ctrl-C)."""
    began = time.monotonic()
    seating = seating_of(event, session, history, start)
    search = Search(seating, random.Random(event.settings.seed), stopped)
    start_cost = search.total()
    iterations = search.run(began + seconds)
    return Polished(
        assignments=assignments_of(session, seating, search.best),
        start_cost=start_cost,
        cost=search.best_cost,
        iterations=iterations,
        seconds=time.monotonic() - began,
    )


def lifted(
    event: Event, session: Session, history: History, start: list[Assignment], level: int
) -> list[Assignment] | None:
    """`start` with everyone above the worst-off `level` brought within it, each by the
    swap that does so at the least cost (`Search.lifting`); None when one of them has no
    such swap."""
    seating = seating_of(event, session, history, start)
    if seating.worst is None or seating.worst <= level:
        return start
    seating.worst = level
    search = Search(seating, random.Random(event.settings.seed))
    wishing = seating.dissatisfaction.any(axis=1)  # as `worst_off` counts them
    for person in np.flatnonzero(wishing & (search.person_cost > level)).tolist():
        move = search.lifting(person)
        if move is None:
            return None
        search.swap(*move, 0)
    return assignments_of(session, seating, seating.seat)


def can_polish(event: Event, session: Session, published: bool) -> bool:
    """A search helps roundtables of several rounds with some group criterion to weigh, not
    re-solves (they keep people in place)."""
    settings = event.settings
    weighed = (
        settings.weight_new_peers
        or settings.weight_mixing
        or (settings.diversity and settings.weight_diversity)
        or (settings.spread and settings.weight_spread)
        or (settings.no_isolation and settings.weight_isolation)
    )
    several = session.rounds > 1 and len(event.options_of[session.id]) > 1
    return bool(weighed) and several and not published


def preference_bound(event: Event, session: Session) -> int:
    """Each person's cheapest allowed tables, as often as they may visit each, over the rounds
    (weighted): a lower bound of the preference cost of any schedule."""
    people = event.audience_of(session)
    allowed = allowed_tables(event, session, people)
    costs = rank_costs(event, session, people) * event.settings.weight_preference
    total = 0
    for row, ok, most in zip(costs, allowed, most_visits(event, session, allowed), strict=True):
        cheapest = np.sort(np.repeat(row[ok], most[ok]))
        total += int(cheapest[: session.rounds].sum())
    return total


def repeats_bound(sizes: list[int], rounds: int) -> int:
    """The fewest pairs who share a table again, over every two rounds of a session whose
    tables hold these sizes in each round, whoever sits where.

    Between two rounds, m[i][j] people of table i sit at table j next, so the tables' sizes
    are the margins and the pairs met again number Σ C(m[i][j], 2): convex in each cell, so a
    min-cost flow with one unit arc per extra person (costing the people already there)
    finds the least. Every pair of rounds has at least that many.
    """
    tables = [size for size in sizes if size > 0]
    if rounds < 2:
        return 0
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink, count = 0, 1, len(tables)
    for i, size in enumerate(tables):
        flow.add_arc_with_capacity_and_unit_cost(source, 2 + i, size, 0)
        flow.add_arc_with_capacity_and_unit_cost(2 + count + i, sink, size, 0)
        for j, other in enumerate(tables):
            for already in range(min(size, other)):
                flow.add_arc_with_capacity_and_unit_cost(2 + i, 2 + count + j, 1, already)
    flow.set_node_supply(source, sum(tables))
    flow.set_node_supply(sink, -sum(tables))
    if flow.solve() != flow.OPTIMAL:
        return 0
    return rounds * (rounds - 1) // 2 * flow.optimal_cost()


# ---------------------------------------------------------------- the session as arrays


def seating_of(
    event: Event, session: Session, history: History, start: list[Assignment]
) -> Seating:
    """The arrays of a session, seated as in `start`."""
    people = event.audience_of(session)
    ids = [p.id for p in people]
    tables = [o.id for o in event.options_of[session.id]]
    rounds = list(range(1, session.rounds + 1))
    index = {pid: i for i, pid in enumerate(ids)}
    column = {tid: j for j, tid in enumerate(tables)}
    seat = np.zeros((len(ids), len(rounds)), dtype=np.int64)
    for a in start:
        seat[index[a.participant], a.round - 1] = column[a.option]
    allowed = allowed_tables(event, session, people)
    hosts = {pid for pid in ids if (pid, session.id) in event.host_option}
    ruled = {pid for rule in event.rules_of(session.id) for pid in rule.participants}
    movable = np.array([pid not in hosts and pid not in ruled for pid in ids], dtype=np.bool_)
    rank_cost = rank_costs(event, session, people)
    earlier = np.array([history.dissatisfaction[pid] for pid in ids], dtype=np.int64)
    sizes = np.array([np.bincount(seat[:, r], minlength=len(tables)) for r in range(len(rounds))])
    return Seating(
        people=ids,
        tables=tables,
        rounds=rounds,
        seat=seat,
        movable=movable,
        allowed=allowed,
        most_visits=most_visits(event, session, allowed),
        preference=rank_cost * event.settings.weight_preference,
        dissatisfaction=rank_cost,
        wished=np.array(
            [[wished(event, session, pid, tid) for tid in tables] for pid in ids], dtype=np.bool_
        ),
        earlier=earlier,
        worst=worst_off(event, seat, rank_cost, earlier),
        history=pair_weights(event, session, history, ids, index),
        new_peers=event.settings.weight_new_peers,
        attributes=attributes(event, session, sizes),
    )


def wished(event: Event, session: Session, person: str, table: str) -> bool:
    """Whether the table is among the person's TOP_WISHES best-ranked ones."""
    wishes = event.preferences_of.get((person, session.id), {})
    ranked = sorted((pref.rank, option) for option, pref in wishes.items() if pref.rank is not None)
    return table in {option for _, option in ranked[:TOP_WISHES]}


def at_a_wish(event: Event, session: Session, seats: Iterable[tuple[str, str]]) -> set[str]:
    """The people who sit at one of their top tables among these (person, table) seats."""
    return {person for person, table in seats if wished(event, session, person, table)}


def keeps_top_wishes(
    event: Event, session: Session, before: list[Assignment], after: list[Assignment]
) -> bool:
    """Whether everyone who sits at one of their top tables in `before` still does in
    `after` (what the search never breaks)."""
    seats_before = ((a.participant, a.option) for a in before)
    seats_after = ((a.participant, a.option) for a in after)
    return at_a_wish(event, session, seats_before) <= at_a_wish(event, session, seats_after)


def allowed_tables(event: Event, session: Session, people: list[Participant]) -> Bools:
    """Which tables each person may take (open, and no eligibility rule against it)."""
    options = event.options_of[session.id]
    return np.array(
        [[may_take(event, session, p, o) for o in options] for p in people],
        dtype=np.bool_,
    )


def rank_costs(event: Event, session: Session, people: list[Participant]) -> Ints:
    """Each person's rank cost of each table, before weighting (a host's cost nothing)."""
    tables = [o.id for o in event.options_of[session.id]]
    return np.array(
        [[event.cost(p.id, session.id, t) for t in tables] for p in people], dtype=np.int64
    )


def most_visits(event: Event, session: Session, allowed: Bools) -> Ints:
    """How often each person may sit at each table: a host's table once while there are
    enough tables (the CP-SAT rule's limit), a table without host in every round."""
    rounds = session.rounds
    hosted = np.array([bool(o.hosts) for o in event.options_of[session.id]], dtype=np.bool_)
    limit = np.array([[visits_allowed(rounds, int(usable))] for usable in allowed.sum(axis=1)])
    return np.where(hosted, limit, rounds).astype(np.int64)


def worst_off(event: Event, seat: Ints, rank_cost: Ints, earlier: Ints) -> int | None:
    """The worst-off dissatisfaction of the start, which the search may not exceed."""
    if not event.settings.weight_fairness:
        return None
    totals = earlier + rank_cost[np.arange(len(seat))[:, None], seat].sum(axis=1)
    wishing = rank_cost.any(axis=1)
    return int(totals[wishing].max()) if wishing.any() else None


def pair_weights(
    event: Event, session: Session, history: History, ids: list[str], index: dict[str, int]
) -> Ints:
    """What each pair costs when they share a table, from their meetings on earlier days."""
    people = event.audience_of(session)
    weights = np.zeros((len(ids), len(ids)), dtype=np.int64)
    for met, weight in met_before(event, session, people, history).items():
        members = [index[pid] for pid in met]
        for a, b in combinations(members, 2):
            weights[a, b] += weight
            weights[b, a] += weight
    return weights


def attributes(event: Event, session: Session, sizes: Ints) -> list[Attribute]:
    """The attribute rules as cost tables: diversity, colleagues apart, no isolation."""
    settings = event.settings
    people = event.audience_of(session)
    found = []
    if settings.weight_diversity:
        for column in settings.diversity:
            values = values_in(people, column, least=1)
            if len(values) > 1:
                found.append(attribute(people, values, sizes, diversity(settings.weight_diversity)))
    if settings.weight_spread:
        for column in settings.spread:
            values = values_in(people, column, least=2)
            found.append(attribute(people, values, sizes, too_many(settings.weight_spread)))
    hard = settings.no_isolation_strength is Strength.HARD
    if hard or settings.weight_isolation:
        for column in settings.no_isolation:
            values = values_in(people, column, least=2)
            alone = FORBIDDEN if hard else settings.weight_isolation
            found.append(attribute(people, values, sizes, isolated(alone)))
    return [a for a in found if a.cost.shape[1] > 1]


def values_in(people: list[Participant], column: str, least: int) -> dict[str, list[int]]:
    """The positions of the people with each value of a column (values held by `least`+)."""
    grouped: dict[str, list[int]] = {}
    for i, person in enumerate(people):
        value = person.attribute(column)
        if value:
            grouped.setdefault(value, []).append(i)
    return {value: found for value, found in grouped.items() if len(found) >= least}


CountCost = Callable[[int, int, int], int]  # (count, fair low, fair high) -> cost


def diversity(weight: int) -> CountCost:
    """Each person beyond [low, high] costs `weight`."""
    return lambda count, low, high: weight * (max(0, count - high) + max(0, low - count))


def too_many(weight: int) -> CountCost:
    """Each person above `high` costs `weight`."""
    return lambda count, _low, high: weight * max(0, count - high)


def isolated(weight: int) -> CountCost:
    """Being the only one costs `weight`."""
    return lambda count, _low, _high: weight if count == 1 else 0


def attribute(
    people: list[Participant], values: dict[str, list[int]], sizes: Ints, cost: CountCost
) -> Attribute:
    """A rule's cost of every count of every value at every table and round (fair shares
    from each table's size, as in the CP-SAT model)."""
    total = len(people)
    codes = np.full(total, len(values), dtype=np.int64)
    for code, members in enumerate(values.values()):
        codes[members] = code
    rounds, tables = sizes.shape
    table = np.zeros((rounds, len(values) + 1, tables, int(sizes.max()) + 2), dtype=np.int64)
    for code, members in enumerate(values.values()):
        share = len(members)
        for r in range(rounds):
            for t in range(tables):
                size = int(sizes[r, t])
                low, high = share * size // total, -(-share * size // total)
                for count in range(table.shape[3]):
                    table[r, code, t, count] = cost(count, low, high)
    return Attribute(codes=codes, cost=table)


# ---------------------------------------------------------------- the search


@dataclass(frozen=True)
class Steps:
    """An attribute rule's cost changes when one person joins or leaves a table, by count,
    made once for the search (the movable people's rows only)."""

    codes: Ints  # (movers,) value index
    unequal: Bools  # (movers, movers) whether two movers differ in the attribute
    join: Ints  # (rounds, values + 1, tables, most + 2): one more at c people
    leave: Ints  # the same: one fewer at c people (0 at c = 0)
    values: Ints  # (values + 1, tables) index grids into a count table
    tables: Ints

    def deltas(self, count: Ints, r: int, seat: Ints) -> Ints:
        """[p, q]: what p's leaving their table and joining q's changes in the rule's cost.

        A swap changes the cost by [p, q] + [q, p] when p and q differ in the attribute, and
        not at all when they share it.
        """
        join = self.join[r][self.values, self.tables, count]
        leave = self.leave[r][self.values, self.tables, count]
        result: Ints = join[self.codes][:, seat] + leave[self.codes, seat][:, None]
        return result


def steps_of(a: Attribute, movers: Ints) -> Steps:
    """The rule's cost changes by count, for the movable people."""
    join = np.zeros_like(a.cost)
    join[..., :-1] = a.cost[..., 1:] - a.cost[..., :-1]
    leave = np.zeros_like(a.cost)
    leave[..., 1:] = a.cost[..., :-1] - a.cost[..., 1:]
    codes = a.codes[movers]
    grid = np.indices(a.cost.shape[1:3], dtype=np.int64)
    unequal = codes[:, None] != codes[None, :]
    return Steps(codes, unequal, join, leave, grid[0], grid[1])


class Search:
    """Tabu search on swaps of two people of one round; keeps the best schedule seen."""

    def __init__(
        self, seating: Seating, rng: random.Random, stopped: Callable[[], bool] = lambda: False
    ) -> None:
        self.s = seating
        self.rng = rng
        self.stopped = stopped
        people = len(seating.people)
        self.tables = len(seating.tables)
        self.everyone = np.arange(people)
        self.movers = np.flatnonzero(seating.movable)
        movers = self.movers
        self.upper = np.triu(np.ones((len(movers), len(movers)), dtype=np.bool_), 1)
        self.diagonal = (np.arange(len(movers)), movers)
        self.history = seating.history[movers]
        self.preference = seating.preference[movers]
        self.dissatisfaction = seating.dissatisfaction[movers]
        self.allowed = seating.allowed[movers]
        self.wished = seating.wished[movers]
        self.most_visits = seating.most_visits[movers]
        self.steps = [steps_of(a, movers) for a in seating.attributes]
        self.revisit = REVISIT * max(1, seating.new_peers)
        self.load(seating.seat)
        self.best = seating.seat.copy()
        self.best_cost = self.cost

    def load(self, seat: Ints) -> None:
        """Seat everyone as in `seat` and count everything anew."""
        s = self.s
        s.seat[:] = seat
        rounds = seat.shape[1]
        self.onehot = [self.members(r) for r in range(rounds)]
        self.met: Ints = np.sum([t @ t.T for t in self.onehot], axis=0)
        np.fill_diagonal(self.met, 0)
        self.visits: Ints = np.sum(self.onehot, axis=0)
        self.counts = [
            [
                np.bincount(
                    a.codes * self.tables + seat[:, r], minlength=a.cost[r, :, :, 0].size
                ).reshape(a.cost.shape[1:3])
                for r in range(rounds)
            ]
            for a in s.attributes
        ]
        self.person_cost = s.earlier + s.dissatisfaction[self.everyone[:, None], seat].sum(axis=1)
        self.wishes_met = s.wished[self.everyone[:, None], seat].sum(axis=1)
        self.tabu = np.zeros((rounds, len(self.everyone), self.tables), dtype=np.int64)
        self.excess = 0  # visits beyond most_visits: allowed on the way, never in the best
        self.cost = self.total()

    def members(self, r: int) -> Ints:
        """Who sits at which table in round r, as a people × tables 0/1 matrix."""
        return (self.s.seat[:, r][:, None] == np.arange(self.tables)).astype(np.int64)

    def total(self) -> int:
        """The schedule's cost: preferences, pairs meeting again, attribute rules."""
        s = self.s
        cost = int(s.preference[self.everyone[:, None], s.seat].sum())
        for t in self.onehot:
            together = t @ t.T
            np.fill_diagonal(together, 0)
            cost += int((s.history * together).sum()) // 2
        cost += s.new_peers * int((self.met * (self.met - 1)).sum()) // 4
        for a, counts in zip(s.attributes, self.counts, strict=True):
            for r, count in enumerate(counts):
                values, tables = np.indices(count.shape)
                cost += int(a.cost[r, values, tables, count].sum())
        return cost

    def run(self, deadline: float) -> int:
        """Tabu search until STALL iterations bring nothing better, then again from the best
        schedule shaken by KICK random swaps, until RESTARTS such runs in a row found nothing
        better (or time runs out); the iterations made."""
        iteration = fruitless = 0
        while fruitless < RESTARTS and self.going(deadline):
            before, since = self.best_cost, 0
            while since < STALL and self.going(deadline):
                move = self.best_move(iteration)
                if move is not None:
                    self.swap(*move, iteration)
                iteration += 1
                since += 1
                if self.cost < self.best_cost and not self.excess:
                    self.best, self.best_cost, since = self.s.seat.copy(), self.cost, 0
            self.load(self.best)
            if self.separate_pairs(iteration):
                self.best, self.best_cost = self.s.seat.copy(), self.cost
            fruitless = 0 if self.best_cost < before else fruitless + 1
            self.kick(iteration)
        self.load(self.best)
        return iteration

    def going(self, deadline: float) -> bool:
        """Whether the search may go on: time left and nobody stopped it."""
        return time.monotonic() < deadline and not self.stopped()

    def separate_pairs(self, iteration: int) -> bool:
        """Pairs who meet in two rounds: one of them takes their two tables in the other order.

        A move of two swaps (with someone at each table), which single swaps cannot make
        without a second visit to a table in between. Each improving one is kept.
        """
        improved = False
        twice = np.argwhere(np.triu(self.met >= 2))
        movable = set(self.movers.tolist())
        for p in sorted({int(x) for pair in twice for x in pair if int(x) in movable}):
            for r1, r2 in combinations(range(self.s.seat.shape[1]), 2):
                improved |= self.exchange(p, r1, r2, iteration)
        return improved

    def exchange(self, p: int, r1: int, r2: int, iteration: int) -> bool:
        """Seat p at their round-r2 table in r1 and the other way round, if that costs less."""
        seat, before = self.s.seat.copy(), self.cost
        if seat[p, r1] == seat[p, r2]:
            return False
        for r in (r1, r2):
            delta, ok, _change = self.deltas(r, iteration, strict=False)
            row = int(np.flatnonzero(self.movers == p)[0])
            target = seat[p, r2 if r == r1 else r1]
            ok[row] &= self.s.seat[self.movers, r] == target
            if not ok[row].any():
                self.load(seat)
                return False
            q = int(np.argmin(np.where(ok[row], delta[row], np.inf)))
            self.swap(r, p, int(self.movers[q]), int(delta[row, q]), iteration)
        if self.cost < before and not self.excess:
            return True
        self.load(seat)
        return False

    def lifting(self, person: int) -> tuple[int, int, int, int] | None:
        """The cheapest swap (round, person, other, delta) that brings `person` within the
        worst-off level, keeping every hard rule, the visits' limit, everyone's top table
        and the other person within the level; None when there is none."""
        rows = np.flatnonzero(self.movers == person)
        if not len(rows):
            return None
        best: tuple[int, int, int, int] | None = None
        for r in range(self.s.seat.shape[1]):
            delta, ok, change = self.deltas(r, 0, strict=False)
            row = rows[0]
            ok = ok[row] & (change[row] == 0) & (delta[row] < FORBIDDEN // 2)
            if ok.any():
                q = int(np.argmin(np.where(ok, delta[row], FORBIDDEN)))
                if best is None or delta[row, q] < best[3]:
                    best = (r, person, int(self.movers[q]), int(delta[row, q]))
        return best

    def kick(self, iteration: int) -> None:
        """Make KICK random allowed swaps (hard rules kept, however much they cost)."""
        for _ in range(KICK):
            r = self.rng.randrange(self.s.seat.shape[1])
            delta, allowed, change = self.deltas(r, iteration)
            allowed &= self.upper & (delta < FORBIDDEN // 2) & (change == 0)
            ps, qs = np.nonzero(allowed)
            if len(ps):
                pick = self.rng.randrange(len(ps))
                self.swap(
                    r,
                    int(self.movers[ps[pick]]),
                    int(self.movers[qs[pick]]),
                    int(delta[ps[pick], qs[pick]]),
                    iteration,
                )

    def best_move(self, iteration: int) -> tuple[int, int, int, int] | None:
        """The best allowed swap (round, p, q, delta), the rounds taken in turn; ties at random."""
        r = iteration % self.s.seat.shape[1]
        delta, allowed, _change = self.deltas(r, iteration)
        allowed &= self.upper
        if not allowed.any():
            return None
        low = delta[allowed].min()
        ps, qs = np.nonzero(allowed & (delta == low))
        p, q = self.rng.choice(list(zip(ps.tolist(), qs.tolist(), strict=True)))
        return r, int(self.movers[p]), int(self.movers[q]), int(low)

    def deltas(self, r: int, iteration: int, strict: bool = True) -> tuple[Ints, Bools, Ints]:
        """What swapping each pair of movable people of round r changes, which may swap, and
        how it changes the visits beyond the limit (`strict`: within the tabu and the limit)."""
        s, movers = self.s, self.movers
        seat = s.seat[movers, r]
        together = seat[:, None] == s.seat[None, :, r]
        weights = self.history + s.new_peers * (self.met[movers] - together)
        weights[self.diagonal] = 0
        # float products use BLAS (integer ones do not); the values stay exact integers
        by_table = weights.astype(np.float64) @ self.onehot[r].astype(np.float64)
        pulled = (by_table + self.preference)[:, seat]  # [p, q]: p at q's table
        own = np.diagonal(pulled)
        delta = pulled + pulled.T - own[:, None] - own[None, :] - 2 * weights[:, movers]
        moved = np.zeros_like(delta)
        for steps, counts in zip(self.steps, self.counts, strict=True):
            moved += steps.unequal * steps.deltas(counts[r], r, seat)
        delta += moved + moved.T
        visits = self.visits[movers]
        rows = np.arange(len(movers))
        over = (visits[:, seat] >= self.most_visits[:, seat]).astype(np.int64)  # p at q's table
        left = visits[rows, seat] > self.most_visits[rows, seat]
        excess = over - left[:, None]
        delta += self.revisit * (excess + excess.T)
        ok = self.allowed[:, seat].copy()
        if s.worst is not None:
            fair = self.dissatisfaction[:, seat]
            after = self.person_cost[movers][:, None] - np.diagonal(fair)[:, None] + fair
            ok &= after <= s.worst
        wished = self.wished[:, seat]
        last = (self.wishes_met[movers] == 1) & np.diagonal(wished)
        ok &= wished | ~last[:, None]  # keeps a top wish
        ok &= ok.T & (seat[:, None] != seat[None, :])
        change = excess + excess.T
        if not strict:
            return delta, ok, change
        tabu = self.tabu[r][movers][:, seat] > iteration
        tabu |= tabu.T
        better = self.cost + delta - self.revisit * change < self.best_cost
        ok &= ~tabu | (better & (self.excess + change == 0))
        ok &= self.excess + change <= MOST_EXCESS
        return delta, ok, change

    def swap(self, r: int, p: int, q: int, delta: int, iteration: int) -> None:
        """Swap p and q in round r and update every count."""
        s = self.s
        a, b = int(s.seat[p, r]), int(s.seat[q, r])
        excess_before = self.excess
        for person, old, new in ((p, a, b), (q, b, a)):
            s.seat[person, r] = new
            self.onehot[r][person, old], self.onehot[r][person, new] = 0, 1
            self.excess -= int(self.visits[person, old] > s.most_visits[person, old])
            self.visits[person, old] -= 1
            self.excess += int(self.visits[person, new] >= s.most_visits[person, new])
            self.visits[person, new] += 1
            self.wishes_met[person] += int(s.wished[person, new]) - int(s.wished[person, old])
            self.person_cost[person] += (
                s.dissatisfaction[person, new] - s.dissatisfaction[person, old]
            )
            for attr, counts in zip(s.attributes, self.counts, strict=True):
                code = attr.codes[person]
                counts[r][code, old] -= 1
                counts[r][code, new] += 1
            self.tabu[r, person, old] = iteration + self.rng.randint(*TENURE)
        for person in (p, q):
            row = (s.seat == s.seat[person]).sum(axis=1)
            row[person] = 0
            self.met[person, :] = row
            self.met[:, person] = row
        self.cost += delta - self.revisit * (self.excess - excess_before)


def assignments_of(session: Session, seating: Seating, seat: Ints) -> list[Assignment]:
    """The schedule as assignments."""
    return [
        Assignment(
            participant=person,
            session=session.id,
            option=seating.tables[int(seat[i, r])],
            round=round_,
        )
        for i, person in enumerate(seating.people)
        for r, round_ in enumerate(seating.rounds)
    ]
