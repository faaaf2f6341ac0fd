"""Re-solving against a published allocation: pinned placements hold, the fewest people move."""

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
    """The seats of this model's rounds at a host's table where the person is published in a
    later round and may sit once: taking one moves them in that round (`distinct_tables`).

    Without it, the rounds solved one by one moved someone out of a closed table into the
    table they hold in a later round, and out of that one again there (2023's COOP, a table
    closed: 33 moves where 29 do).
    """
    if not m.published_later:
        return []
    hosted = {option.id for option in m.options if option.hosts}
    forced = []
    for (person, _later), option in sorted(m.published_later.items()):
        hosting = (person, m.session.id) in m.event.host_option
        once = visit_cap(m, person) == 1
        if person not in present or hosting or not once or option not in hosted:
            continue
        forced += [m.x[key] for round_ in m.rounds if (key := (person, option, round_)) in m.x]
    return forced
