"""The one comparison protocol and the one closeness rule, for every A/B comparison.

Two identical scenarios once read "B finished 1.2× sooner", and two lessons whose answer is
"about the same" once read "A: makespan lower by 0% in every run": one sample of each side
says little when the difference is smaller than what a busy machine adds from run to run.
So every comparison (the window's session, ``compare``, ``gui --json`` and the lessons)
follows this protocol:

1. Run A, then B.
2. If their figure is *close* (:func:`is_close`: under :data:`CLOSE_WITHIN` apart), or one
   run each does not show what a lesson's answer expects, run each side :data:`EXTRA_RUNS`
   more times, alternating, so a burst of load elsewhere falls on both (:func:`rerun_reason`,
   :func:`measure_pair`).
3. Judge (:func:`judge`): a side is named the winner only if it is at least
   :data:`MIN_WIN` ahead (medians), and, with several runs, if *every* one of its runs beat
   *every* run of the other. A lesson's :class:`Criterion` adds what its answer expects.

How far apart two figures are is :func:`apart` (the larger over the smaller, minus one): the
same measure for "close", for "a winner" and for a lesson's "the same". The words of the
verdict are :mod:`simulator.metrics.verdict`'s; this module holds only the rules and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Literal

from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import Summary

if TYPE_CHECKING:
    from simulator.scenario import Scenario
    from simulator.trace import Run

__all__ = [
    "CLOSE_WITHIN",
    "EXPECTS",
    "EXTRA_RUNS",
    "HIGHER_IS_BETTER",
    "MIN_WIN",
    "RERUN_ORDER",
    "Comparison",
    "Criterion",
    "Expect",
    "Judgement",
    "Spread",
    "apart",
    "is_close",
    "judge",
    "measure_pair",
    "median_run",
    "rerun_reason",
    "spread",
]

#: Figures under this fraction apart are *close*: from one run each, no winner; each side
#: is measured :data:`EXTRA_RUNS` more times (on a busy machine run-to-run noise is this big).
CLOSE_WITHIN = 0.15
#: A verdict never names a winner by less than this, even when every run agrees: a class
#: cannot see 2%, and a lesson that answers "about the same" must not read "A: 0% lower".
MIN_WIN = 0.05
#: How many more runs each side gets when it is close.
EXTRA_RUNS = 2
#: The order of those runs: alternating, so a burst of load elsewhere falls on both sides.
RERUN_ORDER: tuple[Literal["A", "B"], ...] = ("A", "B") * EXTRA_RUNS
#: Figures where more is better; for every other figure (times, threads, failures) less is.
HIGHER_IS_BETTER = frozenset({"throughput_rps", "ok", "answered"})
#: What a lesson's answer may expect of its figure: side A ahead, side B ahead, the same, or
#: one side ahead or the same (lesson 15: async is "about as late, a little sooner at most").
EXPECTS = ("same", "A", "B", "A or same", "B or same")

Letter = Literal["A", "B"]
Expect = Literal["same", "A", "B", "A or same", "B or same"]


def apart(x: float, y: float) -> float:
    """How far apart two figures are: the larger over the smaller, minus one (``0.16`` for
    100 and 116 ms). ``0`` when both are zero; infinite when only one is."""
    low, high = sorted((abs(x), abs(y)))
    if high == 0:
        return 0.0
    if low == 0:
        return math.inf
    return high / low - 1


def is_close(x: float, y: float) -> bool:
    """The closeness rule: under :data:`CLOSE_WITHIN` apart (100 and 114 ms are, 100 and
    116 ms are not)."""
    return apart(x, y) < CLOSE_WITHIN


@dataclass(frozen=True, slots=True)
class Criterion:
    """What a comparison judges: one figure and, for a lesson, what its answer expects.

    Attributes
    ----------
    figure
        A key of the figures table (``makespan_ms`` for a plain comparison).
    expect
        ``"A"`` or ``"B"``: the side the answer expects ahead (a lower figure; higher for
        :data:`HIGHER_IS_BETTER`); ``"same"``: no side ahead, within ``same_within``;
        ``"A or same"``/``"B or same"``: the other side not ahead by more than
        ``same_within`` (what "the same" means is one rule for both); ``None``: no
        expectation.
    same_within
        For ``"same"`` and the ``"or same"`` ones: how far apart (:func:`apart`) still counts
        as the same.
    """

    figure: str = "makespan_ms"
    expect: Expect | None = None
    same_within: float = CLOSE_WITHIN

    def __post_init__(self) -> None:
        if self.figure not in FIGURE:
            raise ValueError(f"unknown figure {self.figure!r}")
        if self.expect is not None and self.expect not in EXPECTS:
            raise ValueError(f"expect must be one of {EXPECTS}, not {self.expect!r}")
        if not 0 < self.same_within < math.inf:
            raise ValueError(f"same_within must be above 0, not {self.same_within!r}")


@dataclass(frozen=True, slots=True)
class Spread:
    """One side's figure over its runs: the median, and the lowest and highest run."""

    figure: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return float(median(self.values))

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def text(self) -> str:
        """``"27"`` for one run; ``"27 (25–30)"`` for several: the median, then the range.

        The one way a side's figure is written when it was measured several times: the
        figure line, the verdict and the slide all show this."""
        unit = FIGURE[self.figure].unit
        mid = unit.format(self.median)
        if len(self.values) == 1:
            return mid
        low, high = unit.format(self.low), unit.format(self.high)
        if low == high:
            return mid
        low_num, _, low_unit = low.partition(" ")
        high_num, _, high_unit = high.partition(" ")
        span = f"{low_num}–{high}" if low_unit == high_unit else f"{low}–{high}"
        return f"{mid} ({span})"


