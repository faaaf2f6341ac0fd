"""One session's CP-SAT models: its placements in stages (levels, sizes, group criteria),
from relaxations and flows, within its time."""

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import CpSolverStatus

from models import Event, Option, Session, SessionKind
from solver.build import add_group_criteria, build_session, objective
from solver.context import Context, PartResult, Work
from solver.diverse import diverse_placements
from solver.explain import CORE_SECONDS, conflicting_rules
from solver.flow import fairest_flow, flow_hint, flow_shaped, published_hint
from solver.history import History
from solver.keeping import (
    held_seats,
    kept_counts,
    least_moves,
    must_leave,
    open_seats,
    present_in,
)
from solver.model import Key, SessionModel, read_assignments
from solver.relax import DUAL_SIMPLEX, PERTURBED, Relaxed, Reoptimised, relaxation
from solver.rules import split_sizes
from solver.rules.fairness import WORST_OFF, above_level
from solver.rules.stability import MOVES
from solver.watch import Watch, cp_solver

STATUS_NAMES = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}
Status = CpSolverStatus
QUICK_WORK = 2.0  # deterministic seconds for the single-threaded first attempt
PORTFOLIO_WORKERS = 4  # interleaved subsolvers when the first attempt does not prove optimality
LEAST_WORK = 0.05  # deterministic seconds: with less left, no portfolio is started
EVALUATION_SECONDS = 5.0  # costing a fixed allocation (propagation only, in practice instant)
BUILD_SECONDS_PER_CELL = 60e-6  # building, flows and costing a model (5,000 × 12: 3.6 s)
SEARCH_SECONDS_PER_CELL = 25e-6  # less time than this per placement and a search finds nothing
RELAXATION_SECONDS_PER_CELL = 30e-6  # writing the relaxation out, before GLOP's own limit
FIXED_SIZES_SECONDS_PER_CELL = 140e-6  # kept back for a fixed-size start while relaxing free sizes
FIXED_START_SECONDS_PER_CELL = 110e-6  # the least a fixed-size start needs: build, relax, repair
FREE_RELAXATION_SECONDS_PER_CELL = 40e-6  # the least time worth giving GLOP on the free sizes
FREE_SEARCH_SECONDS_PER_CELL = 200e-6  # less and a free-size search finds nothing
PACE_SECONDS_PER_CELL = 17e-6  # building a model without group criteria, as usual
PACE_CELLS = 20_000  # smaller models say nothing of the machine's pace
DESCENT_SHARE = 0.5  # of a choice session's time left, at most, for better sizes
DESCENT_SECONDS_PER_CELL = 50e-6  # writing a relaxation out to GLOP and solving it
MOVE_SECONDS_PER_CELL = 3e-6  # solving it again with one seat moved
DESCENT_SEATS = (1, 2, 4)  # how many seats a move of the descent takes from one option
DESCENT_TRIALS = 8  # moves tried, in the order the duals expect them to gain, before stopping


def solve_rounds(
    ctx: Context,
    session: Session,
    history: History,
    rounds: range,
    deadline: float,
    groups: bool = True,
    work: Work | None = None,
    explain: bool = True,
) -> PartResult:
    """Solve some rounds of a session: balanced if the rules allow, worst-off person first
    (only the first stage, without the group criteria, when `groups` is false). With
    `work`, the searches after the first stage stop when it is spent. When the rounds are
    infeasible, the hard rules that cannot all hold are their reasons (unless not `explain`:
    the caller has another way to try)."""
    began = time.monotonic()
    published, _ = ctx.published.of_session(session.id)
    leaving = must_leave(ctx.event, session, published) if published else set()
    kept = kept_counts(ctx, session, rounds, leaving)
    free = open_seats(ctx, session, history, rounds, leaving) if kept else None
    balanced = split_sizes(ctx.event, session, kept, free)
    solve = partial(solve_staged, ctx, session, history, rounds)
    result = solve(balanced, deadline, groups, work)
    if result.found and moves_first(ctx, session, published):
        again = partial(solve, deadline=deadline, groups=groups, work=work)
        result = at_fewer_moves(ctx, session, history, rounds, result, deadline, again)
    if result.status == cp_model.INFEASIBLE and banding(ctx.event, session, balanced):
        result = solve(balanced, deadline, groups, work, banded=False)  # balance before band
    if result.status == cp_model.INFEASIBLE and balanced is not None:
        result = solve(None, deadline, groups, work)
    reasons = []
    if result.status == cp_model.INFEASIBLE and explain:
        reasons = explained(ctx, session, history, rounds)
    return PartResult(
        session=session,
        status=STATUS_NAMES.get(result.status, "unknown"),
        objective=result.objective,
        bound=result.bound,
        seconds=time.monotonic() - began,
        assignments=read_assignments(session, result.chosen),
        reasons=reasons,
    )


