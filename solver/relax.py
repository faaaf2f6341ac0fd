"""The linear relaxation of a session's CP-SAT model, solved by GLOP: a bound and a start.

With the option sizes fixed, a session with diversity is a transportation problem with a
few hundred side rows, and its linear relaxation is nearly integral (measured: none of
60,000 placements fractional for a 5,000 × 12 session, 42 of 8,000 for a 1,000 × 8 one),
while CP-SAT needs more than the time a session gets just to improve the costed start at
5,000 people. The relaxation's placements, rounded and repaired by CP-SAT with the integral
ones fixed, are a complete start for the search.

Only linear constraints (and exactly-one, at-most-one, or clauses) without enforcement
literals are kept, so the relaxation's optimum is a lower bound of the model's.
"""

import math
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import ortools.linear_solver.pywraplp as pywraplp
from ortools.linear_solver.python import model_builder_helper as mb
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import ConstraintProto
from scipy.sparse import csr_matrix

from solver.watch import Watch

INFINITE = 2**62  # CP-SAT writes unbounded sides as the int64 limits
DUAL_SIMPLEX = "use_dual_simplex:true"  # 0.7 s instead of 5.2 s for a 5,000 × 12 session
PERTURBED = f"{DUAL_SIMPLEX} perturb_costs_in_dual_simplex:true"  # for degenerate relaxations
PRIMAL_SIMPLEX = "use_dual_simplex:false initial_basis:BIXBY"  # every round at once: see caller
CLAUSES = ("exactly_one", "at_most_one", "bool_or")


@dataclass
class Relaxed:
    """The relaxation's optimum (a lower bound of the model's) and every variable's value."""

    bound: float
    values: npt.NDArray[np.float64]


@dataclass
class Rows:
    """Sparse rows of the relaxation, built constraint by constraint."""

    low: list[float]
    high: list[float]
    starts: list[int]
    columns: list[int]
    coefficients: list[int]

    def add(self, columns: list[int], coefficients: list[int], low: float, high: float) -> None:
        """One row: low ≤ Σ coefficient × column ≤ high."""
        self.columns += columns
        self.coefficients += coefficients
        self.starts.append(len(self.columns))
        self.low.append(side(low))
        self.high.append(side(high))


def relaxation(
    model: cp_model.CpModel,
    seconds: float,
    method: str = DUAL_SIMPLEX,
    watch: Watch | None = None,
) -> Relaxed | None:
    """Solve the model's linear relaxation with GLOP's parameters `method`; None when GLOP
    does not prove its optimum in time (or `watch` stops it).

    `PERTURBED` costs help the dual simplex through a degenerate relaxation (the free-size
    one of a late 5,000 × 12 session, whose sizes have many mixtures of equal cost:
    1.4–2.2 s → 0.9–1.1 s, the same optimum); elsewhere they only pick another optimal
    vertex, and with it other starts and other allocations downstream.
    """
    proto = model.proto
    rows, _ = linear_rows(model)
    low, high = variable_bounds(model)
    objective = np.zeros(len(low))
    np.add.at(objective, list(proto.objective.vars), list(proto.objective.coeffs))
    matrix = csr_matrix(
        (np.array(rows.coefficients, dtype=float), rows.columns, rows.starts),
        shape=(len(rows.starts) - 1, len(low)),
    )
    builder: Any = mb.ModelBuilderHelper()  # its stubs type arrays by dtype, not shape
    builder.fill_model_from_sparse_data(
        low, high, objective, np.array(rows.low), np.array(rows.high), matrix
    )
    solver: Any = mb.ModelSolverHelper("glop")
    solver.set_solver_specific_parameters(method)
    solver.set_time_limit_in_seconds(max(0.01, seconds))
    with watch.stoppable(solver.interrupt_solve) if watch else nullcontext():
        solver.solve(builder)
    if solver.status() != mb.SolveStatus.OPTIMAL:
        return None
    return Relaxed(solver.objective_value() + proto.objective.offset, solver.variable_values())


def linear_rows(model: cp_model.CpModel) -> tuple[Rows, dict[int, int]]:
    """The rows of the relaxation, and which row each constraint kept became."""
    rows = Rows([], [], [0], [], [])
    row_of: dict[int, int] = {}
    for index, ct in enumerate(model.proto.constraints):
        if len(ct.enforcement_literal) == 0:
            before = len(rows.low)
            add_row(rows, ct)
            if len(rows.low) > before:
                row_of[index] = before
    return rows, row_of


