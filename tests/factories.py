"""Tiny events for tests: a few people, a session or two, options with capacities; and a
machine too busy to search."""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import pytest
from ortools.sat.python import cp_model

from models import (
    Allocation,
    Assignment,
    CheckReport,
    Event,
    Option,
    Participant,
    Preference,
    Rule,
    RuleKind,
    Session,
    SessionKind,
    Settings,
    Strength,
)
from solver import sessions
from solver.sessions import Status

# The `solve` fixture (tests/conftest.py): solve an event, then check it with the checker.
Solve = Callable[[Event], tuple[Allocation, CheckReport]]


def people(count: int, **fields: object) -> list[Participant]:
    """`count` participants p1…pN named after their id."""
    return [Participant(id=f"p{i}", name=f"Person {i}", **fields) for i in range(1, count + 1)]  # type: ignore[arg-type]


def event(
    people: int | list[Participant] = 4,
    options: Sequence[tuple[str, int]] = (("A", 2), ("B", 2)),
    kind: SessionKind = SessionKind.CHOICE,
    rounds: int = 1,
    prefs: Mapping[str, Sequence[str | None]] | None = None,
    rules: Iterable[Rule] = (),
    session: str = "S1",
    **settings: Any,
) -> Event:
    """One session with `options` (id, max); `prefs` maps a person to their options in rank order.

    A None in a person's list is skipped, so ["B", None, "A"] ranks B first and A third.
    Fairness is off unless asked for, so that each test sees the rule it is about.
    """
    participants = people if isinstance(people, list) else globals()["people"](people)
    preferences = [
        Preference(participant=person, session=session, option=option, rank=rank)
        for person, ranked in (prefs or {}).items()
        for rank, option in enumerate(ranked, start=1)
        if option is not None
    ]
    return Event(
        participants=participants,
        sessions=[Session(id=session, day="d1", kind=kind, rounds=rounds)],
        options=[Option(session=session, id=oid, max=cap) for oid, cap in options],
        preferences=preferences,
        rules=list(rules),
        settings=Settings(**{"weight_fairness": 0, **settings}),
    )


def rule(
    kind: str, *participants: str, option: str = "", soft: bool = False, weight: int = 1
) -> Rule:
    """A rule of the Rules sheet for every session."""
    return Rule(
        kind=RuleKind(kind),
        participants=participants,
        option=option,
        strength=Strength.SOFT if soft else Strength.HARD,
        weight=weight,
    )


def with_hosts(e: Event, hosts: dict[str, str]) -> Event:
    """A new event like `e` with a host at some options (option id -> host id)."""
    return Event(
        participants=e.participants,
        sessions=e.sessions,
        options=[
            o.model_copy(update={"hosts": (hosts[o.id],)}) if o.id in hosts else o
            for o in e.options
        ],
        preferences=e.preferences,
        rules=e.rules,
        settings=e.settings,
    )


def repeated_pairs(assignments: list[Assignment], session: str) -> Counter[tuple[str, str]]:
    """Pairs who share a table in more than one round of the session, with how often."""
    met: Counter[tuple[str, str]] = Counter()
    tables: dict[tuple[int, str], list[str]] = {}
    for a in assignments:
        if a.session == session:
            tables.setdefault((a.round, a.option), []).append(a.participant)
    for members in tables.values():
        met.update(combinations(sorted(members), 2))
    return Counter({pair: times for pair, times in met.items() if times > 1})


def visits_trap() -> Event:
    """Ten people, four rounds at host h's table A and a table B; p9 never sits at A. Solved
    round by round, the first rounds can use up the visits to A that round 4 needs for
    tables of 5 and 5."""
    ids = ["h"] + [f"p{i}" for i in range(1, 10)]
    return Event(
        participants=[Participant(id=i, name=i) for i in ids],
        sessions=[Session(id="S", day="d1", kind=SessionKind.ROUNDTABLE, rounds=4)],
        options=[
            Option(session="S", id="A", max=16, hosts=("h",)),
            Option(session="S", id="B", max=18),
        ],
        preferences=[Preference(participant="p9", session="S", option="A", rank=None)],
        settings=Settings(
            weight_preference=0,
            unranked_cost=0,
            diversity=(),
            no_isolation=(),
            spread=(),
            weight_mixing=0,
            weight_fairness=0,
            seed=69,
        ),
    )


def nothing_found_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CP-SAT search ends without an allocation, as on a machine too busy to search."""

    def search(*_args: object, **_kwargs: object) -> tuple[cp_model.CpSolver, Status]:
        return cp_model.CpSolver(), cp_model.UNKNOWN

    monkeypatch.setattr(sessions, "search", search)


# A formula's empty saved value as openpyxl writes it: `<v />` without lxml, `<v></v>` with it.
EMPTY_VALUE = rb"(?:<v ?/>|<v></v>)"


def unsaved_formula(formula: str) -> re.Pattern[bytes]:
    """A sheet's XML for this formula with no saved value, as either writer spells it."""
    return re.compile(rb"<f>" + re.escape(formula.encode()) + rb"</f>" + EMPTY_VALUE)
