"""Running a lesson and judging what it measured: the one place a lesson's verdict line, its
figure's number and whether a run showed its point are decided, for the window's reveal,
``lesson N`` and its slide alike.

The sides are measured by the comparison protocol (:mod:`simulator.metrics.comparison`: a
close call on the lesson's figure runs each side again), judged by the lesson's
:attr:`~simulator.lessons.format.Lesson.criterion` (its figure and what its answer
expects), and its claims checked on the medians of every run. The measuring is a callable
(the command line's, with Ctrl+C handling; a test's), so this module boots no Django itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from simulator.lessons.claims import ClaimResult, check_claim
from simulator.lessons.format import Lesson
from simulator.machine import FREE_ENOUGH
from simulator.metrics.comparison import Comparison, measure_pair, median_run, spread
from simulator.metrics.figures import FIGURE
from simulator.metrics.verdict import comparison_verdict
from simulator.scenario import Scenario
from simulator.trace import Run

__all__ = [
    "NOT_FREE",
    "NOT_SHOWN",
    "LessonRun",
    "judge_lesson",
    "run_lesson",
    "wants_cores_checked",
    "with_cores_checked",
    "core_wait_share",
]

#: What the reveal, the slide and ``lesson N`` say in large type when a run did not show
#: the lesson's point (a claim failed, or the figure did not come out as the answer
#: expects): never a verdict that contradicts the answer.
NOT_SHOWN = "This run did not show it: run it again"
#: What they say instead when the lesson needs free cores and this machine had none to give
#: (its runs waited for a core, :attr:`LessonRun.cores_waited`, or measuring the cores after
#: them, :meth:`~simulator.lessons.format.Needs.cores_shared`): running it again would not help.
NOT_FREE = "This run could not show it: no {cores} on this machine"
#: After a verdict whose winner is the answer's, on such a machine: its lead is smaller than
#: the lesson claims (what was measured of the cores is in the reveal's details).
SHORT_OF_FREE = (
    "less than {n} free cores give: they were not free",
    "less than a free core gives: it was not free",
)
#: After a verdict that showed the lesson's point on such a machine: its figures are a busy
#: machine's, not the lesson's "why" (lesson 23's "about half as long" over A 1.7× sooner
#: with 22% of the work waiting for a core, said only in the details).
BUSY_CORES = "on a busy machine (waiting for a core {waited:.0%} of the time it had work)"


@dataclass(frozen=True, slots=True)
class LessonRun:
    """What a lesson's runs measured, and what they come to."""

    lesson: Lesson
    runs: dict[str, list[Run]]
    results: tuple[ClaimResult, ...]
    #: Measured after runs that did not show the lesson's point, on a lesson that needs free
    #: cores, when they were not free (:func:`with_cores_checked`): how many times the work
    #: of one its cores got done at once. ``None``: not measured, or the cores were free.
    cores_shared: float | None = None

    @property
    def stopped(self) -> bool:
        return any(run.stopped for runs in self.runs.values() for run in runs)

    @property
    def held(self) -> bool:
        """Whether every claim held (and nothing was stopped)."""
        return not self.stopped and all(result.held for result in self.results)

    @property
    def comparison(self) -> Comparison | None:
        """Both sides' runs judged by the lesson's criterion (``None``: one scenario, or a
        side missing or stopped)."""
        runs_a, runs_b = self.runs.get("A", []), self.runs.get("B", [])
        if not self.lesson.is_comparison or not runs_a or not runs_b or self.stopped:
            return None
        return Comparison.of_runs(runs_a, runs_b, self.lesson.criterion)

    @property
    def verdict(self) -> str | None:
        """The verdict on the lesson's figure (``lesson N --json``'s ``verdict``)."""
        comparison = self.comparison
        return comparison_verdict(comparison) if comparison is not None else None

    @property
    def expectation_held(self) -> bool | None:
        """Whether the figure came out as the answer expects (``None``: nothing to compare)."""
        comparison = self.comparison
        return comparison.expectation_held if comparison is not None else None

    @property
    def showed(self) -> bool:
        """Whether this run showed the lesson's point: every claim held, and the figure
        came out as the answer expects."""
        return self.held and self.expectation_held is not False

    @property
    def cores_waited(self) -> float | None:
        """On a lesson that needs free cores, the share of the time its runs had CPU work in
        which they waited for want of a core (:func:`core_wait_share`, by the clock), when
        the runs themselves show the cores were not free: over what
        :data:`~simulator.machine.FREE_ENOUGH` allows the burners (1.7 cores' work of 2 done
        is 15% waited). ``None`` otherwise. Lesson 23 on a busy machine drew its processes'
        bars mostly "waiting for a CPU core" under "run it again": the burners, a second
        later, had found the cores free. Lesson 15 (one free core: 8 threads against one
        loop, computing) beside programs that wake often (4 of them, 67% waited, summed
        thread by thread as it was then read): its runs' makespans spread 451 ms-1.46 s a
        side, and B came out 32% ahead once: the machine, not async, decided."""
        if self.lesson.needs.cores < 1 or self.stopped:
            return None
        runs = (run for runs in self.runs.values() for run in runs)
        share = core_wait_share(runs, self.lesson.needs.cores)
        return share if share is not None and share > 1 - FREE_ENOUGH else None

    @property
    def waits_in_line(self) -> float | None:
        """The share of their work the runs waited for a core, where the verdict
        :attr:`line` says it (:data:`BUSY_CORES`: a run that showed the lesson's point on a
        busy machine); ``None`` elsewhere."""
        return self.cores_waited if self.showed else None

    @property
    def cores_line(self) -> str | None:
        """What showed the cores were not free, said (the reveal's details, ``lesson N``):
        the runs' own waits for a core, else what measuring the cores after them found.
        ``None`` where the verdict :attr:`line` already says the waits (:data:`BUSY_CORES`):
        lesson 15's details at 720p said them twice, the verdict's two lines and this one
        taking the rows A's eight threads needed to be told apart from its loop's awaits."""
        if self.waits_in_line is not None:
            return None
        if (waited := self.cores_waited) is not None:
            return (
                f"Measured in the run: its threads waited for a CPU core {waited:.0%} of the "
                "time they had work (another program held the cores)"
            )
        if self.cores_shared is None:
            return None
        return f"Measured after the run: {self.lesson.needs.cores_found(self.cores_shared)}"

    def figure_text(self, side: str) -> str:
        """The lesson's figure on ``side``: one run's value, or the median and range."""
        runs = self.runs.get(side, [])
        return spread(self.lesson.figure, [run.summary for run in runs]).text if runs else "—"

    @property
    def short_of_free(self) -> bool:
        """Whether the runs did not show the point only for want of free cores, the
        answer's side ahead all the same, by less than the lesson claims free cores give:
        its verdict is said, and why it is short ("could not show it" over lesson 23's A
        ahead 1.37×, 408 against 561 ms, read as a run that failed, beside figures the class
        could see)."""
        if self.showed or (self.cores_shared is None and self.cores_waited is None):
            return False
        comparison = self.comparison
        return bool(self.expectation_held and comparison and comparison.judgement().winner)

    @property
    def line(self) -> str:
        """The verdict line the window's reveal and the slide show in large type, and
        ``lesson N`` prints: the verdict, or what one scenario measured, or
        :data:`NOT_SHOWN`."""
        if not self.showed:
            if self.cores_shared is not None or self.cores_waited is not None:
                n = self.lesson.needs.cores
                if self.short_of_free:
                    return f"Verdict: {self.verdict}, {SHORT_OF_FREE[n == 1].format(n=n)}"
                return NOT_FREE.format(cores="free core" if n == 1 else f"{n} free cores")
            return NOT_SHOWN
        verdict = self.verdict
        waited = self.waits_in_line
        busy = "" if waited is None else ", " + BUSY_CORES.format(waited=waited)
        if verdict is not None:
            return f"Verdict: {verdict}{busy}"
        return f"Measured: {FIGURE[self.lesson.figure].name} {self.figure_text('A')}{busy}"

    @property
    def shown(self) -> list[Run]:
        """What a slide draws: of each side (in order) the run whose figure is the median
        (the lower middle one of an even count), so its figures line shows the very number
        the verdict gives for the side."""
        figure = self.lesson.figure
        return [median_run(figure, runs) for runs in self.runs.values() if runs]


