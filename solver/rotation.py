"""Roundtable rotation: seat people at tables round after round so that few pairs meet twice.

This is the social golfer problem (CSPLib prob010): `groups` tables of `size` people for
`rounds` rounds; the cost is the number of repeated pairs, Σ over pairs max(0, times − 1),
plus, for pairs that met before (`met`), their weight for each meeting here.

Method, measured in docs/BENCHMARKS.md:

1. Known designs where they apply (finite-field transversal designs, affine planes, a
   round-robin for pairs): they give perfect schedules in no time.
2. Otherwise a greedy start that fills each table with the people who have met fewest of its
   members and keep most people free to join it (Triska & Musliu 2012), then a tabu search
   on swaps of two people of different tables within a round (Dotú & Van Hentenryck 2005),
   evaluated for every swap at once with numpy, restarting from the best schedule with a
   few random swaps when it stalls.

The search stops as soon as the cost reaches the counting bound: each round creates
groups × C(size, 2) meetings, and there are only so many pairs to meet.
"""

import random
import time
from dataclasses import dataclass
from itertools import product
from math import comb

import numpy as np
from numpy.typing import NDArray

Schedule = list[list[list[int]]]  # per round, per table, the people seated there
Ints = NDArray[np.int64]

TABU_MIN, TABU_MAX = 4, 50  # iterations a swap back stays forbidden (drawn at random)
STALL = 2000  # iterations without a new best before restarting from the best with a kick
KICK = 5  # random swaps of the kick


@dataclass(frozen=True)
class Rotation:
    """A schedule and how good it is."""

    rounds: Schedule
    repeats: int  # Σ over pairs max(0, times together − 1)
    cost: int  # repeats + the weights of pairs that met before, for each meeting here
    bound: int  # no schedule has fewer repeats (counting)
    bound_met: bool  # cost == bound: nothing better exists
    method: str  # "design", "search" or "design+search"
    iterations: int
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
) -> Rotation:
    """Seat groups × size people (0 … n−1) at `groups` tables for `rounds` rounds.

    `fixed` maps a person (a host) to the table they keep in every round; `met` gives a
    weight to pairs who met before. Stops when the cost reaches the bound, at `time_limit`
    seconds or after `max_iterations` swaps (for a run that repeats exactly, whatever the
    machine).
    """
    started = time.monotonic()
    fixed = dict(fixed or {})
    check_instance(groups, size, rounds, fixed)
    bound = lower_bound(groups, size, rounds, fixed)
    rng = random.Random(seed)
    start = design_start(groups, size, rounds, fixed)
    method = "design"
    if start is None:
        start = greedy_schedule(groups, size, rounds, fixed, met or {}, rng)
        method = "search"
    search = TabuSearch(start, groups, fixed, met or {}, rng)
    if search.cost > bound:
        deadline = started + time_limit
        search.run(bound, deadline, max_iterations)
        if search.iterations and method == "design":
            method = "design+search"
    best = search.best_schedule()
    cost = total_cost(best, met or {})
    return Rotation(
        rounds=best,
        repeats=count_repeats(best),
        cost=cost,
        bound=bound,
        bound_met=cost == bound,
        method=method,
        iterations=search.iterations,
        seconds=time.monotonic() - started,
    )


def check_instance(groups: int, size: int, rounds: int, fixed: dict[int, int]) -> None:
    """Raise ValueError for an instance that has no schedule at all."""
    if groups < 1 or size < 1 or rounds < 0:
        raise ValueError("groups and size must be positive, rounds not negative")
    people = groups * size
    for person, table in fixed.items():
        if not (0 <= person < people and 0 <= table < groups):
            raise ValueError(f"fixed person {person} at table {table}: out of range")
    full = [t for t in range(groups) if sum(1 for v in fixed.values() if v == t) > size]
    if full:
        raise ValueError(f"table {full[0]} has more fixed people than seats")


# --- counting -------------------------------------------------------------------------------


def lower_bound(groups: int, size: int, rounds: int, fixed: dict[int, int] | None = None) -> int:
    """Fewest repeated pairs any schedule can have, by counting meetings and pairs.

    Every round seats groups × C(size, 2) pairs together. People fixed to the same table meet
    every round; people fixed to different tables never meet, so they are no pair to spend a
    meeting on.
    """
    fixed = fixed or {}
    people = groups * size
    meetings = rounds * groups * comb(size, 2)
    tables = [sum(1 for t in fixed.values() if t == table) for table in range(groups)]
    together = sum(comb(k, 2) for k in tables)
    apart = comb(len(fixed), 2) - together
    free_pairs = comb(people, 2) - together - apart
    forced = together * max(0, rounds - 1)
    return forced + max(0, meetings - rounds * together - free_pairs)


