"""Fair, mixed groups: balanced split sizes, diversity, no isolation, colleagues apart, new people.

Fair shares are integer targets computed here, not products of variables: when option sizes
are fixed in advance (split sessions) the bounds are plain numbers; otherwise each option's
size is chosen among its possible sizes (one literal each) and the targets are the sums of
their integer targets over that choice: exact, and a tight linear relaxation.
"""

from collections.abc import Callable, Sequence
from functools import partial

from ortools.sat.python import cp_model

from models import Event, Participant, Session, SessionKind, Strength
from solver.history import History
from solver.model import UNBOUNDED, SessionModel


def balanced_sizes(
    people: int,
    capacities: list[int],
    floors: list[int] | None = None,
    ahead: Sequence[tuple[int, ...]] | None = None,
) -> list[int] | None:
    """Sizes as equal as possible: options below capacity differ by at most one person,
    unless an option must hold more (`floors`, up to its capacity: the people a re-solve
    keeps there), when the others are as equal as they can be. The seats one above the
    others go to the options with the highest `ahead` first, then to the largest. None
    when no sizes fit."""
    kept = floors or [0] * len(capacities)
    floors = [min(floor, cap) for floor, cap in zip(kept, capacities, strict=True)]
    if not sum(floors) <= people <= sum(capacities):
        return None

    def at(level: int) -> list[int]:
        return [min(cap, max(floor, level)) for floor, cap in zip(floors, capacities, strict=True)]

    level = next(
        level for level in range(max(capacities, default=0) + 1) if sum(at(level)) >= people
    )
    sizes, higher = at(max(level - 1, 0)), at(level)
    extra = people - sum(sizes)
    first = ahead or [()] * len(capacities)
    order = sorted(range(len(capacities)), key=lambda i: (first[i], capacities[i]), reverse=True)
    for index in order:
        if extra and higher[index] > sizes[index]:
            sizes[index] += 1
            extra -= 1
    return sizes


def split_sizes(
    event: Event,
    session: Session,
    floors: dict[str, int] | None = None,
    free: dict[str, tuple[int, int, int]] | None = None,
) -> dict[str, int] | None:
    """Balanced sizes for split groups and roundtables (every round), None for choice sessions
    (or when no sizes fit, or the balanced ones leave an option open below its `min`); at
    least `floors` people in each option (`balanced_sizes`). With `free` (a re-solve: how
    many people without a seat they keep may take each option, how many of them wish to,
    and how many can take no other), an option holds at least its floor and those who can
    take no other, grows above its floor by at most that many while the sizes still add up,
    and the seats one above the others go first to the options most of them may take, then
    to those most of them wish to take. When those sizes fall short of the audience (an
    option at capacity must send published people elsewhere), each option may take that
    many more, no further: rebalancing every option moved people for balance alone."""
    if not session.kind.mixes or not event.settings.balance_splits:
        return None
    options = event.options_of.get(session.id, [])
    capacities = [option.max for option in options]
    least = [(floors or {}).get(option.id, 0) for option in options]
    people = len(event.audience_of(session))
    if free is not None:
        seats = [free.get(option.id, (0, 0, 0)) for option in options]
        first = [(takers, wishing) for takers, wishing, _ in seats]
        reach = [
            min(cap, low + up) for cap, low, (up, _) in zip(capacities, least, first, strict=True)
        ]
        least = [  # at capacity, someone it keeps leaves for those who can go nowhere else
            min(cap, low + only)
            for cap, low, (_, _, only) in zip(capacities, least, seats, strict=True)
        ]
        short = max(0, people - sum(reach))  # published people some option must take in
        more = [min(cap, top + short) for cap, top in zip(capacities, reach, strict=True)]
        sizes = (
            balanced_sizes(people, reach, least, first)
            or balanced_sizes(people, more, least, first)
            or balanced_sizes(people, capacities, least, first)
        )
    else:
        sizes = balanced_sizes(people, capacities, least)
    if sizes is None or any(0 < size < o.min for o, size in zip(options, sizes, strict=True)):
        return None  # no such sizes, or one below an option's minimum: sizes left free
    return dict(zip((o.id for o in options), sizes, strict=True))


def fixed_sizes(m: SessionModel) -> None:
    """Options hold the sizes fixed in advance: balanced split groups and tables (every
    round), or a choice session's sizes from its preference stage."""
    if m.sizes is None:
        return
    for option in m.options:
        for round_ in m.rounds:
            ct = m.model.add(
                cp_model.LinearExpr.sum(m.members(option.id, round_)) == m.sizes[option.id]
            )
            m.require(ct, f"balanced groups ({option.id} holds {m.sizes[option.id]})")
            m.sized(ct, option.id, lambda size: (size, size))


