"""Cross-reference checks on a whole event: every problem collected, none raised."""

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from models.event import (
    BUILT_IN_ATTRIBUTES,
    Entity,
    Event,
    Option,
    Participant,
    Preference,
    Rule,
    RuleKind,
    Session,
    SessionKind,
    Settings,
)
from models.issues import Issue, Level, counted, listed

SHEETS = ("Participants", "Sessions", "Options", "Preferences", "Rules")


def validate_event(event: Event, read: AbstractSet[str] = frozenset(SHEETS)) -> list[Issue]:
    """Every cross-reference problem of the event, in sheet order.

    After the duplicate ids are reported, the checks see only the first row of each id,
    so that a duplicate's other values do not cause further messages. A check runs when the
    sheets it looks ids up in were `read` (a sheet or required column missing leaves its
    ids unknown, and every reference to them would look wrong): the other problems are
    listed beside the missing sheet.
    """
    unique = first_of_each_id(event)
    later = [found for check, needs in CHECKS if needs <= read for found in check(unique)]
    return duplicate_ids(event) + later


def registrations_undated(event: Event) -> list[Issue]:
    """When people have a `registered` date-time, a warning for each session it cannot be
    compared with: a day that is not a date (`Day 1`, `10/03/2025`), so late registrants are
    placed in it even when it is over, and an end that is not a time (`11h`), so it counts as
    ending with its day."""
    if not any(person.registered for person in event.participants):
        return []
    found = []
    undated: dict[str, list[Session]] = {}
    for session in event.sessions:
        if session.calendar_day is None:
            undated.setdefault(session.day, []).append(session)
        elif session.end.strip() and session.end_time is None:
            message = (
                f'"{session.end}" is not a time (HH:MM): for people who registered late, the '
                "session ends with its day"
            )
            found.append(issue("Sessions", session, "end", message, Level.WARNING))
    for day, sessions in undated.items():
        what = "this session" if len(sessions) == 1 else f"its {len(sessions)} sessions"
        message = (
            f'"{day}" is not a date (YYYY-MM-DD or an Excel date): people who registered late '
            f"are placed in {what} even when over"
        )
        found.append(issue("Sessions", sessions[0], "day", message, Level.WARNING))
    return sorted(found, key=lambda found_issue: found_issue.row or 0)


def registered_after_the_event(event: Event) -> list[Issue]:
    """A warning for someone whose `registered` date-time comes after every session they
    would join has ended (a late registration, or a year typed wrong): they are placed in none."""
    found = []
    for person in event.participants:
        if person.registered is None:
            continue
        on_time = person.model_copy(update={"registered": None})
        would_join = [session for session in event.sessions if event.takes_part(on_time, session)]
        if would_join and not any(event.takes_part(person, session) for session in would_join):
            message = (
                f"{person.id} registered after every session they would join had ended "
                f"(the last on {would_join[-1].day}); they are placed in none"
            )
            found.append(issue("Participants", person, "registered", message, Level.WARNING))
    return found


def rules_about_the_absent(event: Event) -> list[Issue]:
    """A warning for a rule of one session naming someone who does not take part in it (not
    there that day, or not in its audience): the rule cannot concern them there."""
    found = []
    for rule in event.rules:
        session = event.session_by_id.get(rule.session)
        if session is None:
            continue  # every session: people take part in some only
        absent = [
            person
            for person in rule.participants
            if person in event.people and not event.takes_part(event.people[person], session)
        ]
        if absent:
            who = ", ".join(absent)
            verb = "does" if len(absent) == 1 else "do"
            message = f"{who} {verb} not take part in {session.id}; the rule leaves them out there"
            found.append(issue("Rules", rule, "participants", message, Level.WARNING))
    return found


