"""The words of every A/B verdict: the window's line, ``compare``, the slides and the lessons.

A student who has just run two scenarios side by side wants the answer before the charts.
The rules (what is close, who wins, what a lesson expects) are
:mod:`simulator.metrics.comparison`'s; this module only writes what they decided, so the
window, the command line and a slide never word one verdict two ways. Each side's figure is
written as :attr:`~simulator.metrics.comparison.Spread.text` writes it: one number, the
median, with the range when a side ran several times.

A lesson whose answer is "about the same" gets a verdict without a winner's words (lower,
higher, sooner, later, faster, slower): "about the same makespan: A 605 ms, B 614 ms, within
2%" or, when a run does not show it, "not the same on this run: ...". So does one whose
answer is "A ahead, or the same" when B came out ahead by no more than the lesson's
``same_within``: the runs showed "the same", and the verdict must not contradict the answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from simulator.metrics.comparison import (
    CLOSE_WITHIN,
    HIGHER_IS_BETTER,
    MIN_WIN,
    Comparison,
    Criterion,
    Judgement,
)
from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import Summary

if TYPE_CHECKING:
    from simulator.trace import Run

__all__ = ["comparison_verdict", "verdict", "verdict_from_summaries"]


#: Figures that count things a side may have fewer of, and the things as a verdict says
#: them ("B: 5.0× fewer DB connections"); the rest are "lower" or "higher".
_COUNTED = {
    "threads_held_peak": "threads held",
    "threads_used": "threads used",
    "db_connections_peak": "DB connections",
    "failed": "failed requests",
}


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def _percent(fraction: float) -> str:
    """A distance as a whole percentage, rounded up: 1.5% apart is "within 2%"."""
    return f"{math.ceil(round(fraction * 100, 6))}%"


def _how_much(judged: Judgement) -> str:
    """``"1.2× "``, ``"by 8% "``, or nothing when one side is zero (the numbers say it)."""
    if math.isinf(judged.apart):
        return ""
    if judged.apart >= CLOSE_WITHIN:
        return f"{_times(judged.apart + 1)} "
    return f"by {_percent(judged.apart)} "


def _sides(judged: Judgement) -> str:
    return f"A {judged.a.text}, B {judged.b.text}"


def _alike(name: str, judged: Judgement, tail: str) -> str:
    """``about the same makespan: A 605 ms, B 614 ms, within 2%``; for figures that are equal,
    ``the same threads held: A 8, B 8`` (lesson 8 read "..., within 0%", like a slip)."""
    if judged.apart == 0:
        return f"the same {name}: {_sides(judged)}{tail}"
    return f"about the same {name}: {_sides(judged)}, within {_percent(judged.apart)}{tail}"


def _runs(judged: Judgement) -> str:
    n_a, n_b = len(judged.a.values), len(judged.b.values)
    return f"{n_a} runs each" if n_a == n_b else f"{n_a} and {n_b} runs"


def _main(judged: Judgement) -> str:
    """The verdict on one figure, naming a winner only when the rules allow."""
    key = FIGURE[judged.figure]
    if judged.winner is not None:
        how = _how_much(judged)
        better = "higher" if judged.figure in HIGHER_IS_BETTER else "lower"
        if judged.figure == "makespan_ms":
            head = f"{judged.winner} finished {how}sooner"
        elif judged.figure in _COUNTED:
            # A count a side has fewer of, said as a count: lesson 19's "B: DB connections
            # 5.0× lower" crowned B beside its 3.3× longer makespan, and "B: threads held
            # lower" read as a slip. ("9% fewer", not "by 9% fewer".)
            many = how.removeprefix("by ")
            head = f"{judged.winner}: {many}fewer {_COUNTED[judged.figure]}"
        else:
            head = f"{judged.winner}: {key.name} {how}{better}"
        if judged.several:
            return f"{head} in every run ({_sides(judged)}; {_runs(judged)})"
        return f"{head} ({_sides(judged)})"
    if judged.one_run_close:
        return (
            f"{key.name} within {CLOSE_WITHIN:.0%} ({_sides(judged)}): too close to call from "
            "one run each"
        )
    if judged.apart < MIN_WIN:
        tail = f"; {_runs(judged)}" if judged.several else ""
        return _alike(key.name, judged, tail)
    # Medians apart, runs overlapping: said so in words that hold without the ranges (the
    # reveal's strip drops them first). "No measurable difference in makespan (A 497 ms,
    # B 1.41 s)" read as a contradiction at lesson 15's reveal on a busy machine, and "runs
    # overlapped, no winner" meant nothing to a class: whose runs, overlapping how?
    runs = _runs(judged)
    return f"no winner in {key.name}: ranges overlap ({_sides(judged)}; {runs})"


def _also_p95(comparison: Comparison, main: Judgement) -> str | None:
    """A plain comparison of makespans also says how the slowest answers compare."""
    judged = comparison.judgement("p95")
    if judged.winner is None:
        return None
    how = _how_much(judged)
    if judged.winner == main.winner:
        return f"p95 {how}lower"
    if main.winner is None:
        return f"{judged.winner}'s p95 {how}lower"
    return f"but {judged.winner}'s p95 is {how}lower"


def _same(comparison: Comparison) -> str:
    """The verdict of a lesson that expects the same: no winner's words, whatever ran."""
    judged = comparison.judgement()
    name = FIGURE[judged.figure].name
    tail = f"; {_runs(judged)}" if judged.several else ""
    if judged.apart <= comparison.criterion.same_within:
        return _alike(name, judged, tail)
    distance = "one is zero" if math.isinf(judged.apart) else f"{_percent(judged.apart)} apart"
    return f"not the same on this run: {name} {_sides(judged)}, {distance}{tail}"


