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
        return self.line(f"row {self.row}" if self.row is not None else "")

    def line(self, rows: str) -> str:
        """The problem as the command line prints it, at these rows ("row 4", "rows 3–9")."""
        where = f"{self.sheet} {rows}" if rows else self.sheet
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


def row_ranges(rows: list[int]) -> str:
    """Sorted row numbers as ranges: "4–9, 12, 15–16"."""
    spans: list[list[int]] = []
    for row in rows:
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return ", ".join(f"{a}–{b}" if b > a else f"{a}" for a, b in spans)


def issue_lines(issues: list[Issue]) -> list[str]:
    """Each problem as a line, those that differ only in their row in one ("Preferences rows
    3–31, column option: …"), where the first of them was."""
    alike: dict[tuple[Level, str, str | None, str], list[Issue]] = {}
    for issue in issues:
        alike.setdefault((issue.level, issue.sheet, issue.column, issue.message), []).append(issue)
    lines = []
    for group in alike.values():
        rows = sorted({issue.row for issue in group if issue.row is not None})
        if len(rows) < 2:
            lines += [str(issue) for issue in group]
            continue
        lines.append(group[0].line(f"rows {row_ranges(rows)}"))
    return lines
