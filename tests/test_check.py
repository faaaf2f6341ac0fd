"""The independent checker on hand-made allocations: exact messages for every broken rule."""

import pytest

from models import (
    Allocation,
    Assignment,
    Event,
    Option,
    Participant,
    Preference,
    Session,
    SessionKind,
    Strength,
)
from solver.check import check_allocation, released_pins
from solver.checker import Checker
from solver.previous import pin_problems, read_published
from tests.factories import event, people, rule, with_hosts


def allocation(*placements: tuple[str, str] | tuple[str, str, int]) -> Allocation:
    """(person, option[, round]) placements in session S1."""
    return Allocation(
        assignments=[
            Assignment(participant=p[0], session="S1", option=p[1], round=p[2] if len(p) > 2 else 1)
            for p in placements
        ]
    )


def broken(e: Event, a: Allocation) -> list[str]:
    """The messages of every broken hard rule."""
    return [result.message for result in check_allocation(e, a).broken]


def test_a_valid_allocation_breaks_nothing() -> None:
    assert broken(event(4), allocation(("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B"))) == []


def test_over_capacity_names_the_room() -> None:
    e = event(3, options=[("A", 2), ("B", 2)])
    e.options[0] = Option(session="S1", id="A", max=2, room="Oak")
    a = allocation(("p1", "A"), ("p2", "A"), ("p3", "A"))
    assert broken(e, a) == ["Oak (A) in S1: 3 people, capacity 2"]


def test_under_minimum() -> None:
    e = event(3, options=[("A", 3), ("B", 3)])
    e.options[0] = Option(session="S1", id="A", max=3, min=2)
    assert broken(e, allocation(("p1", "A"), ("p2", "B"), ("p3", "B"))) == [
        "A in S1: 1 person, minimum 2"
    ]


def test_missing_double_and_absent_people() -> None:
    crowd = [*people(2), Participant(id="p3", name="Away", days=("d9",))]
    a = allocation(("p1", "A"), ("p1", "B"), ("p3", "A"))
    assert broken(event(crowd), a) == [
        "Person 1 (p1) is in A, B at once",
        "Person 2 (p2) has no option",
        "Away (p3) does not take part but is placed",
    ]


def test_unknown_option_and_person() -> None:
    a = allocation(("p1", "Z"), ("p2", "A"), ("ghost", "A"))
    assert broken(event(2), a) == [
        '"ghost" is not a participant of the event',
        '"Z" is not an option of S1',
    ]


def test_someone_placed_who_does_not_take_part_is_named_per_round() -> None:
    crowd = [*people(2), Participant(id="p3", name="Away", days=("d9",))]
    e = event(crowd, kind=SessionKind.ROUNDTABLE, rounds=2)
    seats = [(p, o, r) for r in (1, 2) for p, o in (("p1", "A"), ("p2", "B"), ("p3", "A"))]
    a = allocation(*seats, ("ghost", "B", 1))
    assert broken(e, a) == [
        '"ghost" is not a participant of the event in round 1',
        "Away (p3) does not take part but is placed in round 1",
        "Away (p3) does not take part but is placed in round 2",
    ]


def published(*rows: tuple[str, str, bool, str]) -> list[Assignment]:
    """(person, option, pinned, room written beside it) rows of a published allocation in S1."""
    return [
        Assignment(participant=p, session="S1", option=o, pinned=pinned, room=room)
        for p, o, pinned, room in rows
    ]


def test_a_pinned_placement_moved_breaks_the_pin() -> None:
    e = event(4)
    e.options[0] = Option(session="S1", id="A", max=2, room="Oak")
    before = published(("p1", "A", True, "Oak"), ("p2", "B", False, "Oak"), ("p3", "A", False, ""))
    now = allocation(("p1", "B"), ("p2", "A"), ("p3", "B"), ("p4", "A"))
    report = check_allocation(e, now, previous=before)
    # p1's row says pinned; p2's option was edited by hand (B's room is not Oak): both pinned
    assert [r.message for r in report.broken] == [
        "Person 1 (p1) is pinned to A but is in B",
        "Person 2 (p2) is pinned to B but is in A",
    ]
    # --override-pins lets only pins that break a hard rule move: these two break none
    released = check_allocation(e, now, previous=before, pins_released=True)
    assert [r.message for r in released.broken] == [r.message for r in report.broken]


