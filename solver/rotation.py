"""Roundtable rotation: seat people at tables round after round so that few pairs meet twice.

This is the social golfer problem (CSPLib prob010): `groups` tables of `size` people for
`rounds` rounds; the cost is the number of repeated pairs, Σ over pairs max(0, times − 1),
plus, for pairs who met before (`met`), their weight for each meeting here.

What works, measured in docs/BENCHMARKS.md, in the order `rotate` tries it:

1. Known designs: a round-robin for pairs; over a finite field GF(q) with q tables, a
   transversal design (q rounds) and, when the table size divides q, the rows split again
   (affine planes: q + 1 rounds; 8 tables of 4: 9 rounds). No search at all.
2. A greedy start that fills each table with whoever repeats least and leaves most people
   free to join (Triska & Musliu 2012), after the design's rounds if it has too few (so
   8-4-10 starts with a perfect 8-4-9), and a tabu search on swaps of two people of
   different tables within a round (Dotú & Van Hentenryck 2005): every swap of every round
   is evaluated at once with numpy from the pair-count matrix; a person may not return to a
   table they just left; after a long stall the search restarts from the best schedule
   shaken by a few random swaps. A short probe of it settles most instances.
3. If the probe has not found a perfect schedule and the bound does not rule one out: a
   cyclic design found by CP-SAT. Assume the schedule is unchanged by shifting the people
   of Z_k × rows by one (k rounds developed from each base round, a few people fixed as ∞):
   only the base rounds are searched, pairs come in orbits of k, so the model is k times
   smaller and most of its symmetry is gone (28 people at 7 tables of 4 for 9 rounds in a
   few seconds; neither the tabu search nor CP-SAT on the plain model gets there in a
   minute).
4. The tabu search again, for the time left: hosts, earlier meetings and instances with no
   perfect schedule end here.

The search stops as soon as the cost reaches the lower bound (counting, pigeonhole).
"""

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, product
from math import comb

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from solver.watch import cp_solver

Schedule = list[list[list[int]]]  # per round, per table, the people seated there
Ints = NDArray[np.int64]

TABU_MIN, TABU_MAX = 4, 50  # iterations a person may not return to a table they left
STALL = 2000  # iterations without a new best before restarting from the best with a kick
KICK = 5  # random swaps of the kick
PROBE = 1000  # swaps tried before looking for a cyclic design
CYCLIC_SHARE = 0.5  # share of the time left that the cyclic designs may use
CYCLIC_VARIABLES = 200_000  # pair × table × base round variables a cyclic model may have
LARGEST_FIELD = 256  # larger numbers of tables get no finite-field design
HUGE = 1 << 40  # the delta of a swap that is not allowed


@dataclass(frozen=True)
class Rotation:
    """A schedule and how good it is."""

    rounds: Schedule
    repeats: int  # Σ over pairs max(0, times together − 1)
    cost: int  # repeats + the weight of each meeting of a pair who met before
    bound: int  # no schedule has fewer repeats
    bound_met: bool  # cost == bound: nothing better exists
    method: str  # "design", "design+greedy", "greedy" or "cyclic"; "+search" if it moved
    iterations: int  # swaps made by the tabu search
    seconds: float


