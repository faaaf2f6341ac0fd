"""Registration-form import: the sample export mapped exactly, everything unmapped reported."""

import codecs
import csv
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from models.issues import errors
from models.workbook import read_event
from scripts.cli import app
from scripts.form_import import FormImport, csv_rows, import_form

DATA = Path(__file__).resolve().parent.parent / "data"
FORM, MAP = DATA / "sample-form.csv", DATA / "sample-form.toml"
ALL_DAYS = ("2023-02-01", "2023-02-02", "2023-02-03", "2023-02-06", "2023-02-07")
WORKSHOP_1 = "Workshop (6 Feb): 1st choice"
runner = CliRunner()


@pytest.fixture(scope="module", name="sample")
def fixture_sample() -> FormImport:
    """The bundled sample form imported with its mapping."""
    return import_form(FORM, MAP)


def copy_sample(tmp_path: Path, form_text: str | None = None, map_text: str | None = None) -> Path:
    """The sample form, map and base event in tmp_path, optionally edited; returns the map."""
    shutil.copy(DATA / "academy-2023.xlsx", tmp_path / "academy-2023.xlsx")
    (tmp_path / FORM.name).write_text(form_text or FORM.read_text("utf-8"), "utf-8")
    (tmp_path / MAP.name).write_text(map_text or MAP.read_text("utf-8"), "utf-8")
    return tmp_path / MAP.name


def test_sample_people_are_mapped_exactly(sample: FormImport) -> None:
    assert sample.event is not None
    people = [p for p in sample.event.participants if p.id.startswith("F-")]
    assert [
        (p.id, p.name, p.email, p.organisation, p.country, p.region, p.group, p.days, p.needs)
        for p in people
    ] == [
        ("F-001", "Ana Silva", "ana.silva@lisboa.example", "Câmara Municipal de Lisboa",
         "Portugal", "Europe", "local authority", ALL_DAYS, ()),
        ("F-002", "ნინო ბერიძე", "nino.beridze@tsu.example", "Tbilisi State University",
         "Georgia", "Europe", "academia", ("2023-02-06", "2023-02-07"), ()),
        ("F-003", "민지 김", "minji.kim@jnu.example", "Chonnam National Univ.", "South Korea",
         "Asia-Pacific", "next generation", ALL_DAYS, ()),
        ("F-004", "Kwame Mensah", "kwame.mensah@ama.example", "Accra Metropolitan Assembly",
         "Ghana", "Africa", "local authority", ALL_DAYS, ("step-free",)),
        ("F-005", "Lucía Fernández", "lucia.fernandez@rcd.example",
         "Red Ciudadana por los Derechos", "Argentina", "Latin America", "civil society",
         ("2023-02-01", "2023-02-02", "2023-02-06", "2023-02-07"), ()),
        ("F-006", "Jonas Weber", "jonas.weber@unhabitat.example", "UN-Habitat", "Germany",
         "Europe", "international organisation", ("2023-02-07",), ()),
        ("F-007", "Amira Haddad", "amira.haddad@aub.example", "American University of Beirut",
         "Lebanon", "Middle East", "next generation", ("2023-02-03", "2023-02-06", "2023-02-07"),
         ()),
    ]  # fmt: skip
    assert people[0].registered == datetime(2023, 1, 9, 9, 12, 40)
    assert people[4].registered == datetime(2023, 1, 20, 16, 58, 41)  # the later answer


def test_sample_preferences_are_mapped_exactly(sample: FormImport) -> None:
    assert sample.event is not None
    wishes = [
        (p.participant, p.session, p.option, p.rank)
        for p in sample.event.preferences
        if p.participant.startswith("F-")
    ]
    assert wishes == [
        ("F-001", "OUTCOME", "PROCUREMENT", 1), ("F-001", "OUTCOME", "ANTI-RACISM", 2),
        ("F-001", "OUTCOME", "LITERACY", 3), ("F-001", "COOP", "T1", 1),
        ("F-001", "COOP", "T3", 2), ("F-001", "COOP", "T6", 3),
        ("F-002", "OUTCOME", "ANTI-RACISM", 2), ("F-002", "COOP", "T11", 1),
        ("F-002", "COOP", "T14", 2),
        ("F-003", "NEXTGEN", "T4", 1), ("F-003", "NEXTGEN", "T1", 2),
        ("F-003", "NEXTGEN", "T3", 3), ("F-003", "OUTCOME", "LITERACY", 1),
        ("F-003", "OUTCOME", "PROCUREMENT", 2), ("F-003", "COOP", "T12", 1),
        ("F-003", "COOP", "T8", 2), ("F-003", "COOP", "T11", 3),
        ("F-004", "OUTCOME", "PROCUREMENT", 1), ("F-004", "OUTCOME", "LITERACY", 2),
        ("F-004", "COOP", "T2", 1), ("F-004", "COOP", "T9", 2), ("F-004", "COOP", "T1", 3),
        ("F-005", "OUTCOME", "ANTI-RACISM", 1), ("F-005", "OUTCOME", "PROCUREMENT", 2),
        ("F-005", "COOP", "T10", 1), ("F-005", "COOP", "T5", 2), ("F-005", "COOP", "T2", 3),
        ("F-006", "COOP", "T13", 1), ("F-006", "COOP", "T4", 2), ("F-006", "COOP", "T7", 3),
        ("F-007", "NEXTGEN", "T2", 1), ("F-007", "NEXTGEN", "T3", 2),
        ("F-007", "OUTCOME", "ANTI-RACISM", 1), ("F-007", "COOP", "T12", 1),
        ("F-007", "COOP", "T14", 2), ("F-007", "COOP", "T5", 3),
    ]  # fmt: skip


