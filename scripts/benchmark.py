"""Benchmark: solve generated and bundled events, print one table row per instance.

Run with `make bench` or `python -m scripts.benchmark [--only NAME] [--no-highs]`. Each
CP-SAT row has beside it, measured in the same run: a HiGHS row, the same model given to the
MIP solver a user would otherwise pick (scripts/highs.py), with the same time limit and its
allocation scored by our checker; and a min-cost-flow row (preferences and capacities only):
the flow's cost is the lower limit and its time the baseline.
"""

import argparse
import math
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models import (
    Assignment,
    CheckReport,
    Event,
    Option,
    Participant,
    Preference,
    Session,
    SessionKind,
    Settings,
    SolveStats,
)
from models.allocation import gap_percent
from models.workbook import read_event, write_event
from scripts.highs import solve_with_highs
from solver.check import check_allocation
from solver.flow import flow_allocation
from solver.solve import solve_event

DATA = Path(__file__).resolve().parent.parent / "data"
LOOSE = "loose-5000x1x12"  # run only when named: --only loose-5000x1x12


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
        """The row as printed; a figure a solver did not find is a dash."""
        return [
            self.instance,
            self.size,
            self.method,
            self.status,
            figure(self.objective, "g"),
            figure(self.bound, "g"),
            figure(self.gap, ".2f"),
            f"{self.seconds:.2f}",
        ]


def figure(value: float, spec: str) -> str:
    """A number as printed, `—` when there is none."""
    return "—" if math.isnan(value) else format(value, spec)


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
    people: int,
    sessions: int,
    options: int,
    seed: int = 1,
    criteria: bool = False,
    time_limit: float = 60,
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
        settings=settings_for(criteria).model_copy(update={"time_limit": time_limit}),
    )


def settings_for(criteria: bool) -> Settings:
    """Diversity on region and group with fairness, or preferences alone."""
    if criteria:
        return Settings(time_limit=60, diversity=("region", "group"), no_isolation=(), spread=())
    return Settings(
        time_limit=60, diversity=(), no_isolation=(), spread=(), weight_fairness=0, weight_mixing=0
    )


def loose_event() -> Event:
    """One session of 5,000 people and 12 options, each region and group capped (one-sided).

    Near the issue's loose measurement, which capped each value at ceil(share × capacity), a
    number no rule of ours states; here the cap is the `spread` rule: at most ceil(share ×
    the option's size), soft. Runs only when named with --only.
    """
    event = choice_event(5000, 1, 12)
    event.settings = Settings(
        time_limit=60,
        diversity=(),
        no_isolation=(),
        spread=("region", "group"),
        weight_fairness=0,
    )
    return event


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
    """Solve with CP-SAT and verify with the checker; `none` when a session timed out."""
    started = time.monotonic()
    try:
        allocation = solve_event(event)
    except TimeoutError:
        seconds = time.monotonic() - started
        return Row(name, size_of(event), "cp-sat", "none", math.nan, math.nan, math.nan, seconds)
    report = check_allocation(event, allocation)
    stats = allocation.stats
    status = checked(report, stats) or timed(proven_status(stats), stats, event)
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


def checked(report: CheckReport, stats: SolveStats) -> str:
    """What the checker finds wrong with a solve: "BROKEN" (a hard rule), "MISCOUNTED" (its
    cost is not the solver's), or nothing."""
    if not report.ok:
        return "BROKEN"
    return "MISCOUNTED" if report.objective != round(stats.objective) else ""


def timed(status: str, stats: SolveStats, event: Event) -> str:
    """The status, saying so when the solve overran its time limit (as the CLI warns)."""
    return f"{status}, OVER TIME" if stats.overran(event.settings.time_limit) else status


def proven_status(stats: SolveStats) -> str:
    """The event's status, and how many of its sessions are proven when not all are."""
    if stats.is_optimal or not stats.sessions:
        return stats.status
    proven = sum(1 for session in stats.sessions.values() if session.is_optimal)
    return f"{stats.status} ({proven} of {len(stats.sessions)} sessions optimal)"


def highs_row(name: str, event: Event) -> Row:
    """The same model in HiGHS with the same time limit, scored by our checker.

    The objective is the checker's (comparable with the CP-SAT row), the bound HiGHS's; with
    no allocation for some session, objective and gap are dashes.
    """
    allocation, stats = solve_with_highs(event, event.settings.time_limit)
    if stats.status == "none":
        objective = math.nan
        status = "none"
    else:
        report = check_allocation(event, allocation)
        objective = report.objective
        status = stats.status if report.ok else "BROKEN"
    gap = gap_percent(objective, stats.bound)
    return Row(
        name,
        size_of(event),
        "highs",
        status,
        objective,
        stats.bound,
        math.nan if math.isnan(objective) else gap,
        stats.seconds,
    )


def late_changes(event: Event, newcomers: int, cancellations: int, seed: int = 5) -> Event:
    """The event after late registrations (copies of random people's wishes) and cancellations.

    Hosts do not cancel (their tables would go with them).
    """
    rng = random.Random(seed)
    hosts = {host for option in event.options for host in option.hosts}
    guests = [person for person in event.participants if person.id not in hosts]
    gone = {person.id for person in rng.sample(guests, cancellations)}
    models = rng.sample([p for p in guests if p.id not in gone], newcomers)
    late = [
        person.model_copy(update={"id": f"late{i:03d}", "name": f"Late {i}"})
        for i, person in enumerate(models)
    ]
    wishes = [
        pref.model_copy(update={"participant": late[i].id})
        for i, person in enumerate(models)
        for pref in event.preferences
        if pref.participant == person.id
    ]
    return Event(
        participants=[p for p in event.participants if p.id not in gone] + late,
        sessions=event.sessions,
        options=event.options,
        preferences=[p for p in event.preferences if p.participant not in gone] + wishes,
        rules=[r for r in event.rules if not gone & set(r.participants)],
        settings=event.settings,
    )


