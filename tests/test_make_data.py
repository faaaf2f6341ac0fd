"""The bundled example events: built from the programmes, valid, deterministic, feasible."""

import pytest

from models import Event, RuleKind, Session, SessionKind, Strength
from models.validation import validate_event
from scripts.make_data import STEP_FREE, build_academy

YEARS = (2022, 2023)
SPLIT, CHOICE, ROUNDTABLE = SessionKind.SPLIT, SessionKind.CHOICE, SessionKind.ROUNDTABLE
NEXT_GEN = "next generation"

# (day, kind, number of options, rounds, audience) of every session, as the programmes give them.
PROGRAMME = {
    2022: [
        ("2022-02-01", SPLIT, 2, 1, ()),
        ("2022-02-02", SPLIT, 2, 1, ()),
        ("2022-02-03", SPLIT, 2, 1, ()),
        ("2022-02-04", ROUNDTABLE, 8, 3, (NEXT_GEN,)),
        ("2022-02-07", CHOICE, 3, 1, ()),
    ],
    2023: [
        ("2023-02-01", SPLIT, 2, 1, ()),
        ("2023-02-02", SPLIT, 2, 1, ()),
        ("2023-02-03", ROUNDTABLE, 4, 2, (NEXT_GEN,)),
        ("2023-02-06", CHOICE, 3, 1, ()),
        ("2023-02-07", ROUNDTABLE, 14, 3, ()),
    ],
}

SCRIPTS = {
    "Latin": ((0x0041, 0x024F),),
    "Greek": ((0x0370, 0x03FF),),
    "Cyrillic": ((0x0400, 0x04FF),),
    "Georgian": ((0x10A0, 0x10FF),),
    "Arabic": ((0x0600, 0x06FF),),
    "Hangul": ((0x1100, 0x11FF), (0xAC00, 0xD7AF)),
    "Han/Kana": ((0x3040, 0x30FF), (0x4E00, 0x9FFF)),
}


def scripts_of(name: str) -> set[str]:
    """The writing systems the letters of a name belong to."""
    return {
        script
        for char in name
        for script, ranges in SCRIPTS.items()
        if any(low <= ord(char) <= high for low, high in ranges)
    }


def first_choice_bound(event: Event, session: Session) -> float:
    """The largest share of those who ranked options that could get their first choice."""
    ranked = {pref.participant for pref in event.preferences if pref.session == session.id}
    assigned = event.rules_for(session.id, [RuleKind.ASSIGN])
    places = 0
    for option in event.options_of[session.id]:
        fixed = len(option.hosts) + sum(
            len(rule.participants) for rule in assigned if rule.option == option.id
        )
        wanting = sum(
            pref.session == session.id and pref.option == option.id and pref.rank == 1
            for pref in event.preferences
        )
        places += min(option.max - fixed, wanting)
    return places / len(ranked)


@pytest.fixture(name="event", scope="module", params=YEARS)
def fixture_event(request: pytest.FixtureRequest) -> Event:
    """Each year's example event, built once."""
    return build_academy(request.param)


def test_events_have_120_to_160_participants(event: Event) -> None:
    assert 120 <= len(event.participants) <= 160


def test_events_validate_without_issues(event: Event) -> None:
    assert [str(issue) for issue in validate_event(event)] == []


@pytest.mark.parametrize("year", YEARS)
def test_same_seed_gives_the_same_event(year: int) -> None:
    assert build_academy(year).model_dump() == build_academy(year).model_dump()
    assert build_academy(year, seed=7).model_dump() == build_academy(year, seed=7).model_dump()


@pytest.mark.parametrize("year", YEARS)
def test_another_seed_gives_other_people(year: int) -> None:
    assert build_academy(year).participants != build_academy(year, seed=year + 1).participants


@pytest.mark.parametrize("year", YEARS)
def test_sessions_follow_the_programme(year: int) -> None:
    event = build_academy(year)
    found = [
        (s.day, s.kind, len(event.options_of[s.id]), s.rounds, s.audience) for s in event.sessions
    ]
    assert found == PROGRAMME[year]
    assert all(session.title and session.start < session.end for session in event.sessions)


def test_2022_closing_workshops_reuse_the_themes_of_the_first_days() -> None:
    event = build_academy(2022)
    closing = next(s for s in event.sessions if s.kind is CHOICE)
    assert {option.id: option.title for option in event.options_of[closing.id]} == {
        "W10": "Drivers and actors of commitment",
        "W11": "Local development of commitment",
        "W12": "From commitment to responsibility",
    }


def test_every_session_holds_its_audience(event: Event) -> None:
    for session in event.sessions:
        room = sum(option.max for option in event.options_of[session.id])
        assert room >= len(event.audience_of(session)), session.id


def test_every_session_has_step_free_room_for_those_who_need_it(event: Event) -> None:
    needing = [person.id for person in event.participants if STEP_FREE in person.needs]
    assert needing
    for session in event.sessions:
        step_free = [o for o in event.options_of[session.id] if STEP_FREE in o.features]
        audience = [p for p in event.audience_of(session) if STEP_FREE in p.needs]
        assert step_free, session.id
        assert sum(option.max for option in step_free) >= len(audience), session.id


def test_roundtables_have_more_step_free_tables_than_rounds(event: Event) -> None:
    for session in event.sessions:
        if session.kind is ROUNDTABLE:
            tables = event.options_of[session.id]
            assert sum(STEP_FREE in table.features for table in tables) >= session.rounds


