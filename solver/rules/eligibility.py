"""Hard rules that decide which options a person may take at all (no variable otherwise).

Each function returns why the person may not take the option, or None when they may.
"""

from collections.abc import Callable

from models import Event, Option, Participant, Rule, RuleKind, Session

Eligibility = Callable[[Event, Session, Participant, Option], str | None]


def hosts_fixed(event: Event, session: Session, person: Participant, option: Option) -> str | None:
    """A host sits at their own option, in every round."""
    hosted = event.host_option.get((person.id, session.id))
    if hosted is not None and hosted != option.id:
        return f"{person.id} hosts {hosted}"
    return None


def needs_met(event: Event, session: Session, person: Participant, option: Option) -> str | None:
    """A person's needs (e.g. step-free) are met by the room's features."""
    missing = [need for need in person.needs if need not in option.features]
    if missing:
        return f"{option.id} does not offer {', '.join(missing)}"
    return None


def no_vetoes(event: Event, session: Session, person: Participant, option: Option) -> str | None:
    """A person who said `no` to an option is never placed there."""
    if event.vetoed(person.id, session.id, option.id):
        return f"{person.id} said no to {option.id}"
    return None


def hard_assign(event: Event, session: Session, person: Participant, option: Option) -> str | None:
    """A hard `assign` rule puts the person in its option and nowhere else."""
    for rule in applicable(event, session, person, RuleKind.ASSIGN):
        if rule.option != option.id:
            closed = event.option_by_key[(session.id, rule.option)].max == 0
            return f"a rule assigns {person.id} to {rule.option}" + (", which holds 0" * closed)
    return None


def hard_forbid(event: Event, session: Session, person: Participant, option: Option) -> str | None:
    """A hard `forbid` rule keeps the person out of its option."""
    for rule in applicable(event, session, person, RuleKind.FORBID):
        if rule.option == option.id:
            return f"a rule forbids {person.id} in {option.id}"
    return None


def applicable(event: Event, session: Session, person: Participant, kind: RuleKind) -> list[Rule]:
    """Hard assign/forbid rules about this person whose option exists in this session."""
    return [
        rule
        for rule in event.rules_for(session.id, [kind])
        if rule.is_hard
        and person.id in rule.participants
        and (session.id, rule.option) in event.option_by_key
    ]


ELIGIBILITY: tuple[Eligibility, ...] = (hosts_fixed, needs_met, no_vetoes, hard_assign, hard_forbid)


def reasons_against(
    event: Event, session: Session, person: Participant, option: Option
) -> list[str]:
    """Every eligibility rule that keeps the person out of the option."""
    return [reason for rule in ELIGIBILITY if (reason := rule(event, session, person, option))]


def may_take(event: Event, session: Session, person: Participant, option: Option) -> bool:
    """Whether the person may take the option: it is open (`max` above 0) and no eligibility
    rule keeps them out of it."""
    return option.max > 0 and not reasons_against(event, session, person, option)


def options_open_to(event: Event, session: Session, person: Participant) -> list[Option]:
    """The session's options the person may take (`may_take`), in the workbook's order."""
    return [o for o in event.options_of.get(session.id, []) if may_take(event, session, person, o)]


def unrestricted(event: Event, session: Session, person: Participant) -> bool:
    """True when no eligibility rule can concern the person in the session (most people):
    no needs, not a host, no veto, no hard assign or forbid rule."""
    if person.needs or (person.id, session.id) in event.host_option:
        return False
    wishes = event.preferences_of.get((person.id, session.id), {})
    if any(pref.is_veto for pref in wishes.values()):
        return False
    kinds = (RuleKind.ASSIGN, RuleKind.FORBID)
    return not any(
        rule.is_hard and person.id in rule.participants
        for rule in event.rules_for(session.id, kinds)
    )
