"""The allocation workbook: what the organiser gets back, and its Assignments sheet read back."""

import hashlib
import html
import math
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_xml
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.allocation import (
    Allocation,
    Assignment,
    Change,
    CheckReport,
    CheckResult,
    SolveStats,
)
from models.event import Event, Option, Participant, Session, SessionKind, Settings
from models.issues import Issue, Level, counted
from models.rooms import edited_by_hand, room_names, written_option
from models.spreadsheet import (
    append_rows,
    cell_value,
    fit_columns,
    normalise_header,
    print_heading,
    save_atomically,
    unescape_cell,
)
from models.validation import Spellings, suggest
from models.workbook import HEADER_SEARCH_ROWS, no_header, open_workbook
from models.workbook import cell_text as workbook_text

SUMMARY = "Summary"
ASSIGNMENTS = "Assignments"
ITINERARIES = "Itineraries"
CHANGES = "Changes"
CHECKS = "Checks"
FIXED_SHEETS = (SUMMARY, ASSIGNMENTS, ITINERARIES, CHANGES, CHECKS)

ASSIGNMENT_COLUMNS = (
    "participant",
    "name",
    "session",
    "round",
    "option",
    "room",
    "rank",
    "host",
    "pinned",
)
PART_BYTES = 1_000_000  # a package's list of sheets or its properties are far smaller
EVENT_PROPERTY = "breakouts event workbook"  # where the event is, from the allocation's folder
DIGEST_PROPERTY = "breakouts event sha256"  # its bytes when the allocation was written
CHANGE_COLUMNS = ("participant", "name", "session", "round", "from", "to", "reason")
CHECK_COLUMNS = ("rule", "session", "strength", "held", "penalty", "message", "people")
SESSION_COLUMNS = (
    "session",
    "day",
    "kind",
    "people",
    "options",
    "status",
    "cost",
    "bound",
    "gap (%)",
    "time (s)",
    "option",
    "round",
    "count",
    "capacity",
    "isolated",
)
REQUIRED_COLUMNS = ("participant", "session", "option")
COLUMN_ALIASES = {
    "participant_id": "participant",
    "person": "participant",
    "session_id": "session",
    "option_id": "option",
}

UNRANKED = "unranked"
NO_PREFERENCE = "no preference"
BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
YES = frozenset({"yes", "y", "true", "1", "x"})
NO = frozenset({"no", "n", "false", "0", ""})
ROUND_TEXT = re.compile(r"^(?:r|round)?\s*(\d+)$", re.IGNORECASE)

ORDINAL_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}

CHOICE_SERIES = ("1st choice", "2nd choice", "3rd choice", "later choice", "unranked")
NO_GROUP = "(no group)"
CHART_WIDTH_CM = 16.0
CHART_HEIGHT_CM = 7.5
BAR_CM = 0.5
ROW_CM = 0.53

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)

Row = Sequence[object]


# Writing


def write_allocation(
    event: Event,
    allocation: Allocation,
    report: CheckReport,
    path: Path,
    title: str = "",
    source: Path | None = None,
) -> None:
    """Write the allocation workbook: summary, assignments, room lists, itineraries, checks;
    with `source`, where its event workbook is (`event_of` reads it back)."""
    workbook = Workbook()
    names = session_sheet_names(event.sessions)
    write_summary(workbook.active, event, allocation, report, title)
    add_summary_charts(workbook.active, event, allocation, report)
    write_assignments(workbook.create_sheet(ASSIGNMENTS), event, allocation)
    for session in event.sessions:
        write_session(workbook.create_sheet(names[session.id]), event, allocation, session)
    write_itineraries(workbook.create_sheet(ITINERARIES), event, allocation)
    if allocation.changes is not None:
        write_changes(workbook.create_sheet(CHANGES), allocation.changes)
    write_checks(workbook.create_sheet(CHECKS), report.results)
    if title:
        workbook.properties.title = title
    if source is not None:
        record_event(workbook, Path(source), Path(path))
    save_atomically(workbook, Path(path))


def record_event(workbook: Workbook, source: Path, path: Path) -> None:
    """Note in the workbook's properties its event workbook: the path from the allocation's
    folder (absolute when there is none, as across drives) and a digest of its bytes."""
    try:
        where = os.path.relpath(source.resolve(), path.resolve().parent)
    except ValueError:
        where = str(source.resolve())
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    workbook.custom_doc_props.append(StringProperty(name=EVENT_PROPERTY, value=where))
    workbook.custom_doc_props.append(StringProperty(name=DIGEST_PROPERTY, value=digest))


