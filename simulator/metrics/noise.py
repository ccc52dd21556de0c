"""A verdict that knows noise: when A and B are close, measure each twice more before naming
a winner.

Two identical scenarios once read "B finished 1.2× sooner": one sample of each side says
little when the difference is smaller than what a busy machine adds from run to run. So when
the figure a comparison is about differs by under :data:`CLOSE_WITHIN`, each side is run
:data:`EXTRA_RUNS` more times, and a side is named only if *every* one of its runs beats
*every* run of the other; otherwise the verdict is "no measurable difference".

:func:`measure_pair` does the measuring through a callable (the command line's, a lesson's,
a test's), :func:`noise_verdict` reads summaries only, so it can be tested with made-up ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import median
from typing import TYPE_CHECKING

from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import Summary
from simulator.metrics.verdict import SAME_WITHIN

if TYPE_CHECKING:
    from simulator.scenario import Scenario
    from simulator.trace import Run

__all__ = [
    "CLOSE_WITHIN",
    "EXTRA_RUNS",
    "HIGHER_IS_BETTER",
    "is_close",
    "measure_pair",
    "noise_verdict",
]

#: Sides whose figure differs by less than this fraction are measured again (the one-run
#: verdict's "the same" threshold).
CLOSE_WITHIN = SAME_WITHIN
#: How many more runs each side gets when it is close.
EXTRA_RUNS = 2
#: Figures where more is better; for every other figure (times, threads, failures) less is.
HIGHER_IS_BETTER = frozenset({"throughput_rps", "ok"})


def is_close(a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` differ by less than :data:`CLOSE_WITHIN` of the larger."""
    high = max(abs(a), abs(b))
    return high == 0 or abs(a - b) < CLOSE_WITHIN * high


def measure_pair(
    a: Scenario,
    b: Scenario,
    figure: str,
    measure: Callable[[Scenario], Run],
) -> tuple[list[Run], list[Run]]:
    """Run A then B; if their ``figure`` is close, each :data:`EXTRA_RUNS` more times
    (alternating, so a burst of load elsewhere falls on both). Stops early if a run stopped."""
    runs_a: list[Run] = [measure(a)]
    runs_b: list[Run] = []
    if runs_a[0].stopped:
        return runs_a, runs_b
    runs_b.append(measure(b))
    if runs_b[0].stopped:
        return runs_a, runs_b
    key = FIGURE[figure]
    if not is_close(key.value(runs_a[0].summary), key.value(runs_b[0].summary)):
        return runs_a, runs_b
    for _ in range(EXTRA_RUNS):
        for scenario, runs in ((a, runs_a), (b, runs_b)):
            run = measure(scenario)
            runs.append(run)
            if run.stopped:
                return runs_a, runs_b
    return runs_a, runs_b


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def _span(figure: str, summaries: Sequence[Summary]) -> str:
    key = FIGURE[figure]
    values = sorted(key.value(s) for s in summaries)
    low, high = key.unit.format(values[0]), key.unit.format(values[-1])
    return low if low == high else f"{low}–{high}"


def noise_verdict(figure: str, a: Sequence[Summary], b: Sequence[Summary]) -> str:
    """Which side did better on ``figure``, only if every run of it beat every run of the
    other when there are several; e.g. ``"B: makespan 3.9× lower"``, ``"B: p50 lower in
    every run (3 of 3 each)"`` or ``"no measurable difference in p50 (A 210–230 ms, B
    205–240 ms; 3 runs each)"``."""
    key = FIGURE[figure]
    if not a or not b:
        return f"nothing to compare on {key.name}"
    values_a = [key.value(s) for s in a]
    values_b = [key.value(s) for s in b]
    higher = figure in HIGHER_IS_BETTER
    better = "higher" if higher else "lower"

    def beats(x: float, y: float) -> bool:
        return x > y if higher else x < y

    several = len(a) > 1 or len(b) > 1
    if not several and is_close(values_a[0], values_b[0]):
        # One run each, and closer than the noise: no winner without more runs.
        return (
            f"{key.name} about the same (A {key.unit.format(values_a[0])}, "
            f"B {key.unit.format(values_b[0])}; one run each)"
        )
    for side, mine, theirs in (("A", values_a, values_b), ("B", values_b, values_a)):
        if not all(beats(x, y) for x in mine for y in theirs):
            continue
        mid_mine, mid_theirs = median(mine), median(theirs)
        low, high = sorted((mid_mine, mid_theirs))
        if low <= 0:
            how = f"{better} ({key.unit.format(mid_mine)} against {key.unit.format(mid_theirs)})"
        elif high / low < 1 + CLOSE_WITHIN:
            how = f"{better} by {high / low - 1:.0%}"
        else:
            how = f"{_times(high / low)} {better}"
        if several:
            return (
                f"{side}: {key.name} {how} in every run "
                f"(A {_span(figure, a)}, B {_span(figure, b)}; {len(a)} and {len(b)} runs)"
            )
        return f"{side}: {key.name} {how}"
    runs = f"{len(a)} runs each" if len(a) == len(b) else f"{len(a)} and {len(b)} runs"
    return (
        f"no measurable difference in {key.name} "
        f"(A {_span(figure, a)}, B {_span(figure, b)}; {runs})"
    )
