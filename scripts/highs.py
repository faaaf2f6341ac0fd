"""The same allocation model given to HiGHS, as a user would write it for a MIP solver.

The benchmark's yardstick: OR-Tools bundles HiGHS behind its linear-solver wrapper, so the
solver a user would otherwise pick is one import away. Each session is one MIP, written the
straightforward way: a binary per allowed (person, option, round), exactly one per person,
capacities, the preference cost, and every soft rule as integer slack variables; diversity
on the options' actual sizes is `n·(count − over) ≤ n_v·size + n − 1` and
`n·(count + under) ≥ n_v·size − n + 1`, i.e. the count within [floor, ceil] of
`n_v·size / n` (big coefficients, as a MIP states it). Fairness is lexicographic as in
solver/sessions.py: the worst-off person's dissatisfaction first, then the rest.

Sessions are solved one after another, day by day with the earlier days as history (as
solver/solve.py does; a roundtable round by round), sharing the time limit in proportion to
their size; time a session leaves unused goes to the later ones. Model building counts
against the limit. OR-Tools cannot pass HiGHS a solution hint (`SetHint` crashes the process
in 9.15), so the fairness stage's allocation is kept for when the second stage finds none.
"""

import math
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeAlias

import ortools.linear_solver.pywraplp as pywraplp

from models import (
    Allocation,
    Assignment,
    Event,
    Option,
    Participant,
    RuleKind,
    Session,
    SessionKind,
    SolveStats,
    Strength,
)
from solver.history import History
from solver.rules import split_sizes
from solver.rules.core import visits_allowed
from solver.rules.eligibility import may_take
from solver.rules.groups import ceil_share, floor_share, met_before
from solver.sessions import banding
from solver.solve import day_by_day, event_status

Key = tuple[str, str, int]  # (participant, option, round)
Var: TypeAlias = pywraplp.Variable
Terms = list[tuple[Var, float]]
FOUND = ("optimal", "feasible")
STATUS_NAMES = {
    pywraplp.Solver.OPTIMAL: "optimal",
    pywraplp.Solver.FEASIBLE: "feasible",
    pywraplp.Solver.INFEASIBLE: "infeasible",
}


@dataclass
class Mip:
    """One HiGHS model: a session, or one round of a roundtable."""

    event: Event
    session: Session
    people: list[Participant]
    options: list[Option]
    rounds: range
    history: History
    sizes: dict[str, int] | None
    solver: pywraplp.Solver
    banded: bool = False  # a split session's groups within ±1 of each fair share (hard)
    x: dict[Key, Var] = field(default_factory=dict)
    costs: dict[Var, float] = field(default_factory=dict)
    offset: float = 0.0
    worst_off: Var | None = None
    size_vars: dict[tuple[str, int], Var] = field(default_factory=dict)

    def seats(self, people: Iterable[str], option: str, round_: int) -> list[Var]:
        """The variables of these people in the option and round (those that exist)."""
        return [var for p in people if (var := self.x.get((p, option, round_))) is not None]

    def members(self, option: str, round_: int) -> list[Var]:
        """The variables of everyone who may sit in the option in the round."""
        return self.seats((p.id for p in self.people), option, round_)

    def most(self, option: Option, round_: int) -> int:
        """The most people the option can hold in the round."""
        return min(len(self.members(option.id, round_)), option.max)

    def size(self, option: Option, round_: int) -> Var:
        """An integer variable equal to the option's size in the round (made once)."""
        if (option.id, round_) not in self.size_vars:
            var = self.solver.IntVar(0, self.most(option, round_), f"size[{option.id},{round_}]")
            row(self.solver, [(x, 1) for x in self.members(option.id, round_)] + [(var, -1)], 0, 0)
            self.size_vars[(option.id, round_)] = var
        return self.size_vars[(option.id, round_)]

    def penalise(self, weight: float, var: Var) -> None:
        """Add `weight × var` to the objective."""
        if weight:
            self.costs[var] = self.costs.get(var, 0.0) + weight


@dataclass
class Outcome:
    """How one session (or round) went."""

    status: str
    objective: float
    bound: float
    assignments: list[Assignment]


