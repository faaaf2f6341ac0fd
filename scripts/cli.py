"""The `breakouts` command line: template, check, solve, verify, export, import, demo.

Exit status: 0 allocation written and every hard rule holds; 1 anything else;
2 the input is invalid; 3 no allocation can satisfy the hard rules; 4 `verify`
found a broken hard rule.
"""

import errno
import os
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.box import SIMPLE
from rich.console import Console
from rich.table import Table

from models import Allocation, Assignment, CheckReport, Event, Issue, Session, Settings, SolveStats
from models.issues import counted, errors, issue_lines
from models.report import (
    allocation_issues,
    case_matched,
    conflicting_rows,
    event_of,
    made_by,
    penalties_by_rule,
    rank_order,
    read_assignments,
    room_cell_edits,
    workbook_kind,
    write_allocation,
)
from models.workbook import read_bytes, read_event, setting_problem, write_event, write_template
from scripts import export as handouts
from scripts.form_import import import_form
from solver.changes import list_changes
from solver.check import check_allocation
from solver.context import InfeasibleEventError, PinnedEditError
from solver.explain import impossibilities
from solver.solve import solve_event
from solver.watch import Watch

FAILED, INVALID, IMPOSSIBLE, BROKEN = 1, 2, 3, 4  # and 0: every hard rule holds
DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_EVENTS = ("academy-2022.xlsx", "academy-2023.xlsx")

