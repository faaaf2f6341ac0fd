"""The benchmark's table: what its status column says."""

from models import CheckReport, CheckResult, SolveStats
from scripts.benchmark import checked, proven_status, timed
from tests.factories import event


def test_the_status_counts_the_sessions_proven_when_not_all_are() -> None:
    sessions = {
        "WS1": SolveStats(status="optimal", objective=0, bound=0),
        "NEXTGEN": SolveStats(status="feasible", objective=893, bound=836),
        "OUTCOME": SolveStats(status="optimal", objective=19, bound=19),
    }
    stats = SolveStats(status="feasible", objective=912, bound=855, sessions=sessions)
    assert proven_status(stats) == "feasible (2 of 3 sessions optimal)"


def test_the_status_is_plain_when_every_session_is_proven_or_none_is_known() -> None:
    proven = SolveStats(status="optimal", sessions={"S": SolveStats(status="optimal")})
    assert proven_status(proven) == "optimal"
    assert proven_status(SolveStats(status="feasible")) == "feasible"


def test_a_row_says_when_the_checker_disagrees_with_the_solver() -> None:
    stats = SolveStats(status="optimal", objective=12, bound=12)
    assert checked(CheckReport(objective=12), stats) == ""
    assert checked(CheckReport(objective=10), stats) == "MISCOUNTED"
    broken = CheckResult(rule="capacity", hard=True, held=False, message="A: 3 people, capacity 2")
    assert checked(CheckReport(results=[broken], objective=12), stats) == "BROKEN"


def test_a_row_says_when_the_solve_overran_its_time_limit() -> None:
    e = event(4).with_settings(time_limit=2)
    assert timed("optimal", SolveStats(status="optimal", seconds=3.0), e) == "optimal"
    assert timed("optimal", SolveStats(status="optimal", seconds=3.2), e) == "optimal, OVER TIME"