@dataclass(frozen=True)
class Source:
    """The event workbook an allocation workbook was written from, as it noted it."""

    path: Path  # from the current folder
    digest: str

    def changed(self) -> bool:
        """True when the event workbook's bytes are no longer those the allocation came from."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest() != self.digest


def zipped_text(path: Path, member: str) -> str:
    """One small part of an xlsx package as text, without loading the workbook ("" when the
    file is not a package, lacks the part, or the part is larger than such parts are)."""
    try:
        with zipfile.ZipFile(path) as archive:
            listing = archive.getinfo(member)
            if listing.file_size > PART_BYTES:
                return ""
            return archive.read(listing).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""


def workbook_kind(path: Path) -> str:
    """What a workbook is, from its list of sheets alone: "allocation" with an Assignments
    sheet, "event" with a Participants sheet, else "" (unreadable too). A look before a
    workbook is read, for a clearer message."""
    text = zipped_text(path, "xl/workbook.xml")
    names = [html.unescape(name) for name in re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', text)]
    if find_sheet(names, ASSIGNMENTS) is not None:
        return "allocation"
    return "event" if find_sheet(names, "Participants") is not None else ""


def event_of(path: Path) -> Source | None:
    """The event workbook the allocation workbook at `path` notes in its custom properties,
    read from that part alone (None when it notes none or cannot be read)."""
    text = zipped_text(path, "docProps/custom.xml")
    try:
        root = defused_xml.fromstring(text) if text else None
    except (ParseError, DefusedXmlException):
        root = None
    if root is None:
        return None
    properties = {
        element.get("name", ""): "".join(element.itertext()).strip()
        for element in root
        if element.tag.endswith("property")
    }
    if EVENT_PROPERTY not in properties:
        return None
    where = Path(path).parent / properties[EVENT_PROPERTY]
    return Source(Path(os.path.normpath(where)), properties.get(DIGEST_PROPERTY, ""))


def session_sheet_names(sessions: Iterable[Session]) -> dict[str, str]:
    """A sheet name for each session id: Excel's characters, 31 characters at most, unique."""
    taken = {name.casefold() for name in FIXED_SHEETS}
    names: dict[str, str] = {}
    for session in sessions:
        base = BAD_SHEET_CHARACTERS.sub("_", session.id).strip("'")[:SHEET_NAME_LENGTH] or "Session"
        name = base
        counter = 1
        while name.casefold() in taken:
            counter += 1
            suffix = f"~{counter}"
            name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        taken.add(name.casefold())
        names[session.id] = name
    return names


def put_row(sheet: Worksheet, row: int, values: Row, bold: bool = False) -> None:
    """Write values into a row from column A, escaped; bold for headings."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=cell_value(value))
        if bold:
            cell.font = BOLD


def yes_no(flag: bool) -> str:
    """A flag as organisers write it."""
    return "yes" if flag else "no"


def name_of(event: Event, person_id: str) -> str:
    """A person's display name, empty when the id is unknown."""
    person = event.people.get(person_id)
    return person.name if person else ""


def rank_of(event: Event, assignment: Assignment) -> int | None:
    """The rank the person gave the option they got, None when unranked."""
    wishes = event.preferences_of.get((assignment.participant, assignment.session), {})
    pref = wishes.get(assignment.option)
    return pref.rank if pref else None


def is_host(event: Event, assignment: Assignment) -> bool:
    """True when the person is a host of the option they are in."""
    option = event.option_by_key.get((assignment.session, assignment.option))
    return option is not None and assignment.participant in option.hosts


def room_cell_edits(event: Event, assignments: Iterable[Assignment]) -> list[Issue]:
    """A warning for each row read back whose room cell names another option of its session
    than its option cell does, or no option of it. The option cell decides (the row is a
    hand edit to it, pinned); when the room cell was the one edited, or the room renamed in
    the event since, the warning is the only sign of it."""
    issues = []
    for a in assignments:
        if not edited_by_hand(event, a):
            continue
        other = written_option(event, a)
        issues.append(
            Issue(
                level=Level.WARNING,
                sheet=ASSIGNMENTS,
                row=a.row,
                column="room",
                message=room_cell_message(a, other),
            )
        )
    return issues


def room_cell_message(a: Assignment, other: str | None) -> str:
    """What a room cell that does not name its row's option means: a hand edit to the
    option cell's option, pinned there."""
    if other is not None:
        return (
            f'"{a.room}" is {other}\'s room, the option cell says {a.option}: taken as a hand '
            f"edit to {a.option} (if the move was to {other}, write {other} in the option cell)"
        )
    return (
        f'"{a.room}" is no room of {a.session}: taken as a hand edit to {a.option}, kept there '
        "(if the room was renamed, write its new name; if the move was to another option, "
        "write that in the option cell)"
    )


def room_or_title(option: Option | None) -> str:
    """Where an option takes place, or its theme when it has no room."""
    if option is None:
        return ""
    return option.room or option.title


# Summary


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else ORDINAL_SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


