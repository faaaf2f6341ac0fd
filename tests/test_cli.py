"""The command line: exact exit codes and messages for each command."""

import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from models import Allocation, Option, Participant, SessionKind, SolveStats
from models.report import read_assignments
from models.workbook import read_event, write_event
from scripts.cli import app, session_status
from solver.solve import solve_event
from tests.factories import event, nothing_found_in_time, rule

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data"


def workbook(tmp_path: Path, **kwargs: object) -> Path:
    """A small event workbook on disk."""
    path = tmp_path / "event.xlsx"
    write_event(event(**kwargs), path)  # type: ignore[arg-type]
    return path


def solved(tmp_path: Path, **kwargs: object) -> tuple[Path, Path]:
    """A small event workbook and the allocation `solve` wrote for it."""
    path = workbook(tmp_path, **kwargs)
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0
    return path, out


def edit_assignments(out: Path, edit: Callable[[Worksheet], object]) -> None:
    """Edit an allocation's Assignments sheet by hand, as an organiser would, and save it."""
    book = openpyxl.load_workbook(out)
    edit(book["Assignments"])
    book.save(out)


def test_solve_writes_the_allocation_and_exits_0(tmp_path: Path) -> None:
    path = workbook(tmp_path, prefs={"p1": ["A", "B"], "p2": ["B", "A"]})
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "optimal: cost 0 (bound 0, gap 0.0 %) in " in result.output
    assert " s, as 1 separate model\n" in result.output
    assert re.search(r"^ *S1 .* optimal *$", result.output, re.MULTILINE)
    assignments, issues = read_assignments(out)
    assert issues == []
    assert len(assignments) == 4


def test_version_names_the_tool_and_or_tools() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"breakouts \d+\.\d+\.\d+, OR-Tools \d+\.\d+\.\d+\n", result.stdout)


@pytest.mark.parametrize(
    ("kind", "prefs", "row"),
    [
        (SessionKind.CHOICE, {"p1": ["A", "B"], "p2": ["B", "A"]}, "S1 d1 choice 4 2 2 0 optimal"),
        (SessionKind.SPLIT, {}, "S1 d1 split 4 2 – 0 optimal"),  # nobody ranked: no 1st choice
    ],
)
def test_the_session_table_counts_first_choices_where_options_were_ranked(
    tmp_path: Path, kind: SessionKind, prefs: dict[str, list[str]], row: str
) -> None:
    path = workbook(tmp_path, kind=kind, prefs=prefs, diversity=(), spread=())
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    rows = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert row in rows


def test_a_session_with_nothing_found_in_time_exits_1_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefs = {"p1": ["A"], "p2": ["A"], "p3": ["B"], "p4": ["B"]}
    path = workbook(tmp_path, prefs=prefs, rules=[rule("apart", "p1", "p2")])
    nothing_found_in_time(monkeypatch)  # and the flow's allocation breaks the hard rule
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        "session S1: no allocation found in time; allow more time with --time-limit\n"
    )
    assert not out.exists()


def test_solve_leaves_the_input_untouched(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    before = path.read_bytes()
    runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert path.read_bytes() == before


def test_solve_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    result = runner.invoke(app, ["solve", str(path), "-o", str(path)])
    assert result.exit_code == 2
    assert result.stderr == "refusing to write the allocation over the event workbook\n"


@pytest.mark.parametrize("name", ["out.xls", "out.csv", "out"])
def test_solve_refuses_an_output_that_is_not_xlsx(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{name}: the allocation is an Excel workbook; give a name ending in .xlsx\n"
    )
    assert not out.exists()


def test_a_day_is_read_without_its_surrounding_spaces(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    args = ["solve", str(workbook(tmp_path)), "-o", str(out), "--day", " d1 "]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: --day without --previous: only d1's sessions")


@pytest.mark.parametrize(("day", "code"), [("D1", 0), ("d9", 2)])
def test_a_day_is_read_in_any_case(tmp_path: Path, day: str, code: int) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out), "--day", day])
    assert result.exit_code == code
    if code:
        assert result.stderr == '"d9" is not a day of the programme (days: d1)\n'
    else:
        assert result.stderr.startswith("warning: --day without --previous: only d1's sessions")