class Reoptimised:
    """A model's linear relaxation kept in GLOP, to be solved again with some constraints'
    sides changed: GLOP starts from the basis it has (one 1,000 × 8 session: 6 ms a solve,
    where writing the relaxation out anew and solving it takes 60 ms)."""

    def __init__(self, model: cp_model.CpModel, seconds: float) -> None:
        proto = model.proto
        rows, self.row_of = linear_rows(model)
        low, high = variable_bounds(model)
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.solver.SetTimeLimit(max(1, round(1000 * seconds)))
        self.columns = [self.solver.NumVar(lo, hi, "") for lo, hi in zip(low, high, strict=True)]
        self.rows = []
        for row, (lo, hi) in enumerate(zip(rows.low, rows.high, strict=True)):
            constraint = self.solver.Constraint(lo, hi)
            for at in range(rows.starts[row], rows.starts[row + 1]):
                constraint.SetCoefficient(self.columns[rows.columns[at]], rows.coefficients[at])
            self.rows.append(constraint)
        objective = self.solver.Objective()
        for column, coefficient in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
            objective.SetCoefficient(self.columns[column], coefficient)
        objective.SetMinimization()
        self.offset = proto.objective.offset

    def value(self, sides: dict[int, tuple[int, int]]) -> float | None:
        """The relaxation's optimum with these constraints' sides (by CP-SAT constraint
        index; sides set before stay); None when infeasible or not proven in time."""
        for index, (low, high) in sides.items():
            if index in self.row_of:
                self.rows[self.row_of[index]].SetBounds(side(low), side(high))
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return float(self.solver.Objective().Value()) + self.offset

    def relaxed(self) -> Relaxed:
        """The last optimum found and every variable's value in it."""
        values = np.array([column.solution_value() for column in self.columns])
        return Relaxed(float(self.solver.Objective().Value()) + self.offset, values)

    def change(self, sides: dict[int, tuple[int, int]]) -> float:
        """How much the last optimum would change with these constraints' sides, to first
        order: each binding side's move times its row's dual value (exact while the basis
        stays optimal; a guess beyond, good for ordering trials)."""
        total = 0.0
        for index, (low, high) in sides.items():
            if index not in self.row_of:
                continue
            row = self.rows[self.row_of[index]]
            dual = row.dual_value()
            if dual > 0 and math.isfinite(row.lb()):
                total += dual * (side(low) - row.lb())
            elif dual < 0 and math.isfinite(row.ub()):
                total += dual * (side(high) - row.ub())
        return total


def side(value: float) -> float:
    """A constraint's side for GLOP: CP-SAT's int64 limits are infinite."""
    if abs(value) >= INFINITE:
        return math.inf if value > 0 else -math.inf
    return float(value)


def add_row(rows: Rows, ct: ConstraintProto) -> None:
    """A linear constraint as a row, a clause as a row over its literals; others are left out."""
    if ct.has_linear():
        domain = ct.linear.domain
        rows.add(list(ct.linear.vars), list(ct.linear.coeffs), domain[0], domain[len(domain) - 1])
        return
    kind = next((kind for kind in CLAUSES if getattr(ct, f"has_{kind}")()), None)
    if kind is None:
        return
    literals = list(getattr(ct, kind).literals)
    negated = sum(1 for literal in literals if literal < 0)
    columns = [literal if literal >= 0 else -literal - 1 for literal in literals]
    signs = [1 if literal >= 0 else -1 for literal in literals]
    low = 1 - negated if kind != "at_most_one" else -np.inf
    high = 1 - negated if kind != "bool_or" else np.inf
    rows.add(columns, signs, low, high)


def variable_bounds(
    model: cp_model.CpModel,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each variable's smallest and largest value (holes in a domain relaxed away)."""
    domains = [variable.domain for variable in model.proto.variables]
    low = np.array([domain[0] for domain in domains], dtype=float)
    high = np.array([domain[len(domain) - 1] for domain in domains], dtype=float)
    low[low <= -INFINITE] = -np.inf
    high[high >= INFINITE] = np.inf
    return low, high
