"""What earlier days left behind: each person's dissatisfaction and who has already met whom."""

from collections import Counter
from dataclasses import dataclass, field

from models import Assignment, Event


@dataclass
class History:
    """Facts from the sessions solved so far, read by the fairness and mixing rules."""

    dissatisfaction: Counter[str] = field(default_factory=Counter)
    groups: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (session, people)
    visits: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def copy(self) -> "History":
        """An independent copy, for solving a session's rounds one after another."""
        return History(Counter(self.dissatisfaction), list(self.groups), Counter(self.visits))

    def record(self, event: Event, assignments: list[Assignment]) -> None:
        """Add placements: preference costs, table visits, groups of split and roundtable."""
        members: dict[tuple[str, str, int], set[str]] = {}
        for a in assignments:
            self.dissatisfaction[a.participant] += event.cost(a.participant, a.session, a.option)
            self.visits[(a.session, a.participant, a.option)] += 1
            if event.session_by_id[a.session].kind.mixes:
                members.setdefault((a.session, a.option, a.round), set()).add(a.participant)
        self.groups += [
            (session, frozenset(group))
            for (session, _option, _round), group in sorted(members.items())
            if len(group) > 1
        ]
