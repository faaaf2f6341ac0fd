"""Fairness across the event: the worst-off person's dissatisfaction, earlier days included."""

from ortools.sat.python import cp_model

from solver.model import SessionModel

WORST_OFF = "worst-off"


def worst_off(m: SessionModel) -> None:
    """Bound every person's dissatisfaction (earlier days + this session) by the worst-off's.

    The solve loop minimises it first, then keeps it at its optimum while minimising the rest:
    the worst-off person first, then the total (a lexicographic objective).
    """
    if not m.event.settings.weight_fairness:
        return
    terms: dict[str, list[tuple[int, cp_model.IntVar]]] = {}
    for (person, option, _round), var in m.x.items():
        if (person, m.session.id) in m.event.host_option:
            continue
        cost = m.event.cost(person, m.session.id, option)
        terms.setdefault(person, []).append((cost, var))
    wishing = {p: t for p, t in terms.items() if any(cost for cost, _ in t)}
    if not wishing:
        return
    earlier = m.history.dissatisfaction
    ceiling = max(earlier[p] + sum(c for c, _ in t) for p, t in wishing.items())
    worst = m.model.new_int_var(0, ceiling, "worst_off")
    for person, person_terms in wishing.items():
        m.model.add(worst >= earlier[person] + sum(c * var for c, var in person_terms))
    m.first(WORST_OFF, worst)


def close_costly_placements(m: SessionModel, cap: int) -> None:
    """No placement whose cost alone lifts its person above the worst-off level `cap`.

    Implied by the level, but the linear relaxation would take a fraction of it: closing
    those variables keeps the relaxation's placements within the level.
    """
    if not m.event.settings.weight_fairness:
        return
    earlier = m.history.dissatisfaction
    for (person, option, _round), var in m.x.items():
        if (person, m.session.id) in m.event.host_option:
            continue
        if earlier[person] + m.event.cost(person, m.session.id, option) > cap:
            domain = m.model.proto.variables[var.index].domain
            domain.clear()
            domain.extend([0, 0])