def values_of(m: SessionModel, column: str, least: int = 1) -> dict[str, list[str]]:
    """The session's people by their value in a column (empty values left out)."""
    grouped: dict[str, list[str]] = {}
    for person in m.people:
        value = person.attribute(column)
        if value:
            grouped.setdefault(value, []).append(person.id)
    return {value: ids for value, ids in grouped.items() if len(ids) >= least}


def near_share(
    m: SessionModel,
    rule: str,
    weight: int,
    people: list[str],
    both_sides: bool = True,
    band: bool = False,
) -> None:
    """Penalise each person beyond [floor, ceil] of these people's fair share of every option
    (`both_sides` false: above the ceiling only).

    With `band`, a split session's groups (balanced sizes, fixed in advance) must also stay
    within ±1 of the share: a hard constraint, which the solve drops only when the organiser's
    rules make it impossible (then the sizes are free, and so is the band).
    """
    banded = band and m.banded and m.sizes is not None and m.session.kind is SessionKind.SPLIT
    soft = m.soft_groups()
    if not banded and not soft:
        return
    for option in m.options:
        for round_ in m.rounds:
            count = m.count(people, option.id, round_)
            floor = partial(floor_share, len(people), len(m.people))
            ceil = partial(ceil_share, len(people), len(m.people))
            if banded:
                low, high = fixed_share(m, option.id, len(people))
                m.side_constraints = True
                label = f"groups within ±1 of the fair share of {rule} values"
                ct = m.model.add(count >= high - 1)
                m.require(ct, label)
                m.sized(ct, option.id, partial(at_least, ceil, -1))
                ct = m.model.add(count <= low + 1)
                m.require(ct, label)
                m.sized(ct, option.id, partial(at_most, floor, 1))
            if not soft:
                continue
            over = m.model.new_int_var(0, len(people), f"{rule}_over")
            under = m.model.new_int_var(0, len(people), f"{rule}_under") if both_sides else None
            if m.sizes is not None:
                low, high = fixed_share(m, option.id, len(people))
                ct = m.model.add(count - over <= high)
                m.sized(ct, option.id, partial(at_most, ceil, 0))
                if under is not None:
                    ct = m.model.add(count + under >= low)
                    m.sized(ct, option.id, partial(at_least, floor, 0))
            else:
                free_share(m, option.id, round_, len(people), count, over, under)
            m.penalise(rule, weight, over if under is None else over + under)
            if rule == "diversity" and under is not None and m.sizes is not None:
                m.shares[(tuple(people), option.id, round_)] = weight * (over + under)


def fixed_share(m: SessionModel, option: str, share: int) -> tuple[int, int]:
    """floor and ceil of share × size / total, the option's size fixed in advance."""
    assert m.sizes is not None
    return fixed_share_at(m.sizes, option, share, len(m.people))


def fixed_share_at(sizes: dict[str, int], option: str, share: int, total: int) -> tuple[int, int]:
    """floor and ceil of share × size / total at these sizes."""
    size = sizes[option]
    return floor_share(share, total, size), ceil_share(share, total, size)


def floor_share(share: int, total: int, size: int) -> int:
    """floor of share × size / total."""
    return share * size // total


