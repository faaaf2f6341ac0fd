"""How the time limit is shared between sessions (solver/solve.py's time_budgets), and
what a session with no time to search gets."""

import pytest

from models import Assignment, Event, Option, Session, SessionKind, Settings
from solver.solve import solve_event, time_budgets
from tests.factories import event, nothing_found_in_time, people, rule, with_hosts


def two_sessions(days: tuple[str, str]) -> Event:
    """S1 with one option and S2 with four, for the same four people (4 and 16 cells)."""
    return Event(
        participants=people(4),
        sessions=[
            Session(id=sid, day=day, kind=SessionKind.CHOICE)
            for sid, day in zip(("S1", "S2"), days, strict=True)
        ],
        options=[Option(session="S1", id="A", max=4)]
        + [Option(session="S2", id=o, max=4) for o in "ABCD"],
        preferences=[],
        settings=Settings(),
    )


def test_the_spare_time_goes_by_the_square_root_of_a_sessions_size() -> None:
    # 4 and 16 cells: weights 2 and 4, one after the other (no building time at rate 0)
    event = two_sessions(("d1", "d2"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.0)
    assert budgets == pytest.approx({"S1": 4.0, "S2": 8.0})


def test_sessions_side_by_side_share_the_day_each_on_its_own_worker() -> None:
    event = two_sessions(("d1", "d1"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.0)
    assert budgets == pytest.approx({"S1": 8.0, "S2": 12.0})  # 2 lanes: 24 × 2/6, capped


def test_building_time_is_set_aside_before_the_spare_is_shared() -> None:
    event = two_sessions(("d1", "d2"))
    budgets = time_budgets(event, event.sessions, left=12.0, rate=0.1)  # 0.4 s and 1.6 s
    assert budgets == pytest.approx({"S1": 0.4 + 10.0 * 2 / 6, "S2": 1.6 + 10.0 * 4 / 6})


def test_a_session_with_no_time_to_search_keeps_the_flow_s_allocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The soft rule keeps the session from the flow alone; the flow's allocation keeps p1
    # and p2 together, at A (their first wish), which breaks the soft rule: 1.
    prefs = {"p1": ["A"], "p2": ["A"], "p3": ["B"], "p4": ["B"]}
    e = event(4, prefs=prefs, rules=[rule("apart", "p1", "p2", soft=True)])
    nothing_found_in_time(monkeypatch)
    allocation = solve_event(e)
    assert {a.participant: a.option for a in allocation.assignments} == {
        "p1": "A",
        "p2": "A",
        "p3": "B",
        "p4": "B",
    }
    assert allocation.stats.status == "feasible"
    assert allocation.stats.objective == 1


def test_a_flow_allocation_that_breaks_a_hard_rule_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefs = {"p1": ["A"], "p2": ["A"], "p3": ["B"], "p4": ["B"]}
    e = event(4, prefs=prefs, rules=[rule("apart", "p1", "p2")])
    nothing_found_in_time(monkeypatch)
    with pytest.raises(TimeoutError, match=r"^session S1: no allocation found in time$"):
        solve_event(e)


def test_a_roundtable_s_later_round_with_no_time_to_search_keeps_the_tables_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Round 2's flow used to seat p1 and p2 at A again, their first wish, which breaks the
    # hard rule of one visit to each host's table: the session failed ("no allocation found
    # in time": academy-2023's COOP at --time-limit 2). The flow now leaves out the tables
    # a guest has visited.
    prefs = {person: ["A", "B"] for person in ("p1", "p2", "p3", "p4")}
    e = event(
        6,
        options=(("A", 3), ("B", 3)),
        kind=SessionKind.ROUNDTABLE,
        rounds=2,
        prefs=prefs,
        diversity=(),
        no_isolation=(),
        spread=(),
        weight_mixing=0,
        weight_new_peers=0,
    )
    e = with_hosts(e, {"A": "p5", "B": "p6"})
    nothing_found_in_time(monkeypatch)
    allocation = solve_event(e)
    for guest in prefs:
        assert sorted(a.option for a in allocation.assignments if a.participant == guest) == [
            "A",
            "B",
        ]
    assert allocation.stats.objective == 4  # a second wish costs 1, a first 0


@pytest.mark.parametrize("fairness", [1, 0])
def test_a_re_solve_with_no_time_to_search_keeps_the_published_allocation(
    monkeypatch: pytest.MonkeyPatch, fairness: int
) -> None:
    # With fairness, the fewest moves and the worst-off person are two levels, which no flow
    # alone solves: the search found nothing and the session failed (5,000 people × 12
    # options, re-solved with nothing changed). The published places are kept, and the
    # newcomer p5 gets the seat left. Without fairness the flow solves it: the same.
    prefs = {"p1": ["A"], "p2": ["A"], "p3": ["B"], "p4": ["B"], "p5": ["A"]}
    e = event(5, options=(("A", 3), ("B", 3)), prefs=prefs, weight_fairness=fairness)
    published = [
        Assignment(participant=p, session="S1", option=o)
        for p, o in (("p1", "B"), ("p2", "A"), ("p3", "A"), ("p4", "B"))
    ]
    nothing_found_in_time(monkeypatch)
    allocation = solve_event(e, previous=published)
    assert {a.participant: a.option for a in allocation.assignments} == {
        "p1": "B",
        "p2": "A",
        "p3": "A",
        "p4": "B",
        "p5": "A",
    }
