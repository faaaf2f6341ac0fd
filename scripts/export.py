"""Hand-outs from an allocation: Zoom pre-assignment files, printable room lists, itineraries.

Pure functions: each takes the event and its allocation and returns rows, texts or a
workbook; the `write_*` functions at the end put them on disk, each file atomically.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from models import Allocation, Event, Option, Participant, Session
from models.event import EMAIL
from models.issues import counted, listed
from models.report import alphabetical, itinerary_columns, unaccented
from models.rooms import room_names
from models.spreadsheet import (
    FORMULA_STARTS,
    cell_value,
    csv_text,
    merge_across,
    print_heading,
    save_atomically,
    write_text_atomically,
)

ZOOM_HEADER = ("Pre-assign Room Name", "Email Address")
ZOOM_MAX_ROOMS = 100
ZOOM_MAX_PEOPLE = 1000
ROOM_LISTS = "Room lists"
DOOR_SIGNS = "Door signs"
MAX_PRINT_AREA_TEXT = 8000  # characters Excel allows in the print-area definition (8,192)
LIST_HEADER = ("#", "name", "organisation", "country")
RESERVED_FILE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
FILE_STEM_LENGTH = 80
PEOPLE_SHOWN = 10  # people a warning names, then how many more
THIN = Side(style="thin")


@dataclass(frozen=True)
class CsvFile:
    """A CSV file to write: its name in the target folder and its rows, header first."""

    name: str
    rows: list[list[str]]


@dataclass(frozen=True)
class TextFile:
    """A text file to write: its name in the target folder and its content."""

    name: str
    text: str


@dataclass(frozen=True)
class Slot:
    """One session, or one round of a multi-round session."""

    session: Session
    round: int

    @property
    def file_stem(self) -> str:
        """The slot as a file name: the session id, with the round when there are several."""
        stem = (
            self.session.id if self.session.rounds == 1 else f"{self.session.id}-round{self.round}"
        )
        return safe_stem(stem)

    @property
    def label(self) -> str:
        """The slot in messages: session id, and round when there are several."""
        if self.session.rounds == 1:
            return f"session {self.session.id}"
        return f"session {self.session.id} round {self.round}"


@dataclass(frozen=True)
class Room:
    """The people of one option in one slot: its hosts, then everyone else alphabetically."""

    slot: Slot
    option: Option
    hosts: list[Participant]
    people: list[Participant]

    @property
    def everyone(self) -> list[Participant]:
        """Hosts and participants together."""
        return self.hosts + self.people


# ---------------------------------------------------------------- shared


def slots(event: Event, allocation: Allocation) -> list[Slot]:
    """Every session the allocation places someone in, in programme order, one slot per
    round (a day not allocated yet has no room lists)."""
    return [
        Slot(session, round_)
        for session in event.sessions
        if session.id in allocation.in_session
        for round_ in range(1, session.rounds + 1)
    ]


def person(event: Event, person_id: str) -> Participant:
    """The participant with that id; a stand-in named after the id when unknown."""
    return event.people.get(person_id) or Participant(id=person_id, name=person_id)


def sort_key(someone: Participant) -> tuple[str, str]:
    """Alphabetical order by name, accents ignored, then id."""
    return (alphabetical(someone.name), someone.id)


def rooms(event: Event, allocation: Allocation) -> list[Room]:
    """Every option of every slot, in programme and workbook order, empty ones included but
    closed ones (`max` 0) that nobody is in: no door sign for a room that is not used."""
    found: list[Room] = []
    for slot in slots(event, allocation):
        for option in event.options_of.get(slot.session.id, []):
            members = allocation.members.get((slot.session.id, option.id, slot.round), [])
            if option.max == 0 and not members:
                continue
            present = [person(event, person_id) for person_id in members]
            hosts = [someone for someone in present if someone.id in option.hosts]
            others = sorted((p for p in present if p.id not in option.hosts), key=sort_key)
            found.append(Room(slot, option, hosts, others))
    return found


def place_name(option: Option) -> str:
    """Where an option takes place and what it is about: room and title, or its id."""
    parts = [text for text in (option.room, option.title) if text]
    return " — ".join(parts) if parts else option.id


def slot_time(slot: Slot) -> str:
    """The slot's day and time, with the round when there are several."""
    text = slot.session.when
    if slot.session.rounds > 1:
        text += f", round {slot.round} of {slot.session.rounds}"
    return text


