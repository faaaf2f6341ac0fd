"""A roundtable of several rounds: its rounds one after another, then every round together
(the swaps, a design's start, the model of every round and its neighbourhoods), and the
session's bound."""

import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from models import Assignment, Session
from solver.build import build_session, objective
from solver.context import Context, PartResult, Work
from solver.designs import design_fit, designed_starts
from solver.history import History
from solver.keeping import held_seats, least_moves, present_in
from solver.model import Key, SessionModel, placements, read_assignments
from solver.neighbourhoods import reseated
from solver.relax import PRIMAL_SIMPLEX
from solver.roundtable import (
    Polished,
    can_polish,
    keeps_top_wishes,
    lifted,
    polish_roundtable,
    preference_bound,
    repeats_bound,
    seating_of,
)
from solver.rules import split_sizes
from solver.rules.groups import isolation_floors
from solver.rules.stability import MOVES
from solver.sessions import (
    BUILD_SECONDS_PER_CELL,
    EVALUATION_SECONDS,
    QUICK_WORK,
    SEARCH_SECONDS_PER_CELL,
    Solved,
    Status,
    add_hint,
    configure,
    evaluated,
    explained,
    kept_by,
    outcome,
    relaxed_in_time,
    solve_rounds,
)
from solver.watch import cp_solver

ROUNDS_SHARE = 0.25  # of a roundtable's time for its rounds one by one, the rest for all at once
COSTING_SHARE = 0.2  # of a roundtable's time left kept back from its bound and neighbourhoods
LNS_SHARE = 0.75  # of a roundtable's planned work, the most its neighbourhoods may do
ALL_ROUNDS_WORK = 1.0  # deterministic seconds for the bound of a roundtable's rounds at once
ALL_ROUNDS_LITERALS = 20_000  # at most, for pairs meeting again (2022's NEXTGEN: 8,832)
APART_SECONDS_PER_CELL = 500e-6  # less and GLOP would not finish every round without pairs
# (linearization level, deterministic seconds) of each pass for the least cost of every round
# at once, the next only when the last did not prove it: level 2 proves small roundtables
# (2023's NEXTGEN in 0.1 s), level 1 bounds larger ones higher (2022's NEXTGEN: 836 in
# 1.7 s, where level 2 gives 781 in 1.0 s, 820 in 2.7 s and 829 at its plateau)
COST_PASSES = ((2, 0.25), (1, 0.5))
# the same for a model whose published people are held in place (`held_in_place`): small,
# level 2 proves it where level 1 stalls (2023's COOP re-solved: 3246 proven after 0.41
# deterministic seconds of level 2; level 1's 0.5 leave 3285 / 3196)
HELD_COST_PASSES = ((2, 1.0), (1, 0.5))
SIZES = "sizes"  # the name of the level of seats beyond the rounds' sizes (`sizes_after_moves`)


def solve_roundtable(
    ctx: Context, session: Session, history: History, began: float, deadline: float
) -> PartResult:
    """A roundtable of several rounds, from `began` until `deadline`: its rounds one after
    another, then all together.

    Each round's CP-SAT model sees the rounds before it (fairness, new peers), with a quarter
    of the time (and of the session's planned work, which makes them the same in every
    run) when the search of solver/roundtable.py can then improve every round at once
    (2023's COOP: 3097 in 21.5 s with half, 3065 in 16.4 s with a quarter): it
    keeps the hard rules, the worst-off person's dissatisfaction and everyone's top-3
    table, and weighs every criterion over all rounds (measured in docs/BENCHMARKS.md: from
    the rounds' allocation it does better than either alone). The bound, and a small
    roundtable's model of every round at once, start from the rounds' allocation (the
    search keeps its tables' sizes): they are worked out beside the search, on the other
    core (academy-2022's NEXTGEN: 5.2–5.5 → 3.3–4.4 s, the same allocation and bound), and
    that model's allocation is kept when it comes first (`better_together`). When that
    model proved its levels and the schedule is at them but not proven, CP-SAT then searches
    neighbourhoods of it in that model (`reseated_part`: academy-2022's NEXTGEN 914 → 893).
    A re-solve of a roundtable too large for that model checks the rounds' moves against the
    fewest of every round at once (`fewer_moved`).
    """
    polishing = can_polish(ctx.event, session, bool(ctx.published.of_session(session.id)[0]))
    by_round = began + ROUNDS_SHARE * (deadline - began) if polishing else deadline
    work = ROUNDS_SHARE * ctx.planned_work(session) if polishing else math.inf  # else the result
    part = round_by_round(ctx, session, history, by_round, work=work)
    if polishing and part.status not in ("feasible", "infeasible"):
        part = round_by_round(ctx, session, history, deadline, groups=False)  # quicker
    if part.status == "infeasible":
        part = every_round_at_once(ctx, session, history, deadline)
    if part.status != "feasible":
        part.seconds = time.monotonic() - began
        return part
    part = fewer_moved(ctx, session, history, part, deadline)
    part = rebalanced(ctx, session, history, part, deadline)
    with ThreadPoolExecutor(max_workers=1) as beside:
        chosen = part.assignments
        bounding = beside.submit(
            roundtable_bound, ctx, session, history, chosen, deadline, beside=polishing
        )
        if polishing:
            part = polished(ctx, session, history, part, deadline)
            part = designed_part(ctx, session, history, part, deadline)
        bound, together = bounding.result()
    part, bound, fairest = better_together(ctx, session, history, part, bound, together)
    if together is not None and together.solved is not None and fairest and bound < part.objective:
        part = reseated_part(ctx, session, history, part, together.model, deadline)
    part.bound = min(bound, part.objective)
    part.status = "optimal" if fairest and bound >= part.objective else "feasible"
    part.seconds = time.monotonic() - began
    return part


