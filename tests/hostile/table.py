"""The whole hostile table: round one (issue 12) and round two (issue 25)."""

from __future__ import annotations

from . import cases, cases_round_two

ROWS = [*cases.ROWS, *cases_round_two.ROWS]
