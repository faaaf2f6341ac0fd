"""A start for a roundtable's swaps in which no two guests meet twice: the paths of a design.

The rounds solved one after another seat people who want the same tables together round
after round, and from there the swaps of solver/roundtable.py find no descent: the realistic
networking case (60 guests at 8 expert tables, 4 rounds) kept 51 pairs meeting twice. With
q tables (their hosts stay at them), the transversal design over GF(q) when q is a prime
power, or over a product of such fields (12 = 4 × 3, for up to 3 rounds), gives up to q − 1
rows of q guests a path each (a table in each round) such that no two of them share a table
twice; k rows seat k guests at every table, and the
guests beyond those (one more at some tables) take the larger tables in turn. Each guest
gets the path that their wishes make cheapest (a min-cost assignment, over every choice of
the design's rounds), with no more dissatisfaction than the worst-off level and a top table
for everyone who has one.
"""

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from models import Assignment, Event, Option, Participant, Session, Strength
from solver.fields import field
from solver.history import History
from solver.roundtable import (
    Bools,
    Ints,
    Search,
    allowed_tables,
    rank_costs,
    seating_of,
    wished,
)
from solver.rules import split_sizes

UNFIT = 1 << 20  # what each way a path does not fit a guest costs in the assignment
DESIGN_TRIALS = 400  # ways of laying the design on the tables given to the assignment
DESIGN_RANKED = 40  # of those, the cheapest ranked by their schedules' cost


@dataclass
class Designed:
    """A schedule from a design, and the guests whose path is above the worst-off level or
    has none of their top tables."""

    assignments: list[Assignment]
    unfit: list[str]


def prime_powers(q: int) -> list[int]:
    """The prime powers whose product is q, one per prime (12: 4 and 3)."""
    powers, rest, prime = [], q, 2
    while rest > 1:
        power = 1
        while rest % prime == 0:
            rest, power = rest // prime, power * prime
        if power > 1:
            powers.append(power)
        prime += 1
    return powers