def rank_label(key: str) -> str:
    """A rank_counts key in words."""
    if key.isdigit():
        return f"{ordinal(int(key))} choice"
    return key


def rank_order(key: str) -> tuple[int, int, str]:
    """Ranks in number order, then unranked, then no preference, then anything else."""
    if key.isdigit():
        return (0, int(key), "")
    return ({UNRANKED: 1, NO_PREFERENCE: 2}.get(key, 3), 0, key)


WORST_OFF_SHOWN = 10  # ids the Summary lists of the people at the worst-off level


def worst_off_people(report: CheckReport) -> str:
    """The ids of the people at the worst-off level, the first `WORST_OFF_SHOWN` and how
    many more (none when it is 0: everyone got what they asked for)."""
    if not report.worst_off:
        return ""
    ids = sorted(p for p, cost in report.dissatisfaction.items() if cost == report.worst_off)
    more = f" and {len(ids) - WORST_OFF_SHOWN} more" if len(ids) > WORST_OFF_SHOWN else ""
    return ", ".join(ids[:WORST_OFF_SHOWN]) + more


def made_by() -> str:
    """The versions that make an allocation: this tool's and OR-Tools'."""
    return f"breakouts {package_version('breakouts')}, OR-Tools {package_version('ortools')}"


def package_version(name: str) -> str:
    """An installed package's version; "unknown" when it is not installed as one."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def summary_sections(
    allocation: Allocation, report: CheckReport, counts: dict[str, int], settings: Settings
) -> list[tuple[str, list[tuple[str, object]]]]:
    """The Summary's key/value sections: solver (and what reproduces its allocation: the same
    seed, workers and versions give the same allocation, unless time runs out first),
    choices, scores."""
    stats = allocation.stats
    solver = [
        ("status", stats.status),
        ("objective", stats.objective),
        ("bound", stats.bound),
        ("gap (%)", round(stats.gap, 2)),
        ("time (s)", round(stats.seconds, 2)),
        ("independent parts solved", stats.components),
        ("seed", settings.seed),
        ("workers", settings.workers),
        ("time limit (s)", settings.time_limit),
        ("made by", made_by()),
    ]
    choices: list[tuple[str, object]] = [
        (rank_label(key), counts[key]) for key in sorted(counts, key=rank_order)
    ]
    choices.append(("worst-off person's dissatisfaction", report.worst_off))
    choices.append(("worst-off people", worst_off_people(report)))
    scores: list[tuple[str, object]] = [
        ("preference cost (× weight_preference)", report.weighted_preference_cost),
        ("penalties (group criteria, soft rules)", report.soft_penalty),
        *penalties_by_rule(report),
        ("total", report.objective),
        *hard_rule_rows(report),
    ]
    encounters: list[tuple[str, object]] = [
        ("average new people met (split groups and tables)", round(report.average_new_people, 1)),
        ("pairs who met more than once", report.repeat_pairs),
    ]
    sections = [
        ("Solver", solver),
        ("Choices", choices),
        ("Scores", scores),
        ("Encounters", encounters),
    ]
    if allocation.changes is not None:
        counts = allocation.change_counts()
        sections.append(("Changes since the published allocation", list(counts.items())))
    return sections


def penalties_by_rule(report: CheckReport) -> list[tuple[str, object]]:
    """Each soft criterion's share of the penalty, e.g. '  diversity: 12'."""
    totals: Counter[str] = Counter()
    for result in report.results:
        totals[result.rule] += result.penalty
    return [(f"  {rule}", total) for rule, total in sorted(totals.items()) if total]


def session_rows(
    event: Event, allocation: Allocation, session: Session, report: CheckReport
) -> list[list[object]]:
    """One row per option (and round) of a session, the session's figures on the first.

    Each row ends with the isolated people and, per diversity column, the largest distance
    of any value's count from its fair share.
    """
    people = {a.participant for a in allocation.in_session.get(session.id, [])}
    options = event.options_of.get(session.id, [])
    groups = {(g.session, g.option, g.round): g for g in report.groups}
    first: list[object] = [
        session.id,
        session.day,
        session.kind,
        len(people),
        len(options),
        *solver_figures(allocation.stats.sessions.get(session.id)),
    ]
    blank: list[object] = [None] * len(first)
    rows: list[list[object]] = []
    for option in options:
        for round_ in range(1, session.rounds + 1):
            count = allocation.count(session.id, option.id, round_)
            shown_round = round_ if session.rounds > 1 else None
            stats = groups.get((session.id, option.id, round_))
            isolated = ", ".join(shown_name(event, p) for p in stats.isolated) if stats else ""
            spread = [stats.deviation.get(c) if stats else None for c in event.settings.diversity]
            lead = blank if rows else first
            rows.append([*lead, option.id, shown_round, count, option.max, isolated, *spread])
    return rows or [first]


