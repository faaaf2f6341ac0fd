"""Roundtable rotation (the social golfer problem): exact results on tiny and classic instances."""

import pytest

from solver.rotation import (
    Rotation,
    count_repeats,
    design,
    field,
    lower_bound,
    pair_counts,
    rotate,
    total_cost,
)


def assert_partitions(result: Rotation, groups: int, size: int, rounds: int) -> None:
    """Every round seats everyone exactly once, at `groups` tables of `size`."""
    assert len(result.rounds) == rounds
    for round_ in result.rounds:
        assert len(round_) == groups
        assert all(len(table) == size for table in round_)
        assert sorted(p for table in round_ for p in table) == list(range(groups * size))


def test_two_tables_two_rounds_four_people_repeat_nobody() -> None:
    result = rotate(2, 2, 2)
    assert_partitions(result, 2, 2, 2)
    assert (result.repeats, result.bound, result.bound_met) == (0, 0, True)


def test_kirkman_schoolgirls_walk_seven_days_without_meeting_twice() -> None:
    result = rotate(5, 3, 7, time_limit=10)
    assert_partitions(result, 5, 3, 7)
    assert result.repeats == 0
    assert max(pair_counts(result.rounds).values()) == 1
    assert len(pair_counts(result.rounds)) == 105  # every pair of the 15 met exactly once


@pytest.mark.parametrize(
    ("groups", "size", "rounds", "bound"),
    [
        (2, 2, 4, 2),  # 4 rounds × 2 pairs, 6 pairs
        (5, 3, 8, 15),  # one round beyond Kirkman: all its 15 pairs met already
        (4, 4, 6, 24),  # one round beyond the affine plane of order 4
        (8, 4, 10, 0),  # 480 meetings, 496 pairs
        (8, 4, 11, 32),  # 528 meetings, 496 pairs
        (1, 4, 3, 12),  # one table: its 6 pairs meet 3 times each
        (2, 4, 2, 4),  # pigeonhole: a table of 4 splits 2 + 2 over 2 tables, twice
        (3, 4, 3, 6),  # pigeonhole: 3 tables × one pair (4 = 2 + 1 + 1) × 2 later rounds
    ],
)
def test_counting_bound(groups: int, size: int, rounds: int, bound: int) -> None:
    assert lower_bound(groups, size, rounds) == bound


def test_bound_counts_hosts_who_never_meet() -> None:
    hosts = {0: 0, 1: 1, 2: 2, 3: 3}
    assert lower_bound(4, 4, 5, hosts) == 6  # 120 meetings, 120 − 6 pairs of non-hosts
    assert lower_bound(3, 3, 2, {0: 0, 1: 0}) == 1  # two hosts at one table meet twice


def test_search_stops_as_soon_as_the_bound_is_met() -> None:
    result = rotate(2, 2, 4, time_limit=30)
    assert (result.repeats, result.bound, result.bound_met) == (2, 2, True)
    assert result.seconds < 1
    beyond_kirkman = rotate(5, 3, 8, time_limit=30)
    assert_partitions(beyond_kirkman, 5, 3, 8)
    assert (beyond_kirkman.repeats, beyond_kirkman.bound_met) == (15, True)
    assert beyond_kirkman.seconds < 5


def test_no_perfect_search_when_tables_are_fewer_than_seats() -> None:
    result = rotate(2, 4, 2, time_limit=30)
    assert (result.repeats, result.bound, result.bound_met) == (4, 4, True)
    assert result.seconds < 1


@pytest.mark.parametrize(("groups", "size", "rounds"), [(4, 4, 4), (6, 3, 4), (5, 3, 3)])
def test_hosts_keep_their_table_every_round(groups: int, size: int, rounds: int) -> None:
    hosts = {person: table for table, person in enumerate(range(0, 2 * groups, 2))}
    result = rotate(groups, size, rounds, fixed=hosts, time_limit=10)
    assert_partitions(result, groups, size, rounds)
    for round_ in result.rounds:
        for host, table in hosts.items():
            assert host in round_[table]
    assert result.repeats == 0  # everyone else visits distinct hosts and meets new people


def test_pairs_who_met_before_are_kept_apart() -> None:
    met = {(0, 1): 5, (2, 3): 5}
    result = rotate(2, 2, 1, met=met)
    assert result.cost == total_cost(result.rounds, met) == 0
    assert [0, 1] not in result.rounds[0] and [2, 3] not in result.rounds[0]


def test_same_seed_same_schedule() -> None:
    first = rotate(4, 3, 5, seed=7, max_iterations=300)
    again = rotate(4, 3, 5, seed=7, max_iterations=300)
    assert first.rounds == again.rounds
    assert first.iterations == again.iterations == 300
    assert_partitions(first, 4, 3, 5)
    assert first.repeats == count_repeats(first.rounds) >= 1  # 4 tables of 3: 4 rounds at most


@pytest.mark.parametrize(
    ("groups", "size", "rounds"),
    [(3, 3, 4), (4, 4, 5), (5, 5, 6), (8, 4, 9), (4, 2, 7), (6, 2, 11), (9, 3, 13)],
)
def test_designs_are_perfect(groups: int, size: int, rounds: int) -> None:
    schedule = design(groups, size)
    assert len(schedule) == rounds
    assert count_repeats(schedule) == 0
    result = rotate(groups, size, rounds)
    assert_partitions(result, groups, size, rounds)
    assert (result.repeats, result.method, result.seconds < 1) == (0, "design", True)


@pytest.mark.parametrize("q", [2, 3, 4, 5, 8, 9])
def test_finite_fields_have_inverses(q: int) -> None:
    tables = field(q)
    assert tables is not None
    add, mul = tables
    assert all(sorted(row) == list(range(q)) for row in add)
    assert all(sorted(row) == list(range(q)) for row in mul[1:])
    assert field(6) is None and field(10) is None


def test_bad_instances_are_refused() -> None:
    with pytest.raises(ValueError, match="more fixed people than seats"):
        rotate(2, 2, 1, fixed={0: 0, 1: 0, 2: 0})
    with pytest.raises(ValueError, match="out of range"):
        rotate(2, 2, 1, fixed={9: 0})


def test_cyclic_design_where_the_search_alone_stalls() -> None:
    result = rotate(6, 4, 7, time_limit=30)  # 24 people at 6 tables of 4, 7 rounds
    assert_partitions(result, 6, 4, 7)
    assert (result.repeats, result.method) == (0, "cyclic")
    assert result.seconds < 5