def spread(figure: str, summaries: Sequence[Summary]) -> Spread:
    """``figure`` over ``summaries`` (one per run of a side)."""
    key = FIGURE[figure]
    return Spread(figure, tuple(float(key.value(s)) for s in summaries))


def median_run(figure: str, runs: Sequence[Run]) -> Run:
    """Of one side's runs, the one whose ``figure`` is the median (the lower middle one of
    an even count): the one run a slide draws and the window shows after a close call's
    re-runs, so its lanes and figures show the very number the verdict gives for the side
    (the other runs stay kept, in the run file and in the verdict's range)."""
    if not runs:
        raise ValueError("a median run needs at least one run")
    key = FIGURE[figure]
    ordered = sorted(runs, key=lambda run: key.value(run.summary))
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True, slots=True)
class Judgement:
    """The protocol's judgement on one figure.

    Attributes
    ----------
    winner
        The side ahead, or ``None``: too close from one run each (``one_run_close``), under
        :data:`MIN_WIN` apart, or runs that overlap.
    apart
        How far apart the medians are (:func:`apart`).
    """

    figure: str
    a: Spread
    b: Spread
    winner: Letter | None
    apart: float

    @property
    def several(self) -> bool:
        return len(self.a.values) > 1 or len(self.b.values) > 1

    @property
    def one_run_close(self) -> bool:
        """One run each and close: the protocol would run each again before judging."""
        return not self.several and self.apart < CLOSE_WITHIN

    @property
    def overlap(self) -> bool:
        """Several runs, neither side's every run ahead of every run of the other."""
        return self.several and self.winner is None and self.apart >= MIN_WIN


def _ahead(figure: str, mine: Sequence[float], theirs: Sequence[float]) -> bool:
    higher = figure in HIGHER_IS_BETTER
    return all((x > y) if higher else (x < y) for x in mine for y in theirs)


def judge(figure: str, a: Sequence[Summary], b: Sequence[Summary]) -> Judgement:
    """Which side is ahead on ``figure`` over every run of each (see the module's rules)."""
    if not a or not b:
        raise ValueError("a judgement needs at least one run of each side")
    spread_a, spread_b = spread(figure, a), spread(figure, b)
    distance = apart(spread_a.median, spread_b.median)
    winner: Letter | None = None
    one_each = len(a) == 1 and len(b) == 1
    if distance >= MIN_WIN and not (one_each and distance < CLOSE_WITHIN):
        for side, mine, theirs in (("A", spread_a, spread_b), ("B", spread_b, spread_a)):
            if _ahead(figure, mine.values, theirs.values):
                winner = "A" if side == "A" else "B"
    return Judgement(figure, spread_a, spread_b, winner, distance)