def row(
    solver: pywraplp.Solver, terms: Terms, low: float = -math.inf, high: float = math.inf
) -> None:
    """The linear constraint `low ≤ Σ coefficient × variable ≤ high` (variables distinct)."""
    constraint = solver.RowConstraint(max(low, -solver.infinity()), min(high, solver.infinity()))
    for var, coefficient in terms:
        constraint.SetCoefficient(var, coefficient)


def solve_with_highs(event: Event, time_limit: float) -> tuple[Allocation, SolveStats]:
    """Allocate everyone with HiGHS, session by session; the stats' status may be `none`."""
    started = time.monotonic()
    deadline = started + time_limit
    sessions = [s for s in event.sessions if event.audience_of(s)]
    weight = {
        s.id: len(event.audience_of(s)) * len(event.options_of[s.id]) * s.rounds for s in sessions
    }
    left = sum(weight.values())
    history = History()
    outcomes: list[Outcome] = []
    for day in event.days():
        solved = []
        for session in (s for s in sessions if s.day == day):
            share = (deadline - time.monotonic()) * weight[session.id] / max(left, 1)
            left -= weight[session.id]
            if share <= 0:
                solved.append(Outcome("none", 0.0, 0.0, []))
                continue
            solved.append(solve_session(event, session, history, time.monotonic() + share))
        for outcome in solved:
            history.record(event, outcome.assignments)
        outcomes += solved
    stats = SolveStats(
        status=overall({outcome.status for outcome in outcomes}, day_by_day(event, sessions)),
        objective=sum(outcome.objective for outcome in outcomes),
        bound=sum(outcome.bound for outcome in outcomes),
        seconds=time.monotonic() - started,
        components=len(outcomes),
    )
    assignments = [a for outcome in outcomes for a in outcome.assignments]
    return Allocation(assignments=assignments, stats=stats), stats


def overall(statuses: set[str], days: bool) -> str:
    """As for CP-SAT's (`event_status`: optimal, day by day when `days`, or feasible) when
    each session has an allocation, else none."""
    return event_status(statuses, days) if statuses <= set(FOUND) else "none"


def solve_session(event: Event, session: Session, history: History, deadline: float) -> Outcome:
    """One session; a roundtable's rounds one after another, each seeing the earlier ones.

    Such a roundtable's bound is 0: each round's bound holds only given the rounds before
    it, so their sum bounds the rounds as they were taken, not the session (academy-2022's
    NEXTGEN: 186 + 313 + 426 = 925 summed, where our allocation of it costs 914).
    """
    if session.kind is not SessionKind.ROUNDTABLE or session.rounds == 1:
        return solve_rounds(event, session, history, range(1, session.rounds + 1), deadline)
    local = history.copy()
    parts = []
    for round_ in range(1, session.rounds + 1):
        share = (deadline - time.monotonic()) / (session.rounds - round_ + 1)
        part = solve_rounds(
            event, session, local, range(round_, round_ + 1), time.monotonic() + share
        )
        if part.status not in FOUND:
            return part
        local.record(event, part.assignments)
        parts.append(part)
    return Outcome(
        status="feasible",
        objective=sum(part.objective for part in parts),
        bound=0.0,
        assignments=[a for part in parts for a in part.assignments],
    )


def solve_rounds(
    event: Event, session: Session, history: History, rounds: range, deadline: float
) -> Outcome:
    """Balanced sizes when the rules ask for them, a split session's groups within ±1 of each
    fair share; as CP-SAT's solve, the band goes first when they cannot hold, then the
    balance (free sizes)."""
    balanced = split_sizes(event, session)
    outcome = solve_mip(build(event, session, history, rounds, balanced, banded=True), deadline)
    if outcome.status == "infeasible" and banding(event, session, balanced):
        outcome = solve_mip(build(event, session, history, rounds, balanced), deadline)
    if outcome.status == "infeasible" and balanced is not None:
        outcome = solve_mip(build(event, session, history, rounds, None), deadline)
    return outcome


