"""Random events for the sweep (tests/test_sweep.py): every kind of session, hosts, needs,
audiences, days, rules and settings, small enough to solve in a second or two; and the
same event after late registrations, cancellations, a smaller room and a hand edit."""

import math
import random
from dataclasses import dataclass

from pydantic import ValidationError

from models import (
    Allocation,
    Assignment,
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
from models.issues import errors
from models.validation import validate_event

REGIONS = ("", "EU", "AS", "AF", "AM")
GROUPS = ("", "g1", "g2", "g3")
ORGANISATIONS = ("", "o1", "o2", "o3", "o4", "o5")
LETTERS = "ABCDEFG"
STEP_FREE = ("step-free",)


@dataclass
class Late:
    """An event after changes, the allocation published before them, and whether a hand
    edit in it is pinned."""

    event: Event
    previous: list[Assignment]
    pinned: bool


def valid_event(seed: int) -> Event:
    """The first valid event the generator makes from `seed` on (most seeds give one)."""
    while True:
        try:
            event = random_event(random.Random(seed))
        except ValidationError:
            event = None
        if event is not None and not errors(validate_event(event)):
            return event
        seed += 1_000_000


def random_event(rng: random.Random) -> Event:
    """One to four sessions over one to three days, 4–40 people."""
    days = [f"d{i}" for i in range(1, rng.randint(1, 3) + 1)]
    count = rng.randint(1, 4)
    session_days = [
        days[i % len(days)] if rng.random() < 0.7 else rng.choice(days) for i in range(count)
    ]
    days = [day for day in days if day in session_days]
    people = [participant(rng, f"p{i}", days) for i in range(1, rng.randint(4, 40) + 1)]
    sessions = [session(rng, f"S{i}", day, people) for i, day in enumerate(session_days, start=1)]
    options = [option for s in sessions for option in options_of(rng, s, people)]
    return Event(
        participants=people,
        sessions=sessions,
        options=options,
        preferences=preferences(rng, people, sessions, options),
        rules=rules(rng, people, sessions, options),
        settings=settings(rng),
    )


def participant(rng: random.Random, pid: str, days: list[str]) -> Participant:
    """A person with random attributes, on some days or all, with a need now and then."""
    chosen: tuple[str, ...] = ()
    if len(days) > 1 and rng.random() < 0.4:
        chosen = tuple(sorted(rng.sample(days, rng.randint(1, len(days))), key=days.index))
    return Participant(
        id=pid,
        name=f"Person {pid}",
        email=f"{pid}@example.org" if rng.random() < 0.8 else "",
        organisation=rng.choice(ORGANISATIONS),
        region=rng.choice(REGIONS),
        group=rng.choice(GROUPS),
        days=chosen,
        needs=STEP_FREE if rng.random() < 0.1 else (),
    )


def session(rng: random.Random, sid: str, day: str, people: list[Participant]) -> Session:
    """A session of any kind (a roundtable of 1–4 rounds), for some groups now and then."""
    kind = rng.choice(list(SessionKind))
    audience: tuple[str, ...] = ()
    present = sorted({p.group for p in people} - {""})
    if rng.random() < 0.2 and present:
        audience = tuple(rng.sample(present, rng.randint(1, len(present))))
    return Session(
        id=sid,
        day=day,
        kind=kind,
        rounds=rng.randint(1, 4) if kind is SessionKind.ROUNDTABLE else 1,
        audience=audience,
        title=f"Session {sid}" if rng.random() < 0.5 else "",
    )


def options_of(rng: random.Random, s: Session, people: list[Participant]) -> list[Option]:
    """A session's options: capacities tight or loose (now and then closed), minimums,
    step-free rooms (at least one when someone present needs it), hosts."""
    count = rng.randint(2, 5) if s.kind is not SessionKind.SPLIT else rng.randint(1, 4)
    count = 1 if rng.random() < 0.1 else count
    present = [p for p in people if p.attends(s.day) and (not s.audience or p.group in s.audience)]
    share = math.ceil(max(1, len(present)) / count)
    tight = rng.random() < 0.25
    needed = any(p.needs for p in present)
    hosting_chance = 0.6 if s.kind is SessionKind.ROUNDTABLE else 0.1
    hosts_used: set[str] = set()
    options = []
    for j in range(count):
        most = 0 if rng.random() < 0.03 else share + (0 if tight else rng.randint(0, 4))
        least = rng.randint(1, min(most, 4)) if most and rng.random() < 0.15 else 0
        step_free = rng.random() < 0.4 or (needed and j == count - 1)
        hosts: tuple[str, ...] = ()
        candidates = [p.id for p in people if p.attends(s.day) and p.id not in hosts_used]
        if most and candidates and rng.random() < hosting_chance:
            hosts = tuple(
                rng.sample(candidates, 2 if len(candidates) > 1 and rng.random() < 0.2 else 1)
            )
            hosts_used.update(hosts)
            needy = any(p.needs for p in people if p.id in hosts)
            step_free = step_free or (needy and rng.random() < 0.8)
        options.append(
            Option(
                session=s.id,
                id=LETTERS[j],
                max=most,
                min=least,
                features=STEP_FREE if step_free else (),
                hosts=hosts,
                room=f"Room {s.id}{LETTERS[j]}" if rng.random() < 0.5 else "",
                title=f"Topic {LETTERS[j]}" if rng.random() < 0.5 else "",
            )
        )
    return options


def preferences(
    rng: random.Random, people: list[Participant], sessions: list[Session], options: list[Option]
) -> list[Preference]:
    """Ranked wishes for most people and sessions (hosts rarely), an unranked option (a
    veto) now and then, and now and then vetoes only."""
    hosting = {(host, option.session) for option in options for host in option.hosts}
    wishes: list[Preference] = []
    for p in people:
        for s in sessions:
            if rng.random() > 0.7 or ((p.id, s.id) in hosting and rng.random() < 0.9):
                continue
            ids = [option.id for option in options if option.session == s.id]
            ranked = rng.sample(ids, rng.randint(1, len(ids)))
            wishes += [
                Preference(participant=p.id, session=s.id, option=oid, rank=rank)
                for rank, oid in enumerate(ranked, start=1)
            ]
            rest = [oid for oid in ids if oid not in ranked]
            if rest and rng.random() < 0.1:
                wishes.append(Preference(participant=p.id, session=s.id, option=rng.choice(rest)))
            elif rng.random() < 0.05 and len(ids) > 1:  # vetoes only
                wishes = [w for w in wishes if (w.participant, w.session) != (p.id, s.id)]
                wishes.append(Preference(participant=p.id, session=s.id, option=rng.choice(ids)))
    return wishes


def rules(
    rng: random.Random, people: list[Participant], sessions: list[Session], options: list[Option]
) -> list[Rule]:
    """Up to four organiser's rules of any kind, hard or soft, in one session or all."""
    made = []
    for _ in range(rng.choice((0, 0, 1, 2, 3, 4))):
        kind = rng.choice(list(RuleKind))
        placing = kind in (RuleKind.ASSIGN, RuleKind.FORBID)
        who = tuple(
            rng.sample(
                [p.id for p in people], rng.randint(1 if placing else 2, min(4, len(people)))
            )
        )
        sid = rng.choice(sessions).id if rng.random() < 0.6 else ""
        pool = [option.id for option in options if not sid or option.session == sid]
        made.append(
            Rule(
                kind=kind,
                participants=who,
                session=sid,
                option=rng.choice(pool) if placing else "",
                strength=Strength.HARD if rng.random() < 0.35 else Strength.SOFT,
                weight=rng.choice((0, 1, 1, 2, 5)),
            )
        )
    return made


def settings(rng: random.Random) -> Settings:
    """Every criterion on or off, at various weights; a time limit of 2–4 s."""
    return Settings(
        diversity=rng.choice(
            ((), ("region", "group"), ("region",), ("group",), ("organisation", "region"))
        ),
        no_isolation=rng.choice(((), ("group",), ("region",))),
        no_isolation_strength=rng.choice(
            (Strength.SOFT, Strength.SOFT, Strength.SOFT, Strength.HARD)
        ),
        spread=rng.choice(((), ("organisation",))),
        weight_diversity=rng.choice((0, 2, 2, 3)),
        weight_isolation=rng.choice((0, 5, 5)),
        weight_spread=rng.choice((0, 1, 1)),
        weight_mixing=rng.choice((0, 1, 1, 2)),
        weight_new_peers=rng.choice((0, 10, 10, 30)),
        weight_preference=rng.choice((0, 1, 1, 1, 2)),
        weight_fairness=rng.choice((0, 1)),
        balance_splits=rng.random() < 0.7,
        rank_costs=rng.choice(((0, 1, 3, 6), (0, 2, 5), (1, 2), (0,))),
        unranked_cost=rng.choice((10, 10, 0, 4)),
        time_limit=float(rng.randint(2, 4)),
        seed=rng.randint(0, 100),
    )


def late_version(rng: random.Random, event: Event, allocation: Allocation) -> Late:
    """The event after one or two cancellations (never a host), one to three late
    registrations, now and then a smaller option or an option nobody wants any more, and
    now and then a hand edit pinned in the published allocation."""
    hosts = {host for option in event.options for host in option.hosts}
    removable = [p for p in event.participants if p.id not in hosts]
    removed = {p.id for p in rng.sample(removable, min(len(removable), rng.randint(1, 2)))}
    added = [participant(rng, f"n{i}", event.days()) for i in range(1, rng.randint(1, 3) + 1)]
    wishes = [w for w in event.preferences if w.participant not in removed]
    for p in added:
        for s in event.sessions:
            if rng.random() < 0.7:
                ids = [option.id for option in event.options_of[s.id]]
                wishes += [
                    Preference(participant=p.id, session=s.id, option=oid, rank=rank)
                    for rank, oid in enumerate(rng.sample(ids, rng.randint(1, len(ids))), start=1)
                ]
    options = list(event.options)
    if rng.random() < 0.5:
        i = rng.randrange(len(options))
        most = max(0, options[i].max - rng.randint(1, 3))
        options[i] = options[i].model_copy(update={"max": most, "min": min(options[i].min, most)})
    if rng.random() < 0.3:
        dropped = rng.choice(options).key
        wishes = [w for w in wishes if (w.session, w.option) != dropped]
    late = Event(
        participants=[p for p in event.participants if p.id not in removed] + added,
        sessions=event.sessions,
        options=options,
        preferences=wishes,
        rules=rules_without(event.rules, removed),
        settings=event.settings,
    )
    previous = list(allocation.assignments)
    pinned = False
    if previous and rng.random() < 0.3:  # a hand edit: someone moved elsewhere, and pinned
        i = rng.randrange(len(previous))
        others = [o.id for o in event.options_of[previous[i].session] if o.id != previous[i].option]
        if others:
            previous[i] = previous[i].model_copy(
                update={"option": rng.choice(others), "pinned": True}
            )
            pinned = True
    return Late(late, previous, pinned)


def rules_without(made: list[Rule], removed: set[str]) -> list[Rule]:
    """The rules without the people removed (a pair rule left with one person goes)."""
    kept = []
    for rule in made:
        who = tuple(p for p in rule.participants if p not in removed)
        pair = rule.kind in (RuleKind.TOGETHER, RuleKind.APART)
        if who and (len(who) >= 2 or not pair):
            kept.append(rule.model_copy(update={"participants": who}))
    return kept