def better_together(
    ctx: Context,
    session: Session,
    history: History,
    part: PartResult,
    bound: int,
    together: "Together | None",
) -> tuple[PartResult, int, bool]:
    """The schedule of the model of every round at once when it comes first in the order of
    the levels (fewest moves, then the worst-off person) or costs less at them than `part`'s,
    and keeps everyone at a top table who was at one (as the search does) unless it moves
    fewer published people (`fewer_moves`); the bound that holds for the schedule kept, and
    whether it is at every least level proven (else it is not the first in that order,
    whatever its cost: never proven).

    The model's bound holds for schedules at the least levels it proved only.
    """
    if together is None:
        return part, bound, True
    least = together.least
    levels = levels_at(together, part.assignments)[: len(least)]
    solved = together.solved
    if solved is not None and solved.found:
        assignments = read_assignments(session, solved.chosen)
        better = levels > least or solved.objective < part.objective
        kept = fewer_moves(together, levels) or keeps_top_wishes(
            ctx.event, session, part.assignments, assignments
        )
        if better and kept:
            objective = costed(ctx, session, history, assignments)
            ctx.watch.tell(f"{session.id}: every round at once, cost {objective:g}")
            part = replace(part, objective=objective, assignments=assignments)
            levels = least  # the model's schedule is at every least level
    if levels == least:
        return (
            part,
            max(bound, together.bound) if at_rounds_sizes(together) else together.bound,
            True,
        )
    return part, bound, False


def at_rounds_sizes(together: "Together") -> bool:
    """Whether the schedules at the model's least levels keep the sizes the rounds' bound
    (`roundtable_bound`) holds for: the model has no level of seats outside them
    (`sizes_after_moves`), or that level is proven to be 0."""
    names = [name for name, _ in together.model.firsts]
    if SIZES not in names:
        return True
    at = names.index(SIZES)
    return len(together.least) > at and together.least[at] == 0


def fewer_moves(together: "Together", levels: tuple[int, ...]) -> bool:
    """Whether the model's schedule moves fewer published people than one at `levels`: a
    top table that schedule gave someone by a move does not outweigh the moves."""
    first = together.model.firsts[0][0] if together.model.firsts else None
    return first == MOVES and together.least[:1] < levels[:1]


def reseated_part(
    ctx: Context,
    session: Session,
    history: History,
    part: PartResult,
    m: SessionModel,
    deadline: float,
) -> PartResult:
    """`part` with its schedule improved in neighbourhoods (solver/neighbourhoods.py) of the
    model of every round `m`, at its least levels, which `part` is at."""
    until = time.monotonic() + (1 - COSTING_SHARE) * (deadline - time.monotonic())
    start = placements(part.assignments)
    work = LNS_SHARE * ctx.planned_work(session)
    placed, searched = reseated(m, start, until, ctx.watch, ctx.event.settings.seed, work)
    if placed == start:
        return part
    assignments = read_assignments(session, dict.fromkeys(placed, True))
    objective = costed(ctx, session, history, assignments)
    ctx.watch.tell(f"{session.id}: {searched} neighbourhoods, cost {objective:g}")
    return replace(part, objective=objective, assignments=assignments)


def levels_at(together: "Together", assignments: list[Assignment]) -> tuple[int, ...]:
    """The levels a schedule reaches (fewest moves, worst-off person: those the model
    minimises first), measured in the model before any was capped."""
    m = together.model
    if not m.firsts:
        return ()
    model = together.plain.clone()
    m.fix_schedule(model, placements(assignments))
    firsts = [model.get_int_var_from_proto_index(var.index) for _, var in m.firsts]
    model.minimize(cp_model.LinearExpr.sum(firsts))
    solver = cp_solver()
    configure(solver, m.event, m.session, EVALUATION_SECONDS)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"session {m.session.id}: a schedule broke a hard rule")
    return tuple(round(solver.value(var)) for var in firsts)


def round_by_round(
    ctx: Context,
    session: Session,
    history: History,
    deadline: float,
    groups: bool = True,
    work: float = math.inf,
) -> PartResult:
    """A roundtable's rounds one after another, each seeing the earlier ones (without the
    group criteria when `groups` is false: quicker, for the search to weigh them).

    Each round has an equal share of the time and of the deterministic `work` left, and
    its searches with the group criteria stop at whichever ends first: with work to spare
    on the clock, the rounds are the same in every run (2023's COOP, whose searches ended
    on the clock: 5934 or 5966 for the event in two runs a minute apart).
    """
    local = history.copy()
    parts = []
    for round_ in range(1, session.rounds + 1):
        left = session.rounds - round_ + 1
        share = (deadline - time.monotonic()) / left
        rounds = range(round_, round_ + 1)
        meter = Work(work / left)
        until = time.monotonic() + share
        part = solve_rounds(ctx, session, local, rounds, until, groups, meter, explain=False)
        work -= meter.used
        if part.status not in ("optimal", "feasible"):
            return part
        local.record(ctx.event, part.assignments)
        parts.append(part)
    assignments = [a for part in parts for a in part.assignments]
    objective = sum(part.objective for part in parts)
    if foresees_moves(ctx, session):  # a round's model also counted the moves it forces later
        objective = costed(ctx, session, history, assignments)
    return PartResult(
        session=session,
        status="feasible",
        objective=objective,
        bound=0.0,  # rounds' bounds, each given the rounds before, bound nothing: see the caller
        seconds=0.0,
        assignments=assignments,
    )


