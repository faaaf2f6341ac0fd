"""Watching a solve: progress for the person waiting, and stopping every search on Ctrl-C."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import CpSolverStatus

from models.allocation import gap_percent

Progress = Callable[[str], None]


def cp_solver() -> cp_model.CpSolver:
    """A CP-SAT solver that leaves Ctrl-C to Python (and so to `Watch.stop`).

    CP-SAT otherwise puts a SIGINT handler of its own in place for each solve and restores
    the one before when it ends: with searches in several threads, that restores handlers
    of solves already over, and Ctrl-C aborts the process or kills it without a word.
    """
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    return solver


class Reporter(cp_model.CpSolverSolutionCallback):
    """Tells the watcher each improved solution of one session's search."""

    def __init__(self, session: str, tell: Progress) -> None:
        super().__init__()
        self.session = session
        self.tell = tell

    def on_solution_callback(self) -> None:
        """A better allocation of the session was found."""
        cost, bound = self.objective_value, self.best_objective_bound
        gap = gap_percent(cost, bound)
        self.tell(
            f"{self.session}: cost {cost:g}, bound {bound:g} ({gap:.1f} %), {self.wall_time:.1f} s"
        )


@dataclass
class Watch:
    """Progress lines for the caller, and the searches running now (to stop them all at once)."""

    progress: Progress | None = None
    solutions: Progress | None = None
    stopped: bool = False
    active: set[cp_model.CpSolver] = field(default_factory=set)
    stoppers: list[Callable[[], None]] = field(default_factory=list)  # other solves running
    lock: threading.Lock = field(default_factory=threading.Lock)
    signals: list[Any] = field(default_factory=list)  # set on stop: processes stop too

    def tell(self, line: str) -> None:
        """A progress line (a session finished)."""
        if self.progress:
            self.progress(line)

    def solve(
        self, solver: cp_model.CpSolver, model: cp_model.CpModel, session: str, report: bool = True
    ) -> CpSolverStatus:
        """Run a search that `stop` can interrupt, reporting improved solutions (unless not
        `report`: a neighbourhood's bound is no bound of the session)."""
        with self.lock:
            if self.stopped:
                raise KeyboardInterrupt
            self.active.add(solver)
        try:
            callback = Reporter(session, self.solutions) if self.solutions and report else None
            return solver.solve(model, callback)
        finally:
            with self.lock:
                self.active.discard(solver)

    @contextmanager
    def stoppable(self, stop: Callable[[], None]) -> Iterator[None]:
        """Run a block that `stop` interrupts on Ctrl-C (a linear relaxation's solve)."""
        with self.lock:
            if self.stopped:
                raise KeyboardInterrupt
            self.stoppers.append(stop)
        try:
            yield
        finally:
            with self.lock:
                self.stoppers.remove(stop)

    def stop(self) -> None:
        """Stop every running search (Ctrl-C): each returns what it has at once."""
        with self.lock:
            self.stopped = True
            for signal in self.signals:
                signal.set()
            for solver in self.active:
                solver.stop_search()
            for stop in self.stoppers:
                stop()