def test_override_pins_lets_a_pin_that_breaks_a_hard_rule_move() -> None:
    e = event(4)
    e.options[0] = Option(session="S1", id="A", max=2, room="Oak")
    e.rules = [rule("forbid", "p1", option="A")]
    before = published(("p1", "A", True, "Oak"), ("p2", "B", True, ""))
    now = allocation(("p1", "B"), ("p2", "A"), ("p3", "B"), ("p4", "A"))
    assert [r.message for r in check_allocation(e, now, previous=before).broken] == [
        "Person 1 (p1) is pinned to A but is in B",
        "Person 2 (p2) is pinned to B but is in A",
    ]
    report = check_allocation(e, now, previous=before, pins_released=True)
    assert [r.message for r in report.broken] == ["Person 2 (p2) is pinned to B but is in A"]


def test_the_checker_releases_the_pins_the_solver_releases() -> None:
    # The checker decides which pins `--override-pins` lets move by its own tests: one pin
    # per hard rule a pin can break, and one that breaks none (p9).
    e = event(
        [*people(9), Participant(id="p10", name="Needs", needs=("step-free",))],
        options=(("A", 2), ("B", 9), ("C", 0), ("D", 9)),
        rules=[rule("forbid", "p1", option="A"), rule("assign", "p2", option="D")],
    )
    e = with_hosts(e, {"D": "p3"})
    e.preferences = [Preference(participant="p4", session="S1", option="B", rank=None)]
    before = published(
        ("p1", "A", True, ""),  # forbidden
        ("p2", "B", True, ""),  # assigned elsewhere
        ("p3", "B", True, ""),  # hosts D
        ("p4", "B", True, ""),  # said no to B
        ("p5", "C", True, ""),  # C is closed
        ("p10", "B", True, ""),  # B lacks step-free
        ("p6", "A", True, ""),  # A holds 2, three pinned there
        ("p7", "A", True, ""),
        ("p9", "D", True, ""),  # breaks nothing
    )
    solver_says = set(pin_problems(e, read_published(e, before)))
    checker_says = released_pins(Checker(e, Allocation()), before)
    assert checker_says == solver_says
    assert {key[0] for key in checker_says} == {"p1", "p2", "p3", "p4", "p5", "p10", "p6", "p7"}


@pytest.mark.parametrize(("second", "released"), [("A", {"p2"}), ("D", set())])
def test_hard_assigns_to_two_options_leave_none_to_use(second: str, released: set[str]) -> None:
    # Binds: p2 assigned to D and to A can use neither, so a pin at D breaks a hard rule (as
    # the solver says); two rules assigning p2 to D leave D
    e = event(
        4,
        options=(("A", 4), ("D", 4)),
        rules=[rule("assign", "p2", option="D"), rule("assign", "p2", option=second)],
    )
    before = published(("p2", "D", True, ""))
    checker_says = released_pins(Checker(e, Allocation()), before)
    assert checker_says == set(pin_problems(e, read_published(e, before)))
    assert {key[0] for key in checker_says} == released


def test_pins_kept_break_nothing_and_no_pins_add_no_row() -> None:
    e = event(4)
    kept = allocation(("p1", "A"), ("p2", "B"), ("p3", "A"), ("p4", "B"))
    report = check_allocation(
        e, kept, previous=published(("p1", "A", True, ""), ("p2", "B", True, ""))
    )
    assert report.ok
    assert [(r.rule, r.held, r.message) for r in report.results if r.rule == "pinned"] == [
        ("pinned", True, "every pinned placement kept")
    ]
    unpinned = check_allocation(e, kept, previous=published(("p1", "B", False, "")))
    assert unpinned.ok
    assert [r for r in unpinned.results if r.rule == "pinned"] == []


def test_host_away_from_their_table() -> None:
    e = event(2)
    e.options[0] = Option(session="S1", id="A", max=2, hosts=("p1",))
    assert broken(e, allocation(("p1", "B"), ("p2", "A"))) == ["Person 1 (p1) hosts A but is in B"]


def test_need_not_met_and_veto_broken() -> None:
    crowd = [Participant(id="p1", name="Ana", needs=("step-free",)), people(2)[1]]
    e = event(crowd)
    e.preferences.append(Preference(participant="p2", session="S1", option="A", rank=None))
    assert broken(e, allocation(("p1", "A"), ("p2", "A"))) == [
        "Ana (p1) needs step-free; A does not offer it",
        "Person 2 (p2) said no to A but is placed there",
    ]