def test_sample_keeps_the_base_programme_and_its_hosts(sample: FormImport) -> None:
    base, _ = read_event(DATA / "academy-2023.xlsx")
    assert sample.event is not None and base is not None
    assert sample.event.sessions == base.sessions
    assert sample.event.options == base.options
    hosts = {host for option in base.options for host in option.hosts}
    assert {p.id for p in sample.event.participants} == hosts | {f"F-00{n}" for n in range(1, 8)}
    assert sample.event.rules == []


def test_sample_reports_everything_it_could_not_map(sample: FormImport) -> None:
    assert [str(issue) for issue in sample.issues] == [
        f'warning: sample-form.csv row 3, column {WORKSHOP_1}: "Human rights literacy" is not '
        'an option of OUTCOME; left out (did you mean "Human rights literacy and '
        'decentralisation" (LITERACY)?)',
        "warning: sample-form.csv row 4, column Next generation networking (3 Feb): 3rd choice: "
        '"Civil society & advocacy" read as "Civil society and advocacy" (T3)',
        "warning: sample-form.csv row 9: F-005 also answered in row 6; this later answer is kept",
        "warning: sample-form.csv: 4 rules of the base event name people who are not in the "
        "import and were left out",
        'warning: sample-form.csv, column organisation: "Chonnam National University" and '
        '"Chonnam National Univ." look alike; if they are one organisation, map one to the other '
        "under [values.organisation]",
    ]


def test_an_answer_listed_in_the_map_is_read_as_that_option(tmp_path: Path) -> None:
    text = MAP.read_text("utf-8").replace(
        '# [choices.answers]\n# "Human rights literacy" = "LITERACY"',
        '[choices.answers]\n"Human rights literacy" = "LITERACY"',
    )
    result = import_form(FORM, copy_sample(tmp_path, map_text=text))
    assert result.event is not None
    wishes = [(p.option, p.rank) for p in result.event.preferences if p.participant == "F-002"]
    assert wishes == [("LITERACY", 1), ("ANTI-RACISM", 2), ("T11", 1), ("T14", 2)]
    assert "Human rights literacy" not in " ".join(str(issue) for issue in result.issues)


def test_unknown_day_and_group_answers_are_reported(tmp_path: Path) -> None:
    text = (
        FORM.read_text("utf-8")
        .replace("Mon 6 Feb;Tue 7 Feb,,,,,Human", "Mon 6 Feb;Tue 8 Feb,,,,,Human")
        .replace("Academia / research", "Academic")
    )
    result = import_form(tmp_path / FORM.name, copy_sample(tmp_path, form_text=text))
    assert result.event is not None
    assert result.event.people["F-002"].days == ("2023-02-06",)
    messages = [issue.message for issue in result.issues if issue.row == 3]
    assert messages == [
        '"Academic" is not in [values.group]; kept as typed (did you mean "Academia / research"?)',
        '"Tue 8 Feb" is not a day of the event; left out (did you mean "Tue 7 Feb"?)',
        '"Human rights literacy" is not an option of OUTCOME; left out (did you mean "Human '
        'rights literacy and decentralisation" (LITERACY)?)',
    ]


def test_a_missing_column_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    text = MAP.read_text("utf-8").replace('country = "Country"', 'country = "Countries"')
    result = import_form(tmp_path / FORM.name, copy_sample(tmp_path, map_text=text))
    assert result.event is None
    assert [str(issue) for issue in result.issues] == [
        'sample-form.toml: columns.country: the form has no column "Countries" (did you mean '
        '"Country"?)'
    ]


def test_xlsx_and_semicolon_separated_exports_read_the_same(
    tmp_path: Path, sample: FormImport
) -> None:
    rows = list(csv.reader(FORM.read_text("utf-8").splitlines()))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "form.xlsx")
    with (tmp_path / "form.csv").open("w", encoding="cp1252", errors="replace", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows[:2])
    map_path = copy_sample(tmp_path)
    assert import_form(tmp_path / "form.xlsx", map_path).event == sample.event
    semicolons = import_form(tmp_path / "form.csv", map_path).event
    assert semicolons is not None
    assert semicolons.people["F-001"] == sample.event.people["F-001"]  # type: ignore[union-attr]


@pytest.mark.parametrize("formula", [True, False])
def test_an_xlsx_answer_that_is_a_formula_without_a_saved_value_is_an_error(
    tmp_path: Path, sample: FormImport, formula: bool
) -> None:
    # openpyxl writes formulas without their values, as programs do: read as empty, the
    # answer would be lost without a word. A value typed in its place is read.
    book = Workbook()
    for row in csv.reader(FORM.read_text("utf-8").splitlines()):
        book.active.append(row)
    book.active["C4"] = '=PROPER("minji")' if formula else "Minji"
    book.save(tmp_path / "form.xlsx")
    result = import_form(tmp_path / "form.xlsx", copy_sample(tmp_path))
    problems = [str(issue) for issue in errors(result.issues)]
    if formula:
        assert problems == [
            'form.xlsx row 4, column First name: the formula "=PROPER("minji")" has no saved '
            "value; open the file in Excel or LibreOffice and save it"
        ]
    else:
        assert problems == []
        assert result.event is not None
        assert result.event.people["F-003"].name.startswith("Minji")