app = typer.Typer(
    help="Allocate the people of an event to breakout rooms, workshops and roundtables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EventPath = Annotated[Path, typer.Argument(help="The event workbook (.xlsx).")]


def report_issues(issues: list[Issue]) -> None:
    """Print every input problem, errors and warnings, one a line (alike ones of several rows
    in one)."""
    for line in issue_lines(issues):
        err.print(line, markup=False)


def load_event(path: Path) -> Event:
    """Read and validate the event workbook, or exit 2 listing every problem."""
    event, issues = read_event(path)
    report_issues(issues)
    if event is None or errors(issues):
        refuse_input(path, issues)
    return event


def refuse_input(path: Path, issues: list[Issue]) -> NoReturn:
    """Exit 2 after the problems listed: how many there were, and that nothing was written."""
    err.print(
        f"{path.name}: {counted(len(errors(issues)), 'problem')}, nothing written", markup=False
    )
    raise typer.Exit(INVALID)


def show_version(asked: bool) -> None:
    """Print the versions that make an allocation, and exit."""
    if asked:
        out.print(made_by(), markup=False)
        raise typer.Exit()


@app.callback()
def versions(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=show_version,
            is_eager=True,
            help="Show this tool's and OR-Tools' versions and exit.",
        ),
    ] = False,
) -> None:
    """Allocate the people of an event to breakout rooms, workshops and roundtables."""


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the empty event workbook.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write an empty event workbook with instructions."""
    if path.exists() and not force:
        err.print(f"{path.name} exists; use --force to replace it", markup=False)
        raise typer.Exit(INVALID)  # as every other refusal to write over a file
    check_workbook_output(path, "event")
    write_template(path)
    out.print(f"wrote {path}", markup=False)


@app.command()
def check(event_path: EventPath) -> None:
    """Validate an event workbook; list every problem with sheet, row and column.

    Exit 3 when a quick look already shows that no allocation can satisfy the hard rules.
    """
    event = load_event(event_path)
    reasons = impossibilities(event, [s for s in event.sessions if event.audience_of(s)])
    if reasons:
        print_impossible(reasons)
    out.print(
        f"{event_path.name}: {counted(len(event.participants), 'participant')}, "
        f"{counted(len(event.sessions), 'session')}, {counted(len(event.options), 'option')}, "
        f"{counted(len(event.preferences), 'preference')}; no problems",
        markup=False,
    )


@app.command()
def solve(
    event_path: EventPath,
    output: Annotated[Path, typer.Option("--output", "-o", help="The allocation workbook.")],
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the whole solve.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (same seed, same allocation).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Sessions solved at the same time.")] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each session and each better solution.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing while solving.")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(help="The allocation already published: people keep their places."),
    ] = None,
    day: Annotated[
        str | None, typer.Option(help="Solve only this day; other days come from --previous.")
    ] = None,
    override_pins: Annotated[
        bool,
        typer.Option("--override-pins", help="Let the solver move pinned edits that break rules."),
    ] = False,
) -> None:
    """Allocate everyone and write the allocation workbook."""
    check_output(event_path, output)
    if previous is not None and same_file(output, previous):
        err.print("refusing to write the allocation over the previous allocation", markup=False)
        raise typer.Exit(INVALID)
    flags = {"time_limit": time_limit, "seed": seed, "workers": workers}
    wrong_flags = flag_problems(flags)
    event = load_event(event_path)
    if wrong_flags:
        raise typer.Exit(INVALID)
    day = programme_day(event, day)
    if day is not None and previous is None:
        err.print(
            f"warning: --day without --previous: only {day}'s sessions are allocated, and no "
            "earlier day counts for fairness or new encounters",
            markup=False,
        )
    published = load_previous(event, previous, event_path)
    if day is not None and published is not None:
        warn_of_earlier_days_lost(event, published, day)
    apply_flags(event, flags)
    plan = Plan(previous=published, day=day, override_pins=override_pins)
    allocation, report = allocate(event, Loudness(verbose=verbose, quiet=quiet), plan)
    write_allocation(event, allocation, report, output, title=event_path.stem, source=event_path)
    print_summary(event, allocation, report, day)
    print_changes(allocation)
    out.print(f"wrote {output}", markup=False)


@dataclass
class Loudness:
    """How much the solve says while it runs: nothing, a live status line, or every line."""

    verbose: bool = False
    quiet: bool = True


@dataclass
class Plan:
    """What a re-solve keeps: the published allocation, the day to solve, pins to override."""

    previous: list[Assignment] | None = None
    day: str | None = None
    override_pins: bool = False


def print_impossible(reasons: list[str]) -> NoReturn:
    """Why no allocation can satisfy the hard rules, one reason a line; exit 3."""
    err.print("no allocation can satisfy the hard rules:", markup=False)
    for reason in reasons:
        err.print(f"  {reason}", markup=False)
    raise typer.Exit(IMPOSSIBLE)


def sessions_on(event: Event, day: str) -> list[Session]:
    """The sessions of one day, in programme order."""
    return [session for session in event.sessions if session.day == day]


def programme_day(event: Event, day: str | None) -> str | None:
    """The programme's day that --day names, in any case and with spaces around it ("d2 "
    for "D2"); exit 2 when it names none."""
    day = day.strip() if day is not None else None
    if day is None or day in event.days():
        return day
    same = [known for known in event.days() if known.casefold() == day.casefold()]
    if len(same) == 1:
        return same[0]
    days = ", ".join(known for known in event.days() if known)
    err.print(f'"{day}" is not a day of the programme (days: {days})', markup=False)
    raise typer.Exit(INVALID)


TAKEN_AS = {
    "session": "a session no longer in the programme",
    "option": "an option that closed",
    "round": "a round no longer held",
}  # what a published row the event no longer has is taken for, by the column that says so


def load_previous(event: Event, path: Path | None, event_path: Path) -> list[Assignment] | None:
    """The published allocation's Assignments sheet, or exit 2 listing its problems (one line
    alone when it names nobody of the event: another event's allocation, whose people would
    all be taken as cancelled); a warning for each row naming what the event no longer has
    (a cancellation, or a typo in a hand edit: the re-solve cannot tell them apart)."""
    if path is None:
        return None
    assignments, issues = matched_rows(event, path, event_path)
    issues += conflicting_rows(assignments)
    report_issues(issues)
    if errors(issues):
        refuse_input(path, issues)
    warn_of_what_the_event_lacks(event, path, assignments)
    report_issues(room_cell_edits(event, assignments))
    return assignments


def matched_rows(
    event: Event, path: Path, event_path: Path
) -> tuple[list[Assignment], list[Issue]]:
    """An allocation's Assignments rows with ids spelled as the event spells them, and the
    problems found reading them; exit 2 at once when they name nobody of the event."""
    assignments, issues = read_assignments(path)
    assignments, renamed = case_matched(event, assignments)
    issues += renamed
    if not errors(issues):
        refuse_another_event(event, path, event_path, assignments)
    return assignments, issues


def names_nobody(event: Event, assignments: list[Assignment]) -> bool:
    """True when an allocation has rows but none of them names a participant of the event."""
    return bool(assignments) and not {a.participant for a in assignments} & set(event.people)


def refuse_another_event(
    event: Event, path: Path, event_path: Path, assignments: list[Assignment]
) -> None:
    """Exit 2 with one line when an allocation names nobody of the event."""
    if names_nobody(event, assignments):
        err.print(
            f"{path.name} names nobody of {event_path.name}: is it this event's allocation? "
            "nothing written",
            markup=False,
        )
        raise typer.Exit(INVALID)


def warn_of_what_the_event_lacks(event: Event, path: Path, assignments: list[Assignment]) -> None:
    """A warning for each session, option or round of the published allocation that the event
    no longer has (once, with its first row), and for each person who is not in the event
    but whose id differs from someone's only in case (a typo, not a cancellation)."""
    ids = {person.casefold(): person for person in event.people}
    for person in sorted({a.participant for a in assignments} - set(event.people)):
        if person.casefold() in ids:
            err.print(
                f'warning: {path.name}: "{person}" is not a participant of the event (did you '
                f'mean "{ids[person.casefold()]}"?); taken as someone who cancelled',
                markup=False,
            )
    rows: dict[str, list[Issue]] = {}
    for issue in allocation_issues(event, assignments):
        if issue.column in TAKEN_AS:
            rows.setdefault(issue.message, []).append(issue)
    for message, issues in rows.items():
        more = f" and {counted(len(issues) - 1, 'more row')}" if len(issues) > 1 else ""
        first = issues[0]
        err.print(
            f"warning: {path.name}: Assignments row {first.row}{more}: {message}; "
            f"taken as {TAKEN_AS[first.column or 'option']}",
            markup=False,
        )


