"""The event model: copies of an event see their own lists; who takes part in a session."""

from datetime import datetime

import pytest

from models import Event, Option, Participant, Session, SessionKind
from models.validation import validate_event


def tiny() -> Event:
    """One split session with one option of two places."""
    return Event(
        participants=[Participant(id="p1", name="Ana")],
        sessions=[Session(id="S", day="d1", kind=SessionKind.SPLIT)],
        options=[Option(session="S", id="A", max=2)],
    )


def test_a_copy_with_other_options_looks_them_up_anew() -> None:
    event = tiny()
    assert event.options_of["S"][0].max == 2  # cached on the original
    copy = event.model_copy(update={"options": [Option(session="S", id="A", max=5)]})
    assert copy.options_of["S"][0].max == 5
    assert copy.option_by_key[("S", "A")].max == 5
    assert event.options_of["S"][0].max == 2


def test_a_copy_with_other_settings_keeps_the_look_ups() -> None:
    event = tiny()
    options = event.options_of
    assert event.with_settings(seed=3).options_of is options


@pytest.mark.parametrize(
    ("day", "end", "registered", "takes_part"),
    [
        ("2023-02-01", "15:30", "2023-02-01 20:00", False),  # binds: registered after it ended
        ("2023-02-01", "15:30", "2023-02-01 15:30", False),  # at its end
        ("2023-02-01", "", "2023-02-02 08:00", False),  # no end time: the day ended
        ("2023-02-01", "15:30", "2023-02-01 12:00", True),  # before its end: joins it
        ("2023-02-01", "", "2023-02-01 20:00", True),  # no end time: the day is not over
        ("2023-02-01", "3 pm", "2023-02-01 20:00", True),  # unreadable end: the day's
        ("Day 1", "15:30", "2030-01-01 00:00", True),  # a day that is no date: always
    ],
)
def test_a_late_registration_joins_only_the_sessions_still_to_come(
    day: str, end: str, registered: str, takes_part: bool
) -> None:
    person = Participant(id="p1", name="Ana", registered=datetime.fromisoformat(registered))
    session = Session(id="S", day=day, end=end, kind=SessionKind.SPLIT)
    event = Event(
        participants=[person], sessions=[session], options=[Option(session="S", id="A", max=2)]
    )
    assert event.takes_part(person, session) is takes_part
    assert (event.audience_of(session) == [person]) is takes_part


@pytest.mark.parametrize(
    ("registered", "warned"), [("2024-02-01 09:00", True), ("2023-01-20 09:00", False)]
)
def test_a_registration_after_every_session_is_a_warning(registered: str, warned: bool) -> None:
    # A year typed wrong (2024 for 2023) leaves the person in no session: said, not silent.
    person = Participant(id="p1", name="Ana", registered=datetime.fromisoformat(registered))
    sessions = [
        Session(id=s, day=day, end="15:30", kind=SessionKind.SPLIT)
        for s, day in (("S", "2023-02-01"), ("T", "2023-02-02"))
    ]
    event = Event(
        participants=[person],
        sessions=sessions,
        options=[Option(session=s.id, id="A", max=2) for s in sessions],
    )
    found = [str(issue) for issue in validate_event(event) if "registered" in str(issue)]
    assert found == (
        [
            "warning: Participants, column registered: p1 registered after every session they "
            "would join had ended (the last on 2023-02-02); they are placed in none"
        ]
        if warned
        else []
    )