def solve_mip(m: Mip, deadline: float) -> Outcome:
    """Minimise the worst-off person's dissatisfaction, keep it, then minimise the objective.

    When the second stage finds nothing in time, the first stage's allocation (which keeps
    the cap) is the answer, `feasible`, with the bound 0: HiGHS's best bound is then left
    over from the first stage.
    """
    objective = m.solver.Objective()
    first: list[Assignment] = []
    cost = 0.0
    if m.worst_off is not None:
        objective.SetCoefficient(m.worst_off, 1)
        objective.SetMinimization()
        status = run(m.solver, (deadline - time.monotonic()) / 4)
        if status not in FOUND:
            return Outcome(status, 0.0, 0.0, [])
        cost = m.offset + sum(weight * var.solution_value() for var, weight in m.costs.items())
        first = placements(m)
        m.worst_off.SetUb(round(m.worst_off.solution_value()))
        objective.SetCoefficient(m.worst_off, 0)
    for var, weight in m.costs.items():
        objective.SetCoefficient(var, weight)
    objective.SetOffset(m.offset)
    objective.SetMinimization()
    status = run(m.solver, deadline - time.monotonic())
    if status in FOUND:
        bound = math.ceil(objective.BestBound() - 1e-6)
        return Outcome(status, round(objective.Value()), bound, placements(m))
    if first and status != "infeasible":
        return Outcome("feasible", round(cost), 0.0, first)
    return Outcome(status, 0.0, 0.0, [])


def placements(m: Mip) -> list[Assignment]:
    """Everyone's option in every round, as the last solve left them."""
    return [
        Assignment(participant=person, session=m.session.id, option=option, round=round_)
        for (person, option, round_), var in m.x.items()
        if var.solution_value() > 0.5
    ]


def run(solver: pywraplp.Solver, seconds: float) -> str:
    """Solve within the time limit (HiGHS's banner kept out of stdout): optimal, feasible…"""
    solver.SetTimeLimit(max(50, int(1000 * seconds)))
    with quiet():
        status = solver.Solve()
    return STATUS_NAMES.get(status, "none")