def print_changes(allocation: Allocation) -> None:
    """After a re-solve: how many kept, moved, added, removed, and each move's reason."""
    if allocation.changes is None:
        return
    counts = allocation.change_counts()
    counted_places = ", ".join(f"{value} {key}" for key, value in counts.items())
    out.print(f"placements: {counted_places}", markup=False)
    reasons = Counter(anonymous(change.reason, change.participant) for change in allocation.changes)
    for reason, times in sorted(reasons.items()):
        out.print(f"  {times} × {reason}", markup=False)


def anonymous(reason: str, participant: str) -> str:
    """A change's reason with the person's id as "the person": the terminal counts reasons
    and names nobody (the Changes sheet does)."""
    return re.sub(rf"(?<![\w.@-]){re.escape(participant)}(?![\w.@-])", "the person", reason)


def check_output(event_path: Path, output: Path) -> None:
    """Exit 2 before any work when the output cannot be written or would replace the input."""
    if same_file(output, event_path):
        err.print("refusing to write the allocation over the event workbook", markup=False)
        raise typer.Exit(INVALID)
    check_workbook_output(output, "allocation")


def check_workbook_output(output: Path, what: str) -> None:
    """Exit 2 before any work when a workbook (the allocation, the event) cannot be written
    there: a folder, a missing folder, a name not ending in .xlsx, a folder not writable."""
    if output.is_dir():
        err.print(f"{output} is a folder; give a file name for the {what}", markup=False)
        raise typer.Exit(INVALID)
    if not output.parent.is_dir():
        err.print(f"the folder {output.parent} does not exist", markup=False)
        raise typer.Exit(INVALID)
    if output.suffix.casefold() != ".xlsx":
        err.print(
            f"{output.name}: the {what} is an Excel workbook; give a name ending in .xlsx",
            markup=False,
        )
        raise typer.Exit(INVALID)
    refuse_unwritable(output.parent)
    refuse_unreplaceable(output)


def refuse_unreplaceable(path: Path) -> None:
    """Exit 2 when a file to be replaced cannot be: locked, or open in another program on
    Windows (found after a whole solve before). A file that is only read-only is replaced on
    Linux and macOS, as any file in a folder one may write in."""
    if not path.is_file():
        return
    try:
        os.close(os.open(path, os.O_RDWR))
    except PermissionError as failure:
        if os.name != "nt" and failure.errno == errno.EACCES:
            return
        err.print(
            f"{path} cannot be replaced ({failure.strerror}): close it in the program that "
            "has it open, or give another name",
            markup=False,
        )
        raise typer.Exit(INVALID) from None


