"""The linear relaxation (solver/relax.py) and the start it gives the solve."""

import time
from functools import partial

import numpy as np
import pytest
from ortools.sat.python import cp_model

from models import Option, Participant, SessionKind
from solver import sessions
from solver.build import add_group_criteria, build_session
from solver.model import Key, SessionModel
from solver.relax import INFINITE, PERTURBED, Relaxed, Reoptimised, relaxation
from solver.rules.fairness import above_level
from solver.sessions import (
    Solved,
    Status,
    built,
    cap_firsts,
    descended,
    evaluated,
    free_sizes,
    relaxed_sizes,
    relaxed_start,
    resized,
    search,
    seats_moved,
    sizes_of,
    solve_base,
)
from solver.watch import Watch
from tests.factories import event


def test_relaxation_is_the_linear_optimum_below_the_integer_one() -> None:
    # Three pairwise exclusive choices worth 2 each: integers take one (−2), the LP takes
    # a half of each (−3).
    model = cp_model.CpModel()
    a, b, c = (model.new_bool_var(name) for name in "abc")
    for left, right in ((a, b), (b, c), (a, c)):
        model.add(left + right <= 1)
    model.minimize(-2 * a - 2 * b - 2 * c)
    relaxed = relaxation(model, 5)
    assert relaxed is not None
    assert relaxed.bound == pytest.approx(-3)
    assert list(relaxed.values) == pytest.approx([0.5, 0.5, 0.5])


def test_clauses_are_rows_and_enforced_constraints_are_left_out() -> None:
    # a ∨ ¬b with b forced to 1 makes a = 1; the enforced row (a = 0 if e) is relaxed away.
    model = cp_model.CpModel()
    a, b, e = (model.new_bool_var(name) for name in "abe")
    model.add_bool_or([a, ~b])
    model.add(b == 1)
    model.add(a == 0).only_enforce_if(e)
    model.add_exactly_one([a, e])
    model.minimize(-a + 5)
    relaxed = relaxation(model, 5)
    assert relaxed is not None
    assert relaxed.bound == pytest.approx(4)
    assert list(relaxed.values) == pytest.approx([1, 1, 0])


def test_no_relaxation_when_it_has_no_optimum() -> None:
    model = cp_model.CpModel()
    a = model.new_bool_var("a")
    model.add(2 * a == 1)
    model.add(a >= 1)
    model.minimize(a)
    assert relaxation(model, 5) is None


def closed(cap: int, fairness: int) -> set[tuple[str, str]]:
    """The (person, option) placements above this worst-off level."""
    people = [Participant(id=f"p{i}", name=f"Person {i}") for i in (1, 2)]
    tiny = event(people, prefs={"p1": ["A", "B"], "p2": ["B"]}, weight_fairness=fairness)
    m = build_session(tiny, tiny.sessions[0])
    return {(person, option) for person, option, _ in above_level(m, cap)}


def test_placements_above_the_worst_off_level_are_left_out() -> None:
    # Rank costs 0, 1 and 10 for an option not ranked: p2 in A costs 10.
    assert closed(cap=1, fairness=1) == {("p2", "A")}
    assert closed(cap=0, fairness=1) == {("p1", "B"), ("p2", "A")}


def test_nothing_is_left_out_when_the_level_does_not_bind() -> None:
    assert closed(cap=10, fairness=1) == set()
    assert closed(cap=0, fairness=0) == set()  # fairness off: no level to keep


def staged(regions: list[str], caps: tuple[int, int]) -> tuple[SessionModel, Solved]:
    """The fixed-size stage of a tiny choice session with diversity on region, costed."""
    people = [
        Participant(id=f"p{i}", name=f"Person {i}", region=region)
        for i, region in enumerate(regions, start=1)
    ]
    firsts = ["A", "A", "A", "A", "B", "B"]
    tiny = event(
        people,
        options=(("A", caps[0]), ("B", caps[1])),
        prefs={f"p{i}": [f, "B" if f == "A" else "A"] for i, f in enumerate(firsts, 1)},
        diversity=("region",),
        no_isolation=(),
        spread=(),
        weight_fairness=1,
    )
    session = tiny.sessions[0]
    base = build_session(tiny, session, groups=False)
    first = solve_base(base, partial(search, Watch()), time.monotonic() + 5)
    m = add_group_criteria(base, sizes_of(base, first.chosen))
    cap_firsts(m, base)
    return m, evaluated(m, first)


def test_the_relaxed_start_replaces_a_costlier_costed_one() -> None:
    # Sizes 3 and 3 with a worst-off level of 1: stage 1 puts a European in B (cost 1),
    # leaving A all European (diversity 8, total 9); the relaxation's start moves two
    # Europeans to B and an African to A: 3, every share met.
    m, costed = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 3))
    assert costed.objective == 9
    relaxed, start = relaxed_start(m, costed, time.monotonic() + 5)
    assert relaxed is not None and relaxed.bound <= 3
    assert start.objective == 3