def rotate(
    groups: int,
    size: int,
    rounds: int,
    seed: int = 0,
    time_limit: float = 60.0,
    fixed: dict[int, int] | None = None,
    met: dict[tuple[int, int], int] | None = None,
    max_iterations: int | None = None,
    workers: int = 1,
) -> Rotation:
    """Seat groups × size people (0 … n − 1) at `groups` tables for `rounds` rounds.

    `fixed` maps a person (a host) to the table they keep in every round; `met` weighs each
    meeting of a pair who met before. Stops when the cost meets the bound, after
    `time_limit` seconds, or after `max_iterations` swaps (a run that repeats exactly on any
    machine). The same seed gives the same schedule whenever the run ends before its limit.
    `workers` are CP-SAT's threads for the cyclic designs (interleaved, so still repeatable).
    """
    started = time.monotonic()
    deadline = started + time_limit
    fixed, met = dict(fixed or {}), dict(met or {})
    check_instance(groups, size, rounds, fixed)
    bound = lower_bound(groups, size, rounds, fixed)
    rng = random.Random(seed)
    known = design_start(groups, size, rounds, fixed)
    start = greedy_schedule(groups, size, rounds, fixed, met, rng, known)
    search = TabuSearch(start, groups, fixed, met, rng)
    method = "design" if len(known) == rounds else "design+greedy" if known else "greedy"
    search.run(bound, deadline, PROBE if max_iterations is None else min(PROBE, max_iterations))
    probed = search.iterations
    if bound == 0 and search.best_cost > 0 and not fixed:
        cyclic_deadline = time.monotonic() + CYCLIC_SHARE * (deadline - time.monotonic())
        cyclic = cyclic_design(groups, size, rounds, seed, cyclic_deadline, workers)
        restart = None if cyclic is None else TabuSearch(cyclic, groups, fixed, met, rng)
        if restart is not None and restart.cost < search.best_cost:
            search, method = restart, "cyclic"
    search.run(bound, deadline, max_iterations)
    method += "+search" if search.iterations else ""
    best = search.best_schedule()
    cost = total_cost(best, met)
    return Rotation(
        rounds=best,
        repeats=count_repeats(best),
        cost=cost,
        bound=bound,
        bound_met=cost == bound,
        method=method,
        iterations=max(probed, search.iterations),
        seconds=time.monotonic() - started,
    )


def check_instance(groups: int, size: int, rounds: int, fixed: dict[int, int]) -> None:
    """Raise ValueError for an instance that has no schedule at all."""
    if groups < 1 or size < 1 or rounds < 0:
        raise ValueError("groups and size must be positive and rounds not negative")
    people = groups * size
    for person, table in fixed.items():
        if not (0 <= person < people and 0 <= table < groups):
            raise ValueError(f"fixed person {person} at table {table}: out of range")
    for table in range(groups):
        if sum(1 for t in fixed.values() if t == table) > size:
            raise ValueError(f"table {table} has more fixed people than seats")


# --- bounds and costs -----------------------------------------------------------------------


def lower_bound(groups: int, size: int, rounds: int, fixed: dict[int, int] | None = None) -> int:
    """Fewest repeated pairs any schedule can have: the larger of two counting arguments.

    Meetings: every round seats groups × C(size, 2) pairs together, and there are only
    C(n, 2) pairs; people fixed to one table meet every round, people fixed to different
    tables never meet. Pigeonhole: with fewer tables than seats, a table's people cannot all
    be apart in another round.
    """
    fixed = fixed or {}
    people = groups * size
    meetings = rounds * groups * comb(size, 2)
    together = sum(comb(list(fixed.values()).count(t), 2) for t in range(groups))
    apart = comb(len(fixed), 2) - together
    free_pairs = comb(people, 2) - together - apart
    counting = together * max(0, rounds - 1) + max(0, meetings - rounds * together - free_pairs)
    return max(counting, pigeonhole(groups, size, rounds))


def pigeonhole(groups: int, size: int, rounds: int) -> int:
    """Repeats forced when a table's people outnumber the tables of another round.

    For two rounds, each table of the first spreads over the tables of the second, at best
    evenly, so at least `split` of its pairs meet in both. Over all pairs of rounds that makes
    C(rounds, 2) × groups × split pairs of rounds; a pair together c ≤ rounds times fills
    C(c, 2) ≤ rounds × (c − 1) / 2 of them, so the repeats are at least (rounds − 1) ×
    groups × split.
    """
    low, extra = divmod(size, groups)
    split = extra * comb(low + 1, 2) + (groups - extra) * comb(low, 2)
    return max(0, rounds - 1) * groups * split


def count_repeats(schedule: Schedule) -> int:
    """Σ over pairs of max(0, times together − 1)."""
    return sum(times - 1 for times in pair_counts(schedule).values() if times > 1)