def foresees_moves(ctx: Context, session: Session) -> bool:
    """True when a round's model weighs the moves its seats force in later rounds
    (`later_moves_forced`) in its objective: a re-solve whose moves cost `weight_stability`
    (with `stability_first` they are a level, not a cost)."""
    return (
        moves_weighed(ctx, session)
        and session.rounds > 1
        and not ctx.event.settings.stability_first
    )


def moves_weighed(ctx: Context, session: Session) -> bool:
    """Whether a re-solve of the session counts its moves: a published allocation of the
    session, and moves weighed at all (`fewest_moves`)."""
    published = bool(ctx.published.of_session(session.id)[0])
    return published and bool(ctx.event.settings.weight_stability)


def every_round_at_once(
    ctx: Context, session: Session, history: History, deadline: float
) -> PartResult:
    """A schedule of every round at once with the hard rules only, when the rounds one after
    another found none: an early round can take the seats or visits a later one needs (a
    guest who can use one table only sits there every round, and the others must each visit
    it once around them). Balanced tables when they fit, else any sizes; the worst-off person
    first, then the cost, each for `QUICK_WORK`; infeasible, with the hard rules that cannot
    all hold over every round, when there is none."""
    rounds = range(1, session.rounds + 1)
    balanced = split_sizes(ctx.event, session)
    published, _ = ctx.published.of_session(session.id)
    found: list[list[Assignment]] = []
    for sizes in [balanced] if balanced is None else [balanced, None]:
        m = build_session(
            ctx.event, session, history, sizes, groups=False, rounds=rounds, published=ctx.published
        )
        chosen = fairest_cheapest(ctx, m, deadline)
        if chosen is not None:
            found.append(read_assignments(session, chosen))
            if not published or not ctx.event.settings.stability_first:
                break  # a re-solve also tries any sizes: nobody moves for balance alone
    if found:
        assignments = min(found, key=lambda placed: moved(placed, published))  # balanced on a tie
        objective = costed(ctx, session, history, assignments)
        ctx.watch.tell(f"{session.id}: every round at once, cost {objective:g}")
        return PartResult(session, "feasible", objective, 0.0, 0.0, assignments)
    reasons = explained(ctx, session, history, rounds)
    return PartResult(session, "infeasible", 0.0, 0.0, 0.0, [], reasons)


def fewer_moved(
    ctx: Context, session: Session, history: History, part: PartResult, deadline: float
) -> PartResult:
    """`part`, or a schedule that moves fewer published people, in a re-solve whose moves come
    first of a roundtable too large for the model of every round at once (`too_large_at_once`,
    which would compare the moves itself): a round chooses who leaves and where a `together`
    group gathers without seeing the seats later rounds hold.

    Only when the rounds moved more than any schedule must (`least_moves`), the fewest moves
    of every round at once are sought in a model without the group criteria (small: no pairs
    meeting again; 2023's COOP, a hard `together` rule across tables: 0.2 s, 4 moves → 3).
    When they are fewer, the rounds are solved again with everyone that schedule keeps
    pinned (`pinned_rounds`), or, when they find nothing, that model's schedule is kept
    (`at_fewest_moves`).
    """
    if not moves_come_first(ctx, session) or not too_large_at_once(ctx, session):
        return part
    published, _ = ctx.published.of_session(session.id)
    count = moved(part.assignments, published)
    if count <= least_moves(ctx.event, session, published):
        return part
    rounds = range(1, session.rounds + 1)
    m = build_session(
        ctx.event, session, history, groups=False, rounds=rounds, published=ctx.published
    )
    fewest = fewest_at_once(ctx, m, part.assignments, deadline)
    if fewest is None or fewest.objective >= count:
        return part
    ctx.watch.tell(f"{session.id}: every round at once moves {fewest.objective:g}, not {count}")
    kept = kept_by(fewest.chosen, published)
    again = pinned_rounds(ctx, session, history, kept, deadline)
    if again.status == "feasible" and moved(again.assignments, published) <= fewest.objective:
        return replace(part, objective=again.objective, assignments=again.assignments)
    assignments = at_fewest_moves(ctx, m, fewest, deadline)
    objective = costed(ctx, session, history, assignments)
    return replace(part, objective=objective, assignments=assignments)


def fewest_at_once(
    ctx: Context, m: SessionModel, chosen: list[Assignment], deadline: float
) -> Solved | None:
    """The fewest moves of the model of every round `m`, searched from the rounds' schedule
    `chosen` for `QUICK_WORK` (its placements, and the moves as its objective); None when
    nothing is found in time."""
    placed = placements(chosen)
    m.model.minimize(dict(m.firsts)[MOVES])
    add_hint(m, {key: key in placed for key in m.x})
    fewest = outcome(m, *worked(ctx, m, deadline, QUICK_WORK))
    return fewest if fewest.found else None


