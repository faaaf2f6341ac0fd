"""The independent checker: every rule evaluated on a finished allocation, in organiser terms.

It reads only the event and the allocation, never the CP-SAT model, so it can score an
allocation an organiser edited by hand as well as one the solver produced.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from models import Allocation, Assignment, CheckReport, Event, Option, Rule, RuleKind, Session
from models.rooms import edited_by_hand
from solver.check_groups import check_groups, encounters, group_stats, mixing
from solver.checker import Checker, in_round, rounds_of


def check_allocation(
    event: Event,
    allocation: Allocation,
    previous: list[Assignment] | None = None,
    sessions: set[str] | None = None,
    pins_released: bool = False,
) -> CheckReport:
    """Evaluate every rule of the event on the allocation and compute its cost.

    With `previous` (a published allocation) moves are counted too, and its pinned placements
    must be kept, but for those that break a hard rule when `pins_released`
    (`--override-pins`: the solver may move those only); `sessions` limits the
    rules checked and the cost to those sessions (a re-solve of one day); choices met and
    dissatisfaction still cover every session (fairness counts earlier days).
    """
    checker = Checker(event, allocation)
    released = released_pins(checker, previous or []) if pins_released else set()
    for session in event.sessions:
        if sessions is None or session.id in sessions:
            check_session(checker, session)
            stability(checker, session, previous)
            pins_kept(checker, session, previous or [], released)
    preference_cost, session_ranks, dissatisfaction = score_preferences(event, allocation, sessions)
    soft = sum(result.penalty for result in checker.results)
    new_people, repeat_pairs = encounters(checker)
    return CheckReport(
        results=checker.results,
        preference_cost=preference_cost,
        soft_penalty=soft,
        objective=event.settings.weight_preference * preference_cost + soft,
        rank_counts=dict(sum((Counter(counts) for counts in session_ranks.values()), Counter())),
        session_ranks=session_ranks,
        worst_off=max(dissatisfaction.values(), default=0),
        dissatisfaction=dissatisfaction,
        groups=group_stats(event, checker),
        new_people=new_people,
        repeat_pairs=repeat_pairs,
    )


def check_session(checker: Checker, session: Session) -> None:
    """Every rule of one session."""
    one_place_each(checker, session)
    for check in (capacity, minimum, hosts_in_place, needs_met, vetoes_kept, distinct_tables):
        check(checker, session)
    for rule in checker.event.rules:
        if rule.applies_to(session.id):
            organiser_rule(checker, session, rule)
    check_groups(checker, session)
    mixing(checker, session)


def stability(checker: Checker, session: Session, previous: list[Assignment] | None) -> None:
    """Each person of the published allocation who changed option is a move.

    Moves cost `weight_stability` each when stability is weighed with the other criteria;
    when it comes first (the default) they are listed without a cost.
    """
    if previous is None or not checker.event.settings.weight_stability:
        return
    settings = checker.event.settings
    moved = [
        a
        for a in published_rows(checker, session, previous)
        if checker.allocation.option_of.get(a.key) != a.option
    ]
    for a in moved:
        now = checker.allocation.option_of.get(a.key, "no option")
        suffix = in_round(session, a.round)
        message = f"{checker.who(a.participant)} moved from {a.option} to {now}{suffix}"
        cost = 0 if settings.stability_first else settings.weight_stability
        checker.soft("stability", session, cost, message, [a.participant], held=False)
    checker.soft_held("stability", session, "nobody moved")


def published_rows(
    checker: Checker, session: Session, previous: list[Assignment]
) -> list[Assignment]:
    """The published allocation's rows of this session for people still taking part in it,
    in rounds it still has: the ones a re-solve can keep or move."""
    audience = {p.id for p in checker.event.audience_of(session)}
    return [
        a
        for a in previous
        if a.session == session.id and a.participant in audience and a.round <= session.rounds
    ]


def released_pins(checker: Checker, previous: list[Assignment]) -> set[tuple[str, str, int]]:
    """The pinned placements `--override-pins` lets move: those that break a hard rule, by the
    checker's own tests (independent of the solver's): an option closed or gone, one the
    person may not use (`may_use`), or more people pinned to it than it holds."""
    event = checker.event
    pins = [
        a
        for a in previous
        if (a.pinned or edited_by_hand(event, a))
        and a.participant in event.people
        and a.session in event.session_by_id
    ]
    crowd = Counter((a.session, a.option, a.round) for a in pins)
    released = set()
    for a in pins:
        option = event.option_by_key.get((a.session, a.option))
        if (
            option is None
            or option.max == 0
            or not may_use(checker, event.session_by_id[a.session], a.participant, option)
            or crowd[(a.session, a.option, a.round)] > option.max
        ):
            released.add(a.key)
    return released


def pins_kept(
    checker: Checker,
    session: Session,
    previous: list[Assignment],
    released: AbstractSet[tuple[str, str, int]] = frozenset(),
) -> None:
    """Every pinned placement of the published allocation is where it was (a hard rule): a row
    that says pinned, or whose option was edited by hand (the room written beside it is not
    that option's), but for the `released` ones. Only people still taking part, and only
    when the session has pins."""
    pins = [
        a
        for a in published_rows(checker, session, previous)
        if (a.pinned or edited_by_hand(checker.event, a)) and a.key not in released
    ]
    if not pins:
        return
    problems = []
    for a in pins:
        now = checker.allocation.option_of.get(a.key)
        if now != a.option:
            instead = f"is in {now}" if now else "has no option"
            where = f"{a.option}{in_round(session, a.round)}"
            message = f"{checker.who(a.participant)} is pinned to {where} but {instead}"
            problems.append((message, [a.participant]))
    checker.record("pinned", session, problems, "every pinned placement kept")


def placed(checker: Checker, session: Session) -> dict[tuple[str, int], list[str]]:
    """Each (person, round)'s options in the session, as the allocation says."""
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    for a in checker.allocation.in_session.get(session.id, []):
        found[(a.participant, a.round)].append(a.option)
    return found


def one_place_each(checker: Checker, session: Session) -> None:
    """Everyone taking part has exactly one known option per round; nobody else is placed."""
    event = checker.event
    where = placed(checker, session)
    expected = {p.id for p in event.audience_of(session)}
    known = {option.id for option in event.options_of.get(session.id, [])}
    problems = []
    for person in sorted(expected):
        for round_ in range(1, session.rounds + 1):
            options = where.get((person, round_), [])
            suffix = f" in round {round_}" if session.rounds > 1 else ""
            if not options:
                problems.append((f"{checker.who(person)} has no option{suffix}", [person]))
            elif len(options) > 1:
                listed = ", ".join(options)
                problems.append((f"{checker.who(person)} is in {listed} at once{suffix}", [person]))
    for (person, round_), options in sorted(where.items()):
        suffix = f" in round {round_}" if session.rounds > 1 else ""
        if person not in event.people:
            problems.append((f'"{person}" is not a participant of the event{suffix}', [person]))
        elif person not in expected:
            message = f"{checker.who(person)} does not take part but is placed{suffix}"
            problems.append((message, [person]))
        if round_ > session.rounds:
            problems.append((f"{checker.who(person)} is placed in round {round_}", [person]))
        for option in options:
            if option not in known:
                problems.append((f'"{option}" is not an option of {session.id}', [person]))
    checker.record("one option each", session, problems, "everyone has exactly one option")


def capacity(checker: Checker, session: Session) -> None:
    """No option holds more than its max."""
    problems = size_problems(checker, session, "capacity", lambda n, o: n > o.max, lambda o: o.max)
    checker.record("capacity", session, problems, "every option within its capacity")


def minimum(checker: Checker, session: Session) -> None:
    """An option that runs holds at least its min."""
    problems = size_problems(
        checker, session, "minimum", lambda n, o: 0 < n < o.min, lambda o: o.min
    )
    checker.record("minimum", session, problems, "every option that runs has its minimum")


def size_problems(
    checker: Checker,
    session: Session,
    word: str,
    wrong: Callable[[int, Option], bool],
    limit: Callable[[Option], int],
) -> list[tuple[str, list[str]]]:
    """Options (per round) with a wrong head count: 'Oak (W10) in S1: 9 people, capacity 8'."""
    problems = []
    for option in checker.event.options_of.get(session.id, []):
        for round_ in rounds_of(session):
            members = checker.allocation.members.get((session.id, option.id, round_), [])
            if wrong(len(members), option):
                message = (
                    f"{option.label} in {session.id}: {len(members)} "
                    f"{'person' if len(members) == 1 else 'people'}, "
                    f"{word} {limit(option)}{in_round(session, round_)}"
                )
                problems.append((message, members))
    return problems


def hosts_in_place(checker: Checker, session: Session) -> None:
    """Hosts sit at their own option in every round."""
    problems = []
    for option in checker.event.options_of.get(session.id, []):
        for host in option.hosts:
            for round_ in rounds_of(session):
                actual = checker.allocation.option_of.get((host, session.id, round_))
                if actual != option.id:
                    message = (
                        f"{checker.who(host)} hosts {option.label} but is in "
                        f"{actual or 'no option'}{in_round(session, round_)}"
                    )
                    problems.append((message, [host]))
    checker.record("hosts", session, problems, "every host at their option")


def option_of(checker: Checker, session: Session, option_id: str) -> Option | None:
    """The session's option with that id."""
    return checker.event.option_by_key.get((session.id, option_id))


def session_assignments(checker: Checker, session: Session) -> list[tuple[str, int, Option]]:
    """(person, round, option) for every placement in the session in a known option."""
    found = []
    for a in checker.allocation.in_session.get(session.id, []):
        if option := option_of(checker, session, a.option):
            found.append((a.participant, a.round, option))
    return found


def needs_met(checker: Checker, session: Session) -> None:
    """Everyone's room offers the features they need."""
    problems = []
    for person_id, round_, option in session_assignments(checker, session):
        person = checker.event.people.get(person_id)
        missing = [need for need in (person.needs if person else ()) if need not in option.features]
        if missing:
            needs = ", ".join(missing)
            message = (
                f"{checker.who(person_id)} needs {needs}; {option.label} does not offer it"
                f"{in_round(session, round_)}"
            )
            problems.append((message, [person_id]))
    checker.record("needs", session, problems, "every room offers what its people need")


def vetoes_kept(checker: Checker, session: Session) -> None:
    """Nobody is placed in an option they said no to."""
    problems = []
    for person_id, round_, option in session_assignments(checker, session):
        if checker.event.vetoed(person_id, session.id, option.id):
            message = (
                f"{checker.who(person_id)} said no to {option.label} but is placed there"
                f"{in_round(session, round_)}"
            )
            problems.append((message, [person_id]))
    checker.record("vetoes", session, problems, "no veto broken")


def distinct_tables(checker: Checker, session: Session) -> None:
    """Across rounds, nobody visits a host's table more often than the number of tables forces.

    Tables without hosts are interchangeable: sitting at one again is no repeat.
    """
    if session.rounds <= 1:
        return
    event = checker.event
    open_options = [o for o in event.options_of.get(session.id, []) if o.max > 0]
    hosted = {o.id for o in open_options if o.hosts}
    visits: Counter[tuple[str, str]] = Counter(
        (person, option.id) for person, _round, option in session_assignments(checker, session)
    )
    problems = []
    for (person, option_id), times in sorted(visits.items()):
        if (person, session.id) in event.host_option or option_id not in hosted:
            continue
        allowed = -(
            -session.rounds // max(1, usable_options(checker, session, person, open_options))
        )
        if times > allowed:
            message = f"{checker.who(person)} sits at {option_id} {times} times"
            problems.append((message, [person]))
    held = (
        "nobody sits at the same host's table twice"
        if len(open_options) >= session.rounds
        else "nobody sits at a host's table more often than the tables they can use force"
    )
    checker.record("distinct tables", session, problems, held)


def usable_options(
    checker: Checker, session: Session, person_id: str, options: list[Option]
) -> int:
    """How many options a person could sit at: their needs met, not vetoed, not forbidden,
    and the one a hard `assign` puts them in when there is one."""
    return sum(1 for option in options if may_use(checker, session, person_id, option, options))


def may_use(
    checker: Checker,
    session: Session,
    person_id: str,
    option: Option,
    options: list[Option] | None = None,
) -> bool:
    """Whether the person may sit at the option: their needs met, not vetoed, not forbidden,
    and the option hard `assign` rules put them in when they name any of `options` (the
    session's: two that name different ones leave none), and a host's own."""
    event = checker.event
    person = event.people.get(person_id)
    hosted = event.host_option.get((person_id, session.id))
    assigned = hard_rule_options(checker, session, person_id, RuleKind.ASSIGN)
    assigned &= {o.id for o in (options or event.options_of.get(session.id, []))}
    return (
        set(person.needs if person else ()) <= set(option.features)
        and not event.vetoed(person_id, session.id, option.id)
        and option.id not in hard_rule_options(checker, session, person_id, RuleKind.FORBID)
        and (not assigned or assigned == {option.id})
        and hosted in (None, option.id)
    )


def hard_rule_options(
    checker: Checker, session: Session, person_id: str, kind: RuleKind
) -> set[str]:
    """The options hard rules of this kind name for the person in the session."""
    return {
        rule.option
        for rule in checker.event.rules
        if rule.kind is kind
        and rule.is_hard
        and rule.applies_to(session.id)
        and person_id in rule.participants
    }


def organiser_rule(checker: Checker, session: Session, rule: Rule) -> None:
    """A rule of the Rules sheet, in one session: held, or broken with its penalty."""
    present = [
        person
        for person in rule.participants
        if any(key[0] == person and key[1] == session.id for key in checker.allocation.option_of)
    ]
    options = {option.id for option in checker.event.options_of.get(session.id, [])}
    if rule.kind in (RuleKind.ASSIGN, RuleKind.FORBID) and rule.option not in options:
        return
    if rule.kind in (RuleKind.TOGETHER, RuleKind.APART) and len(present) < 2:
        return
    violations, messages = rule_violations(checker, session, rule, present)
    if rule.is_hard:
        checker.record(
            rule.kind.value,
            session,
            [(message, present) for message in messages],
            f"held: {rule.describe()}",
        )
    else:
        message = "; ".join(messages) if messages else f"held: {rule.describe()}"
        checker.penalise(rule, session, violations * rule.weight, message, present)


def rule_violations(
    checker: Checker, session: Session, rule: Rule, present: list[str]
) -> tuple[int, list[str]]:
    """How often the rule is broken in the session (its soft unit), and what to say about it."""
    count, messages = 0, []
    for round_ in rounds_of(session):
        where = {p: checker.allocation.option_of.get((p, session.id, round_), "") for p in present}
        suffix = in_round(session, round_)
        if rule.kind is RuleKind.TOGETHER:
            used = sorted({o for o in where.values() if o})
            if len(used) > 1:
                count += len(used) - 1
                options = ", ".join(used)
                messages.append(
                    f"{names(checker, present)} should be together but are in {options}{suffix}"
                )
        elif rule.kind is RuleKind.APART:
            shared = Counter(o for o in where.values() if o)
            for option_id, times in sorted(shared.items()):
                if times > 1:
                    count += times - 1
                    people = names(checker, [p for p, o in where.items() if o == option_id])
                    messages.append(f"{people} should be apart but share {option_id}{suffix}")
        elif rule.kind is RuleKind.ASSIGN:
            for person, option_id in where.items():
                if option_id != rule.option:
                    count += 1
                    messages.append(
                        f"{checker.who(person)} should be in {rule.option} "
                        f"but is in {option_id}{suffix}"
                    )
        elif rule.kind is RuleKind.FORBID:
            for person, option_id in where.items():
                if option_id == rule.option:
                    count += 1
                    messages.append(f"{checker.who(person)} should not be in {rule.option}{suffix}")
    return count, messages


def names(checker: Checker, people: list[str]) -> str:
    """Several people as organisers know them."""
    return ", ".join(checker.who(person) for person in people)


def score_preferences(
    event: Event, allocation: Allocation, sessions: set[str] | None = None
) -> tuple[int, dict[str, dict[str, int]], dict[str, int]]:
    """Total rank cost (of `sessions` only, when given), how many placements of each session
    got each rank (hosts left out), and each person's dissatisfaction."""
    total = 0
    counts: dict[str, Counter[str]] = {}
    per_person: Counter[str] = Counter()
    for a in allocation.assignments:
        if (a.participant, a.session) in event.host_option:
            continue
        wishes = event.preferences_of.get((a.participant, a.session), {})
        ranked = {option: pref.rank for option, pref in wishes.items() if pref.rank is not None}
        got = counts.setdefault(a.session, Counter())
        if not ranked:
            got["no preference"] += 1
            continue
        rank = ranked.get(a.option)
        got[str(rank) if rank else "unranked"] += 1
        costs = event.settings.rank_costs
        cost = costs[min(rank, len(costs)) - 1] if rank else event.settings.unranked_cost
        total += cost if sessions is None or a.session in sessions else 0
        per_person[a.participant] += cost
    return (
        total,
        {session: dict(got) for session, got in counts.items()},
        dict(sorted(per_person.items())),
    )
