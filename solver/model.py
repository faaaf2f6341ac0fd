"""One session's CP-SAT model: sparse placement variables and labelled penalty terms."""

from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from ortools.sat.python import cp_model

from models import Assignment, Event, Option, Participant, Session
from solver.history import History

Key = tuple[str, str, int]  # (participant, option, round)
Bounds = Callable[[int], tuple[int, int]]  # a row's sides at an option's size
Sides = Callable[[dict[str, int]], tuple[int, int]]  # a row's sides at every option's size
UNBOUNDED = 2**63 - 1  # a linear constraint's open side, as CP-SAT writes it (−1 − it below)


@dataclass(frozen=True)
class Penalty:
    """A soft term of the objective: `weight × expr`, labelled with the rule it comes from."""

    rule: str
    weight: int
    expr: cp_model.LinearExprT


@dataclass
class SessionModel:
    """The placement variables of one session (or some of its rounds) and what rules need."""

    event: Event
    session: Session
    options: list[Option]
    people: list[Participant]
    rounds: range = range(1, 2)
    history: History = field(default_factory=History)
    sizes: dict[str, int] | None = None
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[Key, cp_model.IntVar] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)
    firsts: list[tuple[str, cp_model.IntVar]] = field(default_factory=list)
    caps: list[int] = field(default_factory=list)
    published: dict[tuple[str, int], str] = field(default_factory=dict)
    published_later: dict[tuple[str, int], str] = field(default_factory=dict)  # rounds after
    pinned: set[tuple[str, int]] = field(default_factory=set)
    pinned_later: Counter[tuple[str, str]] = field(default_factory=Counter)  # (person, option)
    explaining: bool = False
    group_penalties: bool = True
    groups_left_out: bool = False
    labels: dict[str, cp_model.IntVar] = field(default_factory=dict)
    size_vars: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    size_choices: dict[tuple[str, int], dict[int, cp_model.IntVar]] = field(default_factory=dict)
    open_to: dict[str, set[str]] = field(default_factory=dict)  # usable, before closed ones
    side_constraints: bool = False  # hard group rules a min-cost flow cannot keep
    banded: bool = True  # split groups within ±1 of fair shares (sizes fixed in advance only)
    resizable: list[tuple[int, Sides]] = field(default_factory=list)  # rows set by sizes
    shares: dict[tuple[tuple[str, ...], str, int], cp_model.LinearExprT] = field(
        default_factory=dict
    )  # weighted distance from the fair share, by diversity value's people, option, round
    alone: dict[tuple[tuple[str, ...], str, int], cp_model.IntVar] = field(
        default_factory=dict
    )  # alone in the option, by isolation value's people, option, round
    pace: float = 1.0  # how much slower than usual this machine runs now (1: as usual)

    def work(self, seconds_per_cell: float) -> float:
        """The seconds a step taking `seconds_per_cell` a placement takes on this model, at
        the machine's pace now."""
        return seconds_per_cell * len(self.x) * self.pace

    @cached_property
    def costs(self) -> dict[Key, int]:
        """Each placement's preference cost (`Event.cost`), made once the variables exist."""
        sid = self.session.id
        return {key: self.event.cost(key[0], sid, key[1]) for key in self.x}

    def fix_schedule(
        self, model: cp_model.CpModel, placed: set[Key], free: AbstractSet[str] = frozenset()
    ) -> None:
        """Fix, in `model` (a clone of this one), every placement to the schedule `placed`,
        except the `free` people's, which are only hinted with it."""
        for key, var in self.x.items():
            x = model.get_bool_var_from_proto_index(var.index)
            if key[0] in free:
                model.add_hint(x, key in placed)
            else:
                model.add(x == (key in placed))

    def sized(self, constraint: cp_model.Constraint, option: str, bounds: Bounds) -> None:
        """Note a linear constraint whose sides follow the option's size fixed in advance."""
        self.resizable.append((constraint.index, lambda sizes: bounds(sizes[option])))

    def sized_by_all(self, constraint: cp_model.Constraint, sides: Sides) -> None:
        """Note a linear constraint whose sides follow every option's size fixed in advance."""
        self.resizable.append((constraint.index, sides))

    def sides_at(self, sizes: dict[str, int]) -> dict[int, tuple[int, int]]:
        """The sides of every row that follows the sizes, at these sizes (by constraint)."""
        return {index: sides(sizes) for index, sides in self.resizable}

    def resize(self, sizes: dict[str, int]) -> None:
        """Fix the options at other sizes: every row that follows them is set anew."""
        self.sizes = sizes
        for index, sides in self.sides_at(sizes).items():
            domain = self.model.proto.constraints[index].linear.domain
            domain.clear()
            domain.extend(sides)

    def choices(self, person: str, round_: int) -> list[tuple[str, cp_model.IntVar]]:
        """The options a person may take in a round, with their variables."""
        return [
            (option.id, var)
            for option in self.options
            if (var := self.x.get((person, option.id, round_))) is not None
        ]

    def members(self, option: str, round_: int) -> list[cp_model.IntVar]:
        """The variables of everyone who may sit in an option in a round."""
        return [
            var
            for person in self.people
            if (var := self.x.get((person.id, option, round_))) is not None
        ]

    def require(self, constraint: cp_model.Constraint, label: str) -> None:
        """A hard constraint that belongs to the rule `label` (named in explanations).

        When explaining an infeasible session, each label gets a literal that enforces its
        constraints, and CP-SAT's core of assumptions names the rules that cannot all hold.
        """
        if self.explaining:
            if label not in self.labels:
                self.labels[label] = self.model.new_bool_var(label)
            constraint.only_enforce_if(self.labels[label])

    def soft_groups(self) -> bool:
        """Whether a group rule may add its soft terms now; if not, note that it had some."""
        if not self.group_penalties:
            self.groups_left_out = True
        return self.group_penalties

    def first(self, name: str, var: cp_model.IntVar) -> None:
        """Minimise `var` before the weighted objective, in the order rules ask (lexicographic)."""
        self.firsts.append((name, var))

    def size_var(self, option: str, round_: int) -> cp_model.IntVar:
        """An integer variable equal to the option's size in the round (made once)."""
        if (option, round_) not in self.size_vars:
            var = self.model.new_int_var(0, self.most(option, round_), f"size[{option},{round_}]")
            self.model.add(var == cp_model.LinearExpr.sum(self.members(option, round_)))
            self.size_vars[(option, round_)] = var
        return self.size_vars[(option, round_)]

    def size_choice(self, option: str, round_: int) -> dict[int, cp_model.IntVar]:
        """A literal for each size the option may have in the round, exactly one true (made
        once): anything that depends on the size alone is then linear in them."""
        if (option, round_) not in self.size_choices:
            sizes = range(self.most(option, round_) + 1)
            choice = {k: self.model.new_bool_var(f"size[{option},{round_}]={k}") for k in sizes}
            self.model.add_exactly_one(choice.values())
            self.model.add(
                self.size_var(option, round_)
                == cp_model.LinearExpr.weighted_sum(list(choice.values()), list(sizes))
            )
            self.size_choices[(option, round_)] = choice
        return self.size_choices[(option, round_)]

    def most(self, option: str, round_: int) -> int:
        """The most people the option can hold in the round: its max, or all who may sit there."""
        return min(len(self.members(option, round_)), self.option(option).max)

    def option(self, option: str) -> Option:
        """The session's option with that id."""
        return next(o for o in self.options if o.id == option)

    def count(self, people: list[str], option: str, round_: int) -> cp_model.LinearExpr:
        """How many of these people sit in the option in the round."""
        seats = [self.x.get((person, option, round_)) for person in people]
        return cp_model.LinearExpr.sum([seat for seat in seats if seat is not None])

    def in_option(self, person: str, option: str, round_: int) -> cp_model.LinearExprT:
        """1 when the person is in the option in that round, else 0 (constant 0 if impossible)."""
        return self.x.get((person, option, round_), 0)

    def penalise(self, rule: str, weight: int, expr: cp_model.LinearExprT) -> None:
        """Record a soft term; zero weights switch it off."""
        if weight > 0:
            self.penalties.append(Penalty(rule, weight, expr))


def placements(assignments: list[Assignment]) -> set[Key]:
    """The assignments as model keys (person, option, round)."""
    return {(a.participant, a.option, a.round) for a in assignments}


def read_assignments(session: Session, chosen: dict[Key, bool]) -> list[Assignment]:
    """The chosen option of every person in every round."""
    return [
        Assignment(participant=person, session=session.id, option=option, round=round_)
        for (person, option, round_), on in chosen.items()
        if on
    ]
