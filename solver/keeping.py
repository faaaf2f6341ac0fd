"""What a re-solve keeps of the published allocation: the placements that must go, the
seats each option keeps, and where the people without a seat may sit."""

from collections import Counter
from collections.abc import Callable, Iterator

from models import Event, Option, Participant, RuleKind, Session
from solver.context import Context
from solver.history import History
from solver.roundtable import wished
from solver.rules import may_take, options_open_to
from solver.rules.core import visits_allowed


def kept_counts(
    ctx: Context, session: Session, rounds: range, leaving: set[tuple[str, int]]
) -> dict[str, int]:
    """The most published people any of these rounds has in each option who may stay there
    (not `leaving`: `must_leave`), when a re-solve keeps people first (`stability_first`):
    balanced sizes move nobody below them. Someone who must leave (a rule now forbids them
    there) holds no seat: counted, they made the option hold one more than it keeps, and
    someone else was moved in to fill that seat."""
    if not ctx.event.settings.stability_first:
        return {}
    published, _ = ctx.published.of_session(session.id)
    held = Counter(
        (round_, option)
        for (person, round_), option in published.items()
        if round_ in rounds and (person, round_) not in leaving
    )
    kept: dict[str, int] = {}
    for (_, option), count in held.items():
        kept[option] = max(kept.get(option, 0), count)
    return kept


def may_stay(event: Event, session: Session, person_id: str, option_id: str | None) -> bool:
    """Whether a published placement can be kept: the person takes part, the option is open,
    and no hard rule of eligibility (needs, vetoes, assign and forbid rules, hosts) keeps
    them out of it."""
    person = event.people.get(person_id)
    option = event.option_by_key.get((session.id, option_id or ""))
    if person is None or option is None:
        return False
    return event.takes_part(person, session) and may_take(event, session, person, option)


def must_leave(
    event: Event, session: Session, published: dict[tuple[str, int], str]
) -> set[tuple[str, int]]:
    """The published (person, round) placements that cannot be kept: those `may_stay`
    refuses (`unkept`), visits to a host's table beyond what a guest may (`repeat_visits`), those a
    hard `together` or `apart` rule cannot keep (`rule_strays`), and those of people a hard
    `together` rule binds to someone who must leave the same option in that round (they
    must go with them; counted as kept, they left a seat someone published was moved in to
    fill)."""
    leaving = unkept(event, session, published)
    leaving |= repeat_visits(event, session, published, leaving)
    leaving |= rule_strays(event, session, published, leaving)
    for rule in event.rules_for(session.id, [RuleKind.TOGETHER]):
        if not rule.is_hard:
            continue
        for person, round_ in list(leaving):
            if person not in rule.participants:
                continue
            option = published.get((person, round_))
            leaving |= {
                (partner, round_)
                for partner in rule.participants
                if published.get((partner, round_)) == option
            }
    return leaving


def least_moves(event: Event, session: Session, published: dict[tuple[str, int], str]) -> int:
    """A lower bound of the published (person, round) placements any schedule changes: those
    that cannot be kept (`may_stay`), and in each option and round, of the people who could
    stay, those beyond its places (its hosts kept) or all but one of a hard `apart` rule's
    people, whichever is more (`crowded`). Visits beyond a host's table's are left out: which
    seat goes is open, and that seat may be one an option's places or a rule moves already."""
    gone = unkept(event, session, published)
    return len(gone) + sum(crowded(event, session, stayers(published, gone)).values())


def unkept(
    event: Event, session: Session, published: dict[tuple[str, int], str]
) -> set[tuple[str, int]]:
    """The published (person, round) placements that cannot be kept (`may_stay`)."""
    return {(p, r) for (p, r), o in published.items() if not may_stay(event, session, p, o)}


def crowded(
    event: Event, session: Session, staying: dict[tuple[str, int], set[str]]
) -> dict[tuple[str, int], int]:
    """For each (option, round) whose people who could stay (`staying`) cannot all stay, how
    many must leave at least: those beyond its places (its hosts kept) or all but one of a
    hard `apart` rule's people, whichever is more."""
    apart = [
        set(rule.participants)
        for rule in event.rules_for(session.id, [RuleKind.APART])
        if rule.is_hard
    ]
    beyond = {}
    for (option_id, round_), people in staying.items():
        option = event.option_by_key[(session.id, option_id)]
        hosts = {host for host in option.hosts if host in event.people}
        over = len(people | hosts) - option.max
        shared = max((len(people & rule) - 1 for rule in apart), default=0)
        if max(over, shared) > 0:
            beyond[(option_id, round_)] = max(over, shared)
    return beyond