def test_an_event_without_participants_says_no_choices_were_met(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["solve", str(workbook(tmp_path, people=0)), "-o", str(tmp_path / "o.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert "choices met: none; worst-off person's cost 0\n" in result.stdout


def test_same_seed_gives_the_same_allocation(tmp_path: Path) -> None:
    prefs = {f"p{i}": ["A", "B"] for i in range(1, 5)}
    path = workbook(tmp_path, prefs=prefs)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    for out in (first, second):
        assert (
            runner.invoke(app, ["solve", str(path), "-o", str(out), "--seed", "3"]).exit_code == 0
        )
    assert read_assignments(first)[0] == read_assignments(second)[0]


def test_impossible_event_exits_3_with_the_reason(tmp_path: Path) -> None:
    path = workbook(tmp_path, people=5)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert result.exit_code == 3
    assert result.stderr == (
        "no allocation can satisfy the hard rules:\n"
        "  session S1: 5 people must attend, its options hold at most 4\n"
    )
    assert not out.exists()


def test_a_need_no_option_offers_exits_3_naming_each_option_s_lack(tmp_path: Path) -> None:
    people = [
        Participant(id="p1", name="Ana", needs=("step-free",)),
        Participant(id="p2", name="Bo"),
    ]
    path = tmp_path / "event.xlsx"
    write_event(event(people=people), path)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert result.exit_code == 3
    assert result.stderr == (
        "no allocation can satisfy the hard rules:\n"
        "  session S1: p1 can take no option (A does not offer step-free; B does not offer "
        "step-free)\n"
    )
    assert not out.exists()
    offered = event(people=people).model_copy(
        update={"options": [Option(session="S1", id="A", max=2, features=("step-free",))]}
    )
    write_event(offered, path)
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0


def test_check_exits_3_when_the_event_is_plainly_impossible(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(workbook(tmp_path, people=5))])
    assert result.exit_code == 3
    assert result.stderr == (
        "no allocation can satisfy the hard rules:\n"
        "  session S1: 5 people must attend, its options hold at most 4\n"
    )


def test_broken_workbook_exits_2_listing_every_problem(tmp_path: Path) -> None:
    path = workbook(tmp_path, prefs={"p1": ["A"]})
    book = openpyxl.load_workbook(path)
    max_column = next(c.column_letter for c in book["Options"][1] if c.value == "max")
    book["Options"][f"{max_column}2"] = "twelve"
    option_column = next(c.column_letter for c in book["Preferences"][1] if c.value == "option")
    book["Preferences"][f"{option_column}2"] = "Z"
    book.save(path)
    out = tmp_path / "out.xlsx"
    said = (
        'Options row 2, column max: "twelve" is not a whole number\n'
        'Preferences row 2, column option: "Z" is not an option of session S1 (options: A, B)\n'
        "event.xlsx: 2 problems, nothing written\n"
    )
    checked = runner.invoke(app, ["check", str(path)])
    assert (checked.exit_code, checked.stderr) == (2, said)
    solved = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert (solved.exit_code, solved.stderr) == (2, said)
    assert not out.exists()


def test_check_accepts_a_valid_workbook(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(workbook(tmp_path))])
    assert result.exit_code == 0
    assert result.stdout == (
        "event.xlsx: 4 participants, 1 session, 2 options, 0 preferences; no problems\n"
    )


def test_not_a_workbook_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "event.xlsx"
    path.write_text("name,email\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        "event.xlsx: not an Excel workbook (.xlsx): it is a text file (CSV?); save it as Excel "
        "Workbook (.xlsx)\nevent.xlsx: 1 problem, nothing written\n"
    )


def test_verify_a_hand_edited_allocation_over_capacity_exits_4(tmp_path: Path) -> None:
    path, out = solved(tmp_path)

    def everyone_in_a(sheet: Worksheet) -> None:
        option_column = next(c.column_letter for c in sheet[1] if c.value == "option")
        for row in range(2, sheet.max_row + 1):
            sheet[f"{option_column}{row}"] = "A"

    edit_assignments(out, everyone_in_a)
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert result.exit_code == 4
    edit = (
        '"B" is B\'s room, the option cell says A: taken as a hand edit to A (if the move was '
        "to B, write B in the option cell)"
    )
    assert result.stderr == (
        f"warning: Assignments rows 4–5, column room: {edit}\n"
        "broken: capacity in S1: A in S1: 4 people, capacity 2\n"
    )
    assert result.stdout.splitlines()[-1] == "1 hard rule broken"


def test_verify_an_allocation_naming_what_the_event_lacks_exits_2_with_its_rows(
    tmp_path: Path,
) -> None:
    path, out = solved(tmp_path)

    def unknown_ids(sheet: Worksheet) -> None:
        column = {cell.value: cell.column_letter for cell in sheet[1]}
        sheet[f"{column['option']}2"] = "NOPE"
        sheet[f"{column['participant']}3"] = "ZZ-999"
        sheet[f"{column['session']}4"] = "NOSESSION"

    edit_assignments(out, unknown_ids)
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        'Assignments row 2, column option: "NOPE" is not an option of session S1\n'
        'Assignments row 3, column participant: "ZZ-999" is not a participant of the event\n'
        'Assignments row 4, column session: "NOSESSION" is not a session of the event\n'
        "out.xlsx: 3 problems, nothing written\n"
    )