def judge_lesson(
    lesson: Lesson, runs: Mapping[str, Sequence[Run]], *, cores_shared: float | None = None
) -> LessonRun:
    """Judge runs of ``lesson`` (``{"A": [...], "B": [...]}``, every run of each side);
    ``cores_shared``: what :func:`with_cores_checked` measured for these runs, if it did."""
    kept = {side: list(side_runs) for side, side_runs in runs.items() if side_runs}
    results = tuple(check_claim(claim, kept) for claim in lesson.claims)
    return LessonRun(lesson, kept, results, cores_shared)


def core_wait_share(runs: Iterable[Run], cores: int = 1) -> float | None:
    """Of the time the threads of ``runs`` had CPU work (computing, Django's or the view's,
    or ready and waiting for a core: ``framework``, ``cpu`` and ``core_wait``; a wait for the
    GIL asks for no core), the share in which one of them waited for a core while fewer than
    ``cores`` of them ran; ``None`` when they computed nothing. The run's own measure of
    whether the cores it needs were free, taken while it ran. (Django's own CPU counts: a run
    of views that only sleep read 100% from a core wait of a fraction of a millisecond, its
    framework CPU left out.)

    By the clock, not summed thread by thread: 8 threads taking turns at the GIL (lesson 15)
    beside one busy core waited for a core 33-42% of their own work, one just woken while
    another ran, yet the site stood still for want of a core 1-13% of the time (its makespan
    3-9% over the one loop thread's); beside programs that wake often, 25-79%."""
    stalled = active = 0
    for run in runs:
        columns = run.trace.columns  # (the figures' own, built once per trace)
        ran, waited = columns.is_kind("cpu", "framework"), columns.is_kind("core_wait")
        times = np.concatenate(
            (
                columns.start_ns[ran],
                columns.end_ns[ran],
                columns.start_ns[waited],
                columns.end_ns[waited],
            )
        )
        if not len(times):
            continue
        n_ran, n_waited = int(ran.sum()), int(waited.sum())
        running = np.concatenate(
            (np.ones(n_ran, np.int64), -np.ones(n_ran, np.int64), np.zeros(2 * n_waited, np.int64))
        )
        waiting = np.concatenate(
            (
                np.zeros(2 * n_ran, np.int64),
                np.ones(n_waited, np.int64),
                -np.ones(n_waited, np.int64),
            )
        )
        order = np.argsort(times, kind="stable")
        lengths = np.diff(times[order])  # each stretch between two ends, in the state before
        running, waiting = np.cumsum(running[order])[:-1], np.cumsum(waiting[order])[:-1]
        stalled += int(lengths[(waiting > 0) & (running < cores)].sum())
        active += int(lengths[(waiting > 0) | (running > 0)].sum())
    return stalled / active if active else None


