"""What every stage of one solve shares: the event, the published allocation, the clock;
and what solving one session gives."""

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from models import Assignment, Event, Session
from solver.previous import Published
from solver.watch import Watch

FINISHING_SHARE = 0.01  # of the time limit kept back from the searches (60 s: 0.6 s)


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
    reasons: list[str] = field(default_factory=list)


class PinnedEditError(InfeasibleEventError):
    """Pinned placements (hand edits) break hard rules; `reasons` name each one."""


@dataclass
class Context:
    """What every stage of one solve shares: the event, the published allocation, the clock."""

    event: Event
    published: Published
    watch: Watch
    started: float
    planned: dict[str, float] = field(default_factory=dict)  # deterministic s, by session

    def planned_work(self, session: Session) -> float:
        """The deterministic seconds planned for a session's searches (no plan: unlimited)."""
        return self.planned.get(session.id, math.inf)

    @property
    def deadline(self) -> float:
        """When every search must have ended: the time limit, less a margin for the Python
        work that no search limit covers (costing, writing a relaxation out, reading
        placements), which runs a little past a search's end."""
        return self.started + self.event.settings.time_limit * (1 - FINISHING_SHARE)


@dataclass
class Work:
    """Deterministic seconds some searches may still spend: CP-SAT's own measure of its work,
    the same in every run whatever the machine's pace (unlimited: only the clock stops them)."""

    left: float = math.inf
    used: float = 0.0

    def limit(self, solver: cp_model.CpSolver) -> None:
        """Stop the solver's search when it has done the work left (or its own limit)."""
        if self.left < math.inf:
            params = solver.parameters
            params.max_deterministic_time = min(params.max_deterministic_time, self.left)

    def spend(self, solver: cp_model.CpSolver) -> None:
        """Take off what the solver's last search did."""
        done = solver.response_proto.deterministic_time
        self.left, self.used = max(0.0, self.left - done), self.used + done
