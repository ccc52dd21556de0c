"""The one-line verdict of an A/B comparison, e.g. ``B finished 7.9× sooner; p95 6.2× lower``.

A student who has just run two scenarios side by side wants the answer before the charts.
The verdict reads only the two runs' :class:`~simulator.metrics.summary.Summary` figures, so it is a
pure function: :func:`verdict_from_summaries` can be tested with hand-made summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.metrics.summary import Summary

if TYPE_CHECKING:
    from simulator.trace import Run

__all__ = ["SAME_WITHIN", "verdict", "verdict_from_summaries"]

#: Figures closer than this fraction count as "the same" from one run each: on a busy
#: machine run-to-run noise is about this big (two identical scenarios once read "B 1.2×
#: sooner"). :mod:`simulator.metrics.noise` re-runs such close calls before naming a winner.
SAME_WITHIN = 0.15


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def _lower(a: float, b: float) -> tuple[str | None, float | None]:
    """Which side's figure is lower (``None`` when within :data:`SAME_WITHIN`), and how
    many times lower.

    The ratio is ``None`` where the lower figure is zero: "infinitely lower" says nothing.
    """
    low, high = min(a, b), max(a, b)
    if high <= 0:
        return None, None
    side = "A" if a < b else "B"
    if low <= 0:
        return side, None
    ratio = high / low
    if ratio <= 1 + SAME_WITHIN:
        return None, ratio
    return side, ratio


def _how_much(ratio: float | None) -> str:
    return f"{_times(ratio)} " if ratio is not None else ""


def _count(n: int, total: int, what: str) -> str:
    return f"{n} of {total} request{'s' if total != 1 else ''} {what}"


def verdict_from_summaries(a: Summary, b: Summary) -> str:
    """The verdict from two summaries: who finished sooner, whose p95 is lower, what failed."""
    finished_a, finished_b = a.ok + a.failed, b.ok + b.failed
    parts: list[str] = []
    if finished_a == 0 or finished_b == 0:
        if finished_a == 0 and finished_b == 0:
            parts.append("Neither A nor B finished any request")
        else:
            idle = "A" if finished_a == 0 else "B"
            parts.append(f"{idle} finished no requests; nothing to compare")
    else:
        side, ratio = _lower(a.makespan_ms, b.makespan_ms)
        if side is None:
            parts.append(
                f"A and B finished within {SAME_WITHIN:.0%} of each other (too close to call "
                "from one run each)"
            )
        else:
            parts.append(f"{side} finished {_how_much(ratio)}sooner")
        p95_side, p95_ratio = _lower(a.latency_ms["p95"], b.latency_ms["p95"])
        if p95_side is None:
            parts.append("p95 about the same")
        elif p95_side == side:
            parts.append(f"p95 {_how_much(p95_ratio)}lower")
        elif side is None:
            parts.append(f"{p95_side}'s p95 {_how_much(p95_ratio)}lower")
        else:
            parts.append(f"but {p95_side}'s p95 is {_how_much(p95_ratio)}lower")
    if a.requests != b.requests:
        parts.append(f"A sent {a.requests} requests, B {b.requests}")
    for name, summary in (("A", a), ("B", b)):
        if summary.failed:
            parts.append(f"{name}: {_count(summary.failed, summary.requests, 'failed')}")
        if summary.cancelled:
            parts.append(f"{name}: {_count(summary.cancelled, summary.requests, 'cancelled')}")
    return "; ".join(parts)


def verdict(a: Run, b: Run) -> str:
    """The one-line verdict on runs A and B (see :func:`verdict_from_summaries`)."""
    return verdict_from_summaries(a.summary, b.summary)