def rerun_reason(
    criterion: Criterion | str, a: Sequence[Summary], b: Sequence[Summary]
) -> str | None:
    """After one run of each side: why each side runs :data:`EXTRA_RUNS` more times (in
    :data:`RERUN_ORDER`), or ``None``. They do when their figure is close, and when one
    run each does not show what a lesson's answer expects (one unlucky run on a busy
    machine must not be all a class sees)."""
    if len(a) != 1 or len(b) != 1:
        return None
    if isinstance(criterion, str):
        criterion = Criterion(criterion)
    key = FIGURE[criterion.figure]
    again = f"each runs {EXTRA_RUNS} more times"
    first = Comparison(criterion, (a[0],), (b[0],))
    if not first.finished:
        return None  # a side got no answer (a dead --url): no figure to call close or far
    if is_close(key.value(a[0]), key.value(b[0])):
        return f"A and B within {CLOSE_WITHIN:.0%} on {key.name}: {again}"
    if first.expectation_held is False:
        return f"One run each did not show what the lesson expects: {again}"
    return None


def measure_pair(
    a: Scenario,
    b: Scenario,
    criterion: Criterion | str,
    measure: Callable[[Scenario], Run],
    *,
    notice: Callable[[str], object] = lambda text: None,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[list[Run], list[Run]]:
    """Run A then B, and again when :func:`rerun_reason` gives one (``notice`` hears it).
    Stops early when a run stopped, or when ``stop()`` says so after a run."""
    runs: dict[str, list[Run]] = {"A": [], "B": []}
    scenarios = {"A": a, "B": b}

    def one(side: str) -> bool:
        run = measure(scenarios[side])
        runs[side].append(run)
        return not run.stopped and not stop()

    if one("A") and one("B"):
        why = rerun_reason(criterion, [runs["A"][0].summary], [runs["B"][0].summary])
        if why is not None:
            notice(why)
            for side in RERUN_ORDER:
                if not one(side):
                    break
    return runs["A"], runs["B"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every run of A and of B (their summaries), judged by a :class:`Criterion`."""

    criterion: Criterion
    a: tuple[Summary, ...]
    b: tuple[Summary, ...]

    @classmethod
    def of_runs(
        cls, runs_a: Sequence[Run], runs_b: Sequence[Run], criterion: Criterion | None = None
    ) -> Comparison:
        return cls(
            criterion or Criterion(),
            tuple(run.summary for run in runs_a),
            tuple(run.summary for run in runs_b),
        )

    @property
    def finished(self) -> bool:
        """Whether the server answered some request on both sides (else there is nothing to
        judge: a side whose requests were all refused has no makespan)."""
        return all(any(s.answered for s in side) for side in (self.a, self.b))

    def judgement(self, figure: str | None = None) -> Judgement:
        return judge(figure or self.criterion.figure, self.a, self.b)

    @property
    def expectation_held(self) -> bool | None:
        """Whether the runs show what the answer expects (``None``: it expects nothing)."""
        expect = self.criterion.expect
        if expect is None:
            return None
        if not self.finished:
            return False
        judged = self.judgement()
        same = judged.apart <= self.criterion.same_within
        if expect == "same":
            return same
        if expect.endswith(" or same"):  # that side ahead, or the two the same
            return judged.winner in (None, expect[0]) or same
        return judged.winner == expect

    @property
    def held_as_same(self) -> bool:
        """Whether an answer's "or the same" is what the runs showed: the other side ahead,
        but within ``same_within`` (lesson 15 on a quiet machine: B's one loop thread 11%
        sooner than A's eight threads in every run). Its verdict then says "about the same",
        as the answer does, never the other side's winning words."""
        expect = self.criterion.expect
        if expect is None or not expect.endswith(" or same") or not self.finished:
            return False
        judged = self.judgement()
        return judged.winner not in (None, expect[0]) and judged.apart <= self.criterion.same_within