def at_fewer_moves(
    ctx: Context,
    session: Session,
    history: History,
    rounds: range,
    result: "Solved",
    deadline: float,
    solve: Callable[[dict[str, int] | None], "Solved"],
) -> "Solved":
    """`result`, or the split session solved again at the sizes a schedule with fewer moves
    keeps, in a re-solve whose moves come first: the balanced sizes keep the people the
    hard `together` and `apart` rules are guessed to let stay (`rule_strays`), and where
    several such rules meet, the guess can move more people than some schedule does.

    Only when `result` moves more than any schedule must (`least_moves`): the fewest moves
    are searched with the sizes free, without the group criteria (`QUICK_WORK`), and when
    they are fewer, the session is solved again with the placements that schedule keeps
    as the only ones kept, at balanced sizes (`split_sizes`), else at that schedule's own
    sizes, which hold its moves (balance can seat the people who move where their rules
    keep them from going: moves come before balance). p1–p4 in C, p2 apart from each of
    the others and p1 from p3: p2 and one of p1 and p3 leave (2 moves), where each rule's
    own stayer made three leave.
    """
    published, _ = ctx.published.of_session(session.id)
    count = moves_in(result.chosen, published)
    if count <= least_moves(ctx.event, session, present_in(ctx.event, session, published)):
        return result
    m = built(
        ctx.event, session, history, None, groups=False, rounds=rounds, published=ctx.published
    )
    m.model.minimize(dict(m.firsts)[MOVES])
    seconds = deadline - time.monotonic()
    fewest = outcome(m, *search(ctx.watch, m, seconds, result.chosen, Work(QUICK_WORK)))
    if not fewest.found or fewest.objective >= count:
        return result
    leaving = set(published) - kept_by(fewest.chosen, published)
    kept = kept_counts(ctx, session, rounds, leaving)
    seats = open_seats(ctx, session, history, rounds, leaving)
    for sizes in (split_sizes(ctx.event, session, kept, seats), sizes_of(m, fewest.chosen)):
        again = solve(sizes)
        if again.found and moves_in(again.chosen, published) <= fewest.objective:
            return again
    return result


def moves_first(ctx: Context, session: Session, published: dict[tuple[str, int], str]) -> bool:
    """Whether a split session is re-solved with its moves first (`stability_first`)."""
    stable = ctx.event.settings.stability_first
    return bool(published) and stable and session.kind is SessionKind.SPLIT


def kept_by(chosen: dict[Key, bool], published: dict[tuple[str, int], str]) -> set[tuple[str, int]]:
    """The published (person, round) placements these placements keep."""
    return {(p, r) for (p, o, r), on in chosen.items() if on and published.get((p, r)) == o}


def moves_in(chosen: dict[Key, bool], published: dict[tuple[str, int], str]) -> int:
    """How many published placements of people placed here these placements change."""
    placed = {(p, r) for (p, _, r), on in chosen.items() if on}
    return len(placed & set(published)) - len(kept_by(chosen, published))


def banding(event: Event, session: Session, balanced: dict[str, int] | None) -> bool:
    """Whether a split session's groups have a ±1 band of fair shares at balanced sizes, so
    that balanced groups may still fit when it is dropped: the organiser's hard rules (a
    need, nobody alone, people apart) can leave no balanced groups within it.

    Before, the band and the balance were dropped together: with nobody alone of their
    `group` as a hard rule and one person whose need one group cannot meet, 34 people came
    out as 14, 6 and 14 where 12, 11 and 11 keep every hard rule.
    """
    return (
        balanced is not None
        and session.kind is SessionKind.SPLIT
        and bool(event.settings.diversity)
    )


def explained(ctx: Context, session: Session, history: History, rounds: range) -> list[str]:
    """The hard rules that cannot all hold in these rounds, in the organiser's words."""
    seconds = min(CORE_SECONDS, max(1.0, ctx.deadline - time.monotonic()))
    return conflicting_rules(ctx.event, session, history, rounds, ctx.published, seconds)


