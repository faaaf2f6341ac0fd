"""Cross-reference checks on a whole event: every problem collected, none raised."""

import difflib
from collections import Counter
from collections.abc import Iterable

from models.event import Entity, Event, RuleKind, SessionKind
from models.issues import Issue, Level


def validate_event(event: Event) -> list[Issue]:
    """Every cross-reference problem of the event, in sheet order."""
    return [
        *duplicate_ids(event),
        *participant_days(event),
        *session_problems(event),
        *option_problems(event),
        *host_problems(event),
        *preference_problems(event),
        *rule_problems(event),
        *unmet_needs(event),
    ]


def suggest(value: str, known: Iterable[str]) -> str:
    """A ' (did you mean …?)' hint for a misspelt id, or nothing."""
    match = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def listing(values: Iterable[str], limit: int = 12) -> str:
    """A short comma-separated list for messages."""
    items = list(values)
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def issue(sheet: str, entity: Entity, column: str, message: str) -> Issue:
    """An error located at an entity's row."""
    return Issue(sheet=sheet, row=entity.row, column=column, message=message)


def duplicate_ids(event: Event) -> list[Issue]:
    """Ids must be unique: people and sessions in the event, options within their session."""
    found: list[Issue] = []
    tables: list[tuple[str, list[tuple[object, Entity]], str]] = [
        ("Participants", [(p.id, p) for p in event.participants], "participant"),
        ("Sessions", [(s.id, s) for s in event.sessions], "session"),
        ("Options", [(o.key, o) for o in event.options], "option"),
    ]
    for sheet, keyed, noun in tables:
        counts = Counter(key for key, _ in keyed)
        seen: set[object] = set()
        for key, entity in keyed:
            if counts[key] > 1 and key in seen:
                name = key[1] if isinstance(key, tuple) else key
                scope = f" in session {key[0]}" if isinstance(key, tuple) else ""
                found.append(issue(sheet, entity, "id", f'duplicate {noun} id "{name}"{scope}'))
            seen.add(key)
    return found


def participant_days(event: Event) -> list[Issue]:
    """Days a person attends must be days of the programme."""
    days = event.days()
    found = []
    for person in event.participants:
        for day in person.days:
            if day not in days:
                message = f'"{day}" is not a day of any session (days: {listing(days)})'
                found.append(issue("Participants", person, "days", message + suggest(day, days)))
    return found


def session_problems(event: Event) -> list[Issue]:
    """Sessions need options; only roundtables have rounds; audiences name real groups."""
    groups = {person.group for person in event.participants}
    found = []
    for session in event.sessions:
        if not event.options_of.get(session.id):
            found.append(issue("Sessions", session, "id", f"session {session.id} has no options"))
        if session.rounds > 1 and session.kind is not SessionKind.ROUNDTABLE:
            message = f"session {session.id} is {session.kind}; only roundtables have rounds"
            found.append(issue("Sessions", session, "rounds", message))
        for group in session.audience:
            if group not in groups:
                found.append(
                    Issue(
                        level=Level.WARNING,
                        sheet="Sessions",
                        row=session.row,
                        column="audience",
                        message=f'no participant is in group "{group}"' + suggest(group, groups),
                    )
                )
    return found


def option_problems(event: Event) -> list[Issue]:
    """Options belong to a known session and have min at most max."""
    sessions = event.session_by_id
    found = []
    for option in event.options:
        if option.session not in sessions:
            message = f'"{option.session}" is not a session' + suggest(option.session, sessions)
            found.append(issue("Options", option, "session", message))
        if option.min > option.max:
            message = f"option {option.id}: min {option.min} is more than max {option.max}"
            found.append(issue("Options", option, "min", message))
    return found