def solver_figures(stats: SolveStats | None) -> list[object]:
    """A session's status, cost, bound, gap and seconds; blanks when it was not solved
    (kept from a published allocation, or read back for `verify`)."""
    if stats is None:
        return [None] * 5
    return [
        stats.status,
        stats.objective,
        stats.bound,
        round(stats.gap, 2),
        round(stats.seconds, 2),
    ]


def hard_rule_rows(report: CheckReport) -> list[tuple[str, object]]:
    """Whether the hard rules hold; after `--day`, in the sessions solved, and how many the
    other days break (kept as published, or not placed yet: `verify` lists them)."""
    if report.kept_broken is None:
        return [("hard rules held", yes_no(report.ok)), ("hard rules broken", len(report.broken))]
    return [
        ("hard rules held in the sessions solved", yes_no(report.ok)),
        ("hard rules broken in the sessions solved", len(report.broken)),
        ("hard rules broken on the days not solved (verify lists them)", report.kept_broken),
    ]


def write_summary(
    sheet: Worksheet, event: Event, allocation: Allocation, report: CheckReport, title: str
) -> None:
    """Solver status, choice statistics, scores and a per-session table of counts."""
    sheet.title = SUMMARY
    heading = f"Allocation — {title}" if title else "Allocation"
    sheet.cell(row=1, column=1, value=cell_value(heading)).font = TITLE
    counts = report.rank_counts
    row = 3
    for section, pairs in summary_sections(allocation, report, counts, event.settings):
        put_row(sheet, row, [section], bold=True)
        for offset, pair in enumerate(pairs, start=1):
            put_row(sheet, row + offset, pair)
        row += len(pairs) + 2
    put_row(sheet, row, ["Sessions"], bold=True)
    spread_columns = [f"off fair share: {column}" for column in event.settings.diversity]
    put_row(sheet, row + 1, [*SESSION_COLUMNS, *spread_columns], bold=True)
    row += 2
    for session in event.sessions:
        for values in session_rows(event, allocation, session, report):
            put_row(sheet, row, values)
            row += 1
    fit_columns(sheet, from_row=2)


# Summary charts: their data below the Summary's tables, the charts beside them


def choice_bucket(category: str) -> str:
    """A rank category as a chart series: 1st, 2nd, 3rd, later choice, or as it is."""
    if category.isdigit():
        rank = int(category)
        return CHOICE_SERIES[rank - 1] if rank <= 3 else CHOICE_SERIES[3]
    return category


def choice_table(event: Event, report: CheckReport) -> list[list[object]]:
    """Per session where people ranked options: placements by choice met, hosts left out."""
    rows: list[list[object]] = []
    for session in event.sessions:
        counts: Counter[str] = Counter()
        for category, count in report.session_ranks.get(session.id, {}).items():
            counts[choice_bucket(category)] += count
        if any(counts[series] for series in CHOICE_SERIES):
            rows.append([session.id, *(counts[series] for series in CHOICE_SERIES)])
    return rows


def group_values(event: Event, allocation: Allocation) -> list[str]:
    """The `group` values of the people placed, in participant order."""
    placed = {a.participant for a in allocation.assignments}
    return list(dict.fromkeys(p.group or NO_GROUP for p in event.participants if p.id in placed))


def group_table(
    event: Event, allocation: Allocation, session: Session, groups: Sequence[str]
) -> list[list[object]]:
    """How many people of each group sit in each option (and round) of a session."""
    rows: list[list[object]] = []
    for option_id in option_ids(event, allocation, session):
        for round_ in range(1, session.rounds + 1):
            members = allocation.members.get((session.id, option_id, round_), [])
            counts = Counter(
                (event.people[p].group or NO_GROUP) if p in event.people else NO_GROUP
                for p in members
            )
            label = f"{option_id} r{round_}" if session.rounds > 1 else option_id
            rows.append([label, *(counts[group] for group in groups)])
    return rows