def roundtable_of_two(crowd: list[Participant]) -> Event:
    """A roundtable of two rounds at tables A and B (3 places each), p1 hosting A."""
    e = event(crowd, options=[("A", 3), ("B", 3)], kind=SessionKind.ROUNDTABLE, rounds=2)
    return with_hosts(e, {"A": "p1"})


def test_a_host_away_from_their_table_in_a_later_round() -> None:
    e = roundtable_of_two(people(2))
    a = allocation(("p1", "A", 1), ("p1", "B", 2), ("p2", "B", 1), ("p2", "A", 2))
    assert broken(e, a) == ["Person 1 (p1) hosts A but is in B in round 2"]


def test_every_need_and_every_round_is_checked() -> None:
    crowd = [Participant(id="p1", name="Ana", needs=("step-free", "loop")), *people(3)[1:]]
    e = event(crowd)
    e.options[0] = Option(session="S1", id="A", max=2, features=("step-free",))
    a = allocation(("p1", "A"), ("p2", "A"), ("p3", "B"))
    assert broken(e, a) == ["Ana (p1) needs loop; A does not offer it"]
    e = roundtable_of_two(people(3))
    e.preferences.append(Preference(participant="p2", session="S1", option="A", rank=None))
    a = allocation(
        ("p1", "A", 1), ("p2", "B", 1), ("p3", "A", 1),
        ("p1", "A", 2), ("p2", "A", 2), ("p3", "B", 2),
    )  # fmt: skip
    assert broken(e, a) == ["Person 2 (p2) said no to A but is placed there in round 2"]


def test_same_host_s_table_twice() -> None:
    e = event(3, options=[("A", 3), ("B", 3)], kind=SessionKind.ROUNDTABLE, rounds=2)
    e = with_hosts(e, {"A": "p3"})
    a = allocation(
        ("p1", "A", 1),
        ("p1", "A", 2),
        ("p2", "B", 1),
        ("p2", "B", 2),
        ("p3", "A", 1),
        ("p3", "A", 2),
    )
    assert broken(e, a) == ["Person 1 (p1) sits at A 2 times"]


def test_hard_rules_broken() -> None:
    rules = [
        rule("together", "p1", "p2"),
        rule("apart", "p3", "p4"),
        rule("assign", "p1", option="B"),
        rule("forbid", "p3", option="A"),
    ]
    e = event(4, options=[("A", 4), ("B", 4)], rules=rules)
    a = allocation(("p1", "A"), ("p2", "B"), ("p3", "A"), ("p4", "A"))
    assert broken(e, a) == [
        "Person 1 (p1), Person 2 (p2) should be together but are in A, B",
        "Person 3 (p3), Person 4 (p4) should be apart but share A",
        "Person 1 (p1) should be in B but is in A",
        "Person 3 (p3) should not be in A",
    ]


def test_a_broken_hard_rule_names_its_people_and_leaves_out_those_away() -> None:
    e = event(2, options=[("A", 2), ("B", 2)], rules=[rule("together", "p1", "p2")])
    (result,) = check_allocation(e, allocation(("p1", "A"), ("p2", "B"))).broken
    assert result.people == ["p1", "p2"]
    crowd = [*people(2), Participant(id="p3", name="Away", days=("d9",))]
    e = event(crowd, options=[("A", 3), ("B", 3)], rules=[rule("assign", "p1", "p3", option="A")])
    assert broken(e, allocation(("p1", "A"), ("p2", "B"))) == []


@pytest.mark.parametrize(
    ("kind", "weight", "options", "penalty"),
    [
        ("together", 1, ["A", "B", "C"], 2),  # in three options: two too many
        ("together", 1, ["A", "A", "A"], 0),
        ("forbid", 3, ["A", "A", "B"], 6),  # two of them where they may not be
        ("forbid", 3, ["B", "B", "B"], 0),
    ],
)
def test_a_soft_rule_costs_its_weight_for_each_time_it_is_broken(
    kind: str, weight: int, options: list[str], penalty: int
) -> None:
    option = "A" if kind == "forbid" else ""
    soft = rule(kind, "p1", "p2", "p3", option=option, soft=True, weight=weight)
    e = event(3, options=[("A", 3), ("B", 3), ("C", 3)], rules=[soft])
    a = allocation(*zip(["p1", "p2", "p3"], options, strict=True))
    assert check_allocation(e, a).soft_penalty == penalty