def unknown_people(event: Event) -> list[Issue]:
    """Preferences and rules naming someone who is not a participant: a warning (once per
    sheet, naming them all, at the first of their rows: `cancellations`), since removing
    someone who cancelled from the Participants sheet is how a cancellation is made
    (`without_unknown_people` then leaves them out); an error when the id is a
    participant's with its leading zeros lost (5 for 005: Excel's doing, not a cancellation)
    or typed otherwise (P0004, "P 004" or p4 for P004; Ab for ab or AB: `ids_by_shape`).
    The warning gives no "did you mean": ids in sequence look alike (p003 and p007), and a
    cancellation is no typo."""
    rows: dict[tuple[str, str], list[Entity]] = {}
    for pref in event.preferences:
        if pref.participant not in event.people:
            rows.setdefault(("Preferences", pref.participant), []).append(pref)
    for rule in event.rules:
        for person in rule.participants:
            if person not in event.people:
                rows.setdefault(("Rules", person), []).append(rule)
    found = []
    shapes = ids_by_shape(event.people) if rows else {}
    others = other_names(event) if rows else {}
    cancelled: dict[str, dict[str, list[Entity]]] = {}  # by sheet: each person's rows
    for (sheet, person), entities in rows.items():
        hint = suggest(person, event.people)
        column = "participant" if sheet == "Preferences" else "participants"
        meant = sorted(shapes.get(id_shape(person), []))
        if len(meant) > 1:
            hint = f" (it could be {listed(meant)}: write it as one of them)"
        elif meant and "Excel drops" not in hint:
            hint = f' (did you mean "{meant[0]}"?)'
        elif not meant and (named := named_otherwise(person, event, others)):
            hint, meant = named, [person]
        if "Excel drops" in hint or meant:
            for entity in entities:
                message = f'"{person}" is not a participant{hint}'
                found.append(issue(sheet, entity, column, message))
            continue
        cancelled.setdefault(sheet, {})[person] = entities
    return found + [cancellations(sheet, people) for sheet, people in cancelled.items()]


def cancellations(sheet: str, people: dict[str, list[Entity]]) -> Issue:
    """One warning for the people a sheet names who are not participants (and look like no
    participant's id), at the first of their rows: their rows are left out."""
    rows = [entity for entities in people.values() for entity in entities]
    first = min(rows, key=lambda entity: entity.row or 0)
    column = "participant" if sheet == "Preferences" else "participants"
    names = listed([f'"{person}"' for person in sorted(people, key=in_number_order)])
    if len(people) == 1:
        more = f" (and {counted(len(rows) - 1, 'more row')})" if len(rows) > 1 else ""
        said = f"{names} is not a participant{more}"
    else:
        said = f"{names} are not participants ({counted(len(rows), 'row')})"
    rules = "left out of the rules" if len(rows) > 1 else "left out of the rule"
    what = "their wishes are left out" if sheet == "Preferences" else rules
    return issue(sheet, first, column, f"{said}; {what} (cancelled?)", Level.WARNING)


def in_number_order(text: str) -> list[str]:
    """What sorts ids by their numbers' values: p9 before p10."""
    parts = re.split(r"([0-9]+)", text)  # text, number, text, …
    return [f"{int(part):020}" if index % 2 else part for index, part in enumerate(parts)]


def other_names(event: Event) -> dict[str, tuple[str, str]]:
    """Each participant's id, and what names them so, by their email and by their name (a
    name two people share left out), case-folded: what a sheet may name people by instead
    of their ids."""
    names = Counter(person.name.casefold() for person in event.participants if person.name)
    by_name = {
        person.name.casefold(): (person.id, "name")
        for person in event.participants
        if person.name and names[person.name.casefold()] == 1
    }
    by_email = {p.email.casefold(): (p.id, "email") for p in event.participants if p.email}
    return by_name | by_email


def named_otherwise(person: str, event: Event, others: dict[str, tuple[str, str]]) -> str:
    """A hint when a reference is a participant's email or name, or ids without commas
    between them ("P004 P005"); "" when it is none of these (someone who cancelled)."""
    if person.casefold() in others:
        meant, what = others[person.casefold()]
        return f" (it is the {what} of {meant}: name people by their id)"
    parts = person.split()
    if len(parts) > 1 and all(part in event.people for part in parts):
        return f" (ids {listed(parts)}: separate them with commas)"
    return ""


def ids_by_shape(known: Iterable[str]) -> dict[str, list[str]]:
    """Known ids by their shape (`id_shape`): an id typed otherwise finds the ids it may mean
    (P0004, "P 004", p4 for P004; Ab for ab and AB)."""
    shapes: dict[str, list[str]] = {}
    for name in known:
        shapes.setdefault(id_shape(name), []).append(name)
    return shapes