def bar_chart(title: str, horizontal: bool, rows: int) -> BarChart:
    """A stacked bar chart with visible axes, tall enough for its bars."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 50
    chart.title = title
    chart.width = CHART_WIDTH_CM
    chart.height = max(CHART_HEIGHT_CM, 2.5 + BAR_CM * rows) if horizontal else CHART_HEIGHT_CM
    chart.x_axis.delete = False
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


def chart_block(
    sheet: Worksheet, row: int, header: Sequence[object], rows: list[list[object]], chart: BarChart
) -> int:
    """Write a table with its header at `row`, plot it in the chart; returns the next free row."""
    put_row(sheet, row, header, bold=True)
    for offset, values in enumerate(rows, start=1):
        put_row(sheet, row + offset, values)
    last = row + len(rows)
    data = Reference(sheet, min_col=2, max_col=len(header), min_row=row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=row + 1, max_row=last))
    return last + 2


def add_summary_charts(
    sheet: Worksheet, event: Event, allocation: Allocation, report: CheckReport
) -> None:
    """Charts of choices met per session and of group composition per option, with their data."""
    row = sheet.max_row + 2
    column = get_column_letter(max(sheet.max_column, len(SESSION_COLUMNS)) + 2)
    charts: list[BarChart] = []
    put_row(sheet, row, ["Chart data"], bold=True)
    row += 1
    choices = choice_table(event, report)
    if choices:
        chart = bar_chart("Choices met per session", horizontal=False, rows=len(choices))
        chart.y_axis.title = "placements"
        row = chart_block(sheet, row, ["session", *CHOICE_SERIES], choices, chart)
        charts.append(chart)
    groups = group_values(event, allocation)
    for session in event.sessions:
        rows = group_table(event, allocation, session, groups)
        if rows and groups:
            chart = bar_chart(f"{session.id}: groups per option", horizontal=True, rows=len(rows))
            row = chart_block(sheet, row, [session.id, *groups], rows, chart)
            charts.append(chart)
    anchor_row = 3
    for chart in charts:
        sheet.add_chart(chart, f"{column}{anchor_row}")
        anchor_row += math.ceil(chart.height / ROW_CM) + 1
    fit_columns(sheet, from_row=2)


# Assignments


def assignment_order(event: Event) -> Callable[[Assignment], tuple[Any, ...]]:
    """Sort key: session order in the event, round, option order, then name."""
    session_index = {session.id: index for index, session in enumerate(event.sessions)}
    option_index = {
        option.key: index
        for options in event.options_of.values()
        for index, option in enumerate(options)
    }
    unknown = len(event.options) + len(event.sessions)

    def key(a: Assignment) -> tuple[Any, ...]:
        name = name_of(event, a.participant)
        return (
            session_index.get(a.session, unknown),
            a.session,
            a.round,
            option_index.get((a.session, a.option), unknown),
            a.option,
            name.casefold(),
            a.participant,
        )

    return key


def assignment_row(event: Event, a: Assignment, rooms: dict[tuple[str, str], str]) -> list[object]:
    """One Assignments row in the SPEC's column order; `rooms` names each (session, option)
    as a room, one option each (`session_rooms`), so that a hand edit shows against it."""
    return [
        a.participant,
        name_of(event, a.participant),
        a.session,
        a.round,
        a.option,
        rooms.get((a.session, a.option), ""),
        rank_of(event, a),
        yes_no(is_host(event, a)),
        yes_no(a.pinned),
    ]


def session_rooms(event: Event) -> dict[tuple[str, str], str]:
    """Each (session, option)'s name as a room, unique in its session (`room_names`)."""
    return {
        (session_id, option_id): name
        for session_id, options in event.options_of.items()
        for option_id, name in room_names(options).items()
    }


def write_assignments(sheet: Worksheet, event: Event, allocation: Allocation) -> None:
    """One row per person, session and round, with a filter on the header."""
    put_row(sheet, 1, ASSIGNMENT_COLUMNS, bold=True)
    ordered = sorted(allocation.assignments, key=assignment_order(event))
    rooms = session_rooms(event)
    append_rows(sheet, (assignment_row(event, assignment, rooms) for assignment in ordered))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    fit_columns(sheet)


# Room lists, one sheet per session


def option_ids(event: Event, allocation: Allocation, session: Session) -> list[str]:
    """The session's options in event order, then any the allocation names beyond them."""
    known = [option.id for option in event.options_of.get(session.id, [])]
    extra = sorted({a.option for a in allocation.in_session.get(session.id, [])} - set(known))
    return known + extra


def room_list(event: Event, allocation: Allocation, key: tuple[str, str, int]) -> list[str]:
    """The names in one option and round: hosts first, marked, then everyone alphabetically
    (accents aside, as the printed lists), with the id beside a name two people share."""
    session_id, option_id, _ = key
    option = event.option_by_key.get((session_id, option_id))
    hosts = set(option.hosts) if option else set()

    def order(person_id: str) -> tuple[bool, str, str]:
        return (person_id not in hosts, alphabetical(shown_name(event, person_id)), person_id)

    members = sorted(allocation.members.get(key, []), key=order)
    return [shown_name(event, p) + (" (host)" if p in hosts else "") for p in members]


def shown_name(event: Event, person_id: str) -> str:
    """A person as lists show them (`Event.display_names`); the id when unknown."""
    return event.display_names.get(person_id, person_id)


def alphabetical(text: str) -> str:
    """Text as names are put in order: case and accents aside (Élodie among the E's)."""
    return unaccented(text.casefold())


