"""What changed between the published allocation and the new one, and why, in organiser terms."""

from collections import Counter
from collections.abc import Callable

from models import Allocation, Assignment, Change, Event, RuleKind
from models.issues import counted
from models.rooms import edited_by_hand, written_option
from solver.keeping import usable_tables
from solver.rules import options_open_to, reasons_against
from solver.rules.core import visits_allowed

Place = tuple[str, str, int]
ROOM_MADE = "moved to make the new allocation possible"  # when no better reason is known
BY_HAND = "moved by hand in the published allocation"  # its option cell edited, its room not


def list_changes(event: Event, before: list[Assignment], after: Allocation) -> list[Change]:
    """Every placement that is new, gone or different, with the reason; each person named as
    the event names them, or as the published allocation did (someone who cancelled)."""
    old = {a.key: a.option for a in before}
    new = {a.key: a.option for a in after.assignments}
    crowd = Counter((s, o, r) for (_p, s, r), o in old.items())
    held = Counter((s, o, r) for (_p, s, r), o in new.items())
    arrived: dict[tuple[str, str, int], list[str]] = {}
    for (p, s, r), o in new.items():
        if old.get((p, s, r)) != o:
            arrived.setdefault((s, o, r), []).append(p)
    edited = Counter((a.session, a.option, a.round) for a in before if edited_by_hand(event, a))
    by_hand = moves_by_hand(event, before)
    known = {a.participant for a in before}
    names = {a.participant: a.name for a in before} | {p.id: p.name for p in event.participants}
    changes = []
    for place in sorted(old.keys() | new.keys(), key=order(event)):
        person, session, round_ = place
        was, now = old.get(place, ""), new.get(place, "")
        if was == now and place not in by_hand:
            continue
        if was == now:  # kept where an organiser moved them by hand
            was, reason = by_hand[place]
        elif not was:
            reason = "newcomer" if person not in known else "now takes part"
        elif not now:
            reason = why_gone(event, place)
        else:
            slot = (session, was, round_)
            reason = why_moved(event, place, was, crowd[slot], edited[slot], old, held[slot])
            if reason == ROOM_MADE:
                reason = made_room(event, session, was, arrived.get(slot, [])) or reason
        changes.append(
            Change(
                participant=person,
                name=names.get(person, ""),
                session=session,
                round=round_,
                before=was,
                after=now,
                reason=reason,
            )
        )
    return changes


def moves_by_hand(event: Event, before: list[Assignment]) -> dict[Place, tuple[str, str]]:
    """The published rows whose option cell an organiser changed from the option their room
    cell names (`written_option`): where each person was placed before, and the reason.
    They are moves the people concerned have not been told of."""
    moves = {}
    for a in before:
        written = written_option(event, a)
        if written is not None:
            moves[a.key] = (written, BY_HAND)
    return moves


def why_gone(event: Event, place: Place) -> str:
    """Why a published placement has no place in the new allocation, in the words of the
    re-solve's warnings."""
    person, session_id, round_ = place
    session = event.session_by_id.get(session_id)
    if person not in event.people:
        return "cancelled"
    if session is None:
        return "session removed from the programme"
    if round_ > session.rounds:
        return "round no longer held"
    return "no longer takes part"


def order(event: Event) -> Callable[[Place], tuple[int, int, str]]:
    """Sort places by session order, round, then participant."""
    position = {session.id: index for index, session in enumerate(event.sessions)}
    return lambda place: (position.get(place[1], len(position)), place[2], place[0])


def why_moved(
    event: Event,
    place: Place,
    was: str,
    published_count: int,
    edited_in: int = 0,
    old: dict[Place, str] | None = None,
    held_now: int | None = None,
) -> str:
    """Why a person left their published option: closed, a rule about them, a rule binding
    them to others (`bound_by_rule`), a host's table they sat at in more rounds than a guest
    may (`visited_too_often`), more people than places (hand edits put too many in
    it, or it has fewer places now), too few left for its minimum (it holds nobody now), or
    room made."""
    person_id, session_id, _round = place
    option = event.option_by_key.get((session_id, was))
    if option is None or option.max == 0:
        return f"moved because option {was} closed"
    reasons = reasons_against(
        event, event.session_by_id[session_id], event.people[person_id], option
    )
    if reasons:  # about this person: before the room's seats, which concern everyone in it
        return "moved because " + "; ".join(reasons)
    bound = bound_by_rule(event, place, was, old or {}) or visited_too_often(
        event, place, was, old or {}
    )
    if bound:
        return bound
    if published_count > option.max:
        places = counted(option.max, "place")
        if published_count - edited_in <= option.max:
            put = f"hand edits put {published_count} in {option.label}"
            return f"moved because {put}, which has {places}"
        return f"moved because {option.label} now has {places}"
    if held_now == 0 and option.min > 1:
        return f"moved because too few were left in {option.label} for its minimum of {option.min}"
    return ROOM_MADE


def made_room(event: Event, session_id: str, was: str, arrived: list[str]) -> str | None:
    """The reason when someone who came to the option in that round can take no other
    (a newcomer with needs, a rule that assigns them there): nobody named."""
    session = event.session_by_id[session_id]
    for person_id in arrived:
        person = event.people.get(person_id)
        if person is None:
            continue
        if [option.id for option in options_open_to(event, session, person)] == [was]:
            label = event.option_by_key[(session_id, was)].label
            return f"moved to make room in {label} for someone who can take no other option"
    return None


def bound_by_rule(event: Event, place: Place, was: str, old: dict[Place, str]) -> str | None:
    """The reason when a hard `together` rule had the person apart from a partner, or a hard
    `apart` rule had them with one, in the published allocation; nobody else named (the
    terminal counts reasons), the rule by its row."""
    person, session, round_ = place
    for rule in event.rules_for(session, [RuleKind.TOGETHER, RuleKind.APART]):
        if not rule.is_hard or person not in rule.participants:
            continue
        others = [old.get((p, session, round_)) for p in rule.participants if p != person]
        where = f" (Rules row {rule.row})" if rule.row else ""
        if rule.kind is RuleKind.TOGETHER and any(o not in (None, was) for o in others):
            return f"moved to join the people a together rule binds them to{where}"
        if rule.kind is RuleKind.APART and was in others:
            return f"moved because a rule keeps them apart from someone else in {was}{where}"
    return None


def visited_too_often(event: Event, place: Place, was: str, old: dict[Place, str]) -> str | None:
    """The reason when a guest sat at a host's table in more of the published rounds than a
    guest may (a host who is now a guest, a table closed or a round added since): the rule
    of distinct tables, as the checker counts it."""
    person_id, session_id, _round = place
    session = event.session_by_id[session_id]
    option = event.option_by_key[(session_id, was)]
    if session.rounds <= 1 or not option.hosts or (person_id, session_id) in event.host_option:
        return None
    times = sum(1 for (p, s, _r), o in old.items() if (p, s, o) == (person_id, session_id, was))
    allowed = visits_allowed(session.rounds, usable_tables(event, session, event.people[person_id]))
    if times <= allowed:
        return None
    most = "once" if allowed == 1 else f"at most {allowed} times"
    rounds = f"they were at {option.label} in {times} rounds"
    return f"moved because a guest sits at a host's table {most}; {rounds}"
