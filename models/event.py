"""The event as the organiser describes it: people, days, sessions, options, wishes, rules."""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

BUILT_IN_ATTRIBUTES = ("organisation", "country", "region", "group", "email")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # what reads as an email address
MOST_WEIGHT = 1_000_000  # the largest weight or cost: the objective must fit in 64 bits


class SessionKind(StrEnum):
    """How a session divides its audience."""

    CHOICE = "choice"
    SPLIT = "split"
    ROUNDTABLE = "roundtable"

    @property
    def mixes(self) -> bool:
        """True for the kinds whose groups the tool forms (split, roundtable): their options
        are balanced in size, and the people met in them count for mixing."""
        return self is not SessionKind.CHOICE


class RuleKind(StrEnum):
    """The organiser's rule types."""

    TOGETHER = "together"
    APART = "apart"
    ASSIGN = "assign"
    FORBID = "forbid"


class Strength(StrEnum):
    """A hard rule must hold; a soft rule costs its weight when broken."""

    HARD = "hard"
    SOFT = "soft"


class Entity(BaseModel):
    """A row of the event; `row` is where it came from, for messages."""

    model_config = ConfigDict(frozen=True)

    row: int | None = Field(default=None, exclude=True)


class Participant(Entity):
    """A person who may attend the event."""

    id: str
    name: str
    email: str = ""
    organisation: str = ""
    country: str = ""
    region: str = ""
    group: str = ""
    days: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    registered: datetime | None = None
    extra: dict[str, str] = Field(default_factory=dict)

    def attends(self, day: str) -> bool:
        """True when the person is present on that day (no days listed = every day)."""
        return not self.days or day in self.days

    def attribute(self, key: str) -> str:
        """The value of a built-in or extra column, empty when unknown."""
        if key in BUILT_IN_ATTRIBUTES:
            return str(getattr(self, key))
        return self.extra.get(key, "")


class Session(Entity):
    """One slot of the programme in which the audience is divided."""

    id: str
    day: str
    kind: SessionKind
    title: str = ""
    start: str = ""
    end: str = ""
    rounds: int = Field(default=1, ge=1)
    audience: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The id with the title, for messages and sheet headings."""
        return f"{self.id} ({self.title})" if self.title else self.id

    @property
    def times(self) -> str:
        """The session's start and end ("13:30–15:30"), as far as they are known."""
        return "–".join(text for text in (self.start, self.end) if text)

    @property
    def when(self) -> str:
        """The day and times of the session ("2023-02-01, 13:30–15:30")."""
        return f"{self.day}, {self.times}" if self.times else self.day

    @property
    def calendar_day(self) -> date | None:
        """The session's day as a date; None for a day that is not one (a label, "Day 1")."""
        try:
            return date.fromisoformat(self.day.strip())
        except ValueError:
            return None

    @property
    def end_time(self) -> time | None:
        """The session's end as a time; None when empty or not a time ("11h")."""
        try:
            return time.fromisoformat(self.end.strip())
        except ValueError:
            return None

    def ended_by(self, moment: datetime) -> bool:
        """True when the session was over at that moment: its day (a date) ended, or its end
        time on that day passed; never for a day that is not a date (a label such as "Day 1")."""
        if self.calendar_day is None:
            return False
        end = self.end_time or time.max
        return datetime.combine(self.calendar_day, end) <= moment.replace(tzinfo=None)


class Option(Entity):
    """A room, workshop or table of a session."""

    session: str
    id: str
    max: int = Field(ge=0)
    min: int = Field(default=0, ge=0)
    title: str = ""
    room: str = ""
    features: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """Options are identified within their session."""
        return (self.session, self.id)

    @property
    def label(self) -> str:
        """How an organiser names the option: its room or title beside the id."""
        name = self.room or self.title
        return f"{name} ({self.id})" if name else self.id


class Preference(Entity):
    """A participant's wish about one option: a rank (1 = first choice) or a veto."""

    participant: str
    session: str
    option: str
    rank: int | None = Field(default=None, ge=1)

    @property
    def is_veto(self) -> bool:
        """A veto (rank `no`) must never be broken."""
        return self.rank is None


