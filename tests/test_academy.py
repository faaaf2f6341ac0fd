"""The bundled academy events: mixed split groups, nobody isolated, every hard rule held."""

from pathlib import Path

import pytest

from models import SessionKind
from models.workbook import read_event
from solver.check import check_allocation
from solver.solve import solve_event

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.mark.parametrize("year", [2022, 2023])
def test_split_groups_are_mixed_and_nobody_is_isolated(year: int) -> None:
    event, _ = read_event(DATA / f"academy-{year}.xlsx")
    assert event is not None
    event.settings.time_limit = 10
    allocation = solve_event(event)
    report = check_allocation(event, allocation)
    assert report.ok
    splits = {s.id for s in event.sessions if s.kind is SessionKind.SPLIT}
    groups = [g for g in report.groups if g.session in splits]
    assert groups
    assert all(g.deviation["region"] <= 1 and g.deviation["group"] <= 1 for g in groups)
    isolated = [p for g in groups for p in g.isolated]
    assert [p for p in isolated if event.people[p].group == "next generation"] == []
    for session_id in splits:
        sizes = [g.size for g in groups if g.session == session_id]
        assert max(sizes) - min(sizes) <= 1
