"""Benchmark the roundtable rotation on social golfer instances from the literature.

    python -m scripts.golfer [--time-limit 60] [--seed 0] [--only 8-4-10]   # the table
    python -m scripts.golfer --sweep     # every perfect instance up to 32 people, 9 rounds
    python -m scripts.golfer --compare   # the same engine without designs, and plain CP-SAT

An instance g-s-w is g tables of s people for w rounds. Known bests come from the literature:
the 2001 table of maximum rounds by Sellmann (cs.brown.edu/~sello/golf.html) and design
theory: Kirkman triple systems exist for 15, 21, 27 people, nearly Kirkman triple systems
for 18, 24, 30, resolvable designs with blocks of 4 for 16 and 28, affine planes of prime
power order, a 10-round schedule for 32 people at tables of 4 (Aguado 2004), and no two
orthogonal Latin squares of order 6 (so 6-6-4 repeats).
"""

import argparse
import random
import time
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from ortools.sat.python import cp_model

from solver.rotation import Schedule, TabuSearch, greedy_schedule, lower_bound, rotate
from solver.watch import cp_solver


@dataclass(frozen=True)
class Instance:
    """A social golfer instance and what the literature knows about it."""

    groups: int
    size: int
    rounds: int
    known: str  # the fewest repeats known, "unknown", or a bound

    @property
    def name(self) -> str:
        """g-s-w."""
        return f"{self.groups}-{self.size}-{self.rounds}"


INSTANCES = [
    Instance(2, 2, 4, "2"),  # 4 people in pairs, 4 rounds: the round robin has only 3
    Instance(4, 4, 5, "0"),  # affine plane of order 4
    Instance(4, 4, 6, "24"),  # one round beyond it: every meeting repeats
    Instance(4, 3, 5, "≥ 1"),  # 12 people in threes: 4 rounds at most
    Instance(5, 3, 7, "0"),  # Kirkman's schoolgirls
    Instance(5, 3, 8, "15"),  # one day beyond Kirkman
    Instance(5, 4, 5, "0"),
    Instance(5, 5, 6, "0"),  # affine plane of order 5
    Instance(6, 3, 8, "0"),  # nearly Kirkman triple system on 18
    Instance(6, 4, 7, "0"),
    Instance(6, 5, 6, "unknown"),  # 2001 table: 5 or 6 rounds
    Instance(6, 6, 3, "0"),  # a Latin square of order 6
    Instance(6, 6, 4, "≥ 1"),  # no two orthogonal Latin squares of order 6 (Euler's officers)
    Instance(7, 3, 9, "0"),  # Kirkman triple system on 21 (10 rounds)
    Instance(7, 4, 9, "0"),  # resolvable design of 28 points, blocks of 4
    Instance(8, 4, 8, "0"),
    Instance(8, 4, 9, "0"),
    Instance(8, 4, 10, "0"),  # Aguado 2004; first reached by a metaheuristic in 2012
    Instance(10, 3, 9, "0"),  # nearly Kirkman triple system on 30 (14 rounds)
]

# Most rounds without a repeat, for g ≥ s ≥ 3 and up to 32 people (s = 2: n − 1 rounds).
KNOWN_MAX = {
    (3, 3): 4,
    (4, 3): 4,
    (5, 3): 7,
    (6, 3): 8,
    (7, 3): 10,
    (8, 3): 11,
    (9, 3): 13,
    (10, 3): 14,
    (4, 4): 5,
    (5, 4): 5,
    (6, 4): 7,
    (7, 4): 9,
    (8, 4): 10,
    (5, 5): 6,
}