def pinned_rounds(
    ctx: Context,
    session: Session,
    history: History,
    kept: set[tuple[str, int]],
    deadline: float,
) -> PartResult:
    """The rounds one after another again, the published placements `kept` pinned: whoever
    else is published moves only where no schedule could keep them, and each round weighs
    every criterion as before."""
    pins = {(person, session.id, round_) for person, round_ in kept}
    published = replace(ctx.published, pinned=ctx.published.pinned | pins)
    return round_by_round(replace(ctx, published=published), session, history, deadline)


def at_fewest_moves(
    ctx: Context, m: SessionModel, fewest: Solved, deadline: float
) -> list[Assignment]:
    """The schedule of the model of every round `m` at the `fewest` moves found, the
    worst-off person and then the cost as low as they go there (`fairest_cheapest`), or the
    fewest moves' own schedule when that search finds nothing."""
    m.model.add(dict(m.firsts)[MOVES] <= round(fewest.objective))
    chosen = fairest_cheapest(ctx, m, deadline) or fewest.chosen
    return read_assignments(m.session, chosen)


def moved(assignments: list[Assignment], published: dict[tuple[str, int], str]) -> int:
    """How many published placements the assignments change."""
    return sum(
        1
        for a in assignments
        if (a.participant, a.round) in published and published[(a.participant, a.round)] != a.option
    )


def fairest_cheapest(ctx: Context, m: SessionModel, deadline: float) -> dict[Key, bool] | None:
    """The model's placements at its least levels, each in order (fewest moves, then the
    worst-off person: their sum once let a move buy a fairer schedule), then at its least
    cost there, each search for `QUICK_WORK`; None when none is found."""
    fairest: Solved | None = None
    for _name, level in m.firsts:
        m.model.minimize(level)
        if fairest is not None:
            add_hint(m, fairest.chosen)
        found = outcome(m, *worked(ctx, m, deadline, QUICK_WORK))
        if not found.found:
            return fairest.chosen if fairest is not None else None
        if found.status != cp_model.OPTIMAL:
            return found.chosen
        m.model.add(level <= round(found.objective))
        fairest = found
    m.model.minimize(objective(m))
    if fairest is not None:
        add_hint(m, fairest.chosen)
    cheapest = outcome(m, *worked(ctx, m, deadline, QUICK_WORK))
    if cheapest.found:
        return cheapest.chosen
    return fairest.chosen if fairest is not None else None


def rebalanced(
    ctx: Context, session: Session, history: History, part: PartResult, deadline: float
) -> PartResult:
    """The rounds' schedule with every round at the balanced sizes, when a round had to leave
    them but the rounds together allow them (the rounds one by one can use up the visits to
    a host's table a later round needs); unchanged otherwise, and in a re-solve.

    CP-SAT on every round at once with the hard rules only: the worst-off person's
    dissatisfaction as low as it goes first, then as few of the rounds' placements changed
    as it can, for `QUICK_WORK` (a 10-person, 4-round, 2-table roundtable: 4/6 in its last
    round → 5/5 in every round).
    """
    sizes = split_sizes(ctx.event, session)
    rounds = range(1, session.rounds + 1)
    if sizes is None or ctx.published.of_session(session.id)[0]:
        return part
    if every_round_at(part.assignments, sizes, rounds):
        return part
    m = build_session(ctx.event, session, history, sizes, groups=False, rounds=rounds)
    kept = placements(part.assignments)
    changed = cp_model.LinearExpr.sum([1 - var for key, var in m.x.items() if key in kept])
    levels = [var for _name, var in m.firsts]
    m.model.minimize(len(m.x) * cp_model.LinearExpr.sum(levels) + changed)
    add_hint(m, {key: key in kept for key in m.x})
    solver, status = worked(ctx, m, deadline, QUICK_WORK)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return part
    chosen = {key: solver.boolean_value(var) for key, var in m.x.items()}
    assignments = read_assignments(session, chosen)
    objective = costed(ctx, session, history, assignments)
    ctx.watch.tell(f"{session.id}: every round balanced, cost {objective:g}")
    return replace(part, objective=objective, assignments=assignments)


def every_round_at(assignments: list[Assignment], sizes: dict[str, int], rounds: range) -> bool:
    """True when every round's options hold exactly these sizes (closed ones none)."""
    wanted = {option: size for option, size in sizes.items() if size}
    held = seats_held(assignments)
    return all(
        {option: n for (option, r), n in held.items() if r == round_} == wanted for round_ in rounds
    )


def polished(
    ctx: Context, session: Session, history: History, part: PartResult, deadline: float
) -> PartResult:
    """Every round improved together from the round-by-round start by the swaps
    (`swapped`), until the deadline; the bound is `roundtable_bound`'s, set by the caller."""
    result, objective = swapped(ctx, session, history, part.assignments, deadline)
    ctx.watch.tell(
        f"{session.id}: all rounds together, cost {objective:g} "
        f"({result.iterations} swaps in {result.seconds:.2f} s)"
    )
    return PartResult(
        session=session,
        status="feasible",
        objective=objective,
        bound=0.0,
        seconds=0.0,
        assignments=result.assignments,
    )


