"""A published allocation read back for a re-solve: what each person had, and what is pinned.

A placement is pinned when its row says `pinned = yes`, or when an organiser edited it by
hand: the row's option no longer matches the room written beside it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from models import Assignment, Event
from models.issues import row_ranges
from models.report import ASSIGNMENTS
from models.rooms import edited_by_hand
from solver.rules import reasons_against

Place = tuple[str, str, int]  # (participant, session, round)


@dataclass
class Published:
    """The published placements still meaningful for the event, and the pinned ones."""

    option: dict[Place, str] = field(default_factory=dict)
    pinned: set[Place] = field(default_factory=set)
    rows: dict[Place, int | None] = field(default_factory=dict)
    released: set[Place] = field(default_factory=set)  # pins `--override-pins` let move

    def of_session(self, session: str) -> tuple[dict[tuple[str, int], str], set[tuple[str, int]]]:
        """One session's placements and pins, keyed by (participant, round)."""
        option = {(p, r): o for (p, s, r), o in self.option.items() if s == session}
        pinned = {(p, r) for (p, s, r) in self.pinned if s == session}
        return option, pinned


def read_published(event: Event, assignments: list[Assignment]) -> Published:
    """Placements of people still taking part; people who left are dropped (they are removed)."""
    published = Published()
    for a in assignments:
        session = event.session_by_id.get(a.session)
        person = event.people.get(a.participant)
        if session is None or person is None or not event.takes_part(person, session):
            continue
        if a.round > session.rounds:
            continue
        published.option[a.key] = a.option
        published.rows[a.key] = a.row
        if a.pinned or edited_by_hand(event, a):
            published.pinned.add(a.key)
    return published


def pin_problems(event: Event, published: Published) -> dict[Place, str]:
    """Each pinned placement that breaks a hard rule, with what it breaks in organiser terms."""
    problems: dict[Place, str] = {}
    crowd: dict[tuple[str, str, int], list[Place]] = defaultdict(list)
    for place in sorted(published.pinned):
        person_id, session_id, round_ = place
        option_id = published.option[place]
        option = event.option_by_key.get((session_id, option_id))
        if option is None or option.max == 0:
            problems[place] = f"option {option_id} of {session_id} is closed"
            continue
        reasons = reasons_against(
            event, event.session_by_id[session_id], event.people[person_id], option
        )
        if reasons:
            problems[place] = "; ".join(reasons)
        crowd[(session_id, option_id, round_)].append(place)
    for (session_id, option_id, _round), places in crowd.items():
        option = event.option_by_key[(session_id, option_id)]
        if len(places) > option.max:
            for place in places:
                problems.setdefault(
                    place,
                    f"{option.label} would hold {len(places)} pinned people, capacity {option.max}",
                )
    return problems


def describe_pins(event: Event, published: Published, problems: dict[Place, str]) -> list[str]:
    """Each pinned edit that breaks a hard rule in the organiser's words; pins of one option
    and round that break it alike (too many for its capacity, a closed option) in one line
    with their rows and no names (62 lines for a room of 60 before)."""
    alike: dict[tuple[str, str, int, str], list[Place]] = defaultdict(list)
    for place, problem in problems.items():
        _, session_id, round_ = place
        alike[(session_id, published.option[place], round_, problem)].append(place)
    lines = []
    for (_, option, _, problem), places in alike.items():
        if len(places) == 1:
            lines.append(describe_pin(event, published, places[0], problem))
            continue
        rows = sorted(row for place in places if (row := published.rows.get(place)))
        where = pinned_where(event, option, places[0], rows)
        lines.append(f"pinned: {len(places)} people in {where}: {problem}")
    return lines


def pinned_where(event: Event, option: str, place: Place, rows: list[int]) -> str:
    """Where pins are: "W10 of S1, round 2 (Assignments rows 4–9)"; the round only for a
    session of several, the rows when known."""
    _, session_id, round_ = place
    suffix = f", round {round_}" if event.session_by_id[session_id].rounds > 1 else ""
    plural = "s" if len(rows) > 1 else ""
    where = f" ({ASSIGNMENTS} row{plural} {row_ranges(rows)})" if rows else ""
    return f"{option} of {session_id}{suffix}{where}"


def describe_pin(event: Event, published: Published, place: Place, problem: str) -> str:
    """A pinned edit and what it breaks, e.g. 'Ana (p1) in W10 of S1 (Assignments row 4): …'."""
    person = event.people[place[0]]
    row = published.rows.get(place)
    where = pinned_where(event, published.option[place], place, [row] if row else [])
    return f"pinned: {person.name} ({person.id}) in {where}: {problem}"