@dataclass
class Solved:
    """A stage's outcome: status, cost and proven bound, and the placements chosen."""

    status: Status
    objective: float = 0.0
    bound: float = 0.0
    chosen: dict[Key, bool] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True when the stage has an allocation."""
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def outcome(m: SessionModel, solver: cp_model.CpSolver, status: Status) -> Solved:
    """A CP-SAT stage as a Solved: integral cost, bound rounded up."""
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved(status)
    return Solved(
        status,
        round(solver.objective_value),
        math.ceil(solver.best_objective_bound - 1e-6),
        {key: solver.boolean_value(var) for key, var in m.x.items()},
    )


def solve_staged(
    ctx: Context,
    session: Session,
    history: History,
    rounds: range,
    sizes: dict[str, int] | None,
    deadline: float,
    groups: bool = True,
    work: Work | None = None,
    banded: bool = True,
) -> Solved:
    """Solve in stages, each small and each the next one's hint (stage 1 only without
    `groups`); the later stages' searches within `work`; split groups within ±1 of the
    fair shares unless not `banded`.

    1. Without the group criteria: what comes first is minimised and then kept, in order
       (the fewest moves when re-solving, then the worst-off person's dissatisfaction: a
       lexicographic objective), then the rest of the objective. A session with nothing but
       preferences and capacities is a transportation problem: min-cost flow solves it exactly.
    2. With the group criteria, the sizes fixed in advance (balanced groups), so that every
       fair share is a number. The model is built without the placements above the
       worst-off level stage 1 kept (at the first day's level, a sixth of a 5,000 × 12
       session's; with no level, stage 1's model is extended instead), stage 1's
       allocation costed under it; then its linear relaxation (GLOP, solver/relax.py),
       rounded and repaired, replaces that start when it costs less (one 5,000 × 12
       session: 2404 → 916 in 1.3 s, where the search found no improvement in its time),
       and its optimum is the session's bound. The search starts from the complete
       solution kept.
    3. A choice session's sizes are free (diversity may prefer other sizes than the
       preferences did): `free_sizes` runs stage 2 at the sizes the free-size relaxation
       prefers, then searches with the sizes free. Its bound is the true one (the size
       choices of solver/rules/groups.py make it tight); without time for it, stage 1's (the
       group criteria cost at least 0).
    """
    build = partial(
        built, ctx.event, session, history, rounds=rounds, published=ctx.published, banded=banded
    )
    run = partial(search, ctx.watch)
    base = build(sizes, groups=False)
    build = partial(build, pace=base.pace)  # later models are built with more rules
    first = solve_base(base, run, deadline)
    if not first.found or not base.groups_left_out or not groups:
        return first
    run = partial(search, ctx.watch, work=work)
    closed = costly_placements(base)
    if closed:  # a model without them is smaller to build, relax and search than base
        build = partial(build, closed=closed)
    if places_forced(base):
        kept = forced_costed(build(sizes or sizes_of(base, first.chosen)), base, first)
        if kept.found:
            return kept
    if sizes is None:
        return free_sizes(build, run, base, first, deadline, work)
    fixed = build(sizes) if closed else add_group_criteria(base, sizes)
    cap_firsts(fixed, base)  # the flow's levels are not in the model yet
    costed = evaluated(fixed, first)
    if deadline - time.monotonic() < fixed.work(SEARCH_SECONDS_PER_CELL):
        return flowed_start(fixed, costed, first.chosen)  # too little time to load the model
    relaxed, costed = relaxed_start(fixed, costed, deadline, work=work)
    if relaxed is not None:  # sizes fixed in advance: the relaxation bounds the session
        costed.bound = max(costed.bound, math.ceil(relaxed.bound - 1e-6))
    if deadline - time.monotonic() < fixed.work(SEARCH_SECONDS_PER_CELL):
        return costed
    second = outcome(fixed, *run(fixed, deadline - time.monotonic()))
    if not second.found or (costed.found and second.objective > costed.objective):
        return costed
    second.bound = max(first.bound, costed.bound, second.bound)
    second.status = cp_model.OPTIMAL if second.objective <= second.bound else second.status
    return second


def free_sizes(
    build: Callable[..., SessionModel],
    run: Callable[..., tuple[cp_model.CpSolver, Status]],
    base: SessionModel,
    first: Solved,
    deadline: float,
    work: Work | None = None,
) -> Solved:
    """Stages 2 and 3 of a choice session: its sizes free, from stage 1's allocation (its
    searches within `work`).

    The free-size model's linear relaxation gives a bound at once and the sizes it prefers;
    at those sizes, fixed, the relaxation is nearly integral (`resized`: better sizes by
    `descended`, then its relaxation, rounded and repaired), and its allocation, when it
    costs less than stage 1's, starts the free-size search, which proves the rest. The
    relaxation leaves time for a start at fixed sizes (without it a session kept stage 1's
    allocation, costed: 2404 where the fixed sizes give 916 at 5,000 × 12), and is tried
    only when GLOP can have some time; when it is not tried or does not finish, the sizes
    are stage 1's, and when the fixed sizes give no start, the relaxation's own placements
    are rounded and repaired. With no relaxation's start at all, the diversity flows' at
    stage 1's sizes (`flowed_start`: 948 there, in 0.4 s). The free-size search runs only
    with time to get through its presolve (5,000 × 12: 3.9 s, never an improvement in the
    time left).

    Every time a stage needs is scaled by the machine's pace, which the first model's
    building shows (`built`): on a stretch when it runs half as fast again, the sessions
    of a 5,000 × 12 event kept stage 1's allocation (about 2,200 instead of 950) in 9 of
    20 when the times were the usual ones. Without the free-size relaxation, the
    fixed-size start is tried whenever its model can be built (the time would go unused
    otherwise), and the relaxation runs after it if time is left, for the bound.
    """
    m = build(None)
    cap_firsts(m, base)
    best = evaluated(m, first)
    best.bound = first.bound
    fixing = deadline - m.work(FIXED_SIZES_SECONDS_PER_CELL)
    relaxing = m.work(RELAXATION_SECONDS_PER_CELL + FREE_RELAXATION_SECONDS_PER_CELL)
    relaxed = bounding_relaxation(m, best, fixing, relaxing)
    sizes = relaxed_sizes(m, relaxed) if relaxed is not None else sizes_of(base, first.chosen)
    costed = best
    if relaxed is None:  # nothing else to do with the time: a fixed-size start if it builds
        least = base.work(PACE_SECONDS_PER_CELL)
        best = resized(build, base, best, sizes, deadline, work, least)
        relaxed = bounding_relaxation(m, best, deadline, relaxing)  # time left: the bound
    else:
        best = resized(build, base, best, sizes, deadline - m.work(SEARCH_SECONDS_PER_CELL), work)
        if best is costed:  # no time for fixed sizes: the free ones'
            _, best = relaxed_start(m, best, deadline, work, relaxed)
    if best is costed:  # no time for a relaxation's start: the diversity flows'
        best = flowed_start(m, best, first.chosen, sizes_of(base, first.chosen))
    if best.objective <= best.bound:  # the relaxation proves it: nothing left to search
        best.status = cp_model.OPTIMAL
        return best
    if deadline - time.monotonic() < m.work(FREE_SEARCH_SECONDS_PER_CELL):
        return best  # the search would not be through presolve (5,000 × 12: 3.9 s)
    evaluated(m, best)  # the search's hint: the whole allocation in this model
    found = outcome(m, *run(m, deadline - time.monotonic()))
    bound = max(best.bound, found.bound)
    best = found if found.found and found.objective <= best.objective else best
    best.bound = bound
    best.status = cp_model.OPTIMAL if best.objective <= best.bound else cp_model.FEASIBLE
    return best


def flowed_start(
    m: SessionModel, best: Solved, start: dict[Key, bool], sizes: dict[str, int] | None = None
) -> Solved:
    """`best`, or the diversity flows' placements from `start` at these sizes (the model's own
    by default; solver/diverse.py) when they cost less under the model: a start that takes a
    fraction of a relaxation's time, for a session with no time for one (one 5,000 × 12
    session: 2404 → 948 in 0.4 s, costing included)."""
    sizes = sizes or m.sizes
    chosen = diverse_placements(m, sizes, start) if sizes is not None else None
    if chosen is None:
        return best
    saved = saved_hint(m)
    flowed = evaluated(m, Solved(cp_model.FEASIBLE, bound=best.bound, chosen=chosen))
    if flowed.found and (not best.found or flowed.objective < best.objective):
        return flowed
    put_hint(m, saved)  # the search, if any, starts from `best`
    return best


def bounding_relaxation(
    m: SessionModel, best: Solved, deadline: float, least: float
) -> Relaxed | None:
    """The free-size relaxation when at least `least` seconds are left before `deadline`;
    its optimum raises `best`'s bound."""
    if deadline - time.monotonic() < least:
        return None
    relaxed = relaxed_in_time(m, deadline)
    if relaxed is not None:
        best.bound = max(best.bound, math.ceil(relaxed.bound - 1e-6))
    return relaxed


