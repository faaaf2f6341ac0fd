"""The solve loop: one CP-SAT model per independent session, within one time budget."""

import math
import time
from dataclasses import replace
from functools import partial

from models import Allocation, Assignment, Event, Session, SessionKind, SolveStats
from solver.context import (
    FINISHING_SHARE,
    Context,
    InfeasibleEventError,
    PartResult,
    PinnedEditError,
)
from solver.explain import impossibilities
from solver.history import History
from solver.parallel import side_by_side
from solver.previous import Published, describe_pins, pin_problems, read_published
from solver.rounds import solve_roundtable
from solver.sessions import BUILD_SECONDS_PER_CELL, solve_rounds
from solver.watch import Watch

PROCESS_CELLS = 10_000  # a day's sessions with at least these cells run in processes
WORK_PER_SECOND = 0.25  # deterministic seconds planned per second of a session's time


def solve_event(
    event: Event,
    previous: list[Assignment] | None = None,
    day: str | None = None,
    override_pins: bool = False,
    watch: Watch | None = None,
) -> Allocation:
    """Allocate everyone: check what is provably impossible, then solve day by day.

    Sessions share no variable, so each is its own CP-SAT model. The sessions of one day are
    solved side by side (`workers` at once, each by a single-threaded search, so the same seed
    gives the same allocation however threads are scheduled); each later day sees the
    dissatisfaction and the groups of the days before it, for fairness and mixing.

    With `previous` (the published allocation) people keep their places unless a hard rule
    forces a move, pinned placements are kept as they are, and `day` limits the solve to one
    day: earlier days are read from `previous` as facts, later days are kept as they were.
    `watch` hears about progress and can stop every search (Ctrl-C).
    """
    started = time.monotonic()
    published = read_published(event, previous or [])
    solving = [s for s in event.sessions if event.audience_of(s) and day in (None, s.day)]
    release_broken_pins(event, published, override_pins, {s.id for s in solving})
    reasons = impossibilities(event, solving)
    if reasons:
        raise InfeasibleEventError(reasons)
    watch = watch or Watch()
    ctx = Context(event, published, watch, started, planned_work(event, solving))
    history = History()
    kept = kept_placements(published, {s.id for s in solving})
    parts: list[PartResult] = []
    rate = BUILD_SECONDS_PER_CELL
    for today in event.days():
        if watch.stopped:
            raise KeyboardInterrupt
        history.record(event, [a for a in kept if event.session_by_id[a.session].day == today])
        solved, rate = solve_day(ctx, today, solving, history, rate)
        parts += solved
    assignments = [a for part in parts for a in part.assignments] + kept
    return Allocation(
        assignments=mark_pinned(assignments, published),
        stats=combine(parts, time.monotonic() - ctx.started, day_by_day(event, solving)),
    )


def solve_day(
    ctx: Context, today: str, solving: list[Session], history: History, rate: float
) -> tuple[list[PartResult], float]:
    """The day's sessions, side by side, within their share of the time left (the days after
    it keep theirs), each told and recorded in `history` for the days after; with the rate of
    building per cell learnt from how long they took."""
    event, watch = ctx.event, ctx.watch
    wave = [s for s in solving if s.day == today]
    later = [s for s in solving if event.days().index(s.day) >= event.days().index(today)]
    budgets = time_budgets(event, later, ctx.deadline - time.monotonic(), rate)
    tasks = [partial(solve_watched, ctx, s, budgets[s.id], history) for s in wave]
    large = sum(cells(event, s) for s in wave) >= PROCESS_CELLS
    solved = side_by_side(tasks, event.settings.workers, watch, processes=large)
    for part in solved:
        report_part(part, watch)
        history.record(event, part.assignments)
    took = max((part.seconds for part in solved), default=0.0)
    return solved, building_rate(rate, took, budgets, wave)


def planned_work(event: Event, sessions: list[Session]) -> dict[str, float]:
    """Each session's deterministic work, planned from the time limit and the event alone
    (`time_budgets` before anything runs, at `WORK_PER_SECOND`): the same in every run, on
    every machine, where the time each session has depends on how the days before it went.
    """
    limit = event.settings.time_limit * (1 - FINISHING_SHARE)
    return {sid: WORK_PER_SECOND * s for sid, s in time_budgets(event, sessions, limit).items()}


def cells(event: Event, session: Session) -> int:
    """A session's (person, option, round) cells: what its models' size goes by."""
    return len(event.audience_of(session)) * len(event.options_of[session.id]) * session.rounds


def solve_watched(
    ctx: Context, session: Session, budget: float, history: History, watch: Watch
) -> PartResult:
    """`solve_session` with this watch (a process's own, when the day runs in processes)."""
    return solve_session(replace(ctx, watch=watch), session, budget, history)


def release_broken_pins(
    event: Event, published: Published, override: bool, solving: set[str]
) -> None:
    """Pinned edits of the sessions being solved that break a hard rule stop the solve, unless
    the organiser overrides them (those of days kept as published stay, with a warning)."""
    problems = {
        place: why for place, why in pin_problems(event, published).items() if place[1] in solving
    }
    if problems and not override:
        raise PinnedEditError(describe_pins(event, published, problems))
    published.pinned -= set(problems)
    published.released = set(problems)


def kept_placements(published: Published, solving: set[str]) -> list[Assignment]:
    """Published placements of the sessions not being solved, kept as they are."""
    return [
        Assignment(
            participant=p, session=s, option=o, round=r, pinned=(p, s, r) in published.pinned
        )
        for (p, s, r), o in sorted(published.option.items())
        if s not in solving
    ]


