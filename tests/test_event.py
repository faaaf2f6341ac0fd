"""The event model: copies of an event see their own lists."""

from models import Event, Option, Participant, Session, SessionKind


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