def unaccented(text: str) -> str:
    """Text without its accents: "José" gives "Jose" (compatibility characters decomposed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def count_text(count: int, option: Option | None) -> str:
    """The count against the capacity ("n / max"); only the count for an unknown option."""
    return f"{count} / {option.max}" if option else str(count)


def write_room_block(
    sheet: Worksheet, row: int, event: Event, allocation: Allocation, session: Session, round_: int
) -> int:
    """Room lists from `row` down: option, room, count, then names; returns the next free row."""
    ids = option_ids(event, allocation, session)
    options = [event.option_by_key.get((session.id, option_id)) for option_id in ids]
    lists = [room_list(event, allocation, (session.id, option_id, round_)) for option_id in ids]
    put_row(sheet, row, ids, bold=True)
    put_row(sheet, row + 1, [room_or_title(option) for option in options], bold=True)
    counts = [count_text(len(names), option) for names, option in zip(lists, options, strict=True)]
    put_row(sheet, row + 2, counts, bold=True)
    depth = max((len(names) for names in lists), default=0)
    append_rows(
        sheet,
        (
            [names[offset] if offset < len(names) else None for names in lists]
            for offset in range(depth)
        ),
    )
    return row + 3 + depth


def write_session(sheet: Worksheet, event: Event, allocation: Allocation, session: Session) -> None:
    """Room lists of a session: one column per option; one block per round for roundtables;
    printed with the session and its time atop each page."""
    if session.kind is SessionKind.ROUNDTABLE and session.rounds > 1:
        row = 1
        for round_ in range(1, session.rounds + 1):
            put_row(sheet, row, [f"Round {round_}"], bold=True)
            row = write_room_block(sheet, row + 1, event, allocation, session, round_) + 1
    else:
        write_room_block(sheet, 1, event, allocation, session, 1)
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "1:3"
    sheet.oddHeader.center.text = print_heading(f"{session.title or session.id} — {session.when}")
    sheet.oddFooter.center.text = "&P / &N"
    sheet.page_setup.orientation = "landscape"
    fit_columns(sheet)


# Itineraries


def itinerary_columns(event: Event) -> list[tuple[str, str, int]]:
    """(header, session id, round) for every session, one per round of multi-round sessions."""
    columns: list[tuple[str, str, int]] = []
    for session in event.sessions:
        if session.rounds > 1:
            columns += [(f"{session.id} r{r}", session.id, r) for r in range(1, session.rounds + 1)]
        else:
            columns.append((session.id, session.id, 1))
    return columns


def itinerary_people(event: Event, allocation: Allocation) -> list[tuple[str, Participant | None]]:
    """Everyone in the event in workbook order, then ids the allocation has beyond them."""
    known = [(person.id, person) for person in event.participants]
    extra = dict.fromkeys(
        a.participant for a in allocation.assignments if a.participant not in event.people
    )
    return known + [(person_id, None) for person_id in extra]


def itinerary_cell(event: Event, allocation: Allocation, key: tuple[str, str, int]) -> str:
    """Where the person is ("option — room", "(host)" added where they host it), empty when
    they do not take part."""
    option_id = allocation.option_of.get(key)
    if option_id is None:
        return ""
    option = event.option_by_key.get((key[1], option_id))
    place = room_or_title(option)
    hosting = " (host)" if option is not None and key[0] in option.hosts else ""
    return (f"{option_id} — {place}" if place else option_id) + hosting


def write_itineraries(sheet: Worksheet, event: Event, allocation: Allocation) -> None:
    """One row per person, one column per session (and round)."""
    columns = itinerary_columns(event)
    put_row(
        sheet, 1, ["participant", "name", "email", *(header for header, _, _ in columns)], bold=True
    )
    append_rows(
        sheet,
        (
            [
                person_id,
                person.name if person else "",
                person.email if person else "",
                *(itinerary_cell(event, allocation, (person_id, s, r)) for _, s, r in columns),
            ]
            for person_id, person in itinerary_people(event, allocation)
        ),
    )
    sheet.freeze_panes = "D2"
    fit_columns(sheet)


# Checks


def write_changes(sheet: Worksheet, changes: list[Change]) -> None:
    """Who moved since the published allocation, from where, to where, and why."""
    put_row(sheet, 1, CHANGE_COLUMNS, bold=True)
    append_rows(sheet, (change_row(change) for change in changes))
    sheet.freeze_panes = "A2"
    fit_columns(sheet)


def change_row(change: Change) -> list[object]:
    """One Changes row in the sheet's column order."""
    return [change.participant, change.name, change.session, change.round,
            change.before, change.after, change.reason]  # fmt: skip


def check_row(result: CheckResult) -> list[object]:
    """One checker result in the Checks sheet's column order."""
    return [
        result.rule,
        result.session,
        "hard" if result.hard else "soft",
        yes_no(result.held),
        result.penalty,
        result.message,
        ", ".join(result.people),
    ]