def mark_pinned(assignments: list[Assignment], published: Published) -> list[Assignment]:
    """Pinned placements say so in the output, so they stay pinned at the next re-solve; so
    do pins `--override-pins` let move that stayed where they were pinned."""
    return [
        a.model_copy(update={"pinned": True}) if stays_pinned(a, published) else a
        for a in assignments
    ]


def stays_pinned(assignment: Assignment, published: Published) -> bool:
    """True for a placement pinned before the solve that is still where its pin put it."""
    key = assignment.key
    return key in published.pinned or (
        key in published.released and published.option.get(key) == assignment.option
    )


def report_part(part: PartResult, watch: Watch) -> None:
    """Tell the caller how a session went; stop when it has no allocation."""
    watch.tell(f"{part.session.id}: {part.status}, cost {part.objective:g} in {part.seconds:.2f} s")
    if part.status == "infeasible":
        generic = f"session {part.session.id}: the hard rules cannot all hold"
        raise InfeasibleEventError(part.reasons or [generic])
    if part.status not in ("optimal", "feasible"):
        raise TimeoutError(f"session {part.session.id}: no allocation found in time")


def building_rate(rate: float, took: float, budgets: dict[str, float], day: list[Session]) -> float:
    """The seconds of building per cell, raised when a day's sessions took longer than
    their time (`took`: the slowest one's own seconds).

    Only building and costing can overrun a budget (every search has its own limit), so a
    session over its time says they are slower on this machine than `rate` assumed. What
    running a day costs beyond its sessions (starting processes, sending results back) is
    not building: it only leaves less time for the days after it.
    """
    budget = max((budgets[s.id] for s in day), default=0.0)
    if budget > 0 and took > budget:
        return rate * min(took / budget, 4.0)
    return rate


def time_budgets(
    event: Event, sessions: list[Session], left: float, rate: float = BUILD_SECONDS_PER_CELL
) -> dict[str, float]:
    """Each session's time: the work every session must do, then a share of the rest by size.

    Building a session's models and costing its allocation happen whatever the time limit,
    outside CP-SAT's own limit: about `rate` seconds per (person, option, round), and the
    sessions of one day share the interpreter while they build in threads. That work is set
    aside for every session still to come; what is left is shared for searching, by the
    square root of model size (a small session proves its optimum in little time, a large
    one rarely proves it at all: the bundled OUTCOME of 2023, 429 cells beside COOP's
    6,090, is proven optimal in 2.0 s, where its share by size, 1.9 s, missed it), a
    day's sessions running side by side. Shared anew before each day, so a day that
    took longer than its share leaves less to the days after it.
    """
    sizes = {s.id: cells(event, s) for s in sessions}
    day_of = {s.id: s.day for s in sessions}
    building: dict[str, float] = dict.fromkeys(day_of.values(), 0.0)
    for sid, size in sizes.items():
        building[day_of[sid]] += rate * size
    needed = sum(building.values())
    if needed > left > 0:  # not even the building fits: each day its share of what is left
        building = {day: work * left / needed for day, work in building.items()}
    spare = max(0.0, left - needed)
    weights = {sid: math.sqrt(size) for sid, size in sizes.items()}
    total = sum(weights.values()) or 1
    lanes = {
        s.id: min(event.settings.workers, sum(1 for t in sessions if t.day == s.day))
        for s in sessions
    }
    return {
        sid: min(max(0.0, left), building[day_of[sid]] + spare * lanes[sid] * weight / total)
        for sid, weight in weights.items()
    }


def solve_session(ctx: Context, session: Session, budget: float, history: History) -> PartResult:
    """Solve one session within its budget: its rounds' models (solver/sessions.py), or a
    roundtable of several rounds by `solve_roundtable` (solver/rounds.py)."""
    began = time.monotonic()
    deadline = min(began + budget, ctx.deadline)
    if session.kind is not SessionKind.ROUNDTABLE or session.rounds == 1:
        return solve_rounds(ctx, session, history, range(1, session.rounds + 1), deadline)
    return solve_roundtable(ctx, session, history, began, deadline)


def combine(parts: list[PartResult], seconds: float, day_by_day: bool = False) -> SolveStats:
    """The event's figures: costs and bounds add up; optimal only if every part is (`optimal
    day by day` when later days see the earlier ones': `event_status`). Each session's own
    figures come along (its bound holds given the days before it)."""
    return SolveStats(
        status=event_status({part.status for part in parts}, day_by_day),
        objective=sum(part.objective for part in parts),
        bound=sum(part.bound for part in parts),
        seconds=seconds,
        components=len(parts),
        sessions={part.session.id: part_stats(part) for part in parts},
    )


def day_by_day(event: Event, sessions: list[Session]) -> bool:
    """Whether the sessions span several days, each solved given the allocation of the days
    before it (fairness or mixing weighs): a session's bound then holds for that allocation
    of the earlier days only, and so does their sum, which bounds the event's allocations
    that keep the earlier days as the solve chose them, not every allocation of the event
    (another allocation of day 1 can let day 2 cost less)."""
    settings = event.settings
    weighs = bool(settings.weight_fairness or settings.weight_mixing)
    return weighs and len({session.day for session in sessions}) > 1


def event_status(statuses: set[str], day_by_day: bool) -> str:
    """`optimal` when every session is proven, `optimal day by day` when each is given the
    days before it (`day_by_day`), else `feasible`."""
    if not statuses <= {"optimal"}:
        return "feasible"
    return "optimal day by day" if day_by_day else "optimal"


def part_stats(part: PartResult) -> SolveStats:
    """One session's figures: status, cost, bound and seconds."""
    return SolveStats(
        status=part.status,
        objective=part.objective,
        bound=part.bound,
        seconds=part.seconds,
        components=1,
    )
