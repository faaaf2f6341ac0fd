"""A day's sessions side by side in forked processes (solver/parallel.py)."""

import _thread
import itertools
import os
import threading
import time
from functools import partial

import pytest
from ortools.sat.python import cp_model

import solver.solve
from scripts.benchmark import choice_event
from solver.parallel import T, Task, side_by_side
from solver.watch import Watch
from tests.conftest import solve_checked


def told(watch: Watch, index: int) -> tuple[int, int]:
    """A task: one progress line, one solution line; its index and the process it ran in."""
    watch.tell(f"task {index}")
    if watch.solutions is not None:
        watch.solutions(f"solution {index}")
    return index, os.getpid()


def test_processes_return_results_in_order_and_relay_their_lines() -> None:
    lines: list[str] = []
    watch = Watch(progress=lines.append, solutions=lines.append)
    results = side_by_side([partial(told, index=i) for i in range(3)], 2, watch, processes=True)
    assert [index for index, _ in results] == [0, 1, 2]
    assert os.getpid() not in {pid for _, pid in results}
    assert sorted(lines) == sorted(f"{kind} {i}" for kind in ("task", "solution") for i in range(3))


def test_threads_run_with_the_callers_watch() -> None:
    lines: list[str] = []
    watch = Watch(progress=lines.append)
    results = side_by_side([partial(told, index=i) for i in range(2)], 2, watch)
    assert results == [(0, os.getpid()), (1, os.getpid())]
    assert sorted(lines) == ["task 0", "task 1"]


def broken(watch: Watch) -> None:
    """A task that fails."""
    raise ValueError("session S1: broken")


def test_an_error_in_a_process_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match=r"^session S1: broken$"):
        side_by_side([broken, lambda w: 1], 2, Watch(), processes=True)


def long_search(watch: Watch) -> str:
    """A search that takes far longer than the test: a Golomb ruler of 11 marks."""
    model = cp_model.CpModel()
    marks = [model.new_int_var(0, 200, f"m{i}") for i in range(11)]
    model.add(marks[0] == 0)
    for left, right in itertools.pairwise(marks):
        model.add(left < right)
    gaps = [right - left for i, left in enumerate(marks) for right in marks[i + 1 :]]
    model.add_all_different(gaps)
    model.minimize(marks[-1])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.num_workers = 1
    status = watch.solve(solver, model, "S1")
    return solver.status_name(status)


def test_stopping_the_watch_stops_the_searches_in_processes() -> None:
    watch = Watch()
    threading.Timer(1.0, watch.stop).start()
    began = time.monotonic()
    statuses = side_by_side([long_search, long_search], 2, watch, processes=True)
    assert time.monotonic() - began < 10
    assert set(statuses) <= {"FEASIBLE", "UNKNOWN"}


def test_ctrl_c_stops_the_searches_in_processes() -> None:
    threading.Timer(1.0, _thread.interrupt_main).start()
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        side_by_side([long_search, long_search], 2, Watch(), processes=True)
    assert time.monotonic() - began < 10


def test_a_large_day_in_processes_gives_the_allocation_threads_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = choice_event(60, 4, 4, criteria=True, time_limit=20)
    threads, _ = solve_checked(event)
    in_processes: list[bool] = []
    original = solver.solve.side_by_side

    def recorded(tasks: list[Task[T]], workers: int, watch: Watch, processes: bool) -> list[T]:
        in_processes.append(processes)
        return original(tasks, workers, watch, processes)

    monkeypatch.setattr(solver.solve, "PROCESS_CELLS", 0)
    monkeypatch.setattr(solver.solve, "side_by_side", recorded)
    processes, report = solve_checked(event)
    assert in_processes == [True] * len(event.days())
    assert processes.assignments == threads.assignments
    assert processes.stats.objective == threads.stats.objective == report.objective