def main() -> None:
    """Parse the options and print the chosen table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="instance names, e.g. 5-3-7 8-4-10")
    parser.add_argument("--sweep", action="store_true", help="every perfect instance ≤ 32 × 9")
    parser.add_argument("--compare", action="store_true", help="tabu alone and plain CP-SAT")
    args = parser.parse_args()
    chosen = [i for i in INSTANCES if not args.only or i.name in args.only]
    if args.sweep:
        sweep(args.time_limit, args.seed)
    elif args.compare:
        compare(chosen, args.time_limit, args.seed)
    else:
        table(chosen, args.time_limit, args.seed)


def table(instances: list[Instance], time_limit: float, seed: int) -> None:
    """One row per instance: what `rotate` finds, the bound, the known best, the time."""
    print("| instance | people | repeats | lower bound | known best | seconds | status | method |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for instance in instances:
        result = rotate(
            instance.groups, instance.size, instance.rounds, seed=seed, time_limit=time_limit
        )
        if not valid(result.rounds, instance.groups, instance.size, instance.rounds):
            status = "INVALID"
        elif result.bound_met:
            status = "bound met"
        elif instance.known.isdigit() and result.repeats == int(instance.known):
            status = "known best"
        else:
            status = "time limit"
        cells = [
            instance.name,
            str(instance.groups * instance.size),
            str(result.repeats),
            str(result.bound),
            instance.known,
            f"{result.seconds:.2f}",
            status,
            result.method,
        ]
        print("| " + " | ".join(cells) + " |", flush=True)


def sweep(time_limit: float, seed: int) -> None:
    """Every instance up to 32 people and 9 rounds known to have a perfect schedule."""
    cases = [
        (groups, size, rounds)
        for size in range(2, 33)
        for groups in range(max(size, 2), 32 // size + 1)
        for rounds in range(2, min(known_max(groups, size), 9) + 1)
    ]
    slow, failures, total = [], [], 0.0
    for groups, size, rounds in cases:
        result = rotate(groups, size, rounds, seed=seed, time_limit=time_limit)
        name = f"{groups}-{size}-{rounds}"
        total += result.seconds
        if result.seconds > 1:
            slow.append(f"{name} {result.seconds:.1f} s ({result.method})")
        if result.repeats or not valid(result.rounds, groups, size, rounds):
            failures.append(f"{name}: {result.repeats}")
    print(f"{len(cases)} instances, {len(cases) - len(failures)} without a repeat, {total:.1f} s")
    print("over 1 s: " + (", ".join(slow) or "none"))
    print("repeats: " + (", ".join(failures) or "none"))


def valid(schedule: Schedule, groups: int, size: int, rounds: int) -> bool:
    """Every round seats everyone once, at `groups` tables of `size`."""
    everyone = list(range(groups * size))
    return len(schedule) == rounds and all(
        len(round_) == groups
        and all(len(table) == size for table in round_)
        and sorted(p for table in round_ for p in table) == everyone
        for round_ in schedule
    )


def known_max(groups: int, size: int) -> int:
    """Most rounds without a repeat known for g tables of s (0 where unknown here)."""
    if size == 2:
        return 2 * groups - 1
    return KNOWN_MAX.get((groups, size), 0)


def compare(instances: list[Instance], time_limit: float, seed: int) -> None:
    """The engine, the greedy start and tabu search alone, and a plain CP-SAT model."""
    print(
        "| instance | rotate | seconds | greedy + tabu alone | seconds | plain CP-SAT | seconds |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for instance in instances:
        g, s, w = instance.groups, instance.size, instance.rounds
        result = rotate(g, s, w, seed=seed, time_limit=time_limit)
        alone, alone_seconds = tabu_alone(g, s, w, seed, time_limit)
        plain, plain_seconds = plain_cpsat(g, s, w, seed, time_limit)
        cells = [instance.name, str(result.repeats), f"{result.seconds:.2f}", str(alone)]
        cells += [f"{alone_seconds:.2f}", plain, f"{plain_seconds:.2f}"]
        print("| " + " | ".join(cells) + " |", flush=True)


def tabu_alone(groups: int, size: int, rounds: int, seed: int, seconds: float) -> tuple[int, float]:
    """Repeats found by the greedy start and the tabu search, without any design."""
    started = time.monotonic()
    rng = random.Random(seed)
    search = TabuSearch(greedy_schedule(groups, size, rounds, {}, {}, rng), groups, {}, {}, rng)
    search.run(lower_bound(groups, size, rounds), started + seconds, None)
    return search.best_cost, time.monotonic() - started


def plain_cpsat(
    groups: int, size: int, rounds: int, seed: int, seconds: float
) -> tuple[str, float]:
    """Minimise repeats with CP-SAT on the direct model, the first round fixed; 2 workers."""
    people = groups * size
    model = cp_model.CpModel()
    x = np.array(
        [
            [[model.new_bool_var("") for _ in range(rounds)] for _ in range(groups)]
            for _ in range(people)
        ]
    )
    for r in range(rounds):
        for p in range(people):
            model.add_exactly_one(x[p, :, r])
        for t in range(groups):
            model.add(sum(x[:, t, r]) == size)
    repeats = []
    for p, q in combinations(range(people), 2):
        meets = []
        for r in range(rounds):
            meet = model.new_bool_var("")
            for t in range(groups):
                model.add_bool_or([~x[p, t, r], ~x[q, t, r], meet])
            meets.append(meet)
        extra = model.new_int_var(0, rounds, "")
        model.add(extra >= sum(meets) - 1)
        repeats.append(extra)
    for p in range(people):
        model.add(x[p, p // size, 0] == 1)
    model.minimize(sum(repeats))
    solver = cp_solver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    started = time.monotonic()
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "none", time.monotonic() - started
    return f"{solver.objective_value:g}", time.monotonic() - started


if __name__ == "__main__":
    main()
