"""What earlier days left behind: each person's dissatisfaction and who has already met whom."""

from collections import Counter
from dataclasses import dataclass, field

from models import Assignment, Event, SessionKind

MIXING_KINDS = (SessionKind.SPLIT, SessionKind.ROUNDTABLE)


@dataclass
class History:
    """Facts from the sessions solved so far, read by the fairness and mixing rules."""

    dissatisfaction: Counter[str] = field(default_factory=Counter)
    groups: list[frozenset[str]] = field(default_factory=list)

    def record(self, event: Event, assignments: list[Assignment]) -> None:
        """Add a solved session's placements: their preference costs and their groups."""
        members: dict[tuple[str, str, int], set[str]] = {}
        for a in assignments:
            if (a.participant, a.session) not in event.host_option:
                self.dissatisfaction[a.participant] += event.cost(
                    a.participant, a.session, a.option
                )
            members.setdefault((a.session, a.option, a.round), set()).add(a.participant)
        self.groups += [frozenset(group) for _, group in sorted(members.items()) if len(group) > 1]
