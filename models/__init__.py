"""The event domain: people, sessions, options, preferences, rules, settings, allocations."""

from models.allocation import (
    Allocation,
    Assignment,
    Change,
    CheckReport,
    CheckResult,
    GroupStats,
    SolveStats,
)
from models.event import (
    Event,
    Option,
    Participant,
    Preference,
    Rule,
    RuleKind,
    Session,
    SessionKind,
    Settings,
    Strength,
)
from models.issues import Issue, Level

__all__ = [
    "Allocation",
    "Assignment",
    "Change",
    "CheckReport",
    "CheckResult",
    "Event",
    "GroupStats",
    "Issue",
    "Level",
    "Option",
    "Participant",
    "Preference",
    "Rule",
    "RuleKind",
    "Session",
    "SessionKind",
    "Settings",
    "SolveStats",
    "Strength",
]
