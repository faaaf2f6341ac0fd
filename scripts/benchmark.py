"""Benchmark: solve generated and bundled events, print one table row per instance.

Run with `make bench` or `python -m scripts.benchmark [--only NAME]`. Each CP-SAT row has a
min-cost-flow row beside it (preferences and capacities only), measured in the same run: the
flow's cost is the lower limit and its time the baseline.
"""

import argparse
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models import Event, Option, Participant, Preference, Session, SessionKind, Settings
from models.workbook import read_event
from solver.check import check_allocation
from solver.flow import flow_allocation
from solver.solve import solve_event

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass
class Row:
    """One line of the benchmark table."""

    instance: str
    size: str
    method: str
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float

    def cells(self) -> list[str]:
        """The row as printed."""
        return [
            self.instance,
            self.size,
            self.method,
            self.status,
            f"{self.objective:g}",
            f"{self.bound:g}",
            f"{self.gap:.2f}",
            f"{self.seconds:.2f}",
        ]


HEADER = ["instance", "size", "method", "status", "objective", "bound", "gap %", "seconds"]


REGIONS = ("Europe", "Africa", "Asia-Pacific", "Latin America", "North America", "Middle East")
GROUPS = (
    "local authority",
    "international organisation",
    "civil society",
    "academia",
    "next generation",
)


def choice_event(
    people: int, sessions: int, options: int, seed: int = 1, criteria: bool = False
) -> Event:
    """Choice sessions with 3 ranked wishes each, skewed popularity, capacity 20 % above fair.

    With `criteria`, people have a region and a stakeholder group (skewed) and the event asks
    for diversity on both and fairness; without, only preferences count (the flow's problem).
    """
    rng = random.Random(seed)
    participants = [
        Participant(
            id=f"p{i:05d}",
            name=f"Person {i}",
            region=rng.choices(REGIONS, weights=(40, 15, 15, 12, 10, 8))[0],
            group=rng.choices(GROUPS, weights=(30, 15, 25, 15, 15))[0],
        )
        for i in range(people)
    ]
    capacity = -(-people * 12 // (10 * options))
    event_sessions, event_options, preferences = [], [], []
    for s in range(sessions):
        sid = f"S{s + 1:02d}"
        event_sessions.append(Session(id=sid, day=f"day{s // 2 + 1}", kind=SessionKind.CHOICE))
        ids = [f"{sid}-W{o + 1}" for o in range(options)]
        event_options += [Option(session=sid, id=oid, max=capacity) for oid in ids]
        popularity = [1.0 / (rank + 1) ** 0.7 for rank in range(options)]
        rng.shuffle(popularity)
        for person in participants:
            for rank, oid in enumerate(weighted_sample(rng, ids, popularity, 3), start=1):
                preferences.append(
                    Preference(participant=person.id, session=sid, option=oid, rank=rank)
                )
    return Event(
        participants=participants,
        sessions=event_sessions,
        options=event_options,
        preferences=preferences,
        settings=settings_for(criteria),
    )


def settings_for(criteria: bool) -> Settings:
    """Diversity on region and group with fairness, or preferences alone."""
    if criteria:
        return Settings(time_limit=60, diversity=("region", "group"), no_isolation=(), spread=())
    return Settings(
        time_limit=60, diversity=(), no_isolation=(), spread=(), weight_fairness=0, weight_mixing=0
    )


def weighted_sample(
    rng: random.Random, items: list[str], weights: list[float], k: int
) -> list[str]:
    """k distinct items drawn with probability proportional to their weights."""
    pool, pool_weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(pool))):
        index = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(index))
        pool_weights.pop(index)
    return chosen


def size_of(event: Event) -> str:
    """people × sessions × options per session."""
    per_session = max(len(options) for options in event.options_of.values())
    return f"{len(event.participants)}×{len(event.sessions)}×{per_session}"


def cp_sat_row(name: str, event: Event) -> Row:
    """Solve with CP-SAT and verify with the checker."""
    allocation = solve_event(event)
    report = check_allocation(event, allocation)
    stats = allocation.stats
    status = stats.status if report.ok else "BROKEN"
    return Row(
        name,
        size_of(event),
        "cp-sat",
        status,
        stats.objective,
        stats.bound,
        stats.gap,
        stats.seconds,
    )


def flow_row(name: str, event: Event) -> Row:
    """Min-cost flow on preferences and capacities only: the lower limit and the baseline."""
    started = time.monotonic()
    cost = sum(flow_allocation(event, session)[0] for session in event.sessions)
    return Row(
        name,
        size_of(event),
        "min-cost flow",
        "optimal",
        cost,
        cost,
        0.0,
        time.monotonic() - started,
    )


def instances() -> dict[str, Callable[[], Event]]:
    """Every benchmark instance by name, built on demand."""
    found: dict[str, Callable[[], Event]] = {
        "choice-1000x10x8": lambda: choice_event(1000, 10, 8),
        "fair-1000x10x8": lambda: choice_event(1000, 10, 8, criteria=True),
        "fair-5000x20x12": lambda: choice_event(5000, 20, 12, criteria=True),
    }
    for path in sorted(DATA.glob("academy-*.xlsx")):
        found[path.stem] = lambda path=path: load(path)  # type: ignore[misc]
    return found


def load(path: Path) -> Event:
    """A bundled event workbook."""
    event, issues = read_event(path)
    if event is None:
        raise SystemExit(f"{path.name}: {len(issues)} problems")
    return event


def print_table(rows: list[Row]) -> None:
    """A Markdown table, so the output can go straight into docs/BENCHMARKS.md."""
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


def main() -> None:
    """Run the chosen instances and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these instances")
    args = parser.parse_args()
    rows = []
    for name, build in instances().items():
        if args.only and name not in args.only:
            continue
        event = build()
        rows.append(cp_sat_row(name, event))
        if all(session.rounds == 1 for session in event.sessions) and not event.rules:
            rows.append(flow_row(name, event))
    print_table(rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