def design_tables(q: int) -> Ints | None:
    """(rounds, q²): the table of each of the design's people in each of its rounds, or
    None when it has fewer than two rounds.

    People (i, j) and tables are elements of the product of the fields GF(p^a) whose orders
    multiply to q (one field when q is a prime power: the transversal design); in round r,
    person (i, j), index i·q + j, sits at table j + r·i. Two people of different rows who
    met in rounds r and s would have (r − s)(i − i') = 0, which cannot be when r − s is
    non-zero in every field: the rounds take distinct elements in each, as many as the
    smallest field has (12 tables: 3 rounds; 14: 2).
    """
    orders = prime_powers(q)
    fields = [field(order) for order in orders]
    rounds = min(orders, default=0)
    if rounds < 2 or any(f is None for f in fields):
        return None
    index = np.arange(q)
    i, j = np.divmod(np.arange(q * q), q)
    table_of = np.zeros((rounds, q * q), dtype=np.int64)
    place = 1
    for order, tables in zip(orders, fields, strict=True):
        assert tables is not None
        add, mul = np.array(tables[0]), np.array(tables[1])
        digit = (index // place) % order  # each element's coordinate in this field
        for r in range(rounds):  # round r: element r of every field
            table_of[r] += place * add[digit[j], mul[r, digit[i]]]
        place *= order
    return table_of


@dataclass
class Fit:
    """How a design fits a session: its tables, guests, the tables with one guest more,
    the design's rows of guests, and the design's tables (`design_tables`)."""

    options: list[Option]
    guests: list[Participant]
    extra: list[int]
    rows: int
    tables: Ints


def design_paths(
    table_of: Ints, rounds: tuple[int, ...], extra: list[int], rows: int, tables: Ints | None = None
) -> Ints:
    """(paths, rounds): the table of each path in each of the design's `rounds`; the
    guests of the design's rows 1 … `rows` (q each), their tables renamed by `tables` (the
    design's table b is `tables[b]`), then one path per table of `extra` in turn."""
    q = math.isqrt(table_of.shape[1])
    guests = table_of[list(rounds)][:, q : q * (rows + 1)].T
    if tables is not None:
        guests = tables[guests]
    turns = [[extra[(e + k) % len(extra)] for k in range(len(rounds))] for e in range(len(extra))]
    return np.vstack([guests, np.array(turns, dtype=np.int64).reshape(-1, len(rounds))])


def designed_starts(
    event: Event, session: Session, history: History, fit: Fit, level: int | None, until: float
) -> list[Designed]:
    """Each guest on a path of the design by the cheapest assignment, for up to
    `DESIGN_TRIALS` ways of laying the design on the tables (each choice of its rounds,
    then random relabellings of its tables, by the seed, with random choices of rounds);
    the `DESIGN_RANKED` whose assignments cost least, ranked by how many guests' paths do
    not fit them, then by what their schedules cost under the search's objective. As many
    as there is time for until `until`, for a session `fit` (`design_fit`); a way is left
    out when a guest's path has a table they may not take."""
    options, guests = fit.options, fit.guests
    allowed = allowed_tables(event, session, guests)
    costs = rank_costs(event, session, guests)
    wishes = np.array([[wished(event, session, g.id, o.id) for o in options] for g in guests])
    earlier = np.array([history.dissatisfaction[g.id] for g in guests], dtype=np.int64)
    weight = event.settings.weight_preference
    assigned: list[tuple[int, Ints, Ints]] = []
    for paths in layouts(fit, session.rounds, random.Random(event.settings.seed)):
        if time.monotonic() >= until:
            break
        unfit = unfit_paths(paths, allowed, costs, wishes, earlier, level)
        cost = weight * costs[:, paths].sum(axis=2) + UNFIT * unfit
        who, cols = linear_sum_assignment(cost)
        seats = paths[cols]
        if allowed[np.arange(len(guests))[:, None], seats].all():
            assigned.append((int(cost[who, cols].sum()), seats, unfit[who, cols]))
    assigned.sort(key=lambda a: a[0])
    ranked = []
    for _, seats, unfit in assigned[:DESIGN_RANKED]:
        if time.monotonic() >= until:
            break
        start = Designed(schedule_of(session, options, guests, seats), unfit_guests(guests, unfit))
        cost = search_cost(event, session, history, start.assignments)
        ranked.append((len(start.unfit), cost, start))
    ranked.sort(key=lambda r: r[:2])
    return [start for _, _, start in ranked]


def layouts(fit: Fit, rounds: int, rng: random.Random) -> Iterator[Ints]:
    """The design's paths for each choice of its rounds, then for random relabellings of
    its tables with a random choice of rounds: `DESIGN_TRIALS` in all."""
    choices = list(combinations(range(len(fit.tables)), rounds))
    q = len(fit.options)
    for trial in range(DESIGN_TRIALS):
        if trial < len(choices):
            yield design_paths(fit.tables, choices[trial], fit.extra, fit.rows)
        else:
            tables = np.array(rng.sample(range(q), q))
            yield design_paths(fit.tables, rng.choice(choices), fit.extra, fit.rows, tables)


def design_fit(event: Event, session: Session) -> Fit | None:
    """How a design fits the session, if one does: q tables whose design has as many rounds
    as the session (`design_tables`), each holding its hosts (any number, none included) and
    k or k + 1 guests for some k < q (k rows of q guests, one more at each table of k + 1:
    at least as many such tables as rounds, or none), no organiser's rule on a guest,
    isolation not forbidden outright."""
    options = event.options_of[session.id]
    q, rounds = len(options), session.rounds
    guests = [p for p in event.audience_of(session) if (p.id, session.id) not in event.host_option]
    sizes = split_sizes(event, session)
    ruled = {pid for rule in event.rules_of(session.id) for pid in rule.participants}
    settings = event.settings
    tables = design_tables(q)
    if (
        tables is None
        or not 1 < rounds <= len(tables)
        or sizes is None
        or ruled & {g.id for g in guests}
        or (settings.no_isolation and settings.no_isolation_strength is Strength.HARD)
    ):
        return None
    seats = [sizes[option.id] - len(option.hosts) for option in options]  # guests a round
    rows = min(seats)
    extra = [t for t, count in enumerate(seats) if count == rows + 1]
    if (
        not 0 < rows < q
        or not all(count in (rows, rows + 1) for count in seats)
        or len(guests) != q * rows + len(extra)
        or 0 < len(extra) < rounds
    ):
        return None
    return Fit(options, guests, extra, rows, tables)


def schedule_of(
    session: Session, options: list[Option], guests: list[Participant], seats: Ints
) -> list[Assignment]:
    """Hosts at their tables in every round, each guest on their path."""
    hosts = [
        Assignment(participant=host, session=session.id, option=option.id, round=r)
        for option in options
        for host in option.hosts
        for r in range(1, session.rounds + 1)
    ]
    return hosts + [
        Assignment(participant=guest.id, session=session.id, option=options[t].id, round=r + 1)
        for guest, path in zip(guests, seats.tolist(), strict=True)
        for r, t in enumerate(path)
    ]


def unfit_guests(guests: list[Participant], unfit: Ints) -> list[str]:
    """The guests whose path does not fit them."""
    return [guest.id for guest, ways in zip(guests, unfit.tolist(), strict=True) if ways]


def search_cost(
    event: Event, session: Session, history: History, assignments: list[Assignment]
) -> int:
    """What a schedule costs under the search's objective (solver/roundtable.py)."""
    seating = seating_of(event, session, history, assignments)
    return Search(seating, random.Random(event.settings.seed)).total()


def unfit_paths(
    paths: Ints, allowed: Bools, costs: Ints, wishes: Bools, earlier: Ints, level: int | None
) -> Ints:
    """(guests, paths): in how many ways each path does not fit each guest (a table they may
    not take, a dissatisfaction above the worst-off level, no top table for one who has)."""
    unfit = (~allowed[:, paths]).any(axis=2).astype(np.int64)
    if level is not None:
        unfit += earlier[:, None] + costs[:, paths].sum(axis=2) > level
    wishing: Bools = np.asarray(wishes.any(axis=1))
    unfit += wishing[:, None] & ~wishes[:, paths].any(axis=2)
    return unfit