def swapped(
    ctx: Context, session: Session, history: History, start: list[Assignment], deadline: float
) -> tuple[Polished, int]:
    """The swaps' search from `start` until the deadline, and what its schedule costs.

    The cost is the start's under the rounds' models (costed first: the rounds' own
    objectives may leave the group criteria out) less what the search saved: the search
    weighs every term of the model that its moves can change (tests check its savings
    against the rounds' models and the independent checker). Costing the start rather than
    the search's schedule puts that work (2023's COOP: 0.6 s) before the search's time is
    set, where costing after it overran a 4-s time limit.
    """
    began = costed(ctx, session, history, start)
    result = polish_roundtable(
        ctx.event,
        session,
        history,
        start,
        deadline - time.monotonic(),
        stopped=lambda: ctx.watch.stopped,
    )
    if ctx.watch.stopped:
        raise KeyboardInterrupt
    return result, began - result.start_cost + result.cost


def designed_part(
    ctx: Context, session: Session, history: History, part: PartResult, deadline: float
) -> PartResult:
    """`part`, or the swaps' schedule from a design's start (solver/designs.py) when that
    costs less at the same worst-off level and keeps everyone's top table: the cheapest
    start whose guests above the level can each be brought within it by a swap (`lifted`).
    Only with time left after the swaps."""
    fit = design_fit(ctx.event, session)
    if fit is None:
        return part
    level = seating_of(ctx.event, session, history, part.assignments).worst
    starts = (
        d.assignments
        if level is None
        else lifted(ctx.event, session, history, d.assignments, level)
        for d in designed_starts(ctx.event, session, history, fit, level, deadline)
        if time.monotonic() < deadline
    )
    start = next((s for s in starts if s is not None), None)
    if start is None or time.monotonic() >= deadline:
        return part
    result, objective = swapped(ctx, session, history, start, deadline)
    if objective >= part.objective:
        return part
    if not keeps_top_wishes(ctx.event, session, part.assignments, result.assignments):
        return part
    ctx.watch.tell(f"{session.id}: from a design, cost {objective:g}")
    return replace(part, objective=objective, assignments=result.assignments)


def roundtable_bound(
    ctx: Context,
    session: Session,
    history: History,
    chosen: list[Assignment],
    deadline: float,
    beside: bool = False,
) -> tuple[int, "Together | None"]:
    """A lower bound on a roundtable's cost from one round's model, and the model of every
    round at once searched from the rounds' schedule `chosen` (None when too large).

    Rounds solved one after another prove nothing about the whole session, so the bound is a
    relaxation's. The objective is the preferences plus, round by round, the group criteria
    and the soft rules, plus new peers and moves (at least 0). It costs at least each
    person's cheapest allowed tables, plus rounds × the least cost of one round with the
    preferences weighed 0, no fairness level kept and nothing pinned (every round has the
    same people, tables, sizes, hard rules and earlier days), plus new peers, which no
    single round sees: `weight_new_peers` × the fewest pairs who meet again at tables of
    these sizes (`repeats_bound`), whoever sits where.

    The model of every round at once (`every_round`) sees how the rounds share the wished
    tables and people (the bundled academy-2022's NEXTGEN: 836 where the first gives 581);
    it is built only when its pairs meeting again take at most `ALL_ROUNDS_LITERALS`
    literals (2023's COOP: 85,260, and its time went to the days after it; none when such
    pairs cost nothing). Its schedule may replace the rounds' or the swaps' (academy-2023
    with wishes and rules only: 657 → 654, proven). A larger session gets, when the swaps
    run `beside`, the linear relaxation of every round without those pairs instead
    (`relaxed_apart`), within the time the swaps have when that is at least
    `APART_SECONDS_PER_CELL` a placement (COOP's 6,090 took 5–8 s, the generated networking
    sessions' 2,176 and 4,752 0.3–0.6 s); the higher of it and the rounds × one round's
    (`one_round`, which comes first and quickly: the bound when GLOP does not finish, as
    with a short time limit; COOP 2585 where one round's gives 2196). The CP-SAT parts get
    a fixed amount of deterministic work (the same bound every run) within the time left;
    each part is skipped without time for it. Sizes are the balanced ones when every round
    has them; in a re-solve whose moves come first, that model's are free, and how far they
    are from the rounds' is its level right after the moves (`sizes_after_moves`).
    """
    rounds = range(1, session.rounds + 1)
    balanced = split_sizes(ctx.event, session)
    sizes = balanced if balanced is not None and every_round_at(chosen, balanced, rounds) else None
    repeats = 0
    if sizes is not None:  # balanced tables every round: some pairs must meet again
        repeats = ctx.event.settings.weight_new_peers * repeats_bound(
            list(sizes.values()), session.rounds
        )
    bound = preference_bound(ctx.event, session) + repeats
    tables = len(ctx.event.options_of[session.id])
    building = BUILD_SECONDS_PER_CELL * len(chosen) * tables
    large = too_large_at_once(ctx, session)
    held = held_in_place(ctx, session, chosen)
    until = time.monotonic() + (1 - COSTING_SHARE) * (deadline - time.monotonic())
    relaxing = APART_SECONDS_PER_CELL * len(chosen) * tables
    if until - time.monotonic() < SEARCH_SECONDS_PER_CELL * len(chosen):
        return bound, None
    bound += rounds_least(ctx, session, history, chosen, sizes, balanced, until, large)
    if too_large_at_once(ctx, session, held):
        if beside and until - time.monotonic() >= max(building, relaxing):
            relaxed = relaxed_apart(ctx, session, history, sizes, until)
            if relaxed is not None:  # the higher of the two on every session measured
                bound = max(bound, relaxed + repeats)
        return bound, None
    if deadline - time.monotonic() < building:
        return bound, None  # no time to build a model of every round
    sized_after_moves = balanced is not None and moves_come_first(ctx, session)
    every = build_session(
        ctx.event,
        session,
        history,
        None if sized_after_moves else sizes,
        rounds=rounds,
        published=ctx.published,
        closed=held,
    )
    if sized_after_moves:
        sizes_after_moves(every, chosen, sizes)
    elif sized_by_round(ctx, session, sizes, balanced):
        hold_round_sizes(every, chosen)
    return bound, every_round(
        ctx, every, chosen, deadline, HELD_COST_PASSES if held else COST_PASSES
    )


