"""The solve loop: one CP-SAT model per independent session, within one time budget."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import Allocation, Assignment, Event, Session, SolveStats
from solver.build import build_session
from solver.explain import impossibilities
from solver.model import SessionModel

STATUS_NAMES = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}
Progress = Callable[[str], None]


class InfeasibleEventError(Exception):
    """No allocation can satisfy the hard rules; `reasons` say why in the organiser's words."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class PartResult:
    """The outcome of one independent part (a session)."""

    session: Session
    status: str
    objective: float
    bound: float
    seconds: float
    assignments: list[Assignment]


def solve_event(event: Event, progress: Progress | None = None) -> Allocation:
    """Allocate everyone: check what is provably impossible, then solve each session on its own."""
    reasons = impossibilities(event)
    if reasons:
        raise InfeasibleEventError(reasons)
    sessions = [s for s in event.sessions if event.audience_of(s)]
    started = time.monotonic()
    deadline = started + event.settings.time_limit
    sizes = [len(event.audience_of(s)) * len(event.options_of[s.id]) * s.rounds for s in sessions]
    parts: list[PartResult] = []
    for index, session in enumerate(sessions):
        remaining = max(0.1, deadline - time.monotonic())
        budget = remaining * sizes[index] / sum(sizes[index:])
        part = solve_session(event, session, budget)
        if progress:
            progress(
                f"{session.id}: {part.status}, cost {part.objective:g} in {part.seconds:.2f} s"
            )
        if part.status == "infeasible":
            raise InfeasibleEventError([f"session {session.id}: the hard rules cannot all hold"])
        if part.status not in ("optimal", "feasible"):
            raise TimeoutError(f"session {session.id}: no allocation found in {budget:.1f} s")
        parts.append(part)
    return Allocation(
        assignments=[a for part in parts for a in part.assignments],
        stats=combine(parts, time.monotonic() - started),
    )


def solve_session(event: Event, session: Session, budget: float) -> PartResult:
    """Build and solve one session's model within `budget` seconds."""
    started = time.monotonic()
    m = build_session(event, session)
    solver = cp_model.CpSolver()
    configure(solver, event, budget)
    status = solver.solve(m.model)
    name = STATUS_NAMES.get(status, "unknown")
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return PartResult(
        session=session,
        status=name,
        objective=solver.objective_value if found else 0.0,
        bound=solver.best_objective_bound if found else 0.0,
        seconds=time.monotonic() - started,
        assignments=read_assignments(m, solver) if found else [],
    )


def configure(solver: cp_model.CpSolver, event: Event, budget: float) -> None:
    """Time limit, seed and workers; parallel search interleaved so runs are repeatable."""
    settings = event.settings
    solver.parameters.max_time_in_seconds = budget
    solver.parameters.random_seed = settings.seed
    solver.parameters.num_workers = settings.workers
    solver.parameters.interleave_search = settings.workers > 1


def read_assignments(m: SessionModel, solver: cp_model.CpSolver) -> list[Assignment]:
    """The chosen option of every person in every round."""
    return [
        Assignment(participant=person, session=m.session.id, option=option, round=round_)
        for (person, option, round_), var in m.x.items()
        if solver.boolean_value(var)
    ]


def combine(parts: list[PartResult], seconds: float) -> SolveStats:
    """The event's figures: costs and bounds add up; optimal only if every part is."""
    statuses = {part.status for part in parts}
    return SolveStats(
        status="optimal" if statuses <= {"optimal"} else "feasible",
        objective=sum(part.objective for part in parts),
        bound=sum(part.bound for part in parts),
        seconds=seconds,
        components=len(parts),
    )