def relaxed_sizes(m: SessionModel, relaxed: Relaxed) -> dict[str, int]:
    """The options' sizes in the free-size relaxation, rounded to whole people (largest
    remainders first), for a search at those sizes."""
    first = m.rounds[0]
    share = dict.fromkeys((option.id for option in m.options), 0.0)
    for (_, option, round_), var in m.x.items():
        if round_ == first:
            share[option] += float(relaxed.values[var.index])
    sizes = {option: math.floor(value + 1e-6) for option, value in share.items()}
    left = len(m.people) - sum(sizes.values())
    for option in sorted(share, key=lambda o: sizes[o] - share[o])[: max(0, left)]:
        sizes[option] += 1
    return sizes


def resized(
    build: Callable[..., SessionModel],
    base: SessionModel,
    best: Solved,
    sizes: dict[str, int],
    deadline: float,
    work: Work | None = None,
    least: float | None = None,
) -> Solved:
    """The allocation at these sizes, fixed, when it costs less than `best`: the fixed-size
    relaxation's, rounded and repaired (no search: the free-size search that follows proves
    more in the time, fair-1000's gap 0.9 % → 0.7 % over three runs each).

    The preference stage's sizes need not suit diversity (one 1,000 × 8 session: 178 at
    them, 171–173 at the free-size relaxation's, 169 at best); at fixed sizes every fair
    share is a number and the relaxation is nearly integral. `best` is the start to beat
    (costed at these sizes when it has them). Without time for the relaxation, `best` as
    it is (the caller repairs the free-size relaxation's placements instead). `least` is
    the time it needs at least to be tried (usually: to build, relax and repair; less
    when the time would otherwise be left unused).
    """
    if least is None:
        least = FIXED_START_SECONDS_PER_CELL * len(best.chosen) * base.pace
    if deadline - time.monotonic() < least:
        return best  # no time to build the model and relax it for a start
    m = build(sizes)
    cap_firsts(m, base)
    sizes, relaxed = descended(m, time.monotonic() + DESCENT_SHARE * (deadline - time.monotonic()))
    m.resize(sizes)
    same = m.sizes == sizes_of(base, best.chosen)
    start = evaluated(m, best) if same else Solved(cp_model.UNKNOWN)
    relaxed, start = relaxed_start(m, start, deadline, work, relaxed)
    if relaxed is None or not start.found or start.objective >= best.objective:
        return best
    return Solved(cp_model.FEASIBLE, start.objective, best.bound, start.chosen)