def count_repeats(schedule: Schedule) -> int:
    """Σ over pairs of max(0, times together − 1)."""
    return sum(max(0, times - 1) for times in pair_counts(schedule).values())


def total_cost(schedule: Schedule, met: dict[tuple[int, int], int]) -> int:
    """Repeated pairs plus, for each meeting of a pair that met before, its weight."""
    counts = pair_counts(schedule)
    earlier = sum(weight * counts.get(tuple(sorted(pair)), 0) for pair, weight in met.items())
    return count_repeats(schedule) + earlier


def pair_counts(schedule: Schedule) -> dict[tuple[int, int], int]:
    """How many rounds each pair (smaller index first) shares a table."""
    counts: dict[tuple[int, int], int] = {}
    for round_ in schedule:
        for table in round_:
            for i, a in enumerate(table):
                for b in table[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    counts[pair] = counts.get(pair, 0) + 1
    return counts


# --- designs --------------------------------------------------------------------------------


def design(groups: int, size: int) -> Schedule:
    """The longest schedule without a repeated pair that the known constructions give.

    Pairs: a round-robin (n − 1 rounds). A prime power number of tables q ≥ size: the
    transversal design over GF(q) (q rounds), and when size divides q, each row of q people
    split by the same construction for the extra rounds (affine planes: q + 1 rounds; 8 tables
    of 4: 9 rounds).
    """
    if size == 2:
        return round_robin(groups * 2)
    schedule = transversal(groups, size)
    if schedule and groups % size == 0:
        for sub in design(groups // size, size):
            schedule.append([[i * groups + j for j in table] for i in range(size) for table in sub])
    return schedule or [[list(range(t * size, (t + 1) * size)) for t in range(groups)]]


def transversal(q: int, size: int) -> Schedule:
    """q rounds over GF(q) in which people of different rows meet exactly once.

    Person (i, j), row i < size and column j in GF(q), is i × q + j; in round r, table b
    seats the people with j = r × i + b. Row 0 sits at table j in every round (hosts).
    Empty when q is no prime power or smaller than size.
    """
    tables = field(q) if size <= q else None
    if tables is None:
        return []
    add, mul = tables
    return [[[i * q + add[mul[r][i]][b] for i in range(size)] for b in range(q)] for r in range(q)]


def round_robin(people: int) -> Schedule:
    """The circle method: people − 1 rounds of pairs in which everyone meets everyone once."""
    rounds = []
    for r in range(people - 1):
        ring = [people - 1] + [(r + k) % (people - 1) for k in range(people - 1)]
        rounds.append([[ring[k], ring[people - 1 - k]] for k in range(people // 2)])
    return rounds


def field(q: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(q), or None when q is no prime power."""
    prime = next((p for p in range(2, q + 1) if q % p == 0), None)
    if prime is None:
        return None
    degree, rest = 0, q
    while rest % prime == 0:
        rest //= prime
        degree += 1
    if rest != 1:
        return None
    modulus = irreducible(prime, degree)
    elements = [digits(e, prime, degree) for e in range(q)]
    add = [
        [number([(x + y) % prime for x, y in zip(a, b, strict=True)], prime) for b in elements]
        for a in elements
    ]
    mul = [[number(multiply(a, b, modulus, prime), prime) for b in elements] for a in elements]
    return add, mul


def digits(value: int, base: int, length: int) -> list[int]:
    """Coefficients of a field element, lowest power first."""
    return [(value // base**k) % base for k in range(length)]


def number(coefficients: list[int], base: int) -> int:
    """The field element with these coefficients."""
    return sum(c * base**k for k, c in enumerate(coefficients))


def multiply(a: list[int], b: list[int], modulus: list[int], prime: int) -> list[int]:
    """Product of two polynomials modulo a monic modulus (coefficients lowest first)."""
    degree = len(modulus) - 1
    full = [0] * (2 * degree)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            full[i + j] = (full[i + j] + x * y) % prime
    for k in range(len(full) - 1, degree - 1, -1):
        factor = full[k]
        if factor:
            for i, m in enumerate(modulus):
                full[k - degree + i] = (full[k - degree + i] - factor * m) % prime
    return full[:degree]


def irreducible(prime: int, degree: int) -> list[int]:
    """A monic polynomial of this degree with no root-free factorisation: no factor at all."""
    if degree == 1:
        return [0, 1]
    for low in product(range(prime), repeat=degree):
        candidate = [*low, 1]
        if candidate[0] and not any(
            divides([*f, 1], candidate, prime)
            for d in range(1, degree // 2 + 1)
            for f in product(range(prime), repeat=d)
        ):
            return candidate
    raise ValueError(f"no irreducible polynomial of degree {degree} over GF({prime})")


def divides(divisor: list[int], poly: list[int], prime: int) -> bool:
    """Whether a monic divisor divides the polynomial (coefficients lowest first)."""
    rest = list(poly)
    d = len(divisor) - 1
    for k in range(len(rest) - 1, d - 1, -1):
        factor = rest[k]
        if factor:
            for i, m in enumerate(divisor):
                rest[k - d + i] = (rest[k - d + i] - factor * m) % prime
    return not any(rest[:d])


def design_start(groups: int, size: int, rounds: int, fixed: dict[int, int]) -> Schedule | None:
    """A design to start from when it covers the rounds asked for, or meets every pair.

    Beyond a design in which everyone has met everyone, any round repeats only what the bound
    counts, so such a design plus repeated rounds meets the bound. With fixed hosts, the
    design's row 0 (person j at table j) becomes the hosts, one per table at most.
    """
    schedule = transversal(groups, size) if fixed else design(groups, size)
    people = groups * size
    complete = len(schedule) * comb(size, 2) * groups == comb(people, 2)
    if not schedule or (len(schedule) < rounds and not complete):
        return None
    if fixed:
        tables = list(fixed.values())
        if len(set(tables)) < len(tables) or rounds > len(schedule):
            return None
        schedule = relabel(schedule[:rounds], fixed, people)
    return [schedule[r % len(schedule)] for r in range(rounds)]


def relabel(schedule: Schedule, fixed: dict[int, int], people: int) -> Schedule:
    """Rename the design's people so that each host is the row-0 person of their table."""
    name = {table: host for host, table in fixed.items()}
    others = iter(sorted(set(range(people)) - set(fixed)))
    for design_person in range(people):
        if design_person not in name:
            name[design_person] = next(others)
    return [[sorted(name[p] for p in table) for table in round_] for round_ in schedule]


# --- greedy start ---------------------------------------------------------------------------


def greedy_schedule(
    groups: int,
    size: int,
    rounds: int,
    fixed: dict[int, int],
    met: dict[tuple[int, int], int],
    rng: random.Random,
) -> Schedule:
    """Fill the rounds one after another, each table with whoever repeats least and frees most."""
    people = groups * size
    counts = np.zeros((people, people), dtype=np.int64)
    weights = weight_matrix(people, met)
    schedule = []
    for _ in range(rounds):
        round_ = greedy_round(groups, size, counts, weights, fixed, rng)
        for table in round_:
            counts[np.ix_(table, table)] += 1
        np.fill_diagonal(counts, 0)
        schedule.append(round_)
    return schedule


def greedy_round(
    groups: int,
    size: int,
    counts: Ints,
    weights: Ints,
    fixed: dict[int, int],
    rng: random.Random,
) -> list[list[int]]:
    """One round: seat the fixed people, then fill each table person by person.

    A candidate's score is first the repeats and weights it adds to the table, then the
    freedom of the table with it: how many people have met none of its members yet.
    """
    people = groups * size
    unmet = counts == 0
    np.fill_diagonal(unmet, False)
    tables: list[list[int]] = [[] for _ in range(groups)]
    for person, table in fixed.items():
        tables[table].append(person)
    free = [p for p in range(people) if p not in fixed]
    rng.shuffle(free)
    for table in tables:
        while len(table) < size:
            candidates = np.array(free)
            if table:
                added = (
                    (counts[np.ix_(candidates, table)] >= 1) + weights[np.ix_(candidates, table)]
                ).sum(1)
                open_ = unmet[table].all(0)
            else:
                added = np.zeros(len(free), dtype=np.int64)
                open_ = np.ones(people, dtype=bool)
            freedom = (unmet[candidates] & open_).sum(1)
            choice = int(np.argmin(added * (people + 1) - freedom))
            table.append(free.pop(choice))
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
    """Swap two people of different tables within a round; best swap first, recent swaps tabu.

    Each iteration evaluates every swap of every round at once: moving a from table A to B
    removes a's meetings with A (saving the repeated ones and their weights) and adds meetings
    with B except b (costing those who met already and their weights); b likewise.
    """

    def __init__(
        self,
        schedule: Schedule,
        groups: int,
        fixed: dict[int, int],
        met: dict[tuple[int, int], int],
        rng: random.Random,
    ) -> None:
        self.rounds = len(schedule)
        self.groups = groups
        self.people = sum(len(table) for table in schedule[0]) if schedule else 0
        self.rng = rng
        self.weights = weight_matrix(self.people, met)
        self.movable = np.ones(self.people, dtype=bool)
        self.movable[list(fixed)] = False
        self.iterations = 0
        self.load(table_of(schedule, self.people))
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
        """The change of cost of every swap (round, a, b); a huge value where none is allowed."""
        add = (self.counts >= 1) + self.weights
        remove = (self.counts >= 2) + self.weights
        leave = (self.same * remove[None]).sum(2)
        onehot = (self.tables[:, :, None] == np.arange(self.groups)).astype(np.int64)
        join_table = add[None] @ onehot
        join = np.take_along_axis(
            join_table, np.broadcast_to(self.tables[:, None, :], self.same.shape), 2
        )
        delta = (
            join + join.transpose(0, 2, 1) - 2 * add[None] - leave[:, :, None] - leave[:, None, :]
        )
        conflict = leave > 0
        allowed = (
            ~self.same
            & self.movable[None, :, None]
            & self.movable[None, None, :]
            & (conflict[:, :, None] | conflict[:, None, :])
        )
        return np.where(allowed, delta, HUGE)

    def step(self) -> bool:
        """Make the best allowed swap; False when none is allowed."""
        delta = self.deltas()
        # a swap is tabu when it sends a person back to a table they recently left
        back = np.take_along_axis(
            self.tabu, np.broadcast_to(self.tables[:, None, :], delta.shape), 2
        )
        tabu = (back > self.iterations) | (back.transpose(0, 2, 1) > self.iterations)
        open_ = ~tabu | (self.cost + delta < self.best_cost)
        delta = np.where(open_, delta, HUGE)
        least = int(delta.min())
        if least >= HUGE:
            return False
        options = np.flatnonzero(delta == least)
        r, a, b = np.unravel_index(options[self.rng.randrange(len(options))], delta.shape)
        left_a, left_b = self.tables[r, a], self.tables[r, b]
        self.swap(int(r), int(a), int(b))
        self.cost += least
        self.tabu[r, a, left_a] = self.iterations + self.rng.randint(TABU_MIN, TABU_MAX)
        self.tabu[r, b, left_b] = self.iterations + self.rng.randint(TABU_MIN, TABU_MAX)
        return True

    def swap(self, r: int, a: int, b: int) -> None:
        """Exchange the tables of a and b in round r, updating the pair counts."""
        table_a, table_b = self.tables[r, a], self.tables[r, b]
        mates_a = np.flatnonzero(self.tables[r] == table_a)
        mates_b = np.flatnonzero(self.tables[r] == table_b)
        mates_a = mates_a[mates_a != a]
        mates_b = mates_b[mates_b != b]
        for person, old, new in ((a, mates_a, mates_b), (b, mates_b, mates_a)):
            self.counts[person, old] -= 1
            self.counts[old, person] -= 1
            self.counts[person, new] += 1
            self.counts[new, person] += 1
        self.tables[r, a], self.tables[r, b] = table_b, table_a
        self.same[r] = self.tables[r][:, None] == self.tables[r][None, :]

    def run(self, bound: int, deadline: float, max_iterations: int | None) -> None:
        """Search until the cost meets the bound, the deadline or the iteration limit."""
        stalled = 0
        while self.best_cost > bound and time.monotonic() < deadline:
            if max_iterations is not None and self.iterations >= max_iterations:
                break
            self.iterations += 1
            moved = self.step()
            if self.cost < self.best_cost:
                self.best_cost, self.best_tables = self.cost, self.tables.copy()
                stalled = 0
            else:
                stalled += 1
            if stalled >= STALL or not moved:
                self.restart()
                stalled = 0

    def restart(self) -> None:
        """Go back to the best seating and shake it with a few random swaps."""
        self.load(self.best_tables)
        for _ in range(KICK):
            r = self.rng.randrange(self.rounds)
            movable = np.flatnonzero(self.movable)
            a = int(movable[self.rng.randrange(len(movable))])
            others = movable[self.tables[r, movable] != self.tables[r, a]]
            if len(others):
                b = int(others[self.rng.randrange(len(others))])
                self.swap(r, a, b)
        self.load(self.tables)

    def best_schedule(self) -> Schedule:
        """The best seating found, as tables of people."""
        return [
            [np.flatnonzero(self.best_tables[r] == t).tolist() for t in range(self.groups)]
            for r in range(self.rounds)
        ]


HUGE = 1 << 40


def table_of(schedule: Schedule, people: int) -> Ints:
    """Round × person → table."""
    tables = np.zeros((len(schedule), people), dtype=np.int64)
    for r, round_ in enumerate(schedule):
        for t, table in enumerate(round_):
            tables[r, table] = t
    return tables