def write_checks(sheet: Worksheet, results: Iterable[CheckResult]) -> None:
    """Every rule's result: held or not, penalty, message and whom it concerns."""
    put_row(sheet, 1, CHECK_COLUMNS, bold=True)
    append_rows(sheet, (check_row(result) for result in results))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    fit_columns(sheet)
    wrap_columns(sheet, ("message", "people"))


def wrap_columns(sheet: Worksheet, names: Iterable[str]) -> None:
    """Wrap the text of these columns (by header) below the header, so that a message longer
    than its column shows whole rather than cut off by the cell beside it."""
    header = {cell.value: cell.column for cell in sheet[1]}
    for name in names:
        if name in header:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=header[name], max_col=header[name]):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


# Reading the Assignments sheet back


def read_assignments(path: Path) -> tuple[list[Assignment], list[Issue]]:
    """The assignments of a (possibly hand-edited) Assignments sheet, and every problem found."""
    opened = open_workbook(Path(path), read_only=True)
    if isinstance(opened, Issue):
        return [], [opened]
    workbook = opened.workbook
    sheet = find_sheet(workbook.sheetnames, ASSIGNMENTS)
    if sheet is None:
        event_book = find_sheet(workbook.sheetnames, "Participants") is not None
        what = " (it is an event workbook; give the allocation solve wrote)" * event_book
        return [], [
            Issue(
                sheet=ASSIGNMENTS,
                message=f"{path.name} has no sheet named {ASSIGNMENTS}{what}",
            )
        ]
    return assignments_from_rows(opened.values(workbook[sheet]))


def case_matched(
    event: Event, assignments: list[Assignment]
) -> tuple[list[Assignment], list[Issue]]:
    """Rows read back with their participant, session and option ids as the event spells
    them when they differ only in case (`literacy` typed for `LITERACY`), as the event
    workbook's own references are read; a warning per column, at its first such row."""
    people = Spellings(event.people, "Participants")
    sessions = Spellings(event.session_by_id, "Sessions")
    options = {
        sid: Spellings([o.id for o in opts], "Options") for sid, opts in event.options_of.items()
    }
    changed: dict[str, list[tuple[Assignment, str, str, str]]] = {}
    matched = []
    for a in assignments:
        session = sessions.match(a.session)
        ids = {
            "participant": people.match(a.participant),
            "session": session,
            "option": options[session].match(a.option) if session in options else a.option,
        }
        renamed = {column: known for column, known in ids.items() if known != getattr(a, column)}
        for column, known in renamed.items():
            where = {"participant": "Participants", "session": "Sessions"}.get(column, "Options")
            changed.setdefault(column, []).append((a, getattr(a, column), known, where))
        matched.append(a.model_copy(update=renamed) if renamed else a)
    issues = []
    for column, found in changed.items():
        a, value, known, where = found[0]
        more = f" (and {len(found) - 1} more in this column)" if len(found) > 1 else ""
        message = f'"{value}" is read as "{known}", as in {where}{more}'
        issues.append(
            Issue(level=Level.WARNING, sheet=ASSIGNMENTS, row=a.row, column=column, message=message)
        )
    return matched, issues


def conflicting_rows(assignments: Iterable[Assignment]) -> list[Issue]:
    """An error for each row read back that puts someone already placed in that session (and
    round) in another option, naming the row before it: which one is meant cannot be told.
    A repeated row that agrees is harmless."""
    first: dict[tuple[str, str, int], Assignment] = {}
    issues = []
    for a in assignments:
        earlier = first.setdefault(a.key, a)
        if earlier is not a and earlier.option != a.option:
            round_ = f" round {a.round}" if a.round > 1 else ""
            message = (
                f"{a.participant} is in {a.option} here and in {earlier.option} in row "
                f"{earlier.row}, both in {a.session}{round_}; keep one of the rows"
            )
            issues.append(Issue(sheet=ASSIGNMENTS, row=a.row, column="option", message=message))
    return issues


def allocation_issues(event: Event, assignments: Iterable[Assignment]) -> list[Issue]:
    """Assignments that do not fit the event: unknown people, sessions, options or rounds."""
    issues: list[Issue] = []
    for a in assignments:
        session = event.session_by_id.get(a.session)
        if a.participant not in event.people:
            problem = ("participant", f'"{a.participant}" is not a participant of the event')
        elif session is None:
            problem = ("session", f'"{a.session}" is not a session of the event')
        elif (a.session, a.option) not in event.option_by_key:
            hint = suggest(a.option, [option.id for option in event.options_of[a.session]])
            problem = ("option", f'"{a.option}" is not an option of session {a.session}{hint}')
        elif a.round > session.rounds:
            rounds = counted(session.rounds, "round")
            problem = ("round", f"session {a.session} has {rounds}, not {a.round}")
        else:
            continue
        issues.append(Issue(sheet=ASSIGNMENTS, row=a.row, column=problem[0], message=problem[1]))
    return issues


