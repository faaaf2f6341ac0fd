"""The preference objective: rank costs from Settings, summed over everyone's placements."""

from ortools.sat.python import cp_model

from solver.model import SessionModel


def preference_cost(m: SessionModel) -> None:
    """Each placement costs its rank cost (unranked_cost when the person ranked others)."""
    weight = m.event.settings.weight_preference
    costs = m.costs
    paid = [(var, weight * costs[key]) for key, var in m.x.items() if costs[key]]
    if paid:  # one term: the objective is then built in one go, not term by term
        variables, coefficients = zip(*paid, strict=True)
        m.penalise("preference", 1, cp_model.LinearExpr.weighted_sum(variables, coefficients))