def names(people: Sequence[Participant]) -> str:
    """Names as an English list: "A", "A and B", "A, B and C"."""
    return listed([someone.name or someone.id for someone in people])


def host_line(hosts: Sequence[Participant]) -> str:
    """Who hosts a room, with their organisations; empty when nobody does."""
    if not hosts:
        return ""
    labels = [f"{h.name} ({h.organisation})" if h.organisation else h.name for h in hosts]
    return ("Host: " if len(hosts) == 1 else "Hosts: ") + "; ".join(labels)


def count_line(room: Room) -> str:
    """How many people a room holds ("12 participants + 1 host")."""
    text = counted(len(room.people), "participant")
    if room.hosts:
        text += f" + {counted(len(room.hosts), 'host')}"
    return text


def safe_stem(text: str) -> str:
    """A file name stem from any text: ASCII letters, digits, dot, hyphen and underscore only
    (accents dropped first: José gives Jose), not starting with a hyphen (a command would read
    `-mwangi.txt` as an option)."""
    stem = UNSAFE_FILE_CHARACTERS.sub("_", unaccented(text)).lstrip("-._").rstrip("._")
    stem = stem[:FILE_STEM_LENGTH]
    if not stem:
        return "_"
    return f"_{stem}" if stem.split(".")[0].casefold() in RESERVED_FILE_NAMES else stem


def unique_names(stems: Iterable[str], suffix: str) -> list[str]:
    """File names from stems, numbered where two stems would give the same name."""
    taken: set[str] = set()
    result: list[str] = []
    for stem in stems:
        name, counter = f"{stem}{suffix}", 1
        while name.casefold() in taken:
            counter += 1
            name = f"{stem}-{counter}{suffix}"
        taken.add(name.casefold())
        result.append(name)
    return result


# ---------------------------------------------------------------- Zoom


def usable_email(someone: Participant) -> str:
    """The person's email when it looks like one, else empty: also one that starts as a
    formula would (`=eka@…`), which the file could carry only escaped, as no address."""
    email = someone.email.strip()
    return email if EMAIL.match(email) and not email.startswith(FORMULA_STARTS) else ""


def why_unusable(email: str) -> str:
    """Why an email cell cannot go into a Zoom file."""
    if email.strip().startswith(FORMULA_STARTS):
        return "starts as a spreadsheet formula would"
    return "is not an email address"


def split_rooms(
    sizes: Sequence[int], max_rooms: int = ZOOM_MAX_ROOMS, max_people: int = ZOOM_MAX_PEOPLE
) -> list[list[int]]:
    """Rooms (by index) in parts that each fit one meeting; a room is never divided."""
    parts: list[list[int]] = []
    people = 0
    for index, size in enumerate(sizes):
        if not parts or len(parts[-1]) >= max_rooms or people + size > max_people:
            parts.append([])
            people = 0
        parts[-1].append(index)
        people += size
    return parts


