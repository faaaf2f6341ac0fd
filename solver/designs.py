"""A start for a roundtable's swaps in which no two guests meet twice: the paths of a design.

The rounds solved one after another seat people who want the same tables together round
after round, and from there the swaps of solver/roundtable.py find no descent: the realistic
networking case (60 guests at 8 expert tables, 4 rounds) kept 51 pairs meeting twice. With
a prime power q of tables (their hosts stay at them), the transversal design over GF(q)
(solver/rotation.py) gives up to q − 1 rows of q guests a path each (a table in each round)
such that no two of them share a table twice; k rows seat k guests at every table, and the
guests beyond those (one more at some tables) take the larger tables in turn. Each guest
gets the path that their wishes make cheapest (a min-cost assignment, over every choice of
the design's rounds), with no more dissatisfaction than the worst-off level and a top table
for everyone who has one.
"""

import random
import time
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from models import Assignment, Event, Option, Participant, Session, Strength
from solver.history import History
from solver.rotation import field, transversal
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
DESIGN_RANKED = 80  # choices of the design's rounds ranked by their schedules' cost, at most


@dataclass
class Designed:
    """A schedule from a design, and the guests whose path is above the worst-off level or
    has none of their top tables."""

    assignments: list[Assignment]
    unfit: list[str]


def design_tables(q: int) -> Ints:
    """(q rounds, q² people): the table of each of the design's people in each round."""
    design = transversal(q, q)
    table_of = np.empty((len(design), q * q), dtype=np.int64)
    for r, round_ in enumerate(design):
        for b, table in enumerate(round_):
            table_of[r, table] = b
    return table_of


def design_paths(table_of: Ints, rounds: tuple[int, ...], extra: list[int], rows: int) -> Ints:
    """(paths, rounds): the table of each path in each of the design's `rounds`; the
    guests of the design's rows 1 … `rows` (q each), then one path per table of `extra` in
    turn."""
    q = table_of.shape[0]
    guests = table_of[list(rounds)][:, q : q * (rows + 1)].T
    turns = [[extra[(e + k) % len(extra)] for k in range(len(rounds))] for e in range(len(extra))]
    return np.vstack([guests, np.array(turns, dtype=np.int64).reshape(-1, len(rounds))])


def designed_starts(
    event: Event, session: Session, history: History, level: int | None, until: float
) -> list[Designed]:
    """Each guest on a path of the design by the cheapest assignment, for each choice of the
    design's rounds whose assignment costs the least (the design is symmetric: many tie),
    the first `DESIGN_RANKED` of them ranked by what their schedules cost under the search's
    objective, cheapest first; as many as there is time for until `until`; none when the
    session is not one a design fits (`design_fit`); a choice is left out when a guest's
    path has a table they may not take."""
    fit = design_fit(event, session)
    if fit is None:
        return []
    options, guests, extra, rows = fit
    q = len(options)
    allowed = allowed_tables(event, session, guests)
    costs = rank_costs(event, session, guests)
    wishes = np.array([[wished(event, session, g.id, o.id) for o in options] for g in guests])
    earlier = np.array([history.dissatisfaction[g.id] for g in guests], dtype=np.int64)
    weight = event.settings.weight_preference
    table_of = design_tables(q)
    assigned: list[tuple[int, Ints, Ints]] = []
    for chosen in combinations(range(q), session.rounds):
        if time.monotonic() >= until:
            break
        paths = design_paths(table_of, chosen, extra, rows)
        unfit = unfit_paths(paths, allowed, costs, wishes, earlier, level)
        cost = weight * costs[:, paths].sum(axis=2) + UNFIT * unfit
        who, cols = linear_sum_assignment(cost)
        seats = paths[cols]
        if allowed[np.arange(len(guests))[:, None], seats].all():
            assigned.append((int(cost[who, cols].sum()), seats, unfit[who, cols]))
    least = min((total for total, _, _ in assigned), default=None)
    starts = [
        Designed(schedule_of(session, options, guests, seats), unfit_guests(guests, unfit))
        for total, seats, unfit in assigned
        if total == least
    ][:DESIGN_RANKED]
    ranked = []
    for start in starts:
        if time.monotonic() >= until:
            break
        ranked.append((search_cost(event, session, history, start.assignments), start))
    ranked.sort(key=lambda pair: pair[0])
    return [start for _, start in ranked]


def design_fit(
    event: Event, session: Session
) -> tuple[list[Option], list[Participant], list[int], int] | None:
    """The tables, the guests, the tables with one guest more and the design's rows of
    guests when a design fits the session: a prime power q of tables, each holding its hosts
    (any number, none included) and k or k + 1 guests for some k < q (k rows of q guests,
    one more at each table of k + 1: at least as many as rounds, or none), no organiser's
    rule on a guest, isolation not forbidden outright."""
    options = event.options_of[session.id]
    q, rounds = len(options), session.rounds
    guests = [p for p in event.audience_of(session) if (p.id, session.id) not in event.host_option]
    sizes = split_sizes(event, session)
    ruled = {pid for rule in event.rules_of(session.id) for pid in rule.participants}
    settings = event.settings
    if (
        field(q) is None
        or not 1 < rounds <= q
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
    return options, guests, extra, rows


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