def test_soft_rules_cost_their_weight() -> None:
    rules = [rule("apart", "p1", "p2", "p3", soft=True, weight=4)]
    report = check_allocation(
        event(3, options=[("A", 3)]), allocation(("p1", "A"), ("p2", "A"), ("p3", "A"))
    )
    assert report.ok
    assert report.soft_penalty == 0
    report = check_allocation(
        event(3, options=[("A", 3)], rules=rules), allocation(("p1", "A"), ("p2", "A"), ("p3", "A"))
    )
    assert (report.ok, report.soft_penalty, report.objective) == (True, 8, 8)


def test_every_allocation_the_tests_solve_is_checked() -> None:
    from scripts import cli
    from solver.solve import solve_event
    from tests.conftest import checked_solve_event

    assert solve_event is checked_solve_event
    assert cli.solve_event is checked_solve_event


def test_an_unbalanced_split_is_reported_without_breaking_a_hard_rule() -> None:
    # The solve keeps groups balanced while the rules allow; a hand-made 3 / 1 split is
    # reported (a hard rule may have forced it), and breaks nothing.
    e = event(4, kind=SessionKind.SPLIT, options=(("A", 4), ("B", 4)))
    uneven = check_allocation(e, allocation(("p1", "A"), ("p2", "A"), ("p3", "A"), ("p4", "B")))
    assert uneven.ok
    assert [(r.rule, r.held, r.message) for r in uneven.results if r.rule == "balance"] == [
        ("balance", False, "A holds 3 but B only 1")
    ]
    even = check_allocation(e, allocation(("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B")))
    assert [(r.held, r.message) for r in even.results if r.rule == "balance"] == [
        (True, "options differ in size by at most one")
    ]


def test_a_full_option_beside_a_larger_one_is_balanced() -> None:
    e = event(4, kind=SessionKind.SPLIT, options=(("A", 1), ("B", 4)))
    report = check_allocation(e, allocation(("p1", "A"), ("p2", "B"), ("p3", "B"), ("p4", "B")))
    assert [(r.held, r.message) for r in report.results if r.rule == "balance"] == [
        (True, "options differ in size by at most one")
    ]


def test_a_later_day_s_dissatisfaction_counts_the_days_before() -> None:
    e = event(2, options=[("A", 2), ("B", 2)], prefs={"p1": ["B", "A"], "p2": ["A", "B"]})
    e.sessions.append(Session(id="S2", day="d2", kind=SessionKind.CHOICE))
    e.options.extend(Option(session="S2", id=o, max=2) for o in ("A", "B"))
    e.preferences.extend(
        Preference(participant=p, session="S2", option=o, rank=r)
        for p, o, r in (("p1", "B", 1), ("p1", "A", 2), ("p2", "A", 1))
    )
    a = Allocation(
        assignments=[
            Assignment(participant=p, session=s, option=o)
            for s in ("S1", "S2")
            for p, o in (("p1", "A"), ("p2", "A"))
        ]
    )
    report = check_allocation(e, a, sessions={"S2"})
    cost = e.settings.rank_costs[1]  # a 2nd choice on each day
    assert (report.dissatisfaction["p1"], report.worst_off) == (2 * cost, 2 * cost)
    assert report.preference_cost == cost  # the day solved alone


def test_colleagues_within_their_fair_share_cost_nothing() -> None:
    crowd = [
        Participant(id=f"p{i}", name=f"P{i}", organisation="X" if i <= 3 else f"Y{i}")
        for i in range(1, 7)
    ]
    e = event(crowd, options=[("A", 3), ("B", 3)], weight_spread=5)
    two = allocation(("p1", "A"), ("p2", "A"), ("p4", "A"), ("p3", "B"), ("p5", "B"), ("p6", "B"))
    assert check_allocation(e, two).soft_penalty == 0  # 3 of X over 2 options: up to 2 each
    three = allocation(("p1", "A"), ("p2", "A"), ("p3", "A"), ("p4", "B"), ("p5", "B"), ("p6", "B"))
    assert check_allocation(e, three).soft_penalty == 5