def descended(m: SessionModel, deadline: float) -> tuple[dict[str, int], Relaxed | None]:
    """Sizes near the model's where its relaxation costs less, a few seats moved at a time, and
    the relaxation at those sizes (None without time for a round of moves).

    The free-size relaxation's sizes are only a guess: it may take a fraction of a fair
    share where whole people must go (one 1,000 × 8 session: 173 at its sizes, 170 three
    moves away, 169 the free-size optimum). At fixed sizes the relaxation is nearly
    integral, so its optimum is nearly the fixed-size optimum, and GLOP solves it again at
    other sizes from its last basis (`Reoptimised`). The moves of 1, 2 or 4 seats from an
    option to another are tried in the order the relaxation's duals expect them to gain,
    and the first that makes it cost less is kept; until `DESCENT_TRIALS` moves in a row
    gain nothing or time runs out. Most moves gain nothing (fair-1000: 1–3 kept of 37–97
    one-seat moves tried in order of options), and the duals put those that do first.
    Moves of several seats cross the steps of the fair shares' floors and ceilings that
    one seat does not (one session: 170.5 after every one-seat move, 169.5 with larger
    ones, 169 at the optimum's sizes); fair-1000's gap in 10 s: 0.46–1.03 % with one-seat
    moves only, 0.16–0.62 % with these, over eight runs each, interleaved.
    """
    assert m.sizes is not None
    sizes = dict(m.sizes)
    options = [option for option in m.options if option.max > 0]
    moves = len(options) * (len(options) - 1)
    if deadline - time.monotonic() < m.work(
        DESCENT_SECONDS_PER_CELL + MOVE_SECONDS_PER_CELL * moves
    ):
        return sizes, None  # not even one round of moves in time (5,000 × 12: 4.5 s)
    relaxed = Reoptimised(m.model, deadline - time.monotonic())
    value = relaxed.value({})
    if value is None:
        return sizes, None
    gained = True
    while gained:
        trials = seats_moved(sizes, options)
        trials.sort(key=lambda trial: relaxed.change(m.sides_at(trial)))
        gained = False
        for trial in trials[:DESCENT_TRIALS]:
            if time.monotonic() >= deadline:
                break
            cost = relaxed.value(m.sides_at(trial))
            if cost is not None and cost < value - 1e-6:
                sizes, value, gained = trial, cost, True  # the duals are now these sizes'
                break
    if relaxed.value(m.sides_at(sizes)) is None:
        return sizes, None
    return sizes, relaxed.relaxed()


def seats_moved(sizes: dict[str, int], options: list[Option]) -> list[dict[str, int]]:
    """Every size vector with a few seats (`DESCENT_SEATS`) moved from an option to another
    within capacity."""
    trials = []
    for seats in DESCENT_SEATS:
        for source in options:
            for target in options:
                if source is target or sizes[source.id] < seats:
                    continue
                if sizes[target.id] + seats > target.max:
                    continue
                trial = dict(sizes)
                trial[source.id] -= seats
                trial[target.id] += seats
                trials.append(trial)
    return trials


BUILDING = threading.Lock()


def built(*args: Any, pace: float | None = None, **kwargs: Any) -> SessionModel:
    """`build_session`, one session at a time: building is Python through and through, and
    two threads building at once take longer than one after the other (a 5,000 × 12 model:
    2.5 s each side by side, 0.75 s alone), while searches run side by side.

    The model's pace is the one given, or without one how much longer than usual its own
    building took (`PACE_SECONDS_PER_CELL`; at least 1, and 1 for a small model).
    """
    with BUILDING:
        began = time.monotonic()
        m = build_session(*args, **kwargs)
        took = time.monotonic() - began
        usual = PACE_SECONDS_PER_CELL * len(m.x)
        m.pace = pace if pace is not None else max(1.0, took / usual) if pace_shows(m) else 1.0
        return m


def pace_shows(m: SessionModel) -> bool:
    """Whether building this model takes long enough to show the machine's pace (a small
    one's time is mostly what every build costs, whatever its size)."""
    return len(m.x) >= PACE_CELLS


def relaxed_in_time(
    m: SessionModel, deadline: float, watch: Watch | None = None, method: str | None = None
) -> Relaxed | None:
    """The model's linear relaxation, if there is time to write it out and solve it: GLOP
    (with `method`; by default perturbed costs for a model with size choices, its
    degenerate case) gets what writing it out leaves, so that it ends before `deadline` (it
    stops sooner when it has its optimum, or when `watch` is stopped)."""
    left = deadline - time.monotonic() - m.work(RELAXATION_SECONDS_PER_CELL)
    if left < 0:
        return None
    method = method or (PERTURBED if m.size_choices else DUAL_SIMPLEX)
    return relaxation(m.model, left, method, watch)


