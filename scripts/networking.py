"""Benchmark for networking roundtables: new peers, distinct hosts and wishes, round after round.

Run with `python -m scripts.networking [--only NAME]`. For each instance, two rows measured in
the same run: `cp-sat by round` (each round's CP-SAT model with every criterion, seeing the
earlier rounds: the approach before the search) and `cp-sat + search` (the default: rounds
solved for preferences and fairness, then the tabu search over all rounds, again from a
design's start where one fits, then, for a session small enough for a model of every round,
CP-SAT on neighbourhoods of its schedule).
Every allocation is verified by the independent checker.

Columns: repeated pairs — pairs who share a table in more than one round, beyond the pairs
the rules force to (hosts of one table, people a hard `together` rule keeps together);
distinct — every guest at a different host's table each round; top 3 — guests who sit at
one of their 3 best-ranked tables, of those who ranked tables they can reach.
"""

import argparse
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import solver.rounds
import solver.solve
from models import (
    Allocation,
    Event,
    Option,
    Participant,
    Preference,
    RuleKind,
    Session,
    SessionKind,
    Settings,
)
from scripts.benchmark import REGIONS, load, weighted_sample
from solver.check import check_allocation
from solver.roundtable import wished

DATA = Path(__file__).resolve().parent.parent / "data"
EXPERTS = ("international organisation", "local authority", "civil society", "academia")


@dataclass
class Row:
    """One line of the table."""

    instance: str
    size: str
    method: str
    objective: float
    repeats: int
    forced: int
    distinct: bool
    top: tuple[int, int]
    seconds: float

    def cells(self) -> list[str]:
        """The row as printed."""
        return [
            self.instance,
            self.size,
            self.method,
            f"{self.objective:g}",
            str(self.repeats),
            str(self.forced),
            "yes" if self.distinct else "NO",
            f"{self.top[0]}/{self.top[1]}",
            f"{self.seconds:.2f}",
        ]


HEADER = [
    "instance",
    "people×tables×rounds",
    "method",
    "objective",
    "repeated pairs",
    "forced",
    "distinct",
    "top 3",
    "seconds",
]