class Rule(Entity):
    """An organiser's rule; an empty session means every session where it applies."""

    kind: RuleKind
    participants: tuple[str, ...]
    session: str = ""
    option: str = ""
    strength: Strength = Strength.HARD
    weight: int = Field(default=1, ge=0, le=MOST_WEIGHT)

    @property
    def is_hard(self) -> bool:
        """Hard rules are constraints; soft ones cost their weight."""
        return self.strength is Strength.HARD

    def applies_to(self, session: str) -> bool:
        """True when the rule concerns that session."""
        return not self.session or self.session == session

    def describe(self) -> str:
        """The rule in the organiser's words."""
        people = ", ".join(self.participants)
        scope = f" in {self.session}" if self.session else ""
        target = f" {self.option}" if self.option else ""
        return f"{self.strength} {self.kind}{target} for {people}{scope}"

    @property
    def located(self) -> str:
        """The rule's words with its row in the Rules sheet, when known."""
        return f"{self.describe()} (Rules row {self.row})" if self.row else self.describe()


class Settings(BaseModel):
    """Weights, limits and seed; read from the Settings sheet, overridden by flags."""

    model_config = ConfigDict(validate_assignment=True)

    rank_costs: tuple[int, ...] = (0, 1, 3, 6)
    unranked_cost: int = Field(default=10, ge=0, le=MOST_WEIGHT)
    weight_preference: int = Field(default=1, ge=0, le=MOST_WEIGHT)
    diversity: tuple[str, ...] = Field(
        default=("region", "group"),
        description="Participants columns whose values are spread over the options of a session",
    )
    weight_diversity: int = Field(
        default=2,
        ge=0,
        le=MOST_WEIGHT,
        description="cost of each person above or below an option's fair share of a value",
    )
    no_isolation: tuple[str, ...] = Field(
        default=("group",),
        description="columns where nobody should be the only one of their value in an option",
    )
    no_isolation_strength: Strength = Field(
        default=Strength.SOFT, description="hard: never isolate; soft: each isolated person costs"
    )
    weight_isolation: int = Field(
        default=5, ge=0, le=MOST_WEIGHT, description="cost of each isolated person"
    )
    spread: tuple[str, ...] = Field(
        default=("organisation",),
        description="columns whose people (colleagues) are spread evenly over the options",
    )
    weight_spread: int = Field(
        default=1,
        ge=0,
        le=MOST_WEIGHT,
        description="cost of each colleague beyond an option's fair share",
    )
    weight_mixing: int = Field(
        default=1,
        ge=0,
        le=MOST_WEIGHT,
        description="cost of each pair who share a split group or table again on a later day",
    )
    weight_new_peers: int = Field(
        default=10,
        ge=0,
        le=MOST_WEIGHT,
        description="cost of each pair who share a table again in a later round of a roundtable",
    )
    weight_fairness: int = Field(
        default=1,
        ge=0,
        le=MOST_WEIGHT,
        description="above 0: the worst-off person's dissatisfaction is minimised first",
    )
    weight_stability: int = Field(
        default=1,
        ge=0,
        le=MOST_WEIGHT,
        description="cost of each move of a person already placed; 0 switches it off",
    )
    stability_first: bool = Field(
        default=True,
        description="yes: the fewest moves come before every other criterion when re-solving",
    )
    balance_splits: bool = Field(
        default=True, description="split groups and tables differ in size by at most one"
    )
    time_limit: float = Field(default=60.0, gt=0, allow_inf_nan=False)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)  # CP-SAT's random_seed is an int32
    workers: int = Field(default=2, ge=1)

    @field_validator("rank_costs")
    @classmethod
    def _costs_in_range(cls, costs: tuple[int, ...]) -> tuple[int, ...]:
        """At least one cost, each from 0 to MOST_WEIGHT."""
        if not costs or any(not 0 <= cost <= MOST_WEIGHT for cost in costs):
            raise ValueError(f"rank_costs must be a list of numbers from 0 to {MOST_WEIGHT}")
        return costs

    def rank_cost(self, rank: int) -> int:
        """The cost of getting one's `rank`-th choice; the last value repeats."""
        return self.rank_costs[min(rank, len(self.rank_costs)) - 1]


