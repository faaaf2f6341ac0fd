"""Re-solving against a published allocation: pinned placements hold, the fewest people move."""

from ortools.sat.python import cp_model

from solver.model import SessionModel


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
    """Each person of the published allocation who changes option counts as one move.

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
    moves = m.model.new_int_var(0, placed, "moves")
    m.model.add(moves == placed - cp_model.LinearExpr.sum(kept))
    if settings.stability_first:
        m.first("moves", moves)
    else:
        m.penalise("stability", settings.weight_stability, moves)