def test_diversity_costs_each_person_above_and_below_a_fair_share() -> None:
    crowd = [
        Participant(id=f"p{i}", name=f"P{i}", region="S" if i <= 4 else "N") for i in range(1, 9)
    ]
    e = event(crowd, kind=SessionKind.SPLIT, options=(("A", 4), ("B", 4)), diversity=("region",))
    apart = allocation(*((f"p{i}", "A" if i <= 4 else "B") for i in range(1, 9)))
    report = check_allocation(e, apart)
    assert [(r.penalty, r.message) for r in report.results if r.rule == "diversity"] == [
        (8, "A: region S 4 (fair 2); N 0 (fair 2)"),
        (8, "B: region S 0 (fair 2); N 4 (fair 2)"),
    ]
    mixed = allocation(*((f"p{i}", "A" if i % 2 else "B") for i in range(1, 9)))
    assert [r.penalty for r in check_allocation(e, mixed).results if r.rule == "diversity"] == [0]


def regions(*values: str) -> list[Participant]:
    """People p1… from these regions ("" for none)."""
    return [Participant(id=f"p{i}", name=f"P{i}", region=v) for i, v in enumerate(values, 1)]


def test_a_diversity_column_with_one_value_costs_nothing() -> None:
    # Only p1 and p2 have a region: one value is nothing to mix (as in the model)
    e = event(regions("S", "S", "", ""), diversity=("region",))
    report = check_allocation(e, allocation(("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B")))
    assert [(r.held, r.penalty) for r in report.results if r.rule == "diversity"] == [(True, 0)]


def test_an_option_short_of_every_value_is_as_far_off_as_it_is_short() -> None:
    # A holds only the two without a region: S and N each 0 against a share of 0.5
    e = event(regions("S", "N", "", ""), diversity=("region",))
    report = check_allocation(e, allocation(("p3", "A"), ("p4", "A"), ("p1", "B"), ("p2", "B")))
    assert [g.deviation["region"] for g in report.groups] == [0.5, 0.5]


def test_diversity_names_everyone_off_a_share_that_is_a_range() -> None:
    # 3 of S and 2 of N over options of 3 and 2: S's share of A is 1.8 (1–2), N's 1.2 (1–2)
    e = event(regions("S", "S", "S", "N", "N"), options=(("A", 3), ("B", 2)), diversity=("region",))
    a = allocation(("p1", "A"), ("p2", "A"), ("p3", "A"), ("p4", "B"), ("p5", "B"))
    report = check_allocation(e, a)
    rows = [(r.penalty, r.message, r.people) for r in report.results]
    assert [row for row in rows if row[1].startswith(("A:", "B:"))] == [
        (4, "A: region S 3 (fair 1–2); N 0 (fair 1–2)", ["p1", "p2", "p3"]),
        (4, "B: region S 0 (fair 1–2); N 2 (fair 0–1)", ["p4", "p5"]),
    ]
    assert [(g.size, g.deviation["region"]) for g in report.groups] == [(3, 1.2), (2, 1.2)]


def test_a_value_held_by_one_person_still_has_its_share() -> None:
    # N and E are one person's each: S's share of each option is 1, and N's and E's 0–1
    e = event(regions("S", "S", "N", "E"), diversity=("region",))
    report = check_allocation(e, allocation(("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B")))
    assert [(r.penalty, r.message) for r in report.results if r.rule == "diversity"] == [
        (2, "A: region S 2 (fair 1)"),
        (2, "B: region S 0 (fair 1)"),
    ]


def test_hard_isolation_is_broken_and_names_each_person_alone() -> None:
    crowd = [Participant(id=f"p{i}", name=f"P{i}", group=g) for i, g in enumerate("yxxy", 1)]
    e = event(crowd, diversity=(), no_isolation_strength=Strength.HARD)
    a = allocation(("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B"))
    assert [(r.message, r.people) for r in check_allocation(e, a).broken] == [
        ("P1 (p1) is the only y in A", ["p1"]),
        ("P2 (p2) is the only x in A", ["p2"]),
        ("P4 (p4) is the only y in B", ["p4"]),  # values in the order the session meets them
        ("P3 (p3) is the only x in B", ["p3"]),
    ]
    unweighed = event(crowd, diversity=(), weight_isolation=0)
    assert [
        (r.held, r.message) for r in check_allocation(unweighed, a).results if r.rule == "isolation"
    ] == [(True, "nobody isolated")]