def too_large_at_once(ctx: Context, session: Session, held: set[Key] | None = None) -> bool:
    """Whether the model of every round at once would take more than `ALL_ROUNDS_LITERALS`
    literals for its pairs meeting again (none when such pairs cost nothing): a person's
    tables in one round times those in another, for each two rounds, where a seat `held`
    in place leaves one table in its round (`held_in_place`)."""
    if not ctx.event.settings.weight_new_peers:  # no literal for pairs met again
        return False
    tables = len(ctx.event.options_of[session.id])
    kept = Counter((person, round_) for person, _, round_ in held or ())
    literals = 0
    for person in ctx.event.audience_of(session):
        open_in = [1 if kept[(person.id, r)] else tables for r in range(1, session.rounds + 1)]
        literals += sum(a * b for i, a in enumerate(open_in) for b in open_in[i + 1 :])
    return literals > ALL_ROUNDS_LITERALS


def held_in_place(ctx: Context, session: Session, chosen: list[Assignment]) -> set[Key]:
    """In a re-solve whose moves come first, when the rounds' schedule `chosen` moves no more
    published people than any schedule must (`least_moves`): every placement but their own
    of the people no schedule at those moves moves (`held_seats`), so that the model of
    every round at once places the others alone (2023's COOP, 85,260 literals for pairs
    meeting again, takes 1,000 or so with five newcomers). Empty otherwise."""
    if not moves_come_first(ctx, session):
        return set()
    published = present_in(ctx.event, session, ctx.published.of_session(session.id)[0])
    if moved(chosen, published) > least_moves(ctx.event, session, published):
        return set()
    return {
        (person, option.id, round_)
        for (person, round_), kept in held_seats(ctx.event, session, published).items()
        for option in ctx.event.options_of[session.id]
        if option.id != kept
    }


def moves_come_first(ctx: Context, session: Session) -> bool:
    """Whether a re-solve of the session minimises its moves before anything else
    (`stability_first`, and its moves weighed: `moves_weighed`)."""
    return moves_weighed(ctx, session) and ctx.event.settings.stability_first


def sized_by_round(
    ctx: Context,
    session: Session,
    sizes: dict[str, int] | None,
    balanced: dict[str, int] | None,
) -> bool:
    """Whether a roundtable's rounds hold sizes of their own: a re-solve's rounds, each
    balanced above the people it keeps (`open_seats`), when they are not all at one set of
    balanced sizes (`sizes` None). In a first solve such rounds are those the hard rules
    kept from balance, and the model of every round may size them freely."""
    return sizes is None and balanced is not None and bool(ctx.published.of_session(session.id)[0])


def hold_round_sizes(m: SessionModel, chosen: list[Assignment]) -> None:
    """Every open table holds in each round between the fewest and the most people a table
    holds in that round of the rounds' schedule `chosen` (`round_size_ranges`)."""
    for (option, round_), (low, high) in round_size_ranges(m, chosen, None).items():
        m.model.add_linear_constraint(cp_model.LinearExpr.sum(m.members(option, round_)), low, high)


def round_size_ranges(
    m: SessionModel, chosen: list[Assignment], sizes: dict[str, int] | None
) -> dict[tuple[str, int], tuple[int, int]]:
    """The least and most people each open table holds in each round: the balanced `sizes`
    every round of the rounds' schedule `chosen` has, or else, without them, the fewest and
    the most a table holds in that round of `chosen` (balanced tables whose larger ones
    differ from round to round, as when a newcomer takes a different table each round)."""
    open_ids = [option.id for option in m.options if option.max > 0]
    extremes = round_extremes(chosen, open_ids, m.rounds)
    return {
        (option, round_): (
            (sizes[option], sizes[option]) if sizes is not None else extremes[round_]
        )
        for round_ in m.rounds
        for option in open_ids
    }


def round_extremes(
    chosen: list[Assignment], open_ids: list[str], rounds: range
) -> dict[int, tuple[int, int]]:
    """The fewest and the most people an open table holds in each round of a schedule."""
    held = seats_held(chosen)
    extremes = {}
    for round_ in rounds:
        round_sizes = [held[(option, round_)] for option in open_ids]
        extremes[round_] = (min(round_sizes), max(round_sizes))
    return extremes