def id_shape(text: str) -> str:
    """An id with case and spaces aside and each number without leading zeros."""
    squeezed = re.sub(r"\s+", "", text.casefold())
    return re.sub(r"\d+", lambda digits: str(int(digits.group())), squeezed)


def without_unknown_people(event: Event) -> tuple[Event, list[Issue]]:
    """The event without the wishes of people who are not participants, and without them in
    rules; a rule left without the people it needs (two for together and apart, one for the
    others) goes, with a warning."""
    people = event.people
    rules, dropped = [], []
    for rule in event.rules:
        kept = tuple(person for person in rule.participants if person in people)
        needed = 2 if rule.kind in (RuleKind.TOGETHER, RuleKind.APART) else 1
        if len(kept) == len(rule.participants):
            rules.append(rule)
        elif len(kept) >= needed:
            rules.append(rule.model_copy(update={"participants": kept}))
        else:
            message = f"the rule ({rule.describe()}) is left out: too few of its people take part"
            dropped.append(issue("Rules", rule, "participants", message, Level.WARNING))
    preferences = [pref for pref in event.preferences if pref.participant in people]
    return event.model_copy(update={"preferences": preferences, "rules": rules}), dropped


COLUMN_SETTINGS = ("diversity", "no_isolation", "spread")  # settings that name columns
DEFAULT_SETTINGS = Settings()


def unknown_columns(event: Event) -> list[Issue]:
    """A warning for each column a setting names that no participant has a value in: that
    criterion would silently weigh nothing for it (a built-in column such as `region` only
    when the setting is not its default: the defaults name columns an event may lack)."""
    known = {key for p in event.participants for key in p.extra}
    filled = {
        column
        for column in BUILT_IN_ATTRIBUTES
        if any(p.attribute(column) for p in event.participants)
    }
    issues = []
    for key in COLUMN_SETTINGS:
        chosen = getattr(event.settings, key) != getattr(DEFAULT_SETTINGS, key)
        for column in getattr(event.settings, key):
            if column in known or column in filled:
                continue
            if column not in BUILT_IN_ATTRIBUTES:
                hint = suggest(column, known | set(BUILT_IN_ATTRIBUTES))
                message = f'{key} names "{column}", which is no Participants column; left out{hint}'
            elif chosen:
                message = f'{key} names "{column}", but no participant has one; it weighs nothing'
            else:
                continue
            issues.append(Issue(level=Level.WARNING, sheet="Settings", message=message))
    return issues


def first_of_each_id(event: Event) -> Event:
    """The event with only the first participant, session and option of each id."""
    people = {person.id: person for person in reversed(event.participants)}
    sessions = {session.id: session for session in reversed(event.sessions)}
    options = {option.key: option for option in reversed(event.options)}
    return Event(
        participants=[p for p in event.participants if people[p.id] is p],
        sessions=[s for s in event.sessions if sessions[s.id] is s],
        options=[o for o in event.options if options[o.key] is o],
        preferences=event.preferences,
        rules=event.rules,
        settings=event.settings,
    )


class Spellings:
    """Known ids by their case-folded form, to read a reference in other case as the id."""

    def __init__(self, ids: Iterable[str], source: str) -> None:
        self.ids = set(ids)
        self.source = source
        folded: dict[str, set[str]] = {}
        for name in self.ids:
            folded.setdefault(name.casefold(), set()).add(name)
        self.by_folded = {key: names.pop() for key, names in folded.items() if len(names) == 1}

    def match(self, value: str) -> str:
        """The known id `value` means: itself when known or ambiguous, else the id in other case."""
        if value in self.ids:
            return value
        return self.by_folded.get(value.casefold(), value)


@dataclass
class Renames:
    """References read as a known id in other case: one warning per sheet and column."""

    found: dict[tuple[str, str], list[tuple[Entity, str, str, str]]] = field(default_factory=dict)

    def one(self, sheet: str, entity: Entity, column: str, value: str, known: Spellings) -> str:
        """The reference as the known id; a change is noted for the warning."""
        matched = known.match(value)
        if matched != value:
            self.found.setdefault((sheet, column), []).append(
                (entity, value, matched, known.source)
            )
        return matched

    def many(
        self, sheet: str, entity: Entity, column: str, values: Iterable[str], known: Spellings
    ) -> tuple[str, ...]:
        """A list of references as known ids."""
        return tuple(self.one(sheet, entity, column, value, known) for value in values)

    def issues(self) -> list[Issue]:
        """One warning per column, at its first change, in sheet and row order."""
        found = []
        for (sheet, column), changes in self.found.items():
            entity, value, matched, source = min(changes, key=lambda change: change[0].row or 0)
            more = f" (and {len(changes) - 1} more in this column)" if len(changes) > 1 else ""
            message = f'"{value}" is read as "{matched}", as in {source}{more}'
            found.append(issue(sheet, entity, column, message, Level.WARNING))
        return sorted(found, key=lambda found: (SHEETS.index(found.sheet), found.row or 0))