def test_colleagues_cost_each_one_beyond_their_fair_share() -> None:
    # 5 of X among 12 people over three options of 4: at most 2 of X in each
    crowd = [
        Participant(id=f"p{i}", name=f"P{i}", organisation="X" if i in (1, 2, 3, 4, 12) else "")
        for i in range(1, 13)
    ]
    e = event(crowd, options=[("A", 4), ("B", 4), ("C", 4)], weight_spread=5)
    four = allocation(*((f"p{i}", "ABC"[(i - 1) // 4]) for i in range(1, 13)))
    assert [
        (r.penalty, r.message, r.people)
        for r in check_allocation(e, four).results
        if r.rule == "spread"
    ] == [(10, "4 of X in A, fair share at most 2", ["p1", "p2", "p3", "p4"])]
    dealt = allocation(*((f"p{i}", "ABC"[(i - 1) % 3]) for i in range(1, 13)))  # 2, 1, 2
    assert [
        (r.held, r.penalty, r.message)
        for r in check_allocation(e, dealt).results
        if r.rule == "spread"
    ] == [(True, 0, "colleagues spread over the options")]


def test_every_round_of_a_roundtable_is_checked_for_each_group_rule() -> None:
    # The same tables in both rounds: p1 and p2 of region S and organisation O at A, p1 the
    # only x there and p3 the only x at B
    crowd = [
        Participant(id="p1", name="P1", region="S", group="x", organisation="O"),
        Participant(id="p2", name="P2", region="S", organisation="O"),
        Participant(id="p3", name="P3", region="N", group="x"),
        Participant(id="p4", name="P4", region="N"),
    ]
    e = event(crowd, options=[("A", 4), ("B", 4)], kind=SessionKind.ROUNDTABLE, rounds=2)
    e.settings.diversity = ("region",)
    same = allocation(*((f"p{i}", "AABB"[i - 1], r) for r in (1, 2) for i in range(1, 5)))
    assert [
        (r.rule, r.penalty, r.message) for r in check_allocation(e, same).results if not r.held
    ] == [
        ("diversity", 4, "A in round 1: region S 2 (fair 1); N 0 (fair 1)"),
        ("diversity", 4, "B in round 1: region S 0 (fair 1); N 2 (fair 1)"),
        ("diversity", 4, "A in round 2: region S 2 (fair 1); N 0 (fair 1)"),
        ("diversity", 4, "B in round 2: region S 0 (fair 1); N 2 (fair 1)"),
        ("isolation", 5, "P1 (p1) is the only x in A in round 1"),
        ("isolation", 5, "P3 (p3) is the only x in B in round 1"),
        ("isolation", 5, "P1 (p1) is the only x in A in round 2"),
        ("isolation", 5, "P3 (p3) is the only x in B in round 2"),
        ("spread", 1, "2 of O in A in round 1, fair share at most 1"),
        ("spread", 1, "2 of O in A in round 2, fair share at most 1"),
        ("mixing", 10, "1 pair in A in round 2 met before (cost 10)"),
        ("mixing", 10, "1 pair in B in round 2 met before (cost 10)"),
    ]
    assert [(g.round, g.option, g.isolated) for g in check_allocation(e, same).groups] == [
        (1, "A", ["p1"]),
        (1, "B", ["p3"]),
        (2, "A", ["p1"]),
        (2, "B", ["p3"]),
    ]
    uneven = allocation(
        *((f"p{i}", ("AABB", "AAAB")[r - 1][i - 1], r) for r in (1, 2) for i in range(1, 5))
    )
    assert [r.message for r in check_allocation(e, uneven).results if r.rule == "balance"] == [
        "A holds 3 but B only 1 in round 2"
    ]


@pytest.mark.parametrize(
    ("kind", "balance_splits"), [(SessionKind.CHOICE, True), (SessionKind.SPLIT, False)]
)
def test_sizes_are_not_checked_for_balance_in_a_choice_session_or_with_balance_off(
    kind: SessionKind, balance_splits: bool
) -> None:
    e = event(4, options=(("A", 4), ("B", 4)), kind=kind, balance_splits=balance_splits)
    report = check_allocation(e, allocation(("p1", "A"), ("p2", "A"), ("p3", "A"), ("p4", "B")))
    assert [r for r in report.results if r.rule == "balance"] == []