def host_problems(event: Event) -> list[Issue]:
    """Hosts are known people, fixed to one option per session, present that day."""
    people = event.people
    found = []
    fixed: dict[tuple[str, str], str] = {}
    for option in event.options:
        session = event.session_by_id.get(option.session)
        for host in option.hosts:
            if host not in people:
                message = f'host "{host}" is not a participant' + suggest(host, people)
                found.append(issue("Options", option, "hosts", message))
                continue
            earlier = fixed.setdefault((host, option.session), option.id)
            if earlier != option.id:
                message = (
                    f"host {host} is fixed to two options of session {option.session}: "
                    f"{earlier} and {option.id}"
                )
                found.append(issue("Options", option, "hosts", message))
            if session is not None and not people[host].attends(session.day):
                message = f"host {host} does not attend {session.day}, the day of {session.id}"
                found.append(issue("Options", option, "hosts", message))
    return found


def preference_problems(event: Event) -> list[Issue]:
    """Wishes name known people, sessions and options of that session."""
    found = []
    seen: set[tuple[str, str, str]] = set()
    for pref in event.preferences:
        if pref.participant not in event.people:
            message = f'"{pref.participant}" is not a participant' + suggest(
                pref.participant, event.people
            )
            found.append(issue("Preferences", pref, "participant", message))
        if pref.session not in event.session_by_id:
            message = f'"{pref.session}" is not a session' + suggest(
                pref.session, event.session_by_id
            )
            found.append(issue("Preferences", pref, "session", message))
            continue
        options = [option.id for option in event.options_of.get(pref.session, [])]
        if pref.option not in options:
            message = (
                f'"{pref.option}" is not an option of session {pref.session} '
                f"(options: {listing(options)})" + suggest(pref.option, options)
            )
            found.append(issue("Preferences", pref, "option", message))
        key = (pref.participant, pref.session, pref.option)
        if key in seen:
            message = f"{pref.participant} has two wishes for {pref.option} in {pref.session}"
            found.append(issue("Preferences", pref, "option", message))
        seen.add(key)
    return found


def rule_problems(event: Event) -> list[Issue]:
    """Rules name known people, sessions and options; assign and forbid name an option."""
    found = []
    all_option_ids = {option.id for option in event.options}
    for rule in event.rules:
        for person in rule.participants:
            if person not in event.people:
                message = f'"{person}" is not a participant' + suggest(person, event.people)
                found.append(issue("Rules", rule, "participants", message))
        if rule.session and rule.session not in event.session_by_id:
            message = f'"{rule.session}" is not a session' + suggest(
                rule.session, event.session_by_id
            )
            found.append(issue("Rules", rule, "session", message))
            continue
        wants_option = rule.kind in (RuleKind.ASSIGN, RuleKind.FORBID)
        if wants_option and not rule.option:
            found.append(issue("Rules", rule, "option", f"a {rule.kind} rule needs an option"))
        elif rule.option:
            scope = [o.id for o in event.options_of.get(rule.session, [])] if rule.session else []
            known = scope if rule.session else sorted(all_option_ids)
            if rule.option not in known:
                where = f" of session {rule.session}" if rule.session else ""
                message = f'"{rule.option}" is not an option{where}' + suggest(rule.option, known)
                found.append(issue("Rules", rule, "option", message))
        if rule.kind in (RuleKind.TOGETHER, RuleKind.APART) and len(rule.participants) < 2:
            message = f"a {rule.kind} rule needs at least two participants"
            found.append(issue("Rules", rule, "participants", message))
    return found


def unmet_needs(event: Event) -> list[Issue]:
    """A person who needs a feature must find it in some option of each session they join."""
    found = []
    for person in event.participants:
        if not person.needs:
            continue
        for session in event.sessions:
            options = event.options_of.get(session.id, [])
            if not options or not event.takes_part(person, session):
                continue
            if not any(set(person.needs) <= set(option.features) for option in options):
                message = (
                    f"{person.id} needs {', '.join(person.needs)} but no option of "
                    f"session {session.id} offers it"
                )
                found.append(issue("Participants", person, "needs", message))
    return found