def test_verify_ignores_a_stray_value_in_the_far_corner_of_the_assignments(
    tmp_path: Path,
) -> None:
    # Every row used to be widened to column XFD and read a million times over (minutes,
    # gigabytes); a process of its own, so that the old code fails by its timeout.
    path, out = solved(tmp_path)
    edit_assignments(out, lambda sheet: sheet.cell(1048576, 16384, "x"))
    run = subprocess.run(
        [sys.executable, "-m", "scripts.main", "verify", str(path), str(out)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
        check=False,
    )
    assert (run.returncode, run.stderr) == (
        0,
        "warning: Assignments row 1: column XFD has values but no header; it is ignored\n",
    )


@pytest.mark.parametrize(
    ("header", "warning"),
    [
        (None, "warning: Assignments row 1: column J has values but no header; it is ignored\n"),
        ("notes", ""),
    ],
)
def test_verify_reads_a_note_beside_the_assignments_by_its_header(
    tmp_path: Path, header: str | None, warning: str
) -> None:
    path, out = solved(tmp_path)

    def note(sheet: Worksheet) -> None:
        assert sheet.max_column == 9
        sheet["J1"] = header
        sheet["J3"] = "moved at her request"

    edit_assignments(out, note)
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert (result.exit_code, result.stderr) == (0, warning)


def test_verify_skips_a_row_with_values_only_where_there_is_no_header(tmp_path: Path) -> None:
    path, out = solved(tmp_path)
    edit_assignments(out, lambda sheet: sheet.cell(9, 11, "checked by Ana"))
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert (result.exit_code, result.stderr) == (
        0,
        "warning: Assignments row 1: column K has values but no header; it is ignored\n",
    )


def test_verify_an_untouched_allocation_exits_0(tmp_path: Path) -> None:
    path, out = solved(tmp_path, rules=[rule("apart", "p1", "p2")])
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert result.exit_code == 0
    assert result.stdout == (
        "cost 0 (preferences 0, penalties 0); worst-off person's cost 0\nevery hard rule holds\n"
    )


@pytest.mark.parametrize(
    ("weight", "line"), [(3, "cost 6 (preferences 6,"), (1, "cost 2 (preferences 2,")]
)
def test_verify_and_the_summary_weigh_the_preference_cost(
    tmp_path: Path, weight: int, line: str
) -> None:
    # p1, p2 and p3 want A, which holds one: two of them get their 2nd choice, at 1 each
    # (rank_costs 0,1,3,6), × weight_preference, as the total counts it.
    prefs = {"p1": ["A", "B"], "p2": ["A", "B"], "p3": ["A", "B"], "p4": ["B", "A"]}
    path = workbook(tmp_path, options=[("A", 1), ("B", 3)], prefs=prefs, weight_preference=weight)
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["verify", str(path), str(out)])
    assert result.stdout.startswith(line + " penalties 0)")
    summary = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)
        if row[0] is not None
    }
    assert summary["preference cost (× weight_preference)"] == 2 * weight
    assert summary["total"] == 2 * weight