def present_in(
    event: Event, session: Session, published: dict[tuple[str, int], str]
) -> dict[tuple[str, int], str]:
    """The published placements of people still taking part in the session."""
    present = {person.id for person in event.audience_of(session)}
    return {key: option for key, option in published.items() if key[0] in present}


def held_seats(
    event: Event, session: Session, published: dict[tuple[str, int], str]
) -> dict[tuple[str, int], str]:
    """The published placements no schedule at the least moves (`least_moves`) changes: of
    people who may stay (`unkept`), where everyone who may stay can (not `crowded`). Each of
    them changed is a move the least moves do not count."""
    staying = stayers(published, unkept(event, session, published))
    full = crowded(event, session, staying)
    return {
        (person, round_): option
        for (option, round_), people in staying.items()
        if (option, round_) not in full
        for person in people
    }


def stayers(
    published: dict[tuple[str, int], str], leaving: set[tuple[str, int]]
) -> dict[tuple[str, int], set[str]]:
    """The published people each (option, round) holds, but those `leaving`."""
    staying: dict[tuple[str, int], set[str]] = {}
    for (person, round_), option_id in published.items():
        if (person, round_) not in leaving:
            staying.setdefault((option_id, round_), set()).add(person)
    return staying


def repeat_visits(
    event: Event,
    session: Session,
    published: dict[tuple[str, int], str],
    leaving: set[tuple[str, int]],
) -> set[tuple[str, int]]:
    """A guest's published seats at a host's table beyond the visits they may make there
    (fewer rounds now, or a hand edit), the latest first, of those not `leaving` already."""
    hosted = {o.id for o in event.options_of[session.id] if o.hosts}
    seats: dict[tuple[str, str], list[int]] = {}
    for (person, round_), option in sorted(published.items()):
        if (
            option in hosted
            and round_ <= session.rounds
            and (person, round_) not in leaving
            and (person, session.id) not in event.host_option
        ):
            seats.setdefault((person, option), []).append(round_)
    strays = set()
    for (person_id, _option), rounds in seats.items():
        guest = event.people.get(person_id)
        if guest is None or len(rounds) < 2:
            continue
        allowed = visits_allowed(session.rounds, usable_tables(event, session, guest))
        strays |= {(person_id, r) for r in rounds[allowed:]}
    return strays


def usable_tables(event: Event, session: Session, person: Participant) -> int:
    """How many of the session's options are open to the person (open, and no eligibility
    rule against it): what their visits to each host's table allow (`visits_allowed`)."""
    return len(options_open_to(event, session, person))


def rule_strays(
    event: Event,
    session: Session,
    published: dict[tuple[str, int], str],
    leaving: set[tuple[str, int]],
) -> set[tuple[str, int]]:
    """The published placements that a hard `together` or `apart` rule breaks and that must
    go for it to hold, of those not `leaving` already: the people of a `together` group
    outside the option they gather in (`together_home`), and all but one of an `apart`
    rule's people who share an option once the groups have gathered (a group's person
    where it gathers, else `apart_stayer`), counting those without a seat who can take one
    option only as sitting there (`bound_seats`). Counted as kept, they made balanced sizes
    move someone else, whom no rule concerns, the other way; an `apart` rule's person
    counted as staying where their group leaves made someone else fill the seat."""
    strays: set[tuple[str, int]] = set()
    groups = together_groups(event, session)
    apart = [rule for rule in event.rules_for(session.id, [RuleKind.APART]) if rule.is_hard]
    for round_ in sorted({round_ for _, round_ in published}) if groups or apart else ():
        placed = {p: o for (p, r), o in published.items() if r == round_ and (p, r) not in leaving}
        held = Counter(placed.values()) + bound_newcomers(event, session, groups, placed)
        home_of: dict[str, str] = {}
        for group, home in together_homes(event, session, groups, placed, held):
            strays |= {(p, round_) for p in group if placed.get(p, home) != home}
            home_of |= dict.fromkeys(group, home)
        bound = bound_seats(event, session, placed) if apart else {}
        staying: set[str] = set()  # the stayers chosen so far: one rule's is the next one's
        for rule in apart:
            seated = {  # where each sits once the together groups have gathered
                p: home_of.get(p) or placed.get(p) or bound[p]
                for p in rule.participants
                if (p in home_of or p in placed or p in bound) and (p, round_) not in strays
            }
            for option, count in Counter(seated.values()).items():
                if count > 1:
                    sharing = [p for p in seated if seated[p] == option]
                    stayer = apart_keeper(event, session, sharing, option, placed, home_of, staying)
                    staying.add(stayer)
                    strays |= {(p, round_) for p in sharing if p != stayer}
    return strays