def refuse_unwritable(folder: Path) -> None:
    """Exit 2 when no file can be written in the folder (or, when it is still to be made, in
    the nearest folder above it that exists)."""
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    try:
        handle, temporary = tempfile.mkstemp(prefix=".breakouts-", dir=existing)
    except OSError as failure:
        err.print(f"cannot write in the folder {existing}: {failure.strerror}", markup=False)
        raise typer.Exit(INVALID) from None
    os.close(handle)
    Path(temporary).unlink()


def check_export_outputs(
    folders: list[Path | None], files: dict[str, tuple[Path | None, str]]
) -> None:
    """Exit 2 before anything is written when an export's folder is a file, a file's folder is
    missing, a file has the wrong kind of name, or a place cannot be written."""
    for folder in folders:
        if folder is None:
            continue
        if folder.exists() and not folder.is_dir():
            err.print(f"{folder} is a file; give a folder", markup=False)
            raise typer.Exit(INVALID)
        refuse_unwritable(folder)
    for option, (path, suffix) in files.items():
        if path is None:
            continue
        if path.suffix.casefold() != suffix:
            err.print(f"{option} {path.name}: give a name ending in {suffix}", markup=False)
            raise typer.Exit(INVALID)
        if path.is_dir() or not path.parent.is_dir():
            what = "is a folder" if path.is_dir() else f"is in {path.parent}, which does not exist"
            err.print(f"{option} {path}: {what}", markup=False)
            raise typer.Exit(INVALID)
        refuse_unwritable(path.parent)
        refuse_unreplaceable(path)


def same_file(first: Path, second: Path) -> bool:
    """True when both paths name one file: the same path, a symlink or a hard link."""
    if first.resolve() == second.resolve():
        return True
    try:
        return first.samefile(second)
    except OSError:
        return False


def flag_problems(flags: dict[str, float | int | None]) -> list[str]:
    """Each flag whose value is not one its setting allows (the Settings sheet's checks),
    printed; the caller exits 2 after the workbook's problems are listed too."""
    problems = []
    for name, value in flags.items():
        if value is None:
            continue
        try:
            Settings.model_validate({name: value})
        except ValidationError as error:
            problems.append(f"--{name.replace('_', '-')}: {setting_problem(error, value)}")
    for problem in problems:
        err.print(problem, markup=False)
    return problems


def apply_flags(event: Event, flags: dict[str, float | int | None]) -> None:
    """Command-line flags override the workbook's Settings."""
    for name, value in flags.items():
        if value is not None:
            setattr(event.settings, name, value)


def allocate(
    event: Event, loudness: Loudness | None = None, plan: Plan | None = None
) -> tuple[Allocation, CheckReport]:
    """Solve and verify with the independent checker; exit 3 when the event is impossible."""
    plan = plan or Plan()
    try:
        allocation = solve_watched(event, loudness or Loudness(), plan)
    except KeyboardInterrupt:
        err.print("interrupted: nothing written", markup=False)
        raise typer.Exit(FAILED) from None
    except PinnedEditError as pinned:
        err.print("pinned edits break hard rules (--override-pins lets them move):", markup=False)
        for reason in pinned.reasons:
            err.print(f"  {reason}", markup=False)
        raise typer.Exit(IMPOSSIBLE) from None
    except InfeasibleEventError as impossible:
        print_impossible(impossible.reasons)
    except TimeoutError as late:
        err.print(f"{late}; allow more time with --time-limit", markup=False)
        raise typer.Exit(FAILED) from None
    if plan.previous is not None:
        allocation.changes = list_changes(event, plan.previous, allocation)
    solved = {s.id for s in event.sessions if plan.day in (None, s.day)}
    report = check_allocation(event, allocation, plan.previous, solved, plan.override_pins)
    if plan.day is not None:
        report.kept_broken = warn_of_kept_days(event, allocation, plan.day, plan.previous)
    if not report.ok:
        for result in report.broken:
            err.print(f"broken: {result.message}", markup=False)
        raise typer.Exit(FAILED)
    return allocation, report


