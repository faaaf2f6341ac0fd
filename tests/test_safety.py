"""Nothing lost, nothing unsafe: inputs untouched, outputs whole or absent, no formulas or names."""

import io
import os
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from models import Participant
from models.spreadsheet import FORMULA_STARTS, save_atomically
from models.workbook import write_event
from scripts.cli import app
from tests.factories import event

runner = CliRunner()
REFUSED = "refusing to write the allocation over the event workbook"


def workbook(folder: Path, people: list[Participant] | None = None) -> Path:
    """A small, solvable event workbook."""
    path = folder / "event.xlsx"
    write_event(event(people or 4, prefs={"p1": ["A", "B"]}), path)
    return path


def interrupt_saving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file save write half its bytes, then stop as Ctrl-C would."""
    original = os.fdopen

    class HalfThenInterrupt(io.BufferedWriter):
        """A file that takes half of what it is given, then is interrupted."""

        def write(self, data: bytes) -> int:  # type: ignore[override]
            super().write(bytes(data)[: len(data) // 2])
            self.flush()
            raise KeyboardInterrupt

    def half_then_interrupt(handle: int, mode: str = "r", *args: object) -> object:
        if "w" not in mode:
            return cast(Any, original)(handle, mode, *args)
        return HalfThenInterrupt(io.FileIO(handle, "w"))

    monkeypatch.setattr("models.spreadsheet.os.fdopen", half_then_interrupt)


# ---------------------------------------------------------------- outputs whole or absent


def test_interrupted_save_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.xlsx"
    save_atomically(Workbook(), target)
    before = target.read_bytes()
    interrupt_saving(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        save_atomically(Workbook(), target)
    assert target.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["out.xlsx"]


def test_interrupted_solve_leaves_the_previous_allocation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path)
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0
    before = out.read_bytes()
    interrupt_saving(monkeypatch)
    result = runner.invoke(app, ["solve", str(path), "-o", str(out), "--seed", "5"])
    assert result.exit_code == 130  # Typer's for Ctrl-C; the command's entry point makes it 1
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event.xlsx", "out.xlsx"]


def test_a_first_interrupted_solve_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path)
    interrupt_saving(monkeypatch)
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 130  # Typer's for Ctrl-C; the command's entry point makes it 1
    assert [p.name for p in tmp_path.iterdir()] == ["event.xlsx"]


# ---------------------------------------------------------------- the input is never replaced


def test_output_named_by_another_relative_path_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    before = path.read_bytes()
    result = runner.invoke(app, ["solve", "../event.xlsx", "-o", "./../sub/../event.xlsx"])
    assert (result.exit_code, result.stderr.splitlines()) == (2, [REFUSED])
    assert path.read_bytes() == before


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symlink", "hard link"])
def test_output_that_is_a_link_to_the_input_is_refused(tmp_path: Path, link: object) -> None:
    path = workbook(tmp_path)
    alias = tmp_path / "alias.xlsx"
    link(path, alias)  # type: ignore[operator]
    before = path.read_bytes()
    result = runner.invoke(app, ["solve", str(path), "-o", str(alias)])
    assert (result.exit_code, result.stderr.splitlines()) == (2, [REFUSED])
    assert path.read_bytes() == before
    assert alias.read_bytes() == before


def test_output_in_a_missing_folder_exits_2_before_solving(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    out = tmp_path / "missing" / "out.xlsx"
    result = runner.invoke(app, ["solve", str(path), "-o", str(out)])
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [f"the folder {out.parent} does not exist"],
    )
    assert result.stdout == ""


def test_output_that_is_a_folder_exits_2(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path)])
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [f"{tmp_path} is a folder; give a file name for the allocation"],
    )


def test_check_and_solve_leave_the_input_untouched(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    stat = path.stat()
    before = path.read_bytes()
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0
    out = tmp_path / "out.xlsx"
    assert (
        runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "5"]).exit_code == 0
    )
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


# ---------------------------------------------------------------- no formulas in what is written


def test_formula_like_text_is_escaped_in_the_allocation(tmp_path: Path) -> None:
    people = [
        Participant(
            id="p1",
            name='=HYPERLINK("http://example.com","click")',
            organisation="@SUM(1)",
            group="+group",
        ),
        Participant(id="p2", name="-2 minus"),
        Participant(id="p3", name="@mention"),
        Participant(id="p4", name="Di"),
    ]
    path = workbook(tmp_path, people)
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["solve", str(path), "-o", str(out)]).exit_code == 0
    book = load_workbook(out)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    risky = [
        cell.value
        for cell in cells
        if isinstance(cell.value, str) and cell.value.lstrip("'").startswith(FORMULA_STARTS)
    ]
    assert '\'=HYPERLINK("http://example.com","click")' in risky
    assert {"'+group", "'-2 minus", "'@mention"} <= set(risky)
    assert all(text.startswith("'") for text in risky), risky


# ---------------------------------------------------------------- no participant data in logs


def test_solve_prints_no_participant_data_unless_verbose(tmp_path: Path) -> None:
    people = [
        Participant(
            id=f"reg-77{i}",
            name=f"Quorra Zyxwv{i}",
            email=f"quorra{i}@example.org",
            organisation=f"Qorvath Institute {i}",
            country="Vexland",
        )
        for i in range(1, 5)
    ]
    path = tmp_path / "event.xlsx"
    write_event(event(people, prefs={"reg-771": ["A", "B"], "reg-772": ["B", "A"]}), path)
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    for secret in ("reg-77", "Quorra", "Zyxwv", "quorra", "example.org", "Qorvath", "Vexland"):
        assert secret not in result.output
    checked = runner.invoke(app, ["check", str(path)])
    assert checked.exit_code == 0
    assert "reg-77" not in checked.output and "Quorra" not in checked.output
