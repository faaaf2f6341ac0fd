"""The checker's half of the group rules: diversity, isolation, colleagues, balance, mixing.

Computed from the finished allocation alone (actual option sizes, actual encounters), with
the same definitions as docs/rules.md, so that its penalties add up to the solver's.
"""

from collections import Counter
from dataclasses import dataclass
from itertools import combinations, product

from models import Event, GroupStats, Session, Strength
from models.issues import counted
from solver.checker import Checker, in_round, rounds_of

Pair = tuple[str, str]


@dataclass(frozen=True)
class Holders:
    """A column's values in a session, held by `least` or more people: each value's holders
    (values in the order first met) and each holder's value."""

    holders: dict[str, list[str]]
    value_of: dict[str, str]

    @classmethod
    def of(cls, event: Event, people: list[str], column: str, least: int) -> "Holders":
        """These people's (non-empty) values in a column."""
        grouped: dict[str, list[str]] = {}
        for person in people:
            value = event.people[person].attribute(column) if person in event.people else ""
            if value:
                grouped.setdefault(value, []).append(person)
        holders = {value: ids for value, ids in grouped.items() if len(ids) >= least}
        value_of = {person: value for value, ids in holders.items() for person in ids}
        return cls(holders, value_of)

    def among(self, members: list[str]) -> dict[str, list[str]]:
        """Every value's holders among an option's members, in the members' order."""
        found: dict[str, list[str]] = {value: [] for value in self.holders}
        for person in members:
            if person in self.value_of:
                found[self.value_of[person]].append(person)
        return found


def placed_ids(checker: Checker, session: Session, round_: int) -> list[str]:
    """Everyone the allocation places in the session in a round: its audience once solved
    (a hard rule), and whom fair shares are of on a day kept as published that a newcomer
    has no place on yet."""
    return [
        person
        for members in option_members(checker, session, round_).values()
        for person in members
    ]


def fair_range(share: int, size: int, total: int) -> tuple[int, int]:
    """[floor, ceil] of share × size / total."""
    return share * size // total, -(-share * size // total)


def check_groups(checker: Checker, session: Session) -> None:
    """Every group rule of one session."""
    balance(checker, session)
    diversity(checker, session)
    isolation(checker, session)
    colleagues(checker, session)


def option_members(checker: Checker, session: Session, round_: int) -> dict[str, list[str]]:
    """Each option's people in a round (every option, empty ones too)."""
    return {
        option.id: checker.allocation.members.get((session.id, option.id, round_), [])
        for option in checker.event.options_of.get(session.id, [])
    }


def balance(checker: Checker, session: Session) -> None:
    """A split session's or roundtable round's options differ in size by at most one, full
    options aside."""
    if not session.kind.mixes or not checker.event.settings.balance_splits:
        return
    capacity = {o.id: o.max for o in checker.event.options_of.get(session.id, [])}
    problems: list[tuple[str, list[str]]] = []
    for round_ in rounds_of(session):
        sizes = {
            option: len(people)
            for option, people in option_members(checker, session, round_).items()
        }
        for small, large in combinations(sorted(sizes), 2):
            low, high = sorted((small, large), key=lambda o: sizes[o])
            if sizes[high] > sizes[low] + 1 and sizes[low] < capacity[low]:
                suffix = in_round(session, round_)
                message = f"{high} holds {sizes[high]} but {low} only {sizes[low]}{suffix}"
                problems.append((message, []))
    checker.record(
        "balance", session, problems, "options differ in size by at most one", hard=False
    )


def diversity(checker: Checker, session: Session) -> None:
    """Each option holds each diversity value within [floor, ceil] of its fair share."""
    event = checker.event
    weight = event.settings.weight_diversity
    for column, round_ in product(event.settings.diversity if weight else (), rounds_of(session)):
        people = placed_ids(checker, session, round_)
        values = Holders.of(event, people, column, least=1)
        if len(values.holders) >= 2:
            for option, members in option_members(checker, session, round_).items():
                off_share(checker, session, round_, option, column, values, members, len(people))
    checker.soft_held("diversity", session, "every option within its fair share")


def off_share(
    checker: Checker,
    session: Session,
    round_: int,
    option: str,
    column: str,
    values: Holders,
    members: list[str],
    total: int,
) -> None:
    """An option's people of each value of a diversity column beyond [floor, ceil] of its fair
    share: the value's holders placed in the session × the option's size / the `total`
    placed there."""
    off, concerned, count = [], [], 0
    present = values.among(members)
    for value, holders in values.holders.items():
        low, high = fair_range(len(holders), len(members), total)
        here = present[value]
        beyond = max(0, len(here) - high) + max(0, low - len(here))
        if beyond:
            count += beyond
            fair = f"{low}" if low == high else f"{low}–{high}"
            off.append(f"{value} {len(here)} (fair {fair})")
            concerned += here
    if count:
        message = f"{option}{in_round(session, round_)}: {column} " + "; ".join(off)
        weight = checker.event.settings.weight_diversity
        checker.soft("diversity", session, count * weight, message, concerned)


def isolation(checker: Checker, session: Session) -> None:
    """Nobody is the only one of their value (of a no-isolation column) in an option."""
    event = checker.event
    settings = event.settings
    hard = settings.no_isolation_strength is Strength.HARD
    problems = []
    for column, round_ in product(settings.no_isolation, rounds_of(session)):
        values = Holders.of(event, placed_ids(checker, session, round_), column, least=2)
        if values.holders:
            for option, members in option_members(checker, session, round_).items():
                for value, here in values.among(members).items():
                    if len(here) == 1:
                        message = (
                            f"{checker.who(here[0])} is the only {value} in {option}"
                            f"{in_round(session, round_)}"
                        )
                        if hard:
                            problems.append((message, here))
                        elif settings.weight_isolation:
                            checker.soft(
                                "isolation", session, settings.weight_isolation, message, here
                            )
    if hard:
        checker.record("isolation", session, problems, "nobody isolated")
    else:
        checker.soft_held("isolation", session, "nobody isolated")


