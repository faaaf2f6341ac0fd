"""Build one session's CP-SAT model from the event: variables, then every rule."""

from ortools.sat.python import cp_model

from models import Event, Session
from solver.model import SessionModel
from solver.rules import RULES, reasons_against


def build_session(event: Event, session: Session) -> SessionModel:
    """The model of one session: a variable per allowed (person, option, round), then the rules."""
    m = SessionModel(
        event=event,
        session=session,
        options=event.options_of.get(session.id, []),
        people=event.audience_of(session),
    )
    add_placement_variables(m)
    for rule in RULES:
        rule(m)
    m.model.minimize(
        cp_model.LinearExpr.weighted_sum(
            [p.expr for p in m.penalties], [p.weight for p in m.penalties]
        )
    )
    return m


def add_placement_variables(m: SessionModel) -> None:
    """Sparse variables: none for an option a hard rule keeps the person out of."""
    for person in m.people:
        allowed = [
            option
            for option in m.options
            if option.max > 0 and not reasons_against(m.event, m.session, person, option)
        ]
        for option in allowed:
            for round_ in m.rounds:
                m.x[(person.id, option.id, round_)] = m.model.new_bool_var(
                    f"x[{person.id},{option.id},{round_}]"
                )