def apart_keeper(
    event: Event,
    session: Session,
    sharing: list[str],
    option: str,
    placed: dict[str, str],
    home_of: dict[str, str],
    staying: set[str],
) -> str:
    """Which of an `apart` rule's people sharing an option keeps the seat: one whose
    `together` group gathers there (`home_of`), else one an earlier rule kept (`staying`),
    else `apart_stayer`'s choice."""
    chosen = [p for p in sharing if home_of.get(p) == option] or [
        p for p in sharing if p in staying
    ]
    return chosen[0] if chosen else apart_stayer(event, session, sharing, option, placed)


def bound_newcomers(
    event: Event, session: Session, groups: list[list[str]], placed: dict[str, str]
) -> Counter[str]:
    """The seats people without one (in no `together` group) will take where they can take
    no other option, so that a group does not gather where they must go."""
    if not groups:
        return Counter()
    grouped = {person for group in groups for person in group}
    bound = bound_seats(event, session, placed)
    return Counter(option for person, option in bound.items() if person not in grouped)


def bound_seats(event: Event, session: Session, placed: dict[str, str]) -> dict[str, str]:
    """The one option each person without a seat (not `placed`) may take, for those who
    can take no other."""
    bound = {}
    for person in event.audience_of(session):
        if person.id in placed:
            continue
        options = options_open_to(event, session, person)
        if len(options) == 1:
            bound[person.id] = options[0].id
    return bound


def together_groups(event: Event, session: Session) -> list[list[str]]:
    """The people hard `together` rules bind, as groups (rules sharing a person make one),
    those taking part in the session only, in the order the rules name them."""
    group_of: dict[str, list[str]] = {}
    for rule in event.rules_for(session.id, [RuleKind.TOGETHER]):
        if not rule.is_hard:
            continue
        merged: list[str] = []
        for person in rule.participants:
            found = group_of.get(person, [person])
            merged += [p for p in found if p not in merged]
        for person in merged:
            group_of[person] = merged
    unique = {id(group): group for group in group_of.values()}.values()
    people = event.people
    taking_part = [
        [p for p in group if p in people and event.takes_part(people[p], session)]
        for group in unique
    ]
    return [group for group in taking_part if len(group) > 1]


def together_homes(
    event: Event,
    session: Session,
    groups: list[list[str]],
    placed: dict[str, str],
    held: Counter[str],
) -> Iterator[tuple[list[str], str]]:
    """Where each `together` group gathers, the group whose move costs least first (`held`
    counts who each option holds, and then who comes): groups that can gather without a
    move take their seats before others look for room."""
    left = list(groups)
    while left:
        costed = [(together_home(event, session, g, placed, held), i) for i, g in enumerate(left)]
        (home, _cost), index = min(costed, key=lambda found: (found[0][1], found[1]))
        group = left.pop(index)
        if home is None:
            continue
        for person in group:
            if placed.get(person) != home:
                held[home] += 1
                if person in placed:
                    held[placed[person]] -= 1
        yield group, home