def relaxed_start(
    m: SessionModel,
    costed: Solved,
    deadline: float,
    work: Work | None = None,
    relaxed: Relaxed | None = None,
) -> tuple[Relaxed | None, Solved]:
    """The model's linear relaxation (unless given), and its placements rounded and repaired
    as a start (the repair's search within `work`).

    The relaxation may take the time left but what repairing needs (GLOP stops when it has
    its optimum; at 5,000 × 12 half of it was too little on a slow day, and the session
    kept the preference stage's allocation, costed). People it places wholly in one option
    stay there; CP-SAT places the others (a small search). The start replaces the costed
    one when it costs less (the model's hint is then this start).
    """
    repairing = m.work(SEARCH_SECONDS_PER_CELL)  # what placing the fractional people needs
    relaxed = relaxed or relaxed_in_time(m, deadline - repairing)
    if relaxed is None or deadline - time.monotonic() < repairing:
        return relaxed, costed  # no time left to repair its placements
    kept = {key for key, var in m.x.items() if relaxed.values[var.index] > 1 - 1e-6}
    placed = {(person, round_) for person, _, round_ in kept}
    chosen = {key: key in kept for key in m.x}
    for key in sorted(m.x, key=lambda key: -relaxed.values[m.x[key].index]):
        if (key[0], key[2]) not in placed:
            placed.add((key[0], key[2]))
            chosen[key] = True
    saved = saved_hint(m)
    seconds = deadline - time.monotonic()
    rounded = Solved(cp_model.FEASIBLE, chosen=chosen, bound=costed.bound)
    start = evaluated(m, rounded, kept, seconds, work)
    if start.found and (not costed.found or start.objective < costed.objective):
        return relaxed, start
    put_hint(m, saved)  # the costed start stays the search's
    return relaxed, costed


def saved_hint(m: SessionModel) -> tuple[list[int], list[int]]:
    """The model's solution hint as it stands: its variables and their values."""
    hint = m.model.proto.solution_hint
    return list(hint.vars), list(hint.values)


def put_hint(m: SessionModel, saved: tuple[list[int], list[int]]) -> None:
    """Replace the model's solution hint with one `saved_hint` kept."""
    m.model.clear_hints()
    m.model.proto.solution_hint.vars.extend(saved[0])
    m.model.proto.solution_hint.values.extend(saved[1])