def warn_of_earlier_days_lost(event: Event, published: list[Assignment], day: str) -> None:
    """A warning when people no longer in the event had places on days before the one solved:
    the re-solve removes them from those days too, days that took place."""
    days = event.days()
    earlier = set(days[: days.index(day)])
    day_of = {s.id: s.day for s in event.sessions}
    gone = {
        a.participant
        for a in published
        if a.participant not in event.people and day_of.get(a.session) in earlier
    }
    if gone:
        err.print(
            f"warning: {len(gone)} {'person' if len(gone) == 1 else 'people'} no longer in "
            "Participants had places on "
            f"days before {day}; they are removed from those days too (to keep the days someone "
            "attended, keep their row and list those days under days)",
            markup=False,
        )


def warn_of_kept_days(
    event: Event, allocation: Allocation, day: str, previous: list[Assignment] | None
) -> int:
    """A warning when the days not solved break hard rules of the event as it is now: those
    kept as published (a capacity cut, a new rule, a newcomer placed on no earlier day), or,
    without a published allocation, days nobody is placed on yet. How many they break (the
    Summary says so too)."""
    kept = {s.id for s in event.sessions if s.day != day}
    broken = check_allocation(event, allocation, sessions=kept).broken
    if broken and previous is not None:  # without, `--day` has said that only it is placed
        err.print(
            f"warning: the days kept as published break {counted(len(broken), 'hard rule')} of "
            "the event as it is now; breakouts verify lists them",
            markup=False,
        )
    return len(broken)


def solve_watched(event: Event, loudness: Loudness, plan: Plan) -> Allocation:
    """Solve with progress on the terminal: every line when verbose, else a live status line.

    Progress names sessions and costs, never participants; nothing when quiet or when the
    output is not a terminal.
    """

    def say(line: str) -> None:
        err.print(line, markup=False)

    solve = partial(
        solve_event, event, previous=plan.previous, day=plan.day, override_pins=plan.override_pins
    )
    if loudness.verbose:
        return solve(watch=Watch(progress=say, solutions=say))
    if loudness.quiet or not err.is_terminal:
        return solve()
    started = time.monotonic()
    with err.status("solving…") as status:

        def show(line: str) -> None:
            status.update(f"{time.monotonic() - started:.0f} s — {line}")

        return solve(watch=Watch(progress=show, solutions=show))


def print_summary(
    event: Event, allocation: Allocation, report: CheckReport, day: str | None = None
) -> None:
    """The figures an organiser looks at first: status, cost, choices met, per session."""
    stats = allocation.stats
    out.print(
        f"{stats.status}: cost {stats.objective:g} (bound {stats.bound:g}, gap {stats.gap:.1f} %) "
        f"in {stats.seconds:.2f} s, as {counted(stats.components, 'separate model')}",
        markup=False,
    )
    if stats.overran(event.settings.time_limit):
        err.print(overrun_warning(stats.seconds, event.settings.time_limit), markup=False)
    table = Table(box=SIMPLE, pad_edge=False)
    for column in ("session", "day", "kind", "people", "options", "1st", "cost", "solved"):
        table.add_column(column, no_wrap=column in ("day", "kind", "solved"))
    ranked = {preference.session for preference in event.preferences}
    for session in event.sessions:
        placed = allocation.in_session.get(session.id, [])
        people = {a.participant for a in placed}
        first = report.session_ranks.get(session.id, {}).get("1", 0)  # hosts left out
        solved = allocation.stats.sessions.get(session.id)
        table.add_row(
            session.id,
            session.day,
            session.kind.value,
            str(len(people)),
            str(len(event.options_of.get(session.id, []))),
            str(first) if session.id in ranked else "–",  # nobody ranked its options
            f"{solved.objective:g}" if solved else "",  # as the Summary: blank when kept
            session_status(solved, bool(placed)),
        )
    out.print(table)
    ranks = sorted(report.rank_counts.items(), key=lambda item: rank_order(item[0]))
    counts = ", ".join(f"{key}: {value}" for key, value in ranks) or "none"
    out.print(f"choices met: {counts}; worst-off person's cost {report.worst_off}", markup=False)
    held = "all hold" if report.ok else "BROKEN"
    where = f" in {day}'s sessions, the ones solved" if day is not None else ""
    out.print(f"hard rules: {held}{where}", markup=False)


def overrun_warning(seconds: float, limit: float) -> str:
    """The warning for a solve that overran its time limit: the sessions' models alone take
    longer to build and cost than that at the event's size."""
    return (
        f"warning: the solve took {seconds:.1f} s for a time limit of {limit:g} s: building the "
        "sessions' models alone takes longer at this size; allow more time with --time-limit "
        "for a better allocation"
    )