def networking_event(guests: int, tables: int, rounds: int, seed: int = 3) -> Event:
    """Next-generation guests at expert-hosted tables; each guest ranks 4 tables.

    Popularity is skewed (some experts are wanted by many), tables hold a fair share plus
    one, every criterion on with its default weight.
    """
    rng = random.Random(seed)
    hosts = [
        Participant(
            id=f"e{t + 1}",
            name=f"Expert {t + 1}",
            region=rng.choice(REGIONS),
            group=EXPERTS[t % len(EXPERTS)],
            organisation=f"Org {t + 1}",
        )
        for t in range(tables)
    ]
    people = [
        Participant(
            id=f"g{i + 1:03d}",
            name=f"Guest {i + 1}",
            region=rng.choices(REGIONS, weights=(40, 15, 15, 12, 10, 8))[0],
            group="next generation",
            organisation=f"Org {rng.randint(1, guests // 2)}",
        )
        for i in range(guests)
    ]
    ids = [f"T{t + 1}" for t in range(tables)]
    options = [
        Option(session="NET", id=tid, max=-(-guests // tables) + 2, hosts=(host.id,))
        for tid, host in zip(ids, hosts, strict=True)
    ]
    popularity = [1.0 / (rank + 1) ** 0.7 for rank in range(tables)]
    preferences = [
        Preference(participant=person.id, session="NET", option=tid, rank=rank)
        for person in people
        for rank, tid in enumerate(weighted_sample(rng, ids, popularity, 4), start=1)
    ]
    return Event(
        participants=hosts + people,
        sessions=[Session(id="NET", day="d1", kind=SessionKind.ROUNDTABLE, rounds=rounds)],
        options=options,
        preferences=preferences,
        settings=Settings(time_limit=10),
    )


def academy(year: int) -> Event:
    """A bundled academy event (its networking sessions are measured, solved as a whole)."""
    return load(DATA / f"academy-{year}.xlsx")


INSTANCES: dict[str, Callable[[], Event]] = {
    "networking-60x8x4": lambda: networking_event(60, 8, 4),
    "networking-44x8x4": lambda: networking_event(44, 8, 4),
    "networking-120x12x3": lambda: networking_event(120, 12, 3),
    "academy-2022": lambda: academy(2022),
    "academy-2023": lambda: academy(2023),
}


@contextmanager
def rounds_only() -> Iterator[None]:
    """Solve roundtables round by round with CP-SAT alone (the swaps, and with them the
    design's start, and the neighbourhoods switched off)."""
    polish, reseat = solver.rounds.can_polish, solver.rounds.reseated_part
    solver.rounds.can_polish = lambda *_args: False
    solver.rounds.reseated_part = lambda _ctx, _session, _history, part, *_rest: part
    try:
        yield
    finally:
        solver.rounds.can_polish, solver.rounds.reseated_part = polish, reseat


def forced_pairs(event: Event, session: str) -> set[tuple[str, str]]:
    """Pairs who must share a table every round: co-hosts, people of a hard together rule."""
    groups = [option.hosts for option in event.options_of[session]]
    groups += [r.participants for r in event.rules_for(session, [RuleKind.TOGETHER]) if r.is_hard]
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def rows_for(name: str, event: Event, method: str, allocation: Allocation) -> list[Row]:
    """One row per roundtable session of several rounds, with its cost and time as solved."""
    report = check_allocation(event, allocation)
    if not report.ok:
        raise SystemExit(f"{name}: the checker found broken rules")
    rows = []
    for session in event.sessions:
        if session.kind is not SessionKind.ROUNDTABLE or session.rounds < 2:
            continue
        seats: dict[str, list[str]] = {}
        tables: dict[tuple[int, str], list[str]] = {}
        for a in allocation.assignments:
            if a.session == session.id:
                seats.setdefault(a.participant, []).append(a.option)
                tables.setdefault((a.round, a.option), []).append(a.participant)
        met = Counter(pair for m in tables.values() for pair in combinations(sorted(m), 2))
        forced = forced_pairs(event, session.id)
        repeats = sum(n - 1 for pair, n in met.items() if n > 1 and pair not in forced)
        forced_repeats = sum(n - 1 for pair, n in met.items() if n > 1 and pair in forced)
        guests = [p for p in seats if (p, session.id) not in event.host_option]
        hosted = {o.id for o in event.options_of[session.id] if o.hosts}
        distinct = all(
            len(set(seats[p]) & hosted) == sum(1 for o in seats[p] if o in hosted) for p in guests
        )
        asked = [p for p in guests if reachable_wishes(event, session, p)]
        solved = allocation.stats.sessions[session.id]
        top = sum(1 for p in asked if set(seats[p]) & reachable_wishes(event, session, p))
        rows.append(
            Row(
                name if name.startswith("networking") else f"{name} {session.id}",
                f"{len(seats)}×{len(event.options_of[session.id])}×{session.rounds}",
                method,
                solved.objective,
                repeats,
                forced_repeats,
                distinct,
                (top, len(asked)),
                solved.seconds,
            )
        )
    return rows


def reachable_wishes(event: Event, session: Session, person: str) -> set[str]:
    """The person's top-3 tables whose room meets their needs."""
    needs = set(event.people[person].needs)
    return {
        o.id
        for o in event.options_of[session.id]
        if wished(event, session, person, o.id) and needs <= set(o.features)
    }


def measure(name: str, build: Callable[[], Event]) -> list[Row]:
    """Both methods on one instance."""
    rows = []
    for method in ("cp-sat by round", "cp-sat + search"):
        event = build()
        if method == "cp-sat by round":
            with rounds_only():
                allocation = solver.solve.solve_event(event)
        else:
            allocation = solver.solve.solve_event(event)
        rows += rows_for(name, event, method, allocation)
    return rows


def main() -> None:
    """Run the chosen instances and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these instances")
    args = parser.parse_args()
    rows = []
    for name, build in INSTANCES.items():
        if not args.only or name in args.only:
            rows += measure(name, build)
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


if __name__ == "__main__":
    main()