def find_sheet(names: Iterable[str], wanted: str) -> str | None:
    """The sheet named `wanted`, matched like headers; None when absent."""
    return next(
        (name for name in names if normalise_header(name) == normalise_header(wanted)), None
    )


def column_key(header: object) -> str:
    """A header cell as a column name, with common variants mapped to the SPEC's."""
    key = normalise_header(unescape_cell(header))
    return COLUMN_ALIASES.get(key, key)


def header_positions(values: Row) -> dict[str, int]:
    """Column name -> position in the row; the first of repeated names wins."""
    positions: dict[str, int] = {}
    for index, value in enumerate(values):
        key = column_key(value)
        if key and key not in positions:
            positions[key] = index
    return positions


def is_blank(values: Row) -> bool:
    """True when no cell of the row holds anything."""
    return all(value is None or str(value).strip() == "" for value in values)


def find_header(rows: list[list[object]]) -> int | None:
    """The header row's index: an early row naming every required column, else the first used."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if set(REQUIRED_COLUMNS) <= header_positions(values).keys():
            return index
    return next((index for index, values in enumerate(rows) if not is_blank(values)), None)


def assignments_from_rows(rows: list[list[object]]) -> tuple[list[Assignment], list[Issue]]:
    """Assignments from the sheet's rows (header included); rows with problems become issues."""
    header = find_header(rows)
    if header is None:
        return [], [Issue(sheet=ASSIGNMENTS, message="the sheet is empty")]
    positions = header_positions(rows[header])
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        return [], [
            Issue(
                sheet=ASSIGNMENTS,
                row=header + 1,
                column=column,
                message=f"required column {column} is missing",
            )
            for column in missing
        ]
    headed = [index for index, value in enumerate(rows[header]) if not is_blank([value])]
    assignments: list[Assignment] = []
    issues = headerless_values(rows, header, set(headed))
    for index in range(header + 1, len(rows)):
        if is_blank([rows[index][column] for column in headed if column < len(rows[index])]):
            continue
        assignment, problems = assignment_from_row(rows[index], positions, index + 1)
        issues += problems
        if assignment is not None:
            assignments.append(assignment)
    return assignments, issues


def headerless_values(rows: list[list[object]], header: int, headed: set[int]) -> list[Issue]:
    """A warning for each column without a header that holds values below the header row: they
    are ignored (a row with nothing under a header is no assignment)."""
    columns = {
        index
        for values in rows[header + 1 :]
        for index, value in enumerate(values)
        if index not in headed and not is_blank([value])
    }
    return [
        Issue(level=Level.WARNING, sheet=ASSIGNMENTS, row=header + 1, message=no_header(index + 1))
        for index in sorted(columns)
    ]


def cell_text(value: object) -> str:
    """A cell as the event reader reads it (`workbook.cell_text`), unescaped."""
    return str(unescape_cell(workbook_text(value))).strip()


def parse_round(value: object) -> int | None:
    """A round number of at least 1 (empty = 1; "r2" and "round 2" accepted), None when invalid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and value >= 1 else None
    match = ROUND_TEXT.match(cell_text(value))
    return int(match.group(1)) if match and int(match.group(1)) >= 1 else None


def parse_yes_no(value: object) -> bool | None:
    """yes/no (also true/false, y/n, 1/0, x; empty = no), None when unrecognised."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def assignment_from_row(
    values: Row, positions: dict[str, int], row: int
) -> tuple[Assignment | None, list[Issue]]:
    """One row as an Assignment, or None with the reasons it cannot be read."""

    def raw(column: str) -> object:
        index = positions.get(column)
        return values[index] if index is not None and index < len(values) else None

    def problem(column: str, message: str) -> Issue:
        return Issue(sheet=ASSIGNMENTS, row=row, column=column, message=message)

    issues: list[Issue] = []
    ids = {column: cell_text(raw(column)) for column in REQUIRED_COLUMNS}
    issues += [problem(column, f"{column} is empty") for column, text in ids.items() if not text]
    round_ = parse_round(raw("round"))
    if round_ is None:
        issues.append(
            problem(
                "round", f'round "{cell_text(raw("round"))}" is not a whole number of at least 1'
            )
        )
    pinned = parse_yes_no(raw("pinned"))
    if pinned is None:
        issues.append(problem("pinned", f'pinned "{cell_text(raw("pinned"))}" is not yes or no'))
    if issues or round_ is None or pinned is None:
        return None, issues
    assignment = Assignment(
        participant=ids["participant"],
        session=ids["session"],
        option=ids["option"],
        round=round_,
        pinned=pinned,
        room=cell_text(raw("room")),
        name=cell_text(raw("name")),
        row=row,
    )
    return assignment, []