def session_status(stats: SolveStats | None, placed: bool) -> str:
    """How a session was solved, for the summary table: `optimal`, its gap when not proven,
    or `kept` when its placements were kept as published (another day's, with `--day`)."""
    if stats is None:
        return "kept" if placed else ""
    return "optimal" if stats.is_optimal else f"gap {stats.gap:.1f} %"


@app.command()
def verify(
    event_path: EventPath,
    allocation_path: Annotated[Path, typer.Argument(help="An allocation workbook to check.")],
    day: Annotated[
        str | None, typer.Option(help="Check and score this day's sessions only.")
    ] = None,
) -> None:
    """Check and score an allocation, e.g. one edited by hand; exit 4 if a hard rule is broken."""
    event = load_event(event_path)
    day = programme_day(event, day)
    sessions = {s.id for s in sessions_on(event, day)} if day is not None else None
    report = check_allocation(
        event,
        Allocation(assignments=read_allocation(event, allocation_path, event_path)),
        sessions=sessions,
    )
    for result in report.broken:
        err.print(f"broken: {result.rule} in {result.session}: {result.message}", markup=False)
    shares = ", ".join(f"{rule.strip()} {total}" for rule, total in penalties_by_rule(report))
    out.print(
        f"cost {report.objective} (preferences {report.weighted_preference_cost}, "
        f"penalties {report.soft_penalty}{': ' + shares if shares else ''}); "
        f"worst-off person's cost {report.worst_off}",
        markup=False,
    )
    if not report.ok:
        out.print(f"{counted(len(report.broken), 'hard rule')} broken", markup=False)
        raise typer.Exit(BROKEN)
    out.print("every hard rule holds", markup=False)


@app.command()
def demo(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where to write the allocations.")
    ] = Path("demo-output"),
) -> None:
    """Solve the bundled example events; write their allocations, room lists and Zoom files."""
    check_export_outputs([output_dir], {})
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in DEMO_EVENTS:
        event_path = DATA / name
        out.rule(event_path.stem)
        event = load_event(event_path)
        allocation, report = allocate(event)
        target = output_dir / f"{event_path.stem}-allocation.xlsx"
        write_allocation(
            event, allocation, report, target, title=event_path.stem, source=event_path
        )
        print_summary(event, allocation, report)
        out.print(f"wrote {target}", markup=False)
        rooms = output_dir / f"{event_path.stem}-rooms.xlsx"
        handouts.write_room_lists(event, allocation, rooms, title=event_path.stem)
        out.print(f"wrote {rooms}", markup=False)
        export_zoom(event, allocation, output_dir / f"{event_path.stem}-zoom", [])


@app.command()
def export(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The allocation workbook (its event workbook is the one it was solved from), "
            "or the event workbook, then its allocation workbook.",
            metavar="[EVENT.xlsx] ALLOC.xlsx",
            show_default=False,
        ),
    ],
    event_option: Annotated[
        Path | None, typer.Option("--event", help="The event workbook, if not given before.")
    ] = None,
    zoom: Annotated[
        Path | None,
        typer.Option(help="Folder for Zoom pre-assignment CSVs, one per session (and round)."),
    ] = None,
    print_path: Annotated[
        Path | None, typer.Option("--print", help="Printable room lists and door signs (.xlsx).")
    ] = None,
    itineraries: Annotated[
        Path | None, typer.Option(help="One row per person for mail merge (.csv).")
    ] = None,
    programmes: Annotated[
        Path | None, typer.Option(help="Folder for one text programme per person.")
    ] = None,
    day: Annotated[str | None, typer.Option(help="Hand-outs for this day's sessions only.")] = None,
) -> None:
    """Hand-outs from an allocation: Zoom files, printable room lists, itineraries."""
    event_path, allocation_path = export_inputs(paths, event_option)
    if not (zoom or print_path or itineraries or programmes):
        err.print("nothing to export: give --zoom, --print, --itineraries or --programmes")
        raise typer.Exit(INVALID)
    refuse_overwriting([event_path, allocation_path], [print_path, itineraries, zoom, programmes])
    check_export_outputs(
        [zoom, programmes],
        {"--print": (print_path, ".xlsx"), "--itineraries": (itineraries, ".csv")},
    )
    event = load_event(event_path)
    day = programme_day(event, day)
    allocation = load_allocation(event, allocation_path, event_path, day)
    if day is not None:
        event = event.model_copy(update={"sessions": sessions_on(event, day)})
    done: list[Path] = []  # every file written, as it is: what an interrupt leaves
    try:
        wanted = Handouts(zoom, print_path, itineraries, programmes, day, event_path.stem)
        write_handouts(event, allocation, wanted, done)
    except KeyboardInterrupt:
        folders = {zoom, programmes}  # their files are named by the folder; others by name
        places = dict.fromkeys(str(p.parent if p.parent in folders else p) for p in done)
        written = f"{counted(len(done), 'file')} written: {', '.join(places)}"
        err.print(
            f"interrupted: {written if done else 'nothing written'}; export again for a whole set",
            markup=False,
        )
        raise typer.Exit(FAILED) from None