def sizes_after_moves(
    m: SessionModel, chosen: list[Assignment], sizes: dict[str, int] | None
) -> None:
    """A level right after the fewest moves in a re-solve's model of every round, its sizes
    free: the seats by which the tables are outside the sizes `round_size_ranges` gives them
    (as hard limits, those sizes kept it from undoing the rounds' moves across rounds)."""
    off, most = [], 0
    for (option, round_), (low, high) in round_size_ranges(m, chosen, sizes).items():
        size = m.size_var(option, round_)
        above = max(0, m.most(option, round_) - high)
        over = m.model.new_int_var(0, above, f"over[{option},{round_}]")
        under = m.model.new_int_var(0, low, f"under[{option},{round_}]")
        m.model.add(size - high <= over)
        m.model.add(low - size <= under)
        off += [over, under]
        most += above + low
    level = m.model.new_int_var(0, most, SIZES)
    m.model.add(level == cp_model.LinearExpr.sum(off))
    after = next((i + 1 for i, (name, _) in enumerate(m.firsts) if name == MOVES), 0)
    m.firsts.insert(after, (SIZES, level))


def seats_held(chosen: list[Assignment]) -> Counter[tuple[str, int]]:
    """How many people each (option, round) holds in a schedule."""
    return Counter((a.option, a.round) for a in chosen)


def rounds_least(
    ctx: Context,
    session: Session,
    history: History,
    chosen: list[Assignment],
    sizes: dict[str, int] | None,
    balanced: dict[str, int] | None,
    deadline: float,
    large: bool,
) -> int:
    """The rounds' least cost with the preferences weighed 0: rounds × one round's
    (`one_round`) at the sizes every round has. In a re-solve whose rounds hold balanced
    sizes that differ from round to round (`open_seats`), a large roundtable's rounds each
    at their own sizes (its schedule is the rounds'), each set of sizes bounded once (free
    sizes lose the isolation floors: 2023's re-solve 5254 → 5170); a small one's at the
    ranges its model of every round keeps at its sizes' level 0 (`round_ranges`), in which
    the larger tables may change places.
    """
    if not sized_by_round(ctx, session, sizes, balanced):
        return session.rounds * one_round(ctx, session, history, sizes, deadline, large)
    if not large:
        return sum(
            count * one_round_within(ctx, session, history, low, high, deadline)
            for (low, high), count in sorted(round_ranges(ctx, session, chosen).items())
        )
    options = ctx.event.options_of[session.id]
    seats = seats_held(chosen)
    held = Counter(tuple(seats[(o.id, r)] for o in options) for r in range(1, session.rounds + 1))
    ids = [o.id for o in options]
    return sum(
        count
        * one_round(ctx, session, history, dict(zip(ids, held_sizes, strict=True)), deadline, large)
        for held_sizes, count in sorted(held.items())
    )


def round_ranges(
    ctx: Context, session: Session, chosen: list[Assignment]
) -> Counter[tuple[int, int]]:
    """How many rounds of the schedule `chosen` have each range of table sizes: the fewest and
    the most people an open table holds in the round (`round_extremes`)."""
    open_ids = [o.id for o in ctx.event.options_of[session.id] if o.max > 0]
    return Counter(round_extremes(chosen, open_ids, range(1, session.rounds + 1)).values())


def one_round_within(
    ctx: Context, session: Session, history: History, low: int, high: int, deadline: float
) -> int:
    """The least cost of one of a small roundtable's rounds with the preferences weighed 0
    and every open table holding between `low` and `high` people (0 when there is no time to
    bound it), from CP-SAT."""
    event = ctx.event.with_settings(weight_preference=0)
    one = build_session(event, session, history, None, rounds=range(1, 2))
    for option in one.options:
        if option.max > 0:
            one.model.add_linear_constraint(one.size_var(option.id, 1), low, high)
    return bound_of(ctx, one, deadline, QUICK_WORK) or 0


def one_round(
    ctx: Context,
    session: Session,
    history: History,
    sizes: dict[str, int] | None,
    deadline: float,
    large: bool,
) -> int:
    """The least cost of one of a roundtable's rounds with the preferences weighed 0 (0 when
    there is no time to bound it): a large one's from its linear relaxation (2023's COOP:
    512 in 0.4 s of GLOP's primal simplex, where CP-SAT's bound took 3.5–4.9 s for 511–522),
    a small one's from CP-SAT (2022's NEXTGEN: 146 in 0.2 s, where GLOP gives 126)."""
    event = ctx.event.with_settings(weight_preference=0)
    one = build_session(event, session, history, sizes, rounds=range(1, 2))
    if not large:
        return bound_of(ctx, one, deadline, QUICK_WORK) or 0
    isolation_floors(one)
    relaxed = relaxed_in_time(one, deadline, ctx.watch, PRIMAL_SIMPLEX)
    return math.ceil(relaxed.bound - 1e-6) if relaxed is not None else 0


def relaxed_apart(
    ctx: Context,
    session: Session,
    history: History,
    sizes: dict[str, int] | None,
    deadline: float,
) -> int | None:
    """The linear relaxation's optimum of every round at once, the pairs meeting again within
    the session left out (they cost at least the unavoidable repeats, added by the caller);
    None when GLOP does not finish in time.

    It sees how the rounds share the wished tables and earlier days' groups, as the model
    with the pairs does, at a fraction of its size: 2023's COOP (145 people, 14 tables, 3
    rounds) 2535 where the rounds' relaxations give 2142–2181, in 5–6 s of GLOP's primal
    simplex from a crash basis (7–9 s with the dual simplex used elsewhere); 2585 with
    the isolation floors (`isolation_floors`).
    """
    event = ctx.event.with_settings(weight_new_peers=0)
    m = build_session(event, session, history, sizes, rounds=range(1, session.rounds + 1))
    isolation_floors(m)
    relaxed = relaxed_in_time(m, deadline, ctx.watch, PRIMAL_SIMPLEX)  # Ctrl-C stops it
    return math.ceil(relaxed.bound - 1e-6) if relaxed is not None else None