def together_home(
    event: Event, session: Session, group: list[str], placed: dict[str, str], held: Counter[str]
) -> tuple[str | None, int]:
    """Where a `together` group gathers with the fewest moves (its people `placed` where
    published, the others new to the session), and how many: of the options that all of
    them may take and that hold them all beside the option's hosts, the one where the
    fewest of them move and the fewest others must leave, for an `apart` rule with one of
    them (`kept_apart`) or to make room (then the one holding most of them, then the first
    in the workbook); None when there is none (the search decides)."""
    members = Counter(placed[p] for p in group if p in placed)
    seated = sum(members.values())
    apart = rule_partners(event, session, RuleKind.APART)

    def moves(option: Option) -> int:
        coming = len(group) - members[option.id]
        pushed = len(kept_apart(apart, group, option.id, placed))
        room = max(0, held[option.id] + coming - pushed - option.max)
        return seated - members[option.id] + pushed + room

    fitting = [
        o
        for o in event.options_of[session.id]
        if len(group) + len(set(o.hosts) - set(group)) <= o.max
        and all(may_stay(event, session, p, o.id) for p in group)
    ]
    best = min(fitting, key=lambda o: (moves(o), -members[o.id]), default=None)
    return (best.id, moves(best)) if best is not None else (None, len(group))


def kept_apart(
    apart: dict[str, set[str]], group: list[str], option: str, placed: dict[str, str]
) -> set[str]:
    """The people `placed` in an option, outside a group, whom a hard `apart` rule keeps
    from someone of the group (`apart`: each person's partners in such rules): they leave if
    the group gathers there."""
    return {
        other
        for person in group
        for other in apart.get(person, ())
        if other not in group and placed.get(other) == option
    }


def apart_stayer(
    event: Event, session: Session, sharing: list[str], option: str, placed: dict[str, str]
) -> str:
    """Which of an `apart` rule's people sharing an option is counted as keeping their seat
    (for the groups' sizes; the search may keep another of them, at the same moves): the
    first named of those with nowhere else to go (no other option they may take with a free
    seat and none of their `apart` partners), else the first named."""
    apart = rule_partners(event, session, RuleKind.APART)
    held = Counter(placed.values())

    def elsewhere(person: str) -> bool:
        return any(
            o.id != option
            and o.max > held[o.id]
            and may_stay(event, session, person, o.id)
            and all(placed.get(other) != o.id for other in apart.get(person, ()))
            for o in event.options_of[session.id]
        )

    return next((p for p in sharing if not elsewhere(p)), sharing[0])


def open_seats(
    ctx: Context, session: Session, history: History, rounds: range, leaving: set[tuple[str, int]]
) -> dict[str, tuple[int, int, int]] | None:
    """In a re-solve of one round, how many of the people who keep no published seat in it
    (newcomers, and the `leaving`: guests of a closed table, people a rule now keeps out of
    theirs and their together partners) may take each option (and in a roundtable's later round
    have not sat at it yet; with a hard rule, only where a `together` partner who keeps their
    seat sits, and not where an `apart` one does or, with no other option, must go), how many
    of those have it among their top wishes, and how many must sit there (no other option
    left, or a together group's seats);
    None for several rounds at once. An option grows above the people it keeps only by them, and
    the seats one above the others go first where most of them may sit, then where most of them
    wish to (`split_sizes`; a newcomer at 2023's COOP, all seats one above the others at tables
    they had not ranked, got none of their three wishes).

    Balanced sizes put those seats at the largest tables, the same ones every round; a
    newcomer takes one of them in round 1, may not visit that table again, and someone
    published there had to move in round 2 to fill it (2023's academy, one guest more at
    NEXTGEN's four tables: one move, now none). Growing an option that none of them may
    take moved someone published into it, for balance alone.
    """
    if len(rounds) != 1:
        return None
    event, round_ = ctx.event, rounds[0]
    published, _ = ctx.published.of_session(session.id)
    free = [
        person
        for person in event.audience_of(session)
        if (person.id, round_) not in published or (person.id, round_) in leaving
    ]
    later = Counter((p, option) for (p, r), option in published.items() if r > round_)
    partners = rule_partners(event, session)
    apart = rule_partners(event, session, RuleKind.APART)
    options = event.options_of[session.id]

    def visits_left(person: Participant, option: Option) -> bool:
        """A host's table the person has not sat at as often as they may, counting the seats
        they hold there in later rounds (one more would force a later move); tables without
        hosts as often as anyone likes."""
        if not option.hosts or (person.id, session.id) in event.host_option:
            return True
        sat = history.visits[(session.id, person.id, option.id)] + later[(person.id, option.id)]
        return sat < visits_allowed(session.rounds, usable_tables(event, session, person))

    def may_join(person: Participant, option: Option) -> bool:
        """Whether a person without a seat may take a seat in the option this round."""
        return (
            may_take(event, session, person, option)
            and visits_left(person, option)
            and all(  # people who must be together go where each of them may
                may_take(event, session, event.people[other], option)
                and stays_at(other) in (None, option.id)  # and join a partner who stays
                for other in partners.get(person.id, ())
            )
            and all(stays_at(other) != option.id for other in apart.get(person.id, ()))
        )

    def stays_at(person_id: str) -> str | None:
        place = (person_id, round_)
        return published.get(place) if place not in leaving else None

    choices = apart_from_bound(
        {p.id: [o.id for o in options if may_join(p, o)] for p in free}, apart
    )
    takers = {o.id: [p for p, ids in choices.items() if o.id in ids] for o in options}
    only = Counter(ids[0] for ids in choices.values() if len(ids) == 1)
    only += held_together(free, partners, options, takers, choices)
    beyond, beyond_wishing = overflow_takers(
        event, session, options, published, round_, leaving, may_join
    )
    return {
        option.id: (
            len(takers[option.id]) + beyond[option.id],
            sum(1 for p in takers[option.id] if wished(event, session, p, option.id))
            + beyond_wishing[option.id],
            only[option.id],
        )
        for option in options
    }