def zoom_files(
    event: Event,
    allocation: Allocation,
    max_rooms: int = ZOOM_MAX_ROOMS,
    max_people: int = ZOOM_MAX_PEOPLE,
) -> tuple[list[CsvFile], list[str]]:
    """One pre-assignment CSV per slot (split when over Zoom's limits), and warnings."""
    files: list[CsvFile] = []
    warnings: list[str] = []
    by_slot: dict[Slot, list[Room]] = {}
    for room in rooms(event, allocation):
        by_slot.setdefault(room.slot, []).append(room)
    stems = dict(zip(by_slot, unique_names((slot.file_stem for slot in by_slot), ""), strict=True))
    shared = set(shared_emails(event, allocation))
    for slot, slot_rooms in by_slot.items():
        names = room_names([room.option for room in slot_rooms])
        tables = [
            [
                [names[room.option.id], email]
                for p in room.everyone
                if (email := usable_email(p)) and email.casefold() not in shared
            ]
            for room in slot_rooms
        ]
        tables = [rows for rows in tables if rows]
        if not tables:
            continue
        parts = split_rooms([len(rows) for rows in tables], max_rooms, max_people)
        file_names = [f"{stems[slot]}.csv"]
        if len(parts) > 1:
            file_names = [f"{stems[slot]}-part{k}.csv" for k in range(1, len(parts) + 1)]
            warnings.append(split_warning(slot, tables, file_names, max_rooms, max_people))
        warnings += [
            f"{slot.label}: room {rows[0][0]} has {len(rows)} people; one Zoom meeting takes "
            f"at most {max_people:,}"
            for rows in tables
            if len(rows) > max_people
        ]
        for name, part in zip(file_names, parts, strict=True):
            body = [row for index in part for row in tables[index]]
            files.append(CsvFile(name, [list(ZOOM_HEADER), *body]))
    warnings += email_warnings(event, allocation)
    return files, warnings


def split_warning(
    slot: Slot, tables: list[list[list[str]]], files: list[str], max_rooms: int, max_people: int
) -> str:
    """Why a slot's pre-assignment was split over several files (one per Zoom meeting)."""
    people = sum(len(rows) for rows in tables)
    return (
        f"{slot.label}: {people:,} people in {len(tables)} rooms exceed one Zoom meeting "
        f"(at most {max_rooms} rooms and {max_people:,} participants); split into "
        f"{len(files)} files, one per meeting: {', '.join(files)}"
    )


def placed_people(event: Event, allocation: Allocation) -> list[Participant]:
    """Everyone the allocation places, in its order, once each."""
    return [
        person(event, pid) for pid in dict.fromkeys(a.participant for a in allocation.assignments)
    ]


def shared_emails(event: Event, allocation: Allocation) -> dict[str, list[Participant]]:
    """Usable emails (case-folded) that two or more people placed share, with those people."""
    owners: dict[str, list[Participant]] = {}
    for p in placed_people(event, allocation):
        if email := usable_email(p):
            owners.setdefault(email.casefold(), []).append(p)
    return {email: people for email, people in owners.items() if len(people) > 1}


def email_warnings(event: Event, allocation: Allocation) -> list[str]:
    """People left out of the Zoom files for want of an email of their own: none, one that is
    not an address, or one shared with someone else (Zoom would put both in one room)."""
    missing = [
        f"{p.name} ({p.id})" + (f': "{p.email}" {why_unusable(p.email)}' if p.email else "")
        for p in placed_people(event, allocation)
        if not usable_email(p)
    ]
    warnings = []
    if missing:
        warnings.append(
            f"{len(missing):,} {'person has' if len(missing) == 1 else 'people have'} no usable "
            f"email and {'is' if len(missing) == 1 else 'are'} not in the Zoom files (assign "
            f"them by hand in Zoom): {first_of(missing)}"
        )
    warnings += [
        f"{shared_by(people)} share the email {people[0].email.strip()} and are not in the Zoom "
        "files (Zoom would put them in one room; assign them by hand in Zoom)"
        for people in shared_emails(event, allocation).values()
    ]
    return warnings


def first_of(people: list[str]) -> str:
    """People as a warning lists them: the first `PEOPLE_SHOWN`, then how many more (an event
    whose emails are all missing named its thousands in one line)."""
    more = len(people) - PEOPLE_SHOWN
    return "; ".join(people[:PEOPLE_SHOWN]) + (f"; and {more:,} more" if more > 0 else "")