def rejoined(parts: tuple[str, ...], known: set[str]) -> tuple[str, ...]:
    """A list read from a comma-separated cell with the runs of items that, joined by ", ",
    make one `known` value (case-folded) joined again, longest first."""
    joined: list[str] = []
    start = 0
    while start < len(parts):
        end = next(
            (
                end
                for end in range(len(parts), start + 1, -1)
                if ", ".join(parts[start:end]).casefold() in known
            ),
            start + 1,
        )
        joined.append(", ".join(parts[start:end]))
        start = end
    return tuple(joined)


def normalise_references(event: Event) -> tuple[Event, list[Issue]]:
    """The event with references that differ from a known id only in case read as that id.

    Spaces around ids are removed while reading the workbook; what is left is case:
    "ws4" in Preferences for the session WS4. Each such change is a warning. A reference
    matching two ids that differ only in case is left alone (and reported as unknown).
    """
    respell = Respelling(event)
    options = [respell.option(item) for item in event.options]
    respell.know_options(options)
    normalised = Event(
        participants=[respell.participant(person) for person in event.participants],
        sessions=[respell.session(item) for item in event.sessions],
        options=options,
        preferences=[respell.preference(pref) for pref in event.preferences],
        rules=[respell.rule(item) for item in event.rules],
        settings=event.settings,
    )
    return normalised, respell.renames.issues()


class Respelling:
    """Each sheet's references read as the ids they mean (`normalise_references`)."""

    def __init__(self, event: Event) -> None:
        self.renames = Renames()
        self.people = Spellings(event.people, "Participants")
        self.group_names = {p.group for p in event.participants} - {""}
        self.groups = Spellings(self.group_names, "Participants")
        self.sessions = Spellings(event.session_by_id, "Sessions")
        self.days = Spellings(event.days(), "Sessions")
        spelled: dict[str, str] = {}  # a feature's first spelling in Options, by its folded form
        for item in event.options:
            for feature in item.features:
                spelled.setdefault(feature.casefold(), feature)
        self.features = Spellings(spelled.values(), "Options")
        self.all_options = Spellings({option.id for option in event.options}, "Options")
        self.options_of: dict[str, Spellings] = {}

    def know_options(self, options: list[Option]) -> None:
        """Each session's option ids, once the options' sessions are respelt."""
        ids_of: dict[str, list[str]] = {}
        for item in options:
            ids_of.setdefault(item.session, []).append(item.id)
        self.options_of = {key: Spellings(ids, "Options") for key, ids in ids_of.items()}

    def options(self, session: str) -> Spellings:
        """The option ids a reference in that session may mean (every session's without one)."""
        return self.options_of.get(session, self.all_options) if session else self.all_options

    def participant(self, person: Participant) -> Participant:
        """A Participants row: its days and needs."""
        days = self.renames.many("Participants", person, "days", person.days, self.days)
        needs = self.renames.many("Participants", person, "needs", person.needs, self.features)
        return person.model_copy(update={"days": days, "needs": needs})

    def session(self, item: Session) -> Session:
        """A Sessions row: its audience (a group whose name holds a comma, split apart when
        the cell was read, joined again: `Academia, research`)."""
        groups = rejoined(item.audience, {group.casefold() for group in self.group_names})
        audience = self.renames.many("Sessions", item, "audience", groups, self.groups)
        return item.model_copy(update={"audience": audience})

    def option(self, item: Option) -> Option:
        """An Options row: its session, hosts and features."""
        one, many = self.renames.one, self.renames.many
        return item.model_copy(
            update={
                "session": one("Options", item, "session", item.session, self.sessions),
                "hosts": many("Options", item, "hosts", item.hosts, self.people),
                "features": many("Options", item, "features", item.features, self.features),
            }
        )

    def preference(self, pref: Preference) -> Preference:
        """A Preferences row: its participant, session and option (of that session)."""
        one = self.renames.one
        where = one("Preferences", pref, "session", pref.session, self.sessions)
        update = {
            "participant": one("Preferences", pref, "participant", pref.participant, self.people),
            "session": where,
            "option": one("Preferences", pref, "option", pref.option, self.options(where)),
        }
        same = all(getattr(pref, key) == value for key, value in update.items())
        return pref if same else pref.model_copy(update=update)  # 300,000 rows: copy fewer

    def rule(self, item: Rule) -> Rule:
        """A Rules row: its participants, session and option (of that session)."""
        one, many = self.renames.one, self.renames.many
        where = one("Rules", item, "session", item.session, self.sessions)
        return item.model_copy(
            update={
                "participants": many("Rules", item, "participants", item.participants, self.people),
                "session": where,
                "option": one("Rules", item, "option", item.option, self.options(where)),
            }
        )