def wants_cores_checked(judged: LessonRun) -> bool:
    """Whether the cores are worth measuring after ``judged``'s runs: they did not show the
    lesson's point (stopped runs show nothing either way), the lesson needs free cores
    (lesson 23: a busy machine, not the lesson, keeps two processes from computing at once),
    and the runs' own waits for a core did not already say so (:attr:`LessonRun.cores_waited`)."""
    return (
        bool(judged.runs)
        and not judged.showed
        and not judged.stopped
        and (judged.lesson.needs.cores > 1)
        and judged.cores_waited is None
    )


def with_cores_checked(
    judged: LessonRun, measure: Callable[[Lesson], float | None] | None = None
) -> LessonRun:
    """``judged``, with whether the cores its lesson needs are free now when it
    :func:`wants_cores_checked` (``measure``: by default
    :meth:`~simulator.lessons.format.Needs.cores_shared`, the very measure ``lesson N
    --check`` takes first). A class that saw "run it again" on a busy machine ran it again,
    and again, for nothing: the line now says the machine stood in the way."""
    if not wants_cores_checked(judged):
        return judged
    shared = (measure or (lambda lesson: lesson.needs.cores_shared()))(judged.lesson)
    return replace(judged, cores_shared=shared)


def run_lesson(
    lesson: Lesson,
    measure: Callable[[Scenario], Run],
    *,
    notice: Callable[[str], object] = lambda text: None,
) -> LessonRun:
    """Measure ``lesson`` with ``measure`` (by the comparison protocol) and judge it."""
    if lesson.file.b is None:
        return judge_lesson(lesson, {"A": [measure(lesson.file.a)]})
    runs_a, runs_b = measure_pair(
        lesson.file.a, lesson.file.b, lesson.criterion, measure, notice=notice
    )
    return judge_lesson(lesson, {"A": runs_a, "B": runs_b})