@pytest.mark.parametrize(
    ("hidden", "said"),
    [
        ([], []),
        ([3], ["row 3 is hidden; it is read all the same"]),
        ([1, 3, 4], ["rows 3–4 are hidden; they are read all the same"]),  # the header is none
    ],
)
def test_hidden_answers_of_an_xlsx_export_are_read_with_a_warning(
    tmp_path: Path, sample: FormImport, hidden: list[int], said: list[str]
) -> None:
    book = Workbook()
    for row in csv.reader(FORM.read_text("utf-8").splitlines()):
        book.active.append(row)
    for number in hidden:
        book.active.row_dimensions[number].hidden = True
    book.save(tmp_path / "form.xlsx")
    result = import_form(tmp_path / "form.xlsx", copy_sample(tmp_path))
    assert result.event == sample.event
    assert [str(issue) for issue in result.issues if "hidden" in issue.message] == [
        f"warning: form.xlsx: {warning} (delete a row to leave it out)" for warning in said
    ]


def test_an_xlsx_export_is_read_from_its_first_sheet_with_answers(
    tmp_path: Path, sample: FormImport
) -> None:
    # A cover sheet comes first; named .csv, the workbook is said to be one (not "not UTF-8").
    book = Workbook()
    book.active.title = "About"
    answers = book.create_sheet("Form responses 1")
    for row in csv.reader(FORM.read_text("utf-8").splitlines()):
        answers.append(row)
    book.save(tmp_path / "form.xlsx")
    map_path = copy_sample(tmp_path)
    assert import_form(tmp_path / "form.xlsx", map_path).event == sample.event
    (tmp_path / "form.xlsx").rename(tmp_path / "renamed.csv")
    assert [str(issue) for issue in import_form(tmp_path / "renamed.csv", map_path).issues] == [
        "renamed.csv: cannot be read (it is an Excel workbook (.xlsx) named .csv; give it its "
        ".xlsx name)"
    ]


def test_a_day_the_map_translates_to_no_day_of_the_event_names_the_map(tmp_path: Path) -> None:
    wrong = MAP.read_text("utf-8").replace(
        '"Tue 7 Feb" = "2023-02-07"', '"Tue 7 Feb" = "2023-02-08"'
    )
    result = import_form(tmp_path / FORM.name, copy_sample(tmp_path, map_text=wrong))
    assert str(result.issues[0]) == (
        'warning: sample-form.csv row 2, column Days attending: "Tue 7 Feb" is mapped to '
        '"2023-02-08" under [values.days], which is not a day of the event (days: 2023-02-01, '
        "2023-02-02, 2023-02-03, 2023-02-06, 2023-02-07); left out"
    )
    alone = [issue for issue in errors(result.issues) if "Tue 7 Feb" in issue.message]
    assert [str(issue) for issue in alone] == [  # its only day: no word of separators
        'sample-form.csv row 7, column Days attending: no day of the event in "Tue 7 Feb"; the '
        "person would attend every day"
    ]