@dataclass(frozen=True)
class Handouts:
    """The hand-outs an export writes: where each goes (None: not asked for), and the day."""

    zoom: Path | None
    print_path: Path | None
    itineraries: Path | None
    programmes: Path | None
    day: str | None
    title: str


def write_handouts(
    event: Event, allocation: Allocation, wanted: Handouts, done: list[Path]
) -> None:
    """Write the hand-outs asked for, each file added to `done` once in place."""
    placed_only = wanted.day is not None
    if wanted.zoom:
        export_zoom(event, allocation, wanted.zoom, done)
    if wanted.print_path:
        handouts.write_room_lists(event, allocation, wanted.print_path, wanted.title)
        done.append(wanted.print_path)
        out.print(f"wrote {wanted.print_path}", markup=False)
    if wanted.itineraries:
        rows = handouts.itinerary_rows(event, allocation, placed_only=placed_only)
        handouts.write_csv(wanted.itineraries, rows, excel=True)
        done.append(wanted.itineraries)
        out.print(f"wrote {wanted.itineraries}", markup=False)
    if wanted.programmes:
        texts = handouts.programmes(event, allocation, wanted.title, placed_only=placed_only)
        files = handouts.write_files(wanted.programmes, texts, done)
        warn_of_stale(wanted.programmes, files, ".txt")
        out.print(f"wrote {counted(len(files), 'programme')} to {wanted.programmes}", markup=False)


def warn_of_stale(folder: Path, written: list[Path], suffix: str) -> None:
    """A warning naming the files of a hand-out folder this export did not write (left from
    an earlier one: a person since cancelled, a session renamed), the first ten."""
    stale = handouts.stale_files(folder, written, suffix)
    if stale:
        more = f" and {len(stale) - 10} more" if len(stale) > 10 else ""
        err.print(
            f"warning: {folder} also holds files this export did not write: "
            f"{', '.join(stale[:10])}{more}",
            markup=False,
        )


def export_inputs(paths: list[Path], event_option: Path | None) -> tuple[Path, Path]:
    """The event and allocation workbooks named on the command line, the event found through
    the allocation when only that is named; or exit 2."""
    if event_option is not None and len(paths) == 1:
        return event_option, paths[0]
    if event_option is None and len(paths) == 2:
        if [workbook_kind(path) for path in paths] == ["allocation", "event"]:
            err.print(
                f"give the event workbook first: breakouts export {paths[1].name} {paths[0].name}",
                markup=False,
            )
            raise typer.Exit(INVALID)
        return paths[0], paths[1]
    if event_option is None and len(paths) == 1:
        if workbook_kind(paths[0]) == "event":
            err.print(
                f"{paths[0].name} is an event workbook; give its allocation too: "
                f"breakouts export {paths[0].name} ALLOC.xlsx",
                markup=False,
            )
            raise typer.Exit(INVALID)
        return noted_event(paths[0]), paths[0]
    err.print("give the event workbook and the allocation workbook: EVENT.xlsx ALLOC.xlsx")
    raise typer.Exit(INVALID)


