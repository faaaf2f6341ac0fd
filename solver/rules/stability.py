"""Re-solving against a published allocation: pinned placements hold, the fewest people move."""

from collections import Counter

from ortools.sat.python import cp_model

from solver.model import SessionModel
from solver.rules.core import visit_cap

MOVES = "moves"  # the name of the fewest-moves level


def keep_pinned(m: SessionModel) -> None:
    """A pinned placement (marked pinned, or edited by hand) is kept as it is."""
    for person, round_ in sorted(m.pinned):
        option = m.published[(person, round_)]
        seat = m.x.get((person, option, round_))
        label = f"pinned: {person} stays in {option}"
        if seat is None:
            m.require(m.model.add_bool_or([]), label)
        else:
            m.require(m.model.add(seat == 1), label)


def fewest_moves(m: SessionModel) -> None:
    """Each person of the published allocation who changes option counts as one move; so
    does, when a roundtable's rounds are solved one after another, a seat now at a host's
    table the person is published at in a later round and may visit once: it forces them
    to move there (`later_moves_forced`).

    With `stability_first` (default) the moves are minimised before everything else;
    otherwise each costs `weight_stability` in the weighted objective.
    """
    settings = m.event.settings
    if not settings.weight_stability or not m.published:
        return
    present = {person.id for person in m.people}
    kept = [
        m.x[key]
        for (person, round_), option in sorted(m.published.items())
        if person in present and round_ in m.rounds and (key := (person, option, round_)) in m.x
    ]
    placed = sum(1 for person, round_ in m.published if person in present and round_ in m.rounds)
    forced = later_moves_forced(m, present)
    moves = m.model.new_int_var(0, placed + len(forced), "moves")
    m.model.add(moves == placed - cp_model.LinearExpr.sum(kept) + cp_model.LinearExpr.sum(forced))
    if settings.stability_first:
        m.first(MOVES, moves)
    else:
        m.penalise("stability", settings.weight_stability, moves)


def later_moves_forced(m: SessionModel, present: set[str]) -> list[cp_model.IntVar]:
    """The seats of this model's rounds at a host's table where the person is published in
    later rounds as often as, with the visits before (`history`) and this one, makes more
    than they may: each such seat is listed once per later seat it forces them out of
    (`distinct_tables`).

    Without it, the rounds solved one by one moved someone out of a closed table into the
    table they hold in a later round, and out of that one again there (2023's COOP, a table
    closed: 33 moves where 29 do); and, where a guest may sit twice at a table, moved out of
    a full table someone who sat at the other one in a later round already, and out of it
    again in the round after.
    """
    if not m.published_later:
        return []
    hosted = {option.id for option in m.options if option.hosts}
    later = Counter(
        (person, option)
        for (person, _later), option in m.published_later.items()
        if person in present
        and option in hosted
        and (person, m.session.id) not in m.event.host_option
    )
    forced = []
    for (person, option), seats in sorted(later.items()):
        before = m.history.visits[(m.session.id, person, option)]
        times = min(seats, max(0, before + 1 + seats - visit_cap(m, person)))
        forced += [
            m.x[key] for round_ in m.rounds if (key := (person, option, round_)) in m.x
        ] * times
    return forced
