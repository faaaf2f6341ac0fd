"""Input problems as data: collected in one pass, turned into output by the command line."""

from enum import StrEnum

from pydantic import BaseModel


class Level(StrEnum):
    """How serious an input problem is."""

    ERROR = "error"
    WARNING = "warning"


class Issue(BaseModel, frozen=True):
    """One problem in the input, located by sheet, row and column where known."""

    level: Level = Level.ERROR
    sheet: str
    row: int | None = None
    column: str | None = None
    message: str

    @property
    def is_error(self) -> bool:
        """True when the problem prevents solving."""
        return self.level is Level.ERROR

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        prefix = "warning: " if self.level is Level.WARNING else ""
        return f"{prefix}{where}: {self.message}"


def errors(issues: list[Issue]) -> list[Issue]:
    """The issues that prevent solving."""
    return [issue for issue in issues if issue.is_error]


def counted(count: int, noun: str) -> str:
    """A count with its noun: "1 problem", "2 problems"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def listed(items: list[str]) -> str:
    """Items as an English list: "A", "A and B", "A, B and C"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