def _count(n: int, total: int, what: str) -> str:
    return f"{n} of {total} request{'s' if total != 1 else ''} {what}"


def _notes(a: Sequence[Summary], b: Sequence[Summary]) -> list[str]:
    """Differences in size, failures and cancellations, over every run of each side."""
    notes: list[str] = []
    if a[0].requests != b[0].requests:
        notes.append(f"A sent {a[0].requests} requests, B {b[0].requests}")
    for name, side in (("A", a), ("B", b)):
        total = sum(s.requests for s in side)
        failed, cancelled = sum(s.failed for s in side), sum(s.cancelled for s in side)
        if failed:
            notes.append(f"{name}: {_count(failed, total, 'failed')}")
        if cancelled:
            notes.append(f"{name}: {_count(cancelled, total, 'cancelled')}")
    return notes


def comparison_verdict(comparison: Comparison) -> str:
    """The one-line verdict on a comparison, e.g. ``B finished 7.9× sooner (A 1.60 s, B
    202 ms); p95 6.2× lower``, ``no winner in p50: ranges overlap (A 210 ms
    (205–230 ms), B ...; 3 runs each)`` or, for a lesson expecting the same, ``about the
    same makespan: A 605 ms, B 614 ms, within 2%``."""
    a, b = comparison.a, comparison.b
    parts: list[str] = []
    if not comparison.finished:
        idle_a = not any(s.answered for s in a)
        idle_b = not any(s.answered for s in b)
        if idle_a and idle_b:
            parts.append("Neither A nor B got any answer")
        else:
            parts.append(f"{'A' if idle_a else 'B'} got no answer; nothing to compare")
    elif comparison.criterion.expect == "same" or comparison.held_as_same:
        parts.append(_same(comparison))
    else:
        main = comparison.judgement()
        parts.append(_main(main))
        plain = comparison.criterion.expect is None
        if plain and comparison.criterion.figure == "makespan_ms":
            if (p95 := _also_p95(comparison, main)) is not None:
                parts.append(p95)
    return "; ".join(parts + _notes(a, b))


def verdict_from_summaries(
    a: Summary | Sequence[Summary],
    b: Summary | Sequence[Summary],
    criterion: Criterion | None = None,
) -> str:
    """The verdict on one summary (or every summary) of each side."""
    side_a = (a,) if isinstance(a, Summary) else tuple(a)
    side_b = (b,) if isinstance(b, Summary) else tuple(b)
    return comparison_verdict(Comparison(criterion or Criterion(), side_a, side_b))


def verdict(a: Run, b: Run) -> str:
    """The verdict on one run each (see :func:`comparison_verdict`)."""
    return verdict_from_summaries(a.summary, b.summary)