def suggest(value: str, known: Iterable[str]) -> str:
    """A ' (did you mean …?)' hint for a misspelt id, or nothing; case does not count, and
    neither do leading zeros, which Excel drops from a number typed in a cell (5 for 005)."""
    by_folded: dict[str, str] = {}
    for name in known:
        by_folded.setdefault(name.casefold(), name)
    if value.isdigit():
        zeros = [name for name in by_folded.values() if name.isdigit() and int(name) == int(value)]
        if zeros:
            return f' (did you mean "{zeros[0]}"? Excel drops the leading zeros of a number)'
    match = difflib.get_close_matches(value.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f' (did you mean "{by_folded[match[0]]}"?)' if match else ""


def listing(values: Iterable[str], limit: int = 12) -> str:
    """A short comma-separated list for messages."""
    items = list(values)
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def with_article(word: str) -> str:
    """'a together', 'an apart'."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def issue(
    sheet: str, entity: Entity, column: str, message: str, level: Level = Level.ERROR
) -> Issue:
    """A problem located at an entity's row; an error unless told."""
    return Issue(level=level, sheet=sheet, row=entity.row, column=column, message=message)


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
        folded: dict[object, tuple[str, Entity]] = {}
        for key, entity in keyed:
            name = key[1] if isinstance(key, tuple) else str(key)
            scope = f" in session {key[0]}" if isinstance(key, tuple) else ""
            if counts[key] > 1 and key in seen:
                found.append(issue(sheet, entity, "id", f'duplicate {noun} id "{name}"{scope}'))
            elif key not in seen:
                like = case_twin(key, name, entity, folded)
                if like is not None:
                    where = f" in row {like[1].row}" if like[1].row is not None else ""
                    message = (
                        f'{noun} id "{name}" differs from "{like[0]}"{where} '
                        "only in case; both are kept"
                    )
                    found.append(issue(sheet, entity, "id", message, Level.WARNING))
            seen.add(key)
    return found


def case_twin(
    key: object, name: str, entity: Entity, folded: dict[object, tuple[str, Entity]]
) -> tuple[str, Entity] | None:
    """An earlier id that differs from this one only in case; the first of each is remembered."""
    scope = key[0] if isinstance(key, tuple) else ""
    twin = folded.setdefault((scope, name.casefold()), (name, entity))
    return None if twin[1] is entity else twin


def participant_days(event: Event) -> list[Issue]:
    """Days a person attends must be days of the programme (not checked while a session's
    day is missing: that error comes first, and the day people name may be its)."""
    days = event.days()
    if "" in days:
        return []
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
                        message=f'no participant is in group "{group}"{suggest(group, groups)}; '
                        f"it adds nobody to {session.id}'s audience",
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
                message = (
                    f'host "{host}" is not a participant{suggest(host, people)}; a host who '
                    "cancelled is taken out of this cell too, or replaced by whoever hosts instead"
                )
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


def option_hint(event: Event, session: str, named: str) -> str:
    """' (did you mean …?)' for an option named by its title or room, or misspelt."""
    options = event.options_of.get(session, [])
    folded = named.strip().casefold()
    by_name = [o.id for o in options if folded in (o.title.casefold(), o.room.casefold())]
    if len(by_name) == 1:
        return f' (did you mean "{by_name[0]}"? Options are named by their id)'
    return suggest(named, [option.id for option in options])


def preference_problems(event: Event) -> list[Issue]:
    """Wishes name known sessions and options of that session, once each (those of people
    not in Participants are left to `unknown_people`, when it could be read)."""
    found = []
    seen: dict[tuple[str, str, str], Preference] = {}
    for pref in event.preferences:
        if event.people and pref.participant not in event.people:
            continue  # someone who cancelled: `unknown_people`
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
                f"(options: {listing(options)})" + option_hint(event, pref.session, pref.option)
            )
            found.append(issue("Preferences", pref, "option", message))
        key = (pref.participant, pref.session, pref.option)
        if key in seen:
            first = seen[key]
            message = (
                f"{pref.participant} has two wishes for {pref.option} in {pref.session}: "
                f"{shown_rank(pref)} here, {shown_rank(first)} in row {first.row}; keep one"
            )
            found.append(issue("Preferences", pref, "option", message))
        seen.setdefault(key, pref)
    return found


