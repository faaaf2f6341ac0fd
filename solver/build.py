"""Build one session's CP-SAT model from the event: variables, then every rule."""

from collections import Counter

from ortools.sat.python import cp_model

from models import Event, Session
from solver.history import History
from solver.model import Key, SessionModel
from solver.previous import Published
from solver.rules import GROUPS, RULES, reasons_against
from solver.rules.eligibility import unrestricted
from solver.rules.groups import fixed_sizes


def build_session(
    event: Event,
    session: Session,
    history: History | None = None,
    sizes: dict[str, int] | None = None,
    groups: bool = True,
    rounds: range | None = None,
    published: Published | None = None,
    explain: bool = False,
    closed: set[Key] | None = None,
    banded: bool = True,
    later_known: bool = False,
) -> SessionModel:
    """The model of one session: a variable per allowed (person, option, round), then the rules.

    `sizes` fixes each option's size in advance (balanced groups, or the sizes a preference
    stage chose); `groups=False` leaves out the soft group criteria (diversity, isolation,
    colleagues, mixing) but keeps their hard parts, for the first stages of the solve.
    `rounds` limits the model to some of a roundtable's rounds, the earlier ones being in
    `history`. `published` is the allocation already sent out, when re-solving. `explain`
    labels every hard rule so that an infeasible session can be explained. `closed`
    placements get no variable (those above a worst-off level already kept). Without
    `banded`, a split session's groups need not stay within ±1 of the fair shares. With
    `later_known`, the rounds after `rounds` are placed already (a schedule being costed):
    a seat that forces a move in one of them is no move here, that round counts it.
    """
    m = SessionModel(
        event=event,
        session=session,
        options=event.options_of.get(session.id, []),
        people=event.audience_of(session),
        rounds=rounds or range(1, session.rounds + 1),
        history=history or History(),
    )
    m.sizes = sizes
    m.banded = banded
    m.explaining = explain
    if published is not None:
        option, pinned = published.of_session(session.id)
        m.published = {key: o for key, o in option.items() if key[1] in m.rounds}
        if not later_known:
            m.published_later = {key: o for key, o in option.items() if key[1] > m.rounds[-1]}
            m.pinned_later = Counter(
                (p, o) for (p, r), o in m.published_later.items() if (p, r) in pinned
            )
        m.pinned = {key for key in pinned if key[1] in m.rounds}
        if m.published and event.settings.stability_first:
            m.banded = False  # nobody published moves for the ±1 band: diversity stays soft
    add_placement_variables(m, closed or set())
    m.group_penalties = groups
    for rule in RULES:
        rule(m)
    m.model.minimize(objective(m))
    return m


def add_group_criteria(m: SessionModel, sizes: dict[str, int]) -> SessionModel:
    """A model built with `groups=False`, extended with the group criteria at these sizes.

    Cheaper than building anew (the placement variables and hard rules stay), and what the
    model already holds stays: the levels stage 1 fixed, its hint. The group rules' hard
    parts are added a second time, which changes nothing.
    """
    if m.sizes is None:  # sizes stage 1 chose, not balanced ones: no ±1 band at them
        m.sizes, m.banded = sizes, False
        fixed_sizes(m)
    m.group_penalties = True
    for rule in GROUPS:
        rule(m)
    m.model.minimize(objective(m))
    return m


def objective(m: SessionModel) -> cp_model.LinearExprT:
    """The weighted sum of every penalty term."""
    return cp_model.LinearExpr.weighted_sum(
        [p.expr for p in m.penalties], [p.weight for p in m.penalties]
    )


def add_placement_variables(m: SessionModel, closed: set[Key]) -> None:
    """Sparse variables: none for an option a hard rule keeps the person out of.

    When explaining, every open option gets a variable and each eligibility rule that keeps
    the person out becomes a labelled constraint instead.
    """
    open_options = [option for option in m.options if option.max > 0]
    for person in m.people:
        free = unrestricted(m.event, m.session, person)
        for option in open_options:
            reasons = [] if free else reasons_against(m.event, m.session, person, option)
            if reasons and not m.explaining:
                continue
            if not reasons:  # usable: explaining, the others get variables held at 0
                m.open_to.setdefault(person.id, set()).add(option.id)
            for round_ in m.rounds:
                if (person.id, option.id, round_) in closed:
                    continue
                var = m.model.new_bool_var(f"x[{person.id},{option.id},{round_}]")
                m.x[(person.id, option.id, round_)] = var
                for reason in reasons:
                    label = reason if person.id in reason else f"{person.id}: {reason}"
                    m.require(m.model.add(var == 0), label)
