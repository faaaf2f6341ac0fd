"""Every rule in one place, in the order they are added to a session's model."""

from collections.abc import Callable

from solver.model import SessionModel
from solver.rules.core import distinct_tables, minimum_if_open, one_option_per_round, room_capacity
from solver.rules.eligibility import ELIGIBILITY, may_take, options_open_to, reasons_against
from solver.rules.fairness import worst_off
from solver.rules.groups import (
    colleagues_apart,
    diversity,
    fixed_sizes,
    met_again_within,
    new_encounters,
    no_isolation,
    split_sizes,
)
from solver.rules.organiser import keep_apart, keep_together, soft_assign, soft_forbid
from solver.rules.preferences import preference_cost
from solver.rules.stability import fewest_moves, keep_pinned

Rule = Callable[[SessionModel], None]

HARD: tuple[Rule, ...] = (
    one_option_per_round,
    room_capacity,
    minimum_if_open,
    distinct_tables,
    fixed_sizes,
    keep_pinned,
)
ORGANISER: tuple[Rule, ...] = (keep_together, keep_apart, soft_assign, soft_forbid)
GROUPS: tuple[Rule, ...] = (
    diversity,
    no_isolation,
    colleagues_apart,
    new_encounters,
    met_again_within,
)
OBJECTIVE: tuple[Rule, ...] = (fewest_moves, preference_cost, worst_off)
RULES: tuple[Rule, ...] = HARD + ORGANISER + GROUPS + OBJECTIVE

__all__ = [
    "ELIGIBILITY",
    "GROUPS",
    "RULES",
    "may_take",
    "options_open_to",
    "reasons_against",
    "split_sizes",
]