def test_split_groups_hold_half_the_audience_and_a_few_more(event: Event) -> None:
    for session in event.sessions:
        if session.kind is SPLIT:
            half = -(-len(event.audience_of(session)) // 2)
            assert all(half < o.max <= half + 5 for o in event.options_of[session.id])


def test_every_table_is_hosted_by_experts_who_attend(event: Event) -> None:
    for session in event.sessions:
        if session.kind is ROUNDTABLE:
            for table in event.options_of[session.id]:
                assert 1 <= len(table.hosts) <= 2
                assert all(event.people[host].attends(session.day) for host in table.hosts)
                assert table.max - len(table.hosts) >= 5


def test_workshops_and_groups_have_at_most_one_facilitator(event: Event) -> None:
    for session in event.sessions:
        if session.kind is not ROUNDTABLE:
            assert all(len(option.hosts) <= 1 for option in event.options_of[session.id])


def test_most_people_can_get_their_first_choice(event: Event) -> None:
    for session in event.sessions:
        if session.kind is CHOICE:
            assert first_choice_bound(event, session) >= 0.8


def test_choice_wishes_rank_every_workshop_or_veto_the_last(event: Event) -> None:
    for session in event.sessions:
        if session.kind is not CHOICE:
            continue
        wishes: dict[str, list[int | None]] = {}
        for pref in event.preferences:
            if pref.session == session.id:
                wishes.setdefault(pref.participant, []).append(pref.rank)
        assert all(ranks in ([1, 2, 3], [1, 2, None]) for ranks in wishes.values())
        assert 1 <= sum(None in ranks for ranks in wishes.values()) <= 0.1 * len(wishes)
        assert len(wishes) >= 0.9 * len(event.audience_of(session))


def test_roundtable_wishes_rank_three_or_four_tables(event: Event) -> None:
    for session in event.sessions:
        if session.kind is not ROUNDTABLE:
            continue
        counts: dict[str, int] = {}
        for pref in event.preferences:
            if pref.session == session.id:
                assert pref.rank is not None
                counts[pref.participant] = counts.get(pref.participant, 0) + 1
        assert set(counts.values()) <= {3, 4}
        guests = [
            p for p in event.audience_of(session) if (p.id, session.id) not in event.host_option
        ]
        assert set(counts) == {person.id for person in guests}


def test_names_are_written_in_at_least_four_scripts(event: Event) -> None:
    scripts = set().union(*(scripts_of(person.name) for person in event.participants))
    assert len(scripts) >= 4
    assert any(any(0xC0 <= ord(char) <= 0x24F for char in p.name) for p in event.participants)


def test_people_come_from_every_region_and_group(event: Event) -> None:
    assert {p.region for p in event.participants} >= {
        "Europe",
        "Africa",
        "Asia-Pacific",
        "Latin America",
        "North America",
        "Middle East",
    }
    assert {p.group for p in event.participants} == {
        "local authority",
        "international organisation",
        "civil society",
        "academia",
        NEXT_GEN,
    }


def test_30_to_40_next_generation_professionals_attend_their_networking_day(event: Event) -> None:
    next_gen = [person for person in event.participants if person.group == NEXT_GEN]
    networking = next(s for s in event.sessions if s.audience == (NEXT_GEN,))
    assert 30 <= len(next_gen) <= 40
    assert all(person.attends(networking.day) for person in next_gen)


def test_most_attend_every_day_and_some_register_late(event: Event) -> None:
    first_day = event.days()[0]
    partial = [person for person in event.participants if person.days]
    late = [
        p
        for p in event.participants
        if p.registered and p.registered.date().isoformat() >= first_day
    ]
    assert 0 < len(partial) < 0.3 * len(event.participants)
    assert late and all(first_day not in person.days for person in late)


def test_emails_are_unique_and_reserved_for_examples(event: Event) -> None:
    emails = [person.email for person in event.participants]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() and email.endswith(".example") for email in emails)


def test_the_organisers_rules(event: Event) -> None:
    kinds = {rule.kind: rule for rule in event.rules}
    assert set(kinds) == set(RuleKind)
    assert kinds[RuleKind.TOGETHER].is_hard
    assert kinds[RuleKind.APART].strength is Strength.SOFT and kinds[RuleKind.APART].weight == 2
    apart = [event.people[pid].organisation for pid in kinds[RuleKind.APART].participants]
    assert len(apart) == 2 and apart[0] == apart[1]


def test_interpreter_wishes_what_the_delegate_wishes(event: Event) -> None:
    together = next(rule for rule in event.rules if rule.kind is RuleKind.TOGETHER)
    delegate, interpreter = together.participants
    for session in event.sessions:
        wishes = event.preferences_of
        chosen = {
            option: pref.rank for option, pref in wishes.get((delegate, session.id), {}).items()
        }
        copied = {
            option: pref.rank for option, pref in wishes.get((interpreter, session.id), {}).items()
        }
        assert chosen == copied


def test_nobody_ranks_a_forbidden_option(event: Event) -> None:
    for rule in event.rules:
        if rule.kind is RuleKind.FORBID:
            for person in rule.participants:
                assert rule.option not in event.preferences_of.get((person, rule.session), {})


def test_settings_are_defaults_with_a_30_second_limit(event: Event) -> None:
    assert event.settings.seed == 0
    assert event.settings.time_limit == 30
    assert event.settings.rank_costs == (0, 1, 3, 6)
