"""What the tool gives back: who goes where, how good it is, and what the checker found."""

from collections import Counter
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


class Assignment(BaseModel):
    """One person in one option of one session (and round)."""

    model_config = ConfigDict(frozen=True)

    participant: str
    session: str
    option: str
    round: int = Field(default=1, ge=1)
    pinned: bool = False
    room: str = Field(default="", exclude=True)
    name: str = Field(default="", exclude=True)  # as the sheet read back shows it
    row: int | None = Field(default=None, exclude=True)

    @property
    def key(self) -> tuple[str, str, int]:
        """(participant, session, round): one placement per key."""
        return (self.participant, self.session, self.round)


class Change(BaseModel):
    """One difference between a published allocation and a new one, with its reason."""

    participant: str
    name: str = ""
    session: str
    round: int = 1
    before: str = ""
    after: str = ""
    reason: str


def gap_percent(objective: float, bound: float) -> float:
    """Relative distance between a cost and its proven bound, in percent (0 for no cost)."""
    if not objective > 0:
        return 0.0
    return max(0.0, 100.0 * (objective - bound) / objective)


OVERRUN_SLACK = 1.0  # seconds past the time limit not worth a warning …
OVERRUN_SHARE = 0.05  # … or this share of it, whichever is more


class SolveStats(BaseModel):
    """How the solve went, for one group of sessions or the whole event."""

    status: str = "unknown"
    objective: float = 0.0
    bound: float = 0.0
    seconds: float = 0.0
    components: int = 0
    sessions: dict[str, "SolveStats"] = Field(default_factory=dict)  # each session's own

    @property
    def gap(self) -> float:
        """Relative distance between the allocation's cost and the proven bound, in percent."""
        return gap_percent(self.objective, self.bound)

    @property
    def is_optimal(self) -> bool:
        """True when the solver proved that nothing better exists."""
        return self.status == "optimal"

    def overran(self, limit: float) -> bool:
        """True when the solve took clearly longer than its time limit."""
        return self.seconds > limit + max(OVERRUN_SLACK, OVERRUN_SHARE * limit)


class Allocation(BaseModel):
    """For every participant present, one option per session (per round for roundtables)."""

    assignments: list[Assignment] = Field(default_factory=list)
    stats: SolveStats = Field(default_factory=SolveStats)
    changes: list[Change] | None = None

    @cached_property
    def option_of(self) -> dict[tuple[str, str, int], str]:
        """Each (participant, session, round)'s option."""
        return {(a.participant, a.session, a.round): a.option for a in self.assignments}

    @cached_property
    def members(self) -> dict[tuple[str, str, int], list[str]]:
        """The people of each (session, option, round), in allocation order."""
        grouped: dict[tuple[str, str, int], list[str]] = {}
        for a in self.assignments:
            grouped.setdefault((a.session, a.option, a.round), []).append(a.participant)
        return grouped

    @cached_property
    def in_session(self) -> dict[str, list[Assignment]]:
        """The assignments of each session, in allocation order."""
        grouped: dict[str, list[Assignment]] = {}
        for a in self.assignments:
            grouped.setdefault(a.session, []).append(a)
        return grouped

    def count(self, session: str, option: str, round_: int = 1) -> int:
        """How many people an option holds in a round."""
        return len(self.members.get((session, option, round_), []))

    def change_counts(self) -> dict[str, int]:
        """After a re-solve: how many placements were kept, moved, added and removed."""
        changes = self.changes or []
        moved = sum(1 for c in changes if c.before and c.after)
        added = sum(1 for c in changes if c.after and not c.before)
        return {
            "kept": len(self.assignments) - moved - added,
            "moved": moved,
            "added": added,
            "removed": sum(1 for c in changes if c.before and not c.after),
        }

    def duplicates(self) -> list[tuple[str, str, int]]:
        """(participant, session, round) triples assigned more than once."""
        seen = Counter((a.participant, a.session, a.round) for a in self.assignments)
        return [key for key, times in seen.items() if times > 1]


class CheckResult(BaseModel):
    """One rule evaluated on an allocation."""

    rule: str
    hard: bool
    held: bool
    penalty: int = 0
    message: str = ""
    people: list[str] = Field(default_factory=list)
    session: str = ""


class GroupStats(BaseModel):
    """How mixed one option is in one round: its size, spread and isolated people."""

    session: str
    option: str
    round: int = 1
    size: int = 0
    deviation: dict[str, float] = Field(default_factory=dict)
    isolated: list[str] = Field(default_factory=list)


class CheckReport(BaseModel):
    """Every rule's result, and the allocation's cost as the checker computes it."""

    results: list[CheckResult] = Field(default_factory=list)
    preference_cost: int = 0
    soft_penalty: int = 0
    objective: int = 0
    rank_counts: dict[str, int] = Field(default_factory=dict)
    session_ranks: dict[str, dict[str, int]] = Field(default_factory=dict)  # each session's
    worst_off: int = 0
    dissatisfaction: dict[str, int] = Field(default_factory=dict)
    groups: list[GroupStats] = Field(default_factory=list)
    new_people: dict[str, int] = Field(default_factory=dict)
    repeat_pairs: int = 0
    kept_broken: int | None = None  # after `--day`: hard rules the days not solved break

    @property
    def weighted_preference_cost(self) -> int:
        """The preference cost as the total counts it (× `weight_preference`)."""
        return self.objective - self.soft_penalty

    @property
    def average_new_people(self) -> float:
        """How many different people a participant met, on average."""
        return sum(self.new_people.values()) / len(self.new_people) if self.new_people else 0.0

    @property
    def broken(self) -> list[CheckResult]:
        """Hard rules that do not hold."""
        return [result for result in self.results if result.hard and not result.held]

    @property
    def ok(self) -> bool:
        """True when every hard rule holds."""
        return not self.broken
