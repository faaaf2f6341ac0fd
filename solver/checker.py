"""The checker's common ground: collecting results, naming people, counting rounds."""

from dataclasses import dataclass, field

from models import Allocation, CheckResult, Event, Rule, Session


@dataclass
class Checker:
    """Collects the results of every rule for one allocation."""

    event: Event
    allocation: Allocation
    results: list[CheckResult] = field(default_factory=list)

    def who(self, person: str) -> str:
        """A person as organisers know them: name and id."""
        found = self.event.people.get(person)
        return f"{found.name} ({person})" if found else person

    def record(
        self,
        rule: str,
        session: Session,
        problems: list[tuple[str, list[str]]],
        held_message: str,
        hard: bool = True,
    ) -> None:
        """One result per problem found, or one 'held' result when there is none."""
        for message, people in problems:
            self.results.append(
                CheckResult(
                    rule=rule,
                    hard=hard,
                    held=False,
                    message=message,
                    people=people,
                    session=session.id,
                )
            )
        if not problems:
            self.results.append(
                CheckResult(
                    rule=rule, hard=hard, held=True, message=held_message, session=session.id
                )
            )

    def soft(
        self,
        rule: str,
        session: Session,
        penalty: int,
        message: str,
        people: list[str],
        held: bool | None = None,
    ) -> None:
        """A soft criterion's cost in one place of the session (held when it costs nothing)."""
        self.results.append(
            CheckResult(
                rule=rule,
                hard=False,
                held=penalty == 0 if held is None else held,
                penalty=penalty,
                message=message,
                people=people,
                session=session.id,
            )
        )

    def soft_held(self, rule: str, session: Session, message: str) -> None:
        """A 'held' row for a soft criterion that cost nothing in the session."""
        if not any(r.rule == rule and r.session == session.id for r in self.results):
            self.results.append(
                CheckResult(rule=rule, hard=False, held=True, message=message, session=session.id)
            )

    def penalise(
        self, rule: Rule, session: Session, penalty: int, message: str, people: list[str]
    ) -> None:
        """A soft rule's result: its penalty (0 when it held)."""
        self.results.append(
            CheckResult(
                rule=rule.kind.value,
                hard=False,
                held=penalty == 0,
                penalty=penalty,
                message=message,
                people=people,
                session=session.id,
            )
        )


def rounds_of(session: Session) -> range:
    """The session's rounds, from 1."""
    return range(1, session.rounds + 1)


def in_round(session: Session, round_: int) -> str:
    """' in round r' for sessions with several rounds."""
    return f" in round {round_}" if session.rounds > 1 else ""