class Event(BaseModel):
    """Everything one event workbook says."""

    participants: list[Participant] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    preferences: list[Preference] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)

    @cached_property
    def people(self) -> dict[str, Participant]:
        """Participants by id."""
        return {person.id: person for person in self.participants}

    @cached_property
    def display_names(self) -> dict[str, str]:
        """Each person as lists show them: their name (the id when they have none), with the
        id added where two people share it (`Giorgi Japaridze (A23-086)`)."""
        names = {person.id: person.name or person.id for person in self.participants}
        shared = Counter(name.casefold() for name in names.values())
        return {
            person_id: name if shared[name.casefold()] == 1 else f"{name} ({person_id})"
            for person_id, name in names.items()
        }

    @cached_property
    def session_by_id(self) -> dict[str, Session]:
        """Sessions by id."""
        return {session.id: session for session in self.sessions}

    @cached_property
    def options_of(self) -> dict[str, list[Option]]:
        """The options of each session, in workbook order."""
        grouped: dict[str, list[Option]] = {session.id: [] for session in self.sessions}
        for option in self.options:
            grouped.setdefault(option.session, []).append(option)
        return grouped

    @cached_property
    def option_by_key(self) -> dict[tuple[str, str], Option]:
        """Options by (session, option id)."""
        return {option.key: option for option in self.options}

    @cached_property
    def preferences_of(self) -> dict[tuple[str, str], dict[str, Preference]]:
        """Each (participant, session)'s wishes by option id."""
        grouped: dict[tuple[str, str], dict[str, Preference]] = {}
        for pref in self.preferences:
            grouped.setdefault((pref.participant, pref.session), {})[pref.option] = pref
        return grouped

    @cached_property
    def host_option(self) -> dict[tuple[str, str], str]:
        """The option each host is fixed to, by (participant, session)."""
        return {
            (host, option.session): option.id for option in self.options for host in option.hosts
        }

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with some fields replaced; the look-ups cached from the event's lists are
        made anew unless only the settings change (none of them depends on the settings)."""
        copy = super().model_copy(update=update, deep=deep)
        if set(update or {}) - {"settings"}:
            for name, member in vars(Event).items():
                if isinstance(member, cached_property):
                    copy.__dict__.pop(name, None)
        return copy

    def with_settings(self, **changes: object) -> "Event":
        """The same event with some settings changed (the event itself stays as it is)."""
        return self.model_copy(update={"settings": self.settings.model_copy(update=changes)})

    def days(self) -> list[str]:
        """The event's days in programme order."""
        return list(dict.fromkeys(session.day for session in self.sessions))

    def takes_part(self, person: Participant, session: Session) -> bool:
        """True when the person is in the session's audience on a day they attend, and had
        registered before it ended (a late registration joins the sessions still to come)."""
        if (person.id, session.id) in self.host_option:
            return True
        if not person.attends(session.day):
            return False
        if person.registered is not None and session.ended_by(person.registered):
            return False
        return not session.audience or person.group in session.audience

    def audience_of(self, session: Session) -> list[Participant]:
        """Everyone who takes part in the session, in workbook order."""
        return [person for person in self.participants if self.takes_part(person, session)]

    @cached_property
    def ranked_some(self) -> set[tuple[str, str]]:
        """The (participant, session) pairs with at least one ranked wish (not only vetoes)."""
        return {(p.participant, p.session) for p in self.preferences if not p.is_veto}

    def cost(self, person_id: str, session_id: str, option_id: str) -> int:
        """The preference cost of placing a person in an option (before weighting); nothing
        for a host in the session they host (they sit at their own option, as `vetoed`)."""
        key = (person_id, session_id)
        if key not in self.ranked_some or key in self.host_option:
            return 0
        pref = self.preferences_of[(person_id, session_id)].get(option_id)
        if pref is None or pref.rank is None:
            return self.settings.unranked_cost
        return self.settings.rank_cost(pref.rank)

    def vetoed(self, person_id: str, session_id: str, option_id: str) -> bool:
        """True when the person said `no` to that option (a host's wishes in the session they
        host count for nothing, their `no`s included: they sit at their own option)."""
        if (person_id, session_id) in self.host_option:
            return False
        pref = self.preferences_of.get((person_id, session_id), {}).get(option_id)
        return pref is not None and pref.is_veto

    def rules_for(self, session_id: str, kinds: Iterable[RuleKind]) -> list[Rule]:
        """The rules of those kinds that apply to a session."""
        wanted = set(kinds)
        return [rule for rule in self.rules_of(session_id) if rule.kind in wanted]

    def rules_of(self, session_id: str) -> list[Rule]:
        """Every rule that applies to a session (looked up once per list of rules)."""
        key = (id(self.rules), len(self.rules))
        cached = self.__dict__.get("_rules_of")
        if cached is None or cached[0] != key:
            cached = (key, {})
            self.__dict__["_rules_of"] = cached
        found: dict[str, list[Rule]] = cached[1]
        if session_id not in found:
            found[session_id] = [rule for rule in self.rules if rule.applies_to(session_id)]
        return found[session_id]