@contextmanager
def quiet() -> Iterator[None]:
    """Send what C++ code prints to stdout to /dev/null for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def build(
    event: Event,
    session: Session,
    history: History,
    rounds: range,
    sizes: dict[str, int] | None,
    banded: bool = False,
) -> Mip:
    """Variables for the allowed placements, then every rule as linear constraints (with
    `banded`, a split session's ±1 band of fair shares, as CP-SAT's `diversity` has it)."""
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    if solver is None:
        raise RuntimeError("this OR-Tools has no HiGHS")
    m = Mip(
        event=event,
        session=session,
        people=event.audience_of(session),
        options=event.options_of.get(session.id, []),
        rounds=rounds,
        history=history,
        sizes=sizes,
        solver=solver,
        banded=banded and sizes is not None and session.kind is SessionKind.SPLIT,
    )
    for person in m.people:
        for option in m.options:
            if may_take(event, session, person, option):
                for round_ in rounds:
                    key = (person.id, option.id, round_)
                    m.x[key] = solver.BoolVar(f"x[{person.id},{option.id},{round_}]")
    for rule in (hard_rules, organiser_rules, diversity, spread, isolation, mixing, objective):
        rule(m)
    return m


def hard_rules(m: Mip) -> None:
    """One option per person and round, capacities, minimums, fixed sizes, distinct tables."""
    for person in m.people:
        for round_ in m.rounds:
            seats = [(x, 1.0) for o in m.options if (x := m.x.get((person.id, o.id, round_)))]
            row(m.solver, seats, 1, 1)
    for option in m.options:
        opened = m.solver.BoolVar(f"open[{option.id}]") if option.min > 0 else None
        for round_ in m.rounds:
            members: Terms = [(x, 1) for x in m.members(option.id, round_)]
            if m.sizes is not None:
                row(m.solver, members, m.sizes[option.id], m.sizes[option.id])
            elif opened is not None:
                row(m.solver, [*members, (opened, -option.min)], 0)
                row(m.solver, [*members, (opened, -option.max)], high=0)
            elif len(members) > option.max:
                row(m.solver, members, high=option.max)
    if m.session.rounds > 1:
        distinct_tables(m)


def distinct_tables(m: Mip) -> None:
    """Each host's table at most once across rounds (or as often as too few usable tables
    force); tables without hosts as often as anyone likes, as in the CP-SAT rule."""
    hosted = {option.id for option in m.options if option.hosts}
    for person in m.people:
        if (person.id, m.session.id) in m.event.host_option:
            continue
        open_to = {o for (p, o, _r) in m.x if p == person.id}
        cap = visits_allowed(m.session.rounds, len(open_to))
        for option in (o.id for o in m.options if o.id in open_to and o.id in hosted):
            seats = [x for r in m.rounds if (x := m.x.get((person.id, option, r))) is not None]
            before = m.history.visits[(m.session.id, person.id, option)]
            if before + len(seats) > cap:
                row(m.solver, [(x, 1) for x in seats], high=cap - before)


def organiser_rules(m: Mip) -> None:
    """The Rules sheet: together, apart (hard or soft), soft assign and soft forbid."""
    here = {p.id for p in m.people}
    options = {o.id for o in m.options}
    for rule in m.event.rules_for(m.session.id, list(RuleKind)):
        people = [p for p in rule.participants if p in here]
        for round_ in m.rounds:
            if rule.kind is RuleKind.TOGETHER and len(people) > 1:
                together(m, people, round_, rule.is_hard, rule.weight)
            elif rule.kind is RuleKind.APART and len(people) > 1:
                apart(m, people, round_, rule.is_hard, rule.weight)
            elif rule.kind is RuleKind.ASSIGN and not rule.is_hard and rule.option in options:
                for person in people:
                    m.offset += rule.weight
                    for x in m.seats([person], rule.option, round_):
                        m.penalise(-rule.weight, x)
            elif rule.kind is RuleKind.FORBID and not rule.is_hard and rule.option in options:
                for x in m.seats(people, rule.option, round_):
                    m.penalise(rule.weight, x)


def together(m: Mip, people: list[str], round_: int, hard: bool, weight: int) -> None:
    """Hard: everyone's seat equals the first one's; soft: options used beyond one cost."""
    for option in m.options:
        seats = {p: m.x.get((p, option.id, round_)) for p in people}
        if hard:
            first = seats[people[0]]
            for person in people[1:]:
                terms: Terms = [(x, s) for x, s in ((seats[person], 1), (first, -1)) if x]
                if terms:
                    row(m.solver, terms, 0, 0)
            continue
        used = m.solver.BoolVar(f"used[{option.id}]")
        for x in seats.values():
            if x is not None:
                row(m.solver, [(used, 1), (x, -1)], 0)
        m.penalise(weight, used)
    if not hard:
        m.offset -= weight


def apart(m: Mip, people: list[str], round_: int, hard: bool, weight: int) -> None:
    """Hard: at most one of them per option; soft: each extra person costs."""
    for option in m.options:
        seats: Terms = [(x, 1) for x in m.seats(people, option.id, round_)]
        if hard:
            row(m.solver, seats, high=1)
            continue
        extra = m.solver.IntVar(0, len(people), f"apart[{option.id}]")
        row(m.solver, [*seats, (extra, -1)], high=1)
        m.penalise(weight, extra)


def values_of(m: Mip, column: str, least: int = 1) -> list[list[str]]:
    """The session's people grouped by their (non-empty) value in a column."""
    grouped: dict[str, list[str]] = {}
    for person in m.people:
        if value := person.attribute(column):
            grouped.setdefault(value, []).append(person.id)
    return [ids for ids in grouped.values() if len(ids) >= least]