def shared_by(people: list[Participant]) -> str:
    """The people sharing an email, as a warning names them: all of them up to
    `PEOPLE_SHOWN`, else the first of them and how many others."""
    names = [f"{p.name} ({p.id})" for p in people]
    if len(names) <= PEOPLE_SHOWN:
        return listed(names)
    return f"{', '.join(names[:PEOPLE_SHOWN])} and {len(names) - PEOPLE_SHOWN:,} others"


# ---------------------------------------------------------------- printable room lists


@dataclass(frozen=True)
class PageStyle:
    """Type sizes and column widths of a printed sheet."""

    session: int
    time: int
    room: int
    host: int
    names: int
    widths: tuple[int, int, int, int]


PAGE_HEIGHT = 620.0  # points of rows a printed page holds below the repeated header row
BLANK_ROW = 15.0  # points: an empty row (between a page's heading and its list, and after it)
LIST_STYLE = PageStyle(session=13, time=11, room=16, host=11, names=11, widths=(5, 34, 40, 20))
SIGN_STYLE = PageStyle(session=22, time=18, room=40, host=18, names=16, widths=(6, 40, 44, 24))


def room_lists_workbook(event: Event, allocation: Allocation, title: str = "") -> Workbook:
    """A print-ready workbook: one page per room per slot (more for a long list, each saying
    which room it is), as a list and as a door sign."""
    workbook = Workbook()
    every_room = rooms(event, allocation)
    names = event.display_names
    write_room_pages(workbook.active, ROOM_LISTS, every_room, LIST_STYLE, title, names)
    write_room_pages(workbook.create_sheet(), DOOR_SIGNS, every_room, SIGN_STYLE, title, names)
    if title:
        workbook.properties.title = f"{title} — room lists"
    return workbook


def write_room_pages(
    sheet: Worksheet,
    name: str,
    every_room: Sequence[Room],
    style: PageStyle,
    title: str,
    names: dict[str, str],
) -> None:
    """Each room on pages of its own under a repeated column header; printed one page wide."""
    sheet.title = name
    for letter, width in zip("ABCD", style.widths, strict=True):
        sheet.column_dimensions[letter].width = width
    for column, heading in enumerate(LIST_HEADER, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True, size=style.names)
        cell.border = Border(bottom=THIN)
    row = 2
    pages, lines, breaks = [], [], []
    for room in every_room:
        room_pages, room_lines = write_room_page(sheet, row, room, style, names)
        lines += room_lines
        for first, last in room_pages:
            pages.append(f"A{first}:D{last}")
            breaks.append(Break(id=last))
            row = last + 1
    sheet.row_breaks = RowBreak(brk=breaks)  # at once: each `append` checks every break again
    merge_across(sheet, lines, len(style.widths))
    set_up_printing(sheet, print_areas(pages, sheet.max_row), title or name)


def print_areas(pages: list[str], last_row: int) -> list[str]:
    """One print area per page; one over the whole sheet if Excel could not hold the list."""
    if pages and sum(len(page) + 20 for page in pages) < MAX_PRINT_AREA_TEXT:
        return pages
    return [f"A1:D{last_row}"]