def test_the_costed_start_stays_when_the_relaxation_does_no_better() -> None:
    # Diversity cannot bind with one region: the costed start is already the optimum.
    m, costed = staged(["Europe"] * 6, (3, 3))
    hint = list(m.model.proto.solution_hint.values)
    _, start = relaxed_start(m, costed, time.monotonic() + 5)
    assert start is costed
    assert list(m.model.proto.solution_hint.values) == hint


def test_relaxed_sizes_round_to_everyone_largest_remainders_first() -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    values = np.zeros(len(m.model.proto.variables))
    for (person, option, _), var in m.x.items():  # A: 2.6 people, B: 3.4
        values[var.index] = {"A": 0.5, "B": 0.5}[option] if person in ("p1", "p2") else 0.0
    for person in ("p3", "p4"):
        values[m.x[(person, "A", 1)].index] = 0.8
        values[m.x[(person, "B", 1)].index] = 0.2
    for person in ("p5", "p6"):
        values[m.x[(person, "B", 1)].index] = 1.0
    assert relaxed_sizes(m, Relaxed(0.0, values)) == {"A": 3, "B": 3}
    values[m.x[("p3", "A", 1)].index], values[m.x[("p3", "B", 1)].index] = 0.2, 0.8
    assert relaxed_sizes(m, Relaxed(0.0, values)) == {"A": 2, "B": 4}


def test_the_sizes_diversity_prefers_replace_the_preference_stage_ones() -> None:
    # A holds 3: stage 1 fills A with 3 Europeans (sizes 3 and 3, cost 1 + 8; 3 at best at
    # those sizes); sizes 2 and 4 (two Europeans in B) cost 2 and meet every share.
    m, costed = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    base = m  # stage 1's model, extended: its levels are the ones to keep
    build = partial(build_session, m.event, m.session, None)
    at_stage_one = resized(build, base, costed, sizes_of(m, costed.chosen), later(5))
    assert (at_stage_one.objective, sizes_of(m, at_stage_one.chosen)) == (2, {"A": 2, "B": 4})
    # from stage 1's sizes, the descent moved a seat (without it: 3 at sizes 3 and 3)
    better = resized(build, base, costed, {"A": 2, "B": 4}, later(5))
    assert (better.objective, sizes_of(m, better.chosen)) == (2, {"A": 2, "B": 4})
    worse = resized(build, base, better, {"A": 3, "B": 3}, later(5))
    assert worse is better  # 3 at best: the cheaper allocation stays


def test_a_fixed_size_start_is_tried_only_with_the_time_it_needs_at_least() -> None:
    m, costed = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    build = partial(build_session, m.event, m.session, None)
    sizes = sizes_of(m, costed.chosen)
    assert resized(build, m, costed, sizes, later(5), least=10) is costed  # binds: not tried
    tried = resized(build, m, costed, sizes, later(5), least=0)
    assert (tried.objective, sizes_of(m, tried.chosen)) == (2, {"A": 2, "B": 4})


def test_a_model_built_slowly_carries_the_machines_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    args = (m.event, m.session)
    assert built(*args).pace == 1.0  # small: its build says nothing of the pace
    assert built(*args, pace=1.5).pace == 1.5  # a later model: the pace its first one showed
    monkeypatch.setattr(sessions, "PACE_CELLS", 0)
    monkeypatch.setattr(sessions, "PACE_SECONDS_PER_CELL", 1e-12)  # as if building were instant
    slow = built(*args)
    assert slow.pace > 1
    assert slow.work(2.0) == pytest.approx(2.0 * len(slow.x) * slow.pace)


def later(seconds: float) -> float:
    """A deadline `seconds` from now."""
    return time.monotonic() + seconds


def test_a_model_resized_in_place_is_the_model_built_at_those_sizes() -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    resized_model = build_session(m.event, m.session, sizes={"A": 3, "B": 3})
    fresh = build_session(m.event, m.session, sizes={"A": 2, "B": 4})
    resized_model.resize({"A": 2, "B": 4})
    assert resized_model.sizes == {"A": 2, "B": 4}
    assert [list(ct.linear.domain) for ct in resized_model.model.proto.constraints] == [
        list(ct.linear.domain) for ct in fresh.model.proto.constraints
    ]


def test_a_split_model_resized_in_place_keeps_the_band_of_those_sizes() -> None:
    # Europe's share is 2 of 3 (band 1–3) and 1.33 of 2 (band 1–2): the ±1 band's rows
    # follow the sizes as the soft rows do
    people = [
        Participant(id=f"p{i}", name=f"Person {i}", region=region)
        for i, region in enumerate(["Europe"] * 4 + ["Africa"] * 2, start=1)
    ]
    split = event(
        people,
        options=(("A", 6), ("B", 6)),
        kind=SessionKind.SPLIT,
        diversity=("region",),
        no_isolation=(),
        spread=(),
    )
    resized_model = build_session(split, split.sessions[0], sizes={"A": 3, "B": 3})
    fresh = build_session(split, split.sessions[0], sizes={"A": 2, "B": 4})
    resized_model.resize({"A": 2, "B": 4})
    assert [list(ct.linear.domain) for ct in resized_model.model.proto.constraints] == [
        list(ct.linear.domain) for ct in fresh.model.proto.constraints
    ]


