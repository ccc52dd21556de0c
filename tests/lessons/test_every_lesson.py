"""CI runs every lesson once and checks its claims: a lesson whose claim fails fails here.

Each lesson is kept small (a few requests of 50-500 ms) so the whole curriculum runs in about
a minute; it is marked slow, so ``make test-fast`` leaves it to ``make test``. The claims are
the lessons' own data, judged as ``async-lanes lesson N --check`` judges them (close
comparisons re-run, medians), and so is the verdict against the lesson's ``expect``; a
lesson whose needs this machine cannot meet is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.hosting.engine import run_scenario
from simulator.lessons import lesson_entries, run_lesson

LESSONS = Path(__file__).resolve().parents[2] / "assets" / "lessons"
ENTRIES = lesson_entries(LESSONS)


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.path.stem for e in ENTRIES])
def test_the_lesson_claims_hold(entry):
    assert entry.lesson is not None, entry.problem
    needs = entry.lesson.needs
    for _ in range(2):  # a lesson that needs free cores gets one more try if they were taken
        unmet = needs.unmet_now()
        if unmet is not None:
            pytest.skip(unmet)
        result = run_lesson(entry.lesson, run_scenario)
        failed = [r.line for r in result.results if not r.held]
        if result.expectation_held is False:  # the verdict must not contradict the answer
            failed.append(f"verdict (expect {entry.lesson.expect}): {result.verdict}")
        if not failed or needs.cores < 2 or needs.unmet_now() is None:
            break  # held, or failed with the cores it needs free: a real failure
    if failed and result.cores_waited is not None:  # the runs themselves waited for a core
        pytest.skip(f"{result.cores_line}; the claims failed meanwhile: " + " | ".join(failed))
    if failed and needs.cores >= 2 and (busy := needs.unmet_now()) is not None:
        pytest.skip(f"{busy}; the claims failed while it was: " + " | ".join(failed))
    assert not failed, f"{entry.path.name}: " + " | ".join(failed)