def total_cost(schedule: Schedule, met: dict[tuple[int, int], int]) -> int:
    """Repeated pairs plus, for each meeting of a pair who met before, its weight."""
    counts = pair_counts(schedule)
    earlier = sum(weight * counts.get((min(a, b), max(a, b)), 0) for (a, b), weight in met.items())
    return count_repeats(schedule) + earlier


def pair_counts(schedule: Schedule) -> dict[tuple[int, int], int]:
    """How many rounds each pair (smaller index first) shares a table."""
    counts: dict[tuple[int, int], int] = {}
    for round_ in schedule:
        for table in round_:
            for pair in combinations(sorted(table), 2):
                counts[pair] = counts.get(pair, 0) + 1
    return counts


# --- known designs --------------------------------------------------------------------------


def design(groups: int, size: int) -> Schedule:
    """The longest schedule without a repeated pair that the constructions here give.

    Pairs: a round-robin (n − 1 rounds). A prime power q of tables, q ≥ size: the transversal
    design over GF(q) (q rounds), and when size divides q, each row of q people split by the
    same construction for the extra rounds (affine planes: q + 1 rounds; 8 tables of 4: 9).
    Otherwise one round, which repeats nothing.
    """
    if size == 2:
        return round_robin(groups * 2)
    schedule = transversal(groups, size)
    if schedule and groups % size == 0:
        for sub in design(groups // size, size):
            schedule.append([[i * groups + j for j in table] for i in range(size) for table in sub])
    one_round = [[list(range(t * size, (t + 1) * size)) for t in range(groups)]]
    return schedule or one_round


def transversal(q: int, size: int) -> Schedule:
    """q rounds over GF(q) in which people of different rows meet exactly once.

    Person (i, j), row i < size and column j in GF(q), is i × q + j; in round r, table b
    seats the people with j = r × i + b. Row 0 sits at table j in every round (the hosts).
    Empty when q is no prime power or smaller than size.
    """
    tables = field(q) if size <= q else None
    if tables is None:
        return []
    add, mul = tables
    return [[[i * q + add[mul[r][i]][b] for i in range(size)] for b in range(q)] for r in range(q)]


def round_robin(people: int) -> Schedule:
    """The circle method: people − 1 rounds of pairs in which everyone meets everyone once."""
    schedule = []
    for r in range(people - 1):
        ring = [people - 1] + [(r + k) % (people - 1) for k in range(people - 1)]
        schedule.append([[ring[k], ring[people - 1 - k]] for k in range(people // 2)])
    return schedule


def field(q: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(q), or None when q is no prime power."""
    prime = next((p for p in range(2, q + 1) if q % p == 0), None)
    if prime is None or q > LARGEST_FIELD:
        return None
    degree, rest = 0, q
    while rest % prime == 0:
        rest, degree = rest // prime, degree + 1
    if rest != 1:
        return None
    modulus = irreducible(prime, degree)
    elements = [[(e // prime**k) % prime for k in range(degree)] for e in range(q)]
    add = [
        [value([x + y for x, y in zip(a, b, strict=True)], prime) for b in elements]
        for a in elements
    ]
    mul = [[value(multiply(a, b, modulus, prime), prime) for b in elements] for a in elements]
    return add, mul


def value(coefficients: list[int], prime: int) -> int:
    """The field element with these coefficients (lowest power first), reduced mod prime."""
    return sum((c % prime) * prime**k for k, c in enumerate(coefficients))


def multiply(a: list[int], b: list[int], modulus: list[int], prime: int) -> list[int]:
    """Product of two polynomials modulo a monic modulus (coefficients lowest power first)."""
    full = [0] * (len(a) + len(b))
    for (i, x), (j, y) in product(enumerate(a), enumerate(b)):
        full[i + j] += x * y
    return remainder(full, modulus, prime)


def remainder(poly: list[int], modulus: list[int], prime: int) -> list[int]:
    """poly mod a monic modulus, over GF(prime)."""
    rest = [c % prime for c in poly]
    degree = len(modulus) - 1
    for k in range(len(rest) - 1, degree - 1, -1):
        factor = rest[k]
        for i, m in enumerate(modulus):
            rest[k - degree + i] = (rest[k - degree + i] - factor * m) % prime
    return (rest + [0] * degree)[:degree]


def irreducible(prime: int, degree: int) -> list[int]:
    """The first monic polynomial of this degree that no monic one of lower degree divides."""
    for low in product(range(prime), repeat=degree):
        candidate = [*low, 1]
        if not any(
            not any(remainder(candidate, [*f, 1], prime))
            for d in range(1, degree // 2 + 1)
            for f in product(range(prime), repeat=d)
        ):
            return candidate
    raise ValueError(f"no irreducible polynomial of degree {degree} over GF({prime})")


def design_start(groups: int, size: int, rounds: int, fixed: dict[int, int]) -> Schedule:
    """The rounds a known design gives, at most `rounds`; none if it gives only one.

    Beyond a design in which everyone has met everyone, each meeting is a repeat the bound
    counts, so its rounds are repeated as often as asked. With hosts, the transversal
    design's row 0 (person j at table j in every round) becomes the hosts, one per table.
    """
    people = groups * size
    if fixed:
        schedule = transversal(groups, size)
        if len(set(fixed.values())) < len(fixed):
            return []
        return relabel(schedule[:rounds], fixed, people)
    schedule = design(groups, size)
    if len(schedule) * groups * comb(size, 2) == comb(people, 2):
        return [schedule[r % len(schedule)] for r in range(rounds)]
    return schedule[:rounds] if len(schedule) > 1 else []


def relabel(schedule: Schedule, fixed: dict[int, int], people: int) -> Schedule:
    """Rename the design's people so that each host is the row-0 person of their table."""
    name = {table: host for host, table in fixed.items()}
    others = iter(sorted(set(range(people)) - set(fixed)))
    for person in range(people):
        if person not in name:
            name[person] = next(others)
    return [[sorted(name[p] for p in table) for table in round_] for round_ in schedule]


# --- cyclic designs (CP-SAT) ----------------------------------------------------------------


@dataclass(frozen=True)
class Cyclic:
    """People Z_k × rows plus fixed points ∞; the shift adds 1 to the Z_k part."""

    k: int  # order of the shift; each base round develops into k rounds
    rows: int
    fixed_points: int
    base_rounds: int

    def shift(self, person: int, by: int) -> int:
        """The person `by` shifts later: (e, i) → (e + by, i); the ∞ stay put."""
        if person >= self.k * self.rows:
            return person
        e, i = divmod(person, self.rows)
        return (e + by) % self.k * self.rows + i

    def orbit(self, a: int, b: int) -> tuple[int, ...] | None:
        """The orbit of pair {a, b} under the shift; None if it cannot be in a base round.

        Two ∞ would meet in every round, and a pair {(e, i), (e + k/2, i)} comes back
        after k/2 shifts: both are left out.
        """
        cut = self.k * self.rows
        a, b = min(a, b), max(a, b)
        if a >= cut:
            return None
        e, i = divmod(a, self.rows)
        if b >= cut:
            return (b, i)
        f, j = divmod(b, self.rows)
        if i == j:
            d = (f - e) % self.k
            return None if 2 * d == self.k else (-1, i, min(d, self.k - d))
        return (-2, i, j, (f - e) % self.k) if i < j else (-2, j, i, (e - f) % self.k)


def cyclic_design(
    groups: int, size: int, rounds: int, seed: int, deadline: float, workers: int
) -> Schedule | None:
    """A schedule without a repeated pair that one of the shifts leaves unchanged, or None."""
    candidates = cyclic_candidates(groups, size, rounds)
    for index, cyclic in enumerate(candidates):
        budget = (deadline - time.monotonic()) / (len(candidates) - index)
        if budget <= 0:
            return None
        base = solve_base(cyclic, groups, size, seed, budget, workers)
        if base is not None:
            schedule = develop(cyclic, base)[:rounds]
            if count_repeats(schedule) == 0:
                return schedule
    return None


def cyclic_candidates(groups: int, size: int, rounds: int) -> list[Cyclic]:
    """Shifts to try: one, two or three base rounds developing into at least `rounds`.

    A longer perfect schedule cut short is still perfect, so k runs from the fewest rounds
    needed up to the most any schedule can have, (n − 1) / (size − 1). The ∞ must fit at
    different tables, the base rounds must not need more pairs than there are orbits, and
    the model must stay small enough to build in a moment.
    """
    people = groups * size
    most = (people - 1) // max(1, size - 1)
    found = []
    for base_rounds in (1, 2, 3):
        for k in range(max(2, -(-rounds // base_rounds)), most // base_rounds + 1):
            rows, points = divmod(people, k)
            cyclic = Cyclic(k, rows, points, base_rounds)
            orbits = {cyclic.orbit(a, b) for a, b in combinations(range(people), 2)} - {None}
            pairs = base_rounds * groups * comb(size, 2)
            small = comb(people, 2) * groups * base_rounds <= CYCLIC_VARIABLES
            if rows and points <= groups and pairs <= len(orbits) and small:
                found.append(cyclic)
    return found


def solve_base(
    cyclic: Cyclic, groups: int, size: int, seed: int, seconds: float, workers: int
) -> Schedule | None:
    """Base rounds in which every pair orbit is covered at most once, by CP-SAT.

    Symmetry breaking: ∞_a sits at table a in every base round (tables are relabelled per
    round); otherwise person 0 sits at table 0. Shifting one row alone maps orbits to orbits,
    so table 0 of the first base round holds (0, i) if it holds anyone of row i.
    """
    people = groups * size
    rounds, tables = range(cyclic.base_rounds), range(groups)
    model = cp_model.CpModel()
    x = {
        (p, t, j): model.new_bool_var(f"x{p}_{t}_{j}")
        for p in range(people)
        for t in tables
        for j in rounds
    }
    for j in rounds:
        for p in range(people):
            model.add_exactly_one(x[p, t, j] for t in tables)
        for t in tables:
            model.add(sum(x[p, t, j] for p in range(people)) == size)
    covers: dict[tuple[int, ...], list[cp_model.IntVar]] = {}
    for a, b in combinations(range(people), 2):
        orbit = cyclic.orbit(a, b)
        for t, j in product(tables, rounds):
            if orbit is None:
                model.add_bool_or([~x[a, t, j], ~x[b, t, j]])
                continue
            together = model.new_bool_var(f"y{a}_{b}_{t}_{j}")
            model.add_bool_or([~x[a, t, j], ~x[b, t, j], together])
            covers.setdefault(orbit, []).append(together)
    exact = len(covers) == cyclic.base_rounds * groups * comb(size, 2)
    for cover in covers.values():
        model.add(sum(cover) == 1 if exact else sum(cover) <= 1)
    cut = cyclic.k * cyclic.rows
    for j in rounds:
        for a in range(cyclic.fixed_points):
            model.add(x[cut + a, a, j] == 1)
        if not cyclic.fixed_points:
            model.add(x[0, 0, j] == 1)
    for i, e in product(range(cyclic.rows), range(1, cyclic.k)):
        model.add_implication(x[e * cyclic.rows + i, 0, 0], x[i, 0, 0])
    solver = cp_solver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [
        [[p for p in range(people) if solver.boolean_value(x[p, t, j])] for t in tables]
        for j in rounds
    ]


def develop(cyclic: Cyclic, base: Schedule) -> Schedule:
    """Every base round shifted 0 … k − 1 times; ∞_a keeps table a."""
    return [
        [[cyclic.shift(p, by) for p in table] for table in round_]
        for by in range(cyclic.k)
        for round_ in base
    ]


# --- greedy start ---------------------------------------------------------------------------


def greedy_schedule(
    groups: int,
    size: int,
    rounds: int,
    fixed: dict[int, int],
    met: dict[tuple[int, int], int],
    rng: random.Random,
    start: Sequence[list[list[int]]] = (),
) -> Schedule:
    """The first rounds, then fill the others one after another (see greedy_round)."""
    people = groups * size
    counts = np.zeros((people, people), dtype=np.int64)
    weights = weight_matrix(people, met)
    schedule = []
    for index in range(rounds):
        round_ = (
            start[index]
            if index < len(start)
            else greedy_round(groups, size, counts, weights, fixed, rng)
        )
        for table in round_:
            counts[np.ix_(table, table)] += 1
        np.fill_diagonal(counts, 0)
        schedule.append(round_)
    return schedule


def greedy_round(
    groups: int, size: int, counts: Ints, weights: Ints, fixed: dict[int, int], rng: random.Random
) -> list[list[int]]:
    """One round: seat the hosts, then fill each table person by person.

    A candidate's score is first the repeats and weights they add to the table, then the
    table's freedom with them: how many people have met none of its members yet.
    """
    people = groups * size
    unmet = counts == 0
    np.fill_diagonal(unmet, False)
    tables: list[list[int]] = [[] for _ in range(groups)]
    for person, seat in fixed.items():
        tables[seat].append(person)
    free = [p for p in range(people) if p not in fixed]
    rng.shuffle(free)
    for table in tables:
        while len(table) < size:
            candidates, seated = np.array(free), np.array(table, dtype=np.int64)
            block = np.ix_(candidates, seated)
            added = ((counts[block] >= 1) + weights[block]).sum(1)
            still_free = unmet[table].all(0) if table else np.ones(people, dtype=bool)
            freedom = (unmet[candidates] & still_free).sum(1)
            table.append(free.pop(int(np.argmin(added * (people + 1) - freedom))))
    return tables


def weight_matrix(people: int, met: dict[tuple[int, int], int]) -> Ints:
    """The weights of pairs who met before, as a symmetric matrix."""
    weights = np.zeros((people, people), dtype=np.int64)
    for (a, b), weight in met.items():
        if a != b:
            weights[a, b] = weights[b, a] = weight
    return weights


# --- tabu search ----------------------------------------------------------------------------


class TabuSearch:
    """Swap two people of different tables within a round: the best allowed swap each time.

    Moving a from table A to table B removes a's meetings with A (saving those that were
    repeats, and their weights) and adds meetings with B but b (costing those who met
    already, and their weights); b likewise. Only swaps involving someone who repeats a pair
    in that round are considered; a person may not return to a table they just left unless
    that gives a new best.
    """

    def __init__(
        self,
        schedule: Schedule,
        groups: int,
        fixed: dict[int, int],
        met: dict[tuple[int, int], int],
        rng: random.Random,
    ) -> None:
        self.rounds, self.groups = len(schedule), groups
        self.people = sum(len(table) for table in schedule[0]) if schedule else 0
        self.rng = rng
        self.weights = weight_matrix(self.people, met)
        self.movable = np.ones(self.people, dtype=bool)
        self.movable[list(fixed)] = False
        self.iterations = 0
        self.load(seating(schedule, self.people))
        self.best_cost, self.best_tables = self.cost, self.tables.copy()

    def load(self, tables: Ints) -> None:
        """Take this seating (round × person → table) and recompute everything from it."""
        self.tables = tables.copy()
        self.same = self.tables[:, :, None] == self.tables[:, None, :]
        self.counts = self.same.sum(0).astype(np.int64)
        np.fill_diagonal(self.counts, 0)
        self.tabu = np.zeros((self.rounds, self.people, self.groups), dtype=np.int64)
        repeats = np.triu(np.maximum(self.counts - 1, 0), 1).sum()
        self.cost = int(repeats + np.triu(self.weights * self.counts, 1).sum())

    def deltas(self) -> Ints:
        """The change of cost of every swap (round, a, b); HUGE where a swap is not allowed."""
        add = (self.counts >= 1) + self.weights
        remove = (self.counts >= 2) + self.weights
        leave = (self.same * remove[None]).sum(2)
        onehot = (self.tables[:, :, None] == np.arange(self.groups)).astype(np.int64)
        index = np.broadcast_to(self.tables[:, None, :], self.same.shape)
        join = np.take_along_axis(add[None] @ onehot, index, 2) - add[None]
        delta = join + join.transpose(0, 2, 1) - leave[:, :, None] - leave[:, None, :]
        conflict = leave > 0
        back = np.take_along_axis(self.tabu, index, 2) > self.iterations
        allowed = (
            ~self.same
            & self.movable[None, :, None]
            & self.movable[None, None, :]
            & (conflict[:, :, None] | conflict[:, None, :])
            & (~(back | back.transpose(0, 2, 1)) | (self.cost + delta < self.best_cost))
        )
        return np.where(allowed, delta, HUGE)

    def step(self) -> bool:
        """Make the best allowed swap (ties at random); False when none is allowed."""
        delta = self.deltas()
        least = int(delta.min())
        if least >= HUGE:
            return False
        ties = np.flatnonzero(delta == least)
        r, a, b = (
            int(v) for v in np.unravel_index(ties[self.rng.randrange(len(ties))], delta.shape)
        )
        left_a, left_b = self.tables[r, a], self.tables[r, b]
        self.swap(r, a, b)
        self.cost += least
        self.tabu[r, a, left_a] = self.iterations + self.rng.randint(TABU_MIN, TABU_MAX)
        self.tabu[r, b, left_b] = self.iterations + self.rng.randint(TABU_MIN, TABU_MAX)
        return True

    def swap(self, r: int, a: int, b: int) -> None:
        """Exchange the tables of a and b in round r, updating the pair counts."""
        mates_a = np.flatnonzero(self.same[r, a])
        mates_b = np.flatnonzero(self.same[r, b])
        mates_a, mates_b = mates_a[mates_a != a], mates_b[mates_b != b]
        for person, old, new in ((a, mates_a, mates_b), (b, mates_b, mates_a)):
            self.counts[person, old] -= 1
            self.counts[old, person] -= 1
            self.counts[person, new] += 1
            self.counts[new, person] += 1
        self.tables[r, a], self.tables[r, b] = self.tables[r, b], self.tables[r, a]
        self.same[r] = self.tables[r][:, None] == self.tables[r][None, :]

    def run(self, bound: int, deadline: float, max_iterations: int | None) -> None:
        """Search until the best cost meets the bound, the deadline or the iteration limit."""
        stalled = 0
        while self.best_cost > bound and time.monotonic() < deadline:
            if max_iterations is not None and self.iterations >= max_iterations:
                return
            self.iterations += 1
            moved = self.step()
            stalled += 1
            if self.cost < self.best_cost:
                self.best_cost, self.best_tables, stalled = self.cost, self.tables.copy(), 0
            if stalled >= STALL or not moved:
                self.restart()
                stalled = 0

    def restart(self) -> None:
        """Go back to the best seating and shake it with a few random swaps."""
        self.load(self.best_tables)
        movable = np.flatnonzero(self.movable)
        for _ in range(KICK):
            r = self.rng.randrange(self.rounds)
            a = int(movable[self.rng.randrange(len(movable))])
            others = movable[self.tables[r, movable] != self.tables[r, a]]
            if len(others):
                self.swap(r, a, int(others[self.rng.randrange(len(others))]))
        self.load(self.tables)

    def best_schedule(self) -> Schedule:
        """The best seating found, as tables of people."""
        return [
            [np.flatnonzero(self.best_tables[r] == t).tolist() for t in range(self.groups)]
            for r in range(self.rounds)
        ]


def seating(schedule: Schedule, people: int) -> Ints:
    """Round × person → table."""
    tables = np.zeros((len(schedule), people), dtype=np.int64)
    for r, round_ in enumerate(schedule):
        for t, table in enumerate(round_):
            tables[r, table] = t
    return tables