def test_an_xlsx_export_with_a_stray_value_in_the_far_corner_is_read_in_seconds(
    tmp_path: Path, sample: FormImport
) -> None:
    # Every row used to be widened to column XFD (a billion cells); a process of its own, so
    # that the old code fails by its timeout.
    book = Workbook()
    for row in csv.reader(FORM.read_text("utf-8").splitlines()):
        book.active.append(row)
    book.active.cell(1048576, 16384, "x")
    book.save(tmp_path / "form.xlsx")
    map_path = copy_sample(tmp_path)
    command = ["import", "form.xlsx", "--map", str(map_path), "-o", "event.xlsx"]
    run = subprocess.run(
        [sys.executable, "-m", "scripts.main", *command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(DATA.parent)},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "warning: form.xlsx row 1048576: no id or email; the row is left out\n" in run.stderr
    imported, _ = read_event(tmp_path / "event.xlsx")
    assert imported is not None and sample.event is not None
    assert imported.people.keys() == sample.event.people.keys()


def test_import_command_writes_a_valid_event_and_escapes_formulas(tmp_path: Path) -> None:
    text = FORM.read_text("utf-8").replace("Accra Metropolitan Assembly", "=HYPERLINK(1)")
    map_path = copy_sample(tmp_path, form_text=text)
    out = tmp_path / "event.xlsx"
    args = ["import", str(tmp_path / FORM.name), "--map", str(map_path), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "wrote" in result.output and "30 participants, 126 preferences; 5 warnings" in result.output
    )
    event, issues = read_event(out)
    assert event is not None, [str(issue) for issue in issues]
    assert event.people["F-004"].organisation == "=HYPERLINK(1)"
    cells = [c.value for row in load_workbook(out)["Participants"].iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in cells
    again = runner.invoke(app, args)
    assert (again.exit_code, again.stderr) == (2, "event.xlsx exists; use --force to replace it\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'base = "academy-2023.xlsx"\n[columns]\nid = 1\n',
            "columns.id: should be a form column or a list of them, not 1",
        ),
        (
            'base = "academy-2023.xlsx"\nkeep = "some"\n[columns]\nid = "x"\n',
            "keep: should be 'hosts' or 'all', not 'some'",
        ),
        ('[columns]\nid = "x"\n', "base: is required"),
        (
            'base = "academy-2023.xlsx"\nseparater = ","\n[columns]\nid = "x"\n',
            'separater: is not a key of the map (did you mean "separator"?)',
        ),
    ],
)
def test_import_command_exits_2_and_writes_nothing_on_a_bad_map(
    tmp_path: Path, text: str, problem: str
) -> None:
    map_path = copy_sample(tmp_path, map_text=text)
    out = tmp_path / "event.xlsx"
    result = runner.invoke(app, ["import", str(FORM), "--map", str(map_path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"sample-form.toml: {problem}\nsample-form.csv: 1 problem, nothing written\n"
    )
    assert not out.exists()


# ---------------------------------------------------------------- reading CSV exports


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (  # an apostrophe does not quote: every row stays a row
            b"Email,Name,Org\na@x.example,Ann,'s-Hertogenbosch\nb@x.example,Bob,Lisboa\n"
            b"c@x.example,Cy,Teachers'\n",
            [["Email", "Name", "Org"], ["a@x.example", "Ann", "'s-Hertogenbosch"],
             ["b@x.example", "Bob", "Lisboa"], ["c@x.example", "Cy", "Teachers'"]],
        ),
        (  # double quotes do
            b'Email;Name\n"a@x.example";"Silva; Ana"\n',
            [["Email", "Name"], ["a@x.example", "Silva; Ana"]],
        ),
        (  # Windows-1252 alone
            "Reg,Name\nF-1,José\n".encode("cp1252"),
            [["Reg", "Name"], ["F-1", "José"]],
        ),
        (  # Excel's "Unicode Text": UTF-16 with its mark, tab-separated
            "Reg\tName\nF-1\tZoë\n".encode("utf-16"),
            [["Reg", "Name"], ["F-1", "Zoë"]],
        ),
        (  # UTF-8 with its byte-order mark (Excel's "CSV UTF-8"): the mark is no part of a cell
            "Reg,Name\nF-1,Zoë\n".encode("utf-8-sig"),
            [["Reg", "Name"], ["F-1", "Zoë"]],
        ),
        (  # Windows-1252 letters that Latin-1 lacks: a curly apostrophe, the euro sign
            "Reg,Name\nF-1,Seán O’Brien €\n".encode("cp1252"),
            [["Reg", "Name"], ["F-1", "Seán O’Brien €"]],
        ),
        (  # UTF-16 big-endian with its mark
            codecs.BOM_UTF16_BE + "Reg\tName\nF-1\tZoë\n".encode("utf-16-be"),
            [["Reg", "Name"], ["F-1", "Zoë"]],
        ),
        (  # semicolons, with commas in a header longer than 8 KB
            (";".join(f"Question {n}, in full, {'x' * 250}" for n in range(40)) + "\n"
             + ";".join(str(n) for n in range(40)) + "\n").encode(),
            None,
        ),
    ],
)  # fmt: skip
def test_csv_exports_read_cell_by_cell(data: bytes, rows: list[list[str]] | None) -> None:
    read = csv_rows(data)
    if rows is None:
        assert [len(row) for row in read] == [40, 40]
    else:
        assert read == rows


@pytest.mark.parametrize("mark", [b"", codecs.BOM_UTF8], ids=["no mark", "byte-order mark"])
@pytest.mark.parametrize("third", ["F-3,José\n", "Éric,José\n"], ids=["later", "at once"])
def test_a_utf8_export_with_a_stray_byte_is_refused_with_its_line(mark: bytes, third: str) -> None:
    # "at once": the stray É is among the line's first three bytes, which a byte-order mark
    # before the text would take to the line before when not counted
    data = mark + "Reg,Name\nF-1,Lucía\n".encode() + third.encode("cp1252")
    refusal = 'line 3 is not UTF-8, though the rest of the file is; save the export as "CSV UTF-8"'
    with pytest.raises(ValueError, match=f"^{re.escape(refusal)}$"):
        csv_rows(data)