def write_room_page(
    sheet: Worksheet, row: int, room: Room, style: PageStyle, names: dict[str, str]
) -> tuple[list[tuple[int, int]], list[int]]:
    """One room's pages from `row` (their first and last rows, and the rows of their lines of
    text, to be merged across the page): session, time, room, host and count, then as many
    people as a printed page holds (`PAGE_HEIGHT`); a longer list goes on over more pages,
    each headed alike and numbered ("page 2 of 2")."""
    session = room.slot.session
    lines = [
        (session.title or session.id, Font(bold=True, size=style.session)),
        (slot_time(room.slot), Font(size=style.time)),
        (place_name(room.option), Font(bold=True, size=style.room)),
        (host_line(room.hosts), Font(size=style.host)),
        (count_line(room), Font(italic=True, size=style.host)),
    ]
    width = sum(style.widths)
    heading = sum(line_height(text, font, width) for text, font in lines if text)
    per_page = max(1, int((PAGE_HEIGHT - heading - 2 * BLANK_ROW) / name_height(style)))
    chunks = [room.people[at : at + per_page] for at in range(0, len(room.people), per_page)]
    name_style = names_style(sheet, style)
    pages, line_rows = [], []
    for index, chunk in enumerate(chunks or [[]]):
        first = row
        for text, font in lines:
            if text and font.italic and len(chunks) > 1:
                text = f"{text} — page {index + 1} of {len(chunks)}"
            if text:
                put_line(sheet, row, text, font, width)
                line_rows.append(row)
                row += 1
        row += 1
        for number, someone in enumerate(chunk, start=index * per_page + 1):
            values = (
                number,
                names.get(someone.id, someone.id),
                someone.organisation,
                someone.country,
            )
            for column, value in enumerate(values, start=1):
                sheet.cell(row=row, column=column, value=cell_value(value)).style = name_style
            sheet.row_dimensions[row].height = name_height(style)
            row += 1
        pages.append((first, row))
        row += 1
    return pages, line_rows


def names_style(sheet: Worksheet, style: PageStyle) -> str:
    """The name of the workbook's cell style for the people listed at the style's size, added
    when new: a named style is set by name, where a font is looked up again in every cell
    (a quarter of the time a 5,000-person event's room lists took)."""
    name = f"Room list names {style.names} pt"
    workbook = sheet.parent
    if name not in workbook.named_styles:
        workbook.add_named_style(NamedStyle(name=name, font=Font(size=style.names)))
    return name


def name_height(style: PageStyle) -> float:
    """The height of a row of the list, in points."""
    return style.names * 1.4 + 2


def line_height(text: str, font: Font, width: int) -> float:
    """The height of a wrapped line of text across the page's columns, in points."""
    size = float(font.size or 11)
    per_line = max(1, int(width * 11 / size))
    return math.ceil(len(text) / per_line) * size * 1.4 + 2


def put_line(sheet: Worksheet, row: int, text: str, font: Font, width: int) -> None:
    """A line of text to go across the page (its row merged later), wrapped, its row as tall
    as it needs."""
    cell = sheet.cell(row=row, column=1, value=cell_value(text))
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[row].height = line_height(text, font, width)


def set_up_printing(sheet: Worksheet, area: list[str], heading: str) -> None:
    """Print areas, header row on every page, one page wide, page numbers in the footer."""
    sheet.print_area = area
    sheet.print_title_rows = "1:1"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.oddHeader.center.text = print_heading(heading)
    sheet.oddFooter.center.text = "&P / &N"


# ---------------------------------------------------------------- itineraries


def hosts_of(event: Event, allocation: Allocation, key: tuple[str, str, int]) -> list[Participant]:
    """The hosts present in an option in a round."""
    option = event.option_by_key.get(key[:2])
    members = allocation.members.get(key, [])
    return [person(event, pid) for pid in members if option and pid in option.hosts]


def place_and_host(
    event: Event, allocation: Allocation, person_id: str, slot: Slot
) -> tuple[str, str] | None:
    """Where a person is in a slot and who hosts it there; None when they do not take part."""
    session = slot.session
    option_id = allocation.option_of.get((person_id, session.id, slot.round))
    option = event.option_by_key.get((session.id, option_id or ""))
    if option is None:
        return None
    hosts = hosts_of(event, allocation, (session.id, option.id, slot.round))
    others = [h for h in hosts if h.id != person_id]
    if len(others) < len(hosts):
        return place_name(option), "you host" + (f" with {names(others)}" if others else "")
    return place_name(option), f"host: {names(hosts)}" if hosts else ""


def itinerary_text(event: Event, allocation: Allocation, person_id: str, slot: Slot) -> str:
    """Where, when and with which host a person is in a slot; empty when not taking part."""
    found = place_and_host(event, allocation, person_id, slot)
    if found is None:
        return ""
    place, host = found
    return "; ".join(part for part in (place, slot_time(slot), host) if part)


