"""Why an event cannot be allocated, in the organiser's words, found before solving."""

import time

from ortools.sat.python import cp_model

from models import Event, Option, RuleKind, Session
from models.issues import counted, listed
from solver.build import build_session
from solver.history import History
from solver.model import SessionModel
from solver.previous import Published
from solver.rules import reasons_against
from solver.rules.eligibility import applicable, unrestricted
from solver.watch import cp_solver

CORE_SECONDS = 10.0  # at most, for finding and shrinking the set of conflicting rules


def impossibilities(event: Event, sessions: list[Session] | None = None) -> list[str]:
    """Cheap checks that prove the hard rules cannot all hold (in these sessions)."""
    found: list[str] = []
    for session in event.sessions if sessions is None else sessions:
        found += nobody_left_out(event, session)
        found += needs_seated(event, session)
        found += hosts_seated(event, session)
        seats = enough_seats(event, session) + minimums_reachable(event, session)
        found += seats or sizes_add_up(event, session)  # the broader reason, when there is one
        found += together_possible(event, session)
        found += apart_possible(event, session)
    return found


def nobody_left_out(event: Event, session: Session) -> list[str]:
    """Everyone taking part must have at least one option open to them (a host of a closed
    option is `hosts_seated`'s to name, a session with no open option `enough_seats`'s)."""
    found: list[str] = []
    options = [option for option in event.options_of.get(session.id, []) if option.max > 0]
    if not options:
        return found
    open_ids = {option.id for option in options}
    for person in event.audience_of(session):
        if unrestricted(event, session, person):
            continue
        hosted = event.host_option.get((person.id, session.id))
        if hosted is not None and hosted not in open_ids:
            continue
        against = [reasons_against(event, session, person, option) for option in options]
        if all(against):
            every = dict.fromkeys(reason for option_reasons in against for reason in option_reasons)
            reasons = "; ".join(every)  # each once: one reason often closes several options
            found.append(f"session {session.id}: {person.id} can take no option ({reasons})")
    return found


def hosts_seated(event: Event, session: Session) -> list[str]:
    """An option must hold its hosts who take part."""
    found = []
    audience = {person.id for person in event.audience_of(session)}
    for option in event.options_of.get(session.id, []):
        hosts = [host for host in option.hosts if host in audience]
        if len(hosts) > option.max:
            found.append(
                f"option {option.id} of session {session.id} holds at most {option.max}, "
                f"fewer than its hosts ({', '.join(hosts)})"
            )
    return found


def enough_seats(event: Event, session: Session) -> list[str]:
    """The options of a session must hold its whole audience."""
    people = len(event.audience_of(session))
    seats = sum(option.max for option in event.options_of.get(session.id, []))
    if people > seats:
        return [
            f"session {session.id}: {people} people must attend, its options hold at most {seats}"
        ]
    return []


def minimums_reachable(event: Event, session: Session) -> list[str]:
    """An option that must run (it has hosts or a hard assign rule) needs enough people who
    can attend it."""
    found = []
    audience = event.audience_of(session)
    for option in event.options_of.get(session.id, []):
        if option.min <= 0 or not must_run(event, option):
            continue
        can = sum(1 for p in audience if not reasons_against(event, session, p, option))
        if can < option.min:
            found.append(
                f"option {option.id} of session {session.id} needs at least {option.min} people "
                f"but only {can} can attend"
            )
    running = [o for o in event.options_of.get(session.id, []) if o.min > 0 and must_run(event, o)]
    needed = sum(option.min for option in running)
    if not found and len(running) > 1 and needed > len(audience):  # every round, each option
        ids = ", ".join(option.id for option in running)
        found.append(
            f"session {session.id}: options {ids} must run and need at least {needed} people "
            f"together, but {len(audience)} attend"
        )
    return found


def sizes_add_up(event: Event, session: Session) -> list[str]:
    """Some choice of options to run must hold the audience exactly: each option that runs
    holds its `min` to its `max`, and one that must run (`must_run`) cannot stay closed."""
    options = event.options_of.get(session.id, [])
    people = len(event.audience_of(session))
    if not any(option.min > 1 for option in options) or people > sum(o.max for o in options):
        return []  # any count up to the seats fits, or `enough_seats` says why not
    totals = 1  # bit n: n people can be held by the options so far (n up to the audience)
    within = (1 << (people + 1)) - 1
    for option in options:
        held = 0 if must_run(event, option) else totals  # closed: holds nobody
        for size in range(max(option.min, 1), min(option.max, people) + 1):
            held |= totals << size
        totals = held & within
    if totals >> people & 1:
        return []
    ranges = ", ".join(size_range(event, option) for option in options if option.max > 0)
    return [
        f"session {session.id}: {people} people must attend, but no choice of options to run "
        f"holds exactly {people} (each holds from its min to its max when it runs: {ranges})"
    ]