def overflow_takers(
    event: Event,
    session: Session,
    options: list[Option],
    published: dict[tuple[str, int], str],
    round_: int,
    leaving: set[tuple[str, int]],
    may_join: Callable[[Participant, Option], bool],
) -> tuple[Counter[str], Counter[str]]:
    """How many of the people an option holds beyond its places (a capacity cut: some of
    them keep no seat) may take each other option, and how many of those wish to: at most as
    many as must leave. Uncounted, balance gave a spare seat to an option none of them may
    take, and someone published was moved into it for balance alone (2 moves where 1 does)."""
    staying = stayers(published, leaving)
    beyond: Counter[str] = Counter()
    wishing: Counter[str] = Counter()
    for option in options:
        ids = sorted(staying.get((option.id, round_), set()))
        people = [event.people[p] for p in ids if p in event.people]
        excess = len(people) - option.max
        if excess <= 0:
            continue
        for other in options:
            if other.id == option.id:
                continue
            able = [p for p in people if may_join(p, other)]
            beyond[other.id] += min(excess, len(able))
            wishing[other.id] += min(
                excess, sum(1 for p in able if wished(event, session, p.id, other.id))
            )
    return beyond, wishing


def apart_from_bound(
    choices: dict[str, list[str]], apart: dict[str, set[str]]
) -> dict[str, list[str]]:
    """Each person's `choices` without the options where an `apart` partner with one
    choice only must sit."""
    bound = {person: ids[0] for person, ids in choices.items() if len(ids) == 1}
    return {
        person: [o for o in ids if all(bound.get(other) != o for other in apart.get(person, ()))]
        if len(ids) > 1
        else ids
        for person, ids in choices.items()
    }


def held_together(
    free: list[Participant],
    partners: dict[str, set[str]],
    options: list[Option],
    takers: dict[str, list[str]],
    choices: dict[str, list[str]],
) -> Counter[str]:
    """Seats kept at one option for each group of people without a seat who must be together:
    the one, of those each of them may take, most of the free people may take. Balance
    gives the extra seats one an option, so a pair had to make room by moving someone."""
    seats: Counter[str] = Counter()
    placed: set[str] = set()
    for person in free:
        group = [p for p in free if p.id == person.id or p.id in partners.get(person.id, ())]
        if len(group) < 2 or person.id in placed:
            continue
        placed |= {p.id for p in group}
        shared = [o for o in options if all(o.id in choices[p.id] for p in group)]
        if shared:  # those with one option left are counted there already
            best = max(shared, key=lambda o: (len(takers[o.id]), o.max))
            seats[best.id] += sum(1 for p in group if len(choices[p.id]) > 1)
    return seats


def rule_partners(
    event: Event, session: Session, kind: RuleKind = RuleKind.TOGETHER
) -> dict[str, set[str]]:
    """Each person's partners in the session's hard rules of a kind (`together`, `apart`)."""
    partners: dict[str, set[str]] = {}
    for rule in event.rules_for(session.id, [kind]):
        if rule.is_hard:
            for person in rule.participants:
                others = {p for p in rule.participants if p != person and p in event.people}
                partners.setdefault(person, set()).update(others)
    return partners