def ceil_share(share: int, total: int, size: int) -> int:
    """ceil of share × size / total."""
    return -(-share * size // total)


def at_most(target: Callable[[int], int], offset: int, size: int) -> tuple[int, int]:
    """A row's sides when it keeps a count at most the target at this size, plus offset."""
    return -UNBOUNDED - 1, target(size) + offset


def at_least(target: Callable[[int], int], offset: int, size: int) -> tuple[int, int]:
    """A row's sides when it keeps a count at least the target at this size, plus offset."""
    return target(size) + offset, UNBOUNDED


def free_share(
    m: SessionModel,
    option: str,
    round_: int,
    share: int,
    count: cp_model.LinearExpr,
    over: cp_model.IntVar,
    under: cp_model.IntVar | None,
) -> None:
    """`over` and `under` measure count beyond [floor, ceil] of share × size / total, the
    option's size a variable.

    The targets are stated through the option's size choice (one literal per size, exactly
    one true): ceil target = Σ_k ceil(share × k / total) × [size = k], and likewise the
    floor. Exact for integers, and the tightest linear relaxation there is for one option:
    its fractional sizes are mixtures of whole ones, the same mixture for every value of
    every attribute (scaled rows with the targets' hulls as cuts let each value pick its
    own: one 1,000 × 8 session's bound 179.4 with them, 181.8 this way, 184 the optimum).
    """
    total = len(m.people)
    choice = m.size_choice(option, round_)
    literals, sizes = list(choice.values()), list(choice)
    ceilings = [ceil_share(share, total, k) for k in sizes]
    m.model.add(count - over <= cp_model.LinearExpr.weighted_sum(literals, ceilings))
    if under is not None:
        floors = [floor_share(share, total, k) for k in sizes]
        m.model.add(count + under >= cp_model.LinearExpr.weighted_sum(literals, floors))


def diversity(m: SessionModel) -> None:
    """Diversity: each option holds each value of the diversity columns near its fair share."""
    weight = m.event.settings.weight_diversity
    if not weight:
        return
    for column in m.event.settings.diversity:
        groups = values_of(m, column)
        if len(groups) < 2:
            continue
        for people in groups.values():
            near_share(m, "diversity", weight, people, band=True)


def colleagues_apart(m: SessionModel) -> None:
    """People of one organisation are spread: no option holds more than its share of them."""
    weight = m.event.settings.weight_spread
    if not weight:
        return
    for column in m.event.settings.spread:
        for people in values_of(m, column, least=2).values():
            near_share(m, "spread", weight, people, both_sides=False)


def no_isolation(m: SessionModel) -> None:
    """Nobody is the only one of their value in an option: zero or at least two of each."""
    settings = m.event.settings
    hard = settings.no_isolation_strength is Strength.HARD
    if not hard and not settings.weight_isolation:
        return
    for column in settings.no_isolation:
        for people in values_of(m, column, least=2).values():
            if not hard and not m.soft_groups():
                return
            for option in m.options:
                for round_ in m.rounds:
                    count = m.count(people, option.id, round_)
                    some = m.model.new_bool_var("some")
                    m.model.add(count <= len(people) * some)
                    if hard:
                        m.side_constraints = True
                        ct = m.model.add(count >= 2 * some)
                        m.require(ct, f"nobody alone of their {column} (hard)")
                        continue
                    alone = m.model.new_bool_var("alone")
                    m.model.add(count >= 2 * some - alone)
                    m.penalise("isolation", settings.weight_isolation, alone)
                    m.alone[(tuple(people), option.id, round_)] = alone


def isolation_floors(m: SessionModel) -> None:
    """Rows for a model's linear relaxation: each round, what isolation and distance from
    the fair share cost each value's people at least over all the options.

    Nobody alone is not convex in an option's count (zero, or two and more), so the linear
    relaxation of one option charges nothing for it, even at whole placements. Over all
    the options the counts add up to the value's people, and the least cost of such counts
    (`least_spread_cost`) is a bound that every allocation keeps: 2023's COOP, a value of
    15 people at 14 tables of 10–11, 16 a round (two tables without them, or tables with
    one alone); its relaxation 2535 → 2585. Only with the sizes fixed in advance (the rows
    follow them when they change), and only for a relaxation: in a search's model they
    change CP-SAT's paths for no gain (academy-2023 over four seeds: the same on average).
    """
    settings = m.event.settings
    hard = settings.no_isolation_strength is Strength.HARD
    sizes = m.sizes
    if sizes is None or not (hard or settings.weight_isolation) or not m.soft_groups():
        return
    for column in settings.no_isolation:
        for people in values_of(m, column, least=2).values():
            for round_ in m.rounds:
                isolation_floor(m, sizes, people, round_, hard)


def isolation_floor(
    m: SessionModel, sizes: dict[str, int], people: list[str], round_: int, hard: bool
) -> None:
    """`isolation_floors`' row for one value in one round, when it is above 0."""
    key = tuple(people)
    terms = [m.shares[k] for o in m.options if (k := (key, o.id, round_)) in m.shares]
    terms += [
        m.event.settings.weight_isolation * m.alone[k]
        for o in m.options
        if (k := (key, o.id, round_)) in m.alone
    ]
    if not terms:
        return
    sides = partial(floor_sides, m, people, round_, hard)
    least, _ = sides(sizes)
    if least > 0:
        ct = m.model.add(cp_model.LinearExpr.sum(terms) >= least)
        m.sized_by_all(ct, sides)


def floor_sides(
    m: SessionModel, people: list[str], round_: int, hard: bool, sizes: dict[str, int]
) -> tuple[int, int]:
    """The sides of `isolation_floor`'s row at these sizes."""
    settings = m.event.settings
    key = tuple(people)
    costs = []
    for option in m.options:
        seats = [(p, option.id, round_) in m.x for p in people]
        only = sum(
            1
            for p, seat in zip(people, seats, strict=True)
            if seat and len(m.choices(p, round_)) == 1
        )
        most = min(sum(seats), sizes[option.id])
        low, high = fixed_share_at(sizes, option.id, len(people), len(m.people))
        share = settings.weight_diversity if (key, option.id, round_) in m.shares else 0
        costs.append(
            {
                count: share * max(0, low - count, count - high)
                + (0 if hard else settings.weight_isolation) * (count == 1)
                for count in range(only, most + 1)
                if not (hard and count == 1)
            }
        )
    least = least_spread_cost(costs, len(people))
    return (least if least is not None else 0), UNBOUNDED


def least_spread_cost(costs: list[dict[int, int]], total: int) -> int | None:
    """The least Σ costs[i][c_i] over counts with Σ c_i = total, each c_i a key of
    costs[i] (a knapsack by dynamic programming); None when no such counts exist."""
    best = {0: 0}
    for option in costs:
        reached: dict[int, int] = {}
        for placed, cost in best.items():
            for count, more in option.items():
                if placed + count <= total:
                    reached[placed + count] = min(
                        reached.get(placed + count, cost + more), cost + more
                    )
        best = reached
    return best.get(total)


def met_before(
    event: Event, session: Session, people: list[Participant], history: History
) -> dict[tuple[str, ...], int]:
    """The people of this session who shared an earlier group, with what each pair costs.

    A group from an earlier day costs `weight_mixing` per pair; a table from an earlier round
    of this roundtable costs `weight_new_peers` per pair (new peers every round come first).
    """
    settings = event.settings
    here = [person.id for person in people]
    weights: dict[tuple[str, ...], int] = {}
    for source, group in history.groups:
        weight = settings.weight_new_peers if source == session.id else settings.weight_mixing
        met = tuple(person for person in here if person in group)
        if len(met) > 1 and weight:
            weights[met] = weights.get(met, 0) + weight
    return weights


def new_encounters(m: SessionModel) -> None:
    """Split groups and tables mix people who met before: each pair meeting again costs.

    Earlier days' split groups and tables count, and so do a roundtable's earlier rounds.
    """
    if not m.session.kind.mixes:
        return
    repeats = met_before(m.event, m.session, m.people, m.history)
    if repeats and not m.soft_groups():
        return
    for met, weight in repeats.items():
        for option in m.options:
            for round_ in m.rounds:
                most = min(len(met), m.most(option.id, round_))
                if most < 2:
                    continue
                pairs = pairs_among(m, m.count(list(met), option.id, round_), most)
                m.penalise("mixing", weight, pairs)


def pairs_among(m: SessionModel, count: cp_model.LinearExprT, most: int) -> cp_model.IntVar:
    """The pairs among `count` people (at most `most`), C(count, 2) when minimised: convex,
    so `pairs ≥ k·count − k(k+1)/2` for k = 1 … most − 1 is exact at the optimum."""
    pairs = m.model.new_int_var(0, most * (most - 1) // 2, "pairs")
    for k in range(1, most):
        m.model.add(pairs >= k * count - k * (k + 1) // 2)
    return pairs


def met_again_within(m: SessionModel) -> None:
    """Pairs who share a table in two rounds of this model cost `weight_new_peers` each
    time they meet again (earlier rounds outside the model are in its history instead).

    Between rounds r < s, the people at table a in r and at table b in s number
    n = Σ both[p], where both[p] ≥ x[p,a,r] + x[p,b,s] − 1 (minimising makes it their
    product), and every pair of them meets in both rounds: C(n, 2) (`pairs_among`).
    """
    weight = m.event.settings.weight_new_peers
    if len(m.rounds) < 2 or not m.session.kind.mixes or not weight:
        return
    if not m.soft_groups():
        return
    for first, later in ((r, s) for r in m.rounds for s in m.rounds if r < s):
        for a in m.options:
            for b in m.options:
                both = [
                    product(m, x, y)
                    for person in m.people
                    if (x := m.x.get((person.id, a.id, first))) is not None
                    and (y := m.x.get((person.id, b.id, later))) is not None
                ]
                if len(both) < 2:
                    continue
                most = min(len(both), a.max, b.max)
                m.penalise("mixing", weight, pairs_among(m, cp_model.LinearExpr.sum(both), most))


def product(m: SessionModel, x: cp_model.IntVar, y: cp_model.IntVar) -> cp_model.IntVar:
    """A literal at least x ∧ y (at most when minimised: their product)."""
    both = m.model.new_bool_var("both")
    m.model.add(both >= x + y - 1)
    return both