def size_range(event: Event, option: Option) -> str:
    """An option's sizes when it runs ("W1 12", "W2 1–5"), and why it must run if it must."""
    least = max(option.min, 1) if must_run(event, option) else option.min
    sizes = f"{least}–{option.max}" if least < option.max else f"{option.max}"
    why = " (must run: it has hosts)" if option.hosts else " (must run: an assign rule)"
    return f"{option.id} {sizes}" + (why if must_run(event, option) else "")


def must_run(event: Event, option: Option) -> bool:
    """An option with hosts or a hard assign rule cannot stay closed."""
    if option.hosts:
        return True
    return any(
        rule.is_hard and rule.option == option.id
        for rule in event.rules_for(option.session, [RuleKind.ASSIGN])
    )


def together_possible(event: Event, session: Session) -> list[str]:
    """People who must be together cannot be fixed to different options (as hosts, or by
    hard assign rules)."""
    found = []
    for rule in event.rules_for(session.id, [RuleKind.TOGETHER]):
        if not rule.is_hard:
            continue
        fixed = {
            person: option
            for person in rule.participants
            if (option := fixed_option(event, session, person)) is not None
        }
        if len(set(fixed.values())) > 1:
            where = " and ".join(
                f"{person} is fixed to {option}" for person, option in fixed.items()
            )
            people = " and ".join(rule.participants)
            found.append(f"{people} must be together in {session.id} but {where}")
            continue
        present = {p.id for p in event.audience_of(session)} & set(rule.participants)
        largest = max((option.max for option in event.options_of.get(session.id, [])), default=0)
        if len(present) > largest:
            found.append(
                f"session {session.id}: {len(present)} people must be together ({rule.located}), "
                f"but its largest option holds {largest}"
            )
    return found


def fixed_option(event: Event, session: Session, person_id: str) -> str | None:
    """The option a person must take in a session: the one they host, or a hard assign
    rule's (None when neither fixes one)."""
    hosted = event.host_option.get((person_id, session.id))
    person = event.people.get(person_id)
    if hosted is not None or person is None:
        return hosted
    assigned = applicable(event, session, person, RuleKind.ASSIGN)
    return assigned[0].option if assigned else None


def needs_seated(event: Event, session: Session) -> list[str]:
    """The people who need a feature must fit in the options that offer it."""
    found = []
    audience = event.audience_of(session)
    options = [o for o in event.options_of.get(session.id, []) if o.max > 0]
    for feature in sorted({need for person in audience for need in person.needs}):
        needing = sum(1 for person in audience if feature in person.needs)
        offering = [option for option in options if feature in option.features]
        seats = sum(option.max for option in offering)
        if offering and needing > seats:
            ids = ", ".join(option.id for option in offering)
            found.append(
                f"session {session.id}: {needing} people need {feature}, and the options that "
                f"offer it ({ids}) hold at most {seats}"
            )
    return found


def apart_possible(event: Event, session: Session) -> list[str]:
    """People who must be apart need an open option each."""
    found = []
    open_options = sum(1 for option in event.options_of.get(session.id, []) if option.max > 0)
    present = {person.id for person in event.audience_of(session)}
    for rule in event.rules_for(session.id, [RuleKind.APART]):
        apart = [person for person in rule.participants if person in present]
        if rule.is_hard and len(apart) > open_options > 0:
            found.append(
                f"{listed(apart)} must be apart in {session.id} but it has "
                f"{counted(open_options, 'option')}"
            )
    return found


def conflicting_rules(
    event: Event,
    session: Session,
    history: History,
    rounds: range,
    published: Published | None = None,
    seconds: float = CORE_SECONDS,
) -> list[str]:
    """The hard rules of an infeasible session that cannot all hold, in the organiser's words.

    Every hard rule gets an assumption literal; CP-SAT's core names a set of rules that
    conflict, which is then shrunk by leaving out one rule at a time. Half the time goes to
    the first core, the rest is shared by the shrinking steps.
    """
    deadline = time.monotonic() + seconds
    m = build_session(
        event, session, history, None, rounds=rounds, published=published, explain=True
    )
    m.model.clear_objective()
    found = core_of(m, list(m.labels), seconds / 2)
    if found is None:
        return [f"session {session.id}: the hard rules cannot all hold"]
    tried = list(found)
    for step, label in enumerate(tried):
        smaller = [other for other in found if other != label]
        share = (deadline - time.monotonic()) / (len(tried) - step)  # the steps left
        if share > 0 and core_of(m, smaller, share) is not None:
            found = smaller
    return [f"session {session.id}: these rules cannot all hold: " + "; ".join(found)]


def core_of(m: SessionModel, labels: list[str], seconds: float) -> list[str] | None:
    """The labels of a conflicting subset of these rules, or None when they can all hold
    (or when that is not proven within `seconds`)."""
    m.model.clear_assumptions()
    m.model.add_assumptions([m.labels[label] for label in labels])
    solver = cp_solver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    if solver.solve(m.model) != cp_model.INFEASIBLE:
        return None
    by_index = {m.labels[label].index: label for label in labels}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
