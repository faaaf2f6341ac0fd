"""Large neighbourhoods of a roundtable's schedule, searched by CP-SAT in the model of every
round at once: a few guests free to move in every round, everyone else kept in place.

The swaps of solver/roundtable.py move two people of one round at a time; a neighbourhood
moves several people in every round together, which is what a pair meeting again in two
rounds often needs (one of them changes two tables, someone else makes room at both).
"""

import math
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ortools.sat.python import cp_model

from solver.model import Key, SessionModel
from solver.roundtable import at_a_wish, wished
from solver.watch import Watch, cp_solver

LNS_PEOPLE = 8  # guests free to move in a neighbourhood, at first and after each success
LNS_MOST_PEOPLE = 12  # the most guests freed: the search ends when these find nothing
LNS_GROWTH = 2  # more guests freed after LNS_FRUITLESS neighbourhoods in a row found nothing
LNS_WORK = 0.3  # deterministic seconds of CP-SAT per neighbourhood (most end proven sooner)
LNS_FRUITLESS = 6  # neighbourhoods in a row without a cheaper schedule before freeing more
WHOLE_WORK = 1.0  # deterministic seconds for a model whose guests fit in one neighbourhood
LNS_PARALLEL = 2  # neighbourhoods searched at once (one a core), from the same schedule


def reseated(
    m: SessionModel,
    placed: set[Key],
    until: float,
    watch: Watch,
    seed: int,
    work: float = math.inf,
) -> tuple[set[Key], int]:
    """The cheapest schedule found from the placements `placed` in neighbourhoods of guests
    drawn at random, each searched for `LNS_WORK` and kept when it costs less; and the
    neighbourhoods searched.

    `LNS_PEOPLE` guests are freed at first and after each cheaper schedule, `LNS_GROWTH`
    more each time `LNS_FRUITLESS` in a row find nothing cheaper, until `LNS_MOST_PEOPLE`
    find nothing either (every size in turn, since the last success), every guest who can
    move was free and nothing was found (`movable_guests`), the neighbourhoods' CP-SAT work
    reaches `work` deterministic seconds (planned from the time limit: the same in every
    run), or `until`.
    `m` is the model of every round with its levels capped (the schedule must be at them)
    and its cost as the objective. Everyone at one of their top tables stays at one, as in
    the swaps. The same seed gives the same schedule unless the time runs out first.
    """
    model = m.model.clone()
    model.clear_hints()
    keep_top_wishes(model, m, placed)
    guests = movable_guests(m)
    if len(guests) <= LNS_PEOPLE:
        return searched_whole(model, m, placed, until, watch, seed), 1
    rng = random.Random(seed)
    now, spent = neighbour(model, m, placed, set(), until, watch, seed)  # everyone kept
    if now is None:
        return placed, 0
    cost, searched, fruitless, freed = now[0], 0, 0, LNS_PEOPLE
    with ThreadPoolExecutor(max_workers=LNS_PARALLEL) as pool:
        while (
            freed <= LNS_MOST_PEOPLE
            and spent < work
            and time.monotonic() < until
            and not watch.stopped
        ):
            draws = [set(rng.sample(guests, min(freed, len(guests)))) for _ in range(LNS_PARALLEL)]
            search = partial(neighbour, model, m, placed, until=until, watch=watch, seed=seed)
            searches = list(pool.map(search, draws))
            found = [f for f, _ in searches if f is not None]
            spent += sum(work_done for _, work_done in searches)
            searched += len(draws)
            fruitless += len(draws)
            best = min(found, key=lambda f: f[0], default=None)  # the first of equal costs
            if best is not None and best[0] < cost:
                cost, placed, fruitless, freed = best[0], best[1], 0, LNS_PEOPLE
            elif freed >= len(guests):
                break  # every guest was free: the same search again finds the same
            elif fruitless >= LNS_FRUITLESS:
                freed, fruitless = freed + LNS_GROWTH, 0
    return placed, searched


def searched_whole(
    model: cp_model.CpModel,
    m: SessionModel,
    placed: set[Key],
    until: float,
    watch: Watch,
    seed: int,
) -> set[Key]:
    """The cheapest schedule of the model (its rules and `model`'s top wishes), with so few
    guests free to move that one search sees them all: from `placed`, for `WHOLE_WORK` at
    the linearization level that proves such models; `placed` when it finds nothing.

    2023's COOP re-solved, its five newcomers the only guests free (`held_in_place`): 3248
    proven in 0.9 s, where neighbourhoods of all five, presolved once each for
    `LNS_WORK`, stopped at 3278."""
    trial = model.clone()
    for key, var in m.x.items():
        trial.add_hint(trial.get_bool_var_from_proto_index(var.index), key in placed)
    solver = cp_solver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = WHOLE_WORK
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = max(0.0, until - time.monotonic())
    status = watch.solve(solver, trial, m.session.id, report=False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return placed
    return {key for key, var in m.x.items() if solver.value(var)}


def movable_guests(m: SessionModel) -> list[str]:
    """The guests with a choice of tables in some round of the model: not hosts, and not
    held in place (a re-solve at the least moves holds everyone no such schedule moves:
    the newcomers and the people who must move are left to draw)."""
    hosting = m.event.host_option  # hosts stay at their tables
    tables = Counter((person, round_) for person, _, round_ in m.x)
    return sorted(
        {
            person
            for (person, _), count in tables.items()
            if count > 1 and (person, m.session.id) not in hosting
        }
    )


def keep_top_wishes(model: cp_model.CpModel, m: SessionModel, placed: set[Key]) -> None:
    """Everyone at one of their top tables in `placed` visits one in every schedule."""
    event, session = m.event, m.session
    for person in sorted(at_a_wish(event, session, ((p, table) for p, table, _ in placed))):
        wishes = [
            model.get_bool_var_from_proto_index(var.index)
            for (who, table, _), var in m.x.items()
            if who == person and wished(event, session, person, table)
        ]
        model.add(cp_model.LinearExpr.sum(wishes) >= 1)


def neighbour(
    model: cp_model.CpModel,
    m: SessionModel,
    placed: set[Key],
    free: set[str],
    until: float,
    watch: Watch,
    seed: int,
) -> tuple[tuple[float, set[Key]] | None, float]:
    """The cheapest schedule CP-SAT finds with only `free` people moved from `placed`, and
    its cost (None when it finds none: no time, or the schedule breaks the model's rules);
    and the deterministic seconds the search took."""
    trial = model.clone()
    m.fix_schedule(trial, placed, free)
    solver = cp_solver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = LNS_WORK
    solver.parameters.max_time_in_seconds = max(0.0, until - time.monotonic())
    solver.parameters.max_presolve_iterations = 1  # most people are fixed: little to presolve
    solver.parameters.symmetry_level = 0
    status = watch.solve(solver, trial, m.session.id, report=False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    schedule = {key for key, var in m.x.items() if solver.value(var)}
    return (solver.objective_value, schedule), solver.deterministic_time
