"""Options as rooms: the names lists give them, and rows read back whose room was edited."""

from collections.abc import Sequence

from models.allocation import Assignment
from models.event import Event, Option


def room_names(options: Sequence[Option]) -> dict[str, str]:
    """Each option's name as a room: its room, else title, else id, with the id added where
    two options share it (`Hall (T5)`), so that it names one option of those given."""
    bases = {option.id: (option.room or option.title or option.id).strip() for option in options}
    folded = [base.casefold() for base in bases.values()]
    return {
        option_id: base if folded.count(base.casefold()) == 1 else f"{base} ({option_id})"
        for option_id, base in bases.items()
    }


def edited_by_hand(event: Event, assignment: Assignment) -> bool:
    """True when the room written beside a row read back is none of its option's names (room,
    title, id, or its name as a room in the session as `room_names` writes it, `Hall (T5)`):
    the option was changed by hand after the allocation was written."""
    option = event.option_by_key.get((assignment.session, assignment.option))
    if not assignment.room or option is None:
        return False
    if assignment.room in (option.room, option.title, option.id):
        return False  # most rows: no need of the session's names (100,000 rows at 5,000 people)
    return assignment.room != room_names(event.options_of[assignment.session])[option.id]


def written_option(event: Event, assignment: Assignment) -> str | None:
    """The option of its session whose room (as `room_names` writes it) or id a row's room
    cell names, when that is not the row's option: where the row placed the person before
    a hand edit of its option cell. None when the room cell names no other option."""
    if not edited_by_hand(event, assignment):
        return None
    names = room_names(event.options_of[assignment.session])
    return next((key for key, name in names.items() if assignment.room in (name, key)), None)