def test_the_relaxation_solved_again_follows_the_sides_it_is_given() -> None:
    # Sizes 3 and 3 cost 3 at best (the relaxation too: it is integral here), 2 and 4 cost 2.
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    again = Reoptimised(m.model, 5)
    first = relaxation(m.model, 5)
    assert first is not None and again.value({}) == pytest.approx(first.bound)
    assert again.value(m.sides_at({"A": 2, "B": 4})) == pytest.approx(2)
    assert again.value(m.sides_at({"A": 3, "B": 3})) == pytest.approx(first.bound)
    assert again.value(m.sides_at({"A": 6, "B": 0})) is None  # A holds 3: infeasible


def test_the_duals_predict_a_change_of_sides_while_the_basis_holds() -> None:
    # min 2x + 3y with x + y >= 3: x = 3 costs 6, and each seat more of the side costs 2.
    model = cp_model.CpModel()
    x, y = model.new_int_var(0, 10, "x"), model.new_int_var(0, 10, "y")
    row = model.add(x + y >= 3).index
    loose = model.add(x <= 10).index  # never binding: its dual is 0
    model.minimize(2 * x + 3 * y)
    again = Reoptimised(model, 5)
    assert again.value({}) == pytest.approx(6)
    assert again.change({row: (5, INFINITE)}) == pytest.approx(4)
    assert again.change({loose: (-INFINITE, 7)}) == pytest.approx(0)
    assert again.value({row: (5, INFINITE)}) == pytest.approx(6 + 4)


def test_descent_moves_a_seat_when_the_relaxation_costs_less_there() -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    assert m.sizes == {"A": 3, "B": 3}
    sizes, relaxed = descended(m, later(5))
    assert sizes == {"A": 2, "B": 4}
    assert relaxed is not None and relaxed.bound == pytest.approx(2)  # the relaxation there
    m.resize(sizes)
    assert descended(m, later(5))[0] == {"A": 2, "B": 4}  # 1 and 5 cost more: it stays


def test_descent_stops_when_the_moves_it_tries_gain_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    monkeypatch.setattr(sessions, "DESCENT_TRIALS", 0)
    assert descended(m, later(5))[0] == {"A": 3, "B": 3}  # the gaining move is never tried


def test_descent_moves_one_two_or_four_seats_within_capacity() -> None:
    a, b = Option(session="S", id="A", max=4), Option(session="S", id="B", max=4)
    assert seats_moved({"A": 3, "B": 1}, [a, b]) == [
        {"A": 2, "B": 2},  # one seat A → B
        {"A": 4, "B": 0},  # one seat B → A
        {"A": 1, "B": 3},  # two seats A → B (B has one: none back; four fit nowhere)
    ]


def test_descent_keeps_the_sizes_without_time_for_a_round_of_moves() -> None:
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    assert descended(m, time.monotonic()) == ({"A": 3, "B": 3}, None)


def test_perturbed_costs_reach_the_same_optimum() -> None:
    # Sizes 3 and 3 cost 3 at best, the relaxation too; perturbing GLOP's costs changes the
    # path, not the optimum.
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    plain, perturbed = relaxation(m.model, 5), relaxation(m.model, 5, PERTURBED)
    assert plain is not None and perturbed is not None
    assert perturbed.bound == pytest.approx(plain.bound) == pytest.approx(3)


def test_a_start_that_costs_the_relaxations_bound_is_not_searched() -> None:
    # At sizes 2 and 4 the allocation costs 2, and so does the free-size relaxation: proven.
    m, _ = staged(["Europe"] * 4 + ["Africa"] * 2, (3, 4))
    base = build_session(m.event, m.session, groups=False)
    first = solve_base(base, partial(search, Watch()), later(5))
    searched: list[float] = []

    def run(
        model: SessionModel, seconds: float, hint: dict[Key, bool] | None = None
    ) -> tuple[cp_model.CpSolver, Status]:
        searched.append(seconds)
        return search(Watch(), model, seconds, hint)

    build = partial(build_session, m.event, m.session, None)
    found = free_sizes(build, run, base, first, later(5))
    assert (found.status, found.objective, found.bound, searched) == (cp_model.OPTIMAL, 2, 2, [])


def test_stopping_the_watch_interrupts_a_relaxation() -> None:
    # GLOP's solve registers its interruption with the watch while it runs (2023's COOP:
    # seconds of it); Ctrl-C calls it, and nothing once the solve is over.
    calls: list[str] = []
    watch = Watch()
    with watch.stoppable(lambda: calls.append("interrupted")):
        watch.stop()
    watch.stop()
    assert calls == ["interrupted"]
    model = cp_model.CpModel()
    x = model.new_bool_var("x")
    model.minimize(x)
    assert relaxation(model, 10, watch=Watch()) is not None
    with pytest.raises(KeyboardInterrupt):
        relaxation(model, 10, watch=watch)  # stopped already: not started