def colleagues(checker: Checker, session: Session) -> None:
    """No option holds more than its fair share (rounded up) of one organisation's people."""
    event = checker.event
    weight = event.settings.weight_spread
    for column, round_ in product(event.settings.spread if weight else (), rounds_of(session)):
        people = placed_ids(checker, session, round_)
        total = len(people)
        values = Holders.of(event, people, column, least=2)
        if values.holders:
            for option, members in option_members(checker, session, round_).items():
                present = values.among(members)
                for value, holders in values.holders.items():
                    _, high = fair_range(len(holders), len(members), total)
                    here = present[value]
                    if len(here) > high:
                        message = (
                            f"{len(here)} of {value} in {option}{in_round(session, round_)}, "
                            f"fair share at most {high}"
                        )
                        checker.soft("spread", session, (len(here) - high) * weight, message, here)
    checker.soft_held("spread", session, "colleagues spread over the options")


def earlier_meetings(checker: Checker, session: Session, round_: int) -> Counter[Pair]:
    """What each pair who met before this session's round costs when they meet again.

    Before means on an earlier day (`weight_mixing` per meeting), or in an earlier round of
    the same roundtable (`weight_new_peers` per meeting).
    """
    settings = checker.event.settings
    days = checker.event.days()
    kinds = {s.id: s.kind for s in checker.event.sessions}
    day_of = {s.id: days.index(s.day) for s in checker.event.sessions}
    met: Counter[Pair] = Counter()
    for (other, _option, other_round), people in checker.allocation.members.items():
        earlier_day = day_of.get(other, len(days)) < days.index(session.day)
        earlier_round = other == session.id and other_round < round_
        kind = kinds.get(other)
        if kind is None or not kind.mixes or not (earlier_day or earlier_round):
            continue
        weight = settings.weight_new_peers if earlier_round else settings.weight_mixing
        for pair in combinations(sorted(people), 2):
            met[pair] += weight
    return met


def mixing(checker: Checker, session: Session) -> None:
    """In split groups and at tables, each pair that met before costs once per earlier meeting."""
    settings = checker.event.settings
    weighed = settings.weight_mixing or settings.weight_new_peers
    if not session.kind.mixes or not weighed:
        return
    for round_ in rounds_of(session):
        met = earlier_meetings(checker, session, round_)
        for option, members in option_members(checker, session, round_).items():
            again = [(pair, met[pair]) for pair in combinations(sorted(members), 2) if met[pair]]
            if again:
                cost = sum(weight for _, weight in again)
                people = sorted({p for pair, _ in again for p in pair})
                message = (
                    f"{counted(len(again), 'pair')} in {option}{in_round(session, round_)} "
                    "met before"
                    f" (cost {cost})"
                )
                checker.soft("mixing", session, cost, message, people)
    checker.soft_held("mixing", session, "no pair meets again")


def group_stats(event: Event, checker: Checker) -> list[GroupStats]:
    """Per session, option and round: size, largest distance from a fair share, isolated people."""
    stats = []
    for session in event.sessions:
        if not event.audience_of(session):
            continue
        for round_ in rounds_of(session):
            people = placed_ids(checker, session, round_)
            spread = {c: Holders.of(event, people, c, 1) for c in event.settings.diversity}
            alone = [Holders.of(event, people, c, 2) for c in event.settings.no_isolation]
            for option, members in option_members(checker, session, round_).items():
                deviation = {
                    column: largest_deviation(values, members, len(people))
                    for column, values in spread.items()
                }
                isolated = [
                    here[0]
                    for values in alone
                    for here in values.among(members).values()
                    if len(here) == 1
                ]
                stats.append(
                    GroupStats(
                        session=session.id,
                        option=option,
                        round=round_,
                        size=len(members),
                        deviation={k: round(v, 2) for k, v in deviation.items()},
                        isolated=isolated,
                    )
                )
    return stats


def largest_deviation(values: Holders, members: list[str], total: int) -> float:
    """How far an option's count of any value lies from its fair share (its members out of the
    session's `total`, of the value's holders)."""
    present = values.among(members)
    return max(
        (
            abs(len(present[value]) - len(holders) * len(members) / total)
            for value, holders in values.holders.items()
        ),
        default=0.0,
    )


def encounters(checker: Checker) -> tuple[dict[str, int], int]:
    """In split groups and at tables: how many people each person who sat in one met, pairs
    met more than once (someone only in choice sessions met nobody there, and is left out of
    the average rather than counted as meeting no one)."""
    mixing_sessions = {s.id for s in checker.event.sessions if s.kind.mixes}
    met: Counter[Pair] = Counter()
    for (session, _option, _round), people in checker.allocation.members.items():
        if session in mixing_sessions:
            met.update(combinations(sorted(set(people)), 2))
    others: Counter[str] = Counter()
    for a, b in met:
        others[a] += 1
        others[b] += 1
    placed = {a.participant for a in checker.allocation.assignments if a.session in mixing_sessions}
    return {person: others[person] for person in sorted(placed)}, sum(
        1 for n in met.values() if n > 1
    )