def test_template_reads_back_as_a_valid_empty_event(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    assert runner.invoke(app, ["template", str(path)]).exit_code == 0
    event_read, issues = read_event(path)
    assert event_read is not None
    assert [issue for issue in issues if issue.is_error] == []
    again = runner.invoke(app, ["template", str(path)])
    assert again.exit_code == 2
    assert "new.xlsx exists; use --force to replace it" in again.output


def test_hosts_in_the_workbook_are_honoured(tmp_path: Path) -> None:
    e = event(4, prefs={"p1": ["A", "B"]})
    e.options[1] = Option(session="S1", id="B", max=2, hosts=("p1",))
    path = tmp_path / "event.xlsx"
    write_event(e, path)
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0
    assignments, _ = read_assignments(out)
    assert [a.option for a in assignments if a.participant == "p1"] == ["B"]


def test_a_solve_longer_than_its_time_limit_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scripts.cli

    def slow(*args: object, **kwargs: object) -> Allocation:
        allocation = solve_event(*args, **kwargs)  # type: ignore[arg-type]
        allocation.stats.seconds = 12.34  # as if its models had taken that long to build
        return allocation

    monkeypatch.setattr(scripts.cli, "solve_event", slow)
    out = tmp_path / "out.xlsx"
    args = ["solve", str(workbook(tmp_path)), "-o", str(out), "--time-limit", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: the solve took 12.3 s for a time limit of 2 s: building the sessions' models "
        "alone takes longer at this size; allow more time with --time-limit for a better "
        "allocation\n"
    )
    assert out.exists()


@pytest.mark.parametrize(
    ("seconds", "limit", "warned"),
    [(12.34, 2, True), (3.01, 2, True), (3.0, 2, False), (62.9, 60, False), (63.1, 60, True)],
)
def test_the_time_limit_is_overrun_by_more_than_a_second_or_5_percent(
    seconds: float, limit: float, warned: bool
) -> None:
    assert SolveStats(seconds=seconds).overran(limit) is warned


def test_ctrl_c_during_a_solve_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scripts.cli

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scripts.cli, "solve_event", interrupted)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out)])
    assert result.exit_code == 1
    assert "interrupted: nothing written" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--time-limit", "0"], "--time-limit: must be more than 0, not 0\n"),
        (["--time-limit", "-1"], "--time-limit: must be more than 0, not -1\n"),
        (["--time-limit", "nan"], "--time-limit: must be a finite number, not nan\n"),
        (["--time-limit", "inf"], "--time-limit: must be a finite number, not inf\n"),
        (["--seed", "2147483648"], "--seed: must be at most 2147483647, not 2147483648\n"),
        (
            ["--seed", "-1", "--workers", "0"],
            "--seed: must be at least 0, not -1\n--workers: must be at least 1, not 0\n",
        ),
    ],
)
def test_a_flag_its_setting_does_not_allow_exits_2_naming_it(
    flags: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out), *flags])
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_a_wrong_flag_and_the_workbook_s_problems_are_listed_together(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    header = [cell.value for cell in book["Options"][1]]
    book["Options"].cell(2, header.index("max") + 1, "lots")
    book.save(path)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out), "--seed", "-1"])
    assert result.exit_code == 2
    assert result.stderr == (
        "--seed: must be at least 0, not -1\n"
        'Options row 2, column max: "lots" is not a whole number\n'
        "event.xlsx: 1 problem, nothing written\n"
    )
    assert not out.exists()


def test_flags_override_the_workbook_s_settings(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    flags = ["--time-limit", "7.5", "--seed", "3", "--workers", "1"]
    seen: dict[str, object] = {}

    def solved(event: object, *args: object, **kwargs: object) -> object:
        seen.update(event.settings.model_dump(include={"time_limit", "seed", "workers"}))  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    import scripts.cli

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scripts.cli, "solve_event", solved)
        runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out), *flags])
    assert seen == {"time_limit": 7.5, "seed": 3, "workers": 1}


