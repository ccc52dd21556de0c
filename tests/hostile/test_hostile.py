"""The hostile table of issue 12: every row must come out clean (no traceback, no hang, no
abort, no slow stop, nothing lost, and what it promised: its exit code, one line)."""

from __future__ import annotations

import pytest

from .table import ROWS


@pytest.mark.parametrize(
    "row",
    [pytest.param(row, marks=[pytest.mark.slow] if row.slow else []) for row in ROWS],
    ids=[f"{row.klass}-{row.case}" for row in ROWS],
)
def test_the_hostile_case_is_handled(row, tmp_path):
    outcome = row.check(tmp_path)
    assert outcome.clean, str(outcome)
