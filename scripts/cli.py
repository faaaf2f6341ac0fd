"""The `breakouts` command line: template, check, solve, verify, demo.

Exit status: 0 allocation written and every hard rule holds; 1 anything else;
2 the input is invalid; 3 no allocation can satisfy the hard rules; 4 `verify`
found a broken hard rule.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from models import Allocation, CheckReport, Event, Issue
from models.issues import errors
from models.report import read_assignments, write_allocation
from models.workbook import read_event, write_template
from solver.check import check_allocation
from solver.solve import InfeasibleEventError, solve_event

OK, FAILED, INVALID, IMPOSSIBLE, BROKEN = 0, 1, 2, 3, 4
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
    """Print every input problem, errors and warnings, one a line."""
    for issue in issues:
        err.print(str(issue), markup=False)


def load_event(path: Path) -> Event:
    """Read and validate the event workbook, or exit 2 listing every problem."""
    event, issues = read_event(path)
    report_issues(issues)
    if event is None or errors(issues):
        count = len(errors(issues))
        err.print(f"{path.name}: {count} problem{'s' if count != 1 else ''}, nothing written")
        raise typer.Exit(INVALID)
    return event


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the empty event workbook.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write an empty event workbook with instructions."""
    if path.exists() and not force:
        err.print(f"{path.name} exists; use --force to replace it", markup=False)
        raise typer.Exit(FAILED)
    write_template(path)
    out.print(f"wrote {path}", markup=False)


@app.command()
def check(event_path: EventPath) -> None:
    """Validate an event workbook; list every problem with sheet, row and column."""
    event = load_event(event_path)
    out.print(
        f"{event_path.name}: {len(event.participants)} participants, {len(event.sessions)} "
        f"sessions, {len(event.options)} options, {len(event.preferences)} preferences; "
        "no problems",
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
    workers: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show each session.")] = False,
) -> None:
    """Allocate everyone and write the allocation workbook."""
    if output.resolve() == event_path.resolve():
        err.print("refusing to write the allocation over the event workbook", markup=False)
        raise typer.Exit(INVALID)
    event = load_event(event_path)
    apply_flags(event, time_limit=time_limit, seed=seed, workers=workers)
    allocation, report = allocate(event, verbose)
    write_allocation(event, allocation, report, output, title=event_path.stem)
    print_summary(event, allocation, report)
    out.print(f"wrote {output}", markup=False)


def apply_flags(event: Event, **flags: float | int | None) -> None:
    """Command-line flags override the workbook's Settings."""
    for name, value in flags.items():
        if value is not None:
            setattr(event.settings, name, value)


def allocate(event: Event, verbose: bool = False) -> tuple[Allocation, CheckReport]:
    """Solve and verify with the independent checker; exit 3 when the event is impossible."""
    progress = (lambda line: err.print(line, markup=False)) if verbose else None
    try:
        allocation = solve_event(event, progress=progress)
    except InfeasibleEventError as impossible:
        err.print("no allocation can satisfy the hard rules:", markup=False)
        for reason in impossible.reasons:
            err.print(f"  {reason}", markup=False)
        raise typer.Exit(IMPOSSIBLE) from None
    except TimeoutError as late:
        err.print(f"{late}; allow more time with --time-limit", markup=False)
        raise typer.Exit(FAILED) from None
    report = check_allocation(event, allocation)
    if not report.ok:
        for result in report.broken:
            err.print(f"broken: {result.message}", markup=False)
        raise typer.Exit(FAILED)
    return allocation, report


def print_summary(event: Event, allocation: Allocation, report: CheckReport) -> None:
    """The figures an organiser looks at first: status, cost, choices met, per session."""
    stats = allocation.stats
    out.print(
        f"{stats.status}: cost {stats.objective:g} (bound {stats.bound:g}, gap {stats.gap:.1f} %) "
        f"in {stats.seconds:.2f} s, {stats.components} sessions solved independently",
        markup=False,
    )
    table = Table("session", "day", "kind", "people", "options", "1st choice", "cost")
    for session in event.sessions:
        people = {a.participant for a in allocation.assignments if a.session == session.id}
        placed = [a for a in allocation.assignments if a.session == session.id]
        first = sum(
            1
            for a in placed
            if (pref := event.preferences_of.get((a.participant, a.session), {}).get(a.option))
            and pref.rank == 1
        )
        cost = sum(
            event.cost(a.participant, a.session, a.option)
            for a in placed
            if (a.participant, a.session) not in event.host_option
        )
        table.add_row(
            session.id,
            session.day,
            session.kind.value,
            str(len(people)),
            str(len(event.options_of.get(session.id, []))),
            str(first),
            str(cost),
        )
    out.print(table)
    counts = ", ".join(f"{key}: {value}" for key, value in sorted(report.rank_counts.items()))
    out.print(f"choices met: {counts}; worst-off person's cost {report.worst_off}", markup=False)
    out.print(f"hard rules: {'all hold' if report.ok else 'BROKEN'}", markup=False)


@app.command()
def verify(
    event_path: EventPath,
    allocation_path: Annotated[Path, typer.Argument(help="An allocation workbook to check.")],
) -> None:
    """Check and score an allocation, e.g. one edited by hand; exit 4 if a hard rule is broken."""
    event = load_event(event_path)
    assignments, issues = read_assignments(allocation_path)
    report_issues(issues)
    if errors(issues):
        raise typer.Exit(INVALID)
    report = check_allocation(event, Allocation(assignments=assignments))
    for result in report.broken:
        err.print(f"broken: {result.rule} in {result.session}: {result.message}", markup=False)
    out.print(
        f"cost {report.objective} (preferences {report.preference_cost}, "
        f"soft rules {report.soft_penalty}); worst-off person's cost {report.worst_off}",
        markup=False,
    )
    if not report.ok:
        out.print(f"{len(report.broken)} hard rule(s) broken", markup=False)
        raise typer.Exit(BROKEN)
    out.print("every hard rule holds", markup=False)


@app.command()
def demo(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where to write the allocations.")
    ] = Path("demo-output"),
) -> None:
    """Solve the bundled example events and write their allocation workbooks."""
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in DEMO_EVENTS:
        event_path = DATA / name
        out.rule(event_path.stem)
        event = load_event(event_path)
        allocation, report = allocate(event)
        target = output_dir / f"{event_path.stem}-allocation.xlsx"
        write_allocation(event, allocation, report, target, title=event_path.stem)
        print_summary(event, allocation, report)
        out.print(f"wrote {target}", markup=False)


def main() -> None:
    """Entry point for `python -m scripts.cli`."""
    app()


if __name__ == "__main__":
    main()
