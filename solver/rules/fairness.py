"""Fairness across the event: the worst-off person's dissatisfaction, earlier days included."""

from ortools.sat.python import cp_model

from solver.model import Key, SessionModel

WORST_OFF = "worst-off"


def worst_off(m: SessionModel) -> None:
    """Bound every person's dissatisfaction (earlier days + this session) by the worst-off's.

    The solve loop minimises it first, then keeps it at its optimum while minimising the rest:
    the worst-off person first, then the total (a lexicographic objective).
    """
    if not m.event.settings.weight_fairness:
        return
    terms: dict[str, list[tuple[int, cp_model.IntVar]]] = {}
    costs = m.costs  # a host's own table costs nothing
    for key, var in m.x.items():
        terms.setdefault(key[0], []).append((costs[key], var))
    wishing = {p: t for p, t in terms.items() if any(cost for cost, _ in t)}
    if not wishing:
        return
    earlier = m.history.dissatisfaction
    ceiling = max(earlier[p] + sum(c for c, _ in t) for p, t in wishing.items())
    worst = m.model.new_int_var(0, ceiling, "worst_off")
    for person, person_terms in wishing.items():
        paid = cp_model.LinearExpr.weighted_sum(
            [var for _, var in person_terms], [cost for cost, _ in person_terms]
        )
        m.model.add(worst >= earlier[person] + paid)
    m.first(WORST_OFF, worst)


def above_level(m: SessionModel, cap: int) -> set[Key]:
    """The placements whose cost alone lifts their person above the worst-off level `cap`.

    Implied by the level, but a linear relaxation would take a fraction of them: leaving
    them out keeps the relaxation within the level, and the model smaller (a 5,000 × 12
    session at its first day's level: 10,000 placements instead of 60,000). Placements that
    cost nothing are never above it (people without wishes are not held to the level).
    """
    if not m.event.settings.weight_fairness:
        return set()
    earlier, costs = m.history.dissatisfaction, m.costs
    return {key for key in m.x if costs[key] and earlier[key[0]] + costs[key] > cap}