def itinerary_rows(
    event: Event, allocation: Allocation, placed_only: bool = False
) -> list[list[object]]:
    """One row per person with email and a column per session (and round) the allocation
    places someone in, header first; `placed_only`: only the people it places (a day's)."""
    placing = {(slot.session.id, slot.round) for slot in slots(event, allocation)}
    columns = [column for column in itinerary_columns(event) if column[1:] in placing]
    header: list[object] = ["participant", "name", "email", *(heading for heading, _, _ in columns)]
    rows = [header]
    for someone in receivers(event, allocation, placed_only):
        places = [
            itinerary_text(event, allocation, someone.id, Slot(event.session_by_id[sid], round_))
            for _, sid, round_ in columns
        ]
        rows.append([someone.id, someone.name, someone.email, *places])
    return rows


def programme_text(event: Event, allocation: Allocation, someone: Participant, title: str) -> str:
    """A person's own programme as plain text: by day, each session with room, time and host."""
    lines = [f"Programme for {someone.name or someone.id}"]
    if title:
        lines.append(title)
    day, shown = None, None
    for slot in slots(event, allocation):
        found = place_and_host(event, allocation, someone.id, slot)
        if found is None:
            continue
        session = slot.session
        if session.day != day:
            day = session.day
            lines += ["", day]
        if session.id != shown:
            shown = session.id
            lines.append(
                "  "
                + "  ".join(text for text in (session.times, session.title or session.id) if text)
            )
        label = f"round {slot.round}: " if session.rounds > 1 else ""
        lines.append(f"    {label}" + ", ".join(part for part in found if part))
    if day is None:
        lines += ["", "No breakout sessions."]
    return "\n".join(lines) + "\n"


def programmes(
    event: Event, allocation: Allocation, title: str = "", placed_only: bool = False
) -> list[TextFile]:
    """One small text programme per participant (`placed_only`: per participant the
    allocation places), named after the (sanitised) participant id."""
    people = receivers(event, allocation, placed_only)
    file_names = unique_names((safe_stem(p.id) for p in people), ".txt")
    return [
        TextFile(name, programme_text(event, allocation, someone, title))
        for name, someone in zip(file_names, people, strict=True)
    ]


def receivers(event: Event, allocation: Allocation, placed_only: bool) -> list[Participant]:
    """Who gets an itinerary and a programme: everyone, or (`placed_only`, a day's
    hand-outs) the people the allocation places in the event's sessions."""
    if not placed_only:
        return list(event.participants)
    sessions = {session.id for session in event.sessions}
    placed = {a.participant for a in allocation.assignments if a.session in sessions}
    return [someone for someone in event.participants if someone.id in placed]


# ---------------------------------------------------------------- writing


def write_csv(path: Path, rows: Iterable[Sequence[object]], excel: bool = False) -> None:
    """A CSV file in UTF-8, cells escaped, written atomically; `excel` adds the byte-order mark."""
    write_text_atomically(Path(path), csv_text(rows), "utf-8-sig" if excel else "utf-8")


def write_files(
    folder: Path, files: Iterable[CsvFile | TextFile], done: list[Path] | None = None
) -> list[Path]:
    """Write each file into the folder (created when missing), each also added to `done`
    once in place; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for file in files:
        path = folder / file.name
        if isinstance(file, CsvFile):
            write_csv(path, file.rows)
        else:
            write_text_atomically(path, file.text)
        written.append(path)
        if done is not None:
            done.append(path)
    return written


def stale_files(folder: Path, written: Iterable[Path], suffix: str) -> list[str]:
    """Files with that suffix in the folder that this export did not write (left from before)."""
    fresh = {path.name for path in written}
    return sorted(path.name for path in Path(folder).glob(f"*{suffix}") if path.name not in fresh)


def write_room_lists(event: Event, allocation: Allocation, path: Path, title: str = "") -> None:
    """Write the printable room lists and door signs, whole or not at all."""
    save_atomically(room_lists_workbook(event, allocation, title), Path(path))