@dataclass
class Together:
    """What the model of every round at once gave: a bound, and a schedule to compare."""

    model: SessionModel
    plain: cp_model.CpModel  # the model before any level was capped, to measure schedules
    bound: int  # for schedules at the `least` levels
    least: tuple[int, ...] = ()  # the least levels proven, in order (moves, worst-off)
    solved: "Solved | None" = None  # a schedule at every least level


def every_round(
    ctx: Context,
    m: SessionModel,
    chosen: list[Assignment],
    deadline: float,
    passes: tuple[tuple[int, float], ...] = COST_PASSES,
) -> Together | None:
    """CP-SAT on the model of every round at once, from the rounds' schedule: each level in
    order (the fewest moves when re-solving, then the worst-off person), proven and kept,
    each for `ALL_ROUNDS_WORK`, then the least cost at them (`least_cost`; None without a
    bound).

    The pairs meeting again within the session are counted exactly (`met_again_within`).
    Small sessions are proven optimal this way (2023's NEXTGEN, 42 people at four tables
    in two rounds: 821 in 0.3 s, where the search's swaps stop at 839 and the relaxations
    bound 710). When a level is not proven in the time, the cost is minimised at the
    levels proven before it: a bound only.
    """
    placed = placements(chosen)
    hint = {key: key in placed for key in m.x}
    plain = m.model.clone()
    least: list[int] = []
    for _name, level in m.firsts:
        m.model.minimize(level)
        add_hint(m, hint)
        solver, status = worked(ctx, m, deadline, ALL_ROUNDS_WORK)
        if status != cp_model.OPTIMAL:
            break
        least.append(round(solver.objective_value))
        m.model.add(level <= least[-1])
    m.model.minimize(objective(m))
    add_hint(m, hint)
    solved, bound = least_cost(ctx, m, deadline, passes)
    if bound is None:
        return None
    proven = len(least) == len(m.firsts)
    return Together(m, plain, bound, tuple(least), solved if proven else None)


def least_cost(
    ctx: Context, m: SessionModel, deadline: float, passes: tuple[tuple[int, float], ...]
) -> tuple[Solved, int | None]:
    """The model's least cost by `passes` (linearization level, deterministic seconds) until
    one proves it: the best schedule found and the highest bound (None when no pass has one)."""
    best, bound = Solved(cp_model.UNKNOWN), None
    for level, work in passes:
        solver, status = worked(ctx, m, deadline, work, level)
        found = outcome(m, solver, status)
        if found.found and (not best.found or found.objective < best.objective):
            best = found
        passed = bound_in(ctx, solver, status)
        if passed is not None:
            bound = passed if bound is None else max(bound, passed)
        if status == cp_model.OPTIMAL or ctx.watch.stopped:
            break
    return best, bound


def bound_of(ctx: Context, m: SessionModel, deadline: float, work: float) -> int | None:
    """CP-SAT's lower bound on a model's objective after `work` deterministic seconds (None
    when it has none)."""
    return bound_in(ctx, *worked(ctx, m, deadline, work))


def worked(
    ctx: Context, m: SessionModel, deadline: float, work: float, linearization: int | None = None
) -> tuple[cp_model.CpSolver, Status]:
    """One search thread on the model for `work` deterministic seconds (the same result every
    run, unless the time left ends it first), at the `linearization` level if given."""
    solver = cp_solver()
    configure(solver, m.event, m.session, deadline - time.monotonic())
    solver.parameters.max_deterministic_time = work
    if linearization is not None:
        solver.parameters.linearization_level = linearization
    return solver, ctx.watch.solve(solver, m.model, m.session.id)


def bound_in(ctx: Context, solver: cp_model.CpSolver, status: Status) -> int | None:
    """The search's lower bound on the model's objective, rounded up (None when it has none)."""
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID) or ctx.watch.stopped:
        return None
    if status == cp_model.UNKNOWN and not math.isfinite(solver.best_objective_bound):
        return None
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def costed(ctx: Context, session: Session, history: History, chosen: list[Assignment]) -> int:
    """What a roundtable's placements cost, round by round, under the rounds' CP-SAT models
    (each move counted in its own round, as the checker counts it: every round is known)."""
    local = history.copy()
    total = 0
    held = seats_held(chosen)
    for round_ in range(1, session.rounds + 1):
        placed = [a for a in chosen if a.round == round_]
        m = build_session(
            ctx.event,
            session,
            local,
            sizes={o.id: held[(o.id, round_)] for o in ctx.event.options_of[session.id]},
            rounds=range(round_, round_ + 1),
            published=ctx.published,
            later_known=True,
        )
        keys = placements(placed)
        solved = evaluated(m, Solved(cp_model.FEASIBLE, chosen={k: k in keys for k in m.x}))
        if not solved.found:
            raise RuntimeError(f"session {session.id}: the search broke a hard rule")
        total += round(solved.objective)
        local.record(ctx.event, placed)
    return total