def test_an_xlsx_form_that_is_no_workbook_exits_2(tmp_path: Path) -> None:
    map_path = copy_sample(tmp_path)
    fake = tmp_path / "form.xlsx"
    fake.write_bytes(FORM.read_bytes())
    out = tmp_path / "event.xlsx"
    result = runner.invoke(app, ["import", str(fake), "--map", str(map_path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        "form.xlsx: cannot be read (not an Excel workbook (.xlsx): it is a text file (CSV?); "
        "save it as Excel Workbook (.xlsx))\nform.xlsx: 1 problem, nothing written\n"
    )
    assert not out.exists()


# ---------------------------------------------------------------- what a form cannot mean


SMALL_MAP = """base = "academy-2023.xlsx"
[columns]
email = "Email"
name = "Name"
days = "Days"
{extra}
[values.days]
"Mon 6 Feb" = "2023-02-06"
"Tue 7 Feb" = "2023-02-07"
{choices}
"""
OUTCOME_CHOICES = '[[choices]]\nsession = "outcome"\ncolumns = ["1st", "2nd"]\n'


def small_import(
    tmp_path: Path,
    rows: list[str],
    extra: str = "",
    choices: str = OUTCOME_CHOICES,
    settings: str = "",
) -> FormImport:
    """A few form rows (header first) imported with a small map onto the 2023 academy; extra
    goes under [columns], settings (top-level keys of the map) before base."""
    map_text = settings + SMALL_MAP.format(extra=extra, choices=choices)
    map_path = copy_sample(tmp_path, map_text=map_text)
    (tmp_path / "form.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return import_form(tmp_path / "form.csv", map_path)


READ_AS_EMPTY = "the last columns read as empty"


@pytest.mark.parametrize(
    ("second", "issues", "imported"),
    [
        (  # a stray quote: the next row is swallowed into A's name
            'a@x.example,"A,Mon 6 Feb,LITERACY,',
            [
                "form.csv row 2: 2 cells where the header has 5, one of them with line breaks: a "
                'stray " joins rows? Fix the row'
            ],
            None,
        ),
        (
            "a@x.example,A,Mon 6 Feb,LITERACY,,x",
            ["form.csv row 2: 6 cells where the header has 5: a separator too many? Fix the row"],
            None,
        ),
        (
            "a@x.example,A,Mon 6 Feb",
            ["warning: form.csv row 2: 3 cells where the header has 5; " + READ_AS_EMPTY],
            2,
        ),
        ("a@x.example,A,Mon 6 Feb,LITERACY,,", [], 2),  # a trailing separator: nothing lost
    ],
)
def test_a_csv_row_that_does_not_line_up_with_the_header_is_reported(
    tmp_path: Path, second: str, issues: list[str], imported: int | None
) -> None:
    result = small_import(tmp_path, ["Email,Name,Days,1st,2nd", second, "b@x.example,B,,,"])
    found = [str(issue) for issue in result.issues if "row 2" in str(issue)]
    assert found == issues
    people = None if result.event is None else result.event.participants
    assert imported == (None if people is None else sum("@" in p.id for p in people))


@pytest.mark.parametrize(
    ("second", "issues"),
    [
        ("a@x.example,A,Mon 6 Feb,LITERACY,", []),  # ends where the names do
        ("a@x.example,A,Mon 6 Feb,LITERACY,,", []),  # ends where the header does
        (
            "a@x.example,A,Mon 6 Feb",
            ["warning: form.csv row 2: 3 cells where the header has 5; " + READ_AS_EMPTY],
        ),
        (
            "a@x.example,A,Mon 6 Feb,LITERACY,,,x",
            ["form.csv row 2: 7 cells where the header has 6: a separator too many? Fix the row"],
        ),
    ],
)
def test_a_header_ending_in_a_separator_lines_up_with_rows_that_end_where_its_names_do(
    tmp_path: Path, second: str, issues: list[str]
) -> None:
    result = small_import(tmp_path, ["Email,Name,Days,1st,2nd,", second, "b@x.example,B,,,"])
    assert [str(issue) for issue in result.issues if "cells where" in str(issue)] == issues


def test_a_row_without_its_id_takes_the_email_with_a_warning(tmp_path: Path) -> None:
    rows = ["ID,Email,Name,Days,1st,2nd", ",a@x.example,A,,,", "B-2,b@x.example,B,,,"]
    result = small_import(tmp_path, rows, extra='id = "ID"')
    assert result.event is not None
    assert {"a@x.example", "B-2"} <= set(result.event.people)
    assert [str(issue) for issue in result.issues if "no id" in str(issue)] == [
        "warning: form.csv row 2, column ID: no id; the email a@x.example is used"
    ]


def test_emails_differing_in_case_are_one_person_and_sessions_any_case(tmp_path: Path) -> None:
    result = small_import(
        tmp_path,
        ["Email,Name,Days,1st,2nd", "B@x.example,Bo,Mon 6 Feb,LITERACY,", "b@x.example,Bo,,,"],
    )
    assert result.event is not None
    assert [p.id for p in result.event.participants if "@" in p.id] == ["b@x.example"]
    assert str(result.issues[0]) == (
        "warning: form.csv row 3: b@x.example also answered in row 2; this later answer is kept"
    )


def test_answers_that_are_not_addresses_with_no_id_column_are_an_error(tmp_path: Path) -> None:
    result = small_import(
        tmp_path,
        ["Email,Name,Days,1st,2nd", "anonymous,A,,,", "anonymous,B,,,", "c@x.example,C,,,"],
    )
    assert result.event is None
    assert [str(issue) for issue in errors(result.issues)] == [
        'form.csv row 2, column Email: "anonymous" is not an email address (and 1 more row), and '
        'the map names no id column: map one (such as the form\'s "ID") under [columns]'
    ]


def test_a_days_cell_with_no_day_read_is_an_error(tmp_path: Path) -> None:
    result = small_import(
        tmp_path, ["Email,Name,Days,1st,2nd", 'a@x.example,A,"Mon 6 Feb, Tue 7 Feb",,']
    )
    assert result.event is None
    assert [str(issue) for issue in errors(result.issues)] == [
        'form.csv row 2, column Days: no day of the event in "Mon 6 Feb, Tue 7 Feb", read as '
        'answers separated by ";" (the map\'s separator); the person would attend every day'
    ]


def test_a_days_cell_with_one_day_read_is_a_warning(tmp_path: Path) -> None:
    result = small_import(tmp_path, ["Email,Name,Days,1st,2nd", "a@x.example,A,Mon 6 Feb;Sun,,"])
    assert result.event is not None
    assert result.event.people["a@x.example"].days == ("2023-02-06",)
    assert errors(result.issues) == []


def test_a_date_cell_in_an_xlsx_export_is_read_as_the_event_reads_dates(tmp_path: Path) -> None:
    # Excel turns a typed 2023-02-07 into a date cell, which read as "2023-02-07 00:00:00"
    # and matched no day: the person would have attended every day.
    map_path = copy_sample(tmp_path, map_text=SMALL_MAP.format(extra="", choices=OUTCOME_CHOICES))
    book = Workbook()
    book.active.append(["Email", "Name", "Days", "1st", "2nd"])
    book.active.append(["a@x.example", "A", datetime(2023, 2, 7), None, None])
    book.save(tmp_path / "form.xlsx")
    result = import_form(tmp_path / "form.xlsx", map_path)
    assert result.event is not None
    assert result.event.people["a@x.example"].days == ("2023-02-07",)
    assert [issue for issue in result.issues if issue.column == "Days"] == []


def test_two_form_columns_of_one_header_are_a_map_error(tmp_path: Path) -> None:
    result = small_import(
        tmp_path, ["Email,Name,Days,1st,2nd,1st", "a@x.example,A,,T1,T2,LITERACY"]
    )
    assert result.event is None
    assert [str(issue) for issue in result.issues] == [
        'sample-form.toml: choices[0]: the form has 2 columns "1st" (D and F); give them headers '
        "of their own in the export, and map each"
    ]


def test_two_choices_for_one_session_are_a_map_error(tmp_path: Path) -> None:
    result = small_import(
        tmp_path,
        ["Email,Name,Days,1st,2nd", "a@x.example,A,,LITERACY,"],
        choices=OUTCOME_CHOICES + OUTCOME_CHOICES.replace('"1st", ', ""),
    )
    assert result.event is None
    assert [str(issue) for issue in result.issues] == [
        "sample-form.toml: choices[1]: session OUTCOME is read by choices[0] already; list all "
        "its columns in one [[choices]], best first"
    ]


def test_a_problem_of_the_event_built_is_located_in_the_form(tmp_path: Path) -> None:
    result = small_import(
        tmp_path,
        ["Email,Name,Days,Needs,1st,2nd", "a@x.example,A,Mon 6 Feb,hearing loop,,"],
        extra='needs = "Needs"',
    )
    assert result.event is None
    assert [str(issue) for issue in errors(result.issues)] == [
        "form.csv row 2, column Needs: a@x.example needs hearing loop but no option of session "
        "OUTCOME offers it"
    ]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("gone/event.xlsx", "the folder TMP/gone does not exist"),
        ("event.csv", "event.csv: the event is an Excel workbook; give a name ending in .xlsx"),
        ("folder", "TMP/folder is a folder; give a file name for the event"),
    ],
)
@pytest.mark.parametrize("command", ["import", "template"])
def test_an_output_that_cannot_be_written_exits_2_before_reading(
    tmp_path: Path, output: str, message: str, command: str
) -> None:
    map_path = copy_sample(tmp_path)
    (tmp_path / "folder").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    args = (
        [str(FORM), "--map", str(map_path), "--force", "-o"] if command == "import" else ["--force"]
    )
    result = runner.invoke(app, [command, *args, str(tmp_path / output)])
    assert result.exit_code == 2
    assert result.stderr == message.replace("TMP", str(tmp_path)) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_id_like_a_hosts_but_for_case_names_no_row_of_the_base(tmp_path: Path) -> None:
    result = small_import(
        tmp_path, ["ID,Email,Name,Days,1st,2nd", "a23-003,a@x.example,A,,,"], extra='id = "ID"'
    )
    assert result.event is not None
    assert [str(issue) for issue in result.issues if "only in case" in issue.message] == [
        'warning: form.csv row 2, column ID: participant id "a23-003" differs from "A23-003" '
        "only in case; both are kept"
    ]


# ---------------------------------------------------------------- ranking questions


def outcome_wishes(result: FormImport) -> list[tuple[str, int | None]]:
    """The OUTCOME wishes of a@x.example, as (option, rank)."""
    assert result.event is not None
    return [
        (p.option, p.rank)
        for p in result.event.preferences
        if p.participant == "a@x.example" and p.session == "OUTCOME"
    ]


def test_a_ranking_cell_lists_the_options_best_first(tmp_path: Path) -> None:
    # Microsoft Forms' Ranking question: one cell, answers separated, a trailing separator.
    ranking = '[[choices]]\nsession = "OUTCOME"\nranking = "rank the workshops"\n'
    cell = "Human rights literacy and decentralisation;PROCUREMENT;"
    rows = ["Email,Name,Days,Rank the workshops", f"a@x.example,A,,{cell}"]
    result = small_import(tmp_path, rows, choices=ranking)
    assert outcome_wishes(result) == [("LITERACY", 1), ("PROCUREMENT", 2)]
    assert errors(result.issues) == []


def test_a_grid_gives_each_option_its_rank(tmp_path: Path) -> None:
    # Google Forms' grid: one column per option, "Question [option]", each answer a rank.
    grid = '[[choices]]\nsession = "OUTCOME"\ngrid = "Rank the workshops"\n'
    header = ",".join(
        f"Rank the workshops [{title}]"
        for title in (
            "Human rights-based public procurement",
            "Human rights literacy and decentralisation",
            "Overcoming structural racism through public management",
        )
    )
    rows = [f"Email,Name,Days,{header}", "a@x.example,A,,2nd choice,1st choice,maybe"]
    result = small_import(tmp_path, rows, choices=grid)
    assert outcome_wishes(result) == [("LITERACY", 1), ("PROCUREMENT", 2)]
    assert [str(issue) for issue in result.issues if issue.row == 2] == [
        "warning: form.csv row 2, column Rank the workshops [Overcoming structural racism "
        'through public management]: "maybe" is no rank; left out'
    ]


def test_choice_columns_in_other_case_are_read(tmp_path: Path) -> None:
    columns = '[[choices]]\nsession = "OUTCOME"\ncolumns = ["FIRST", "second"]\n'
    rows = ["Email,Name,Days,First,Second", "a@x.example,A,,LITERACY,PROCUREMENT"]
    result = small_import(tmp_path, rows, choices=columns)
    assert outcome_wishes(result) == [("LITERACY", 1), ("PROCUREMENT", 2)]


@pytest.mark.parametrize("shape", ["", 'columns = ["1st"]\nranking = "1st"\n'])
def test_choices_take_exactly_one_shape(tmp_path: Path, shape: str) -> None:
    choices = f'[[choices]]\nsession = "OUTCOME"\n{shape}'
    result = small_import(tmp_path, ["Email,Name,Days,1st", "a@x.example,A,,"], choices=choices)
    assert result.event is None
    assert [str(issue) for issue in result.issues] == [
        "sample-form.toml: choices[0]: give one of columns, ranking or grid"
    ]


def form_issues(result: FormImport) -> list[str]:
    """The issues located in the form by row or column (not the base event's)."""
    return [
        str(issue)
        for issue in result.issues
        if issue.sheet == "form.csv" and (issue.row is not None or issue.column is not None)
    ]


def test_days_are_split_by_the_maps_separator(tmp_path: Path) -> None:
    rows = ["Email,Name,Days,1st,2nd", "a@x.example,A,Mon 6 Feb | mon 6 feb | Tue 7 Feb,,"]
    result = small_import(tmp_path, rows, settings='separator = "|"\n')
    assert result.event is not None
    assert result.event.people["a@x.example"].days == ("2023-02-06", "2023-02-07")
    assert form_issues(result) == []


def test_an_unknown_day_before_one_mapped_amiss_still_names_the_separator(
    tmp_path: Path,
) -> None:
    map_text = SMALL_MAP.format(extra="", choices=OUTCOME_CHOICES).replace(
        '"Tue 7 Feb" = "2023-02-07"', '"Tue 7 Feb" = "2023-02-08"'
    )
    map_path = copy_sample(tmp_path, map_text=map_text)
    (tmp_path / "form.csv").write_text("Email,Name,Days,1st,2nd\na@x.example,A,Sun;Tue 7 Feb,,\n")
    result = import_form(tmp_path / "form.csv", map_path)
    assert result.event is None
    assert [str(issue) for issue in errors(result.issues)] == [
        'form.csv row 2, column Days: no day of the event in "Sun;Tue 7 Feb", read as answers '
        'separated by ";" (the map\'s separator); the person would attend every day'
    ]


def test_a_grid_rank_is_the_whole_first_number_and_zero_is_none(tmp_path: Path) -> None:
    grid = '[[choices]]\nsession = "OUTCOME"\ngrid = "rank the WORKSHOPS"\n'
    header = ",".join(f"Rank the workshops [{option}]" for option in ("T1", "T2", "T3"))
    header = header.replace("T1", "PROCUREMENT").replace("T2", "ANTI-RACISM")
    header = header.replace("T3", "LITERACY")
    rows = [f"Email,Name,Days,{header}", "a@x.example,A,,Choice 10,2,0"]
    result = small_import(tmp_path, rows, choices=grid)
    assert outcome_wishes(result) == [("ANTI-RACISM", 2), ("PROCUREMENT", 10)]
    assert [str(issue) for issue in result.issues if issue.row == 2] == [
        'warning: form.csv row 2, column Rank the workshops [LITERACY]: "0" is no rank; left out'
    ]


def test_an_option_chosen_twice_keeps_its_better_rank(tmp_path: Path) -> None:
    rows = [
        "Email,Name,Days,1st,2nd",
        "a@x.example,A,,LITERACY,Human rights literacy and decentralisation",
    ]
    result = small_import(tmp_path, rows)
    assert outcome_wishes(result) == [("LITERACY", 1)]
    assert form_issues(result) == [
        'warning: form.csv row 2, column 2nd: "Human rights literacy and decentralisation" was '
        "already chosen; the better rank is kept"
    ]


def test_answers_that_are_not_addresses_are_fine_with_an_id_column(tmp_path: Path) -> None:
    rows = ["ID,Email,Name,Days,1st,2nd", "X-1,anonymous,A,,,", "X-2,anonymous,B,,,"]
    result = small_import(tmp_path, rows, extra='id = "ID"')
    assert result.event is not None
    assert {"X-1", "X-2"} <= set(result.event.people)
    assert errors(result.issues) == []


def test_a_row_without_a_name_takes_its_id_with_a_warning(tmp_path: Path) -> None:
    result = small_import(tmp_path, ["Email,Name,Days,1st,2nd", "a@x.example,,,,"])
    assert result.event is not None
    assert result.event.people["a@x.example"].name == "a@x.example"
    assert form_issues(result) == [
        "warning: form.csv row 2, column Name: no name; the id a@x.example is used"
    ]


@pytest.mark.parametrize(
    ("settings", "cell", "registered", "issues"),
    [
        ('date_format = "%d/%m/%Y %H:%M"\n', "09/01/2023 09:12", datetime(2023, 1, 9, 9, 12), []),
        ("", "2023-01-09T09:12:40+01:00", datetime(2023, 1, 9, 9, 12, 40), []),
        (
            "",
            "09/01/2023 09:12",
            None,
            [
                'warning: form.csv row 2, column When: "09/01/2023 09:12" is not a date and '
                "time; set date_format in the map"
            ],
        ),
    ],
)
def test_the_registration_time_is_read_iso_or_by_the_maps_date_format(
    tmp_path: Path, settings: str, cell: str, registered: datetime | None, issues: list[str]
) -> None:
    rows = ["Email,Name,Days,When,1st,2nd", f"a@x.example,A,,{cell},,"]
    result = small_import(tmp_path, rows, extra='registered = "When"', settings=settings)
    assert result.event is not None
    when = result.event.people["a@x.example"].registered
    assert (when, when and when.tzinfo) == (registered, registered and None)
    assert form_issues(result) == issues


def test_a_values_table_accepts_its_own_values_in_any_case(tmp_path: Path) -> None:
    extra = 'group = "Group"\n[values.group]\n"Academia / research" = "academia"'
    rows = ["Email,Name,Days,Group,1st,2nd", "a@x.example,A,,ACADEMIA,,"]
    result = small_import(tmp_path, rows, extra=extra)
    assert result.event is not None
    assert result.event.people["a@x.example"].group == "academia"
    assert form_issues(result) == []


def test_organisations_differing_only_in_case_take_the_first_spelling(tmp_path: Path) -> None:
    rows = [
        "Email,Name,Days,Org,1st,2nd",
        "a@x.example,A,,UN-Habitat,,",
        "b@x.example,B,,un-habitat,,",
    ]
    result = small_import(tmp_path, rows, extra='organisation = "Org"')
    assert result.event is not None
    assert [p.organisation for p in result.event.participants if "@" in p.id] == [
        "UN-Habitat",
        "UN-Habitat",
    ]
    assert form_issues(result) == []


def test_keep_all_keeps_every_base_participant(tmp_path: Path) -> None:
    result = small_import(
        tmp_path, ["Email,Name,Days,1st,2nd", "a@x.example,A,,,"], settings='keep = "all"\n'
    )
    base, _ = read_event(DATA / "academy-2023.xlsx")
    assert result.event is not None and base is not None
    assert [p.id for p in result.event.participants] == [
        *(p.id for p in base.participants),
        "a@x.example",
    ]
    assert result.event.rules == base.rules
    assert errors(result.issues) == []


def test_a_form_row_with_a_hosts_id_replaces_them(tmp_path: Path) -> None:
    rows = ["ID,Email,Name,Days,1st,2nd", "A23-003,a@x.example,New name,,LITERACY,"]
    result = small_import(tmp_path, rows, extra='id = "ID"')
    assert result.event is not None
    assert [(p.id, p.name) for p in result.event.participants if p.id == "A23-003"] == [
        ("A23-003", "New name")
    ]
    assert errors(result.issues) == []


def test_a_third_answer_names_the_first_row_and_extra_columns_are_kept(tmp_path: Path) -> None:
    rows = [
        "Email,Name,Days,Diet,Needs,1st,2nd",
        "a@x.example,A,,,,,",
        "",  # a blank line: no row, no misalignment
        "a@x.example,B,,,,,",
        "a@x.example,C,,vegan,step-free;step-free,,",
    ]
    result = small_import(tmp_path, rows, extra='diet = "Diet"\nneeds = "Needs"')
    assert result.event is not None
    person = result.event.people["a@x.example"]
    assert (person.name, person.extra, person.needs) == ("C", {"diet": "vegan"}, ("step-free",))
    assert form_issues(result) == [
        "warning: form.csv row 4: a@x.example also answered in row 2; this later answer is kept",
        "warning: form.csv row 5: a@x.example also answered in row 2; this later answer is kept",
    ]


@pytest.mark.parametrize(
    ("choices", "problem"),
    [
        (
            OUTCOME_CHOICES + '[choices.answers]\n"x" = "NOPE"\n',
            'choices[0].answers: "x" = "NOPE", which is not an option of OUTCOME',
        ),
        (
            OUTCOME_CHOICES.replace('"outcome"', '"OUTCOMES"'),
            'choices[0]: "OUTCOMES" is not a session of the base event (did you mean "OUTCOME"?)',
        ),
        (
            '[[choices]]\nsession = "OUTCOME"\ngrid = "Rank the workshops"\n',
            'choices[0]: the form has no column "Rank the workshops [option]"',
        ),
    ],
)
def test_choices_naming_what_the_event_or_form_lacks_are_map_errors(
    tmp_path: Path, choices: str, problem: str
) -> None:
    result = small_import(
        tmp_path, ["Email,Name,Days,1st,2nd", "a@x.example,A,,x,"], choices=choices
    )
    assert result.event is None
    assert [str(issue) for issue in result.issues] == [f"sample-form.toml: {problem}"]


def test_a_map_without_a_name_column_and_an_empty_form_are_refused(tmp_path: Path) -> None:
    map_text = SMALL_MAP.format(extra="", choices=OUTCOME_CHOICES)
    map_path = copy_sample(tmp_path, map_text=map_text.replace('name = "Name"\n', ""))
    (tmp_path / "form.csv").write_text("Email,Name,Days,1st,2nd\na@x.example,A,,,\n")
    result = import_form(tmp_path / "form.csv", map_path)
    assert [str(issue) for issue in result.issues] == [
        "sample-form.toml: the mapping names no name column"
    ]
    (tmp_path / "form.csv").write_text("")
    assert [str(issue) for issue in import_form(tmp_path / "form.csv", map_path).issues] == [
        "form.csv: the file is empty"
    ]
