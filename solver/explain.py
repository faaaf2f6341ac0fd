"""Why an event cannot be allocated, in the organiser's words, found before solving."""

from models import Event, Option, RuleKind, Session
from solver.rules import reasons_against


def impossibilities(event: Event, sessions: list[Session] | None = None) -> list[str]:
    """Cheap checks that prove the hard rules cannot all hold (in these sessions)."""
    found: list[str] = []
    for session in event.sessions if sessions is None else sessions:
        found += nobody_left_out(event, session)
        found += enough_seats(event, session)
        found += minimums_reachable(event, session)
        found += together_possible(event, session)
    return found


def nobody_left_out(event: Event, session: Session) -> list[str]:
    """Everyone taking part must have at least one option open to them."""
    found = []
    options = [option for option in event.options_of.get(session.id, []) if option.max > 0]
    for person in event.audience_of(session):
        against = [reasons_against(event, session, person, option) for option in options]
        if all(against):
            reasons = "; ".join(reason for option_reasons in against for reason in option_reasons)
            found.append(f"session {session.id}: {person.id} can take no option ({reasons})")
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
    """An option that must run (it has hosts) needs enough people who can attend it."""
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
    return found


def must_run(event: Event, option: Option) -> bool:
    """An option with hosts or a hard assign rule cannot stay closed."""
    if option.hosts:
        return True
    return any(
        rule.is_hard and rule.option == option.id
        for rule in event.rules_for(option.session, [RuleKind.ASSIGN])
    )


def together_possible(event: Event, session: Session) -> list[str]:
    """People who must be together cannot be fixed to different options."""
    found = []
    for rule in event.rules_for(session.id, [RuleKind.TOGETHER]):
        if not rule.is_hard:
            continue
        fixed = {
            person: event.host_option[(person, session.id)]
            for person in rule.participants
            if (person, session.id) in event.host_option
        }
        if len(set(fixed.values())) > 1:
            where = " and ".join(
                f"{person} is fixed to {option}" for person, option in fixed.items()
            )
            people = " and ".join(rule.participants)
            found.append(f"{people} must be together in {session.id} but {where}")
    return found