def test_a_day_without_the_previous_allocation_is_solved_alone_with_a_warning(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["solve", str(workbook(tmp_path)), "-o", str(out), "--day", "d1"])
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: --day without --previous: only d1's sessions are allocated, and no earlier "
        "day counts for fairness or new encounters\n"
    )
    assert {a.session for a in read_assignments(out)[0]} == {"S1"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "event.xlsx",
            "Assignments: event.xlsx has no sheet named Assignments (it is an event workbook; "
            "give the allocation solve wrote)\nevent.xlsx: 1 problem, nothing written\n",
        ),
        (
            "other.xlsx",
            "Assignments: other.xlsx has no sheet named Assignments\n"
            "other.xlsx: 1 problem, nothing written\n",
        ),
    ],
)
def test_a_previous_allocation_with_a_problem_exits_2_counting_it(
    tmp_path: Path, given: str, message: str
) -> None:
    path = workbook(tmp_path)
    openpyxl.Workbook().save(tmp_path / "other.xlsx")  # neither an event nor an allocation
    out = tmp_path / "out.xlsx"
    previous = str(tmp_path / given)
    result = runner.invoke(app, ["solve", str(path), "-o", str(out), "--previous", previous])
    assert result.exit_code == 2
    assert result.stderr == message
    assert not out.exists()