def shown_rank(pref: Preference) -> str:
    """A wish's rank as the sheet writes it: the number, or `no`."""
    return "no" if pref.is_veto else str(pref.rank)


def rule_problems(event: Event) -> list[Issue]:
    """Rules name known people, sessions and options; assign and forbid name an option."""
    found = []
    all_option_ids = {option.id for option in event.options}
    for rule in event.rules:
        if rule.session and rule.session not in event.session_by_id:
            message = f'"{rule.session}" is not a session' + suggest(
                rule.session, event.session_by_id
            )
            found.append(issue("Rules", rule, "session", message))
            continue
        wants_option = rule.kind in (RuleKind.ASSIGN, RuleKind.FORBID)
        if wants_option and not rule.option:
            message = f"{with_article(rule.kind)} rule needs an option"
            found.append(issue("Rules", rule, "option", message))
        elif rule.option:
            scope = [o.id for o in event.options_of.get(rule.session, [])] if rule.session else []
            known = scope if rule.session else sorted(all_option_ids)
            if rule.option not in known:
                where = f" of session {rule.session}" if rule.session else ""
                message = f'"{rule.option}" is not an option{where}' + suggest(rule.option, known)
                found.append(issue("Rules", rule, "option", message))
        if rule.kind in (RuleKind.TOGETHER, RuleKind.APART) and len(rule.participants) < 2:
            message = f"{with_article(rule.kind)} rule needs at least two participants"
            found.append(issue("Rules", rule, "participants", message))
        if rule.kind in (RuleKind.TOGETHER, RuleKind.APART) and rule.option:
            where = (
                "one option, whichever" if rule.kind is RuleKind.TOGETHER else "different options"
            )
            message = (
                f"{with_article(rule.kind)} rule does not use its option: it keeps its people in "
                f"{where}; to place someone in {rule.option}, add an assign rule"
            )
            found.append(issue("Rules", rule, "option", message, Level.WARNING))
    return found


def unmet_needs(event: Event) -> list[Issue]:
    """A person who needs a feature must find it in some option of each session they join:
    an error of a registration form's answers (`import`); in an event workbook, a reason no
    allocation can satisfy the hard rules (solver/explain.py, exit 3)."""
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


PARTICIPANTS, SESSIONS, OPTIONS = "Participants", "Sessions", "Options"
CHECKS: tuple[tuple[Callable[[Event], list[Issue]], frozenset[str]], ...] = (
    # each check after the duplicate ids, and the sheets it looks ids up in (those it
    # checks may be missing: no rows)
    (participant_days, frozenset({SESSIONS})),
    (session_problems, frozenset({OPTIONS, PARTICIPANTS})),
    (registrations_undated, frozenset({PARTICIPANTS})),
    (registered_after_the_event, frozenset({SESSIONS})),
    (option_problems, frozenset({SESSIONS})),
    (host_problems, frozenset({PARTICIPANTS, SESSIONS})),
    (preference_problems, frozenset({SESSIONS, OPTIONS})),
    (rule_problems, frozenset({SESSIONS, OPTIONS})),
    (unknown_columns, frozenset({PARTICIPANTS})),
    (unknown_people, frozenset({PARTICIPANTS})),
    (rules_about_the_absent, frozenset({PARTICIPANTS, SESSIONS})),
)
