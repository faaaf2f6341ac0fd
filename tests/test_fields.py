"""Finite fields: addition and multiplication tables, and the orders that have none."""

import pytest

from solver.fields import field


@pytest.mark.parametrize("q", [2, 3, 4, 5, 8, 9])
def test_finite_fields_have_inverses(q: int) -> None:
    tables = field(q)
    assert tables is not None
    add, mul = tables
    assert all(sorted(row) == list(range(q)) for row in add)
    assert all(sorted(row) == list(range(q)) for row in mul[1:])
    assert field(6) is None and field(10) is None
