"""Running a lesson: measure its sides (a close comparison again, see
:mod:`simulator.metrics.noise`), give the verdict on the figure it is about, check its claims.

The measuring is a callable (the command line's, with Ctrl+C handling; a test's), so this
module boots no Django itself and can be tested with made-up runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.lessons.claims import ClaimResult, check_claim
from simulator.lessons.format import Lesson
from simulator.metrics.noise import measure_pair, noise_verdict
from simulator.scenario import Scenario
from simulator.trace import Run

__all__ = ["LessonRun", "lesson_verdict", "run_lesson"]


@dataclass(frozen=True, slots=True)
class LessonRun:
    """What running a lesson measured and what its claims came to."""

    lesson: Lesson
    runs: dict[str, list[Run]]
    verdict: str | None
    results: tuple[ClaimResult, ...]

    @property
    def held(self) -> bool:
        """Whether every claim held (and nothing was stopped)."""
        return not self.stopped and all(result.held for result in self.results)

    @property
    def stopped(self) -> bool:
        return any(run.stopped for runs in self.runs.values() for run in runs)

    @property
    def first(self) -> list[Run]:
        """The first run of each side, in order: what a slide draws."""
        return [runs[0] for runs in self.runs.values() if runs]


def lesson_verdict(figure: str, runs_a: list[Run], runs_b: list[Run]) -> str:
    """The noise-aware verdict on the figure the lesson is about, and only on it.

    A lesson about threads held does not also name a makespan winner: its sides were run
    again only if *its* figure was close, and a makespan from one run each on a busy machine
    is the very noise that once taught "the sync middleware is faster". The makespans stay
    on the figures lines beside the verdict."""
    a = [run.summary for run in runs_a]
    b = [run.summary for run in runs_b]
    return noise_verdict(figure, a, b)


def run_lesson(lesson: Lesson, measure: Callable[[Scenario], Run]) -> LessonRun:
    """Measure ``lesson`` with ``measure`` and check its claims."""
    if lesson.file.b is None:
        runs = {"A": [measure(lesson.file.a)]}
        verdict = None
    else:
        runs_a, runs_b = measure_pair(lesson.file.a, lesson.file.b, lesson.figure, measure)
        runs = {"A": runs_a, "B": runs_b}
        verdict = lesson_verdict(lesson.figure, runs_a, runs_b) if runs_b else None
    results = tuple(check_claim(claim, runs) for claim in lesson.claims)
    return LessonRun(lesson, runs, verdict, results)