def near_share(
    m: Mip, weight: int, people: list[str], both_sides: bool, band: bool = False
) -> None:
    """Each person beyond [floor, ceil] of `len(people) × size / n` in an option costs; with
    `band` in a banded model, the count stays within [ceil − 1, floor + 1]."""
    n, share = len(m.people), len(people)
    for option in m.options:
        for round_ in m.rounds:
            count: Terms = [(x, 1) for x in m.seats(people, option.id, round_)]
            over = m.solver.IntVar(0, share, "over")
            m.penalise(weight, over)
            under = m.solver.IntVar(0, share, "under") if both_sides else None
            if under is not None:
                m.penalise(weight, under)
            if m.sizes is not None:
                size = m.sizes[option.id]
                low, high = floor_share(share, n, size), ceil_share(share, n, size)
                if band and m.banded:
                    row(m.solver, count, low=high - 1, high=low + 1)
                row(m.solver, [*count, (over, -1)], high=high)
                if under is not None:
                    row(m.solver, [*count, (under, 1)], low=low)
                continue
            scaled = [(x, float(n)) for x, _ in count]
            size_var = m.size(option, round_)
            row(m.solver, [*scaled, (over, -n), (size_var, -share)], high=n - 1)
            if under is not None:
                row(m.solver, [*scaled, (under, n), (size_var, -share)], low=1 - n)


def diversity(m: Mip) -> None:
    """Each value of each diversity column near its fair share of every option."""
    weight = m.event.settings.weight_diversity
    for column in m.event.settings.diversity if weight else ():
        groups = values_of(m, column)
        if len(groups) > 1:
            for people in groups:
                near_share(m, weight, people, both_sides=True, band=True)


def spread(m: Mip) -> None:
    """Colleagues spread: no option holds more than its share (rounded up) of them."""
    weight = m.event.settings.weight_spread
    for column in m.event.settings.spread if weight else ():
        for people in values_of(m, column, least=2):
            near_share(m, weight, people, both_sides=False)


def isolation(m: Mip) -> None:
    """Nobody the only one of their value in an option: none or at least two."""
    settings = m.event.settings
    hard = settings.no_isolation_strength is Strength.HARD
    if not hard and not settings.weight_isolation:
        return
    for column in settings.no_isolation:
        for people in values_of(m, column, least=2):
            for option in m.options:
                for round_ in m.rounds:
                    count: Terms = [(x, 1) for x in m.seats(people, option.id, round_)]
                    some = m.solver.BoolVar("some")
                    row(m.solver, [*count, (some, -len(people))], high=0)
                    if hard:
                        row(m.solver, [*count, (some, -2)], low=0)
                        continue
                    alone = m.solver.BoolVar("alone")
                    row(m.solver, [*count, (some, -2), (alone, 1)], low=0)
                    m.penalise(settings.weight_isolation, alone)


def mixing(m: Mip) -> None:
    """Split groups and tables: each pair that met before costs once per earlier meeting.

    The pairs among c people who met are c(c − 1)/2, convex in c: tangent lines from below.
    """
    if not m.session.kind.mixes:
        return
    repeats = met_before(m.event, m.session, m.people, m.history)
    for met, weight in repeats.items():
        for option in m.options:
            for round_ in m.rounds:
                most = min(len(met), m.most(option, round_))
                if most < 2:
                    continue
                count: Terms = [(x, 1) for x in m.seats(met, option.id, round_)]
                pairs = m.solver.IntVar(0, most * (most - 1) // 2, "pairs")
                for k in range(1, most):
                    row(m.solver, [(pairs, 1), *((x, -k) for x, _ in count)], -k * (k + 1) // 2)
                m.penalise(weight, pairs)


def objective(m: Mip) -> None:
    """Preference costs (hosts' cost nothing) and, with fairness, the worst-off bound."""
    settings = m.event.settings
    wishes: dict[str, Terms] = {}  # each person's placements that cost something
    for (person, option, _round), x in m.x.items():
        cost = m.event.cost(person, m.session.id, option)  # nothing for a host
        if not cost:
            continue
        m.penalise(settings.weight_preference * cost, x)
        wishes.setdefault(person, []).append((x, cost))
    if not settings.weight_fairness or not wishes:
        return
    earlier = m.history.dissatisfaction
    ceiling = max(earlier[p] + sum(cost for _, cost in terms) for p, terms in wishes.items())
    m.worst_off = m.solver.IntVar(0, ceiling, "worst_off")
    for person, terms in wishes.items():
        row(m.solver, [(m.worst_off, 1), *((x, -cost) for x, cost in terms)], earlier[person])
