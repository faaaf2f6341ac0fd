"""Hard rules every allocation keeps: one place each, capacities, minimums, distinct tables."""

from ortools.sat.python import cp_model

from solver.model import SessionModel


def one_option_per_round(m: SessionModel) -> None:
    """Everyone taking part sits in exactly one option per round."""
    for person in m.people:
        for round_ in m.rounds:
            m.model.add_exactly_one(var for _, var in m.choices(person.id, round_))


def room_capacity(m: SessionModel) -> None:
    """No option holds more people than its `max`, hosts included, in any round."""
    for option in m.options:
        for round_ in m.rounds:
            members = m.members(option.id, round_)
            if len(members) > option.max:
                ct = m.model.add(cp_model.LinearExpr.sum(members) <= option.max)
                m.require(ct, f"{option.label} holds at most {option.max}")


def minimum_if_open(m: SessionModel) -> None:
    """An option with a `min` either stays closed or holds at least `min` people, in each
    round on its own (a roundtable's table may run in some rounds only)."""
    for option in m.options:
        if option.min <= 0:
            continue
        label = f"{option.label} needs at least {option.min} if it runs"
        for round_ in m.rounds:
            runs = m.model.new_bool_var(f"open[{option.id},{round_}]")
            members = m.members(option.id, round_)
            m.require(
                m.model.add(cp_model.LinearExpr.sum(members) >= option.min).only_enforce_if(runs),
                label,
            )
            m.require(
                m.model.add(cp_model.LinearExpr.sum(members) == 0).only_enforce_if(~runs), label
            )


def visits_allowed(rounds: int, tables: int) -> int:
    """How often a guest may sit at each host's table: once while they can use at least as
    many tables as there are rounds, else ceil(rounds / tables)."""
    return -(-rounds // max(1, tables))


def visit_cap(m: SessionModel, person: str) -> int:
    """How often a person may sit at each host's table of the session (`visits_allowed`),
    counting the tables they can use (closed ones left out count too)."""
    return visits_allowed(m.session.rounds, len(m.open_to.get(person, set())))


def visit_left(m: SessionModel, key: tuple[str, str, int]) -> bool:
    """Whether a seat of a one-round model keeps its guest within their visits of its table
    (`distinct_tables`), given the earlier rounds in the history and the later seats pinned."""
    person, option, _round = key
    if (person, m.session.id) in m.event.host_option or not m.option(option).hosts:
        return True
    return visits_outside(m, person, option) < visit_cap(m, person)


def visits_outside(m: SessionModel, person: str, option: str) -> int:
    """A guest's visits to a table outside the model's rounds that no schedule of them can
    change: in earlier rounds (the history), and pinned in later ones."""
    return m.history.visits[(m.session.id, person, option)] + m.pinned_later[(person, option)]


def distinct_tables(m: SessionModel) -> None:
    """Across rounds, a participant visits each host's table at most once while there are enough.

    With fewer usable tables than rounds, each host's table is visited at most
    ceil(rounds / tables) times. Tables without hosts are interchangeable: sitting at one
    again is no repeat. Visits in earlier rounds solved apart come from the history; seats
    pinned in later rounds count too (a round that took one of those visits left the
    pinned round with no allocation, though a schedule of every round had one).
    """
    if m.session.rounds <= 1:
        return
    hosted = {option.id for option in m.options if option.hosts}
    for person in m.people:
        if (person.id, m.session.id) in m.event.host_option:
            continue
        open_to = m.open_to.get(person.id, set())  # closed placements left out count too
        cap = visit_cap(m, person.id)
        for option in (o.id for o in m.options if o.id in open_to and o.id in hosted):
            seats = [
                m.x[(person.id, option, round_)]
                for round_ in m.rounds
                if (person.id, option, round_) in m.x
            ]
            before = visits_outside(m, person.id, option)
            if before + len(seats) > cap:
                ct = m.model.add(sum(seats) <= cap - before)
                times = "once" if cap == 1 else f"{cap} times"
                m.require(ct, f"{person.id} sits at each host's table at most {times}")