def evaluated(
    m: SessionModel,
    earlier: Solved,
    kept: set[Key] | None = None,
    seconds: float = EVALUATION_SECONDS,
    work: Work | None = None,
) -> Solved:
    """An earlier stage's allocation, costed under this stage's model (every placement fixed;
    with `kept`, only those: CP-SAT then places everyone else, hinted by `earlier`, and
    stops when `work` is spent).

    The fallback when a later stage finds nothing in its time: the allocation is still valid,
    only its cost now counts the criteria that stage added. The placements are the hint, and
    CP-SAT fixes them (only the penalty variables are left to minimise: propagation). The
    whole solution stays in the model as its hint: a search from there starts feasible.
    A placing search cut short may leave a penalty above what its placements cost (2023's
    COOP, rounds 1 and 2: 871 and 1256 for placements that cost 847 and 1210), so its
    placements are costed again, all fixed (0.02 s there).
    """
    add_hint(m, earlier.chosen)
    solver = cp_solver()
    configure(solver, m.event, m.session, min(seconds, EVALUATION_SECONDS))
    if kept is not None and work is not None:  # a search: costing alone is propagation
        work.limit(solver)
    with placements_fixed(m, kept):
        solver.parameters.fix_variables_to_their_hinted_value = kept is None
        status = solver.solve(m.model)
    if work is not None:
        work.spend(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved(cp_model.UNKNOWN)
    hint_solution(m, solver)
    chosen = {key: solver.boolean_value(var) for key, var in m.x.items()}
    placed = Solved(cp_model.FEASIBLE, round(solver.objective_value), earlier.bound, chosen)
    if kept is None or status == cp_model.OPTIMAL:
        return placed
    return evaluated(m, placed)


@contextmanager
def placements_fixed(m: SessionModel, kept: set[Key] | None) -> Iterator[None]:
    """These placements fixed to 1 while the block runs (through their variables' domains)."""
    domains = [m.model.proto.variables[m.x[key].index].domain for key in kept or ()]
    for domain in domains:
        domain.clear()
        domain.extend([1, 1])
    try:
        yield
    finally:
        for domain in domains:
            domain.clear()
            domain.extend([0, 1])


def solve_base(
    m: SessionModel, run: Callable[..., tuple[cp_model.CpSolver, Status]], deadline: float
) -> Solved:
    """Stage 1: the lexicographic levels in order, each kept, then the weighted objective."""
    if flow_shaped(m):
        solved = fairest_flow(m)
        if solved is not None:
            return Solved(cp_model.OPTIMAL, *solved)
    hint = published_hint(m) if m.published else flow_hint(m)
    m.caps = []
    for name, var in m.firsts:
        m.model.minimize(var)
        level = fewest_moves_held(m, run, deadline, hint) if name == MOVES else None
        level = level or searched_or_hinted(m, run, (deadline - time.monotonic()) / 4, hint)
        if not level.found:
            return level
        m.caps.append(round(level.objective))  # the level is the objective being minimised
        m.model.add(var <= m.caps[-1])
        hint = level.chosen
    m.model.minimize(objective(m))
    return searched_or_hinted(m, run, (deadline - time.monotonic()) / 3, hint)


def fewest_moves_held(
    m: SessionModel,
    run: Callable[..., tuple[cp_model.CpSolver, Status]],
    deadline: float,
    hint: dict[Key, bool],
) -> Solved | None:
    """The fewest moves proven by a search with everyone held in place whom no allocation at
    the least moves (`least_moves`) moves (`moving_placements`: their other placements'
    domains fixed at 0, which stay so, as they are at that level anyway), which leaves the
    newcomers and the people who must or may have to move to place; None, the domains
    restored, when that search finds no allocation at the least moves (a move that makes
    room for another, which the least moves do not count).

    On the whole model, a 5,000 × 12 session's re-solve spent its first search in presolve
    and 14.7 s of a portfolio on this level.
    """
    domains = [m.model.proto.variables[m.x[key].index].domain for key in moving_placements(m)]
    for domain in domains:
        domain[1] = 0
    level = searched_or_hinted(m, run, (deadline - time.monotonic()) / 4, hint)
    if level.found and round(level.objective) == forced_moves(m):
        return level
    for domain in domains:
        domain[1] = 1
    return None


def searched_or_hinted(
    m: SessionModel,
    run: Callable[..., tuple[cp_model.CpSolver, Status]],
    seconds: float,
    hint: dict[Key, bool],
) -> Solved:
    """The search's allocation from `hint`; when it finds none in its time, the hint itself
    if it places everyone and keeps every hard rule (costed: a session on a machine too
    busy to search it still gets the flow's or the published allocation)."""
    solved = outcome(m, *run(m, seconds, hint))
    if solved.status != cp_model.UNKNOWN or len(hint) < len(m.x):
        return solved
    costed = evaluated(m, Solved(cp_model.FEASIBLE, chosen=hint))
    return costed if costed.found else solved


def places_forced(base: SessionModel) -> bool:
    """Whether stage 1 left one allocation only: a re-solve of one round in which the fewest
    moves come first and are none, and everyone has a published place (nobody new), so that
    everyone keeps it."""
    published = base.published
    return (
        len(base.rounds) == 1
        and bool(base.firsts)
        and base.firsts[0][0] == MOVES
        and kept_levels(base).get(MOVES) == 0
        and all((person.id, base.rounds[0]) in published for person in base.people)
    )


def forced_costed(m: SessionModel, base: SessionModel, first: Solved) -> Solved:
    """Stage 1's allocation, the only one it allows (`places_forced`), costed with the group
    criteria: optimal, with no relaxation or search; not found when it breaks a rule stage 1
    did not have (a hard group rule)."""
    cap_firsts(m, base)
    costed = evaluated(m, first)
    if costed.found:
        costed.status, costed.bound = cp_model.OPTIMAL, costed.objective
    return costed


def cap_firsts(m: SessionModel, base: SessionModel) -> None:
    """Keep the levels stage 1 fixed (fewest moves, worst-off person) in a later stage (a
    model without the placements above the worst-off level may have no level left to keep)."""
    levels = kept_levels(base)
    for name, var in m.firsts:
        m.model.add(var <= levels[name])


def kept_levels(base: SessionModel) -> dict[str, int]:
    """Each level stage 1 minimised and kept, by name (fewest moves, worst-off person)."""
    return dict(zip((name for name, _ in base.firsts), base.caps, strict=False))


def costly_placements(base: SessionModel) -> set[Key]:
    """The placements no later stage needs a variable for: those that alone would lift
    their person above the worst-off level stage 1 kept, and those that would move someone
    published when stage 1 kept the moves at the least (`moved_placements`)."""
    levels = kept_levels(base)
    costly = set() if WORST_OFF not in levels else above_level(base, levels[WORST_OFF])
    return costly | moved_placements(base)


def moved_placements(base: SessionModel) -> set[Key]:
    """When stage 1 kept the fewest moves at the least any allocation makes (`forced_moves`),
    the placements that would move someone no such allocation moves (`moving_placements`):
    none of them can be taken.

    In a re-solve that moves nobody, only the newcomers are left to place, so its later
    stages are models of a few people (fair-5000's: 50 of 5,025 a session).
    """
    return moving_placements(base) if kept_levels(base).get(MOVES) == forced_moves(base) else set()


def forced_moves(m: SessionModel) -> int:
    """The fewest moves any allocation of the model makes at least (`least_moves`)."""
    return least_moves(m.event, m.session, present_in(m.event, m.session, m.published))


def moving_placements(m: SessionModel) -> set[Key]:
    """Every placement but their published one of the people no allocation at the least
    moves moves (`held_seats`)."""
    held = held_seats(m.event, m.session, present_in(m.event, m.session, m.published))
    return {
        key
        for key in m.x
        if (option := held.get((key[0], key[2]))) is not None and option != key[1]
    }


def sizes_of(m: SessionModel, chosen: dict[Key, bool]) -> dict[str, int]:
    """How many people each option holds in these placements (first round)."""
    first = m.rounds[0]
    held = Counter(o for (_, o, r), on in chosen.items() if on and r == first)
    return {option.id: held[option.id] for option in m.options}


def search(
    watch: Watch,
    m: SessionModel,
    seconds: float,
    hint: dict[Key, bool] | None = None,
    work: Work | None = None,
) -> tuple[cp_model.CpSolver, Status]:
    """Solve quickly with one search thread; if that does not prove optimality, use a portfolio.
    A session whose sizes are still to choose goes to `free_size_search` instead (one thread).

    Without `hint`, the search starts from the hint the model holds (a complete one, when a
    costing or an earlier search left it).

    The quick search stops after a fixed amount of deterministic work, and the portfolio is
    interleaved (CP-SAT's deterministic parallel mode), so runs repeat exactly as long as
    they end before the wall-clock limit: with `work`, both stop when it is spent, whatever
    the clock says (the portfolio runs only when some is left).
    """
    seconds = max(0.05, seconds)
    started = time.monotonic()
    work = work or Work()
    if hint is not None:
        add_hint(m, hint)
    if m.size_choices:
        return free_size_search(watch, m, seconds, work)
    quick = cp_solver()
    configure(quick, m.event, m.session, seconds)
    quick.parameters.max_deterministic_time = QUICK_WORK
    work.limit(quick)
    status = watch.solve(quick, m.model, m.session.id)
    work.spend(quick)
    left = seconds - (time.monotonic() - started)
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or left < 0.2 or work.left < LEAST_WORK:
        return quick, status
    if status == cp_model.FEASIBLE:
        hint_solution(m, quick)
    portfolio = cp_solver()
    configure(portfolio, m.event, m.session, left)
    portfolio.parameters.num_workers = PORTFOLIO_WORKERS
    portfolio.parameters.interleave_search = True
    work.limit(portfolio)
    with hint_kept_out(m, unless=status == cp_model.FEASIBLE):
        second = watch.solve(portfolio, m.model, m.session.id)
    work.spend(portfolio)
    if second in (cp_model.OPTIMAL, cp_model.FEASIBLE) or status != cp_model.FEASIBLE:
        return portfolio, second
    return quick, status


@contextmanager
def hint_kept_out(m: SessionModel, unless: bool) -> Iterator[None]:
    """The model without its solution hint for a while (put back after), unless told.

    CP-SAT 9.15's interleaved portfolio aborts the process (`Check failed:
    heuristics.fixed_search != nullptr`) on an infeasible model that holds a hint: options
    whose minimums and capacities cannot add up to a session's audience, which the quick
    search had not proven infeasible in its work. A hint the quick search could not complete
    into a solution in that work is little help to the portfolio anyway; a solution it found
    (`unless`) is kept, and the model is then feasible.
    """
    if unless:
        yield
        return
    saved = saved_hint(m)
    m.model.clear_hints()
    try:
        yield
    finally:
        put_hint(m, saved)


def free_size_search(
    watch: Watch, m: SessionModel, seconds: float, work: Work
) -> tuple[cp_model.CpSolver, Status]:
    """One search thread for a model with size choices: one presolve pass without probing
    or symmetry detection, and every linear row in the relaxation from the start.

    Presolve's probing took 1.2 s of a 1,000 × 8 session's model (3,400 variables), longer
    than the session's search had; without it and with the size choices in the relaxation,
    one such session is proven optimal in 1.0 s (169, from the fixed-size stage's 171).
    Added lazily, the size choices' rows left another session's bound at 155 for 1.2 s (184
    and proven in 0.6 s with them from the start). Of fair-1000's ten sessions searched
    for 1.2 s, 7 are proven this way (5 with presolve's usual passes); a portfolio of four
    proves less in the same time.
    """
    solver = cp_solver()
    configure(solver, m.event, m.session, seconds)
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False  # the size choices' rows from the start
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.max_presolve_iterations = 1
    work.limit(solver)
    status = watch.solve(solver, m.model, m.session.id)
    work.spend(solver)
    return solver, status


def add_hint(m: SessionModel, hint: dict[Key, bool]) -> None:
    """Replace the model's solution hint with these placements (written to the proto at once),
    and the options' sizes they give when the model has size choices (costing a fixed
    allocation is then propagation: 0.56 → 0.09 s for a 5,000 × 12 session)."""
    m.model.clear_hints()
    known = [(var.index, int(hint[key])) for key, var in m.x.items() if key in hint]
    if m.size_choices and len(known) == len(m.x):
        held = Counter((o, r) for (_, o, r), on in hint.items() if on)
        for (option, round_), choice in m.size_choices.items():
            size = held[(option, round_)]
            known.append((m.size_vars[(option, round_)].index, size))
            known += [(var.index, int(k == size)) for k, var in choice.items()]
    solution_hint = m.model.proto.solution_hint
    solution_hint.vars.extend(index for index, _ in known)
    solution_hint.values.extend(value for _, value in known)


def hint_solution(m: SessionModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable of the model with the value it has in the solver's solution."""
    values = list(solver.response_proto.solution)
    m.model.clear_hints()
    m.model.proto.solution_hint.vars.extend(range(len(values)))
    m.model.proto.solution_hint.values.extend(values)


def configure(solver: cp_model.CpSolver, event: Event, session: Session, budget: float) -> None:
    """Time limit, seed and one search thread (a portfolio's caller sets its workers after).

    With several rounds, the full linear relaxation gives the bound that proves optimality
    (the bundled networking sessions: proven in 0.02 s instead of a 75 % gap after 30 s).
    """
    solver.parameters.max_time_in_seconds = budget
    solver.parameters.random_seed = event.settings.seed
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2 if session.rounds > 1 else 1
