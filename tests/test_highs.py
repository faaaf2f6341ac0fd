"""The HiGHS yardstick: the same model, scored by our checker, agrees with CP-SAT's optimum."""

from models import Event, Participant, SessionKind
from scripts.highs import solve_with_highs
from solver.check import check_allocation
from tests.factories import Solve, event

EUROPE, AFRICA = "Europe", "Africa"


def choice(regions: list[str], caps: tuple[int, int], fairness: int = 1) -> Event:
    """p1…p4 rank A then B, p5 and p6 rank B then A; diversity on region only."""
    people = [
        Participant(id=f"p{i}", name=f"Person {i}", region=region)
        for i, region in enumerate(regions, start=1)
    ]
    firsts = ["A", "A", "A", "A", "B", "B"]
    return event(
        people,
        options=(("A", caps[0]), ("B", caps[1])),
        prefs={f"p{i}": [first, "B" if first == "A" else "A"] for i, first in enumerate(firsts, 1)},
        diversity=("region",),
        no_isolation=(),
        spread=(),
        weight_fairness=fairness,
    )


def test_highs_equals_cp_sat_where_diversity_binds(solve: Solve) -> None:
    # Sizes 3 and 3, fair shares 2 Europe and 1 Africa each. The cheapest placement (one
    # European in B, cost 1) leaves A all European: four people off their share cost 8.
    # Two Europeans in B and an African in A cost 3 and meet every share.
    tiny = choice([EUROPE] * 4 + [AFRICA] * 2, (3, 3))
    allocation, stats = solve_with_highs(tiny, time_limit=5)
    report = check_allocation(tiny, allocation)
    assert report.ok, [result.message for result in report.broken]
    assert stats.status == "optimal"
    assert (report.worst_off, report.objective, stats.bound) == (1, 3, 3)
    _, ours = solve(tiny)
    assert report.objective == ours.objective


def test_fairness_comes_first() -> None:
    # Capacity 4 each: everyone can have their first choice (worst-off 0), which leaves
    # the four Europeans alone in A (diversity 8); without fairness, two Europeans in B
    # cost 2 and diversity nothing.
    for fairness, expected in ((1, 8), (0, 2)):
        tiny = choice([EUROPE] * 4 + [AFRICA] * 2, (4, 4), fairness)
        allocation, stats = solve_with_highs(tiny, time_limit=5)
        report = check_allocation(tiny, allocation)
        assert (report.ok, report.objective, stats.objective) == (True, expected, expected)


def test_cp_sat_finds_sizes_that_diversity_prefers(solve: Solve) -> None:
    # A holds 3: one European in B at least (worst-off 1). Sizes 2 and 4 (two Europeans
    # in B, cost 2) meet every fair share; sizes 3 and 3 cost 1 + 8 or 3.
    tiny = choice([EUROPE] * 4 + [AFRICA] * 2, (3, 4))
    allocation, _ = solve_with_highs(tiny, time_limit=5)
    report = check_allocation(tiny, allocation)
    assert (report.ok, report.objective) == (True, 2)
    solved, ours = solve(tiny)
    assert ours.objective == 2
    assert (solved.stats.status, solved.stats.bound) == ("optimal", 2)  # free sizes, proven


def test_highs_bounds_nothing_for_rounds_taken_one_after_another() -> None:
    # Everyone wishes A first (two seats): a round costs 2 at least, and HiGHS proves it for
    # one round; two rounds solved one after another prove nothing about the session. The
    # tables have no hosts, so round 2 may mix people at the same tables (cost 2, nobody
    # meets again; a visit to each table at most once would force 2 + 2 pairs × 10).
    prefs = {f"p{i}": ["A", "B"] for i in range(1, 5)}
    for rounds, bound in ((1, 2), (2, 0)):
        tiny = event(4, kind=SessionKind.ROUNDTABLE, rounds=rounds, prefs=prefs)
        allocation, stats = solve_with_highs(tiny, time_limit=5)
        assert check_allocation(tiny, allocation).ok
        assert (stats.objective, stats.bound) == (2 * rounds, bound)


def split_by_region(band: bool) -> Event:
    """Three Europeans rank A first, three Africans B; a split session of two groups of 3."""
    people = [
        Participant(id=f"p{i}", name=f"Person {i}", region=EUROPE if i <= 3 else AFRICA)
        for i in range(1, 7)
    ]
    return event(
        people,
        options=(("A", 3), ("B", 3)),
        kind=SessionKind.SPLIT,
        prefs={f"p{i}": ["A", "B"] if i <= 3 else ["B", "A"] for i in range(1, 7)},
        rank_costs=(0, 5),
        diversity=("region",) if band else (),
        no_isolation=(),
        spread=(),
        weight_fairness=1,
    )


def test_highs_keeps_the_split_groups_band_as_cp_sat_does(solve: Solve) -> None:
    # Fair share 1.5 of each region per group: the band is 1–2, so one European sits in B
    # and one African in A (cost 10, worst-off 5), where everyone's first choice (worst-off
    # 0) would leave the groups unmixed at a diversity cost of only 8.
    tiny = split_by_region(band=True)
    allocation, stats = solve_with_highs(tiny, time_limit=5)
    report = check_allocation(tiny, allocation)
    _, ours = solve(tiny)
    assert (report.worst_off, report.objective, stats.status) == (5, 10, "optimal")
    assert (ours.worst_off, ours.objective) == (5, 10)
    # Without diversity there is no band: everyone gets their first choice.
    plain = split_by_region(band=False)
    allocation, _ = solve_with_highs(plain, time_limit=5)
    assert check_allocation(plain, allocation).objective == 0