def noted_event(allocation_path: Path) -> Path:
    """The event workbook the allocation was written from, as it notes it; exit 2 when the
    allocation cannot be read, notes no event or that file is gone, and a warning when the
    file changed since."""
    name = allocation_path.name
    unreadable = read_bytes(allocation_path)
    if isinstance(unreadable, str):
        problems = [Issue(sheet=name, message=unreadable)]
        report_issues(problems)
        refuse_input(allocation_path, problems)
    source = event_of(allocation_path)
    give = f"; give it: breakouts export EVENT.xlsx {name}"
    if source is None:
        err.print(f"{name} does not say which event workbook it comes from{give}", markup=False)
        raise typer.Exit(INVALID)
    if not source.path.is_file():
        err.print(f"{name} comes from {source.path}, which is not there{give}", markup=False)
        raise typer.Exit(INVALID)
    if source.changed():
        err.print(f"warning: {source.path.name} has changed since {name} was written", markup=False)
    return source.path


def refuse_overwriting(inputs: list[Path], outputs: list[Path | None]) -> None:
    """Exit 2 when an output would replace an input."""
    for output in outputs:
        if output is not None and any(same_file(output, path) for path in inputs):
            err.print(f"refusing to write over the input {output}", markup=False)
            raise typer.Exit(INVALID)


def read_allocation(event: Event, path: Path, event_path: Path) -> list[Assignment]:
    """The Assignments sheet, matched to the event, or exit 2 listing every problem (unknown
    people, sessions, options or rounds, with their rows); one line alone when it names nobody
    of the event (another event's allocation)."""
    assignments, issues = matched_rows(event, path, event_path)
    issues += allocation_issues(event, assignments)
    issues += room_cell_edits(event, assignments)
    report_issues(issues)
    if errors(issues):
        refuse_input(path, issues)
    return assignments


def load_allocation(event: Event, path: Path, event_path: Path, day: str | None) -> Allocation:
    """`read_allocation` (only `day`'s sessions when given), with a warning when the sessions
    it allocates break a hard rule (the hand-outs still follow it), and a note of those it
    allocates nobody to (a day not solved yet: no hand-outs)."""
    allocation = Allocation(assignments=read_allocation(event, path, event_path))
    if day is not None:
        ids = {s.id for s in sessions_on(event, day)}
        allocation = Allocation(assignments=[a for a in allocation.assignments if a.session in ids])
    wanted = [s for s in event.sessions if day in (None, s.day) and event.audience_of(s)]
    empty = [s.id for s in wanted if s.id not in allocation.in_session]
    if empty:
        err.print(
            f"note: {path.name} places nobody in {', '.join(empty)}: no hand-outs for "
            f"{'it' if len(empty) == 1 else 'them'}",
            markup=False,
        )
    solved = {s.id for s in wanted if s.id in allocation.in_session}
    broken = check_allocation(event, allocation, sessions=solved).broken
    if broken:
        err.print(
            f"warning: {counted(len(broken), 'hard rule')} broken in {path.name}; "
            "see breakouts verify",
            markup=False,
        )
    return allocation


def export_zoom(event: Event, allocation: Allocation, folder: Path, done: list[Path]) -> None:
    """Write the Zoom pre-assignment files (each added to `done`), with a warning for
    everything left out."""
    files, warnings = handouts.zoom_files(event, allocation)
    written = handouts.write_files(folder, files, done)
    for warning in warnings:
        err.print(f"warning: {warning}", markup=False)
    warn_of_stale(folder, written, ".csv")
    out.print(f"wrote {counted(len(written), 'Zoom file')} to {folder}", markup=False)


@app.command("import")
def import_command(
    form: Annotated[Path, typer.Argument(help="The registration form export (.csv or .xlsx).")],
    map_path: Annotated[
        Path, typer.Option("--map", help="How to read the form (.toml).", show_default=False)
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The event workbook to write.", show_default=False),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Turn a registration-form export into an event workbook."""
    if output.exists() and not force:
        err.print(f"{output.name} exists; use --force to replace it", markup=False)
        raise typer.Exit(INVALID)  # as every other refusal to write over a file
    check_workbook_output(output, "event")
    result = import_form(form, map_path)
    report_issues(result.issues)
    refuse_overwriting(result.inputs, [output])
    if result.event is None:
        refuse_input(form, result.issues)
    write_event(result.event, output)
    warnings = len(result.issues)
    out.print(
        f"wrote {output}: {len(result.event.participants)} participants, "
        f"{len(result.event.preferences)} preferences"
        + (f"; {counted(warnings, 'warning')} above" if warnings else ""),
        markup=False,
    )
