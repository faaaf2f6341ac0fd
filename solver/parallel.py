"""The sessions of one day side by side: in threads, or in forked processes when they are large.

Building a model, costing an allocation and writing out a relaxation are Python, and threads
take turns at the interpreter for them; only the searches run side by side. A large day's
sessions are each given a process of their own instead (forked, so each inherits the event
and the days before it without copying them through a pipe: a 5,000-person event takes 3 s
to pickle and unpickle). A process sends its progress lines back to the caller's watch, and
stops its searches when the caller's watch is stopped.
"""

import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_EXCEPTION,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event as StopSignal
from typing import Any, TypeVar

from solver.watch import Watch

T = TypeVar("T")
Task = Callable[[Watch], T]
DRAIN_SECONDS = 0.05  # how often the caller relays a process's progress lines while it waits

_tasks: Sequence[Task[Any]] = ()  # what a forked process inherits: the day's tasks, by index
_watch = Watch()  # a forked process's own watch, set up when the process starts


def side_by_side(
    tasks: Sequence[Task[T]], workers: int, watch: Watch, processes: bool = False
) -> list[T]:
    """Run each task with a watch, `workers` at a time; their results in the tasks' order.

    With `processes`, each task runs in a forked process (results and errors come back
    pickled); otherwise in a thread, with the caller's watch itself. Ctrl-C stops them all.
    """
    if not processes or workers < 2 or len(tasks) < 2:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return gathered([pool.submit(task, watch) for task in tasks], watch)
    return in_processes(tasks, workers, watch)


def gathered(futures: Sequence[Future[T]], watch: Watch) -> list[T]:
    """The futures' results in order; Ctrl-C stops every search first."""
    try:
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        watch.stop()
        raise


def in_processes(tasks: Sequence[Task[T]], workers: int, watch: Watch) -> list[T]:
    """Each task in a forked process, its progress lines relayed to `watch` while it runs."""
    global _tasks
    context = multiprocessing.get_context("fork")
    lines: SimpleQueue[tuple[str, str]] = context.SimpleQueue()
    stop = context.Event()
    _tasks = tasks
    watch.signals.append(stop)
    try:
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=context,
            initializer=process_started,
            initargs=(lines, stop, watch.progress is not None, watch.solutions is not None),
        )
        gc.freeze()  # the processes' collections leave the caller's objects (and pages) alone
        try:
            futures = [pool.submit(run_task, index) for index in range(len(tasks))]
            try:
                while wait(futures, DRAIN_SECONDS, FIRST_EXCEPTION).not_done:
                    relay(lines, watch)
            finally:
                relay(lines, watch)
            return gathered(futures, watch)
        except KeyboardInterrupt:  # stopped before the processes are joined
            watch.stop()
            raise
        finally:  # the processes are joined before the next day forks its own
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
    finally:
        watch.signals.remove(stop)
        _tasks = ()


def relay(lines: "SimpleQueue[tuple[str, str]]", watch: Watch) -> None:
    """Pass the progress lines the processes sent on to the caller's watch."""
    while not lines.empty():
        kind, line = lines.get()
        tell = watch.solutions if kind == "solutions" else watch.progress
        if tell is not None:
            tell(line)


def process_started(
    lines: "SimpleQueue[tuple[str, str]]", stop: StopSignal, progress: bool, solutions: bool
) -> None:
    """A forked process's set-up: Ctrl-C is the caller's to handle, lines go back to it,
    and its searches stop when the caller's watch does."""
    global _watch
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch = Watch(
        progress=(lambda line: lines.put(("progress", line))) if progress else None,
        solutions=(lambda line: lines.put(("solutions", line))) if solutions else None,
    )
    threading.Thread(target=stopped_when, args=(stop, _watch), daemon=True).start()


def stopped_when(stop: StopSignal, watch: Watch) -> None:
    """Stop the process's searches once the caller's watch is stopped."""
    stop.wait()
    watch.stop()


def run_task(index: int) -> Any:
    """Run one of the day's tasks (inherited from the caller when the process was forked)."""
    return _tasks[index](_watch)
