"""The preference objective: rank costs from Settings, summed over everyone's placements."""

from solver.model import SessionModel


def preference_cost(m: SessionModel) -> None:
    """Each placement costs its rank cost (unranked_cost when the person ranked others)."""
    weight = m.event.settings.weight_preference
    for (person, option, _round), var in m.x.items():
        cost = m.event.cost(person, m.session.id, option)
        if cost and (person, m.session.id) not in m.event.host_option:
            m.penalise("preference", weight * cost, var, person)