def resolve_rows(name: str, event: Event, newcomers: int, cancellations: int) -> list[Row]:
    """Publish an allocation, then re-solve after late changes, and again with a table of
    `CLOSING` closed too; each status counts the moves."""
    published = solve_event(event).assignments
    later = late_changes(event, newcomers, cancellations)
    rows = [resolve_row(f"{name} +{newcomers} −{cancellations}", later, published)]
    if name in CLOSING:
        session, option = CLOSING[name]
        label = f"{name} +{newcomers} −{cancellations}, {session} {option} closed"
        rows.append(resolve_row(label, closed(later, session, option), published))
    return rows


def resolve_row(label: str, later: Event, published: list[Assignment]) -> Row:
    """The re-solve of the event `later` against the `published` allocation."""
    allocation = solve_event(later, previous=published)
    report = check_allocation(later, allocation, previous=published)
    moved = sum(1 for a in published if allocation.option_of.get(a.key, a.option) != a.option)
    stats = allocation.stats
    status = checked(report, stats) or timed(f"{proven_status(stats)}, {moved} moved", stats, later)
    return Row(label, size_of(later), "cp-sat re-solve", status, stats.objective, stats.bound,
               stats.gap, stats.seconds)  # fmt: skip


def closed(event: Event, session: str, option: str) -> Event:
    """The event with one option closed (no places); a table's hosts join its guests."""
    options = [
        o.model_copy(update={"max": 0, "hosts": ()})
        if (o.session, o.id) == (session, option)
        else o
        for o in event.options
    ]
    return Event.model_validate(event.model_copy(update={"options": options}).model_dump())


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


RESOLVE = {  # newcomers and cancellations for the re-solve rows
    "choice-1000x10x8": (20, 10),
    "fair-1000x10x8": (20, 10),
    "fair-5000x20x12": (50, 25),
    "academy-2022": (5, 3),
    "academy-2023": (5, 3),
}
CLOSING = {  # a roundtable's table that closes for one more re-solve row (its guests move)
    "academy-2022": ("NEXTGEN", "T4"),
    "academy-2023": ("COOP", "T4"),
}


def instances() -> dict[str, Callable[[], Event]]:
    """Every benchmark instance by name, built on demand."""
    found: dict[str, Callable[[], Event]] = {
        "choice-1000x10x8": lambda: choice_event(1000, 10, 8),
        "fair-1000x10x8": lambda: choice_event(1000, 10, 8, criteria=True, time_limit=10),
        "fair-5000x20x12": lambda: choice_event(5000, 20, 12, criteria=True, time_limit=60),
        LOOSE: loose_event,
    }
    for path in sorted(DATA.glob("academy-*.xlsx")):
        found[path.stem] = lambda path=path: load(path)  # type: ignore[misc]
        found[f"{path.stem} rules only"] = lambda path=path: rules_only(load(path))  # type: ignore[misc]
    return found


def rules_only(event: Event) -> Event:
    """The event with preferences and the organiser's rules only: every group criterion off."""
    off = {
        "diversity": (),
        "no_isolation": (),
        "spread": (),
        "weight_mixing": 0,
        "weight_new_peers": 0,
        "weight_fairness": 0,
        "balance_splits": False,
    }
    return event.with_settings(**off)


def with_time_limit(event: Event, seconds: float) -> Event:
    """The event with another time limit."""
    return event.with_settings(time_limit=seconds)


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


def save_workbooks(folder: Path, only: list[str] | None) -> None:
    """The chosen instances (all but the loose one by default) as event workbooks."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in instances().items():
        if (only and name in only) or (not only and name != LOOSE):
            path = folder / f"{name.replace(' ', '-')}.xlsx"
            write_event(build(), path)
            print(f"wrote {path}")


def main() -> None:
    """Run the chosen instances and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these instances")
    parser.add_argument(
        "--highs",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="give each instance to HiGHS too (default: yes)",
    )
    parser.add_argument(
        "--resolve",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="re-solve instances after late registrations and cancellations (default: yes)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="give every instance this time limit instead of its own (named in the rows)",
    )
    parser.add_argument(
        "--save-workbooks",
        type=Path,
        metavar="DIR",
        help="write the chosen instances as event workbooks to DIR, to time the commands on "
        "them, and solve nothing",
    )
    args = parser.parse_args()
    if args.save_workbooks is not None:
        save_workbooks(args.save_workbooks, args.only)
        return
    rows = []
    for name, build in instances().items():
        if (args.only and name not in args.only) or (not args.only and name == LOOSE):
            continue
        event = build()
        if args.time_limit is not None:
            event = with_time_limit(event, args.time_limit)
            name = f"{name} ({args.time_limit:g} s)"
        rows.append(cp_sat_row(name, event))
        if args.highs:
            rows.append(highs_row(name, event))
        if all(session.rounds == 1 for session in event.sessions) and not event.rules:
            rows.append(flow_row(name, event))
        if args.resolve and name in RESOLVE:
            rows += resolve_rows(name, event, *RESOLVE[name])
    print_table(rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sessions = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory {peak:.0f} MiB, of a session's process {sessions:.0f} MiB")


if __name__ == "__main__":
    main()