def test_ctrl_c_in_the_middle_of_a_roundtable_s_searches_writes_nothing(tmp_path: Path) -> None:
    # A real SIGINT while 2023's COOP runs its rounds and its bound side by side. CP-SAT's own
    # SIGINT handler, put in place and taken back by each solve in each thread, used to abort
    # the process ("std::bad_function_call", exit 134) or kill it without a word. The signal
    # is sent at COOP's first line, about 15 s before the solve ends; on a machine so busy
    # that it arrives after the file is written (Ctrl-C is then ignored, exit 0), once more.
    command = [sys.executable, "-m", "scripts.main", "solve", str(DATA / "academy-2023.xlsx")]
    for attempt in range(3):
        out = tmp_path / f"out-{attempt}.xlsx"
        solving = subprocess.Popen(
            [*command, "-o", str(out), "--time-limit", "30", "--verbose"],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert solving.stderr is not None
        lines = iter(solving.stderr.readline, "")
        next(line for line in lines if line.startswith("COOP: cost"))
        solving.send_signal(signal.SIGINT)
        said = solving.stderr.read()
        if solving.wait(timeout=30) == 0 and out.exists():
            continue  # the signal came after the solve: nothing was interrupted
        assert solving.returncode == 1
        assert said.splitlines()[-1] == "interrupted: nothing written"
        assert not out.exists()
        return
    pytest.fail("every Ctrl-C arrived after the solve had written its file")


@pytest.mark.parametrize("where", ["while the tool loads", "while a workbook is read"])
def test_ctrl_c_outside_a_solve_writes_nothing_and_says_so(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import scripts.cli
    from scripts.main import main

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if where == "while the tool loads":
        monkeypatch.setattr(scripts.cli, "app", interrupted)
    else:  # Typer turns it into exit 130
        monkeypatch.setattr(scripts.cli, "read_event", interrupted)
    out = tmp_path / "out.xlsx"
    path = str(workbook(tmp_path))
    monkeypatch.setattr(sys, "argv", ["breakouts", "solve", path, "-o", str(out)])
    ignored: list[object] = []  # main ignores Ctrl-C once done: not in the tests' own process
    monkeypatch.setattr(signal, "signal", lambda *args: ignored.append(args))
    with pytest.raises(SystemExit) as leaving:
        main()
    assert leaving.value.code == 1
    assert capsys.readouterr().err == "interrupted: nothing written\n"
    assert not out.exists()
    assert ignored == [(signal.SIGINT, signal.SIG_IGN)]


class FullDisk(io.RawIOBase):
    """A file on a disk with no space left."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(28, "No space left on device", "out.xlsx")


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_a_failed_write_says_why_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing: str,
) -> None:
    from models import spreadsheet
    from scripts.main import main

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "out.xlsx")

    def full_file(handle: int, mode: str = "r", *args: object) -> object:
        os.close(handle)
        return FullDisk()

    path = workbook(tmp_path)
    out = tmp_path / "out.xlsx"
    if failing == "write":
        monkeypatch.setattr(spreadsheet.os, "fdopen", full_file)
    else:
        monkeypatch.setattr(spreadsheet.os, "replace", disk_full)
    monkeypatch.setattr(sys, "argv", ["breakouts", "solve", str(path), "-o", str(out), "-q"])
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    with pytest.raises(SystemExit) as leaving:
        main()
    assert leaving.value.code == 1
    said = {
        "write": "error: No space left on device: out.xlsx\n",
        "replace": f"error: cannot replace it (No space left on device): {out}\n",
    }
    assert capsys.readouterr().err == said[failing]
    assert [path.name for path in tmp_path.iterdir()] == ["event.xlsx"]


def test_an_unwritable_folder_exits_2_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scripts.cli

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    path = workbook(tmp_path)
    monkeypatch.setattr(scripts.cli.tempfile, "mkstemp", denied)
    monkeypatch.setattr(scripts.cli, "solve_event", lambda *a, **k: pytest.fail("solved"))
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 2
    assert result.stderr == f"cannot write in the folder {tmp_path}: Permission denied\n"


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        (1, True),  # EPERM: locked (chattr +i, macOS's locked files), found after solving
        (13, False),  # EACCES: only read-only, which replacing it in its folder ignores
    ],
)
def test_an_output_that_cannot_be_replaced_exits_2_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, refused: bool
) -> None:
    import os

    import scripts.cli

    path = workbook(tmp_path)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"published")
    opened = os.open

    def locked(file: object, *args: object, **kwargs: object) -> int:
        if Path(str(file)) == out:
            raise PermissionError(code, os.strerror(code))
        return opened(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scripts.cli.os, "open", locked)
    if refused:
        monkeypatch.setattr(scripts.cli, "solve_event", lambda *a, **k: pytest.fail("solved"))
    result = runner.invoke(app, ["solve", str(path), "-o", str(out), "-q"])
    if refused:
        assert (result.exit_code, result.stderr) == (
            2,
            f"{out} cannot be replaced (Operation not permitted): close it in the program "
            "that has it open, or give another name\n",
        )
        assert out.read_bytes() == b"published"
    else:
        assert result.exit_code == 0, result.output


def test_a_replace_that_fails_names_the_output_not_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from models.spreadsheet import write_text_atomically

    def refused(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted", "/x/.out-abc.csv", None, "out.csv")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(PermissionError) as failure:
        write_text_atomically(tmp_path / "out.csv", "a,b\n")
    assert (failure.value.strerror, failure.value.filename) == (
        "cannot replace it (Operation not permitted)",
        str(tmp_path / "out.csv"),
    )
    assert list(tmp_path.iterdir()) == []


def test_a_writable_folder_is_left_as_it_was(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx"), "-q"])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event.xlsx", "out.xlsx"]


def test_verbose_shows_sessions_and_solutions_but_no_people(tmp_path: Path) -> None:
    prefs = {"p1": ["A", "B"], "p2": ["A", "B"], "p3": ["A", "B"]}
    path = workbook(tmp_path, prefs=prefs, rules=[rule("apart", "p3", "p4", soft=True)])
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "o.xlsx"), "-v"])
    assert result.exit_code == 0
    assert "S1: optimal, cost 1 in" in result.output
    assert "S1: cost 1, bound 1 (0.0 %)" in result.output
    assert "Person" not in result.output and "p1" not in result.output


def test_a_stopped_watch_interrupts_every_search() -> None:
    from solver.solve import solve_event
    from solver.watch import Watch

    watch = Watch()
    watch.stop()
    with pytest.raises(KeyboardInterrupt):
        solve_event(event(4), watch=watch)


def test_each_session_says_how_it_was_solved() -> None:
    proven = SolveStats(status="optimal", objective=12, bound=12)
    open_gap = SolveStats(status="feasible", objective=200, bound=185)
    assert session_status(proven, placed=True) == "optimal"
    assert session_status(open_gap, placed=True) == "gap 7.5 %"
    assert session_status(None, placed=True) == "kept"
    assert session_status(None, placed=False) == ""


def test_the_session_table_gives_each_session_s_whole_cost_as_the_summary(tmp_path: Path) -> None:
    # Three who should sit together in options of two: a penalty, and no wish unmet.
    path = workbook(tmp_path, rules=[rule("together", "p1", "p2", "p3", soft=True)])
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "o.xlsx"), "-q"])
    assert result.exit_code == 0
    total = re.match(r"optimal: cost (\d+) ", result.stdout)
    row = next(line.split() for line in result.stdout.splitlines() if line.strip().startswith("S1"))
    assert total is not None and row[6] == total.group(1) != "0"


def test_demo_into_a_file_exits_2_before_solving(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("")
    result = runner.invoke(app, ["demo", "-o", str(taken)])
    assert (result.exit_code, result.stderr) == (2, f"{taken} is a file; give a folder\n")
